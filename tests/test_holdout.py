"""Held-out regression guard: eight hand-written articles the extraction was never tuned on.

In: tests/fixtures/holdout/NNN_<slug>.txt with hand-made NNN_<slug>.gold.json (devset README
conventions; original text written for this project, covering outlets, wrappers, encodings and
speaker patterns the devset lacks). Out: pass/fail of modest floors on the scorer's figures (set
about 0.05 under what the code measured when the set was written: a guard against regressions,
not the exam), exact checks of wrapper decoding and social extraction, and non-strict xfail
markers for known gaps (they turn into XPASS once a stage owner fixes the general rule).
"""
from __future__ import annotations

import datetime
import json
import pathlib

import pytest

from . import scoring
from .conftest import ROOT, SHARED

HOLDOUT = pathlib.Path(__file__).resolve().parent / "fixtures" / "holdout"
SCORER = SHARED / "tools" / "score.py"

# Measured on 2026-11-26 (8 articles): meta 0.97, speaker precision 0.89 / recall 0.91, role 0.88,
# kind 0.95, direct_count 0.90, entity recall 0.90 / precision 0.91, tweets 1.00 / 1.00.
FLOORS = {
    "meta": 0.92,
    "speaker_precision": 0.84,
    "speaker_recall": 0.86,
    "role": 0.83,
    "kind": 0.90,
    "direct_count": 0.85,
    "entity_recall": 0.85,
    "entity_precision": 0.86,
    "tweet_recall": 0.95,
    "tweet_exact": 0.95,
}


def holdout_files() -> list[pathlib.Path]:
    return sorted(HOLDOUT.glob("*.txt"))


def gold(stem: str) -> dict:
    return json.loads((HOLDOUT / f"{stem}.gold.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> tuple[pathlib.Path, dict[str, dict]]:
    """Run the parse CLI once over the holdout; the JSONL path and the records by file stem."""
    files = holdout_files()
    assert len(files) == 8
    out = tmp_path_factory.mktemp("holdout") / "holdout.jsonl"
    return scoring.parse_records(files, out, ROOT)


# ---------------------------------------------------------------------------------------------
# Figures

def test_every_holdout_file_parses(parsed):
    _, records = parsed
    assert sorted(records) == [p.stem for p in holdout_files()]
    assert [s for s, r in records.items() if "error" in r] == []


def _golds() -> dict[str, dict]:
    return {p.stem: gold(p.stem) for p in holdout_files()}


def test_figures_meet_floors(parsed):
    jsonl, records = parsed
    scoring.assert_floors(SCORER, jsonl, HOLDOUT, records, _golds(), FLOORS)


def test_minimal_figures_agree_with_the_scorer(parsed):
    """The fallback must compute what the shared scorer computes (checked when both exist)."""
    jsonl, records = parsed
    scoring.assert_agrees_with_scorer(SCORER, jsonl, HOLDOUT, records, _golds())


# ---------------------------------------------------------------------------------------------
# Wrappers and encodings: exact

@pytest.mark.parametrize("stem", [p.stem for p in holdout_files()])
def test_wrapper_url_title_script(parsed, stem):
    r, g = parsed[1][stem], gold(stem)
    assert (r["url"], r["title"], r["script"]) == (g["url"], g["title"], g["script"])
    assert not any("\r" in p or "\ufeff" in p for p in r["paragraphs"])


@pytest.mark.parametrize("stem", [p.stem for p in holdout_files() if not p.stem.startswith("004")])
def test_published_from_timestamp_line(parsed, stem):
    iso = datetime.datetime.fromtimestamp(gold(stem)["published_ms"] / 1000, datetime.timezone.utc)
    assert parsed[1][stem]["published"] == iso.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_byline_staff_new_style_rfa(parsed):
    b = parsed[1]["001_rfa-guangdong-factories-vietnam"]["byline"]
    assert b["reporter"] == ["方远"]
    assert b["editor"] + b.get("web_editor", []) == ["周华", "林平"]


def test_byline_cna_editor_in_big5(parsed):
    b = parsed[1]["006_cna-mac-punish-independence-guidelines"]["byline"]
    assert b["editor"] == ["陳政偉"]


# ---------------------------------------------------------------------------------------------
# Social: exact

def test_x_com_tweet_embed(parsed):
    social = parsed[1]["001_rfa-guangdong-factories-vietnam"]["social"]
    tweets = [(s["platform"], s["handle"], s["post_id"], s["hashtags"]) for s in social]
    assert tweets == [("twitter", "prd_labour_watch", "1900398177264517133", ["东莞", "关税"])]


def test_youtube_iframe(parsed):
    social = parsed[1]["003_voa-hegseth-manila-south-china-sea"]["social"]
    assert [(s["platform"], s["post_id"]) for s in social] == [("youtube", "Xk3pT9vLq2A")]


# ---------------------------------------------------------------------------------------------
# Known gaps (found by this holdout; non-strict xfail so a fix shows up as XPASS)

def _speaker(records, stem, name):
    return next((s for s in records[stem]["speakers"]
                 if s["name"] == name or name in s.get("aliases", [])), None)


def test_fixed_published_from_dated_url(parsed):
    assert (parsed[1]["004_rfi-xi-macron-paris-ukraine"]["published"] or "").startswith("2024-05-06")


def test_fixed_surname_title_reference(parsed):
    s = _speaker(parsed[1], "001_rfa-guangdong-factories-vietnam", "陈志明")
    assert s and sum(q["direct"] for q in s["quotes"]) == 2


def test_fixed_descriptive_role_before_name(parsed):
    s = _speaker(parsed[1], "002_rfa-cantonese-shenzhen-homebuyers", "陳先生")
    assert s and s["role"] == "參與維權的業主"


def test_fixed_cna_dateline_reporter(parsed):
    r = parsed[1]["006_cna-mac-punish-independence-guidelines"]
    assert r["byline"]["reporter"] == ["吳家豪"]
    assert "吳家豪" not in [e["name"] for e in r["entities"]]


def test_fixed_single_character_country_inside_words(parsed):
    names = [e["name"] for e in parsed[1]["005_bbc-full-time-children-youth-jobs"]["entities"]]
    assert "以色列" not in names and "新加坡" not in names


def test_fixed_person_names_as_written(parsed):
    names = [e["name"] for e in parsed[1]["008_dw-hong-kong-article-23-passed"]["entities"]
             if e["type"] == "person"]
    assert {"李家超", "何明德", "叶刘淑仪"} <= set(names)
