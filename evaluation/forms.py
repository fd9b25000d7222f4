from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.metrics import metric_choices
from evaluation.models import Indicator
from stations.forms import bootstrap_form


class IndicatorForm(forms.ModelForm):
    """Province staff edit an indicator: points, the metric it reads, target, rule, deductions."""

    metric = forms.ChoiceField(label=_("metric"), choices=())

    class Meta:
        model = Indicator
        fields = ["name", "section", "points", "metric", "rule", "target", "floor", "higher_is_better",
                  "deductions", "order", "is_active"]
        help_texts = {
            "deductions": _('A JSON list, e.g. [{"kind": "below", "threshold": 0.9, "points": 2}, '
                            '{"kind": "bottom_n", "n": 2, "points": 1, "levels": ["station"]}].'),
        }

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        bootstrap_form(self)


class AppealForm(forms.Form):
    indicator_code = forms.CharField(widget=forms.HiddenInput)
    deduction = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        bootstrap_form(self)
