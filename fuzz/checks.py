"""The invariant checks the fuzzer applies to every call, and the hang guard.

In: one input (bytes and a file name, an ``Article``, or an HTML string).
Out: the checked result, or an exception: ``model.ArticleError`` passes through (the loader's
own clear refusal, which the caller treats as a valid outcome); ``Hang`` when the call ran past
its time bound; ``ContractError`` when the result breaks the data model's contract; anything
else is the stage's own crash and propagates unchanged, so the report names its type and frame.

Time bound: ``BASE_SECONDS + SECONDS_PER_MB * size`` seconds of CPU time. CPU time, not wall
time, because CI machines run other jobs: a busy neighbour must not look like a hang here.
Two timers stop a call that would never return (so a real infinite loop fails the run instead
of stalling CI): a CPU-time timer (SIGPROF) at ``ALARM_FACTOR`` times the bound, and a wall-clock
timer (SIGALRM) far later for a call stuck without using CPU (a deadlock). After every call the
CPU time is compared with the bound, so a stage that swallows the signal is still caught.
``Hang`` derives from BaseException for the same reason: ``except Exception`` in a stage must
not eat it.
"""
from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import re
import signal
import threading
import time
import urllib.parse

from components.model import (PARAGRAPH, STAFF_ROLES, SUBHEADING, TITLE_BLOCK, Analysis,
                              Article, ArticleError)
from components.parsing import BLANK, parse_article

# The hang detector: generous on purpose (the issue: "10 s per MB + 2 s").
BASE_SECONDS = 2.0
SECONDS_PER_MB = 10.0
# The CPU timer fires at this multiple of the bound (the after-call check reports the overrun;
# the timer only ends a call that would never return). The wall timer is a last resort.
ALARM_FACTOR = 3.0
WALL_FACTOR = 20.0
WALL_MIN_SECONDS = 120.0
REPEAT_SECONDS = 1.0

ISO_UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ID_RE = re.compile(r"^[0-9a-f]{16}$")
ENTITY_TYPES = {"person", "place", "org"}
QUOTE_KINDS = {"expert", "official", "other", "source"}
SOCIAL_PLATFORMS = {"twitter", "youtube", "facebook", "instagram", "telegram", "tiktok", "weibo",
                    "other"}
SCRIPTS = {None, "simplified", "traditional"}


class Hang(BaseException):
    """A call that did not return within its time bound."""


class ContractError(AssertionError):
    """A result that breaks the data model's contract (model.py, UI_CONTRACT.md)."""


def bound_seconds(size_bytes: int) -> float:
    return BASE_SECONDS + SECONDS_PER_MB * size_bytes / 1_000_000


@contextlib.contextmanager
def time_limit(cpu_seconds: float, wall_seconds: float):
    """Raise Hang inside the block after ``cpu_seconds`` of process CPU time or
    ``wall_seconds`` of wall time (main thread on POSIX only; elsewhere a no-op)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def on_timer(signum, frame):
        what = "CPU" if signum == signal.SIGPROF else "wall"
        limit = cpu_seconds if signum == signal.SIGPROF else wall_seconds
        raise Hang(f"still running after {limit:.1f} s of {what} time")

    previous = {sig: signal.signal(sig, on_timer) for sig in (signal.SIGPROF, signal.SIGALRM)}
    # Repeating timers: a signal that lands where Python ignores exceptions (a gc callback, a
    # __del__) is lost, so it fires again every REPEAT_SECONDS until the call ends.
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds, REPEAT_SECONDS)
    signal.setitimer(signal.ITIMER_REAL, wall_seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def timed(fn, size_bytes: int, *args):
    """Call ``fn(*args)`` under the hang guard; returns (result, CPU seconds used)."""
    bound = bound_seconds(size_bytes)
    # Freeze the objects that exist before the call (hypothesis keeps a large heap): a full
    # garbage collection triggered inside the call then walks only the call's own objects,
    # instead of charging a second of someone else's garbage to a 1 KB input.
    gc.freeze()
    start = time.process_time()
    try:
        with time_limit(bound * ALARM_FACTOR, max(WALL_MIN_SECONDS, bound * WALL_FACTOR)):
            result = fn(*args)
    finally:
        used = time.process_time() - start
        gc.unfreeze()
    if used > bound:
        raise Hang(f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__name__', fn)} used "
                   f"{used:.1f} s of CPU on {size_bytes:,} bytes (bound {bound:.1f} s)")
    return result, used


# ---------------------------------------------------------------------------------------------
# Contract checks

def _fail(message: str) -> None:
    raise ContractError(message)


def _is_http(url) -> bool:
    if not isinstance(url, str):
        return False
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _utf8(value, where: str) -> None:
    """Every string must survive UTF-8 encoding (the store and the browser both need it)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            _fail(f"{where}: string is not encodable as UTF-8 (lone surrogate): {value[:80]!r}")
    elif isinstance(value, dict):
        for k, v in value.items():
            _utf8(k, where)
            _utf8(v, f"{where}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _utf8(v, f"{where}[{i}]")


def check_article(article, data: bytes | None = None) -> Article:
    """The loader's output contract (model.Article)."""
    if not isinstance(article, Article):
        _fail(f"parse_article returned {type(article).__name__}, not Article")
    a = article
    if data is not None and a.content_hash != hashlib.sha256(data).hexdigest():
        _fail("content_hash is not the sha256 of the bytes")
    if not ID_RE.match(a.id or ""):
        _fail(f"id {a.id!r} is not 16 hex digits")
    if not a.blocks and not a.title:
        _fail("an article with neither body blocks nor title was returned (should be ArticleError)")
    for i, b in enumerate(a.blocks):
        if b.kind not in (PARAGRAPH, SUBHEADING):
            _fail(f"block {i} kind {b.kind!r}")
        # Blank by the loader's own definition (parsing.BLANK); a block of bare control
        # characters such as '\x1f' is kept by the loader and is not a contract breach.
        if not isinstance(b.text, str) or not b.text.strip(BLANK):
            _fail(f"block {i} has empty text {b.text!r}")
    # Body text is read out of the file, never multiplied: a block per copy of nested markup
    # would turn a small upload into megabytes of text for every later stage.
    if data is not None:
        body_chars = sum(len(b.text) for b in a.blocks)
        if body_chars > len(data):
            _fail(f"{body_chars:,} characters of body text from a {len(data):,}-byte file")
    # The security invariant: no address other than absolute http(s) ever leaves the loader.
    if a.url is not None and not _is_http(a.url):
        _fail(f"article url {a.url!r} is not http(s)")
    for link in a.links:
        if not _is_http(link.url):
            _fail(f"link url {link.url!r} is not http(s)")
        if link.block is not None and not 0 <= link.block < len(a.blocks):
            _fail(f"link block {link.block} out of range ({len(a.blocks)} blocks)")
    for r in a.related:
        if not _is_http(r.get("url")):
            _fail(f"related url {r.get('url')!r} is not http(s)")
    for im in a.images:
        if im.src is not None and not _is_http(im.src):
            _fail(f"image src {im.src!r} is not http(s)")
        if not 0 <= im.position <= len(a.blocks):
            _fail(f"image position {im.position} out of range")
    for e in a.embeds:
        if not 0 <= e.position <= len(a.blocks):
            _fail(f"embed position {e.position} out of range")
        if not isinstance(e.html, str):
            _fail("embed html is not a string")
    if a.published is not None and not ISO_UTC_RE.match(a.published):
        _fail(f"published {a.published!r} is not ISO 8601 UTC (YYYY-MM-DDTHH:MM:SSZ)")
    if a.script not in SCRIPTS:
        _fail(f"script {a.script!r}")
    if sorted(a.byline) != sorted(STAFF_ROLES):
        _fail(f"byline roles {sorted(a.byline)}")
    if a.kind not in ("wrapper", "page"):
        _fail(f"kind {a.kind!r}")
    _utf8([a.title, a.url, a.source, a.outlet, a.section, a.warnings, a.byline,
           [b.text for b in a.blocks], [(x.url, x.text) for x in a.links], a.related,
           [(i.src, i.caption, i.credit) for i in a.images]], "article")
    return a


def _check_span(article: Article, what: str, block: int, start: int, end: int,
                surface: str | None) -> None:
    if block != TITLE_BLOCK and not 0 <= block < len(article.blocks):
        _fail(f"{what}: block {block} out of range ({len(article.blocks)} blocks)")
    if block == TITLE_BLOCK and not article.title:
        _fail(f"{what}: title block but the article has no title")
    text = article.block_text(block)
    if not 0 <= start < end <= len(text):
        _fail(f"{what}: span [{start}, {end}) outside block {block} of {len(text)} chars")
    if surface is not None and text[start:end] != surface:
        _fail(f"{what}: surface {surface!r} != block text {text[start:end]!r} at [{start},{end})")


def check_analysis(analysis, data: bytes | None = None) -> Analysis:
    """The pipeline's output contract (model.Analysis, pipeline.to_contract/frame_rows)."""
    from components import pipeline

    if not isinstance(analysis, Analysis):
        _fail(f"analyse returned {type(analysis).__name__}, not Analysis")
    a = check_article(analysis.article, data)
    check_stage_outputs(a, analysis.mentions, analysis.quotes, analysis.social)
    record = pipeline.to_contract(analysis)
    json.dumps(record, ensure_ascii=False)
    rows = pipeline.frame_rows(analysis)
    for table, cols in pipeline.FRAME_COLUMNS.items():
        for row in rows[table]:
            if len(row) != len(cols):
                _fail(f"frame_rows[{table}] row has {len(row)} values for {len(cols)} columns")
    _utf8(record, "contract")
    return analysis


def check_stage_outputs(article: Article, mentions, quotes, social) -> None:
    for m in mentions:
        if m.type not in ENTITY_TYPES:
            _fail(f"mention type {m.type!r}")
        if not m.name:
            _fail("mention with an empty name")
        _check_span(article, f"mention {m.name!r}", m.block, m.start, m.end, m.surface)
    for q in quotes:
        if q.kind not in QUOTE_KINDS:
            _fail(f"quote kind {q.kind!r}")
        if not isinstance(q.direct, bool):
            _fail(f"quote.direct {q.direct!r}")
        if not q.speaker:
            _fail("quote with an empty speaker")
        _check_span(article, f"quote by {q.speaker!r}", q.block, q.start, q.end, None)
    for s in social:
        if s.platform not in SOCIAL_PLATFORMS:
            _fail(f"social platform {s.platform!r}")
        if s.url is not None and not _is_http(s.url):
            _fail(f"social url {s.url!r} is not http(s)")
        for link in list(s.links) + list(s.media):
            if not isinstance(link, str):
                _fail(f"social link {link!r} is not a string")
        if s.position is not None and not 0 <= s.position <= len(article.blocks):
            _fail(f"social position {s.position} out of range ({len(article.blocks)} blocks)")
    _utf8([[(m.name, m.surface) for m in mentions], [(q.speaker, q.text, q.role) for q in quotes],
           [(s.url, s.text, s.author, s.handle, s.hashtags) for s in social]], "stages")


# ---------------------------------------------------------------------------------------------
# Known bugs in other modules

class KnownBug:
    """The outcome of an input that hit a bug already reported (see KNOWN_BUGS)."""

    def __init__(self, name: str, exc: BaseException):
        self.name = name
        self.exc = exc

    def __repr__(self) -> str:
        return f"KnownBug({self.name!r}: {type(self.exc).__name__}: {self.exc})"


# Bugs found by fuzzing and reported with a reproducer test marked xfail(strict=True) in
# tests/test_fuzz.py: name -> predicate(exception, input bytes). The short CI run tolerates them
# while TOLERATE_KNOWN is set (so CI stays deterministic on a known bug), the strict xfail goes
# red the day the module is fixed (then the entry is removed), and the long run
# (python -m fuzz) never tolerates anything.
KNOWN_BUGS: dict = {}
TOLERATE_KNOWN = False


def _known(exc: BaseException, data: bytes | None) -> str | None:
    if not TOLERATE_KNOWN:
        return None
    for name, matches in KNOWN_BUGS.items():
        try:
            if matches(exc, data or b""):
                return name
        except Exception:  # noqa: BLE001 - a predicate must not hide the failure
            continue
    return None


# ---------------------------------------------------------------------------------------------
# Entry points under test

def stages_available() -> bool:
    """True once every stage module imports (the pipeline imports them all)."""
    try:
        from components import pipeline  # noqa: F401
    except ImportError:
        return False
    return True


def _guarded(fn, data: bytes, *args):
    """``fn(*args)`` under the time bound for ``data``: (result, None), or (None, what to return
    instead: the ArticleError it raised, or a KnownBug); any other failure is raised."""
    try:
        result, _ = timed(fn, len(data), *args)
    except ArticleError as exc:
        _check_message(exc)
        return None, exc
    except (Hang, Exception) as exc:
        known = _known(exc, data)
        if known:
            return None, KnownBug(known, exc)
        raise
    return result, None


def run_parse(data: bytes, name: str = "fuzz.txt"):
    """parse_article under the guard. Returns the Article, or the ArticleError it raised."""
    article, refused = _guarded(parse_article, data, data, name)
    return refused if refused is not None else check_article(article, data)


def run_analyse(data: bytes, name: str = "fuzz.txt"):
    """pipeline.analyse (parse + entities + quotes + social) under the guard."""
    from components import pipeline

    analysis, refused = _guarded(pipeline.analyse, data, data, name)
    return refused if refused is not None else check_analysis(analysis, data)


def article_size(article: Article) -> int:
    parts = [article.title or ""] + [b.text for b in article.blocks] + [e.html for e in
                                                                       article.embeds]
    return sum(len(p.encode("utf-8", "replace")) for p in parts)


def run_stages(article: Article):
    """Each stage on its own on a synthetic Article, so a failure names its module."""
    from components import entities, quotes, social

    size = article_size(article)
    mentions, _ = timed(entities.extract_entities, size, article)
    said, _ = timed(quotes.extract_quotes, size, article, mentions)
    refs, _ = timed(social.extract_social, size, article)
    check_stage_outputs(article, mentions, said, refs)
    return mentions, said, refs


def run_social_html(html: str):
    from components import social

    refs, _ = timed(social.extract_social_from_html, len(html.encode("utf-8", "replace")), html)
    blank = Article(source="x", id="0" * 16, content_hash="", url=None, title="t",
                    published=None, outlet=None, section=None, script=None)
    check_stage_outputs(blank, [], [], [r for r in refs if r.position is None] or [])
    if any(r.position is not None for r in refs):
        _fail("extract_social_from_html set a position (it knows no blocks)")
    return refs


def _check_message(exc: ArticleError) -> None:
    """The loader's refusal is meant for the user: it must say something."""
    if not str(exc).strip():
        raise ContractError("ArticleError with an empty message")


def run_store(store, data: bytes, name: str = "fuzz.txt"):
    """analyse + Store.write (the upload path's write) and a read-back: every text the pipeline
    produced is stored verbatim (title, body blocks, quotes), whatever the file held."""
    from components import pipeline

    analysis, refused = _guarded(pipeline.analyse, data, data, name)
    if refused is not None:
        return refused
    check_analysis(analysis, data)
    results, _ = timed(store.write, len(data), [(analysis, data)])
    a = analysis.article
    if [r.article_id for r in results] != [a.id]:
        _fail(f"store.write returned {results!r} for article {a.id}")
    got = store.query("SELECT title FROM articles WHERE id = ?", [a.id])["title"].tolist()
    if len(got) != 1 or (got[0] if isinstance(got[0], str) else None) != a.title:
        _fail(f"stored title {got!r} != {a.title!r}")
    texts = store.query("SELECT text FROM paragraphs WHERE article_id = ? ORDER BY block",
                        [a.id])["text"].tolist()
    if texts != [b.text for b in a.blocks]:
        _fail("stored paragraphs differ from the article's blocks")
    said = store.query("SELECT text FROM quotes WHERE article_id = ?", [a.id])["text"].tolist()
    if sorted(said) != sorted(q.text for q in analysis.quotes):
        _fail("stored quotes differ from the analysis")
    return analysis


def warm_up() -> None:
    """Pay the one-time costs before anything is timed: the NLP dictionaries (first analyse),
    trafilatura's import (first saved web page, about 1.5 s of CPU) and dateparser's locale
    tables (about 1.5 s). A real server pays these once too; a fuzz run must not count them."""
    from .strategies import FIXTURES, SEED_DIR

    # The seed, and every saved web page among the fixtures: trafilatura loads parts of itself
    # (date and fallback extractors) lazily, on the first page that needs them.
    samples = sorted(SEED_DIR.glob("*.txt"))[:1] + sorted(
        p for p in FIXTURES.rglob("*.htm*")
        if p.read_bytes()[:200].lstrip().lower().startswith((b"<!doctype", b"<html")))
    try:  # trafilatura's date finder falls back to dateparser, which builds a regex for each of
        # its ~200 locales the first time no locale fits (about 1.5 s of CPU, once per process)
        import dateparser
        dateparser.parse("qqq 1 zzz")
    except Exception:  # noqa: BLE001 - an optional dependency; nothing to warm when absent
        pass
    for path in samples:
        data = path.read_bytes()
        parse_article(data, path.name)
        if stages_available():
            from components import pipeline
            pipeline.analyse(data, path.name)
