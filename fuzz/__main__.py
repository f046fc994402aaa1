"""The long fuzzing run: ``python -m fuzz`` (10,000 examples per target by default).

In: command-line options (``--help``). Out: on stdout, per target, the examples tried, the
outcomes (article / refused with ArticleError), the slowest call, and every distinct failure
found (exception type, message, the innermost project frame, and the smallest input seen, which
is also saved under ``--save`` as a .bin file to replay with ``parse_article``). Exit status 1
when anything failed, else 0.

    .venv/bin/python -m fuzz                        # every target, 10,000 examples each
    .venv/bin/python -m fuzz --examples 50000 --targets parse-mutated,analyse-mutated
    .venv/bin/python -m fuzz --seed 1 --save fuzz-out

Failures are grouped by (exception type, innermost frame under components/), so one bug shows
once however many inputs trigger it. Hypothesis keeps going after a failure: each example is
checked inside ``record``, which notes the failure and lets the run continue, so the count of
examples tried is the real count (no shrinking; the smallest failing input seen is kept).
"""
from __future__ import annotations

import argparse
import collections
import pathlib
import sys
import time
import traceback

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from components.model import ArticleError

from . import checks
from . import strategies as S

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _targets():
    """name -> (strategy producing one argument tuple, function checking it, needs stages)."""
    return {
        "parse-random": (st.tuples(S.random_files(), S.file_names),
                         lambda a: checks.run_parse(*a), False),
        "parse-mutated": (st.tuples(S.mutated_files(), S.file_names),
                          lambda a: checks.run_parse(*a), False),
        "parse-generated": (st.tuples(S.generated_files(), st.just("generated.txt")),
                            lambda a: checks.run_parse(*a), False),
        "analyse-mutated": (st.tuples(S.mutated_files(), st.just("mutated.txt")),
                            lambda a: checks.run_analyse(*a), True),
        "analyse-generated": (st.tuples(S.generated_files(), st.just("generated.txt")),
                              lambda a: checks.run_analyse(*a), True),
        "stages": (st.tuples(S.synthetic_articles()), lambda a: checks.run_stages(*a), True),
        "social-html": (st.tuples(S.social_html), lambda a: checks.run_social_html(*a), True),
        "store": (st.tuples(S.any_file), lambda a: checks.run_store(_scratch_store(), a[0]),
                  True),
    }


_SCRATCH: dict = {}


def _scratch_store():
    """A throw-away store in a temp folder (the `store` target writes every article to it)."""
    if "store" not in _SCRATCH:
        import tempfile

        from components import store as store_mod
        folder = tempfile.mkdtemp(prefix="newsroom-fuzz-")
        _SCRATCH["store"] = store_mod.get_store(str(pathlib.Path(folder) / "fuzz.duckdb"))
    return _SCRATCH["store"]


def _signature(exc: BaseException) -> tuple[str, str]:
    """(type, innermost frame inside the project's components/ or fuzz/checks.py)."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = "?"
    for fr in frames:
        path = pathlib.Path(fr.filename)
        if "components" in path.parts or path.name == "checks.py":
            where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:" \
                    f"{fr.lineno} in {fr.name}"
    return type(exc).__name__, where


def _size(args) -> int:
    first = args[0]
    if isinstance(first, (bytes, str)):
        return len(first)
    return checks.article_size(first)


class Tally:
    def __init__(self, name: str):
        self.name = name
        self.tried = 0
        self.outcomes: collections.Counter = collections.Counter()
        self.failures: dict[tuple, dict] = {}
        self.slowest = (0.0, 0)
        self.slowest_args = None
        self.slowest_ratio = (0.0, 0, None)  # (share of its bound, size, args)

    def record(self, fn, args) -> None:
        self.tried += 1
        start = time.process_time()
        try:
            result = fn(args)
        except (checks.Hang, Exception) as exc:  # noqa: BLE001 - every failure is the finding
            sig = _signature(exc)
            size = _size(args)
            seen = self.failures.get(sig)
            if seen is None or size < seen["size"]:
                self.failures[sig] = {"size": size, "args": args,
                                      "message": str(exc).splitlines()[0][:300] if str(exc)
                                      else "", "count": (seen or {}).get("count", 0)}
            self.failures[sig]["count"] += 1
            self.outcomes["FAILED"] += 1
        else:
            kind = "refused (ArticleError)" if isinstance(result, ArticleError) else "ok"
            self.outcomes[kind] += 1
        used = time.process_time() - start
        size = _size(args)
        if used > self.slowest[0]:
            self.slowest = (used, size)
        share = used / checks.bound_seconds(size)
        if share > self.slowest_ratio[0]:
            self.slowest_ratio = (share, size, args)


def run_target(name: str, examples: int, fixed_seed: int | None) -> Tally:
    strategy, fn, _ = _targets()[name]
    tally = Tally(name)

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(strategy)
    def body(args):
        tally.record(fn, args)

    if fixed_seed is not None:
        body = seed(fixed_seed)(body)
    body()
    return tally


def _save(tally: Tally, out: pathlib.Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    for i, f in enumerate(tally.failures.values()):
        saved.append(str(_save_input(f["args"][0], out / f"{tally.name}-{i}.bin")))
    return saved


def _save_input(arg, path: pathlib.Path) -> pathlib.Path:
    """One input as it was drawn: bytes as they are, text as UTF-8, anything else as its repr
    (in a .txt beside). Returns the path written."""
    if isinstance(arg, bytes):
        path.write_bytes(arg)
    elif isinstance(arg, str):
        path.write_text(arg, encoding="utf-8", errors="surrogatepass")
    else:
        path = path.with_suffix(".txt")
        path.write_text(repr(arg), encoding="utf-8", errors="backslashreplace")
    return path


def main(argv: list[str] | None = None) -> int:
    targets = _targets()
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000,
                        help="examples per target (default 10,000)")
    parser.add_argument("--targets", default=",".join(targets),
                        help="comma-separated, from: " + ", ".join(targets))
    parser.add_argument("--seed", type=int, default=None, help="fixed seed (reproducible run)")
    parser.add_argument("--save", type=pathlib.Path, default=None,
                        help="folder for the smallest failing input of each failure")
    parser.add_argument("--alarm-factor", type=float, default=1.0,
                        help="stop a call at this multiple of its CPU bound (default 1: an "
                             "overrun is a failure either way, so stop it there)")
    opts = parser.parse_args(argv)
    checks.ALARM_FACTOR = opts.alarm_factor
    names = [n.strip() for n in opts.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in targets]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")
    if any(targets[n][2] for n in names) and not checks.stages_available():
        print("note: the stage modules are not all importable; skipping the analyse/stage targets")
        names = [n for n in names if not targets[n][2]]

    checks.warm_up()  # one-time loading costs must not count as a hang
    total_tried = total_failures = 0
    started = time.perf_counter()
    for name in names:
        t0 = time.perf_counter()
        tally = run_target(name, opts.examples, opts.seed)
        total_tried += tally.tried
        total_failures += len(tally.failures)
        outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(tally.outcomes.items()))
        print(f"{name}: {tally.tried:,} examples in {time.perf_counter() - t0:.0f} s "
              f"({outcomes}); slowest call {tally.slowest[0]:.2f} s CPU on "
              f"{tally.slowest[1]:,} bytes; distinct failures: {len(tally.failures)}", flush=True)
        for (kind, where), f in tally.failures.items():
            arg = f["args"][0]
            shown = repr(arg)[:300] if isinstance(arg, (bytes, str)) else repr(arg)[:300]
            print(f"  FAIL {kind} at {where}: {f['message']}\n"
                  f"       {f['count']} input(s); smallest {f['size']:,} bytes: {shown}")
        share, size, args = tally.slowest_ratio
        print(f"  closest to its bound: {share:.0%} of the bound on {size:,} bytes")
        if opts.save and tally.failures:
            for path in _save(tally, opts.save):
                print(f"       saved {path}")
        if opts.save and args is not None and share >= 0.25:
            # the input closest to a hang, to look at before it becomes one
            opts.save.mkdir(parents=True, exist_ok=True)
            path = _save_input(args[0], opts.save / f"{name}-slowest.bin")
            print(f"       slowest input saved {path}")
    print(f"total: {total_tried:,} examples, {total_failures} distinct failure(s), "
          f"{time.perf_counter() - started:.0f} s")
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
