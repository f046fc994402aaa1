"""Entities page (issue 3): who and what the filtered articles are about.

In: the sidebar filters and this page's own controls. Out: the top people, places and
organisations (by mentions or by articles), their trends over time, which of them appear
together (heat map, and the articles behind a chosen pair), the sentences around a chosen
entity (keyword in context), and the top keywords that are not entities. Every table and
chart has a CSV of exactly what is shown. All data comes through ``loaders.load``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, loaders, queries, widgets

MEASURES = {"mentions": "Mentions", "articles": "Articles mentioning them"}
GRAINS = {"day": "Day", "week": "Week", "month": "Month"}
TYPE_CHOICES = {"all": "All types", "person": "Person", "place": "Place", "org": "Organisation"}
TOP_N_DEFAULT = 10
COOC_DEFAULT = 12
CONTEXT_LIMIT = 50  # sentences shown for one entity
PAIR_LIMIT = 100  # articles listed for a pair
KEYWORDS_K = 20
NAME_OPTIONS = 300  # entities offered by the pickers
# Controls inside the (lazy) tabs keep their value while another tab is open.
PERSIST = widgets.PERSIST


def _name_label(names: pd.DataFrame):
    types = dict(zip(names["name"], names["type"]))
    mentions = dict(zip(names["name"], names["mentions"]))

    def label(name: str) -> str:
        kind = charts.ENTITY_TYPE_LABELS.get(types.get(name), "")
        return f"{name} · {kind} · {mentions.get(name, 0):,}" if kind else name
    return label


def _article_links(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(link=[widgets.article_url(i) for i in df["id"]])


def _top_section(filters, measure: str) -> None:
    top_n = st.slider("How many per type", 5, 30, TOP_N_DEFAULT, key="ent_top_n",
                      persist_state=PERSIST)
    top = loaders.load("entity_top", filters, measure, top_n)
    cols = st.columns(3)
    for col, etype in zip(cols, queries.ENTITY_TYPES):
        with col:
            if (top["type"] == etype).any():
                st.altair_chart(charts.entity_bars(top, etype, measure), width="stretch")
            else:
                plural = charts.ENTITY_TYPE_PLURALS[etype].lower()
                widgets.empty_state(f"No {plural} found in these articles.")
    shown = top.assign(type=top["type"].map(charts.ENTITY_TYPE_LABELS))[
        ["type", "rank", "name", "mentions", "articles"]]
    with st.expander("Table of the top entities"):
        st.dataframe(shown, hide_index=True, width="stretch", key="ent_top_table",
                     column_config={"type": "Type", "rank": "Rank", "name": "Entity",
                                    "mentions": "Mentions", "articles": "Articles"})
    widgets.csv_download(shown, "newsroom-lens-top-entities.csv",
                         "Download the top entities (CSV)", key="ent_top_csv")


def _leaders(filters, measure: str, names: pd.DataFrame, n: int) -> list[str]:
    """The `n` entities ranked first by `measure`, all types together (default picks)."""
    top = loaders.load("entity_top", filters, measure, n)
    ranked = top.sort_values([measure, "name"], ascending=[False, True])["name"]
    known = set(names["name"])
    return [name for name in dict.fromkeys(ranked) if name in known][:n]


def _trend_section(filters, measure: str, names: pd.DataFrame) -> None:
    default = _leaders(filters, measure, names, 3)
    left, right = st.columns([3, 1])
    chosen = left.multiselect("Entities", names["name"].tolist(), default=default,
                              format_func=_name_label(names), key="ent_trend_names",
                              persist_state=PERSIST, max_selections=8,
                              placeholder="Choose entities to compare")
    grain = right.segmented_control("Per", list(GRAINS), format_func=GRAINS.get,
                                    default="week", key="ent_trend_grain",
                                    persist_state=PERSIST) or "week"
    if not chosen:
        widgets.empty_state("Choose one or more entities above to see how often they come up.")
        return
    trend = loaders.load("entity_trend", filters, tuple(chosen), grain)
    if trend.empty:
        widgets.empty_state("These entities have no mentions in dated articles under these "
                            "filters.", "Widen the dates in the sidebar or pick other entities.")
        return
    st.altair_chart(charts.entity_trend(trend, grain, measure), width="stretch")
    shown = trend.assign(period=pd.to_datetime(trend["period"]).dt.strftime("%Y-%m-%d"))[
        ["period", "name", "mentions", "articles"]]
    widgets.csv_download(shown, "newsroom-lens-entity-trends.csv",
                         "Download the trends (CSV)", key="ent_trend_csv")


def _cooccurrence_section(filters, names: pd.DataFrame) -> None:
    left, right = st.columns([1, 1])
    top_n = left.slider("Top entities in the map", 4, 25, COOC_DEFAULT, key="ent_cooc_n",
                        persist_state=PERSIST)
    etype = right.selectbox("Entity type", list(TYPE_CHOICES), format_func=TYPE_CHOICES.get,
                            key="ent_cooc_type", persist_state=PERSIST)
    pairs = loaders.load("entity_cooccurrence", filters, top_n,
                         None if etype == "all" else etype)
    if pairs.empty:
        widgets.empty_state("No two of these entities appear in the same article.",
                            "Widen the filters or include more entities in the map.")
        return
    st.altair_chart(charts.cooccurrence_heatmap(pairs), width="stretch")
    widgets.csv_download(pairs, "newsroom-lens-cooccurrence.csv",
                         "Download the pairs (CSV)", key="ent_cooc_csv")

    st.markdown("**Articles where two entities appear together**")
    # Any two entities can be paired; the strongest pair of the map comes first.
    first = pairs.iloc[0]
    options = list(dict.fromkeys([first["entity_a"], first["entity_b"]]
                                 + names["name"].tolist()))
    label = _name_label(names)
    c1, c2 = st.columns(2)
    a = c1.selectbox("First entity", options, index=0, format_func=label, key="ent_pair_a",
                     persist_state=PERSIST)
    others = [n for n in options if n != a]
    b_default = first["entity_b"] if first["entity_b"] in others else others[0]
    b = c2.selectbox("Second entity", others, index=others.index(b_default), format_func=label,
                     key="ent_pair_b", persist_state=PERSIST)
    arts = loaders.load("pair_articles", filters, a, b, PAIR_LIMIT)
    if arts.empty:
        widgets.empty_state(f"{widgets.md_escape(a)} and {widgets.md_escape(b)} never appear "
                            "in the same article under these filters.")
        return
    shown = _article_links(arts).assign(
        published=lambda d: d["published"].map(widgets.fmt_date))[
        ["published", "title", "link", "outlet", "mentions_a", "mentions_b", "id"]]
    st.caption(f"{len(shown):,} article(s)" + (f" (the newest {PAIR_LIMIT})"
                                               if len(shown) >= PAIR_LIMIT else ""))
    st.dataframe(shown, hide_index=True, width="stretch", key="ent_pair_table",
                 column_config={
                     "published": st.column_config.TextColumn("Published (UTC)"),
                     "title": st.column_config.TextColumn("Title", width="large"),
                     "link": st.column_config.LinkColumn("Read", display_text="Open ↗"),
                     "outlet": "Outlet",
                     "mentions_a": st.column_config.NumberColumn(f"Mentions of {a}", format="%d"),
                     "mentions_b": st.column_config.NumberColumn(f"Mentions of {b}", format="%d"),
                     "id": "Article id"})
    widgets.csv_download(shown, "newsroom-lens-pair-articles.csv",
                         "Download these articles (CSV)", key="ent_pair_csv")


def _context_section(filters, names: pd.DataFrame, measure: str) -> None:
    options = names["name"].tolist()
    leaders = _leaders(filters, measure, names, 1)
    default = leaders[0] if leaders else options[0]
    name = st.selectbox("Entity", options, index=options.index(default),
                        format_func=_name_label(names), key="ent_kwic_name", persist_state=PERSIST)
    rows = loaders.load("entity_contexts", filters, name, CONTEXT_LIMIT)
    if rows.empty:
        widgets.empty_state("No sentences mention this entity under these filters.")
        return
    st.caption(f"{len(rows):,} sentence(s), newest articles first"
               + (f" (at most {CONTEXT_LIMIT})" if len(rows) >= CONTEXT_LIMIT else ""))
    lines = []
    for r in rows.itertuples(index=False):
        title = widgets.md_escape(r.title or "(untitled)")
        where = "title" if r.block == -1 else f"paragraph {int(r.block) + 1}"
        sentence = (widgets.md_escape(r.before) + f":blue-background[{widgets.md_escape(r.match)}]"
                    + widgets.md_escape(r.after))
        lines.append(f"- {sentence}  \n  :gray[{widgets.fmt_date(r.published)} · "
                     f"[{title}]({widgets.article_url(r.article_id)}) · {where}]")
    with st.container(height=480, border=True):
        st.markdown("\n".join(lines))
    shown = rows.assign(published=rows["published"].map(widgets.fmt_date),
                        sentence=rows["before"] + rows["match"] + rows["after"],
                        link=[widgets.article_url(i) for i in rows["article_id"]])[
        ["published", "title", "block", "sentence", "match", "article_id", "link"]]
    widgets.csv_download(shown, "newsroom-lens-keyword-in-context.csv",
                         "Download these sentences (CSV)", key="ent_kwic_csv")


def _keyword_section(filters) -> None:
    with st.spinner("Finding keywords…"):
        kw = loaders.load("entity_keywords", filters, KEYWORDS_K,
                          queries.KEYWORD_SAMPLE_PARAGRAPHS)
    if kw.empty:
        widgets.empty_state("No keywords: these articles have no paragraph text.")
        return
    st.caption(f"Computed over up to {queries.KEYWORD_SAMPLE_PARAGRAPHS:,} paragraphs of the "
               "newest matching articles; names of people, places and organisations are left "
               "out.")
    st.altair_chart(charts.keyword_bars(kw), width="stretch")
    widgets.csv_download(kw, "newsroom-lens-keywords.csv", "Download the keywords (CSV)",
                         key="ent_kw_csv")


store = loaders.startup()
filters = widgets.sidebar_filters()

st.title("Entities", anchor=False)
st.caption("People, places and organisations named in the articles.")
caption = widgets.filters_caption(filters)
if caption:
    st.caption(caption)

names = loaders.load("entity_names", filters, NAME_OPTIONS)
if names.empty:
    widgets.stop_empty("No people, places or organisations in the articles that match these "
                       "filters.")

measure = st.segmented_control("Count entities by", list(MEASURES), format_func=MEASURES.get,
                               default="mentions", key="ent_measure",
                               help="Mentions: every time the name appears. Articles: how many "
                                    "articles name it at least once.") or "mentions"

# Only the open tab runs (and queries): the others cost nothing until opened. The open tab
# is kept in the URL (?ent_tab=...) so a view can be shared.
widgets.lazy_tabs("ent_tab", {
    "Top entities": lambda: _top_section(filters, measure),
    "Trends": lambda: _trend_section(filters, measure, names),
    "Appear together": lambda: _cooccurrence_section(filters, names),
    "In context": lambda: _context_section(filters, names, measure),
    "Keywords": lambda: _keyword_section(filters),
})
