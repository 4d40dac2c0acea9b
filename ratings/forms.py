"""Forms of the rating pages: the applicant's identification (receipt number + phone + code) and the
rating itself (level, the channel's dimensions, comment). Forms only parse; the rules are in actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.models import Level, Stage, dimensions_for

SCORE_CHOICES = [(n, str(n)) for n in range(5, 0, -1)]


class IdentifyForm(forms.Form):
    receipt_no = forms.CharField(label=_("受理编号"), max_length=24)
    phone = forms.CharField(label=_("申请时留的手机号"), max_length=20)
    code = forms.CharField(label=_("短信验证码"), max_length=6, required=False)


class RatingForm(forms.Form):
    stage = forms.ChoiceField(label=_("评价环节"), widget=forms.RadioSelect)
    level = forms.TypedChoiceField(
        label=_("总体评价"), choices=Level.choices, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“不满意”或“非常不满意”时请写明原因，我们会在15个工作日内回访整改。"),
    )

    def __init__(self, *args: Any, channel: str, stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Stage.choices)
        stage_field = self.fields["stage"]
        assert isinstance(stage_field, forms.ChoiceField)
        stage_field.choices = [(s, labels[s]) for s in stages]
        if len(stages) == 1:
            self.fields["stage"].initial = stages[0]
        self.dimension_names = []
        for key, title in dimensions_for(channel).items():
            name = f"score_{key}"
            self.fields[name] = forms.TypedChoiceField(
                label=title, choices=SCORE_CHOICES, coerce=int, widget=forms.RadioSelect
            )
            self.dimension_names.append(name)

    @property
    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.dimension_names]

    def scores(self) -> dict[str, int]:
        return {name.removeprefix("score_"): self.cleaned_data[name] for name in self.dimension_names}
