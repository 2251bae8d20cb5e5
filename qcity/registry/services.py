"""State changes of the registry (PATTERNS.md 5): one business action per function, in one
transaction, with the change log."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qcity.core import audit, services
from qcity.core.choices import ChangeAction

from .choices import CategoryKind, CreditClass
from .models import CreditClassChange, Enterprise, ProductCategory

CATEGORY_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "categories.txt"


def create_enterprise(data: dict, user=None):
    """Create a market entity; the credit class is never set here (see ``set_credit_class``)."""
    data = {k: v for k, v in data.items() if k != "credit_class"}
    code = (data.get("credit_code") or "").strip() or None
    with transaction.atomic():
        if code is None:
            name, address = (data.get("name") or "").strip(), (data.get("address") or "").strip()
            if Enterprise.objects.filter(credit_code=None, name=name, address=address).exists():
                raise ValidationError(_("已有同名同住所的未核验市场主体，请勿重复登记"))
        return services.create_object(Enterprise, {**data, "credit_code": code}, user)


def update_enterprise(obj, data: dict, user=None, expected_version=None):
    data = {k: v for k, v in data.items() if k != "credit_class"}
    if "credit_code" in data:
        data["credit_code"] = (data["credit_code"] or "").strip() or None
    return services.update_object(obj, data, user, expected_version)


def set_credit_class(enterprise, cls: str, user=None, reason: str = ""):
    """The only way to change a credit-risk class: writes the history row (who/when/why)."""
    reason = (reason or "").strip()
    if cls not in CreditClass.values:
        raise ValidationError({"credit_class": _("信用风险分类只能是A、B、C、D之一")})
    if not reason:
        raise ValidationError({"reason": _("调整信用风险分类必须说明原因")})
    with transaction.atomic():
        current = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if current.credit_class == cls:
            raise ValidationError(_("该市场主体已是{cls}类，无需调整").format(cls=cls))
        before = audit.snapshot(current)
        actor = user if user is not None else audit.current_actor()
        CreditClassChange.objects.create(
            enterprise=current,
            old_class=current.credit_class,
            new_class=cls,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label=audit._actor_label.get(),
            reason=reason[:500],
        )
        current.credit_class = cls
        current.save(update_fields=["credit_class", "updated_at"])
        services.ensure_in_scope(current, user)
        audit.record(
            current,
            ChangeAction.UPDATE,
            before=before,
            after=audit.snapshot(current),
            note=_("信用风险分类调整为{cls}类：{reason}").format(cls=cls, reason=reason),
            actor=user,
        )
    enterprise.credit_class = cls
    return current


def class_on(enterprise_ids, when) -> dict[int, str]:
    """Credit class of each enterprise as it stood at ``when`` (from the history)."""
    out: dict[int, str] = {}
    for change in CreditClassChange.objects.filter(
        enterprise_id__in=enterprise_ids, changed_at__lte=when
    ).order_by("changed_at", "pk"):
        out[change.enterprise_id] = change.new_class
    return out


def parse_category_fixture(text: str) -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent code) from the indented fixture text."""
    rows, stack = [], []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        code, name = line.strip().split("\t", 1)
        stack = stack[:depth]
        parent = stack[-1] if stack else None
        rows.append((code, name.strip(), depth + 1, parent))
        stack.append(code)
    return rows


def load_categories() -> int:
    """Load the shipped category trees (idempotent: existing codes are left alone)."""
    rows = parse_category_fixture(CATEGORY_FIXTURE.read_text(encoding="utf-8"))
    existing = dict(ProductCategory.objects.values_list("code", "pk"))
    created = 0
    with transaction.atomic():
        for code, name, level, parent in rows:
            if code in existing:
                continue
            obj = ProductCategory.objects.create(
                code=code,
                name=name,
                level=level,
                kind=CategoryKind.FOOD if code.startswith("F") else CategoryKind.PRODUCT,
                parent_id=existing.get(parent) if parent else None,
            )
            existing[code] = obj.pk
            created += 1
    return created


def create_inspector(data: dict, user=None):
    from .models import Inspector

    with transaction.atomic():
        if Inspector.objects.filter(user=data.get("user")).exists():
            raise ValidationError({"user": _("该用户已在检查人员名录中")})
        return services.create_object(Inspector, data, user)
