"""Public pages and JSON publish what the 双随机一公开 publicity rules publish and nothing more
(issue 10; REFERENCE.md §2): entity name, credit code, task, authority, date and result. A
firm's credit-risk class and its representative's name or address are internal."""

import json

from django.utils import timezone

from qcity.inspection import services
from qcity.inspection.tests.helpers import admin
from qcity.inspection.tests.test_draws import commit, task
from qcity.registry.models import Enterprise


def _drawn(world):
    with admin(world):
        return services.enter_public_value(
            commit(task(world, mode="count", count_b=2, count_d=1)), "77777"
        )


def test_anonymous_draw_json_lists_no_credit_class(world, client_for):
    t = _drawn(world)
    classes = t.snapshot["population"]
    assert len(classes) >= 2  # the world's population spans several classes
    body = client_for(None).get(f"/public/draws/{t.pk}/record.json").json()
    # the ids are published (the commitment covers them), the class of each is not
    assert body["enterprises"] == sorted(e for ids in classes.values() for e in ids)
    assert "selected" not in body["result"] and "allocation" not in body["result"]
    assert body["result"]["order"] == t.result["order"]
    assert body["secret"] == t.secret and "企业信用风险分类" in body["note"]
    text = json.dumps(body, ensure_ascii=False)
    for cls, ids in classes.items():
        assert json.dumps({cls: ids}, ensure_ascii=False)[1:-1] not in text


def test_office_still_downloads_the_full_draw_record(world, client_for):
    t = _drawn(world)
    body = client_for("office_admin").get(f"/public/draws/{t.pk}/record.json").json()
    assert body["enterprises"] == t.snapshot["population"]
    assert body["result"]["selected"] == t.result["selected"]


def test_public_draw_page_shows_no_credit_class(world, client_for):
    t = _drawn(world)
    page = client_for(None).get(f"/public/draws/{t.pk}/").content.decode()
    entries = list(t.entries.all())
    assert entries and all(e.enterprise.name in page for e in entries)
    assert "<th>类别</th>" not in page
    for e in entries:
        assert f"<td>{e.credit_class}</td>" not in page


def test_public_results_publish_only_what_the_rules_publish(world, client_for):
    t = _drawn(world)
    entry = t.entries.select_related("enterprise").first()
    Enterprise.objects.filter(pk=entry.enterprise_id).update(
        legal_representative="欧阳建国", address="示例市湖滨区幸福路88号3栋201室"
    )
    entry.refresh_from_db()
    with admin(world):
        record = services.record_inspection(
            {
                "entry": entry,
                "inspected_on": timezone.localdate(),
                "findings": "未发现问题",
                "outcome": "no_problem",
            }
        )
        services.publish_record(record)
    page = (
        client_for(None)
        .get("/public/inspection-results/", {"q": entry.enterprise.name})
        .content.decode()
    )
    e = entry.enterprise
    for shown in (e.name, t.name, t.unit.name, record.get_outcome_display()):
        assert shown in page
    assert (e.credit_code or "—") in page
    assert timezone.localdate().isoformat() in page
    # neither the representative nor the address, masked or not; no credit class
    assert "欧阳建国" not in page and "欧***" not in page and "法定代表人" not in page
    assert "幸福路" not in page and "示例市****" not in page and "住所" not in page
    assert "信用风险" not in page
