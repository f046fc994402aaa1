"""Getting files into the store safely and fast: uploads, folders, .zip archives, re-derivation.

In: uploaded files ``[(name, bytes)]`` (``ingest_uploads``), paths to files/folders/.zip
archives (``ingest_paths``, the command line), or the store's own kept bytes
(``reparse_store``). Out: one ``FileResult`` per file, in input order, saying what happened in
plain words: added, updated (same article, new bytes), duplicate (these bytes are already stored)
or rejected (why). A bad file never stops the batch, and nothing is half-written: a file is either
stored whole (article + all derived rows + bytes, in one transaction) or not at all.

Order of work, cheapest first: extension and size checks, .zip safety checks (member count,
unpacked size, compression ratio, unsafe or absolute names, symbolic links, encryption, nested
archives), then the content hash; a file whose bytes are already stored is reported as a
duplicate WITHOUT being parsed. Only the rest is parsed (``pipeline.analyse_many``: each file's
analysis is a pure function of its bytes and name), in worker processes for large batches, while the main process writes the finished articles in batches
through ``Store.write_prepared``: the store has a single writer.
Limits come from ``components.settings``.
"""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import hashlib
import io
import operator
import os
import pathlib
import re
import stat
import sys
import threading
import time
import zipfile
import zlib
from dataclasses import dataclass, field
from multiprocessing import context as mp_context
from multiprocessing import forkserver, popen_forkserver
from multiprocessing import spawn as mp_spawn
from multiprocessing import util as mp_util
from typing import Callable, Iterable, Iterator

from . import settings as _settings
from .model import ArticleError
from .store import Prepared, Store, StoreError, WriteResult

ARTICLE_EXTENSIONS = (".txt", ".md", ".html", ".htm")
ZIP_EXTENSION = ".zip"
ACCEPTED_TEXT = ".txt, .md, .html, .htm or .zip"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_UTF8_FLAG = 0x800
# Below this unpacked size a high ratio is harmless (a page of blanks compresses 1000:1).
ZIP_RATIO_MIN_BYTES = 1024 * 1024
# Archive entries that are operating-system litter, skipped without a word.
ZIP_LITTER_RE = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\._)", re.I)
UNSAFE_NAME_RE = re.compile(r"^(/|[A-Za-z]:)|(^|/)\.\.(/|$)")
# Files handed to a worker process at a time, and jobs kept in flight per worker (enough to
# keep the workers busy while the main process writes a batch). A job runs each stage over all
# its files (pipeline.analyse_many) and sends its rows back as one Arrow batch: per article,
# 64 files cost about 4% less CPU than 32. A smaller load (or the end of a large one) gets
# smaller jobs, JOBS_IN_FLIGHT_PER_WORKER per worker where JOB_SIZE_MIN allows, so that the
# work still spreads evenly (``_job_size``).
JOB_SIZE = 64
JOB_SIZE_MIN = 8
JOBS_IN_FLIGHT_PER_WORKER = 4
# A job also ends once its files hold this many bytes: a worker keeps every file's analysis
# until its job is done (about 8 times the file's size), and the main process keeps the
# files of every job in flight.
JOB_MAX_BYTES = 16 * 1024 * 1024
# Fewer files than this are parsed in-process: starting workers costs more than it saves.
POOL_MIN_FILES = 64
# Stored-hash look-ups are made per this many files.
LOOKUP_CHUNK = 256
# A write batch (setting write_batch_articles) also ends once its files hold this many bytes:
# the batch keeps them in memory until its transaction commits.
WRITE_BATCH_MAX_BYTES = 256 * 1024 * 1024
# Near the end of a parallel load a batch is written as soon as it holds as many articles as
# are still to be analysed (but at least this many): each write then overlaps the workers'
# last files, and the one left after them, when every worker is idle, is short. A full final
# batch (1,000 articles) kept both workers idle for about 0.2 s of a 16 s load.
TAIL_BATCH_MIN = 64

Progress = Callable[[int, int, str], None]


@dataclass
class FileResult:
    name: str
    status: str  # 'added' | 'updated' | 'duplicate' | 'rejected'
    reason: str | None = None  # why it was rejected, what it duplicates, or its warnings
    article_id: str | None = None
    title: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Reject:
    name: str
    reason: str


@dataclass
class _File:
    name: str
    data: bytes


@dataclass
class Limits:
    """The settings in force for one batch, read once so a batch is judged consistently."""
    max_file: int
    zip_members: int
    zip_unpacked: int
    zip_ratio: float
    max_batch_files: int | None = None
    max_batch: int | None = None

    @classmethod
    def from_settings(cls, batch: bool) -> "Limits":
        return cls(max_file=_settings.mb("max_file_mb"),
                   zip_members=int(_settings.get("zip_max_members")),
                   zip_unpacked=_settings.mb("zip_max_unpacked_mb"),
                   zip_ratio=float(_settings.get("zip_max_ratio")),
                   max_batch_files=int(_settings.get("max_batch_files")) if batch else None,
                   max_batch=_settings.mb("max_batch_mb") if batch else None)


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f} MB" if value >= 0.1 else f"{size / 1024:.0f} KB"


def _limit_mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:g} MB" if value >= 1 else f"{size / 1024:.0f} KB"


def _suffix(filename: str) -> str:
    """``PurePath.suffix`` of a final path component (a name without '/'), without building a
    path object: the ingest asks this twice per file."""
    dot = filename.rfind(".")
    return filename[dot:] if 0 < dot < len(filename) - 1 else ""


def _extension(name: str) -> str:
    """The lower-case suffix of the last component of an entry name ('\\' counts as '/'),
    as ``PurePosixPath(name).suffix``: empty and '.' components are skipped."""
    for part in reversed(name.replace("\\", "/").split("/")):
        if part and part != ".":
            return _suffix(part).lower()
    return ""


def _extension_reason(ext: str) -> str:
    what = f"'{ext}' files" if ext else "files without an extension"
    return f"{what} are not accepted; upload {ACCEPTED_TEXT} files"


def _too_big(size: int, limits: Limits) -> str:
    return (f"the file is {_mb(size)}; the limit is {_limit_mb(limits.max_file)} per file "
            "(setting max_file_mb)")


# ---------------------------------------------------------------------------------------------
# .zip archives

def member_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author wrote it.

    Without the UTF-8 flag zipfile reads names as CP437, which garbles the Chinese names that
    Windows archivers write in the local code page; UTF-8 then GB18030 are tried first.
    """
    name = info.filename
    if not info.flag_bits & ZIP_UTF8_FLAG:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def expand_zip(name: str, data: bytes, limits: Limits) -> list[_Reject | _File]:
    """The article files inside an archive, or one rejection of the whole archive.

    Threats refuse the whole archive (nothing from it is stored): too many entries, too much
    unpacked data, a zip-bomb compression ratio, names that climb out of the archive or are
    absolute, symbolic links. Problems of one entry (encrypted, nested archive, wrong type,
    too big, damaged) reject that entry alone, named ``archive.zip/inner/name.txt``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return [_Reject(name, "this .zip archive cannot be opened: it is damaged or not a zip "
                              "archive")]
    whole = "; nothing from the archive was loaded"
    if len(infos) > limits.zip_members:
        return [_Reject(name, f"the archive holds {len(infos):,} entries; the limit is "
                              f"{limits.zip_members:,} (setting zip_max_members){whole}")]
    for info in infos:
        member = info.filename.replace("\\", "/")
        if UNSAFE_NAME_RE.search(member):
            return [_Reject(name, f"the archive contains an entry with an unsafe path "
                                  f"({info.filename!r}): names with '..' or absolute paths are "
                                  f"refused{whole}")]
        if stat.S_ISLNK(info.external_attr >> 16):
            return [_Reject(name, f"the archive contains a symbolic link ({info.filename!r}); "
                                  f"archives with links are refused{whole}")]
    files = [i for i in infos if not i.is_dir()]
    unpacked = sum(i.file_size for i in files)
    if unpacked > limits.zip_unpacked:
        return [_Reject(name, f"the archive unpacks to {_mb(unpacked)}; the limit is "
                              f"{_limit_mb(limits.zip_unpacked)} (setting zip_max_unpacked_mb)"
                              f"{whole}")]
    for info in files:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= ZIP_RATIO_MIN_BYTES and ratio > limits.zip_ratio:
            return [_Reject(name, f"the archive looks like a zip bomb: {info.filename!r} "
                                  f"unpacks to {ratio:,.0f} times its packed size (the limit is "
                                  f"{limits.zip_ratio:g}, setting zip_max_ratio){whole}")]
    packed = sum(i.compress_size for i in files)
    if unpacked >= ZIP_RATIO_MIN_BYTES and unpacked / max(packed, 1) > limits.zip_ratio:
        return [_Reject(name, f"the archive looks like a zip bomb: it unpacks to "
                              f"{unpacked / max(packed, 1):,.0f} times its packed size (the limit"
                              f" is {limits.zip_ratio:g}, setting zip_max_ratio){whole}")]
    out: list[_Reject | _File] = []
    for info in files:
        member = member_name(info).replace("\\", "/")
        if ZIP_LITTER_RE.search(member):
            continue
        inner = f"{name}/{member}"
        ext = _extension(member)
        if ext == ZIP_EXTENSION:
            out.append(_Reject(inner, "archives inside an archive are not opened; unpack it and "
                                      "upload its files"))
        elif ext not in ARTICLE_EXTENSIONS:
            out.append(_Reject(inner, _extension_reason(ext)))
        elif info.flag_bits & 0x1:
            out.append(_Reject(inner, "this file in the archive is password-protected and "
                                      "cannot be read"))
        elif info.file_size > limits.max_file:
            out.append(_Reject(inner, _too_big(info.file_size, limits)))
        else:
            try:
                with archive.open(info) as handle:
                    content = handle.read(limits.max_file + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError,
                    NotImplementedError, ValueError) as exc:
                out.append(_Reject(inner, f"this file in the archive is damaged and cannot be "
                                          f"unpacked ({type(exc).__name__})"))
                continue
            if len(content) > limits.max_file:
                out.append(_Reject(inner, _too_big(len(content), limits)))
            elif content.startswith(ZIP_MAGIC):
                out.append(_Reject(inner, "archives inside an archive are not opened; unpack it "
                                          "and upload its files"))
            else:
                out.append(_File(inner, content))
    if not out:
        kinds = ", ".join(ARTICLE_EXTENSIONS)
        return [_Reject(name, f"the archive holds no article files ({kinds})")]
    return out


def _one_file(name: str, data: bytes, limits: Limits) -> list[_Reject | _File]:
    ext = _extension(name)
    if ext == ZIP_EXTENSION:
        return expand_zip(name, data, limits)
    if ext not in ARTICLE_EXTENSIONS:
        return [_Reject(name, _extension_reason(ext))]
    if len(data) > limits.max_file:
        return [_Reject(name, _too_big(len(data), limits))]
    return [_File(name, data)]


# ---------------------------------------------------------------------------------------------
# Parsing (in this process or in worker processes)

def _analyse_many(items: list[tuple[str, bytes]]) -> list[tuple]:
    """Each item -> ('ok', (Analysis, rows)) or ('error', message), stage by stage over them
    all (``pipeline.analyse_many``). Never raises for a bad file: one must not stop the batch."""
    from . import pipeline

    outcomes = []
    for result in pipeline.analyse_many(items):
        if isinstance(result, Exception):
            outcomes.append(_error_outcome(result))
            continue
        try:
            outcomes.append(("ok", (result, pipeline.frame_rows(result))))
        except Exception as exc:  # noqa: BLE001
            outcomes.append(_error_outcome(exc))
    return outcomes


def _error_outcome(exc: Exception) -> tuple:
    """('error', message for the user) for what analysing a file raised."""
    if isinstance(exc, ArticleError):
        return ("error", str(exc))
    if isinstance(exc, RecursionError):
        return ("error", "the file is nested too deeply to analyse")
    if isinstance(exc, MemoryError):
        return ("error", "the file needs too much memory to analyse")
    return ("error", _internal_error(exc))


def _internal_error(exc: Exception) -> str:
    return (f"the file could not be analysed (internal error: {type(exc).__name__}: "
            f"{str(exc)[:200]})")


def _analyse_job(items: list[tuple[str, bytes]]) -> list[tuple]:
    """One job of files -> ('ok', Prepared without bytes) or ('error', message) per file.

    The rows of the job's articles travel as one ``ArrowRows`` batch (see store.ArrowRows)."""
    from .store import ArrowRows, Prepared

    outcomes = _analyse_many(items)
    done = [(i, *payload) for i, (kind, payload) in enumerate(outcomes) if kind == "ok"]
    try:
        batch = ArrowRows.from_rows([rows for _, _, rows in done])
        slots = {i: (batch, slot) for slot, (i, _, _) in enumerate(done)}
    except Exception:  # noqa: BLE001  one unconvertible article: find it, keep the others
        slots = {}
        for i, _, rows in done:
            try:
                slots[i] = (ArrowRows.from_rows([rows]), 0)
            except Exception as exc:  # noqa: BLE001
                outcomes[i] = ("error", _internal_error(exc))
    for i, analysis, _ in done:
        if i in slots:
            a = analysis.article
            outcomes[i] = ("ok", Prepared(a.source, a.content_hash, a.id, a.title, None, b"",
                                          list(a.warnings), slots[i]))
    return outcomes


def _worker_count(workers: int | None) -> int:
    if workers is None:
        workers = int(_settings.get("ingest_workers"))
    if workers <= 0:
        workers = os.cpu_count() or 1
    return max(1, workers)


# Keys of a child's start-up data that make it run the parent's __main__ module again.
MAIN_MODULE_KEYS = ("init_main_from_path", "init_main_from_name")


class _PopenWithoutMain(popen_forkserver.Popen):
    """Starts a forkserver child without running the parent's ``__main__`` in it.

    Under ``streamlit run`` the parent's ``__main__`` is the app script: multiprocessing would
    run the whole dashboard again in every worker (and open the store there). Workers need
    nothing but ``components.ingest``. Same steps as the standard library's ``_launch``
    (Python 3.11-3.13), minus those keys.
    """

    def _launch(self, process_obj):
        prep_data = mp_spawn.get_preparation_data(process_obj._name)
        for key in MAIN_MODULE_KEYS:
            prep_data.pop(key, None)
        buf = io.BytesIO()
        mp_context.set_spawning_popen(self)
        try:
            mp_context.reduction.dump(prep_data, buf)
            mp_context.reduction.dump(process_obj, buf)
        finally:
            mp_context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)
        parent_w = os.dup(w)
        self.finalizer = mp_util.Finalize(self, mp_util.close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _ProcessWithoutMain(mp_context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj):
        return _PopenWithoutMain(process_obj)


class _ContextWithoutMain(mp_context.ForkServerContext):
    Process = _ProcessWithoutMain


# How often a worker checks that the process that owns its pool is still alive.
OWNER_CHECK_S = 1.0


def _watch_owner(owner: int) -> None:
    while True:
        time.sleep(OWNER_CHECK_S)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(0)
        except PermissionError:  # alive, another user's (cannot happen for our owner)
            pass


def _worker_init(owner: int) -> None:
    """In each worker: exit when the owner dies. A pool worker waits on its job queue forever
    otherwise (it holds both ends of the pipe), so a killed ingest would leave workers behind."""
    threading.Thread(target=_watch_owner, args=(owner,), daemon=True).start()


# The module the worker server imports before it forks any worker (see _pool).
WORKER_MODULE = "components.worker"


def _worker_context() -> _ContextWithoutMain:
    """The pool's process context; it also sets what the (process-wide) server preloads."""
    ctx = _ContextWithoutMain()
    ctx.set_forkserver_preload([WORKER_MODULE])
    return ctx


def _start_worker_server() -> None:
    """Start the worker server now, without waiting for it: its imports and warm-up take
    about a second, during which this process can walk and read the files. The pool's first
    job connects to it once it is ready. Once running, a call costs a liveness check."""
    _worker_context()  # (the preload)
    forkserver.ensure_running()


def _pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    # forkserver: workers are forked from a clean server process, never from this one (which
    # holds DuckDB and Streamlit threads; forking a threaded process can deadlock).
    # The forkserver imports components.worker once, which loads the pipeline's dictionaries:
    # every worker forked from it starts warm (about a second of CPU saved per worker per pool).
    ctx = _worker_context()
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                                  initializer=_worker_init,
                                                  initargs=(os.getpid(),))


def _job_size(total: int, workers: int) -> int:
    """Files per job when ``total`` files are still to be handed out (see JOB_SIZE)."""
    even = -(-total // (workers * JOBS_IN_FLIGHT_PER_WORKER))  # (ceiling division)
    return max(1, min(JOB_SIZE, max(JOB_SIZE_MIN, even)))


def _parse_stream(items: Iterator, workers: int, parallel: bool,
                  total: int = 0) -> Iterator[tuple]:
    """(item, outcome) for each item (any object with .name and .data), in input order;
    ``total``: about how many items there are (for the job size)."""
    if not parallel or workers <= 1:
        # In this process: the same path as a worker's, one file per job (progress per file).
        for chunk in _chunks(items, 1):
            yield from zip(chunk, _analyse_job([(it.name, it.data) for it in chunk]))
        return
    pool = _pool(workers)
    pending: collections.deque = collections.deque()

    def drain_one():
        chunk, future = pending.popleft()
        try:
            outcomes = future.result()
        except concurrent.futures.process.BrokenProcessPool:
            outcomes = [("error", "the parser process stopped while reading this file (it may "
                                  "need too much memory)")] * len(chunk)
        except Exception as exc:
            outcomes = [("error", f"the file could not be analysed ({type(exc).__name__})")] \
                * len(chunk)
        return list(zip(chunk, outcomes))

    try:
        for chunk in _job_chunks(items, total, workers):
            pending.append((chunk, _submit(pool, chunk)))
            while len(pending) >= workers * JOBS_IN_FLIGHT_PER_WORKER:
                yield from drain_one()
        while pending:
            yield from drain_one()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _bulk(store: Store, parallel: bool):
    """The store's bulk-load mode for a parallel load (see Store.bulk_load), else nothing."""
    return store.bulk_load() if parallel else contextlib.nullcontext()


def _job_chunks(items: Iterator, total: int, workers: int) -> Iterator[list]:
    """The items (with ``.data``) in jobs of ``_job_size`` of the items still to come (of
    ``total``), each also ending at JOB_MAX_BYTES: the jobs shrink towards the end of a load,
    so that the workers finish at about the same time rather than one of them working
    through a full job alone."""
    chunk: list = []
    taken = held = 0
    size = _job_size(total, workers)
    for item in items:
        chunk.append(item)
        held += len(item.data)
        if len(chunk) >= size or held >= JOB_MAX_BYTES:
            yield chunk
            taken += len(chunk)
            chunk, held = [], 0
            size = _job_size(total - taken, workers)
    if chunk:
        yield chunk


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _submit(pool, chunk):
    try:
        return pool.submit(_analyse_job, [(it.name, it.data) for it in chunk])
    except concurrent.futures.process.BrokenProcessPool as exc:
        future: concurrent.futures.Future = concurrent.futures.Future()
        future.set_exception(exc)
        return future


# ---------------------------------------------------------------------------------------------
# The one ingest loop

@dataclass
class _Item:
    index: int
    name: str
    data: bytes
    content_hash: str


# Progress callbacks at most this often (a Streamlit progress bar costs a message each).
PROGRESS_INTERVAL_S = 0.25


class _Tally:
    """Counts for the progress callback.

    A file counts as done once it is analysed, not only once its write batch is saved:
    otherwise a few hundred files would move the bar in one jump per batch."""

    def __init__(self, total: int, progress: Progress | None):
        self.total = total
        self.progress = progress
        self.counts = collections.Counter()
        self.pending = 0  # analysed, waiting in the write buffer
        self.last = 0.0

    def done(self) -> int:
        return sum(self.counts.values()) + self.pending

    def add(self, status: str, n: int = 1) -> None:
        self.counts[status] += n

    def report(self, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if not force and now - self.last < PROGRESS_INTERVAL_S:
            return
        self.last = now
        c = self.counts
        message = (f"{c['added']} added, {c['updated']} updated, {c['duplicate']} already "
                   f"present, {c['rejected']} rejected")
        if self.pending:
            message += f", {self.pending} analysed and waiting to be saved"
        self.progress(self.done(), max(self.total, self.done()), message)


def _result_from_write(w: WriteResult, warnings: list[str]) -> FileResult:
    if w.status == "duplicate":
        return FileResult(w.name, "duplicate", "already in the store (the same file was loaded "
                                               "before)", w.article_id, w.title)
    return FileResult(w.name, w.status, "; ".join(warnings) or None, w.article_id, w.title,
                      list(warnings))


def _ingest_entries(store: Store, entries: Iterable[_Reject | _File], total: int,
                    progress: Progress | None, workers: int | None) -> list[FileResult]:
    results: dict[int, FileResult] = {}
    tally = _Tally(total, progress)
    batch_size = max(1, int(_settings.get("write_batch_articles")))
    n_workers = _worker_count(workers)
    first_of_hash: dict[str, int] = {}
    names: dict[int, str] = {}
    copies: list[tuple[int, int]] = []  # (index, index of the first file with the same bytes)

    def to_parse() -> Iterator[_Item]:
        group: list[_Item] = []
        for index, entry in enumerate(entries):
            names[index] = entry.name
            if isinstance(entry, _Reject):
                results[index] = FileResult(entry.name, "rejected", entry.reason)
                tally.add("rejected")
                continue
            group.append(_Item(index, entry.name, entry.data,
                               hashlib.sha256(entry.data).hexdigest()))
            if len(group) >= LOOKUP_CHUNK:
                yield from screen(group)
                group = []
        if group:
            yield from screen(group)

    def screen(group: list[_Item]) -> Iterator[_Item]:
        """Drop files whose bytes are stored (no parsing) or already met in this batch."""
        known = store.known_hashes({it.content_hash for it in group})
        for it in group:
            if it.content_hash in known:
                aid, title, _ = known[it.content_hash]
                results[it.index] = FileResult(
                    it.name, "duplicate", "already in the store (the same file was loaded "
                                          "before)", aid, title)
                tally.add("duplicate")
            elif it.content_hash in first_of_hash:
                copies.append((it.index, first_of_hash[it.content_hash]))
            else:
                first_of_hash[it.content_hash] = it.index
                yield it
        tally.report()

    buffer: list[tuple[_Item, Prepared]] = []

    def flush() -> None:
        if not buffer:
            return
        for it, p in buffer:  # each Prepared is this batch's own (unpickled or made here)
            p.name, p.data = it.name, it.data
        prepared = [p for _, p in buffer]
        try:
            written = store.write_prepared(prepared)
        except Exception as exc:  # the whole transaction was rolled back
            for it, _ in buffer:
                results[it.index] = FileResult(it.name, "rejected", f"could not be saved in the "
                                               f"store ({type(exc).__name__}: {exc})")
                tally.add("rejected")
        else:
            for (it, p), w in zip(buffer, written):
                results[it.index] = _result_from_write(w, p.warnings)
                tally.add(w.status)
        tally.pending -= len(buffer)
        buffer.clear()
        tally.report()

    parallel = total >= POOL_MIN_FILES
    if parallel:
        _start_worker_server()  # (warming up while the first files are read and hashed)
    buffered_bytes = 0
    with _bulk(store, parallel):
        for item, (kind, payload) in _parse_stream(to_parse(), n_workers, parallel, total):
            if kind == "ok":
                buffer.append((item, payload))
                tally.pending += 1
                buffered_bytes += len(item.data)
                if (len(buffer) >= batch_size or buffered_bytes >= WRITE_BATCH_MAX_BYTES
                        or (parallel and len(buffer) >= TAIL_BATCH_MIN
                            and len(buffer) >= total - tally.done())):
                    flush()
                    buffered_bytes = 0
            else:
                results[item.index] = FileResult(item.name, "rejected", payload)
                tally.add("rejected")
            tally.report()
        flush()
    for index, first in copies:
        base = results[first]
        if base.status == "rejected":
            results[index] = FileResult(names[index], "rejected", base.reason)
        else:
            results[index] = FileResult(names[index], "duplicate",
                                        f"the same file as {base.name!r} in this batch",
                                        base.article_id, base.title)
        tally.add(results[index].status)
    tally.report(force=True)
    return [results[i] for i in sorted(results)]


# ---------------------------------------------------------------------------------------------
# Entry points

def ingest_uploads(store: Store, files: list[tuple[str, bytes]],
                   progress: Progress | None = None,
                   workers: int | None = None) -> list[FileResult]:
    """Uploaded files -> one FileResult per article file (zips expanded). Never raises for a
    bad file; batch limits reject the files past the limit, not the batch."""
    if not _settings.get("upload_enabled"):
        return [FileResult(name, "rejected", "uploads are turned off on this server (setting "
                                             "upload_enabled)") for name, _ in files]
    limits = Limits.from_settings(batch=True)
    entries: list[_Reject | _File] = []
    batch_bytes = 0
    count = 0
    for name, data in files:
        name = name or "unnamed"
        batch_bytes += len(data)
        if batch_bytes > limits.max_batch:
            entries.append(_Reject(name, f"not loaded: this batch is over "
                                         f"{_limit_mb(limits.max_batch)} (setting max_batch_mb); "
                                         "upload the rest in another batch"))
            continue
        for entry in _one_file(name, data, limits):
            if isinstance(entry, _File):
                count += 1
                if count > limits.max_batch_files:
                    entry = _Reject(entry.name, f"not loaded: this batch is over "
                                                f"{limits.max_batch_files:,} files (setting "
                                                "max_batch_files); upload the rest in another "
                                                "batch")
            entries.append(entry)
    return _ingest_entries(store, entries, len(entries), progress, workers)


def _walk(paths: Iterable[str | os.PathLike]) -> list[tuple[str, pathlib.Path | None, str | None]]:
    """(display name, path, problem) for every candidate file under the given paths.

    Files met in a folder walk with other extensions are skipped silently (a folder of articles
    often holds notes and gold files); a file named explicitly is always reported.
    """
    found = []
    for raw in paths:
        path = pathlib.Path(raw)
        found_stat = _stat_or_none(os.stat, path)
        if path.is_dir() if found_stat is None else stat.S_ISDIR(found_stat.st_mode):
            # Sorted as paths sort (component by component), by a key made once per path
            # rather than Path.__lt__ called per comparison: half the time.
            for sub in sorted((p for p in path.rglob("*") if p.is_file() or p.is_symlink()),
                              key=operator.attrgetter("parts")):
                ext = _suffix(sub.name).lower()
                if ext in ARTICLE_EXTENSIONS or ext == ZIP_EXTENSION:
                    found.append((sub.relative_to(path).as_posix(), sub, None))
        elif path.is_file() if found_stat is None else stat.S_ISREG(found_stat.st_mode):
            found.append((path.name, path, None))
        else:
            found.append((str(raw), None, "no such file or folder"))
    return found


def _stat_or_none(stat_call: Callable, path: pathlib.Path) -> os.stat_result | None:
    """One ``os.stat``/``os.lstat`` call in place of pathlib's two or three (is_dir, is_file,
    is_symlink, stat: a system call each); None when it fails, and the caller then asks
    pathlib, whose rules on which errors mean False (or raise) stay the reference."""
    try:
        return stat_call(path)
    except (OSError, ValueError):
        return None


def ingest_paths(store: Store, paths: Iterable[str | os.PathLike],
                 progress: Progress | None = None,
                 workers: int | None = None) -> list[FileResult]:
    """Files, folders (recursively) and .zip archives -> one FileResult per article file.

    Files are read lazily, so a folder of 100,000 articles never sits in memory at once.
    """
    limits = Limits.from_settings(batch=False)
    paths = list(paths)
    if len(paths) >= POOL_MIN_FILES:
        _start_worker_server()  # a parallel load: the server warms up while the paths are read
    found = _walk(paths)

    def entries() -> Iterator[_Reject | _File]:
        for name, path, problem in found:
            yield from ([_Reject(name, problem)] if problem else _read_path(name, path, limits))

    total = sum(_count_members(path)
                if path is not None and _suffix(path.name).lower() == ZIP_EXTENSION
                else 1 for _, path, _ in found)
    return _ingest_entries(store, entries(), total, progress, workers)


def _count_members(path: pathlib.Path) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            return max(1, sum(1 for i in archive.infolist() if not i.is_dir()))
    except (zipfile.BadZipFile, OSError, ValueError):
        return 1


def _read_path(name: str, path: pathlib.Path, limits: Limits) -> list[_Reject | _File]:
    ext = _suffix(path.name).lower()
    # One lstat: the link test, and the size of a file that is not a link.
    own = _stat_or_none(os.lstat, path)
    link = path.is_symlink() if own is None else stat.S_ISLNK(own.st_mode)
    if link and not path.exists():
        return [_Reject(name, "a broken link, not a file")]
    if ext != ZIP_EXTENSION and ext not in ARTICLE_EXTENSIONS:
        return [_Reject(name, _extension_reason(ext))]
    try:
        size = path.stat().st_size if own is None or link else own.st_size
        if ext != ZIP_EXTENSION and size > limits.max_file:
            return [_Reject(name, _too_big(size, limits))]
        data = path.read_bytes()
    except OSError as exc:
        return [_Reject(name, f"cannot read the file: {exc.strerror or exc}")]
    return _one_file(name, data, limits)


# ---------------------------------------------------------------------------------------------
# Re-derivation from the kept bytes

@dataclass
class _Kept:
    name: str
    data: bytes
    content_hash: str
    article_id: str | None


def reparse_store(store: Store, progress: Progress | None = None,
                  workers: int | None = None) -> list[FileResult]:
    """Re-derive every stored article from its kept bytes with the current pipeline.

    One transaction per batch; a crash part-way leaves whole articles (some old, some new) and
    the next start re-derives again, because parser_version is only recorded at the end.
    Returns one FileResult per kept file: 'updated', or 'rejected' when the current parser
    refuses bytes an older one accepted (the bytes stay; the derived rows go).
    """
    total = store.file_count()
    tally = _Tally(total, progress)
    batch_size = max(1, int(_settings.get("write_batch_articles")))
    results: list[FileResult] = []
    buffer: list[tuple[str, str | None, Prepared | None]] = []

    def kept() -> Iterator[_Kept]:
        for rows in store.iter_files(batch=LOOKUP_CHUNK):
            for content_hash, article_id, name, data in rows:
                yield _Kept(name, data, content_hash, article_id)

    def flush() -> None:
        store.replace_derived(buffer)
        buffer.clear()
        tally.report()

    parallel = total >= POOL_MIN_FILES
    with _bulk(store, parallel):
        for item, (kind, payload) in _parse_stream(kept(), _worker_count(workers), parallel,
                                                   total):
            if kind == "ok":
                buffer.append((item.content_hash, item.article_id, payload))
                results.append(FileResult(item.name, "updated",
                                          "; ".join(payload.warnings) or None,
                                          payload.article_id, payload.title,
                                          list(payload.warnings)))
                tally.add("updated")
            else:
                buffer.append((item.content_hash, item.article_id, None))
                results.append(FileResult(item.name, "rejected", payload, item.article_id))
                tally.add("rejected")
            if len(buffer) >= batch_size:
                flush()
            tally.report()
        flush()
    tally.report(force=True)
    return results


# ---------------------------------------------------------------------------------------------
# Command line

class TextProgress:
    """A dependency-free progress bar on stderr: redrawn in place on a terminal, a line per
    tenth of the work otherwise (logs stay short)."""

    WIDTH = 30

    def __init__(self, stream=None, label: str = "files"):
        self.stream = stream or sys.stderr
        self.label = label
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        total = max(total, 1)
        fraction = min(done / total, 1.0)
        rate = done / max(now - self.started, 1e-6)
        filled = int(self.WIDTH * fraction)
        line = (f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {fraction:4.0%} "
                f"{done}/{total} {self.label}, {rate:,.0f}/s  {message}")
        if self.tty:
            if now - self.last_draw >= 0.1 or done >= total:
                self.stream.write("\r" + line[:160].ljust(80))
                self.stream.flush()
                self.last_draw = now
                self.drawn = True
        else:
            tenth = int(fraction * 10)
            if tenth != self.last_tenth:
                self.stream.write(line + "\n")
                self.stream.flush()
                self.last_tenth = tenth

    def close(self) -> None:
        if self.tty and self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def summarize(results: list[FileResult], seconds: float | None = None) -> tuple[str, list[str]]:
    counts = collections.Counter(r.status for r in results)
    line = (f"added {counts['added']}, updated {counts['updated']}, already present "
            f"{counts['duplicate']}, failed {counts['rejected']} (of {len(results)} files)")
    if seconds is not None and results:
        line += f" in {seconds:.1f} s ({len(results) / max(seconds, 1e-6):,.0f} files/s)"
    warned = sum(1 for r in results if r.status in ("added", "updated") and r.warnings)
    if warned:
        line += f"; {warned} loaded with warnings"
    failures = [f"failed: {r.name}: {r.reason}" for r in results if r.status == "rejected"]
    return line, failures


def _open_for_cli(db: str | None):
    from .store import get_store

    try:
        return get_store(db)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def cli_ingest(paths: list[str], db: str | None = None, workers: int | None = None) -> int:
    """``python -m components.cli ingest PATH...``: exit 0 when every file loaded (or was
    already present), 2 when any failed or the store could not be opened."""
    from .store import ensure_ready

    store = _open_for_cli(db)
    if store is None:
        return 2
    started = time.monotonic()
    try:
        bar = TextProgress(label="stored files")
        ensure_ready(store, samples_dir=None, progress=bar, workers=workers)  # re-derive if due
        bar.close()
        bar = TextProgress()
        results = ingest_paths(store, paths, progress=bar, workers=workers)
        bar.close()
    except KeyboardInterrupt:
        print("\ninterrupted: the batches written so far are stored whole; run the same command "
              "again to finish (files already stored are skipped)", file=sys.stderr)
        return 130
    line, failures = summarize(results, time.monotonic() - started)
    print(line)
    for failure in failures:
        print(failure)
    return 2 if failures else 0


def cli_reparse(db: str | None = None, workers: int | None = None) -> int:
    """``python -m components.cli reparse``: re-derive every stored article from its bytes."""
    from . import version

    store = _open_for_cli(db)
    if store is None:
        return 2
    started = time.monotonic()
    bar = TextProgress(label="stored files")
    try:
        results = reparse_store(store, progress=bar, workers=workers)
    except KeyboardInterrupt:
        print("\ninterrupted: run the command again to finish", file=sys.stderr)
        return 130
    bar.close()
    store.set_settings({"parser_version": version.parser_version()})
    elapsed = time.monotonic() - started
    failures = [f"failed: {r.name}: {r.reason}" for r in results if r.status == "rejected"]
    print(f"re-derived {len(results) - len(failures)} articles, failed {len(failures)} "
          f"in {elapsed:.1f} s")
    for failure in failures:
        print(failure)
    return 2 if failures else 0
