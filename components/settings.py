"""The settings registry: every knob of the store and the upload path, in one table with help text.

In: the environment (``NEWSROOM_LENS_<NAME>``, e.g. ``NEWSROOM_LENS_MAX_FILE_MB=20``).
Out: ``get(name)`` -> the typed value (environment first, else the default), ``as_frame()`` -> one
row per setting (name, value, default, type, env, help) for an About/Settings view, and
``rows()`` for the store's ``settings`` table.

Values are read from the environment on every call (cheap), so a test or an operator can change
them without restarting anything. A value that cannot be read as its type falls back to the
default and is reported in ``problems()`` rather than crashing the app.
"""
from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads where a DataFrame is made: ingest workers never need it
    import pandas as pd


ENV_PREFIX = "NEWSROOM_LENS_"
ROOT = pathlib.Path(__file__).resolve().parent.parent
# The store path predates the registry and is documented as NEWSROOM_LENS_DB; both names work.
DB_ENV_ALIASES = ("NEWSROOM_LENS_DB", "NEWSROOM_LENS_DB_PATH")
TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    type: type
    help: str


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    Setting("db_path", "data/newsroom.duckdb", str,
            "Where the DuckDB store lives (relative paths are under the project folder). "
            "Also read from NEWSROOM_LENS_DB."),
    Setting("upload_enabled", True, bool,
            "Whether the Upload page accepts files. Turn off for a read-only deployment."),
    Setting("upload_requires_login", False, bool,
            "Whether uploading needs a logged-in user (st.user); reading never does."),
    Setting("max_file_mb", 10.0, float,
            "Largest single article file accepted, in MB (also applies to each file inside "
            "a .zip)."),
    Setting("max_batch_mb", 200.0, float,
            "Largest total size of one upload batch, in MB, counting .zip files as uploaded."),
    Setting("max_batch_files", 5000, int,
            "Most files in one upload batch (files inside a .zip count one each)."),
    Setting("zip_max_members", 5000, int,
            "Most entries a .zip may hold; an archive with more is refused whole."),
    Setting("zip_max_unpacked_mb", 300.0, float,
            "Largest total unpacked size of one .zip, in MB; an archive over it is refused "
            "whole."),
    Setting("zip_max_ratio", 100.0, float,
            "Largest unpacked/packed size ratio of a .zip entry; a higher ratio is the mark of a "
            "zip bomb and the archive is refused whole (text compresses about 3 to 10 times)."),
    Setting("ingest_workers", 0, int,
            "Parse processes for large batches; 0 means one per CPU core."),
    # 1,000 rather than 500: each transaction has a fixed cost (its look-ups, statements and
    # commit), about 0.02 ms per article of the writing process at 500.
    Setting("write_batch_articles", 1000, int,
            "Articles written per store transaction during bulk loads (each batch is all or "
            "nothing; a batch also ends at 256 MB of files, and the last batches of a "
            "parallel load are shorter so that the last write is quick)."),
)}

_problems: dict[str, str] = {}


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def _convert(setting: Setting, raw: str):
    text = raw.strip()
    if setting.type is bool:
        low = text.lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        raise ValueError(f"expected true/false, got {raw!r}")
    if setting.type is int:
        return int(text)
    if setting.type is float:
        return float(text)
    return text


def _raw(name: str) -> str | None:
    names = DB_ENV_ALIASES if name == "db_path" else (env_name(name),)
    for env in names:
        value = os.environ.get(env)
        if value is not None and value.strip():
            return value
    return None


def get(name: str):
    """The effective value of one setting (KeyError for an unknown name)."""
    setting = SETTINGS[name]
    raw = _raw(name)
    if raw is None:
        return setting.default
    try:
        value = _convert(setting, raw)
    except ValueError as exc:
        _problems[name] = f"{env_name(name)} ignored ({exc}); using {setting.default!r}"
        return setting.default
    _problems.pop(name, None)
    return value


def problems() -> list[str]:
    """Messages about environment values that could not be used (after get() calls)."""
    for name in SETTINGS:
        get(name)
    return list(_problems.values())


def db_path() -> pathlib.Path:
    path = pathlib.Path(os.path.expanduser(str(get("db_path"))))
    return path if path.is_absolute() else ROOT / path


def mb(name: str) -> int:
    """A *_mb setting in bytes."""
    return int(float(get(name)) * 1024 * 1024)


def as_frame() -> pd.DataFrame:
    """One row per setting, for an About/Settings view."""
    import pandas as pd

    return pd.DataFrame(
        [(s.name, str(get(s.name)), str(s.default), s.type.__name__, env_name(s.name), s.help)
         for s in SETTINGS.values()],
        columns=["name", "value", "default", "type", "env", "help"])


def rows() -> list[tuple[str, str, str]]:
    """(key, value, help) rows for the store's settings table."""
    return [(s.name, str(get(s.name)), s.help) for s in SETTINGS.values()]
