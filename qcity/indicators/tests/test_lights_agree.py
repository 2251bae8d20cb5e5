"""One light per target and month: the home page (read from the month's light row) and the plan
overview (computed live) show the same counts on the demo as built and right after an import
changes the figures."""

import datetime
import re

from qcity.plans.demo import city_plan


def home_counts(client):
    page = client.get("/").content.decode()
    return dict(re.findall(r'qc-light qc-light-(\w+)"></span> [^<]+<strong>(\d+)</strong>', page))


def overview_counts(client, plan):
    page = client.get(f"/indicators/plans/{plan.pk}/").content.decode()
    found = re.findall(
        r'qc-light qc-light-(\w+)"></span> [^<]+</div><div class="qc-stat">(\d+)</div>', page
    )
    return dict(found)


def test_home_and_plan_overview_show_the_same_lights(world, client_for, settings):
    from qcity.core.demo import _take_lights

    _take_lights()  # what the demo build and the daily scan do
    client = client_for("office_admin")
    home, overview = home_counts(client), overview_counts(client, city_plan())
    assert home and sum(int(n) for n in home.values()) > 0
    assert home == {light: overview.get(light, "0") for light in home}


def test_lights_follow_a_recompute_at_once(world, client_for):
    from django.utils import timezone

    from qcity.core import jobs
    from qcity.indicators import services
    from qcity.indicators.models import LightSnapshot

    client = client_for("office_admin")
    # the sampling of the past year becomes computed figures, as the job an import queues does
    start = services.month_bounds(
        timezone.localdate().replace(day=1) - datetime.timedelta(days=330)
    )[0]
    end = services.month_bounds(timezone.localdate())[1]
    job = jobs.enqueue("indicators.recompute", start=start.isoformat(), end=end.isoformat())
    assert job.result["written"] > 0
    assert LightSnapshot.objects.filter(taken_at__gte=job.created_at).exists()
    home, overview = home_counts(client), overview_counts(client, city_plan())
    assert home and home == {light: overview.get(light, "0") for light in home}
