"""Places as people read them: a division's or grid's name, its code kept for staff as a title or a muted
aside. A list page passes the names of its rows (territory.refs.territory_names, bounded queries); a page
about one thing lets the tag look its one code up in the process cache."""

from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from territory.refs import territory_names

register = template.Library()


@register.simple_tag
def place(code: str, names: Mapping[str, str] | None = None, *, with_code: bool = False) -> SafeString:
    """`{% place code names %}`: the name with the code as its title (a table cell);
    `{% place code with_code=True %}`: the name followed by the code in muted text (a detail page).
    A code that names no division or grid shows as itself."""
    if not code:
        return format_html("{}", "—")
    name = (names if names is not None else territory_names([code])).get(code, "")
    if not name:
        return format_html('<span class="place">{}</span>', code)
    if with_code:
        return format_html('<span class="place">{}</span> <span class="muted small">{}</span>', name, code)
    return format_html('<span class="place" title="{}">{}</span>', code, name)
