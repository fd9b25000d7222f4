from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audit.tables import event_models

OPERATIONS = [("", "—"), ("insert", _("insert")), ("update", _("update")), ("delete", _("delete"))]


def _table_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (
            model.pgh_tracked_model._meta.label,
            f"{model.pgh_tracked_model._meta.verbose_name} ({model.pgh_tracked_model._meta.label})",
        )
        for model in event_models()
    ]


class ChangeEventSearchForm(forms.Form):
    """The auditor's search of row-level change events: who, when, which table, which object, what."""

    username = forms.CharField(label=_("user name"), required=False, max_length=150)
    table = forms.ChoiceField(label=_("table"), required=False, choices=_table_choices)
    operation = forms.ChoiceField(label=_("operation"), required=False, choices=OPERATIONS)
    object_id = forms.CharField(label=_("object id"), required=False, max_length=100)
    since = forms.DateField(label=_("from (day)"), required=False)
    until = forms.DateField(label=_("to (day)"), required=False)
