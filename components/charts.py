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
GRAIN_FORMATS = {"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m"}


def style(chart):
    """Fonts that draw Chinese in titles, axes and legends (apply once, to the outermost chart)."""
    return chart.configure(font=CJK_FONT).configure_title(
        font=CJK_FONT, anchor="start", fontSize=15).configure_axis(
        labelFont=CJK_FONT, titleFont=CJK_FONT).configure_legend(
        labelFont=CJK_FONT, titleFont=CJK_FONT, labelLimit=240)


def articles_over_time(df: pd.DataFrame, grain: str) -> alt.Chart:
    """Stacked bars: articles per period, coloured by outlet."""
    label = GRAIN_LABELS.get(grain, grain)
    fmt = GRAIN_FORMATS.get(grain, "%Y-%m-%d")
    time_unit = {"day": "yearmonthdate", "week": "yearmonthdate", "month": "yearmonth"}.get(
        grain, "yearmonthdate")
    chart = alt.Chart(df).mark_bar().encode(
        x=alt.X("period:T", timeUnit=time_unit,
                title=f"Publication date (UTC, per {label})", axis=alt.Axis(format=fmt)),
        y=alt.Y("sum(articles):Q", title="Articles (count)", stack="zero"),
        color=alt.Color("outlet:N", title="Outlet", scale=alt.Scale(scheme=PALETTE),
                        legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[alt.Tooltip("period:T", title=f"Period ({label})", format=fmt),
                 alt.Tooltip("outlet:N", title="Outlet"),
                 alt.Tooltip("sum(articles):Q", title="Articles")],
    ).properties(title=f"Articles per {label}", height=280)
    return style(chart)


# ---- analysis pages ----
