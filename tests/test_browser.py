"""The dashboard in a real browser: `streamlit run app.py` driven by Playwright + Debian Chromium.

Starts the server on a free port with a fresh store (NEWSROOM_LENS_DB in a tmp dir), uploads a
devset article through the Upload page's file input, and checks that its title shows on the
Overview (searched by title) and in the Article reader, with Chinese text and entity
highlights rendered. Saves screenshots to the tmp dir (path printed) for a human look.

Skips (saying why) when the devset or /usr/bin/chromium is missing; with $CI set, a missing
Chromium fails instead, so CI cannot silently skip the browser check.
"""
from __future__ import annotations

import json
import pathlib
import re
import urllib.request

import pytest

from .browser_support import LAUNCH_ARGS, STEP_TIMEOUT_MS, require_chromium, running_app, settle

pytestmark = pytest.mark.browser

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def chromium() -> pathlib.Path:
    return require_chromium()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """(base URL, tmp dir) of a running `streamlit run app.py`; stopped at the end."""
    tmp = tmp_path_factory.mktemp("browser")
    with running_app(ROOT, tmp / "store" / "newsroom.duckdb", tmp / "streamlit.log") as base:
        yield base, tmp


@pytest.fixture(scope="module")
def app_page(chromium, server):
    """A Chromium tab (named apart from pytest-playwright's own `page` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                          locale="zh-CN")
            pg = context.new_page()
            pg.set_default_timeout(STEP_TIMEOUT_MS)
            yield pg
        finally:
            browser.close()


def test_upload_a_devset_file_and_see_it_on_overview_and_in_the_reader(devset, chromium, server,
                                                                      app_page):
    base, tmp = server
    page = app_page
    path = devset[0]
    # The gold file beside the devset article holds its exact title.
    title = json.loads(path.with_name(path.stem + ".gold.json").read_text("utf-8"))["title"]
    # The Overview shows the samples first (the store starts empty, fills from data/samples).
    page.goto(base + "/")
    settle(page)
    page.get_by_role("heading", name="Overview").wait_for()

    page.goto(base + "/upload")
    settle(page)
    page.locator('[data-testid="stFileUploader"] [data-testid="stFileUploaderDropzoneInput"]') \
        .set_input_files(str(path))
    page.get_by_text("are now in the corpus").wait_for()
    settle(page)
    added = page.locator('[data-testid="stMetric"]', has_text="Added")
    assert added.locator('[data-testid="stMetricValue"]').inner_text().strip() == "1"
    page.screenshot(path=str(tmp / "upload.png"), full_page=True)

    # Overview: the article table (its accessible grid cells) lists the new title.
    page.goto(base + "/")
    settle(page)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text().strip() == "2"
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    cells.filter(has_text=title.split()[0]).first.wait_for(state="attached")  # a11y grid: hidden
    assert " ".join(title.split()) in [" ".join(t.split()) for t in cells.all_inner_texts()]
    page.screenshot(path=str(tmp / "overview.png"), full_page=True)
    # The text search (kept in the URL as ?q=) narrows the table to that one article.
    page.goto(base + "/?q=" + urllib.request.quote(title.split()[0]))
    settle(page)
    page.get_by_text(re.compile(r"Showing 1 of 1 matching article")).wait_for()

    # The reader: title as the page heading, Chinese body text, entity highlights as spans.
    page.goto(base + "/article")
    settle(page)
    page.locator('[data-testid="stSelectbox"]').click()
    page.get_by_role("option", name=re.compile(re.escape(title.split()[0]))).click()
    settle(page)
    heading = page.locator("h1").filter(has_text=title.split()[0])
    heading.wait_for()
    assert " ".join(heading.inner_text().split()) == " ".join(title.split())
    assert "id=" in page.url
    # Entity mentions are highlighted in the body (Markdown background spans, escaped text).
    assert page.locator('[data-testid="stMain"] .stMarkdownColoredBackground').count() > 0
    page.screenshot(path=str(tmp / "article.png"), full_page=True)
    print(json.dumps({"screenshots": [str(tmp / n) for n in
                                      ("upload.png", "overview.png", "article.png")]}))


def test_selecting_a_row_on_overview_opens_it_in_the_reader(chromium, server, app_page):
    base, _ = server
    page = app_page
    page.goto(base + "/")
    settle(page)
    cells = page.locator('[data-testid="stDataFrame"] [role="gridcell"]')
    cells.first.wait_for(state="attached")
    shown = {" ".join(t.split()) for t in cells.all_inner_texts()}
    frame = page.locator('[data-testid="stDataFrame"]')
    frame.scroll_into_view_if_needed()
    grid = frame.bounding_box()
    # The row-selection checkbox of the first data row (the header row is about 35 px high).
    page.mouse.click(grid["x"] + 15, grid["y"] + 52)
    # st.switch_page changes the address in place (history.pushState), no page load.
    page.wait_for_function("() => location.pathname.endsWith('/article') "
                           "&& location.search.includes('id=')")
    settle(page)
    heading = " ".join(page.locator("h1").first.inner_text().split())
    assert heading in shown
