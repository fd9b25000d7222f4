"""The demo province's shared context. Each app that has demo data provides ``<app>/demo.py`` with
``build(ctx: DemoContext) -> None``; ``manage.py load_demo`` calls them in dependency order."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

SCALES = ("tiny", "small", "province")

# Builders run in the one-way dependency order of the apps (evaluation reads everything, so last).
BUILD_ORDER = ("stations", "beats", "registry", "disputes", "rewards", "evaluation")


@dataclass
class DemoContext:
    scale: str
    seed: int
    today: dt.date
    password: str
    # What earlier builders made, for later ones: e.g. data["stations"] = [Station, ...].
    data: dict[str, Any] = field(default_factory=dict)

    def rng(self, name: str) -> random.Random:
        """A generator of its own per builder, so adding data to one app never shifts another's."""
        return random.Random(f"{self.seed}:{name}")

    def pick(self, tiny: int, small: int, province: int) -> int:
        """A count by scale."""
        return {"tiny": tiny, "small": small, "province": province}[self.scale]
