"""The 指标分解 page: the office splits a city target across districts and years."""

from decimal import Decimal

import pytest

from qcity.core.models import ChangeLog
from qcity.indicators import services
from qcity.indicators.models import Decomposition

from . import helpers


def _url(target):
    return f"/indicators/targets/{target.pk}/decompose/"


def _linked(world, **fields):
    ind = helpers.count_indicator() if fields.get("unit") == "家" else helpers.indicator()
    t = helpers.target(helpers.plan(world), **fields)
    services.confirm_link(t, ind, {}, [], world.user("office_admin"))
    return t


def _post(world, regions, **per_region):
    """{"on_<pk>": 1, "base_<pk>": …} for each region; per_region maps field → list."""
    data = {}
    for i, r in enumerate(regions):
        data[f"on_{r.pk}"] = "1"
        for field, values in per_region.items():
            if values[i] is not None:
                data[f"{field}_{r.pk}"] = str(values[i])
    return data


def _values(target, year):
    return {
        d.region.name: d.value
        for d in Decomposition.objects.filter(target=target, year=year).select_related("region")
    }


@pytest.fixture
def three(world):
    return world.districts[:3]


def test_count_split_by_shares_adds_up(world, actor, client_for, three):
    t = _linked(
        world, indicator_text="新增质量标杆企业", unit="家", value=Decimal(10), kind="cumulative"
    )
    client = client_for("office_admin")
    page = client.get(_url(t)).content.decode()
    assert "分配比例" in page and "最大余数法" in page
    data = _post(world, three, base=[0, 0, 0], weight=["33.3", "33.3", "33.4"])
    response = client.post(_url(t), data)
    assert response.status_code == 302
    final = _values(t, 2026)
    assert sum(final.values()) == Decimal(10)
    assert final[three[2].name] == Decimal(4)  # the largest remainder takes the unit left over
    # the trend page shows the district targets and their yearly plan line
    body = client.get(f"/indicators/targets/{t.pk}/").content.decode()
    assert "指标分解（区县 × 年度）" in body and three[0].name in body


def test_shares_not_adding_to_100_are_refused(world, actor, client_for, three):
    t = _linked(
        world, indicator_text="新增质量标杆企业", unit="家", value=Decimal(10), kind="cumulative"
    )
    response = client_for("office_admin").post(
        _url(t), _post(world, three, base=[0, 0, 0], weight=[50, 30, 10])
    )
    assert response.status_code == 400
    assert "分配比例合计为90%，应为100%" in response.content.decode()
    assert not Decomposition.objects.filter(target=t).exists()


def test_explicit_count_values_must_fit_the_total(world, actor, client_for, three):
    t = _linked(
        world, indicator_text="新增质量标杆企业", unit="家", value=Decimal(10), kind="cumulative"
    )
    response = client_for("office_admin").post(
        _url(t), _post(world, three, base=[0, 0, 0], value=[6, 6, None])
    )
    assert response.status_code == 400
    assert "超过全市目标" in response.content.decode()
    assert not Decomposition.objects.filter(target=t).exists()


def test_rate_copies_city_value_and_years_can_be_explicit(world, actor, client_for, three):
    t = _linked(world, value=Decimal("98"))
    data = _post(world, three, base=[96, 96, 97], value=[None, "98.5", None])
    data[f"y_{three[0].pk}_2024"] = "96.2"
    response = client_for("office_admin").post(_url(t), data)
    assert response.status_code == 302
    final = _values(t, 2026)
    assert final == {
        three[0].name: Decimal(98),
        three[1].name: Decimal("98.5"),
        three[2].name: Decimal(98),
    }
    first = _values(t, 2024)
    assert first[three[0].name] == Decimal("96.2")  # explicit
    assert first[three[2].name] == Decimal("97.33")  # straight line 97 (2023) → 98 (2026)


def test_bad_number_and_missing_baseline_are_refused(world, actor, client_for, three):
    t = _linked(world, value=Decimal("98"))
    client = client_for("office_admin")
    response = client.post(_url(t), _post(world, three, base=["九十", 96, 96]))
    assert response.status_code == 400
    assert f"{three[0].name}的基期值必须是数字" in response.content.decode()
    response = client.post(_url(t), _post(world, three, base=[96, None, 96]))
    assert "缺少基期值" in response.content.decode()
    response = client.post(_url(t), {})
    assert "请至少选择一个区县" in response.content.decode()
    assert not Decomposition.objects.filter(target=t).exists()


def test_redecomposition_needs_a_reason_and_is_logged(world, actor, client_for, three):
    t = _linked(world, value=Decimal("98"))
    client = client_for("office_admin")
    client.post(_url(t), _post(world, three, base=[96, 96, 96]))
    assert len(_values(t, 2026)) == 3
    page = client.get(_url(t)).content.decode()
    assert "重新分解的原因" in page
    response = client.post(_url(t), _post(world, three[:2], base=[96, 96]))
    assert response.status_code == 400 and "须说明原因" in response.content.decode()
    assert len(_values(t, 2026)) == 3
    data = _post(world, three[:2], base=[96, 96], value=["99", None])
    data["reason"] = "第三个区县划入开发区统计"
    assert client.post(_url(t), data).status_code == 302
    assert _values(t, 2026) == {three[0].name: Decimal(99), three[1].name: Decimal(98)}
    log = ChangeLog.objects.filter(object_id=str(t.pk), note="第三个区县划入开发区统计").get()
    assert log.before and log.after
    # the dropped district's own target is voided, not left as a stray city target
    assert t.plan.targets.filter(region=three[2], is_void=False).count() == 0


def test_target_without_linked_indicator_is_refused(world, actor, client_for, three):
    t = helpers.target(helpers.plan(world))
    client = client_for("office_admin")
    assert "尚未确认关联指标" in client.get(_url(t)).content.decode()
    response = client.post(_url(t), _post(world, three, base=[96, 96, 96]))
    assert response.status_code == 400 and "尚未确认关联指标" in response.content.decode()
    assert not Decomposition.objects.filter(target=t).exists()


def test_only_the_office_decomposes(world, actor, client_for, three):
    t = _linked(world, value=Decimal("98"))
    assert client_for("market_staff").get(_url(t)).status_code == 403
    assert client_for("auditor").post(_url(t), {}).status_code == 403
    assert (
        "指标分解"
        in client_for("office_admin").get(f"/indicators/targets/{t.pk}/").content.decode()
    )


def test_form_keeps_a_districts_own_rate_target(world, actor, client_for, three):
    t = _linked(world, value=Decimal("98"))
    client = client_for("office_admin")
    client.post(_url(t), _post(world, three, base=[96, 96, 96], value=["99", None, None]))
    page = client.get(_url(t)).content.decode()
    assert f'name="value_{three[0].pk}" value="99"' in page
    assert f'name="value_{three[1].pk}" value=""' in page
