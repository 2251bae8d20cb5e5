from django import forms
from django.utils.translation import gettext_lazy as _

from qcity.core.generic import ScopedModelForm
from qcity.core.models import OrgUnit

from .models import Observation


class ObservationForm(ScopedModelForm):
    """Unit staff choose among their own units; the value may carry its unit ("98.5%")."""

    value = forms.CharField(label=_("数值"), help_text=_("可带单位，如 98.5%，单位须与指标一致"))

    class Meta:
        model = Observation
        fields = [
            "indicator",
            "region",
            "period_kind",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "unit",
            "evidence",
        ]
        widgets = {
            "period_start": forms.DateInput(),
            "period_end": forms.DateInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if user is not None and not user.is_office_admin:
            units = OrgUnit.objects.filter(pk__in=user.unit_ids())
            self.fields["unit"].queryset = units
            if not self.instance.pk and len(units) == 1:  # a unit's staff: their unit and region
                self.initial.setdefault("unit", units[0].pk)
                self.initial.setdefault("region", units[0].region_id)
        if self.instance.pk:
            self.initial["value"] = f"{self.instance.value.normalize():f}"
        self.fields["period_kind"].help_text = _(
            "须与指标规定的报送周期一致；累计值指标的统计期从1月1日起"
        )
        for name in ("period_start", "period_end"):
            self.fields[name].widget.input_type = "date"
