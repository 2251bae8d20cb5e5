"""Property-based test: random sequences of results, overturns, voids and edits keep the
pre-aggregated rollup equal to a direct count of the samples."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcity.inspection import services
from qcity.inspection.models import PassRateRollup, Sample
from qcity.inspection.tests import helpers
from qcity.inspection.tests.helpers import admin

TODAY = timezone.localdate()
CATEGORIES = ["F010101", "F010301", "F330101", "F050101"]
CHANNELS = ["production", "circulation", "catering", "online"]

operation = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(CATEGORIES),
        st.sampled_from(CHANNELS),
        st.integers(0, 3),
        st.integers(1, 400),
    ),
    st.tuples(st.just("result"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(st.just("overturn"), st.integers(0, 50)),
    st.tuples(
        st.just("edit"),
        st.integers(0, 50),
        st.sampled_from(CHANNELS),
        st.integers(0, 3),
        st.integers(1, 400),
    ),
)


def rollup_cells():
    return {
        (c.kind, c.category_code, c.region_id, c.level, c.sample_type, c.channel, c.month): (
            c.tested,
            c.qualified,
        )
        for c in PassRateRollup.objects.all()
        if c.tested or c.qualified
    }


def direct_cells():
    rows = (
        Sample.objects.filter(is_void=False, overturned=False, conclusion__in=["pass", "fail"])
        .annotate(m=TruncMonth("sampled_on"))
        .values("kind", "category_code", "region_id", "level", "sample_type", "channel", "m")
        .annotate(t=Count("pk"), q=Count("pk", filter=Q(conclusion="pass")))
    )
    return {
        (
            r["kind"],
            r["category_code"],
            r["region_id"],
            r["level"],
            r["sample_type"],
            r["channel"],
            r["m"],
        ): (r["t"], r["q"])
        for r in rows
    }


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_rollup_equals_direct_count(world, ops):
    from django.core.exceptions import ValidationError

    from qcity.registry.models import ProductCategory

    with admin(world):
        plan = helpers.plan(world)
        made = []
        for op in ops:
            try:
                if op[0] == "create":
                    _k, code, channel, district, days = op
                    made.append(
                        helpers.sample(
                            world,
                            the_plan=plan,
                            category=code,
                            channel=channel,
                            district=district,
                            on=TODAY - datetime.timedelta(days=days),
                        )
                    )
                elif not made:
                    continue
                elif op[0] == "result":
                    s = made[op[1] % len(made)]
                    services.record_result(s, helpers.PASS if op[2] else helpers.FAIL)
                elif op[0] == "void":
                    services.void_sample(made[op[1] % len(made)], "测试作废")
                elif op[0] == "overturn":
                    services.overturn(made[op[1] % len(made)])
                elif op[0] == "edit":
                    s = Sample.objects.get(pk=made[op[1] % len(made)].pk)
                    services.update_sample(
                        s,
                        {
                            "channel": op[2],
                            "region": world.districts[op[3]],
                            "sampled_on": TODAY - datetime.timedelta(days=op[4]),
                            "category": ProductCategory.objects.get(code=s.category_code),
                        },
                    )
            except ValidationError:
                pass  # refused operations must leave the counts alone too
            assert rollup_cells() == direct_cells()
