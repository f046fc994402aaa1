"""Fuzzing the loader and the extraction stages (issue 7, part 1).

In: hypothesis strategies (``fuzz.strategies``) that make article files: random bytes, real and
hand-written files mutated (cut at any byte, bytes inserted or overwritten, re-encoded, mixed
encodings, closing tags or quote marks removed, deep nesting), generated wrappers with tag-soup
bodies, tweets with any part missing, quotes that never close; and synthetic ``Article`` records
for the stages alone.

Out: ``fuzz.checks`` runs one entry point on one input under a time bound and asserts the
contract: the call returns a well-formed result or raises ``model.ArticleError``; any other
exception, or a call slower than ``2 s + 10 s per MB`` (a hang detector, not a speed test), is a
failure. ``tests/test_fuzz.py`` is the short CI run; ``python -m fuzz`` is the long run.
"""
