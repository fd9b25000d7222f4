"""Forms of the community-policing pages. They only validate input; the services do the writes.
Every choice of a related object offers only the user's own jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beats.choices import ActivityKind, AreaKind, EightNo, HeadSource
from beats.models import Beat, CheckInPolicy, Community, HouseholdHead, PoliceRoom
from beats.models.households import validate_national_id
from stations.choices import OfficerKind
from stations.forms import bootstrap_form
from stations.models import Officer, User


class DateInput(forms.DateInput):
    input_type = "date"


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class BootstrapMixin:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_form(self)  # type: ignore[arg-type]


def _police_of(user: User, station_id: int | None) -> Any:
    officers = Officer.objects.for_user(user).filter(is_active=True, kind=OfficerKind.POLICE)
    return officers.filter(station_id=station_id) if station_id else officers.none()


class BeatAssignForm(BootstrapMixin, forms.Form):
    officer = forms.ModelChoiceField(
        queryset=Officer.objects.none(), required=False, label=_("Dedicated officer"),
        empty_label=_("— none (vacant) —"),
    )
    full_time = forms.BooleanField(required=False, initial=True, label=_("Full-time on the beat"))
    start = forms.DateField(label=_("From"), widget=DateInput)

    def __init__(self, *args: Any, user: User, beat: Beat, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"start": timezone.localdate(), "officer": beat.officer_id, "full_time": True})
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = _police_of(user, beat.station_id).order_by("name")  # type: ignore[attr-defined]


class PoliceRoomForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PoliceRoom
        fields = [
            "code", "name", "kind", "beat", "address", "latitude", "longitude", "opening_hours", "named_after",
            "is_active",
        ]

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beat"].queryset = Beat.objects.for_user(user).select_related("station")  # type: ignore[attr-defined]
        station_id = self.instance.station_id if self.instance.pk else getattr(user, "home_station_id", None)
        named = Officer.objects.for_user(user).filter(is_active=True, kind=OfficerKind.POLICE)
        if station_id:
            named = named.filter(station_id=station_id)
        self.fields["named_after"].queryset = named  # type: ignore[attr-defined]
        self.fields["kind"].choices = AreaKind.choices  # type: ignore[attr-defined]


class CheckInReviewForm(forms.Form):
    accepted = forms.TypedChoiceField(
        choices=(("1", _("Accept")), ("0", _("Reject"))), coerce=lambda v: v == "1", label=_("Decision")
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"))


class CheckInPolicyForm(BootstrapMixin, forms.ModelForm):
    effective_from = forms.DateField(
        label=_("In force from (month)"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=MonthInput,
    )

    class Meta:
        model = CheckInPolicy
        fields = [
            "effective_from", "days_required", "max_accuracy_m", "max_speed_kmh", "max_jump_km",
            "max_device_age_minutes", "note",
        ]

    def clean_effective_from(self) -> dt.date:
        value: dt.date = self.cleaned_data["effective_from"]
        return value.replace(day=1)


class BreachForm(BootstrapMixin, forms.Form):
    item = forms.ChoiceField(choices=EightNo.choices, label=_("Which of the eight nos was broken"))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DateInput)
    case_number = forms.CharField(max_length=40, required=False, label=_("Case or incident number"))
    description = forms.CharField(max_length=300, label=_("What happened"))


class CertifyForm(BootstrapMixin, forms.Form):
    on = forms.DateField(label=_("Certified on"), widget=DateInput)


class HouseholdHeadForm(BootstrapMixin, forms.Form):
    national_id = forms.CharField(max_length=18, label=_("National ID"), validators=[validate_national_id])
    name = forms.CharField(max_length=50, label=_("Name"))
    phone = forms.CharField(max_length=20, required=False, label=_("Phone"))
    community = forms.ModelChoiceField(queryset=Community.objects.none(), label=_("Community / village served"))
    source = forms.ChoiceField(choices=HeadSource.choices, label=_("Chosen from"))
    appointed_by = forms.ModelChoiceField(queryset=Officer.objects.none(), required=False, label=_("Appointed by"))
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DateInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.for_user(user).order_by("code")  # type: ignore[attr-defined]
        self.fields["appointed_by"].queryset = _police_of(user, getattr(user, "home_station_id", None))  # type: ignore[attr-defined]


class ActivityForm(BootstrapMixin, forms.Form):
    head = forms.ModelChoiceField(queryset=HouseholdHead.objects.none(), label=_("Household head"))
    kind = forms.ChoiceField(choices=ActivityKind.choices, label=_("Kind"))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DateInput)
    description = forms.CharField(max_length=500, label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, head: HouseholdHead | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate(), **({"head": head.pk} if head else {})})
        super().__init__(*args, **kwargs)
        heads = HouseholdHead.objects.for_user(user).filter(is_active=True).select_related("community")
        self.fields["head"].queryset = heads.filter(pk=head.pk) if head else heads  # type: ignore[attr-defined]
        if head is not None:
            self.fields["head"].widget = forms.HiddenInput()


class ActivityDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        choices=(("1", _("Confirm")), ("0", _("Reject"))), coerce=lambda v: v == "1", label=_("Decision")
    )
    note = forms.CharField(max_length=200, required=False, label=_("Note"))
