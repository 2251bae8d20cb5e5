"""Start-up wiring: load every app's registrations, rules and job handlers."""

from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.utils.module_loading import autodiscover_modules

autodiscover_modules("registrations")
autodiscover_modules("tasks")
from . import importer  # noqa: E402,F401  (registers the import job handler)


@receiver(post_migrate)
def sync_rules(sender, app_config=None, **kwargs):
    if app_config is not None and app_config.label == "core":
        from . import rulebook

        if apps.is_installed("qcity.core"):
            rulebook.sync()
