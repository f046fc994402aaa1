"""The only module with ``st.cache_*``: the store handle, start-up, and cached query results.

In: the store path ($NEWSROOM_LENS_DB, read on every call so tests and restarts can point
elsewhere) and ``queries`` function names with hashable arguments. Out: the shared ``Store``,
and query results cached on (store path, store version, name, args): any committed write bumps
the version, so new articles show on every page at once without clearing anything.
"""
from __future__ import annotations

import threading

import streamlit as st

from . import queries, settings

# Cached results kept at most (each is a small, LIMITed frame).
CACHE_ENTRIES = 1024


def store_path() -> str:
    """The configured store path ($NEWSROOM_LENS_DB, else the settings default), read each call."""
    return str(settings.db_path())


@st.cache_resource(show_spinner=False)
def _store(path: str):
    from . import store as store_mod
    return store_mod.get_store(path)


def get_store():
    return _store(store_path())


@st.cache_resource(show_spinner=False)
def _startup_state(path: str) -> dict:
    # One per store path and process: start-up work runs once, other sessions wait on the lock.
    return {"lock": threading.Lock(), "ready": False}


def startup():
    """The ready store: filled from the samples when empty, re-parsed when the parser changed.

    A progress bar appears only while that work runs (first start, or after a parser update).
    """
    from . import store as store_mod
    try:
        store = get_store()
    except store_mod.StoreError as exc:  # busy (another program writes) or unreadable
        from .widgets import md_escape  # lazy: widgets imports this module
        st.error(f"The article store cannot be opened: {md_escape(str(exc))}",
                 icon=":material/error:")
        st.stop()
    state = _startup_state(store_path())
    if state["ready"]:
        return store
    with state["lock"]:
        if not state["ready"]:
            from .widgets import md_escape  # lazy: widgets imports this module
            slot = st.empty()

            def progress(done: int, total: int, message: str = "") -> None:
                fraction = min(max(done / total, 0.0), 1.0) if total else 0.0
                text = f"Preparing the article store: {done:,} of {total:,} files"
                slot.progress(fraction, text=f"{text} — {md_escape(message)}" if message else text)

            try:
                store_mod.ensure_ready(store, progress=progress)
            finally:
                slot.empty()
            state["ready"] = True
    return store


@st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES)
def _load(path: str, version: int, name: str, key: str, _args: tuple):
    # `key` (repr of the args) is the cache key; `_args` carries the real values unhashed.
    return getattr(queries, name)(_store(path), *_args)


def load(name: str, *args):
    """``queries.<name>(store, *args)``, cached until the store changes."""
    store = get_store()
    return _load(store_path(), store.version(), name, repr(args), args)


def clear() -> None:
    """Forget every cached handle and result (tests switch stores between runs)."""
    _load.clear()
    _startup_state.clear()
    _store.clear()
