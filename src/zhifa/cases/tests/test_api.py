"""执法办案 API: every endpoint scoped (anonymous 401, wrong role or token scope 403, other
organisation 404, right role 200/201), writes through the cases and records services (a
refusal is a 400 with the Chinese reason and changes nothing), tokens read but never act."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from zhifa.cases.models import Case, Record
from zhifa.evidence.models import EvidenceRecord
from zhifa.exchange import services as exchange_services
from zhifa.ledger.models import LedgerEntry

from .conftest import citizen_id, person, wav_bytes
from .records_support import use_tmp_storage

BASE = "/api/v1"


@pytest.fixture
def case(make_case):
    return make_case("penalty_ordinary")  # 案源登记, 李明 and 王芳 assigned


@pytest.fixture
def token(world):
    def make(org_key: str, scopes: str = "read") -> Client:
        _, raw = exchange_services.issue_token(
            None, f"{org_key}-{scopes}", world.orgs[org_key], scopes
        )
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


@pytest.fixture
def storage(settings, tmp_path):
    use_tmp_storage(settings, tmp_path)


def _post(client: Client, url: str, body: dict):
    return client.post(url, body, content_type="application/json")


def _new_case_body(cw, **over) -> dict:
    today = timezone.localdate()
    body = {
        "organization_id": cw.orgs["daxing"].pk,
        "unit_id": cw.orgs["daxing_team"].pk,
        "matter_id": cw.matter("XZCF-001").pk,
        "procedure": "penalty_ordinary",
        "title": "某农户未经批准占用耕地建房案（虚构）",
        "source": "inspection",
        "parties": [
            {"kind": "natural", "name": "岩香（虚构）", "id_number": citizen_id(serial=777)}
        ],
        "officer_ids": [cw.officers["李明"].pk, cw.officers["王芳"].pk],
        "occurred_on": str(today - datetime.timedelta(days=5)),
        "discovered_on": str(today - datetime.timedelta(days=1)),
    }
    body.update(over)
    return body


def _transcript(cw) -> dict:
    return {
        "kind": "interview",
        "title": "询问笔录（虚构）",
        "place": "大兴乡执法队询问室",
        "officer_ids": [cw.officers["李明"].pk, cw.officers["王芳"].pk],
        "content": {
            "interviewee": {"name": "岩香（虚构）", "id_number": citizen_id(serial=777)},
            "qa": [{"q": "房屋何时开工？", "a": "今年三月。"}],
            "certificates_shown": True,
            "rights_notified": True,
        },
    }


def _calls(cw, case):
    """(method, url, body) of every endpoint, reads then writes."""
    c = f"{BASE}/cases/{case.pk}"
    return [
        ("get", f"{BASE}/cases", None),
        ("get", c, None),
        ("get", f"{c}/actions", None),
        ("get", f"{c}/records", None),
        ("post", f"{BASE}/cases", _new_case_body(cw)),
        ("post", f"{c}/transitions", {"action": "file", "data": {}}),
        ("post", f"{c}/records", _transcript(cw)),
        ("evidence", f"{c}/evidence", None),
    ]


def _call(client: Client, method: str, url: str, body, cw=None):
    if method == "get":
        return client.get(url)
    if method == "evidence":
        upload = io.BytesIO(wav_bytes())
        upload.name = "现场录音.wav"
        officers = f"{cw.officers['李明'].pk},{cw.officers['王芳'].pk}" if cw else ""
        return client.post(url, {"file": upload, "kind": "audio", "officer_ids": officers})
    return _post(client, url, body)


# ---------------------------------------------------------------- scoped access


def test_anonymous_gets_401_everywhere(cw, case):
    for method, url, body in _calls(cw, case):
        assert _call(Client(), method, url, body, cw).status_code == 401, url
    assert Case.objects.count() == 1


@pytest.mark.parametrize("user", ["sysadmin", "auditadmin"])
def test_administrators_see_no_cases(cw, case, client_for, user):
    client = client_for(user)
    for method, url, body in _calls(cw, case):
        response = _call(client, method, url, body, cw)
        assert response.status_code == 403, url
        assert response.json()["detail"]
    assert Case.objects.count() == 1


def test_token_without_read_scope_gets_403(cw, case, token):
    client = token("daxing", "registry.write")
    for method, url, body in _calls(cw, case)[:4]:
        assert _call(client, method, url, body).status_code == 403, url


def test_read_token_reads_its_organisations_cases_but_cannot_act(cw, case, token, storage):
    client = token("daxing")
    listed = client.get(f"{BASE}/cases").json()
    assert [c["id"] for c in listed["items"]] == [case.pk]
    assert client.get(f"{BASE}/cases/{case.pk}").status_code == 200
    actions = client.get(f"{BASE}/cases/{case.pk}/actions").json()["actions"]
    assert actions and not any(a["allowed"] for a in actions)
    assert all(a["reason"] for a in actions)
    assert client.get(f"{BASE}/cases/{case.pk}/records").status_code == 200
    before = LedgerEntry.objects.count()
    for method, url, body in _calls(cw, case)[4:]:
        response = _call(client, method, url, body, cw)
        assert response.status_code == 403, url
        assert "接口令牌" in response.json()["detail"]
    assert LedgerEntry.objects.count() == before
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_token_lists_with_the_same_filters_as_users(cw, make_case, token):
    """Tokens filter through selectors.filter_cases as the pages do: a party's name is found,
    a decision warning alone is not overdue, and a token of the unit reads the unit's cases."""
    penalty = make_case("penalty_ordinary", parties=[person("岩令牌甲（虚构）", serial=931)])
    inspection = make_case("inspection", title="乙检查（虚构）")
    for key in ("daxing", "daxing_team"):
        client = token(key)

        def ids(query: str, client=client) -> list[int]:
            return [c["id"] for c in client.get(f"{BASE}/cases?{query}").json()["items"]]

        assert ids("") == [inspection.pk, penalty.pk]
        assert ids("q=令牌甲") == [penalty.pk]
        assert ids(f"q={inspection.number}") == [inspection.pk]
        assert ids("category=inspection&stage=" + inspection.stage) == [inspection.pk]
        assert ids("overdue=true") == []
    assert token("county_gov").get(f"{BASE}/cases").json()["items"] != []
    assert token("law_firm").get(f"{BASE}/cases").json()["items"] == []


def test_cases_write_token_registers_and_acts_but_never_approves(cw, case, token, client_for):
    client = token("daxing", "read,cases.write")
    created = _post(client, f"{BASE}/cases", _new_case_body(cw))
    assert created.status_code == 201, created.json()
    new = Case.objects.get(pk=created.json()["id"])
    entry = LedgerEntry.objects.get(subject=new.subject, event_type="cases.registered")
    assert entry.actor_label.startswith("api:")
    # 批准立案 is a head's own act.
    url = f"{BASE}/cases/{case.pk}/transitions"
    refused = _post(client, url, {"action": "file"})
    assert refused.status_code == 400
    assert "接口调用不能代替负责人审批" in refused.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "registered"
    assert _post(client_for("unithead"), url, {"action": "file"}).status_code == 200
    report = {"report": "调查终结报告（虚构）", "proposal": "penalize"}
    done = _post(client, url, {"action": "conclude", "data": report})
    assert done.status_code == 200, done.json()
    assert done.json()["stage"] == "concluded"
    last = LedgerEntry.objects.filter(subject=case.subject).order_by("-seq").first()
    assert last.actor_label.startswith("api:") and last.event_type == "cases.transition"
    # The full-process record is made by a named officer.
    response = _post(client, f"{BASE}/cases/{case.pk}/records", _transcript(cw))
    assert response.status_code == 403
    assert not Record.objects.exists()


def test_cases_write_token_of_another_organisation_gets_404(cw, case, token):
    client = token("county_market", "read,cases.write")
    url = f"{BASE}/cases/{case.pk}/transitions"
    assert _post(client, url, {"action": "conclude"}).status_code == 404
    assert _post(client, f"{BASE}/cases", _new_case_body(cw)).status_code == 404
    assert Case.objects.count() == 1


def test_other_organisation_gets_404(cw, case, client_for, token, storage):
    other = client_for("marketofficer")  # an officer of 县市场监督管理局
    assert other.get(f"{BASE}/cases").json()["items"] == []
    for method, url, body in _calls(cw, case)[1:]:
        if url == f"{BASE}/cases":
            continue  # registration in 大兴乡's name: below
        response = _call(other, method, url, body, cw)
        assert response.status_code == 404, url
        assert response.json()["detail"] == "未找到该案件。"
    # 大兴乡 is not an organisation this officer reads: the same 404.
    assert _post(other, f"{BASE}/cases", _new_case_body(cw)).status_code == 404
    market = token("county_market")
    assert market.get(f"{BASE}/cases").json()["items"] == []
    assert market.get(f"{BASE}/cases/{case.pk}").status_code == 404
    assert market.get(f"{BASE}/cases/{case.pk}/actions").status_code == 404
    assert market.get(f"{BASE}/cases/{case.pk}/records").status_code == 404
    assert Case.objects.count() == 1
    assert not Record.objects.exists()


def test_supervisor_reads_but_cannot_act(cw, case, client_for):
    client = client_for("supervisor")  # 大兴乡司法所 supervises 大兴乡
    assert client.get(f"{BASE}/cases/{case.pk}").status_code == 200
    response = _post(client, f"{BASE}/cases/{case.pk}/transitions", {"action": "file"})
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_right_roles_get_200(cw, case, client_for, storage):
    officer = client_for("officer")
    assert [c["id"] for c in officer.get(f"{BASE}/cases").json()["items"]] == [case.pk]
    detail = officer.get(f"{BASE}/cases/{case.pk}").json()
    assert detail["stage"] == "registered" and detail["stage_label"] == "案源登记"
    assert detail["parties"][0]["id_number"] != case.parties.get().id_number  # masked
    assert officer.get(f"{BASE}/cases/{case.pk}/actions").status_code == 200
    assert officer.get(f"{BASE}/cases/{case.pk}/records").json() == []
    assert _post(officer, f"{BASE}/cases", _new_case_body(cw)).status_code == 201
    assert _post(officer, f"{BASE}/cases/{case.pk}/records", _transcript(cw)).status_code == 201
    up = _call(officer, "evidence", f"{BASE}/cases/{case.pk}/evidence", None, cw)
    assert up.status_code == 201, up.json()
    head = client_for("unithead")
    response = _post(head, f"{BASE}/cases/{case.pk}/transitions", {"action": "file"})
    assert response.status_code == 200, response.json()


# ---------------------------------------------------------------- registration


def test_officer_registers_a_case_with_its_ledger_entry(cw, client_for):
    response = _post(client_for("officer"), f"{BASE}/cases", _new_case_body(cw))
    assert response.status_code == 201, response.json()
    data = response.json()
    case = Case.objects.get(pk=data["id"])
    assert data["number"] == case.number and data["stage"] == "registered"
    assert [o["name"] for o in data["officers"]] == ["李明", "王芳"]
    entry = LedgerEntry.objects.get(subject=case.subject, event_type="cases.registered")
    assert json.loads(entry.payload)["number"] == case.number


def test_wrong_id_number_is_refused_and_nothing_saved(cw, client_for):
    parties = [{"kind": "natural", "name": "岩香（虚构）", "id_number": "530926199001011230"}]
    before = LedgerEntry.objects.count()
    response = _post(client_for("officer"), f"{BASE}/cases", _new_case_body(cw, parties=parties))
    assert response.status_code == 400
    assert "身份" in response.json()["detail"]
    assert not Case.objects.exists()
    assert LedgerEntry.objects.count() == before


def test_matter_of_another_body_is_not_found(cw, client_for):
    from zhifa.powers.models import Matter

    foreign = Matter.objects.exclude(power_list__organization=cw.orgs["daxing"]).first()
    body = _new_case_body(cw, matter_id=foreign.pk if foreign else 999999)
    assert _post(client_for("officer"), f"{BASE}/cases", body).status_code == 404
    assert not Case.objects.exists()


def test_bad_payload_is_a_400_in_chinese(cw, client_for):
    response = _post(client_for("officer"), f"{BASE}/cases", {"title": "缺少字段"})
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据格式有误。"


# ---------------------------------------------------------------- transitions


def test_transition_moves_the_case_and_writes_one_ledger_entry(cw, case, client_for):
    before = LedgerEntry.objects.filter(subject=case.subject).count()
    response = _post(
        client_for("unithead"),
        f"{BASE}/cases/{case.pk}/transitions",
        {"action": "file", "data": {"opinion": "同意立案"}, "expected_stage": "registered"},
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["stage"] == "investigating" and data["filed_on"]
    assert data["steps"][-1]["action"] == "file"
    entries = LedgerEntry.objects.filter(subject=case.subject)
    assert entries.count() == before + 1
    assert json.loads(entries.order_by("-seq").first().payload)["data"]["opinion"] == "同意立案"


def test_officer_cannot_approve_filing(cw, case, client_for):
    response = _post(
        client_for("officer"), f"{BASE}/cases/{case.pk}/transitions", {"action": "file"}
    )
    assert response.status_code == 400
    assert "执法机构负责人" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_action_not_allowed_in_this_stage_is_refused(cw, case, client_for):
    response = _post(
        client_for("unithead"), f"{BASE}/cases/{case.pk}/transitions", {"action": "archive"}
    )
    assert response.status_code == 400
    assert "案件当前环节为“案源登记”" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_stale_stage_is_refused(cw, case, client_for):
    response = _post(
        client_for("unithead"),
        f"{BASE}/cases/{case.pk}/transitions",
        {"action": "file", "expected_stage": "investigating"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "案件状态已变化，请刷新后重试。"
    assert Case.objects.get(pk=case.pk).stage == "registered"


def test_a_rule_of_law_refuses_with_its_reason(cw, make_case, client_for):
    """A decision before the statement period ended and without a waiver (第六十二条)."""
    case = make_case(stage="to_notify")
    head = client_for("unithead")
    url = f"{BASE}/cases/{case.pk}/transitions"
    today = str(timezone.localdate())
    notice = {"served_on": today, "facts": "事实", "reasons": "理由", "basis": "依据"}
    assert (
        _post(client_for("officer"), url, {"action": "notify", "data": notice}).status_code == 200
    )
    decision = {
        "kinds": ["fine"],
        "fine": "500",
        "facts": "事实",
        "basis": "《中华人民共和国城乡规划法》第六十五条",
    }
    response = _post(head, url, {"action": "decide", "data": decision})
    assert response.status_code == 400
    assert "陈述" in response.json()["detail"]
    assert Case.objects.get(pk=case.pk).stage == "notified"


def test_allowed_actions_tell_why_not(cw, case, client_for):
    officer = client_for("officer").get(f"{BASE}/cases/{case.pk}/actions").json()
    assert officer["stage"] == "registered"
    file = next(a for a in officer["actions"] if a["action"] == "file")
    assert not file["allowed"] and "执法机构负责人" in file["reason"]
    assert file["target_label"] == "调查取证"
    head = client_for("unithead").get(f"{BASE}/cases/{case.pk}/actions").json()
    file = next(a for a in head["actions"] if a["action"] == "file")
    assert file["allowed"] and file["reason"] is None
    assert {f["name"] for f in file["fields"]} == {"serious_harm", "opinion"}


# ---------------------------------------------------------------- lists


def test_list_filters(cw, make_case, client_for):
    registered = make_case("penalty_ordinary", title="甲案（虚构）")
    inspection = make_case("inspection", title="乙检查（虚构）")
    client = client_for("unithead")

    def ids(query: str) -> list[int]:
        return [c["id"] for c in client.get(f"{BASE}/cases?{query}").json()["items"]]

    assert ids("") == [inspection.pk, registered.pk]
    assert ids("category=inspection") == [inspection.pk]
    assert ids("procedure=penalty_ordinary") == [registered.pk]
    assert ids("stage=registered") == [registered.pk]
    assert ids("q=甲案") == [registered.pk]
    assert ids("category=nonsense") == []
    assert ids("scope=unit") == [inspection.pk, registered.pk]
    assert ids("limit=1") == [inspection.pk]
    assert client.get(f"{BASE}/cases?limit=1").json()["count"] == 2
    assert client.get(f"{BASE}/cases?scope=elsewhere").status_code == 404


# ---------------------------------------------------------------- records and evidence


def test_transcript_needs_two_officers(cw, case, client_for):
    body = {**_transcript(cw), "officer_ids": [cw.officers["李明"].pk]}
    response = _post(client_for("officer"), f"{BASE}/cases/{case.pk}/records", body)
    assert response.status_code == 400
    assert "不得少于两人" in response.json()["detail"]
    assert not Record.objects.exists()


def test_transcript_is_recorded(cw, case, client_for):
    response = _post(client_for("officer"), f"{BASE}/cases/{case.pk}/records", _transcript(cw))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "interview" and data["content"]["qa"][0]["a"] == "今年三月。"
    assert LedgerEntry.objects.filter(seq=data["ledger_seq"], subject=case.subject).exists()
    listed = client_for("unithead").get(f"{BASE}/cases/{case.pk}/records").json()
    assert [r["id"] for r in listed] == [data["id"]]


def test_evidence_upload_is_stored_with_its_digest(cw, case, client_for, storage):
    response = _call(
        client_for("officer"), "evidence", f"{BASE}/cases/{case.pk}/evidence", None, cw
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kind"] == "audio" and len(data["digest"]) == 64
    assert EvidenceRecord.objects.filter(pk=data["evidence_id"], subject=case.subject).exists()


def test_corrupt_video_is_refused_and_nothing_stored(cw, case, client_for, storage):
    upload = io.BytesIO(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40)
    upload.name = "现场录像.mp4"
    officers = f"{cw.officers['李明'].pk},{cw.officers['王芳'].pk}"
    response = client_for("officer").post(
        f"{BASE}/cases/{case.pk}/evidence",
        {"file": upload, "kind": "video", "officer_ids": officers},
    )
    assert response.status_code == 400
    assert response.json()["detail"]
    assert not Record.objects.exists() and not EvidenceRecord.objects.exists()


def test_evidence_bad_time_is_refused(cw, case, client_for, storage):
    upload = io.BytesIO(wav_bytes())
    upload.name = "a.wav"
    officers = f"{cw.officers['李明'].pk},{cw.officers['王芳'].pk}"
    response = client_for("officer").post(
        f"{BASE}/cases/{case.pk}/evidence",
        {"file": upload, "kind": "audio", "officer_ids": officers, "taken_at": "昨天"},
    )
    assert response.status_code == 400
    assert "记录时间" in response.json()["detail"]
    assert not Record.objects.exists()
