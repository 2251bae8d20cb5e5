"""A draw nobody can steer (issue 11): the commitment binds the public randomness source, the
value is canonicalised, every entry (refused ones too) is kept and shown, the public page and
the verification read the same rows, and the secret stays hidden until the reveal."""

import datetime
import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qcity.core.models import ChangeLog, Event
from qcity.inspection import draw as D
from qcity.inspection import services
from qcity.inspection.models import DrawEntry, PublicValueEntry, RandomInspectionTask
from qcity.inspection.tests.helpers import admin
from qcity.inspection.tests.test_draws import commit, task
from qcity.registry.models import Inspector

SSQ = "01 05 12 18 25 33 07"
# ten ways people copy one 双色球 result from its announcement
SSQ_WRITINGS = [
    "01 05 12 18 25 33 07",
    "01,05,12,18,25,33,07",
    "01 05 12 18 25 33 + 07",
    "1 5 12 18 25 33 7",
    "０１　０５　１２　１８　２５　３３　０７",
    "红球：01 05 12 18 25 33 蓝球：07",
    "01-05-12-18-25-33|07",
    "33 25 18 12 05 01 + 07",
    "01、05、12、18、25、33、07",
    " 01 05 12 18 25 33 07 \n",
]


def _page(client, t, **params):
    return client.get(f"/public/draws/{t.pk}/", params).content.decode()


def test_ten_writings_of_one_result_give_one_draw():
    pop = {"A": [f"E{k:03d}" for k in range(40)], "B": [f"F{k:03d}" for k in range(40)]}
    insp = {f"P{k}": "" for k in range(8)}
    params = D.DrawParams(team_size=2, counts={"A": 3, "B": 3})
    source = D.PublicSource(
        "中国福利彩票“双色球”", "2026140", "ssq-7x2", "2026-12-01T13:15:00Z", "2026-11-30T02:00:00Z"
    )
    results = {
        json.dumps(D.draw("ab" * 32, w, pop, insp, params, source=source).as_dict())
        for w in SSQ_WRITINGS
    }
    assert len(results) == 1
    assert json.loads(results.pop())["public_value"] == SSQ
    for bad in ["01 05 12 18 25 33", "2026140期 01 05 12 18 25 33 07", "01 05 12 18 25 34 07"]:
        with pytest.raises(D.DrawError):
            D.draw("ab" * 32, bad, pop, insp, params, source=source)


def test_commit_page_refuses_an_earliest_time_not_after_the_commitment(world, client_for):
    with admin(world):
        t = task(world)
    client = client_for("market_staff")
    past = timezone.localtime() - datetime.timedelta(hours=1)
    response = client.post(
        f"/inspection/randominspectiontasks/{t.pk}/commit/",
        {
            "source_name": "中国福利彩票“双色球”",
            "source_issue": "2026140",
            "source_format": "ssq-7x2",
            "source_available_at": past.strftime("%Y-%m-%dT%H:%M"),
        },
        follow=True,
    )
    assert "必须晚于承诺公布时间" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "draft" and not t.secret
    with admin(world), pytest.raises(ValidationError) as exc:
        services.commit_task(t)  # no source at all
    assert "公开随机数来源" in str(exc.value)


def test_commitment_shows_and_binds_the_source(world, client_for):
    with admin(world):
        t = commit(task(world), fmt="ssq-7x2")
    page = _page(client_for(None), t)
    for text in ("中国福利彩票“双色球”", "26140", "6个红球", "最早可知时间"):
        assert text in page
    assert t.commitment["source_sha256"] in page
    # the issue's result is already known (an hour ago) and nothing was entered: said openly
    assert "尚未录入公开随机数、完成抽取" in page
    with admin(world):
        t = services.enter_public_value(t, SSQ)
    assert "验证通过" in _page(client_for(None), t, verify="1")
    # the issue changed after the fact no longer matches the published hash
    RandomInspectionTask.objects.filter(pk=t.pk).update(source_issue="26141")
    page = _page(client_for(None), t, verify="1")
    assert "验证通过" not in page and "公开随机数来源摘要" in page


def test_value_before_earliest_time_refused_and_kept_on_public_page(world, client_for):
    with admin(world):
        t = task(world)
        t = services.commit_task(
            t,
            source_name="中国福利彩票“双色球”",
            source_issue="2026141",
            source_format="ssq-7x2",
            available_at=timezone.now() + datetime.timedelta(days=1),
        )
    client = client_for("market_staff")
    response = client.post(
        f"/inspection/randominspectiontasks/{t.pk}/public-value/",
        {"public_value": SSQ},
        follow=True,
    )
    assert "此前不能录入" in response.content.decode()
    t.refresh_from_db()
    assert t.status == "committed" and not t.public_value
    kept = PublicValueEntry.objects.get(task=t)
    assert not kept.accepted and "此前不能录入" in kept.reason
    page = _page(client_for(None), t)
    assert "已拒绝" in page and "此前不能录入" in page and SSQ in page
    assert Event.objects.filter(object_id=str(t.pk), type="public_value_refused").exists()


def test_value_is_canonicalised_stored_as_published_and_misfits_refused(world, client_for):
    with admin(world):
        t = commit(task(world), fmt="ssq-7x2")
        with pytest.raises(ValidationError) as exc:
            services.enter_public_value(t, "2026140期 01 05 12 18 25 33 07")
    assert "不符合承诺的格式" in str(exc.value)
    with admin(world):
        t = services.enter_public_value(t, "红球：33 25 18 12 05 01 蓝球：07")
    t.refresh_from_db()
    assert t.public_value == "红球：33 25 18 12 05 01 蓝球：07"
    assert t.public_value_canonical == SSQ and t.result["public_value"] == SSQ
    page = _page(client_for(None), t, verify="1")
    assert "验证通过" in page and "不符合承诺的格式" in page
    # an independent announcement written another way still agrees
    assert "验证通过" in _page(client_for(None), t, verify="1", public_value="01,05,12,18,25,33+07")


def test_second_entry_refused_and_kept_through_the_page(world, client_for):
    with admin(world):
        t = services.enter_public_value(commit(task(world)), "71930")
    client = client_for("market_staff")
    response = client.post(
        f"/inspection/randominspectiontasks/{t.pk}/public-value/",
        {"public_value": "12345"},
        follow=True,
    )
    assert "不能再次录入" in response.content.decode()
    rows = list(PublicValueEntry.objects.filter(task=t).values_list("value", "accepted"))
    assert rows == [("71930", True), ("12345", False)]
    page = _page(client_for(None), t, verify="1")
    assert "12345" in page and "不能再次录入" in page and "验证通过" in page


def test_changed_entry_row_fails_verification_on_public_page(world, client_for):
    with admin(world):
        t = services.enter_public_value(commit(task(world)), "71930")
    anonymous = client_for(None)
    assert "验证通过" in _page(anonymous, t, verify="1")
    entry = DrawEntry.objects.filter(task=t).first()
    team = list(entry.inspectors.all())
    outsider = Inspector.objects.exclude(pk__in=[i.pk for i in team]).first()
    entry.inspectors.set([team[0], outsider])  # swap one inspector, stored row only
    page = _page(anonymous, t, verify="1")
    assert "验证通过" not in page and "验证未通过" in page
    entry.inspectors.set(team)
    assert "验证通过" in _page(anonymous, t, verify="1")
    # the stored canonical value changed alone
    RandomInspectionTask.objects.filter(pk=t.pk).update(public_value_canonical="7 1 9 3 1")
    assert "验证通过" not in _page(anonymous, t, verify="1")


def test_changed_stored_result_fails_verification(world, client_for):
    with admin(world):
        t = services.enter_public_value(commit(task(world)), "71930")
    result = dict(t.result)
    first = result["order"][0]
    result["teams"] = {**result["teams"], first: list(reversed(result["teams"][first]))}
    RandomInspectionTask.objects.filter(pk=t.pk).update(result=result)
    assert "验证通过" not in _page(client_for(None), t, verify="1")


def test_ended_period_cannot_be_drawn(world):
    with admin(world):
        ended = task(
            world,
            period_start=timezone.localdate() - datetime.timedelta(days=60),
            period_end=timezone.localdate() - datetime.timedelta(days=1),
        )
        with pytest.raises(ValidationError) as exc:
            commit(ended)
        assert "检查期已于" in str(exc.value)
        t = commit(task(world))
    RandomInspectionTask.objects.filter(pk=t.pk).update(
        period_end=timezone.localdate() - datetime.timedelta(days=1)
    )
    with admin(world), pytest.raises(ValidationError) as exc:
        services.enter_public_value(t, "71930")
    assert "检查期已于" in str(exc.value) and "不能再抽取" in str(exc.value)
    t.refresh_from_db()
    assert t.status == "committed" and not DrawEntry.objects.filter(task=t).exists()


def test_commitment_and_draw_times_are_distinct_and_shown(world, client_for):
    with admin(world):
        t = services.enter_public_value(commit(task(world), hours_ago=3), "71930")
    assert t.committed_at < t.source_available_at <= t.drawn_at
    page = _page(client_for(None), t)
    local = timezone.localtime
    assert "承诺公布时间" in page and "抽取时间" in page
    assert local(t.committed_at).strftime("%Y-%m-%d %H:%M:%S") in page
    assert local(t.drawn_at).strftime("%Y-%m-%d %H:%M:%S") in page


def test_secret_hidden_everywhere_before_the_reveal(world, client_for):
    """Everything a person or a dump could see before the draw is captured, then the draw
    reveals the secret and none of the captures may contain it."""
    from django.core import serializers

    with admin(world):
        t = commit(task(world))
    seen = []
    logs = ChangeLog.objects.filter(object_id=str(t.pk))
    assert logs.exists() and "密钥" in " ".join(logs.values_list("note", flat=True))
    seen += [json.dumps(row, ensure_ascii=False) for row in logs.values("before", "after", "note")]
    seen += [
        json.dumps(row, ensure_ascii=False)
        for row in Event.objects.filter(object_id=str(t.pk)).values("params", "label")
    ]
    # the database row itself, as a dump or an unencrypted backup would hold it
    seen.append(serializers.serialize("json", RandomInspectionTask.objects.filter(pk=t.pk)))
    staff = client_for("office_admin")
    for url in (
        f"/api/inspection/randominspectiontasks/{t.pk}/",
        "/api/inspection/randominspectiontasks/",
    ):
        response = staff.get(url)
        assert response.status_code == 200
        seen.append(response.content.decode())
    export = staff.get("/inspection/randominspectiontasks/", {"export": "csv"})
    assert export.status_code == 200
    seen.append(export.content.decode("utf-8-sig"))
    for who in ("office_admin", "auditor", "inspector", None):
        client = client_for(who)
        seen.append(client.get(f"/public/draws/{t.pk}/").content.decode())
        seen.append(client.get(f"/inspection/randominspectiontasks/{t.pk}/panel/").content.decode())
        assert client.get(f"/public/draws/{t.pk}/record.json").status_code == 404
    with admin(world):
        t = services.enter_public_value(t, "71930")
    secret = t.secret
    assert (
        len(secret) == 64
        and t.commitment["secret_sha256"] == hashlib.sha256(bytes.fromhex(secret)).hexdigest()
    )
    for text in seen:
        assert secret not in text
    # revealed with the draw, on the public page and in the record
    assert secret in _page(client_for(None), t)
    assert client_for(None).get(f"/public/draws/{t.pk}/record.json").json()["secret"] == secret
