from django.apps import AppConfig


class LawsConfig(AppConfig):
    name = "zhifa.laws"
    label = "laws"
    verbose_name = "法律法规库"

    def ready(self):
        from zhifa.core.navigation import NavItem, register

        register(NavItem("法律法规", "laws:index", None))

    def demo_data(self, world):
        """`zhifa demo`: load the bundled national corpus once (skipped when laws exist)."""
        from . import services
        from .models import Law

        if Law.objects.exists() or not services.BUNDLE_PATH.exists():
            return None
        return services.import_bundled(services.BUNDLE_PATH)
