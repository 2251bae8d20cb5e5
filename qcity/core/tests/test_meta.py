"""Every registered model has a subclass of the generic tests (PATTERNS.md 9)."""

import importlib
import pkgutil

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
