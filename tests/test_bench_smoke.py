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
