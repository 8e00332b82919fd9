from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    label = "ledger"
    verbose_name = "全过程记录账本"

    def ready(self) -> None:
        from zhifa.core.navigation import NavItem, register

        from . import events
        from .sm3check import ensure_sm3

        try:
            ensure_sm3()
        except RuntimeError as exc:
            raise ImproperlyConfigured(
                f"全过程记录账本需要国密 SM3 哈希，但当前 Python/OpenSSL 不提供或结果错误。"
                f" / The ledger needs SM3: {exc}"
            ) from None
        events.register("ledger.note", "账本说明")
        register(NavItem("全过程记录", "ledger:status", "ledger.view", "🔗"))
