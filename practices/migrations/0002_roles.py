"""Create the three role groups. Their names are part of the data, not of the code that reads them."""

from django.db import migrations

ROLE_GROUPS = ["city_official", "reviewer", "coordinator"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("practices", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
