from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "人员与机构 Accounts"

    def ready(self) -> None:
        # Registers the system check zhili.E001 and the log-in audit receivers.
        from accounts import checks, signals  # noqa: F401
