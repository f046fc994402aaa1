"""Parse an archive too large for one machine on a Dask cluster, into Parquet the store attaches.

In: a folder of article files (``parse_to_parquet``), readable by every worker (a shared file
system when the cluster spans machines). Out: a folder of Parquet tables, one sub-folder per
store table (``articles/``, ``paragraphs/``, ... as ``pipeline.FRAME_COLUMNS``) plus ``files/``
(the original bytes, which the store keeps so it can re-parse later) and ``errors/`` (files that
are not articles, with the reason), and ``_meta.json`` (parser version, counts).
``attach_parquet(store, folder)`` reads those tables back and feeds them through ``Store.write``,
the store's one write path, in batches.

Why this shape: the loader and every stage are pure functions of one file, so parsing is
embarrassingly parallel; each Dask task takes a slice of the file list and writes one Parquet
part per table, so no result crosses the network except a small count, and a rerun overwrites
the same part names.

Command line::

    python -m components.distributed parse-to-parquet INPUT_DIR OUT_DIR [--workers N]
                                                      [--scheduler tcp://host:8786]
    python -m components.distributed attach OUT_DIR [--db PATH]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import pathlib
import sys
import time
from typing import Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from . import pipeline
from .model import (STAFF_ROLES, Analysis, Article, ArticleError, Block, Image, Link, Mention,
                    Quote, SocialRef)

# Files per Dask task: large enough that scheduling overhead (~1 ms per task) is noise next to
# parsing (~1-5 ms per file), small enough that a 2-worker run still balances.
DEFAULT_PARTITION_FILES = 250
# Articles per Store.write call when attaching (one transaction each).
ATTACH_BATCH = 500
# Article files by name; anything else in the input folder (gold files, notes) is skipped.
ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".md")
SKIP_SUFFIXES = (".gold.json",)
META_FILE = "_meta.json"

_S = pa.string()
_I = pa.int64()
_B = pa.bool_()
_L = pa.list_(pa.string())
# Arrow types of each table's columns (same order as pipeline.FRAME_COLUMNS); fixed, so that
# parts with no rows still have the same schema as the others.
TYPES: dict[str, dict[str, pa.DataType]] = {
    "articles": {"id": _S, "source": _S, "url": _S, "title": _S,
                 "published": pa.timestamp("us", tz="UTC"), "outlet": _S, "section": _S,
                 "script": _S, "kind": _S, "encoding": _S, "content_hash": _S,
                 "n_paragraphs": _I, "n_chars": _I, "n_entities": _I, "n_quotes": _I,
                 "n_speakers": _I, "n_social": _I, "n_images": _I, "warnings": _S},
    "paragraphs": {"article_id": _S, "block": _I, "kind": _S, "text": _S},
    "links": {"article_id": _S, "block": _I, "url": _S, "text": _S, "related": _B},
    "images": {"article_id": _S, "position": _I, "src": _S, "caption": _S, "credit": _S},
    "staff": {"article_id": _S, "role": _S, "name": _S},
    "entities": {"article_id": _S, "name": _S, "type": _S, "surface": _S, "block": _I,
                 "start": _I, "end": _I},
    "entity_counts": {"article_id": _S, "name": _S, "type": _S, "n_mentions": _I},
    "quotes": {"article_id": _S, "speaker": _S, "role": _S, "kind": _S, "text": _S,
               "direct": _B, "block": _I, "start": _I, "end": _I, "aliases": _L},
    "social": {"article_id": _S, "platform": _S, "url": _S, "post_id": _S, "handle": _S,
               "author": _S, "posted": _S, "text": _S, "hashtags": _L, "mentions": _L,
               "links": _L, "media": _L, "language": _S, "position": _I, "embedded": _B},
    # Not store tables of the pipeline: the original bytes, and the files that failed.
    "files": {"content_hash": _S, "article_id": _S, "name": _S, "data": pa.binary(), "size": _I},
    "errors": {"source": _S, "error": _S},
}
TABLES = tuple(TYPES)
assert all(list(TYPES[t]) == cols for t, cols in pipeline.FRAME_COLUMNS.items()), \
    "distributed.TYPES is out of step with pipeline.FRAME_COLUMNS"


# ---------------------------------------------------------------------------------------------
# Input listing and one partition (runs on a worker)

def list_inputs(input_dir: str | pathlib.Path) -> list[str]:
    """Every article file under ``input_dir`` (recursively), sorted, as strings."""
    root = pathlib.Path(input_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"no such folder: {root}")
    return sorted(str(p) for p in root.rglob("*")
                  if p.is_file() and not p.name.startswith(".")
                  and p.name.lower().endswith(ARTICLE_SUFFIXES)
                  and not p.name.lower().endswith(SKIP_SUFFIXES))


def _timestamp(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        return dt.datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(dt.timezone.utc)
    except ValueError:
        return None


def rows_to_table(table: str, rows: list[tuple]) -> pa.Table:
    types = TYPES[table]
    columns = list(zip(*rows)) if rows else [[] for _ in types]
    arrays = []
    for (name, typ), values in zip(types.items(), columns):
        if table == "articles" and name == "published":
            values = [_timestamp(v) for v in values]
        arrays.append(pa.array(list(values), type=typ))
    return pa.Table.from_arrays(arrays, names=list(types))


def parse_files(paths: Iterable[str], root: str | None = None) -> dict[str, pa.Table]:
    """Parse and analyse files into one Arrow table per output table.

    A file's ``source`` is its path relative to ``root`` (so names do not leak the worker's
    mount point). A file that is not an article goes to ``errors``; nothing raises.
    """
    per_article: dict[str, dict[str, list[tuple]]] = {}  # article id -> table -> rows
    errors: list[tuple] = []
    base = pathlib.Path(root) if root else None
    for raw in paths:
        path = pathlib.Path(raw)
        name = path.relative_to(base).as_posix() if base and path.is_relative_to(base) else path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            errors.append((name, f"cannot read the file: {exc.strerror or exc}"))
            continue
        try:
            analysis = pipeline.analyse(data, name)
        except ArticleError as exc:
            errors.append((name, str(exc)))
            continue
        except Exception as exc:  # a stage bug must not lose the whole partition
            errors.append((name, f"analysis failed: {type(exc).__name__}: {exc}"))
            continue
        a = analysis.article
        rows = pipeline.frame_rows(analysis)
        rows["files"] = [(a.content_hash, a.id, name, data, len(data))]
        # Two files with one URL are one article: the later file wins, as in the store.
        per_article.pop(a.id, None)
        per_article[a.id] = rows
    collected: dict[str, list[tuple]] = {t: [] for t in TABLES}
    for rows in per_article.values():
        for table, table_rows in rows.items():
            collected[table].extend(table_rows)
    collected["errors"] = errors
    return {t: rows_to_table(t, rows) for t, rows in collected.items()}


def write_partition(paths: list[str], out_dir: str, part: int, root: str | None = None) -> dict:
    """Parse one slice of the input and write ``<out_dir>/<table>/part-<part>.parquet``."""
    started = time.perf_counter()
    tables = parse_files(paths, root)
    out = pathlib.Path(out_dir)
    for name, table in tables.items():
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, folder / f"part-{part:05d}.parquet", compression="zstd")
    return {"part": part, "files": len(paths), "articles": tables["articles"].num_rows,
            "errors": tables["errors"].num_rows, "seconds": time.perf_counter() - started}


# ---------------------------------------------------------------------------------------------
# The job (runs on the client)

def partitions(paths: list[str], size: int) -> list[list[str]]:
    return [paths[i:i + size] for i in range(0, len(paths), size)]


def parse_to_parquet(input_dir: str | pathlib.Path, out_dir: str | pathlib.Path, *,
                     client=None, workers: int | None = None, scheduler: str | None = None,
                     partition_files: int = DEFAULT_PARTITION_FILES,
                     progress: Callable[[int, int], None] | None = None) -> dict:
    """Parse every article file under ``input_dir`` on a Dask cluster into Parquet.

    Uses ``client`` when given, else connects to ``scheduler``, else starts a local cluster of
    ``workers`` processes (default: one per core). Returns a summary (counts, seconds).
    """
    from dask.distributed import Client, LocalCluster, as_completed

    started = time.perf_counter()
    input_root = str(pathlib.Path(input_dir).resolve())
    out = pathlib.Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    for table in TABLES:  # a rerun replaces the previous output rather than adding to it
        folder = out / table
        if folder.is_dir():
            for old in folder.glob("part-*.parquet"):
                old.unlink()
    paths = list_inputs(input_root)
    slices = partitions(paths, max(1, partition_files))
    own_cluster = None
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            own_cluster = LocalCluster(n_workers=workers or None, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            client = Client(own_cluster)
    try:
        futures = [client.submit(write_partition, chunk, str(out), i, input_root,
                                 key=f"parse-part-{i:05d}-{out.name}", pure=False)
                   for i, chunk in enumerate(slices)]
        reports = []
        for future in as_completed(futures):
            reports.append(future.result())
            if progress:
                progress(len(reports), len(futures))
    finally:
        if own_cluster is not None:
            client.close()
            own_cluster.close()
    summary = {
        "parser_version": pipeline.parser_version(),
        "input_dir": input_root,
        "files": len(paths),
        "articles": sum(r["articles"] for r in reports),
        "errors": sum(r["errors"] for r in reports),
        "partitions": len(slices),
        "seconds": round(time.perf_counter() - started, 3),
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    (out / META_FILE).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


# ---------------------------------------------------------------------------------------------
# Attaching the output to the store

def read_meta(out_dir: str | pathlib.Path) -> dict:
    path = pathlib.Path(out_dir) / META_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def part_names(out_dir: str | pathlib.Path) -> list[str]:
    folder = pathlib.Path(out_dir) / "articles"
    return sorted(p.name for p in folder.glob("part-*.parquet")) if folder.is_dir() else []


def read_table(out_dir: str | pathlib.Path, table: str, part: str | None = None) -> pa.Table:
    """One table of the output: one part (``part-00003.parquet``) or all parts."""
    folder = pathlib.Path(out_dir) / table
    schema = pa.schema(list(TYPES[table].items()))
    if part is not None:
        parts = [folder / part] if (folder / part).is_file() else []
    else:
        parts = sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []
    if not parts:
        return schema.empty_table()
    return pa.concat_tables([pq.read_table(p, schema=schema) for p in parts])


def _grouped(table: pa.Table, key: str = "article_id") -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {}
    for row in table.to_pylist():
        groups.setdefault(row[key], []).append(row)
    return groups


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def analyses_from_tables(tables: dict[str, pa.Table]) -> Iterator[tuple[Analysis, bytes]]:
    """Rebuild (Analysis, original bytes) pairs from the Parquet tables, in article order.

    The rebuilt Analysis gives back exactly the rows it was made from under
    ``pipeline.frame_rows`` (embeds are not kept: the social stage already consumed them).
    """
    by_table = {t: _grouped(tables[t]) for t in ("paragraphs", "links", "images", "staff",
                                                  "entities", "quotes", "social")}
    files = {r["article_id"]: r for r in tables["files"].to_pylist()}
    for row in tables["articles"].to_pylist():
        aid = row["id"]
        byline = {role: [] for role in STAFF_ROLES}
        for s in by_table["staff"].get(aid, []):
            byline.setdefault(s["role"], []).append(s["name"])
        links = [Link(r["block"], r["url"], r["text"], bool(r["related"]))
                 for r in by_table["links"].get(aid, [])]
        article = Article(
            source=row["source"], id=aid, content_hash=row["content_hash"], url=row["url"],
            title=row["title"], published=_iso(row["published"]), outlet=row["outlet"],
            section=row["section"], script=row["script"], byline=byline,
            blocks=[Block(r["kind"], r["text"])
                    for r in sorted(by_table["paragraphs"].get(aid, []), key=lambda r: r["block"])],
            related=[{"title": link.text, "url": link.url} for link in links if link.related],
            images=[Image(r["src"], r["caption"], r["credit"], r["position"])
                    for r in by_table["images"].get(aid, [])],
            links=links, encoding=row["encoding"], kind=row["kind"],
            warnings=row["warnings"].split("\n") if row["warnings"] else [])
        mentions = [Mention(r["name"], r["type"], r["surface"], r["block"], r["start"], r["end"])
                    for r in by_table["entities"].get(aid, [])]
        said = [Quote(r["speaker"], r["role"], r["kind"], r["text"], bool(r["direct"]),
                      r["block"], r["start"], r["end"], list(r["aliases"] or []))
                for r in by_table["quotes"].get(aid, [])]
        refs = [SocialRef(r["platform"], r["url"], r["post_id"], r["handle"], r["author"],
                          r["posted"], r["text"], list(r["hashtags"] or []),
                          list(r["mentions"] or []), list(r["links"] or []),
                          list(r["media"] or []), r["language"], r["position"],
                          bool(r["embedded"]))
                for r in by_table["social"].get(aid, [])]
        data = files[aid]["data"] if aid in files else b""
        yield Analysis(article, mentions, said, refs), data


def _tuples(table: pa.Table) -> list[tuple]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return list(zip(*columns)) if columns else []


def prepared_from_tables(tables: dict[str, pa.Table]) -> Iterator:
    """``store.Prepared`` records (rows in ``FRAME_COLUMNS`` order, as ``pipeline.frame_rows``
    makes them, plus the original bytes) from one part's tables, in article order."""
    from .store import Prepared

    children: dict[str, dict[str, list[tuple]]] = {}
    for table in pipeline.FRAME_COLUMNS:
        if table == "articles":
            continue
        for row in _tuples(tables[table]):
            children.setdefault(row[0], {}).setdefault(table, []).append(row)
    files = {row[1]: row for row in _tuples(tables["files"])}
    col = {name: i for i, name in enumerate(pipeline.FRAME_COLUMNS["articles"])}
    published = col["published"]
    for row in _tuples(tables["articles"]):
        row = row[:published] + (_iso(row[published]),) + row[published + 1:]
        aid = row[0]
        rows = {"articles": [row]}
        for table in pipeline.FRAME_COLUMNS:
            if table != "articles":
                rows[table] = children.get(aid, {}).get(table, [])
        file_row = files.get(aid)
        data = file_row[3] if file_row else b""
        warnings = row[col["warnings"]].split("\n") if row[col["warnings"]] else []
        yield Prepared(row[col["source"]], row[col["content_hash"]], aid, row[col["title"]],
                       rows, data, warnings)


def attach_parquet(store, out_dir: str | pathlib.Path, *, batch_size: int = ATTACH_BATCH,
                   progress: Callable[[int, int, str], None] | None = None) -> dict:
    """Load a ``parse_to_parquet`` output folder into ``store``, in batches of one transaction.

    The rows go in through ``Store.write_prepared`` (the inner half of ``Store.write``: same
    upsert, duplicate and version rules, without re-deriving rows from Analysis objects); with a
    store that lacks it, Analysis objects are rebuilt and passed to ``Store.write``.
    Returns counts by write status plus ``errors`` (files the parse job rejected), ``articles``
    and ``stale`` (True when the output was made by another parser version: the store is then
    marked with that version, so its next start re-derives everything from the kept bytes).
    """
    from .store import ensure_ready

    out_dir = pathlib.Path(out_dir)
    if not (out_dir / "articles").is_dir():
        raise FileNotFoundError(f"{out_dir} holds no parse-to-parquet output (no articles/)")
    meta = read_meta(out_dir)
    # A new store records the current parser version here, so its first start does not
    # re-derive what was just attached.
    ensure_ready(store, samples_dir=None)
    parts = part_names(out_dir)
    total = sum(pq.ParquetFile(out_dir / "articles" / p).metadata.num_rows for p in parts)
    bulk = getattr(store, "write_prepared", None)
    counts: dict[str, int] = {}
    batch: list = []
    done = 0
    errors = 0

    def flush() -> None:
        nonlocal done
        if not batch:
            return
        results = bulk(batch) if bulk else store.write(batch)
        for result in results:
            status = getattr(result, "status", None) or "written"
            counts[status] = counts.get(status, 0) + 1
        done += len(batch)
        batch.clear()
        if progress:
            progress(done, total, f"attached {done:,} of {total:,} articles")

    # Part by part: every part holds whole articles, so memory stays at one part's size.
    for part in parts:
        tables = {t: read_table(out_dir, t, part) for t in TABLES}
        errors += tables["errors"].num_rows
        items = prepared_from_tables(tables) if bulk else analyses_from_tables(tables)
        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
    flush()
    counts["errors"] = errors
    counts["articles"] = total
    made_by = meta.get("parser_version")
    counts["stale"] = bool(made_by) and made_by != pipeline.parser_version()
    if counts["stale"] and total:
        # Record the older version, so that the store's next start (ensure_ready) re-derives
        # everything from the kept bytes with the current pipeline.
        store.set_settings({"parser_version": made_by})
    return counts


# ---------------------------------------------------------------------------------------------
# Command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.distributed",
                                     description="Parse an archive on a Dask cluster into "
                                                 "Parquet, and attach it to the store")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse-to-parquet", help="parse every article file under INPUT_DIR")
    p.add_argument("input_dir")
    p.add_argument("out_dir")
    p.add_argument("--workers", type=int, default=None,
                   help="local worker processes (default: one per core)")
    p.add_argument("--scheduler", default=None,
                   help="address of an existing Dask scheduler (tcp://host:8786) instead of a "
                        "local cluster; INPUT_DIR and OUT_DIR must then be shared paths")
    p.add_argument("--partition-files", type=int, default=DEFAULT_PARTITION_FILES,
                   help="files per task (default %(default)s)")
    a = sub.add_parser("attach", help="load a parse-to-parquet output folder into the store")
    a.add_argument("out_dir")
    a.add_argument("--db", default=None,
                   help="store file (default: $NEWSROOM_LENS_DB or data/newsroom.duckdb)")
    args = parser.parse_args(argv)

    def show(done, total, message=None) -> None:
        print(message or f"{done}/{total} partitions", file=sys.stderr, flush=True)

    if args.command == "parse-to-parquet":
        summary = parse_to_parquet(args.input_dir, args.out_dir, workers=args.workers,
                                   scheduler=args.scheduler,
                                   partition_files=args.partition_files, progress=show)
        rate = summary["files"] / summary["seconds"] if summary["seconds"] else math.nan
        print(json.dumps(summary, ensure_ascii=False))
        print(f"parsed {summary['files']:,} files ({summary['articles']:,} articles, "
              f"{summary['errors']:,} rejected) in {summary['seconds']:.1f} s "
              f"({rate:,.0f} files/s) into {args.out_dir}", file=sys.stderr)
        return 0
    from .store import get_store

    counts = attach_parquet(get_store(args.db), args.out_dir, progress=show)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
