"""Existing change-log rows lose password hashes, token digests and secrets, and keep personal
fields only masked (issue 10; core/personal.py). The masks are idempotent, so re-running is safe."""

from django.db import migrations


def scrub(apps, schema_editor):
    from django.apps import apps as live_apps

    from qcity.core.personal import for_change_log

    ChangeLog = apps.get_model("core", "ChangeLog")
    models = {}
    rows = ChangeLog.objects.select_related("content_type").only(
        "pk", "before", "after", "content_type__app_label", "content_type__model"
    )
    for row in rows.iterator(chunk_size=500):
        ct = row.content_type
        key = (ct.app_label, ct.model)
        if key not in models:
            try:
                models[key] = live_apps.get_model(ct.app_label, ct.model)
            except LookupError:
                models[key] = None
        model = models[key]
        if model is None:
            continue
        before, after = for_change_log(model, row.before), for_change_log(model, row.after)
        if before != row.before or after != row.after:
            ChangeLog.objects.filter(pk=row.pk).update(before=before, after=after)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_changelog_view_action"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
