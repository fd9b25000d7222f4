"""Tolerant address matching: a typed address is matched to standard addresses even when a character
differs (trigram similarity on the Chinese text) or sounds alike (trigram similarity on its toneless
pinyin, from pypinyin): 东岗西路 typed as 东港西路 still finds it.

Matches are *suggestions* for a human to pick; nothing here ever links or merges a record by itself.
Both columns carry trigram GIN indexes, and the queries use the index-backed ``<%`` (word
similarity) operator, so a suggestion costs a few index look-ups whatever the registry's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db.models import Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from registry.models import Address


def to_pinyin(text: str) -> str:
    """Toneless pinyin, syllables separated by spaces, lower case (``东岗西路3号`` → ``dong gang xi lu 3 hao``).
    Characters that are not Chinese are kept as they are."""
    return " ".join(part.strip() for part in lazy_pinyin(text or "", style=Style.NORMAL) if part.strip()).lower()


def address_pinyin(*, parent_pinyin: str, name: str) -> str:
    """The pinyin of an address is its parent's followed by its own part's, so renaming a part changes
    the pinyin of the subtree by a prefix (see ``services.address_update``)."""
    own = to_pinyin(name)
    return f"{parent_pinyin} {own}".strip() if parent_pinyin else own


def address_text_q(text: str) -> Q:
    """Addresses whose text or pinyin is word-similar to ``text`` (index-backed ``<%``)."""
    return Q(full_text__trigram_word_similar=text) | Q(pinyin__trigram_word_similar=to_pinyin(text))


@dataclass(frozen=True)
class Suggestion:
    address: Address
    score: float  # 0–1
    text_score: float
    sound_score: float

    @property
    def why(self) -> Any:
        if self.text_score >= 0.999:
            return _("same text")
        if self.sound_score > self.text_score:
            return _("sounds alike")
        return _("similar characters")


def suggest_addresses(*, user: Any, text: str, limit: int = 8, exclude_id: int | None = None) -> list[Suggestion]:
    """Standard addresses in ``user``'s jurisdiction that ``text`` most likely means, best first."""
    text = (text or "").strip()
    if len(text) < 2:
        return []
    sound = to_pinyin(text)
    qs = (
        Address.objects.for_user(user)
        .filter(deleted=False)
        .filter(address_text_q(text))
        .annotate(
            text_score=TrigramWordSimilarity(text, "full_text"),
            sound_score=TrigramWordSimilarity(sound, "pinyin"),
        )
        .annotate(score=Greatest("text_score", "sound_score"))
        .only("id", "code", "full_text", "level", "station_id", "pinyin")
        .order_by("-score", "id")
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return [
        Suggestion(address=a, score=float(a.score), text_score=float(a.text_score), sound_score=float(a.sound_score))
        for a in qs[:limit]
    ]


def similar_siblings(*, user: Any, parent: Address | None, station_id: int | None, name: str, limit: int = 5) -> list[Suggestion]:
    """Addresses at the same level under the same parent whose own name sounds the same or is spelt
    nearly the same as ``name`` — what a new address probably duplicates (东岗路 / 东港路)."""
    name = (name or "").strip()
    if not name:
        return []
    sound = to_pinyin(name)
    qs = Address.objects.for_user(user).filter(deleted=False)
    qs = qs.filter(parent=parent) if parent is not None else qs.filter(parent__isnull=True, station_id=station_id)
    qs = (
        qs.annotate(text_score=TrigramSimilarity("name", name))
        .filter(Q(text_score__gte=0.5) | Q(pinyin__endswith=f" {sound}") | Q(pinyin=sound))
        .only("id", "code", "full_text", "level", "station_id", "pinyin", "name")
        .order_by("-text_score", "id")
    )
    found = []
    for a in qs[:limit]:
        sound_score = 1.0 if a.pinyin == sound or a.pinyin.endswith(f" {sound}") else 0.0
        found.append(Suggestion(address=a, score=max(float(a.text_score), sound_score), text_score=float(a.text_score), sound_score=sound_score))
    return sorted(found, key=lambda s: -s.score)
