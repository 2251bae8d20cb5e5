"""State changes of core objects, and the generic create/change/void/delete services that
registered models use unless they name their own (PATTERNS.md 5).

Each function is one business action in one transaction: validate, write, check the object is
still in the actor's scope (or roll back), write the change log.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .choices import ChangeAction, Role
from .scopes import CHANGE, can


class ConflictError(Exception):
    """Somebody else saved the object after this user opened it."""

    message = _("该记录已被他人修改，请刷新后再编辑，您的修改未保存。")


def ensure_in_scope(obj, user):
    if user is not None and not can(user, obj, CHANGE):
        raise PermissionDenied(_("保存后的记录不在您的权限范围内，已撤销本次操作。"))


def _assign(obj, data: dict):
    m2m = {}
    for name, value in data.items():
        field = obj._meta.get_field(name)
        if field.many_to_many:
            m2m[name] = value
        else:
            setattr(obj, name, value)
    return m2m


def create_object(model, data: dict, user=None, note: str = ""):
    with transaction.atomic():
        obj = model()
        m2m = _assign(obj, data)
        obj.full_clean()
        obj.save()
        for name, value in m2m.items():
            getattr(obj, name).set(value)
        ensure_in_scope(obj, user)
        audit.record(obj, ChangeAction.CREATE, after=audit.snapshot(obj), note=note, actor=user)
    return obj


def update_object(obj, data: dict, user=None, expected_version: str | None = None, note: str = ""):
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if (
            expected_version
            and current.updated_at
            and current.updated_at.isoformat() != expected_version
        ):
            raise ConflictError(ConflictError.message)
        before = audit.snapshot(current)
        m2m = _assign(obj, data)
        obj.full_clean()
        obj.save()
        for name, value in m2m.items():
            getattr(obj, name).set(value)
        ensure_in_scope(obj, user)
        after = audit.snapshot(obj)
        if before != after or m2m:
            audit.record(
                obj, ChangeAction.UPDATE, before=before, after=after, note=note, actor=user
            )
    return obj


def void_object(obj, reason: str, user=None):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废必须填写原因")})
    if obj.is_void:
        raise ValidationError(_("该记录已作废"))
    with transaction.atomic():
        before = audit.snapshot(obj)
        obj.is_void, obj.void_reason, obj.voided_at = True, reason[:500], timezone.now()
        obj.save(update_fields=["is_void", "void_reason", "voided_at", "updated_at"])
        audit.record(
            obj,
            ChangeAction.VOID,
            before=before,
            after=audit.snapshot(obj),
            note=reason,
            actor=user,
        )
    return obj


def delete_object(obj, user=None):
    with transaction.atomic():
        before = audit.snapshot(obj)
        audit.record(obj, ChangeAction.DELETE, before=before, actor=user)
        obj.delete()


# ---------------------------------------------------------------- units and names
def check_alias_overlap(name_obj):
    """An alias may not point at two different units on the same date."""
    from .models import OrgUnitName

    far_past, far_future = datetime.date.min, datetime.date.max
    start, end = name_obj.valid_from or far_past, name_obj.valid_to or far_future
    for other in (
        OrgUnitName.objects.filter(name=name_obj.name)
        .exclude(unit_id=name_obj.unit_id)
        .exclude(pk=name_obj.pk)
    ):
        o_start, o_end = other.valid_from or far_past, other.valid_to or far_future
        if start <= o_end and o_start <= end:
            raise ValidationError(
                {
                    "name": _(
                        "名称“{name}”在同一时期已属于单位“{unit}”，同一日期一个名称只能指向一个单位"
                    ).format(name=name_obj.name, unit=other.unit)
                }
            )


def create_unit_name(data: dict, user=None):
    from .models import OrgUnitName

    with transaction.atomic():
        candidate = OrgUnitName(**data)
        check_alias_overlap(candidate)
        return create_object(OrgUnitName, data, user)


def update_unit_name(obj, data: dict, user=None, expected_version=None):
    with transaction.atomic():
        for k, v in data.items():
            setattr(obj, k, v)
        check_alias_overlap(obj)
        return update_object(obj, data, user, expected_version)


def create_unit(data: dict, user=None):
    from .models import OrgUnit

    with transaction.atomic():
        if OrgUnit.objects.filter(region=data.get("region"), name=data.get("name")).exists():
            raise ValidationError({"name": _("该区划下已有同名单位")})
        return create_object(OrgUnit, data, user)


def merge_units(sources, into, on: datetime.date, user=None, note: str = ""):
    """Record a merger (e.g. the 2018 reform): sources stop, their names become former names of ``into``."""
    from .models import NameKind, OrgUnitName

    with transaction.atomic():
        for unit in sources:
            if unit.pk == into.pk:
                raise ValidationError(_("不能把单位并入自身"))
            update_object(
                unit, {"is_active": False, "dissolved_on": on, "successor": into}, user, note=note
            )
            if not OrgUnitName.objects.filter(unit=unit, name=unit.name).exists():
                create_object(
                    OrgUnitName,
                    {
                        "unit": unit,
                        "name": unit.name,
                        "kind": NameKind.FORMER,
                        "valid_to": on - datetime.timedelta(days=1),
                        "note": note,
                    },
                    user,
                )
    return into


# ---------------------------------------------------------------- users
def assign_role(user_obj, role: str, unit=None, is_liaison: bool = False, actor=None):
    from .models import RoleAssignment

    if role not in Role.values:
        raise ValidationError({"role": _("未知角色")})
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user_obj, role=role, unit=unit
        )
        if assignment.is_liaison != is_liaison:
            assignment.is_liaison = is_liaison
            assignment.save()
        assignment.full_clean()
        audit.record(
            assignment,
            ChangeAction.CREATE if created else ChangeAction.UPDATE,
            after=audit.snapshot(assignment),
            actor=actor,
        )
    for cache in ("_roles_cache", "_unit_ids_cache", "_region_ids_cache"):
        user_obj.__dict__.pop(cache, None)
    return assignment


def create_user(data: dict, user=None):
    """A new account starts without a usable password; the office issues a temporary one
    (``reset_password``) that must be changed at first login."""
    from .models import User

    with transaction.atomic():
        if User.objects.filter(username=data.get("username")).exists():
            raise ValidationError({"username": _("该用户名已被使用")})
        account = User(**data, must_change_password=True)
        account.set_unusable_password()
        account.full_clean()
        account.save()
        ensure_in_scope(account, user)
        audit.record(
            account,
            ChangeAction.CREATE,
            after={k: v for k, v in audit.snapshot(account).items() if k != "password"},
            actor=user,
        )
    return account


def reset_password(account, user=None) -> str:
    """Issue a temporary password (shown once), unlock the account, force a change at next login."""
    import secrets

    temporary = "Qc#" + secrets.token_urlsafe(9)
    # the change log says what changed in words a reader can check; the password itself (even
    # hashed) never goes there (core.audit scrubs it)
    fields = ("must_change_password", "failed_logins", "locked_until")
    before = {f: getattr(account, f) for f in fields}
    with transaction.atomic():
        account.set_password(temporary)
        account.must_change_password = True
        account.failed_logins, account.locked_until = 0, None
        account.save(
            update_fields=["password", "must_change_password", "failed_logins", "locked_until"]
        )
        from . import security

        security.unlock(account)  # the django-axes lock too; tokens end by the password signal
        audit.record(
            account,
            ChangeAction.UPDATE,
            before={k: audit.plain(v) for k, v in before.items()},
            after={k: audit.plain(getattr(account, k)) for k in fields},
            note=_("重置密码（发放临时密码）并解锁，下次登录须修改密码"),
            actor=user,
        )
    return temporary
