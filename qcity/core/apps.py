from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qcity.core"
    label = "core"
    verbose_name = _("平台")

    def ready(self):
        from . import checks, security, signals, tokens  # noqa: F401

        security.connect_signals()
        tokens.connect_signals()
