"""Template helpers of the disputes pages: figures shown as percentages with "n/a" for nothing to
compare, state badges, and the attention panel any page (the home page) can include."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from disputes import selectors
from disputes.choices import ESCALATED_STATES, TRANSFERRED_STATES, DisputeState, RiskLevel
from registry.masking import mask_phone

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A share (0–1) as ``95.1 %``; ``None`` as "n/a"."""
    if value is None:
        return _("n/a")
    return f"{value * 100:.1f} %"


@register.filter
def change_pct(value: float | None) -> str:
    """A relative change as ``+3.2 %`` / ``−13.6 %``; ``None`` (nothing last year) as "n/a"."""
    if value is None:
        return _("n/a")
    return f"{value * 100:+.1f} %".replace("-", "−")


@register.filter
def points(value: float | None) -> str:
    """A change of a rate in percentage points; ``None`` as "n/a"."""
    if value is None:
        return _("n/a")
    return _("%(points)s pts") % {"points": f"{value:+.1f}".replace("-", "−")}


@register.filter
def masked_phone(value: str) -> str:
    """A phone as ``138****5678`` (the registry's masking)."""
    return mask_phone(value or "")


@register.filter
def state_badge(state: str) -> str:
    """The Bootstrap badge class for a dispute state."""
    if state == DisputeState.SCREENING:
        return "text-bg-info"
    if state == DisputeState.MEDIATING:
        return "text-bg-primary"
    if state == DisputeState.RESOLVED:
        return "text-bg-success"
    if state in ESCALATED_STATES:
        return "text-bg-danger"
    if state in TRANSFERRED_STATES:
        return "text-bg-secondary"
    return "text-bg-light"


@register.filter
def risk_badge(risk: str) -> str:
    return {RiskLevel.HIGH: "text-bg-danger", RiskLevel.MEDIUM: "text-bg-warning"}.get(risk, "text-bg-light")


@register.inclusion_tag("disputes/partials/attention.html", takes_context=True)
def dispute_attention_panel(context: dict[str, Any], limit: int = 10) -> dict[str, Any]:
    """``{% load disputes %}{% dispute_attention_panel %}``: what needs the signed-in user's
    attention (stale high-risk disputes, follow-up visits due), two bounded queries."""
    request = context.get("request")
    user = getattr(request, "user", None)
    attention = None
    if user is not None and user.is_authenticated:
        attention = selectors.dispute_attention(user=user, now=timezone.now(), limit=limit)
    return {"attention": attention, "request": request}


@register.filter
def urgency_badge(urgency: str) -> str:
    from disputes.choices import Urgency

    return {Urgency.URGENT: "text-bg-danger", Urgency.PROMPT: "text-bg-warning"}.get(urgency, "text-bg-light")


@register.inclusion_tag("disputes/partials/sentiment_attention.html", takes_context=True)
def sentiment_attention_panel(context: dict[str, Any], limit: int = 10) -> dict[str, Any]:
    """``{% load disputes %}{% sentiment_attention_panel %}``: for the station head and county or
    city staff, the urgent sentiment reports still open and those waiting for their decision (two
    bounded queries); nothing for other roles."""
    request = context.get("request")
    user = getattr(request, "user", None)
    attention = None
    if user is not None and user.is_authenticated:
        attention = selectors.sentiment_attention(user=user, limit=limit)
    return {"attention": attention, "request": request}
