"""Forms of the grid pages. They only parse and check shapes (so an error shows beside its field and every
entered value comes back); the rules live in the actions, whose refusals are attached to the same fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from grid.events.publication import PUBLIC_REPLY_MAX
from grid.events.report import UNCLASSIFIED_CATEGORY
from grid.models import Category, CategoryKind
from territory.coords import SUPPORTED_CRS

MAX_PHOTOS = 9
MAX_PHOTO_BYTES = 10 * 1024 * 1024
FORM_TOKEN_PATTERN = r"^[A-Za-z0-9_-]{32,64}$"  # noqa: S105 (a pattern, not a secret)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to nine images from one <input type=file multiple>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(
                attrs={"accept": "image/*", "capture": "environment", "data-max-files": MAX_PHOTOS}
            ),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = [d for d in data if d] if isinstance(data, list | tuple) else ([data] if data else [])
        if not items:
            if self.required:
                raise forms.ValidationError(_("请至少上传一张照片。"), code="required")
            return []
        if len(items) > MAX_PHOTOS:
            raise forms.ValidationError(_("照片最多 %(max)d 张。") % {"max": MAX_PHOTOS}, code="too_many")
        cleaned = [super(PhotosField, self).clean(item, initial) for item in items]
        for photo in cleaned:
            if photo.size and photo.size > MAX_PHOTO_BYTES:
                raise forms.ValidationError(_("每张照片不超过 10 MB。"), code="too_big")
            content_type = getattr(photo, "content_type", "") or ""
            if content_type and not content_type.startswith("image/"):
                raise forms.ValidationError(_("只能上传图片文件。"), code="not_image")
        return cleaned


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Minor classes grouped by major class (events first, then components); value "kind:code"; names in
    the session's language (called when the form renders)."""
    kind_names = dict(CategoryKind.choices)
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    labels: dict[tuple[str, str], str] = {}
    minors = (
        Category.objects.filter(active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("-kind", "code")  # "event" sorts after "component": descending puts events first
    )
    for minor in minors:
        major = minor.parent
        assert major is not None
        key = (minor.kind, major.code)
        labels[key] = f"{kind_names.get(minor.kind, minor.kind)} · {major.code} {major.display_name}"
        groups.setdefault(key, []).append(
            (f"{minor.kind}:{minor.code}", f"{minor.code} {minor.display_name}")
        )
    return [(labels[key], options) for key, options in groups.items()]


def minor_choices(kind: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The active minor classes of one kind grouped by major class; value: the minor class code."""
    groups: dict[str, list[tuple[str, str]]] = {}
    minors = (
        Category.objects.filter(active=True, parent__isnull=False, kind=kind)
        .select_related("parent")
        .order_by("code")
    )
    for minor in minors:
        major = minor.parent
        assert major is not None
        groups.setdefault(major.display_name, []).append((minor.code, minor.display_name))
    return list(groups.items())


class CategoryField(forms.ChoiceField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, choices=category_choices, **kwargs)

    def clean(self, value: Any) -> tuple[str, str]:
        chosen = super().clean(value)
        kind, _sep, code = str(chosen).partition(":")
        return kind, code


UNCLASSIFIED_CHOICE = "unclassified"


def public_category_choices() -> list[tuple[str, Any]]:
    """The residents' picker: nothing chosen at first, "I don't know" (filed unclassified for the
    dispatcher), then the minor classes by name under their major class — events first, then the
    facilities (部件) — without codes and without the standard's catch-all 其他事件, which "I don't know"
    stands for. Value "kind:code". The one place that words the labels (category names)."""
    facilities = _("设施损坏 · %(name)s")
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    labels: dict[tuple[str, str], str] = {}
    minors = (
        Category.objects.filter(active=True, parent__isnull=False)
        .exclude(kind=CategoryKind.EVENT, code=UNCLASSIFIED_CATEGORY)
        .select_related("parent")
        .order_by("-kind", "code")  # "event" sorts after "component": descending puts events first
    )
    for minor in minors:
        major = minor.parent
        assert major is not None
        key = (minor.kind, major.code)
        name = major.display_name
        labels[key] = name if minor.kind == CategoryKind.EVENT else str(facilities) % {"name": name}
        groups.setdefault(key, []).append((f"{minor.kind}:{minor.code}", minor.display_name))
    return [
        ("", str(_("请选择"))),
        (UNCLASSIFIED_CHOICE, str(_("不清楚/其他，由工作人员分类"))),
        *((labels[key], options) for key, options in groups.items()),
    ]


class PublicCategoryField(forms.ChoiceField):
    """(kind, code); "I don't know" is (event, ""): the report is filed unclassified (do_report_event)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages", {"required": _("请选择问题分类；不清楚可选“不清楚/其他，由工作人员分类”。")}
        )
        super().__init__(*args, choices=public_category_choices, **kwargs)

    def clean(self, value: Any) -> tuple[str, str]:
        chosen = str(super().clean(value))
        if chosen == UNCLASSIFIED_CHOICE:
            return CategoryKind.EVENT, ""
        kind, _sep, code = chosen.partition(":")
        return kind, code


class LocationMixin(forms.Form):
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    crs = forms.ChoiceField(
        required=False, choices=[(c, c) for c in SUPPORTED_CRS], initial="wgs84", widget=forms.HiddenInput
    )
    address = forms.CharField(label=_("地址/位置描述"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("lon") is None) != (data.get("lat") is None) and not self.errors:
            self.add_error("lon", _("经度和纬度须同时提供。"))
        data["crs"] = data.get("crs") or "wgs84"
        return data


class WorkerReportForm(LocationMixin):
    category = CategoryField(label=_("问题分类"))
    description = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("现场照片（最多9张）"), required=False)
    check_in = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PublicReportForm(LocationMixin):
    category = PublicCategoryField(label=_("问题分类"))
    description = forms.CharField(
        label=_("问题描述"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    photos = PhotosField(label=_("照片（可选，最多9张）"), required=False)
    reporter_name = forms.CharField(label=_("称呼（可选）"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("联系电话（可选）"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    publish_consent = forms.BooleanField(
        label=_("同意在审核后公开问题描述（不含您的称呼和电话）"), required=False
    )
    # One-time token of this copy of the form (drawn when the page is shown): a second POST of the same
    # form — a double tap, a retry after a lost answer — gets the first one's receipt (grid/web/public.py).
    form_token = forms.RegexField(
        regex=FORM_TOKEN_PATTERN,
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("表单已失效，请重新提交。")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The place is asked for with the other fields on the first submit (whether a given point lies
        # in the district is the report's own rule: the view asks it too, see grid/web/public.py).
        if data.get("lon") is None and data.get("lat") is None and not self.has_error("lon"):
            self.add_error("lon", _("请在地图上点选问题位置，或使用当前位置。"))
        return data


class HotlineForm(LocationMixin):
    category = CategoryField(label=_("问题分类"))
    title = forms.CharField(label=_("标题（可选）"), max_length=200, required=False)
    description = forms.CharField(
        label=_("来电内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5})
    )
    grid_code = forms.RegexField(
        label=_("网格编码（无坐标时必填）"),
        regex=r"^\d{15}$",
        required=False,
        error_messages={"invalid": _("网格编码应为15位数字。")},
    )
    reporter_name = forms.CharField(label=_("来电人称呼"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("来电号码"), max_length=20, required=False)
    photos = PhotosField(label=_("附件图片（可选）"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("lon") is None and not data.get("grid_code") and not self.has_error("grid_code"):
            self.add_error("grid_code", _("请在地图上点选位置，或填写网格编码。"))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class VerifyForm(forms.Form):
    """The grid worker's on-site verification: pass or fail (with a reason), with photos."""

    outcome = forms.ChoiceField(
        label=_("核查结论"),
        choices=[("verify_pass", _("已处置到位，通过")), ("verify_fail", _("未处置到位，返工"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("不通过理由"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    photos = PhotosField(label=_("核查照片"), required=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "verify_fail" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("核查不通过时须填写理由。"))
        return data


class FeedbackForm(forms.Form):
    result = forms.CharField(label=_("处置结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photos = PhotosField(label=_("处置后照片"), required=True)


class WhistleForm(forms.Form):
    TRIGGERS = [
        ("beyond_powers", _("超出本级职权")),
        ("needs_enforcement", _("需要执法力量")),
        ("emergency", _("突发紧急情况")),
        ("residents_unsolved", _("群众反映强烈、久拖未决")),
    ]
    trigger = forms.ChoiceField(label=_("吹哨事由"), choices=TRIGGERS)
    assigned_unit = forms.CharField(label=_("报到单位（上一级）"), max_length=60)
    reason = forms.CharField(label=_("说明"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择 1–5 星。")},
    )
    comment = forms.CharField(
        label=_("评价意见（可选）"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TrackForm(forms.Form):
    receipt = forms.CharField(label=_("受理编号"), max_length=20)


# Fields each action of process grid_event takes on the staff event page ("*" = required).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "file": (),
    "reclassify": ("category_code*", "reason"),
    "void": ("reason*", "public_reply"),
    "mark_duplicate": ("original*",),
    "dispatch": ("assigned_unit", "reason"),
    "sign": (),
    "send_back": ("reason*",),
    "whistle": ("trigger*", "assigned_unit*", "reason*"),
    "park": ("reason*",),
    "unpark": (),
    "request_extension": ("reason*",),
    "approve_extension": ("reason",),
    "reject_extension": ("reason*",),
    "supervise": ("reason",),
    "supervise_sign": ("reason",),
    "feedback": ("result*", "public_reply", "photos*"),
    "verify_fail": ("reason*", "photos"),
    "verify_pass": ("reason", "public_reply", "photos"),
    "self_resolve": ("result*", "public_reply", "photos*"),
}
REASON_LABELS = {
    "reclassify": _("改类说明（可选）"),
    "void": _("作废理由"),
    "send_back": _("退回理由（为何不属本单位职责）"),
    "whistle": _("吹哨说明"),
    "park": _("挂账理由"),
    "request_extension": _("延期理由"),
    "reject_extension": _("不予延期理由"),
    "supervise": _("督办意见"),
    "supervise_sign": _("督办意见"),
    "verify_fail": _("不通过理由（返工要求）"),
}


class EventActionForm(forms.Form):
    """One action's inputs; built with only the fields that action takes."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        action: str,
        *args: Any,
        unit_choices: list[tuple[str, str]] | None = None,
        original_choices: list[tuple[str, str]] | None = None,
        category_kind: str = CategoryKind.EVENT,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action_name = action
        self.prefix = action
        self.fields["action"].initial = action
        for spec in ACTION_FIELDS.get(action, ()):
            name, required = spec.rstrip("*"), spec.endswith("*")
            if name == "reason":
                self.fields["reason"] = forms.CharField(
                    label=REASON_LABELS.get(action, _("理由/意见")),
                    max_length=1000,
                    required=required,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            elif name == "result":
                self.fields["result"] = forms.CharField(
                    label=_("处置结果"),
                    max_length=2000,
                    required=required,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            elif name == "public_reply":
                self.fields["public_reply"] = forms.CharField(
                    label=_("公开答复（群众可见，勿写姓名、电话、门牌）"),
                    max_length=PUBLIC_REPLY_MAX,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            elif name == "photos":
                self.fields["photos"] = PhotosField(
                    label=_("照片") if not required else _("处置后照片（必传）"), required=required
                )
            elif name == "trigger":
                self.fields["trigger"] = forms.ChoiceField(label=_("吹哨事由"), choices=WhistleForm.TRIGGERS)
            elif name == "assigned_unit":
                # A picker by name (searchable: static/js/ui.js adds the filter box), never a code box.
                dispatching = action == "dispatch"
                self.fields["assigned_unit"] = forms.ChoiceField(
                    label=_("承办机构") if dispatching else _("报到单位（上一级）"),
                    choices=[("", _("按责任清单路由") if dispatching else "—"), *(unit_choices or [])],
                    required=required,
                    widget=forms.Select(
                        attrs={"data-search": "1", "data-search-placeholder": _("搜索单位名称")}
                    ),
                )
            elif name == "category_code":
                # 改类: the minor classes of the event's own kind, by name (searchable), nothing preselected.
                self.fields["category_code"] = forms.ChoiceField(
                    label=_("新的问题分类"),
                    choices=[("", _("请选择分类")), *minor_choices(category_kind)],
                    widget=forms.Select(
                        attrs={"data-search": "1", "data-search-placeholder": _("搜索分类名称")}
                    ),
                )
            elif name == "original":
                # A candidate picked from the list (radio "candidate") or a receipt number typed in.
                self.fields["candidate"] = forms.CharField(
                    max_length=40, required=False, widget=forms.HiddenInput
                )
                self.fields["original"] = forms.CharField(
                    label=_("或填写原件受理编号"),
                    max_length=40,
                    required=False,
                    widget=forms.TextInput(attrs={"list": "dup-candidates", "autocomplete": "off"}),
                )
                self.original_choices = original_choices or []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "original" in self.fields:
            data["original"] = (data.get("original") or "").strip() or (data.get("candidate") or "").strip()
            if not data["original"] and not self.has_error("original"):
                self.add_error("original", _("请选择或填写原件的受理编号。"))
        return data

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("assigned_unit", "original", "trigger", "result", "public_reply", "category_code")
            if data.get(name)
        }
