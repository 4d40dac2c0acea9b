"""The catalogue of service items (public), each item's service guide with its flow chart and QR code,
and the catalogue's workbook: the import template and import for the data steward, the export for staff."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.jurisdiction import user_roles
from accounts.models import Role
from accounts.requests import acting_user
from approvals import actions, selectors
from approvals.catalogue import record_of, template_bytes, workbook_bytes
from approvals.forms import CatalogueFilterForm, ImportForm
from approvals.pages.common import STAFF_ROLES, page, refuse, staff_required
from core.errors import DomainError, NotFound
from core.pdf import qr_svg
from core.spreadsheets import SpreadsheetImportError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_http_methods(["GET"])
def catalogue(request: HttpRequest) -> HttpResponse:
    centres = [(c.code, c.name) for c in selectors.service_centres().order_by("territory_code", "code")]
    form = CatalogueFilterForm(request.GET or None, centres=centres)
    filters = selectors.ItemFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.ItemFilters(
            level=d["level"], item_type=d["type"], theme=d["theme"], centre=d["centre"], q=d["q"]
        )
    paginator = Paginator(selectors.catalogue(filters), 30)
    page_obj = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page_obj": page_obj,
        "query": query.urlencode(),
        "total": paginator.count,
        "can_import_catalogue": _can_import_catalogue(request),
    }
    return page(request, "approvals/catalogue.html", context)


# Who imports the catalogue (and so needs its template): the data steward, as `import_catalogue` says.
IMPORT_ROLES = {Role.DATA_STEWARD}

IMPORT_REFUSED = gettext_lazy("只有数据管理员可以导入服务事项目录。")


def _can_import_catalogue(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and (user.is_superuser or user_roles(user) & IMPORT_ROLES))


def flow_svg(steps: list[str]) -> str:
    """The guide's flow steps as an inline SVG of boxes and arrows (no external service)."""
    from django.utils.html import escape

    box_w, box_h, gap, pad = 112, 40, 34, 8
    count = max(1, len(steps))
    label = escape(" → ".join(steps))
    width = pad * 2 + count * box_w + (count - 1) * gap
    height = box_h + pad * 2
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" role="img"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}" aria-label="{label}">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
        '<path d="M0,0 L8,4 L0,8 z" fill="#2f5d8a"/></marker></defs>',
    ]
    for index, step in enumerate(steps):
        x = pad + index * (box_w + gap)
        parts.append(
            f'<rect x="{x}" y="{pad}" width="{box_w}" height="{box_h}" rx="6"'
            ' fill="#eaf2fb" stroke="#2f5d8a"/>'
            f'<text x="{x + box_w / 2}" y="{pad + box_h / 2 + 5}" text-anchor="middle" font-size="14"'
            f' fill="#17324d">{index + 1}. {escape(step)}</text>'
        )
        if index < len(steps) - 1:
            x1 = x + box_w
            parts.append(
                f'<line x1="{x1 + 2}" y1="{pad + box_h / 2}" x2="{x1 + gap - 4}" y2="{pad + box_h / 2}"'
                ' stroke="#2f5d8a" stroke-width="2" marker-end="url(#arrow)"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


@require_http_methods(["GET"])
def guide(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.get_item(code)
    except NotFound:
        return refuse(request, _("该服务事项不存在或已停用。"), 404)
    version = item.current_version
    assert version is not None
    url = request.build_absolute_uri(reverse("approvals:guide", args=[item.implementation_code]))
    context = {
        "item": item,
        "v": version,
        "flow": mark_safe(flow_svg(version.flow_steps)),  # noqa: S308 (built from escaped text above)
        "qr": mark_safe(qr_svg(url)),  # noqa: S308 (segno's own SVG)
        "guide_url": url,
        "centres": selectors.centres_for_item(item),
        "channels": [
            {"window": _("窗口"), "online": _("网上"), "post": _("邮寄")}.get(c, c) for c in version.channels
        ],
    }
    return page(request, "approvals/guide.html", context)


@staff_required(IMPORT_ROLES, IMPORT_REFUSED)
@require_http_methods(["GET"])
def template_xlsx(request: HttpRequest) -> HttpResponse:
    """The catalogue's import template: for the staff who import it, not for residents."""
    response = HttpResponse(template_bytes(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-items-template.xlsx"'
    return response


@staff_required(IMPORT_ROLES, IMPORT_REFUSED)
@require_http_methods(["GET", "POST"])
def import_catalogue(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[Any] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = actions.do_import_catalogue(
                upload, actor=acting_user(request), now=timezone.now(), filename=upload.name or ""
            )
        except SpreadsheetImportError as error:
            problems = error.problems
            form.add_error("file", _("文件有 %(n)d 处错误，未导入任何数据。") % {"n": len(problems)})
        except DomainError as error:
            form.add_error("file", error.message)
    status = 400 if form.errors else 200
    return page(
        request,
        "approvals/import.html",
        {"form": form, "problems": problems, "result": result},
        status=status,
    )


@staff_required(STAFF_ROLES, _("您无权导出目录。"))
@require_http_methods(["GET"])
def export_catalogue(request: HttpRequest) -> HttpResponse:
    items = selectors.catalogue().select_related("agency")
    response = HttpResponse(workbook_bytes([record_of(i) for i in items]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="service-items.xlsx"'
    return response
