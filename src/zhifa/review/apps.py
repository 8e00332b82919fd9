from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhifa.review"
    label = "review"
    verbose_name = "法制审核"

    def ready(self) -> None:
        from zhifa.cases import gates
        from zhifa.core.navigation import NavItem, register
        from zhifa.ledger import events

        from .catalogue import hearing_threshold
        from .services import EVENTS, decision_gate, store_at_decision

        for event_type, label in EVENTS.items():
            events.register(event_type, label, schema_version=1)
        register(NavItem("法制审核", "review:index", "business.view"))
        register(NavItem("法制审核统计", "review:stats", "review.stats"))
        # Explicit registry, not a signal: the decide transitions of penalty, coercion and
        # licensing cases ask every registered gate.
        gates.register_decision_gate(decision_gate)
        gates.register_after_decision(store_at_decision)
        # 较大数额 of 行政处罚法第六十三条第一款第一项、第二项: the body's catalogue thresholds.
        gates.register_hearing_threshold(hearing_threshold)

    def demo_data(self, world) -> None:
        """Called by `zhifa demo`: 大兴乡's catalogue, a major case passing review after one
        存在问题 round, and one under collective deliberation (fictional people; idempotent)."""
        from .demo import build_review_demo

        build_review_demo(world)
