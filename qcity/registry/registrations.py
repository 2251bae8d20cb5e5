from django.utils.translation import gettext_lazy as _

from qcity.core.registry import Column, register

from . import services
from .models import (
    Enterprise,
    Inspector,
    InspectorConflict,
    Licence,
    Product,
    ProductCategory,
    TestingInstitution,
)

GROUP = _("市场主体名录")

register(
    Enterprise,
    fields=[
        "name",
        "credit_code",
        "legal_representative",
        "address",
        "region",
        "industry",
        "scale",
        "enterprise_type",
        "contact_phone",
    ],
    list_display=["name", "credit_code", "region", "enterprise_type", "credit_class", "verified"],
    detail_fields=[
        "name",
        "credit_code",
        "verified",
        "legal_representative",
        "address",
        "region",
        "industry",
        "scale",
        "enterprise_type",
        "credit_class",
        "contact_phone",
    ],
    filter_fields=["region", "credit_class", "enterprise_type", "scale", "verified"],
    search_fields=["name", "credit_code"],
    menu_group=GROUP,
    create=services.create_enterprise,
    update=services.update_enterprise,
    masked={"legal_representative": "person_name", "address": "address", "contact_phone": "phone"},
    import_columns=[
        Column(_("名称"), "name", required=True),
        Column(_("统一社会信用代码"), "credit_code", help=_("18位；没有代码的须填写住所")),
        Column(_("法定代表人"), "legal_representative"),
        Column(_("住所"), "address"),
        Column(_("区划代码"), "region", required=True, lookup="code", help=_("GB/T 2260 六位代码")),
        Column(_("所属行业"), "industry"),
        Column(_("企业规模"), "scale", help=_("large/medium/small/micro/individual")),
        Column(
            _("主体类型"),
            "enterprise_type",
            help=_("producer=生产企业 distributor=流通企业 catering=餐饮 online=网络经营者 other"),
        ),
    ],
    import_key=["credit_code"],
    select_related=["region"],
    detail_template="registry/enterprise_detail.html",
)
register(
    Licence,
    fields=["enterprise", "kind", "number", "scope_text", "valid_from", "valid_to"],
    list_display=["number", "enterprise", "kind", "valid_to"],
    filter_fields=["kind"],
    search_fields=["number", "enterprise__name"],
    menu_group=GROUP,
    import_columns=[
        Column(_("统一社会信用代码"), "enterprise", required=True, lookup="credit_code"),
        Column(_("许可证类别"), "kind", required=True, help=_("sc/xk/jy")),
        Column(_("许可证编号"), "number", required=True),
        Column(_("许可范围"), "scope_text"),
        Column(_("有效期起"), "valid_from", help=_("YYYY-MM-DD")),
        Column(_("有效期至"), "valid_to", required=True, help=_("YYYY-MM-DD")),
    ],
    import_key=["number"],
    select_related=["enterprise"],
)
register(
    Product,
    fields=["enterprise", "name", "category", "brand", "spec"],
    list_display=["name", "enterprise", "category", "brand"],
    filter_fields=["category"],
    search_fields=["name", "enterprise__name", "brand"],
    menu_group=GROUP,
    import_columns=[
        Column(_("统一社会信用代码"), "enterprise", required=True, lookup="credit_code"),
        Column(_("产品名称"), "name", required=True),
        Column(_("类别代码"), "category", required=True, lookup="code"),
        Column(_("商标"), "brand"),
        Column(_("规格型号"), "spec"),
    ],
    import_key=["enterprise", "name", "spec"],
    select_related=["enterprise", "category"],
)
register(
    ProductCategory,
    fields=["code", "name", "kind", "level", "parent"],
    list_display=["code", "name", "kind", "level", "parent"],
    filter_fields=["kind", "level"],
    search_fields=["code", "name"],
    menu_group=GROUP,
    import_columns=[
        Column(_("类别代码"), "code", required=True),
        Column(_("类别名称"), "name", required=True),
        Column(_("类别体系"), "kind", required=True, help=_("food/product")),
        Column(_("层级"), "level", required=True),
        Column(_("上级类别代码"), "parent", lookup="code"),
    ],
    import_key=["code"],
    select_related=["parent"],
)
register(
    Inspector,
    fields=["user", "unit", "certificate_no", "qualifications", "status"],
    list_display=["certificate_no", "user", "unit", "qualifications", "status"],
    filter_fields=["unit", "status"],
    search_fields=["certificate_no", "user__display_name", "user__username"],
    menu_group=GROUP,
    create=services.create_inspector,
    import_columns=[
        Column(_("用户名"), "user", required=True, lookup="username"),
        Column(_("单位名称"), "unit", required=True, lookup="name"),
        Column(_("执法证号"), "certificate_no", required=True),
        Column(_("执法领域与资质"), "qualifications"),
    ],
    import_key=["certificate_no"],
    select_related=["user", "unit"],
)
register(
    InspectorConflict,
    fields=["inspector", "enterprise", "reason"],
    list_display=["inspector", "enterprise", "reason"],
    search_fields=["enterprise__name", "inspector__certificate_no"],
    menu_group=GROUP,
    select_related=["inspector__user", "enterprise"],
)
register(
    TestingInstitution,
    fields=["name", "cma_no", "cnas_no", "scope_text", "address", "is_active"],
    list_display=["name", "cma_no", "cnas_no", "is_active"],
    filter_fields=["is_active"],
    search_fields=["name", "cma_no", "cnas_no"],
    menu_group=GROUP,
    import_columns=[
        Column(_("机构名称"), "name", required=True),
        Column(_("CMA资质认定证书编号"), "cma_no"),
        Column(_("CNAS认可编号"), "cnas_no"),
        Column(_("检验能力范围"), "scope_text"),
        Column(_("地址"), "address"),
    ],
    import_key=["name"],
)
