"""Case pages: lists, new case, the case page with its generated action forms, bad input
refused on the page with nothing changed, and scoped access for every endpoint."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, Step
from zhifa.cases.views import CHANGES
from zhifa.ledger.models import LedgerEntry

from .conftest import citizen_id, person, uscc_code

pytestmark = pytest.mark.django_db


def _state(case: Case) -> tuple:
    """Everything an action could change: stage, steps, ledger entries of the case."""
    case.refresh_from_db()
    return (
        case.stage,
        case.updated_at,
        Step.objects.filter(case=case).count(),
        LedgerEntry.objects.filter(subject=case.subject).count(),
    )


def _act(client, case, action, data=None, expected_stage=None):
    post = {"action": action, "expected_stage": expected_stage or case.stage}
    for key, value in (data or {}).items():
        post[f"{action}-{key}"] = value
    return client.post(reverse("cases:act", args=[case.pk]), post)


# ---------------------------------------------------------------- scoped access


def test_anonymous_is_sent_to_login(make_case, client):
    case = make_case()
    urls = [
        ("get", reverse("cases:mine")),
        ("get", reverse("cases:unit")),
        ("get", reverse("cases:overdue")),
        ("get", reverse("cases:all")),
        ("get", reverse("cases:new")),
        ("get", reverse("cases:detail", args=[case.pk])),
        ("post", reverse("cases:act", args=[case.pk])),
        ("post", reverse("cases:case_file", args=[case.pk])),
    ]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_administrator_has_no_case_pages(make_case, client_for):
    case = make_case()
    admin = client_for("sysadmin")
    for name in ("cases:mine", "cases:unit", "cases:overdue", "cases:all", "cases:new"):
        assert admin.get(reverse(name)).status_code == 403, name
    assert admin.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert admin.post(reverse("cases:act", args=[case.pk]), {"action": "file"}).status_code == 404
    assert admin.post(reverse("cases:case_file", args=[case.pk])).status_code == 404


def test_other_organisation_gets_404_and_an_empty_list(make_case, client_for):
    case = make_case()
    other = client_for("marketofficer")
    before = _state(case)
    assert other.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert other.get(reverse("cases:detail", args=[999999])).status_code == 404
    assert _act(other, case, "file").status_code == 404
    assert other.post(reverse("cases:case_file", args=[case.pk])).status_code == 404
    for name in ("cases:mine", "cases:unit", "cases:all"):
        page = other.get(reverse(name))
        assert page.status_code == 200 and case.number not in page.content.decode()
    assert _state(case) == before


def test_right_roles_read_the_case_and_lists(make_case, client_for):
    case = make_case()
    for user, lists in (
        ("officer", ("cases:mine", "cases:unit", "cases:all")),
        ("unithead", ("cases:unit", "cases:all")),
        ("bodyhead", ("cases:all",)),
        ("supervisor", ("cases:all",)),
        ("countysupervisor", ("cases:all",)),
    ):
        c = client_for(user)
        assert c.get(reverse("cases:detail", args=[case.pk])).status_code == 200, user
        for name in lists:
            assert case.number in c.get(reverse(name)).content.decode(), (user, name)


def test_supervisor_reads_only(make_case, client_for):
    case = make_case()
    sup = client_for("supervisor")
    page = sup.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "您对本案只有查阅权限" in page
    assert 'name="action"' not in page
    before = _state(case)
    assert _act(sup, case, "file").status_code == 403
    assert sup.get(reverse("cases:new")).status_code == 403
    assert _state(case) == before


def test_officer_of_the_unit_sees_actions_only_heads_may_take_with_reason(make_case, client_for):
    case = make_case()
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    # 批准立案 is the heads' action: listed with why, not as a form.
    assert "批准立案" in page and "执法机构负责人" in page
    assert 'value="file"' not in page
    head = client_for("unithead").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'value="file"' in head and 'name="expected_stage" value="registered"' in head


# ---------------------------------------------------------------- new case


def _new_case_post(cw, **over):
    matter = cw.matter("XZCF-001")
    today = timezone.localdate()
    data = {
        "place_key": f"{cw.orgs['daxing'].pk}:{cw.orgs['daxing_team'].pk}",
        "matter": str(matter.pk),
        "procedure": "penalty_ordinary",
        "title": "未经批准占用道路堆放建材（虚构）",
        "source": "inspection",
        "occurred_on": str(today - datetime.timedelta(days=5)),
        "discovered_on": str(today - datetime.timedelta(days=1)),
        "party-0-kind": "natural",
        "party-0-name": "岩温（虚构）",
        "party-0-id_number": citizen_id(serial=777),
        "officers": [str(cw.officers["李明"].pk), str(cw.officers["王芳"].pk)],
        "lead": str(cw.officers["王芳"].pk),
    }
    data.update(over)
    return data


def test_new_case_form_registers_the_case(cw, client_for):
    c = client_for("officer")
    page = c.get(reverse("cases:new"))
    assert page.status_code == 200
    assert "XZCF-001" in page.content.decode()
    response = c.post(reverse("cases:new"), _new_case_post(cw))
    case = Case.objects.get(title="未经批准占用道路堆放建材（虚构）")
    assert response.status_code == 302 and response["Location"] == reverse(
        "cases:detail", args=[case.pk]
    )
    assert case.unit == cw.orgs["daxing_team"] and case.stage == "registered"
    lead = case.case_officers.get(lead=True)
    assert lead.officer.name == "王芳"
    assert case.parties.get().name == "岩温（虚构）"


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"party-0-id_number": "530926199001011230"}, "公民身份号码"),
        ({"party-0-name": ""}, "当事人"),
        ({"title": ""}, "请填写案由"),
        ({"matter": "999999"}, "权责清单"),
        ({"officers": []}, "请至少指派一名承办人员"),
        ({"occurred_on": "2999-01-01"}, "不能晚于今天"),
        ({"procedure": "inspection"}, "不能适用"),
    ],
)
def test_new_case_bad_input_is_refused_with_nothing_saved(cw, client_for, over, message):
    before = (Case.objects.count(), LedgerEntry.objects.count())
    response = client_for("officer").post(reverse("cases:new"), _new_case_post(cw, **over))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Case.objects.count(), LedgerEntry.objects.count()) == before
    # What was typed stays on the form.
    assert "岩温" in response.content.decode() or not over.get("party-0-name", True)


def test_new_case_matter_of_another_body_is_not_offered(cw, client_for, world):
    page = client_for("marketofficer").get(reverse("cases:new"))
    # The market bureau has no published list in the demo: nothing of 大兴乡 is offered.
    assert "XZCF-001" not in page.content.decode()


# ---------------------------------------------------------------- actions


def test_head_files_the_case_through_the_generated_form(make_case, client_for):
    case = make_case()
    response = _act(client_for("unithead"), case, "file", {"opinion": "同意立案"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "investigating" and case.filed_on == timezone.localdate()
    step = Step.objects.get(case=case, action="file")
    assert step.data["data"]["opinion"] == "同意立案"
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    # The 90-day limit in working terms and the timeline from the ledger.
    assert "作出处罚决定期限" in page and "剩余" in page
    assert "批准立案" in page and "账本序号" in page


def test_multichoice_and_decimal_fields_reach_the_service(make_case, client_for):
    case = make_case(stage="concluded")
    c = client_for("unithead")
    post = {
        "action": "approve_penalty",
        "expected_stage": "concluded",
        "approve_penalty-kinds": ["fine"],
        "approve_penalty-fine": "800",
        "approve_penalty-facts": "事实（示例）",
        "approve_penalty-basis": "依据（示例）",
        "approve_penalty-hearing_right": "on",
    }
    assert c.post(reverse("cases:act", args=[case.pk]), post).status_code == 302
    case.refresh_from_db()
    assert case.stage == "to_notify"
    assert case.data["proposed_penalty"]["fine"] == "800.00"
    assert case.data["proposed_penalty"]["hearing_right"] is True


def test_stale_form_is_refused(make_case, client_for):
    case = make_case(stage="investigating")
    before = _state(case)
    # The form was shown while the case was still 案源登记.
    response = _act(client_for("unithead"), case, "file", expected_stage="registered")
    assert response.status_code == 400
    assert "案件状态已变化，请刷新后重试" in response.content.decode()
    assert _state(case) == before


def test_transition_not_allowed_now_is_refused(make_case, client_for):
    case = make_case()
    before = _state(case)
    response = _act(
        client_for("unithead"),
        case,
        "decide",
        {"kinds": "fine", "fine": "100", "facts": "x", "basis": "y"},
    )
    assert response.status_code == 400
    assert "不能执行“作出行政处罚决定”" in response.content.decode()
    assert _state(case) == before


def test_unknown_action_is_refused(make_case, client_for):
    case = make_case()
    before = _state(case)
    response = _act(client_for("unithead"), case, "delete_everything")
    assert response.status_code == 400 and "未知的办案操作" in response.content.decode()
    assert _state(case) == before


def test_bad_value_is_refused_and_the_form_keeps_what_was_typed(make_case, client_for):
    case = make_case(stage="to_notify")
    before = _state(case)
    response = _act(
        client_for("officer"),
        case,
        "notify",
        {"served_on": "2026-13-45", "facts": "告知事实甲", "reasons": "理由", "basis": "依据"},
    )
    text = response.content.decode()
    assert response.status_code == 400 and "不是有效日期" in text
    assert "告知事实甲" in text  # the officer does not type it again
    assert _state(case) == before


def test_non_certified_officer_blocks_filing(make_case, cw, client_for):
    # Only one officer: 行政处罚法第四十二条 wants two with valid certificates.
    case = make_case(officers=[cw.officers["李明"]])
    page = client_for("unithead").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "请先指派至少2名" in page and 'value="file"' not in page
    before = _state(case)
    response = _act(client_for("unithead"), case, "file")
    assert response.status_code == 400 and "持有效执法证" in response.content.decode()
    assert _state(case) == before


def _expire(officer) -> None:
    from zhifa.registry import services as registry

    registry.update_officer(
        None, officer, certificate_expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    officer.refresh_from_db()


def test_officer_with_an_expired_certificate_cannot_be_assigned(cw, client_for):
    expired = cw.officers["何晓东"]
    _expire(expired)
    before = (Case.objects.count(), LedgerEntry.objects.count())
    post = _new_case_post(cw, officers=[str(cw.officers["李明"].pk), str(expired.pk)])
    response = client_for("officer").post(reverse("cases:new"), post)
    assert response.status_code == 400
    assert "何晓东的行政执法证已于" in response.content.decode()
    assert (Case.objects.count(), LedgerEntry.objects.count()) == before


def test_certificate_expired_after_assignment_blocks_the_act(make_case, cw, client_for):
    case = make_case(officers=[cw.officers["李明"], cw.officers["何晓东"]])
    _expire(cw.officers["何晓东"])
    page = client_for("unithead").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "何晓东的行政执法证已于" in page and 'value="file"' not in page
    before = _state(case)
    response = _act(client_for("unithead"), case, "file")
    assert response.status_code == 400 and "何晓东的行政执法证已于" in response.content.decode()
    assert _state(case) == before


def test_decision_after_the_limit_is_refused(cw, client_for, make_case):
    """A case filed 100 days ago (told in the past through the services) cannot be decided
    today: the 90-day limit of 第六十条 has passed."""
    today = timezone.localdate()
    old = today - datetime.timedelta(days=100)
    case = make_case(
        title="逾期案件（虚构）",
        parties=[person(serial=901)],
        occurred_on=old - datetime.timedelta(days=5),
        discovered_on=old - datetime.timedelta(days=1),
    )
    penalty = {"kinds": ["fine"], "fine": "300", "facts": "事实", "basis": "依据"}
    for action, user, data in (
        ("file", "unithead", {}),
        ("conclude", "officer", {"report": "报告", "proposal": "penalize"}),
        ("approve_penalty", "unithead", penalty),
        ("notify", "officer", {"served_on": old, "facts": "f", "reasons": "r", "basis": "b"}),
        ("waive_statement", "officer", {"waived_on": old, "waiver": "放弃"}),
    ):
        case = services.perform(cw.users[user], case, action, data, today=old)
    page = client_for("officer").get(reverse("cases:overdue"))
    assert case.number in page.content.decode() and "超期" in page.content.decode()
    before = _state(case)
    response = _act(client_for("unithead"), case, "decide", {**penalty, "kinds": "fine"})
    text = response.content.decode()
    assert response.status_code == 400 and "办案期限已于" in text and "第六十条" in text
    assert _state(case) == before
    detail = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "已逾期" in detail and 'class="late"' in detail


# ---------------------------------------------------------------- parties, masking


def test_id_numbers_masked_for_readers_shown_to_handlers(make_case, cw, client_for):
    number = citizen_id(serial=432)
    # 王芳 (officer2) is not assigned: an officer of the unit who does not handle this case.
    case = make_case(
        parties=[person(name="玉香（虚构）", serial=432)], officers=[cw.officers["李明"]]
    )
    assert (
        client_for("officer")
        .get(reverse("cases:detail", args=[case.pk]))
        .content.decode()
        .count(number)
        == 1
    )
    assert (
        number
        in client_for("unithead").get(reverse("cases:detail", args=[case.pk])).content.decode()
    )
    for reader in ("supervisor", "officer2", "reviewer"):
        page = client_for(reader).get(reverse("cases:detail", args=[case.pk])).content.decode()
        assert number not in page, reader
        assert "大兴乡某村（虚构）" not in page, reader
        assert "证件号码、电话和住址已脱敏" in page


def test_recusal_is_shown(make_case, cw, client_for):
    case = make_case()
    services.declare_conflict(cw.users["unithead"], case, cw.officers["王芳"], "与当事人系近亲属")
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "已回避" in page and "与当事人系近亲属" in page


# ---------------------------------------------------------------- lists


def test_list_filters_and_pagination(make_case, client_for, monkeypatch):
    from zhifa.cases import views

    a = make_case(title="甲案（虚构）", parties=[person(name="依香（虚构）", serial=311)])
    b = make_case(title="乙案（虚构）", stage="investigating")
    c = make_case("inspection", title="丙检查（虚构）")
    officer = client_for("officer")

    def numbers(**params):
        text = officer.get(reverse("cases:all"), params).content.decode()
        return {x.number for x in (a, b, c) if x.number in text}

    assert numbers() == {a.number, b.number, c.number}
    assert numbers(category="inspection") == {c.number}
    assert numbers(procedure="penalty_ordinary") == {a.number, b.number}
    assert numbers(stage="investigating") == {b.number}
    assert numbers(q="甲案") == {a.number}
    assert numbers(q="依香") == {a.number}
    today = timezone.localdate()
    assert numbers(date_from=str(today + datetime.timedelta(days=1))) == set()
    assert numbers(date_to=str(today)) == {a.number, b.number, c.number}
    assert numbers(stage="no-such-stage") == {a.number, b.number, c.number}  # ignored
    monkeypatch.setattr(views, "PER_PAGE", 2)
    first = officer.get(reverse("cases:all")).content.decode()
    second = officer.get(reverse("cases:all"), {"page": 2}).content.decode()
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert sum(x.number in second for x in (a, b, c)) == 1


def test_overdue_list_only_has_late_cases(make_case, client_for):
    case = make_case(stage="investigating")
    assert case.number not in client_for("officer").get(reverse("cases:overdue")).content.decode()


def test_my_cases_are_the_assigned_ones(make_case, cw, client_for):
    mine = make_case(title="李明承办（虚构）")
    text = client_for("officer2").get(reverse("cases:mine")).content.decode()
    assert mine.number in text  # 王芳 is assigned by default
    other = make_case(officers=[cw.officers["李明"]], title="只有李明（虚构）")
    text = client_for("officer2").get(reverse("cases:mine")).content.decode()
    assert other.number not in text


# ---------------------------------------------------------------- documents


def test_step_documents_are_listed_and_readable(make_case, client_for, client):
    case = make_case(stage="decided")
    other = make_case()
    decide = Step.objects.get(case=case, action="decide")
    url = reverse("cases:document", args=[case.pk, decide.pk])
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url in page and "行政处罚决定书" in page
    doc = client_for("supervisor").get(url)
    assert doc.status_code == 200
    text = doc.content.decode()
    assert "行政处罚决定书" in text and case.decision_number in text and "罚款" in text
    assert client.get(url).status_code == 302
    assert client_for("marketofficer").get(url).status_code == 404
    assert client_for("sysadmin").get(url).status_code == 404
    # A step of another case under this case's address is not found.
    assert (
        client_for("officer").get(reverse("cases:document", args=[other.pk, decide.pk])).status_code
        == 404
    )


# ------------------------------------------------ parties, officers, recusal, extension


def _change(client, case, what, data):
    return client.post(reverse("cases:change", args=[case.pk, what]), data)


def test_add_party_on_the_case_page(make_case, client_for):
    case = make_case()
    c = client_for("officer")
    before = _state(case)
    bad = _change(
        c, case, "party", {"party-kind": "natural", "party-name": "甲", "party-id_number": "123"}
    )
    assert bad.status_code == 400 and "公民身份号码" in bad.content.decode()
    assert _state(case) == before and case.parties.count() == 1
    ok = _change(
        c,
        case,
        "party",
        {"party-kind": "legal", "party-name": "示例合作社（虚构）", "party-id_number": uscc_code()},
    )
    assert ok.status_code == 302 and case.parties.count() == 2


def test_heads_assign_and_recuse_officers_officers_may_not(make_case, cw, client_for):
    case = make_case()
    newcomer = cw.officers["岩温香"]
    before = _state(case)
    page = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "change-officer" not in page and "change-recusal" not in page
    refused = _change(client_for("officer"), case, "officer", {"officer": newcomer.pk})
    assert refused.status_code == 400 and "负责人" in refused.content.decode()
    assert _state(case) == before
    head = client_for("unithead")
    assert "change-recusal" in head.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert _change(head, case, "officer", {"officer": newcomer.pk}).status_code == 302
    assert case.case_officers.filter(officer=newcomer).exists()
    again = _change(head, case, "officer", {"officer": newcomer.pk})
    assert again.status_code == 400 and "已是本案承办人员" in again.content.decode()
    no_reason = _change(head, case, "recusal", {"officer": newcomer.pk, "reason": ""})
    assert no_reason.status_code == 400 and "请填写回避事由" in no_reason.content.decode()
    ok = _change(head, case, "recusal", {"officer": newcomer.pk, "reason": "曾参与相关检查"})
    assert ok.status_code == 302
    assert case.case_officers.get(officer=newcomer).recused
    stranger = _change(head, case, "officer", {"officer": "999999"})
    assert stranger.status_code == 400 and "不属于本执法主体" in stranger.content.decode()


def test_extension_of_the_decision_limit(make_case, client_for):
    case = make_case(stage="investigating")
    due = case.decision_due_on
    head = client_for("unithead")
    bad = _change(head, case, "extension", {"days": "500", "reason": "依规章延长"})
    assert bad.status_code == 400 and "延长天数应在1至90日之间" in bad.content.decode()
    case.refresh_from_db()
    assert case.decision_due_on == due
    refused = _change(client_for("officer"), case, "extension", {"days": "30", "reason": "x"})
    assert refused.status_code == 400
    ok = _change(head, case, "extension", {"days": "30", "reason": "依《示例规章》延长（虚构）"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.decision_due_on == due + datetime.timedelta(days=30)


def test_change_endpoints_are_scoped(make_case, client_for, client):
    case = make_case()
    for what in CHANGES:
        url = reverse("cases:change", args=[case.pk, what])
        assert client.post(url).status_code == 302  # to the login page
        assert client_for("marketofficer").post(url).status_code == 404
        assert client_for("sysadmin").post(url).status_code == 404
        assert client_for("supervisor").post(url).status_code == 403
        assert client_for("officer").get(url).status_code == 405
    assert _change(client_for("unithead"), case, "nothing", {}).status_code == 404


def test_day_75_is_a_warning_not_overdue(cw, client_for, make_case):
    old = timezone.localdate() - datetime.timedelta(days=80)
    case = make_case(
        title="预警案件（虚构）",
        parties=[person(serial=902)],
        occurred_on=old - datetime.timedelta(days=5),
        discovered_on=old - datetime.timedelta(days=1),
    )
    services.perform(cw.users["unithead"], case, "file", {}, today=old)
    text = client_for("officer").get(reverse("cases:all")).content.decode()
    assert "期限预警" in text and "tag late" not in text
    detail = client_for("officer").get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "已过预警日" in detail and "剩余10日" in detail


@pytest.mark.parametrize("procedure", ["penalty_simplified", "inspection", "coercion", "licensing"])
def test_every_procedure_has_its_case_page(make_case, client_for, procedure, settings, tmp_path):
    from .records_support import use_tmp_storage

    use_tmp_storage(settings, tmp_path)  # the coercion path stores an audio record
    case = make_case(procedure)
    head = client_for("unithead").get(reverse("cases:detail", args=[case.pk]))
    assert head.status_code == 200
    # Every action out of the first stage is offered as a form or listed with its reason.
    from zhifa.cases.procedures import PROCEDURES

    text = head.content.decode()
    for t in PROCEDURES[procedure].transitions_from(case.stage):
        assert t.label in text, t.label
    done = make_case(procedure, "archived")
    for user in ("officer", "supervisor"):
        page = client_for(user).get(reverse("cases:detail", args=[done.pk]))
        assert page.status_code == 200 and "归档" in page.content.decode()
