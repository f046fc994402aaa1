"""Several dashboard sessions (threads) uploading at once through the app's own write path:
overlapping batches end with every article stored exactly once."""
from __future__ import annotations

import collections
import threading

from components import store
from components.ingest import ingest_uploads

SEED_URL = b"hx1-09142023102355"
THREADS = 4
FILES_PER_THREAD = 50
STRIDE = 10  # thread k uploads articles k*STRIDE .. k*STRIDE+49: neighbours overlap by 40
DISTINCT = (THREADS - 1) * STRIDE + FILES_PER_THREAD  # 80


def variant(seed: bytes, i: int) -> bytes:
    """A distinct article made from the seed: its own URL and title (generated, never kept)."""
    data = seed.replace(SEED_URL, f"hx1-conc{i:06d}".encode())
    return data.replace("朝俄加强军事关系".encode(), f"朝俄加强军事关系{i}".encode(), 1)


def test_concurrent_overlapping_uploads_store_each_article_once(tmp_path, seed_bytes,
                                                                monkeypatch):
    # Small write batches so the threads' transactions interleave many times.
    monkeypatch.setenv("NEWSROOM_LENS_WRITE_BATCH_ARTICLES", "5")
    path = tmp_path / "shared.duckdb"
    articles = [variant(seed_bytes, i) for i in range(DISTINCT)]
    barrier = threading.Barrier(THREADS)
    outcomes: dict[int, list] = {}
    errors: list[BaseException] = []

    def session(k: int) -> None:
        try:
            s = store.get_store(path)  # every session shares the process's one store
            batch = [(f"t{k}-{i}.txt", articles[i])
                     for i in range(k * STRIDE, k * STRIDE + FILES_PER_THREAD)]
            barrier.wait()
            outcomes[k] = ingest_uploads(s, batch, workers=1)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    s = store.get_store(path)
    try:
        results = [r for k in range(THREADS) for r in outcomes[k]]
        statuses = collections.Counter(r.status for r in results)
        assert statuses == {"added": DISTINCT, "duplicate": THREADS * FILES_PER_THREAD - DISTINCT}
        # Exactly once: one article row and one kept file per distinct article.
        assert s.fetchall("SELECT count(*), count(DISTINCT id) FROM articles") == [
            (DISTINCT, DISTINCT)]
        assert s.fetchall("SELECT count(*), count(DISTINCT article_id) FROM files") == [
            (DISTINCT, DISTINCT)]
        # Every upload result names the article that holds its bytes.
        stored = dict(s.fetchall("SELECT name, article_id FROM files"))
        by_index: dict[int, set] = collections.defaultdict(set)
        for k in range(THREADS):
            for offset, r in enumerate(outcomes[k]):
                by_index[k * STRIDE + offset].add(r.article_id)
        assert all(len(ids) == 1 for ids in by_index.values())
        assert set().union(*by_index.values()) == set(stored.values())
        # No derived row was written twice.
        n_blocks = s.fetchall("SELECT min(c), max(c) FROM (SELECT count(*) AS c FROM "
                              "paragraphs GROUP BY article_id)")[0]
        assert n_blocks[0] == n_blocks[1]
        assert s.fetchall("SELECT count(*) FROM articles a WHERE n_entities <> "
                          "(SELECT count(*) FROM entities e WHERE e.article_id = a.id)") == [(0,)]
        # The cache key moved with every committed write and is what the table says.
        assert s.version() == int(s.get_setting("store_version")) >= DISTINCT // 5
    finally:
        store.close_store(path)
