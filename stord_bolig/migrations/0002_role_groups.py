"""Create the role groups; their permissions are kept in step after every migrate (signals.py)."""

from django.db import migrations

ROLES = ["caseworker", "financial_advisor", "nav_advisor", "housing_first", "management", "admin"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("stord_bolig", "0001_platform"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
