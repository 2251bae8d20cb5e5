"""双随机一公开: commitment before the draw, one public value, verifiable and untouchable."""

import datetime
import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qcity.core.models import ChangeLog, Event
from qcity.inspection import services
from qcity.inspection.models import DrawEntry, InspectionRecord, RandomInspectionTask
from qcity.inspection.tests.helpers import admin
from qcity.registry.models import Enterprise, Inspector, InspectorConflict


def task(world, **extra):
    data = {
        "name": "湖滨区抽查",
        "unit": world.unit("市市场监管局"),
        "region": world.districts[2],
        "period_start": timezone.localdate() - datetime.timedelta(days=5),
        "period_end": timezone.localdate() + datetime.timedelta(days=60),
        "mode": "ratio",
        **extra,
    }
    return services.create_task(data)


def commit(t, user=None, *, fmt="pl5-5x1", hours_ago=2):
    """Commit as the office would, back-dated so the bound issue is already known now:
    committed ``hours_ago`` hours ago, the issue drawn an hour later."""
    now = timezone.now()
    return services.commit_task(
        t,
        user,
        source_name="中国体育彩票“排列5”" if fmt == "pl5-5x1" else "中国福利彩票“双色球”",
        source_issue="26140",
        source_format=fmt,
        available_at=now - datetime.timedelta(hours=hours_ago - 1),
        at=now - datetime.timedelta(hours=hours_ago),
    )


def test_ratios_default_from_rule_table_and_preview(world):
    with admin(world):
        t = task(world)
    t.refresh_from_db()
    assert str(t.ratio_a) == "1.00" and str(t.ratio_d) == "30.00"
    rows = {c: (n, k) for c, n, k in services.preview(t)["rows"]}
    eligible = Enterprise.objects.filter(region=world.districts[2])
    ratios = {"A": t.ratio_a, "B": t.ratio_b, "C": t.ratio_c, "D": t.ratio_d}
    for c, ratio in ratios.items():  # n = ceil(N × ratio / 100) per class
        n = eligible.filter(credit_class=c).count()
        assert rows[c] == (n, math.ceil(n * ratio / 100)), c
    # the world has a D-class enterprise there, so the rounding-up to one is exercised
    assert rows["D"][0] >= 1 and rows["D"][1] >= 1


def test_full_draw_is_published_and_verifies(world, client_for):
    with admin(world):
        t = task(world)
        t = commit(t)
    anonymous = client_for(None)
    page = anonymous.get(f"/public/draws/{t.pk}/").content.decode()
    assert t.commitment["secret_sha256"] in page and t.secret not in page  # secret hidden before
    with admin(world):
        t = services.enter_public_value(t, "1 2 3 4 5", "体彩公告")
    assert t.status == "drawn"
    entries = DrawEntry.objects.filter(task=t)
    assert entries.count() == sum(t.result["allocation"].values())
    for e in entries:
        assert e.inspectors.count() >= 2
    assert services.verify_task(t).ok
    page = anonymous.get(f"/public/draws/{t.pk}/", {"verify": "1"}).content.decode()
    assert t.secret in page and "验证通过" in page
    wrong = anonymous.get(
        f"/public/draws/{t.pk}/", {"verify": "1", "public_value": "99999"}
    ).content.decode()
    assert "验证未通过" in wrong
    record = anonymous.get(f"/public/draws/{t.pk}/record.json")
    assert record.status_code == 200 and record.json()["secret"] == t.secret


def test_public_value_twice_refused_and_traced(world):
    with admin(world):
        t = commit(task(world))
        services.enter_public_value(t, "11111")
        entries = list(DrawEntry.objects.filter(task=t).values_list("pk", flat=True))
        with pytest.raises(ValidationError) as exc:
            services.enter_public_value(t, "22222")
    assert "不能再次录入" in str(exc.value)
    t.refresh_from_db()
    assert t.public_value == "11111"
    assert list(DrawEntry.objects.filter(task=t).values_list("pk", flat=True)) == entries
    types = list(
        Event.objects.filter(object_id=str(t.pk), type__in=["commitment", "drawn"]).values_list(
            "type", flat=True
        )
    )
    assert types == ["commitment", "drawn"]


def test_tampered_list_fails_verification(world):
    with admin(world):
        t = commit(task(world))
        t = services.enter_public_value(t, "33333")
    snap = t.snapshot
    some_class = next(c for c, ids in snap["population"].items() if ids)
    snap["population"][some_class] = snap["population"][some_class][1:]
    RandomInspectionTask.objects.filter(pk=t.pk).update(snapshot=snap)
    t.refresh_from_db()
    report = services.verify_task(t)
    assert not report.ok and any("名录" in m for m in report.mismatches)


def test_draw_asking_more_than_exist_refused(world):
    n_b = Enterprise.objects.filter(region=world.districts[2], credit_class="B").count()
    with admin(world):
        t = task(world, mode="count", count_b=n_b + 5)
        before = ChangeLog.objects.count()
        with pytest.raises(ValidationError) as exc:
            commit(t)
    assert "超过该类检查对象数" in str(exc.value)
    t.refresh_from_db()
    assert t.status == "draft" and not t.secret and ChangeLog.objects.count() == before
    assert "超过" in services.preview(t)["error"]


def test_committed_task_cannot_be_edited_or_deleted(world, client_for):
    with admin(world):
        t = commit(task(world))
        with pytest.raises(ValidationError):
            services.update_task(t, {"name": "改名"})
        with pytest.raises(ValidationError):
            services.delete_task(t)


def test_declared_conflict_is_respected(world):
    with admin(world):
        t = task(world, mode="count", count_b=3)
        enterprises = services.eligible_enterprises(t).filter(credit_class="B")
        inspector = Inspector.objects.get(user=world.user("inspector"))
        # in the task's pool (its unit, active): only the declared conflict keeps them out
        assert inspector.unit_id == t.unit_id and inspector.status == "active"
        for e in enterprises:
            InspectorConflict.objects.create(inspector=inspector, enterprise=e, reason="亲属")
        t = commit(t)
        t = services.enter_public_value(t, "44444")
    entries = DrawEntry.objects.filter(task=t)
    assert entries.count() == 3  # the three B-class enterprises the task asks for
    for entry in entries:
        assert entry.inspectors.exists() and inspector not in entry.inspectors.all()


def test_joint_task_has_one_inspector_per_department(world):
    with admin(world):
        t = task(world, mode="count", count_b=3)
        t.joint_units.set([world.unit("市农业农村局")])
        t = services.enter_public_value(commit(t), "55555")
    entries = DrawEntry.objects.filter(task=t)
    assert entries.count() == 3
    for entry in entries:
        units = {i.unit.short_name for i in entry.inspectors.all()}
        assert {"市市场监管局", "市农业农村局"} <= units


def test_records_published_within_rule_days_and_gsxt_export(world, client_for):
    from qcity.core import workdays

    with admin(world):
        t = services.enter_public_value(commit(task(world, mode="count", count_b=2)), "66666")
        entry = t.entries.first()
        # personal data the public page must mask (the demo's own may be blank)
        Enterprise.objects.filter(pk=entry.enterprise_id).update(
            legal_representative="欧阳建国", address="示例市湖滨区幸福路88号3栋201室"
        )
        entry.refresh_from_db()
        with pytest.raises(ValidationError):
            services.record_inspection(
                {
                    "entry": entry,
                    "inspected_on": timezone.localdate() + datetime.timedelta(days=3),
                    "findings": "x",
                    "outcome": "no_problem",
                }
            )
        record = services.record_inspection(
            {
                "entry": entry,
                "inspected_on": timezone.localdate(),
                "findings": "未发现问题",
                "outcome": "no_problem",
            }
        )
    due, _e = workdays.deadline(timezone.localdate(), 20, "working_days")
    assert record.publish_due == due
    anonymous = client_for(None)
    assert (
        entry.enterprise.name not in anonymous.get("/public/inspection-results/").content.decode()
    )
    with admin(world):
        services.publish_record(record)
    page = anonymous.get(
        "/public/inspection-results/", {"q": entry.enterprise.name}
    ).content.decode()
    assert entry.enterprise.name in page
    # the publicity rules publish neither the representative's name nor the address
    assert "欧阳建国" not in page and "欧***" not in page
    assert "湖滨区幸福路88号" not in page and "示例市****" not in page
    csv_text = (
        client_for("market_staff")
        .get("/inspection/inspectionrecords/gsxt.csv")
        .content.decode("utf-8-sig")
    )
    header = csv_text.splitlines()[0]
    assert header.startswith("统一社会信用代码,企业名称,抽查类型")
    assert entry.enterprise.name in csv_text
    assert InspectionRecord.objects.filter(pk=record.pk, is_public=True).exists()


def test_task_page_shows_numbers_before_draw(world, client_for):
    with admin(world):
        t = task(world)
    client = client_for("market_staff")
    panel = client.get(f"/inspection/randominspectiontasks/{t.pk}/panel/").content.decode()
    assert "抽取户数" in panel and "生成并公布抽取承诺" in panel
    tomorrow = timezone.localtime() + datetime.timedelta(days=1)
    form = {
        "source_name": "中国福利彩票“双色球”",
        "source_issue": "2026141",
        "source_format": "ssq-7x2",
        "source_available_at": tomorrow.strftime("%Y-%m-%dT21:15"),
    }
    assert "值格式" in panel and "最早可知时间" in panel
    assert client.post(f"/inspection/randominspectiontasks/{t.pk}/commit/", form).status_code == 302
    t.refresh_from_db()
    assert t.status == "committed"
    assert (
        client_for("other_district_staff")
        .post(f"/inspection/randominspectiontasks/{t.pk}/public-value/", {"public_value": "1"})
        .status_code
        == 404
    )
