"""The benchmark's measuring steps, each run in its own process by ``bench.run``.

In: ``python -m bench.steps STEP --args ...`` (one of ``ingest``, ``baseline``, ``profile``,
``page``, ``tour``). Out: one JSON object on the last line of stdout with the step's figures.

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


def read_list(path: str, start: int, stop: int | None) -> list[pathlib.Path]:
    lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    return [pathlib.Path(p) for p in lines[start:stop]]


def emit(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------------------------------------
# ingest: end to end, files -> store, through the store's own ingest path

def step_ingest(args) -> dict:
    from components import ingest
    from components.store import get_store

    paths = read_list(args.files, args.start, args.stop)
    store = get_store(args.db)
    before = store.article_count()
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
            "peak_rss_mb": peak_rss_mb()}


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
    chars = 0
    for text in texts:
        chars += len(text)
        list(pseg.cut(text, HMM=True))
    seconds = time.perf_counter() - started
    return {"articles": len(texts), "seconds": seconds, "chars": chars,
            "per_second": len(texts) / seconds if seconds else None}


# ---------------------------------------------------------------------------------------------
# profile: one core, each stage timed separately, then the store write

def step_profile(args) -> dict:
    import tempfile

    from components import entities, pipeline, quotes, social
    from components.model import Analysis, ArticleError
    from components.parsing import parse_article

    paths = read_list(args.files, 0, args.sample)
    timings = {"read": 0.0, "parse": 0.0, "entities": 0.0, "quotes": 0.0, "social": 0.0,
               "frame_rows": 0.0}
    by_script: dict[str, dict[str, float]] = {}
    counts: dict[str, int] = {}
    # Warm up every stage once (dictionary loads are a per-process cost, reported apart).
    started = time.perf_counter()
    warm = paths[0].read_bytes()
    a0 = parse_article(warm, paths[0].name)
    m0 = entities.extract_entities(a0)
    quotes.extract_quotes(a0, m0)
    social.extract_social(a0)
    warmup = time.perf_counter() - started
    analyses = []
    profiler = cProfile.Profile() if args.cprofile else None
    if profiler:
        profiler.enable()
    for path in paths:
        t0 = time.perf_counter()
        data = path.read_bytes()
        t1 = time.perf_counter()
        try:
            article = parse_article(data, path.name)
        except ArticleError:
            continue
        t2 = time.perf_counter()
        mentions = entities.extract_entities(article)
        t3 = time.perf_counter()
        said = quotes.extract_quotes(article, mentions)
        t4 = time.perf_counter()
        refs = social.extract_social(article)
        t5 = time.perf_counter()
        analysis = Analysis(article, mentions, said, refs)
        pipeline.frame_rows(analysis)
        t6 = time.perf_counter()
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
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            store.write(analyses[i:i + batch])
        write_s = time.perf_counter() - t0
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
    return result


# ---------------------------------------------------------------------------------------------
# page: one page's cold start and warm reruns in a fresh process; tour: every page, one process

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


def step_page(args) -> dict:
    at = _apptest()
    cold, problems = _run_page(at, args.page, args.article_id)
    warm_runs = []
    for _ in range(args.warm):
        started = time.perf_counter()
        at.run()
        warm_runs.append(time.perf_counter() - started)
        problems += [str(getattr(e, "value", e))[:200] for e in at.exception]
    return {"page": args.page, "cold_s": cold, "warm_s": statistics.median(warm_runs),
            "warm_runs": warm_runs, "problems": sorted(set(problems)),
            "peak_rss_mb": peak_rss_mb()}


def step_tour(args) -> dict:
    """Every page in turn in one process (as one server would serve them), twice."""
    at = _apptest()
    times = {}
    for page in args.pages.split(","):
        first, _ = _run_page(at, page, args.article_id)
        second, _ = _run_page(at, page, args.article_id)
        times[page] = [first, second]
    return {"times": times, "peak_rss_mb": peak_rss_mb()}


STEPS = {"ingest": step_ingest, "baseline": step_baseline, "profile": step_profile,
         "page": step_page, "tour": step_tour}


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
    args = parser.parse_args(argv)
    if args.db:
        os.environ["NEWSROOM_LENS_DB"] = args.db
    emit(STEPS[args.step](args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
