from fractions import Fraction

import pytest

from qcity.inspection import stats


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    [
        # Newcombe (1998), Stat Med 17:857, table I, method 3 (Wilson score), z = 1.96
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_newcombe(x, n, low, high):
    lo, hi = stats.wilson(x, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_hand_computed():
    # 8/10 by hand with z = 1.96: z² = 3.8416; denominator 1.38416;
    # centre (0.8 + 0.19208)/1.38416 = 0.716796; half 1.96·sqrt(0.016 + 0.0096040)/1.38416 = 0.226599
    lo, hi = stats.wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=2e-4)
    assert hi == pytest.approx(0.9433, abs=2e-4)
    assert stats.wilson(10, 10)[1] == 1.0 and stats.wilson(0, 10)[0] == 0.0
    assert stats.wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        stats.wilson(5, 3)


def test_z():
    assert stats.z_for(95) == pytest.approx(1.959964, abs=1e-6)
    assert stats.z_for(99) == pytest.approx(2.575829, abs=1e-6)


def test_rollup_and_rates():
    recs = [("区A", True), ("区A", False), ("区A", True), ("区B", None), ("区B", True)]
    r = stats.rollup(recs, key=lambda r: r[0], qualified=lambda r: r[1])
    assert r["区A"] == stats.Rollup(3, 2)
    assert r["区A"].pass_rate == Fraction(2, 3) and r["区A"].discovery_rate == Fraction(1, 3)
    assert r["区B"] == stats.Rollup(1, 1)  # the undecided record is not counted
    assert stats.total(r.values()) == stats.Rollup(4, 3)
    assert stats.Rollup(0, 0).pass_rate is None


def test_announcement_totals():
    r = stats.parse_announcement_totals("本次共抽检1371批次产品,其中不合格产品56批次。")
    assert r == stats.Rollup(1371, 1315)
    assert float(r.pass_rate) == pytest.approx(0.9592, abs=1e-4)
    assert stats.parse_announcement_totals("抽检食品2,000批次，均合格") == stats.Rollup(2000, 2000)
    assert stats.parse_announcement_totals(
        "共抽检食品样品312批次，检出不合格样品为7批次"
    ) == stats.Rollup(312, 305)
    assert stats.parse_announcement_totals("共抽检 42 批次样品，未发现不合格") == stats.Rollup(
        42, 42
    )
    assert stats.parse_announcement_totals("无相关数据") is None
