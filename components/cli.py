"""Command line: ``python -m components.cli parse FILE...`` and ``... ingest PATH...``.

``parse`` prints one JSON object per file (JSON Lines, the stable extraction contract; keys in
``pipeline.to_contract``); a file that cannot be read prints ``{"source", "error"}`` and makes
the exit status 2. ``ingest`` loads files, folders and ``.zip`` archives into the store and
prints a summary; ``reparse`` re-derives every stored article from its kept bytes.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

from .model import ArticleError


def cmd_parse(paths: list[str]) -> int:
    from .pipeline import analyse, error_record, to_contract

    failed = False
    out = sys.stdout
    for raw in paths:
        path = pathlib.Path(raw)
        try:
            data = path.read_bytes()
        except OSError as exc:
            record = error_record(raw, f"cannot read the file: {exc.strerror or exc}")
        else:
            try:
                record = to_contract(analyse(data, raw))
            except ArticleError as exc:
                record = error_record(raw, str(exc))
            except Exception as exc:  # a bug must cost one file, never the whole run
                record = error_record(raw, f"internal error while analysing the file "
                                           f"({type(exc).__name__}: {exc})")
        failed |= "error" in record
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        out.flush()
    return 2 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m components.cli",
                                     description="Newsroom Lens command line")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("parse", help="print the extraction of each file as JSON Lines")
    p.add_argument("files", nargs="+")
    i = sub.add_parser("ingest", help="load files, folders and .zip archives into the store")
    i.add_argument("paths", nargs="+")
    i.add_argument("--db", help="store file (default: $NEWSROOM_LENS_DB or data/newsroom.duckdb)")
    i.add_argument("--workers", type=int, default=None, help="parallel parse processes")
    r = sub.add_parser("reparse", help="re-derive every stored article from its kept bytes")
    r.add_argument("--db", help="store file")
    args = parser.parse_args(argv)
    if args.command == "parse":
        return cmd_parse(args.files)
    from . import ingest  # the store is only needed by these commands

    if args.command == "ingest":
        return ingest.cli_ingest(args.paths, db=args.db, workers=args.workers)
    return ingest.cli_reparse(db=args.db)


if __name__ == "__main__":
    sys.exit(main())
