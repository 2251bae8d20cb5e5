"""Every registered model has a subclass of the generic tests (PATTERNS.md 9)."""

import importlib
import pkgutil
import re

import qcity
from qcity.core.registry import REGISTRY
from qcity.core.testing import RegisteredModelTests


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_registered_model_has_generic_tests():
    for module in pkgutil.walk_packages(qcity.__path__, "qcity."):
        if ".tests.test_" in module.name:
            importlib.import_module(module.name)
    covered = {sub.model for sub in _all_subclasses(RegisteredModelTests) if sub.model is not None}
    missing = sorted(m.__name__ for m in REGISTRY if m not in covered)
    assert not missing, f"registered models without a RegisteredModelTests subclass: {missing}"


# Field names that hold a private person's data; a registered model must declare them masked,
# so its lists, exports and API mask them and RegisteredModelTests generates masking tests.
PERSONAL_FIELD = re.compile(r"(^|_)(phone|mobile|id_number|id_card|legal_representative)$")


def test_personal_data_fields_are_declared_masked():
    personal = {
        f"{r.model.__name__}.{f.name}": f.name in r.masked
        for r in REGISTRY.values()
        for f in r.model._meta.concrete_fields
        if PERSONAL_FIELD.search(f.name)
    }
    assert {"User.phone", "Enterprise.legal_representative"} <= set(personal)  # the pattern works
    unmasked = sorted(name for name, is_masked in personal.items() if not is_masked)
    assert not unmasked, f"personal-data fields not in register(..., masked=...): {unmasked}"
