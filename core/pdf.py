"""Documents as PDF (Chinese official forms, certificates) and QR codes.

- `render_pdf(template_name, context)`: a Django template rendered to HTML, then laid out by WeasyPrint
  (Pango picks the system's CJK font; Debian's `fonts-noto-cjk` is what `.ci/run` and docs/deploy.md
  install). Templates extend `core/pdf_base.html`, which sets the A4 page, margins and the font stack.
  Without a CJK font a document would print boxes for every Chinese character: it is refused instead
  (`cjk_font_missing`, 503), and the system check core.W001 says so when the server starts.
- `qr_svg(data)`: an inline SVG QR code (segno, error level M) for pages and PDFs alike.
- `pdf_text(pdf)`: the text layer of a PDF (pypdf), for tests and for checking a generated document.
- `content_hash(data)`: the SHA-256 hex digest every stored document and evidence file carries.
"""

from __future__ import annotations

import functools
import hashlib
import io
import shutil
import subprocess
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from core.errors import DomainError

PDF_MEDIA_TYPE = "application/pdf"
FONT_MISSING = (
    "服务器未安装中文字体，无法生成文书（请安装 fonts-noto-cjk）。"
    " No Chinese font is installed on the server: documents cannot be rendered (install fonts-noto-cjk)."
)


@functools.cache
def cjk_fonts() -> tuple[str, ...]:
    """The font families fontconfig offers for Chinese (`fc-list :lang=zh`), the fonts Pango would use.
    Cached for the process: fonts are installed with the system, not while it runs."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return ()
    found = subprocess.run(  # noqa: S603 - a fixed argument list, no shell
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    )
    return tuple(sorted({line.split(",")[0].strip() for line in found.stdout.splitlines() if line.strip()}))


def require_cjk_font() -> None:
    if not cjk_fonts():
        raise DomainError("cjk_font_missing", FONT_MISSING, status=503)


def render_pdf(template_name: str, context: dict[str, Any], *, base_url: str | None = None) -> bytes:
    """Render `template_name` with `context` and lay it out as a PDF. Deterministic enough for tests: the
    same context gives the same text layer (the PDF's creation date differs)."""
    import weasyprint  # imported lazily: loading Pango costs ~0.3 s and most requests never need it

    require_cjk_font()
    html = render_to_string(template_name, context)
    return bytes(weasyprint.HTML(string=html, base_url=base_url).write_pdf())


def qr_svg(data: str, *, scale: int = 3) -> SafeString:
    """An inline `<svg>` QR code of `data`, safe to place in a template."""
    return mark_safe(segno.make(data, error="m").svg_inline(scale=scale))  # noqa: S308 - segno's own markup


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
