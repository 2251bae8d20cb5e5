from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "qcity.inspection"
    label = "inspection"
    verbose_name = _("监督抽查与抽检")

    def ready(self):
        from qcity.core import public
        from qcity.core.views import HOME_PANELS

        from . import computers, registrations  # noqa: F401
        from .views import home_panel

        HOME_PANELS.append(home_panel)
        public.add(
            _("不合格产品信息"),
            "core:inspection_public_unqualified",
            _("食品安全抽检和产品质量监督抽查中检出的不合格产品"),
        )
        public.add(
            _("双随机抽查结果"),
            "core:inspection_public_results",
            _("双随机一公开抽查检查结果，含抽取过程的公开验证"),
        )
        public.add(
            _("双随机抽取公示与验证"),
            "core:inspection_public_draws",
            _("抽取前公布的承诺、抽取后公开的密钥与名单，可当场复核"),
        )
