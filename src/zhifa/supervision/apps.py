from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhifa.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("投诉举报", "supervision:complaint_list", "complaints.handle"))

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: two fictional complaints against 大兴乡, one handled."""
        from .demo import build_complaints_demo

        build_complaints_demo(world)
