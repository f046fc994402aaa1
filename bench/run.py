"""``python -m bench``: how fast Newsroom Lens ingests an archive and answers its pages.

In: command-line flags (``--n``, ``--pages-at``, ``--workers``, ``--skip-pages``, ``--smoke``...).
Out: a table on stdout (and the raw figures as JSON with ``--json PATH``):

- ingest: end-to-end articles per second from files into a fresh store (all stages, all
  workers), beside the naive baseline measured in the same run on the same texts (jieba.posseg
  with HMM over each Simplified body, one core, on a sample) and the ratio of the two;
- stages: milliseconds per article for parse, entities, quotes, social, frame rows and the store
  write, on one core (where to optimise);
- pages: each page's cold start (fresh process) and warm rerun (AppTest from ``app.py``) with
  the store holding each ``--pages-at`` number of articles, and the peak RSS of a process that
  serves every page;
- the store's size on disk per 1,000 articles.

The corpus is synthetic (``bench.corpus``), written to a temporary folder and deleted after.
Every measurement runs in its own process (``bench.steps``). No figure here is a pass/fail gate
for CI; the targets are printed beside the figures for the reader.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from . import corpus

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "components" / "pages"
# Page modules in the order the navigation lists them; others found on disk follow.
PAGE_ORDER = ("overview", "article", "entities", "viewpoints", "social", "upload")

# The targets of issue 6, for the reader (never asserted).
TARGET_INGEST_PER_S = 300
TARGET_RATIO = 15
TARGET_WARM_S = {10_000: 0.3, 100_000: 1.0}
TARGET_COLD_S = {100_000: 3.0}
TARGET_RSS_MB = {100_000: 1536}
# The pages a --smoke run times (each costs a fresh process).
SMOKE_PAGES = "overview,article"
# Queries at least this slow on a page's cold start are listed under the pages table.
SLOW_QUERY_S = 0.1


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# What a snapshot of the code holds (everything the app, the pipeline and the steps read).
SNAPSHOT_ITEMS = ("app.py", "components", "bench", "data/dictionaries", "data/samples",
                  ".streamlit")
CODE_DIR = ROOT  # where the steps run from; run() points it at the snapshot


def snapshot_code(dest: pathlib.Path) -> pathlib.Path:
    """Copy the code into ``dest`` so that the whole run measures one version of it.

    While the stage files are edited, ``pipeline.parser_version()`` changes, and a store
    ingested by one version is re-derived at the app's next start by another: the cold start
    would time a re-parse of the whole store instead of the page.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*.tmp", "*.duckdb", "*.duckdb.wal")
    for item in SNAPSHOT_ITEMS:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, dest / item, ignore=ignore, dirs_exist_ok=True)
        elif src.is_file():
            (dest / item).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / item)
    return dest


def run_step(step: str, *args: str, log_dir: pathlib.Path, env: dict | None = None) -> dict:
    """Run ``python -m bench.steps STEP ...`` (from the code snapshot) and return its JSON."""
    cmd = [sys.executable, "-m", "bench.steps", step, *args]
    full_env = dict(os.environ, **(env or {}))
    full_env.setdefault("PYTHONWARNINGS", "ignore")
    stamp = f"{step}-{time.time_ns()}"
    err_path = log_dir / f"{stamp}.stderr"
    with open(err_path, "wb") as err:
        proc = subprocess.run(cmd, cwd=CODE_DIR, stdout=subprocess.PIPE, stderr=err,
                              env=full_env)
    lines = [line for line in proc.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if proc.returncode != 0 or not lines:
        tail = err_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"bench step {step} failed (exit {proc.returncode}):\n{tail}")
    return json.loads(lines[-1])


def discover_pages(only: list[str] | None = None) -> list[str]:
    """Page modules as paths relative to app.py (``components/pages/overview.py``)."""
    found = {p.stem: p for p in PAGES_DIR.glob("*.py") if not p.name.startswith("_")}
    names = [n for n in PAGE_ORDER if n in found] + sorted(set(found) - set(PAGE_ORDER))
    if only:
        names = [n for n in names if n in only]
    return [found[n].relative_to(ROOT).as_posix() for n in names]


def store_size(db: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


# ---------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=1000,
                   help="articles to ingest for the ingest figure (default %(default)s)")
    p.add_argument("--pages-at", default="10000,100000",
                   help="store sizes at which to time the pages, comma-separated "
                        "(default %(default)s); the corpus grows to the largest")
    p.add_argument("--skip-pages", action="store_true", help="no page timings")
    p.add_argument("--pages", default=None,
                   help="only these pages, comma-separated (e.g. overview,entities)")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="ingest worker processes (default: cores = %(default)s)")
    p.add_argument("--baseline-sample", type=int, default=100,
                   help="Simplified articles tagged by the naive baseline (default %(default)s)")
    p.add_argument("--profile-sample", type=int, default=300,
                   help="articles in the one-core per-stage profile (default %(default)s)")
    p.add_argument("--skip-profile", action="store_true")
    p.add_argument("--cprofile", type=int, default=0,
                   help="also print the top K functions of the one-core profile")
    p.add_argument("--warm", type=int, default=3, help="warm reruns per page (median shown)")
    p.add_argument("--fill", choices=("ingest", "clone"), default="ingest",
                   help="how the store reaches the --pages-at sizes above --clone-base: ingest "
                        "every article (default), or copy the ingested ones under new ids "
                        "(much faster; page timings only, marked in the table)")
    p.add_argument("--clone-base", type=int, default=10000,
                   help="with --fill clone: articles really ingested before copying "
                        "(default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="corpus variation seed")
    p.add_argument("--tmp", default=None, help="work folder (default: a new temporary folder)")
    p.add_argument("--keep", action="store_true", help="keep the corpus and store afterwards")
    p.add_argument("--live-code", action="store_true",
                   help="run the steps from the working tree instead of a snapshot of it "
                        "taken at the start")
    p.add_argument("--json", default=None, help="also write the raw figures to this file")
    p.add_argument("--smoke", action="store_true",
                   help="tiny CI run: --n 12 --pages-at 12 --pages overview,article "
                        "--baseline-sample 3 --profile-sample 6 --warm 1")
    args = p.parse_args(argv)
    if args.smoke:
        args.n, args.pages_at, args.baseline_sample, args.profile_sample, args.warm = \
            12, "12", 3, 6, 1
        args.pages = args.pages or SMOKE_PAGES
    args.pages_at = [] if args.skip_pages else sorted(
        {int(x.replace("_", "").replace(",", "")) for x in args.pages_at.split(",") if x.strip()})
    args.pages = [x.strip() for x in args.pages.split(",")] if args.pages else None
    if args.n < 1:
        p.error("--n must be at least 1")
    return args


def run(args: argparse.Namespace) -> dict:
    work = pathlib.Path(args.tmp) if args.tmp else pathlib.Path(
        tempfile.mkdtemp(prefix="newsroom-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    db = work / "store" / "bench.duckdb"
    db.parent.mkdir(exist_ok=True)
    for old in db.parent.glob(db.name + "*"):
        old.unlink()
    clone_base = max(args.n, min(args.clone_base, max(args.pages_at or [0])))
    total = max([args.n] + args.pages_at) if args.fill == "ingest" else clone_base
    global CODE_DIR
    CODE_DIR = ROOT if args.live_code else snapshot_code(work / "code")
    results: dict = {"n": args.n, "workers": args.workers, "cores": os.cpu_count(),
                     "pages_at": args.pages_at, "corpus_size": total}
    try:
        log(f"writing a synthetic corpus of {total:,} articles into {work / 'corpus'}")
        bases = corpus.load_bases()
        started = time.perf_counter()
        paths = corpus.make_corpus(total, work / "corpus", seed=args.seed, bases=bases)
        results["corpus_seconds"] = time.perf_counter() - started
        scripts = corpus.scripts_by_base(bases, total)
        results["bases"] = {"count": len(bases),
                            "simplified": sum(b.script == "simplified" for b in bases),
                            "traditional": sum(b.script == "traditional" for b in bases)}
        results["corpus_scripts"] = {s or "none": scripts[:args.n].count(s) for s in set(scripts)}
        listing = work / "files.txt"
        listing.write_text("\n".join(map(str, paths)) + "\n", encoding="utf-8")
        simplified = work / "simplified.txt"
        simplified.write_text("\n".join(str(p) for p, s in zip(paths[:args.n], scripts)
                                        if s == "simplified") + "\n", encoding="utf-8")

        log(f"naive baseline: jieba.posseg (HMM) on up to {args.baseline_sample} Simplified "
            "articles, one core")
        results["baseline"] = run_step("baseline", "--files", str(simplified), "--sample",
                                       str(args.baseline_sample), log_dir=logs)

        if not args.skip_profile:
            log(f"one-core stage profile on {min(args.profile_sample, total)} articles")
            extra = ["--cprofile", str(args.cprofile)] if args.cprofile else []
            results["profile"] = run_step("profile", "--files", str(listing), "--sample",
                                          str(args.profile_sample), *extra, log_dir=logs)

        stops = sorted({args.n, *(s for s in args.pages_at if s <= total)})
        if args.fill == "clone" and total not in stops:
            stops.append(total)
        results["ingest"] = []
        results["pages"] = {}
        start = 0
        pages = discover_pages(args.pages)
        for stop in stops:
            log(f"ingest files {start:,}..{stop:,} with {args.workers} workers")
            step = run_step("ingest", "--files", str(listing), "--start", str(start), "--stop",
                            str(stop), "--db", str(db), "--workers", str(args.workers),
                            log_dir=logs)
            step["size_bytes"] = store_size(db)
            step["range"] = [start, stop]
            results["ingest"].append(step)
            log(f"  {step['files']:,} files in {step['seconds']:.1f} s "
                f"({step['files'] / step['seconds']:.0f}/s); store now "
                f"{step['articles_after']:,} articles, {step['size_bytes'] / 1e6:.1f} MB")
            start = stop
            if stop in args.pages_at and pages:
                results["pages"][stop] = measure_pages(pages, db, args, logs)
        for level in [s for s in args.pages_at if s > total]:
            log(f"clone the stored articles up to {level:,}")
            step = run_step("clone", "--db", str(db), "--target", str(level), log_dir=logs)
            results.setdefault("clones", []).append(step)
            if pages:
                results["pages"][level] = measure_pages(pages, db, args, logs)
                results["pages"][level]["cloned_from"] = step["from"]
    finally:
        if not args.keep and not args.tmp:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"kept the work folder {work}")
    return results


def measure_pages(pages: list[str], db: pathlib.Path, args, logs: pathlib.Path) -> dict:
    """Each page cold and warm in its own process, the floor, and the one-process tour.
    A step that fails is recorded with its error; the run goes on."""
    env = {"NEWSROOM_LENS_DB": str(db)}
    article_id = first_article_id(db, logs)
    extra = ["--article-id", article_id] if article_id else []
    out = {"pages": {}, "article_id": article_id}

    def attempt(step: str, *step_args: str) -> dict:
        try:
            return run_step(step, *step_args, log_dir=logs, env=env)
        except RuntimeError as exc:
            log(f"  {step} failed: {str(exc)[-300:]}")
            return {"error": str(exc)[-1000:]}

    for page in pages:
        log(f"  page {page}: cold start + {args.warm} warm reruns")
        out["pages"][page] = attempt("page", "--page", page, "--warm", str(args.warm),
                                     "--db", str(db), *extra)
    out["floor"] = attempt("floor")
    log("  all pages in one process (peak RSS)")
    out["tour"] = attempt("tour", "--pages", ",".join(pages), "--db", str(db), *extra)
    return out


def first_article_id(db: pathlib.Path, logs: pathlib.Path) -> str | None:
    code = ("import duckdb,sys; c=duckdb.connect(sys.argv[1], read_only=True); "
            "r=c.execute('select id from articles order by n_quotes desc, id limit 1').fetchone(); "
            "print(r[0] if r else '')")
    proc = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True,
                          cwd=CODE_DIR)
    return proc.stdout.strip() or None


# ---------------------------------------------------------------------------------------------
# The report

def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("meets" if ok else "MISSES")


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                     + [line(r) for r in rows])


def report(r: dict) -> str:
    out = []
    out.append(f"Newsroom Lens benchmark: {r['cores']} cores, {r['workers']} ingest workers; "
               f"synthetic corpus of {r['corpus_size']:,} articles from {r['bases']['count']} "
               f"bases ({r['bases']['simplified']} Simplified, {r['bases']['traditional']} "
               f"Traditional); first {r['n']:,}: {r['corpus_scripts']}")
    head = r["ingest"][0]
    rate = head["files"] / head["seconds"]
    base = r["baseline"]
    base_rate = base["per_second"] or 0
    ratio = rate / base_rate if base_rate else None
    rows = [
        [f"ingest, end to end ({head['files']:,} files -> store, all stages)",
         f"{rate:,.0f} articles/s ({head['seconds']:.1f} s)", f">= {TARGET_INGEST_PER_S}/s",
         _mark(rate >= TARGET_INGEST_PER_S)],
        [f"naive baseline (jieba.posseg HMM, 1 core, {base['articles']} Simplified sampled, "
         "extrapolated)", f"{base_rate:,.1f} articles/s", "", ""],
        ["ratio ingest / baseline", f"{ratio:,.1f}x" if ratio else "n/a", f">= {TARGET_RATIO}x",
         _mark(ratio >= TARGET_RATIO if ratio else None)],
    ]
    if head.get("cpu_s"):
        per = 1000 * head["cpu_s"] / head["files"]
        rows.append([f"ingest CPU cost (main process {1000 * head['cpu_main_s'] / head['files']:.1f}"
                     f" + workers {1000 * head['cpu_workers_s'] / head['files']:.1f})",
                     f"{per:,.1f} CPU-ms/article = {1000 * r['cores'] / per:,.0f} articles/s "
                     f"if all {r['cores']} cores were free", "", ""])
        load = head.get("load_avg")
        if load:
            rows.append(["machine load (1-min average, start / end of ingest)",
                         f"{load[0]:.1f} / {load[1]:.1f} on {r['cores']} cores", "", ""])
    if base.get("per_cpu_second"):
        rows.append(["naive baseline per CPU-second (same sample)",
                     f"{base['per_cpu_second']:,.1f} articles/CPU-s", "", ""])
        if head.get("cpu_s"):
            cpu_ratio = (head["files"] / head["cpu_s"]) * r["cores"] / base["per_cpu_second"]
            rows.append(["ratio by CPU cost (all cores vs one core)", f"{cpu_ratio:,.1f}x",
                         f">= {TARGET_RATIO}x", _mark(cpu_ratio >= TARGET_RATIO)])
    for step in r["ingest"][1:]:
        rows.append([f"ingest {step['range'][0]:,}..{step['range'][1]:,} (incremental)",
                     f"{step['files'] / step['seconds']:,.0f} articles/s "
                     f"({step['seconds']:.1f} s)", "", ""])
    for step in r["ingest"]:
        count = step["articles_after"]
        if count:
            rows.append([f"store size at {count:,} articles",
                         f"{step['size_bytes'] / count * 1000 / 1e6:,.2f} MB per 1,000 "
                         f"({step['size_bytes'] / 1e6:,.1f} MB)", "", ""])
        odd = {k: v for k, v in step["statuses"].items() if k not in ("added",)}
        if odd:
            rows.append([f"  ingest statuses {step['range'][0]:,}..{step['range'][1]:,}",
                         json.dumps(step["statuses"]), "", ""])
    out.append("")
    out.append(_table(["measure", "value", "target", ""], rows))

    prof = r.get("profile")
    if prof:
        out.append("")
        ms = prof["ms_per_article"]
        total_ms = sum(v for v in ms.values() if v)
        rows = [[k, f"{v:,.2f}", f"{100 * v / total_ms:.0f}%"] for k, v in ms.items() if v is not None]
        rows.append(["total (one core)", f"{total_ms:,.2f}", f"= {1000 / total_ms:,.0f} articles/s"])
        out.append(f"Stages, one core, CPU time, {prof['articles']} articles (warm-up {prof['warmup_s']:.1f} s "
                   f"excluded; store write in batches of {prof['store_write_batch']}):")
        out.append(_table(["stage", "CPU ms/article", "share"], rows))
        by = prof.get("ms_per_article_by_script") or {}
        if len(by) > 1:
            stages = list(ms)[:-1]
            rows = [[s, str(prof["articles_by_script"][s])] + [f"{by[s][k]:,.2f}" for k in stages]
                    for s in sorted(by)]
            out.append(_table(["script", "n"] + stages, rows))
        if prof.get("cprofile"):
            out.append(prof["cprofile"])

    if r["pages"]:
        out.append("")
        levels = sorted(r["pages"], key=int)
        names = list(next(iter(r["pages"].values()))["pages"])
        headers = ["page"]
        for lv in levels:
            headers += [f"cold @{int(lv):,}", f"warm @{int(lv):,}"]
        rows = []
        cloned = {lv: r["pages"][lv].get("cloned_from") for lv in levels}
        for name in names:
            row = [pathlib.Path(name).stem]
            for lv in levels:
                pg = r["pages"][lv]["pages"].get(name)
                if not pg or "cold_s" not in pg:
                    row += ["failed" if pg else "", ""]
                    continue
                cold_t = TARGET_COLD_S.get(int(lv))
                warm_t = TARGET_WARM_S.get(int(lv))
                row.append(f"{pg['cold_s']:.2f} s" + (" !" if cold_t and pg["cold_s"] > cold_t else ""))
                row.append(f"{pg['warm_s']:.3f} s" + (" !" if warm_t and pg["warm_s"] > warm_t else ""))
            rows.append(row)
        out.append("Pages, server side (AppTest from app.py; cold = first run in a fresh process, "
                   "warm = median rerun; '!' = over target):")
        out.append(_table(headers, rows))
        for lv, base in cloned.items():
            if base:
                out.append(f"@{int(lv):,}: the store was filled by copying {base:,} ingested "
                           "articles under new ids, dates and hashes (--fill clone)")
        for lv in levels:
            floor = r["pages"][lv].get("floor")
            if floor and "cold_s" in floor:
                out.append(f"@{int(lv):,}: Streamlit's own floor (a one-line script under AppTest) "
                           f"cold {floor['cold_s']:.2f} s, warm {floor['warm_s']:.3f} s")
        for lv in levels:
            tour = r["pages"][lv]["tour"]
            if "peak_rss_mb" not in tour:
                out.append(f"@{int(lv):,}: the one-process tour failed: {tour.get('error', '')[-300:]}")
                continue
            target = TARGET_RSS_MB.get(int(lv))
            note = f" (target <= {target:,} MB: {_mark(tour['peak_rss_mb'] <= target)})" if target else ""
            out.append(f"peak RSS of one process serving every page @{int(lv):,}: "
                       f"{tour['peak_rss_mb']:,.0f} MB{note}")
            slow = []
            for p, pg in r["pages"][lv]["pages"].items():
                top = [q for q in pg.get("cold_queries") or [] if q[1] >= SLOW_QUERY_S]
                if top:
                    slow.append(f"{pathlib.Path(p).stem}: " + ", ".join(
                        f"{name} {secs:.2f} s" for name, secs, _ in top))
            if slow:
                out.append(f"slowest queries on cold starts @{int(lv):,} (>= {SLOW_QUERY_S} s): "
                           + "; ".join(slow))
            problems = {p: pg.get("problems") or pg.get("error")
                        for p, pg in r["pages"][lv]["pages"].items()
                        if pg.get("problems") or pg.get("error")}
            reparsed = [p for p, pg in r["pages"][lv]["pages"].items() if pg.get("reparsed")]
            if reparsed:
                out.append(f"@{int(lv):,}: the app re-derived the store during the cold start of "
                           f"{reparsed} (the pipeline changed mid-run): those cold times are not "
                           "the page's")
            if problems:
                out.append(f"page exceptions @{int(lv):,}: {json.dumps(problems, ensure_ascii=False)}")
        out.append("Targets: warm <= 0.3 s @10,000 and <= 1 s @100,000; cold <= 3 s @100,000; "
                   "RSS <= 1.5 GB @100,000.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    text = report(results)
    print(text)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
    return 0
