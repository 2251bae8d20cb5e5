from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_library(sender, **kwargs):
    """``migrate`` loads the indicator library fixture (the repo's, never ../shared)."""
    from . import services

    services.load_library()


class IndicatorsConfig(AppConfig):
    name = "qcity.indicators"
    label = "indicators"
    verbose_name = _("指标与目标")

    def ready(self):
        from qcity.core.views import HOME_PANELS

        from . import views

        post_migrate.connect(_load_library, sender=self, dispatch_uid="indicators_library")
        if views.home_panel not in HOME_PANELS:
            HOME_PANELS.append(views.home_panel)
