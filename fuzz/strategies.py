"""Hypothesis strategies that make article files and synthetic articles.

In: the base corpus (the seed, the hand-written fixtures under tests/fixtures, and the devset
when it sits beside the project; read at run time, never copied). Out: strategies:

- ``random_files``: arbitrary bytes, sometimes behind a valid wrapper or a BOM.
- ``mutated_files``: a base file after 1-4 mutations (cut at any byte, bytes inserted,
  overwritten or deleted, a slice repeated, two files spliced, re-encoded or mixed encodings,
  line ends changed, closing tags or closing quote marks removed, deep unclosed nesting, tag
  soup snippets dropped in).
- ``generated_files``: a wrapper whose every line may be missing or malformed, over a body of
  random nested (often unclosed) HTML with Chinese text, quotes and tweets.
- ``tweet_html``: tweet embeds with any part missing; ``quote_text``: speech with quote marks
  that may never close.
- ``synthetic_articles``: ``model.Article`` records built directly, to drive the stages alone.
- ``file_names``: odd upload names.
"""
from __future__ import annotations

import functools
import html as _html
import pathlib
import re

from hypothesis import strategies as st

from components.model import PARAGRAPH, SUBHEADING, Article, Block, Embed, Link

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SEED_DIR = ROOT / "data" / "samples"
DEVSET = ROOT.parent / "shared" / "devset"
# Base files larger than this are cut, so mutations stay cheap (size is fuzzed separately).
MAX_BASE_BYTES = 60_000
MAX_MUTATED_BYTES = 400_000

# ---------------------------------------------------------------------------------------------
# Alphabets and word lists (general Chinese news vocabulary; no names from the devset)

CJK_COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
              "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
              "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
              "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
              "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
              "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
              "几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器"
              "压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场"
              "國說這與們對會時發經過還說關務華學區軍臺灣陸為從體點長報導當實記編譯")
SPEECH_VERBS = ("说", "表示", "称", "指出", "强调", "认为", "透露", "直言", "說", "表態", "稱",
                "說道", "告诉记者", "接受采访时说", "在声明中说")
ROLES = ("外交部发言人", "北京独立学者", "台湾资深国际媒体人", "美国国务院发言人", "分析人士",
         "总统", "总理", "教授", "经济学家", "研究员", "官员", "发言人", "記者", "學者")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐許張陳黃"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰涛明超秀华平刚桂文辉力龙志國明華"
LATIN_NAMES = ("Matthew Miller", "John Smith", "O'Brien", "Anne-Marie", "X", "Dr. Who")
QUOTE_PAIRS = (("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’"), ('"', '"'), ("《", "》"),
               ("“", "」"), ("「", "”"))
PUNCT = "，。、；：？！（）()—…·\u3000 \t\n"
TAG_SOUP = (
    "<p>", "</p>", "<p", "</", "<", ">", "&", "&amp", "&#", "&#x0;", "&#xD800;", "&#1114112;",
    "&nbsp;", "<br>", "<br/>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0'?>",
    "<!DOCTYPE html>", "<html>", "<head>", "<body>", "</body>", "<script>", "</script>",
    "<style>", "</style>", "<template>", "<noscript>", "<textarea>", "<title>", "<plaintext>",
    "<xmp>", "<iframe>", "<svg>", "<math>", "<table>", "<td>", "<li>", "<ul>", "<figure>",
    "<figcaption>", "<img src=", "<a href=", '<blockquote class="twitter-tweet">', "</blockquote>",
    "<strong>", "</strong>", "<b>", "<h2>", "<select>", "<frameset>", "\x00", "\ufeff", "\u200b",
    "\u2028", "\r", "\r\n", "“", "”", "「", "」", "说：“", "表示：「", "[", "](", ")", "<!--1694702340000-->",
    "------", "\ud7ff", "\U0001f600",
)
# Pieces repeated into long runs (a run of CJK with no punctuation, of openers, of spaces...).
RUN_PIECES = ("中", "国", "·", "中·", "（", "(a", "“", "「", "说", "记者", " ", "a", "@", "#", "<b>",
              "&amp;", "http://", "美国总统", "发言人")
MAX_RUN_CHARS = 30_000
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "gbk", "big5", "utf-16", "utf-16-le", "utf-16-be",
             "utf-32", "cp1252", "latin-1", "shift_jis", "euc-kr", "hz")
TAGS = ("p", "p", "p", "div", "span", "strong", "b", "i", "em", "a", "ul", "ol", "li", "h2",
        "h3", "blockquote", "figure", "figcaption", "img", "table", "tr", "td", "section",
        "article", "br", "iframe", "script", "style", "font", "center", "details", "svg", "form",
        "template", "noscript", "textarea", "select", "object")
CLASSES = ("twitter-tweet", "instagram-media", "tiktok-embed", "fb-post", "result-title",
           "state-published", "image", "embed", "telegram-post", "", "x")
URLS = ("https://www.rfa.org/mandarin/a/b/c-01022023123456.html", "http://example.com/",
        "https://twitter.com/someone/status/1701895427506024767", "https://x.com/a/status/1",
        "https://t.co/AbCd", "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://www.facebook.com/page/posts/123", "https://t.me/channel/5", "javascript:alert(1)",
        "JaVaScRiPt:x", "data:text/html,x", "//cdn.example.com/x.png", "/relative/path", "#frag",
        "", " ", "http://", "https://[::1", "http://a b", "https://%zz", "mailto:a@b.c",
        "https://weibo.com/1234/AbCdEf", "https://www.instagram.com/p/Cabc/", "x" * 300)


def _read_bases() -> list[tuple[str, bytes]]:
    bases: list[tuple[str, bytes]] = []
    paths = sorted(SEED_DIR.glob("*.txt"))
    if FIXTURES.is_dir():
        paths += sorted(p for p in FIXTURES.rglob("*")
                        if p.is_file() and p.suffix in (".txt", ".html", ".htm", ".md"))
    if DEVSET.is_dir():
        paths += sorted(DEVSET.glob("*.txt"))
    for path in paths:
        data = path.read_bytes()[:MAX_BASE_BYTES]
        if path.suffix == ".html" and not data.lstrip().startswith((b"<!DOCTYPE", b"<!doctype",
                                                                    b"<html")):
            # A bare embed fixture: put it behind a wrapper so the loader sees an article.
            data = (b"<!--1694702340000-->\n[fixture](https://example.com/f.html)\n------\n\n"
                    b"<p>\xe6\xad\xa3\xe6\x96\x87</p>" + data)
        bases.append((path.name, data))
    return bases


@functools.lru_cache(maxsize=1)
def base_files() -> tuple[tuple[str, bytes], ...]:
    bases = _read_bases()
    if not bases:  # the project always ships the seed; this is belt and braces
        bases = [("inline.txt", "<!--1694702340000-->\n[标题](https://example.com/a)\n------\n\n"
                  "<p>郭崇伦说：“这是测试。”</p>".encode())]
    return tuple(bases)


# ---------------------------------------------------------------------------------------------
# Text pieces

cjk_text = st.text(alphabet=st.sampled_from(CJK_COMMON + PUNCT), min_size=0, max_size=80)
any_text = st.text(max_size=60)  # every code point hypothesis likes (no surrogates)
mixed_text = st.one_of(cjk_text, cjk_text, any_text,
                       st.text(alphabet=st.sampled_from(CJK_COMMON + PUNCT + "<>&\"'[]()#*_`$\\"),
                               max_size=80))

person = st.one_of(
    st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES),
              st.text(alphabet=st.sampled_from(GIVEN), min_size=1, max_size=2)),
    st.sampled_from(LATIN_NAMES),
    st.builds(lambda s, g, latin: f"{s}{g}（{latin}）", st.sampled_from(SURNAMES),
              st.sampled_from(GIVEN), st.sampled_from(LATIN_NAMES)),
)


@st.composite
def quote_text(draw) -> str:
    """One or more sentences of reported speech; quote marks may be mismatched or never close."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        opener, closer = draw(st.sampled_from(QUOTE_PAIRS))
        role = draw(st.one_of(st.just(""), st.sampled_from(ROLES)))
        who = draw(person)
        verb = draw(st.sampled_from(SPEECH_VERBS))
        colon = draw(st.sampled_from(("：", ":", "，", "")))
        said = draw(mixed_text)
        close = draw(st.sampled_from((closer, closer, closer, "", opener, closer * 3)))
        after = draw(st.sampled_from(("。", "", "，他说。", "”说。", "」")))
        order = draw(st.integers(0, 2))
        if order == 0:
            parts.append(f"{role}{who}{verb}{colon}{opener}{said}{close}{after}")
        elif order == 1:  # quote first, speaker after
            parts.append(f"{opener}{said}{close}{role}{who}{verb}。")
        else:  # a bare opener with no speaker and no end
            parts.append(f"{opener * draw(st.integers(1, 5))}{said}")
    return "".join(parts)


def _esc(text: str, escape: bool) -> str:
    return _html.escape(text, quote=False) if escape else text


# ---------------------------------------------------------------------------------------------
# Tweets with any part missing

@st.composite
def tweet_html(draw) -> str:
    host = draw(st.sampled_from(("twitter.com", "x.com", "mobile.twitter.com", "evil.example",
                                 "")))
    handle = draw(st.one_of(st.just(""), st.from_regex(r"[A-Za-z0-9_]{1,20}", fullmatch=True),
                            any_text))
    status = draw(st.one_of(st.integers(0, 2**70).map(str), st.just(""), any_text))
    cls = draw(st.sampled_from(("twitter-tweet", "twitter-video", "twitter-tweet tw-align-center",
                                "TWITTER-TWEET", "")))
    pieces = []
    if draw(st.booleans()):  # the post text
        lang = draw(st.sampled_from(("", ' lang="zh"', ' lang="en"', ' lang=""', " lang")))
        body = _esc(draw(mixed_text), draw(st.booleans()))
        extras = []
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.integers(0, 4))
            if kind == 0:
                extras.append(f'<a href="https://{host}/hashtag/{draw(cjk_text)}?src=hash">'
                              f'#{_esc(draw(cjk_text), True)}</a>')
            elif kind == 1:
                extras.append(f'<a href="https://t.co/{draw(any_text)}">pic.twitter.com/x</a>')
            elif kind == 2:
                extras.append("<br/>")
            elif kind == 3:
                extras.append(f'<a href="https://{host}/{handle}">@{_esc(handle, True)}</a>')
            else:
                extras.append(f'<a href="{draw(st.sampled_from(URLS))}">{draw(cjk_text)}</a>')
        closing = "</p>" if draw(st.booleans()) else ""
        pieces.append(f"<p{lang}>{body}{''.join(extras)}{closing}")
    if draw(st.booleans()):  # the author line
        dash = draw(st.sampled_from(("— ", "&mdash; ", "-- ", "")))
        author = _esc(draw(mixed_text), True)
        at = f"(@{handle})" if draw(st.booleans()) else handle
        pieces.append(f"{dash}{author} {at}")
    if draw(st.booleans()):  # the status link with the date
        path = draw(st.sampled_from((f"/{handle}/status/{status}", f"/i/web/status/{status}",
                                     f"/{handle}", "/status/", "")))
        query = draw(st.sampled_from(("", "?ref_src=twsrc%5Etfw", "?s=20&t=abc")))
        date = draw(st.one_of(st.sampled_from(("September 13, 2023", "2023年9月13日",
                                               "Feb 30, 2023", "13 septembre 2023", "")),
                              any_text))
        pieces.append(f'<a href="https://{host}{path}{query}">{_esc(date, True)}</a>')
    order = draw(st.permutations(pieces)) if draw(st.booleans()) else pieces
    close = "</blockquote>" if draw(st.integers(0, 4)) else ""
    script = ('<script async src="https://platform.twitter.com/widgets.js"></script>'
              if draw(st.booleans()) else "")
    return f'<blockquote class="{cls}">{"".join(order)}{close}{script}'


# ---------------------------------------------------------------------------------------------
# Random (often unclosed) HTML

@st.composite
def _attrs(draw) -> str:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(("class", "href", "src", "alt", "lang", "style", "onerror",
                                     "data-telegram-post", "srcdoc", "data-href", "id", "x")))
        if name == "class":
            value = draw(st.sampled_from(CLASSES))
        elif name in ("href", "src", "data-href"):
            value = draw(st.sampled_from(URLS))
        else:
            value = draw(mixed_text)
        quote = draw(st.sampled_from(('"', "'", "")))
        out.append(f" {name}={quote}{_html.escape(value) if quote else value.replace(' ', '')}"
                   f"{quote}")
    return "".join(out)


def _element(tag: str, attrs: str, children: list[str], close: bool) -> str:
    inner = "".join(children)
    return f"<{tag}{attrs}>{inner}</{tag}>" if close else f"<{tag}{attrs}>{inner}"


_leaf = st.one_of(
    mixed_text.map(lambda t: _html.escape(t, quote=False)),
    cjk_text,
    quote_text(),
    st.sampled_from(TAG_SOUP),
    tweet_html(),
)
html_fragment = st.recursive(
    _leaf,
    lambda children: st.builds(_element, st.sampled_from(TAGS), _attrs(),
                               st.lists(children, max_size=5),
                               st.sampled_from((True, True, True, False))),
    max_leaves=16,
)
html_body = st.lists(html_fragment, min_size=0, max_size=6).map("".join)


# ---------------------------------------------------------------------------------------------
# Whole files

@st.composite
def _wrapper(draw) -> str:
    lines = []
    if draw(st.integers(0, 3)):
        stamp = draw(st.one_of(
            st.integers(10**11, 2 * 10**12).map(str),  # plausible milliseconds
            st.integers(-10**20, 10**20).map(str),
            st.integers(0, 10**40).map(str),
            any_text,
        ))
        lines.append(draw(st.sampled_from(("<!--{}-->", "<!-- {} -->", "<!--{}", "{}-->",
                                           "<!---->"))).format(stamp))
    if draw(st.integers(0, 3)):
        title = draw(st.one_of(cjk_text, mixed_text, quote_text()))
        url = draw(st.one_of(st.sampled_from(URLS), any_text))
        lines.append(draw(st.sampled_from(("[{t}]({u})", "[{t}]({u}", "{t}]({u})", "[{t}]",
                                           "[[{t}]]({u})", " [{t}]({u}) "))).format(t=title,
                                                                                   u=url))
    if draw(st.integers(0, 3)):
        lines.append(draw(st.sampled_from(("------", "---", "--", "======", "- - -", ""))))
    if draw(st.booleans()):
        lines.append("")
    return "\n".join(lines) + "\n"


@st.composite
def generated_files(draw) -> bytes:
    text = draw(_wrapper()) + draw(html_body)
    if draw(st.integers(0, 4)) == 0:  # a saved web page instead
        text = ("<!DOCTYPE html><html><head><title>" + _html.escape(draw(cjk_text)) +
                "</title><meta property=\"og:title\" content=\"" + _html.escape(draw(mixed_text)) +
                "\"><meta property=\"article:published_time\" content=\"" +
                _html.escape(draw(st.one_of(st.just("2023-09-14T14:39:00+08:00"), any_text))) +
                "\"></head><body><article>" + draw(html_body) + "</article></body></html>")
    encoding = draw(st.sampled_from(("utf-8",) * 6 + ENCODINGS))
    return text.encode(encoding, "replace")


@st.composite
def random_files(draw) -> bytes:
    raw = draw(st.binary(max_size=4096))
    prefix = draw(st.sampled_from((b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff",
                                   b"<!--1694702340000-->\n[t](https://example.com/)\n---\n\n",
                                   b"<html><head>", b"<p>")))
    return prefix + raw


# -- mutations ---------------------------------------------------------------------------------

def _reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", "replace").encode(encoding, "replace")


@st.composite
def _mutate(draw, data: bytes) -> bytes:
    n = len(data)
    i = draw(st.integers(0, n))
    kind = draw(st.integers(0, 15))
    if kind == 0:  # cut at any byte
        return data[:i]
    if kind == 1:  # cut a range out
        j = draw(st.integers(i, n))
        return data[:i] + data[j:]
    if kind == 2:  # insert random bytes
        return data[:i] + draw(st.binary(min_size=1, max_size=64)) + data[i:]
    if kind == 3:  # overwrite
        chunk = draw(st.binary(min_size=1, max_size=32))
        return data[:i] + chunk + data[i + len(chunk):]
    if kind == 4:  # flip one byte
        if n == 0:
            return data
        i = min(i, n - 1)
        return data[:i] + bytes([data[i] ^ draw(st.integers(1, 255))]) + data[i + 1:]
    if kind == 5:  # repeat a slice (bounded)
        j = draw(st.integers(i, min(n, i + 2000)))
        times = draw(st.integers(2, 200))
        return (data[:i] + data[i:j] * times + data[j:])[:MAX_MUTATED_BYTES]
    if kind == 6:  # splice with another file
        _, other = draw(st.sampled_from(base_files()))
        j = draw(st.integers(0, len(other)))
        return data[:i] + other[j:]
    if kind == 7:  # re-encode the whole file
        return _reencode(data, draw(st.sampled_from(ENCODINGS)))
    if kind == 8:  # mixed encodings: head in one, tail in another
        text = data.decode("utf-8", "replace")
        k = draw(st.integers(0, len(text)))
        a, b = draw(st.sampled_from(ENCODINGS)), draw(st.sampled_from(ENCODINGS))
        return text[:k].encode(a, "replace") + text[k:].encode(b, "replace")
    if kind == 9:  # line ends
        return data.replace(b"\n", draw(st.sampled_from((b"\r\n", b"\r", b"\n\n", b"\x85"))))
    if kind == 10:  # unclosed HTML: drop every closing tag
        return re.sub(rb"</[A-Za-z0-9]+\s*>", b"", data)
    if kind == 11:  # quotes that never close
        for closer in ("”", "」", "』", "’"):
            data = data.replace(closer.encode(), b"")
        return data
    if kind == 12:  # deep nesting, unclosed
        tag = draw(st.sampled_from((b"<div>", b"<span>", b"<b>", b"<blockquote>", b"<p><div>",
                                    b"<ul><li>", b"<table><tr><td>", b"<font>")))
        depth = draw(st.integers(1, 3000))
        closed = draw(st.booleans())
        close = b""
        if closed:
            close = b"".join(b"</" + t.split(b">")[0] + b">"
                             for t in reversed(tag.split(b"<")[1:])) * depth
        return data[:i] + tag * depth + data[i:] + close
    if kind == 13:  # tag soup snippets
        out = data
        for _ in range(draw(st.integers(1, 8))):
            j = draw(st.integers(0, len(out)))
            out = out[:j] + draw(st.sampled_from(TAG_SOUP)).encode("utf-8", "surrogatepass") + out[j:]
        return out
    if kind == 14:  # a long run of one piece: finds regexes that backtrack quadratically
        piece = draw(st.sampled_from(RUN_PIECES))
        times = draw(st.integers(100, MAX_RUN_CHARS)) // len(piece)
        return data[:i] + (piece * times).encode("utf-8") + data[i:]
    # 15: a BOM that may not match the encoding
    return draw(st.sampled_from((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00",
                                 b"\x00\x00\xfe\xff"))) + data


@st.composite
def mutated_files(draw) -> bytes:
    _, data = draw(st.sampled_from(base_files()))
    for _ in range(draw(st.integers(1, 4))):
        data = draw(_mutate(data))
    return data[:MAX_MUTATED_BYTES]


any_file = st.one_of(random_files(), mutated_files(), mutated_files(), generated_files())

file_names = st.one_of(
    st.sampled_from(("a.txt", "article.html", "x.md", "", ".txt", "../../etc/passwd",
                     "名字.txt", "a" * 300 + ".txt", "con.txt", "a\x00b.txt", "<script>.txt")),
    any_text,
)


# ---------------------------------------------------------------------------------------------
# Synthetic articles for the stages alone

block_text = st.one_of(cjk_text, mixed_text, quote_text(), quote_text(),
                       st.lists(quote_text(), max_size=5).map("".join)).filter(
    lambda t: bool(t.strip()))


@st.composite
def synthetic_articles(draw) -> Article:
    blocks = draw(st.lists(st.builds(Block, st.sampled_from((PARAGRAPH, PARAGRAPH, SUBHEADING)),
                                     block_text), max_size=15))
    n = len(blocks)
    title = draw(st.one_of(st.none(), block_text))
    links = draw(st.lists(st.builds(Link, st.one_of(st.none(), st.integers(0, max(0, n - 1))),
                                    st.sampled_from(URLS[:8] + URLS[-5:-1]), cjk_text,
                                    st.booleans()), max_size=5)) if n else []
    embeds = draw(st.lists(st.builds(Embed, st.integers(0, n), st.one_of(tweet_html(),
                                                                         html_fragment)),
                           max_size=4))
    script = draw(st.sampled_from((None, "simplified", "traditional")))
    return Article(source="synthetic.txt", id="0123456789abcdef", content_hash="0" * 64,
                   url=draw(st.sampled_from((None, URLS[0], URLS[1]))), title=title,
                   published=None, outlet=None, section=None, script=script, blocks=blocks,
                   links=links, embeds=embeds)


social_html = st.one_of(html_body, st.lists(tweet_html(), max_size=5).map("".join),
                        st.text(max_size=500))
