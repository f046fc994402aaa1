"""Small text helpers shared by the stages: script detection, Traditional→Simplified, and
word lists as trie-shaped regexes.

In: strings. Out: the script of a text (``simplified`` / ``traditional`` / None), converted
strings, and ``trie_pattern`` sources. OpenCC converters are built once per process (building
one reads its dictionaries).
"""
from __future__ import annotations

import functools
import re

import opencc

CJK_RE = re.compile(r"[\u4e00-\u9fff]")
SCRIPT_SAMPLE_CHARS = 4000
SCRIPT_IN_STEP = 8  # characters of each class found one by one before counting them all


@functools.lru_cache(maxsize=None)
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return converter("s2t").convert(text)


@functools.lru_cache(maxsize=1)
def _script_classes() -> tuple[re.Pattern, re.Pattern]:
    """Character classes of the CJK characters that exist in one script only, read off
    OpenCC's own tables once per process (0.1 s): t2s changes a Traditional-only character,
    s2t a Simplified-only one. Counting them is 5x cheaper than converting every text.

    Each class is followed by an empty group, so ``findall`` lists the group's empty string
    (one shared object) per match instead of a new one-character string: the same count, a
    fifth cheaper."""
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    joined = "\n".join(chars)
    as_simplified = to_simplified(joined).split("\n")
    as_traditional = to_traditional(joined).split("\n")
    traditional_only = "".join(c for c, x in zip(chars, as_simplified) if x != c)
    simplified_only = "".join(c for c, x in zip(chars, as_traditional) if x != c)
    return re.compile(f"[{traditional_only}]()"), re.compile(f"[{simplified_only}]()")


def detect_script(text: str) -> str | None:
    """``traditional`` when the text holds more Traditional-only than Simplified-only
    characters, else ``simplified``; None when it holds no Chinese characters."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if not CJK_RE.search(sample):
        return None
    traditional_re, simplified_re = _script_classes()
    # Most texts hold few or none of one class: find the characters of both classes one at a
    # time, in step, and the class that runs out first decides (after i characters of each,
    # no further Traditional-only one means at most i against at least i). That scans the
    # sample about once per class and skips the per-match cost of counting the other class's
    # hundreds of characters. Texts that mix both get counted in full after SCRIPT_IN_STEP.
    find_traditional, find_simplified = traditional_re.search, simplified_re.search
    at_traditional = at_simplified = 0
    for _ in range(SCRIPT_IN_STEP):
        m = find_traditional(sample, at_traditional)
        if m is None:
            return "simplified"
        at_traditional = m.end()
        m = find_simplified(sample, at_simplified)
        if m is None:
            return "traditional"
        at_simplified = m.end()
    traditional_only = len(traditional_re.findall(sample))
    simplified_only = len(simplified_re.findall(sample))
    return "traditional" if traditional_only > simplified_only else "simplified"


def scan_lookahead(words) -> str:
    """A regex source to put before an alternation of ``words`` scanned over a long text: a
    lookahead on the first two characters. The engine tries the whole alternation at every
    position whose character starts some word, and a failed try tests every top-level branch;
    two character classes turn most of those positions away cheaply. Same matches, since every
    word has two characters; "" when one has fewer (the lookahead would lose its matches)."""
    words = [w for w in words if w]
    if not words or min(map(len, words)) < 2:
        return ""
    return "(?=[%s][%s])" % (re.escape("".join(sorted({w[0] for w in words}))),
                             re.escape("".join(sorted({w[1] for w in words}))))


def trie_pattern(words) -> str:
    """A regex source matching any of the words, the longest at a position first, written as a
    trie (总(?:统|理|书记)…): Python's regex engine would otherwise try every word at every
    position (a plain alternation of 200 titles is several times slower)."""
    trie: dict = {}
    for w in {w for w in words if w}:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return "(?!)"

    def build(node: dict, top: bool = False) -> str | None:
        branches, singles = [], []
        for ch in sorted(k for k in node if k):
            rest = build(node[ch])
            if rest is None:
                singles.append(re.escape(ch))
            else:
                branches.append(re.escape(ch) + rest)
        if not branches and not singles:
            return None
        if top:
            # Every top-level branch starts with a literal, so the engine can skip ahead to
            # the next possible first character (a character class there makes it 15x slower).
            branches += singles
        elif singles:
            branches.append(singles[0] if len(singles) == 1 else "[" + "".join(singles) + "]")
        out = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + out + ")?" if "" in node else out

    return "(?:" + build(trie, top=True) + ")"
