"""Article page: a reader view of one article.

In: ``?id=<article_id>`` in the URL (links from other pages) or the picker (newest articles
matching the sidebar filters). Out: title, link to the original, date / outlet / section, byline,
the body with sub-headings in place and entity mentions highlighted by type, figures (caption,
credit, image link — images are not fetched), embedded social posts as text cards, related
links, the speakers with their quotes, the entity list, and the parser's warnings.

All article text is escaped (``widgets.md_escape``); links are shown only when http(s).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from components import loaders, queries, widgets

K_PICK = "article_pick"
K_IMAGES = "article_show_images"  # off by default: the browser would fetch from the outlet
ROLE_LABELS = {"reporter": "Reporter", "editor": "Editor", "web_editor": "Web editor"}
KIND_LABELS = {"expert": "expert", "official": "official", "other": "other",
               "source": "unnamed source / organisation"}
PLATFORM_LABELS = {"twitter": "X / Twitter", "youtube": "YouTube", "facebook": "Facebook",
                   "instagram": "Instagram", "telegram": "Telegram", "tiktok": "TikTok",
                   "weibo": "Weibo", "other": "Web post"}
# Quotes shown per speaker before "and N more".
QUOTES_PER_SPEAKER = 6


def _label(row) -> str:
    title = row["title"] if isinstance(row["title"], str) and row["title"].strip() else "(untitled)"
    outlet = f" · {row['outlet']}" if isinstance(row["outlet"], str) and row["outlet"] else ""
    return f"{widgets.fmt_date(row['published'])} · {title}{outlet}"


def _picked() -> None:
    st.query_params["id"] = st.session_state[K_PICK]


def _nonempty(value) -> bool:
    return value is not None and not (isinstance(value, float) and pd.isna(value)) and str(value).strip() != ""


def _figure(img) -> None:
    with st.container(border=True):
        caption = img["caption"] if _nonempty(img["caption"]) else None
        credit = img["credit"] if _nonempty(img["credit"]) else None
        lines = [f":material/image: **Figure** — {widgets.md_escape(caption) if caption else '*no caption*'}"]
        if credit:
            lines.append(f"Credit: {widgets.md_escape(credit)}")
        url = widgets.safe_url(img["src"])
        if url:
            lines.append(widgets.safe_link(url, "image file ↗"))
        st.markdown("  \n".join(lines))
        if url and st.session_state.get(K_IMAGES):
            st.image(url, width="stretch")


def _social_card(post) -> None:
    with st.container(border=True):
        platform = PLATFORM_LABELS.get(post["platform"], str(post["platform"]).title())
        head = [f":material/forum: **{widgets.md_escape(platform)}**"]
        if _nonempty(post["author"]):
            head.append(widgets.md_escape(post["author"]))
        if _nonempty(post["handle"]):
            head.append(widgets.md_escape("@" + str(post["handle"]).lstrip("@")))
        if _nonempty(post["posted"]):
            head.append(widgets.md_escape(str(post["posted"])[:16]))
        lines = [" · ".join(head)]
        if _nonempty(post["text"]):
            lines.append(widgets.md_escape(post["text"]))
        tags = post["hashtags"]
        if tags is not None and len(tags):
            lines.append(" ".join(widgets.md_escape("#" + str(t).lstrip("#")) for t in tags))
        if widgets.safe_url(post["url"]):
            lines.append(widgets.safe_link(post["url"], "open the post ↗"))
        if not post["embedded"]:
            lines.append("*linked in the text, not embedded*")
        st.markdown("  \n".join(lines))


def _body(detail: dict) -> None:
    blocks = detail["blocks"]
    spans: dict[int, list] = {}
    for e in detail["entities"].itertuples(index=False):
        spans.setdefault(int(e.block), []).append((e.start, e.end, e.type))
    figures: dict[int, list] = {}
    for img in detail["images"].to_dict("records"):
        figures.setdefault(int(img["position"] or 0), []).append(img)
    posts: dict[int, list] = {}
    for post in detail["social"].to_dict("records"):
        if post["embedded"] and _nonempty(post["position"]):
            posts.setdefault(int(post["position"]), []).append(post)
    n = len(blocks)

    pending: list[str] = []  # consecutive paragraphs go out as one Markdown element

    def flush() -> None:
        if pending:
            st.markdown("\n\n".join(pending))
            pending.clear()

    for i, block in enumerate(blocks.itertuples(index=False)):
        at = int(block.block)
        if figures.get(at) or posts.get(at):
            flush()
            for img in figures.get(at, []):
                _figure(img)
            for post in posts.get(at, []):
                _social_card(post)
        text = widgets.highlight_markdown(block.text, spans.get(at, []))
        if block.kind == "subheading":
            flush()
            st.subheader(text, anchor=False)
        elif text:
            pending.append(text)
    flush()
    for at in sorted(k for k in set(figures) | set(posts) if k >= n):
        for img in figures.get(at, []):
            _figure(img)
        for post in posts.get(at, []):
            _social_card(post)
    if n == 0:
        widgets.empty_state("This article has no body text.",
                            "The file held a title only; its warnings (right) may say why.")


def _speakers(quotes: pd.DataFrame) -> None:
    st.markdown("#### Who is quoted")
    if quotes.empty:
        st.caption("No quotes found in this article.")
        return
    st.caption(f"{quotes['speaker'].nunique():,} speakers, {len(quotes):,} quotes; most quoted "
               "first. Open a name for what they said.")
    groups = sorted(quotes.groupby("speaker", sort=False), key=lambda g: -len(g[1]))
    for speaker, group in groups:
        first = group.iloc[0]
        head = widgets.md_escape(speaker)
        if _nonempty(first["role"]):
            head += f" — {widgets.md_escape(first['role'])}"
        kind = KIND_LABELS.get(first["kind"], first["kind"])
        head += f" · {len(group)} quote{'s' if len(group) != 1 else ''}"
        with st.expander(head):
            lines = [f":gray[{widgets.md_escape(kind)}]"]
            for q in group.head(QUOTES_PER_SPEAKER).itertuples(index=False):
                said = widgets.md_escape(q.text)
                lines.append(f"- “{said}”" if q.direct else f"- :gray[(reported)] {said}")
            if len(group) > QUOTES_PER_SPEAKER:
                lines.append(f"- :gray[and {len(group) - QUOTES_PER_SPEAKER} more]")
            st.markdown("\n".join(lines))


def _side(detail: dict) -> None:
    _speakers(detail["quotes"])

    st.markdown("#### People, places and organisations")
    counts = detail["entity_counts"]
    if counts.empty:
        st.caption("No entities found.")
    else:
        st.markdown(widgets.entity_legend())
        st.dataframe(counts, hide_index=True, width="stretch", height=min(320, 38 + 35 * len(counts)),
                     column_config={"name": "Name", "type": "Type",
                                    "mentions": st.column_config.NumberColumn("Mentions", format="%d")})

    related = detail["related"]
    st.markdown("#### Related articles")
    if related.empty:
        st.caption("The outlet listed no related articles.")
    else:
        st.markdown("\n".join(f"- {widgets.safe_link(r.url, r.text if _nonempty(r.text) else r.url)}"
                              for r in related.itertuples(index=False)))

    social = detail["social"]
    loose = social[~social["embedded"].astype(bool) | social["position"].isna()] if not social.empty else social
    if not loose.empty:
        st.markdown("#### Social posts linked")
        for post in loose.to_dict("records"):
            _social_card(post)

    links = detail["links"]
    if not links.empty:
        with st.expander(f"Links in the text ({len(links)})"):
            st.markdown("\n".join(f"- {widgets.safe_link(r.url, r.text if _nonempty(r.text) else r.url)}"
                                  for r in links.itertuples(index=False)))

    files = detail["files"]
    if not files.empty:
        f = files.iloc[0]
        st.caption(f"Source file: {widgets.md_escape(f['name'])} "
                   f"({int(f['size']):,} bytes), added {widgets.fmt_date(f['added_at'], True)}")


store = loaders.startup()
filters = widgets.sidebar_filters()

choices = loaders.load("article_choices", filters)
labels = {row["id"]: _label(row) for row in choices.to_dict("records")}
wanted = st.query_params.get("id")
missing_id = None
if wanted and wanted not in labels:
    brief = loaders.load("article_brief", wanted)
    if brief.empty:
        missing_id = wanted
    else:  # outside the filters, but asked for by link: offer it first
        labels = {wanted: _label(brief.iloc[0]), **labels}

if not labels:
    st.title("Article", anchor=False)
if missing_id:
    st.warning(f"There is no article with id “{widgets.md_escape(missing_id)}” in the store. "
               "Pick one below.", icon=":material/help:")
if not labels:
    if loaders.load("corpus_summary", queries.NO_FILTERS)["articles"] == 0:
        widgets.empty_state("No articles yet: the corpus is empty.",
                            "Add article files on the Upload page.", icon=":material/inbox:")
        st.page_link("components/pages/upload.py", label="Go to Upload", icon=":material/upload:")
    else:
        widgets.empty_state("No articles match these filters.",
                            "Widen the dates or clear the outlet and section filters in the "
                            "sidebar.", icon=":material/filter_alt_off:")
    st.stop()

ids = list(labels)
if wanted in labels and st.session_state.get(K_PICK) != wanted:
    st.session_state[K_PICK] = wanted
elif st.session_state.get(K_PICK) not in labels:
    st.session_state[K_PICK] = ids[0]
st.selectbox("Article", ids, format_func=labels.get, key=K_PICK, on_change=_picked,
             help="The newest articles matching the sidebar filters; links from other pages "
                  "open any article.")
article_id = st.session_state[K_PICK]
if st.query_params.get("id") != article_id:
    st.query_params["id"] = article_id

detail = loaders.load("article_detail", article_id)
if detail is None:
    widgets.empty_state("This article is no longer in the store.", "Pick another one above.")
    st.stop()

a = detail["article"]
st.title(widgets.md_escape(a["title"]) if _nonempty(a["title"]) else "(untitled)", anchor=False)
meta = [widgets.fmt_date(a["published"], with_time=True)]
for key in ("outlet", "section"):
    if _nonempty(a.get(key)):
        meta.append(widgets.md_escape(a[key]))
if _nonempty(a.get("script")):
    meta.append(widgets.md_escape(f"{a['script']} Chinese"))
st.caption(" · ".join(meta))
if _nonempty(a.get("url")):
    if widgets.safe_url(a["url"]):
        st.markdown(f":material/open_in_new: {widgets.safe_link(a['url'], 'Read the original')}")
    else:
        st.caption(f"Original address (not a web link): {widgets.md_escape(a['url'])}")
staff = detail["staff"]
if not staff.empty:
    parts = []
    for role, label in ROLE_LABELS.items():
        names = staff.loc[staff["role"] == role, "name"].tolist()
        if names:
            parts.append(f"**{label}:** {widgets.md_escape('、'.join(names))}")
    st.markdown(" · ".join(parts))
if detail["warnings"]:
    with st.expander(f":material/warning: Parser notes ({len(detail['warnings'])})"):
        st.markdown("\n".join(f"- {widgets.md_escape(w)}" for w in detail["warnings"]))

st.divider()
main, side = st.columns([3, 2], gap="large")
with main:
    legend, toggle = st.columns([3, 2])
    if not detail["entities"].empty:
        legend.caption("Highlighted: " + widgets.entity_legend())
    if not detail["images"].empty:
        toggle.toggle("Show photos", key=K_IMAGES,
                      help="Loads the images from the outlet's web site into your browser; "
                           "off by default, captions and credits are always shown.")
    _body(detail)
with side:
    _side(detail)
