"""capture.js in a real phone-sized browser (Debian chromium through Playwright): a video goes
up in chunks while the network drops a chunk and a server error hits another (the page retries,
nothing is duplicated), and a signature is drawn on the screen."""

from __future__ import annotations

import os
import re
import shutil

import pytest
from django.urls import reverse

from zhifa.core.demo import DEMO_PASSWORD

from . import records_support as support

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


@pytest.fixture
def phone():
    # A missing browser is a failure, never a silent skip (make test installs chromium).
    assert shutil.which(CHROMIUM), "缺少 /usr/bin/chromium：请运行 make test（以 root 安装）"
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15000)
        yield context.new_page()
        browser.close()


@pytest.fixture
def clean_ledger_after():
    """The live server commits ledger rows; the append-only triggers must be lifted to let the
    test database be flushed afterwards."""
    yield
    from django.db import connection, transaction

    from zhifa.ledger import triggers

    with transaction.atomic():
        triggers.drop(connection)
        with connection.cursor() as cursor:
            for table in triggers.TABLES:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        triggers.install(connection)


def login(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_video_survives_a_flaky_network_and_a_signature_is_drawn(
    live_server, phone, cw, make_case, settings, tmp_path, clean_ledger_after
):
    from zhifa.cases.models import Record, Signature
    from zhifa.evidence.models import EvidenceFile, UploadSession

    s = support.build(cw, make_case, settings, tmp_path)
    base = live_server.url
    login(phone, base)

    video = support.mp4_bytes(300 * 1024)
    hits: dict[str, int] = {}

    def flaky(route):
        offset = re.search(r"offset=(\d+)", route.request.url).group(1)
        hits[offset] = hits.get(offset, 0) + 1
        if offset == "65536" and hits[offset] == 1:
            route.abort("connectionreset")  # the chunk never reaches the server
        elif offset == "131072" and hits[offset] == 1:
            route.fulfill(status=502, body="bad gateway")  # a proxy error on the way
        else:
            route.continue_()

    phone.route(re.compile(r".*/evidence/uploads/.*/chunk\?offset=\d+"), flaky)
    phone.goto(base + reverse("case_records:capture", args=[s.case.pk]))
    # Small chunks, so the file goes up in several.
    phone.evaluate("document.querySelector('form[data-capture]').dataset.chunkSize = '65536'")
    phone.locator("input[type=file][data-kind=video]").set_input_files(
        {"name": "VID_现场.mp4", "mimeType": "video/mp4", "buffer": video}
    )
    assert phone.locator("select[name=kind]").input_value() == "video"
    phone.get_by_label(re.compile("李明（")).check()
    phone.get_by_label(re.compile("王芳（")).check()
    phone.get_by_role("button", name="上传并保存").click()
    try:
        phone.wait_for_url(re.compile(r"/cases/records/r/\d+/$"), timeout=60000)
    except Exception:
        raise AssertionError(phone.locator("[data-status]").inner_text()) from None

    record = Record.objects.get(kind="video")
    assert record.evidence.file.size == len(video)
    assert EvidenceFile.objects.count() == 1 and UploadSession.objects.get().finished_at
    assert hits["65536"] == 2 and hits["131072"] == 2  # each retried once, then accepted
    assert phone.locator("video.record-media").count() == 1

    # A signature drawn with a finger on the pad.
    phone.goto(base + reverse("case_records:sign", args=[record.pk]))
    phone.get_by_label("签名人身份").select_option("party")
    phone.get_by_label("签名人姓名").fill("岩应")
    pad = phone.locator("canvas.signature-pad")
    pad.scroll_into_view_if_needed()  # the finger draws where the pad is on the screen
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + 30)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 25)
    phone.mouse.up()
    phone.get_by_role("button", name="保存签名").click()
    phone.wait_for_url(re.compile(r"/cases/records/r/\d+/$"))
    signature = Signature.objects.get()
    assert signature.signer_name == "岩应" and signature.image.file.content_type == "image/png"
    assert phone.locator("figure.signature img").count() == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sampling_record_on_a_phone(
    live_server, phone, cw, make_case, settings, tmp_path, clean_ledger_after
):
    """抽样取证 from the records page at 390 px: the form fits the screen (no sideways
    scrolling), is filled with a finger and leads to the holder's signature."""
    from zhifa.cases.models import Record

    s = support.build(cw, make_case, settings, tmp_path)
    base = live_server.url
    login(phone, base)
    phone.goto(base + reverse("case_records:list", args=[s.case.pk]))
    phone.get_by_role("button", name="抽样取证").click()
    phone.wait_for_url(re.compile(r"kind=sampling"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    phone.get_by_label("地点", exact=True).fill("芒洪村3组岩应小卖部")
    phone.get_by_label(re.compile("李明（")).check()
    phone.get_by_label(re.compile("王芳（")).check()
    phone.get_by_label("抽样物品名称").fill("散装白酒")
    phone.get_by_label("抽样基数").fill("50")
    phone.get_by_label("单位（如千克、件、瓶）").fill("千克")
    phone.get_by_label("抽取样品数量").fill("2")
    phone.get_by_label("单位", exact=True).fill("千克")
    phone.get_by_label("被抽样人（物品持有人）").fill("岩应")
    phone.get_by_label(re.compile("抽样时在场人员")).fill("岩应")
    phone.get_by_label("执法人员已出示执法证件").check()
    phone.get_by_label("已当场封样").check()
    phone.get_by_label(re.compile("封样情况")).fill("封条 FY-001")
    phone.get_by_label("样品处理").select_option("evidence")
    phone.get_by_role("button", name="保存抽样取证凭证，下一步签名").click()
    phone.wait_for_url(re.compile(r"/cases/records/r/\d+/sign$"))
    record = Record.objects.get(kind="sampling")
    assert record.content["sample_quantity"] == "2" and record.content["disposal"] == "evidence"
    assert phone.get_by_label("签名人身份").input_value() == "holder"
    assert phone.get_by_label("签名人姓名").input_value() == "岩应"
