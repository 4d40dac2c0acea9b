"""Small server-side SVG charts for the reports (PDF and page alike): a horizontal bar chart. Text is
escaped; the font stack names the CJK fonts the PDF path uses."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, WenQuanYi Zen Hei, sans-serif"


def bar_chart(
    title: str, rows: Sequence[tuple[str, float | None]], *, maximum: float | None = None, suffix: str = ""
) -> str:
    """Horizontal bars, one per (label, value); a missing value is drawn as "—" with no bar."""
    width, label_w, top = 640, 170, 34
    # Many rows (a town's villages) get thinner bars, so the chart stays about half a page high.
    bar_h, gap = (18, 8) if len(rows) <= 12 else (12, 3)
    plot_w = width - label_w - 70
    top_value = maximum or max([v for _, v in rows if v is not None] or [1]) or 1
    height = top + len(rows) * (bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="{11 if len(rows) > 12 else 12}">',
        f'<text x="0" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    if not rows:
        parts.append(f'<text x="0" y="{top + 12}" fill="#666">无数据</text>')
    for i, (label, value) in enumerate(rows):
        y = top + i * (bar_h + gap)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 4}" text-anchor="end">{escape(label[:14])}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + bar_h - 4}" fill="#666">—</text>')
            continue
        w = max(1.0, plot_w * max(0.0, value) / top_value)
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#c0392b"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{value:g}{escape(suffix)}</text>')
    parts.append("</svg>")
    return "".join(parts)
