"""Asset cards (list and map, a card with its photos, leases and changes), proposing and reviewing an asset
change on the engine, and the collective resources with their outlines."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.requests import acting_user
from core.errors import DomainError, NotFound
from territorial import actions, assets, selectors
from territorial.forms import AssetChangeForm, ResourceForm, ReviewForm
from territorial.models import Asset, AssetChange, Contract
from territorial.pages.common import form_page, map_config, now, roles, staff_page, stored_file, submit
from workflow.access import available_actions
from workflow.publishing import definition_for


@require_GET
@staff_page
def asset_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    rows = selectors.assets(user).annotate(changes_count=Count("changes"))
    kind = request.GET.get("kind", "")
    if kind in Asset.Kind.values:
        rows = rows.filter(kind=kind)
    pending = selectors.asset_changes(user).filter(applied_at__isnull=True, work_item__closed_at__isnull=True)
    context = {
        "assets": rows,
        "kinds": Asset.Kind.choices,
        "kind": kind,
        "pending": pending,
        "map_config": map_config(
            [
                {"lon": a.lon, "lat": a.lat, "label": f"{a.number} {a.name}"}
                for a in rows
                if a.lon is not None and a.lat is not None
            ]
        ),
        **roles(user),
    }
    return render(request, "territorial/staff/assets.html", context)


def _asset_page(
    request: HttpRequest, asset: Asset, *, photo_error: str = "", status: int = 200
) -> HttpResponse:
    user = acting_user(request)
    changes = [
        (c, selectors.state_title(c.work_item))
        for c in AssetChange.objects.filter(asset=asset).select_related("work_item", "proposed_by")
    ]
    points = [] if asset.lon is None else [{"lon": asset.lon, "lat": asset.lat, "label": asset.name}]
    context = {
        "asset": asset,
        "changes": changes,
        "leases": selectors.contracts(user).filter(asset=asset),
        "photos": asset.photos.all(),
        "photo_error": photo_error,
        "map_config": map_config(points),
    }
    return render(request, "territorial/staff/asset.html", context, status=status)


@require_GET
@staff_page
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    return _asset_page(request, selectors.asset_for(acting_user(request), asset_id))


@require_POST
@staff_page
def asset_photo_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    """A file upload without a form class: the refusal shows beside the photo field."""
    user = acting_user(request)
    asset = selectors.asset_for(user, asset_id)
    try:
        assets.do_add_asset_photo(asset, photo=request.FILES.get("photo"), actor=user, now=now())
    except NotFound:
        raise
    except DomainError as error:
        return _asset_page(request, asset, photo_error=error.message, status=error.status)
    messages.success(request, _("照片已上传。"))
    return HttpResponseRedirect(reverse("territorial:asset", args=[asset.pk]))


@require_GET
@staff_page
def asset_photo(request: HttpRequest, asset_id: int, photo_id: int) -> HttpResponse:
    asset = selectors.asset_for(acting_user(request), asset_id)
    row = asset.photos.filter(pk=photo_id).first()
    if row is None:
        raise NotFound(field="photo")
    with row.image.open("rb") as image:
        content = image.read()
    kind = mimetypes.guess_type(str(row.image.name))[0] or "application/octet-stream"
    response = HttpResponse(content, content_type=kind)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
@staff_page
def asset_change_new(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    initial = {"asset": request.GET.get("asset"), "kind": request.GET.get("kind") or "purchase"}
    form = AssetChangeForm(request.POST or None, request.FILES or None, initial=initial)
    form.set_choices("organisation", [(o.pk, o.name) for o in selectors.organisations(user)])
    form.set_choices(
        "asset",
        [(a.pk, f"{a.number} {a.name}") for a in selectors.assets(user).exclude(state=Asset.State.DISPOSED)],
        blank=True,
    )
    form.set_choices(
        "account",
        [
            (a.pk, f"{a.organisation.name} · {a.name}")
            for a in selectors.accounts(user).order_by("organisation__village_code", "name")
        ],
        blank=True,
    )

    def act(data: dict[str, Any]) -> AssetChange:
        org = selectors.organisation_for(user, data["organisation"])
        asset = selectors.asset_for(user, data["asset"]) if data["asset"] else None
        account = selectors.account_for(user, data["account"]) if data["account"] else None
        card = {
            "number": data["number"],
            "name": data["name"],
            "kind": data["asset_kind"],
            "value": data["value"],
            "responsible": data["responsible"],
            "lon": data["lon"] or None,
            "lat": data["lat"] or None,
        }
        return assets.do_propose_asset_change(
            org,
            kind=data["kind"],
            asset=asset,
            card=card,
            value=data["value"],
            note=data["note"],
            amount=data["amount"] or None,
            account=account,
            voucher=data["voucher"] or None,
            actor=user,
            now=now(),
        )

    return form_page(
        request,
        form,
        act,
        page=lambda shown, status: render(
            request, "territorial/staff/asset_change_new.html", {"form": shown}, status=status
        ),
        done=lambda change: reverse("territorial:asset_change", args=[change.pk]),
        message=_("资产变动已提交，待镇三资办审核。"),
    )


def _change_page(
    request: HttpRequest, change: AssetChange, review: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    item = change.work_item
    context = {
        "change": change,
        "state": selectors.state_title(item),
        "actions": available_actions(item, acting_user(request)),
        "process": definition_for(item).name,
        "history": selectors.timeline(item),
        "review": review or ReviewForm(),
    }
    return render(request, "territorial/staff/asset_change.html", context, status=status)


@require_http_methods(["GET", "POST"])
@staff_page
def asset_change_detail(request: HttpRequest, change_id: int) -> HttpResponse:
    user = acting_user(request)
    change = selectors.asset_change_for(user, change_id)
    if request.method == "GET":
        return _change_page(request, change)
    return submit(
        request,
        ReviewForm(request.POST),
        lambda data: assets.do_review_asset_change(
            change, data["action"], actor=user, now=now(), reason=data["reason"]
        ),
        page=lambda form, status: _change_page(request, change, form, status),
        done=lambda _done: reverse("territorial:asset_change", args=[change.pk]),
        message=_("已办理。"),
    )


@require_GET
@staff_page
def asset_change_voucher(request: HttpRequest, change_id: int) -> HttpResponse:
    """The voucher of a purchase or disposal with money, for those who see the change (404 without one)."""
    change = selectors.asset_change_for(acting_user(request), change_id)
    if not change.voucher:
        raise NotFound(field="voucher")
    return stored_file(change.voucher, f"asset-change-{change.pk}")


@require_http_methods(["GET", "POST"])
@staff_page
def resource_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = ResourceForm(request.POST or None)
    form.set_choices("organisation", [(o.pk, o.name) for o in selectors.organisations(user)])

    def act(data: dict[str, Any]) -> Any:
        return actions.do_record_resource(
            selectors.organisation_for(user, data["organisation"]),
            name=data["name"],
            kind=data["kind"],
            area_mu=data["area_mu"],
            outline=data["outline"],
            actor=user,
            now=now(),
        )

    def page(shown: ResourceForm, status: int) -> HttpResponse:
        rows = selectors.resources(user).prefetch_related(
            Prefetch("contract_set", queryset=Contract.objects.filter(state=Contract.State.ACTIVE))
        )
        outlines = [{"outline": r.outline, "label": r.name} for r in rows]
        context = {"resources": rows, "form": shown, "map_config": map_config([], outlines)}
        return render(request, "territorial/staff/resources.html", context, status=status)

    return form_page(
        request,
        form,
        act,
        page=page,
        done=lambda _resource: reverse("territorial:resources"),
        message=_("资源已登记。"),
    )
