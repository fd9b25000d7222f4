"""Forms of the stations pages, and the one helper every app uses to give a form Bootstrap's look."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_CHECKBOXES = (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)
_SELECTS = (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect)


def bootstrap_form(form: forms.BaseForm, *, size: str = "") -> forms.BaseForm:
    """Add Bootstrap 5 classes to every widget of ``form`` (in place) and return it.

    ``size="sm"`` gives the compact controls used in filter bars. Templates then render the fields
    with ``{{ field }}`` and no per-field markup (no inline styles: the CSP forbids them)."""
    suffix = f" form-control-{size}" if size else ""
    select_suffix = f" form-select-{size}" if size else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, _CHECKBOXES):
            css = "form-check-input"
        elif isinstance(widget, _SELECTS):
            css = "form-select" + select_suffix
        else:
            css = "form-control" + suffix
        existing = widget.attrs.get("class", "")
        widget.attrs["class"] = f"{existing} {css}".strip()
    return form


def label_filter_choices(form: forms.BaseForm) -> forms.BaseForm:
    """Make a filter form's "no choice" options read "Any" (not "Unknown" or "---------"), in place."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]
        elif hasattr(field, "empty_label"):  # ModelChoiceField, django-filter's ChoiceField
            field.empty_label = _("Any")
            widget.choices = field.choices
        elif isinstance(field, forms.ChoiceField):
            field.choices = [("", _("Any")) if value == "" else (value, label) for value, label in field.choices]
    return form
