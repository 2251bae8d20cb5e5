from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "qcity.registry"
    label = "registry"
    verbose_name = _("市场主体名录")

    def ready(self):
        from . import registrations, search  # noqa: F401
