"""The article store: one DuckDB file holding every derived table plus the original file bytes.

In: analysed articles with their bytes (``Store.write``), SQL for reads (``Store.query``).
Out: DataFrames for the pages, a version number that changes on every committed write (a cache
key), and ``WriteResult`` records saying what each write did (added / updated / duplicate).

Tables: exactly ``pipeline.FRAME_COLUMNS`` (articles, paragraphs, links, images, staff, entities,
quotes, social), plus ``files`` (the original bytes, so everything can be derived again when the
parser improves) and ``settings`` (key, value, help: parser_version, store_version and the
registry of ``components.settings``).

Concurrency: DuckDB lets one process open a file read-write. Inside that process all sessions
share one database instance: reads borrow a cursor from a small pool (a DuckDB connection object
is not thread-safe, cursors are), writes go through one writer cursor behind a lock. Every write
is one transaction covering all tables, the ``files`` rows and the ``store_version`` bump, so a
crash leaves only whole articles and readers never see half an article (MVCC snapshots). A second
process gets ``StoreBusyError`` with a plain-words message instead of a traceback.

``ensure_ready`` is the start-up step: create, fill from ``data/samples`` when empty, re-derive
everything when ``pipeline.parser_version()`` changed. Otherwise start-up reads nothing but two
settings: nothing stored is parsed or segmented again.
"""
from __future__ import annotations

import array
import contextlib
import datetime as _dt
import functools
import itertools
import operator
import pathlib
import queue
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

import pyarrow as pa

from . import settings as _settings

if TYPE_CHECKING:  # pandas loads where a DataFrame is made: ingest workers never need it
    import pandas as pd

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "samples"

# Column types of the derived tables, by column name; every other column is VARCHAR. Kept by
# name (not by table) so a column the pipeline adds later gets a sensible type without an edit.
INT_COLUMNS = {"block", "start", "end", "position"}
BOOL_COLUMNS = {"related", "direct", "embedded"}
LIST_COLUMNS = {"aliases", "hashtags", "mentions", "media"}
TABLE_LIST_COLUMNS = {("social", "links")}  # `links` is also a table name; a list only in social
TIMESTAMP_COLUMNS = {("articles", "published")}
EPOCH = _dt.datetime(1970, 1, 1)  # Arrow timestamps count microseconds from it

# zstd for the kept bytes: DuckDB's default compression analysis of a large BLOB column costs
# ~0.5 s of CPU per 1,000 articles at each checkpoint; zstd costs a tenth of that and packs well.
FILES_DATA_TYPE = "BLOB USING COMPRESSION zstd"
FILES_COLUMNS = [("content_hash", "VARCHAR PRIMARY KEY"), ("article_id", "VARCHAR"),
                 ("name", "VARCHAR"), ("data", FILES_DATA_TYPE), ("size", "BIGINT"),
                 ("added_at", "TIMESTAMP")]
SETTINGS_DDL = ("CREATE TABLE IF NOT EXISTS settings "
                "(key VARCHAR PRIMARY KEY, value VARCHAR, help VARCHAR)")
SETTINGS_UPDATE = "UPDATE settings SET value = ?, help = ? WHERE key = ?"
SETTINGS_INSERT = "INSERT INTO settings VALUES (?, ?, ?)"
STORE_HELP = {
    "parser_version": "Fingerprint of the pipeline that derived the stored tables; a change "
                      "re-derives everything from the kept file bytes at start.",
    "store_version": "Bumped by every committed write; pages use it as their cache key.",
}
BUSY_MESSAGE = ("the store is in use by another process (the dashboard?): {path}. DuckDB lets "
                "only one program write to a store at a time. Stop the dashboard and run this "
                "again, or upload the files on the dashboard's Upload page.")


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message is meant for the user."""


class StoreBusyError(StoreError):
    """Another process holds the store file open for writing."""


@dataclass
class Prepared:
    """One analysed article ready to write: its table rows and its original bytes.

    The rows are either ``rows`` (Python tuples in ``FRAME_COLUMNS`` order, one list per table)
    or ``arrow``: a slot in an ``ArrowRows`` batch shared by the articles of one worker job."""
    name: str
    content_hash: str
    article_id: str
    title: str | None
    rows: dict[str, list[tuple]] | None
    data: bytes
    warnings: list[str] = field(default_factory=list)
    arrow: tuple["ArrowRows", int] | None = None


@dataclass
class WriteResult:
    name: str
    status: str  # 'added' | 'updated' | 'duplicate'
    article_id: str
    title: str | None
    content_hash: str


def prepare(analysis, data: bytes) -> Prepared:
    """An ``Analysis`` and its bytes -> the rows the store writes."""
    from .pipeline import frame_rows  # the pipeline imports every stage; only needed here

    a = analysis.article
    return Prepared(a.source, a.content_hash, a.id, a.title, frame_rows(analysis), data,
                    list(a.warnings))


def arrow_table(table: str, columns: list[str], rows: list[tuple]) -> pa.Table:
    """Rows of one table (tuples in column order) -> an Arrow table with the store's types."""
    row_type = _row_type(table, tuple(columns))
    if row_type is not None:
        # One conversion of the whole rows as structs, whose fields are the columns: one call
        # instead of one per column and no Python list per column (a fifth less time).
        # Whatever it refuses goes column by column below, which raises the reference error.
        try:
            return pa.Table.from_struct_array(pa.array(rows, type=row_type))
        except Exception:  # noqa: BLE001
            pass
    arrays = []
    for i, column in enumerate(columns):
        # map(itemgetter) rather than zip(*rows): zip builds a tuple per row and sets off the
        # garbage collector again and again (20 times slower on 400,000 rows).
        values = list(map(operator.itemgetter(i), rows))
        kind = column_type(table, column)
        if kind == "TIMESTAMP":
            values = [_utc_naive(v) for v in values]
        arrays.append(pa.array(values, type=ARROW_TYPES[kind]))
    return pa.Table.from_arrays(arrays, names=columns)


@functools.lru_cache(maxsize=None)
def _row_type(table: str, columns: tuple[str, ...]) -> pa.DataType | None:
    """The Arrow struct of one row of ``table``; None when a column's values are converted
    first (TIMESTAMP: ISO text to datetimes)."""
    kinds = [column_type(table, column) for column in columns]
    if "TIMESTAMP" in kinds:
        return None
    return pa.struct([(column, ARROW_TYPES[kind]) for column, kind in zip(columns, kinds)])


class ArrowRows:
    """The table rows of several articles as Arrow tables, the rows of each article (its slot)
    one after another, with where each slot's rows start.

    Why: a worker process used to send ~160 Python tuples per article; unpickling them and
    converting them to Arrow cost the writing process (which the workers wait on) ~0.4 ms per
    article. Built in the worker and sent as Arrow IPC streams, the writer's share is a tenth.
    The writer takes an article's rows as zero-copy slices: no filter kernel and no Python list
    made into an Arrow array (which would import pandas in the writing process, ~0.3 s).
    """

    def __init__(self, tables: dict[str, pa.Table], size: int,
                 starts: dict[str, list[int]]):
        self.tables = tables
        self.size = size
        # table -> size + 1 row offsets: slot i's rows are starts[i]:starts[i + 1].
        self.starts = starts

    @classmethod
    def from_rows(cls, per_item: list[dict[str, list[tuple]]]) -> "ArrowRows":
        tables, starts = {}, {}
        for table, columns in frame_columns().items():
            rows, offsets = [], [0]
            for item_rows in per_item:
                rows.extend(item_rows.get(table, ()))
                offsets.append(len(rows))
            if rows:
                tables[table] = arrow_table(table, columns, rows)
                starts[table] = offsets
        return cls(tables, len(per_item), starts)

    def select(self, table: str, slots: set[int]) -> list[pa.Table]:
        """The rows of ``table`` that belong to ``slots``, in slot order: one slice per run of
        consecutive slots (no slices when the slots have no rows in it)."""
        data = self.tables.get(table)
        if data is None:
            return []
        if len(slots) >= self.size:
            return [data]
        starts = self.starts[table]
        parts = []
        order = sorted(slots)
        run_start = order[0]
        for previous, slot in zip(order, order[1:] + [-1]):
            if slot != previous + 1:  # a run of consecutive slots ends at ``previous``
                begin, end = starts[run_start], starts[previous + 1]
                if end > begin:
                    parts.append(data.slice(begin, end - begin))
                run_start = slot
        return parts

    def __reduce__(self):
        streams = {}
        for table, data in self.tables.items():
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, data.schema) as writer:
                writer.write_table(data)
            streams[table] = sink.getvalue().to_pybytes()
        return (_arrow_rows_from_ipc, (streams, self.size, self.starts))


def _arrow_rows_from_ipc(streams: dict[str, bytes], size: int,
                         starts: dict[str, list[int]]) -> ArrowRows:
    return ArrowRows({table: pa.ipc.open_stream(data).read_all()
                      for table, data in streams.items()}, size, starts)


def _bytes_array(values: list, kind: pa.DataType) -> pa.Array:
    """Texts (``pa.string()``) or bytes (``pa.binary()``) -> an Arrow array made from two
    buffers: ``pa.array`` would import pandas into the writing process (~0.3 s) on first use.

    64-bit offsets (the ``large_`` types; the store's columns are the same), since one batch of
    files may hold more than 2 GB. Anything but plain ``str``/``bytes`` (None, lone surrogates)
    goes through ``pa.array``: its result and its error messages are the reference."""
    text = kind == pa.string()
    try:
        if text:
            encoded = [v.encode("utf-8") for v in values if type(v) is str]
        else:
            encoded = [v for v in values if type(v) is bytes]
    except UnicodeEncodeError:
        encoded = None
    if encoded is None or len(encoded) != len(values):
        return pa.array(values, kind)
    offsets = array.array("q", [0])
    offsets.extend(itertools.accumulate(map(len, encoded)))
    return pa.Array.from_buffers(pa.large_string() if text else pa.large_binary(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def _int64_array(values: list[int], kind: pa.DataType) -> pa.Array:
    """Integers (``pa.int64()``, or microseconds for ``pa.timestamp("us")``) -> an Arrow array,
    without ``pa.array`` (see ``_bytes_array``)."""
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(array.array("q", values))])


def column_type(table: str, column: str) -> str:
    if (table, column) in TIMESTAMP_COLUMNS:
        return "TIMESTAMP"
    if column in LIST_COLUMNS or (table, column) in TABLE_LIST_COLUMNS:
        return "VARCHAR[]"
    if column in INT_COLUMNS or column.startswith("n_"):
        return "INTEGER"
    if column in BOOL_COLUMNS:
        return "BOOLEAN"
    return "VARCHAR"


ARROW_TYPES = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BOOLEAN": pa.bool_(),
               "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string())}


def q(name: str) -> str:
    """A quoted identifier (`end`, `start`, `text` are keywords)."""
    return '"' + name.replace('"', '""') + '"'


def _utc_naive(value) -> _dt.datetime | None:
    """ISO 8601 text -> naive UTC datetime for the TIMESTAMP column; None when unreadable."""
    if value is None or isinstance(value, _dt.datetime):
        return value
    try:
        moment = _dt.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return moment


def frame_columns() -> dict[str, list[str]]:
    from .pipeline import FRAME_COLUMNS

    return FRAME_COLUMNS


class Store:
    """One DuckDB store file. Use ``get_store`` to share one per path within a process."""

    def __init__(self, path: str | pathlib.Path):
        # Imported here, not with the module: the ingest workers import this module for its
        # row batches (ArrowRows) and never open a store; DuckDB's import would add ~0.07 s to
        # the worker server's start, while the other core waits.
        import duckdb

        self.path = pathlib.Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as exc:
            text = str(exc)
            if "lock" in text.lower():
                holder = re.search(r"PID (\d+)", text)
                where = f"{self.path} (held by process {holder.group(1)})" if holder else self.path
                raise StoreBusyError(BUSY_MESSAGE.format(path=where)) from None
            raise StoreError(f"the store {self.path} cannot be opened: {text}") from None
        except duckdb.Error as exc:
            raise StoreError(f"the store {self.path} cannot be opened: {exc}") from None
        try:
            # DuckDB checkpoints every 16 MB of WAL by default, which doubled the write cost
            # per article in a 100,000-article store; the WAL is as safe, just longer.
            self._con.execute("SET checkpoint_threshold = '256MB'")
        except duckdb.Error:
            pass
        self.tables = frame_columns()
        self._write_lock = threading.RLock()
        self._threads_lock = threading.Lock()
        self._bulk_loads = 0
        self._threads_before = 1
        self._writer = self._con.cursor()
        self._idle: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        # Test hook: called inside the write transaction just before COMMIT (crash tests).
        self.before_commit_hook: Callable[[list[WriteResult]], None] | None = None
        self._create_schema()
        self._version = int(self.get_setting("store_version") or 0)

    # -- schema -------------------------------------------------------------------------------

    def _create_schema(self) -> None:
        with self._write_lock:
            cur = self._writer
            cur.begin()
            try:
                cur.execute(SETTINGS_DDL)
                changed = False
                for table, columns in self.tables.items():
                    wanted = [(c, column_type(table, c)) for c in columns]
                    have = cur.execute(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
                        [table]).fetchall()
                    if have and [(c, t) for c, t in have] != wanted:
                        # The pipeline's columns changed: rebuild and re-derive from the bytes.
                        cur.execute(f"DROP TABLE {q(table)}")
                        changed = True
                    if not have or changed:
                        ddl = ", ".join(f"{q(c)} {t}" for c, t in wanted)
                        cur.execute(f"CREATE TABLE IF NOT EXISTS {q(table)} ({ddl})")
                ddl = ", ".join(f"{q(c)} {t}" for c, t in FILES_COLUMNS)
                cur.execute(f"CREATE TABLE IF NOT EXISTS files ({ddl})")
                self._create_indexes(cur)
                if changed:
                    cur.execute("DELETE FROM articles")  # all derived tables are re-derived
                    for table in self.tables:
                        cur.execute(f"DELETE FROM {q(table)}")
                    self._put_settings(cur, {"parser_version": ""})
                self._put_rows(cur, _settings.rows())
                cur.commit()
            except BaseException:
                cur.rollback()
                raise

    def _create_indexes(self, cur) -> None:
        # Article ids are random hashes, so DuckDB's min/max zone maps cannot skip anything: an
        # article page (9 point queries) scans every table. ART indexes on the article id cut
        # that from ~180 ms to ~45 ms at 30,000 articles for about the same write cost.
        cur.execute("CREATE UNIQUE INDEX IF NOT EXISTS articles_id ON articles (id)")
        for table in self.tables:
            if table != "articles" and "article_id" in self.tables[table]:
                cur.execute(f"CREATE INDEX IF NOT EXISTS {q(table + '_article_id')} "
                            f"ON {q(table)} (article_id)")
        cur.execute("CREATE INDEX IF NOT EXISTS files_article_id ON files (article_id)")

    def _put_settings(self, cur, values: dict[str, str]) -> None:
        self._put_rows(cur, [(k, str(v), STORE_HELP.get(k, "")) for k, v in values.items()])

    @staticmethod
    def _put_rows(cur, rows: Iterable[tuple[str, str, str]]) -> None:
        """(key, value, help) rows into ``settings``: an UPDATE, then an INSERT only for a new
        key. The same rows as INSERT OR REPLACE (which updates in place) for a quarter of its
        CPU; every write transaction puts one."""
        for key, value, help_text in rows:
            if not cur.execute(SETTINGS_UPDATE, [value, help_text, key]).fetchone()[0]:
                cur.execute(SETTINGS_INSERT, [key, value, help_text])

    # -- reads --------------------------------------------------------------------------------

    def _borrow(self):
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            return self._con.cursor()

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run a read query; safe to call from any thread."""
        cur = self._borrow()
        try:
            return cur.execute(sql, params).df() if params is not None else cur.execute(sql).df()
        finally:
            self._idle.put(cur)

    def fetchall(self, sql: str, params: list | dict | None = None) -> list[tuple]:
        cur = self._borrow()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            self._idle.put(cur)

    def version(self) -> int:
        return self._version

    def article_count(self) -> int:
        return self.fetchall("SELECT count(*) FROM articles")[0][0]

    def file_count(self) -> int:
        return self.fetchall("SELECT count(*) FROM files")[0][0]

    def get_setting(self, key: str) -> str | None:
        rows = self.fetchall("SELECT value FROM settings WHERE key = ?", [key])
        return rows[0][0] if rows else None

    def settings_frame(self) -> pd.DataFrame:
        return self.query("SELECT key, value, help FROM settings ORDER BY key")

    def set_settings(self, values: dict[str, str]) -> None:
        with self._write_lock:
            cur = self._writer
            cur.begin()
            try:
                self._put_settings(cur, values)
                cur.commit()
            except BaseException:
                cur.rollback()
                raise

    def known_hashes(self, hashes: Iterable[str]) -> dict[str, tuple[str, str | None, str]]:
        """content_hash -> (article_id, title, name) for the hashes already stored."""
        hashes = list(hashes)
        if not hashes:
            return {}
        rows = self.fetchall(
            "SELECT f.content_hash, f.article_id, a.title, f.name FROM files f "
            "LEFT JOIN articles a ON a.id = f.article_id "
            "WHERE f.content_hash IN (SELECT unnest(?::VARCHAR[]))", [hashes])
        return {h: (aid, title, name) for h, aid, title, name in rows}

    def iter_files(self, batch: int = 200):
        """Yield lists of (content_hash, article_id, name, data) over every kept file."""
        cur = self._con.cursor()  # its own snapshot; writes may go on beside it
        try:
            cur.execute("SELECT content_hash, article_id, name, data FROM files "
                        "ORDER BY added_at, content_hash")
            while True:
                rows = cur.fetchmany(batch)
                if not rows:
                    return
                yield [(h, aid, name, bytes(data)) for h, aid, name, data in rows]
        finally:
            cur.close()

    # -- the write path -----------------------------------------------------------------------

    def write(self, items: list[tuple]) -> list[WriteResult]:
        """Write analysed articles ``[(Analysis, bytes), ...]`` as one transaction."""
        return self.write_prepared([prepare(analysis, data) for analysis, data in items])

    def write_prepared(self, items: list[Prepared]) -> list[WriteResult]:
        """Upsert by article id, all or nothing.

        Same content hash as a stored file -> 'duplicate' (nothing written); same article id,
        other bytes -> 'updated' (the old rows and old bytes are replaced); else 'added'.
        Within one batch a later file with the same id wins.
        """
        if not items:
            return []
        with self._write_lock:
            cur = self._writer
            cur.begin()
            try:
                results = self._write_locked(cur, items)
                wrote = any(r.status != "duplicate" for r in results)
                if wrote:
                    self._put_settings(cur, {"store_version": self._version + 1})
                if self.before_commit_hook is not None:
                    self.before_commit_hook(results)
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            if wrote:
                self._version += 1
            return results

    def _write_locked(self, cur, items: list[Prepared]) -> list[WriteResult]:
        hashes = [it.content_hash for it in items]
        ids = list({it.article_id for it in items})
        known = {h: (aid, title) for h, aid, title in cur.execute(
            "SELECT f.content_hash, f.article_id, a.title FROM files f "
            "LEFT JOIN articles a ON a.id = f.article_id "
            "WHERE f.content_hash IN (SELECT unnest(?::VARCHAR[]))", [hashes]).fetchall()}
        existing = {r[0] for r in cur.execute(
            "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[])) UNION "
            "SELECT article_id FROM files WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids, ids]).fetchall()}
        results: list[WriteResult] = []
        final: dict[str, Prepared] = {}
        for it in items:
            if it.content_hash in known:
                aid, title = known[it.content_hash]
                results.append(WriteResult(it.name, "duplicate", aid, title, it.content_hash))
                continue
            known[it.content_hash] = (it.article_id, it.title)
            status = "updated" if (it.article_id in existing or it.article_id in final) else "added"
            final.pop(it.article_id, None)  # re-insert so the batch order stays the write order
            final[it.article_id] = it
            results.append(WriteResult(it.name, status, it.article_id, it.title, it.content_hash))
        replaced = [aid for aid in final if aid in existing]
        if replaced:
            self._delete_articles(cur, replaced)
            cur.execute("DELETE FROM files WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                        [replaced])
        self._insert_rows(cur, list(final.values()))
        self._insert_files(cur, list(final.values()))
        return results

    def _delete_articles(self, cur, article_ids: list[str]) -> None:
        for table in self.tables:
            key = "id" if table == "articles" else "article_id"
            cur.execute(f"DELETE FROM {q(table)} WHERE {q(key)} IN (SELECT unnest(?::VARCHAR[]))",
                        [article_ids])

    def _insert_rows(self, cur, items: list[Prepared]) -> None:
        plain = [it for it in items if it.arrow is None]
        batches: dict[int, tuple[ArrowRows, set[int]]] = {}
        for it in items:
            if it.arrow is not None:
                batch, slot = it.arrow
                batches.setdefault(id(batch), (batch, set()))[1].add(slot)
        for table, columns in self.tables.items():
            parts = []
            rows = list(itertools.chain.from_iterable((it.rows or {}).get(table, ())
                                                      for it in plain))
            if rows:
                parts.append(arrow_table(table, columns, rows))
            for batch, slots in batches.values():
                parts.extend(batch.select(table, slots))
            if parts:
                self._insert_arrow(cur, table, parts[0] if len(parts) == 1
                                   else pa.concat_tables(parts))

    def _insert_files(self, cur, items: list[Prepared]) -> None:
        if not items:
            return
        now = _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)
        micros = (now - EPOCH) // _dt.timedelta(microseconds=1)
        table = pa.Table.from_arrays([
            _bytes_array([it.content_hash for it in items], pa.string()),
            _bytes_array([it.article_id for it in items], pa.string()),
            _bytes_array([it.name for it in items], pa.string()),
            _bytes_array([it.data for it in items], pa.binary()),
            _int64_array([len(it.data) for it in items], pa.int64()),
            _int64_array([micros] * len(items), pa.timestamp("us")),
        ], names=[c for c, _ in FILES_COLUMNS])
        self._insert_arrow(cur, "files", table)

    def _insert_arrow(self, cur, table: str, data: pa.Table) -> None:
        view = f"_incoming_{table}"
        cur.register(view, data)
        try:
            cur.execute(f"INSERT INTO {q(table)} SELECT * FROM {view}")
        finally:
            cur.unregister(view)

    def replace_derived(self, done: list[tuple[str, str, Prepared | None]]) -> None:
        """Re-derivation of kept files: ``(content_hash, old_article_id, Prepared or None)``.

        Drops the old rows of each article and writes the new ones; a file the new parser
        rejects keeps its bytes (a later parser may read it) but loses its derived rows.
        One transaction per call.
        """
        if not done:
            return
        with self._write_lock:
            cur = self._writer
            cur.begin()
            try:
                # Two kept files the new parser gives one id (e.g. a better URL normaliser):
                # the later one wins, as an upload of it would.
                fresh = list({p.article_id: p for _, _, p in done if p is not None}.values())
                gone = list({old for _, old, _ in done if old} | {p.article_id for p in fresh})
                self._delete_articles(cur, gone)
                self._insert_rows(cur, fresh)
                moved = [(p.article_id, h) for h, old, p in done
                         if p is not None and p.article_id != old]
                if moved:
                    cur.executemany("UPDATE files SET article_id = ? WHERE content_hash = ?",
                                    moved)
                self._put_settings(cur, {"store_version": self._version + 1})
                if self.before_commit_hook is not None:
                    self.before_commit_hook([])
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            self._version += 1

    @contextlib.contextmanager
    def bulk_load(self):
        """Writes of a parallel load run DuckDB on one thread.

        The analysing workers already keep every core busy, so DuckDB's own threads only add
        hand-offs: one thread writes the same rows for about a fifth less CPU. ``threads`` is a
        database-wide setting; nested or concurrent loads keep it at one until the last ends."""
        with self._threads_lock:
            if self._bulk_loads == 0:
                self._threads_before = self._con.execute(
                    "SELECT current_setting('threads')").fetchone()[0]
                self._con.execute("SET threads = 1")
            self._bulk_loads += 1
        try:
            yield self
        finally:
            with self._threads_lock:
                self._bulk_loads -= 1
                if self._bulk_loads == 0 and not self._closed:
                    self._con.execute(f"SET threads = {int(self._threads_before)}")

    def close(self) -> None:
        import duckdb

        if self._closed:
            return
        self._closed = True
        with _registry_lock:
            for key, store in list(_stores.items()):
                if store is self:
                    del _stores[key]
        # Close every cursor too: an open cursor keeps the file (and its lock) open.
        cursors = [self._writer]
        while True:
            try:
                cursors.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for cur in cursors + [self._con]:
            try:
                cur.close()
            except duckdb.Error:
                pass


_stores: dict[str, Store] = {}
_registry_lock = threading.Lock()


def default_path() -> pathlib.Path:
    return _settings.db_path()


def get_store(path: str | pathlib.Path | None = None) -> Store:
    """The process-wide store for ``path`` (default: $NEWSROOM_LENS_DB or data/newsroom.duckdb)."""
    resolved = str(pathlib.Path(path or default_path()).expanduser().resolve())
    with _registry_lock:
        store = _stores.get(resolved)
        if store is None:
            store = Store(resolved)
            _stores[resolved] = store
        return store


def close_store(path: str | pathlib.Path | None = None) -> None:
    resolved = str(pathlib.Path(path or default_path()).expanduser().resolve())
    with _registry_lock:
        store = _stores.pop(resolved, None)
    if store is not None:
        store.close()


def ensure_ready(store: Store, samples_dir: str | pathlib.Path | None = SAMPLES_DIR,
                 progress: Callable[[int, int, str], None] | None = None,
                 workers: int | None = None) -> None:
    """Start-up: fill an empty store from the samples, re-derive when the parser changed.

    ``samples_dir=None`` never fills (the command line uses that). Cheap when nothing is to
    be done: two small reads.
    """
    from . import version

    current = version.parser_version()
    empty = store.file_count() == 0
    if not empty and store.get_setting("parser_version") == current:
        return  # the common start: nothing to do, and nothing heavy imported
    from . import ingest

    if empty:
        if samples_dir is not None and pathlib.Path(samples_dir).is_dir():
            ingest.ingest_paths(store, [samples_dir], progress=progress, workers=workers)
    else:  # kept files derived by another pipeline version
        ingest.reparse_store(store, progress=progress, workers=workers)
    store.set_settings({"parser_version": current})
