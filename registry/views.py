"""Pages of the registry for officers (phone-friendly): search, person/house/unit pages and forms,
the address browser with tolerant matching, "enter once" look-ups, the duplicates queue and the
auditor's access log.

Jurisdiction comes from ``stations.views.ScopedViewMixin`` / ``ScopedKeysetListView`` and the
selectors; masking from ``registry.masking`` (a page that shows anyone unmasked writes one
access-log row, with the ``purpose`` typed into the search form or passed in the query string)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from common.paging import decode_cursor, encode_cursor
from registry import selectors, services
from registry.choices import DuplicateStatus, RecordKind
from registry.filters import AccessLogFilterSet, HouseFilterSet, PersonFilterSet, UnitFilterSet
from registry.forms import AddressForm, DuplicateDecisionForm, HouseForm, PersonForm, SearchForm, UnitForm
from registry.masking import (
    MaskingPolicy,
    log_unmasked_read,
    mask_national_id,
    mask_phone,
    policy_for,
    purpose_of,
)
from registry.matching import similar_siblings, suggest_addresses
from registry.models import Address, DuplicateCandidate, House, Person, Unit
from stations.api.permissions import can_write
from stations.choices import Role
from stations.views import AuditLogListView, ScopedKeysetListView, get_scoped_object_or_404

DUPLICATE_REASONS = {
    "same_name_birth_date": gettext_lazy("same name and birth date, different national IDs"),
    "same_phone_similar_name": gettext_lazy("same phone, similar name"),
    "address_sounds_alike": gettext_lazy("addresses sound alike"),
    "same_owner_similar_address": gettext_lazy("same owner, near-identical address"),
    "similar_name_same_address": gettext_lazy("similar name at the same address"),
    "same_name": gettext_lazy("same name"),
}


# --- masking on pages ------------------------------------------------------------------------------


class MaskedPageMixin:
    """Builds the request's masking policy, and writes the access-log row once the page is built."""

    request: HttpRequest
    log_action = "page"

    @property
    def masking(self) -> MaskingPolicy:
        policy = getattr(self, "_masking_policy", None)
        if policy is None:
            policy = self._masking_policy = policy_for(self.request.user, self.request)
        return policy

    def show_persons(self, persons: list[Person] | list[Any]) -> None:
        """Set ``shown_national_id``/``shown_phone`` on each person, unmasked where allowed."""
        for p in persons:
            if self.masking.unmasked(p.station_id):
                p.shown_national_id, p.shown_phone = p.national_id, p.phone
                self.masking.reveal([p.pk])
            else:
                p.shown_national_id, p.shown_phone = mask_national_id(p.national_id), mask_phone(p.phone)

    def show_house(self, house: House) -> None:
        if self.masking.unmasked(house.station_id):
            house.shown_owner_national_id, house.shown_owner_phone = house.owner_national_id, house.owner_phone
            self.masking.reveal_national_ids([house.owner_national_id])
        else:
            house.shown_owner_national_id = mask_national_id(house.owner_national_id)
            house.shown_owner_phone = mask_phone(house.owner_phone)

    def show_unit(self, unit: Unit) -> None:
        if self.masking.unmasked(unit.station_id):
            unit.shown_legal_rep_national_id, unit.shown_security_phone = unit.legal_rep_national_id, unit.security_phone
            self.masking.reveal_national_ids([unit.legal_rep_national_id])
        else:
            unit.shown_legal_rep_national_id = mask_national_id(unit.legal_rep_national_id)
            unit.shown_security_phone = mask_phone(unit.security_phone)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        policy = getattr(self, "_masking_policy", None)
        if policy is not None and response.status_code == 200:
            log_unmasked_read(policy=policy, action=self.log_action, path=request.get_full_path(), purpose=purpose_of(request))
        return response


class WriterRequiredMixin:
    """Pages that write: a writing role (officer, station head, province staff), else 403."""

    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not can_write(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


def _lineage(user: Any, address_id: int | None) -> list[Address]:
    """The address and its ancestors in one query ([] if none, deleted or out of scope)."""
    if address_id is None:
        return []
    try:
        return selectors.address_lineage(selectors.address_get(user=user, pk=address_id))
    except Address.DoesNotExist:
        return []


def _get(selector: Any, **kwargs: Any) -> Any:
    try:
        return selector(**kwargs)
    except (Person.DoesNotExist, Address.DoesNotExist, House.DoesNotExist, Unit.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


# --- landing and search ----------------------------------------------------------------------------


class IndexView(LoginRequiredMixin, TemplateView):
    """The registry's landing page: one search box, the registers, and the operations pages."""

    template_name = "registry/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        return super().get_context_data(
            search_form=SearchForm(),
            can_write=can_write(user),
            is_auditor=user.role == Role.AUDITOR or user.is_superuser,
            **kwargs,
        )


class PersonListView(MaskedPageMixin, ScopedKeysetListView):
    """Search and list persons: a national ID or a phone finds exactly; a name finds fuzzily (pg_trgm
    similarity, best 50 first); without a search, the filtered list pages by keyset."""

    queryset = Person.objects.filter(deleted=False).select_related("address", "station")
    template_name = "registry/person_list.html"
    filterset_class = PersonFilterSet
    filter_fields = ("category", "gender", "has_address", "verified")
    log_action = "page.persons"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.search_form = SearchForm(request.GET or None)
        q = request.GET.get("q", "").strip()
        if q:
            kind, rows = selectors.person_search(user=request.user, q=q)
            self.show_persons(rows)
            return render(request, self.template_name, {
                "search_form": self.search_form, "object_list": rows, "search_kind": kind, "q": q,
                "can_write": can_write(request.user),
            })
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        self.show_persons(context["object_list"])
        context.update(search_form=self.search_form, can_write=can_write(self.request.user))
        return context


class PersonDetailView(MaskedPageMixin, LoginRequiredMixin, TemplateView):
    template_name = "registry/person_detail.html"
    log_action = "page.person"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        person = _get(selectors.person_get, user=user, pk=self.kwargs["pk"])
        self.show_persons([person])
        residences = list(selectors.residences_of(user=user, person=person)[:50])
        lineage = _lineage(user, person.address_id)
        return super().get_context_data(
            person=person, residences=residences, lineage=lineage, can_write=can_write(user),
            purpose=purpose_of(self.request), **kwargs,
        )


class _FormPageMixin(WriterRequiredMixin, LoginRequiredMixin):
    """GET shows the form; POST validates and calls the service (atomic: on any error nothing is
    written and the form comes back with the errors)."""

    template_name = ""
    request: HttpRequest
    kwargs: dict[str, Any]

    def form(self, data: Any = None) -> Any:
        raise NotImplementedError

    def save(self, form: Any) -> Any:
        raise NotImplementedError

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form()
        return render(request, self.template_name, self.context(form))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                obj = self.save(form)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                return HttpResponseRedirect(obj.get_page_url() if hasattr(obj, "get_page_url") else self.success_url(obj))
        return render(request, self.template_name, self.context(form), status=400)

    def success_url(self, obj: Any) -> str:
        raise NotImplementedError


def _address_initial(address: Address | None) -> dict[str, Any]:
    return {"address": address.pk if address else None}


class PersonCreateView(_FormPageMixin, View):
    template_name = "registry/person_form.html"

    def form(self, data: Any = None) -> PersonForm:
        return PersonForm(data, user=self.request.user, initial={"address": self.request.GET.get("address")})

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "person": None, "address_text": _posted_address_text(self.request, form)}

    def save(self, form: PersonForm) -> Person:
        return services.person_create(user=self.request.user, **form.service_kwargs())

    def success_url(self, obj: Person) -> str:
        return reverse("registry:person_detail", args=[obj.pk])


def _posted_address_text(request: HttpRequest, form: Any) -> str:
    address = None
    raw = form["address"].value() if "address" in form.fields else None
    if raw:
        address = Address.objects.for_user(request.user).filter(pk=raw if str(raw).isdigit() else None).only("full_text").first()
    return address.full_text if address else ""


class PersonEditView(MaskedPageMixin, _FormPageMixin, View):
    template_name = "registry/person_form.html"
    log_action = "page.person_edit"

    def get_person(self) -> Person:
        if not hasattr(self, "_person"):
            self._person = _get(selectors.person_get, user=self.request.user, pk=self.kwargs["pk"])
        return self._person

    def form(self, data: Any = None) -> PersonForm:
        person = self.get_person()
        hidden = not self.masking.unmasked(person.station_id)
        if not hidden:
            self.masking.reveal([person.pk])
        initial = {f: getattr(person, f) for f in services.PERSON_FIELDS if f != "address"}
        initial["address"] = person.address_id
        return PersonForm(data, user=self.request.user, initial=initial, hide_identifiers=hidden)

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "person": self.get_person(), "address_text": _posted_address_text(self.request, form)}

    def save(self, form: PersonForm) -> Person:
        changes = {k: v for k, v in form.service_kwargs().items() if k in services.PERSON_FIELDS}
        return services.person_update(user=self.request.user, person=self.get_person(), **changes)

    def success_url(self, obj: Person) -> str:
        return reverse("registry:person_detail", args=[obj.pk])


class PersonDeleteView(WriterRequiredMixin, LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        person = _get(selectors.person_get, user=request.user, pk=pk)
        services.person_delete(user=request.user, person=person)
        return HttpResponseRedirect(reverse("registry:person_list"))


# --- addresses -------------------------------------------------------------------------------------


class AddressBrowserView(LoginRequiredMixin, TemplateView):
    """Drill down the hierarchy: the top level of your jurisdiction, then each address's children
    (keyset-paged by code), with the house, persons and units at the address. ``?q=`` offers
    tolerant matches of a typed address."""

    template_name = "registry/address_browser.html"
    page_size = 100

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        address = _get(selectors.address_get, user=user, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None
        children = selectors.address_children(user=user, parent=address).select_related("house")
        after = decode_cursor(self.request.GET.get("after", "")) if self.request.GET.get("after") else None
        if after:
            children = children.filter(code__gt=str(after[0]))
        rows = list(children[: self.page_size + 1])
        next_cursor = encode_cursor([rows[self.page_size - 1].code]) if len(rows) > self.page_size else None
        q = self.request.GET.get("q", "").strip()
        context: dict[str, Any] = {
            "address": address,
            "lineage": selectors.address_lineage(address) if address else [],
            "children": rows[: self.page_size],
            "page_obj": {"next_cursor": next_cursor},
            "q": q,
            "suggestions": suggest_addresses(user=user, text=q) if q else [],
            "can_write": can_write(user),
        }
        if address is not None:
            context["house"] = House.objects.for_user(user).filter(address=address, deleted=False).first()
            context["persons"] = list(
                selectors.persons_for(user=user).filter(address=address).only("id", "name", "category", "station_id").order_by("id")[:50]
            )
            context["units"] = list(selectors.units_for(user=user).filter(address=address).order_by("id")[:50])
        return super().get_context_data(**context, **kwargs)


class AddressSuggestView(LoginRequiredMixin, View):
    """htmx partial: tolerant matches of the text typed into an address field (never auto-linked)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        text = request.GET.get("address_text", "") or request.GET.get("q", "")
        return render(request, "registry/partials/address_suggestions.html", {
            "suggestions": suggest_addresses(user=request.user, text=text), "text": text,
        })


class AddressCreateView(_FormPageMixin, View):
    template_name = "registry/address_form.html"

    def parent(self) -> Address | None:
        raw = self.request.GET.get("parent") or self.request.POST.get("parent")
        if not raw:
            return None
        return _get(selectors.address_get, user=self.request.user, pk=raw)

    def form(self, data: Any = None) -> AddressForm:
        parent = self.parent()
        station_id = parent.station_id if parent else getattr(self.request.user, "home_station_id", None)
        return AddressForm(data, user=self.request.user, parent=parent, station_id=station_id)

    def similar(self, name: str) -> list[Any]:
        parent = self.parent()
        return similar_siblings(
            user=self.request.user, parent=parent, station_id=getattr(self.request.user, "home_station_id", None), name=name,
        )

    def context(self, form: Any) -> dict[str, Any]:
        parent = self.parent()
        return {
            "form": form, "parent": parent, "lineage": selectors.address_lineage(parent) if parent else [],
            # Tolerant matching: what the new address may already be (a suggestion, never a merge).
            "suggestions": self.similar(form["name"].value() or "") if form.is_bound else [],
        }

    def save(self, form: AddressForm) -> Address:
        if self.request.POST.get("confirm") != "1" and self.similar(form.cleaned_data["name"]):
            raise ValidationError({"name": [_("A similar address exists here (see the suggestions); confirm to create it anyway.")]})
        return services.address_create(user=self.request.user, parent=self.parent(), **form.cleaned_data)

    def success_url(self, obj: Address) -> str:
        return reverse("registry:address_detail", args=[obj.pk])


class AddressEditView(_FormPageMixin, View):
    template_name = "registry/address_form.html"

    def get_address(self) -> Address:
        if not hasattr(self, "_address"):
            self._address = _get(selectors.address_get, user=self.request.user, pk=self.kwargs["pk"])
        return self._address

    def form(self, data: Any = None) -> AddressForm:
        a = self.get_address()
        return AddressForm(
            data, user=self.request.user, parent=a.parent, station_id=a.station_id, editing=True,
            initial={"name": a.name, "beat": a.beat_id, "latitude": a.latitude, "longitude": a.longitude},
        )

    def context(self, form: Any) -> dict[str, Any]:
        a = self.get_address()
        return {"form": form, "address": a, "parent": a.parent, "lineage": selectors.address_lineage(a), "suggestions": []}

    def save(self, form: AddressForm) -> Address:
        return services.address_update(user=self.request.user, address=self.get_address(), **form.cleaned_data)

    def success_url(self, obj: Address) -> str:
        return reverse("registry:address_detail", args=[obj.pk])


# --- houses and units ---------------------------------------------------------------------------------


class HouseListView(MaskedPageMixin, ScopedKeysetListView):
    queryset = House.objects.filter(deleted=False).select_related("address")
    template_name = "registry/house_list.html"
    filterset_class = HouseFilterSet
    filter_fields = ("address_text", "use", "is_rented", "owner_name")
    log_action = "page.houses"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for house in context["object_list"]:
            self.show_house(house)
        context["can_write"] = can_write(self.request.user)
        return context


class HouseDetailView(MaskedPageMixin, LoginRequiredMixin, TemplateView):
    template_name = "registry/house_detail.html"
    log_action = "page.house"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        house = _get(selectors.house_get, user=user, pk=self.kwargs["pk"])
        self.show_house(house)
        residents = list(selectors.residents_of(user=user, house=house)[:100])
        self.show_persons([r.person for r in residents])
        return super().get_context_data(
            house=house, residents=residents, lineage=_lineage(user, house.address_id),
            can_write=can_write(user), **kwargs,
        )


class HouseCreateView(_FormPageMixin, View):
    template_name = "registry/house_form.html"

    def form(self, data: Any = None) -> HouseForm:
        return HouseForm(data, user=self.request.user, initial={"address": self.request.GET.get("address")})

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "house": None, "address_text": _posted_address_text(self.request, form)}

    def save(self, form: HouseForm) -> House:
        return services.house_create(user=self.request.user, **form.service_kwargs())

    def success_url(self, obj: House) -> str:
        return reverse("registry:house_detail", args=[obj.pk])


class HouseEditView(MaskedPageMixin, _FormPageMixin, View):
    template_name = "registry/house_form.html"
    log_action = "page.house_edit"

    def get_house(self) -> House:
        if not hasattr(self, "_house"):
            self._house = _get(selectors.house_get, user=self.request.user, pk=self.kwargs["pk"])
        return self._house

    def form(self, data: Any = None) -> HouseForm:
        h = self.get_house()
        hidden = not self.masking.unmasked(h.station_id)
        if not hidden:
            self.masking.reveal_national_ids([h.owner_national_id])
        initial = {f: getattr(h, f) for f in services.HOUSE_FIELDS if f != "address"} | {"address": h.address_id}
        return HouseForm(data, user=self.request.user, initial=initial, hide_identifiers=hidden)

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "house": self.get_house(), "address_text": _posted_address_text(self.request, form)}

    def save(self, form: HouseForm) -> House:
        return services.house_update(user=self.request.user, house=self.get_house(), **form.service_kwargs())

    def success_url(self, obj: House) -> str:
        return reverse("registry:house_detail", args=[obj.pk])


class UnitListView(MaskedPageMixin, ScopedKeysetListView):
    queryset = Unit.objects.filter(deleted=False).select_related("address")
    template_name = "registry/unit_list.html"
    filterset_class = UnitFilterSet
    filter_fields = ("name", "kind", "key_venue")
    log_action = "page.units"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for unit in context["object_list"]:
            self.show_unit(unit)
        context["can_write"] = can_write(self.request.user)
        return context


class UnitDetailView(MaskedPageMixin, LoginRequiredMixin, TemplateView):
    template_name = "registry/unit_detail.html"
    log_action = "page.unit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        unit = _get(selectors.unit_get, user=user, pk=self.kwargs["pk"])
        self.show_unit(unit)
        form = UnitForm(user=user, kind=unit.kind)
        trade = [(form.fields[f"trade_{k}"].label, v) for k, v in unit.trade_details.items() if f"trade_{k}" in form.fields]
        return super().get_context_data(unit=unit, trade=trade, can_write=can_write(user), **kwargs)


class UnitCreateView(_FormPageMixin, View):
    template_name = "registry/unit_form.html"

    def form(self, data: Any = None) -> UnitForm:
        return UnitForm(data, user=self.request.user, initial={"address": self.request.GET.get("address")})

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "unit": None, "address_text": _posted_address_text(self.request, form)}

    def save(self, form: UnitForm) -> Unit:
        return services.unit_create(user=self.request.user, **form.service_kwargs())

    def success_url(self, obj: Unit) -> str:
        return reverse("registry:unit_detail", args=[obj.pk])


class UnitEditView(MaskedPageMixin, _FormPageMixin, View):
    template_name = "registry/unit_form.html"
    log_action = "page.unit_edit"

    def get_unit(self) -> Unit:
        if not hasattr(self, "_unit"):
            self._unit = _get(selectors.unit_get, user=self.request.user, pk=self.kwargs["pk"])
        return self._unit

    def form(self, data: Any = None) -> UnitForm:
        u = self.get_unit()
        hidden = not self.masking.unmasked(u.station_id)
        if not hidden:
            self.masking.reveal_national_ids([u.legal_rep_national_id])
        initial = {f: getattr(u, f) for f in services.UNIT_FIELDS if f not in ("address", "trade_details")}
        initial["address"] = u.address_id
        initial |= {f"trade_{k}": v for k, v in u.trade_details.items()}
        return UnitForm(data, user=self.request.user, initial=initial, hide_identifiers=hidden)

    def context(self, form: Any) -> dict[str, Any]:
        return {"form": form, "unit": self.get_unit(), "address_text": _posted_address_text(self.request, form)}

    def save(self, form: UnitForm) -> Unit:
        return services.unit_update(user=self.request.user, unit=self.get_unit(), **form.service_kwargs())

    def success_url(self, obj: Unit) -> str:
        return reverse("registry:unit_detail", args=[obj.pk])


class UnitTradeFieldsView(LoginRequiredMixin, View):
    """htmx partial: the trade fields the chosen kind asks for."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = UnitForm(user=request.user, kind=request.GET.get("kind"))
        return render(request, "registry/partials/trade_fields.html", {"form": form})


# --- duplicates ------------------------------------------------------------------------------------------


class DuplicateQueueView(MaskedPageMixin, LoginRequiredMixin, TemplateView):
    """Likely duplicate persons, houses and units, to merge or dismiss (never merged automatically)."""

    template_name = "registry/duplicates.html"
    log_action = "page.duplicates"
    page_size = 30

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        kind = self.request.GET.get("kind", "")
        qs = selectors.duplicate_queue(user=user)
        if kind in RecordKind.values:
            qs = qs.filter(kind=kind)
        candidates = list(qs[: self.page_size])
        records = selectors.duplicate_records(user=user, candidates=candidates)
        self.show_persons([r for (k, _pk), r in records.items() if k == RecordKind.PERSONS])
        for (k, _pk), r in records.items():
            if k == RecordKind.HOUSES:
                self.show_house(r)
            elif k == RecordKind.UNITS:
                self.show_unit(r)
        rows = [
            {
                "candidate": c, "a": records.get((c.kind, c.record_a)), "b": records.get((c.kind, c.record_b)),
                "reason": DUPLICATE_REASONS.get(c.reason, c.reason), "score_pct": round(c.score * 100),
            }
            for c in candidates
        ]
        return super().get_context_data(
            rows=rows, kind=kind, kinds=[(k, label) for k, label in RecordKind.choices if k != RecordKind.ADDRESSES],
            can_write=can_write(user), **kwargs,
        )


class DuplicateDecideView(WriterRequiredMixin, LoginRequiredMixin, View):
    """POST ``keep=<id>`` to merge into that record, or to ``…/dismiss/`` to dismiss the pair."""

    merge = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        candidate = get_scoped_object_or_404(DuplicateCandidate, request.user, pk=pk, status=DuplicateStatus.OPEN)
        try:
            if self.merge:
                form = DuplicateDecisionForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose the record to keep."))
                services.duplicate_merge(user=request.user, candidate=candidate, keep=form.cleaned_data["keep"], at=timezone.now())
            else:
                services.duplicate_dismiss(user=request.user, candidate=candidate, at=timezone.now())
        except ValidationError as error:
            from django.contrib import messages

            for message in error.messages:
                messages.error(request, message)
        return HttpResponseRedirect(reverse("registry:duplicates"))


class DuplicateFindView(WriterRequiredMixin, LoginRequiredMixin, View):
    """Look for likely duplicates now, in the stations of the user's jurisdiction."""

    def post(self, request: HttpRequest) -> HttpResponse:
        from django.contrib import messages

        from stations.jurisdiction import visible_stations

        added = services.duplicates_find(station_ids=list(visible_stations(request.user).values_list("pk", flat=True)))
        messages.success(request, _("%(count)d new possible duplicates queued.") % {"count": added})
        return HttpResponseRedirect(reverse("registry:duplicates"))


# --- the access log (auditor) --------------------------------------------------------------------------


class AccessLogView(AuditLogListView):
    """Who read whom unmasked, when, through what and why."""

    template_name = "registry/access_log.html"
    filterset_class = AccessLogFilterSet
    filter_field_names = ("username", "national_id", "purpose", "action")

    def base_queryset(self) -> QuerySet[Any]:
        return selectors.access_log_for(user=self.request.user)
