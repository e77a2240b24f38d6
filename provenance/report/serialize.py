"""Report -> plain dict -> JSON, following the versioned schema in docs/schema.md, and back.

Deterministic: mapping keys are sorted, lists keep the pipeline's order, floats are
rounded to 3 decimals (non-finite ones become null), datetimes are UTC with a "Z".
`report_from_dict` rebuilds a Report from such a dict (the audit keeps only dicts between
runs); what the dict does not hold comes back empty: paragraph texts, `html`, `meta`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from ..errors import InputError
from ..models import (
    Alignment,
    Attempt,
    Attribution,
    Credit,
    DiffOp,
    Document,
    EditKind,
    Evidence,
    Finding,
    Hop,
    Marker,
    Origin,
    Original,
    OriginalVersion,
    Paragraph,
    ParagraphMatch,
    Report,
    Scores,
    SentencePair,
    Severity,
    Signal,
    Status,
    Verdict,
)
from ._text import iso_utc

FLOAT_DIGITS = 3
# Characters that JSON allows raw but that a terminal or a JS parser may act on; they can only
# occur inside strings, so escaping them in the output keeps the same data.
_RISKY_RE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _number(value: float) -> float | None:
    return round(value, FLOAT_DIGITS) if math.isfinite(value) else None


def jsonable(value: Any) -> Any:
    """Return `value` converted to JSON-ready builtins (for decoder details of any shape)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=repr)
    if isinstance(value, Sequence | tuple) and not isinstance(value, bytes | bytearray):
        return [jsonable(v) for v in value]
    return str(value)


def _attribution(a: Attribution) -> dict[str, Any]:
    return {
        "text": a.text,
        "origin": a.origin,
        "name": a.name,
        "url": a.url,
        "kind": a.kind,
        "paragraph_index": a.paragraph_index,
        "language": a.language,
    }


def _marker(m: Marker) -> dict[str, Any]:
    # Decoder details are flattened in; the marker's own fields win on a name clash.
    out: dict[str, Any] = jsonable(dict(m.details))
    out.update(
        {
            "publisher": m.publisher,
            "domain": m.domain,
            "kind": m.kind,
            "count": m.count,
            "sample": m.sample,
        }
    )
    return out


def _signal(s: Signal) -> dict[str, Any]:
    return {"kind": s.kind, "value": s.value, "domain": s.domain, "publisher": s.publisher}


def _op(op: DiffOp) -> dict[str, Any]:
    kind = op.kind.value if op.kind else None
    return {"op": op.op, "original": op.original, "copy": op.copy, "kind": kind}


def _match(m: ParagraphMatch) -> dict[str, Any]:
    return {
        "copy_index": m.copy_index,
        "original_index": m.original_index,
        "copy_text": m.copy_text,
        "original_text": m.original_text,
        "status": m.status.value,
        "similarity": _number(m.similarity),
        "moved": m.moved,
        "diff": [_op(op) for op in m.diff] if m.status is Status.EDITED else [],
        "quote_changes": [_op(op) for op in m.quote_changes],
        "sentences": [{"copy": list(p.copy), "original": list(p.original)} for p in m.sentences],
    }


def _original(found: Original | None) -> dict[str, Any] | None:
    if found is None:
        return None
    doc = found.document
    return {
        "url": doc.url,
        "title": doc.title,
        "found_by": found.found_by,
        "paragraphs": len(doc.paragraphs),
        "chain": [{"url": h.url, "publisher": h.publisher, "found_by": h.found_by}
                  for h in found.chain],
        "version": found.version,
        "versions": found.versions,
        "compared": [
            {"source": v.source, "url": v.url, "number": v.number, "captured": v.captured,
             "similarity": v.similarity, "used": v.used}
            for v in found.compared
        ],
        "published": iso_utc(doc.published),
    }  # fmt: skip


def _sections(report: Report) -> dict[str, Any]:
    copy, evidence, origin = report.copy, report.evidence, report.evidence.origin
    return {
        "copy": {
            "source": copy.source,
            "kind": copy.kind,
            "url": copy.url,
            "title": copy.title,
            "published": iso_utc(copy.published),
            "paragraphs": len(copy.paragraphs),
            "repairs": list(copy.repairs),
            "notes": list(copy.notes),
        },
        "evidence": {
            "attributions": [_attribution(a) for a in evidence.attributions],
            "markers": [_marker(m) for m in evidence.markers],
            "signals": [_signal(s) for s in evidence.signals],
        },
        "origin": {
            "publisher": origin.publisher,
            "domain": origin.domain,
            "confidence": _number(origin.confidence),
            "supported_by": list(origin.supported_by),
            "contradictions": list(origin.contradictions),
        },
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    """Return `report` as the JSON-ready dict of docs/schema.md (version `schema_version`).

    Raises nothing for any well-formed Report.
    """
    out: dict[str, Any] = {"schema_version": report.schema_version, **_sections(report)}
    scores = report.scores
    out.update(
        {
            "original": _original(report.original),
            "attempts": [jsonable(a) for a in report.attempts],
            "alignment": [_match(m) for m in report.alignment.matches] if report.alignment else [],
            "scores": None
            if scores is None
            else {
                "coverage": _number(scores.coverage),
                "fidelity": _number(scores.fidelity),
                "additions": _number(scores.additions),
                "order": _number(scores.order),
                "derived": _number(scores.derived),
            },
            "verdict": report.verdict.value,
            "credit": report.credit.value,
            "findings": [jsonable(f) for f in report.findings],
        }
    )
    return out


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """Return `data` as deterministic JSON (sorted keys, risky characters escaped), no newline.

    `indent=None` gives one compact line (for JSON Lines). Raises ValueError for NaN/inf.
    """
    separators = (",", ":") if indent is None else None
    text = json.dumps(
        data,
        ensure_ascii=False,
        indent=indent,
        separators=separators,
        sort_keys=True,
        allow_nan=False,
    )
    return _RISKY_RE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render_json(reports: Report | Sequence[Report]) -> str:
    """Return one report as a JSON object, or a sequence of them as a JSON array.

    The text is byte-identical for equal input; it ends with a newline.
    """
    if isinstance(reports, Report):
        data: Any = report_to_dict(reports)
    else:
        data = [report_to_dict(r) for r in reports]
    return dumps(data) + "\n"


# ---- dict -> Report ------------------------------------------------------------------

_MARKER_FIELDS = ("publisher", "domain", "kind", "count", "sample")


def _float(value: Any) -> float:
    # null stands for a non-finite float; NaN serialises back to null.
    return math.nan if value is None else float(value)


def _datetime(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(str(value))


def _placeholders(count: Any) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(index=i, text="") for i in range(int(count)))


def _ops(items: Any) -> tuple[DiffOp, ...]:
    return tuple(
        DiffOp(op["op"], op["original"], op["copy"], _edit_kind(op.get("kind"))) for op in items
    )


def _edit_kind(value: Any) -> EditKind | None:
    return EditKind(value) if value else None


def _sentence_pairs(items: Any) -> tuple[SentencePair, ...]:
    return tuple(SentencePair(tuple(p["copy"]), tuple(p["original"])) for p in items)


def _copy_from(data: Mapping[str, Any]) -> Document:
    return Document(
        source=data["source"],
        kind=data["kind"],
        paragraphs=_placeholders(data["paragraphs"]),
        url=data["url"],
        title=data["title"],
        published=_datetime(data["published"]),
        repairs=tuple(data["repairs"]),
        notes=tuple(data["notes"]),
    )


def _marker_from(data: Mapping[str, Any]) -> Marker:
    details = {k: v for k, v in data.items() if k not in _MARKER_FIELDS}
    return Marker(
        data["publisher"], data["domain"], data["kind"], data["count"], data["sample"], details
    )


def _evidence_from(data: Mapping[str, Any]) -> Evidence:
    ev, origin = data["evidence"], data["origin"]
    return Evidence(
        attributions=tuple(
            Attribution(
                a["text"],
                a["kind"],
                a["name"],
                a["origin"],
                a["url"],
                a["paragraph_index"],
                a["language"],
            )
            for a in ev["attributions"]
        ),
        markers=tuple(_marker_from(m) for m in ev["markers"]),
        signals=tuple(
            Signal(s["kind"], s["value"], s["domain"], s["publisher"]) for s in ev["signals"]
        ),
        origin=Origin(
            origin["publisher"],
            origin["domain"],
            _float(origin["confidence"]),
            tuple(origin["supported_by"]),
            tuple(origin["contradictions"]),
        ),
    )


def _original_from(data: Mapping[str, Any] | None) -> Original | None:
    if data is None:
        return None
    doc = Document(
        source=data["url"] or data["title"] or "original",
        kind="original",
        paragraphs=_placeholders(data["paragraphs"]),
        url=data["url"],
        title=data["title"],
        published=_datetime(data.get("published")),
    )
    return Original(
        document=doc,
        found_by=data["found_by"],
        chain=tuple(
            Hop(h["url"], h["publisher"], h["found_by"]) for h in data.get("chain", [])
        ),
        version=data.get("version"),
        versions=data.get("versions"),
        compared=tuple(
            OriginalVersion(v["source"], v["url"], v["number"], v["captured"],
                            v["similarity"], v["used"])
            for v in data.get("compared", [])
        ),
    )  # fmt: skip


def _match_from(m: Mapping[str, Any]) -> ParagraphMatch:
    return ParagraphMatch(
        copy_index=m["copy_index"],
        original_index=m["original_index"],
        copy_text=m["copy_text"],
        original_text=m["original_text"],
        status=Status(m["status"]),
        similarity=_float(m["similarity"]),
        moved=m["moved"],
        diff=_ops(m["diff"]),
        quote_changes=_ops(m["quote_changes"]),
        sentences=_sentence_pairs(m.get("sentences", ())),
    )


def _scores_from(data: Mapping[str, Any] | None) -> Scores | None:
    if data is None:
        return None
    return Scores(
        _float(data["coverage"]),
        _float(data["fidelity"]),
        _float(data["additions"]),
        _float(data["order"]),
        _float(data.get("derived", 0.0)),
    )


def _report_from(data: Mapping[str, Any]) -> Report:
    matches = tuple(_match_from(m) for m in data["alignment"])
    return Report(
        copy=_copy_from(data["copy"]),
        evidence=_evidence_from(data),
        original=_original_from(data["original"]),
        alignment=Alignment(matches) if matches else None,
        scores=_scores_from(data["scores"]),
        verdict=Verdict(data["verdict"]),
        credit=Credit(data["credit"]),
        findings=tuple(
            Finding(f["code"], Severity(f["severity"]), f["message"]) for f in data["findings"]
        ),
        attempts=tuple(
            Attempt(a["strategy"], a["target"], a["outcome"], a["reason"]) for a in data["attempts"]
        ),
        schema_version=str(data["schema_version"]),
    )


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """Return the Report that `report_to_dict` turned into `data` (the inverse, for audits).

    Paragraphs come back as empty placeholders of the stored count; decoder details of
    markers go back into `Marker.details`. `report_to_dict(report_from_dict(d)) == d` for
    any `d` that `report_to_dict` made. Raises InputError (naming the field) when `data` is
    not such a dict.
    """
    try:
        return _report_from(data)
    except KeyError as exc:
        raise InputError(f"not a provenance report: missing field {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise InputError(f"not a provenance report: {exc}") from exc
