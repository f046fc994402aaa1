"""Social page (issue 5): the social-media posts the articles embed or link, and the outlet's
own related-article links.

In: the sidebar filters and this page's own controls (search, platforms). Out:
- Posts: references by platform, top accounts, top hashtags, post date beside article date
  (how stale the embedded material is), the posts as cards (drawn from the extracted fields,
  escaped: never the uploaded HTML, never a third-party script) or as a table, each linked to
  the original post (http/https only) and to its article.
- Related articles: which stored articles link to which, and linked articles not yet stored.
Each view has a CSV of exactly what is shown. All data comes through ``loaders.load``.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import charts, loaders, queries, widgets

POST_LIMIT = 500  # rows of the posts table
CARD_LIMIT = 24  # posts drawn as cards
CARDS_PER_ROW = 3
ACCOUNT_LIMIT = 15
HASHTAG_LIMIT = 20
TIMELINE_LIMIT = 2000
RELATED_LIMIT = 500
VIEWS = {"cards": "Cards", "table": "Table"}
# Controls inside the (lazy) tabs keep their value while another tab is open.
PERSIST = widgets.PERSIST


def _platform_label(platform) -> str:
    return charts.PLATFORM_LABELS.get(platform, str(platform or "—"))


def _fmt_posted(value) -> str:
    """A post's date as YYYY-MM-DD; an unreadable one as it was extracted (plain text)."""
    try:
        return widgets.fmt_date(value)
    except (ValueError, TypeError, OverflowError):
        return str(value)


def _lines_markdown(text) -> str:
    """Post text as escaped Markdown, keeping its line breaks."""
    if not isinstance(text, str) or not text.strip():
        return ""
    return "  \n".join(widgets.md_escape(line) for line in text.splitlines() if line.strip())


def _card(r) -> None:
    account = f"@{r.handle}" if isinstance(r.handle, str) and r.handle else "unknown account"
    author = r.author if isinstance(r.author, str) and r.author else ""
    head = f"**{widgets.md_escape(author)}** " if author else ""
    st.markdown(f"{head}{widgets.md_escape(account)}  \n"
                f":gray[{_platform_label(r.platform)} · posted "
                f"{widgets.md_escape(_fmt_posted(r.posted))}]")
    body = _lines_markdown(r.text)
    st.markdown(body if body else ":gray[(no text in the embed)]")
    tags = [t for t in (r.hashtags if r.hashtags is not None else []) if t]
    if tags:
        st.caption(" ".join(widgets.md_escape("#" + t.lstrip("#")) for t in tags))
    links = []
    if widgets.safe_url(r.url):
        links.append(widgets.safe_link(r.url, "Original post ↗"))
    title = widgets.md_escape(r.article_title or "(untitled)")
    links.append(f"In [{title}]({widgets.article_url(r.article_id)}) "
                 f"({widgets.fmt_date(r.article_published)})")
    st.markdown(" · ".join(links))


def _table(refs: pd.DataFrame) -> pd.DataFrame:
    """The posts as the table shows them (and the CSV holds)."""
    return pd.DataFrame({
        "platform": refs["platform"].map(_platform_label),
        "account": refs["handle"].map(lambda h: f"@{h}" if isinstance(h, str) and h else ""),
        "author": refs["author"],
        "posted": refs["posted"].map(_fmt_posted),
        "text": refs["text"],
        "hashtags": refs["hashtags"].map(
            lambda tags: " ".join("#" + t.lstrip("#") for t in (tags if tags is not None else [])
                                  if t)),
        "post": refs["url"].map(widgets.safe_url),
        "article_published": refs["article_published"].map(widgets.fmt_date),
        "lag_days": refs["lag_days"],
        "article_title": refs["article_title"],
        "article": [widgets.article_url(i) for i in refs["article_id"]],
        "article_id": refs["article_id"],
    })


def _posts(filters) -> None:
    c1, c2 = st.columns([3, 2])
    search = c1.text_input("Search posts", key="soc_search", persist_state=PERSIST, max_chars=100,
                           placeholder="text, @account, #hashtag or article title")
    search = (search or "").strip().lstrip("@#")
    platforms_all = loaders.load("social_platforms", filters, "", ())
    if platforms_all.empty:
        widgets.empty_state("No social-media posts in the articles that match these filters.",
                            "Widen the filters in the sidebar, or upload articles that embed "
                            "posts (X/Twitter, YouTube, Facebook…) on the Upload page.",
                            icon=":material/forum:")
        return
    chosen = c2.multiselect("Platforms", platforms_all["platform"].tolist(),
                            format_func=_platform_label, key="soc_platforms", persist_state=PERSIST,
                            placeholder="All platforms")
    platforms = tuple(chosen)
    refs = loaders.load("social_refs", filters, search, platforms, POST_LIMIT)
    if refs.empty:
        widgets.empty_state(f"No post matches “{widgets.md_escape(search)}”."
                            if search else "No post on these platforms.",
                            "Clear the search or the platform choice.",
                            icon=":material/search_off:")
        return
    by_platform = loaders.load("social_platforms", filters, search, platforms)
    summary = loaders.load("social_summary", filters, search, platforms)
    m = st.columns(4)
    m[0].metric("Posts", f"{summary['refs']:,}")
    m[1].metric("Articles with posts", f"{summary['articles']:,}")
    m[2].metric("Accounts", f"{summary['accounts']:,}")
    m[3].metric("Posts with a date", f"{summary['dated']:,}")

    accounts = loaders.load("social_accounts", filters, search, platforms, ACCOUNT_LIMIT)
    hashtags = loaders.load("social_hashtags", filters, search, platforms, HASHTAG_LIMIT)
    timeline = loaders.load("social_timeline", filters, search, platforms, TIMELINE_LIMIT)
    left, right = st.columns(2)
    with left:
        st.altair_chart(charts.social_platform_bars(by_platform), width="stretch")
        if hashtags.empty:
            widgets.empty_state("None of these posts carries a hashtag.")
        else:
            st.altair_chart(charts.social_hashtag_bars(hashtags), width="stretch")
    with right:
        if accounts.empty:
            widgets.empty_state("No account names could be read from these posts.")
        else:
            st.altair_chart(charts.social_account_bars(accounts), width="stretch")
        if timeline.empty:
            widgets.empty_state("No post date could be read, so the age of the posts is "
                                "unknown.")
        else:
            st.altair_chart(charts.social_lag_chart(timeline), width="stretch")
    if not timeline.empty:
        st.altair_chart(charts.social_posts_over_time(timeline), width="stretch")
        lag = timeline["lag_days"].dropna()
        if len(lag):
            st.caption(f"Median age of an embedded post when its article appeared: "
                       f"{lag.median():,.0f} day(s); oldest {lag.max():,.0f} day(s).")
    with st.expander("Chart data (CSV)"):
        widgets.csv_download(by_platform, "newsroom-lens-social-platforms.csv",
                             "Platforms (CSV)", key="soc_platforms_csv")
        widgets.csv_download(accounts, "newsroom-lens-social-accounts.csv",
                             "Top accounts (CSV)", key="soc_accounts_csv")
        widgets.csv_download(hashtags, "newsroom-lens-social-hashtags.csv",
                             "Top hashtags (CSV)", key="soc_hashtags_csv")
        widgets.csv_download(timeline, "newsroom-lens-social-dates.csv",
                             "Post and article dates (CSV)", key="soc_dates_csv")

    st.subheader("Posts", anchor=False)
    view = st.segmented_control("Show as", list(VIEWS), format_func=VIEWS.get,
                                default="cards", key="soc_view", persist_state=PERSIST) or "cards"
    st.caption(f"{len(refs):,} post(s), newest article first"
               + (f" (the first {POST_LIMIT}; search to narrow)" if len(refs) >= POST_LIMIT
                  else "")
               + ". Cards are drawn from the extracted text; the original embed is never run.")
    shown = _table(refs)
    if view == "cards":
        cards = refs.head(CARD_LIMIT)
        for start in range(0, len(cards), CARDS_PER_ROW):
            cols = st.columns(CARDS_PER_ROW)
            for col, r in zip(cols, cards.iloc[start:start + CARDS_PER_ROW].itertuples(
                    index=False)):
                with col.container(border=True):
                    _card(r)
        if len(refs) > CARD_LIMIT:
            st.caption(f"The first {CARD_LIMIT} posts as cards; the table shows all "
                       f"{len(refs):,}.")
    else:
        st.dataframe(shown, hide_index=True, width="stretch", height=460, key="soc_table",
                     column_config={
                         "platform": "Platform", "account": "Account", "author": "Name",
                         "posted": "Posted",
                         "text": st.column_config.TextColumn("Text", width="large"),
                         "hashtags": "Hashtags",
                         "post": st.column_config.LinkColumn("Original", display_text="Post ↗"),
                         "article_published": "Article published (UTC)",
                         "lag_days": st.column_config.NumberColumn(
                             "Lag (days)", format="%d",
                             help="Article date minus post date"),
                         "article_title": st.column_config.TextColumn("Article", width="medium"),
                         "article": st.column_config.LinkColumn("Read", display_text="Open ↗"),
                         "article_id": "Article id"})
    widgets.csv_download(shown, "newsroom-lens-social-posts.csv", "Download these posts (CSV)",
                         key="soc_posts_csv")


def _related(filters) -> None:
    summary = loaders.load("related_summary", filters).iloc[0]
    if int(summary["links"]) == 0:
        widgets.empty_state("None of the articles that match these filters lists related "
                            "articles of its outlet.",
                            "Related-article lists (the outlet's “read more” links) are read "
                            "from uploaded files; widen the filters or upload more articles.")
        return
    m = st.columns(4)
    m[0].metric("Related links", f"{int(summary['links']):,}")
    m[1].metric("Articles with such links", f"{int(summary['linking_articles']):,}")
    m[2].metric("Links to stored articles", f"{int(summary['in_store']):,}")
    m[3].metric("Linked articles not stored", f"{int(summary['missing']):,}")

    links = loaders.load("related_links", filters, RELATED_LIMIT)
    stored = links[links["to_id"].notna()]
    st.markdown("**Stored articles that link to stored articles**")
    if stored.empty:
        widgets.empty_state("No related link points to an article in the store yet.",
                            "Upload the linked articles (listed below) to connect them.")
    else:
        shown = pd.DataFrame({
            "from_published": stored["from_published"].map(widgets.fmt_date),
            "from_title": stored["from_title"],
            "from": [widgets.article_url(i) for i in stored["from_id"]],
            "to_published": stored["to_published"].map(widgets.fmt_date),
            "to_title": stored["to_title"],
            "to": [widgets.article_url(i) for i in stored["to_id"]]})
        st.dataframe(shown, hide_index=True, width="stretch", key="soc_rel_table",
                     column_config={
                         "from_published": "Published", "from_title": "Article",
                         "from": st.column_config.LinkColumn("Read", display_text="Open ↗"),
                         "to_published": "Linked article published",
                         "to_title": "Links to",
                         "to": st.column_config.LinkColumn("Read linked",
                                                           display_text="Open ↗")})
        widgets.csv_download(shown, "newsroom-lens-related-stored.csv",
                             "Download these links (CSV)", key="soc_rel_csv")

    missing = loaders.load("related_missing", filters, RELATED_LIMIT)
    st.markdown("**Linked articles not yet in the store**")
    if missing.empty:
        st.caption("Every linked article is already stored.")
        return
    shown = pd.DataFrame({
        "link_text": missing["link_text"],
        "url": missing["url"].map(widgets.safe_url),
        "linked_from": missing["linked_from"],
        "last_linked": missing["last_linked"].map(widgets.fmt_date)})
    st.dataframe(shown, hide_index=True, width="stretch", key="soc_missing_table",
                 column_config={
                     "link_text": st.column_config.TextColumn("Title (as linked)",
                                                              width="large"),
                     "url": st.column_config.LinkColumn("Address", width="medium"),
                     "linked_from": st.column_config.NumberColumn("Linked from (articles)",
                                                                  format="%d"),
                     "last_linked": "Last linked"})
    widgets.csv_download(shown, "newsroom-lens-related-missing.csv",
                         "Download the missing articles (CSV)", key="soc_missing_csv")


store = loaders.startup()
filters = widgets.sidebar_filters()

st.title("Social", anchor=False)
st.caption("Posts the articles embed or link, and the outlet's own related-article links.")
caption = widgets.filters_caption(filters)
if caption:
    st.caption(caption)

if loaders.load("corpus_summary", queries.NO_FILTERS)["articles"] == 0:
    widgets.corpus_empty_state()
    st.stop()

# Only the open tab runs (and queries); the open tab is kept in the URL (?soc_tab=...).
widgets.lazy_tabs("soc_tab", {
    "Social posts": lambda: _posts(filters),
    "Related articles": lambda: _related(filters),
})
