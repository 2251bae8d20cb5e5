"""Chinese labels for an indicator variant's parameters (issue 9: never raw JSON on a page).

``variant_label({"product_type": "水产品", "stage": "产地"})`` → "产品类别：水产品；环节：产地".
One helper for every page that names a variant (target, mapping, indicator trend); the keys are
those of ``library.json`` ``parameters``. ``parse_variant`` reads the same words back, so the
office edits a variant as it reads it, never as JSON.
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARAM_LABELS = {
    "sample_type": gettext_lazy("抽检类型"),
    "category": gettext_lazy("类别"),
    "level": gettext_lazy("层级"),
    "sector": gettext_lazy("行业"),
    "monitoring_type": gettext_lazy("监测类型"),
    "product_type": gettext_lazy("产品类别"),
    "product_category": gettext_lazy("产品类别"),
    "stage": gettext_lazy("环节"),
    "project_scale": gettext_lazy("工程规模"),
    "project_type": gettext_lazy("工程类型"),
    "first_pass": gettext_lazy("一次验收"),
    "gold": gettext_lazy("金奖"),
    "measure": gettext_lazy("统计口径"),
    "equipment": gettext_lazy("设备种类"),
    "include_nomination": gettext_lazy("含提名奖"),
    "award_name": gettext_lazy("奖项名称"),
    "object": gettext_lazy("对象"),
    "period": gettext_lazy("统计期"),
    "brand_type": gettext_lazy("品牌类型"),
    "industry": gettext_lazy("行业"),
    "action": gettext_lazy("建设方式"),
    "cert": gettext_lazy("认证类型"),
    "input": gettext_lazy("投入品"),
    "domain": gettext_lazy("领域"),
    "role": gettext_lazy("参与方式"),
    "statistic": gettext_lazy("取平均值"),
    "scheme": gettext_lazy("认证体系"),
    "type": gettext_lazy("主体类型"),
    "cluster_type": gettext_lazy("集群类型"),
    "revenue_threshold": gettext_lazy("营业收入门槛（亿元）"),
    "min_grade": gettext_lazy("最低等级"),
    "housing": gettext_lazy("用房类型"),
    "space": gettext_lazy("场地类型"),
    "service": gettext_lazy("服务类型"),
}


def _value(value) -> str:
    if value is True:
        return _("是")
    if value is False:
        return _("否")
    if isinstance(value, (list, tuple)):
        return "、".join(_value(v) for v in value)
    return str(value)


def variant_label(params: dict | None, empty: str | None = None) -> str:
    """ "产品类别：水产品；环节：产地" — or ``empty`` (default "总体") for no parameters."""
    if not params:
        return _("总体") if empty is None else empty
    # in the order of PARAM_LABELS: PostgreSQL's jsonb does not keep the order keys were written
    order = {key: n for n, key in enumerate(PARAM_LABELS)}
    keys = sorted(params, key=lambda key: (order.get(key, len(order)), key))
    return "；".join(
        _("{name}：{value}").format(name=PARAM_LABELS.get(key, key), value=_value(params[key]))
        for key in keys
    )


def parse_variant(text: str) -> dict:
    """The parameters written as ``variant_label`` writes them ("产品类别：水产品；环节：产地";
    "是/否" for yes and no, "、" between several values; a parameter's key is accepted for its
    Chinese name). Empty text or "总体" is no parameter. A JSON object is still read, for text
    pasted from an export. Raises ValidationError, in Chinese, naming what is not understood."""
    text = (text or "").strip()
    if not text or text == _("总体"):
        return {}
    if text.startswith("{"):
        try:
            params = json.loads(text)
        except json.JSONDecodeError:
            params = None
        if not isinstance(params, dict):
            raise ValidationError(_("变体参数无法识别，请按“名称：值；名称：值”填写"))
        return params
    by_name = {str(label): key for key, label in PARAM_LABELS.items()}
    params = {}
    for part in filter(None, (p.strip() for p in re.split(r"[；;\n]", text))):
        name, sep, value = [*re.split(r"([：:])", part, maxsplit=1), "", ""][:3]
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise ValidationError(
                _("“{part}”缺少名称或取值，请按“名称：值”填写，例如 产品类别：水产品").format(
                    part=part
                )
            )
        key = by_name.get(name) or (name if name in PARAM_LABELS else None)
        if key is None:
            raise ValidationError(
                _("无法识别参数“{name}”，可用的参数：{names}").format(
                    name=name, names="、".join(sorted(by_name))
                )
            )
        if key in params:
            raise ValidationError(_("参数“{name}”填写了两次").format(name=name))
        values = [v.strip() for v in re.split(r"[、,，]", value) if v.strip()]
        words = {_("是"): True, _("否"): False}
        values = [words.get(v, v) for v in values]
        params[key] = values[0] if len(values) == 1 else values
    return params
