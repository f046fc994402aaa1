"""Hostile content (issue 7, part 2): stored as text and shown as text, on every page.

The fixtures in ``tests/fixtures/hostile/`` carry ``<script>``, ``onerror=``, ``javascript:``
links, ``<iframe srcdoc>``, ``<svg onload>``, CSS overlays and style tags, and Markdown/HTML
injection in titles, quotes, captions and tweet text (see its README). Three layers:

1. The pipeline: every payload that was *text* in the file (escaped in the HTML, or in the
   wrapper's title line) comes out as that exact text; markup that was *markup* (a real
   ``<script>`` element, an ``onerror`` attribute) never becomes text; no address other than
   absolute http(s) leaves the pipeline.
2. The store: the same literal strings are in the tables, no stored address has another scheme,
   and the original bytes are kept unchanged.
3. Every page under AppTest (overview, article for each hostile file, entities, viewpoints,
   social, upload): no exception; no element renders article text as HTML (``st.html``,
   ``unsafe_allow_html``, an iframe) or loads an address from an article (``st.image``); every
   Markdown string that carries a payload has it escaped (no live tag, link, image or formula);
   and the payloads are still *visible*: the hostile titles show, as text.

The real-browser half (scripts actually not running) is ``test_hostile_browser.py``.
"""
from __future__ import annotations

import html
import json
import pathlib
import re

import pytest

from components import pipeline
from fuzz import checks

ROOT = pathlib.Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
APP = str(ROOT / "app.py")
FILES = sorted(p for p in HOSTILE.iterdir() if p.suffix in (".txt", ".html"))
TIMEOUT = 180

# The titles exactly as the files give them (the wrapper line, or the page's og:title).
TITLES = {
    "01_script_title.txt": '<script>window.__pwned=1</script>朝俄加强军事关系 '
                           '<img src=x onerror="window.__pwned=2" data-pwn>',
    "02_markdown_title.txt": "[点击查看](javascript:window.__pwned=21) **粗体** "
                             "![追踪](https://md-image.pwned.invalid/t.png) "
                             '<a href="javascript:window.__pwned=22" data-pwn>链接</a>',
    "03_tweet.txt": "社交媒体帖子中的恶意内容",
    "04_caption.txt": "图片说明中的恶意内容",
    "05_css.txt": "<style>html{--pwned:1}body{display:none}</style>样式与遮罩",
    "06_traditional_quotes.txt": "庫克群島總理：「<script>window.__pwned=81</script>」",
    "page_hostile.html": "<img src=x onerror=window.__pwned=92> [页面](javascript:window.__pwned=93)",
}
# Text payloads (escaped in the file, so text to a reader) that must survive verbatim, per file
# and (table, column) of the store; each is a substring of at least one value there.
EXPECTED = {
    "01_script_title.txt": {
        ("paragraphs", "text"): ["<script>window.__pwned=4</script>这是一次高调的访问。",
                                 "<img src=x onerror=window.__pwned=5 data-pwn>",
                                 '<iframe srcdoc="<script>top.__pwned=13</script>"></iframe>',
                                 "<svg onload=window.__pwned=14>"],
        ("quotes", "text"): ["<script>window.__pwned=4</script>"],
    },
    "02_markdown_title.txt": {
        ("paragraphs", "text"): ["[打开](javascript:window.__pwned=26)",
                                 '<a href="javascript:window.__pwned=27">HTML 链接</a>',
                                 r"$\href{javascript:window.__pwned=25}{公式}$",
                                 "[x]: javascript:window.__pwned=28",
                                 "<style>html{--pwned:1;background:red}</style>",
                                 "&lt;script&gt; 已转义两次"],
        ("quotes", "text"): ["[官方声明](javascript:window.__pwned=23)"],
    },
    "03_tweet.txt": {
        ("social", "text"): ["<script>window.__pwned=31</script>【金正恩访俄】",
                             "[点我](javascript:window.__pwned=32)"],
        ("social", "author"): ["<img src=x onerror=window.__pwned=35>"],
    },
    "04_caption.txt": {
        ("images", "caption"): ["<script>window.__pwned=54</script>朝鲜中央通讯社发布的图片",
                                "![追踪](https://md-image.pwned.invalid/caption.png)",
                                "（图片：[来源](javascript:window.__pwned=57)）"],
    },
    "05_css.txt": {
        ("paragraphs", "text"): ['<div style="position:fixed;inset:0;background:red" data-pwn>'
                                 "作为文字的遮罩</div>"],
    },
    "06_traditional_quotes.txt": {
        ("paragraphs", "text"): ["「<script>window.__pwned=82</script>太平洋島國存在歧見。」",
                                 "<iframe srcdoc='<script>top.__pwned=85</script>'>"],
        ("quotes", "text"): ["<script>window.__pwned=82</script>"],
    },
    "page_hostile.html": {
        ("paragraphs", "text"): ["<script>window.__pwned=101</script>中方的立场是一贯的"],
        ("social", "text"): ["<script>window.__pwned=105</script>推文内容"],
    },
}
# Payloads that were live markup in the file (a real <script> element, an event attribute, a
# javascript: href): none of them may turn up as text anywhere in the store.
# (By payload number: each payload sets window.__pwned to its own number.)
NEVER_TEXT = {3, 6, 7, 8, 9, 10, 11, 12, 61, 62, 96, 97, 98, 99, 102}
PAYLOAD_RE = re.compile(r"__pwned=(\d+)")


def payload_numbers(text: str) -> set[int]:
    return {int(n) for n in PAYLOAD_RE.findall(text)}
URL_COLUMNS = [("articles", "url"), ("links", "url"), ("images", "src"), ("social", "url"),
               ("social", "links"), ("social", "media")]


def test_every_fixture_is_listed():
    assert sorted(p.name for p in FILES) == sorted(TITLES) == sorted(EXPECTED)


# ---------------------------------------------------------------------------------------------
# 1. The pipeline

@pytest.fixture(scope="module")
def analyses():
    if not checks.stages_available():
        pytest.skip("the stage modules are not all importable yet")
    return {p.name: checks.check_analysis(pipeline.analyse(p.read_bytes(), p.name),
                                          p.read_bytes()) for p in FILES}


def _values(analysis, table: str, column: str) -> list:
    rows = pipeline.frame_rows(analysis)[table]
    i = pipeline.FRAME_COLUMNS[table].index(column)
    return [r[i] for r in rows]


@pytest.mark.parametrize("name", sorted(TITLES))
def test_pipeline_keeps_payloads_as_text(analyses, name):
    analysis = analyses[name]
    assert analysis.article.title == TITLES[name]
    for (table, column), payloads in EXPECTED[name].items():
        values = [v for v in _values(analysis, table, column) if isinstance(v, str)]
        for payload in payloads:
            assert any(payload in v for v in values), (table, column, payload, values)


@pytest.mark.parametrize("name", sorted(TITLES))
def test_pipeline_never_turns_markup_into_text(analyses, name):
    record = json.dumps(pipeline.frame_rows(analyses[name]), ensure_ascii=False, default=str)
    assert payload_numbers(record) & NEVER_TEXT == set()


@pytest.mark.parametrize("name", sorted(TITLES))
def test_pipeline_addresses_are_http_only(analyses, name):
    rows = pipeline.frame_rows(analyses[name])
    for table, column in URL_COLUMNS:
        i = pipeline.FRAME_COLUMNS[table].index(column)
        for row in rows[table]:
            values = row[i] if isinstance(row[i], list) else [row[i]]
            for url in values:
                assert url is None or re.match(r"(?i)^https?://[^/\s]", url), (table, url)


# ---------------------------------------------------------------------------------------------
# 2. The store

@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    """A store holding only the hostile fixtures, ingested through the upload path."""
    if not checks.stages_available():
        pytest.skip("the stage modules are not all importable yet")
    from components import ingest, store as store_mod
    path = tmp_path_factory.mktemp("hostile") / "newsroom.duckdb"
    store = store_mod.get_store(str(path))
    results = ingest.ingest_uploads(store, [(p.name, p.read_bytes()) for p in FILES])
    assert [(r.name, r.status) for r in results] == [(p.name, "added") for p in FILES], results
    from components.pipeline import parser_version
    store.set_settings({"parser_version": parser_version()})  # no re-parse at app start
    yield path, store, {r.name: r.article_id for r in results}
    store_mod.close_store(str(path))


def test_store_keeps_titles_and_payloads_verbatim(hostile_store):
    _, store, ids = hostile_store
    for name, aid in ids.items():
        title = store.query("SELECT title FROM articles WHERE id = ?", [aid])["title"].tolist()
        assert title == [TITLES[name]]
        for (table, column), payloads in EXPECTED[name].items():
            for payload in payloads:
                n = store.query(f'SELECT count(*) AS n FROM {table} WHERE article_id = ? AND '
                                f'contains("{column}", ?)', [aid, payload])["n"].iloc[0]
                assert n >= 1, (name, table, column, payload)


def test_store_addresses_are_http_only(hostile_store):
    _, store, _ = hostile_store
    for table, column in URL_COLUMNS:
        is_list = column in ("links", "media")
        expr = f'unnest("{column}")' if is_list else f'"{column}"'
        bad = store.query(f"SELECT u FROM (SELECT {expr} AS u FROM {table}) "
                          "WHERE u IS NOT NULL AND NOT regexp_matches(u, '^(?i)https?://[^/\\s]')")
        assert bad.empty, (table, column, bad["u"].tolist())


def test_store_never_turns_markup_into_text(hostile_store):
    _, store, _ = hostile_store
    for table, cols in pipeline.FRAME_COLUMNS.items():
        text_cols = [c for c in cols if c in ("title", "text", "caption", "credit", "author",
                                             "speaker", "role", "name", "surface", "url",
                                             "warnings")]
        for col in text_cols:
            values = store.query(f'SELECT "{col}" AS v FROM {table} WHERE "{col}" IS NOT NULL')
            found = payload_numbers("\n".join(map(str, values["v"])))
            assert found & NEVER_TEXT == set(), (table, col, found & NEVER_TEXT)


def test_store_keeps_the_original_bytes(hostile_store):
    _, store, ids = hostile_store
    for p in FILES:
        data = store.query("SELECT data FROM files WHERE article_id = ?", [ids[p.name]])["data"]
        assert bytes(data.iloc[0]) == p.read_bytes()


# ---------------------------------------------------------------------------------------------
# 3. Every page under AppTest

# Raw markup, links, images and formulas that would be live if a Markdown string carried them
# unescaped (md_escape turns '<' into '&lt;' and backslash-escapes Markdown punctuation).
LIVE_IN_MARKDOWN = [
    re.compile(r"<\s*/?\s*(script|img|iframe|svg|style|a|b|div|span|details|object|embed|video|"
               r"audio|math|form|base|meta|link)\b", re.I),
    re.compile(r"(?<!\\)\]\(\s*(javascript|data|vbscript):", re.I),
    re.compile(r"(?<!\\)!\[[^\]]*\]\("),
    re.compile(r"(?<!\\)\$[^$]*\\href"),
    re.compile(r"(?<!\\)\[[^\]]*\]:\s*javascript", re.I),
]
# Proto fields a widget shows as plain text (never Markdown): payloads may appear raw there.
PLAIN_FIELDS = {"default", "value", "placeholder", "data", "arrow_data", "columns", "id",
                "form_id", "raw_value", "raw_values", "raw_default_values", "formatted_value",
                "set_value", "page_script_hash"}
# Option lists shown as plain text (st.radio, st.pills and st.segmented_control render Markdown
# in their options, so those are checked like Markdown).
PLAIN_OPTION_TYPES = {"selectbox", "multiselect", "select_slider"}
# Element kinds that render their content literally (text, code) or as data (tables, charts).
LITERAL_TYPES = {"text", "code", "json", "arrow_data_frame", "arrow_vega_lite_chart",
                 "vega_lite_chart", "download_button", "file_uploader"}
DIRECTIVE_RE = re.compile(r"(?<!\\):[a-z]+(?:-[a-z]+)*\[")
UNESCAPE_RE = re.compile(r"\\(.)")


def md_visible(markdown: str) -> str:
    """Roughly what a reader sees of an escaped Markdown string (directives dropped)."""
    text = DIRECTIVE_RE.sub("", markdown)
    text = re.sub(r"(?<!\\)\]", "", text)
    return html.unescape(UNESCAPE_RE.sub(r"\1", text))


def _strings(obj, field: str = ""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _strings(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v, field)
    elif isinstance(obj, str):
        yield field, obj


def scan_page(at) -> tuple[list[str], str]:
    """(problems, visible text) for the rendered tree of one AppTest run."""
    from google.protobuf.json_format import MessageToDict

    problems: list[str] = []
    visible: list[str] = []
    for node in at._tree:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = getattr(node, "type", "") or ""
        if kind == "dataframe" or type(node).__name__ == "Dataframe":
            frame = node.value
            visible.extend(str(v) for v in frame.astype(str).to_numpy().ravel())
            visible.extend(str(c) for c in frame.columns)
            config = json.loads(getattr(proto, "columns", "") or "{}")
            for col, cfg in config.items():
                ctype = (cfg.get("type_config") or {}).get("type")
                if ctype in ("link", "image") and col in frame.columns:
                    for v in frame[col].dropna().astype(str):
                        if re.match(r"(?i)\s*(javascript|data|vbscript):", v):
                            problems.append(f"{ctype} column {col!r} holds {v[:80]!r}")
                        if ctype == "image" and "pwned" in v:
                            problems.append(f"image column loads {v[:80]!r}")
            continue
        try:
            tree = MessageToDict(proto, preserving_proto_field_name=True)
        except Exception:  # noqa: BLE001 - an odd proto is skipped, not fatal
            continue
        flat = json.dumps(tree, ensure_ascii=False)
        if kind == "html" and "pwned" in flat:
            problems.append(f"st.html renders article text: {flat[:160]}")
        if kind == "iframe" and ("pwned" in flat or "javascript:" in flat.lower()):
            problems.append(f"an iframe carries article content: {flat[:160]}")
        if kind == "imgs" and "pwned" in flat:
            problems.append(f"an image element loads an article's address: {flat[:160]}")
        if kind == "markdown" and tree.get("allow_html") and "pwned" in flat:
            problems.append(f"unsafe_allow_html with article text: {flat[:160]}")
        for field, value in _strings(tree):
            if field in ("url", "href", "page", "src") and re.match(
                    r"(?i)\s*(javascript|data|vbscript):", value):
                problems.append(f"{kind}.{field} = {value[:80]!r}")
            if kind in LITERAL_TYPES or field in PLAIN_FIELDS or (
                    field == "options" and kind in PLAIN_OPTION_TYPES):
                visible.append(value)
                continue
            visible.append(md_visible(value))
            if "pwned" in value:
                for pattern in LIVE_IN_MARKDOWN:
                    m = pattern.search(value)
                    if m:
                        problems.append(f"{kind}.{field} has live {m.group(0)!r} in "
                                        f"{value[:200]!r}")
    return problems, "\n".join(visible)


@pytest.fixture(scope="module")
def hostile_app(hostile_store):
    from components import loaders
    path, _, ids = hostile_store
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSROOM_LENS_DB", str(path))
        mp.setenv("NEWSROOM_LENS_UPLOAD_ENABLED", "true")
        mp.setenv("NEWSROOM_LENS_UPLOAD_REQUIRES_LOGIN", "false")
        loaders.clear()
        yield ids
        loaders.clear()


def run_page(page: str, **params):
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page(f"components/pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def assert_safe(at, where: str) -> str:
    assert not at.exception, (where, [e.value for e in at.exception])
    problems, visible = scan_page(at)
    assert problems == [], (where, problems)
    return visible


@pytest.mark.parametrize("page_name", ["overview", "entities", "viewpoints", "social", "upload"])
def test_page_shows_hostile_content_as_text(hostile_app, page_name):
    visible = assert_safe(run_page(page_name), page_name)
    assert "__pwned" in visible or page_name in ("entities", "upload"), \
        f"{page_name}: no hostile text reached the page at all (nothing was tested)"


@pytest.mark.parametrize("name", sorted(TITLES))
def test_article_page_shows_hostile_content_as_text(hostile_app, name):
    at = run_page("article", id=hostile_app[name])
    visible = assert_safe(at, f"article {name}")
    assert TITLES[name] in visible, f"the title of {name} is not shown as text"
    for (table, column), payloads in EXPECTED[name].items():
        if table in ("paragraphs", "images", "social") or table == "quotes":
            for payload in payloads:
                assert md_visible(payload) in visible or payload in visible, \
                    f"{name}: {table}.{column} payload {payload!r} is not shown as text"


def test_overview_lists_every_hostile_title(hostile_app):
    visible = assert_safe(run_page("overview"), "overview")
    missing = [name for name, title in TITLES.items() if title not in visible]
    assert missing == []


def test_upload_result_shows_a_hostile_title_as_text(hostile_app, tmp_path, monkeypatch):
    """Uploading a hostile file: the per-file result table names it, as text."""
    from components import loaders
    monkeypatch.setenv("NEWSROOM_LENS_DB", str(tmp_path / "upload.duckdb"))
    loaders.clear()
    try:
        at = run_page("upload")
        data = (HOSTILE / "01_script_title.txt").read_bytes()
        at.file_uploader(key="upload_files").upload("<img src=x onerror=alert(1)>.txt", data,
                                                    "text/plain").run()
        visible = assert_safe(at, "upload result")
        assert TITLES["01_script_title.txt"] in visible
        assert "<img src=x onerror=alert(1)>.txt" in visible
    finally:
        from components import store as store_mod
        loaders.clear()
        store_mod.close_store(str(tmp_path / "upload.duckdb"))


# ---------------------------------------------------------------------------------------------
# Issue 7 part 6: the deployment guide documents the real switches

def test_deployment_guide_names_only_real_settings():
    """Every NEWSROOM_LENS_* variable in docs/DEPLOYMENT.md is one components.settings reads, and
    the upload switches are documented with their exact names."""
    from components import settings
    guide = (ROOT / "docs" / "DEPLOYMENT.md").read_text(encoding="utf-8")
    named = set(re.findall(r"NEWSROOM_LENS_[A-Z_]+", guide))
    real = {settings.env_name(n) for n in settings.SETTINGS} | set(settings.DB_ENV_ALIASES)
    assert named - real == set()
    for name in ("upload_enabled", "upload_requires_login"):
        assert name in settings.SETTINGS and f"`{name}`" in guide
        assert settings.env_name(name) in guide
    assert 'address = "127.0.0.1"' in (ROOT / ".streamlit" / "config.toml").read_text()
