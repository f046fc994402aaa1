"""Crash safety: a process killed with SIGKILL in the middle of a write leaves a store that
opens and holds only whole articles; running the same ingest again completes it."""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys

import psutil
import pytest

from components import pipeline
from components.ingest import ingest_paths
from components.store import Store, ensure_ready

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED_URL = b"hx1-09142023102355"
FILES = 30
BATCH = 5
KILL_IN_COMMIT = 3  # killed inside the 3rd transaction: batches 1 and 2 are committed

# The child ingests with a hook that stops inside the chosen transaction (rows inserted, not
# yet committed) and says so; the test kills it there.
CHILD = """
import sys, time
from components import pipeline
from components.ingest import ingest_paths, reparse_store
from components.store import Store

mode, db, folder, stop_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
s = Store(db)
commits = [0]

def hook(results):
    commits[0] += 1
    if commits[0] == stop_at:
        print("inside commit", commits[0], flush=True)
        time.sleep(120)

s.before_commit_hook = hook
if mode == "ingest":
    ingest_paths(s, [folder], workers=1)
elif mode == "pool":
    import components.ingest as ingest
    ingest.POOL_MIN_FILES = 1
    ingest_paths(s, [folder], workers=2)
else:
    reparse_store(s, workers=1)
print("finished", flush=True)
"""


def variant(seed: bytes, i: int) -> bytes:
    """A distinct article made from the seed: its own URL and title (generated, never kept)."""
    data = seed.replace(SEED_URL, f"hx1-crash{i:06d}".encode())
    return data.replace("朝俄加强军事关系".encode(), f"朝俄加强军事关系{i}".encode(), 1)


def kill_inside_commit(mode: str, db: pathlib.Path, folder: pathlib.Path,
                       stop_at: int) -> list:
    env = dict(os.environ, NEWSROOM_LENS_WRITE_BATCH_ARTICLES=str(BATCH), PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(db), str(folder),
                              str(stop_at)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             text=True)
    try:
        line = child.stdout.readline().strip()
        assert line == f"inside commit {stop_at}"
        # Its descendants (a worker pool's server and workers), to check they go too.
        descendants = psutil.Process(child.pid).children(recursive=True)
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return descendants


def assert_whole(s: Store) -> None:
    """Every article has its files row and exactly the derived rows its counts announce;
    no derived row belongs to a missing article."""
    checks = {
        "paragraphs": "SELECT count(*) FROM paragraphs p WHERE p.article_id = a.id "
                      "AND p.kind = 'paragraph'",
        "entities": "SELECT count(*) FROM entities e WHERE e.article_id = a.id",
        "quotes": "SELECT count(*) FROM quotes q WHERE q.article_id = a.id",
        "social": "SELECT count(*) FROM social x WHERE x.article_id = a.id",
        "images": "SELECT count(*) FROM images i WHERE i.article_id = a.id",
    }
    columns = {"paragraphs": "n_paragraphs", "entities": "n_entities", "quotes": "n_quotes",
               "social": "n_social", "images": "n_images"}
    for table, sql in checks.items():
        bad = s.fetchall(f"SELECT count(*) FROM articles a WHERE a.{columns[table]} <> ({sql})")
        assert bad == [(0,)], table
    assert s.fetchall("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                      "(SELECT 1 FROM files f WHERE f.article_id = a.id "
                      "AND f.content_hash = a.content_hash)") == [(0,)]
    assert s.fetchall("SELECT count(*) FROM articles a WHERE NOT EXISTS "
                      "(SELECT 1 FROM staff t WHERE t.article_id = a.id)") == [(0,)]
    for table in pipeline.FRAME_COLUMNS:
        if table != "articles":
            orphans = s.fetchall(f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
                                 "(SELECT 1 FROM articles a WHERE a.id = t.article_id)")
            assert orphans == [(0,)], table


@pytest.fixture
def folder(tmp_path, seed_bytes) -> pathlib.Path:
    path = tmp_path / "batch"
    path.mkdir()
    for i in range(FILES):
        (path / f"{i:03d}.txt").write_bytes(variant(seed_bytes, i))
    return path


def test_killed_mid_batch_leaves_whole_articles_and_a_rerun_completes(tmp_path, folder,
                                                                      monkeypatch):
    db = tmp_path / "crash.duckdb"
    kill_inside_commit("ingest", db, folder, KILL_IN_COMMIT)
    s = Store(db)
    try:
        committed = (KILL_IN_COMMIT - 1) * BATCH
        assert s.fetchall("SELECT count(*) FROM articles") == [(committed,)]
        assert s.fetchall("SELECT count(*) FROM files") == [(committed,)]
        assert int(s.get_setting("store_version")) == KILL_IN_COMMIT - 1
        assert_whole(s)
        monkeypatch.setenv("NEWSROOM_LENS_WRITE_BATCH_ARTICLES", str(BATCH))
        results = ingest_paths(s, [folder], workers=1)
        assert [r.status for r in results] == (["duplicate"] * committed
                                               + ["added"] * (FILES - committed))
        assert s.fetchall("SELECT count(*) FROM articles") == [(FILES,)]
        assert_whole(s)
    finally:
        s.close()


def test_killed_mid_rederivation_is_finished_at_next_start(tmp_path, folder, monkeypatch):
    db = tmp_path / "reparse.duckdb"
    s = Store(db)
    ingest_paths(s, [folder], workers=1)
    s.set_settings({"parser_version": "an older parser"})
    s.close()
    kill_inside_commit("reparse", db, folder, 2)
    s = Store(db)
    try:
        assert s.fetchall("SELECT count(*) FROM articles") == [(FILES,)]
        assert s.get_setting("parser_version") == "an older parser"
        assert_whole(s)
        calls = []
        real = pipeline.analyse_many

        def counted(files):
            calls.extend(name for name, _ in files)
            return real(files)

        monkeypatch.setattr(pipeline, "analyse_many", counted)
        ensure_ready(s, samples_dir=None, workers=1)
        assert len(calls) == FILES
        assert s.get_setting("parser_version") == pipeline.parser_version()
        assert s.fetchall("SELECT count(*) FROM articles") == [(FILES,)]
        assert_whole(s)
    finally:
        s.close()


def test_killed_parallel_ingest_leaves_no_workers_behind(tmp_path, folder):
    db = tmp_path / "pool.duckdb"
    descendants = kill_inside_commit("pool", db, folder, 1)
    assert len(descendants) >= 3  # the pool's server process and its two workers
    # Generous wait: each worker notices within about a second that its owner is gone.
    gone, alive = psutil.wait_procs(descendants, timeout=60)
    for proc in alive:  # never leave them running, even when the test fails
        proc.kill()
    assert alive == []
    s = Store(db)
    try:
        assert s.fetchall("SELECT count(*) FROM articles") == [(0,)]
        assert_whole(s)
    finally:
        s.close()
