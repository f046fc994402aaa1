"""Start-up of the ingest worker processes.

In: nothing (imported once, by the ingest forkserver). Out: a process whose pipeline state
(jieba dictionaries, OpenCC converters, compiled patterns) is loaded, so that every worker
forked from it starts warm instead of spending about a second on its first file.
"""
from __future__ import annotations

from . import pipeline

try:
    pipeline.warm_up()
except Exception:  # noqa: BLE001  a failed warm-up only costs time: each worker loads lazily
    pass
