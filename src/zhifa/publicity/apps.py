from django.apps import AppConfig


class PublicityConfig(AppConfig):
    name = "zhifa.publicity"
    label = "publicity"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .services import EVENTS

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("执法公示", "publicity_staff:index", "business.view"))
        self._hook_cases()

    @staticmethod
    def _hook_cases() -> None:
        """A decision made in the case module drafts its publication in the same transaction,
        once that module offers the hook."""
        try:
            from zhifa.cases import gates
        except ImportError:
            return
        hook = getattr(gates, "register_after_decision", None)
        if hook is not None:
            from .services import draft_for_case

            hook(draft_for_case)

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: 大兴乡's before-publicity snapshot and a few published
        decisions with fictional parties (idempotent)."""
        from .demo import build_demo

        build_demo(world)
