"""Hand-built Reports for the report-stage tests (no other stage is run).

`cnn_report` is modelled on the seed (shared/seed/digitaltradecenter_13123.json): a
WordPress copy of a CNN story with CNN's CMS markup and "This post appeared first on
cnn.com", compared against the fuller copy that shows three dropped paragraphs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from provenance.models import (
    Alignment,
    Attempt,
    Attribution,
    Credit,
    DiffOp,
    Document,
    Evidence,
    Finding,
    Marker,
    Origin,
    Original,
    Paragraph,
    ParagraphMatch,
    Report,
    Scores,
    Severity,
    Signal,
    Status,
    Verdict,
)

COPY_URL = (
    "https://digitaltradecenter.com/index.php/2025/02/13/"
    "nato-allies-scramble-for-direction-as-trump-team-signals-concessions-to-moscow/"
)
ORIGINAL_URL = (
    "https://www.cnn.com/2025/02/12/europe/nato-allies-scramble-trump-hegseth-intl/index.html"
)
TITLE = "NATO allies scramble for direction as Trump team signals concessions to Moscow"
P_MEETING = (
    "Wednesday\u2019s meeting at the NATO headquarters in Brussels was, on paper, about"
    " coordinating military aid for Ukraine."
)
P_SAILING = "There were, of course, clear signs this was not going to be smooth sailing."
P_RUSSIAN = "“They may be Russian someday, or they may not be Russian someday,” he said."
P_LURCHED_ORIG = "Overnight it has lurched the NATO alliance from a stated policy on Ukraine."
P_LURCHED_COPY = "Overnight it has shifted the NATO alliance from a stated policy on Ukraine."
P_SEVERAL = (
    "Several of his European counterparts tried to argue the two positions were not incompatible."
)
P_REWRITE_ORIG = "The 2% defense spending target is no longer enough, Hegseth said."
P_REWRITE_COPY = "Hegseth told allies that spending two percent of GDP would not suffice any more."
P_ADDED = "Subscribe to our newsletter for more market news."
P_CREDIT = "This post appeared first on cnn.com"
CNN_CUID = "cms.cnn.com/_components/paragraph/instances/cm72i7hgq000a356mow561so5@published"


def _doc(
    source: str, texts: list[str], *, url: str | None, title: str | None, **kw: object
) -> Document:
    paragraphs = tuple(Paragraph(index=i, text=t, tag="p") for i, t in enumerate(texts))
    return Document(
        source=source, kind="wordpress", paragraphs=paragraphs, url=url, title=title, **kw
    )  # type: ignore[arg-type]


def cnn_copy() -> Document:
    texts = [P_MEETING, P_SAILING, P_LURCHED_COPY, P_REWRITE_COPY, P_SEVERAL, P_ADDED, P_CREDIT]
    return _doc(
        "digitaltradecenter_13123.json",
        texts,
        url=COPY_URL,
        title=TITLE,
        published=datetime(2025, 2, 13, 11, 38, 35, tzinfo=UTC),
        repairs=("entities: decoded &#8217;",),
        notes=("yoast_head_json absent",),
    )


def cnn_original() -> Original:
    texts = [P_MEETING, P_SAILING, P_RUSSIAN, P_LURCHED_ORIG, P_SEVERAL, P_REWRITE_ORIG]
    doc = _doc("cnn.html", texts, url=ORIGINAL_URL, title=TITLE)
    return Original(document=doc, found_by="attribution", attempts=())


def cnn_evidence() -> Evidence:
    attribution = Attribution(
        text=P_CREDIT,
        kind="appeared-first",
        name="cnn.com",
        origin="cnn.com",
        url=None,
        paragraph_index=6,
    )
    marker = Marker(
        publisher="CNN",
        domain="cnn.com",
        kind="cnn-vossi-paragraph",
        count=12,
        sample=CNN_CUID,
        details={
            # The shape cuid_details() writes (provenance/detect/cuid.py), as in the seed.
            "earliest_created": "2025-02-12T22:50:01Z",
            "latest_created": datetime(2025, 2, 12, 23, 5, 34, 250000, tzinfo=UTC),
            "lag_seconds": 46114,
            "lag_hours": 12.8094083,
            "components": [
                {
                    "cuid": "cm72i7hgq000a356mow561so5",
                    "created": "2025-02-12T22:50:01Z",
                    "counter": 10,
                    "fingerprint": "356m",
                }
            ],
            "batches": [{"index": 0, "fingerprint": "356m", "size": 1, "counters": [10]}],
            "counter_gaps": [{"batch": 1, "created": "2025-02-12T23:05:34Z", "missing": [17, 18]}],
        },
    )
    signals = (
        Signal(kind="wordpress-link", value=COPY_URL, domain="digitaltradecenter.com"),
        Signal(kind="og:site_name", value="Digital Trade Center", domain="digitaltradecenter.com"),
    )
    origin = Origin(
        publisher="CNN",
        domain="cnn.com",
        confidence=0.9712345,
        supported_by=("attribution: This post appeared first on cnn.com", "marker: cnn cuid"),
        contradictions=(),
    )
    return Evidence(attributions=(attribution,), markers=(marker,), signals=signals, origin=origin)


def cnn_alignment() -> Alignment:
    edit = (
        DiffOp("equal", "Overnight it has", "Overnight it has"),
        DiffOp("replace", "lurched", "shifted"),
        DiffOp(
            "equal",
            "the NATO alliance from a stated policy",
            "the NATO alliance from a stated policy",
        ),
        DiffOp("insert", "", "on Ukraine."),
        DiffOp("delete", "on Ukraine.", ""),
    )
    quote = (DiffOp("replace", "“irreversible path”", "“path”"),)
    return Alignment(
        matches=(
            ParagraphMatch(0, 0, P_MEETING, P_MEETING, Status.VERBATIM, 1.0),
            ParagraphMatch(1, 1, P_SAILING, P_SAILING, Status.VERBATIM, 0.99991),
            ParagraphMatch(None, 2, "", P_RUSSIAN, Status.DROPPED, 0.0),
            ParagraphMatch(
                2, 3, P_LURCHED_COPY, P_LURCHED_ORIG, Status.EDITED, 0.8666666, False, edit, quote
            ),
            ParagraphMatch(3, 5, P_REWRITE_COPY, P_REWRITE_ORIG, Status.REWRITTEN, 0.4444, True),
            ParagraphMatch(4, 4, P_SEVERAL, P_SEVERAL, Status.VERBATIM, 1.0, True),
            ParagraphMatch(5, None, P_ADDED, "", Status.ADDED, 0.0),
        ),
        notes=("attribution paragraph 6 left out",),
    )


def cnn_report() -> Report:
    """A realistic report: every alignment status, an edited diff, a moved paragraph."""
    return Report(
        copy=cnn_copy(),
        evidence=cnn_evidence(),
        original=cnn_original(),
        alignment=cnn_alignment(),
        scores=Scores(coverage=0.8333333, fidelity=0.91234, additions=0.1666666, order=0.8),
        verdict=Verdict.MODIFIED,
        credit=Credit.CREDITED,
        findings=(
            Finding(
                "dropped-paragraphs", Severity.WARNING, "1 paragraph of the original is missing"
            ),
            Finding(
                "altered-quote", Severity.ERROR, "a quotation was changed: “irreversible path”"
            ),
            Finding("cnn-cuid", Severity.INFO, "CNN components created 12.8 h before the copy"),
        ),
        attempts=(
            Attempt("attribution", "cnn.com", "found", ""),
            Attempt("archive", "sqlite", "miss", "no near-duplicate above 0.8"),
        ),
    )


def bare_report(title: str | None = "A lone post", **kw: object) -> Report:
    """A report with no original, alignment or scores (offline, nothing found)."""
    copy = _doc(
        "feed.xml",
        ["Some text."],
        url="https://example.org/a",
        title=title,
        published=datetime(2025, 2, 13, 12, 38, 35, tzinfo=timezone(timedelta(hours=1))),
    )
    fields: dict[str, object] = {
        "copy": copy,
        "evidence": Evidence(),
        "original": None,
        "alignment": None,
        "scores": None,
        "verdict": Verdict.UNVERIFIED,
        "credit": Credit.UNCREDITED,
        "findings": (Finding("no-original", Severity.INFO, "no original was found"),),
    }
    fields.update(kw)
    return Report(**fields)  # type: ignore[arg-type]


def faithful_report(n: int, coverage: float, title: str) -> Report:
    """A small faithful report with its own scores, for table-sorting and chart tests."""
    base = cnn_report()
    return Report(
        copy=_doc(f"item{n}.json", [P_MEETING], url=f"https://copies.example/{n}", title=title),
        evidence=base.evidence,
        original=base.original,
        alignment=Alignment(matches=(base.alignment.matches[0],)) if base.alignment else None,
        scores=Scores(coverage=coverage, fidelity=0.99, additions=0.0, order=1.0),
        verdict=Verdict.FAITHFUL if coverage > 0.97 else Verdict.TRIMMED,
        credit=Credit.CREDITED,
        findings=(),
    )
