"""Small text helpers shared by the stages: script detection and Traditional→Simplified.

In: strings. Out: the script of a text (``simplified`` / ``traditional`` / None) and converted
strings. OpenCC converters are built once per process (building one reads its dictionaries).
"""
from __future__ import annotations

import functools
import re

import opencc

CJK_RE = re.compile(r"[\u4e00-\u9fff]")
SCRIPT_SAMPLE_CHARS = 4000


@functools.lru_cache(maxsize=None)
def converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return converter("t2s").convert(text)


def to_traditional(text: str) -> str:
    return converter("s2t").convert(text)


def detect_script(text: str) -> str | None:
    """``traditional`` when more characters change under t2s than under s2t, else
    ``simplified``; None when the text holds no Chinese characters."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if not CJK_RE.search(sample):
        return None
    as_simplified = to_simplified(sample)
    as_traditional = to_traditional(sample)
    traditional_only = sum(1 for a, b in zip(sample, as_simplified) if a != b)
    simplified_only = sum(1 for a, b in zip(sample, as_traditional) if a != b)
    return "traditional" if traditional_only > simplified_only else "simplified"
