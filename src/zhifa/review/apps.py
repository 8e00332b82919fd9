from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhifa.review"
    label = "review"
    verbose_name = "法制审核"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("法制审核", "review:index", "business.view"))
        register(NavItem("法制审核统计", "review:stats", "review.stats"))
