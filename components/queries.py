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
    # Unfiltered: no join needed (the common first view; ~4x faster on a large store).
    join_e = "" if not params else "JOIN articles a ON a.id = e.article_id"
    join_q = "" if not params else "JOIN articles a ON a.id = q.article_id"
    distinct = store.query(
        f"""SELECT count(DISTINCT (e.name, e.type)) AS n FROM entities e {join_e}
            WHERE {cond}""", params).iloc[0]
    speakers = store.query(
        f"""SELECT count(DISTINCT q.speaker) AS n FROM quotes q {join_q}
            WHERE {cond} AND q.kind <> 'source'""", params).iloc[0]
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

# Read-only queries of the Entities, Viewpoints and Social pages (issues 3, 4, 5).
# Each aggregates in DuckDB and LIMITs what it returns, so the pages stay fast at 100,000
# articles. All take the sidebar `filters` (over `articles a`) and return a DataFrame.

ENTITY_TYPES = ("person", "place", "org")
ENTITY_MEASURES = ("mentions", "articles")
TREND_GRAINS = ("day", "week", "month")
TREND_MAX_PERIODS = 1500  # longer spans are not zero-filled (the chart would be too dense)
SPEAKER_KIND_ORDER = ("expert", "official", "other", "source")
# Sentence ends for keyword-in-context (full-width and ASCII).
SENTENCE_END_CLASS = "。！？；…!?;"
CONTEXT_MAX_CHARS = 120  # characters kept either side of a mention inside its sentence
KEYWORD_SAMPLE_PARAGRAPHS = 400  # paragraphs read for the keyword list
SOCIAL_SEARCH_MAX = 200  # characters of a search string used
# A link's identity: lower-cased, without scheme, "www.", query, fragment or trailing slash.
_NORM_URL_SQL = ("regexp_replace(regexp_replace(regexp_replace(lower(trim({col})), "
                 "'^[a-z]+://(www\\.)?', ''), '[?#].*$', ''), '/+$', '')")


def _scoped(filters, where_extra: str = "") -> tuple[str, dict]:
    """The CTE `fa` (filtered articles) and its parameters, as named `$f_i` parameters so the
    analysis queries can add their own named ones."""
    where, params = filter_sql(filters)
    named: dict = {}
    if isinstance(params, dict):
        named.update(params)
    else:
        parts = where.split("?")
        if len(parts) - 1 != len(params):
            raise ValueError("filter_sql placeholders do not match its parameters")
        where = parts[0] + "".join(f"$f_{i}{rest}" for i, rest in enumerate(parts[1:]))
        named.update({f"f_{i}": v for i, v in enumerate(params)})
    where = where.strip() or "TRUE"
    if where.upper().startswith("WHERE "):
        where = where[6:]
    if where_extra:
        where = f"({where}) AND {where_extra}"
    cte = ("fa AS (SELECT a.id, a.title, a.published, a.outlet, a.url FROM articles a "
           f"WHERE {where})")
    return cte, named


def _run(store, sql: str, params: dict) -> pd.DataFrame:
    return store.query(sql, params)


# ---- Entities page ----

def entity_top(store, filters, measure: str = "mentions", limit: int = 10) -> pd.DataFrame:
    """The top `limit` entities of each type: type, name, mentions, articles, rank (1-based),
    ranked by `measure` (mentions or articles), ties by the other measure, then name."""
    measure = measure if measure in ENTITY_MEASURES else "mentions"
    other = "articles" if measure == "mentions" else "mentions"
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte},
        counts AS (
            SELECT e.type, e.name, sum(e.n_mentions)::BIGINT AS mentions, count(*) AS articles
            FROM entity_counts e JOIN fa ON fa.id = e.article_id
            WHERE e.type IN ('person', 'place', 'org')
            GROUP BY e.type, e.name)
        SELECT type, name, mentions, articles,
               row_number() OVER (PARTITION BY type ORDER BY {measure} DESC, {other} DESC, name)
                   AS rank
        FROM counts
        QUALIFY rank <= $limit
        ORDER BY type, rank"""
    return _run(store, sql, params)


def entity_names(store, filters, limit: int = 300) -> pd.DataFrame:
    """Entity names for pickers, most mentioned first: name, type, mentions."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT e.name, arg_max(e.type, e.n_mentions) AS type, sum(e.n_mentions)::BIGINT AS mentions
        FROM entity_counts e JOIN fa ON fa.id = e.article_id
        GROUP BY e.name
        ORDER BY mentions DESC, e.name
        LIMIT $limit"""
    return _run(store, sql, params)


def entity_trend(store, filters, names: tuple = (), grain: str = "week") -> pd.DataFrame:
    """Mentions and articles per period (day/week/month, by publication time, UTC) for the
    chosen entity names: period, name, mentions, articles. Undated articles are left out.
    Periods without a mention between the first and last dated article count 0 (so a line
    does not bridge a gap), unless that span has more than TREND_MAX_PERIODS periods."""
    names = tuple(str(n) for n in names)
    if not names:
        return pd.DataFrame(columns=["period", "name", "mentions", "articles"])
    grain = grain if grain in TREND_GRAINS else "week"
    cte, params = _scoped(filters, "a.published IS NOT NULL")
    params.update({"names": list(names), "max_periods": TREND_MAX_PERIODS})
    sql = f"""
        WITH {cte},
        c AS (SELECT date_trunc('{grain}', fa.published) AS period, e.name,
                     count(*) AS mentions, count(DISTINCT e.article_id) AS articles
              FROM entities e JOIN fa ON fa.id = e.article_id
              WHERE list_contains($names, e.name)
              GROUP BY ALL),
        span AS (SELECT date_trunc('{grain}', min(published)) AS lo,
                        date_trunc('{grain}', max(published)) AS hi FROM fa),
        spine AS (SELECT unnest(generate_series(lo, hi, INTERVAL 1 {grain})) AS period
                  FROM span
                  WHERE lo IS NOT NULL
                    AND date_diff('{grain}', lo, hi) < $max_periods),
        n AS (SELECT DISTINCT name FROM c),
        filled AS (SELECT spine.period, n.name, coalesce(c.mentions, 0) AS mentions,
                          coalesce(c.articles, 0) AS articles
                   FROM spine CROSS JOIN n
                   LEFT JOIN c ON c.period = spine.period AND c.name = n.name)
        SELECT period, name, mentions, articles FROM filled
        UNION ALL
        SELECT period, name, mentions, articles FROM c
        WHERE NOT EXISTS (SELECT 1 FROM spine)
        ORDER BY period, name"""
    return _run(store, sql, params)


def entity_cooccurrence(store, filters, top_n: int = 12, entity_type: str | None = None
                        ) -> pd.DataFrame:
    """Pairs among the `top_n` entities (by articles) that appear in the same article:
    entity_a, entity_b (entity_a < entity_b), articles (together), articles_a, articles_b."""
    type_sql = "AND e.type = $etype" if entity_type in ENTITY_TYPES else ""
    cte, params = _scoped(filters)
    params["top_n"] = int(top_n)
    if type_sql:
        params["etype"] = entity_type
    sql = f"""
        WITH {cte},
        ae AS (SELECT DISTINCT e.article_id, e.name FROM entities e
               JOIN fa ON fa.id = e.article_id
               WHERE e.type IN ('person', 'place', 'org') {type_sql}),
        top AS (SELECT name, count(*) AS n FROM ae GROUP BY name
                ORDER BY n DESC, name LIMIT $top_n),
        te AS (SELECT ae.article_id, ae.name, top.n FROM ae JOIN top ON top.name = ae.name)
        SELECT x.name AS entity_a, y.name AS entity_b, count(*) AS articles,
               any_value(x.n) AS articles_a, any_value(y.n) AS articles_b
        FROM te x JOIN te y ON x.article_id = y.article_id AND x.name < y.name
        GROUP BY x.name, y.name
        ORDER BY articles DESC, entity_a, entity_b"""
    return _run(store, sql, params)


def pair_articles(store, filters, name_a: str, name_b: str, limit: int = 100) -> pd.DataFrame:
    """Articles that mention both entities: id, title, published, outlet, mentions_a,
    mentions_b; newest first."""
    cte, params = _scoped(filters)
    params.update({"a": str(name_a), "b": str(name_b), "limit": int(limit)})
    sql = f"""
        WITH {cte},
        pa AS (SELECT e.article_id,
                      count(*) FILTER (WHERE e.name = $a) AS mentions_a,
                      count(*) FILTER (WHERE e.name = $b) AS mentions_b
               FROM entities e JOIN fa ON fa.id = e.article_id
               WHERE e.name IN ($a, $b)
               GROUP BY e.article_id
               HAVING count(*) FILTER (WHERE e.name = $a) > 0
                  AND count(*) FILTER (WHERE e.name = $b) > 0)
        SELECT fa.id, fa.title, fa.published, fa.outlet, pa.mentions_a, pa.mentions_b
        FROM pa JOIN fa ON fa.id = pa.article_id
        ORDER BY fa.published DESC NULLS LAST, fa.id
        LIMIT $limit"""
    return _run(store, sql, params)


def entity_contexts(store, filters, name: str, limit: int = 50) -> pd.DataFrame:
    """Keyword in context: the sentence around each mention of `name` (newest articles first,
    one row per sentence): article_id, title, published, block, before, match, after.
    Sentences are cut on 。！？；… (and ASCII !?;) inside the block; title mentions use the
    title. Only the LIMITed mentions are joined to their text."""
    cte, params = _scoped(filters)
    params.update({"name": str(name), "limit": int(limit)})
    ends = SENTENCE_END_CLASS
    width = int(CONTEXT_MAX_CHARS)
    sql = f"""
        WITH {cte},
        m AS (SELECT e.article_id, e.block, e.start, e."end", fa.title, fa.published
              FROM entities e JOIN fa ON fa.id = e.article_id
              WHERE e.name = $name
              ORDER BY fa.published DESC NULLS LAST, e.article_id, e.block, e.start
              LIMIT $limit * 3),
        t AS (SELECT m.*, CASE WHEN m.block = -1 THEN m.title ELSE p.text END AS text
              FROM m LEFT JOIN paragraphs p ON p.article_id = m.article_id AND p.block = m.block),
        s AS (SELECT article_id, title, published, block, start,
                     regexp_extract(substring(text, 1, start), '[^{ends}]*$') AS before_full,
                     substring(text, start + 1, "end" - start) AS match,
                     regexp_extract(substring(text, "end" + 1), '^[^{ends}]*[{ends}]*')
                         AS after_full
              FROM t WHERE text IS NOT NULL)
        SELECT article_id, title, published, block,
               CASE WHEN length(before_full) > {width}
                    THEN '…' || right(before_full, {width}) ELSE before_full END AS before,
               match,
               CASE WHEN length(after_full) > {width}
                    THEN left(after_full, {width}) || '…' ELSE after_full END AS after
        FROM s
        QUALIFY row_number() OVER (PARTITION BY article_id, block, start - length(before_full)
                                   ORDER BY start) = 1
        ORDER BY published DESC NULLS LAST, article_id, block, start
        LIMIT $limit"""
    return _run(store, sql, params)


def keyword_sample(store, filters, limit: int = KEYWORD_SAMPLE_PARAGRAPHS) -> pd.DataFrame:
    """The paragraphs (text) of the newest filtered articles, at most `limit`."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT p.text FROM paragraphs p JOIN fa ON fa.id = p.article_id
        WHERE p.kind = 'paragraph' AND length(p.text) > 0
        ORDER BY fa.published DESC NULLS LAST, p.article_id, p.block
        LIMIT $limit"""
    return _run(store, sql, params)


def _keywords_of(texts: list[str], k: int) -> list[tuple[str, float]]:
    """(keyword, weight) from the entity helper's top_keywords, else jieba's TF-IDF."""
    try:
        from . import entities as _entities
        fn = getattr(_entities, "top_keywords", None)
    except Exception:  # the entity stage failing to import must not take the page down
        fn = None
    if fn is not None:
        raw = fn(texts, k)
    else:
        import jieba.analyse
        raw = jieba.analyse.extract_tags("\n".join(texts), topK=k, withWeight=True)
    out = []
    for item in raw or []:
        if isinstance(item, str):
            out.append((item, float("nan")))
        else:
            word, weight = item[0], item[1]
            out.append((str(word), float(weight)))
    return out


def entity_keywords(store, filters, k: int = 20,
                    sample: int = KEYWORD_SAMPLE_PARAGRAPHS) -> pd.DataFrame:
    """Top keywords of a sample of the filtered paragraphs that are not entities:
    keyword, weight, paragraphs (how many sampled paragraphs contain it), rank."""
    columns = ["rank", "keyword", "weight", "paragraphs"]
    texts = [t for t in keyword_sample(store, filters, sample)["text"].tolist() if t]
    if not texts:
        return pd.DataFrame(columns=columns)
    candidates = [(w, s) for w, s in _keywords_of(texts, int(k) * 3)
                  if w.strip() and len(w.strip()) > 1]
    if not candidates:
        return pd.DataFrame(columns=columns)
    words = [w for w, _ in candidates]
    known = store.query(
        "SELECT DISTINCT w FROM (SELECT name AS w FROM entities WHERE list_contains($w, name) "
        "UNION SELECT surface FROM entities WHERE list_contains($w, surface))", {"w": words})
    entity_words = set(known["w"].tolist()) if len(known) else set()
    rows = []
    for word, weight in candidates:
        if word in entity_words:
            continue
        rows.append((len(rows) + 1, word, weight, sum(1 for t in texts if word in t)))
        if len(rows) >= k:
            break
    return pd.DataFrame(rows, columns=columns)


# ---- Viewpoints page ----

def quote_articles(store, filters, limit: int = 300) -> pd.DataFrame:
    """Articles that report someone's words (newest first): id, title, published, outlet,
    n_speakers, n_quotes."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT fa.id, fa.title, fa.published, fa.outlet, a.n_speakers, a.n_quotes
        FROM fa JOIN articles a ON a.id = fa.id
        WHERE a.n_quotes > 0
        ORDER BY fa.published DESC NULLS LAST, fa.id
        LIMIT $limit"""
    return _run(store, sql, params)


def article_quotes(store, article_id: str) -> pd.DataFrame:
    """One article's quotes in reading order: speaker, role, kind, text, direct, block, start,
    end, aliases (VARCHAR[])."""
    return store.query(
        'SELECT speaker, role, kind, text, direct, block, start, "end", aliases FROM quotes '
        'WHERE article_id = $id ORDER BY block, start, speaker', {"id": str(article_id)})


def article_entity_surfaces(store, article_id: str, limit: int = 500) -> pd.DataFrame:
    """The entity surfaces of one article (for highlighting): name, type, surface, mentions."""
    return store.query(
        "SELECT name, mode(type) AS type, surface, count(*) AS mentions FROM entities "
        "WHERE article_id = $id GROUP BY name, surface "
        "ORDER BY length(surface) DESC, surface LIMIT $limit",
        {"id": str(article_id), "limit": int(limit)})


def topic_options(store, filters, limit: int = 100) -> pd.DataFrame:
    """Entities that occur in the blocks where people are quoted (most quotes first):
    name, type, quotes."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte},
        qb AS (SELECT q.article_id, q.block, count(*) AS n FROM quotes q
               JOIN fa ON fa.id = q.article_id GROUP BY q.article_id, q.block),
        eb AS (SELECT DISTINCT e.article_id, e.block, e.name, e.type FROM entities e
               JOIN fa ON fa.id = e.article_id)
        SELECT eb.name, mode(eb.type) AS type, CAST(sum(qb.n) AS BIGINT) AS quotes
        FROM eb JOIN qb ON qb.article_id = eb.article_id AND qb.block = eb.block
        GROUP BY eb.name
        ORDER BY quotes DESC, eb.name
        LIMIT $limit"""
    return _run(store, sql, params)


def _topic_quote_cte(filters, topic: str | None) -> tuple[str, dict]:
    """CTEs `fa` and `tq`: the filtered quotes (on `topic` when given: the quote text contains
    it, or the quote's block mentions an entity of that name), with their article."""
    cte, params = _scoped(filters)
    if topic:
        params["topic"] = str(topic)
        tb = (", tb AS (SELECT DISTINCT e.article_id, e.block FROM entities e "
              "JOIN fa ON fa.id = e.article_id WHERE e.name = $topic)")
        join = "LEFT JOIN tb ON tb.article_id = q.article_id AND tb.block = q.block"
        cond = ("WHERE (contains(q.text, $topic) OR tb.article_id IS NOT NULL) "
                "AND q.speaker <> $topic")
    else:
        tb, join, cond = "", "", ""
    sql = (f"{cte}{tb}, tq AS (SELECT q.*, fa.title, fa.published FROM quotes q "
           f"JOIN fa ON fa.id = q.article_id {join} {cond})")
    return sql, params


def topic_speakers(store, filters, topic: str, limit: int = 30) -> pd.DataFrame:
    """Who spoke on `topic`: speaker, kind, roles, quotes, direct, paraphrases, articles,
    last_seen; most quotes first (unnamed sources last)."""
    if not topic:
        return pd.DataFrame(columns=["speaker", "kind", "roles", "quotes", "direct",
                                     "paraphrases", "articles", "last_seen"])
    cte, params = _topic_quote_cte(filters, topic)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT speaker, mode(kind) AS kind,
               array_to_string(list_slice(list_sort(list_distinct(list(role))), 1, 5), ' / ')
                   AS roles,
               count(*) AS quotes, count(*) FILTER (WHERE direct) AS direct,
               count(*) FILTER (WHERE NOT direct) AS paraphrases,
               count(DISTINCT article_id) AS articles, max(published) AS last_seen
        FROM tq
        GROUP BY speaker
        ORDER BY (mode(kind) = 'source'), quotes DESC, articles DESC, speaker
        LIMIT $limit"""
    return _run(store, sql, params)


def speaker_quotes(store, filters, speakers: tuple = (), topic: str | None = None,
                   per_speaker: int = 10) -> pd.DataFrame:
    """The quotes of the chosen speakers (on `topic` when given), newest first, at most
    `per_speaker` each: speaker, role, kind, text, direct, article_id, title, published,
    block, start."""
    speakers = tuple(str(s) for s in speakers)
    if not speakers:
        return pd.DataFrame(columns=["speaker", "role", "kind", "text", "direct", "article_id",
                                     "title", "published", "block", "start"])
    cte, params = _topic_quote_cte(filters, topic)
    params.update({"speakers": list(speakers), "per": int(per_speaker)})
    sql = f"""
        WITH {cte}
        SELECT speaker, role, kind, text, direct, article_id, title, published, block, start
        FROM tq
        WHERE list_contains($speakers, speaker)
        QUALIFY row_number() OVER (PARTITION BY speaker
                                   ORDER BY published DESC NULLS LAST, article_id, block, start)
                <= $per
        ORDER BY speaker, published DESC NULLS LAST, article_id, block, start"""
    return _run(store, sql, params)


def _search_cond(params: dict, search: str, haystack: str) -> str | None:
    """Condition: the SQL text `haystack` contains `search` (case-insensitive, first
    SOCIAL_SEARCH_MAX characters), as typed, in Traditional or in Simplified (search_variants:
    either script finds both); sets $search. None when there is nothing to search for."""
    variants = search_variants((search or "")[:SOCIAL_SEARCH_MAX])
    if not variants:
        return None
    params["search"] = list(variants)
    return f"len(list_filter($search, lambda v: contains(lower({haystack}), v))) > 0"


def speaker_directory(store, filters, limit: int = 200, include_sources: bool = False,
                      search: str = "") -> pd.DataFrame:
    """Every speaker (most quotes first, unnamed sources last, at most `limit`): speaker, kind
    (most frequent), roles
    (distinct, up to 5), articles, quotes, direct, paraphrases, first_seen, last_seen, topics
    (the 3 entities most mentioned in the blocks of their quotes, themselves excluded)."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    conds = []
    if not include_sources:
        conds.append("q.kind <> 'source'")
    found = _search_cond(params, search, "q.speaker || ' ' || coalesce(q.role, '')")
    if found:
        conds.append(found)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    sql = f"""
        WITH {cte},
        q AS (SELECT q.speaker, q.role, q.kind, q.direct, q.article_id, q.block, fa.published
              FROM quotes q JOIN fa ON fa.id = q.article_id {where}),
        s AS (SELECT speaker, mode(kind) AS kind,
                     array_to_string(list_slice(list_sort(list_distinct(list(role))), 1, 5),
                                     ' / ') AS roles,
                     count(DISTINCT article_id) AS articles, count(*) AS quotes,
                     count(*) FILTER (WHERE direct) AS direct,
                     count(*) FILTER (WHERE NOT direct) AS paraphrases,
                     min(published) AS first_seen, max(published) AS last_seen
              FROM q GROUP BY speaker
              ORDER BY (mode(kind) = 'source'), quotes DESC, articles DESC, speaker
              LIMIT $limit),
        qb AS (SELECT DISTINCT q.speaker, q.article_id, q.block FROM q
               JOIN s ON s.speaker = q.speaker),
        t AS (SELECT qb.speaker, e.name, count(*) AS n FROM qb
              JOIN entities e ON e.article_id = qb.article_id AND e.block = qb.block
              WHERE e.name <> qb.speaker AND e.type IN ('person', 'place', 'org')
              GROUP BY qb.speaker, e.name
              QUALIFY row_number() OVER (PARTITION BY qb.speaker ORDER BY n DESC, e.name) <= 3),
        tt AS (SELECT speaker, string_agg(name, '、' ORDER BY n DESC, name) AS topics
               FROM t GROUP BY speaker)
        SELECT s.speaker, s.kind, s.roles, s.articles, s.quotes, s.direct, s.paraphrases,
               s.first_seen, s.last_seen, tt.topics
        FROM s LEFT JOIN tt ON tt.speaker = s.speaker
        ORDER BY (s.kind = 'source'), s.quotes DESC, s.articles DESC, s.speaker"""
    return _run(store, sql, params)


# ---- Social page ----

def _social_scope(filters, search: str = "", platforms: tuple = ()) -> tuple[str, dict]:
    """CTEs `fa` and `sr`: the social references of the filtered articles, narrowed to the
    platforms and a case-insensitive search over text, handle, author, hashtags and title."""
    cte, params = _scoped(filters)
    conds = []
    platforms = tuple(str(p) for p in platforms)
    if platforms:
        params["platforms"] = list(platforms)
        conds.append("list_contains($platforms, s.platform)")
    found = _search_cond(params, search, "concat_ws(' ', s.text, s.handle, s.author, "
                         "array_to_string(s.hashtags, ' '), s.url, fa.title)")
    if found:
        conds.append(found)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    sql = (f"{cte}, sr AS (SELECT s.*, fa.title AS article_title, "
           "fa.published AS article_published, "
           "try_cast(substring(s.posted, 1, 10) AS DATE) AS post_date "
           f"FROM social s JOIN fa ON fa.id = s.article_id {where})")
    return sql, params


def social_refs(store, filters, search: str = "", platforms: tuple = (),
                limit: int = 500) -> pd.DataFrame:
    """The social references (newest article first): platform, handle, author, posted, text,
    hashtags (VARCHAR[]), url, post_id, embedded, article_id, article_title,
    article_published, lag_days (article date minus post date, whole days)."""
    cte, params = _social_scope(filters, search, platforms)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT platform, handle, author, posted, text, hashtags, url, post_id, embedded,
               article_id, article_title, article_published,
               date_diff('day', post_date, CAST(article_published AS DATE)) AS lag_days
        FROM sr
        ORDER BY article_published DESC NULLS LAST, article_id, position NULLS LAST, url
        LIMIT $limit"""
    return _run(store, sql, params)


def social_summary(store, filters, search: str = "", platforms: tuple = ()) -> dict:
    """Headline figures of the posts shown: refs, articles (with a post), accounts
    (distinct platform + handle), dated (posts whose date could be read)."""
    cte, params = _social_scope(filters, search, platforms)
    row = _run(store, f"""
        WITH {cte}
        SELECT count(*) AS refs, count(DISTINCT article_id) AS articles,
               count(DISTINCT (platform, handle)) FILTER (WHERE handle IS NOT NULL
                                                          AND handle <> '') AS accounts,
               count(post_date) AS dated
        FROM sr""", params).iloc[0]
    return {k: int(row[k]) for k in ("refs", "articles", "accounts", "dated")}


def social_platforms(store, filters, search: str = "", platforms: tuple = ()) -> pd.DataFrame:
    """References per platform: platform, refs, articles, accounts."""
    cte, params = _social_scope(filters, search, platforms)
    sql = f"""
        WITH {cte}
        SELECT platform, count(*) AS refs, count(DISTINCT article_id) AS articles,
               count(DISTINCT handle) AS accounts
        FROM sr GROUP BY platform ORDER BY refs DESC, platform"""
    return _run(store, sql, params)


def social_accounts(store, filters, search: str = "", platforms: tuple = (),
                    limit: int = 15) -> pd.DataFrame:
    """The most referenced accounts: platform, handle, author, refs, articles."""
    cte, params = _social_scope(filters, search, platforms)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT platform, handle, mode(author) AS author, count(*) AS refs,
               count(DISTINCT article_id) AS articles
        FROM sr WHERE handle IS NOT NULL AND handle <> ''
        GROUP BY platform, handle
        ORDER BY refs DESC, articles DESC, handle, platform
        LIMIT $limit"""
    return _run(store, sql, params)


def social_hashtags(store, filters, search: str = "", platforms: tuple = (),
                    limit: int = 20) -> pd.DataFrame:
    """The most used hashtags of the posts: hashtag (without #), refs, articles."""
    cte, params = _social_scope(filters, search, platforms)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte},
        h AS (SELECT ltrim(unnest(hashtags), '#') AS hashtag, article_id FROM sr)
        SELECT hashtag, count(*) AS refs, count(DISTINCT article_id) AS articles
        FROM h WHERE hashtag <> ''
        GROUP BY hashtag ORDER BY refs DESC, hashtag
        LIMIT $limit"""
    return _run(store, sql, params)


def social_timeline(store, filters, search: str = "", platforms: tuple = (),
                    limit: int = 2000) -> pd.DataFrame:
    """Dated posts with their article's date: platform, handle, post_date, article_date,
    lag_days (article date minus post date), article_title; newest posts first."""
    cte, params = _social_scope(filters, search, platforms)
    params["limit"] = int(limit)
    sql = f"""
        WITH {cte}
        SELECT platform, handle, post_date, CAST(article_published AS DATE) AS article_date,
               date_diff('day', post_date, CAST(article_published AS DATE)) AS lag_days,
               article_title, article_id
        FROM sr
        WHERE post_date IS NOT NULL AND article_published IS NOT NULL
        ORDER BY post_date DESC, article_id, handle
        LIMIT $limit"""
    return _run(store, sql, params)


def related_links(store, filters, limit: int = 500) -> pd.DataFrame:
    """The outlet's related-article links of the filtered articles: from_id, from_title,
    from_published, url, link_text, to_id/to_title/to_published (NULL when the linked article
    is not in the store); stored targets first, newest linking article first."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    norm_l = _NORM_URL_SQL.format(col="l.url")
    norm_a = _NORM_URL_SQL.format(col="t.url")
    sql = f"""
        WITH {cte},
        l AS (SELECT l.article_id, l.url, l.text, {norm_l} AS key
              FROM links l JOIN fa ON fa.id = l.article_id
              WHERE l.related AND l.url IS NOT NULL),
        t AS (SELECT t.id, t.title, t.published, {norm_a} AS key FROM articles t
              WHERE t.url IS NOT NULL
              QUALIFY row_number() OVER (PARTITION BY key ORDER BY t.published DESC NULLS LAST,
                                                                  t.id) = 1)
        SELECT fa.id AS from_id, fa.title AS from_title, fa.published AS from_published,
               l.url, l.text AS link_text, t.id AS to_id, t.title AS to_title,
               t.published AS to_published
        FROM l JOIN fa ON fa.id = l.article_id LEFT JOIN t ON t.key = l.key
        ORDER BY (t.id IS NULL), fa.published DESC NULLS LAST, fa.id, l.url
        LIMIT $limit"""
    return _run(store, sql, params)


def related_missing(store, filters, limit: int = 500) -> pd.DataFrame:
    """Linked related articles that are not in the store: url, link_text, linked_from (how many
    filtered articles link to it), last_linked (newest linking article's date)."""
    cte, params = _scoped(filters)
    params["limit"] = int(limit)
    norm_l = _NORM_URL_SQL.format(col="l.url")
    norm_a = _NORM_URL_SQL.format(col="url")
    sql = f"""
        WITH {cte},
        l AS (SELECT l.article_id, l.url, l.text, {norm_l} AS key, fa.published
              FROM links l JOIN fa ON fa.id = l.article_id
              WHERE l.related AND l.url IS NOT NULL),
        stored AS (SELECT DISTINCT {norm_a} AS key FROM articles WHERE url IS NOT NULL)
        SELECT min(l.url) AS url, mode(l.text) AS link_text,
               count(DISTINCT l.article_id) AS linked_from, max(l.published) AS last_linked
        FROM l WHERE l.key NOT IN (SELECT key FROM stored)
        GROUP BY l.key
        ORDER BY linked_from DESC, last_linked DESC NULLS LAST, url
        LIMIT $limit"""
    return _run(store, sql, params)


def related_summary(store, filters) -> pd.DataFrame:
    """One row: links (related links of the filtered articles), linking_articles, in_store
    (links whose target is stored), missing (distinct targets not stored)."""
    cte, params = _scoped(filters)
    norm_l = _NORM_URL_SQL.format(col="l.url")
    norm_a = _NORM_URL_SQL.format(col="url")
    sql = f"""
        WITH {cte},
        l AS (SELECT l.article_id, {norm_l} AS key FROM links l
              JOIN fa ON fa.id = l.article_id WHERE l.related AND l.url IS NOT NULL),
        stored AS (SELECT DISTINCT {norm_a} AS key FROM articles WHERE url IS NOT NULL)
        SELECT count(*) AS links, count(DISTINCT article_id) AS linking_articles,
               count(*) FILTER (WHERE key IN (SELECT key FROM stored)) AS in_store,
               count(DISTINCT key) FILTER (WHERE key NOT IN (SELECT key FROM stored)) AS missing
        FROM l"""
    return _run(store, sql, params)
