"""The benchmark's measuring steps, each run in its own process by ``bench.run``.

In: ``python -m bench.steps STEP --args ...`` (one of ``ingest``, ``baseline``, ``profile``,
``page``, ``tour``, ``floor``, ``clone``). Out: one JSON object on the last line of stdout with the step's figures.

Why separate processes: the store is a DuckDB file that one process opens at a time, a page's
cold start must start from an empty Streamlit cache and an unopened store, and the peak RSS of
a process only means something when the process did just one job.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pathlib
import pstats
import resource
import statistics
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
# Seconds a single AppTest run may take before it counts as a failure (not a timing assertion:
# the default of 3 s would turn a slow page into an exception instead of a figure).
APPTEST_TIMEOUT = 600

warnings.filterwarnings("ignore", category=DeprecationWarning)
warnings.filterwarnings("ignore", category=SyntaxWarning)


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CpuMeter:
    """CPU seconds used by this process and all its descendants (worker pools) while running.

    The machine may be shared: wall-clock rates then understate the code, and CPU seconds per
    article say what the work itself costs. Children are sampled every ``interval`` seconds
    (a process's last fraction of a second before it exits can be missed).
    """

    def __init__(self, interval: float = 0.2):
        import threading

        import psutil

        self._psutil = psutil
        self._me = psutil.Process()
        self._seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(interval,), daemon=True)
        self._start_self = self._cpu(self._me)
        self._load_start = os.getloadavg()[0]

    @staticmethod
    def _cpu(proc) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    def _sample(self) -> None:
        try:
            children = self._me.children(recursive=True)
        except self._psutil.Error:
            return
        for child in children:
            try:
                self._seen[child.pid] = max(self._seen.get(child.pid, 0.0), self._cpu(child))
            except self._psutil.Error:
                continue

    def _loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self._sample()

    def __enter__(self) -> "CpuMeter":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()
        self.self_s = self._cpu(self._me) - self._start_self
        self.children_s = sum(self._seen.values())
        self.total_s = self.self_s + self.children_s
        self.load_avg = (self._load_start, os.getloadavg()[0])


def read_list(path: str, start: int, stop: int | None) -> list[pathlib.Path]:
    lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    return [pathlib.Path(p) for p in lines[start:stop]]


def emit(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------------------------------------
# ingest: end to end, files -> store, through the store's own ingest path

def step_ingest(args) -> dict:
    from components import ingest
    from components.store import ensure_ready, get_store

    paths = read_list(args.files, args.start, args.stop)
    store = get_store(args.db)
    before = store.article_count()
    if before == 0:
        # A new store records the parser version now, as the dashboard's first start would;
        # otherwise that start would re-derive every article it finds.
        ensure_ready(store, samples_dir=None)
    with CpuMeter() as cpu:
        started = time.perf_counter()
        results = ingest.ingest_paths(store, paths, workers=args.workers)
        seconds = time.perf_counter() - started
    after = store.article_count()
    statuses: dict[str, int] = {}
    for r in results:
        statuses[r.status] = statuses.get(r.status, 0) + 1
    reasons = sorted({r.reason for r in results if r.status == "rejected" and r.reason})[:5]
    return {"files": len(paths), "seconds": seconds, "articles_before": before,
            "articles_after": after, "statuses": statuses, "rejected_reasons": reasons,
            "cpu_s": cpu.total_s, "cpu_main_s": cpu.self_s, "cpu_workers_s": cpu.children_s,
            "load_avg": cpu.load_avg, "peak_rss_mb": peak_rss_mb()}


# ---------------------------------------------------------------------------------------------
# baseline: the naive way, jieba.posseg with HMM over each body, one core

def step_baseline(args) -> dict:
    import jieba
    import jieba.posseg as pseg

    from components.parsing import parse_article

    jieba.setLogLevel(60)
    paths = read_list(args.files, 0, None)
    texts = []
    for path in paths:
        article = parse_article(path.read_bytes(), path.name)
        if article.script != "simplified":
            continue
        texts.append("\n".join([article.title or ""] + [b.text for b in article.blocks]))
        if len(texts) >= args.sample:
            break
    jieba.initialize()
    list(pseg.cut("预热一下词性标注器。", HMM=True))  # the first call loads the tag tables
    started = time.perf_counter()
    cpu_started = time.process_time()
    chars = 0
    for text in texts:
        chars += len(text)
        list(pseg.cut(text, HMM=True))
    seconds = time.perf_counter() - started
    cpu_s = time.process_time() - cpu_started
    return {"articles": len(texts), "seconds": seconds, "cpu_s": cpu_s, "chars": chars,
            "per_second": len(texts) / seconds if seconds else None,
            "per_cpu_second": len(texts) / cpu_s if cpu_s else None}


# ---------------------------------------------------------------------------------------------
# profile: one core, each stage timed separately, then the store write

def step_profile(args) -> dict:
    import tempfile

    from components import entities, pipeline, quotes, social
    from components.model import Analysis, ArticleError
    from components.parsing import parse_article

    # CPU time of this process: the machine may be shared, and wall time would then measure
    # the neighbours as much as the stage.
    clock = time.process_time
    wall_started = time.perf_counter()
    paths = read_list(args.files, 0, args.sample)
    timings = {"read": 0.0, "parse": 0.0, "entities": 0.0, "quotes": 0.0, "social": 0.0,
               "frame_rows": 0.0}
    by_script: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    # Warm up every stage once (dictionary loads are a per-process cost, reported apart).
    started = clock()
    warm = paths[0].read_bytes()
    a0 = parse_article(warm, paths[0].name)
    m0 = entities.extract_entities(a0)
    quotes.extract_quotes(a0, m0)
    social.extract_social(a0)
    warmup = clock() - started
    analyses = []
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    for path in paths:
        t0 = clock()
        data = path.read_bytes()
        t1 = clock()
        try:
            article = parse_article(data, path.name)
        except ArticleError:
            continue
        t2 = clock()
        mentions = entities.extract_entities(article)
        t3 = clock()
        said = quotes.extract_quotes(article, mentions)
        t4 = clock()
        refs = social.extract_social(article)
        t5 = clock()
        analysis = Analysis(article, mentions, said, refs)
        pipeline.frame_rows(analysis)
        t6 = clock()
        step = {"read": t1 - t0, "parse": t2 - t1, "entities": t3 - t2, "quotes": t4 - t3,
                "social": t5 - t4, "frame_rows": t6 - t5}
        script = article.script or "none"
        counts[script] = counts.get(script, 0) + 1
        bucket = by_script.setdefault(script, dict.fromkeys(timings, 0.0))
        for k, v in step.items():
            timings[k] += v
            bucket[k] += v
        analyses.append((analysis, data))
    if profiler:
        profiler.disable()
    n = len(analyses)
    result = {"articles": n, "warmup_s": warmup,
              "ms_per_article": {k: 1000 * v / n for k, v in timings.items()},
              "ms_per_article_by_script": {s: {k: 1000 * v / counts[s] for k, v in b.items()}
                                           for s, b in by_script.items()},
              "articles_by_script": counts}
    # The store write, batched as ingest batches, into a throwaway store.
    from components.store import get_store

    with tempfile.TemporaryDirectory(prefix="newsroom-bench-profile-") as tmp:
        store = get_store(str(pathlib.Path(tmp) / "profile.duckdb"))
        batch = max(1, args.batch)
        t0 = clock()
        for i in range(0, n, batch):
            store.write(analyses[i:i + batch])
        write_s = clock() - t0
        result["ms_per_article"]["store_write"] = 1000 * write_s / n if n else None
        result["store_write_batch"] = batch
        close = getattr(store, "close", None)
        if callable(close):
            close()
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.cprofile)
        result["cprofile"] = out.getvalue()
    result["peak_rss_mb"] = peak_rss_mb()
    result["wall_s"] = time.perf_counter() - wall_started
    result["clock"] = "process CPU time"
    return result


# ---------------------------------------------------------------------------------------------
# page: one page's cold start and warm reruns in a fresh process; tour: every page, one process

def pin_in_subprocess(db: str) -> str:
    """``pin_parser_version`` in a child process, so that this process has imported none of
    the app's modules when its cold start is timed. Returns the version pinned."""
    import subprocess

    code = ("import sys; from bench.steps import pin_parser_version; "
            "from components.version import parser_version; "
            "pin_parser_version(sys.argv[1]); print(parser_version())")
    proc = subprocess.run([sys.executable, "-c", code, db], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return proc.stdout.strip().splitlines()[-1]


def _reparsed(pinned: str) -> bool:
    """True when the app saw another pipeline version than the one pinned (a stage file
    changed in between), i.e. its start-up re-derived the store and the cold time is not the
    page's."""
    from components.version import parser_version

    return parser_version() != pinned


def pin_parser_version(db: str) -> bool:
    """Mark the bench store as derived by the current pipeline; True when it was not.

    During development the stage files (and so ``pipeline.parser_version()``) change between
    the ingest and the page timings; the app's start-up would then re-derive every stored
    article, and the cold start would time that instead of the page.
    """
    import duckdb

    from components.version import parser_version

    current = parser_version()
    con = duckdb.connect(db)
    try:
        row = con.execute("SELECT value FROM settings WHERE key = 'parser_version'").fetchone()
        if row and row[0] == current:
            return False
        if row:
            con.execute("UPDATE settings SET value = ? WHERE key = 'parser_version'", [current])
        else:
            con.execute("INSERT INTO settings VALUES ('parser_version', ?, '')", [current])
        return True
    finally:
        con.close()


def _apptest():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(APP), default_timeout=APPTEST_TIMEOUT)


def _run_page(at, page: str, article_id: str | None) -> tuple[float, list[str]]:
    at.switch_page(page)
    if article_id and pathlib.Path(page).stem == "article":
        at.query_params["id"] = article_id
    started = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - started
    problems = [str(getattr(e, "value", e))[:200] for e in at.exception]
    return seconds, problems


def _heading(at) -> str | None:
    """The page's first title (to check that the intended page was the one rendered)."""
    for kind in ("title", "header"):
        elements = getattr(at, kind)
        if len(elements):
            return str(elements[0].value)
    return None


def time_queries() -> dict[str, list[float]]:
    """Record the run time of every public function of ``components.queries``.

    The module is wrapped when the app first imports it (an import hook), so the cold start
    still pays for that import itself. Returns the record: name -> list of seconds.
    """
    import functools
    import importlib.abc
    import importlib.machinery

    record: dict[str, list[float]] = {}
    target = "components.queries"

    def wrap(module) -> None:
        for name in dir(module):
            fn = getattr(module, name)
            if name.startswith("_") or not callable(fn) or isinstance(fn, type) or \
                    getattr(fn, "__module__", None) != target:
                continue

            def timed(*a, __fn=fn, __name=name, **k):
                started = time.perf_counter()
                try:
                    return __fn(*a, **k)
                finally:
                    record.setdefault(__name, []).append(time.perf_counter() - started)

            setattr(module, name, functools.wraps(fn)(timed))

    class Loader(importlib.abc.Loader):
        def __init__(self, inner):
            self.inner = inner

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            self.inner.exec_module(module)
            wrap(module)

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target_module=None):
            if name != target:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is not None and spec.loader is not None:
                spec.loader = Loader(spec.loader)
            return spec

    if target in sys.modules:
        wrap(sys.modules[target])
    else:
        sys.meta_path.insert(0, Finder())
    return record


def _top_queries(record: dict[str, list[float]], limit: int = 5) -> list[tuple[str, float, int]]:
    ranked = sorted(((n, sum(t), len(t)) for n, t in record.items()), key=lambda x: -x[1])
    return [(n, round(total, 4), calls) for n, total, calls in ranked[:limit]]


def step_page(args) -> dict:
    pinned = pin_in_subprocess(args.db)
    record = time_queries()
    at = _apptest()
    cold, problems = _run_page(at, args.page, args.article_id)
    reparsed = _reparsed(pinned)
    cold_queries = _top_queries(record)
    record.clear()
    warm_runs = []
    for _ in range(args.warm):
        started = time.perf_counter()
        at.run()
        warm_runs.append(time.perf_counter() - started)
        problems += [str(getattr(e, "value", e))[:200] for e in at.exception]
    return {"page": args.page, "heading": _heading(at), "cold_s": cold, "warm_s": statistics.median(warm_runs),
            "warm_runs": warm_runs, "problems": sorted(set(problems)), "reparsed": reparsed,
            "cold_queries": cold_queries, "warm_queries": _top_queries(record),
            "peak_rss_mb": peak_rss_mb()}


def step_floor(args) -> dict:
    """The cold start of a one-line Streamlit script: what any page pays before its own work
    (Streamlit runtime start-up under AppTest), to read the page figures against."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string("import streamlit as st\nst.write('ready')",
                             default_timeout=APPTEST_TIMEOUT)
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    at.run()
    return {"cold_s": cold, "warm_s": time.perf_counter() - started, "peak_rss_mb": peak_rss_mb()}


def step_tour(args) -> dict:
    """Every page in turn in one process (as one server would serve them), twice."""
    pinned = pin_in_subprocess(args.db)
    at = _apptest()
    times = {}
    for page in args.pages.split(","):
        first, _ = _run_page(at, page, args.article_id)
        second, _ = _run_page(at, page, args.article_id)
        times[page] = [first, second]
    return {"times": times, "peak_rss_mb": peak_rss_mb(), "reparsed": _reparsed(pinned)}


# ---------------------------------------------------------------------------------------------
# clone: grow a store to a target size by copying its ingested articles (page timings only)

def clone_expression(table: str, column: str, suffix: str, copy: int) -> str:
    """The SELECT expression that makes a column of a copied row distinct from the original."""
    col = f'"{column}"'
    if (table, column) == ("articles", "id") or column in ("article_id", "content_hash"):
        return f"{col} || '{suffix}'"
    if (table, column) == ("articles", "url"):
        return f"CASE WHEN {col} IS NULL THEN NULL ELSE {col} || '?copy={copy}' END"
    if (table, column) == ("articles", "published"):
        # Spread the copies over other days (up to a year either way), keeping the time of day.
        return f"{col} + to_days(CAST((hash(id) + {copy}) % 730 AS INTEGER) - 365)"
    return col


def step_clone(args) -> dict:
    """Copy the stored articles (all tables, bytes included) under new ids until the store
    holds ``--target`` articles. Writes SQL directly: a benchmark fill, not a product path."""
    import duckdb

    con = duckdb.connect(args.db)
    started = time.perf_counter()
    base = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_name <> 'settings'").fetchall()]
    columns = {t: [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
        "AND table_schema = 'main' ORDER BY ordinal_position", [t]).fetchall()] for t in tables}
    con.execute("CREATE TEMP TABLE originals AS SELECT id, row_number() OVER (ORDER BY id) AS k "
                "FROM articles")
    count = base
    copy = 0
    while count < args.target:
        copy += 1
        take = min(base, args.target - count)
        suffix = f"~{count}"  # unique across clone steps (10k, then 100k)
        con.execute("BEGIN")
        con.execute("CREATE OR REPLACE TEMP TABLE chosen AS SELECT id FROM originals WHERE k <= ?",
                    [take])
        for table in tables:
            key = "id" if table == "articles" else "article_id"
            if key not in columns[table]:
                continue
            select = ", ".join(clone_expression(table, c, suffix, copy) for c in columns[table])
            con.execute(f'INSERT INTO "{table}" SELECT {select} FROM "{table}" '
                        f'WHERE "{key}" IN (SELECT id FROM chosen)')
        con.execute("COMMIT")
        count += take
    con.execute("UPDATE settings SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
                "WHERE key = 'store_version'")
    con.execute("CHECKPOINT")
    after = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    return {"from": base, "to": after, "copies": copy, "seconds": time.perf_counter() - started}


STEPS = {"ingest": step_ingest, "baseline": step_baseline, "profile": step_profile,
         "page": step_page, "tour": step_tour, "floor": step_floor, "clone": step_clone}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.steps")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--files", help="a text file listing the corpus paths, one a line")
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--stop", type=int, default=None)
    parser.add_argument("--db")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--cprofile", type=int, default=0, help="print this many top functions")
    parser.add_argument("--page")
    parser.add_argument("--pages")
    parser.add_argument("--article-id")
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--target", type=int, default=0)
    args = parser.parse_args(argv)
    if args.db:
        os.environ["NEWSROOM_LENS_DB"] = args.db
    emit(STEPS[args.step](args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
