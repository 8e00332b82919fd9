from django.apps import AppConfig


class PowersConfig(AppConfig):
    name = "zhifa.powers"
    label = "powers"
    verbose_name = "权责清单与裁量基准"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("权责清单", "powers:index", "business.view"))

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: 大兴乡's published 2026 power list and the reference discretion
        tables from ../shared/data/discretion when present (idempotent)."""
        from .demo import build_demo

        build_demo(world)
