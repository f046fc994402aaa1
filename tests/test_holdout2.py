"""Second held-out regression guard: eight more hand-written articles, written after the first
holdout had been used for tuning, to measure generalisation honestly.

In: tests/fixtures/holdout2/NNN_<slug>.txt|.html with hand-made NNN_<slug>.gold.json (devset
README conventions; original text written for this project; topics, outlets, speech patterns,
quote marks, encodings and embeds chosen to differ from the devset and from tests/fixtures/holdout).
Out: pass/fail of floors on the scorer's figures (about 0.05 under what the code measured when
the set was written: a guard against regressions, not the exam), exact checks of the wrapper
(url, title, published, script), decoding, bylines and social embeds per file, and non-strict
xfail markers for the failures this set found (they turn into XPASS once a general rule fixes them).
"""
from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from . import scoring
from .conftest import ROOT, SHARED

HOLDOUT2 = pathlib.Path(__file__).resolve().parent / "fixtures" / "holdout2"
SCORER = SHARED / "tools" / "score.py"

# Measured on 2026-11-26 (8 articles): meta 1.00, speaker precision 0.83 / recall 0.81, role 0.95,
# kind 0.92, direct_count 0.89, entity recall 0.79 / precision 0.88, tweets 1.00 / 1.00.
FLOORS = {
    "meta": 0.95,
    "speaker_precision": 0.78,
    "speaker_recall": 0.76,
    "role": 0.90,
    "kind": 0.87,
    "direct_count": 0.84,
    "entity_recall": 0.74,
    "entity_precision": 0.83,
    "tweet_recall": 0.95,
    "tweet_exact": 0.95,
}

# Body paragraphs a reader sees in each file (bylines, embeds, sub-headings and filler excluded).
PARAGRAPHS = {"001": 13, "002": 14, "003": 12, "004": 12, "005": 11, "006": 12, "007": 13, "008": 11}


def article_files() -> list[pathlib.Path]:
    return sorted([*HOLDOUT2.glob("*.txt"), *HOLDOUT2.glob("*.html")])


def stem_of(prefix: str) -> str:
    return next(p.stem for p in article_files() if p.stem.startswith(prefix))


def gold(stem: str) -> dict:
    return json.loads((HOLDOUT2 / f"{stem}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> tuple[pathlib.Path, dict[str, dict]]:
    """Run the parse CLI once over the set; the JSONL path and the records by file stem."""
    files = article_files()
    assert len(files) == 8
    out = tmp_path_factory.mktemp("holdout2") / "holdout2.jsonl"
    return scoring.parse_records(files, out, ROOT)


def record(parsed, prefix: str) -> dict:
    return parsed[1][stem_of(prefix)]


# ---------------------------------------------------------------------------------------------
# Figures

def test_gold_files_are_well_formed():
    """Every article has a gold file whose wrapper fields match the file's own wrapper."""
    for path in article_files():
        g = gold(path.stem)
        assert set(g) == {"url", "published_ms", "title", "speakers", "entities", "tweets",
                          "script", "byline"}
        assert all(len(v) <= 8 for v in g["entities"].values())
        assert all(s["kind"] in {"expert", "official", "other"} for s in g["speakers"])


def test_every_file_parses(parsed):
    _, records = parsed
    assert sorted(records) == sorted(p.stem for p in article_files())
    assert [s for s, r in records.items() if "error" in r] == []


def _golds() -> dict[str, dict]:
    return {p.stem: gold(p.stem) for p in article_files()}


def test_figures_meet_floors(parsed):
    jsonl, records = parsed
    scoring.assert_floors(SCORER, jsonl, HOLDOUT2, records, _golds(), FLOORS)


def test_minimal_figures_agree_with_the_scorer(parsed):
    """The fallback must compute what the shared scorer computes (checked when both exist)."""
    jsonl, records = parsed
    scoring.assert_agrees_with_scorer(SCORER, jsonl, HOLDOUT2, records, _golds())


# ---------------------------------------------------------------------------------------------
# Wrappers and encodings: exact

@pytest.mark.parametrize("path", article_files(), ids=lambda p: p.name)
def test_wrapper_url_title_published_script(parsed, path):
    r, g = parsed[1][path.stem], gold(path.stem)
    iso = datetime.datetime.fromtimestamp(g["published_ms"] / 1000, datetime.timezone.utc)
    assert r["url"] == g["url"]
    assert (r["title"] or "") == g["title"]
    assert r["published"] == iso.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert r["script"] == g["script"]


@pytest.mark.parametrize("prefix", sorted(PARAGRAPHS))
def test_paragraphs_decoded_cleanly(parsed, prefix):
    """CRLF (002), UTF-16 LE with BOM (003), Big5 (005) and a full page (006) decode to the same
    clean paragraphs as UTF-8 files: the right count, no CR, BOM or mojibake."""
    paras = record(parsed, prefix)["paragraphs"]
    assert len(paras) == PARAGRAPHS[prefix]
    assert not any(ch in p for p in paras for ch in "\r\ufeff\ufffd\x00")


def test_specific_decodings(parsed):
    assert record(parsed, "003")["paragraphs"][0].startswith("韩国统一部本周证实")
    assert record(parsed, "005")["paragraphs"][0].startswith("（中央社記者劉冠廷、王揚宇台北13日電）")
    assert "鬆動" in record(parsed, "005")["paragraphs"][7]


def test_missing_link_line_gives_no_url_or_title(parsed):
    r = record(parsed, "004")
    assert (r["url"], r["title"]) == (None, None)
    assert r["published"] == "2024-10-09T06:20:00Z"
    assert r["subheadings"] == ["防卫预算创新高"]


def test_full_web_page_keeps_article_drops_furniture(parsed):
    r = record(parsed, "006")
    assert (r["url"], r["published"]) == ("https://www.zaobao.com.sg/news/world/story20240618-3945678",
                                          "2024-06-18T11:45:00Z")
    assert r["title"] == "菲律宾指控中国海警在仁爱礁“蓄意撞船”　越南呼吁各方克制"
    text = "\n".join(r["paragraphs"])
    for furniture in ("即时", "订阅", "相关新闻", "中菲在仁爱礁再起冲突", "组屋转售价", "版权所有",
                      "隐私政策", "分享到Facebook", "dataLayer"):
        assert furniture not in text
    assert r["paragraphs"][0].startswith("菲律宾武装部队星期二（6月18日）")
    assert r["paragraphs"][-1].startswith("据菲律宾媒体报道")


# ---------------------------------------------------------------------------------------------
# Bylines: exact

def _staff(r: dict) -> tuple[list[str], list[str]]:
    b = r["byline"] or {}
    return b.get("reporter", []), b.get("editor", []) + b.get("web_editor", [])


@pytest.mark.parametrize("prefix,reporter,editors", [
    ("001", ["林嘉遠"], ["申鐵", "洪偉"]),          # 記者/責編/網編, Traditional
    ("003", ["韩杰"], ["许书婷", "洪伟"]),          # 撰稿/责编/网编
    ("005", ["劉冠廷", "王揚宇"], ["林克倫"]),      # CNA dateline with two reporters + （編輯：）
    ("007", ["高雨"], ["宋文", "瑞哲"]),            # parenthesised trailing credits
])
def test_byline_staff(parsed, prefix, reporter, editors):
    assert _staff(record(parsed, prefix)) == (reporter, editors)


@pytest.mark.parametrize("prefix", ["002", "004", "006"])
def test_no_byline_printed(parsed, prefix):
    assert _staff(record(parsed, prefix)) == ([], [])


@pytest.mark.parametrize("prefix", ["001", "003", "005", "007"])
def test_staff_are_not_entities(parsed, prefix):
    r = record(parsed, prefix)
    reporter, editors = _staff(r)
    names = {n for e in r["entities"] for n in [e["name"], *e.get("aliases", [])]}
    assert not (set(reporter) | set(editors)) & names


# ---------------------------------------------------------------------------------------------
# Social: exact

def test_tweet_traditional_article(parsed):
    social = record(parsed, "001")["social"]
    assert [(s["platform"], s["handle"], s["post_id"], s["hashtags"]) for s in social] == [
        ("twitter", "UyghurProject", "1802987654321098765", ["HRC56", "Uyghur"])]


def test_tweet_with_chinese_date(parsed):
    social = record(parsed, "008")["social"]
    assert [(s["platform"], s["handle"], s["post_id"], s["hashtags"]) for s in social] == [
        ("twitter", "pressfreedom", "1859170923456789012", ["FreeJimmyLai", "HongKong"])]


def test_youtube_nocookie_iframe(parsed):
    social = record(parsed, "003")["social"]
    assert [(s["platform"], s["post_id"]) for s in social] == [("youtube", "Rf4aNk7dT2s")]


def test_instagram_blockquote(parsed):
    social = record(parsed, "004")["social"]
    assert [(s["platform"], s["handle"], s["post_id"]) for s in social] == [
        ("instagram", "jimin_koho", "DA7kQ2xSb9m")]


@pytest.mark.parametrize("prefix", ["002", "005", "006", "007"])
def test_no_social_where_none_embedded(parsed, prefix):
    assert record(parsed, prefix)["social"] == []


# ---------------------------------------------------------------------------------------------
# Speakers the stages already get right: exact (guards against regressions)

def _speaker(r: dict, name: str) -> dict | None:
    return next((s for s in r["speakers"] if s["name"] == name or name in s.get("aliases", [])), None)


def _counts(s: dict) -> tuple[int, int]:
    d = sum(bool(q["direct"]) for q in s["quotes"])
    return d, len(s["quotes"]) - d


@pytest.mark.parametrize("prefix,name,direct,para", [
    ("002", "马克·埃利斯", 2, 1),   # “…”X说 after a 说 with a fragment, then 他透露
    ("003", "崔先生", 1, 1),        # multi-paragraph quote counted once
    ("006", "范秋姮", 1, 1),        # 她指出 pronoun follow-up
    ("007", "张三丰", 2, 1),        # 张教授 back-reference
    ("008", "何先生", 1, 1),        # standalone 「」 paragraph in Simplified text
    ("008", "林诗雅", 2, 0),
])
def test_speaker_counts(parsed, prefix, name, direct, para):
    s = _speaker(record(parsed, prefix), name)
    assert s is not None and _counts(s) == (direct, para)


def test_unnamed_sources_and_mentions_are_not_speakers(parsed):
    names = [s["name"] for s in record(parsed, "008")["speakers"] if s["quotes"]]
    assert not {"施纪贤", "习近平"} & set(names)
    names = [s["name"] for s in record(parsed, "002")["speakers"] if s["quotes"]]
    assert not any("商会" in n or "路透" in n for n in names)


# ---------------------------------------------------------------------------------------------
# Known gaps found by this set (non-strict xfail so a fix shows up as XPASS)

def test_gap_latin_alias_with_diacritics(parsed):
    s = _speaker(record(parsed, "001"), "蒂爾克")
    assert s is not None and _counts(s) == (2, 1)


def test_gap_middle_dot_names_whole(parsed):
    names = {n for p in ("001", "006", "007") for e in record(parsed, p)["entities"]
             if e["type"] == "person" for n in [e["name"], *e["aliases"]]}
    assert {"格桑·堅參", "何塞·雷耶斯", "玛格丽特·范德堡"} - names == set()


def test_gap_pseudonym_marker(parsed):
    s = _speaker(record(parsed, "001"), "阿迪拉")
    assert s is not None and _counts(s) == (1, 1)


def test_gap_quoted_terms_are_not_direct_quotes(parsed):
    got = {}
    for prefix, name in [("001", "奧默·卡納特"), ("003", "李英姬"), ("004", "中谷元")]:
        s = _speaker(record(parsed, prefix), name)
        got[name] = s and _counts(s)
    assert got == {"奧默·卡納特": (1, 1), "李英姬": (2, 1), "中谷元": (1, 1)}


def test_gap_surname_back_references(parsed):
    got = {}
    for prefix, name in [("002", "周若兰"), ("007", "李国平"), ("004", "田中良平")]:
        s = _speaker(record(parsed, prefix), name)
        got[name] = s and _counts(s)
    assert got == {"周若兰": (2, 1), "李国平": (2, 1), "田中良平": (1, 1)}


def test_gap_time_word_after_name(parsed):
    names = [s["name"] for s in record(parsed, "005")["speakers"]]
    assert "李进勇" in names or "李進勇" in names
    assert "陈斌华" in names or "陳斌華" in names


def test_gap_name_after_long_title(parsed):
    s = _speaker(record(parsed, "005"), "蔡宗翰")
    assert s is not None and _counts(s) == (1, 1)


def test_gap_japanese_politicians(parsed):
    r = record(parsed, "004")
    ishiba, moriyama = _speaker(r, "石破茂"), _speaker(r, "森山裕")
    assert ishiba is not None and _counts(ishiba) == (2, 0)
    assert moriyama is not None and _counts(moriyama) == (1, 0)


def test_gap_speakers_are_person_entities(parsed):
    def persons(prefix):
        return {n for e in record(parsed, prefix)["entities"] if e["type"] == "person"
                for n in [e["name"], *e["aliases"]]}
    assert {"野田佳彦", "中谷元", "石井启一", "森山裕", "田中良平"} - persons("004") == set()
    assert "范秋姮" in persons("006")


def test_gap_role_before_aliased_name(parsed):
    s = _speaker(record(parsed, "006"), "布劳纳")
    assert s and (s["role"], s["kind"]) == ("菲律宾武装部队总参谋长", "official")


def test_gap_ngo_director_kind(parsed):
    s = _speaker(record(parsed, "001"), "奧默·卡納特")
    assert s and s["kind"] == "other"


def test_fixed_lead_byline_particle(parsed):
    assert _staff(record(parsed, "008")) == (["梅琳"], ["许书婷", "瑞哲"])


def _org_names(parsed, prefix):
    return {n for e in record(parsed, prefix)["entities"] if e["type"] == "org"
            for n in [e["name"], *e["aliases"]]}


def test_fixed_organisations(parsed):
    assert "菲律宾武装部队" in _org_names(parsed, "006")
    # named once, with an acronym and a head's title after it
    assert {"維吾爾人權項目", "UHRP", "國際聲援西藏運動", "ICT"} <= _org_names(parsed, "001")


@pytest.mark.xfail(strict=False, reason="organisations named once in full then by abbreviation missed")
def test_gap_organisations(parsed):
    assert {"香港记者协会", "壹传媒"} <= _org_names(parsed, "008")


def test_gap_names_joined_by_conjunction(parsed):
    names = {n for e in record(parsed, "005")["entities"] if e["type"] == "person"
             for n in [e["name"], *e["aliases"]]}
    assert {"蕭美琴", "吳欣盈"} & names == {"蕭美琴", "吳欣盈"}


def test_fixed_page_figure_caption(parsed):
    images = record(parsed, "006")["images"]
    assert any((i["caption"] or "").startswith("菲律宾武装部队公布的照片显示") and i["credit"] == "路透社"
               for i in images)
