"""Uploads and folder ingest: every bad input gets its own plain message and leaves the store as
it was; .zip limits; batch limits; stored bytes are never parsed again; the command line."""
from __future__ import annotations

import io
import pathlib
import subprocess
import sys
import zipfile

import pytest

from components import ingest, pipeline
from components.ingest import ingest_paths, ingest_uploads
from components.store import Store

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED_URL = b"hx1-09142023102355"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"


def variant(seed: bytes, i: int) -> bytes:
    """A distinct article made from the seed: its own URL and title (generated, never kept)."""
    data = seed.replace(SEED_URL, f"hx1-test{i:06d}".encode())
    return data.replace("朝俄加强军事关系".encode(), f"朝俄加强军事关系{i}".encode(), 1)


def make_zip(members: list[tuple[zipfile.ZipInfo | str, bytes]],
             method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for info, data in members:
            archive.writestr(info, data)
    return buffer.getvalue()


def mark_encrypted(archive: bytes, name: str) -> bytes:
    """Set the 'encrypted' flag of one entry (zipfile cannot write encrypted archives)."""
    data = bytearray(archive)
    # (signature, offset of the flags, offset of the name length, offset of the name)
    for signature, flags, name_len, name_at in ((b"PK\x03\x04", 6, 26, 30),
                                                (b"PK\x01\x02", 8, 28, 46)):
        at = data.find(signature)
        while at != -1:
            length = int.from_bytes(data[at + name_len:at + name_len + 2], "little")
            if data[at + name_at:at + name_at + length] == name.encode():
                data[at + flags] |= 0x1
            at = data.find(signature, at + 4)
    return bytes(data)


@pytest.fixture
def db(tmp_path) -> Store:
    s = Store(tmp_path / "store.duckdb")
    yield s
    s.close()


def state(s: Store) -> tuple:
    tables = list(pipeline.FRAME_COLUMNS) + ["files"]
    return (s.version(),) + tuple(s.fetchall(f"SELECT count(*) FROM {t}")[0][0] for t in tables)


def one(s: Store, name: str, data: bytes) -> ingest.FileResult:
    [result] = ingest_uploads(s, [(name, data)])
    return result


# -- bad inputs of issue 2: a clear message each, and no change to the store ------------------

@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "the file is empty"),
    ("blank.txt", b"  \n\r\n ", "the file is empty"),
    ("photo.txt", PNG, "this is a PNG image, not an article text file"),
    ("tags.html", b"<html><body><div><p></p><p><span> </span></p></div></body></html>",
     "no article text was found in the file (only markup or blank lines)"),
    ("tags.txt", b"<p><span class=\"result-title\"> </span></p><ul><li></li></ul>",
     "no article text was found in the file (only markup or blank lines)"),
    ("notes.pdf", b"%PDF-1.4", "'.pdf' files are not accepted; upload .txt, .md, .html, .htm "
                               "or .zip files"),
    ("README", b"hello", "files without an extension are not accepted; upload .txt, .md, "
                         ".html, .htm or .zip files"),
    ("broken.zip", b"PK\x03\x04 this is not really a zip",
     "this .zip archive cannot be opened: it is damaged or not a zip archive"),
])
def test_bad_file_is_rejected_with_its_message(db, seed_bytes, name, data, reason):
    one(db, "seed.txt", seed_bytes)
    before = state(db)
    result = one(db, name, data)
    assert (result.name, result.status, result.reason) == (name, "rejected", reason)
    assert result.article_id is None
    assert state(db) == before


def test_file_over_the_size_limit(db, seed_bytes, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_MAX_FILE_MB", "1")
    big = seed_bytes.replace(b"</p>", ("<p>" + "长" * 520_000 + "</p>").encode() + b"</p>", 1)
    assert 1.5e6 < len(big) < 1.7e6
    before = state(db)
    result = one(db, "big.txt", big)
    assert (result.status, result.reason) == (
        "rejected", "the file is 1.5 MB; the limit is 1 MB per file (setting max_file_mb)")
    assert state(db) == before


def test_bad_files_never_stop_the_batch(db, seed_bytes):
    results = ingest_uploads(db, [("empty.txt", b""), ("a.txt", variant(seed_bytes, 1)),
                                  ("photo.txt", PNG), ("b.md", variant(seed_bytes, 2))])
    assert [(r.name, r.status) for r in results] == [
        ("empty.txt", "rejected"), ("a.txt", "added"), ("photo.txt", "rejected"),
        ("b.md", "added")]
    assert db.article_count() == 2


def test_malformed_timestamp_loads_with_a_warning(db, seed_bytes):
    data = seed_bytes.replace(b"<!--1694702340000-->", b"<!--2023-09-14 noon-->")
    result = one(db, "odd-time.txt", data)
    warning = ("the publication time '2023-09-14 noon' is not an epoch timestamp; the date is "
               "left empty")
    assert result.status == "added"
    assert result.warnings == [warning]
    assert result.reason == warning
    assert db.fetchall("SELECT published, warnings FROM articles") == [(None, warning)]


# -- identity: duplicates are not parsed again ----------------------------------------------

def test_stored_bytes_are_not_parsed_again(db, seed_bytes, monkeypatch):
    first = one(db, "seed.txt", seed_bytes)
    assert first.status == "added"
    version = db.version()

    def must_not_parse(files):
        raise AssertionError(f"{[name for name, _ in files]} was parsed again")

    monkeypatch.setattr(pipeline, "analyse_many", must_not_parse)
    again = one(db, "seed-copy.txt", seed_bytes)
    assert (again.status, again.reason, again.article_id, again.title) == (
        "duplicate", "already in the store (the same file was loaded before)",
        first.article_id, "朝俄加强军事关系\u3000中国态度暧昧含糊")
    assert db.version() == version


def test_same_bytes_twice_in_one_batch(db, seed_bytes):
    results = ingest_uploads(db, [("a.txt", seed_bytes), ("b.txt", seed_bytes)])
    assert [(r.status, r.reason) for r in results] == [
        ("added", None), ("duplicate", "the same file as 'a.txt' in this batch")]
    assert results[0].article_id == results[1].article_id
    assert db.article_count() == 1


def test_new_version_of_an_article_is_an_update(db, seed_bytes):
    one(db, "v1.txt", seed_bytes)
    result = one(db, "v2.txt", seed_bytes.replace("近日，".encode(), "本周，".encode(), 1))
    assert result.status == "updated"
    assert db.fetchall("SELECT count(*), min(source) FROM articles") == [(1, "v2.txt")]


def test_uploads_turned_off(db, seed_bytes, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_UPLOAD_ENABLED", "false")
    assert [(r.status, r.reason) for r in ingest_uploads(db, [("a.txt", seed_bytes)])] == [
        ("rejected", "uploads are turned off on this server (setting upload_enabled)")]
    assert db.article_count() == 0


# -- batch limits ---------------------------------------------------------------------------

def test_batch_file_limit_rejects_the_files_past_it(db, seed_bytes, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_MAX_BATCH_FILES", "2")
    results = ingest_uploads(db, [(f"{i}.txt", variant(seed_bytes, i)) for i in range(3)])
    assert [(r.status, r.reason) for r in results] == [
        ("added", None), ("added", None),
        ("rejected", "not loaded: this batch is over 2 files (setting max_batch_files); "
                     "upload the rest in another batch")]


def test_batch_size_limit(db, seed_bytes, monkeypatch):
    monkeypatch.setenv("NEWSROOM_LENS_MAX_BATCH_MB", "0.015")  # 15 KB: room for one seed
    results = ingest_uploads(db, [(f"{i}.txt", variant(seed_bytes, i)) for i in range(2)])
    assert [(r.status, r.reason) for r in results] == [
        ("added", None),
        ("rejected", "not loaded: this batch is over 15 KB (setting max_batch_mb); upload the "
                     "rest in another batch")]


# -- .zip archives --------------------------------------------------------------------------

def test_zip_members_are_named_after_the_archive(db, seed_bytes):
    archive = make_zip([("inner/a.txt", variant(seed_bytes, 1)),
                        ("inner/b.html", variant(seed_bytes, 2)),
                        ("inner/", b""),
                        ("__MACOSX/inner/._a.txt", b"\x00\x05\x16\x07"),
                        (".DS_Store", b"\x00\x00\x00\x01Bud1"),
                        ("inner/photo.jpg", b"\xff\xd8\xff\xe0")])
    results = ingest_uploads(db, [("batch.zip", archive)])
    assert [(r.name, r.status, r.reason) for r in results] == [
        ("batch.zip/inner/a.txt", "added", None),
        ("batch.zip/inner/b.html", "added", None),
        ("batch.zip/inner/photo.jpg", "rejected",
         "'.jpg' files are not accepted; upload .txt, .md, .html, .htm or .zip files")]
    assert sorted(n for (n,) in db.fetchall("SELECT source FROM articles")) == [
        "batch.zip/inner/a.txt", "batch.zip/inner/b.html"]


WHOLE = "; nothing from the archive was loaded"


@pytest.mark.parametrize("member, reason", [
    ("../evil.txt", "the archive contains an entry with an unsafe path ('../evil.txt'): names "
                    "with '..' or absolute paths are refused" + WHOLE),
    ("docs/../../evil.txt", "the archive contains an entry with an unsafe path "
                            "('docs/../../evil.txt'): names with '..' or absolute paths are "
                            "refused" + WHOLE),
    ("/etc/evil.txt", "the archive contains an entry with an unsafe path ('/etc/evil.txt'): "
                      "names with '..' or absolute paths are refused" + WHOLE),
    ("C:/evil.txt", "the archive contains an entry with an unsafe path ('C:/evil.txt'): names "
                    "with '..' or absolute paths are refused" + WHOLE),
])
def test_zip_with_unsafe_names_is_refused_whole(db, seed_bytes, member, reason):
    archive = make_zip([("good.txt", variant(seed_bytes, 1)),
                        (zipfile.ZipInfo(member), variant(seed_bytes, 2))])
    before = state(db)
    assert [(r.name, r.status, r.reason) for r in ingest_uploads(db, [("a.zip", archive)])] == [
        ("a.zip", "rejected", reason)]
    assert state(db) == before


def test_zip_bomb_is_refused(db, seed_bytes):
    archive = make_zip([("good.txt", variant(seed_bytes, 1)), ("bomb.txt", b"0" * 5_000_000)])
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo("bomb.txt")
    ratio = info.file_size / info.compress_size
    assert ratio > 500
    before = state(db)
    [result] = ingest_uploads(db, [("bomb.zip", archive)])
    assert (result.name, result.status, result.reason) == (
        "bomb.zip", "rejected",
        f"the archive looks like a zip bomb: 'bomb.txt' unpacks to {ratio:,.0f} times its packed "
        f"size (the limit is 100, setting zip_max_ratio){WHOLE}")
    assert state(db) == before


def test_zip_symlink_is_refused(db, seed_bytes):
    link = zipfile.ZipInfo("link.txt")
    link.create_system = 3
    link.external_attr = 0o120777 << 16
    archive = make_zip([("good.txt", variant(seed_bytes, 1)), (link, b"/etc/passwd")])
    assert [(r.status, r.reason) for r in ingest_uploads(db, [("l.zip", archive)])] == [
        ("rejected", "the archive contains a symbolic link ('link.txt'); archives with links "
                     "are refused" + WHOLE)]
    assert db.article_count() == 0


def test_zip_member_count_and_unpacked_size_limits(db, seed_bytes, monkeypatch):
    archive = make_zip([(f"{i}.txt", variant(seed_bytes, i)) for i in range(3)])
    monkeypatch.setenv("NEWSROOM_LENS_ZIP_MAX_MEMBERS", "2")
    assert [(r.status, r.reason) for r in ingest_uploads(db, [("m.zip", archive)])] == [
        ("rejected", "the archive holds 3 entries; the limit is 2 (setting zip_max_members)"
         + WHOLE)]
    monkeypatch.delenv("NEWSROOM_LENS_ZIP_MAX_MEMBERS")
    monkeypatch.setenv("NEWSROOM_LENS_ZIP_MAX_UNPACKED_MB", "0.02")
    unpacked = sum(len(variant(seed_bytes, i)) for i in range(3))
    assert [(r.status, r.reason) for r in ingest_uploads(db, [("m.zip", archive)])] == [
        ("rejected", f"the archive unpacks to {unpacked / 1024:.0f} KB; the limit is 20 KB "
                     "(setting zip_max_unpacked_mb)" + WHOLE)]
    assert db.article_count() == 0


def test_zip_member_problems_reject_that_member_only(db, seed_bytes):
    nested = make_zip([("x.txt", variant(seed_bytes, 9))])
    archive = make_zip([("good.txt", variant(seed_bytes, 1)), ("locked.txt", b"garbled"),
                        ("inner.zip", nested), ("disguised.txt", nested)])
    archive = mark_encrypted(archive, "locked.txt")
    assert zipfile.ZipFile(io.BytesIO(archive)).getinfo("locked.txt").flag_bits & 0x1
    results = ingest_uploads(db, [("mix.zip", archive)])
    nested_reason = "archives inside an archive are not opened; unpack it and upload its files"
    assert [(r.name, r.status, r.reason) for r in results] == [
        ("mix.zip/good.txt", "added", None),
        ("mix.zip/locked.txt", "rejected",
         "this file in the archive is password-protected and cannot be read"),
        ("mix.zip/inner.zip", "rejected", nested_reason),
        ("mix.zip/disguised.txt", "rejected", nested_reason)]
    assert db.article_count() == 1


def test_damaged_zip_member(db, seed_bytes):
    data = variant(seed_bytes, 1)
    archive = bytearray(make_zip([("a.txt", data)], method=zipfile.ZIP_STORED))
    at = archive.index(data[:40])
    archive[at + 100] ^= 0xFF  # flip a byte: the CRC no longer matches
    assert [(r.name, r.status, r.reason) for r in
            ingest_uploads(db, [("d.zip", bytes(archive))])] == [
        ("d.zip/a.txt", "rejected",
         "this file in the archive is damaged and cannot be unpacked (BadZipFile)")]


def test_zip_member_names_in_the_local_code_page(db, seed_bytes):
    # Windows archivers write Chinese names in GBK without the UTF-8 flag.
    placeholder = "abcd.txt"
    gbk = "新闻.txt".encode("gbk")
    assert len(gbk) == len(placeholder)
    archive = make_zip([(placeholder, variant(seed_bytes, 1))]).replace(placeholder.encode(), gbk)
    assert [(r.name, r.status) for r in ingest_uploads(db, [("中文.zip", archive)])] == [
        ("中文.zip/新闻.txt", "added")]


def test_zip_without_articles(db):
    archive = make_zip([("photo.png", PNG), ("dir/", b"")])
    assert [(r.name, r.status, r.reason) for r in ingest_uploads(db, [("p.zip", archive)])] == [
        ("p.zip/photo.png", "rejected",
         "'.png' files are not accepted; upload .txt, .md, .html, .htm or .zip files")]
    assert [(r.name, r.reason) for r in
            ingest_uploads(db, [("e.zip", make_zip([("__MACOSX/._x.txt", b"x")]))])] == [
        ("e.zip", "the archive holds no article files (.txt, .md, .html, .htm)")]


# -- folders and the command line ----------------------------------------------------------

def test_ingest_paths_walks_folders(db, seed_bytes, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_bytes(variant(seed_bytes, 1))
    (folder / "sub" / "b.htm").write_bytes(variant(seed_bytes, 2))
    (folder / "a.gold.json").write_text("{}")  # not an article file: skipped without a word
    (folder / "pack.zip").write_bytes(make_zip([("c.txt", variant(seed_bytes, 3))]))
    results = ingest_paths(db, [folder, tmp_path / "missing.txt"])
    assert [(r.name, r.status, r.reason) for r in results] == [
        ("a.txt", "added", None), ("pack.zip/c.txt", "added", None),
        ("sub/b.htm", "added", None),
        (str(tmp_path / "missing.txt"), "rejected", "no such file or folder")]


def test_parallel_parse_gives_the_same_result(db, seed_bytes, tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "POOL_MIN_FILES", 8)
    monkeypatch.setattr(ingest, "JOB_SIZE", 3)
    folder = tmp_path / "many"
    folder.mkdir()
    n = 11
    for i in range(n):
        (folder / f"{i:03d}.txt").write_bytes(variant(seed_bytes, i))
    (folder / "zz-empty.txt").write_bytes(b"")
    threads = db.fetchall("SELECT current_setting('threads')")
    seen_threads = []
    real_write = db.write_prepared
    monkeypatch.setattr(db, "write_prepared", lambda items: (
        seen_threads.append(db.fetchall("SELECT current_setting('threads')")[0][0]),
        real_write(items))[1])
    results = ingest_paths(db, [folder], workers=2)
    assert seen_threads == [1]  # the bulk load writes on one DuckDB thread...
    assert db.fetchall("SELECT current_setting('threads')") == threads  # ...and gives them back
    assert [r.status for r in results] == ["added"] * n + ["rejected"]
    assert results[-1].reason == "the file is empty"
    assert db.article_count() == n
    expected = len(pipeline.analyse(variant(seed_bytes, 0), "x").article.blocks)
    per_article = db.fetchall("SELECT count(*) FROM paragraphs GROUP BY article_id")
    assert {c for (c,) in per_article} == {expected}


def test_cli_ingest_summary_and_exit_status(tmp_path, seed_bytes, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(variant(seed_bytes, 1))
    (folder / "b.txt").write_bytes(variant(seed_bytes, 2))
    db_path = str(tmp_path / "cli.duckdb")
    assert ingest.cli_ingest([str(folder)], db=db_path, workers=1) == 0
    out = capsys.readouterr()
    assert out.out.startswith("added 2, updated 0, already present 0, failed 0 (of 2 files) in ")
    assert "100% 2/2 files" in out.err
    (folder / "empty.txt").write_bytes(b"")
    assert ingest.cli_ingest([str(folder)], db=db_path, workers=1) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("added 0, updated 0, already present 2, failed 1 (of 3 files) in ")
    assert lines[1:] == ["failed: empty.txt: the file is empty"]
    assert ingest.cli_reparse(db=db_path, workers=1) == 0
    assert capsys.readouterr().out.startswith("re-derived 2 articles, failed 0 in ")
    from components.store import close_store
    close_store(db_path)


def test_cli_entry_point(tmp_path, seed_bytes):
    (tmp_path / "a.txt").write_bytes(seed_bytes)
    done = subprocess.run(
        [sys.executable, "-m", "components.cli", "ingest", str(tmp_path / "a.txt"),
         "--db", str(tmp_path / "x.duckdb")], cwd=ROOT, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("added 1, updated 0, already present 0, failed 0 (of 1 files)")


def test_workers_never_run_the_main_script_again(tmp_path, seed_bytes):
    # Under `streamlit run` the process's __main__ is the app script; a worker that ran it again
    # would start a second dashboard. This script has no __main__ guard on purpose.
    for i in range(4):
        (tmp_path / f"{i}.txt").write_bytes(variant(seed_bytes, i))
    marker = tmp_path / "main-ran"
    script = tmp_path / "unguarded.py"
    script.write_text(
        "import pathlib, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        f"with open({str(marker)!r}, 'a') as f:\n"
        "    f.write('x')\n"
        "from components import ingest\n"
        "from components.store import Store\n"
        "ingest.POOL_MIN_FILES = 1\n"
        "ingest.JOB_SIZE = 1\n"
        f"s = Store({str(tmp_path / 'w.duckdb')!r})\n"
        f"results = ingest.ingest_paths(s, [{str(tmp_path)!r}], workers=2)\n"
        "print(sorted(r.status for r in results if r.name.endswith('.txt')))\n")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['added', 'added', 'added', 'added']"
    assert marker.read_text() == "x"  # the script ran once: in its own process only


def test_warm_up_article_exercises_every_stage():
    """The forkserver's warm-up must touch every stage, or workers still load lazily."""
    from components import pipeline

    analysis = pipeline.analyse(pipeline.WARM_UP_ARTICLE, "warm-up.txt")
    assert {m.type for m in analysis.mentions} == {"person", "place", "org"}
    assert {m.name for m in analysis.mentions} >= {"米勒", "刘德海"}
    assert {q.speaker for q in analysis.quotes} == {"米勒", "刘德海"}
    assert [s.platform for s in analysis.social] == ["twitter"]


def test_progress_moves_per_analysed_file_not_per_write_batch(db, seed_bytes, monkeypatch):
    # Five files, one write batch: the bar must still move file by file while they are analysed.
    monkeypatch.setattr(ingest, "PROGRESS_INTERVAL_S", 0.0)
    seen: list[tuple[int, int, str]] = []
    files = [(f"a{i}.txt", variant(seed_bytes, i)) for i in range(5)]
    ingest_uploads(db, files, progress=lambda done, total, message: seen.append(
        (done, total, message)), workers=1)
    done_counts = [d for d, _, _ in seen]
    assert done_counts == sorted(done_counts)
    assert {1, 2, 3, 4, 5} <= set(done_counts)
    waiting = [m for d, _, m in seen if d == 3]
    assert "0 added" in waiting[0] and "3 analysed and waiting to be saved" in waiting[0]
    assert seen[-1] == (5, 5, "5 added, 0 updated, 0 already present, 0 rejected")


def test_bulk_load_nests_and_restores_the_thread_count(db):
    def threads():
        return db.fetchall("SELECT current_setting('threads')")[0][0]

    db.fetchall("SET threads = 3")
    with db.bulk_load():
        with db.bulk_load():
            assert threads() == 1
        assert threads() == 1  # the outer load is still running
    assert threads() == 3


def test_extension_reads_names_as_posix_paths_do():
    import itertools

    pieces = ["a", ".", "/", "\\", "TXT", ".Zip", "..", " ", "文"]
    for k in range(6):
        for combo in itertools.product(pieces, repeat=k):
            name = "".join(combo)
            assert ingest._extension(name) == \
                pathlib.PurePosixPath(name.replace("\\", "/")).suffix.lower(), name
            if "/" not in name:
                assert ingest._suffix(name) == pathlib.PurePosixPath(name).suffix, name


def _record_write_sizes(db, monkeypatch) -> list[int]:
    """The number of articles in each write transaction, filled as the store writes."""
    sizes: list[int] = []
    real_write = db.write_prepared
    monkeypatch.setattr(db, "write_prepared", lambda items: (
        sizes.append(len(items)), real_write(items))[1])
    return sizes


def test_write_batches_also_end_at_a_byte_limit(db, seed_bytes, monkeypatch):
    files = [(f"{i}.txt", variant(seed_bytes, i)) for i in range(5)]
    sizes = _record_write_sizes(db, monkeypatch)
    monkeypatch.setattr(ingest, "WRITE_BATCH_MAX_BYTES", 2 * len(files[0][1]))
    results = ingest_uploads(db, files, workers=1)
    assert sizes == [2, 2, 1]  # a batch ends once it holds the limit
    assert [r.status for r in results] == ["added"] * 5
    assert db.article_count() == 5


def test_a_parallel_load_shortens_its_last_write_batches(db, seed_bytes, monkeypatch):
    # Near the end a batch is written once it holds as many articles as are still to be
    # analysed, so the last write (made when every worker is idle) is short: with 12 files
    # and no batch limit reached, [6, 3, 2, 1] instead of one batch of 12.
    files = [(f"{i}.txt", variant(seed_bytes, i)) for i in range(12)]
    sizes = _record_write_sizes(db, monkeypatch)
    monkeypatch.setattr(ingest, "POOL_MIN_FILES", 4)
    monkeypatch.setattr(ingest, "JOB_SIZE", 3)
    monkeypatch.setattr(ingest, "TAIL_BATCH_MIN", 2)
    results = ingest_uploads(db, files, workers=2)
    assert sizes == [6, 3, 2, 1]
    assert [r.status for r in results] == ["added"] * 12
    assert db.article_count() == 12


def test_the_worker_server_starts_without_duckdb():
    # The worker server imports the pipeline and the row batches, and warms up on one
    # article, while the other core waits: DuckDB, which only the writing process needs, stays
    # out (~0.07 s of that wait).
    code = ("import sys\n"
            "import components.worker\n"
            "print('duckdb' in sys.modules, 'components.pipeline' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False True"


def test_parallel_load_keeps_pandas_out_of_the_writing_process(tmp_path, seed_bytes):
    # pyarrow imports pandas the first time it converts Python lists (~0.3 s of CPU): the
    # writing process takes the workers' Arrow batches as slices and builds the files rows
    # from buffers, so a command-line load never pays it.
    for i in range(4):
        (tmp_path / f"{i}.txt").write_bytes(variant(seed_bytes, i))
    code = ("import sys\n"
            "from components import ingest\n"
            "from components.store import Store\n"
            "ingest.POOL_MIN_FILES = 1\n"
            "ingest.JOB_SIZE = 3\n"
            "import os\n"
            "os.environ['NEWSROOM_LENS_WRITE_BATCH_ARTICLES'] = '2'\n"
            f"s = Store({str(tmp_path / 'p.duckdb')!r})\n"
            f"results = ingest.ingest_paths(s, [{str(tmp_path)!r}], workers=2)\n"
            "print(sorted(r.status for r in results), 'pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['added', 'added', 'added', 'added'] False"


# ---------------------------------------------------------------------------------------------
# A worker job runs the stages over all its files at once: the same results as file by file

def _as_comparable(result):
    if isinstance(result, Exception):
        return (type(result).__name__, str(result))
    return pipeline.frame_rows(result)


def test_stage_by_stage_gives_what_file_by_file_gives(seed_bytes, devset):
    files = [("seed.txt", seed_bytes), ("empty.txt", b""), ("markup.txt", b"<p></p>"),
             ("bad.txt", b"\xff\xfe\x00\x01")]
    files += [(p.name, p.read_bytes()) for p in devset[:8]]
    expected = []
    for name, data in files:
        try:
            expected.append(_as_comparable(pipeline.analyse(data, name)))
        except Exception as exc:  # noqa: BLE001
            expected.append(_as_comparable(exc))
    assert [_as_comparable(r) for r in pipeline.analyse_many(files)] == expected
    assert sum(isinstance(r, tuple) for r in expected) >= 2  # errors are among them


@pytest.mark.parametrize("raised, outcome", [
    (RecursionError("deep"), ("error", "the article is nested too deeply to analyse")),
    (MemoryError(), ("error", "the file needs too much memory to analyse")),
    (KeyError("x"), ("error", "the file could not be analysed (internal error: KeyError: 'x')")),
])
def test_a_stage_failing_on_one_file_of_a_job_spares_the_others(seed_bytes, monkeypatch,
                                                                raised, outcome):
    from components import quotes

    real = quotes.extract_quotes

    def failing_on_the_second(article, mentions):
        if article.source == "b.txt":
            raise raised
        return real(article, mentions)

    monkeypatch.setattr(quotes, "extract_quotes", failing_on_the_second)
    items = [(f"{c}.txt", variant(seed_bytes, i)) for i, c in enumerate("abc")]
    outcomes = ingest._analyse_job(items)
    assert [kind for kind, _ in outcomes] == ["ok", "error", "ok"]
    assert outcomes[1] == outcome


@pytest.mark.parametrize("total, workers, size", [
    (10_000, 2, 64),  # a large load: the largest jobs
    (300, 2, 38),  # an upload of a few hundred files: 8 jobs, 4 per worker
    (100, 2, 13),
    (64, 2, 8),  # never below the smallest job
    (5_000, 8, 64),
    (0, 2, 8),
])
def test_job_size_spreads_a_small_load_over_the_workers(total, workers, size):
    assert ingest._job_size(total, workers) == size


class _Sized:
    def __init__(self, size: int):
        self.data = b"x" * size


@pytest.mark.parametrize("total", [100, 1000, 10_000])
def test_jobs_shrink_towards_the_end_of_a_load(total):
    items = [_Sized(10)] * total
    sizes = [len(c) for c in ingest._job_chunks(iter(items), total, 2)]
    assert sum(sizes) == total
    assert sizes[0] == ingest._job_size(total, 2)
    assert sizes == sorted(sizes, reverse=True)  # never growing again
    assert sizes[-1] <= ingest.JOB_SIZE_MIN  # the last job is a small one


def test_a_job_also_ends_at_a_byte_limit(monkeypatch):
    monkeypatch.setattr(ingest, "JOB_MAX_BYTES", 100)
    items = [_Sized(40)] * 10
    assert [len(c) for c in ingest._job_chunks(iter(items), 1000, 2)] == [3, 3, 3, 1]


def test_a_failed_file_of_a_job_keeps_no_traceback(seed_bytes, monkeypatch):
    # The other files of the job go on through the later stages: the failed stage's frames
    # (and what they hold) must not stay alive meanwhile.
    from components import quotes

    def failing(article, mentions):
        raise MemoryError("out of memory")

    monkeypatch.setattr(quotes, "extract_quotes", failing)
    results = pipeline.analyse_many([("a.txt", seed_bytes), ("b.txt", b"")])
    assert [type(r).__name__ for r in results] == ["MemoryError", "ArticleError"]
    assert all(r.__traceback__ is None and r.__context__ is None for r in results)


def test_a_parallel_load_starts_the_worker_server_before_walking_the_paths(tmp_path, seed_bytes,
                                                                           monkeypatch, db):
    # The server's imports and warm-up (about a second) overlap the walk and the first reads.
    calls = []
    monkeypatch.setattr(ingest, "_start_worker_server", lambda: calls.append("server"))
    real_walk = ingest._walk
    monkeypatch.setattr(ingest, "_walk", lambda paths: (calls.append("walk"), real_walk(paths))[1])
    monkeypatch.setattr(ingest, "POOL_MIN_FILES", 3)
    paths = []
    for i in range(3):
        (tmp_path / f"{i}.txt").write_bytes(variant(seed_bytes, i))
        paths.append(tmp_path / f"{i}.txt")
    results = ingest_paths(db, paths, workers=2)
    assert [r.status for r in results] == ["added"] * 3
    assert calls[:2] == ["server", "walk"]
    calls.clear()
    ingest_paths(db, paths[:2], workers=2)  # too few to need workers: no server
    assert calls == ["walk"]
