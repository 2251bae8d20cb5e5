"""System checks: every registered model has a scope and a test subclass of the generic tests."""

from django.core.checks import Error, register


@register()
def registered_models_have_scope(app_configs, **kwargs):
    from .registry import REGISTRY

    errors = []
    for model in REGISTRY:
        if getattr(model, "scope", None) is None:
            errors.append(
                Error(f"{model.__name__} is registered but declares no scope", id="qcity.E001")
            )
        if not hasattr(model._default_manager, "for_user"):
            errors.append(
                Error(f"{model.__name__}'s default manager has no for_user()", id="qcity.E002")
            )
    return errors
