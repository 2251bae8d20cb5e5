from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "qcity.plans"
    label = "plans"
    verbose_name = _("规划计划")

    def ready(self):
        from qcity.core.views import HOME_PANELS

        from . import views

        if views.home_panel not in HOME_PANELS:
            HOME_PANELS.append(views.home_panel)
