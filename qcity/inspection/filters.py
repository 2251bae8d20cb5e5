"""The sample filter set: serves the sample list, its export, the API and the drill-down
links of the computed indicators (the list shows exactly the samples counted)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qcity.core.generic import SearchFilterSet
from qcity.core.models import Region

from .choices import Channel, Conclusion, Level, SampleType
from .models import Sample


class SampleFilterSet(SearchFilterSet):
    search_fields = ["number", "product_name", "producer__name", "sampled_unit__name"]

    def search(self, queryset, name, value):
        # imported rows keep their published (possibly traditional) text; search_text holds
        # a simplified copy, matched with the simplified query
        from django.db.models import Q

        from .result_tables import simplify

        value = (value or "").strip()
        found = super().search(queryset, name, value)
        if not value:
            return found
        return found | queryset.filter(Q(search_text__icontains=simplify(value)))

    kind = django_filters.ChoiceFilter(
        label=_("类别体系"), choices=[("food", _("食品")), ("product", _("工业产品"))]
    )
    conclusion = django_filters.ChoiceFilter(label=_("检验结论"), choices=Conclusion.choices)
    sample_type = django_filters.MultipleChoiceFilter(
        label=_("抽检类型"), choices=SampleType.choices
    )
    level = django_filters.MultipleChoiceFilter(label=_("组织层级"), choices=Level.choices)
    channel = django_filters.MultipleChoiceFilter(label=_("抽样环节"), choices=Channel.choices)
    category_code = django_filters.CharFilter(
        label=_("类别代码"), field_name="category_code", lookup_expr="startswith"
    )
    region = django_filters.ModelChoiceFilter(
        label=_("区划（含下级）"), queryset=Region.objects.all(), method="in_region"
    )
    sampled_on = django_filters.DateFromToRangeFilter(label=_("抽样日期"))
    counted = django_filters.BooleanFilter(label=_("计入合格率统计"), method="only_counted")

    class Meta:
        model = Sample
        fields = ["plan"]

    def in_region(self, queryset, name, value):
        return queryset.filter(region_id__in=value.subtree_ids()) if value else queryset

    def only_counted(self, queryset, name, value):
        if value is None:
            return queryset
        counted = dict(
            is_void=False, overturned=False, conclusion__in=[Conclusion.PASS, Conclusion.FAIL]
        )
        return queryset.filter(**counted) if value else queryset.exclude(**counted)
