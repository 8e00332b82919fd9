"""`zhifa demo`: load the demo organisation and print the demo accounts (idempotent)."""

from django.core.management.base import BaseCommand

from zhifa.core.demo import DEMO_PASSWORD, USERS, build_demo


class Command(BaseCommand):
    help = "载入演示数据（大兴乡，人物均为虚构）并列出演示账号。可重复运行。"

    def handle(self, *args, **options):
        from zhifa.core.calendar import seed_calendar_if_empty

        seed_calendar_if_empty()
        world = build_demo()
        for hook in demo_hooks():
            hook(world)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪：耿马傣族佤族自治县大兴乡人民政府"))
        self.stdout.write("演示账号（仅供演示，请勿在生产环境使用）：")
        self.stdout.write(f"  {'用户名':<18}{'姓名':<8}角色")
        for username, full_name, _home, grants in USERS:
            roles = "、".join(role.label for _org, role in grants)
            self.stdout.write(f"  {username:<21}{full_name:<8}{roles}")
        self.stdout.write(f"  统一密码：{DEMO_PASSWORD}")


def demo_hooks():
    """Apps that add demo data register a callable taking the DemoWorld in their AppConfig."""
    from django.apps import apps

    hooks = []
    for config in apps.get_app_configs():
        hook = getattr(config, "demo_data", None)
        if hook is not None:
            hooks.append(hook)
    return hooks
