"""The article loader: one file's bytes and name in, one ``model.Article`` out.

In: ``parse_article(data, name)`` with the raw bytes of an article file (the archive wrapper of
``FORMAT.md``: an epoch-ms comment, a markdown ``[title](url)`` link, a dashed underline and the
body as HTML; or a whole saved web page). Out: an ``Article`` with metadata, the body as ordered
blocks (paragraphs and sub-headings), related links, figures, links, raw embeds for the social
stage, the byline split into roles, the script, and warnings. A file that cannot be an article
raises ``ArticleError`` with a message meant for the person who uploaded it.

Decoding: BOMs first, then strict UTF-8, then charset-normalizer (a maintained detector that
tells GB18030 from Big5 by language coherence, which a byte heuristic cannot).
Saved web pages go through trafilatura (main-text extraction); their embeds are still read from
the raw HTML, because extractors drop them as boilerplate.
Bodies are walked on a bare lxml tree (``_lxmlbody``, several times cheaper than building a
BeautifulSoup tree) by the same rules as ``_BodyReader`` below; BeautifulSoup reads saved pages
and the rare body that reader hands back.
"""
from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import re
import urllib.parse
import warnings

import charset_normalizer
from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning

from .model import (PARAGRAPH, STAFF_ROLES, SUBHEADING, Article, ArticleError, Block, Embed,
                    Image, Link)
from .textutil import detect_script, to_traditional

warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# Files larger than this are not articles (the upload limits are stricter still).
MAX_ARTICLE_BYTES = 20 * 1024 * 1024

# ---------------------------------------------------------------------------------------------
# Decoding

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Magic numbers of binary formats people rename by mistake; named so the message can say which.
BINARY_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (upload it as .zip)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"RIFF", "a RIFF media file"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
    (b"\x7fELF", "a program"),
)
LEGACY_CHINESE = ("gb18030", "big5")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise ArticleError for empty or binary data."""
    if not data or data.isspace():  # isspace: the same ASCII set as strip(), without a copy
        raise ArticleError("the file is empty")
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"the file is {len(data) / 1e6:.1f} MB; articles over "
            f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB are not accepted")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            rest = data[len(bom):]
            if encoding.startswith(("utf-16", "utf-32")) and b"\x00" not in rest[:4096]:
                # A UTF-16/32 mark in front of UTF-8 bytes (a tool that prepended the wrong
                # mark): real UTF-16 or 32 markup is full of NUL bytes, and text that is not
                # UTF-8 practically never decodes as UTF-8.
                try:
                    return rest.decode("utf-8"), "utf-8"
                except UnicodeDecodeError:
                    pass
            try:
                return data.decode(encoding), encoding.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise ArticleError(f"the file starts with a {encoding} mark but is not valid "
                                   f"{encoding} text ({exc.reason})") from None
    for magic, what in BINARY_MAGIC:
        if data.startswith(magic):
            raise ArticleError(f"this is {what}, not an article text file")
    head = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII markup is NUL.
    if head.count(b"\x00") > len(head) // 4:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            raise ArticleError("this looks like a binary file, not an article text file") from None
    if b"\x00" in head:
        raise ArticleError("this looks like a binary file, not an article text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[:200_000]).best()
    candidates = ([best.encoding] if best is not None else []) + list(LEGACY_CHINESE)
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _control_ratio(text) < 0.01:
            return text, _codec_name(encoding)
    raise ArticleError("the text encoding could not be recognised (tried UTF-8, UTF-16, "
                       "GB18030 and Big5); save the file as UTF-8 and upload it again")


def _codec_name(encoding: str) -> str:
    return encoding.replace("_", "-").lower()


def _control_ratio(text: str) -> float:
    sample = text[:20_000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t\f") or ch == "\ufffd")
    return bad / max(1, len(sample))


# ---------------------------------------------------------------------------------------------
# The wrapper

COMMENT_OPEN, COMMENT_CLOSE = "<!--", "-->"
TITLE_LINK_RE = re.compile(r"^\s*\[(?P<title>.*)\]\((?P<url>[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)\)\s*$")
UNDERLINE_RE = re.compile(r"^\s*(-{3,}|={3,})\s*$")
PAGE_RE = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I)


def split_wrapper(text: str) -> tuple[dict, str, list[str]]:
    """Split the wrapper lines off the body. Returns (fields, body, warnings).

    Every piece is optional: the first non-empty lines are looked at in order and whatever
    matches is taken; the first line that is none of them starts the body.
    """
    fields: dict = {"published": None, "title": None, "url": None}
    notes: list[str] = []
    # Line by line from the top (the body is not split into lines: it can hold many).
    start = 0  # where line number i begins
    end_of_text = len(text)
    i = 0
    seen_any = False
    while start <= end_of_text and i < 12:
        end = text.find("\n", start)
        if end < 0:
            end = end_of_text
        line = text[start:end]
        if not line.strip():
            i += 1
            start = end + 1
            continue
        stamp = _comment_text(line)
        if stamp is not None and fields["published"] is None and not fields["title"]:
            fields["published"] = _parse_epoch(stamp, notes)
            seen_any = True
            i += 1
            start = end + 1
            continue
        m = TITLE_LINK_RE.match(line)
        if m and not fields["title"]:
            fields["title"] = m.group("title").strip() or None
            url = m.group("url").strip()
            fields["url"] = url if _is_http(url) else None
            if url and not fields["url"]:
                notes.append(f"the article link {url[:80]!r} is not an http(s) address; ignored")
            seen_any = True
            i += 1
            start = end + 1
            continue
        if UNDERLINE_RE.match(line) and seen_any:
            i += 1
            start = end + 1
            continue
        break
    return fields, text[start:], notes


def _comment_text(line: str) -> str | None:
    """The inside of a line that is one HTML comment, else None. String tests, not a regex:
    a lazy group between runs of spaces backtracks cubically on an unclosed comment."""
    line = line.strip()
    if len(line) >= 7 and line.startswith(COMMENT_OPEN) and line.endswith(COMMENT_CLOSE):
        return line[len(COMMENT_OPEN):-len(COMMENT_CLOSE)].strip()
    return None


EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
EPOCH_VALUE_RE = re.compile(r"\d{9,14}")


def _parse_epoch(value: str, notes: list[str]) -> str | None:
    if not EPOCH_VALUE_RE.fullmatch(value):
        notes.append(f"the publication time {value[:40]!r} is not an epoch timestamp; "
                     "the date is left empty")
        return None
    number = int(value)
    # Milliseconds by the format; a 10-digit value can only be seconds. The time is printed to
    # the second, which a millisecond fraction never changes, so whole seconds are added to the
    # epoch (several times cheaper than datetime.fromtimestamp).
    seconds = number // 1000 if number >= 10**11 else number
    try:
        moment = EPOCH + _dt.timedelta(seconds=seconds)
    except (OverflowError, OSError, ValueError):
        notes.append(f"the publication time {value!r} is out of range; the date is left empty")
        return None
    # 9 to 14 digits are years 1973 to 5138 to the whole second: the ISO form's first 19
    # characters are strftime's "%Y-%m-%dT%H:%M:%S" (and half the cost).
    return moment.isoformat()[:19] + "Z"


# The same address is taken apart several times per article (wrapper, links, outlet, section,
# identity); the parts are an immutable tuple, so the last splits are kept, of short strings
# only (a hostile file's megabyte-long "addresses" must not stay in memory).
URL_CACHE_SIZE = 1024
URL_CACHE_MAX_CHARS = 2048
_urlsplit_cached = functools.lru_cache(maxsize=URL_CACHE_SIZE)(urllib.parse.urlsplit)


def _urlsplit(url: str) -> urllib.parse.SplitResult:
    if len(url) > URL_CACHE_MAX_CHARS:
        return urllib.parse.urlsplit(url)
    return _urlsplit_cached(url)


def _is_http(url: str | None) -> bool:
    if not url:
        return False
    try:
        parts = _urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL or None: the only kind of link the product ever shows."""
    if not url:
        return None
    url = url.strip()
    try:
        if base and not _urlsplit(url).scheme:
            if url.startswith("//"):
                url = "https:" + url
            elif _is_http(base):
                url = urllib.parse.urljoin(base, url)
    except ValueError:  # e.g. "http://[x": a broken IPv6 host
        return None
    return url if _is_http(url) else None


# ---------------------------------------------------------------------------------------------
# Outlet and section from the address

# Host suffix -> outlet label. Longest suffix wins; anything else is shown as its host.
OUTLETS = {
    "rfa.org": "RFA",
    "voachinese.com": "VOA",
    "voanews.com": "VOA",
    "voacantonese.com": "VOA",
    "bbc.com": "BBC",
    "bbc.co.uk": "BBC",
    "cna.com.tw": "CNA",
    "focustaiwan.tw": "CNA",
    "rfi.fr": "RFI",
    "dw.com": "DW",
    "nytimes.com": "NYT",
    "cn.nytimes.com": "NYT",
    "wsj.com": "WSJ",
    "ftchinese.com": "FT",
    "zaobao.com": "Zaobao",
    "zaobao.com.sg": "Zaobao",
    "theinitium.com": "Initium",
    "scmp.com": "SCMP",
    "hk01.com": "HK01",
    "mingpao.com": "Ming Pao",
    "ltn.com.tw": "Liberty Times",
    "udn.com": "UDN",
    "chinatimes.com": "China Times",
    "xinhuanet.com": "Xinhua",
    "news.cn": "Xinhua",
    "people.com.cn": "People's Daily",
    "globaltimes.cn": "Global Times",
    "huanqiu.com": "Global Times",
    "chinadaily.com.cn": "China Daily",
    "cctv.com": "CCTV",
    "reuters.com": "Reuters",
    "apnews.com": "AP",
    "yna.co.kr": "Yonhap",
    "nhk.or.jp": "NHK",
    "epochtimes.com": "Epoch Times",
    "ntdtv.com": "NTD",
    "storm.mg": "Storm Media",
    "twreporter.org": "The Reporter",
}
# Leading path segments that name a language edition, not a section.
LANGUAGE_SEGMENTS = {"mandarin", "cantonese", "zhongwen", "chinese", "simp", "trad", "zh", "zh-cn",
                     "zh-tw", "zh-hans", "zh-hant", "cn", "tw", "a", "news", "article", "articles"}
DATE_SEGMENT_RE = re.compile(r"^(19|20)\d\d$")
TRAILING_ID_RE = re.compile(r"[-_]?\d{4,}$")
SLUG_RE = re.compile(r"[-_]\d{6,}$|^[^-]*(-[^-]*){3,}$|[^\x00-\x7f]")


def outlet_for(url: str | None) -> str | None:
    if not url:
        return None
    host = (_urlsplit(url).hostname or "").lower()
    if not host:
        return None
    if len(host) > URL_CACHE_MAX_CHARS:
        return _outlet_for_host.__wrapped__(host)  # not remembered (see _urlsplit)
    return _outlet_for_host(host)


@functools.lru_cache(maxsize=URL_CACHE_SIZE)
def _outlet_for_host(host: str) -> str:
    """The outlet label of a host; remembered, as hosts recur from article to article."""
    best = None
    for suffix, label in OUTLETS.items():
        if (host == suffix or host.endswith("." + suffix)) and (best is None or len(suffix) > len(best[0])):
            best = (suffix, label)
    if best:
        return best[1]
    return host[4:] if host.startswith("www.") else host


def section_for(url: str | None) -> str | None:
    """The section path: ``yataibaodao/junshiwaijiao`` for both RFA address styles.

    Old style ``/mandarin/<section>/<sub>/<code>-<stamp>.html``: the folders before the file.
    New style ``/mandarin/<section>/<yyyy>/<mm>/<dd>/<slug>/``: the folders before the year.
    Other outlets: the folders before the article's own segment, less language prefixes; a last
    segment like ``business-66668559`` (BBC) gives ``business``.
    """
    if not url:
        return None
    path = _urlsplit(url).path
    segments = [urllib.parse.unquote(s) for s in path.split("/") if s]
    if not segments:
        return None
    for i, seg in enumerate(segments):
        if DATE_SEGMENT_RE.match(seg):
            segments = segments[:i]
            break
    else:
        last = segments[-1]
        segments = segments[:-1]
        if not segments:
            stem = TRAILING_ID_RE.sub("", last.rsplit(".", 1)[0])
            return stem or None
        if not any(s.lower() not in LANGUAGE_SEGMENTS for s in segments):
            stem = TRAILING_ID_RE.sub("", last.rsplit(".", 1)[0])
            if stem and stem != last.rsplit(".", 1)[0] and "-" not in stem:
                return stem
    while segments and segments[0].lower() in LANGUAGE_SEGMENTS:
        segments = segments[1:]
    # Article slugs (VOA's /a/<slug>/<id>.html) are not sections.
    segments = [s for s in segments if not SLUG_RE.search(s)]
    return "/".join(segments) or None


# ---------------------------------------------------------------------------------------------
# The byline

# Role words as printed in bylines, Simplified and Traditional, mapped to the contract's roles.
BYLINE_ROLES = {
    "记者": "reporter", "記者": "reporter", "特约记者": "reporter", "特約記者": "reporter",
    "撰稿": "reporter", "撰文": "reporter", "采写": "reporter", "採寫": "reporter",
    "译者": "reporter", "譯者": "reporter", "编译": "reporter", "編譯": "reporter",
    "翻译": "reporter", "翻譯": "reporter", "作者": "reporter",
    "责编": "editor", "責編": "editor", "责任编辑": "editor", "責任編輯": "editor",
    "编辑": "editor", "編輯": "editor", "核稿": "editor", "审校": "editor", "審校": "editor",
    "审稿": "editor", "審稿": "editor", "主编": "editor", "主編": "editor",
    "网编": "web_editor", "網編": "web_editor", "网络编辑": "web_editor", "網絡編輯": "web_editor",
    "网络版编辑": "web_editor", "網路編輯": "web_editor",
}
_ROLE_ALT = "|".join(sorted(map(re.escape, BYLINE_ROLES), key=len, reverse=True))
ROLE_RE = re.compile(rf"({_ROLE_ALT})\s*[：:]?\s*")
# A whole paragraph that is a byline: optionally the outlet's name, then a role word, and no
# sentence punctuation (so "普京向记者表示，…" is never one).
SENTENCE_PUNCTUATION = "，。；！？"
BYLINE_PARAGRAPH_RE = re.compile(rf"^[（(]?\s*[^\s{SENTENCE_PUNCTUATION}]{{0,10}}?(?:{_ROLE_ALT})"
                                 rf"[^{SENTENCE_PUNCTUATION}]*$")
# A byline at the end of a paragraph in parentheses, as CNA prints it: （譯者：王嘉語/核稿：嚴思祺）1120823
TRAILING_BYLINE_RE = re.compile(rf"[（(]\s*((?:{_ROLE_ALT})\s*[：:][^（）()]*)[)）]\s*\d*\s*$")
TRAILING_BYLINE_ENDS = ("）", ")")
# A dateline byline opens a paragraph with one of these.
DATELINE_OPENERS = ("（", "(")
# Sentence ends after which a paragraph holds no trailing byline. A printable text that ends so,
# opens with no DATELINE_OPENERS, holds no "http" and cannot be a byline paragraph (longer than
# BYLINE_MAX_CHARS, ending in SENTENCE_PUNCTUATION, which BYLINE_PARAGRAPH_RE's tail excludes, or
# without a ROLE_START_RE character) goes into the body as it is: ``_add_block`` would do nothing
# else with it, and the lxml reader adds plain <p> so directly.
PLAIN_PARAGRAPH_ENDS = frozenset("。．.」』”’\"'！!？?…》〉")
NO_BYLINE_ENDS = frozenset(SENTENCE_PUNCTUATION)
assert not any(c in TRAILING_BYLINE_ENDS or c.isspace() or c.isdecimal()
               for c in PLAIN_PARAGRAPH_ENDS)
# A reporter named in the dateline that opens a paragraph, as CNA and Taiwanese papers print it:
# （中央社記者吳家豪台北21日電）, （中央社記者王嘉語、陳家倫華盛頓20日專電）, （記者王小明／台北報導）.
DATELINE_BYLINE_RE = re.compile(
    r"^[（(][^（）()]{0,8}?(?:记者|記者)(?P<names>[\u4e00-\u9fff、]{2,40}?)\s*"
    r"(?:[／/]\s*(?P<place1>[\u4e00-\u9fff]{0,8})\s*(?:报道|報導|报导|綜合報導|综合报道)|"
    r"(?P<place2>[\u4e00-\u9fff]{0,6}?)\d{1,2}日(?:专|專)?(?:电|電))[）)]")
# The first characters of the role words: a text without any holds no byline (a cheap test
# before the byline pattern, which tries every role word at each of its first positions).
ROLE_START_RE = re.compile("[" + "".join(sorted({re.escape(w[0]) for w in BYLINE_ROLES})) + "]")
NAME_SPLIT_RE = re.compile(r"[\s、/／，,;；|｜]+")
DATELINE_RE = re.compile(r"的?(报道|報導|报导|報道|发自|發自)$")
BYLINE_MAX_CHARS = 80
NAME_RE = re.compile(r"^[\u4e00-\u9fff·•]{2,6}$|^[A-Za-z][A-Za-z .'-]{1,40}$")


def parse_byline(text: str) -> dict[str, list[str]] | None:
    """Split a byline into roles, or None when the text is not a byline."""
    text = text.strip().strip("（）()").strip()
    if not text or len(text) > BYLINE_MAX_CHARS or not BYLINE_PARAGRAPH_RE.match(text):
        return None
    parts = list(ROLE_RE.finditer(text))
    if not parts:
        return None
    result: dict[str, list[str]] = {r: [] for r in STAFF_ROLES}
    found = False
    for i, m in enumerate(parts):
        end = parts[i + 1].start() if i + 1 < len(parts) else len(text)
        chunk = text[m.end():end].strip()
        role = BYLINE_ROLES[m.group(1)]
        for token in NAME_SPLIT_RE.split(chunk):
            token = token.strip("：:。.")
            if not token:
                continue
            had_dateline = bool(DATELINE_RE.search(token))
            token = DATELINE_RE.sub("", token)
            # "陈品洁华盛顿报道": name then dateline city; Chinese names are nearly always 2-3
            # characters, so a longer run before 报道 keeps its first three.
            if had_dateline and len(token) > 3 and re.fullmatch(r"[\u4e00-\u9fff]+", token):
                token = token[:3]
            elif had_dateline and (len(token) < 2 or result[role]):
                continue  # "夏小华  台北报导": the dateline city after the name
            if NAME_RE.match(token) and token not in result[role]:
                result[role].append(token)
                found = True
            elif not had_dateline and i == 0 and not found and not NAME_RE.match(token):
                return None
    return result if found else None


def dateline_reporters(text: str) -> list[str]:
    """Reporter names from a dateline that opens a paragraph, or []."""
    m = DATELINE_BYLINE_RE.match(text)
    if not m:
        return []
    runs = m.group("names").split("、")
    if m.group("place2"):
        # The last name runs straight into the dateline city when no slash splits them off:
        # 吳家豪台北. Cut where the rest is a known place, else after 3 characters (Chinese
        # names are nearly always 2-3 characters).
        runs[-1] = _split_name_place(runs[-1] + m.group("place2"))
    return [run for run in runs if 2 <= len(run) <= 4]


def _split_name_place(run: str) -> str:
    places = _known_places()
    for cut in (3, 2, 4):
        if run[cut:] in places:
            return run[:cut]
    return run[:3]


@functools.lru_cache(maxsize=1)
def _known_places() -> frozenset[str]:
    """Place names from the project's gazetteers (first column), in both scripts."""
    from .entities import PLACE_FILES, _lines  # the entity stage's gazetteers, read its way

    words = {line.split()[0] for name in PLACE_FILES for line in _lines(name)}
    return frozenset(words | {to_traditional(w) for w in words})


def _merge_byline(into: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for role, names in more.items():
        for name in names:
            if name not in into[role]:
                into[role].append(name)


# ---------------------------------------------------------------------------------------------
# The body

CREDIT_RE = re.compile(r"[（(]\s*(?:via|photo|图片|圖片|图|圖|摄影|攝影|来源|來源)\s*[:：/]?\s*([^（）()]{1,40})[)）]\s*$", re.I)
# A bare agency in parentheses closing a caption: （路透社）, (AP), （Getty Images）.
AGENCY_CREDIT_RE = re.compile(r"[（(]\s*([^（）()\s，。]{1,20}?(?:社|图片|圖片|摄|攝|网|網)|"
                              r"[A-Z][A-Za-z.&/ -]{1,30})\s*[)）]\s*$")
TEXT_URL_RE = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
WS_RE = re.compile(r"[ \t\r\n\f\v\xa0]+")
BLANK = " \t\r\n\f\v\xa0\u3000\u200b\ufeff"
# Text made only of these shows nothing: control and format characters, spaces, separators.
INVISIBLE_RE = re.compile("[\x00-\x20\x7f-\xa0\xad\u200b-\u200f\u2028-\u202f\u205f-\u206f"
                          "\u3000\ufeff\ufff9-\ufffb]+")
EMBED_TAGS = {"iframe", "script", "embed", "object", "video", "audio", "noscript", "template"}
EMBED_ATTRIBUTE = "data-telegram-post"  # marks an embed on any tag
EMBED_CLASS_RE = re.compile(r"twitter-tweet|twitter-video|instagram-media|tiktok-embed|fb-post|"
                            r"fb-video|fb-page|telegram|weibo|embed", re.I)
DROP_TAGS = {"style", "head", "title", "meta", "link", "button", "form", "input", "select", "nav",
             "svg", "canvas", "map"}
# Strings under these are not visible text.
HIDDEN_PARENT_TAGS = DROP_TAGS | EMBED_TAGS
HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BOLD_TAGS = {"strong", "b"}
# Elements that read as a sub-heading when all their text is bold.
BOLD_OR_BLOCK_TAGS = {"p", "div"} | BOLD_TAGS
SUBHEADING_MAX_CHARS = 80  # a longer all-bold text is a paragraph
LIST_TAGS = {"ul", "ol"}
CONTAINER_TAGS = {"div", "section", "article", "main", "span", "center", "font", "body", "html",
                  "header", "footer", "aside", "details", "summary", "dl", "table", "tbody",
                  "thead", "tr", "td", "th"}
# Limit on recursion: deeper markup is read as flat text. Each level scans its subtree once,
# so the cost is MAX_DEPTH times the markup; real article bodies nest a few levels at most.
MAX_DEPTH = 12


def clean_text(text: str) -> str:
    """Collapse ASCII whitespace runs (the way pages print them) and trim all blank edges."""
    if "  " not in text and text.isprintable():
        # Most text: printable means no tab, newline, form feed or no-break space, so the only
        # WS_RE character is the plain space, and with no two in a row there is nothing to
        # collapse (the pattern's pass would hand back the same string).
        return text.strip(BLANK)
    return WS_RE.sub(" ", text).strip(BLANK)


class _BodyReader:
    """Walks body HTML once, in document order, and fills an Article's body fields."""

    def __init__(self, article: Article, base_url: str | None):
        self.a = article
        self.base = base_url
        self._link_cache: tuple | None = None  # (element, its (url, text) links)

    # -- helpers --------------------------------------------------------------------------
    def _text(self, el: Tag) -> list[str]:
        """The element's visible text, split at <br> runs into separate paragraphs."""
        pieces: list[str] = []
        current: list[str] = []
        for node in el.descendants:
            if isinstance(node, NavigableString):
                parent = node.parent
                if parent is not None and parent.name in HIDDEN_PARENT_TAGS:
                    continue
                if type(node).__name__ in ("Comment", "Doctype", "Declaration",
                                           "ProcessingInstruction", "CData"):
                    continue
                current.append(str(node))
            elif node.name == "br":
                pieces.append("".join(current))
                current = []
        pieces.append("".join(current))
        return [t for t in (clean_text(p) for p in pieces) if t]

    def _is_bold(self, el: Tag) -> bool:
        """True when every visible character sits inside <strong>/<b>."""
        if el.name in BOLD_TAGS:
            return bool(clean_text(el.get_text()))
        seen_text = False
        for node in el.descendants:
            if type(node) is NavigableString and node.strip(BLANK):
                parent = node.parent
                while parent is not None and parent is not el and parent.name not in BOLD_TAGS:
                    parent = parent.parent
                if parent is None or parent is el:
                    return False  # a visible character outside any <strong>/<b>
                seen_text = True
        return seen_text

    def _links(self, el: Tag, block: int | None, related: bool = False) -> None:
        # Every paragraph of an element split at <br> gets the element's links: they are found
        # once per element, not once per paragraph (which was quadratic in a <br> run).
        cached = self._link_cache
        if cached is None or cached[0] is not el:
            cached = self._link_cache = (el, self._link_pairs(el))
        for url, text in cached[1]:
            self.a.links.append(Link(block, url, text, related))

    def _link_pairs(self, el: Tag) -> list[tuple[str, str]]:
        anchors = [el] if el.name == "a" else []
        anchors += [d for d in el.descendants if isinstance(d, Tag) and d.name == "a"]
        pairs = []
        for a in anchors:
            url = safe_url(a.get("href"), self.base)
            if url:
                pairs.append((url, clean_text(a.get_text(" "))))
        return pairs

    def _add_block(self, kind: str, text: str, el: Tag | None) -> None:
        # isprintable() is true for ordinary text and costs next to nothing; a block of
        # control characters alone (a broken export) would show as an empty paragraph.
        if not text.isprintable() and INVISIBLE_RE.fullmatch(text):
            return
        # A byline may close the last paragraph: "…。（譯者：王嘉語/核稿：嚴思祺）1120823"
        if kind == PARAGRAPH:
            if text.startswith(DATELINE_OPENERS):
                for name in dateline_reporters(text):
                    if name not in self.a.byline["reporter"]:
                        self.a.byline["reporter"].append(name)
            # The pattern ends with a bracket, spaces and digits: a text ending otherwise (the
            # usual 。) cannot match, and the search is skipped.
            last = text[-1:]
            m = TRAILING_BYLINE_RE.search(text) if (last in TRAILING_BYLINE_ENDS or last.isspace()
                                                     or last.isdecimal()) else None
            if m:
                staff = parse_byline(m.group(1))
                if staff:
                    _merge_byline(self.a.byline, staff)
                    text = text[:m.start()].rstrip(BLANK)
                    if not text:
                        return
            elif len(text) <= BYLINE_MAX_CHARS and ROLE_START_RE.search(text) and \
                    BYLINE_PARAGRAPH_RE.match(text):
                staff = parse_byline(text)
                if staff:
                    _merge_byline(self.a.byline, staff)
                    return
        self.a.blocks.append(Block(kind, text))
        block = len(self.a.blocks) - 1
        first_link = len(self.a.links)
        if el is not None:
            self._links(el, block)
        if "http" in text:
            # The block's links so far are the ones just added (a block's links follow it).
            known = {link.url for link in self.a.links[first_link:]}
            for m in TEXT_URL_RE.finditer(text):
                url = safe_url(m.group(0).rstrip(".,;:!?"))
                if url and url not in known:
                    self.a.links.append(Link(block, url, url))

    def _embed(self, el: Tag) -> None:
        self.a.embeds.append(Embed(len(self.a.blocks), str(el)))

    def _figure(self, el: Tag) -> None:
        img = el.find("img")
        src = safe_url(img.get("src"), self.base) if img else None
        cap_el = el.find("figcaption")
        caption = clean_text(cap_el.get_text(" ")) if cap_el else None
        if not caption and img is not None:
            caption = clean_text(img.get("alt") or "") or None
        self._add_image(src, caption)

    def _add_image(self, src: str | None, caption: str | None) -> None:
        """A figure's image at this point of the body, the credit taken from its caption."""
        credit = None
        if caption:
            m = CREDIT_RE.search(caption) or AGENCY_CREDIT_RE.search(caption)
            if m:
                credit = m.group(1).strip()
        if src or caption:
            self.a.images.append(Image(src, caption, credit, len(self.a.blocks)))

    def _related_list(self, el: Tag) -> bool:
        """A list whose items are each essentially one link is the outlet's related reports."""
        items = self._list_items(el)
        if not items or any(li.find(LIST_TAGS) is not None for li in items):
            return False
        pairs = []
        for li in items:
            links = li.find_all("a", href=True)
            if len(links) != 1:
                return False
            a = links[0]
            title = clean_text(a.get_text(" "))
            if not title or len(clean_text(li.get_text(" "))) > len(title) + 4:
                return False
            pairs.append((title, safe_url(a.get("href"), self.base)))
        self._add_related(pairs)
        return True

    def _add_related(self, pairs: list[tuple[str, str | None]]) -> None:
        """(title, url) of the outlet's related reports; those without a safe address go."""
        for title, url in pairs:
            if url:
                self.a.related.append({"title": title, "url": url})
                self.a.links.append(Link(None, url, title, True))

    @staticmethod
    def _scan(el: Tag) -> "_Scan":
        """One pass over an element's descendants (bs4's find() builds a matcher per call,
        which dominated the loader's time)."""
        return _Scan.of((d, d.name, _is_embed_element(d)) for d in el.descendants
                        if isinstance(d, Tag))

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, parent: Tag, depth: int = 0) -> None:
        for node in list(parent.children):
            if isinstance(node, NavigableString):
                if type(node).__name__ != "NavigableString":
                    continue  # comments, doctypes
                text = clean_text(str(node))
                if text:
                    self._add_block(PARAGRAPH, text, None)
                continue
            if not isinstance(node, Tag):
                continue
            self.element(node, depth)

    def element(self, el: Tag, depth: int) -> None:
        name = el.name
        if name in DROP_TAGS:
            return
        if _is_embed_element(el):
            self._embed(el)
            return
        scan = self._scan(el)
        if name == "figure" or (scan.figures and name in ("p", "div")
                                and not clean_text(_text_outside(el, "figure"))):
            for fig in ([el] if name == "figure" else scan.figures):
                self._figure(fig)
            return
        if scan.embeds:
            if name != "p" and not clean_text(_text_outside_all(el, scan.embeds)):
                self._embed(el)
                return
            # Text beside an embed: keep each embed, then read the rest as text.
            for child in scan.embeds:
                if child.parent is not None:
                    self._embed(child)
                    child.extract()
        self._read_rest(el, name, depth, scan.has_block_child)

    def _list_items(self, el: Tag) -> list:
        return el.find_all("li", recursive=False)

    def _has_block_child(self, el: Tag) -> bool:
        return any(isinstance(c, Tag) and c.name in BLOCK_CHILD_TAGS for c in el.children)

    def _read_rest(self, el, name: str, depth: int, has_block_child: bool) -> None:
        """``element`` once figures and embeds are dealt with; the same rules for both trees
        (this one and ``_lxmlbody``'s), which differ only in ``_list_items``,
        ``_has_block_child`` and ``_text``."""
        if name == "img":
            src = safe_url(el.get("src"), self.base)
            if src:
                self.a.images.append(Image(src, clean_text(el.get("alt") or "") or None, None,
                                           len(self.a.blocks)))
            return
        if name in LIST_TAGS:
            if self._related_list(el):
                return
            # Item by item; a nested list is walked like any container (bounded depth), so
            # deep nesting costs linear time rather than re-reading every inner item.
            for li in self._list_items(el) or [el]:
                if depth < MAX_DEPTH and self._has_block_child(li):
                    self.walk(li, depth + 1)
                else:
                    for text in self._text(li):
                        self._add_block(PARAGRAPH, text, li)
            return
        if name in HEADING_TAGS:
            for text in self._text(el):
                self._add_block(SUBHEADING, text, el)
            return
        if (name in CONTAINER_TAGS or name == "blockquote") and depth < MAX_DEPTH and \
                has_block_child:
            self.walk(el, depth + 1)
            return
        texts = self._text(el)
        if not texts:
            return
        # The cheap tests first: a walk for bold text only for a short single text.
        kind = SUBHEADING if (name in BOLD_OR_BLOCK_TAGS and len(texts) == 1
                              and len(texts[0]) <= SUBHEADING_MAX_CHARS
                              and self._is_bold(el)) else PARAGRAPH
        for text in texts:
            self._add_block(kind, text, el)


class _Scan:
    __slots__ = ("embeds", "figures", "has_block_child")

    def __init__(self):
        self.embeds: list = []  # elements of either tree (this one's or _lxmlbody's)
        self.figures: list = []
        self.has_block_child = False

    @classmethod
    def of(cls, elements) -> "_Scan":
        """From ``(element, tag name, is an embed)`` of each descendant element, in document
        order (each reader walks its own tree)."""
        scan = cls()
        for d, name, embed in elements:
            if embed:
                scan.embeds.append(d)
            elif name == "figure":
                scan.figures.append(d)
            if name in BLOCK_CHILD_TAGS:
                scan.has_block_child = True
        return scan


BLOCK_CHILD_TAGS = {"p", "div", "figure", "ul", "ol", "li", "blockquote", "h1", "h2", "h3", "h4", "h5",
                    "h6", "table", "section", "article"}


def _is_embed_element(el: Tag) -> bool:
    """An element whose markup is an embed: a player, a script, a post widget."""
    name = el.name
    if name in EMBED_TAGS or el.get(EMBED_ATTRIBUTE) is not None:
        return True
    if name in ("blockquote", "div"):
        classes = el.get("class")
        if classes and EMBED_CLASS_RE.search(" ".join(classes)):
            return True
    return False


def _text_outside_all(el: Tag, inner: list[Tag]) -> str:
    inner_ids = {id(t) for t in inner}
    return "".join(s for s in el.find_all(string=True)
                   if not any(id(p) in inner_ids for p in s.parents))


def _text_outside(el: Tag, tag: str) -> str:
    return "".join(s for s in el.find_all(string=True)
                   if not any(p.name == tag for p in s.parents))


def _soup(html: str) -> BeautifulSoup:
    try:
        return BeautifulSoup(html, "lxml")
    except Exception:  # lxml refuses some pathological input; the stdlib parser does not
        return BeautifulSoup(html, "html.parser")


def read_body(article: Article, html: str) -> None:
    # The same walk on a bare lxml tree is several times cheaper; it hands back the few inputs
    # it does not reproduce exactly (see _lxmlbody).
    from ._lxmlbody import read_fragment

    if read_fragment(article, html):
        return
    soup = _soup(html)
    root = soup.body or soup
    _BodyReader(article, article.url).walk(root)


# ---------------------------------------------------------------------------------------------
# Saved web pages

# A saved page's embeds: what the CSS selector list "blockquote.twitter-tweet,
# blockquote.twitter-video, blockquote.instagram-media, blockquote.tiktok-embed, div.fb-post,
# div.fb-video, iframe, [data-telegram-post]" selects, matched by hand (compiling the selector
# list cost more than reading a whole page). Tag name -> classes of which one must be present.
EMBED_CLASSES = {
    "blockquote": frozenset(("twitter-tweet", "twitter-video", "instagram-media", "tiktok-embed")),
    "div": frozenset(("fb-post", "fb-video")),
}
EMBED_ANY_TAGS = {"iframe"}
SELECTOR_CLASS_RE = re.compile(r"[^ \t\r\n\f]+")  # class tokens as CSS selectors split them
# Total markup of a saved page's embeds that is handed to the social stage.
MAX_EMBED_MARKUP = 2_000_000
# Page parts whose figures are not the article's.
PAGE_FURNITURE_TAGS = {"nav", "header", "footer", "aside"}
TIME_META = ("article:published_time", "og:article:published_time", "datePublished",
             "pubdate", "publishdate", "date", "dc.date", "parsely-pub-date")


def read_page(article: Article, html: str) -> None:
    """Fill an article from a whole saved web page."""
    import trafilatura  # imported here: it is slow to import and only pages need it

    soup = _soup(html)
    meta = {}
    for m in soup.find_all("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or "").strip()
        if key and m.get("content") and key not in meta:
            meta[key] = m.get("content").strip()
    canonical = None
    link = soup.find("link", rel=lambda v: v and "canonical" in (v if isinstance(v, list) else [v]))
    if link is not None:
        canonical = safe_url(link.get("href"))
    article.url = article.url or canonical or safe_url(meta.get("og:url"))
    title = meta.get("og:title") or (clean_text(soup.title.get_text()) if soup.title else None)
    article.title = article.title or (clean_text(title) if title else None)
    if article.published is None:
        article.published = _page_time(meta, soup, article.warnings)
    try:
        doc = trafilatura.bare_extraction(html, url=article.url, with_metadata=True,
                                          include_comments=False, include_tables=False,
                                          output_format="python")
    except Exception as exc:  # the extractor's own failure must not lose the file
        article.warnings.append(f"main-text extraction failed ({type(exc).__name__}); "
                                "read the page body as a whole")
        doc = None
    text = getattr(doc, "text", None) if doc is not None else None
    if doc is not None:
        article.title = article.title or getattr(doc, "title", None)
        if article.published is None and getattr(doc, "date", None):
            # trafilatura gives a day only; noon UTC marks "time of day unknown".
            article.published = f"{doc.date}T12:00:00Z"
            article.warnings.append("the page gives the day of publication only; noon UTC is used")
    if text:
        for line in text.split("\n"):
            line = clean_text(line)
            if line:
                article_block_add(article, line)
    else:
        read_body(article, str(soup.body or soup))
    # Outermost embeds only: in broken pages unclosed embeds nest, and each inner one would
    # repeat all the markup after it (quadratic work in the loader and the social stage).
    found = _page_embeds(soup)
    found_ids = {id(el) for el in found}
    budget = MAX_EMBED_MARKUP
    for el in found:
        if any(id(up) in found_ids for up in el.parents):
            continue
        markup = str(el)
        budget -= len(markup)
        if budget < 0:
            article.warnings.append("the page embeds more markup than is read; the rest of its "
                                    "embedded posts were skipped")
            break
        article.embeds.append(Embed(len(article.blocks), markup))
    reader = _BodyReader(article, article.url)
    for fig in soup.find_all("figure"):
        if not any(p.name in PAGE_FURNITURE_TAGS for p in fig.parents):
            reader._figure(fig)
    og_image = safe_url(meta.get("og:image"))
    if og_image and not article.images:
        article.images.append(Image(og_image, meta.get("og:image:alt"), None, 0))


def _page_embeds(soup: BeautifulSoup) -> list[Tag]:
    """The page's embed elements in document order, as ``soup.select`` of the selector list
    above finds them: the contents of a ``<template>`` are not part of the document, so the walk
    steps over them (the template element itself is still looked at)."""
    found: list[Tag] = []
    resume = None  # after a template: the first node past its contents
    for node in soup.descendants:
        if resume is not None:
            if node is not resume:
                continue
            resume = None
        if not isinstance(node, Tag):
            continue
        name = node.name
        if name in EMBED_ANY_TAGS or node.get(EMBED_ATTRIBUTE) is not None:
            found.append(node)
        else:
            wanted = EMBED_CLASSES.get(name)
            if wanted is not None:
                classes = node.get("class")
                if isinstance(classes, str):
                    classes = SELECTOR_CLASS_RE.findall(classes)
                if classes and not wanted.isdisjoint(classes):
                    found.append(node)
        if name == "template":
            if node.next_sibling is not None:
                resume = node.next_sibling
            else:
                last = node
                while isinstance(last, Tag) and last.contents:
                    last = last.contents[-1]
                resume = last.next_element
            if resume is None:
                break
    return found


def article_block_add(article: Article, text: str) -> None:
    """Add one line of extracted page text, sending bylines to the byline."""
    reader = _BodyReader(article, article.url)
    reader._add_block(PARAGRAPH, text, None)


def _page_time(meta: dict, soup: BeautifulSoup, notes: list[str]) -> str | None:
    raw = next((meta[k] for k in TIME_META if meta.get(k)), None)
    if raw is None:
        t = soup.find("time", datetime=True)
        raw = t.get("datetime") if t is not None else None
    if not raw:
        return None
    return iso_utc(raw, notes)


def iso_utc(raw: str, notes: list[str]) -> str | None:
    try:
        moment = _dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        notes.append(f"the page's publication time {raw[:40]!r} could not be read")
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------------------------
# Identity and the entry point

# Dates written into addresses: /2024/05/06/, /2024-05-06, /20240506-, -20201007/.
URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?:/|$)"),
    re.compile(r"(?<!\d)((?:19|20)\d\d)-(\d\d)-(\d\d)(?!\d)"),
    re.compile(r"(?<![\d])((?:19|20)\d\d)(\d\d)(\d\d)(?=[-_/.]|$)"),
)


def date_from_url(url: str | None) -> str | None:
    """The publication day written into an address (YYYY-MM-DD), or None."""
    if not url:
        return None
    path = _urlsplit(url).path
    for pattern in URL_DATE_RES:
        for m in pattern.finditer(path):
            try:
                return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            except ValueError:
                continue
    return None


def normalise_url(url: str) -> str:
    """The form of a URL used for identity: lower-case scheme and host, no fragment,
    no trailing slash, http and https alike."""
    parts = _urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path.rstrip("/") or "/"
    return urllib.parse.urlunsplit(("https", host, path, parts.query, ""))


def article_id(url: str | None, content_hash: str) -> str:
    basis = ("url:" + normalise_url(url)) if url else ("sha256:" + content_hash)
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def parse_article(data: bytes, name: str) -> Article:
    """Parse one article file. Raises ArticleError when the file cannot be an article."""
    if not isinstance(data, (bytes, bytearray)):
        raise ArticleError("expected the file's bytes")
    data = bytes(data)
    text, encoding = decode_bytes(data)
    if "\r" in text:  # (one scan instead of the two replacements' on most files)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.lstrip("\ufeff")
    content_hash = hashlib.sha256(data).hexdigest()
    fields, body, notes = split_wrapper(text)
    article = Article(source=name, id="", content_hash=content_hash, url=fields["url"],
                      title=fields["title"], published=fields["published"], outlet=None,
                      section=None, script=None, encoding=encoding, warnings=notes)
    # The cheap test first: most bodies open with a paragraph.
    is_page = "<p" not in body[:200].lower() and bool(PAGE_RE.search(body[:5000]))
    try:
        if is_page:
            article.kind = "page"
            read_page(article, body)
        else:
            read_body(article, body)
    except RecursionError:
        raise ArticleError("the HTML is nested too deeply to read") from None
    if not article.blocks:
        if article.title:
            article.warnings.append("the article has a title but no body text")
        else:
            raise ArticleError("no article text was found in the file (only markup or blank "
                               "lines)")
    if article.published is None and not any("publication time" in w for w in article.warnings):
        day = date_from_url(article.url)
        if day:
            # A day only: noon UTC marks "time of day unknown" (the devset's convention).
            article.published = f"{day}T12:00:00Z"
            article.warnings.append("the file gives no publication time; the day is taken from "
                                    "the article's address")
        else:
            article.warnings.append("the file gives no publication time")
    article.id = article_id(article.url, content_hash)
    article.outlet = outlet_for(article.url)
    article.section = section_for(article.url)
    # By the body text, as the devset gold judges it; the title only when there is no body.
    article.script = detect_script(" ".join(article.paragraphs[:40]) or (article.title or ""))
    return article
