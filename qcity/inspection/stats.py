"""Pass-rate statistics for sampling results. Pure Python, no Django.

Definitions (REFERENCE.md §12):

* 批次合格率 = qualified batches / tested batches.
* 不合格发现率 = unqualified batches / tested batches (used in national reports).

The Wilson score interval gives the uncertainty of a rate that was estimated from a sample.
It behaves well near 0 and 1 and for small n, where the normal (Wald) interval fails.
Confidence level ``inspection.stats.confidence_percent`` (default 95) selects z.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from statistics import NormalDist


def z_for(confidence_percent: float = 95) -> float:
    """Two-sided normal quantile, e.g. 95 -> 1.959963984540054."""
    if not 0 < confidence_percent < 100:
        raise ValueError("置信水平应在0到100之间")
    return NormalDist().inv_cdf(0.5 + confidence_percent / 200)


def wilson(successes: int, n: int, confidence_percent: float = 95) -> tuple[float, float]:
    """Wilson score interval (low, high) for successes/n; (0.0, 1.0) when n == 0."""
    if n < 0 or successes < 0 or successes > n:
        raise ValueError("计数无效：合格数应在0到检验数之间")
    if n == 0:
        return (0.0, 1.0)
    z = z_for(confidence_percent)
    p = successes / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low, high = centre - half, centre + half
    # exact ends: 0 successes -> low 0, all successes -> high 1 (avoid -1e-17 style noise)
    return (0.0 if successes == 0 else max(0.0, low), 1.0 if successes == n else min(1.0, high))


def rate(part: int, whole: int) -> Fraction | None:
    """Exact rate, or None when nothing was tested (not 0, not 100%)."""
    return None if whole == 0 else Fraction(part, whole)


@dataclass(frozen=True)
class Rollup:
    tested: int
    qualified: int

    @property
    def unqualified(self) -> int:
        return self.tested - self.qualified

    @property
    def pass_rate(self) -> Fraction | None:
        """批次合格率."""
        return rate(self.qualified, self.tested)

    @property
    def discovery_rate(self) -> Fraction | None:
        """不合格发现率."""
        return rate(self.unqualified, self.tested)

    def interval(self, confidence_percent: float = 95) -> tuple[float, float]:
        return wilson(self.qualified, self.tested, confidence_percent)

    def __add__(self, other: Rollup) -> Rollup:
        return Rollup(self.tested + other.tested, self.qualified + other.qualified)


def rollup(
    records: Iterable, key: Callable[[object], Hashable], qualified: Callable[[object], bool | None]
) -> dict[Hashable, Rollup]:
    """Group records and count tested/qualified batches. ``qualified`` returns True/False,
    or None for a record whose verdict is pending or undecidable: such records are left
    out of both counts rather than guessed."""
    acc: dict[Hashable, list[int]] = {}
    for r in records:
        verdict = qualified(r)
        if verdict is None:
            continue
        slot = acc.setdefault(key(r), [0, 0])
        slot[0] += 1
        slot[1] += 1 if verdict else 0
    return {k: Rollup(t, q) for k, (t, q) in acc.items()}


def total(rollups: Iterable[Rollup]) -> Rollup:
    out = Rollup(0, 0)
    for r in rollups:
        out = out + r
    return out


_TESTED = re.compile(r"抽(?:样)?检(?:验|测)?了?[\u4e00-\u9fff]{0,4}?\s*([0-9][0-9,，]*)\s*个?批次")
_UNQUALIFIED = re.compile(r"不合格[\u4e00-\u9fff]{0,4}?\s*([0-9][0-9,，]*)\s*个?批次")


def parse_announcement_totals(text: str) -> Rollup | None:
    """Read "共抽检1371批次产品,其中不合格产品56批次" -> Rollup(tested=1371, qualified=1315)."""
    t = _TESTED.search(text)
    u = _UNQUALIFIED.search(text)
    if not t:
        return None
    tested = int(re.sub(r"[,，]", "", t.group(1)))
    bad = int(re.sub(r"[,，]", "", u.group(1))) if u else 0
    if bad > tested:
        return None
    return Rollup(tested, tested - bad)
