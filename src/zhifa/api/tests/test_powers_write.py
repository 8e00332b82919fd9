"""Power-list and benchmark writes: through the powers services, scoped for users (role over the
body) and API clients (powers.write scope, own organisation's subtree), each change one ledger
entry naming the caller; anonymous 401, wrong role/scope 403, other organisation 404."""

import json

import pytest
from django.test import Client

from zhifa.core import services as core_services
from zhifa.core.models import Role
from zhifa.exchange.models import ApiClient
from zhifa.ledger.models import LedgerEntry
from zhifa.powers import services
from zhifa.powers.models import DiscretionBenchmark, ListStatus, Matter, PowerList

BASE = "/api/v1"
SOURCE = "大兴乡裁量基准（2026）"
GRADES = [
    {"label": "轻微", "fine_min": 1000, "fine_max": 5000},
    {"label": "严重", "multiple_min": "1", "multiple_max": "3", "multiple_base": "违法所得"},
]


def _post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def _patch(client, url, body):
    return client.patch(url, body, content_type="application/json")


@pytest.fixture
def objs(api_world):
    daxing = api_world.orgs["daxing"]
    plist = services.create_list(None, daxing, 2026)
    matter, _ = services.save_matter(
        None, plist, "XZJC-001", name="农村建房检查", category="inspection"
    )
    bench, _ = services.save_benchmark(None, daxing, SOURCE, "1", violation="露天焚烧秸秆")
    ref = DiscretionBenchmark.objects.create(source="参考表", item_no="1", violation="超标排放")
    return {"daxing": daxing, "plist": plist, "matter": matter, "bench": bench, "ref": ref}


def writes(objs):
    """(method, url, a valid body) of every write endpoint, aimed at 大兴乡's objects."""
    plist, matter, bench = objs["plist"], objs["matter"], objs["bench"]
    return [
        ("post", f"{BASE}/power-lists", {"body_id": objs["daxing"].pk, "year": 2027}),
        (
            "post",
            f"{BASE}/power-lists/{plist.pk}/matters",
            {"code": "XZCF-001", "name": "占道经营", "category": "penalty"},
        ),
        ("patch", f"{BASE}/matters/{matter.pk}", {"time_limit": "15日"}),
        ("post", f"{BASE}/power-lists/{plist.pk}/publish", {}),
        (
            "post",
            f"{BASE}/benchmarks",
            {"body_id": objs["daxing"].pk, "source": SOURCE, "item_no": "2", "violation": "x"},
        ),
        ("patch", f"{BASE}/benchmarks/{bench.pk}", {"section": "大气"}),
    ]


def _send(client, method, url, body):
    return (_post if method == "post" else _patch)(client, url, body)


def _nothing_changed(objs, entries_before):
    assert LedgerEntry.objects.count() == entries_before
    assert PowerList.objects.count() == 1 and Matter.objects.count() == 1
    assert PowerList.objects.get(pk=objs["plist"].pk).status == ListStatus.DRAFT
    assert DiscretionBenchmark.objects.get(pk=objs["bench"].pk).section == ""


def test_openapi_lists_write_paths(db):
    spec = Client().get(f"{BASE}/openapi.json").json()["paths"]
    assert "post" in spec[f"{BASE}/power-lists"]
    assert "post" in spec[f"{BASE}/power-lists/{{list_id}}/matters"]
    assert "patch" in spec[f"{BASE}/matters/{{matter_id}}"]
    assert "post" in spec[f"{BASE}/power-lists/{{list_id}}/publish"]
    assert "post" in spec[f"{BASE}/benchmarks"]
    assert "patch" in spec[f"{BASE}/benchmarks/{{benchmark_id}}"]


def test_refusals_change_nothing(api_world, objs, client_for, token_for, bearer):
    core_services.grant_role(
        None, api_world.users["marketofficer"], api_world.orgs["county_market"], Role.BODY_HEAD
    )
    cases = [
        (Client(), 401),  # anonymous
        (client_for("officer"), 403),  # reads 大兴乡 but holds no managing role
        (client_for("sysadmin"), 404),  # administrators see no business data
        (client_for("marketofficer"), 404),  # body head of another body
        (bearer(token_for("daxing", "read")), 403),  # token without powers.write
        (bearer(token_for("daxing", "read,registry.write")), 403),
        (bearer(token_for("county_market", "read,powers.write")), 404),  # other organisation
        (bearer("zf_unknown"), 401),
    ]
    before = LedgerEntry.objects.count()
    for client, status in cases:
        for method, url, body in writes(objs):
            response = _send(client, method, url, body)
            assert response.status_code == status, (url, status, response.content)
            assert response.json()["detail"]
    _nothing_changed(objs, before)


def test_unit_client_may_not_write_for_the_body_above(objs, token_for, bearer):
    """A client of 综合行政执法队 reads 大兴乡's list (its body) but acts only in its subtree."""
    client = bearer(token_for("daxing_team", "read,powers.write"))
    before = LedgerEntry.objects.count()
    assert client.get(f"{BASE}/power-lists/{objs['plist'].pk}").status_code == 200
    for method, url, body in writes(objs):
        assert _send(client, method, url, body).status_code == 403, url
    _nothing_changed(objs, before)


def test_token_client_writes_with_one_entry_naming_it(objs, token_for, bearer):
    client = bearer(token_for("daxing", "read,powers.write"))
    api_client = ApiClient.objects.get(name="daxing-read,powers.write")
    before = LedgerEntry.objects.count()
    plist = objs["plist"]
    response = _post(
        client,
        f"{BASE}/power-lists/{plist.pk}/matters",
        {
            "code": "XZCF-001",
            "name": "未取得乡村建设规划许可证进行建设",
            "category": "penalty",
            "procedure_steps": ["立案", "调查", "决定"],
            "responsible_unit_id": objs["daxing"].pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["procedure_steps"] == ["立案", "调查", "决定"]
    matter_id = response.json()["id"]
    response = _patch(client, f"{BASE}/matters/{matter_id}", {"time_limit": "15日"})
    assert response.status_code == 200 and response.json()["time_limit"] == "15日"
    response = _post(client, f"{BASE}/power-lists/{plist.pk}/publish")
    assert response.status_code == 200 and response.json()["status"] == "published"
    response = _post(
        client,
        f"{BASE}/benchmarks",
        {
            "body_id": objs["daxing"].pk,
            "source": SOURCE,
            "item_no": "2",
            "violation": "未按规定处置建筑垃圾",
            "grades": GRADES,
        },
    )
    assert response.status_code == 201, response.content
    grades = response.json()["grades"]
    assert [g["label"] for g in grades] == ["轻微", "严重"]
    response = _patch(client, f"{BASE}/benchmarks/{objs['bench'].pk}", {"section": "大气"})
    assert response.status_code == 200 and response.json()["section"] == "大气"
    response = _post(client, f"{BASE}/power-lists", {"body_id": objs["daxing"].pk, "year": 2027})
    assert response.status_code == 201 and response.json()["version"] == 1

    entries = list(LedgerEntry.objects.filter(seq__gte=before).order_by("seq"))
    assert [e.event_type for e in entries] == [
        "powers.matter_saved",
        "powers.matter_saved",
        "powers.list_published",
        "powers.benchmark_saved",
        "powers.benchmark_saved",
        "powers.list_created",
    ]
    assert {e.actor_label for e in entries} == {api_client.actor_label}
    assert {e.role for e in entries} == {"api_client"} and {e.actor_id for e in entries} == {None}
    assert json.loads(entries[1].payload)["changed"] == ["time_limit"]


def test_session_body_head_writes_and_bad_input_is_400(objs, client_for):
    client = client_for("bodyhead")
    plist, bench = objs["plist"], objs["bench"]
    before = LedgerEntry.objects.count()
    bad = [
        # the same code again
        (
            "post",
            f"{BASE}/power-lists/{plist.pk}/matters",
            {"code": "XZJC-001", "name": "x", "category": "inspection"},
            "已有此事项编码",
        ),
        (
            "post",
            f"{BASE}/power-lists/{plist.pk}/matters",
            {"code": "X-1", "name": "x", "category": "乱罚"},
            "权力类别不正确",
        ),
        (
            "patch",
            f"{BASE}/benchmarks/{bench.pk}",
            {"grades": [{"label": "一般", "fine_min": 9000, "fine_max": 100}]},
            "罚款下限不能大于上限",
        ),
        ("patch", f"{BASE}/benchmarks/{bench.pk}",
         {"grades": [{"label": "x", "fine_max": "abc"}]}, "格式有误"),
        ("post", f"{BASE}/power-lists", {"body_id": objs["daxing"].pk, "year": 2026}, "已有草稿"),
    ]  # fmt: skip
    for method, url, body, message in bad:
        response = _send(client, method, url, body)
        assert response.status_code == 400, (url, response.content)
        assert message in response.json()["detail"]
    _nothing_changed(objs, before)

    response = _patch(client, f"{BASE}/benchmarks/{objs['ref'].pk}", {"section": "x"})
    assert response.status_code == 403 and "参考表" in response.json()["detail"]
    response = _patch(client, f"{BASE}/benchmarks/{bench.pk}", {"grades": GRADES})
    assert response.status_code == 200
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.event_type == "powers.benchmark_saved" and entry.role == Role.BODY_HEAD
    assert entry.actor.username == "bodyhead"
