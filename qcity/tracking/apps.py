from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    name = "qcity.tracking"
    label = "tracking"
    verbose_name = _("督查督办")

    def ready(self):
        from qcity.core.views import HOME_PANELS

        from . import views

        if views.home_panel not in HOME_PANELS:
            HOME_PANELS.append(views.home_panel)
        try:
            from qcity.indicators import views as indicator_views
        except ImportError:
            return
        panels = getattr(indicator_views, "PLAN_OVERVIEW_PANELS", None)
        if panels is not None and views.plan_panel_for_indicators not in panels:
            panels.append(views.plan_panel_for_indicators)
