from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "zhifa.registry"
    label = "registry"
    verbose_name = "执法主体与人员"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("执法主体与人员", "registry:index", "business.view"))

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: the 大兴乡 register (fictional people; idempotent)."""
        from .demo import build_registry_demo

        build_registry_demo(world)
