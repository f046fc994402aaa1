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
import subprocess
import sys

import pytest

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
    proc = subprocess.run([sys.executable, "-m", "components.cli", "parse", *map(str, files)],
                          cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=300)
    out = tmp_path_factory.mktemp("holdout") / "holdout.jsonl"
    out.write_text(proc.stdout, encoding="utf-8")
    records = {}
    for line in proc.stdout.splitlines():
        if line.strip():
            r = json.loads(line)
            records[pathlib.Path(r["source"]).stem] = r
    return out, records


# ---------------------------------------------------------------------------------------------
# Figures

def _same_name(g: str, p: str, aliases=()) -> bool:
    if g == p or g in aliases:
        return True
    return min(len(g), len(p)) >= 2 and (g in p or p in g) and abs(len(g) - len(p)) <= 2


def _role_ok(g, p) -> bool:
    if not g:
        return True
    if not p:
        return False
    if g in p or p in g:
        return True
    return sum(1 for ch in set(g) if ch in p) / len(set(g)) >= 0.7


def minimal_figures(records: dict[str, dict]) -> dict[str, float]:
    """The scorer's figures, reimplemented for when ../shared/tools/score.py is not there."""
    f = {k: [0, 0] for k in ["meta", "sp_pred", "sp_gold", "role", "kind", "direct",
                             "ent_rec", "ent_prec", "tw_rec", "tw_exact"]}
    for path in holdout_files():
        g, r = gold(path.stem), records.get(path.stem) or {}
        iso = datetime.datetime.fromtimestamp(g["published_ms"] / 1000, datetime.timezone.utc
                                              ).strftime("%Y-%m-%dT%H:%M:%S")
        for ok in [r.get("url") == g["url"], (r.get("title") or "").strip() == g["title"].strip(),
                   str(r.get("published") or "").startswith(iso), r.get("script") == g["script"]]:
            f["meta"][0] += ok
            f["meta"][1] += 1
        ps = [s for s in r.get("speakers", []) if s.get("quotes")]
        used = set()
        for gs in g["speakers"]:
            m = next((i for i, s in enumerate(ps) if i not in used
                      and _same_name(gs["name"], s["name"], s.get("aliases", []))), None)
            if m is None:
                continue
            used.add(m)
            s = ps[m]
            f["role"][0] += _role_ok(gs.get("role"), s.get("role"))
            f["kind"][0] += gs["kind"] == s.get("kind")
            f["direct"][0] += sum(bool(q.get("direct")) for q in s["quotes"]) == gs["direct_quotes"]
            for k in ("role", "kind", "direct"):
                f[k][1] += 1
        f["sp_pred"] = [f["sp_pred"][0] + len(used), f["sp_pred"][1] + len(ps)]
        f["sp_gold"] = [f["sp_gold"][0] + len(used), f["sp_gold"][1] + len(g["speakers"])]
        ents = r.get("entities", [])
        allgold = {n for t in ("person", "place", "org") for n in g["entities"].get(t, [])}
        for t in ("person", "place", "org"):
            gl = g["entities"].get(t, [])
            pl = [e for e in ents if e.get("type") == t]
            for n in gl:
                f["ent_rec"][0] += any(_same_name(n, e["name"], e.get("aliases", []))
                                       for e in pl[: 2 * len(gl)])
                f["ent_rec"][1] += 1
            for e in pl[: len(gl)]:
                f["ent_prec"][0] += any(_same_name(n, e["name"], e.get("aliases", [])) for n in allgold)
                f["ent_prec"][1] += 1
        soc = {str(s.get("post_id")): s for s in r.get("social", [])}
        for t in g["tweets"]:
            s = soc.get(t["status_id"])
            f["tw_rec"][0] += s is not None
            f["tw_exact"][0] += bool(s) and (s.get("handle") or "").lstrip("@") == t["handle"] \
                and list(s.get("hashtags") or []) == t["hashtags"]
            f["tw_rec"][1] += 1
            f["tw_exact"][1] += 1

    def ratio(k):
        n, d = f[k]
        return n / d if d else 1.0

    return {"meta": ratio("meta"), "speaker_precision": ratio("sp_pred"),
            "speaker_recall": ratio("sp_gold"), "role": ratio("role"), "kind": ratio("kind"),
            "direct_count": ratio("direct"), "entity_recall": ratio("ent_rec"),
            "entity_precision": ratio("ent_prec"), "tweet_recall": ratio("tw_rec"),
            "tweet_exact": ratio("tw_exact")}


def test_every_holdout_file_parses(parsed):
    _, records = parsed
    assert sorted(records) == [p.stem for p in holdout_files()]
    assert [s for s, r in records.items() if "error" in r] == []


def test_figures_meet_floors(parsed):
    jsonl, records = parsed
    if SCORER.is_file():
        proc = subprocess.run([sys.executable, str(SCORER), str(jsonl), str(HOLDOUT), "--min",
                               *[f"{k}={v}" for k, v in FLOORS.items()]],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    else:
        figures = minimal_figures(records)
        short = {k: round(v, 3) for k, v in figures.items() if v < FLOORS[k]}
        assert short == {}, figures


def test_minimal_figures_agree_with_the_scorer(parsed):
    """The fallback must compute what the shared scorer computes (checked when both exist)."""
    jsonl, records = parsed
    if not SCORER.is_file():
        pytest.skip("the shared scorer is not beside the project")
    proc = subprocess.run([sys.executable, str(SCORER), str(jsonl), str(HOLDOUT)],
                          capture_output=True, text=True, encoding="utf-8", timeout=120)
    summary = proc.stdout.strip().splitlines()[-1].split(": ", 1)[1]
    theirs = {k: float(v) for k, v in (kv.split("=") for kv in summary.split())}
    ours = {k: round(v, 2) for k, v in minimal_figures(records).items()}
    assert ours == theirs


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


@pytest.mark.xfail(strict=False, reason="no timestamp line: date not taken from a dated URL")
def test_gap_published_from_dated_url(parsed):
    assert (parsed[1]["004_rfi-xi-macron-paris-ukraine"]["published"] or "").startswith("2024-05-06")


@pytest.mark.xfail(strict=False, reason="surname + title back-reference (陈教授/黃教授) not resolved")
def test_gap_surname_title_reference(parsed):
    s = _speaker(parsed[1], "001_rfa-guangdong-factories-vietnam", "陈志明")
    assert s and sum(q["direct"] for q in s["quotes"]) == 2


@pytest.mark.xfail(strict=False, reason="descriptive role before a surname-only speaker not taken")
def test_gap_descriptive_role_before_name(parsed):
    s = _speaker(parsed[1], "002_rfa-cantonese-shenzhen-homebuyers", "陳先生")
    assert s and s["role"] == "參與維權的業主"


@pytest.mark.xfail(strict=False, reason="CNA dateline reporter is read as a person, not as staff")
def test_gap_cna_dateline_reporter(parsed):
    r = parsed[1]["006_cna-mac-punish-independence-guidelines"]
    assert r["byline"]["reporter"] == ["吳家豪"]
    assert "吳家豪" not in [e["name"] for e in r["entities"]]


@pytest.mark.xfail(strict=False, reason="one-character country abbreviations matched inside words")
def test_gap_single_character_country_inside_words(parsed):
    names = [e["name"] for e in parsed[1]["005_bbc-full-time-children-youth-jobs"]["entities"]]
    assert "以色列" not in names and "新加坡" not in names


@pytest.mark.xfail(strict=False, reason="three-character Chinese names truncated (李家超 -> 李家)")
def test_gap_person_names_as_written(parsed):
    names = [e["name"] for e in parsed[1]["008_dw-hong-kong-article-23-passed"]["entities"]
             if e["type"] == "person"]
    assert {"李家超", "何明德", "叶刘淑仪"} <= set(names)
