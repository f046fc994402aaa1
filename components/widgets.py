"""Shared UI pieces every page uses.

In: the current query string / session state, frames from ``loaders.load``, untrusted article
text. Out: rendered Streamlit elements and safe Markdown strings:

- ``sidebar_filters()`` -> ``queries.Filters``: date range, outlets, sections in the sidebar,
  kept in the URL (``?from=&to=&outlet=&section=``) so a view can be shared as a link, and kept
  across page switches in the session.
- ``md_escape`` (Markdown AND HTML), ``safe_url`` / ``safe_link`` (http/https only).
- ``highlight_markdown``: a paragraph with entity spans coloured by type, all text escaped.
- ``csv_download``: the exact frame shown, as UTF-8 CSV (with BOM so spreadsheets read Chinese).
- ``empty_state``: a polished "nothing here, do this" message; ``stop_empty`` /
  ``corpus_empty_state`` for a page with nothing to show.
- ``lazy_tabs``: tabs where only the open one runs, kept in the URL.

Article text is never rendered as HTML: everything goes through ``md_escape``.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st

from . import loaders
from .queries import NO_FILTERS, Filters

# ---------------------------------------------------------------------------------------------
# Escaping and links

# Every ASCII punctuation mark that Markdown (CommonMark + GFM + Streamlit's directives:
# :emoji:, :color[...], $math$) gives meaning to; a backslash makes each one literal.
# '&' is left to html.escape (its entities must stay intact).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$:\"'<=^])")
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_SAFE_SCHEMES = ("http", "https")
# Characters that would end or break a Markdown link target.
_URL_UNSAFE = re.compile(r"[\s<>()\[\]\\`\"']")


def md_escape(text) -> str:
    """Untrusted text -> Markdown that shows exactly that text (no markup, no HTML, one line)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return ""
    text = _ASCII_SPACE.sub(" ", str(text)).strip()  # U+3000 and other wide spaces stay
    text = html.escape(text, quote=False)  # & < > as entities: never HTML
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(url) -> str | None:
    """The URL if it is an absolute http(s) address, else None (no javascript:, data:, ...)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or any(ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return url


def safe_link(url, label=None) -> str:
    """Markdown for a link to an http(s) URL; other URLs come back as escaped text only."""
    good = safe_url(url)
    shown = md_escape(label if label not in (None, "") else url)
    if good is None:
        return shown
    target = _URL_UNSAFE.sub(lambda m: quote(m.group(0)), good)
    return f"[{shown}]({target})"


# ---------------------------------------------------------------------------------------------
# Entity highlighting

# Streamlit Markdown background directives per entity type (colour + legend label).
ENTITY_STYLES = {
    "person": ("blue-background", "person"),
    "place": ("green-background", "place"),
    "org": ("orange-background", "organisation"),
}


def highlight_markdown(text: str, spans) -> str:
    """``text`` as escaped Markdown with each ``(start, end, type)`` span coloured by type.

    Overlapping or out-of-range spans are skipped (the first one wins); unknown types are plain.
    """
    text = text or ""
    out: list[str] = []
    pos = 0
    for start, end, kind in sorted((int(s), int(e), k) for s, e, k in spans):
        if start < pos or end <= start or end > len(text):
            continue
        style = ENTITY_STYLES.get(kind)
        if style is None:
            continue
        out.append(md_escape(text[pos:start]) if start > pos else "")
        inner = md_escape(text[start:end])
        out.append(f":{style[0]}[{inner}]" if inner else "")
        pos = end
    out.append(md_escape(text[pos:]))
    return "".join(out)


def entity_legend() -> str:
    return " ".join(f":{css}[{label}]" for css, label in ENTITY_STYLES.values())


# ---------------------------------------------------------------------------------------------
# Small shared widgets

def empty_state(message: str, hint: str | None = None, icon: str = ":material/info:") -> None:
    """A calm box saying why nothing is shown and what to do about it."""
    st.info(message + (f"\n\n{hint}" if hint else ""), icon=icon)


def corpus_empty_state() -> None:
    """The analysis pages' message for an empty corpus."""
    empty_state("The corpus is empty.",
                "Add article files on the Upload page, then come back here.",
                icon=":material/inbox:")


def stop_empty(no_match: str) -> None:
    """Say why the page shows nothing and stop the run: the corpus is empty, or else
    ``no_match`` (nothing matches the sidebar filters)."""
    if loaders.load("corpus_summary", NO_FILTERS)["articles"] == 0:
        corpus_empty_state()
    else:
        empty_state(no_match,
                    "Widen the dates or clear the outlet and section filters in the "
                    "sidebar, or upload more files on the Upload page.",
                    icon=":material/filter_alt_off:")
    st.stop()


# Controls inside lazy tabs keep their value while another tab is open (``persist_state``).
PERSIST = "page"


def lazy_tabs(key: str, sections: dict) -> None:
    """Tabs ``{label: render}`` where only the open tab's ``render()`` runs (and queries); the
    open tab is kept in the URL (``?<key>=<label>``) so a view can be shared."""
    tabs = st.tabs(list(sections), key=key, on_change="rerun", bind="query-params")
    for tab, render in zip(tabs, sections.values()):
        if tab.open is not False:
            with tab:
                render()


def csv_download(df: pd.DataFrame, file_name: str, label: str = "Download CSV",
                 key: str | None = None) -> None:
    """A button that downloads exactly ``df`` (the frame shown) as CSV."""
    data = df.to_csv(index=False).encode("utf-8-sig")
    st.download_button(label, data=data, file_name=file_name, mime="text/csv",
                       icon=":material/download:", key=key, on_click="ignore")


def fmt_date(value, with_time: bool = False) -> str:
    """A timestamp as 2023-09-14 (or 2023-09-14 14:39 UTC); '—' when unknown."""
    if value is None or (not isinstance(value, (str, list)) and pd.isna(value)):
        return "—"
    ts = pd.Timestamp(value)
    return ts.strftime("%Y-%m-%d %H:%M UTC") if with_time else ts.strftime("%Y-%m-%d")


def article_url(article_id: str) -> str:
    """Relative link to the Article page for one article (works from any page of the app)."""
    return f"article?id={quote(str(article_id), safe='')}"


# ---------------------------------------------------------------------------------------------
# Sidebar filters (URL + session)

# Query-string parameter names of the shared filters.
P_FROM, P_TO, P_OUTLET, P_SECTION = "from", "to", "outlet", "section"
_STATE = "_nl_filters"  # the session's filters (plain dict), survives page switches
_K_DATES, _K_OUTLETS, _K_SECTIONS = "nl_f_dates", "nl_f_outlets", "nl_f_sections"
# Fixed date-picker bounds: a stored value outside min/max would raise.
_MIN_DATE = dt.date(1970, 1, 1)


def _parse_date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        return None


def _from_query(options: dict) -> dict:
    qp = st.query_params
    outlets = [o for o in qp.get_all(P_OUTLET) if o in options["outlets"]]
    sections = [s for s in qp.get_all(P_SECTION) if s in options["sections"]]
    return {"from": _parse_date(qp.get(P_FROM)), "to": _parse_date(qp.get(P_TO)),
            "outlets": list(dict.fromkeys(outlets)), "sections": list(dict.fromkeys(sections))}


def _has_filter_params() -> bool:
    return any(k in st.query_params for k in (P_FROM, P_TO, P_OUTLET, P_SECTION))


def _write_query(state: dict) -> None:
    """Mirror the session's filters in the URL (leaving other parameters such as ?id= alone)."""
    wanted = {P_FROM: state["from"].isoformat() if state["from"] else None,
              P_TO: state["to"].isoformat() if state["to"] else None,
              P_OUTLET: list(state["outlets"]) or None,
              P_SECTION: list(state["sections"]) or None}
    for key, value in wanted.items():
        current = st.query_params.get_all(key)
        if value is None:
            if current:
                del st.query_params[key]
        elif (current if isinstance(value, list) else current[-1:]) != (
                value if isinstance(value, list) else [value]):
            st.query_params[key] = value


def _on_change(options: dict) -> None:
    state = st.session_state[_STATE]
    dates = st.session_state.get(_K_DATES)
    if isinstance(dates, (tuple, list)) and len(dates) == 2:
        first, last = options["first"], options["last"]
        start, end = dates
        # The whole span selected = no date restriction (keeps undated articles in).
        state["from"] = None if (first is not None and start <= first) else start
        state["to"] = None if (last is not None and end >= last) else end
    elif isinstance(dates, (tuple, list)) and len(dates) == 0:
        state["from"] = state["to"] = None
    state["outlets"] = list(st.session_state.get(_K_OUTLETS) or [])
    state["sections"] = list(st.session_state.get(_K_SECTIONS) or [])
    _write_query(state)


def _reset(options: dict) -> None:
    st.session_state[_STATE] = {"from": None, "to": None, "outlets": [], "sections": []}
    for key in (_K_DATES, _K_OUTLETS, _K_SECTIONS):
        st.session_state.pop(key, None)
    _write_query(st.session_state[_STATE])


def sidebar_filters() -> Filters:
    """Render the shared filters in the sidebar and return them.

    The URL wins when it names filters (a shared link, a reload); otherwise the session's
    filters carry over (a page switch) and are written back to the URL.
    """
    options = loaders.load("filter_options")
    if _STATE not in st.session_state or _has_filter_params():
        fresh = _from_query(options)
        if st.session_state.get(_STATE) != fresh:
            st.session_state[_STATE] = fresh
            for key in (_K_DATES, _K_OUTLETS, _K_SECTIONS):
                st.session_state.pop(key, None)
    state = st.session_state[_STATE]
    # Drop choices that no longer exist (e.g. a stale link).
    state["outlets"] = [o for o in state["outlets"] if o in options["outlets"]]
    state["sections"] = [s for s in state["sections"] if s in options["sections"]]
    _write_query(state)

    first, last = options["first"], options["last"]
    span = (state["from"] or first, state["to"] or last)
    # Widget values always come from the session copy (on_change keeps it current): after a
    # page switch the widgets are new instances and would otherwise start empty.
    current = st.session_state.get(_K_DATES)
    picking = isinstance(current, (tuple, list)) and len(current) == 1  # half-chosen range
    if first is not None and not picking:
        st.session_state[_K_DATES] = tuple(d for d in span if d is not None)
    st.session_state[_K_OUTLETS] = list(state["outlets"])
    st.session_state[_K_SECTIONS] = list(state["sections"])

    with st.sidebar:
        st.header("Filters", anchor=False)
        if first is None:
            st.caption("No dated articles yet.")
        else:
            low = min(_MIN_DATE, span[0] or first)
            high = max(dt.date.today(), span[1] or last) + dt.timedelta(days=366)
            st.date_input("Published (UTC)", key=_K_DATES, min_value=low, max_value=high,
                          format="YYYY-MM-DD", on_change=_on_change, args=(options,),
                          help="Only articles published in this range; the full range "
                               "also keeps articles without a date.")
        st.multiselect("Outlet", options["outlets"], key=_K_OUTLETS, on_change=_on_change,
                       args=(options,), placeholder="All outlets")
        st.multiselect("Section", options["sections"], key=_K_SECTIONS, on_change=_on_change,
                       args=(options,), placeholder="All sections")
        active = bool(state["from"] or state["to"] or state["outlets"] or state["sections"])
        if active:
            st.button("Clear filters", on_click=_reset, args=(options,),
                      icon=":material/filter_alt_off:", key="nl_f_clear")
            st.caption("The address bar holds these filters: copy it to share this view.")

    return Filters(date_from=state["from"], date_to=state["to"],
                   outlets=tuple(state["outlets"]), sections=tuple(state["sections"]))


def filters_caption(filters: Filters) -> str:
    """A one-line, escaped description of the active filters ('' when none)."""
    parts = []
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or '…'} to {filters.date_to or '…'}")
    if filters.outlets:
        parts.append("outlets: " + ", ".join(filters.outlets))
    if filters.sections:
        parts.append("sections: " + ", ".join(filters.sections))
    return md_escape("Filtered — " + "; ".join(parts)) if parts else ""
