"""provenance: where did a republished article come from, and how faithfully was it copied?

    >>> from provenance import Settings, check_source
    >>> settings = Settings(offline=True)
    >>> [report] = check_source("copy.json", original="original.html", settings=settings)
    >>> report.verdict, report.credit

The pipeline is load -> detect -> locate -> fetch -> align -> score -> report; each stage is
a module of this package. Errors are the `ProvenanceError` tree of `provenance.errors`.

`check_document` and `check_source` are imported on first use, so that importing the
package (and starting the command line) does not load every stage and its libraries.
"""

from typing import TYPE_CHECKING, Any

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
from .settings import Settings

if TYPE_CHECKING:
    from .pipeline import check_document, check_source

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


def __getattr__(name: str) -> Any:
    """Import the pipeline's entry points when they are first asked for."""
    if name in ("check_document", "check_source"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
