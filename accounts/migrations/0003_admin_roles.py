"""The three administrator groups of 三员分立 (core.adminroles). Their model permissions are set after
every migration by accounts.adminroles.sync_group_permissions (permissions exist only then)."""

from django.db import migrations

NAMES = ("系统管理员", "安全管理员", "审计管理员")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in NAMES:
        Group.objects.get_or_create(name=name)


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_orgunit_service_level_assignment_period"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
