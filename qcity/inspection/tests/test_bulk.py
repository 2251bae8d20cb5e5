"""The staging-table import used for million-row files (bench/supervision)."""

import datetime

from django.utils import timezone

from qcity.inspection import bulk
from qcity.inspection.models import PassRateRollup, Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin
from qcity.registry.models import Enterprise


def csv_text(rows):
    return ",".join(bulk.COLUMNS) + "\n" + "\n".join(",".join(r) for r in rows) + "\n"


def test_bulk_import_validates_set_based_and_is_all_or_nothing(world):
    code = Enterprise.objects.exclude(credit_code=None).first().credit_code
    day = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    future = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    good = [
        [
            "BK0001",
            code,
            "挂面",
            "F010301",
            "990102",
            "circulation",
            day,
            "铅(以Pb计)",
            "0.05mg/kg",
            "≤0.2mg/kg",
        ],
        [
            "BK0002",
            code,
            "挂面",
            "F010301",
            "990102",
            "circulation",
            day,
            "铅(以Pb计)",
            "0.35mg/kg",
            "≤0.2mg/kg",
        ],
        [
            "BK0002",
            code,
            "挂面",
            "F010301",
            "990102",
            "circulation",
            day,
            "菌落总数",
            "2.2×102CFU/g",
            "≤1000CFU/g",
        ],
    ]
    bad = good + [
        [
            "BK0003",
            code,
            "挂面",
            "F999999",
            "990102",
            "circulation",
            day,
            "铅",
            "0.1mg/kg",
            "≤0.2mg/kg",
        ],
        [
            "BK0004",
            code,
            "挂面",
            "F010301",
            "990102",
            "circulation",
            future,
            "铅",
            "0.1mg/kg",
            "≤0.2mg/kg",
        ],
        ["BK0005", code, "挂面", "F010301", "990102", "circulation", day, "铅", "0.1mg/kg", ""],
    ]
    with admin(world):
        plan = helpers.plan(world)
        before = Sample.objects.count()
        refused = bulk.import_csv(plan, csv_text(bad))
        assert refused["created"] == 0 and Sample.objects.count() == before
        reasons = {e["row"]: e["reason"] for e in refused["errors"]}
        assert reasons == {5: "未知类别代码", 6: "抽样日期晚于今天", 7: "缺少标准值"}
        tested_before = sum(PassRateRollup.objects.values_list("tested", flat=True))
        done = bulk.import_csv(plan, csv_text(good))
    assert done["created"] == 2
    assert Sample.objects.get(number="BK0002").conclusion == "fail"
    assert Sample.objects.get(number="BK0001").items.count() == 1
    assert sum(PassRateRollup.objects.values_list("tested", flat=True)) == tested_before + 2
    again = bulk.import_csv(plan, csv_text(good))
    assert again["created"] == 0 and {e["reason"] for e in again["errors"]} == {"该样品已导入"}
