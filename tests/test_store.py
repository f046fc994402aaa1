"""The store: schema, upsert by article identity, one transaction per write, start-up
(fill from samples, re-derive on a parser change, nothing else), settings, busy-store message."""
from __future__ import annotations

import dataclasses
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest

from components import ingest, pipeline, settings, store, version
from components.store import Store, StoreBusyError, ensure_ready, get_store

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "samples" / "000_b2868bf1b7a93490.txt"
SEED_URL = b"hx1-09142023102355"


def variant(seed: bytes, i: int, body_extra: str = "") -> bytes:
    """A distinct article made from the seed: its own URL and title (generated, never kept)."""
    data = seed.replace(SEED_URL, f"hx1-test{i:06d}".encode())
    data = data.replace("朝俄加强军事关系".encode(), f"朝俄加强军事关系{i}".encode(), 1)
    if body_extra:
        data = data.replace(b"</p>", f"{body_extra}</p>".encode(), 1)
    return data


@pytest.fixture
def db(tmp_path) -> Store:
    s = Store(tmp_path / "store.duckdb")
    yield s
    s.close()


def counts(s: Store) -> dict[str, int]:
    out = {t: s.fetchall(f"SELECT count(*) FROM {t}")[0][0] for t in pipeline.FRAME_COLUMNS}
    out["files"] = s.fetchall("SELECT count(*) FROM files")[0][0]
    return out


def test_schema_is_the_contract(db):
    for table, columns in pipeline.FRAME_COLUMNS.items():
        got = db.query("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                       "ORDER BY ordinal_position", [table])["column_name"].tolist()
        assert got == columns
    types = dict(db.fetchall("SELECT table_name || '.' || column_name, data_type "
                             "FROM information_schema.columns"))
    assert types["articles.published"] == "TIMESTAMP"
    assert types["quotes.aliases"] == "VARCHAR[]"
    assert types["social.hashtags"] == "VARCHAR[]"
    assert types["social.links"] == "VARCHAR[]"
    assert types["entities.start"] == "INTEGER"
    assert types["links.related"] == "BOOLEAN"
    assert types["files.data"] == "BLOB"
    assert types["files.size"] == "BIGINT"
    assert types["files.added_at"] == "TIMESTAMP"
    assert {"key", "value", "help"} == set(db.query("SELECT * FROM settings").columns)


def test_write_added_then_duplicate_then_updated(db, seed_bytes):
    first = pipeline.analyse(seed_bytes, "seed.txt")
    [r] = db.write([(first, seed_bytes)])
    assert (r.status, r.article_id, r.name) == ("added", first.article.id, "seed.txt")
    assert db.version() == 1
    assert db.article_count() == 1
    row = db.query("SELECT title, published, url FROM articles").iloc[0]
    assert row["title"] == "朝俄加强军事关系\u3000中国态度暧昧含糊"
    assert str(row["published"]) == "2023-09-14 14:39:00"
    n_paragraphs = counts(db)["paragraphs"]
    assert n_paragraphs == len(first.article.blocks)

    # The same bytes again: nothing written, the version (cache key) does not move.
    [r] = db.write([(pipeline.analyse(seed_bytes, "again.txt"), seed_bytes)])
    assert (r.status, r.article_id) == ("duplicate", first.article.id)
    assert db.version() == 1

    # Same URL, other bytes: the article is replaced, old rows and old bytes go.
    changed = seed_bytes.replace("近日，".encode(), "本周，".encode(), 1)
    second = pipeline.analyse(changed, "seed-v2.txt")
    assert second.article.id == first.article.id
    [r] = db.write([(second, changed)])
    assert r.status == "updated"
    assert db.version() == 2
    c = counts(db)
    assert (c["articles"], c["files"], c["paragraphs"]) == (1, 1, len(second.article.blocks))
    assert db.fetchall("SELECT name, content_hash FROM files") == [
        ("seed-v2.txt", second.article.content_hash)]
    text = db.fetchall("SELECT text FROM paragraphs WHERE block = 0")[0][0]
    assert text.startswith("本周，")


def test_same_article_twice_in_one_batch_keeps_the_last(db, seed_bytes):
    changed = seed_bytes.replace("近日，".encode(), "本周，".encode(), 1)
    items = [(pipeline.analyse(seed_bytes, "a.txt"), seed_bytes),
             (pipeline.analyse(changed, "b.txt"), changed),
             (pipeline.analyse(seed_bytes, "c.txt"), seed_bytes)]
    statuses = [r.status for r in db.write(items)]
    assert statuses == ["added", "updated", "duplicate"]
    assert db.fetchall("SELECT name FROM files") == [("b.txt",)]
    assert counts(db)["articles"] == 1


def test_worker_batches_write_only_the_kept_articles(db, seed_bytes):
    """Rows that travel as one Arrow batch (a worker job, pickled as the pool pickles it):
    the later of two files with one id wins, and none of the earlier file's rows are kept."""
    import pickle

    changed = seed_bytes.replace("近日，".encode(), "本周，".encode(), 1)
    other = variant(seed_bytes, 1)
    files = [("a.txt", seed_bytes), ("b.txt", changed), ("o.txt", other)]
    outcomes = pickle.loads(pickle.dumps(ingest._analyse_job(files)))
    prepared = [dataclasses.replace(p, data=data)
                for (kind, p), (_, data) in zip(outcomes, files)]
    assert [kind for kind, _ in outcomes] == ["ok", "ok", "ok"]
    assert [r.status for r in db.write_prepared(prepared)] == ["added", "updated", "added"]
    plain = Store(db.path.parent / "plain.duckdb")
    plain.write([(pipeline.analyse(changed, "b.txt"), changed),
                 (pipeline.analyse(other, "o.txt"), other)])
    assert counts(db) == counts(plain)
    for table in pipeline.FRAME_COLUMNS:
        assert sorted(map(repr, db.fetchall(f'SELECT * FROM "{table}"'))) == \
            sorted(map(repr, plain.fetchall(f'SELECT * FROM "{table}"'))), table
    # One paragraph from b.txt's changed opening, one from o.txt's: none left of a.txt's.
    assert db.fetchall("SELECT count(*) FROM paragraphs WHERE text LIKE '本周，%'") == [(1,)]
    assert db.fetchall("SELECT count(*) FROM paragraphs WHERE text LIKE '近日，%'") == [(1,)]
    plain.close()


def test_without_url_identity_is_the_content(db):
    body_a = "<p>北京时间周一，一场会议在上海举行。</p>".encode()
    body_b = "<p>北京时间周二，另一场会议在广州举行。</p>".encode()
    results = db.write([(pipeline.analyse(body_a, "a.txt"), body_a),
                        (pipeline.analyse(body_b, "b.txt"), body_b)])
    assert [r.status for r in results] == ["added", "added"]
    assert results[0].article_id != results[1].article_id
    assert db.fetchall("SELECT count(*) FROM articles WHERE url IS NULL")[0][0] == 2


def test_a_failing_write_leaves_nothing(db, seed_bytes):
    db.write([(pipeline.analyse(variant(seed_bytes, 1), "one.txt"), variant(seed_bytes, 1))])
    before = counts(db)

    def boom(results):
        raise RuntimeError("disk full")

    db.before_commit_hook = boom
    batch = [(pipeline.analyse(variant(seed_bytes, i), f"{i}.txt"), variant(seed_bytes, i))
             for i in (2, 3)]
    with pytest.raises(RuntimeError):
        db.write(batch)
    assert counts(db) == before
    assert db.version() == 1
    db.before_commit_hook = None
    assert [r.status for r in db.write(batch)] == ["added", "added"]


def test_ensure_ready_fills_from_samples_then_does_nothing(tmp_path, monkeypatch):
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(SEED, samples / SEED.name)
    s = Store(tmp_path / "s.duckdb")
    seen = []
    ensure_ready(s, samples_dir=samples, progress=lambda d, t, m: seen.append((d, t)))
    assert s.article_count() == 1
    assert seen[-1] == (1, 1)
    assert s.get_setting("parser_version") == pipeline.parser_version()
    assert s.fetchall("SELECT name FROM files") == [(SEED.name,)]
    version = s.version()

    def no_parsing(files):
        raise AssertionError("start-up must not parse what is stored")

    monkeypatch.setattr(pipeline, "analyse_many", no_parsing)
    ensure_ready(s, samples_dir=samples)
    assert s.version() == version
    s.close()


def test_parser_change_rederives_everything(tmp_path, monkeypatch, seed_bytes):
    s = Store(tmp_path / "s.duckdb")
    files = [(f"{i}.txt", variant(seed_bytes, i)) for i in range(3)]
    assert [r.status for r in ingest.ingest_uploads(s, files)] == ["added"] * 3
    s.set_settings({"parser_version": pipeline.parser_version()})
    titles_before = sorted(t for (t,) in s.fetchall("SELECT title FROM articles"))

    real = pipeline.analyse_many
    calls = []

    def improved(files):
        calls.extend(name for name, _ in files)
        results = real(files)
        for result in results:
            result.article.title = "v2 " + result.article.title
        return results

    monkeypatch.setattr(pipeline, "analyse_many", improved)
    monkeypatch.setattr(version, "parser_version", lambda: "next-version")
    progress = []
    ensure_ready(s, samples_dir=None, progress=lambda d, t, m: progress.append((d, t)))
    assert sorted(calls) == ["0.txt", "1.txt", "2.txt"]
    assert progress[-1] == (3, 3)
    assert s.get_setting("parser_version") == "next-version"
    assert sorted(t for (t,) in s.fetchall("SELECT title FROM articles")) == [
        "v2 " + t for t in titles_before]
    c = counts(s)
    assert (c["articles"], c["files"]) == (3, 3)
    # Rows were replaced, not added beside the old ones.
    assert c["paragraphs"] == 3 * len(pipeline.analyse(seed_bytes, "x").article.blocks)
    calls.clear()
    ensure_ready(s, samples_dir=None)  # recorded: nothing to do
    assert calls == []
    s.close()


def test_reparse_keeps_bytes_the_new_parser_refuses(tmp_path, monkeypatch, seed_bytes):
    s = Store(tmp_path / "s.duckdb")
    ingest.ingest_uploads(s, [("a.txt", seed_bytes)])
    from components.model import ArticleError

    def refuses(files):
        return [ArticleError("not an article any more") for _ in files]

    monkeypatch.setattr(pipeline, "analyse_many", refuses)
    results = ingest.reparse_store(s)
    assert [(r.name, r.status, r.reason) for r in results] == [
        ("a.txt", "rejected", "not an article any more")]
    c = counts(s)
    assert (c["articles"], c["paragraphs"], c["files"]) == (0, 0, 1)
    s.close()


def test_schema_change_rebuilds_tables_and_forces_rederivation(tmp_path, seed_bytes):
    path = tmp_path / "s.duckdb"
    s = Store(path)
    ingest.ingest_uploads(s, [("a.txt", seed_bytes)])
    s.set_settings({"parser_version": pipeline.parser_version()})
    s._writer.execute("ALTER TABLE staff ADD COLUMN extra VARCHAR")
    s.close()
    s = Store(path)
    assert s.get_setting("parser_version") == ""
    assert counts(s)["articles"] == 0
    ensure_ready(s, samples_dir=None)
    c = counts(s)
    assert (c["articles"], c["files"], c["staff"]) == (1, 1, 4)
    s.close()


def test_get_store_is_one_per_path_and_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_DB", str(tmp_path / "env.duckdb"))
    assert store.default_path() == tmp_path / "env.duckdb"
    a = get_store()
    b = get_store(tmp_path / "env.duckdb")
    assert a is b
    assert (tmp_path / "env.duckdb").exists()
    store.close_store()
    assert get_store() is not a
    store.close_store()


def test_default_path_is_under_data(monkeypatch):
    monkeypatch.delenv("NEWSROOM_LENS_DB", raising=False)
    monkeypatch.delenv("NEWSROOM_LENS_DB_PATH", raising=False)
    assert store.default_path() == ROOT / "data" / "newsroom.duckdb"


def test_reads_from_many_threads_while_writing(db, seed_bytes):
    errors: list[BaseException] = []
    sizes: list[int] = []

    def reader():
        try:
            for _ in range(30):
                frame = db.query("SELECT a.id, count(p.block) AS n FROM articles a "
                                 "JOIN paragraphs p ON p.article_id = a.id GROUP BY a.id")
                # Readers see whole articles only: every article with all its paragraphs.
                assert set(frame["n"].tolist()) <= {n_blocks}
                sizes.append(len(frame))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    analyses = [(pipeline.analyse(variant(seed_bytes, i), f"{i}.txt"), variant(seed_bytes, i))
                for i in range(6)]
    n_blocks = len(analyses[0][0].article.blocks)
    assert n_blocks > 10
    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    for item in analyses:
        db.write([item])
    for t in threads:
        t.join()
    assert errors == []
    assert db.article_count() == 6


def test_a_second_process_gets_a_plain_message(tmp_path, capsys):
    path = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('ready', flush=True); time.sleep(60)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreBusyError) as err:
            Store(path)
        assert str(err.value) == (
            f"the store is in use by another process (the dashboard?): {path} (held by process "
            f"{holder.pid}). DuckDB lets only one program write to a store at a time. Stop the "
            "dashboard and run this again, or upload the files on the dashboard's Upload page.")
        assert ingest.cli_ingest([str(SEED)], db=str(path)) == 2
        out = capsys.readouterr()
        assert "error: the store is in use by another process (the dashboard?)" in out.err
        assert "Traceback" not in out.err
    finally:
        holder.kill()
        holder.wait()


def test_settings_registry(monkeypatch, db):
    for name in ("upload_enabled", "upload_requires_login", "max_file_mb", "max_batch_mb",
                 "max_batch_files", "zip_max_members", "zip_max_unpacked_mb", "zip_max_ratio",
                 "db_path"):
        assert name in settings.SETTINGS and settings.SETTINGS[name].help
    assert settings.get("upload_enabled") is True
    assert settings.get("max_file_mb") == 10.0
    monkeypatch.setenv("NEWSROOM_LENS_MAX_FILE_MB", "2.5")
    monkeypatch.setenv("NEWSROOM_LENS_UPLOAD_ENABLED", "no")
    monkeypatch.setenv("NEWSROOM_LENS_MAX_BATCH_FILES", "many")
    assert settings.get("max_file_mb") == 2.5
    assert settings.mb("max_file_mb") == 2621440
    assert settings.get("upload_enabled") is False
    assert settings.get("max_batch_files") == 5000
    assert settings.problems() == [
        "NEWSROOM_LENS_MAX_BATCH_FILES ignored (invalid literal for int() with base 10: "
        "'many'); using 5000"]
    frame = settings.as_frame()
    assert list(frame.columns) == ["name", "value", "default", "type", "env", "help"]
    row = frame.set_index("name").loc["max_file_mb"]
    assert (row["value"], row["default"], row["env"]) == ("2.5", "10.0",
                                                          "NEWSROOM_LENS_MAX_FILE_MB")
    stored = dict(db.fetchall("SELECT key, help FROM settings"))
    assert stored["zip_max_ratio"] == settings.SETTINGS["zip_max_ratio"].help
    assert set(settings.SETTINGS) <= set(stored)


def test_parser_version_covers_every_module_the_pipeline_runs():
    """A stage module missing from STAGE_FILES would change output without a re-derivation."""
    code = ("import sys; from components import pipeline; pipeline.warm_up(); "
            f"pipeline.analyse(open({str(SEED)!r}, 'rb').read(), 'seed.txt'); "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith('components.'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.split()
    used = {f"components/{m.split('.', 1)[1]}.py" for m in out} - {"components/version.py"}
    assert "components/_lxmlbody.py" in used
    assert used <= set(version.STAGE_FILES), used - set(version.STAGE_FILES)


def test_worker_batch_gives_each_subset_of_its_articles_rows_in_order(seed_bytes):
    """A write batch may take part of a worker job (a job split across two batches, a file
    dropped as a duplicate): the slices must be exactly the chosen articles' rows, in order."""
    import itertools

    datas = [variant(seed_bytes, 1), b"<p>\xe4\xb8\x80\xe5\x8f\xa5\xe8\xaf\x9d\xe3\x80\x82</p>",
             variant(seed_bytes, 2, body_extra="@newsroom"), variant(seed_bytes, 3)]
    per_item = [pipeline.frame_rows(pipeline.analyse(data, f"{i}.txt"))
                for i, data in enumerate(datas)]
    batch = store.ArrowRows.from_rows(per_item)
    empty_somewhere = False
    for table, columns in pipeline.FRAME_COLUMNS.items():
        for k in range(1, len(per_item) + 1):
            for slots in itertools.combinations(range(len(per_item)), k):
                rows = [row for s in slots for row in per_item[s].get(table, ())]
                parts = batch.select(table, set(slots))
                empty_somewhere |= not rows
                if not rows:
                    assert sum(p.num_rows for p in parts) == 0
                    continue
                got = pa_concat(parts)
                assert got.equals(store.arrow_table(table, columns, rows)), (table, slots)
    assert empty_somewhere  # the short article has tables without rows


def pa_concat(parts):
    import pyarrow as pa

    return pa.concat_tables(parts).combine_chunks()


def test_files_columns_are_built_as_pyarrow_builds_them():
    import datetime as dt

    import pyarrow as pa

    texts = ["abc", "", "中文名.txt", "x" * 70]
    assert store._bytes_array(texts, pa.string()).to_pylist() == texts
    assert store._bytes_array(texts, pa.string()).cast(pa.string()).equals(
        pa.array(texts, pa.string()))
    blobs = [b"", b"\x00\xff", "正文".encode()]
    assert store._bytes_array(blobs, pa.binary()).cast(pa.binary()).equals(
        pa.array(blobs, pa.binary()))
    # Anything else goes through pa.array: the same nulls, the same errors.
    assert store._bytes_array(["a", None], pa.string()).to_pylist() == ["a", None]
    with pytest.raises(UnicodeEncodeError):
        store._bytes_array(["ok", "bad\udcff.txt"], pa.string())
    now = dt.datetime(2024, 2, 29, 23, 59, 58, 123456)
    micros = (now - store.EPOCH) // dt.timedelta(microseconds=1)
    assert store._int64_array([micros] * 2, pa.timestamp("us")).equals(
        pa.array([now] * 2, pa.timestamp("us")))
    assert store._int64_array([0, 5, 2 ** 40], pa.int64()).equals(
        pa.array([0, 5, 2 ** 40], pa.int64()))


def test_every_write_puts_one_store_version_row(db, seed_bytes):
    for i in (1, 2, 3):
        db.write([(pipeline.analyse(variant(seed_bytes, i), f"{i}.txt"), variant(seed_bytes, i))])
    assert db.fetchall("SELECT value, help FROM settings WHERE key = 'store_version'") == [
        ("3", store.STORE_HELP["store_version"])]
    db.set_settings({"parser_version": "x"})
    db.set_settings({"parser_version": "y"})
    assert db.fetchall("SELECT value FROM settings WHERE key = 'parser_version'") == [("y",)]
