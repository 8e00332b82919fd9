"""``zhifa ledger verify|proof|checkpoint|keys``: operate the full-process record ledger."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "全过程记录账本：核验、证明、检查点、公钥 / ledger verify, proof, checkpoint, keys"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="核验整个账本 / verify every entry, the tree and all checkpoints"
        )
        verify.add_argument(
            "--evidence", action="store_true", help="同时核验证据文件 / also verify evidence files"
        )
        verify.add_argument("--chunk", type=int, default=5000, help="rows per batch")
        proof = sub.add_parser("proof", help="出具某对象的证明包 / write a proof bundle")
        proof.add_argument("--subject", required=True, help="e.g. case:123")
        proof.add_argument("--out", required=True, help="bundle.json path ('-' = stdout)")
        checkpoint = sub.add_parser("checkpoint", help="签发检查点 / sign a checkpoint now")
        checkpoint.add_argument(
            "--force", action="store_true", help="even if the tree did not grow"
        )
        sub.add_parser("keys", help="显示公钥 / show the public keys")

    def handle(self, *args, **options):
        return getattr(self, f"do_{options['action']}")(options)

    # --- verify ---------------------------------------------------------------------------------

    def do_verify(self, options):
        from zhifa.ledger.verify import save_verification_run, verify_ledger

        if options["chunk"] < 1:
            raise CommandError("--chunk must be >= 1")
        result = verify_ledger(chunk=options["chunk"], save_run=False)
        for note in result.notes:
            self.stdout.write(note)
        problems: list[str] = []
        if result.ok and options["evidence"]:
            problems = self._verify_evidence()
        evidence_failure = ""
        if problems:
            more = f" (+{len(problems) - 1})" if len(problems) > 1 else ""
            evidence_failure = f"证据 / evidence {problems[0]}{more}"
        save_verification_run(result, evidence_failure)
        if not result.ok:
            message = f"账本核验失败 / LEDGER VERIFICATION FAILED: {result.failure}"
            self.stdout.write(message)
            raise CommandError(message, returncode=1)
        if problems:
            message = f"证据核验失败 / EVIDENCE VERIFICATION FAILED: {problems[0]}"
            self.stdout.write(message)
            for problem in problems[1:]:
                self.stdout.write(f"  {problem}")
            raise CommandError(message, returncode=1)
        self.stdout.write(
            f"账本完好 / ledger intact: {result.entries_checked} 条记录 entries, "
            f"{result.checkpoints_checked} 个检查点 checkpoints"
        )

    def _verify_evidence(self) -> list[str]:
        try:
            from zhifa.evidence.services import verify_all_evidence
        except ImportError:
            self.stdout.write(
                "证据模块尚未提供核验功能，已跳过 / evidence verification not available, skipped"
            )
            return []
        problems = [str(p) for p in verify_all_evidence()]
        if not problems:
            self.stdout.write("证据完好 / evidence intact")
        return problems

    # --- proof ----------------------------------------------------------------------------------

    def do_proof(self, options):
        from zhifa.ledger.services import LedgerError, proof_bundle

        try:
            bundle = proof_bundle(options["subject"])
        except LedgerError as exc:
            raise CommandError(str(exc)) from None
        text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
        if options["out"] == "-":
            self.stdout.write(text, ending="")
            return
        Path(options["out"]).write_text(text, encoding="utf-8")
        self.stdout.write(
            f"已写出 / wrote {options['out']}: {len(bundle['entries'])} 条记录 entries of "
            f"{options['subject']}; 用 `python -m zhifa.ledger.bundle_verify {options['out']}` 核验"
        )

    # --- checkpoint -----------------------------------------------------------------------------

    def do_checkpoint(self, options):
        from zhifa.ledger.services import LedgerError, latest_checkpoint, make_checkpoint

        try:
            cp = make_checkpoint(force=options["force"])
        except LedgerError as exc:
            raise CommandError(str(exc), returncode=1) from None
        if cp is None:
            latest = latest_checkpoint()
            size = latest.size if latest else 0
            self.stdout.write(f"账本未增长，未签发 / tree did not grow (size {size}), none signed")
            return
        self.stdout.write(f"已签发检查点 / checkpoint signed: size {cp.size}\n{cp.note}")

    # --- keys -----------------------------------------------------------------------------------

    def do_keys(self, options):
        from zhifa.ledger.keys import keys_dir, load_keys

        keys = load_keys()
        self.stdout.write(f"origin: {keys.origin}")
        self.stdout.write(f"Ed25519 verifier key: {keys.ed25519_verifier.to_string()}")
        self.stdout.write(f"SM2 key name: {keys.sm2_name}")
        self.stdout.write(f"SM2 public key (X||Y hex): {keys.sm2_public_hex}")
        self.stdout.write(f"SM2 verifier key: {keys.sm2_verifier.to_string()}")
        self.stdout.write(f"private keys in / 私钥目录: {keys_dir()}")
