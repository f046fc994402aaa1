"""Viewpoints page (issue 4): who says what, in one article and across the archive.

In: the sidebar filters, ``?id=`` (an article to open in the first tab) and this page's own
controls. Out:
- One article: a column per speaker (experts first, then officials, others, unnamed sources),
  each with name, role, kind and their direct quotes and paraphrases in reading order, the
  entities they speak about highlighted.
- Across the archive: the speakers who spoke on a chosen topic (an entity or a typed keyword),
  side by side with their quotes and each quote's article and date; two or three speakers
  compared directly.
- A speaker directory: roles, kind, articles, quote counts, first/last seen, top topics.
Each view has a CSV of exactly what is shown. All data comes through ``loaders.load``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, loaders, queries, widgets

ARTICLE_OPTIONS = 300  # articles with quotes offered by the picker
TOPIC_OPTIONS = 100
SIDE_BY_SIDE = 3  # speakers shown in columns at once
PER_SPEAKER = 10  # quotes per speaker in the columns
SPEAKS_ABOUT = 6  # entities listed under a speaker's name
TOPIC_STYLE = "violet-background"  # the chosen topic inside quotes
# Controls inside the (lazy) tabs keep their value while another tab is open.
PERSIST = widgets.PERSIST
DIRECTORY_LIMIT = 500
OPEN_QUOTE, CLOSE_QUOTE = "“", "”"
KIND_ICONS = {"expert": ":material/school:", "official": ":material/account_balance:",
              "other": ":material/person:", "source": ":material/help:"}


def _kind_label(kind) -> str:
    return charts.SPEAKER_KIND_LABELS.get(kind, str(kind or "—"))


def _roles_text(roles) -> str:
    return widgets.md_escape(roles) if isinstance(roles, str) and roles else "role not given"


def _kind_rank(kind) -> int:
    order = queries.SPEAKER_KIND_ORDER
    return order.index(kind) if kind in order else len(order)


def _surface_spans(text: str, surfaces: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Where the article's entity surfaces occur in `text`, longest first, not overlapping."""
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(text)
    for surface, etype in surfaces[["surface", "type"]].itertuples(index=False):
        if not surface or len(surface) < 2:
            continue
        start = text.find(surface)
        while start != -1:
            end = start + len(surface)
            if not any(taken[start:end]):
                spans.append((start, end, etype))
                for i in range(start, end):
                    taken[i] = True
            start = text.find(surface, end)
    return spans


def _speaks_about(texts: list[str], surfaces: pd.DataFrame, limit: int = SPEAKS_ABOUT) -> list[str]:
    """The entities named most often in these quotes (by canonical name), most first."""
    counts: dict[str, int] = {}
    for name, surface in surfaces[["name", "surface"]].itertuples(index=False):
        if surface:
            n = sum(t.count(surface) for t in texts if t)
            if n:
                counts[name] = counts.get(name, 0) + n
    return [n for n, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]


def _mark_markdown(text: str, needle: str | None) -> str:
    """`text` escaped, with every occurrence of `needle` (the topic) on a marker colour."""
    if not needle or needle not in text:
        return widgets.md_escape(text)
    parts = text.split(needle)
    mark = f":{TOPIC_STYLE}[{widgets.md_escape(needle)}]"
    return mark.join(widgets.md_escape(p) for p in parts)


def _quote_markdown(text: str, direct: bool, surfaces: pd.DataFrame | None = None,
                    topic: str | None = None) -> str:
    """One quote as escaped Markdown: direct ones in quote marks, paraphrases marked as such;
    the article's entities (or else the topic) highlighted."""
    text = text or ""
    body = (widgets.highlight_markdown(text, _surface_spans(text, surfaces))
            if surfaces is not None and not surfaces.empty else _mark_markdown(text, topic))
    if direct:
        return f":blue-badge[{charts.QUOTE_KIND_LABELS[True]}] {OPEN_QUOTE}{body}{CLOSE_QUOTE}"
    return f":gray-badge[{charts.QUOTE_KIND_LABELS[False]}] *{body}*"


def _article_label(choices: pd.DataFrame):
    titles = dict(zip(choices["id"], choices["title"]))
    dates = dict(zip(choices["id"], choices["published"]))
    speakers = dict(zip(choices["id"], choices["n_speakers"]))

    def label(article_id: str) -> str:
        title = titles.get(article_id) or "(untitled)"
        n = speakers.get(article_id)
        who = f" · {int(n)} speaker(s)" if n is not None and not pd.isna(n) else ""
        return f"{widgets.fmt_date(dates.get(article_id))} · {title}{who}"
    return label


def _speaker_columns(groups: list[tuple[str, pd.DataFrame]], render) -> None:
    """Speakers side by side, SIDE_BY_SIDE per row."""
    for row_start in range(0, len(groups), SIDE_BY_SIDE):
        row = groups[row_start:row_start + SIDE_BY_SIDE]
        cols = st.columns(SIDE_BY_SIDE)
        for col, (speaker, quotes) in zip(cols, row):
            with col.container(border=True):
                render(speaker, quotes)


# ---- one article

def _one_article(filters) -> None:
    choices = loaders.load("quote_articles", filters, ARTICLE_OPTIONS)
    wanted = st.query_params.get("id")
    ids = choices["id"].tolist()
    if wanted and wanted not in ids:
        extra = loaders.load("article_brief", wanted)
        if not extra.empty:
            ids = [wanted] + ids
            choices = pd.concat([extra.assign(n_speakers=None), choices], ignore_index=True)
    if not ids:
        widgets.empty_state("No article under these filters reports anyone's words.",
                            "Widen the filters in the sidebar, or upload articles with quotes "
                            "on the Upload page.")
        return
    index = ids.index(wanted) if wanted in ids else 0
    article_id = st.selectbox("Article", ids, index=index, format_func=_article_label(choices),
                              key="vp_article", persist_state=PERSIST)
    quotes = loaders.load("article_quotes", article_id)
    st.markdown(f"[Open this article in the reader ↗]({widgets.article_url(article_id)})")
    if quotes.empty:
        widgets.empty_state("Nobody is quoted in this article.", "Choose another article.")
        return
    surfaces = loaders.load("article_entity_surfaces", article_id)
    first_seen = {s: i for i, s in reversed(list(enumerate(quotes["speaker"])))}
    kinds = quotes.groupby("speaker")["kind"].agg(lambda k: k.mode().iloc[0])
    order = sorted(first_seen, key=lambda s: (_kind_rank(kinds[s]), first_seen[s]))
    groups = [(s, quotes[quotes["speaker"] == s]) for s in order]
    named = sum(1 for s in order if kinds[s] != "source")
    unnamed = len(order) - named
    st.caption(f"{named} named speaker(s)"
               + (f" and {unnamed} unnamed source(s) or organisation(s)" if unnamed else "")
               + f", {len(quotes)} quote(s) · " + widgets.entity_legend())

    def render(speaker: str, rows: pd.DataFrame) -> None:
        kind = kinds[speaker]
        roles = [r for r in rows["role"].dropna().tolist() if r]
        role = max(roles, key=len) if roles else None
        st.markdown(f"#### {widgets.md_escape(speaker)}")
        st.markdown(f"{KIND_ICONS.get(kind, '')} **{_kind_label(kind)}**"
                    + (f" · {widgets.md_escape(role)}" if role else " · role not given"))
        own = surfaces[surfaces["name"] != speaker]
        about = _speaks_about(rows["text"].tolist(), own)
        if about:
            st.caption("Speaks about: " + "、".join(widgets.md_escape(a) for a in about))
        direct = int(rows["direct"].sum())
        st.caption(f"{direct} direct quote(s), {len(rows) - direct} paraphrase(s)")
        for r in rows.itertuples(index=False):
            st.markdown(_quote_markdown(r.text, bool(r.direct), own))

    _speaker_columns(groups, render)
    shown = pd.DataFrame({
        "speaker": quotes["speaker"], "role": quotes["role"],
        "kind": quotes["kind"].map(_kind_label),
        "form": quotes["direct"].map(lambda d: charts.QUOTE_KIND_LABELS[bool(d)]),
        "text": quotes["text"], "paragraph": quotes["block"] + 1})
    shown = shown.assign(_o=shown["speaker"].map({s: i for i, s in enumerate(order)})).sort_values(
        ["_o"], kind="stable").drop(columns="_o")
    widgets.csv_download(shown, f"newsroom-lens-viewpoints-{article_id}.csv",
                         "Download these quotes (CSV)", key="vp_article_csv")


# ---- across the archive

def _quote_list(rows: pd.DataFrame, topic: str | None = None) -> None:
    for r in rows.itertuples(index=False):
        title = widgets.md_escape(r.title or "(untitled)")
        st.markdown(_quote_markdown(r.text, bool(r.direct), topic=topic) + "  \n"
                    f":gray[{widgets.fmt_date(r.published)} · "
                    f"[{title}]({widgets.article_url(r.article_id)})]")


def _quotes_csv(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "speaker": rows["speaker"], "role": rows["role"], "kind": rows["kind"].map(_kind_label),
        "form": rows["direct"].map(lambda d: charts.QUOTE_KIND_LABELS[bool(d)]),
        "text": rows["text"], "published": rows["published"].map(widgets.fmt_date),
        "title": rows["title"], "article_id": rows["article_id"],
        "link": [widgets.article_url(i) for i in rows["article_id"]]})


def _archive(filters) -> None:
    topics = loaders.load("topic_options", filters, TOPIC_OPTIONS)
    left, right = st.columns([2, 2])
    options = topics["name"].tolist()
    types = dict(zip(topics["name"], topics["type"]))
    quoted = dict(zip(topics["name"], topics["quotes"]))
    picked = left.selectbox(
        "Topic (entities named where people are quoted)", options, key="vp_topic",
        persist_state=PERSIST,
        index=0 if options else None, placeholder="No entity near quotes",
        format_func=lambda n: f"{n} · {charts.ENTITY_TYPE_LABELS.get(types.get(n), '')} · "
                              f"{int(quoted.get(n, 0))} quote(s)")
    typed = right.text_input("…or a keyword", key="vp_topic_text", persist_state=PERSIST,
                             max_chars=50,
                             placeholder="e.g. 军演",
                             help="Quotes whose text contains it, or whose paragraph names the "
                                  "entity of that name.")
    topic = (typed or "").strip() or picked or ""
    if topic:
        speakers = loaders.load("topic_speakers", filters, topic, 30)
        if speakers.empty:
            widgets.empty_state(f"Nobody is quoted on “{widgets.md_escape(topic)}” under these "
                                "filters.", "Try another topic or widen the filters.")
        else:
            st.markdown(f"**Who spoke on “{widgets.md_escape(topic)}”** "
                        f"({len(speakers)} speaker(s))")
            names = speakers["speaker"].tolist()
            chosen = st.multiselect("Speakers side by side", names, default=names[:SIDE_BY_SIDE],
                                    max_selections=6, key="vp_topic_speakers",
                                    persist_state=PERSIST)
            if chosen:
                quotes = loaders.load("speaker_quotes", filters, tuple(chosen), topic,
                                      PER_SPEAKER)
                info = speakers.set_index("speaker")

                def render(speaker: str, rows: pd.DataFrame) -> None:
                    s = info.loc[speaker]
                    st.markdown(f"#### {widgets.md_escape(speaker)}")
                    st.caption(f"{_kind_label(s['kind'])} · {_roles_text(s['roles'])}"
                               f" · {int(s['quotes'])} quote(s) in {int(s['articles'])} "
                               "article(s)")
                    _quote_list(rows, topic)

                _speaker_columns([(s, quotes[quotes["speaker"] == s]) for s in chosen], render)
                widgets.csv_download(_quotes_csv(quotes), "newsroom-lens-topic-quotes.csv",
                                     "Download these quotes (CSV)", key="vp_topic_csv")
            table = speakers.assign(kind=speakers["kind"].map(_kind_label),
                                    last_seen=speakers["last_seen"].map(widgets.fmt_date))
            with st.expander("All speakers on this topic"):
                st.dataframe(table, hide_index=True, width="stretch", key="vp_topic_table",
                             column_config={"speaker": "Speaker", "kind": "Kind",
                                            "roles": "Roles", "quotes": "Quotes",
                                            "direct": "Direct quotes",
                                            "paraphrases": "Paraphrases",
                                            "articles": "Articles", "last_seen": "Last seen"})
                widgets.csv_download(table, "newsroom-lens-topic-speakers.csv",
                                     "Download this table (CSV)", key="vp_topic_table_csv")
    else:
        st.caption("Choose a topic to see who spoke on it.")

    st.divider()
    st.markdown("**Compare speakers**")
    directory = loaders.load("speaker_directory", filters, DIRECTORY_LIMIT, False, "")
    if directory.empty:
        widgets.empty_state("No named speakers under these filters.")
        return
    names = directory["speaker"].tolist()
    c1, c2 = st.columns([3, 1])
    chosen = c1.multiselect("Two or three speakers", names, default=names[:2], max_selections=3,
                            key="vp_compare", persist_state=PERSIST)
    on_topic = c2.toggle("Only on the topic", value=False, key="vp_compare_topic",
                         persist_state=PERSIST,
                         disabled=not topic)
    if not chosen:
        st.caption("Choose speakers to compare their words.")
        return
    only = topic if (on_topic and topic) else None
    quotes = loaders.load("speaker_quotes", filters, tuple(chosen), only, PER_SPEAKER)
    info = directory.set_index("speaker")

    def render(speaker: str, rows: pd.DataFrame) -> None:
        s = info.loc[speaker]
        st.markdown(f"#### {widgets.md_escape(speaker)}")
        st.caption(f"{_kind_label(s['kind'])} · {_roles_text(s['roles'])}")
        if rows.empty:
            st.caption("No quotes on this topic.")
        _quote_list(rows, only)

    _speaker_columns([(s, quotes[quotes["speaker"] == s]) for s in chosen], render)
    widgets.csv_download(_quotes_csv(quotes), "newsroom-lens-compare-speakers.csv",
                         "Download these quotes (CSV)", key="vp_compare_csv")


# ---- directory

def _directory(filters) -> None:
    c1, c2 = st.columns([3, 1])
    search = c1.text_input("Find a speaker", key="vp_dir_search", persist_state=PERSIST,
                           max_chars=50,
                           placeholder="name or role, e.g. 教授")
    sources = c2.toggle("Include unnamed sources", value=False, key="vp_dir_sources",
                        persist_state=PERSIST,
                        help="Organisations and unnamed sources (外交部, 分析人士…)")
    directory = loaders.load("speaker_directory", filters, DIRECTORY_LIMIT, bool(sources),
                             (search or "").strip())
    if directory.empty:
        widgets.empty_state("No speakers match.", "Clear the search or widen the filters.")
        return
    st.altair_chart(charts.speaker_quote_bars(directory), width="stretch")
    shown = directory.assign(kind=directory["kind"].map(_kind_label),
                             first_seen=directory["first_seen"].map(widgets.fmt_date),
                             last_seen=directory["last_seen"].map(widgets.fmt_date))
    st.caption(f"{len(shown):,} speaker(s), most quoted first"
               + (f" (the first {DIRECTORY_LIMIT})" if len(shown) >= DIRECTORY_LIMIT else ""))
    st.dataframe(shown, hide_index=True, width="stretch", key="vp_dir_table",
                 column_config={"speaker": "Speaker", "kind": "Kind", "roles": "Roles seen",
                                "articles": "Articles", "quotes": "Quotes",
                                "direct": "Direct quotes", "paraphrases": "Paraphrases",
                                "first_seen": "First seen", "last_seen": "Last seen",
                                "topics": st.column_config.TextColumn(
                                    "Speaks most about",
                                    help="Entities named most often in the paragraphs of "
                                         "their quotes")})
    widgets.csv_download(shown, "newsroom-lens-speakers.csv", "Download the directory (CSV)",
                         key="vp_dir_csv")


store = loaders.startup()
filters = widgets.sidebar_filters()

st.title("Viewpoints", anchor=False)
st.caption("Who is quoted, in what role, and what they say.")
caption = widgets.filters_caption(filters)
if caption:
    st.caption(caption)

if loaders.load("corpus_summary", filters)["quotes"] == 0:
    widgets.stop_empty("No quotes in the articles that match these filters.")

# Only the open tab runs (and queries); the open tab is kept in the URL (?vp_tab=...).
widgets.lazy_tabs("vp_tab", {
    "One article": lambda: _one_article(filters),
    "Across the archive": lambda: _archive(filters),
    "Speaker directory": lambda: _directory(filters),
})
