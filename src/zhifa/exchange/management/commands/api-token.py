"""zhifa api-token create --name X --org ID --scopes read,registry.write
zhifa api-token list
zhifa api-token revoke ID

The operator's CLI (a trusted caller): tokens are issued with actor=None, recorded as system."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhifa.core.models import Organization
from zhifa.exchange import services
from zhifa.exchange.models import ApiClient


class Command(BaseCommand):
    help = "签发、列出、停用接口令牌 / issue, list and revoke API tokens"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="签发令牌（只显示一次）")
        create.add_argument("--name", required=True)
        create.add_argument("--org", required=True, type=int, help="所属组织 ID")
        create.add_argument(
            "--scopes", default="read", help="逗号分隔：read,registry.write,powers.write"
        )
        sub.add_parser("list", help="列出接口客户端")
        revoke = sub.add_parser("revoke", help="停用客户端令牌")
        revoke.add_argument("client_id", type=int)

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            org = Organization.objects.filter(pk=options["org"]).first()
            if org is None:
                raise CommandError(f"组织 {options['org']} 不存在。")
            try:
                client, raw = services.issue_token(None, options["name"], org, options["scopes"])
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
            self.stdout.write(f"客户端 {client.pk}（{client.name}，{org.name}）：{client.scopes}")
            self.stdout.write("令牌只显示这一次，请妥善交付 / the token is shown once:")
            self.stdout.write(raw)
        elif action == "list":
            for c in ApiClient.objects.select_related("organization"):
                state = "启用" if c.active else "停用"
                used = c.last_used_at.isoformat() if c.last_used_at else "-"
                self.stdout.write(
                    f"{c.pk}\t{c.name}\t{c.organization.name}\t{c.scopes}\t{state}\t{used}"
                )
        elif action == "revoke":
            client = ApiClient.objects.filter(pk=options["client_id"]).first()
            if client is None:
                raise CommandError(f"客户端 {options['client_id']} 不存在。")
            services.revoke(None, client)
            self.stdout.write(f"已停用客户端 {client.pk}（{client.name}）。")
