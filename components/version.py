"""The pipeline's version: a fingerprint of the stages' code and dictionaries.

In: nothing but files on disk. Out: ``parser_version()``, a short hex string that changes when
any stage's code or data changes; the store re-derives its tables when it does. Kept apart from
``pipeline.py`` so that start-up can compare versions without importing jieba, OpenCC and the
HTML stack (about 0.7 s).
"""
from __future__ import annotations

import functools
import hashlib
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
# The files whose content decides what the pipeline produces.
STAGE_FILES = ("components/model.py", "components/parsing.py", "components/_lxmlbody.py",
               "components/textutil.py",
               "components/entities.py", "components/quotes.py", "components/social.py",
               "components/pipeline.py")
DICTIONARY_DIR = ROOT / "data" / "dictionaries"
# Bump by hand to force a re-parse for a reason the fingerprint cannot see.
SCHEMA_EPOCH = "1"


@functools.lru_cache(maxsize=1)
def parser_version() -> str:
    """A short fingerprint of the stages' code and dictionaries."""
    digest = hashlib.sha256(SCHEMA_EPOCH.encode())
    paths = [ROOT / f for f in STAGE_FILES]
    if DICTIONARY_DIR.is_dir():
        paths += sorted(p for p in DICTIONARY_DIR.rglob("*") if p.is_file())
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
