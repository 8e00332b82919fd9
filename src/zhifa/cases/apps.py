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
