from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "zhifa.registry"
    label = "registry"
    verbose_name = "执法主体与人员"

    def ready(self) -> None:
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
