from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "人员与机构 Accounts"

    def ready(self) -> None:
        # Registers the system check zhili.E001 and the log-in audit receivers.
        from accounts import checks, lockout_admin, signals  # noqa: F401
        from accounts.adminroles import sync_group_permissions

        post_migrate.connect(sync_group_permissions, dispatch_uid="accounts.admin_group_permissions")
        lockout_admin.install()  # axes' admin bound to the security administrator (after autodiscovery)
