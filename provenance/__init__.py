"""provenance: where did a republished article come from, and how faithfully was it copied?

    >>> from provenance import Settings, check_source
    >>> settings = Settings(offline=True)
    >>> [report] = check_source("copy.json", original="original.html", settings=settings)
    >>> report.verdict, report.credit

The pipeline is load -> detect -> locate -> fetch -> align -> score -> report; each stage is
a module of this package. Errors are the `ProvenanceError` tree of `provenance.errors`.
"""

from .errors import (
    ArchiveError,
    BlockedURL,
    FetchError,
    FetchStatusError,
    FetchTimeout,
    FetchTooLarge,
    InputError,
    ProvenanceError,
    SettingsError,
)
from .models import (
    Alignment,
    Credit,
    Document,
    Evidence,
    Finding,
    Original,
    ParagraphMatch,
    Report,
    Scores,
    Status,
    Verdict,
)
from .pipeline import check_document, check_source
from .settings import Settings

__all__ = [
    "Alignment",
    "ArchiveError",
    "BlockedURL",
    "Credit",
    "Document",
    "Evidence",
    "FetchError",
    "FetchStatusError",
    "FetchTimeout",
    "FetchTooLarge",
    "Finding",
    "InputError",
    "Original",
    "ParagraphMatch",
    "ProvenanceError",
    "Report",
    "Scores",
    "Settings",
    "SettingsError",
    "Status",
    "Verdict",
    "check_document",
    "check_source",
]
