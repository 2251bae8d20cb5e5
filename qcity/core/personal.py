"""Personal data: which fields hold it, who may see it in full, and how it is masked.

Implements the personal-data part of issue 10 (等保 level 3, 个人信息保护法 Art. 51: access
control and de-identification of personal information):

* The field list is declared once per model, in its registration's ``masked`` dict
  (``register(..., masked={"phone": "phone"})``) or, for a model without a registration, a
  ``PERSONAL_FIELDS`` dict on the model. :func:`fields_of` reads both; lists, details, edit
  forms, exports, the API and the change log all ask it.
* :func:`may_see_personal` is the one capability check: the office administrator and the
  auditor see personal data in full; anyone else only their own unit's contact data (the
  unit's contact phone, the phone of a user of their unit). Every other reader gets the mask.
* A masked value sent back (an edit form or an API read-then-write) is never stored:
  :func:`keep_unchanged` swaps it for the stored value.
* Viewing a record's personal data in full is itself logged (:func:`log_full_view`, a
  change-log row with action ``view``).
* Password hashes, token digests and secrets never enter the change log (:data:`SECRET_FIELDS`).
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- masking
# The mask functions live here, and only here.


def mask_phone(value) -> str:
    digits = str(value or "")
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_id_number(value) -> str:
    text = str(value or "")
    if len(text) >= 8:
        return text[:4] + "*" * (len(text) - 8) + text[-4:]
    return "*" * len(text)


def mask_address(value) -> str:
    """Keep the administrative part (up to 区/县/镇/街道), hide the street number and room."""
    text = str(value or "")
    match = re.match(r"^(.*?(?:区|县|市|镇|街道|乡))", text)
    keep = match.group(1) if match else text[:6]
    return keep + "****" if len(text) > len(keep) else keep


def mask_name(value) -> str:
    text = str(value or "")
    if len(text) <= 1:
        return text
    return text[0] + "*" * (len(text) - 1)


MASKERS = {
    "phone": mask_phone,
    "id_number": mask_id_number,
    "address": mask_address,
    "person_name": mask_name,
}


def mask(kind: str, value) -> str:
    if value is None:
        return ""
    return MASKERS[kind](value)


# ---------------------------------------------------------------- the field list
# Never in a change-log row, in any form: field names, and name endings.
SECRET_FIELDS = frozenset({"password", "secret", "digest", "token", "api_key", "otp_secret"})
SECRET_SUFFIXES = ("_hash", "_digest", "_secret", "_token")


def is_secret(name: str) -> bool:
    return name in SECRET_FIELDS or name.endswith(SECRET_SUFFIXES)


def fields_of(model) -> dict[str, str]:
    """Personal fields of ``model`` (a class or an instance): field name -> mask kind."""
    from .registry import REGISTRY

    model = model if isinstance(model, type) else type(model)
    declared = dict(getattr(model, "PERSONAL_FIELDS", None) or {})
    registration = REGISTRY.get(model)
    if registration is not None:
        declared.update(registration.masked)
    return declared


# ---------------------------------------------------------------- who sees it in full
def may_see_personal(user, model, obj=None) -> bool:
    """True when ``user`` may see the personal data of ``model`` (of ``obj``, if given) in full.

    Office administrator and auditor: yes. Others: only their own unit's contact data, i.e.
    the contact phone of a unit they belong to or the phone of a user of such a unit."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_office_admin or user.is_auditor:
        return True
    if obj is None:
        return False
    from .models import OrgUnit, User

    mine = user.unit_ids()
    if isinstance(obj, OrgUnit):
        return obj.pk in mine
    if isinstance(obj, User):
        if obj.pk == user.pk:
            return True
        theirs = set(obj.role_assignments.exclude(unit=None).values_list("unit_id", flat=True))
        return bool(mine & theirs)
    return False


def shown(user, obj, name: str, value=None):
    """The value of personal field ``name`` of ``obj`` as ``user`` may see it."""
    kind = fields_of(obj).get(name)
    if value is None:
        value = getattr(obj, name)
    if kind is None or may_see_personal(user, type(obj), obj):
        return value
    return mask(kind, value)


# ---------------------------------------------------------------- writing back
def is_masked_echo(kind: str, stored, submitted) -> bool:
    """True when ``submitted`` is the masked form of ``stored`` (and not the stored value)."""
    if submitted is None or stored in (None, ""):
        return False
    submitted = str(submitted)
    return submitted != str(stored) and submitted == mask(kind, stored)


def keep_unchanged(obj, data: dict) -> dict:
    """``data`` with every personal field that only echoes its mask replaced by the stored value."""
    if obj is None or obj.pk is None:
        return data
    for name, kind in fields_of(obj).items():
        if name in data and is_masked_echo(kind, getattr(obj, name), data[name]):
            data[name] = getattr(obj, name)
    return data


# ---------------------------------------------------------------- the change log
def for_change_log(model, values: dict | None) -> dict | None:
    """A change-log snapshot without secrets and with personal fields masked."""
    if values is None:
        return None
    personal = fields_of(model)
    clean = {}
    for name, value in values.items():
        base = name[:-3] if name.endswith("_id") else name
        if is_secret(name) or is_secret(base):
            continue
        kind = personal.get(name)
        clean[name] = mask(kind, value) if kind and value not in (None, "") else value
    return clean


def log_full_view(user, obj, where: str = ""):
    """Record that ``user`` saw the personal data of ``obj`` in full (a change-log ``view`` row)."""
    from django.contrib.contenttypes.models import ContentType

    from . import audit
    from .choices import ChangeAction
    from .models import ChangeLog

    names = [n for n in fields_of(obj) if getattr(obj, n, None) not in (None, "")]
    if not names:
        return None
    return ChangeLog.objects.create(
        actor=user,
        action=ChangeAction.VIEW,
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        before=None,
        after=None,
        request_id=audit.current_request_id() or _new_id(),
        note=("查看完整个人信息：" + "、".join(names) + (f"（{where}）" if where else ""))[:500],
    )


def _new_id() -> str:
    import uuid

    return uuid.uuid4().hex
