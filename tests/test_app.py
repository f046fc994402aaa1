"""The dashboard driven in-process with Streamlit's AppTest.

Each test gets its own store file (NEWSROOM_LENS_DB in a tmp dir, filled from data/samples at
start-up), so uploads in one test never leak into another. Covers: every page registered in
app.py renders without an exception; Overview figures, search and the sidebar filters kept in
the URL; the Article reader (by ?id=, highlights, figures, related links, unknown id); Upload
(a bad file rejected with a reason, a new article on Overview, duplicates, survives a restart,
upload switched off); and the escaping helpers.
"""
from __future__ import annotations

import pathlib
import re

import pytest
from streamlit.testing.v1 import AppTest

from components import charts, loaders, queries, widgets

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120  # first run parses the sample and loads the NLP dictionaries
SEED_TITLE = "朝俄加强军事关系\u3000中国态度暧昧含糊"
SEED_URL = "https://www.rfa.org/mandarin/yataibaodao/junshiwaijiao/hx1-09142023102355.html"

# A hand-written article in the archive's wrapper format (not from the devset).
NEW_TITLE = "测试新闻：港口扩建计划公布"
NEW_ARTICLE = (
    "<!--1709632800000-->\n"
    f"[{NEW_TITLE}](https://example.org/news/2024/03/port-expansion.html)\n"
    "------\n\n"
    "<p>上海市政府周二公布了港口扩建计划，预计投资三百亿元。</p>"
    "<p>市长李明表示：“这个项目将为城市带来新的就业机会。”</p>"
    "<p><strong>各方反应</strong></p>"
    "<p>一些居民担心施工会影响环境。</p>"
).encode("utf-8")

# Hostile markup in a title and body: must show as text, never as HTML, Markdown or a link.
NASTY = (
    "<!--1709632800000-->\n"
    "[恶意**标题**&lt;img src=x onerror=alert(1)&gt;](https://example.org/news/nasty.html)\n"
    "------\n\n"
    "<p>正文 **粗体** [点我](javascript:alert(1)) &lt;script&gt;alert(2)&lt;/script&gt; :red[红]</p>"
    "<p>北京的居民说：“这只是测试。”</p>"
).encode("utf-8")


def page_paths() -> list[str]:
    """The page files app.py registers, read from its source (app.py only runs inside Streamlit)."""
    return re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory) -> pathlib.Path:
    """A closed store file filled from data/samples once; each test starts from a copy."""
    from components import store as store_mod
    path = tmp_path_factory.mktemp("seeded") / "newsroom.duckdb"
    store_mod.ensure_ready(store_mod.get_store(str(path)))
    store_mod.close_store(str(path))
    return path


@pytest.fixture
def db(tmp_path, monkeypatch, seeded_store):
    """A fresh store (a copy of the seeded one) for this test; caches are dropped afterwards."""
    import shutil
    path = tmp_path / "store" / "newsroom.duckdb"
    path.parent.mkdir()
    shutil.copyfile(seeded_store, path)
    monkeypatch.setenv("NEWSROOM_LENS_DB", str(path))
    loaders.clear()
    yield path
    from components import store as store_mod
    loaders.clear()
    store_mod.close_store(str(path))


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=TIMEOUT)


def run_page(at: AppTest, page: str, **params) -> AppTest:
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def qp_list(at: AppTest, key: str) -> list:
    """A query parameter as a list (AppTest gives one value as a plain string)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def info_text(at: AppTest) -> str:
    return "\n".join(str(i.value) for i in at.info)


def table(at: AppTest, index: int = 0):
    return at.dataframe[index].value


# ---------------------------------------------------------------------------------------------
# Every page

def test_an_empty_corpus_explains_itself_on_every_page(tmp_path, monkeypatch):
    from components import store as store_mod
    path = tmp_path / "empty" / "newsroom.duckdb"
    monkeypatch.setenv("NEWSROOM_LENS_DB", str(path))
    monkeypatch.setattr(store_mod, "ensure_ready", lambda store, *a, **k: None)  # no samples
    loaders.clear()
    try:
        at = app().run()
        no_exception(at)
        assert "The corpus is empty." in info_text(at)
        assert not at.dataframe and not at.get("vega_lite_chart")
        run_page(at, "components/pages/article.py")
        no_exception(at)
        assert "No articles yet: the corpus is empty." in info_text(at)
        for page in page_paths()[2:]:
            run_page(at, page)
            no_exception(at)
            assert at.title, page
    finally:
        loaders.clear()
        store_mod.close_store(str(path))


def test_app_registers_the_six_pages():
    assert [pathlib.Path(p).stem for p in page_paths()] == [
        "overview", "article", "entities", "viewpoints", "social", "upload"]
    assert all((ROOT / p).is_file() for p in page_paths())


@pytest.mark.parametrize("page", page_paths())
def test_every_page_renders_without_exception(db, page):
    at = app()
    at.run()  # the default page starts the store first
    no_exception(at)
    run_page(at, page)
    no_exception(at)
    assert at.title, f"{page} shows no title"


# ---------------------------------------------------------------------------------------------
# Overview

def test_overview_shows_the_sample_corpus(db):
    at = app().run()
    no_exception(at)
    assert at.title[0].value == "Overview"
    assert metric(at, "Articles") == "1"
    assert "Published **2023-09-14** to **2023-09-14** (UTC), 1 day" in markdown_text(at)
    assert metric(at, "Outlets") == "1"
    assert len(at.get("vega_lite_chart")) == 1
    shown = table(at)
    assert shown["title"].tolist() == [SEED_TITLE]
    assert shown["published"].tolist() == ["2023-09-14 14:39"]
    assert shown["link"].iloc[0] == f"article?id={shown['id'].iloc[0]}"


def test_overview_search_covers_bodies_and_both_scripts(db):
    at = app().run()
    # In the body only (not in the title).
    at.text_input(key="q").set_value("金正恩").run()
    assert table(at)["title"].tolist() == [SEED_TITLE]
    # Traditional spelling of a word in the Simplified title.
    at.text_input(key="q").set_value("軍事").run()
    assert table(at)["title"].tolist() == [SEED_TITLE]
    at.text_input(key="q").set_value("完全不存在的词语").run()
    no_exception(at)
    assert not at.dataframe
    assert "No article title or text contains" in info_text(at)


def test_sidebar_filters_follow_the_url_and_survive_a_page_switch(db):
    at = app().run()
    outlet = at.multiselect(key="nl_f_outlets").options[0]
    at.multiselect(key="nl_f_outlets").set_value([outlet]).run()
    assert qp_list(at, "outlet") == [outlet]
    assert metric(at, "Articles") == "1"
    run_page(at, "components/pages/article.py")
    no_exception(at)
    assert at.multiselect(key="nl_f_outlets").value == [outlet]
    assert qp_list(at, "outlet") == [outlet]


def test_date_range_filter_narrows_every_figure_and_goes_into_the_url(db):
    import datetime as dt
    at = _upload(app().run(), ("port.txt", NEW_ARTICLE))  # published 2024-03-05
    run_page(at, "components/pages/overview.py")
    assert metric(at, "Articles") == "2"
    assert at.date_input(key="nl_f_dates").value == (dt.date(2023, 9, 14), dt.date(2024, 3, 5))
    at.date_input(key="nl_f_dates").set_value((dt.date(2024, 1, 1), dt.date(2024, 3, 5))).run()
    no_exception(at)
    assert metric(at, "Articles") == "1"
    assert table(at)["title"].tolist() == [NEW_TITLE]
    assert qp_list(at, "from") == ["2024-01-01"]
    assert qp_list(at, "to") == []  # the end of the span is no restriction
    # Opening that URL in a new session gives the same view.
    shared = app()
    shared.query_params["from"] = "2024-01-01"
    shared.run()
    assert metric(shared, "Articles") == "1"
    assert shared.date_input(key="nl_f_dates").value == (dt.date(2024, 1, 1), dt.date(2024, 3, 5))


def test_filters_from_a_shared_link_apply_and_explain_an_empty_result(db):
    at = app()
    at.query_params["from"] = "2030-01-01"
    at.query_params["outlet"] = "No Such Outlet"  # unknown values are dropped, not an error
    at.run()
    no_exception(at)
    assert at.multiselect(key="nl_f_outlets").value == []
    assert "No articles match these filters" in info_text(at)
    assert not at.dataframe
    assert "outlet" not in at.query_params


# ---------------------------------------------------------------------------------------------
# Article

def _seed_id(at: AppTest) -> str:
    return str(table(at)["id"].iloc[0])


def test_article_reader_by_id(db):
    at = app().run()
    article_id = _seed_id(at)
    from components import store as store_mod
    store = store_mod.get_store(str(db))
    run_page(at, "components/pages/article.py", id=article_id)
    no_exception(at)
    assert at.title[0].value == widgets.md_escape(SEED_TITLE)
    text = markdown_text(at)
    assert f"]({SEED_URL})" in text  # link to the original
    # A body entity is highlighted with its type's colour, escaped.
    ent = store.query("SELECT surface, type FROM entities WHERE block >= 0 AND type IN "
                      "('person', 'place', 'org') ORDER BY block, \"start\" LIMIT 1")
    assert not ent.empty
    css = widgets.ENTITY_STYLES[ent["type"].iloc[0]][0]
    assert f":{css}[{widgets.md_escape(ent['surface'].iloc[0])}]" in text
    # Figures: caption shown as text, image as a link (never fetched).
    images = store.query("SELECT caption FROM images WHERE caption IS NOT NULL LIMIT 1")
    assert not images.empty
    assert widgets.md_escape(images["caption"].iloc[0]) in text
    # Related articles as http(s) links.
    related = store.query("SELECT url FROM links WHERE related LIMIT 1")
    assert not related.empty
    assert f"]({related['url'].iloc[0]})" in text
    assert at.selectbox(key="article_pick").value == article_id
    # Photos load from the web only when asked.
    assert not at.get("image")
    at.toggle(key="article_show_images").set_value(True).run()
    n_images = store.query("SELECT count(*) AS n FROM images WHERE src LIKE 'http%'")["n"].iloc[0]
    assert len(at.get("image")) == n_images >= 1


def test_article_unknown_id_says_so_and_falls_back(db):
    at = app().run()
    run_page(at, "components/pages/article.py", id="no-such-article")
    no_exception(at)
    assert "There is no article with id" in at.warning[0].value
    assert at.title[0].value == widgets.md_escape(SEED_TITLE)


# ---------------------------------------------------------------------------------------------
# Upload

def _upload(at: AppTest, *files) -> AppTest:
    run_page(at, "components/pages/upload.py")
    uploader = at.file_uploader(key="upload_files")
    for name, data in files:
        uploader.upload(name, data, "text/plain")
    return uploader.run()


def test_upload_rejects_a_bad_file_with_a_reason(db):
    at = _upload(app().run(), ("empty.txt", b""), ("binary.txt", bytes(range(256)) * 4))
    no_exception(at)
    results = table(at)
    assert results["file"].tolist() == ["empty.txt", "binary.txt"]
    assert results["result"].tolist() == ["rejected", "rejected"]
    assert all(reason.strip() for reason in results["reason"])
    assert metric(at, "Rejected") == "2"


def test_uploaded_article_appears_on_overview_and_survives_a_restart(db):
    at = _upload(app().run(), ("port.txt", NEW_ARTICLE))
    no_exception(at)
    results = table(at)
    assert results[["file", "result", "title"]].values.tolist() == [
        ["port.txt", "added", NEW_TITLE]]
    assert metric(at, "Added") == "1"
    run_page(at, "components/pages/overview.py")
    assert metric(at, "Articles") == "2"
    assert NEW_TITLE in table(at)["title"].tolist()
    # A rerun of the upload page does not ingest the same files again.
    run_page(at, "components/pages/upload.py")
    assert metric(at, "Added") == "1"
    # Restart: forget every cached handle, close the store, start a new session.
    from components import store as store_mod
    loaders.clear()
    store_mod.close_store(str(db))
    again = app().run()
    assert metric(again, "Articles") == "2"
    assert NEW_TITLE in table(again)["title"].tolist()


def test_a_zip_upload_gives_one_row_per_member(db):
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("batch/port.txt", NEW_ARTICLE)
        zf.writestr("batch/empty.txt", b"")
    at = _upload(app().run(), ("batch.zip", buf.getvalue()))
    no_exception(at)
    rows = table(at).set_index("file")
    assert sorted(rows.index) == ["batch.zip/batch/empty.txt", "batch.zip/batch/port.txt"]
    assert rows.loc["batch.zip/batch/port.txt", "result"] == "added"
    assert rows.loc["batch.zip/batch/empty.txt", "result"] == "rejected"
    assert rows.loc["batch.zip/batch/empty.txt", "reason"].strip()


def test_uploading_the_same_file_twice_is_a_duplicate(db):
    at = _upload(app().run(), ("port.txt", NEW_ARTICLE))
    fresh = _upload(app().run(), ("port-copy.txt", NEW_ARTICLE))
    assert table(fresh)["result"].tolist() == ["duplicate (already in the corpus)"]
    run_page(fresh, "components/pages/overview.py")
    assert metric(fresh, "Articles") == "2"
    del at


def test_untrusted_text_is_escaped_everywhere(db):
    at = _upload(app().run(), ("nasty.txt", NASTY))
    assert table(at)["result"].tolist() == ["added"]
    article_id = table(at)["link"].iloc[0].split("id=")[1]
    run_page(at, "components/pages/article.py", id=article_id)
    no_exception(at)
    shown = [at.title[0].value, *(m.value for m in at.markdown), *(c.value for c in at.caption)]
    joined = "\n".join(shown)
    for raw in ("<img", "<script", "](javascript", "**粗体**", ":red[红]"):
        assert raw not in joined, raw
    assert "&lt;script&gt;alert\\(2\\)&lt;/script&gt;" in joined
    assert "\\*\\*粗体\\*\\*" in joined
    for page in ("components/pages/overview.py", "components/pages/entities.py",
                 "components/pages/viewpoints.py", "components/pages/social.py"):
        run_page(at, page)
        no_exception(at)
        assert not any("<img" in m.value or "<script" in m.value for m in at.markdown), page


def test_a_parser_update_reparses_at_start_with_progress(db, monkeypatch):
    """A store made by an older parser is re-derived on the next start, with the bar's callback."""
    at = _upload(app().run(), ("port.txt", NEW_ARTICLE))
    from components import store as store_mod
    store = store_mod.get_store(str(db))
    store.set_settings({"parser_version": "an-older-parser"})
    loaders.clear()
    calls = []
    real = store_mod.ensure_ready

    def spy(store, samples_dir=store_mod.SAMPLES_DIR, progress=None, **kw):
        def wrapped(done, total, message=""):
            calls.append((done, total))
            progress(done, total, message)
        return real(store, samples_dir, progress=wrapped, **kw)

    monkeypatch.setattr(store_mod, "ensure_ready", spy)
    again = app().run()
    no_exception(again)
    assert metric(again, "Articles") == "2"
    assert calls and calls[-1][0] == calls[-1][1] == 2
    from components.pipeline import parser_version
    assert store.get_setting("parser_version") == parser_version()
    del at


def test_upload_switched_off_shows_no_uploader(db, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_UPLOAD_ENABLED", "false")
    at = app().run()
    run_page(at, "components/pages/upload.py")
    no_exception(at)
    assert not at.get("file_uploader")
    assert "Uploads are turned off" in info_text(at)


def test_upload_requiring_login_shows_no_uploader_to_anonymous_users(db, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_UPLOAD_REQUIRES_LOGIN", "true")
    at = app().run()
    run_page(at, "components/pages/upload.py")
    no_exception(at)
    assert not at.get("file_uploader")
    assert "Log in to upload files" in info_text(at)


# ---------------------------------------------------------------------------------------------
# Helpers (no app run)

def test_md_escape_neutralises_markdown_and_html():
    raw = '<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) :red[hi] $x$ # h'
    out = widgets.md_escape(raw)
    assert "<" not in out and ">" not in out
    assert out.startswith("&lt;img src\\=x onerror\\=alert\\(1\\)&gt; \\*\\*bold\\*\\*")
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in out
    assert "\\:red\\[hi\\]" in out and "\\$x\\$" in out and "\\# h" in out
    assert widgets.md_escape("中国\u3000外交部") == "中国\u3000外交部"
    assert widgets.md_escape(None) == ""


def test_safe_link_only_links_http_and_https():
    assert widgets.safe_link("https://example.org/a b(c)", "标题") == (
        "[标题](https://example.org/a%20b%28c%29)")
    assert widgets.safe_link("javascript:alert(1)", "x") == "x"
    assert widgets.safe_link("data:text/html,hi") == "data\\:text/html,hi"
    assert widgets.safe_link("//example.org/x", "y") == "y"
    assert widgets.safe_url("HTTP://Example.org") == "HTTP://Example.org"


def test_highlight_markdown_marks_spans_by_type_and_escapes():
    text = "美国国务院发言人米勒*表示*"
    spans = [(0, 2, "place"), (0, 5, "org"), (8, 10, "person"), (3, 4, "unknown")]
    assert widgets.highlight_markdown(text, spans) == (
        ":green-background[美国]国务院发言人:blue-background[米勒]\\*表示\\*")
    assert widgets.highlight_markdown("<b>", []) == "&lt;b&gt;"


def test_filter_sql_builds_an_inclusive_date_range():
    import datetime as dt
    cond, params = queries.filter_sql(queries.Filters(
        date_from=dt.date(2023, 9, 1), date_to=dt.date(2023, 9, 14), outlets=("RFA",)))
    assert cond == "a.published >= ? AND a.published < ? AND a.outlet IN (?)"
    assert params == [dt.datetime(2023, 9, 1), dt.datetime(2023, 9, 15), "RFA"]
    assert queries.filter_sql(queries.NO_FILTERS) == ("TRUE", [])


def test_auto_grain_by_span():
    import datetime as dt
    d = dt.date(2020, 1, 1)
    assert queries.auto_grain(d, d + dt.timedelta(days=30)) == "day"
    assert queries.auto_grain(d, d + dt.timedelta(days=400)) == "week"
    assert queries.auto_grain(d, d + dt.timedelta(days=1000)) == "month"


def test_chart_has_titles_units_and_cjk_fonts():
    import pandas as pd
    df = pd.DataFrame({"period": pd.to_datetime(["2023-09-11", "2023-09-18"]),
                       "outlet": ["自由亚洲电台", "美国之音"], "articles": [3, 1]})
    spec = charts.articles_over_time(df, "week").to_dict()
    assert spec["title"] == "Articles per week"
    assert spec["encoding"]["y"]["title"] == "Articles (count)"
    assert spec["encoding"]["x"]["title"] == "Week starting Monday (UTC)"
    assert spec["config"]["font"].startswith("Noto Sans CJK SC")
