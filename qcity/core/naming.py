"""Resolve a unit name as a document writes it to a registered OrgUnit.

Order: exact current name → a dated name valid at the document's date → fuzzy match with a
confidence, among units of the level the name's prefix implies (省… / 市… / 区…县…). Pairs in
the near-miss table (市农业局 ≠ 市林业局) never match automatically, and a fuzzy hit is only a
proposal for a person to confirm. An unresolved name is reported, never guessed. A merged
unit resolves to the unit that carries its duties today (``OrgUnit.current``).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from rapidfuzz import fuzz

from .choices import RegionLevel

EXACT, ALIAS, FUZZY, UNRESOLVED = "exact", "alias", "fuzzy", "unresolved"
FUZZY_THRESHOLD = 0.82
LEVEL_PREFIXES = (
    ("省", RegionLevel.PROVINCE),
    ("市", RegionLevel.CITY),
    ("区", RegionLevel.COUNTY),
    ("县", RegionLevel.COUNTY),
)


def normalise(name: str) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", "", text)
    return text.strip("、,，;；。.")


def implied_level(name: str):
    for prefix, level in LEVEL_PREFIXES:
        if name.startswith(prefix):
            return level
    return None


@dataclass
class Resolution:
    written: str
    status: str
    unit: object = None  # the unit the name matched
    current: object = None  # the unit carrying its duties today
    confidence: float = 0.0
    candidates: list = field(default_factory=list)  # [(unit, confidence)] for a person to choose

    @property
    def resolved(self) -> bool:
        return self.status in (EXACT, ALIAS)


def _valid_at(on: datetime.date | None) -> Q:
    if on is None:
        return Q()
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


class Resolver:
    """Loads units, names and near-miss pairs once; resolves many names cheaply."""

    def __init__(self, region=None):
        from .models import NearMissPair, OrgUnit

        units = OrgUnit.objects.select_related("region", "successor")
        if region is not None:
            units = units.filter(
                region_id__in=region.subtree_ids()
                + ([region.parent_id] if region.parent_id else [])
            )
        self.units = list(units)
        self.by_id = {u.pk: u for u in self.units}
        self.near_miss = set()
        for left, right in NearMissPair.objects.values_list("left", "right"):
            self.near_miss.add((normalise(left), normalise(right)))
            self.near_miss.add((normalise(right), normalise(left)))

    def _names(self, on):
        from .models import OrgUnitName

        return OrgUnitName.objects.filter(unit_id__in=self.by_id).filter(_valid_at(on))

    def resolve(self, written: str, on: datetime.date | None = None) -> Resolution:
        name = normalise(written)
        if not name:
            return Resolution(written, UNRESOLVED)
        exact = [
            u
            for u in self.units
            if normalise(u.name) == name or (u.short_name and normalise(u.short_name) == name)
        ]
        if len(exact) == 1:
            unit = exact[0]
            return Resolution(written, EXACT, unit, unit.current(), 1.0)
        alias_units = {n.unit_id for n in self._names(on).filter(name=name)}
        if len(alias_units) == 1:
            unit = self.by_id[alias_units.pop()]
            return Resolution(written, ALIAS, unit, unit.current(), 1.0)
        return self._fuzzy(
            written, name, on, ambiguous=exact or [self.by_id[i] for i in alias_units]
        )

    def _fuzzy(self, written, name, on, ambiguous):
        level = implied_level(name)
        scored = {}
        pool = ambiguous or self.units
        all_names = {}
        for n in self._names(on):
            all_names.setdefault(n.unit_id, []).append(normalise(n.name))
        for unit in pool:
            if (
                level is not None
                and unit.region.level != level
                and not (level == RegionLevel.COUNTY and unit.region.level == RegionLevel.ZONE)
            ):
                continue
            best = 0.0
            for candidate in [normalise(unit.name), *all_names.get(unit.pk, [])]:
                if (name, candidate) in self.near_miss:
                    best = -1.0
                    break
                best = max(best, fuzz.ratio(name, candidate) / 100.0)
            if best > 0:
                scored[unit.pk] = best
        ranked = sorted(scored.items(), key=lambda kv: -kv[1])[:5]
        candidates = [(self.by_id[pk], round(score, 3)) for pk, score in ranked]
        if (
            candidates
            and candidates[0][1] >= FUZZY_THRESHOLD
            and (len(candidates) == 1 or candidates[1][1] < candidates[0][1])
        ):
            unit, score = candidates[0]
            return Resolution(written, FUZZY, unit, unit.current(), score, candidates)
        return Resolution(
            written, UNRESOLVED, None, None, candidates[0][1] if candidates else 0.0, candidates
        )


def resolve_names(names, on: datetime.date | None = None, region=None) -> dict[str, Resolution]:
    resolver = Resolver(region)
    return {n: resolver.resolve(n, on) for n in names}
