"""Overview page: what is in the (filtered) corpus.

In: the sidebar filters, an optional text search (``?q=`` in the URL). Out: headline figures,
articles over time (by day / week / month), and a sortable table of the newest matching
articles with a link per row to the Article page, downloadable as CSV.
"""
from __future__ import annotations

import streamlit as st

from components import charts, loaders, queries, widgets

GRAIN_CHOICES = {"Automatic": "auto", "Day": "day", "Week": "week", "Month": "month"}
SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first",
               "most entities": "Most entity mentions", "most quotes": "Most quotes",
               "longest": "Longest"}
K_SEARCH = "q"  # widget key, bound to ?q= in the URL


def _figures(summary: dict) -> None:
    if summary["first"] is not None:
        days = (summary["last"] - summary["first"]).days + 1
        st.markdown(f":material/calendar_month: Published **{summary['first']:%Y-%m-%d}** to "
                    f"**{summary['last']:%Y-%m-%d}** (UTC), {days:,} day{'s' if days != 1 else ''}"
                    + (f"; {summary['undated']:,} article(s) without a date"
                       if summary["undated"] else ""))
    row1 = st.columns(4)
    row1[0].metric("Articles", f"{summary['articles']:,}")
    row1[1].metric("Outlets", f"{summary['outlets']:,}")
    row1[2].metric("Sections", f"{summary['sections']:,}")
    row1[3].metric("Social posts", f"{summary['social_posts']:,}",
                   help="embedded or linked posts (X/Twitter, YouTube, Facebook, ...)")
    row2 = st.columns(4)
    row2[0].metric("Entity mentions", f"{summary['entity_mentions']:,}",
                   help="people, places and organisations, every mention counted")
    row2[1].metric("Distinct entities", f"{summary['distinct_entities']:,}")
    row2[2].metric("Quotes", f"{summary['quotes']:,}", help="direct and reported")
    row2[3].metric("Named speakers", f"{summary['speakers']:,}")


store = loaders.startup()
filters = widgets.sidebar_filters()

st.title("Overview", anchor=False)
caption = widgets.filters_caption(filters)
if caption:
    st.caption(caption)

summary = loaders.load("corpus_summary", filters)
if summary["articles"] == 0:
    if loaders.load("corpus_summary", queries.NO_FILTERS)["articles"] == 0:
        widgets.empty_state("The corpus is empty.",
                            "Add article files (.txt, .md, .html or a .zip of them) on the "
                            "Upload page.", icon=":material/inbox:")
        st.page_link("components/pages/upload.py", label="Go to Upload", icon=":material/upload:")
    else:
        widgets.empty_state("No articles match these filters.",
                            "Widen the dates or clear the outlet and section filters in the "
                            "sidebar, or upload files on the Upload page.",
                            icon=":material/filter_alt_off:")
    st.stop()

_figures(summary)

# ---- articles over time
st.subheader("Articles over time", anchor=False)
grain_label = st.segmented_control("Time grain", list(GRAIN_CHOICES), default="Automatic",
                                   key="overview_grain", label_visibility="collapsed")
timeline = loaders.load("articles_over_time", filters, GRAIN_CHOICES.get(grain_label, "auto"))
if timeline.empty:
    widgets.empty_state("None of these articles has a publication date, so there is no "
                        "timeline to draw.")
else:
    st.altair_chart(charts.articles_over_time(timeline, timeline.attrs.get("grain", "day")),
                    width="stretch")

# ---- article table
st.subheader("Articles", anchor=False)
left, right = st.columns([3, 1])
text = left.text_input("Search titles and text", key=K_SEARCH, bind="query-params",
                       placeholder="e.g. 台湾 or 臺灣 (both scripts match)",
                       help="Case-insensitive; matches the title or any paragraph; a search in "
                            "Simplified also finds Traditional and the other way round.")
sort = right.selectbox("Order", list(SORT_LABELS), format_func=SORT_LABELS.get,
                       key="overview_sort")
text = (text or "").strip()
total = loaders.load("article_count", filters, text)
table = loaders.load("article_table", filters, text, sort, queries.TABLE_LIMIT)
if table.empty:
    widgets.empty_state(f"No article title or text contains “{widgets.md_escape(text)}”.",
                        "Try a shorter or different word; filters in the sidebar also apply.",
                        icon=":material/search_off:")
    st.stop()

shown = table.assign(
    link=[widgets.article_url(i) for i in table["id"]],
    published=table["published"].dt.strftime("%Y-%m-%d %H:%M"),
)[["published", "title", "link", "outlet", "section", "n_paragraphs", "n_entities",
   "n_quotes", "n_social", "n_images", "id"]]
st.caption(f"Showing {len(shown):,} of {total:,} matching articles"
           + (" (the first ones in this order; narrow the search to see others)."
              if total > len(shown) else "."))
event = st.dataframe(
    shown, hide_index=True, width="stretch", height=420, key="overview_table",
    on_select="rerun", selection_mode="single-row",
    column_config={
        "published": st.column_config.TextColumn("Published (UTC)", width="small"),
        "title": st.column_config.TextColumn("Title", width="large"),
        "link": st.column_config.LinkColumn("Read", display_text="Open ↗", width="small",
                                            help="Open the article in the reader"),
        "outlet": st.column_config.TextColumn("Outlet"),
        "section": st.column_config.TextColumn("Section"),
        "n_paragraphs": st.column_config.NumberColumn("Paragraphs", format="%d"),
        "n_entities": st.column_config.NumberColumn("Entity mentions", format="%d"),
        "n_quotes": st.column_config.NumberColumn("Quotes", format="%d"),
        "n_social": st.column_config.NumberColumn("Social posts", format="%d"),
        "n_images": st.column_config.NumberColumn("Images", format="%d"),
        "id": st.column_config.TextColumn("Article id", width="small"),
    },
)
st.caption("Select a row to open it in the reader here, or use “Open ↗” for a new tab.")
widgets.csv_download(shown, "newsroom-lens-articles.csv", "Download this table (CSV)",
                     key="overview_csv")
rows = event.selection.rows if event is not None else []
if rows:
    st.switch_page("components/pages/article.py",
                   query_params={"id": str(shown.iloc[rows[0]]["id"])})
