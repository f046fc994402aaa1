"""The distributed parse path: a local Dask cluster parses a handful of files into Parquet and
the store attaches them, with exact counts checked against the in-process pipeline."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from bench import corpus
from components import distributed, pipeline

from .conftest import ROOT, SEED

N_ARTICLES = 6


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> pathlib.Path:
    """Six distinct articles made from the seed, one file that is not an article, and a gold
    file that the job must skip."""
    folder = tmp_path_factory.mktemp("archive")
    base = corpus.load_base(SEED)
    corpus.make_corpus(N_ARTICLES, folder / "in" / "batch", bases=[base])
    (folder / "in" / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n not an article")
    (folder / "in" / "notes.gold.json").write_text("{}", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def expected(archive) -> dict[str, int]:
    """Row counts per table from the in-process pipeline over the same files."""
    counts = dict.fromkeys(pipeline.FRAME_COLUMNS, 0)
    for path in sorted((archive / "in" / "batch").glob("*.txt")):
        for table, rows in pipeline.frame_rows(pipeline.analyse(path.read_bytes(), path.name)).items():
            counts[table] += len(rows)
    return counts


@pytest.fixture(scope="module")
def parquet(archive) -> tuple[pathlib.Path, dict]:
    from dask.distributed import Client, LocalCluster

    out = archive / "out"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        summary = distributed.parse_to_parquet(archive / "in", out, client=client,
                                               partition_files=4)
    return out, summary


def test_lists_article_files_only(archive):
    names = [pathlib.Path(p).name for p in distributed.list_inputs(archive / "in")]
    # Sorted by path: in/batch/... before in/broken.txt; the gold file is skipped.
    assert names == [f"{i:06d}.txt" for i in range(N_ARTICLES)] + ["broken.txt"]


def test_parse_to_parquet_counts(parquet, expected):
    out, summary = parquet
    assert summary["files"] == N_ARTICLES + 1
    assert summary["articles"] == N_ARTICLES
    assert summary["errors"] == 1
    assert summary["partitions"] == 2  # 7 files in slices of 4
    assert summary["parser_version"] == pipeline.parser_version()
    assert json.loads((out / distributed.META_FILE).read_text())["articles"] == N_ARTICLES
    for table, count in expected.items():
        assert distributed.read_table(out, table).num_rows == count, table
    errors = distributed.read_table(out, "errors").to_pylist()
    assert errors == [{"source": "broken.txt",
                       "error": "this is a PNG image, not an article text file"}]
    files = distributed.read_table(out, "files")
    assert files.num_rows == N_ARTICLES
    assert sorted(files.column("name").to_pylist()) == [f"batch/{i:06d}.txt"
                                                        for i in range(N_ARTICLES)]


def test_rows_round_trip_exactly(parquet, archive):
    """Rows rebuilt from Parquet equal the rows the pipeline makes in process."""
    out, _ = parquet
    direct = {}
    for path in sorted((archive / "in" / "batch").glob("*.txt")):
        analysis = pipeline.analyse(path.read_bytes(), "batch/" + path.name)
        direct[analysis.article.id] = pipeline.frame_rows(analysis)
    seen = 0
    for part in distributed.part_names(out):
        tables = {t: distributed.read_table(out, t, part) for t in distributed.TABLES}
        for prepared in distributed.prepared_from_tables(tables):
            assert prepared.rows == direct[prepared.article_id]
            seen += 1
        for analysis, data in distributed.analyses_from_tables(tables):
            assert pipeline.frame_rows(analysis) == direct[analysis.article.id]
            assert len(data) > 0
    assert seen == N_ARTICLES


def test_store_attaches_parquet(parquet, expected, tmp_path):
    from components.store import get_store

    out, _ = parquet
    store = get_store(tmp_path / "attached.duckdb")
    try:
        counts = distributed.attach_parquet(store, out, batch_size=4)
        assert counts == {"added": N_ARTICLES, "errors": 1, "articles": N_ARTICLES,
                          "stale": False}
        assert store.article_count() == N_ARTICLES
        assert store.file_count() == N_ARTICLES
        for table, count in expected.items():
            assert store.fetchall(f'SELECT count(*) FROM "{table}"')[0][0] == count, table
        assert store.get_setting("parser_version") == pipeline.parser_version()
        # Attaching the same output again changes nothing.
        again = distributed.attach_parquet(store, out)
        assert again == {"duplicate": N_ARTICLES, "errors": 1, "articles": N_ARTICLES,
                         "stale": False}
        assert store.article_count() == N_ARTICLES
    finally:
        store.close()


def test_stale_output_marks_the_store_for_rederivation(parquet, tmp_path):
    """Parquet made by another pipeline version is attached, and the store is left marked
    with that version so that its next start re-derives everything."""
    import shutil

    from components.store import get_store

    out, _ = parquet
    old = tmp_path / "old-out"
    shutil.copytree(out, old)
    meta = json.loads((old / distributed.META_FILE).read_text())
    meta["parser_version"] = "0ld0ld0ld0ld"
    (old / distributed.META_FILE).write_text(json.dumps(meta))
    store = get_store(tmp_path / "stale.duckdb")
    try:
        counts = distributed.attach_parquet(store, old)
        assert counts == {"added": N_ARTICLES, "errors": 1, "articles": N_ARTICLES,
                          "stale": True}
        assert store.get_setting("parser_version") == "0ld0ld0ld0ld"
    finally:
        store.close()


@pytest.mark.slow
def test_command_line_on_local_process_cluster(archive, expected, tmp_path):
    """The documented command, with its own local cluster of two worker processes."""
    out = tmp_path / "cli-out"
    proc = subprocess.run(
        [sys.executable, "-m", "components.distributed", "parse-to-parquet",
         str(archive / "in"), str(out), "--workers", "2"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert (summary["files"], summary["articles"], summary["errors"]) == (N_ARTICLES + 1,
                                                                         N_ARTICLES, 1)
    db = tmp_path / "cli.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "components.distributed", "attach", str(out), "--db", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    counts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert counts == {"added": N_ARTICLES, "errors": 1, "articles": N_ARTICLES, "stale": False}
