"""Start-up of the ingest worker processes.

In: nothing (imported once, by the ingest forkserver). Out: a process whose pipeline state
(jieba dictionaries, OpenCC converters, compiled patterns, pyarrow's conversions) is loaded,
so that every worker forked from it starts warm instead of spending about a second on its
first file, and whose garbage collector is tuned for the workers' kind of work.
"""
from __future__ import annotations

import gc

from . import ingest, pipeline

# A worker makes and drops a few hundred thousand small objects per job, almost none of them in
# reference cycles, so the default young-generation threshold (700) runs the collector
# thousands of times for nothing: 20,000 cuts the stages' CPU time by about 7%.
WORKER_GC_THRESHOLDS = (20_000, 20, 50)

try:
    # One job through the worker's whole path: the stages, the rows, their Arrow batch (pyarrow
    # imports pandas the first time it converts Python lists; better once here than per worker).
    ingest._analyse_job([("warm-up.txt", pipeline.WARM_UP_ARTICLE)])
except Exception:  # noqa: BLE001  a failed warm-up only costs time: each worker loads lazily
    pass
# The loaded dictionaries live as long as the process: keep the collector from scanning them
# again (and from touching, hence copying, the pages that the forked workers share).
gc.freeze()
gc.set_threshold(*WORKER_GC_THRESHOLDS)
