"""案卷: the case-file ZIP (cover and catalogue, documents, records, evidence, manifest, proof
bundle); the standalone verifier passes on its bundle; any changed, added or removed file is
detected; who may export; the `zhifa cases` command; the download button."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhifa.cases import archive
from zhifa.cases.records import add_transcript
from zhifa.cases.services import CaseActionRefused
from zhifa.ledger.models import LedgerEntry

from .conftest import add_av_record, citizen_id
from .records_support import use_tmp_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_tmp_storage(settings, tmp_path)


@pytest.fixture
def finished(make_case, cw):
    """A penalty case run to the archive with an interview and an audio record on the way."""
    case = make_case(stage="investigating")
    add_av_record(cw, case)
    add_transcript(
        cw.users["officer"],
        case,
        kind="interview",
        title="询问笔录（第一次）",
        content={
            "interviewee": {"name": "岩罕（虚构）", "id_number": citizen_id(serial=1)},
            "qa": [{"q": "是否知道在此建房需要许可？", "a": "不知道。"}],
            "certificates_shown": True,
            "rights_notified": True,
        },
        place="大兴乡某村（虚构）",
        officer_ids=[cw.officers["李明"].pk, cw.officers["王芳"].pk],
    )
    return make_case_continue(cw, case)


def make_case_continue(cw, case):
    from .conftest import _penalty_path

    path = _penalty_path({})
    for action, user, data in path[1:]:  # filed already
        if callable(data):
            data(cw, case)
            if not action:  # a service of its own (the payment), not a transition
                continue
            data = {}
        case = cw.perform(case, action, data, user=user)
    assert case.stage == "archived"
    return case


def _zip(cw, case, actor="officer") -> bytes:
    buffer = io.BytesIO()
    archive.write_case_file(cw.users[actor] if actor else None, case, buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, change) -> bytes:
    """A copy of the ZIP with change(name, bytes) -> bytes | None (None drops the file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = change(name, src.read(name))
            if content is not None:
                dst.writestr(name, content)
    return out.getvalue()


def test_case_file_contents(finished, cw):
    data = _zip(cw, finished)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        cover = zf.read(archive.COVER).decode()
        manifest = json.loads(zf.read(archive.MANIFEST))
        decision = next(n for n in names if n.endswith("-decide.html"))
        decision_html = zf.read(decision).decode()
        interview = next(n for n in names if n.startswith("records/") and "询问笔录" in n)
        interview_html = zf.read(interview).decode()
        audio = next(n for n in names if n.startswith("evidence/"))
        audio_bytes = zf.read(audio)
    assert finished.number in cover and "卷内目录" in cover
    assert finished.organization.name in cover
    # The cover lists every file of the manifest; the party's ID number is masked there.
    for item in manifest["files"]:
        if item["path"] != archive.COVER:
            assert item["path"] in cover
    assert citizen_id(serial=1) not in cover
    assert "行政处罚决定书" in decision_html and finished.decision_number in decision_html
    assert "罚款" in decision_html and "500" in decision_html
    assert "是否知道在此建房需要许可" in interview_html
    assert audio.endswith(".wav") and audio_bytes[:4] == b"RIFF"
    kinds = {f["kind"] for f in manifest["files"]}
    assert {"cover", "document", "record", "evidence", "readme"} <= kinds
    assert manifest["subject"] == finished.subject


def test_verifier_passes_and_the_standalone_bundle_verifier_too(finished, cw, tmp_path):
    data = _zip(cw, finished)
    assert archive.verify_case_file(io.BytesIO(data)) == []
    # The export is in the ledger with the manifest's digest.
    export = LedgerEntry.objects.filter(subject=finished.subject, event_type=archive.EVENT).get()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = zf.read(archive.MANIFEST)
        (tmp_path / "bundle.json").write_bytes(zf.read(archive.BUNDLE))
    assert json.loads(export.payload)["manifest_sm3"] == archive.sm3(manifest)
    from zhifa.ledger.keys import load_keys

    keys = load_keys()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "zhifa.ledger.bundle_verify",
            str(tmp_path / "bundle.json"),
            "--ed25519-key",
            keys.ed25519_verifier.to_string(),
            "--sm2-key",
            f"{keys.sm2_name}:{keys.sm2_public_hex}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout
    # The case verifier without Django, as an outsider runs it.
    (tmp_path / "case.zip").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-m", "zhifa.cases.archive", "verify", str(tmp_path / "case.zip")],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("target", ["evidence/", "documents/", "records/", archive.COVER])
def test_a_changed_file_is_detected(finished, cw, target):
    data = _zip(cw, finished)

    def change(name, content):
        return content + b"x" if name.startswith(target) else content

    problems = archive.verify_case_file(io.BytesIO(_rewrite(data, change)))
    assert any("被修改" in p for p in problems), problems


def test_added_and_removed_files_are_detected(finished, cw):
    data = _zip(cw, finished)
    added = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(added, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("evidence/999-补充.jpg", b"not from the ledger")
    assert any("被加入" in p for p in archive.verify_case_file(io.BytesIO(added.getvalue())))

    def drop(name, content):
        return None if name.startswith("evidence/") else content

    assert any("缺失" in p for p in archive.verify_case_file(io.BytesIO(_rewrite(data, drop))))


def test_a_consistently_rewritten_manifest_is_detected(finished, cw):
    """Changing a file AND its digest in the manifest fails: the manifest's digest is in the
    signed ledger."""
    data = _zip(cw, finished)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read(archive.MANIFEST))
    doc = next(f for f in manifest["files"] if f["kind"] == "document")
    forged = b"<html>forged</html>"
    doc["sm3"] = archive.sm3(forged)

    def change(name, content):
        if name == doc["path"]:
            return forged
        if name == archive.MANIFEST:
            return json.dumps(manifest).encode()
        return content

    problems = archive.verify_case_file(io.BytesIO(_rewrite(data, change)))
    assert problems and "manifest.json" in problems[0]


def test_a_tampered_bundle_fails(finished, cw):
    data = _zip(cw, finished)

    def change(name, content):
        if name != archive.BUNDLE:
            return content
        bundle = json.loads(content)
        bundle["entries"][0]["payload"]["payload"]["title"] = "改过的案由"
        return json.dumps(bundle).encode()

    problems = archive.verify_case_file(io.BytesIO(_rewrite(data, change)))
    assert problems and "证明包未通过验证" in problems[0]
    assert archive.verify_case_file(io.BytesIO(b"not a zip"))[0].startswith("不是有效的 ZIP")


def test_damaged_evidence_stops_the_export(finished, cw, settings):
    from django.core.files.storage import default_storage

    from zhifa.evidence.models import EvidenceRecord
    from zhifa.evidence.services import EvidenceCorrupted

    ev = EvidenceRecord.objects.filter(subject=finished.subject).select_related("file").first()
    path = default_storage.path(ev.file.storage_name)
    with open(path, "r+b") as fh:
        fh.write(b"XXXX")
    before = LedgerEntry.objects.filter(event_type=archive.EVENT).count()
    with pytest.raises(EvidenceCorrupted):
        _zip(cw, finished)
    assert LedgerEntry.objects.filter(event_type=archive.EVENT).count() == before


def test_damaged_evidence_is_told_on_the_page(finished, client_for):
    from django.core.files.storage import default_storage

    from zhifa.evidence.models import EvidenceRecord

    ev = EvidenceRecord.objects.filter(subject=finished.subject).select_related("file").first()
    with open(default_storage.path(ev.file.storage_name), "r+b") as fh:
        fh.write(b"XXXX")
    response = client_for("officer").post(reverse("cases:case_file", args=[finished.pk]))
    assert response.status_code == 400
    assert "证据文件校验未通过，不能生成案卷" in response.content.decode()
    assert not LedgerEntry.objects.filter(event_type=archive.EVENT).exists()


def test_who_may_export(make_case, cw, finished):
    running = make_case(stage="investigating")
    with pytest.raises(CaseActionRefused, match="结案前"):
        _zip(cw, running, "officer")
    assert LedgerEntry.objects.filter(event_type=archive.EVENT).count() == 0
    assert archive.verify_case_file(io.BytesIO(_zip(cw, running, "unithead"))) == []
    # A closed case: any reader, a supervisor included.
    assert archive.verify_case_file(io.BytesIO(_zip(cw, finished, "supervisor"))) == []
    entry = LedgerEntry.objects.filter(subject=finished.subject, event_type=archive.EVENT).get()
    assert entry.role == "supervisor" and "陈静" in entry.actor_label


def test_command_writes_and_verifies(finished, tmp_path):
    out = tmp_path / "case.zip"
    stdout = io.StringIO()
    call_command("cases", "archive", finished.number, "--out", str(out), stdout=stdout)
    assert "案卷已写入" in stdout.getvalue()
    assert archive.verify_case_file(str(out)) == []
    stdout = io.StringIO()
    call_command("cases", "verify", str(out), stdout=stdout)
    assert "OK" in stdout.getvalue()
    call_command("cases", "archive", str(finished.pk), "--out", str(tmp_path / "b.zip"))
    with pytest.raises(CommandError, match="未找到案件"):
        call_command("cases", "archive", "无此案号", "--out", str(tmp_path / "c.zip"))
    assert not (tmp_path / "c.zip").exists()
    (tmp_path / "bad.zip").write_bytes(b"PK")
    with pytest.raises(CommandError, match="未通过验证"):
        call_command("cases", "verify", str(tmp_path / "bad.zip"), stdout=io.StringIO())


def test_download_button(finished, make_case, client_for):
    url = reverse("cases:case_file", args=[finished.pk])
    page = client_for("officer").get(reverse("cases:detail", args=[finished.pk])).content.decode()
    assert url in page
    response = client_for("officer").post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert archive.verify_case_file(io.BytesIO(data)) == []
    running = make_case(stage="investigating")
    running_url = reverse("cases:case_file", args=[running.pk])
    page = client_for("officer").get(reverse("cases:detail", args=[running.pk])).content.decode()
    assert running_url not in page and "结案前" in page
    assert client_for("officer").post(running_url).status_code == 403
    assert client_for("unithead").post(running_url).status_code == 200
    assert client_for("marketofficer").post(running_url).status_code == 404
    assert client_for("officer").get(url).status_code == 405


@pytest.mark.parametrize("procedure", ["penalty_simplified", "inspection", "coercion", "licensing"])
def test_every_procedure_makes_a_verifiable_case_file(make_case, cw, procedure):
    case = make_case(procedure, "archived")
    data = _zip(cw, case)
    assert archive.verify_case_file(io.BytesIO(data)) == []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        documents = [n for n in zf.namelist() if n.startswith("documents/")]
    assert len(documents) == case.steps.count() > 0
