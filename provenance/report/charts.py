"""Inline SVG charts for the HTML report, built from numbers only (no copy text)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

BAR_HEIGHT = 18
WIDTH = 320


def bar_chart(rows: Sequence[tuple[str, int]], title: str) -> str:
    """Return an SVG of horizontal bars, one per (label, count); bar class is `bar-<label>`."""
    top = max((count for _, count in rows), default=0) or 1
    height = len(rows) * (BAR_HEIGHT + 6) + 4
    parts = [_svg_open(WIDTH, height, title)]
    for n, (name, count) in enumerate(rows):
        y = 2 + n * (BAR_HEIGHT + 6)
        width = round((WIDTH - 130) * count / top, 1)
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(name)}</text>'
            f'<rect class="bar bar-{escape(name)}" x="90" y="{y}" width="{width}"'
            f' height="{BAR_HEIGHT}" rx="3"></rect>'
            f'<text x="{90 + width + 6}" y="{y + 13}">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(counts: Sequence[int], labels: Sequence[str], title: str, css: str = "") -> str:
    """Return an SVG column chart of `counts`, with `labels` under the columns."""
    top = max(counts, default=0) or 1
    plot, base = 120, 140
    step = (WIDTH - 10) / max(len(counts), 1)
    parts = [_svg_open(WIDTH, base + 34, title)]
    parts.append(f'<line class="axis" x1="5" y1="{base}" x2="{WIDTH - 5}" y2="{base}"></line>')
    for n, count in enumerate(counts):
        x = round(5 + n * step + 2, 1)
        h = round(plot * count / top, 1)
        parts.append(
            f'<rect class="bar {escape(css)}" x="{x}" y="{base - h}" width="{round(step - 4, 1)}"'
            f' height="{h}" rx="2"></rect>'
        )
        if count:
            mid = round(x + (step - 4) / 2, 1)
            parts.append(f'<text x="{mid}" y="{base - h - 3}" text-anchor="middle">{count}</text>')
    parts += _labels(labels, len(counts), step, base + 16)
    parts.append("</svg>")
    return "".join(parts)


def _labels(labels: Sequence[str], bins: int, step: float, y: int) -> list[str]:
    # One label per column sits under it; fewer labels are spread evenly along the axis.
    out = []
    for n, name in enumerate(labels):
        if len(labels) == bins:
            x, anchor = 5 + (n + 0.5) * step, "middle"
        else:
            x, anchor = 5 + n * (WIDTH - 10) / max(len(labels) - 1, 1), "middle"
            anchor = "start" if n == 0 else "end" if n == len(labels) - 1 else anchor
        out.append(f'<text x="{round(x, 1)}" y="{y}" text-anchor="{anchor}">{escape(name)}</text>')
    return out


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
