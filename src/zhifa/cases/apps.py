from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    label = "cases"
    verbose_name = "执法办案"

    def ready(self) -> None:
        from zhifa.ledger import events

        from . import procedures  # noqa: F401 - registers the stage graphs
        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        # The full-process record's and the case file's event types, and the workspace links.
        from . import records
        from .navigation import register_navigation

        records.register_events()
        register_navigation()

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: 大兴乡's cases of every procedure in every stage, built
        through the services (idempotent)."""
        from .demo import build_demo

        build_demo(world)
