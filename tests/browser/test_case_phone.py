"""On a phone-sized browser (390×844), the officer 李明 runs a penalty case (普通程序) of 大兴乡
from filing to archive through the pages only, with the unit head 赵强 approving on his own
phone where the law wants a head: register, file, an interview transcript and an audio record
(records pages), conclude, proposal, notice, waiver, decision, service of the decision,
execution, closing, archiving, and the download of the case file, which then verifies.
Everyone in it is fictional."""

from __future__ import annotations

import datetime
import io
import os
import re
import shutil
import wave

import pytest

from zhifa.core.demo import DEMO_PASSWORD

from .test_login_browser import ARGS, CHROMIUM

PARTY_ID = "530926199203150015"  # fictional, valid check digit (checked below)


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\0\0" * 1600)
    return buffer.getvalue()


@pytest.fixture
def phones():
    assert shutil.which(CHROMIUM), "缺少 /usr/bin/chromium：请运行 make test（以 root 安装）"
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)

        def phone():
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                locale="zh-CN",
                is_mobile=True,
                has_touch=True,
                accept_downloads=True,
            )
            context.set_default_timeout(15000)
            return context.new_page()

        yield phone
        browser.close()


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def _open_action(page, action: str):
    box = page.locator(f"#action-{action}")
    box.wait_for()
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def _field(box, label: str):
    """An action form's input by its exact label (required ones end in " *")."""
    return box.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def _submit(page, box, expect_stage: str) -> None:
    box.locator("button[type=submit]").click()
    page.wait_for_load_state("domcontentloaded")
    errors = page.locator("[role=alert]")
    assert errors.count() == 0, errors.first.inner_text()
    assert page.locator("#case-stage").inner_text() == expect_stage


@pytest.fixture
def clean_ledger_after():
    """The live server commits ledger rows; remove them afterwards with the append-only
    triggers dropped, or the test database flush is refused."""
    yield
    from django.db import connection, transaction

    from zhifa.ledger import triggers

    with transaction.atomic():
        triggers.drop(connection)
        with connection.cursor() as cursor:
            for table in triggers.TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        triggers.install(connection)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_runs_a_penalty_case_to_the_archive_on_a_phone(
    live_server, phones, settings, tmp_path, clean_ledger_after
):
    from django.utils import timezone

    from zhifa.cases import archive
    from zhifa.cases.navigation import register_navigation
    from zhifa.cases.tests.records_support import use_tmp_storage
    from zhifa.core.demo import build_demo
    from zhifa.core.validators import validate_citizen_id
    from zhifa.powers.demo import build_powers_demo
    from zhifa.registry.demo import build_registry_demo

    assert validate_citizen_id(PARTY_ID) == PARTY_ID
    use_tmp_storage(settings, tmp_path)
    register_navigation()  # the line CasesConfig.ready() is to call
    world = build_demo()
    build_registry_demo(world)
    plist = build_powers_demo(world)
    base = live_server.url
    day = timezone.localdate()
    today = day.isoformat()
    officer, head = phones(), phones()
    _login(officer, base, "officer")
    _login(head, base, "unithead")

    # 1. Register the case from the workspace navigation.
    officer.get_by_role("link", name="我的案件").first.click()
    officer.get_by_role("button", name="登记案件").click()
    matter = plist.matters.get(code="XZCF-001")
    officer.get_by_label("执法事项（本主体权责清单）").select_option(str(matter.pk))
    officer.get_by_label("案由").fill("未经批准在村道旁搭建棚屋（虚构）")
    officer.get_by_label("违法行为发生日期").fill((day - datetime.timedelta(days=6)).isoformat())
    officer.get_by_label("发现日期").fill((day - datetime.timedelta(days=2)).isoformat())
    officer.locator("#party-0-name").fill("岩香（虚构）")
    officer.locator("#party-0-id_number").fill(PARTY_ID)
    officer.get_by_label(re.compile("王芳（")).check()
    assert officer.get_by_label(re.compile("李明（")).is_checked()
    officer.get_by_role("button", name="登记").click()
    officer.wait_for_url(re.compile(r"/cases/\d+/$"))
    case_url = officer.url
    assert officer.locator("#case-stage").inner_text() == "案源登记"
    assert "批准立案" in officer.locator(".blocked").inner_text()  # the head's, with reason

    # 2. The head files it (立案) from his list.
    head.get_by_role("link", name="本单位案件").first.click()
    head.get_by_role("link", name=re.compile("罚立")).first.click()
    box = _open_action(head, "file")
    _field(box, "立案审批意见").fill("符合立案条件，同意立案。")
    _submit(head, box, "调查取证")

    # 3. Investigation: an interview transcript and an audio record (records pages).
    officer.goto(case_url)
    officer.get_by_role("link", name="询问笔录").click()
    officer.get_by_label("地点").fill("大兴乡某村村道旁（虚构）")
    officer.get_by_label(re.compile("李明（")).check()
    officer.get_by_label(re.compile("王芳（")).check()
    officer.get_by_label("被询问人姓名").fill("岩香（虚构）")
    officer.get_by_label("证件号码").fill(PARTY_ID)
    officer.get_by_label("执法人员已出示执法证件").check()
    officer.get_by_label("已告知被询问人享有").check()
    officer.locator("textarea[name=qa-0-q]").fill("棚屋是谁搭建的？")
    officer.locator("textarea[name=qa-0-a]").fill("是我搭的，用来堆放农具。")
    officer.get_by_role("button", name="保存笔录，下一步签名").click()
    officer.wait_for_url(re.compile(r"/cases/records/r/\d+/sign"))
    officer.goto(case_url)
    officer.get_by_role("link", name="拍照/录像/录音").click()
    officer.get_by_label(re.compile("李明（")).check()
    officer.get_by_label(re.compile("王芳（")).check()
    officer.locator("input[type=file][data-kind=audio]").set_input_files(
        {"name": "现场录音.wav", "mimeType": "audio/wav", "buffer": _wav()}
    )
    officer.get_by_role("button", name="上传并保存").click()
    officer.wait_for_url(re.compile(r"/cases/records/r/\d+/$"))

    # 4. Conclusion, the head's proposal, notice and the party's written waiver.
    officer.goto(case_url)
    box = _open_action(officer, "conclude")
    _field(box, "调查终结报告（违法事实、证据、处理建议）").fill(
        "当事人未经批准搭建棚屋，事实清楚，证据确凿。"
    )
    _field(box, "处理建议").select_option("penalize")
    _submit(officer, box, "调查终结（待负责人审查）")

    head.goto(case_url)
    box = _open_action(head, "approve_penalty")
    box.get_by_label("罚款", exact=True).check()
    _field(box, "罚款金额（元）").fill("500")
    _field(box, "违法事实").fill("未经批准在村道旁搭建棚屋。")
    _field(box, "处罚依据").fill("《中华人民共和国城乡规划法》第六十五条")
    _submit(head, box, "拟处罚（待告知）")

    officer.goto(case_url)
    box = _open_action(officer, "notify")
    _field(box, "告知书送达日期").fill(today)
    _field(box, "告知的违法事实").fill("未经批准在村道旁搭建棚屋。")
    _field(box, "告知的理由").fill("违反乡村建设规划管理规定。")
    _field(box, "告知的依据").fill("《中华人民共和国城乡规划法》第六十五条")
    _submit(officer, box, "已告知（陈述申辩期）")
    assert "陈述申辩期限" in officer.locator("#h-deadlines + ul").inner_text()
    box = _open_action(officer, "waive_statement")
    _field(box, "放弃日期").fill(today)
    _field(box, "当事人书面放弃声明的内容").fill("本人放弃陈述、申辩的权利。")
    _submit(officer, box, "已告知（陈述申辩期）")

    # 5. The head decides.
    head.goto(case_url)
    box = _open_action(head, "decide")
    box.get_by_label("罚款", exact=True).check()
    _field(box, "罚款金额（元）").fill("500")
    _field(box, "认定的违法事实和证据").fill("未经批准在村道旁搭建棚屋，有询问笔录、现场录音为证。")
    _field(box, "处罚依据").fill("《中华人民共和国城乡规划法》第六十五条")
    _submit(head, box, "已作出处罚决定（待送达）")

    # 6. Service of the decision (records pages), then the case moves on.
    officer.goto(case_url)
    officer.get_by_role("link", name="登记送达").click()
    officer.get_by_label("受送达人").select_option(label="岩香（虚构）")
    officer.get_by_label("送达文书").select_option("decision")
    officer.get_by_label("送达方式").select_option("direct")
    officer.get_by_label("签收（送达、公告）日期").fill(today)
    officer.get_by_label("签收人").fill("岩香（虚构）")
    officer.get_by_role("button", name="登记送达").click()
    officer.wait_for_load_state("domcontentloaded")
    assert officer.locator(".error").count() == 0, officer.locator(".error").first.inner_text()
    officer.goto(case_url)
    box = _open_action(officer, "serve")
    _submit(officer, box, "已送达（执行期）")
    # The fine is paid (payments page) before the execution is recorded (第七十二条).
    officer.goto(case_url.replace("/cases/", "/cases/records/") + "payments/")
    officer.get_by_label("缴款金额（元）").fill("500")
    officer.get_by_label("缴款日期").fill(today)
    officer.get_by_role("button", name="登记", exact=True).click()
    officer.wait_for_load_state("domcontentloaded")
    assert officer.locator(".error").count() == 0, officer.locator(".error").first.inner_text()
    assert "已缴清" in officer.content()
    officer.goto(case_url)
    box = _open_action(officer, "record_execution")
    _field(box, "执行完毕日期").fill(today)
    _field(box, "执行方式").select_option("performed")
    _submit(officer, box, "执行完毕")

    # 7. The head closes; the officer archives and downloads the case file.
    head.goto(case_url)
    box = _open_action(head, "close")
    _field(box, "结案报告").fill("罚款已缴纳，案件办结。")
    _submit(head, box, "结案")
    officer.goto(case_url)
    box = _open_action(officer, "archive")
    _submit(officer, box, "归档")
    with officer.expect_download() as info:
        officer.get_by_role("button", name=re.compile("下载案卷")).click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    path = tmp_path / "case.zip"
    download.save_as(path)
    assert archive.verify_case_file(str(path)) == []
    import zipfile

    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert any(n.endswith("-decide.html") for n in names)
    assert any(n.startswith("records/") for n in names)
    assert any(n.startswith("evidence/") and n.endswith(".wav") for n in names)
    # The list filters (htmx swaps the results in place; a plain GET without JS).
    officer.get_by_role("link", name="我的案件").first.click()
    officer.locator("details summary", has_text="筛选").click()
    officer.get_by_label("关键词").fill("没有这样的案由")
    officer.get_by_role("button", name="筛选").click()
    officer.get_by_text("没有符合条件的案件").wait_for()
    officer.get_by_label("关键词").fill("棚屋")
    officer.get_by_role("button", name="筛选").click()
    officer.get_by_role("link", name=re.compile("罚立")).wait_for()
    assert "q=" in officer.url
    # The page stayed usable on the phone: nothing wider than the screen.
    width = officer.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    if os.environ.get("ZHIFA_SCREENSHOT"):
        officer.screenshot(path=os.environ["ZHIFA_SCREENSHOT"], full_page=True)
