"""The Entities, Viewpoints and Social pages (issues 3, 4, 5) and their queries and charts.

Two stores:
- ``synth``: hand-made analyses (articles, mentions, quotes, posts, links written through
  ``Store.write``) whose every count is worked out by hand below, for exact tests of the
  ``queries`` functions of the analysis section (filters, ranking, sentences, URL matching).
- ``corpus``: the seed, the devset (when present) and a hand-written article that links to the
  seed and embeds a hostile tweet, ingested through ``ingest``; AppTest drives the three pages
  on it: the values a reader sees (普京 and 金正恩 in the top people, 郭崇伦's column, the two
  @RFA_Chinese posts), widget interactions and CSV downloads, and escaping.
"""
from __future__ import annotations

import datetime as dt
import json
import pathlib
import re

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from components import charts, loaders, queries
from components.model import Article, Analysis, Block, Link, Mention, Quote, SocialRef

from .conftest import DEVSET, SAMPLES, devset_files

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 120
SEED_ID = "6ad462bb8267804c"
SEED_URL = "https://www.rfa.org/mandarin/yataibaodao/junshiwaijiao/hx1-09142023102355.html"

# ---------------------------------------------------------------------------------------------
# The synthetic store

GAZETTEER = {"张三": "person", "李四": "person", "王五": "person", "北京": "place",
             "上海": "place", "广州": "place", "联合国": "org"}


def _mentions(title: str, blocks: list[str]) -> list[Mention]:
    """Every occurrence of a gazetteer name in the title and blocks."""
    out = []
    for block, text in [(-1, title)] + list(enumerate(blocks)):
        for name, etype in GAZETTEER.items():
            for m in re.finditer(name, text):
                out.append(Mention(name, etype, name, block, m.start(), m.end()))
    return out


def _analysis(aid, title, blocks, published, outlet, url, quotes=(), social=(), links=()):
    article = Article(source=f"{aid}.txt", id=aid, content_hash=f"hash-{aid}", url=url,
                      title=title, published=published, outlet=outlet, section="news",
                      script="simplified", blocks=[Block("paragraph", b) for b in blocks],
                      links=list(links))
    return Analysis(article, _mentions(title, blocks), list(quotes), list(social))


A1_BLOCKS = ["张三说，北京和上海的关系很好。李四也来了！北京今天下雨",
             "王五认为北京应该改革，北京很大。"]
A2_BLOCKS = ["上海与北京合作。张三表示支持；上海欢迎。"]
A3_BLOCKS = ["联合国开会。", "广州、广州、广州、广州、广州。"]
A4_BLOCKS = ["北京。"]


def synth_analyses() -> list[Analysis]:
    a1 = _analysis(
        "a1", "北京观察", A1_BLOCKS, "2023-01-02T08:00:00Z", "RFA",
        "https://www.example.com/a/1.html",
        quotes=[Quote("张三", "北京大学教授", "expert", "北京和上海的关系很好", True, 0, 4, 14),
                Quote("王五", "外交部发言人", "official", "北京应该改革", False, 1, 4, 10)],
        social=[SocialRef("twitter", "https://twitter.com/acct1/status/1", "1", "acct1",
                          "账号一", "2022-12-30", "你好 #北京 #上海", ["北京", "#上海"]),
                SocialRef("youtube", "javascript:alert(1)", None, None, None, None, "视频")],
        links=[Link(None, "https://www.example.com/a/999.html", "未存的文章", True),
               Link(0, "https://www.example.com/a/2.html", "正文链接", False)])
    a2 = _analysis(
        "a2", "上海新闻", A2_BLOCKS, "2023-01-10T09:00:00Z", "VOA",
        "https://www.example.com/a/2.html",
        quotes=[Quote("张三", "教授", "expert", "支持", False, 0, 10, 12),
                Quote("某官员", None, "source", "上海欢迎", False, 0, 15, 19)],
        social=[SocialRef("twitter", "https://x.com/acct1/status/2", "2", "acct1", "账号一",
                          "2023-01-10T05:00:00Z", "再见 #北京", ["北京"])],
        links=[Link(None, "http://example.com/a/1.html/?ref=x", "北京观察", True),
               Link(None, "https://example.com/a/999.html#top", "未存的文章", True)])
    a3 = _analysis("a3", "无关", A3_BLOCKS, "2023-02-15T00:00:00Z", "RFA",
                   "https://www.example.com/a/3.html")
    a4 = _analysis("a4", "无日期", A4_BLOCKS, None, "RFA", None)
    return [a1, a2, a3, a4]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    from components import store as store_mod
    path = tmp_path_factory.mktemp("synth") / "synth.duckdb"
    store = store_mod.get_store(str(path))
    store.write([(a, a.article.content_hash.encode()) for a in synth_analyses()])
    yield store
    store_mod.close_store(str(path))


ALL = queries.NO_FILTERS
FROM_JAN5 = queries.Filters(date_from=dt.date(2023, 1, 5))
RFA_ONLY = queries.Filters(outlets=("RFA",))


def _plain(value):
    """NaN / NA / NaT (how pandas shows a SQL NULL) -> None, for exact comparisons."""
    if value is None or (not isinstance(value, (list, tuple, str)) and pd.isna(value)):
        return None
    return value


def rows(df: pd.DataFrame, *cols) -> list[tuple]:
    return [tuple(_plain(v) for v in r) for r in df[list(cols)].itertuples(index=False)]


# ---- Entities queries

def test_entity_top_by_mentions_and_by_articles(synth):
    by_m = queries.entity_top(synth, ALL, "mentions", 3)
    assert rows(by_m[by_m.type == "place"], "name", "mentions", "articles", "rank") == [
        ("北京", 7, 3, 1), ("广州", 5, 1, 2), ("上海", 4, 2, 3)]
    # Ties (李四, 王五: one mention in one article) go by name.
    assert rows(by_m[by_m.type == "person"], "name", "mentions") == [
        ("张三", 2), ("李四", 1), ("王五", 1)]
    assert rows(by_m[by_m.type == "org"], "name", "mentions") == [("联合国", 1)]
    by_a = queries.entity_top(synth, ALL, "articles", 3)
    assert rows(by_a[by_a.type == "place"], "name", "articles") == [
        ("北京", 3), ("上海", 2), ("广州", 1)]
    assert len(queries.entity_top(synth, ALL, "mentions", 1)) == 3  # one per type


def test_entity_top_applies_filters(synth):
    # From 5 January: a1 and the undated a4 drop out.
    df = queries.entity_top(synth, FROM_JAN5, "mentions", 10)
    assert rows(df[df.type == "place"], "name", "mentions") == [
        ("广州", 5), ("上海", 3), ("北京", 1)]
    df = queries.entity_top(synth, queries.Filters(outlets=("VOA",)), "mentions", 10)
    assert set(df["name"]) == {"上海", "北京", "张三"}


def test_entity_trend_by_week_and_month(synth):
    month = queries.entity_trend(synth, ALL, ("北京", "上海"), "month")
    # January has both; February (a3, dated) has neither: zero-filled. a4 (undated) is out.
    assert [(p.strftime("%Y-%m"), n, m, a) for p, n, m, a in zip(
        pd.to_datetime(month["period"]), month["name"], month["mentions"], month["articles"])] == [
        ("2023-01", "上海", 4, 2), ("2023-01", "北京", 6, 2),
        ("2023-02", "上海", 0, 0), ("2023-02", "北京", 0, 0)]
    week = queries.entity_trend(synth, ALL, ("北京",), "week")
    assert [(p.date().isoformat(), n) for p, n in zip(pd.to_datetime(week["period"]),
                                                      week["mentions"])] == [
        ("2023-01-02", 5), ("2023-01-09", 1), ("2023-01-16", 0), ("2023-01-23", 0),
        ("2023-01-30", 0), ("2023-02-06", 0), ("2023-02-13", 0)]
    assert queries.entity_trend(synth, ALL, (), "week").empty
    assert queries.entity_trend(synth, ALL, ("不存在",), "week").empty


def test_entity_trend_long_spans_are_not_zero_filled(synth, monkeypatch):
    monkeypatch.setattr(queries, "TREND_MAX_PERIODS", 3)
    week = queries.entity_trend(synth, ALL, ("北京",), "week")
    assert list(week["mentions"]) == [5, 1]


def test_entity_cooccurrence_counts_articles_together(synth):
    pairs = queries.entity_cooccurrence(synth, ALL, 10)
    got = {(a, b): n for a, b, n in rows(pairs, "entity_a", "entity_b", "articles")}
    assert got[("上海", "北京")] == 2 and got[("北京", "张三")] == 2
    assert got[("广州", "联合国")] == 1
    assert ("北京", "联合国") not in got and ("上海", "广州") not in got
    assert len(got) == 11
    # Top 2 by articles: 北京 (3), then 上海 and 张三 tie on 2 and 上海 sorts first.
    assert rows(queries.entity_cooccurrence(synth, ALL, 2), "entity_a", "entity_b", "articles",
                "articles_a", "articles_b") == [("上海", "北京", 2, 2, 3)]
    persons = queries.entity_cooccurrence(synth, ALL, 10, "person")
    assert set(zip(persons.entity_a, persons.entity_b)) == {("张三", "李四"), ("张三", "王五"),
                                                            ("李四", "王五")}


def test_pair_articles_lists_both_newest_first(synth):
    df = queries.pair_articles(synth, ALL, "上海", "北京")
    assert rows(df, "id", "mentions_a", "mentions_b") == [("a2", 3, 1), ("a1", 1, 5)]
    assert queries.pair_articles(synth, ALL, "联合国", "北京").empty
    assert rows(queries.pair_articles(synth, FROM_JAN5, "上海", "北京"), "id") == [("a2",)]


def test_entity_contexts_cut_sentences(synth):
    df = queries.entity_contexts(synth, ALL, "北京", 50)
    assert rows(df, "article_id", "block", "before", "match", "after") == [
        ("a2", 0, "上海与", "北京", "合作。"),
        ("a1", -1, "", "北京", "观察"),
        ("a1", 0, "张三说，", "北京", "和上海的关系很好。"),
        ("a1", 0, "", "北京", "今天下雨"),
        ("a1", 1, "王五认为", "北京", "应该改革，北京很大。"),  # two mentions, one sentence
        ("a4", 0, "", "北京", "。"),
    ]
    assert list(df["title"][:2]) == ["上海新闻", "北京观察"]
    assert len(queries.entity_contexts(synth, ALL, "北京", 2)) == 2
    assert queries.entity_contexts(synth, ALL, "不存在", 10).empty


def test_entity_keywords_leave_entities_out(synth, monkeypatch):
    seen = {}

    def fake_keywords(texts, k):
        seen["texts"], seen["k"] = list(texts), k
        return [("北京", 0.9), ("关系", 0.5), ("改革", 0.4), ("上海", 0.3), ("下雨", 0.2)]

    monkeypatch.setattr(queries, "_keywords_of", fake_keywords)
    df = queries.entity_keywords(synth, ALL, 2, 100)
    assert rows(df, "rank", "keyword", "weight", "paragraphs") == [
        (1, "关系", 0.5, 1), (2, "改革", 0.4, 1)]
    assert seen["k"] == 6  # asks for more than it shows: entity names are dropped after
    # The sample: paragraphs of the newest articles first, undated last.
    assert seen["texts"] == A3_BLOCKS + A2_BLOCKS + A1_BLOCKS + A4_BLOCKS
    queries.entity_keywords(synth, ALL, 2, 3)
    assert seen["texts"] == A3_BLOCKS + A2_BLOCKS


def test_keywords_of_reads_pairs_or_words(monkeypatch):
    from components import entities
    monkeypatch.setattr(entities, "top_keywords", lambda texts, k: ["甲乙", ("丙丁", 2)],
                        raising=False)
    got = queries._keywords_of(["甲乙丙丁"], 5)
    assert got[1] == ("丙丁", 2.0) and got[0][0] == "甲乙" and pd.isna(got[0][1])


# ---- Viewpoints queries

def test_speaker_directory(synth):
    df = queries.speaker_directory(synth, ALL, 100, False, "")
    assert rows(df, "speaker", "kind", "roles", "articles", "quotes", "direct", "paraphrases",
                "topics") == [
        ("张三", "expert", "北京大学教授 / 教授", 2, 2, 1, 1, "上海、北京、李四"),
        ("王五", "official", "外交部发言人", 1, 1, 0, 1, "北京")]
    z = df.iloc[0]
    assert pd.Timestamp(z["first_seen"]) == pd.Timestamp("2023-01-02 08:00")
    assert pd.Timestamp(z["last_seen"]) == pd.Timestamp("2023-01-10 09:00")
    with_sources = queries.speaker_directory(synth, ALL, 100, True, "")
    assert list(with_sources["speaker"]) == ["张三", "王五", "某官员"]
    assert list(queries.speaker_directory(synth, ALL, 100, False, "发言人")["speaker"]) == ["王五"]
    assert list(queries.speaker_directory(synth, FROM_JAN5, 100, False, "")["quotes"]) == [1]


def test_topic_speakers_and_quotes(synth):
    df = queries.topic_speakers(synth, ALL, "上海", 30)
    # 张三's a1 quote contains 上海; his a2 quote sits in a paragraph naming 上海; 王五's does not.
    assert rows(df, "speaker", "quotes", "direct", "paraphrases", "articles") == [
        ("张三", 2, 1, 1, 2), ("某官员", 1, 0, 1, 1)]
    q = queries.speaker_quotes(synth, ALL, ("张三", "王五"), "上海", 10)
    assert rows(q, "speaker", "text", "article_id") == [("张三", "支持", "a2"),
                                                        ("张三", "北京和上海的关系很好", "a1")]
    q = queries.speaker_quotes(synth, ALL, ("张三", "王五"), None, 1)
    assert rows(q, "speaker", "text", "title") == [("张三", "支持", "上海新闻"),
                                                   ("王五", "北京应该改革", "北京观察")]
    assert queries.speaker_quotes(synth, ALL, (), None, 5).empty
    topics = queries.topic_options(synth, ALL, 10)
    assert rows(topics, "name", "quotes")[:2] == [("北京", 4), ("上海", 3)]


def test_article_quotes_and_surfaces(synth):
    q = queries.article_quotes(synth, "a1")
    assert rows(q, "speaker", "direct", "block") == [("张三", True, 0), ("王五", False, 1)]
    s = queries.article_entity_surfaces(synth, "a1")
    assert dict(zip(s["surface"], s["mentions"])) == {"北京": 5, "上海": 1, "张三": 1,
                                                      "李四": 1, "王五": 1}
    assert list(queries.quote_articles(synth, ALL, 10)["id"]) == ["a2", "a1"]


# ---- Social queries

def test_social_refs_and_aggregates(synth):
    refs = queries.social_refs(synth, ALL, "", (), 100)
    assert rows(refs, "article_id", "platform", "handle", "lag_days") == [
        ("a2", "twitter", "acct1", 0), ("a1", "twitter", "acct1", 3),
        ("a1", "youtube", None, None)]
    assert list(refs["hashtags"][0]) == ["北京"]
    assert rows(queries.social_platforms(synth, ALL, "", ()), "platform", "refs", "articles",
                "accounts") == [("twitter", 2, 2, 1), ("youtube", 1, 1, 0)]
    assert rows(queries.social_accounts(synth, ALL, "", (), 10), "handle", "author", "refs") == [
        ("acct1", "账号一", 2)]
    assert rows(queries.social_hashtags(synth, ALL, "", (), 10), "hashtag", "refs") == [
        ("北京", 2), ("上海", 1)]
    assert queries.social_summary(synth, ALL, "", ()) == {"refs": 3, "articles": 2,
                                                          "accounts": 1, "dated": 2}
    assert queries.social_summary(synth, ALL, "你好", ()) == {"refs": 1, "articles": 1,
                                                            "accounts": 1, "dated": 1}
    tl = queries.social_timeline(synth, ALL, "", (), 100)
    assert rows(tl, "article_id", "lag_days") == [("a2", 0), ("a1", 3)]
    assert [d.isoformat() for d in pd.to_datetime(tl["post_date"]).dt.date] == [
        "2023-01-10", "2022-12-30"]


def test_social_search_platforms_and_filters(synth):
    assert rows(queries.social_refs(synth, ALL, "你好", (), 100), "article_id") == [("a1",)]
    assert len(queries.social_refs(synth, ALL, "ACCT1", (), 100)) == 2  # case-insensitive
    assert rows(queries.social_refs(synth, ALL, "", ("youtube",), 100), "platform") == [
        ("youtube",)]
    assert rows(queries.social_refs(synth, FROM_JAN5, "", (), 100), "article_id") == [("a2",)]
    assert queries.social_refs(synth, ALL, "不存在的词", (), 100).empty
    assert rows(queries.social_hashtags(synth, ALL, "再见", (), 10), "hashtag") == [("北京",)]


def test_related_links_resolve_normalised_urls(synth):
    links = queries.related_links(synth, ALL, 100)
    # http / no www / trailing slash / query string still find the stored a1.
    assert rows(links, "from_id", "to_id", "to_title") == [
        ("a2", "a1", "北京观察"), ("a2", None, None), ("a1", None, None)]
    missing = queries.related_missing(synth, ALL, 100)
    assert rows(missing, "link_text", "linked_from") == [("未存的文章", 2)]
    s = queries.related_summary(synth, ALL).iloc[0]
    assert (s["links"], s["linking_articles"], s["in_store"], s["missing"]) == (3, 2, 1, 1)
    assert queries.related_summary(synth, RFA_ONLY).iloc[0]["in_store"] == 0


# ---------------------------------------------------------------------------------------------
# Charts (pure)

def spec(chart) -> dict:
    return chart.to_dict()


def test_entity_bars_chart():
    df = pd.DataFrame({"type": ["person", "person", "place"], "name": ["普京", "金正恩", "朝鲜"],
                       "mentions": [3, 2, 9], "articles": [1, 1, 2], "rank": [1, 2, 1]})
    s = spec(charts.entity_bars(df, "person", "articles"))
    assert s["title"] == "Top people by articles mentioning them"
    assert s["encoding"]["x"]["field"] == "articles"
    assert s["encoding"]["x"]["title"] == "Articles mentioning it (count)"
    assert s["encoding"]["y"]["title"] == "Person"
    data = next(iter(s["datasets"].values()))
    assert [r["name"] for r in data] == ["普京", "金正恩"]
    assert "Noto Sans CJK SC" in s["config"]["font"]
    s = spec(charts.entity_bars(df, "org", "mentions"))
    assert s["title"] == "Top organisations by mentions"


def test_cooccurrence_matrix_is_symmetric():
    df = pd.DataFrame({"entity_a": ["上海"], "entity_b": ["北京"], "articles": [2],
                       "articles_a": [2], "articles_b": [3]})
    m = charts.cooccurrence_matrix(df)
    assert rows(m, "x", "y", "articles", "x_articles") == [("上海", "北京", 2, 2),
                                                           ("北京", "上海", 2, 3)]
    s = spec(charts.cooccurrence_heatmap(df))
    assert s["layer"][0]["encoding"]["x"]["sort"] == ["北京", "上海"]  # most articles first
    assert s["layer"][0]["encoding"]["color"]["title"] == "Articles together (count)"


def test_keyword_and_speaker_and_social_charts():
    kw = pd.DataFrame({"rank": [1], "keyword": ["改革"], "weight": [float("nan")],
                       "paragraphs": [4]})
    assert spec(charts.keyword_bars(kw))["encoding"]["x"]["field"] == "paragraphs"
    d = pd.DataFrame({"speaker": ["甲", "乙"], "direct": [2, 0], "paraphrases": [1, 3]})
    s = spec(charts.speaker_quote_bars(d))
    data = next(iter(s["datasets"].values()))
    assert {(r["speaker"], r["form"], r["count"]) for r in data} == {
        ("甲", "Direct quote", 2), ("乙", "Direct quote", 0), ("甲", "Paraphrase", 1),
        ("乙", "Paraphrase", 3)}
    tl = pd.DataFrame({"platform": ["twitter"], "handle": ["a"],
                       "post_date": [dt.date(2023, 1, 1)], "article_date": [dt.date(2023, 1, 4)],
                       "lag_days": [3], "article_title": ["标题"], "article_id": ["x"]})
    s = spec(charts.social_lag_chart(tl))
    assert s["encoding"]["y"]["title"] == "Article date minus post date (days)"
    s = spec(charts.social_posts_over_time(tl))
    data = next(iter(s["datasets"].values()))
    assert sorted(r["series"] for r in data) == ["Article date", "Post date"]
    p = pd.DataFrame({"platform": ["twitter", "weibo"], "refs": [2, 1], "articles": [1, 1],
                      "accounts": [1, 1]})
    data = next(iter(spec(charts.social_platform_bars(p))["datasets"].values()))
    assert [r["platform_label"] for r in data] == ["X / Twitter", "Weibo"]


# ---------------------------------------------------------------------------------------------
# The pages, on the seed + devset + a hand-written article

# Hand-written: links (as the outlet's related list) to the seed by a variant of its URL, to a
# page not stored, and embeds a tweet whose text tries Markdown, HTML and a javascript: link.
LINKER = (
    "<!--1704196800000-->\n"
    "[测试：相关文章链接](https://example.org/news/2024/01/linker.html)\n"
    "------\n\n"
    "<p>这是一篇测试文章。</p>"
    '<ul><li><a class="state-published" href="http://rfa.org/mandarin/yataibaodao/'
    'junshiwaijiao/hx1-09142023102355.html/">朝俄加强军事关系</a></li>'
    '<li><a class="state-published" href="https://www.rfa.org/mandarin/not-stored-1.html">'
    "未存的相关文章</a></li></ul>"
    '<blockquote class="twitter-tweet"><p lang="zh">*粗体* [点我](javascript:alert(1)) '
    "&lt;script&gt;alert(1)&lt;/script&gt; :red[红]</p>— 测试账号 (@evil_acct) "
    '<a href="https://twitter.com/evil_acct/status/123456789">January 1, 2024</a></blockquote>'
    "<p>第二段。</p>"
).encode("utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A store with the seed, the devset (when present) and LINKER, as the app opens it."""
    from components import ingest
    from components import store as store_mod
    tmp = tmp_path_factory.mktemp("corpus")
    path = tmp / "newsroom.duckdb"
    linker = tmp / "linker.txt"
    linker.write_bytes(LINKER)
    store = store_mod.get_store(str(path))
    store_mod.ensure_ready(store, samples_dir=SAMPLES, workers=1)
    results = ingest.ingest_paths(store, [linker] + devset_files(), workers=1)
    assert all(r.status == "added" for r in results), results
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSROOM_LENS_DB", str(path))
        loaders.clear()
        yield store
        loaders.clear()
    store_mod.close_store(str(path))


TAB_KEYS = {"entities": "ent_tab", "viewpoints": "vp_tab", "social": "soc_tab"}


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(f"components/pages/{page}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_tab(at: AppTest, page: str, label: str) -> AppTest:
    """Switch the page's tabs (they run lazily: only the open one renders)."""
    at.session_state[TAB_KEYS[page]] = label
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_specs(at: AppTest) -> list[tuple[dict, pd.DataFrame]]:
    """Every Altair chart on the page: its spec and its data."""
    out = []
    for el in at.get("vega_lite_chart"):
        s = json.loads(el.proto.spec)
        frames = [pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                  for d in el.proto.datasets]
        out.append((s, frames[0] if frames else pd.DataFrame()))
    return out


def chart(at: AppTest, title: str) -> tuple[dict, pd.DataFrame]:
    found = [c for c in chart_specs(at) if c[0].get("title") == title]
    assert found, [c[0].get("title") for c in chart_specs(at)]
    return found[0]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def download_labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def dataframe_with(at: AppTest, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column}")


# ---- Entities page

def test_entities_page_top_people_and_measure_switch(corpus):
    at = open_page("entities")
    spec_, data = chart(at, "Top people by mentions")
    assert {"普京", "金正恩"} <= set(data["name"])
    assert spec_["encoding"]["x"]["title"] == "Mentions (count)"
    assert all(c[0]["title"] != "Top people by articles mentioning them"
               for c in chart_specs(at))
    # The chart data match the store, counted independently.
    counts = corpus.query("SELECT name, count(*) AS n FROM entities WHERE type = 'person' "
                          "AND name IN ('普京', '金正恩') GROUP BY name")
    shown = dict(zip(data["name"], data["mentions"]))
    assert {k: shown[k] for k in ("普京", "金正恩")} == dict(zip(counts["name"], counts["n"]))
    chart(at, "Top places by mentions")
    chart(at, "Top organisations by mentions")

    at.segmented_control(key="ent_measure").set_value("articles").run()
    assert not at.exception
    spec_, data = chart(at, "Top people by articles mentioning them")
    assert spec_["encoding"]["x"]["field"] == "articles"
    assert list(data["articles"]) == sorted(data["articles"], reverse=True)
    assert "Download the top entities (CSV)" in download_labels(at)


def test_entities_page_tabs_are_lazy(corpus):
    at = open_page("entities")
    titles = [c[0].get("title") for c in chart_specs(at)]
    assert titles == ["Top people by mentions", "Top places by mentions",
                      "Top organisations by mentions"]
    assert "ent_trend_names" not in [w.key for w in at.multiselect]  # Trends has not run
    # The open tab can come from the URL (a shared link).
    at = open_page("entities", ent_tab="Keywords")
    assert [c[0].get("title") for c in chart_specs(at)] == [
        "Top keywords that are not entities (sample of paragraphs)"]


def test_entities_page_trend_pair_context_keywords(corpus):
    at = open_page("entities")
    open_tab(at, "entities", "Trends")
    trend_pick = at.multiselect(key="ent_trend_names")
    assert len(trend_pick.value) == 3
    spec_, data = chart(at, "Mentions per week (starting Monday)")
    assert set(data["name"]) == set(trend_pick.value)
    at.multiselect(key="ent_trend_names").set_value(["普京"])
    at.segmented_control(key="ent_trend_grain").set_value("month").run()
    spec_, data = chart(at, "Mentions per month")
    assert set(data["name"]) == {"普京"}
    months = [p.strftime("%Y-%m") for p in pd.to_datetime(data["period"])]
    # The seed (2023-09) is the only article naming him; other months of the corpus are 0.
    assert [m for m, n in zip(months, data["mentions"]) if n > 0] == ["2023-09"]
    first, last = corpus.query("SELECT min(published) AS f, max(published) AS l FROM articles"
                               ).iloc[0]
    assert months[0] == first.strftime("%Y-%m") and months[-1] == last.strftime("%Y-%m")
    assert len(months) == len(set(months))

    assert "Download the trends (CSV)" in download_labels(at)

    # The heat map, then a chosen pair lists the one article naming both.
    open_tab(at, "entities", "Appear together")
    chart(at, "Entities that appear in the same articles (articles together)")
    at.selectbox(key="ent_pair_a").set_value("普京").run()
    at.selectbox(key="ent_pair_b").set_value("金正恩").run()
    assert not at.exception
    arts = dataframe_with(at, "mentions_a")
    assert list(arts["id"]) == [SEED_ID]
    assert list(arts["link"]) == [f"article?id={SEED_ID}"]

    labels = download_labels(at)
    assert "Download the pairs (CSV)" in labels and "Download these articles (CSV)" in labels

    # Keyword in context: 金正恩's sentences, each linking to the seed on the Article page.
    open_tab(at, "entities", "In context")
    at.selectbox(key="ent_kwic_name").set_value("金正恩").run()
    text = markdown_text(at)
    assert ":blue-background[金正恩]" in text
    assert f"(article?id={SEED_ID})" in text
    assert "高调到访俄罗斯。" in text
    assert "Download these sentences (CSV)" in download_labels(at)
    # Back on Trends, the chosen entity and grain are still there.
    open_tab(at, "entities", "Trends")
    assert at.multiselect(key="ent_trend_names").value == ["普京"]
    assert at.segmented_control(key="ent_trend_grain").value == "month"

    open_tab(at, "entities", "Keywords")
    assert "Download the keywords (CSV)" in download_labels(at)
    _, kw = chart(at, "Top keywords that are not entities (sample of paragraphs)")
    names = set(corpus.query("SELECT DISTINCT name FROM entities")["name"])
    assert len(kw) > 0 and not (set(kw["keyword"]) & names)


def test_entities_page_empty_filters(corpus):
    at = open_page("entities", **{"from": "1990-01-01", "to": "1990-01-02"})
    assert any("No people, places or organisations" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


# ---- Viewpoints page

def test_viewpoints_one_article_columns(corpus):
    at = open_page("viewpoints", id=SEED_ID)
    assert at.selectbox(key="vp_article").value == SEED_ID
    text = markdown_text(at)
    assert "#### 郭崇伦" in text
    assert "**Expert** · 台湾资深国际媒体人" in text
    assert f"[Open this article in the reader ↗](article?id={SEED_ID})" in text
    # Experts come before officials and the rest.
    headings = [m.value[5:] for m in at.markdown if m.value.startswith("#### ")]
    assert headings.index("郭崇伦") < headings.index("米勒")
    # A direct quote of his, in quote marks, with the places highlighted.
    assert ":blue-badge[Direct quote] “俄朝之间的关系很密切，" in text
    assert ":green-background[俄罗斯]" in text
    assert "Download these quotes (CSV)" in download_labels(at)


def test_viewpoints_topic_compare_and_directory(corpus):
    at = open_page("viewpoints", id=SEED_ID)
    open_tab(at, "viewpoints", "Across the archive")
    at.text_input(key="vp_topic_text").set_value("中国").run()
    assert not at.exception
    assert "**Who spoke on “中国”**" in markdown_text(at)
    assert "郭崇伦" in at.multiselect(key="vp_topic_speakers").options
    at.multiselect(key="vp_topic_speakers").set_value(["郭崇伦"]).run()
    text = markdown_text(at)
    assert "#### 郭崇伦" in text and "2023-09-14 · [朝俄加强军事关系" in text

    # Compare two chosen speakers side by side.
    at.multiselect(key="vp_compare").set_value(["郭崇伦", "米勒"]).run()
    assert not at.exception
    assert "Download these quotes (CSV)" in download_labels(at)
    text = markdown_text(at)
    assert text.count("#### 米勒") >= 1

    open_tab(at, "viewpoints", "Speaker directory")
    directory = dataframe_with(at, "topics")
    row = directory[directory["speaker"] == "郭崇伦"].iloc[0]
    assert row["kind"] == "Expert" and "台湾资深国际媒体人" in row["roles"]
    assert row["first_seen"] == "2023-09-14" and row["articles"] == 1
    assert row["direct"] + row["paraphrases"] == row["quotes"]
    assert "Download the directory (CSV)" in download_labels(at)
    at.text_input(key="vp_dir_search").set_value("媒体人").run()
    assert "郭崇伦" in set(dataframe_with(at, "topics")["speaker"])


# ---- Social page

def test_social_page_cards_table_and_charts(corpus):
    at = open_page("social")
    text = markdown_text(at)
    assert text.count("@RFA\\_Chinese") == 2
    assert "(https://twitter.com/RFA_Chinese/status/1701895427506024767)" in text
    assert "(https://twitter.com/RFA_Chinese/status/1702069050359394378)" in text
    assert f"(article?id={SEED_ID})" in text
    _, accounts = chart(at, "Most referenced accounts")
    assert "@RFA_Chinese (X / Twitter)" in set(accounts["account"])
    _, tags = chart(at, "Top hashtags")
    assert "#普京" in set(tags["tag"])
    _, lag = chart(at, "How old the embedded posts are when the article appears")
    seed_lags = lag[lag["article_id"] == SEED_ID]["lag_days"].tolist()
    assert seed_lags == [1, 1]  # posted 2023-09-13, published 2023-09-14
    chart(at, "Social-media references by platform")
    figures = {m.label: m.value for m in at.metric}
    n_posts = int(corpus.query("SELECT count(*) AS n FROM social").iloc[0]["n"])
    assert figures["Posts"] == f"{n_posts:,}"
    chart(at, "Embedded posts per month: post date beside article date")

    at.segmented_control(key="soc_view").set_value("table").run()
    table = dataframe_with(at, "account")
    rfa = table[table["account"] == "@RFA_Chinese"]
    assert len(rfa) == 2
    assert set(rfa["article"]) == {f"article?id={SEED_ID}"}
    assert set(rfa["posted"]) == {"2023-09-13"}
    assert "Download these posts (CSV)" in download_labels(at)

    at.text_input(key="soc_search").set_value("@rfa_chinese").run()
    assert set(dataframe_with(at, "account")["account"]) == {"@RFA_Chinese"}


def test_social_page_escapes_post_text(corpus):
    at = open_page("social")
    at.text_input(key="soc_search").set_value("evil_acct").run()
    text = markdown_text(at)
    assert "@evil\\_acct" in text
    assert "<script" not in text and "&lt;script&gt;" in text
    assert "\\*粗体\\*" in text
    assert "](javascript" not in text and "\\:red\\[红\\]" in text


def test_social_page_related_articles(corpus):
    at = open_page("social")
    open_tab(at, "social", "Related articles")
    linked = dataframe_with(at, "to_title")
    row = linked[linked["from_title"] == "测试：相关文章链接"].iloc[0]
    assert row["to_title"] == "朝俄加强军事关系\u3000中国态度暧昧含糊"
    assert row["to"] == f"article?id={SEED_ID}"
    missing = dataframe_with(at, "linked_from")
    assert "https://www.rfa.org/mandarin/not-stored-1.html" in set(missing["url"])
    # The seed's own related links point to articles not in the store.
    assert "中国副总理将访朝\u3000尹锡悦促北京就朝核威胁做更多" in set(missing["link_text"])
    labels = download_labels(at)
    assert "Download these links (CSV)" in labels
    assert "Download the missing articles (CSV)" in labels


def test_social_page_devset_tweet(corpus):
    if not devset_files():
        pytest.skip(f"the devset is not at {DEVSET}")
    at = open_page("social")
    at.text_input(key="soc_search").set_value("realDonaldTrump").run()
    text = markdown_text(at)
    assert "@realDonaldTrump" in text
    assert "(https://twitter.com/realDonaldTrump/status/1311892190680014849)" in text


def test_viewpoints_topic_defaults_to_the_first_entity(corpus):
    at = open_page("viewpoints", id=SEED_ID)
    open_tab(at, "viewpoints", "Across the archive")
    topic = at.selectbox(key="vp_topic").value
    top = queries.topic_options(corpus, queries.NO_FILTERS, 1)["name"].iloc[0]
    assert topic == top
    assert f"**Who spoke on “{topic}”**" in markdown_text(at)


def test_social_page_empty_filters(corpus):
    at = open_page("social", **{"from": "1990-01-01", "to": "1990-01-02"})
    assert any("No social-media posts in the articles that match these filters" in i.value
               for i in at.info)
    open_tab(at, "social", "Related articles")
    assert any("None of the articles that match these filters lists related" in i.value
               for i in at.info)


def test_csv_downloads_hold_exactly_the_tables_shown(corpus, monkeypatch):
    """Every CSV button gets the very frame the page shows beside it."""
    from components import widgets
    recorded: dict[str, pd.DataFrame] = {}
    real = widgets.csv_download

    def spy(df, file_name, *args, **kwargs):
        recorded[file_name] = df.copy()
        return real(df, file_name, *args, **kwargs)

    monkeypatch.setattr(widgets, "csv_download", spy)
    at = open_page("social")
    at.segmented_control(key="soc_view").set_value("table").run()
    shown = dataframe_with(at, "account")
    pd.testing.assert_frame_equal(recorded["newsroom-lens-social-posts.csv"].reset_index(drop=True),
                                  shown.reset_index(drop=True), check_dtype=False)
    at = open_page("viewpoints", id=SEED_ID)
    open_tab(at, "viewpoints", "Speaker directory")
    shown = dataframe_with(at, "topics")
    pd.testing.assert_frame_equal(recorded["newsroom-lens-speakers.csv"].reset_index(drop=True),
                                  shown.reset_index(drop=True), check_dtype=False)
    at = open_page("entities")
    open_tab(at, "entities", "Appear together")
    at.selectbox(key="ent_pair_a").set_value("普京").run()
    at.selectbox(key="ent_pair_b").set_value("金正恩").run()
    shown = dataframe_with(at, "mentions_a")
    pd.testing.assert_frame_equal(
        recorded["newsroom-lens-pair-articles.csv"].reset_index(drop=True),
        shown.reset_index(drop=True), check_dtype=False)


def test_viewpoints_topic_is_marked_in_quotes(corpus):
    at = open_page("viewpoints", id=SEED_ID)
    open_tab(at, "viewpoints", "Across the archive")
    at.text_input(key="vp_topic_text").set_value("军演").run()
    at.multiselect(key="vp_topic_speakers").set_value(["郭崇伦"]).run()
    assert not at.exception
    assert ":violet-background[军演]" in markdown_text(at)


def test_searches_find_either_script(synth):
    # 發言人 (Traditional) finds the role 发言人; 賬號 finds the author 账号一.
    assert list(queries.speaker_directory(synth, ALL, 100, False, "發言人")["speaker"]) == ["王五"]
    assert len(queries.social_refs(synth, ALL, "賬號", (), 100)) == 2


def test_viewpoints_article_without_quotes_by_id(corpus):
    linker_id = corpus.query("SELECT id FROM articles WHERE title = '测试：相关文章链接'"
                             ).iloc[0]["id"]
    assert int(corpus.query("SELECT count(*) AS n FROM quotes WHERE article_id = ?",
                            [linker_id]).iloc[0]["n"]) == 0
    at = open_page("viewpoints", id=linker_id)
    assert at.selectbox(key="vp_article").value == linker_id
    assert any("Nobody is quoted in this article." in i.value for i in at.info)
