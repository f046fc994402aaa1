"""The benchmark runs end to end at a tiny N (``python -m bench --smoke``): corpus, baseline,
stage profile, ingest, and two pages cold and warm. Figures are checked for shape and exact
counts only, never for speed."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench import corpus, run

from .conftest import ROOT, SEED

SMOKE_N = 12


def test_corpus_varies_identity_date_and_order(tmp_path):
    from components.parsing import parse_article

    base = corpus.load_base(SEED)
    paths = corpus.make_corpus(5, tmp_path, bases=[base])
    assert [p.name for p in paths] == [f"{i:06d}.txt" for i in range(5)]
    articles = [parse_article(p.read_bytes(), p.name) for p in paths]
    assert len({a.id for a in articles}) == 5
    assert len({a.published for a in articles}) == 5
    assert len({a.content_hash for a in articles}) == 5
    # Same article underneath: same outlet, section, title shape and number of blocks.
    assert {a.outlet for a in articles} == {"RFA"}
    assert {a.section for a in articles} == {"yataibaodao/junshiwaijiao"}
    assert len({len(a.blocks) for a in articles}) == 1
    # The same generation twice gives the same bytes (reproducible runs).
    again = corpus.make_corpus(5, tmp_path / "again", bases=[base])
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]


def test_vary_url_keeps_the_address_style():
    import datetime as dt

    when = dt.datetime(2024, 5, 6, tzinfo=dt.timezone.utc)
    assert corpus.vary_url("https://www.rfa.org/mandarin/a/b/hx1-09142023102355.html", 7, when) \
        == "https://www.rfa.org/mandarin/a/b/hx1-09142023102362.html"
    assert corpus.vary_url("https://www.rfa.org/mandarin/a/2025/01/02/some-slug/", 3, when) \
        == "https://www.rfa.org/mandarin/a/2024/05/06/some-slug-3/"
    assert corpus.vary_url(None, 4, when) == "https://example.org/news/2024/05/06/article-4.html"


def test_split_top_level_keeps_nested_markup_whole():
    html = ('<p>一</p><ul><li><a href="x">二</a></li></ul><p>三<br/>四</p>'
            '<figure><img src="y"/><figcaption>五</figcaption></figure>')
    assert corpus.split_top_level(html) == [
        "<p>一</p>", '<ul><li><a href="x">二</a></li></ul>', "<p>三<br/>四</p>",
        '<figure><img src="y"/><figcaption>五</figcaption></figure>']


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--workers", "2",
                           "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["corpus_size"] == SMOKE_N
    [ingest] = figures["ingest"]
    assert ingest["files"] == SMOKE_N
    assert ingest["statuses"] == {"added": SMOKE_N}
    assert (ingest["articles_before"], ingest["articles_after"]) == (0, SMOKE_N)
    assert ingest["size_bytes"] > 0
    assert figures["baseline"]["articles"] == 3
    assert figures["baseline"]["per_second"] > 0
    profile = figures["profile"]
    assert profile["articles"] == 6
    assert set(profile["ms_per_article"]) == {"read", "parse", "entities", "quotes", "social",
                                              "frame_rows", "store_write"}
    pages = run.discover_pages(run.SMOKE_PAGES.split(","))
    if (ROOT / "app.py").is_file() and pages:
        measured = figures["pages"][str(SMOKE_N)]
        assert list(measured["pages"]) == pages
        for page, result in measured["pages"].items():
            assert result["problems"] == [], page
            assert result["cold_s"] > 0 and result["warm_s"] > 0
            assert result["reparsed"] is False
        assert measured["pages"]["components/pages/overview.py"]["heading"]
        assert measured["tour"]["peak_rss_mb"] > 0
    # The printed table names every section.
    assert "ingest, end to end" in proc.stdout
    assert "naive baseline" in proc.stdout
    assert "ms/article" in proc.stdout


def test_clone_fill_copies_whole_articles(tmp_path):
    """``--fill clone``: copies of the stored articles under new ids, hashes and URLs, with
    every table copied alike."""
    import argparse

    from bench import steps
    from components import pipeline
    from components.store import get_store

    paths = corpus.make_corpus(3, tmp_path / "in", bases=[corpus.load_base(SEED)])
    db = tmp_path / "clone.duckdb"
    store = get_store(db)
    store.write([(pipeline.analyse(p.read_bytes(), p.name), p.read_bytes()) for p in paths])
    tables = list(pipeline.FRAME_COLUMNS) + ["files"]
    before = {t: store.fetchall(f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    store.close()
    result = steps.step_clone(argparse.Namespace(db=str(db), target=8))
    assert (result["from"], result["to"], result["copies"]) == (3, 8, 2)
    store = get_store(db)
    try:
        assert store.fetchall("SELECT count(DISTINCT id), count(DISTINCT url), "
                              "count(DISTINCT content_hash) FROM articles")[0] == (8, 8, 8)
        assert store.fetchall("SELECT count(*) FROM files")[0][0] == 8
        # One copy of all three, then of the first two (by id): 3 + 3 + 2 articles.
        ids = [r[0] for r in store.fetchall("SELECT id FROM articles WHERE id NOT LIKE '%~%' "
                                            "ORDER BY id")]
        for table in tables:
            if table in ("articles", "files"):
                continue
            per = {aid: store.fetchall(f'SELECT count(*) FROM "{table}" WHERE article_id = ?',
                                       [aid])[0][0] for aid in ids}
            total = store.fetchall(f'SELECT count(*) FROM "{table}"')[0][0]
            copies = {aid: 3 if aid in ids[:2] else 2 for aid in ids}
            assert total == sum(per[a] * copies[a] for a in ids), table
            assert before[table] == sum(per.values()), table
    finally:
        store.close()
