"""Reports as JUnit XML, so CI systems show one test case per checked item.

A case fails when the item's verdict or findings are failures (`_text.is_failure`) or when
the caller's policy says so (`failures`); it errors when the caller says the item could not
be checked (`errors`). Built with ElementTree, which escapes; characters XML forbids are
stripped first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ..models import Report
from ._text import clean, is_failure, label, trim

if TYPE_CHECKING:
    from .audit_view import AuditView

# Characters outside the XML 1.0 Char production (after `clean`, only a few can remain).
_XML_ILLEGAL_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MESSAGE_CHARS = 300


def _x(text: object, *, one_line: bool = True) -> str:
    value = _XML_ILLEGAL_RE.sub("", clean(text, one_line=one_line))
    return value.strip() if one_line else value


def _classname(report: Report) -> str:
    origin = report.evidence.origin
    return _x(origin.publisher or origin.domain) or "provenance"


def _system_out(report: Report) -> str:
    lines = [f"verdict: {report.verdict.value}", f"credit: {report.credit.value}"]
    if report.copy.url:
        lines.append(f"url: {report.copy.url}")
    if report.scores is not None:
        s = report.scores
        lines.append(
            f"coverage {s.coverage:.3f} fidelity {s.fidelity:.3f} "
            f"additions {s.additions:.3f} order {s.order:.3f}"
        )
    lines += [f"[{f.severity.value}] {f.code}: {f.message}" for f in report.findings]
    return "\n".join(_x(line) for line in lines)


def _testcase(
    suite: ET.Element,
    name: str,
    classname: str,
    problem: tuple[str, list[str], str | None],
    system_out: str,
) -> tuple[int, int]:
    """Add one testcase; `problem` is (failure type, failure reasons, error reason)."""
    kind, reasons, error = problem
    case = ET.SubElement(
        suite, "testcase", {"name": _x(trim(name, 200)), "classname": classname, "time": "0"}
    )
    if error is not None:
        message = _x(trim(clean(error), MESSAGE_CHARS))
        node = ET.SubElement(case, "error", {"message": message, "type": "error"})
        node.text = _x(error, one_line=False)
    elif reasons:
        message = _x(trim("; ".join(reasons), MESSAGE_CHARS))
        node = ET.SubElement(case, "failure", {"message": message, "type": kind})
        node.text = "\n".join(_x(r) for r in reasons)
    ET.SubElement(case, "system-out").text = system_out
    return (1 if error is None and reasons else 0, 1 if error is not None else 0)


def _document(root: ET.Element, suite: ET.Element, tests: int, failed: int, errored: int) -> str:
    counts = {"tests": str(tests), "failures": str(failed), "errors": str(errored)}
    for node in (root, suite):
        node.attrib.update(counts)
    suite.set("skipped", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(suite_name: str) -> tuple[ET.Element, ET.Element]:
    root = ET.Element("testsuites", {"name": suite_name})
    return root, ET.SubElement(root, "testsuite", {"name": suite_name, "time": "0"})


def render_junit(
    reports: Sequence[Report],
    failures: Mapping[int, list[str]] | None = None,
    errors: Mapping[int, str] | None = None,
    *,
    suite_name: str = "provenance",
) -> str:
    """Return JUnit XML with one testcase per report (in order).

    `failures` maps a report's index to extra failure reasons (e.g. policy violations);
    `errors` maps an index to the reason the item could not be checked. Raises nothing.
    """
    failures, errors = failures or {}, errors or {}
    root, suite = _suite(suite_name)
    failed = errored = 0
    for n, report in enumerate(reports):
        reasons = is_failure(report) + [clean(r) for r in failures.get(n, [])]
        problem = (report.verdict.value, reasons, errors.get(n))
        f, e = _testcase(suite, label(report), _classname(report), problem, _system_out(report))
        failed, errored = failed + f, errored + e
    return _document(root, suite, len(reports), failed, errored)


def render_audit_junit(view: AuditView, *, suite_name: str = "provenance-audit") -> str:
    """Return JUnit XML with one testcase per audited item, worst first.

    An item that failed the policy is a <failure> carrying the policy's reasons; an item
    that could not be checked is an <error> with its reason. Raises nothing.
    """
    root, suite = _suite(suite_name)
    failed = errored = 0
    for item in view.items:
        report = item.report
        kind = report.verdict.value if report is not None else "error"
        reasons = list(item.reasons) if item.status == "fail" else []
        error = (item.error or "could not be checked") if item.status == "error" else None
        lines = [f"key: {item.key}", f"status: {item.status}"] + (
            ["reused: true"] if item.reused else []
        )
        out = "\n".join(_x(line) for line in lines)
        if report is not None:
            out += "\n" + _system_out(report)
        classname = _classname(report) if report is not None else "provenance"
        f, e = _testcase(suite, item.name, classname, (kind, reasons, error), out)
        failed, errored = failed + f, errored + e
    return _document(root, suite, len(view.items), failed, errored)
