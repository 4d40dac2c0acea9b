from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "消息通知 Notifications"

    def ready(self) -> None:
        from notifications.receivers import on_outbox_committed
        from outbox.actions import outbox_committed

        outbox_committed.connect(on_outbox_committed, dispatch_uid="notifications.deliver_committed_outbox")
