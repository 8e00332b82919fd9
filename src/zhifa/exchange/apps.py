from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "zhifa.exchange"
    label = "exchange"
    verbose_name = "数据交换"

    def ready(self) -> None:
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
