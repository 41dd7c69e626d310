"""The default SLA targets (CONTRACT 4): the same for every kind, by priority; HQ edits them later."""

from django.db import migrations

RESPONSE_HOURS = {"P1": 1, "P2": 4, "P3": 8, "P4": 24}
RESOLUTION_HOURS = {"P1": 4, "P2": 24, "P3": 72, "P4": 168}
KINDS = ["maintenance", "repair", "warranty", "complaint", "battery", "recall"]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("aftersales", "SlaPolicy")
    for kind in KINDS:
        for priority, response in RESPONSE_HOURS.items():
            SlaPolicy.objects.get_or_create(
                kind=kind,
                priority=priority,
                defaults={"response_hours": response, "resolution_hours": RESOLUTION_HOURS[priority]},
            )


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0002_ticket_sla_risk")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
