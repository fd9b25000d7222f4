"""Forms of the disputes pages (phone-first: one column, native date pickers). They validate input;
the views hand the cleaned data to ``disputes.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from disputes import transitions
from disputes.choices import DisputeKind, FollowUpOutcome, PartyRole, RiskLevel, VisitFinding, VisitPurpose
from disputes.models import (
    Dispute,
    FollowUp,
    MediationSession,
    PreventionActivity,
    SentimentReport,
    TrainingSession,
)
from stations.forms import bootstrap_form
from stations.jurisdiction import scope
from stations.models import Officer, Station


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DisputeForm(forms.ModelForm):
    """A dispute's details. A station's user records at their station and picks among its beats,
    communities and officers; a user above the stations picks the station only (the rest is set
    later from the dispute's page, among that station's choices). The service checks it all."""

    class Meta:
        model = Dispute
        fields = [
            "station",
            "title",
            "kind",
            "risk",
            "found_by",
            "found_on",
            "reported_on",
            "beat",
            "community",
            "officer",
            "account",
        ]
        widgets = {
            "found_on": DateInput(),
            "reported_on": DateInput(),
            "account": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from beats.models import Beat, Community

        if not editing:
            self.fields["found_on"].initial = timezone.localdate()
        station_id = getattr(user, "home_station_id", None)
        if editing or station_id is not None:
            del self.fields["station"]
            station_id = self.instance.station_id if editing else station_id
        else:
            # Above the stations: pick the station; its beat, community and officer are set later
            # (from the dispute's page), where the choices are that station's.
            self.fields["station"].queryset = scope(Station.objects.order_by("code"), user)
            for name in ("beat", "community", "officer"):
                del self.fields[name]
            bootstrap_form(self)
            return
        beats, communities = scope(Beat.objects.all(), user), scope(Community.objects.all(), user)
        officers = scope(Officer.objects.filter(is_active=True, station__isnull=False), user)
        if station_id is not None:
            beats, communities = (
                beats.filter(station_id=station_id),
                communities.filter(station_id=station_id),
            )
            officers = officers.filter(station_id=station_id)
        self.fields["beat"].queryset = beats.order_by("code")
        self.fields["community"].queryset = communities.order_by("code")
        self.fields["officer"].queryset = officers.order_by("name")
        bootstrap_form(self)


class PartyForm(forms.Form):
    """A party: typing a national ID fills name and phone from the registry (see party-lookup.js);
    otherwise type them."""

    role = forms.ChoiceField(label=_("role"), choices=PartyRole.choices)
    national_id = forms.CharField(
        label=_("national ID"),
        max_length=18,
        required=False,
        help_text=_("Typing a national ID fills the party in from the registry."),
        widget=forms.TextInput(
            attrs={"class": "js-party-national-id", "autocomplete": "off", "inputmode": "text"}
        ),
    )
    person = forms.IntegerField(required=False, widget=forms.HiddenInput(attrs={"class": "js-party-person"}))
    name = forms.CharField(
        label=_("name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "js-party-name"}),
    )
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"class": "js-party-phone", "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_form(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has_any = any((data.get(k) or "") for k in ("national_id", "name", "phone")) or data.get("person")
        if has_any and not (data.get("name") or data.get("national_id") or data.get("person")):
            raise ValidationError(_("Give the party's name, or a national ID found in the registry."))
        return data


PartyFormSet = forms.formset_factory(PartyForm, extra=2, max_num=10, validate_max=True)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("step"))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    at = forms.DateTimeField(
        label=_("when"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args: Any, dispute: Dispute, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        moves = transitions.allowed_moves(dispute.state)
        self.fields["to"].choices = [(state, move.label) for state, move in moves.items()]
        self.required_notes = [state for state, move in moves.items() if move.note_required]
        bootstrap_form(self)


class MediationSessionForm(forms.ModelForm):
    resolve = forms.BooleanField(label=_("The dispute is resolved with this session"), required=False)

    class Meta:
        model = MediationSession
        fields = ["held_on", "method", "outcome", "officer", "mediators", "note"]
        widgets = {"held_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, dispute: Dispute, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = scope(
            Officer.objects.filter(station_id=dispute.station_id, is_active=True), user
        ).order_by("name")
        self.fields["officer"].initial = getattr(user, "officer_id", None)
        self.fields["held_on"].initial = timezone.localdate()
        bootstrap_form(self)


class FollowUpScheduleForm(forms.Form):
    due_on = forms.DateField(label=_("due on"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap_form(self)


class FollowUpRecordForm(forms.ModelForm):
    reopen = forms.BooleanField(
        label=_("Reopen the dispute for mediation"),
        required=False,
        help_text=_("Ticked for you when it flared up again."),
    )

    class Meta:
        model = FollowUp
        fields = ["done_on", "outcome", "officer", "note"]
        widgets = {"done_on": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, dispute: Dispute, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].required = True
        self.fields["outcome"].choices = FollowUpOutcome.choices
        self.fields["done_on"].required = True
        self.fields["done_on"].initial = timezone.localdate()
        self.fields["officer"].queryset = scope(
            Officer.objects.filter(station_id=dispute.station_id, is_active=True), user
        ).order_by("name")
        self.fields["officer"].initial = getattr(user, "officer_id", None)
        self.fields["reopen"].widget.attrs["class"] = "js-followup-reopen"
        self.fields["outcome"].widget.attrs["class"] = "js-followup-outcome"
        bootstrap_form(self)


# --- visits -------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    """A visit on the doorstep (one column for a phone): when, why, whom the officer met, what each
    registered resident was found to be, and whether a conflict was found."""

    visited_on = forms.DateField(label=_("visited on"), widget=DateInput())
    purpose = forms.ChoiceField(label=_("purpose"), choices=VisitPurpose.choices)
    officer = forms.ModelChoiceField(label=_("officer"), queryset=Officer.objects.none())
    household_head = forms.ModelChoiceField(label=_("with household head"), queryset=None, required=False)
    met = forms.CharField(label=_("who was met"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("what was learned"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    conflict = forms.BooleanField(label=_("A conflict was found: open a dispute"), required=False)
    conflict_title = forms.CharField(label=_("dispute summary"), max_length=200, required=False)
    conflict_kind = forms.ChoiceField(label=_("dispute kind"), choices=DisputeKind.choices, required=False)
    conflict_risk = forms.ChoiceField(label=_("risk level"), choices=RiskLevel.choices, required=False)

    def __init__(self, *args: Any, user: Any, station_id: int, residents: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from beats.models import HouseholdHead

        self.fields["visited_on"].initial = timezone.localdate()
        officers = scope(Officer.objects.filter(station_id=station_id, is_active=True), user).order_by("name")
        self.fields["officer"].queryset = officers
        if getattr(user, "officer_id", None) and officers.filter(pk=user.officer_id).exists():
            self.fields["officer"].initial = user.officer_id
        self.fields["household_head"].queryset = scope(
            HouseholdHead.objects.filter(station_id=station_id, is_active=True), user
        ).order_by("name")
        self.resident_fields: list[str] = []
        for person in residents:
            name = f"person_{person.pk}"
            self.fields[name] = forms.ChoiceField(
                label=person.name,
                choices=[("", _("Not met")), *VisitFinding.choices],
                required=False,
            )
            self.resident_fields.append(name)
        bootstrap_form(self)

    def residents(self) -> list[Any]:
        return [self[name] for name in self.resident_fields]

    def findings(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {value: [] for value in VisitFinding.values}
        for name in self.resident_fields:
            value = self.cleaned_data.get(name)
            if value:
                out[value].append(int(name.removeprefix("person_")))
        return out


# --- sentiment reports --------------------------------------------------------------------------


class SentimentReportForm(forms.ModelForm):
    """A sentiment report as an officer enters it (at their station; users above pick the station)."""

    class Meta:
        model = SentimentReport
        fields = [
            "station",
            "title",
            "category",
            "urgency",
            "reporter_kind",
            "household_head",
            "officer",
            "reported_on",
            "place",
            "people",
            "people_count",
            "beat",
            "community",
            "account",
        ]
        widgets = {"reported_on": DateInput(), "account": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from beats.models import Beat, Community, HouseholdHead

        self.fields["reported_on"].initial = timezone.localdate()
        station_id = getattr(user, "home_station_id", None)
        if station_id is None:
            self.fields["station"].queryset = scope(Station.objects.order_by("code"), user)
            for name in ("beat", "community", "officer", "household_head"):
                del self.fields[name]
            bootstrap_form(self)
            return
        del self.fields["station"]
        self.fields["beat"].queryset = scope(Beat.objects.filter(station_id=station_id), user).order_by(
            "code"
        )
        self.fields["community"].queryset = scope(
            Community.objects.filter(station_id=station_id), user
        ).order_by("code")
        self.fields["officer"].queryset = scope(
            Officer.objects.filter(station_id=station_id, is_active=True), user
        ).order_by("name")
        self.fields["officer"].initial = getattr(user, "officer_id", None)
        self.fields["household_head"].queryset = scope(
            HouseholdHead.objects.filter(station_id=station_id, is_active=True), user
        ).order_by("name")
        bootstrap_form(self)

    def _post_clean(self) -> None:
        """Model validation is the service's (it also checks jurisdiction)."""


class TriageForm(forms.Form):
    to = forms.ChoiceField(label=_("decision"))
    department = forms.CharField(
        label=_("department"), max_length=100, required=False, help_text=_("When passing it on: to whom.")
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, report: SentimentReport, **kwargs: Any) -> None:
        from disputes.sentiment import allowed_moves

        super().__init__(*args, **kwargs)
        moves = allowed_moves(report.state)
        self.fields["to"].choices = [(state, move.label) for state, move in moves.items()]
        bootstrap_form(self)


# --- mass prevention and training ---------------------------------------------------------------


class PreventionForm(forms.ModelForm):
    officers = forms.ModelMultipleChoiceField(
        label=_("officers who took part"),
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    household_heads = forms.ModelMultipleChoiceField(
        label=_("household heads who took part"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each head's part is entered in their activity record for the station to confirm."),
    )

    class Meta:
        model = PreventionActivity
        fields = ["kind", "held_on", "beat", "place", "people_reached", "summary"]
        widgets = {"held_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, station_id: int, **kwargs: Any) -> None:
        from beats.models import Beat, HouseholdHead

        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        self.fields["beat"].queryset = scope(Beat.objects.filter(station_id=station_id), user).order_by(
            "code"
        )
        self.fields["officers"].queryset = scope(
            Officer.objects.filter(station_id=station_id, is_active=True), user
        ).order_by("name")
        self.fields["household_heads"].queryset = scope(
            HouseholdHead.objects.filter(station_id=station_id, is_active=True), user
        ).order_by("name")
        bootstrap_form(self)

    def _post_clean(self) -> None:
        """Model validation is the service's."""


class TrainingForm(forms.ModelForm):
    attended = forms.ModelMultipleChoiceField(
        label=_("officers who attended"), queryset=Officer.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    failed = forms.ModelMultipleChoiceField(
        label=_("attended but did not pass the check"),
        queryset=Officer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = TrainingSession
        fields = ["skill", "title", "held_on", "trainer", "hours"]
        widgets = {"held_on": DateInput()}

    def __init__(self, *args: Any, user: Any, station_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["held_on"].initial = timezone.localdate()
        officers = scope(Officer.objects.filter(station_id=station_id, is_active=True), user).order_by("name")
        self.fields["attended"].queryset = officers
        self.fields["failed"].queryset = officers
        bootstrap_form(self)

    def _post_clean(self) -> None:
        """Model validation is the service's."""
