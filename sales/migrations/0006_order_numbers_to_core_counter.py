"""Order numbers count on core's one Counter model: the last number of each year moves over."""

from django.db import migrations

COUNTER = "order"


def to_core_counter(apps, schema_editor):
    old, new = apps.get_model("sales", "OrderCounter"), apps.get_model("core", "Counter")
    for year, last in old.objects.values_list("year", "last"):
        new.objects.update_or_create(name=COUNTER, year=year, defaults={"last": last})


def from_core_counter(apps, schema_editor):
    old, new = apps.get_model("sales", "OrderCounter"), apps.get_model("core", "Counter")
    for year, last in new.objects.filter(name=COUNTER).values_list("year", "last"):
        old.objects.update_or_create(year=year, defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0005_testdrive_customer_name"),
        ("core", "0004_number_counter"),
    ]

    operations = [
        migrations.RunPython(to_core_counter, from_core_counter, elidable=False),
        migrations.DeleteModel(name="OrderCounter"),
    ]
