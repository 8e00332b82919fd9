"""案卷 (the case file): one ZIP with everything a reviewer, a court or an archivist needs, and
the means to check that none of it was changed.

Contents::

    00-封面与目录.html          cover and catalogue (printable)
    documents/NN-<action>.html  each step's document data (notice, decision ...) as HTML
    records/NN-<kind>.html      each transcript / record with its signatures
    evidence/NNN-<name>         every evidence file of the case, read through the evidence
                                store (its SM3 digest checked on read)
    manifest.json               every file above with its SM3 digest and size
    ledger/proof-bundle.json    the ledger proof bundle of the case (zhifa-proof-bundle/1)
    验证说明.txt                how to verify

Why it can be trusted: before the bundle is made, the export is recorded in the ledger
(``cases.case_file_exported``) with the SM3 digest of ``manifest.json``; the bundle therefore
carries that digest under the signed checkpoint. ``verify_case_file`` (also ``python -m
zhifa.cases.archive verify FILE.zip``, no Django and no database) checks the bundle with the
standalone verifier, then the manifest against the digest in the bundle, then every file
against the manifest, and each evidence file against the digest its own ledger entry recorded.
Changing, adding or removing any file is detected.

Who may export: anyone who may read the case once it is closed (结案) or archived; before
that only the head of the handling unit or of the body (a case file of a running case is a
working copy for the head's review). Each export is itself a ledger entry naming who made it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from zhifa.ledger.bundle_verify import BundleError, load_bundle, verify_bundle

__all__ = [
    "EVENT",
    "CaseFile",
    "export_problem",
    "register_events",
    "verify_case_file",
    "write_case_file",
]

EVENT = "cases.case_file_exported"
MANIFEST = "manifest.json"
BUNDLE = "ledger/proof-bundle.json"
COVER = "00-封面与目录.html"
README = "验证说明.txt"
FORMAT = "zhifa-case-file/1"
# Files that manifest.json cannot list (the bundle proves the manifest; the manifest itself).
UNLISTED = {MANIFEST, BUNDLE}

# Titles of the documents a step's data stands for (the documents issue will lay them out).
DOCUMENT_TITLES = {
    "file": "立案审批表",
    "dismiss": "不予立案审批表",
    "preserve_evidence": "先行登记保存证据审批表",
    "dispose_preserved": "先行登记保存物品处理决定",
    "conclude": "案件调查终结报告",
    "approve_penalty": "案件处理审批表（拟处罚）",
    "decide_minor": "不予行政处罚决定审批表",
    "decide_not_established": "不予行政处罚决定审批表",
    "transfer": "涉嫌犯罪案件移送审批表",
    "reinvestigate": "退回补充调查意见",
    "notify": "行政处罚事先告知书",
    "record_statement": "陈述申辩及复核意见",
    "waive_statement": "放弃陈述申辩权利声明",
    "request_hearing": "听证申请登记",
    "hold_hearing": "听证报告",
    "hearing_abandoned": "听证情况说明",
    "record_deliberation": "集体讨论记录",
    "decide": "行政处罚决定书",
    "serve": "送达情况确认",
    "record_execution": "执行情况登记",
    "close": "结案报告",
    "archive": "立卷归档记录",
}

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def register_events() -> None:
    """The ledger event of an export (idempotent; also called from the cases navigation hook,
    so it is registered at start-up even before the first export)."""
    from zhifa.ledger import events

    events.register(EVENT, "导出案卷", schema_version=1)


register_events()  # idempotent, no Django needed: an export never meets an unregistered type


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def _safe(name: str, limit: int = 80) -> str:
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    return name[-limit:]


@dataclass(frozen=True)
class CaseFile:
    filename: str  # suggested download name
    manifest: dict[str, Any]
    ledger_seq: int  # the export's own ledger entry


# ---------------------------------------------------------------- who may export


def _closed(case) -> bool:
    from .procedures import PROCEDURES

    return bool(case.closed_on) or PROCEDURES[case.procedure].stage(case.stage).terminal


def export_problem(actor, case) -> str | None:
    """Why this user may not export the case file now, or None. The caller has already
    checked the user may read the case (selectors.get_case)."""
    from django.core.exceptions import PermissionDenied

    from zhifa.core.permissions import role_over

    from .procedures.base import APPROVERS

    if actor is None or _closed(case):
        return None
    try:
        role_over(actor, case.unit or case.organization, "cases.approve", APPROVERS, "")
    except PermissionDenied:
        return (
            "案件结案前，只有承办机构负责人或执法主体主要负责人可以导出案卷；"
            "结案后可查阅本案的人员均可导出。"
        )
    return None


def _reader_role(actor, case) -> str:
    """The role named in the export's ledger entry."""
    from zhifa.core.permissions import user_roles

    if actor is None:
        return "system"
    held = user_roles(actor)
    for role in ("body_head", "unit_head", "officer", "legal_reviewer", "supervisor"):
        if role in held:
            return role
    return "reader"


# ---------------------------------------------------------------- rendering


def _label_map(case) -> dict[str, dict[str, str]]:
    """action -> {field name -> label, choice value -> label} from the procedure's specs."""
    from .procedures import PROCEDURES

    out: dict[str, dict[str, str]] = {}
    for t in PROCEDURES[case.procedure].transitions:
        labels = out.setdefault(t.action, {})
        for spec in t.form_fields:
            labels[spec.name] = spec.label
            for value, text in spec.choices:
                labels.setdefault(f"{spec.name}={value}", text)
    return out


def _rows(data: Any, labels: dict[str, str], prefix: str = "") -> list[tuple[str, Any]]:
    """Flatten a step's or record's data into (label, value) rows for the document."""
    rows: list[tuple[str, Any]] = []
    if not isinstance(data, dict):
        return [(prefix or "内容", data)]
    for key, value in data.items():
        label = labels.get(key, key)
        if isinstance(value, bool):
            rows.append((label, "是" if value else "否"))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for i, item in enumerate(value, start=1):
                rows.extend(_rows(item, labels, f"{label} {i}"))
        elif isinstance(value, list):
            shown = [labels.get(f"{key}={v}", str(v)) for v in value]
            rows.append((label, "、".join(shown) or "—"))
        elif isinstance(value, dict):
            rows.extend(_rows(value, labels, label))
        else:
            text = labels.get(f"{key}={value}", value)
            rows.append((f"{prefix} · {label}" if prefix else label, text if text != "" else "—"))
    return rows


def document_title(step) -> str:
    return DOCUMENT_TITLES.get(step.action) or step.data.get("label") or step.action


def document_context(case, step, labels: dict[str, dict[str, str]] | None = None) -> dict:
    """What the document of one step shows: the data the step recorded (as in its ledger
    entry) under the labels of the procedure's form. Also the case page's document view."""
    from .procedures import PROCEDURES

    procedure = PROCEDURES[case.procedure]
    labels = labels if labels is not None else _label_map(case)
    result = step.data.get("result") or {}
    return {
        "case": case,
        "procedure": procedure,
        "case_stage_label": procedure.stage_label(case.stage),
        "title": document_title(step),
        "step": step,
        "step_label": step.data.get("label", step.action),
        "from_label": procedure.stage_label(step.from_stage),
        "to_label": procedure.stage_label(step.to_stage),
        "rows": _rows(step.data.get("data") or {}, labels.get(step.action, {})),
        "result": _rows(result, {"decision_number": "决定书文号", "due": "处理期限"}),
    }


def _render(template: str, context: dict[str, Any]) -> bytes:
    from django.template.loader import render_to_string

    return render_to_string(template, context).encode("utf-8")


# ---------------------------------------------------------------- writing


def write_case_file(actor, case, target: IO[bytes]) -> CaseFile:
    """Write the case file of ``case`` as a ZIP into ``target`` (a binary file opened for
    writing); record the export in the ledger. Refuses with CaseActionRefused (export not
    allowed now) or the evidence store's EvidenceMissing/EvidenceCorrupted (a stored file
    does not match its digest: no case file is made from damaged evidence)."""
    from django.db import transaction
    from django.utils import timezone

    from zhifa.core.masking import mask_citizen_id
    from zhifa.evidence.models import EvidenceRecord
    from zhifa.evidence.services import open_evidence
    from zhifa.ledger.services import proof_bundle, record

    from .deadlines import open_deadlines
    from .procedures import PROCEDURES
    from .services import CaseActionRefused

    problem = export_problem(actor, case)
    if problem:
        raise CaseActionRefused(problem)
    register_events()
    procedure = PROCEDURES[case.procedure]
    labels = _label_map(case)
    now = timezone.now()
    header = {
        "case": case,
        "procedure": procedure,
        "case_stage_label": procedure.stage_label(case.stage),
    }
    files: list[dict[str, Any]] = []

    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        def add(path: str, data: bytes, kind: str, title: str, **extra: Any) -> None:
            zf.writestr(path, data)
            files.append(
                {
                    "path": path,
                    "kind": kind,
                    "title": title,
                    "sm3": sm3(data),
                    "size": len(data),
                    **extra,
                }
            )

        # Documents: one per step, from the data the step recorded (as in its ledger entry).
        steps = list(case.steps.select_related("actor").order_by("at", "id"))
        for n, step in enumerate(steps, start=1):
            title = document_title(step)
            html = _render("cases/archive/document.html", document_context(case, step, labels))
            add(
                f"documents/{n:02d}-{_safe(step.action)}.html",
                html,
                "document",
                title,
                ledger_seq=step.ledger_seq,
            )

        # Records: transcripts and the metadata of audio-visual records, with signatures.
        records = list(
            case.records.select_related("evidence__file", "created_by")
            .prefetch_related("officers", "signatures")
            .order_by("taken_at", "id")
        )
        for n, rec in enumerate(records, start=1):
            html = _render(
                "cases/archive/record.html",
                {
                    **header,
                    "record": rec,
                    "stage_label": procedure.stage_label(rec.stage),
                    "rows": _rows(rec.content or {}, RECORD_LABELS),
                },
            )
            add(
                f"records/{n:02d}-{_safe(rec.get_kind_display())}.html",
                html,
                "record",
                rec.title,
                ledger_seq=rec.ledger_seq,
            )

        # Evidence files, each read through the store (digest checked) and bound to the ledger
        # entry that recorded it.
        evidence = EvidenceRecord.objects.filter(subject=case.subject).select_related("file")
        for n, ev in enumerate(evidence.order_by("ledger_seq"), start=1):
            path = f"evidence/{n:03d}-{_safe(ev.original_filename)}"
            with open_evidence(ev.file.digest) as fh, zf.open(path, "w", force_zip64=True) as out:
                while chunk := fh.read(1024 * 1024):
                    out.write(chunk)
            files.append(
                {
                    "path": path,
                    "kind": "evidence",
                    "title": ev.original_filename,
                    "sm3": ev.file.digest,
                    "size": ev.file.size,
                    "ledger_seq": ev.ledger_seq,
                }
            )

        parties = [
            {
                "party": p,
                "id_masked": mask_citizen_id(p.id_number) if p.kind == "natural" else p.id_number,
            }
            for p in case.parties.all()
        ]
        cover = _render(
            "cases/archive/cover.html",
            {
                **header,
                "parties": parties,
                "officers": case.case_officers.select_related("officer"),
                "deadlines": open_deadlines(case),
                "files": files,
                "made_at": now,
                "made_by": getattr(actor, "display_name", "") or "系统",
            },
        )
        add(COVER, cover, "cover", "封面与目录")
        add(README, README_TEXT.encode("utf-8"), "readme", "验证说明")

        manifest = {
            "format": FORMAT,
            "subject": case.subject,
            "number": case.number,
            "made_at": now.isoformat(),
            "files": files,
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        with transaction.atomic():
            entry = record(
                actor=actor,
                role=_reader_role(actor, case),
                organization=case.organization,
                subject=case.subject,
                event_type=EVENT,
                payload={
                    "number": case.number,
                    "stage": case.stage,
                    "files": len(files),
                    "manifest_sm3": sm3(manifest_bytes),
                },
            )
        zf.writestr(MANIFEST, manifest_bytes)
        bundle = proof_bundle(case.subject)
        zf.writestr(BUNDLE, json.dumps(bundle, ensure_ascii=False, indent=1).encode())
    return CaseFile(f"案卷-{_safe(case.number)}.zip", manifest, entry.seq)


RECORD_LABELS = {
    "interviewee": "被询问人",
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "relation": "与案件关系",
    "phone": "联系电话",
    "address": "住址",
    "qa": "问答",
    "q": "问",
    "a": "答",
    "certificates_shown": "已出示执法证件",
    "rights_notified": "已告知陈述申辩及申请回避权利",
    "present": "在场人员",
    "findings": "检查情况",
    "filename": "文件名",
    # 抽样取证凭证
    "goods_name": "抽样物品名称",
    "specification": "规格型号",
    "batch": "批号或生产日期",
    "producer": "生产者",
    "base_quantity": "抽样基数",
    "base_unit": "抽样基数单位",
    "sample_quantity": "抽取样品数量",
    "sample_unit": "抽取样品单位",
    "holder": "被抽样人（持有人）",
    "holder_relation": "持有人与案件关系",
    "sealed": "已当场封样",
    "seal": "封样情况",
    "disposal": "样品处理",
    "disposal=test": "送检",
    "disposal=evidence": "留存作为证据",
    "testing_body": "检验检测机构",
    "test_purpose": "检验项目或目的",
    "return_note": "样品退还或者付费说明",
    "id_type=citizen_id": "公民身份号码",
    "id_type=other": "其他证件",
}

README_TEXT = """案卷验证说明

1. manifest.json 列出本案卷每个文件的 SM3 摘要；ledger/proof-bundle.json 是本案在执法全过程记录账本
   中全部记录的证明包（zhifa-proof-bundle/1），其中“导出案卷”一条记录了 manifest.json 的 SM3 摘要。
2. 验证证明包（无需数据库）：
     python -m zhifa.ledger.bundle_verify ledger/proof-bundle.json \\
         --ed25519-key '<平台公布的 Ed25519 公钥>' --sm2-key '<平台公布的 SM2 公钥>'
   公钥须从平台运维方（/ledger/ 页面或 zhifa ledger keys）取得，不能只信证明包自带的公钥。
3. 验证整个案卷（证明包、清单、每个文件、证据文件与其账本记录的摘要）：
     python -m zhifa.cases.archive verify 本案卷.zip
   任一文件被修改、增加或删除都会报错（退出码 1）。
"""


# ---------------------------------------------------------------- verification (no Django)


def verify_case_file(
    source: str | IO[bytes],
    trusted_ed25519: str | None = None,
    trusted_sm2: tuple[str, str] | None = None,
) -> list[str]:
    """Problems found in a case-file ZIP (empty list: verified). Needs no database."""
    problems: list[str] = []
    try:
        zf = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"不是有效的 ZIP 文件：{exc}"]
    with zf:
        names = set(zf.namelist())
        for required in (MANIFEST, BUNDLE):
            if required not in names:
                return [f"案卷缺少 {required}"]
        try:
            bundle = load_bundle(zf.read(BUNDLE))
            verify_bundle(bundle, trusted_ed25519, trusted_sm2)
        except BundleError as exc:
            return [f"账本证明包未通过验证：{exc}"]
        entries = {e["seq"]: e["payload"] for e in bundle["entries"]}
        exports = [e for e in entries.values() if e.get("event_type") == EVENT]
        if not exports:
            return ["证明包中没有“导出案卷”记录，无法确认文件清单。"]
        manifest_bytes = zf.read(MANIFEST)
        anchored = {_entry_payload(p).get("manifest_sm3") for p in exports}
        if sm3(manifest_bytes) not in anchored:
            return ["manifest.json 与账本记录的摘要不符（清单被修改）。"]
        manifest = json.loads(manifest_bytes)
        if manifest.get("subject") != bundle.get("subject"):
            problems.append("manifest.json 的案件与证明包的案件不一致。")
        listed = {f["path"]: f for f in manifest.get("files", [])}
        for path in sorted(names - UNLISTED - set(listed)):
            problems.append(f"{path}：清单中没有此文件（被加入）。")
        for path, item in listed.items():
            if path not in names:
                problems.append(f"{path}：文件缺失。")
                continue
            h = hashlib.new("sm3")
            with zf.open(path) as fh:
                while chunk := fh.read(1024 * 1024):
                    h.update(chunk)
            if h.hexdigest() != item["sm3"]:
                problems.append(f"{path}：内容与清单的 SM3 摘要不符（文件被修改）。")
            if item.get("kind") == "evidence":
                payload = _entry_payload(entries.get(item.get("ledger_seq")))
                if payload.get("digest") != item["sm3"]:
                    problems.append(f"{path}：证据文件摘要与其账本记录不符。")
    return problems


def _entry_payload(entry: dict | None) -> dict:
    """The app payload inside a bundle entry (stored as canonical JSON text or an object)."""
    if not entry:
        return {}
    payload = entry.get("payload", {})
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            return {}
    return payload if isinstance(payload, dict) else {}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m zhifa.cases.archive", description="验证案卷 ZIP"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="验证案卷")
    v.add_argument("zip")
    v.add_argument("--ed25519-key")
    v.add_argument("--sm2-key", help="NAME:PUBLIC_HEX")
    args = parser.parse_args(argv)
    sm2 = tuple(args.sm2_key.rsplit(":", 1)) if args.sm2_key else None
    problems = verify_case_file(args.zip, args.ed25519_key, sm2)  # type: ignore[arg-type]
    for line in problems:
        print(f"FAIL: {line}")
    if not problems:
        print("OK: 案卷完整，与账本记录一致。")
    return 1 if problems else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
