"""Chart builders: a small DataFrame in, an ``altair.Chart`` out.

In: frames produced by ``queries`` functions. Out: Altair charts with a title, axis titles with
units and a font stack that can draw Chinese. No streamlit here; pages call
``st.altair_chart(chart, width="stretch")``.

Sections: "core (shell)" for the overview / article pages; "analysis pages" below it.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

# ---- core (shell) ----

# A font stack that has Chinese glyphs on Linux, macOS and Windows before the generic fallback.
CJK_FONT = ("Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, WenQuanYi Micro Hei, "
            "PingFang SC, Hiragino Sans GB, Microsoft YaHei, sans-serif")
# Categorical colours; outlets beyond this many are still drawn (the palette repeats).
PALETTE = "tableau10"
GRAIN_LABELS = {"day": "day", "week": "week (starting Monday)", "month": "month"}
GRAIN_TITLES = {"day": "Articles per day", "week": "Articles per week", "month": "Articles per month"}
GRAIN_AXES = {"day": "Publication day (UTC)", "week": "Week starting Monday (UTC)",
              "month": "Publication month (UTC)"}
GRAIN_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}


def style(chart):
    """Fonts that draw Chinese in titles, axes and legends (apply once, to the outermost chart)."""
    return chart.configure(font=CJK_FONT).configure_title(
        font=CJK_FONT, anchor="start", fontSize=15).configure_axis(
        labelFont=CJK_FONT, titleFont=CJK_FONT).configure_legend(
        labelFont=CJK_FONT, titleFont=CJK_FONT, labelLimit=240)


def articles_over_time(df: pd.DataFrame, grain: str) -> alt.Chart:
    """Stacked bars: articles per period, coloured by outlet."""
    axis_title = GRAIN_AXES.get(grain, "Publication date (UTC)")
    fmt = GRAIN_FORMATS.get(grain, "%Y-%m-%d")
    time_unit = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth"}.get(
        grain, "yearmonthdate")
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("period:T", timeUnit=time_unit,
                title=axis_title, axis=alt.Axis(format=fmt)),
        y=alt.Y("sum(articles):Q", title="Articles (count)", stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("outlet:N", title="Outlet", scale=alt.Scale(scheme=PALETTE),
                        legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[alt.Tooltip("period:T", title=axis_title, format=fmt),
                 alt.Tooltip("outlet:N", title="Outlet"),
                 alt.Tooltip("sum(articles):Q", title="Articles")],
    ).properties(title=GRAIN_TITLES.get(grain, "Articles over time"), height=CHART_HEIGHT)
    return style(chart)


# ---- analysis pages ----

# Labels shared by the analysis pages (the same words in charts, tables and headings).
ENTITY_TYPE_LABELS = {"person": "Person", "place": "Place", "org": "Organisation"}
ENTITY_TYPE_PLURALS = {"person": "People", "place": "Places", "org": "Organisations"}
SPEAKER_KIND_LABELS = {"expert": "Expert", "official": "Official", "other": "Other",
                       "source": "Unnamed source / organisation"}
QUOTE_KIND_LABELS = {True: "Direct quote", False: "Paraphrase"}
MEASURE_TITLES = {"mentions": "Mentions (count)", "articles": "Articles mentioning it (count)"}
PLATFORM_LABELS = {"twitter": "X / Twitter", "youtube": "YouTube", "facebook": "Facebook",
                   "instagram": "Instagram", "telegram": "Telegram", "tiktok": "TikTok",
                   "weibo": "Weibo", "other": "Other"}
# Bars longer than this many characters of label are cut (the tooltip has the whole name).
LABEL_LIMIT = 180
BAR_STEP = 22  # pixels per bar in horizontal bar charts
HEAT_STEP = 40  # pixels per cell of the co-occurrence heat map
# Total height of line / scatter charts: Streamlit fits title and axes inside it.
CHART_HEIGHT = 400


def _hbars(df: pd.DataFrame, label_field: str, label_title: str, value_field: str,
           value_title: str, title: str, tooltip: list, color=None,
           counts: bool = True) -> alt.Chart:
    """Horizontal bars, longest first; the height grows with the number of bars."""
    # Counts get whole-number ticks only; weights keep fractional ones.
    value_axis = alt.Axis(tickMinStep=1) if counts else alt.Axis(format=".2f")
    enc = dict(
        y=alt.Y(f"{label_field}:N", title=label_title, sort="-x",
                axis=alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False)),
        x=alt.X(f"{value_field}:Q", title=value_title, axis=value_axis),
        tooltip=tooltip,
    )
    if color is not None:
        enc["color"] = color
    # A step height (pixels per bar) is honoured by Streamlit, where a fixed height is squeezed.
    return alt.Chart(df).mark_bar().encode(**enc).properties(title=title,
                                                             height=alt.Step(BAR_STEP))


def entity_bars(df: pd.DataFrame, entity_type: str, measure: str = "mentions") -> alt.Chart:
    """Top entities of one type (rows of queries.entity_top): name by mentions or articles."""
    measure = measure if measure in MEASURE_TITLES else "mentions"
    data = df[df["type"] == entity_type][["name", "mentions", "articles"]].reset_index(drop=True)
    plural = ENTITY_TYPE_PLURALS.get(entity_type, entity_type)
    label = ENTITY_TYPE_LABELS.get(entity_type, entity_type)
    what = "by mentions" if measure == "mentions" else "by articles mentioning them"
    chart = _hbars(data, "name", label, measure, MEASURE_TITLES[measure],
                   f"Top {plural.lower()} {what}",
                   [alt.Tooltip("name:N", title=label),
                    alt.Tooltip("mentions:Q", title="Mentions"),
                    alt.Tooltip("articles:Q", title="Articles")])
    return style(chart)


def entity_trend(df: pd.DataFrame, grain: str, measure: str = "mentions") -> alt.Chart:
    """Lines per entity over time (rows of queries.entity_trend)."""
    measure = measure if measure in MEASURE_TITLES else "mentions"
    label = GRAIN_LABELS.get(grain, grain)
    fmt = GRAIN_FORMATS.get(grain, "%Y-%m-%d")
    chart = alt.Chart(df).mark_line(point=True).encode(
        x=alt.X("period:T", title=f"Publication date (UTC, per {label})",
                axis=alt.Axis(format=fmt)),
        y=alt.Y(f"{measure}:Q", title=MEASURE_TITLES[measure], axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("name:N", title="Entity", scale=alt.Scale(scheme=PALETTE),
                        legend=alt.Legend(orient="bottom", columns=4)),
        tooltip=[alt.Tooltip("period:T", title=f"Period ({label})", format=fmt),
                 alt.Tooltip("name:N", title="Entity"),
                 alt.Tooltip("mentions:Q", title="Mentions"),
                 alt.Tooltip("articles:Q", title="Articles")],
    ).properties(title=f"{MEASURE_TITLES[measure].split(' (')[0]} per {label}",
                 height=CHART_HEIGHT)
    return style(chart)


def cooccurrence_matrix(df: pd.DataFrame) -> pd.DataFrame:
    """Pairs (entity_a < entity_b) -> both directions, for a symmetric heat map; keeps the
    entities' own article counts so the axes can be ordered by them."""
    if df.empty:
        return pd.DataFrame(columns=["x", "y", "articles", "x_articles", "y_articles"])
    ab = df.rename(columns={"entity_a": "x", "entity_b": "y", "articles_a": "x_articles",
                            "articles_b": "y_articles"})
    ba = df.rename(columns={"entity_b": "x", "entity_a": "y", "articles_b": "x_articles",
                            "articles_a": "y_articles"})
    cols = ["x", "y", "articles", "x_articles", "y_articles"]
    return pd.concat([ab[cols], ba[cols]], ignore_index=True)


def cooccurrence_heatmap(df: pd.DataFrame) -> alt.Chart:
    """Heat map of the pairs of queries.entity_cooccurrence, counts written in the cells."""
    data = cooccurrence_matrix(df)
    totals = data[["x", "x_articles"]].set_axis(["name", "n"], axis=1)
    order = (totals.drop_duplicates("name").sort_values(["n", "name"], ascending=[False, True])
             ["name"].tolist())
    base = alt.Chart(data).encode(
        x=alt.X("x:N", title="Entity", sort=order,
                axis=alt.Axis(labelAngle=-45, labelLimit=LABEL_LIMIT, labelOverlap=False)),
        y=alt.Y("y:N", title="Entity", sort=order,
                axis=alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False)),
    )
    rect = base.mark_rect().encode(
        color=alt.Color("articles:Q", title="Articles together (count)",
                        scale=alt.Scale(scheme="blues")),
        tooltip=[alt.Tooltip("x:N", title="Entity"), alt.Tooltip("y:N", title="With"),
                 alt.Tooltip("articles:Q", title="Articles together")])
    threshold = float(data["articles"].max()) / 2 if len(data) else 0.0
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("articles:Q"),
        # Light text on the dark half of the colour scale.
        color=alt.condition(alt.datum.articles > threshold, alt.value("white"),
                            alt.value("black")))
    chart = (rect + text).properties(
        title="Entities that appear in the same articles (articles together)",
        width=alt.Step(HEAT_STEP), height=alt.Step(HEAT_STEP))
    return style(chart)


def keyword_bars(df: pd.DataFrame) -> alt.Chart:
    """Top non-entity keywords (rows of queries.entity_keywords) by their weight."""
    data = df.copy()
    field, title = "weight", "Keyword weight (TF-IDF, relative)"
    if data["weight"].isna().all():
        field, title = "paragraphs", "Sampled paragraphs containing it (count)"
    chart = _hbars(data, "keyword", "Keyword", field, title,
                   "Top keywords that are not entities (sample of paragraphs)",
                   [alt.Tooltip("keyword:N", title="Keyword"),
                    alt.Tooltip("weight:Q", title="Weight", format=".3f"),
                    alt.Tooltip("paragraphs:Q", title="Paragraphs in sample")],
                   counts=field != "weight")
    return style(chart)


def speaker_quote_bars(df: pd.DataFrame, limit: int = 15) -> alt.Chart:
    """Stacked bars: direct quotes and paraphrases of the most quoted speakers (rows of
    queries.speaker_directory)."""
    top = df.head(limit)
    long = top.melt(id_vars=["speaker"], value_vars=["direct", "paraphrases"],
                    var_name="form", value_name="count")
    long["form"] = long["form"].map({"direct": QUOTE_KIND_LABELS[True],
                                     "paraphrases": QUOTE_KIND_LABELS[False]})
    order = top["speaker"].tolist()
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("speaker:N", title="Speaker", sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
        x=alt.X("count:Q", title="Quotes (count)", stack="zero", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("form:N", title="Form",
                        scale=alt.Scale(domain=list(QUOTE_KIND_LABELS.values()),
                                        range=["#4c78a8", "#9ecae9"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("speaker:N", title="Speaker"), alt.Tooltip("form:N", title="Form"),
                 alt.Tooltip("count:Q", title="Quotes")],
    ).properties(title=f"Most quoted speakers (top {min(limit, len(top))})",
                 height=alt.Step(BAR_STEP))
    return style(chart)


def _platform_label(df: pd.DataFrame) -> pd.DataFrame:
    data = df.copy()
    data["platform_label"] = data["platform"].map(lambda p: PLATFORM_LABELS.get(p, p))
    return data


def social_platform_bars(df: pd.DataFrame) -> alt.Chart:
    """References per platform (rows of queries.social_platforms)."""
    data = _platform_label(df)
    chart = _hbars(data, "platform_label", "Platform", "refs", "References (count)",
                   "Social-media references by platform",
                   [alt.Tooltip("platform_label:N", title="Platform"),
                    alt.Tooltip("refs:Q", title="References"),
                    alt.Tooltip("articles:Q", title="Articles"),
                    alt.Tooltip("accounts:Q", title="Accounts")])
    return style(chart)


def social_account_bars(df: pd.DataFrame) -> alt.Chart:
    """The most referenced accounts (rows of queries.social_accounts)."""
    data = _platform_label(df)
    data["account"] = "@" + data["handle"].astype(str) + " (" + data["platform_label"] + ")"
    chart = _hbars(data, "account", "Account", "refs", "References (count)",
                   "Most referenced accounts",
                   [alt.Tooltip("account:N", title="Account"),
                    alt.Tooltip("author:N", title="Name"),
                    alt.Tooltip("refs:Q", title="References"),
                    alt.Tooltip("articles:Q", title="Articles")])
    return style(chart)


def social_hashtag_bars(df: pd.DataFrame) -> alt.Chart:
    """The most used hashtags (rows of queries.social_hashtags)."""
    data = df.copy()
    data["tag"] = "#" + data["hashtag"].astype(str)
    chart = _hbars(data, "tag", "Hashtag", "refs", "Posts using it (count)", "Top hashtags",
                   [alt.Tooltip("tag:N", title="Hashtag"), alt.Tooltip("refs:Q", title="Posts"),
                    alt.Tooltip("articles:Q", title="Articles")])
    return style(chart)


def social_lag_chart(df: pd.DataFrame) -> alt.Chart:
    """Each dated post: when it was posted (x) and how many days later the article that
    embeds it appeared (y) — how stale the embedded material is (rows of
    queries.social_timeline)."""
    data = _platform_label(df)
    chart = alt.Chart(data).mark_circle(size=70, opacity=0.75).encode(
        x=alt.X("post_date:T", title="Post date (as shown in the post)",
                axis=alt.Axis(format="%Y-%m-%d")),
        y=alt.Y("lag_days:Q", title="Article date minus post date (days)",
                axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("platform_label:N", title="Platform", scale=alt.Scale(scheme=PALETTE),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("platform_label:N", title="Platform"),
                 alt.Tooltip("handle:N", title="Account"),
                 alt.Tooltip("post_date:T", title="Posted", format="%Y-%m-%d"),
                 alt.Tooltip("article_date:T", title="Article published", format="%Y-%m-%d"),
                 alt.Tooltip("lag_days:Q", title="Lag (days)"),
                 alt.Tooltip("article_title:N", title="Article")],
    ).properties(title="How old the embedded posts are when the article appears",
                 height=CHART_HEIGHT)
    return style(chart)


def social_posts_over_time(df: pd.DataFrame) -> alt.Chart:
    """Posts per month of their own date, beside the articles' months (rows of
    queries.social_timeline): two series, "Post date" and "Article date"."""
    long = pd.concat([
        pd.DataFrame({"date": pd.to_datetime(df["post_date"]), "series": "Post date"}),
        pd.DataFrame({"date": pd.to_datetime(df["article_date"]), "series": "Article date"}),
    ], ignore_index=True)
    chart = alt.Chart(long).mark_bar(opacity=0.85).encode(
        x=alt.X("yearmonth(date):T", title="Month (UTC)", axis=alt.Axis(format="%Y-%m")),
        xOffset=alt.XOffset("series:N", sort=["Post date", "Article date"]),
        y=alt.Y("count():Q", title="Posts (count)", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("series:N", title="Dated by",
                        scale=alt.Scale(domain=["Post date", "Article date"],
                                        range=["#f58518", "#4c78a8"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("yearmonth(date):T", title="Month", format="%Y-%m"),
                 alt.Tooltip("series:N", title="Dated by"),
                 alt.Tooltip("count():Q", title="Posts")],
    ).properties(title="Embedded posts per month: post date beside article date",
                 height=CHART_HEIGHT)
    return style(chart)
