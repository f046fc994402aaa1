"""Social-media references: embedded posts and bare links to posts, as plain text extraction.

In: an ``Article`` (its ``embeds``, raw markup of the non-text elements of the body, and its
``links``, the ``<a href>`` of the body text), or an HTML fragment. Nothing is executed or
rendered: the markup is parsed with BeautifulSoup/lxml and read.

Out: ``list[SocialRef]``, one per distinct post, in reading order (embeds first by position,
then bare links), and ``to_contract(refs)`` for the ``social`` key of the ``parse`` JSON.

Platforms: twitter (``blockquote.twitter-tweet`` on twitter.com or x.com, rendered tweet
iframes), youtube (iframes, links), facebook (``div.fb-post``/``fb-video``, ``plugins/post.php``
iframes, links), instagram (``blockquote.instagram-media``), telegram (``data-telegram-post``,
``t.me`` links), tiktok (``blockquote.tiktok-embed``), weibo (links) and ``other`` (known post
URLs of smaller platforms, and any unknown iframe, kept with its URL so its host shows).

Fields: ``handle`` without '@'; ``author`` the display name ("— 自由亚洲电台 (@RFA_Chinese)"
gives 自由亚洲电台); ``posted`` an ISO date from the printed date ("September 13, 2023",
"2023年9月13日"...), for tweets without one from the id (tweet ids carry their time, UTC);
``text`` the post's paragraphs, ``<br>`` kept as line breaks, anchors as shown;
``hashtags``/``mentions`` without '#'/'@', decoded, in the order written, repeats kept (from
the post's hashtag/mention anchors; for captions that link none, from the text); ``links``
the outbound http(s) links (t.co...); ``media`` pic.twitter.com and CDN links; ``language``
the text's ``lang``. A YouTube player's own title, when it is not the generic one, is its text.

Positions (``SocialRef.position``), always "the number of body blocks before it":
- an embed keeps its ``Embed.position`` (a tweet after the 4th body block has position 4);
- a bare link inside body block ``b`` gets ``b + 1``: it is placed right after the block that
  holds it, the same place an embed written after that block would have.
``extract_social_from_html`` knows no blocks and leaves ``position`` None.

Robustness: every public function returns a (possibly empty) list and never raises; inputs are
truncated to fixed bounds so huge or hostile markup costs bounded work.

Trees: a small fragment (an embed code is a few dozen tags) is read on a bare lxml tree, several
times cheaper to build than BeautifulSoup's; the readers below take either kind of element
through a few helpers (``_find_all``, ``_visible_text``...), which give on an lxml element exactly
what BeautifulSoup gives on the tag built from the same parser's events. Markup where the two
trees could differ (comments, declarations, processing instructions, document-level tags, a
leading byte-order mark, NUL characters, nesting that could reach libxml2's depth limit) goes to
BeautifulSoup.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import fields
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

from bs4 import BeautifulSoup
from bs4.builder import HTMLTreeBuilder
from bs4.element import NavigableString, PreformattedString, Script, Stylesheet, Tag, TemplateString
from lxml import etree

from ._lxmlbody import STRING_CONTAINER_TAGS, parse_html
from .model import Article, SocialRef

# ---------------------------------------------------------------------------------------------
# Bounds: keep the work per article finite whatever arrives.
MAX_EMBEDS = 500  # embeds read per article
MAX_LINKS = 5_000  # body links read per article
MAX_EMBED_CHARS = 300_000  # markup read per embed
MAX_HTML_CHARS = 2_000_000  # markup read by extract_social_from_html
MAX_ARTICLE_EMBED_CHARS = 3_000_000  # markup read over all embeds of one article
MAX_NODES = 100_000  # tags visited per parsed fragment
ANCHOR_TEXT_CHARS = 400  # an anchor's label is read up to about this length
MAX_REFS = 500  # references returned per article
MAX_TEXT_CHARS = 10_000  # characters of post text kept
MAX_URL_CHARS = 4_000  # longer "URLs" are junk
MAX_ITEMS = 200  # hashtags / mentions / links kept per post

PLATFORMS = ("twitter", "youtube", "facebook", "instagram", "telegram", "tiktok", "weibo", "other")
CONTRACT_KEYS = ("platform", "url", "post_id", "handle", "author", "posted", "text", "hashtags",
                 "mentions", "links")

# ---------------------------------------------------------------------------------------------
# Embed markup, by the classes/attributes the platforms' own embed codes use.
TWEET_CLASSES = {"twitter-tweet", "twitter-video"}
INSTAGRAM_CLASSES = {"instagram-media"}
TIKTOK_CLASSES = {"tiktok-embed"}
FACEBOOK_CLASSES = {"fb-post", "fb-video"}
TELEGRAM_ATTR = "data-telegram-post"  # "channel/123" on the widget <script>
# Post embeds of other platforms: the attribute that carries the post URL.
OTHER_BLOCKQUOTE_ATTRS = {"text-post-media": "data-text-post-permalink",  # Threads
                          "bluesky-embed": "data-bluesky-uri"}
# Where lazy-loading pages keep an iframe's real address.
IFRAME_SRC_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data")  # data: <object>
# Attributes that carry a YouTube video id on "lite" players.
YOUTUBE_ID_ATTRS = ("videoid", "data-youtube-id", "data-youtube")
YOUTUBE_ID_TAGS = {"lite-youtube"}

# Iframes that are page furniture, not content: ads, analytics, consent, buttons.
SKIP_IFRAME_DOMAINS = (
    "doubleclick.net", "googlesyndication.com", "googletagmanager.com", "google-analytics.com",
    "googleadservices.com", "recaptcha.net", "adnxs.com", "amazon-adsystem.com", "criteo.com",
    "criteo.net", "taboola.com", "outbrain.com", "scorecardresearch.com", "chartbeat.com",
    "quantserve.com", "moatads.com", "adsafeprotected.com", "pubmatic.com", "rubiconproject.com",
    "casalemedia.com", "openx.net", "yieldmo.com", "serving-sys.com", "cookielaw.org",
    "onetrust.com", "consensu.org", "hotjar.com", "addthis.com", "sharethis.com",
)
SKIP_IFRAME_PATHS = ("/recaptcha", "/tr", "/ads")  # e.g. google.com/recaptcha, facebook.com/tr
# Facebook social plugins that are buttons or page widgets, not posts.
FACEBOOK_SKIP_PLUGINS = ("like", "share_button", "comments", "follow", "page", "like_box",
                         "send", "quote", "group", "save")
# Twitter widgets that are buttons or timelines, not tweets.
TWITTER_SKIP_WIDGETS = ("follow_button", "tweet_button", "hashtag_button", "mention_button",
                        "timeline", "share_button")

# ---------------------------------------------------------------------------------------------
# Names and ids as the platforms allow them.
TWITTER_HANDLE = r"[A-Za-z0-9_]{1,50}"
INSTAGRAM_HANDLE = r"[A-Za-z0-9_.]{1,50}"
YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
DIGITS = re.compile(r"^\d{1,25}$")
CODE = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
TELEGRAM_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,64}$")
WEIBO_MID = re.compile(r"^(?:\d{10,20}|[A-Za-z0-9]{8,10})$")
TWITTER_RESERVED = {"i", "hashtag", "search", "intent", "share", "home", "explore", "settings",
                    "messages", "notifications", "login", "signup", "tos", "privacy", "compose"}
INSTAGRAM_RESERVED = {"p", "reel", "reels", "tv", "explore", "accounts", "stories", "direct",
                      "about", "developer", "legal", "web"}
FACEBOOK_RESERVED = {"permalink.php", "story.php", "photo.php", "photo", "watch", "share",
                     "plugins", "groups", "events", "reel", "hashtag", "sharer", "sharer.php",
                     "dialog", "login", "login.php", "pages", "profile.php", "people", "tr",
                     "help", "policies", "privacy", "business", "gaming", "marketplace", "l.php"}
TELEGRAM_RESERVED = {"joinchat", "addstickers", "share", "proxy", "iv", "socks", "addtheme",
                     "setlanguage", "login", "c", "s", "addemoji", "boost"}
YOUTUBE_NOT_IDS = {"videoseries", "live_stream"}  # /embed/videoseries?list=…: a playlist
YOUTUBE_GENERIC_TITLES = {"youtube video player", "youtube", "youtube video", "video", ""}

# The attribution line of a tweet embed: "— Name (@handle)".
TWEET_ATTRIBUTION = re.compile(r"[—–―-]+\s*([^\n]*?)\s*\(@(" + TWITTER_HANDLE + r")\)")
HANDLE_IN_PARENS = re.compile(r"\(@(" + INSTAGRAM_HANDLE + r")\)")
INSTAGRAM_SHARED_BY = re.compile(r"shared by\s+(.+?)\s*\(@", re.I | re.S)
MENTION_TEXT = re.compile(r"^[@＠](" + INSTAGRAM_HANDLE + r")$")
# A hashtag in running text (captions whose hashtags are not links): at least one non-digit.
HASHTAG_IN_TEXT = re.compile(r"(?<![\w&#＃])[#＃]([^\s#＃@,.;:!?，。；：！？、()（）\[\]【】「」『』“”\"'<>…/\\]+)")
MENTION_IN_TEXT = re.compile(r"(?<![\w@.])@(" + INSTAGRAM_HANDLE + r")")
# Media shown in a tweet: the anchor text is pic.twitter.com/… (or pic.x.com/…).
MEDIA_TEXT = re.compile(r"^(?:https?://)?(pic\.(?:twitter|x)\.com/\S+)$", re.I)
MEDIA_PATH = re.compile(r"/(?:photo|video)/\d+/?$")
MEDIA_DOMAINS = ("twimg.com", "cdninstagram.com", "fbcdn.net", "sinaimg.cn", "tiktokcdn.com")
# Paths of hashtag pages, per platform ("/hashtag/X", "/explore/tags/X", "/tag/X").
HASHTAG_PATH = re.compile(r"/(?:hashtag|tags|tag)/([^/?#]+)", re.I)
WHITESPACE = re.compile(r"[ \t\r\n\f\v]+")  # HTML source whitespace (not U+00A0/U+3000)
LINE_BREAK_SPACES_RE = re.compile(r" *\n *")  # spaces around a line break in shown text
# What no URL holds: whitespace (str.isspace, as \s is for str patterns), control characters,
# the replacement character of bad bytes.
URL_BAD_CHAR = re.compile("[\\s\x00-\x1f\ufffd]")
# Characters an address may not hold raw (RFC 3986) that markup lets through: kept
# percent-encoded, so that no stored or shown URL carries a quote mark or an angle bracket.
URL_UNSAFE_CHAR = re.compile(r'["<>\\^`{|}]')

# ---------------------------------------------------------------------------------------------
# Dates as embeds print them ("September 13, 2023", "13 Sep 2023", "2023年9月13日", ISO).
MONTHS = {
    # English
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9,
    "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12,
    "december": 12,
    # French, Spanish, Portuguese, German, Italian (the languages embed codes come in besides CJK)
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "décembre": 12, "decembre": 12,
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
    "janeiro": 1, "fevereiro": 2, "março": 3, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "dezembro": 12,
    "januar": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7, "oktober": 10,
    "dezember": 12,
    "gennaio": 1, "febbraio": 2, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "settembre": 9, "ottobre": 10, "dicembre": 12,
}
_MONTH_WORD = r"([A-Za-zÀ-ÿ]{3,10})\.?"
DATE_MDY = re.compile(_MONTH_WORD + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
DATE_DMY = re.compile(r"(\d{1,2})(?:\.|º|er)?\s+(?:de\s+)?" + _MONTH_WORD + r",?\s+(?:de\s+)?(\d{4})")
DATE_CJK = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
DATE_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
# Tweet ids since late 2010 are "snowflakes": milliseconds since this epoch, shifted left 22.
TWITTER_EPOCH_MS = 1288834974657
SNOWFLAKE_MIN = 1 << 32  # smaller ids predate snowflakes and carry no time


# ---------------------------------------------------------------------------------------------
# The lxml tree (see "Trees" above).
_Element = etree._Element
# At most this many tags ('<' characters): a fragment that small cannot nest anywhere near
# libxml2's tree depth limit (256), where lxml's tree and BeautifulSoup's part ways.
LXML_MAX_TAGS = 250
# Markup whose lxml tree is not BeautifulSoup's tree node for node: comments, doctypes and CDATA
# (string nodes in BeautifulSoup), processing instructions, and the document-level tags libxml2
# merges into the implied ones.
LXML_UNSAFE_RE = re.compile(r"<[!?]|<\s*/?\s*(?:html|head|body|meta)\b", re.I)
# BeautifulSoup's string classes by innermost enclosing tag (STRING_CONTAINER_TAGS): strings
# under script, style and template are not text (``_string``); under rt/rp they are
# (RubyTextString...).
HIDDEN_STRING_TAGS = frozenset(t for t, cls in HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS.items()
                               if issubclass(cls, (PreformattedString, Script, Stylesheet,
                                                   TemplateString)))


class _Stop(Exception):
    """The node budget of ``_visible_text`` is spent."""


class _Post(NamedTuple):
    """What a URL says about itself."""
    platform: str
    post_id: str | None
    handle: str | None
    url: str  # canonical where the form is known, else the URL as given
    is_post: bool  # a link to one post (not a profile, hashtag page, or player of unknown kind)


_SKIP = _Post("skip", None, None, "", False)  # furniture (buttons, ads): not a reference


# =============================================================================================
# Public API


def extract_social(article: Article) -> list[SocialRef]:
    """Every embedded post (``article.embeds``) and bare link to a post (``article.links``)."""
    try:
        return _extract_article(article)
    except Exception:  # noqa: BLE001 - the contract is "never raise"; bad markup gives nothing
        return []


def extract_social_from_html(html: str) -> list[SocialRef]:
    """Treat a whole HTML fragment as embeds (positions unknown: None). Never raises."""
    try:
        if not isinstance(html, str):
            html = html.decode("utf-8", "replace") if isinstance(html, (bytes, bytearray)) else ""
        return _dedupe(_scan(html[:MAX_HTML_CHARS], None, anchor_fallback=False))[:MAX_REFS]
    except Exception:  # noqa: BLE001
        return []


def to_contract(refs: list[SocialRef]) -> list[dict]:
    """The ``social`` key of the ``parse`` JSON: exactly ``CONTRACT_KEYS`` per reference."""
    out = []
    for r in refs or []:
        try:
            handle = r.handle.lstrip("@＠") if r.handle else None
            posted = r.posted[:10] if r.posted else None
            out.append({"platform": r.platform, "url": r.url, "post_id": r.post_id,
                        "handle": handle or None, "author": r.author, "posted": posted,
                        "text": r.text, "hashtags": list(r.hashtags or []),
                        "mentions": [m.lstrip("@＠") for m in (r.mentions or [])],
                        "links": list(r.links or [])})
        except Exception:  # noqa: BLE001 - a malformed record is left out, not fatal
            continue
    return out


def classify_url(url: str) -> SocialRef | None:
    """A ``SocialRef`` (embedded=False) when ``url`` links to one social-media post, else None."""
    try:
        p = _parse_url(url)
    except Exception:  # noqa: BLE001
        return None
    if p is None or not p.is_post:
        return None
    posted = _snowflake_date(p.post_id) if p.platform == "twitter" and p.post_id else None
    return SocialRef(platform=p.platform, url=p.url, post_id=p.post_id, handle=p.handle,
                     posted=posted, embedded=False)


# =============================================================================================
# Article level


def _extract_article(article: Article) -> list[SocialRef]:
    refs: list[SocialRef] = []
    embeds = list(getattr(article, "embeds", None) or [])[:MAX_EMBEDS]
    budget = MAX_ARTICLE_EMBED_CHARS
    for emb in embeds:
        html = getattr(emb, "html", None)
        if not isinstance(html, str) or not html:
            continue
        html = html[:min(MAX_EMBED_CHARS, budget)]
        budget -= len(html)
        if not html:
            break
        pos = getattr(emb, "position", None)
        pos = pos if isinstance(pos, int) and not isinstance(pos, bool) else None
        try:
            refs.extend(_scan(html, pos, anchor_fallback=True))
        except Exception:  # noqa: BLE001 - one broken embed must not hide the others
            continue
        if len(refs) >= MAX_REFS:
            break
    for link in list(getattr(article, "links", None) or [])[:MAX_LINKS]:
        try:
            if getattr(link, "related", False):
                continue
            block = getattr(link, "block", None)
            if not isinstance(block, int) or isinstance(block, bool) or block < 0:
                continue  # links outside the body text are page furniture
            ref = classify_url(getattr(link, "url", None))
            if ref is not None:
                ref.position = block + 1
                refs.append(ref)
        except Exception:  # noqa: BLE001
            continue
    return _dedupe(refs)[:MAX_REFS]


def _key(ref: SocialRef) -> tuple:
    return (ref.platform, ref.post_id) if ref.post_id else (ref.platform, "url", ref.url)


def _dedupe(refs: list[SocialRef]) -> list[SocialRef]:
    """One record per post: the first occurrence wins (embeds come before bare links, so its
    position and ``embedded`` stay); empty fields are filled from later duplicates (a rendered
    iframe and its blockquote, say), and a URL naming the user replaces one that does not."""
    out: list[SocialRef] = []
    seen: dict[tuple, int] = {}
    for ref in refs:
        k = _key(ref)
        if k not in seen:
            seen[k] = len(out)
            out.append(ref)
            continue
        first = out[seen[k]]
        if first.handle is None and ref.handle and ref.url:
            first.url = ref.url  # "/user/status/id" says more than "/i/web/status/id"
        for f in fields(SocialRef):
            if f.name in ("embedded", "position"):
                continue
            if getattr(first, f.name) in (None, "", []) and getattr(ref, f.name) not in (None, "", []):
                setattr(first, f.name, getattr(ref, f.name))
    return out


# =============================================================================================
# Markup level


def _scan(html: str, position: int | None, anchor_fallback: bool) -> list[SocialRef]:
    """Walk one fragment in document order; a recognised widget is read whole and its inside
    is not walked again (the links inside a tweet are part of the tweet)."""
    if not html or "<" not in html:
        return []
    root = _lxml_root(html)
    if root is not None:
        # Every element's Python proxy is held for the whole walk: lxml hands back the same
        # proxy while one is alive, so the id()s the readers compare stay valid.
        keep_alive = list(root.iter())
        soup = root
        stack: list = [root]
        visited = 1  # BeautifulSoup's walk starts one node higher, at the document
    else:
        soup = BeautifulSoup(html, "lxml")
        stack = [soup]
        visited = 0
        keep_alive = []
    refs: list[SocialRef] = []
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        try:
            found = _read_widget(node)
        except Exception:  # noqa: BLE001 - a widget we cannot read is skipped, its inside too
            found = _SKIP_MARK
        if found is _SKIP_MARK:
            continue
        if found is not None:
            refs.append(found)
            continue
        if type(node) is _Element:
            children = list(node)  # elements only (see LXML_UNSAFE_RE)
        else:
            children = [c for c in node.children if isinstance(c, Tag)]
        stack.extend(reversed(children))
    if not refs and anchor_fallback:
        # An embed wrapper that holds only a plain link to a post (e.g. a "watch on YouTube"
        # placeholder): the link is the reference.
        for a in _find_all(soup, "a", 200, href=True):
            ref = classify_url(_attr(a, "href"))
            if ref is not None:
                ref.embedded = True
                refs.append(ref)
    for r in refs:
        r.position = position
    del keep_alive  # the proxies may go now
    return refs


_SKIP_MARK = object()


def _lxml_root(html: str):
    """The root of the fragment's lxml tree, or None when BeautifulSoup reads it."""
    if html.count("<") > LXML_MAX_TAGS or html[0] == "\ufeff" or "\x00" in html or \
            LXML_UNSAFE_RE.search(html):
        return None
    try:
        root = parse_html(html)
    except Exception:  # noqa: BLE001 - BeautifulSoup has its own fallbacks
        return None
    if root is None or root.tag != "html" or root.getprevious() is not None \
            or root.getnext() is not None:
        return None
    # libxml2 also makes comments of broken markup ("</" and no tag name, say).
    if next(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is not None:
        return None
    return root


def _read_widget(el: Tag) -> SocialRef | object | None:
    """The reference ``el`` is, ``_SKIP_MARK`` when it is furniture to pass over whole, or None
    when it is neither (walk into it)."""
    name = (_name(el) or "").lower()
    if name in ("[document]",):
        return None
    classes = _classes(el)
    if classes & TWEET_CLASSES:
        return _tweet(el) or _SKIP_MARK
    if classes & INSTAGRAM_CLASSES and name != "iframe":
        return _instagram(el) or _SKIP_MARK
    if classes & TIKTOK_CLASSES and name != "iframe":
        return _tiktok(el) or _SKIP_MARK
    if classes & FACEBOOK_CLASSES:
        return _facebook(el) or _SKIP_MARK
    if _has_attr(el, TELEGRAM_ATTR):
        return _telegram(el) or _SKIP_MARK
    for cls, attr in OTHER_BLOCKQUOTE_ATTRS.items():
        if cls in classes:
            return _other_blockquote(el, attr) or _SKIP_MARK
    if name in YOUTUBE_ID_TAGS or any(_has_attr(el, a) for a in YOUTUBE_ID_ATTRS):
        vid = next((_attr(el, a) for a in YOUTUBE_ID_ATTRS if YOUTUBE_ID.match(_attr(el, a))), "")
        if vid:
            return SocialRef("youtube", f"https://www.youtube.com/watch?v={vid}", post_id=vid)
    if name in ("iframe", "embed", "object"):
        return _iframe(el) or _SKIP_MARK
    if name in ("script", "style", "noscript", "template"):
        return _SKIP_MARK
    if name == "blockquote":
        return _plain_blockquote_tweet(el)
    return None


# ---------------------------------------------------------------------------------------------
# Twitter / X


def _tweet(el: Tag) -> SocialRef | None:
    status_a, post = None, None
    anchors = _find_all(el, "a", 500, href=True)
    paras = _find_all(el, "p", 50)
    in_text = _anchors_in(paras)
    # The status link is the date under the text; a status link inside the text comes second.
    ordered = [a for a in reversed(anchors) if id(a) not in in_text] + \
        [a for a in reversed(anchors) if id(a) in in_text]
    for a in ordered:
        p = _safe_parse(_attr(a, "href"))
        if p and p.platform == "twitter" and p.post_id:
            status_a, post = a, p
            break
    if post is None:
        post = _tweet_from_attrs(el)
    ref = SocialRef("twitter", post.url if post else None,
                    post_id=post.post_id if post else None,
                    handle=post.handle if post else None)
    _fill_from_paragraphs(ref, paras, hashtag_text_fallback=False)
    ref.language = next((_attr(p, "lang") for p in paras if _attr(p, "lang")), None)
    # The attribution "— Name (@handle)" sits outside the <p>.
    outside = _text_beside_paragraphs(el)
    m = _last(TWEET_ATTRIBUTION.finditer(outside)) or _last(TWEET_ATTRIBUTION.finditer(_visible_text(el)))
    if m:
        ref.author = m.group(1).strip() or None
        ref.handle = m.group(2)
    if ref.handle and post and post.post_id and not post.handle:
        # An /i/web/status/ link: the attribution gives the user, so give the usual URL.
        ref.url = f"https://{_twitter_base(post.url)}/{ref.handle}/status/{post.post_id}"
    if status_a is not None:
        ref.posted = _parse_date(_visible_text(status_a))
    if ref.posted is None:
        for a in _find_all(el, "a", 500):
            if id(a) not in in_text and (d := _parse_date(_visible_text(a))):
                ref.posted = d
                break
    if ref.posted is None and ref.post_id:
        ref.posted = _snowflake_date(ref.post_id)
    if not (ref.post_id or ref.text or ref.handle):
        return None
    return ref


def _tweet_from_attrs(el: Tag) -> _Post | None:
    """A rendered tweet (saved page): the id is on the iframe (``data-tweet-id``, ``?id=``)."""
    for node in [el, *_find_all(el, ("iframe", "div"), 50)]:
        tid = _attr(node, "data-tweet-id")
        if DIGITS.match(tid):
            return _Post("twitter", tid, None, f"https://twitter.com/i/web/status/{tid}", True)
        p = _safe_parse(_iframe_src(node)) if _name(node) == "iframe" else None
        if p and p.platform == "twitter" and p.post_id:
            return p
    return None


def _plain_blockquote_tweet(el: Tag) -> SocialRef | None:
    """A tweet whose embed class was stripped: a blockquote ending in "(@handle) <status link>"."""
    anchors = _find_all(el, "a", 500, href=True)
    if not anchors:
        return None
    p = _safe_parse(_attr(anchors[-1], "href"))
    if not (p and p.platform == "twitter" and p.post_id):
        return None
    if not TWEET_ATTRIBUTION.search(_visible_text(el)):
        return None
    return _tweet(el)


def _twitter_base(url: str) -> str:
    host = _host(url)
    return "x.com" if host == "x.com" or host.endswith(".x.com") else "twitter.com"


def _snowflake_date(post_id: str) -> str | None:
    try:
        n = int(post_id)
        if n < SNOWFLAKE_MIN:
            return None
        ms = (n >> 22) + TWITTER_EPOCH_MS
        d = _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc)
        if d > _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(days=2):
            return None
        return d.date().isoformat()
    except (ValueError, OverflowError, OSError):
        return None


# ---------------------------------------------------------------------------------------------
# Instagram, TikTok, Facebook, Telegram, others


def _instagram(el: Tag) -> SocialRef | None:
    post = _safe_parse(_attr(el, "data-instgrm-permalink"))
    anchors = _find_all(el, "a", 500, href=True)
    if not (post and post.platform == "instagram" and post.post_id):
        post = next((p for a in anchors if (p := _safe_parse(_attr(a, "href")))
                     and p.platform == "instagram" and p.post_id), None)
    ref = SocialRef("instagram", post.url if post else None, post_id=post.post_id if post else None,
                    handle=post.handle if post else None)
    caption = []
    for p in _find_all(el, "p", 50):
        t = _visible_text(p)
        m = HANDLE_IN_PARENS.search(t)
        if m:  # "A post shared by Name (@handle) on <time>"
            ref.handle = m.group(1)
            by = INSTAGRAM_SHARED_BY.search(t)
            if by:
                ref.author = by.group(1).strip() or None
            else:
                prof = next((a for a in _find_all(p, "a", None, href=True)
                             if (q := _safe_parse(_attr(a, "href"))) and q.platform == "instagram"
                             and not q.post_id and q.handle), None)
                ref.author = _visible_text(prof).strip() or None if prof is not None else None
            time = _find(p, "time")
            if time is not None:
                ref.posted = _parse_date(_attr(time, "datetime")) or _parse_date(_visible_text(time))
        elif t.strip():
            caption.append(p)
    _fill_from_paragraphs(ref, caption, hashtag_text_fallback=True)
    if ref.posted is None:
        time = _find(el, "time")
        if time is not None:
            ref.posted = _parse_date(_attr(time, "datetime")) or _parse_date(_visible_text(time))
    if ref.handle is None:
        prof = next((q for a in anchors if (q := _safe_parse(_attr(a, "href")))
                     and q.platform == "instagram" and not q.post_id and q.handle), None)
        ref.handle = prof.handle if prof else None
    if not (ref.post_id or ref.handle):
        return None
    return ref


def _tiktok(el: Tag) -> SocialRef | None:
    post = _safe_parse(_attr(el, "cite"))
    vid = _attr(el, "data-video-id")
    if not (post and post.platform == "tiktok"):
        post = None
    post_id = (post.post_id if post else None) or (vid if DIGITS.match(vid) else None)
    handle = post.handle if post else None
    url = post.url if post and post.post_id else None
    paras = _find_all(el, "p", 50)
    if handle is None:
        in_text = _anchors_in(paras)
        for a in _find_all(el, "a", 100):
            m = MENTION_TEXT.match((_attr(a, "title") or _visible_text(a)).strip())
            if m and id(a) not in in_text:
                handle = m.group(1)
                break
    if url is None and post_id:
        url = f"https://www.tiktok.com/@{handle}/video/{post_id}" if handle else \
            f"https://www.tiktok.com/embed/v2/{post_id}"
    ref = SocialRef("tiktok", url, post_id=post_id, handle=handle)
    _fill_from_paragraphs(ref, paras, hashtag_text_fallback=True)
    if not (ref.post_id or ref.handle):
        return None
    return ref


def _facebook(el: Tag) -> SocialRef | None:
    post = _safe_parse(_attr(el, "data-href"))
    if not (post and post.platform == "facebook"):
        post = None
    if post is None:  # a rendered plugin: the post is in the iframe's href parameter
        for f in _find_all(el, "iframe", 10):
            p = _safe_parse(_iframe_src(f))
            if p and p.platform == "facebook" and p is not _SKIP:
                post = p
                break
    ref = SocialRef("facebook", post.url if post else None, post_id=post.post_id if post else None,
                    handle=post.handle if post else None)
    quote = _find(el, "blockquote")
    if quote is not None:
        # "<p>text</p>Posted by <a href=profile>Name</a> on <a href=post>date</a>"
        paras = _find_all(quote, "p", 50)
        _fill_from_paragraphs(ref, paras, hashtag_text_fallback=True)
        in_text = _anchors_in(paras)
        outside = [a for a in _find_all(quote, "a", 50, href=True) if id(a) not in in_text]
        for a in outside:
            d = _parse_date(_visible_text(a))
            if d:
                ref.posted = d
                continue
            q = _safe_parse(_attr(a, "href"))
            if q and q.platform == "facebook" and not q.post_id and ref.author is None:
                ref.author = _visible_text(a).strip() or None
                ref.handle = q.handle or ref.handle
    if not (ref.url or ref.text):
        return None
    return ref


def _telegram(el: Tag) -> SocialRef | None:
    val = _attr(el, TELEGRAM_ATTR).strip().strip("/")
    parts = val.split("/")
    if len(parts) == 2 and TELEGRAM_CHANNEL.match(parts[0]) and DIGITS.match(parts[1]):
        return SocialRef("telegram", f"https://t.me/{parts[0]}/{parts[1]}", post_id=parts[1],
                         handle=parts[0])
    return None


def _other_blockquote(el: Tag, attr: str) -> SocialRef | None:
    candidates = [_attr(el, attr)] + [_attr(a, "href") for a in _find_all(el, "a", 100, href=True)]
    for c in candidates:
        p = _safe_parse(c)
        if p and p.is_post:
            ref = SocialRef(p.platform, p.url, post_id=p.post_id, handle=p.handle)
            _fill_from_paragraphs(ref, _find_all(el, "p", 50), hashtag_text_fallback=True)
            return ref
    return None


def _iframe(el: Tag) -> SocialRef | None:
    tid = _attr(el, "data-tweet-id")
    if DIGITS.match(tid):  # a tweet rendered by widgets.js, as saved with the page
        return SocialRef("twitter", f"https://twitter.com/i/web/status/{tid}", post_id=tid,
                         posted=_snowflake_date(tid))
    src = _iframe_src(el)
    url = _http_url(src)
    if url is None:
        return None
    p = _safe_parse(url)
    if p is _SKIP or _is_furniture(url):
        return None
    if p is None:
        return SocialRef("other", url)  # unknown player: its URL shows the host
    ref = SocialRef(p.platform, p.url, post_id=p.post_id, handle=p.handle)
    if p.platform == "twitter" and p.post_id:
        ref.posted = _snowflake_date(p.post_id)
    if p.platform == "youtube":
        title = _attr(el, "title").strip()
        if title.lower() not in YOUTUBE_GENERIC_TITLES:
            ref.text = title[:MAX_TEXT_CHARS]  # the video's title, as the player labels itself
    return ref


def _iframe_src(el: Tag) -> str:
    for a in IFRAME_SRC_ATTRS:
        v = _attr(el, a).strip()
        if v and not v.lower().startswith(("about:", "javascript:", "data:")):
            return v
    return ""


def _is_furniture(url: str) -> bool:
    host = _host(url)
    if any(host == d or host.endswith("." + d) for d in SKIP_IFRAME_DOMAINS):
        return True
    try:
        path = urlsplit(url).path.lower()
    except ValueError:
        return True
    return host.endswith(("google.com", "facebook.com")) and path.startswith(SKIP_IFRAME_PATHS)


# ---------------------------------------------------------------------------------------------
# Post text and its anchors


def _fill_from_paragraphs(ref: SocialRef, paras: list[Tag], hashtag_text_fallback: bool) -> None:
    """Text (``<br>`` as newline, paragraphs joined by a newline), then hashtags, mentions,
    outbound links and media from the anchors, in the order written. With
    ``hashtag_text_fallback`` (captions whose tags are plain text), ``#tag``/``@name`` written
    without a link count too."""
    # Unclosed <p> nest inside each other: read each only as part of its outermost paragraph,
    # or the work (and the text) grows with the square of the nesting.
    para_ids = {id(p) for p in paras}
    paras = [p for p in paras if not any(id(up) in para_ids for up in _parents(p))]
    texts = [t for t in (_visible_text(p).strip() for p in paras) if t]
    ref.text = "\n".join(texts)[:MAX_TEXT_CHARS] or None
    tags, mentions, links, media = [], [], [], []
    for p in paras:
        for a in _find_all(p, "a", MAX_ITEMS * 2):
            # An anchor's label is short; unclosed anchors nest, so read only its beginning.
            shown = _visible_text(a, limit=ANCHOR_TEXT_CHARS).strip()
            href = _attr(a, "href")
            tag = _hashtag_of(shown, href)
            if tag:
                tags.append(tag)
                continue
            m = MENTION_TEXT.match(shown)
            if m:
                mentions.append(m.group(1))
                continue
            mt = MEDIA_TEXT.match(shown)
            url = _http_url(href)
            if mt:
                media.append("https://" + mt.group(1))
                continue
            if url is None:
                continue
            if _on(_host(url), *MEDIA_DOMAINS) or (
                    MEDIA_PATH.search(_path(url)) and _on(_host(url), "twitter.com", "x.com")):
                media.append(url)
            else:
                links.append(url)
    if hashtag_text_fallback and ref.text:
        # Only when the markup links none: mixing both would lose the written order.
        if not tags:
            tags = [t for m in HASHTAG_IN_TEXT.finditer(ref.text) if not (t := m.group(1)).isdigit()]
        if not mentions:
            mentions = [h for m in MENTION_IN_TEXT.finditer(ref.text) if (h := m.group(1).rstrip("."))]
    ref.hashtags = tags[:MAX_ITEMS]
    ref.mentions = mentions[:MAX_ITEMS]
    ref.links = [u for u in links if _outbound(ref, u)][:MAX_ITEMS]
    ref.media = media[:MAX_ITEMS]


def _outbound(ref: SocialRef, url: str) -> bool:
    """False for links back into the post's own platform that are no other post (cashtag and
    search pages, profiles) and for a caption linked to its own post."""
    q = _safe_parse(url)
    if q is None:
        return True
    if q is _SKIP:
        return False
    if q.platform == ref.platform and (not q.is_post or (ref.post_id and q.post_id == ref.post_id)):
        return False
    return True


def _hashtag_of(shown: str, href: str) -> str | None:
    """The tag of a hashtag anchor as written: the shown text without '#' when it agrees with
    the link (TikTok's links are lower-cased), else the decoded link path ("#普京…" → 普京)."""
    from_link = None
    try:
        parts = urlsplit(href.strip()) if href else None
    except ValueError:
        parts = None
    if parts is not None and parts.scheme.lower() in ("http", "https", ""):
        m = HASHTAG_PATH.search(parts.path)
        if m:
            from_link = unquote(m.group(1), errors="replace").strip().lstrip("#＃") or None
        else:
            q = parse_qs(parts.query).get("q", [""])[0].strip()
            if q[:1] in ("#", "＃") and "search" in parts.path.lower():
                from_link = q[1:].split()[0].strip("#＃") if q[1:].split() else None
    from_text = shown[1:].strip() if shown[:1] in ("#", "＃") else None
    if from_text and from_link and from_text.casefold() == from_link.casefold():
        return from_text
    if from_link:
        return from_link
    if from_text and not from_text.isdigit() and not WHITESPACE.search(from_text):
        return from_text
    return None


def _visible_text(el, limit: int | None = None) -> str:
    """Text as shown: source whitespace collapsed, ``<br>`` as newline, no script/comment;
    with ``limit``, only about the first ``limit`` characters."""
    if el is None:
        return ""
    if type(el) is _Element:
        return _lxml_visible_text(el, limit)
    if not isinstance(el, Tag):
        return _string(el)
    out = []
    n = 0
    size = 0
    for node in el.descendants:
        n += 1
        if n > MAX_NODES or (limit is not None and size > limit):
            break
        if isinstance(node, Tag):
            if node.name == "br":
                out.append("\n")
            continue
        piece = _string(node)
        size += len(piece)
        out.append(piece)
    return _tidy_lines("".join(out))


def _tidy_lines(text: str) -> str:
    """Spaces around line breaks dropped, and at both ends."""
    if "\n" not in text:  # most texts: nothing for the pattern to do
        return text.strip(" ")
    return LINE_BREAK_SPACES_RE.sub("\n", text).strip(" ")


def _collapse(text: str) -> str:
    """Runs of HTML source whitespace (WHITESPACE) as one space. Printable text holds no tab,
    line break, form feed or vertical tab, so without a double space it has no run to change:
    the pattern's pass (most strings) is skipped."""
    if "  " not in text and text.isprintable():
        return text
    return WHITESPACE.sub(" ", text)


def _lxml_visible_text(el: _Element, limit: int | None) -> str:
    """``_visible_text`` on an lxml element: its strings are ``.text`` and ``.tail``, visited in
    the order (and counted against the same budgets) of BeautifulSoup's ``descendants``."""
    if len(el) == 0 and (limit is None or limit >= 0):
        # A leaf (most anchors): its one string, which no budget stops (the walk below
        # would give the same).
        text = el.text
        if text is None or _hidden_strings(el):
            return ""
        return _tidy_lines(_collapse(text))
    out: list[str] = []
    try:
        _lxml_visible(el, _hidden_strings(el), limit, out, [0, 0])
    except _Stop:
        pass
    return _tidy_lines("".join(out))


def _lxml_visible(el: _Element, hidden: bool, limit: int | None, out: list[str],
                  count: list[int]) -> None:
    """The strings below ``el`` (``hidden``: they are script/style/template strings); ``count``
    is [nodes visited, characters read]."""
    text = el.text
    if text is not None:
        _lxml_piece(text, hidden, limit, out, count)
    for child in el:
        count[0] += 1
        if count[0] > MAX_NODES or (limit is not None and count[1] > limit):
            raise _Stop
        tag = child.tag
        if tag == "br":
            out.append("\n")
        if tag in STRING_CONTAINER_TAGS:
            _lxml_visible(child, tag in HIDDEN_STRING_TAGS, limit, out, count)
        else:
            _lxml_visible(child, hidden, limit, out, count)
        tail = child.tail
        if tail is not None:
            _lxml_piece(tail, hidden, limit, out, count)


def _lxml_piece(text: str, hidden: bool, limit: int | None, out: list[str],
                count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_NODES or (limit is not None and count[1] > limit):
        raise _Stop
    piece = "" if hidden else _collapse(text)
    count[1] += len(piece)
    out.append(piece)


def _hidden_strings(el: _Element) -> bool:
    """True when the strings directly inside ``el`` are script/style/template strings: the
    innermost string-container tag around them decides, as in BeautifulSoup."""
    if el.tag in STRING_CONTAINER_TAGS:
        return el.tag in HIDDEN_STRING_TAGS
    for up in el.iterancestors():
        if up.tag in STRING_CONTAINER_TAGS:
            return up.tag in HIDDEN_STRING_TAGS
    return False


def _text_beside_paragraphs(el) -> str:
    """The text of ``el``'s children other than its ``<p>`` (a tweet's attribution line)."""
    if type(el) is not _Element:
        return "".join(_visible_text(c) if isinstance(c, Tag) else _string(c)
                       for c in el.children if not (isinstance(c, Tag) and c.name == "p"))
    hidden = _hidden_strings(el)
    parts = []
    text = el.text
    if text is not None:
        parts.append("" if hidden else _collapse(text))
    for child in el:
        if child.tag != "p":
            parts.append(_lxml_visible_text(child, None))
        tail = child.tail
        if tail is not None:
            parts.append("" if hidden else _collapse(tail))
    return "".join(parts)


def _string(node) -> str:
    if not isinstance(node, NavigableString) or isinstance(
            node, (PreformattedString, Script, Stylesheet, TemplateString)):
        return ""
    return WHITESPACE.sub(" ", str(node))


# ---------------------------------------------------------------------------------------------
# Dates


def _parse_date(text: str | None) -> str | None:
    """ISO 'YYYY-MM-DD' from the date forms embeds print, else None."""
    if not text:
        return None
    text = text[:200]
    for m in DATE_CJK.finditer(text):
        if d := _date(m.group(1), m.group(2), m.group(3)):
            return d
    for m in DATE_ISO.finditer(text):
        if d := _date(m.group(1), m.group(2), m.group(3)):
            return d
    for m in DATE_MDY.finditer(text):
        mon = MONTHS.get(m.group(1).lower())
        if mon and (d := _date(m.group(3), mon, m.group(2))):
            return d
    for m in DATE_DMY.finditer(text):
        mon = MONTHS.get(m.group(2).lower())
        if mon and (d := _date(m.group(3), mon, m.group(1))):
            return d
    return None


def _date(y, m, d) -> str | None:
    try:
        return _dt.date(int(y), int(m), int(d)).isoformat()
    except (ValueError, TypeError):
        return None


# =============================================================================================
# URLs


def _http_url(url) -> str | None:
    """``url`` when it is an http(s) address (protocol-relative ones get https), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL_CHARS or URL_BAD_CHAR.search(url):
        return None
    if url.startswith("//"):
        url = "https:" + url
    low = url[:8].lower()
    if not (low.startswith("http://") or low.startswith("https://")):
        return None
    try:
        if not urlsplit(url).hostname:
            return None
    except ValueError:
        return None
    return URL_UNSAFE_CHAR.sub(lambda m: f"%{ord(m.group()):02X}", url)


def _host(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    for prefix in ("www.", "m.", "mobile.", "web.", "mbasic.", "touch."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _on(host: str, *domains: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def _safe_parse(url) -> _Post | None:
    try:
        return _parse_url(url)
    except Exception:  # noqa: BLE001
        return None


def _parse_url(url) -> _Post | None:
    """What a URL points at on a known platform; ``_SKIP`` for buttons/widgets; None when the
    host is no social platform."""
    url = _http_url(url)
    if url is None:
        return None
    parts = urlsplit(url)
    host = _host(url)
    segs = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    for platform, domains, reader in _READERS:
        if _on(host, *domains):
            return reader(url, host, segs, query, parts)
    return None


def _q(query: dict, name: str) -> str:
    vals = query.get(name) or [""]
    return vals[0].strip()


def _read_twitter(url, host, segs, query, parts) -> _Post:
    base = "x.com" if _on(host, "x.com") else "twitter.com"
    if host.startswith("platform.") or host.startswith("syndication."):
        if any(w in parts.path for w in TWITTER_SKIP_WIDGETS):
            return _SKIP
        tid = _q(query, "id")
        if DIGITS.match(tid):
            return _Post("twitter", tid, None, f"https://twitter.com/i/web/status/{tid}", True)
        return _Post("twitter", None, None, url, False)
    if host.startswith("pic.") or host.startswith("t.co"):
        return _Post("twitter", None, None, url, False)
    if not segs and parts.fragment.startswith("!/"):  # old "#!/user/status/id" links
        segs = [s for s in parts.fragment[2:].split("/") if s]
    for k, s in enumerate(segs[:4]):
        if s.lower() in ("status", "statuses") and k + 1 < len(segs) and DIGITS.match(segs[k + 1]):
            tid = segs[k + 1]
            user = segs[0] if k == 1 and segs[0].lower() not in TWITTER_RESERVED else None
            if user and not re.fullmatch(TWITTER_HANDLE, user):
                user = None
            canon = (f"https://{base}/{user}/status/{tid}" if user
                     else f"https://{base}/i/web/status/{tid}")
            return _Post("twitter", tid, user, canon, True)
    if segs and segs[0].lower() not in TWITTER_RESERVED and re.fullmatch(TWITTER_HANDLE, segs[0]):
        return _Post("twitter", None, segs[0], url, False)
    return _Post("twitter", None, None, url, False)


def _read_youtube(url, host, segs, query, parts) -> _Post:
    vid = None
    if host == "youtu.be":
        vid = segs[0] if segs else None
    elif segs and segs[0] in ("watch", "watch_popup"):
        vid = _q(query, "v")
    elif len(segs) >= 2 and segs[0] in ("embed", "shorts", "live", "v", "e"):
        vid = segs[1]
    if vid in YOUTUBE_NOT_IDS or (segs and segs[0] == "playlist"):
        plist = _q(query, "list")
        if CODE.match(plist):
            return _Post("youtube", None, None, f"https://www.youtube.com/playlist?list={plist}", False)
        return _Post("youtube", None, None, url, False)
    if vid and YOUTUBE_ID.match(vid):
        return _Post("youtube", vid, None, f"https://www.youtube.com/watch?v={vid}", True)
    handle = segs[0][1:] if segs and segs[0].startswith("@") else None
    return _Post("youtube", None, handle, url, False)


def _read_facebook(url, host, segs, query, parts) -> _Post:
    if host == "fb.watch":
        code = segs[0] if segs else ""
        return _Post("facebook", code, None, f"https://fb.watch/{code}/", True) if CODE.match(code) \
            else _Post("facebook", None, None, url, False)
    low = [s.lower() for s in segs]
    if "plugins" in low[:2]:
        i = low.index("plugins")
        plugin = low[i + 1].removesuffix(".php") if i + 1 < len(low) else ""
        if plugin in ("post", "video", "comment_embed"):
            inner = _safe_parse(_q(query, "href"))
            if inner and inner.platform == "facebook":
                return inner
            return _Post("facebook", None, None, url, False)
        return _SKIP
    canon_base = "https://www.facebook.com"
    if low[:1] in (["permalink.php"], ["story.php"]):
        fbid, uid = _q(query, "story_fbid"), _q(query, "id")
        if CODE.match(fbid):
            canon = f"{canon_base}/permalink.php?story_fbid={fbid}" + (f"&id={uid}" if DIGITS.match(uid) else "")
            return _Post("facebook", fbid, uid if DIGITS.match(uid) else None, canon, True)
    if low[:1] in (["photo.php"], ["photo"]) and DIGITS.match(_q(query, "fbid")):
        fbid = _q(query, "fbid")
        return _Post("facebook", fbid, None, f"{canon_base}/photo.php?fbid={fbid}", True)
    if low[:1] == ["watch"] and DIGITS.match(_q(query, "v")):
        v = _q(query, "v")
        return _Post("facebook", v, None, f"{canon_base}/watch/?v={v}", True)
    if low[:1] == ["reel"] and len(segs) >= 2 and DIGITS.match(segs[1]):
        return _Post("facebook", segs[1], None, f"{canon_base}/reel/{segs[1]}", True)
    if low[:1] == ["share"] and len(segs) >= 2:
        code = segs[-1]
        if CODE.match(code):
            return _Post("facebook", code, None, f"{canon_base}/{'/'.join(segs)}/", True)
    if low[:1] == ["groups"] and len(segs) >= 4 and low[2] in ("posts", "permalink") and CODE.match(segs[3]):
        return _Post("facebook", segs[3], None, f"{canon_base}/groups/{segs[1]}/{low[2]}/{segs[3]}/", True)
    if segs and low[0] not in FACEBOOK_RESERVED and not low[0].endswith(".php"):
        page = segs[0]
        if len(segs) >= 3 and low[1] in ("posts", "videos", "photos", "notes", "reels"):
            pid = segs[-1]
            if CODE.match(pid) and (low[1] != "photos" or DIGITS.match(pid)):
                return _Post("facebook", pid, page, f"{canon_base}/{'/'.join(segs)}/", True)
        return _Post("facebook", None, page, url, False)
    return _Post("facebook", None, None, url, False)


def _read_instagram(url, host, segs, query, parts) -> _Post:
    low = [s.lower() for s in segs]
    for k in (0, 1):  # /p/CODE/ and the newer /user/p/CODE/
        if len(segs) > k + 1 and low[k] in ("p", "reel", "reels", "tv") and CODE.match(segs[k + 1]):
            kind = "reel" if low[k] == "reels" else low[k]
            user = segs[0] if k == 1 and low[0] not in INSTAGRAM_RESERVED else None
            return _Post("instagram", segs[k + 1], user,
                         f"https://www.instagram.com/{kind}/{segs[k + 1]}/", True)
    if segs and low[0] not in INSTAGRAM_RESERVED and re.fullmatch(INSTAGRAM_HANDLE, segs[0]):
        return _Post("instagram", None, segs[0], url, False)
    return _Post("instagram", None, None, url, False)


def _read_telegram(url, host, segs, query, parts) -> _Post:
    if host.endswith("telegram.org"):
        return _SKIP if "widget" not in parts.path else _Post("telegram", None, None, url, False)
    if segs and segs[0] == "s":
        segs = segs[1:]
    if len(segs) >= 2 and segs[0] != "c" and TELEGRAM_CHANNEL.match(segs[0]) \
            and segs[0].lower() not in TELEGRAM_RESERVED and DIGITS.match(segs[1]):
        return _Post("telegram", segs[1], segs[0], f"https://t.me/{segs[0]}/{segs[1]}", True)
    if len(segs) >= 3 and segs[0] == "c" and DIGITS.match(segs[1]) and DIGITS.match(segs[2]):
        return _Post("telegram", segs[2], None, f"https://t.me/c/{segs[1]}/{segs[2]}", True)
    if segs and TELEGRAM_CHANNEL.match(segs[0]) and segs[0].lower() not in TELEGRAM_RESERVED:
        return _Post("telegram", None, segs[0], url, False)
    return _Post("telegram", None, None, url, False)


def _read_tiktok(url, host, segs, query, parts) -> _Post:
    if host.startswith(("vm.", "vt.")):  # share short links: a post, id unknown until followed
        if segs and CODE.match(segs[0]):
            return _Post("tiktok", None, None, f"https://{host}/{segs[0]}/", True)
        return _Post("tiktok", None, None, url, False)
    if len(segs) >= 3 and segs[0].startswith("@") and segs[1] in ("video", "photo") and DIGITS.match(segs[2]):
        user = segs[0][1:]
        return _Post("tiktok", segs[2], user or None,
                     f"https://www.tiktok.com/@{user}/{segs[1]}/{segs[2]}", True)
    tail = segs[-1].removesuffix(".html") if segs else ""
    if segs and segs[0] in ("embed", "player", "v") and DIGITS.match(tail):
        return _Post("tiktok", tail, None, f"https://www.tiktok.com/embed/v2/{tail}", True)
    if segs and segs[0].startswith("@") and len(segs[0]) > 1:
        return _Post("tiktok", None, segs[0][1:], url, False)
    return _Post("tiktok", None, None, url, False)


def _read_weibo(url, host, segs, query, parts) -> _Post:
    if host.startswith(("s.", "service.", "widget.", "api.", "open.")):
        return _Post("weibo", None, None, url, False)
    low = [s.lower() for s in segs]
    if len(segs) >= 2 and low[0] in ("detail", "status") and WEIBO_MID.match(segs[1]):
        return _Post("weibo", segs[1], None, f"https://m.weibo.cn/detail/{segs[1]}", True)
    # weibo.com/<uid>/<mid>; an all-lowercase word there is a profile tab ("favorites").
    if len(segs) >= 2 and DIGITS.match(segs[0]) and WEIBO_MID.match(segs[1]) \
            and not (segs[1].isalpha() and segs[1].islower()):
        return _Post("weibo", segs[1], segs[0], f"https://weibo.com/{segs[0]}/{segs[1]}", True)
    if len(segs) >= 2 and low[0] in ("u", "n"):
        return _Post("weibo", None, segs[1], url, False)
    return _Post("weibo", None, None, url, False)


def _read_other(url, host, segs, query, parts) -> _Post | None:
    """Smaller platforms with a recognisable post URL; the platform name stays "other" (the
    URL's host tells which)."""
    low = [s.lower() for s in segs]
    if _on(host, "threads.net", "threads.com"):
        if len(segs) >= 3 and segs[0].startswith("@") and low[1] == "post":
            return _Post("other", segs[2], segs[0][1:], url.split("?")[0], True)
    elif _on(host, "bsky.app"):
        if len(segs) >= 4 and low[0] == "profile" and low[2] == "post":
            return _Post("other", segs[3], segs[1], url.split("?")[0], True)
    elif _on(host, "bilibili.com", "b23.tv"):
        bvid = _q(query, "bvid") or (segs[1] if len(segs) >= 2 and low[0] == "video" else "")
        if CODE.match(bvid):
            return _Post("other", bvid, None, f"https://www.bilibili.com/video/{bvid}/", True)
    elif _on(host, "douyin.com"):
        if len(segs) >= 2 and low[0] == "video" and DIGITS.match(segs[1]):
            return _Post("other", segs[1], None, f"https://www.douyin.com/video/{segs[1]}", True)
    elif _on(host, "vimeo.com"):
        vid = next((s for s in segs if DIGITS.match(s)), None)
        if vid:
            return _Post("other", vid, None, f"https://vimeo.com/{vid}", True)
    elif _on(host, "reddit.com"):
        if "comments" in low and low.index("comments") + 1 < len(segs):
            pid = segs[low.index("comments") + 1]
            return _Post("other", pid, None, url.split("?")[0], True)
    return None


_READERS = (
    ("twitter", ("twitter.com", "x.com"), _read_twitter),
    ("youtube", ("youtube.com", "youtube-nocookie.com", "youtu.be"), _read_youtube),
    ("facebook", ("facebook.com", "fb.com", "fb.watch"), _read_facebook),
    ("instagram", ("instagram.com", "instagr.am"), _read_instagram),
    ("telegram", ("t.me", "telegram.me", "telegram.dog", "telegram.org"), _read_telegram),
    ("tiktok", ("tiktok.com",), _read_tiktok),
    ("weibo", ("weibo.com", "weibo.cn"), _read_weibo),
    ("other", ("threads.net", "threads.com", "bsky.app", "bilibili.com", "b23.tv", "douyin.com",
               "vimeo.com", "reddit.com"), _read_other),
)


def _anchors_in(paras: list[Tag]) -> set[int]:
    """Ids of the anchors inside these paragraphs (cheaper than walking up from each anchor)."""
    return {id(a) for p in paras for a in _find_all(p, "a", MAX_ITEMS * 2)}


def _find_all(el, name, limit: int | None, href: bool = False) -> list:
    """``el.find_all(name, href=True?, limit=limit)`` on either tree: descendants named ``name``
    (a tag name or a tuple of them; with ``href``, holding that attribute) in document order."""
    if type(el) is not _Element:
        name = list(name) if isinstance(name, tuple) else name
        if href:
            return el.find_all(name, href=True, limit=limit)
        return el.find_all(name, limit=limit)
    names = name if isinstance(name, tuple) else (name,)
    out = []
    for d in el.iterdescendants(*names):
        if href and d.get("href") is None:
            continue
        out.append(d)
        if limit is not None and len(out) >= limit:
            break
    return out


def _find(el, name: str):
    """``el.find(name)`` on either tree."""
    if type(el) is _Element:
        return next(el.iterdescendants(name), None)
    return el.find(name)


def _parents(el):
    return el.iterancestors() if type(el) is _Element else el.parents


def _name(el) -> str | None:
    return el.tag if type(el) is _Element else el.name


def _has_attr(el, name: str) -> bool:
    return el.get(name) is not None if type(el) is _Element else el.has_attr(name)


def _attr(el, name: str) -> str:
    """An attribute as one string ('' when absent; multi-valued attributes joined)."""
    if type(el) is _Element:
        v = el.get(name)
        return "" if v is None else v
    if not isinstance(el, Tag):
        return ""
    v = el.get(name)
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return " ".join(str(x) for x in v)
    return str(v)


def _classes(el: Tag) -> set[str]:
    v = el.get("class") if isinstance(el, (Tag, _Element)) else None
    if not v:
        return set()
    if isinstance(v, str):
        v = v.split()
    return {str(c).lower() for c in v}


def _last(it):
    last = None
    for last in it:
        pass
    return last


__all__ = ["extract_social", "extract_social_from_html", "to_contract", "classify_url",
           "PLATFORMS", "CONTRACT_KEYS"]
