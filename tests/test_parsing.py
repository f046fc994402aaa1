"""The loader: exact values on the seed and the devset, encodings, wrappers and broken input."""
from __future__ import annotations

import datetime as dt
import zlib

import pytest

from components.model import PARAGRAPH, SUBHEADING, ArticleError
from components.parsing import (outlet_for, parse_article, parse_byline, section_for)

from .conftest import SEED, devset_files, gold_for

SEED_URL = "https://www.rfa.org/mandarin/yataibaodao/junshiwaijiao/hx1-09142023102355.html"


@pytest.fixture(scope="module")
def seed():
    return parse_article(SEED.read_bytes(), SEED.name)


# ---------------------------------------------------------------------------------------------
# The seed, value by value (issue 2, "Expected on the seed")

def test_seed_wrapper(seed):
    assert seed.published == "2023-09-14T14:39:00Z"
    assert seed.url == SEED_URL
    assert seed.title == "朝俄加强军事关系\u3000中国态度暧昧含糊"
    assert seed.outlet == "RFA"
    assert seed.section == "yataibaodao/junshiwaijiao"
    assert seed.script == "simplified"
    assert seed.encoding == "utf-8"
    assert seed.warnings == []


def test_seed_byline(seed):
    assert seed.byline == {"reporter": ["夏小华"], "editor": ["许书婷", "何平"],
                           "web_editor": ["瑞哲"]}


def test_seed_subheadings_in_place(seed):
    assert seed.subheadings == ["金普会后 美国批准向韩国出售F-35战机", "中、俄、朝结盟？学者：中国另有打算"]
    kinds = [b.kind for b in seed.blocks]
    assert kinds.index(SUBHEADING) == 7
    assert kinds.count(SUBHEADING) == 2


def test_seed_related(seed):
    assert seed.related == [
        {"title": "中国副总理将访朝\u3000尹锡悦促北京就朝核威胁做更多",
         "url": "https://www.rfa.org/mandarin/Xinwen/10-09072023164003.html"},
        {"title": "回应美韩军演\u3000朝鲜发动战术核攻击演习",
         "url": "https://www.rfa.org/mandarin/Xinwen/1-08312023104948.html"},
    ]


def test_seed_images(seed):
    assert len(seed.images) == 1
    image = seed.images[0]
    assert image.caption.startswith("朝鲜中央通讯社发布的图片中")
    assert image.credit == "REUTERS"
    assert image.src.startswith("https://www.rfa.org/mandarin/yataibaodao/junshiwaijiao/")
    assert image.src.endswith(".jpeg")


def test_seed_paragraphs(seed):
    paragraphs = seed.paragraphs
    assert len(paragraphs) == 18
    assert paragraphs[0].startswith("近日，朝鲜领导人金正恩高调到访俄罗斯。")
    assert paragraphs[-1].startswith("刘德海认为，中朝还是政治关系为主")
    for text in paragraphs:
        assert text.strip()
        assert "RFA_Chinese" not in text and "pic.twitter.com" not in text  # no tweet text
        assert "记者：" not in text and "责编" not in text  # no byline
        assert "via REUTERS" not in text  # no caption
    assert all(b.kind in (PARAGRAPH, SUBHEADING) for b in seed.blocks)


def test_seed_embeds_are_kept_for_the_social_stage(seed):
    assert [e.position for e in seed.embeds] == [4, 15]
    assert all('class="twitter-tweet"' in e.html for e in seed.embeds)


def test_seed_identity_is_stable(seed):
    again = parse_article(SEED.read_bytes(), "renamed.txt")
    assert again.id == seed.id
    assert len(seed.id) == 16
    assert seed.content_hash == again.content_hash


# ---------------------------------------------------------------------------------------------
# The devset gold fields this issue covers

@pytest.mark.parametrize("path", devset_files(), ids=lambda p: p.stem)
def test_devset_metadata(path):
    gold = gold_for(path)
    article = parse_article(path.read_bytes(), path.name)
    published = dt.datetime.fromtimestamp(gold["published_ms"] / 1000, dt.timezone.utc)
    assert article.url == gold["url"]
    assert article.title == gold["title"]
    assert article.published == published.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert article.script == gold["script"]
    if gold["byline"] is None:
        assert article.staff_names == set()
    else:
        assert article.byline["reporter"] == gold["byline"]["reporter"]
        # The gold has one editor list; the contract separates web editors.
        assert article.byline["editor"] + article.byline["web_editor"] == gold["byline"]["editor"]
    for text in article.paragraphs:
        assert not any(name in text for name in article.staff_names if len(name) > 1) or \
            len(text) > 40


def test_devset_is_present_or_skipped(devset):
    assert len(devset) >= 6


# ---------------------------------------------------------------------------------------------
# Addresses

@pytest.mark.parametrize("url, outlet, section", [
    (SEED_URL, "RFA", "yataibaodao/junshiwaijiao"),
    ("https://www.rfa.org/mandarin/yataibaodao/junshiwaijiao/2025/03/04/china-russia-drill/",
     "RFA", "yataibaodao/junshiwaijiao"),
    ("https://www.rfa.org/mandarin/Xinwen/10-09072023164003.html", "RFA", "Xinwen"),
    ("https://www.voachinese.com/a/us-gop-senator-taiwan-strait-military-balance-20201007/"
     "5613410.html", "VOA", None),
    ("https://www.bbc.com/zhongwen/trad/business-66668559", "BBC", "business"),
    ("https://www.cna.com.tw/news/aopl/202308230260.aspx", "CNA", "aopl"),
    ("https://news.example.org/world/asia/story.html", "news.example.org", "world/asia"),
    (None, None, None),
])
def test_outlet_and_section(url, outlet, section):
    assert outlet_for(url) == outlet
    assert section_for(url) == section


# ---------------------------------------------------------------------------------------------
# Bylines

@pytest.mark.parametrize("text, expected", [
    ("记者：夏小华    责编：许书婷 何平    网编：瑞哲",
     {"reporter": ["夏小华"], "editor": ["许书婷", "何平"], "web_editor": ["瑞哲"]}),
    ("記者：夏小華    責編：許書婷    網編：瑞哲",
     {"reporter": ["夏小華"], "editor": ["許書婷"], "web_editor": ["瑞哲"]}),
    ("自由亚洲电台记者陈品洁华盛顿报道   责编：申铧   网编：洪伟",
     {"reporter": ["陈品洁"], "editor": ["申铧"], "web_editor": ["洪伟"]}),
    ("自由亚洲电台记者 夏小华  台北报导        责编   胡力汉   许书婷",
     {"reporter": ["夏小华"], "editor": ["胡力汉", "许书婷"], "web_editor": []}),
    ("譯者：王嘉語/核稿：嚴思祺", {"reporter": ["王嘉語"], "editor": ["嚴思祺"], "web_editor": []}),
    ("普京向记者表示，他看到了合作的可能性。", None),
    ("这是一段普通的文字", None),
])
def test_parse_byline(text, expected):
    assert parse_byline(text) == expected


def test_trailing_byline_is_cut_from_the_paragraph():
    body = "<p>（中央社台北1日電）今天天氣很好。（譯者：王嘉語/核稿：嚴思祺）1120823</p>"
    article = parse_article(_wrap(body), "x.txt")
    assert article.paragraphs == ["（中央社台北1日電）今天天氣很好。"]
    assert article.byline["reporter"] == ["王嘉語"]
    assert article.script == "traditional"


# ---------------------------------------------------------------------------------------------
# Encodings and line ends

def _wrap(body: str, stamp: str = "1694702340000", title: str = "测试标题",
          url: str = "https://www.rfa.org/mandarin/test/sub/a-09142023102355.html") -> bytes:
    return f"<!--{stamp}-->\n[{title}]({url})\n------\n\n{body}".encode("utf-8")


SIMPLIFIED_TEXT = SEED.read_text(encoding="utf-8") if SEED.exists() else ""


@pytest.mark.parametrize("encoding, expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8"),
    ("utf-16", "utf-16-le"),
    ("utf-16-be", "utf-16-be"),
    ("gb18030", "gb18030"),
])
def test_encodings_simplified(seed, encoding, expected):
    data = SIMPLIFIED_TEXT.encode(encoding)
    article = parse_article(data, "seed.txt")
    assert article.encoding == expected
    assert article.title == seed.title
    assert article.paragraphs == seed.paragraphs
    assert article.id == seed.id


def test_big5_traditional():
    text = _wrap("<p>美國國務院發言人表示，臺灣的民主值得肯定。中國外交部對此回應。</p>"
                 "<p>記者：王小明</p>", title="臺灣民主").decode("utf-8")
    article = parse_article(text.encode("big5"), "big5.txt")
    assert article.encoding == "big5"
    assert article.title == "臺灣民主"
    assert article.script == "traditional"
    assert article.byline["reporter"] == ["王小明"]


def test_crlf_line_ends(seed):
    data = SIMPLIFIED_TEXT.replace("\n", "\r\n").encode("utf-8")
    article = parse_article(data, "crlf.txt")
    assert article.published == seed.published
    assert article.title == seed.title
    assert article.paragraphs == seed.paragraphs


# ---------------------------------------------------------------------------------------------
# Missing or broken wrapper pieces give nulls, not crashes

def test_body_only():
    article = parse_article("<p>朝鲜领导人金正恩高调到访俄罗斯。</p>".encode(), "body.html")
    assert (article.url, article.title, article.published, article.outlet) == (None, None, None, None)
    assert article.paragraphs == ["朝鲜领导人金正恩高调到访俄罗斯。"]
    assert "the file gives no publication time" in article.warnings
    # Without a URL the identity is the content.
    assert article.id == parse_article("<p>朝鲜领导人金正恩高调到访俄罗斯。</p>".encode(), "b").id


def test_malformed_timestamp_loads_with_warning():
    article = parse_article(_wrap("<p>正文。</p>", stamp="yesterday"), "bad-time.txt")
    assert article.published is None
    assert article.title == "测试标题"
    assert any("not an epoch timestamp" in w for w in article.warnings)


def test_no_comment_line():
    data = "[标题](https://www.rfa.org/mandarin/a/b/c-01012024000000.html)\n---\n\n<p>正文。</p>"
    article = parse_article(data.encode(), "x.txt")
    assert article.published is None and article.title == "标题" and article.paragraphs == ["正文。"]


def test_non_http_link_is_not_kept():
    article = parse_article(_wrap("<p>正文。</p>", url="javascript:alert(1)"), "x.txt")
    assert article.url is None
    assert article.title == "测试标题"


def test_unclosed_html_still_reads():
    article = parse_article(_wrap("<p>第一段<p>第二段<div><b>粗体"), "x.txt")
    assert article.paragraphs[:2] == ["第一段", "第二段"]


def test_scripts_and_styles_are_never_text():
    body = "<p>正文。</p><script>alert('x')</script><style>p{color:red}</style><p>第二段。</p>"
    article = parse_article(_wrap(body), "x.txt")
    assert article.paragraphs == ["正文。", "第二段。"]


# ---------------------------------------------------------------------------------------------
# Files that are not articles: a clear message each

@pytest.mark.parametrize("data, message", [
    (b"", "the file is empty"),
    (b"   \n\n  ", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n" + zlib.compress(b"x" * 100), "this is a PNG image, not an article text file"),
    (b"%PDF-1.7\n...", "this is a PDF document, not an article text file"),
    (b"<html><body><div><span></span></div></body></html>", "no article text was found"),
    (b"<p></p><p><span class='result-title'> </span></p>", "no article text was found"),
    (b"\x00\x01\x02\x03" * 50, "binary file"),
])
def test_not_an_article(data, message):
    with pytest.raises(ArticleError, match=message):
        parse_article(data, "bad.txt")


def test_oversized_file_is_refused():
    from components import parsing
    with pytest.raises(ArticleError, match="MB are not accepted"):
        parse_article(b"a" * (parsing.MAX_ARTICLE_BYTES + 1), "big.txt")


# ---------------------------------------------------------------------------------------------
# Saved web pages

PAGE = """<!DOCTYPE html><html><head><title>旧标题 - 新闻网</title>
<meta property="og:title" content="美国国务院回应朝俄峰会">
<meta property="article:published_time" content="2023-09-14T22:39:00+08:00">
<link rel="canonical" href="https://www.example-news.com/world/2023/09/14/story.html">
</head><body><nav><a href="/">首页</a><a href="/world">国际</a></nav>
<article><h1>美国国务院回应朝俄峰会</h1>
<p>美国国务院发言人米勒（Matthew Miller）星期四表示，美国对朝俄军事合作深表关切，并将与盟友密切协调。</p>
<p>米勒说：“当你看到金正恩誓言为俄罗斯提供全面支持时，这令人相当不安。”分析人士认为，这次会面可能改变地区安全格局。</p>
<p>韩国总统尹锡悦此前也呼吁国际社会对朝鲜的挑衅行为作出一致回应，中国外交部则表示这是两国之间的事情。</p>
<blockquote class="twitter-tweet"><p lang="en">Statement on DPRK-Russia talks.</p>&mdash; Department of State (@StateDept)
<a href="https://twitter.com/StateDept/status/1702000000000000001">September 14, 2023</a></blockquote>
</article><footer>版权所有 © 新闻网</footer></body></html>"""


def test_full_page():
    article = parse_article(PAGE.encode("utf-8"), "page.html")
    assert article.kind == "page"
    assert article.title == "美国国务院回应朝俄峰会"
    assert article.url == "https://www.example-news.com/world/2023/09/14/story.html"
    assert article.published == "2023-09-14T14:39:00Z"
    assert any(p.startswith("美国国务院发言人米勒") for p in article.paragraphs)
    assert not any("版权所有" in p or p == "首页" for p in article.paragraphs)
    assert len(article.embeds) == 1 and "StateDept" in article.embeds[0].html


# ---------------------------------------------------------------------------------------------
# Datelines, dates in addresses, links written as text

@pytest.mark.parametrize("text, reporters", [
    ("（中央社記者吳家豪台北21日電）行政院今天表示。", ["吳家豪"]),
    ("（中央社記者王嘉語、陳家倫華盛頓20日專電）美國國務院表示。", ["王嘉語", "陳家倫"]),
    ("（記者王小明／台北報導）立法院今天三讀。", ["王小明"]),
    ("（中央社雪梨23日綜合外電報導）庫克群島總理表示。", []),
])
def test_dateline_reporter(text, reporters):
    article = parse_article(_wrap(f"<p>{text}</p>"), "x.txt")
    assert article.byline["reporter"] == reporters
    assert article.paragraphs == [text]  # the dateline stays part of the text


@pytest.mark.parametrize("url, published", [
    ("https://www.rfi.fr/tw/中國/20240506-習近平訪法", "2024-05-06T12:00:00Z"),
    ("https://www.rfa.org/mandarin/yataibaodao/2025/03/04/slug/", "2025-03-04T12:00:00Z"),
    ("https://www.cna.com.tw/news/aopl/202308230260.aspx", None),
])
def test_day_from_the_address_when_the_wrapper_has_no_time(url, published):
    data = f"[标题]({url})\n---\n\n<p>正文。</p>".encode()
    article = parse_article(data, "x.txt")
    assert article.published == published
    assert any("publication time" in w for w in article.warnings)


def test_dw_slug_is_not_a_section():
    assert section_for("https://www.dw.com/zh/香港立法会通过基本法23条立法/a-68611284") is None


def test_plain_text_url_becomes_a_link():
    body = "<p>总统府发布了照片：https://x.com/President_KR/status/1636281945517752320</p>"
    article = parse_article(_wrap(body), "x.txt")
    assert [(link.block, link.url) for link in article.links] == [
        (0, "https://x.com/President_KR/status/1636281945517752320")]


def test_lead_byline_with_de_baodao():
    assert parse_byline("自由亚洲电台记者梅琳的报道") == {
        "reporter": ["梅琳"], "editor": [], "web_editor": []}


@pytest.mark.parametrize("caption, credit", [
    ("中国海警人员手持刀具靠近菲方船只。（路透社）", "路透社"),
    ("Protesters in Hong Kong. (AP)", "AP"),
    ("金正恩会见普京。（via REUTERS）", "REUTERS"),
    ("没有来源的说明", None),
])
def test_caption_credit(caption, credit):
    body = f'<figure><img src="https://img.example.com/a.jpg"/><figcaption>{caption}</figcaption></figure><p>正文。</p>'
    article = parse_article(_wrap(body), "x.txt")
    assert [(i.caption, i.credit) for i in article.images] == [(caption, credit)]


def test_page_figure_outside_furniture_is_kept():
    page = PAGE.replace("</article>", '<figure><img src="https://img.example.com/b.jpg"/>'
                        "<figcaption>会谈现场。（法新社）</figcaption></figure></article>"
                        '<aside><figure><img src="https://img.example.com/ad.jpg"/>'
                        "<figcaption>广告</figcaption></figure></aside>")
    article = parse_article(page.encode(), "page.html")
    assert [(i.src, i.credit) for i in article.images] == [("https://img.example.com/b.jpg", "法新社")]


@pytest.mark.parametrize("prefix", ["", "<!DOCTYPE html>"],
                         ids=["lxml tree", "BeautifulSoup fallback"])
@pytest.mark.parametrize("invisible", ["\x01\x02", "\u200b\u3000", "\x7f \xad", "\ufeff\u2028"])
def test_paragraphs_of_invisible_characters_are_dropped(prefix, invisible):
    body = f"{prefix}<p>{invisible}</p><p>第一段。</p><p>{invisible}</p><p>第二段\ufffd。</p>"
    article = parse_article(_wrap(body), "invisible.txt")
    assert article.paragraphs == ["第一段。", "第二段\ufffd。"]


@pytest.mark.parametrize("mark", [b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"],
                         ids=["utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_wrong_utf16_or_32_mark_in_front_of_utf8_is_read_as_utf8(mark):
    data = _wrap("<p>第一段：台湾与美国。</p>")
    article = parse_article(mark + data, "marked.txt")
    assert article.encoding == "utf-8"
    assert article.title == "测试标题"
    assert article.paragraphs == ["第一段：台湾与美国。"]
    # The real thing is still read as what its mark says.
    text = data.decode("utf-8")
    assert parse_article(mark + text.encode({b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be",
                                             b"\xff\xfe\x00\x00": "utf-32-le"}[mark]),
                         "real.txt").paragraphs == ["第一段：台湾与美国。"]


# ---------------------------------------------------------------------------------------------
# The loader's shortcuts give what the general walk gives

from hypothesis import given, settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from components import _lxmlbody  # noqa: E402
from components import parsing as _parsing  # noqa: E402
from components.model import Article  # noqa: E402
from components.textutil import SCRIPT_SAMPLE_CHARS, _script_classes, detect_script  # noqa: E402,E501


def _read(html: str, how: str):
    """(blocks, links, embeds, warnings, images, related, byline) of a body read by the
    plain-paragraph shortcut ('plain'), the lxml tree ('tree') or BeautifulSoup ('soup')."""
    article = Article(source="t.txt", id="", content_hash="", url="https://www.rfa.org/x.html",
                      title="t", published=None, outlet=None, section=None, script=None,
                      encoding="utf-8", warnings=[])
    if how == "soup":
        soup = _parsing._soup(html)
        _parsing._BodyReader(article, article.url).walk(soup.body or soup)
    else:
        took = _lxmlbody.read_fragment(article, html)
        assert took, "the lxml reader handed this body back"
    return ([(b.kind, b.text) for b in article.blocks], article.links, article.embeds,
            article.warnings, article.images, article.related, dict(article.byline))


def _tree_only(html: str):
    real = _lxmlbody._plain_paragraphs
    _lxmlbody._plain_paragraphs = lambda _html: None
    try:
        return _read(html, "tree")
    finally:
        _lxmlbody._plain_paragraphs = real


# Characters where a text slice and libxml2's text node could part ways: blanks of every kind,
# controls (libxml2 drops some), a carriage return, markup and reference starts, a non-character,
# bylines, datelines and link text.
TRICKY_TEXT = st.lists(st.sampled_from(
    list("中文记者报道。：，」a >") + ["\t", "\n", "\r", "\x0c", "\x01", "\x7f", "\x85", "\xa0",
                                        "\u3000", "\u200b", "\ufeff", "\ufffe", "<", "&",
                                        "http://x.y", "（记者", "华盛顿报道）", "自由亚洲电台"]),
    max_size=30).map("".join)
PLAIN_BODY_PARAGRAPHS = st.lists(st.tuples(st.sampled_from(["", "strong", "b"]), TRICKY_TEXT,
                                           st.sampled_from(["", "\n", " \t\n", "\n\n"])),
                                 min_size=1, max_size=6)


@pytest.mark.parametrize("html, shortcut", [
    ("<p>第一段。</p>\n<p>第二段</p>", True),
    ("\n<p><strong>小标题</strong></p><p>正文。</p>\n", True),
    ("<p>（记者张三华盛顿报道）</p><p></p><p><b></b></p>", True),
    ("<p>有&amp;符号。</p>", False),  # a reference: libxml2 decodes it, the tree reads it
    ("<p class='x'>属性。</p>", False),
    ("<p>一</p>文字<p>二</p>", False),  # text between paragraphs
    ("<p><strong>粗</strong>体</p>", False),
])
def test_plain_paragraph_bodies_skip_the_tree_and_read_the_same(html, shortcut):
    assert (_lxmlbody._plain_paragraphs(html) is not None) is shortcut
    assert _read(html, "plain") == _tree_only(html)


@hsettings(max_examples=300, deadline=None)
@given(PLAIN_BODY_PARAGRAPHS)
def test_any_paragraph_body_reads_the_same_with_and_without_the_shortcut(paragraphs):
    html = "".join(f"<p><{tag}>{text}</{tag}></p>{gap}" if tag else f"<p>{text}</p>{gap}"
                   for tag, text, gap in paragraphs)
    assert _read(html, "plain") == _tree_only(html)
    if _lxmlbody._plain_paragraphs(html) is not None:  # and as BeautifulSoup reads it
        assert _read(html, "plain") == _read(html, "soup")


def _script_by_counting(text: str) -> str | None:
    """The reference rule: more Traditional-only than Simplified-only characters in the
    sample -> Traditional."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if not any("\u4e00" <= ch <= "\u9fff" for ch in sample):
        return None
    traditional_re, simplified_re = _script_classes()
    return ("traditional" if len(traditional_re.findall(sample))
            > len(simplified_re.findall(sample)) else "simplified")


@hsettings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("们这说国為這說國體中文。a ")), max_size=60))
def test_script_detection_stops_early_with_the_counting_answer(text):
    assert detect_script(text) == _script_by_counting(text)
