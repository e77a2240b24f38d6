"""`Page`: one fetched document, as the later stages see it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    """A fetched document.

    `url` is the URL asked for, `final_url` the one that answered after redirects;
    `headers` has lowercased names; `encoding` is the codec `text` decodes `body` with
    (BOM, then the header charset, then `<meta charset>`, else utf-8); `from_cache` tells
    whether the body came from the on-disk cache (fresh, or revalidated with a 304);
    `elapsed` is the wall time of the whole fetch in seconds.
    """

    url: str
    final_url: str
    status_code: int
    headers: Mapping[str, str]
    content_type: str
    encoding: str
    body: bytes = field(repr=False)
    from_cache: bool = False
    elapsed: float = 0.0

    @property
    def text(self) -> str:
        """The body decoded with `encoding`; undecodable bytes become U+FFFD, never an error."""
        try:
            return self.body.decode(self.encoding, errors="replace")
        except LookupError:  # a Page built by hand with a bogus encoding name
            return self.body.decode("utf-8", errors="replace")
