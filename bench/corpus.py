"""A synthetic archive for the benchmark, made at run time from real article files.

In: the seed articles (``data/samples``) and, when present, the devset (``../shared/devset``,
never copied into the project). Out: ``make_corpus(n, out_dir)`` writes ``n`` article files in
the archive wrapper format into ``out_dir`` (a temporary directory the caller owns) and returns
their paths. Each file is one base article with a new URL (so a new identity), a new publication
time, some person names swapped for generated ones and its middle paragraphs reordered, so the
store sees ``n`` distinct articles whose text, markup and script mix look like the real ones.

The variation rules are generic (surname + given-name characters, digit runs in the URL's last
segment, top-level HTML elements); nothing depends on which articles the bases are.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pathlib
import random
import re

from components.parsing import split_wrapper
from components.textutil import detect_script, to_traditional

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "samples"
DEVSET_DIR = ROOT.parent / "shared" / "devset"

# Common Chinese surnames (Simplified; Traditional forms come from OpenCC) and given-name
# characters: general knowledge, used to make plausible new person names.
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
            "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶"
            "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN_CHARS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力永宁健志国庆春晓"
               "海燕琳雪梅鹏飞宇浩然子涵欣怡思远嘉俊博文雅婷振宏德安立新光荣成瑞祥凯晨佳颖")
# A generated name pool of this size gives the entity tables a realistic long tail.
NAME_POOL_SIZE = 5000
# Share of candidate names replaced in each variant (the rest keep the real, recurring names).
REPLACE_SHARE = 0.7
# Publication times are spread over these years.
YEARS = (2019, 2025)

NAME_TOKEN_TAG = "nr"  # jieba's person-name tag
TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
VOID_TAGS = {"br", "img", "hr", "meta", "input", "link", "source", "wbr", "col", "area", "embed",
             "param", "track"}
DIGITS_RE = re.compile(r"\d+")
DATE_PATH_RE = re.compile(r"/(?:19|20)\d\d/\d\d/\d\d/")


@dataclasses.dataclass
class Base:
    """One source article cut into the parts the generator varies."""
    stem: str
    title: str
    url: str | None
    chunks: list[str]  # top-level HTML elements of the body, in order
    names: list[str]  # candidate person names found in title and body
    script: str | None


def base_files() -> list[pathlib.Path]:
    files = sorted(SAMPLES_DIR.glob("*.txt"))
    if DEVSET_DIR.is_dir():
        files += sorted(DEVSET_DIR.glob("*.txt"))
    return files


def split_top_level(html: str) -> list[str]:
    """Cut body HTML into its top-level elements (and top-level text runs)."""
    chunks: list[str] = []
    depth = 0
    start = 0
    for m in TAG_RE.finditer(html):
        closing, name, self_closing = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            depth = max(0, depth - 1)
        elif not self_closing and name not in VOID_TAGS:
            depth += 1
        if depth == 0:
            piece = html[start:m.end()]
            if piece.strip():
                chunks.append(piece)
            start = m.end()
    rest = html[start:]
    if rest.strip():
        chunks.append(rest)
    return chunks


def candidate_names(text: str) -> list[str]:
    """Person-name tokens of 2-3 characters that start with a common surname."""
    import rjieba  # the fast tagger: only used here to pick names to swap

    surnames = set(SURNAMES) | set(to_traditional(SURNAMES))
    found: dict[str, None] = {}
    for word, tag in rjieba.tag(text):
        if tag == NAME_TOKEN_TAG and 2 <= len(word) <= 3 and word[0] in surnames:
            found.setdefault(word, None)
    return list(found)


def load_base(path: pathlib.Path) -> Base | None:
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    fields, body, _ = split_wrapper(text)
    chunks = split_top_level(body.strip())
    if not chunks:
        return None
    title = fields["title"] or ""
    plain = re.sub(r"<[^>]+>", " ", body)
    return Base(path.stem, title, fields["url"], chunks, candidate_names(title + "\n" + plain),
                detect_script(title + plain))


def load_bases() -> list[Base]:
    return [b for b in (load_base(p) for p in base_files()) if b is not None]


def name_pool(size: int = NAME_POOL_SIZE, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    pool: dict[str, None] = {}
    while len(pool) < size:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        pool.setdefault(rng.choice(SURNAMES) + given, None)
    return list(pool)


def vary_url(url: str | None, index: int, stamp: dt.datetime) -> str:
    """A new, unique address in the base's style: the longest digit run of the last path segment
    is shifted by ``index``; a segment without digits gets ``-<index>``; a ``/yyyy/mm/dd/`` path
    takes the new date."""
    if not url:
        return f"https://example.org/news/{stamp:%Y/%m/%d}/article-{index}.html"
    head, sep, query = url.partition("?")
    # New-style addresses carry the date in the path: keep it in step with the new time.
    head = DATE_PATH_RE.sub(stamp.strftime("/%Y/%m/%d/"), head, count=1)
    trimmed = head.rstrip("/")
    slash = trimmed.rfind("/")
    prefix, last = trimmed[:slash + 1], trimmed[slash + 1:]
    runs = list(DIGITS_RE.finditer(last))
    if runs:
        m = max(runs, key=lambda r: len(r.group()))
        number = str(int(m.group()) + index).zfill(len(m.group()))
        last = last[:m.start()] + number + last[m.end():]
    else:
        stem, dot, ext = last.partition(".")
        last = f"{stem}-{index}{dot}{ext}"
    tail = "/" if head.endswith("/") else ""
    return prefix + last + tail + (sep + query if sep else "")


def make_article(base: Base, index: int, pool: list[str], seed: int = 0) -> str:
    """The text of variant ``index`` of ``base``."""
    rng = random.Random(hashlib.sha256(f"{seed}:{index}".encode()).digest())
    start = dt.datetime(YEARS[0], 1, 1, tzinfo=dt.timezone.utc).timestamp()
    end = dt.datetime(YEARS[1] + 1, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    moment = dt.datetime.fromtimestamp(rng.uniform(start, end), dt.timezone.utc).replace(microsecond=0)
    chunks = list(base.chunks)
    # Keep the lead and the last two elements (bylines, footers) in place; shuffle the middle.
    if len(chunks) > 4:
        middle = chunks[1:-2]
        rng.shuffle(middle)
        chunks = chunks[:1] + middle + chunks[-2:]
    body = "".join(chunks)
    title = base.title
    for name in base.names:
        if rng.random() < REPLACE_SHARE:
            # Zipf-like choice: a few generated names recur often, most rarely.
            new = pool[min(len(pool) - 1, int(rng.paretovariate(1.2)) - 1)] if rng.random() < 0.5 \
                else rng.choice(pool)
            new = new[:len(name)] if len(new) > len(name) else new
            if base.script == "traditional":
                new = to_traditional(new)
            body = body.replace(name, new)
            title = title.replace(name, new)
    url = vary_url(base.url, index, moment)
    millis = int(moment.timestamp() * 1000)
    return f"<!--{millis}-->\n[{title}]({url})\n------\n\n{body}\n"


def make_corpus(n: int, out_dir: str | pathlib.Path, seed: int = 0,
                bases: list[Base] | None = None) -> list[pathlib.Path]:
    """Write ``n`` synthetic article files into ``out_dir``; returns their paths in order.

    Bases are taken round-robin, so the script mix of the corpus is that of the bases."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bases = bases if bases is not None else load_bases()
    if not bases:
        raise RuntimeError(f"no base articles found in {SAMPLES_DIR}")
    pool = name_pool()
    paths = []
    for i in range(n):
        base = bases[i % len(bases)]
        path = out / f"{i:06d}.txt"
        path.write_text(make_article(base, i, pool, seed), encoding="utf-8")
        paths.append(path)
    return paths


def scripts_by_base(bases: list[Base], n: int) -> list[str | None]:
    """The script of each of the ``n`` corpus files (same round-robin as ``make_corpus``)."""
    return [bases[i % len(bases)].script for i in range(n)]
