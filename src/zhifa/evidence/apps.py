from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "zhifa.evidence"
    label = "evidence"
    verbose_name = "证据存储"

    def ready(self) -> None:
        from zhifa.ledger import events

        events.register("evidence.recorded", "证据登记", schema_version=1)
