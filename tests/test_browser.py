"""End to end in headless chromium against a real waitress server on 127.0.0.1.

Screenshots go to ``tests/artifacts/`` (git-ignored): the answer page and the source view, on a
desktop and a phone-sized (375 px) viewport.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from support import GDP_FIGURE, GDP_QUESTION

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="module")
def base_url(real_service):
    """A real waitress server (the production stack, access log included) on a free port."""
    from waitress import create_server

    from qa_service.web.server import AccessLogMiddleware
    from qa_service.web import create_app

    server = create_server(AccessLogMiddleware(create_app(service=real_service)),
                           host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or run scripts/ensure-chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=sorted(VIEWPORTS))
def page(request, browser):
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN",
                                  is_mobile=request.param == "phone", has_touch=request.param == "phone")
    page = context.new_page()
    page.viewport_name = request.param
    page.problems = []  # console errors (a CSP violation would show up here) and dialogs
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("dialog", lambda dialog: (page.problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    yield page
    context.close()


def _screenshot(page, name: str, *, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.viewport_name}.png"), full_page=full_page)


def _fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_search_answer_citation_and_source_view(page, base_url):
    page.goto(base_url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.fill("input[name=q]", GDP_QUESTION)
    page.press("input[name=q]", "Enter")  # a plain GET form: no JavaScript involved
    page.wait_for_selector("section.answer")

    assert page.input_value("input[name=q]") == GDP_QUESTION
    answer_mark = page.locator("section.answer mark")
    assert f"{GDP_FIGURE}亿元" in answer_mark.inner_text()
    citation = page.locator("section.answer .citation a")
    assert citation.is_visible() and "四平市委八届八次全会" in citation.inner_text()
    assert page.locator("ol > li.passage").count() == 5
    assert _fits_width(page), "the answer page scrolls sideways"
    _screenshot(page, "answer")

    citation.click()
    page.wait_for_url(re.compile(r"/docs/[^?#]+\?hl=.+#p\d+(\.\d+)?$"))
    highlighted = page.locator(".para.hl")
    assert highlighted.count() == 1 and GDP_FIGURE in highlighted.inner_text()
    anchor = page.url.rsplit("#", 1)[1]
    assert highlighted.get_attribute("id") == anchor
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor
    assert highlighted.locator("mark").inner_text() == f"{GDP_FIGURE}亿元"
    assert highlighted.is_visible() and highlighted.bounding_box()["y"] < VIEWPORTS[page.viewport_name]["height"]
    assert _fits_width(page), "the source view scrolls sideways"
    _screenshot(page, "source", full_page=False)  # what the reader sees on arrival
    assert page.problems == []


def test_script_in_the_question_is_shown_as_text(page, base_url):
    question = "<script>alert(1)</script>四平GDP"
    page.goto(base_url + "/")
    page.fill("input[name=q]", question)
    page.click("form.search button[type=submit]")
    page.wait_for_load_state("load")
    assert page.input_value("input[name=q]") == question
    assert question in page.title()
    assert page.locator("script").count() == 0
    assert page.problems == []  # no alert dialog, no CSP or script errors


def test_home_page_examples_work_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORTS["phone"])
    page = context.new_page()
    page.goto(base_url + "/")
    page.click("text=2024年前三季度GDP是多少")
    page.wait_for_selector("section.answer mark")
    assert GDP_FIGURE in page.locator("section.answer mark").inner_text()
    context.close()
