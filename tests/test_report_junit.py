"""JUnit XML: structure, counts, failure reasons, hostile text, schema validity."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest
from lxml import etree  # test-only: XSD validation
from report_fixtures import bare_report, cnn_report, faithful_report

from provenance.models import Credit, Finding, Severity, Verdict
from provenance.report import render_junit, render_report

# The essentials of the JUnit format as CI servers (Jenkins, GitLab, GitHub reporters) read it.
JUNIT_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:complexType name="problem">
    <xs:simpleContent>
      <xs:extension base="xs:string">
        <xs:attribute name="message" type="xs:string" use="required"/>
        <xs:attribute name="type" type="xs:string" use="required"/>
      </xs:extension>
    </xs:simpleContent>
  </xs:complexType>
  <xs:element name="testsuites">
    <xs:complexType>
      <xs:sequence>
        <xs:element ref="testsuite" minOccurs="1" maxOccurs="unbounded"/>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="testsuite">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="testcase" minOccurs="0" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:choice minOccurs="0" maxOccurs="1">
                <xs:element name="failure" type="problem"/>
                <xs:element name="error" type="problem"/>
              </xs:choice>
              <xs:element name="system-out" type="xs:string" minOccurs="0"/>
            </xs:sequence>
            <xs:attribute name="name" type="xs:string" use="required"/>
            <xs:attribute name="classname" type="xs:string" use="required"/>
            <xs:attribute name="time" type="xs:decimal"/>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
      <xs:attribute name="name" type="xs:string" use="required"/>
      <xs:attribute name="tests" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="failures" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="errors" type="xs:nonNegativeInteger" use="required"/>
      <xs:attribute name="skipped" type="xs:nonNegativeInteger"/>
      <xs:attribute name="time" type="xs:decimal"/>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""


def _validate(text: str) -> None:
    schema = etree.XMLSchema(etree.fromstring(JUNIT_XSD))
    doc = etree.fromstring(text.encode("utf-8"))
    assert schema.validate(doc), schema.error_log


def test_structure_counts_and_reasons() -> None:
    reports = [cnn_report(), faithful_report(1, 0.99, "Fine copy"), bare_report()]
    text = render_report(reports, "junit")
    _validate(text)
    root = ET.fromstring(text)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("3", "2", "0")
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [cnn_report().copy.title, "Fine copy", "A lone post"]
    assert [c.get("classname") for c in cases] == ["CNN", "CNN", "provenance"]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("type") == "modified"
    assert failure.text == (
        "verdict modified\naltered-quote: a quotation was changed: “irreversible path”"
    )
    assert cases[1].find("failure") is None and cases[1].find("error") is None
    bare_failure = cases[2].find("failure")
    assert bare_failure is not None and bare_failure.get("message") == "credit uncredited"
    system_out = cases[0].findtext("system-out") or ""
    assert system_out.splitlines()[:2] == ["verdict: modified", "credit: credited"]


@pytest.mark.parametrize(
    ("verdict", "credit", "findings", "fails"),
    [
        (Verdict.FAITHFUL, Credit.CREDITED, (), False),
        (Verdict.TRIMMED, Credit.MISCREDITED, (), False),
        (Verdict.REWRITTEN, Credit.CREDITED, (), True),
        (Verdict.MODIFIED, Credit.CREDITED, (), True),
        (Verdict.FAITHFUL, Credit.UNCREDITED, (), True),
        (Verdict.FAITHFUL, Credit.CREDITED, (Finding("x", Severity.WARNING, "w"),), False),
        (Verdict.FAITHFUL, Credit.CREDITED, (Finding("x", Severity.ERROR, "e"),), True),
    ],
)
def test_what_counts_as_failure(
    verdict: Verdict, credit: Credit, findings: tuple[Finding, ...], fails: bool
) -> None:
    report = replace(cnn_report(), verdict=verdict, credit=credit, findings=findings)
    root = ET.fromstring(render_junit([report]))
    assert (root.find("./testsuite/testcase/failure") is not None) is fails
    assert root.get("failures") == ("1" if fails else "0")


def test_policy_failures_and_errors_from_the_caller() -> None:
    reports = [faithful_report(1, 0.99, "one"), faithful_report(2, 0.99, "two")]
    text = render_junit(
        reports,
        failures={0: ["policy: needs a canonical link"]},
        errors={1: "FetchTimeout: cnn.com"},
    )
    _validate(text)
    root = ET.fromstring(text)
    assert (root.get("failures"), root.get("errors")) == ("1", "1")
    one, two = root.findall("./testsuite/testcase")
    failure = one.find("failure")
    assert failure is not None and failure.get("message") == "policy: needs a canonical link"
    error = two.find("error")
    assert error is not None and error.get("message") == "FetchTimeout: cnn.com"
    assert two.find("failure") is None


def test_hostile_text_stays_well_formed() -> None:
    nasty = 'bad\x00\x01\x0b\x1b[2J\ufffe</testcase><x a="1">&amp;]]> \ud800'
    report = replace(
        cnn_report(),
        copy=replace(cnn_report().copy, title=nasty),
        findings=(Finding("code", Severity.ERROR, nasty),),
    )
    text = render_junit([report], failures={0: [nasty]}, errors=None)
    _validate(text)
    root = ET.fromstring(text)
    case = root.find("./testsuite/testcase")
    assert case is not None
    assert case.get("name") == 'bad</testcase><x a="1">&amp;]]>'  # escape sequence removed
    assert "\x1b" not in text and "\x00" not in text
