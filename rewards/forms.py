from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from beats.models import HouseholdHead
from rewards.models import AwardLevel
from stations.forms import bootstrap_form
from stations.models import Officer, Region, Station


class _ScopedForm(forms.Form):
    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and hasattr(field.queryset, "for_user"):
                field.queryset = field.queryset.for_user(user)
        bootstrap_form(self)


class AwardForm(_ScopedForm):
    level = forms.ModelChoiceField(AwardLevel.objects.filter(is_active=True), label=_("Level"))
    officer = forms.ModelChoiceField(Officer.objects.order_by("name"), required=False, label=_("Officer (individual)"))
    recipient_station = forms.ModelChoiceField(
        Station.objects.order_by("name"), required=False, label=_("Station (collective)")
    )
    recipient_region = forms.ModelChoiceField(
        Region.objects.order_by("path"), required=False, label=_("Bureau (collective)")
    )
    issuing_region = forms.ModelChoiceField(Region.objects.order_by("path"), required=False, label=_("Issued by region"))
    issuing_station = forms.ModelChoiceField(
        Station.objects.order_by("name"), required=False, label=_("Issued by station")
    )
    awarded_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    wartime = forms.BooleanField(label=_("Wartime award (战时送奖)"), required=False)
    emergency = forms.CharField(label=_("Emergency"), max_length=200, required=False)
    people = forms.IntegerField(label=_("People reached (collective awards)"), min_value=1, initial=1)


class BatchAwardForm(AwardForm):
    """An award added to a batch: the issuing unit is the batch's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["issuing_region"]
        del self.fields["issuing_station"]


class BatchForm(_ScopedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    meeting_date = forms.DateField(label=_("Meeting date"), widget=forms.DateInput(attrs={"type": "date"}))
    issuing_region = forms.ModelChoiceField(Region.objects.order_by("path"), required=False, label=_("Issued by region"))
    issuing_station = forms.ModelChoiceField(
        Station.objects.order_by("name"), required=False, label=_("Issued by station")
    )


class EventRewardForm(_ScopedForm):
    head = forms.ModelChoiceField(HouseholdHead.objects.filter(is_active=True).order_by("name"),
                                  label=_("Household head"))
    event_date = forms.DateField(label=_("Event date"), widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("What happened"), max_length=500)
    points = forms.IntegerField(label=_("Points"), min_value=1, max_value=1000)
