"""A real browser (Debian's chromium driven by Playwright) logs in as the demo officer."""

from __future__ import annotations

import os
import shutil

import pytest

from zhifa.core.demo import DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser_page():
    # `make test` installs chromium; a missing browser is a failure, never a silent skip.
    assert shutil.which(CHROMIUM), "缺少 /usr/bin/chromium：请运行 make test（以 root 安装）"
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        yield page
        browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_logs_in_and_sees_chinese_workspace(live_server, browser_page):
    from zhifa.core.demo import build_demo

    build_demo()
    page = browser_page
    page.goto(f"{live_server.url}/")
    assert "/login/" in page.url
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "工作台"
    body = page.locator("body").inner_text()
    assert "李明" in body and "执法人员" in body and "大兴乡综合行政执法队" in body
    assert page.get_attribute("html", "lang") == "zh-CN"
    # The phone layout keeps the navigation reachable.
    assert page.get_by_role("link", name="工作台").first.is_visible()
    if os.environ.get("ZHIFA_SCREENSHOT"):  # a path to look at the page as a person would
        page.screenshot(path=os.environ["ZHIFA_SCREENSHOT"])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_chinese_error(live_server, browser_page):
    from zhifa.core.demo import build_demo

    build_demo()
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill("Wrong#Pass1")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码错误" in page.locator("[role=alert]").inner_text()
