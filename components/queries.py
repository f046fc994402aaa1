"""Read-only SQL over the article store, one function per thing a page shows.

In: a ``store.Store`` (anything with ``query(sql, params) -> DataFrame``), a ``Filters`` value
and per-function arguments. Out: small pandas DataFrames (or dicts of them) ready to show.

Every aggregate runs inside DuckDB and every list is LIMITed, so a page stays cheap at 100,000
articles. No streamlit here: ``loaders.load(name, *args)`` caches these functions keyed on the
store version. Arguments must be hashable (``Filters`` is a frozen dataclass).

Sections: "core (shell)" is owned by the dashboard shell (overview, article, upload pages);
"analysis pages" below it by the entities / viewpoints / social pages.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import pandas as pd


# ---- core (shell) ----

@dataclass(frozen=True)
class Filters:
    """The sidebar filters every page applies. Empty tuple / None = no restriction.

    ``date_to`` is inclusive (the whole day). Articles without a publication date drop out
    as soon as either date bound is set.
    """
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    outlets: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()


NO_FILTERS = Filters()
# How many rows a table shows at most (the count of all matches is reported beside it).
TABLE_LIMIT = 500
# How many articles the Article page's picker offers.
PICKER_LIMIT = 2000
# Automatic time grain for the articles-over-time chart: span in days -> grain.
GRAIN_DAY_MAX_DAYS = 92
GRAIN_WEEK_MAX_DAYS = 2 * 366
GRAINS = ("day", "week", "month")
# Sort orders the article table offers (label -> SQL ORDER BY over alias a).
ARTICLE_SORTS = {
    "newest": "a.published DESC NULLS LAST, a.title",
    "oldest": "a.published ASC NULLS LAST, a.title",
    "most entities": "a.n_entities DESC, a.published DESC NULLS LAST",
    "most quotes": "a.n_quotes DESC, a.published DESC NULLS LAST",
    "longest": "a.n_chars DESC, a.published DESC NULLS LAST",
}


def filter_sql(filters: Filters | None) -> tuple[str, list]:
    """A boolean SQL condition over the ``articles a`` alias, and its positional parameters.

    Never empty (``TRUE`` when nothing is filtered), so callers can always write
    ``WHERE {cond}`` or ``... AND {cond}``; join other tables to ``articles a ON a.id = x.article_id``.
    """
    f = filters or NO_FILTERS
    parts: list[str] = []
    params: list = []
    if f.date_from is not None:
        parts.append("a.published >= ?")
        params.append(dt.datetime.combine(f.date_from, dt.time()))
    if f.date_to is not None:
        # Inclusive end day: everything before the next midnight.
        parts.append("a.published < ?")
        params.append(dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time()))
    if f.outlets:
        parts.append(f"a.outlet IN ({', '.join('?' for _ in f.outlets)})")
        params.extend(f.outlets)
    if f.sections:
        parts.append(f"a.section IN ({', '.join('?' for _ in f.sections)})")
        params.extend(f.sections)
    return (" AND ".join(parts) if parts else "TRUE"), params


def filter_options(store) -> dict:
    """What the sidebar filters can offer: outlets and sections (most articles first), date span."""
    outlets = store.query(
        "SELECT outlet, count(*) AS n FROM articles WHERE outlet IS NOT NULL AND outlet <> '' "
        "GROUP BY outlet ORDER BY n DESC, outlet")
    sections = store.query(
        "SELECT section, count(*) AS n FROM articles WHERE section IS NOT NULL AND section <> '' "
        "GROUP BY section ORDER BY n DESC, section")
    span = store.query("SELECT min(published) AS first, max(published) AS last FROM articles")
    first, last = span.iloc[0]["first"], span.iloc[0]["last"]
    return {
        "outlets": outlets["outlet"].tolist(),
        "sections": sections["section"].tolist(),
        "first": None if pd.isna(first) else pd.Timestamp(first).date(),
        "last": None if pd.isna(last) else pd.Timestamp(last).date(),
    }


def corpus_summary(store, filters: Filters) -> dict:
    """Headline figures for the filtered corpus (one dict of plain numbers / dates)."""
    cond, params = filter_sql(filters)
    row = store.query(
        f"""SELECT count(*) AS articles, min(a.published) AS first, max(a.published) AS last,
                   count(DISTINCT a.outlet) AS outlets, count(DISTINCT a.section) AS sections,
                   coalesce(sum(a.n_entities), 0) AS entity_mentions,
                   coalesce(sum(a.n_quotes), 0) AS quotes,
                   coalesce(sum(a.n_social), 0) AS social_posts,
                   coalesce(sum(a.n_images), 0) AS images,
                   coalesce(sum(a.n_chars), 0) AS characters,
                   count(*) FILTER (WHERE a.published IS NULL) AS undated
            FROM articles a WHERE {cond}""", params).iloc[0]
    distinct = store.query(
        f"""SELECT count(DISTINCT (e.name, e.type)) AS n FROM entities e
            JOIN articles a ON a.id = e.article_id WHERE {cond}""", params).iloc[0]
    speakers = store.query(
        f"""SELECT count(DISTINCT q.speaker) AS n FROM quotes q
            JOIN articles a ON a.id = q.article_id WHERE {cond} AND q.kind <> 'source'""",
        params).iloc[0]
    out = {k: (None if pd.isna(v) else v) for k, v in row.items()}
    for key in ("articles", "outlets", "sections", "entity_mentions", "quotes", "social_posts",
                "images", "characters", "undated"):
        out[key] = int(out[key] or 0)
    out["first"] = None if out["first"] is None else pd.Timestamp(out["first"]).date()
    out["last"] = None if out["last"] is None else pd.Timestamp(out["last"]).date()
    out["distinct_entities"] = int(distinct["n"])
    out["speakers"] = int(speakers["n"])
    return out


def auto_grain(first: dt.date | None, last: dt.date | None) -> str:
    """day for up to ~3 months, week for up to ~2 years, month beyond."""
    if first is None or last is None:
        return "day"
    days = (last - first).days
    if days <= GRAIN_DAY_MAX_DAYS:
        return "day"
    if days <= GRAIN_WEEK_MAX_DAYS:
        return "week"
    return "month"


def articles_over_time(store, filters: Filters, grain: str = "auto") -> pd.DataFrame:
    """Articles per period and outlet: columns period (date), outlet, articles; plus attrs['grain']."""
    cond, params = filter_sql(filters)
    if grain not in GRAINS:
        span = store.query(f"SELECT min(a.published) AS f, max(a.published) AS l "
                           f"FROM articles a WHERE {cond}", params).iloc[0]
        grain = auto_grain(None if pd.isna(span["f"]) else pd.Timestamp(span["f"]).date(),
                           None if pd.isna(span["l"]) else pd.Timestamp(span["l"]).date())
    df = store.query(
        f"""SELECT CAST(date_trunc('{grain}', a.published) AS DATE) AS period,
                   coalesce(nullif(a.outlet, ''), '(unknown outlet)') AS outlet,
                   count(*) AS articles
            FROM articles a WHERE {cond} AND a.published IS NOT NULL
            GROUP BY ALL ORDER BY period, outlet""", params)
    df["period"] = pd.to_datetime(df["period"])
    df["articles"] = df["articles"].astype("int64")
    df.attrs["grain"] = grain
    return df


@functools.lru_cache(maxsize=1)
def _converters():
    """OpenCC converters so a search in one script also finds the other; None when missing."""
    try:
        import opencc
        return opencc.OpenCC("s2t"), opencc.OpenCC("t2s")
    except Exception:  # the search still works, in the script typed
        return None


def search_variants(text: str) -> tuple[str, ...]:
    """The lower-cased search text in the script typed, Traditional and Simplified."""
    text = " ".join(text.split()).lower()
    if not text:
        return ()
    variants = [text]
    conv = _converters()
    if conv is not None:
        for c in conv:
            v = c.convert(text)
            if v not in variants:
                variants.append(v)
    return tuple(variants)


def _text_sql(text: str) -> tuple[str, list]:
    """Condition: the title or any body block contains the text (case-insensitive, either script)."""
    variants = search_variants(text or "")
    if not variants:
        return "TRUE", []
    title = " OR ".join("contains(lower(coalesce(a.title, '')), ?)" for _ in variants)
    body = " OR ".join("contains(lower(p.text), ?)" for _ in variants)
    cond = (f"(({title}) OR EXISTS (SELECT 1 FROM paragraphs p "
            f"WHERE p.article_id = a.id AND ({body})))")
    return cond, list(variants) + list(variants)


def article_count(store, filters: Filters, text: str = "") -> int:
    """How many articles match the filters and the text search."""
    cond, params = filter_sql(filters)
    tcond, tparams = _text_sql(text)
    df = store.query(f"SELECT count(*) AS n FROM articles a WHERE {cond} AND {tcond}",
                     params + tparams)
    return int(df.iloc[0]["n"])


def article_table(store, filters: Filters, text: str = "", sort: str = "newest",
                  limit: int = TABLE_LIMIT) -> pd.DataFrame:
    """One row per matching article (at most ``limit``), with its counts."""
    cond, params = filter_sql(filters)
    tcond, tparams = _text_sql(text)
    order = ARTICLE_SORTS.get(sort, ARTICLE_SORTS["newest"])
    return store.query(
        f"""SELECT a.id, a.published, a.title, a.outlet, a.section, a.n_paragraphs, a.n_chars,
                   a.n_entities, a.n_quotes, a.n_speakers, a.n_social, a.n_images
            FROM articles a WHERE {cond} AND {tcond}
            ORDER BY {order} LIMIT {int(limit)}""", params + tparams)


def article_choices(store, filters: Filters, limit: int = PICKER_LIMIT) -> pd.DataFrame:
    """id, published, title, outlet of the newest matching articles (the Article page's picker)."""
    cond, params = filter_sql(filters)
    return store.query(
        f"""SELECT a.id, a.published, a.title, a.outlet FROM articles a WHERE {cond}
            ORDER BY a.published DESC NULLS LAST, a.title LIMIT {int(limit)}""", params)


def article_brief(store, article_id: str) -> pd.DataFrame:
    """id, published, title, outlet of one article (0 rows when unknown)."""
    return store.query("SELECT a.id, a.published, a.title, a.outlet FROM articles a "
                       "WHERE a.id = ?", [article_id])


def article_detail(store, article_id: str) -> dict | None:
    """Everything the reader view shows for one article, or None when the id is unknown.

    Keys: article (dict), blocks, images, links, related, staff, entities, entity_counts,
    quotes, social (DataFrames), warnings (list of str), files (DataFrame: name, size, added_at).
    """
    art = store.query("SELECT * FROM articles WHERE id = ?", [article_id])
    if art.empty:
        return None
    p = [article_id]
    article = {k: (None if not isinstance(v, (list, tuple)) and pd.isna(v) else v)
               for k, v in art.iloc[0].items()}
    warnings = [w for w in (article.get("warnings") or "").split("\n") if w.strip()]
    return {
        "article": article,
        "blocks": store.query("SELECT block, kind, text FROM paragraphs WHERE article_id = ? "
                              "ORDER BY block", p),
        "images": store.query("SELECT position, src, caption, credit FROM images "
                              "WHERE article_id = ? ORDER BY position", p),
        "links": store.query("SELECT block, url, text FROM links WHERE article_id = ? "
                             "AND NOT coalesce(related, false) ORDER BY block NULLS LAST", p),
        "related": store.query("SELECT DISTINCT url, text FROM links WHERE article_id = ? "
                               "AND related ORDER BY text", p),
        "staff": store.query("SELECT role, name FROM staff WHERE article_id = ?", p),
        "entities": store.query('SELECT name, type, surface, block, "start", "end" FROM entities '
                                'WHERE article_id = ? ORDER BY block, "start"', p),
        "entity_counts": store.query("SELECT name, type, count(*) AS mentions FROM entities "
                                     "WHERE article_id = ? GROUP BY name, type "
                                     "ORDER BY mentions DESC, name", p),
        "quotes": store.query('SELECT speaker, role, kind, text, direct, block, "start", aliases '
                              'FROM quotes WHERE article_id = ? ORDER BY block, "start"', p),
        "social": store.query("SELECT platform, url, post_id, handle, author, posted, text, "
                              "hashtags, position, embedded FROM social WHERE article_id = ? "
                              "ORDER BY position NULLS LAST", p),
        "files": store.query("SELECT name, size, added_at FROM files WHERE article_id = ? "
                             "ORDER BY added_at", p),
        "warnings": warnings,
    }


# ---- analysis pages ----
