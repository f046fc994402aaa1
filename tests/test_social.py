"""The social stage: embedded posts and bare links to posts, with exact expected fields.

Fixtures under tests/fixtures/social/ are hand-written embed codes, one file per platform; the
seed and the devset (read in place, never copied) check the tweets end to end through the loader.
"""
from __future__ import annotations

import dataclasses
import pathlib

import pytest
from .conftest import SEED, gold_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components import social
from components.model import Article, Embed, Link, SocialRef
from components.parsing import parse_article
from components.social import (CONTRACT_KEYS, classify_url, extract_social,
                               extract_social_from_html, to_contract)

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "social"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def brief(ref: SocialRef) -> dict:
    """Every field but text/position/embedded, for compact exact comparisons."""
    d = dataclasses.asdict(ref)
    for k in ("position", "embedded"):
        d.pop(k)
    return d


# ---------------------------------------------------------------------------------------------
# The seed


SEED_TEXT_2 = ("【#普京：#俄中关系 达到绝对前所未有的历史水平】\n俄罗斯总统普京与中国副总理 #张国i清 会面，"
               "并计划在10月第三届“#一带一路”高峰论坛期间访问中国。 pic.twitter.com/iSMwQazKH3")


def test_seed_tweets_from_html():
    refs = extract_social_from_html(SEED.read_text(encoding="utf-8"))
    assert [r.platform for r in refs] == ["twitter", "twitter"]
    first, second = refs
    assert first.post_id == "1701895427506024767"
    assert second.post_id == "1702069050359394378"
    for r in refs:
        assert r.handle == "RFA_Chinese"
        assert r.author == "自由亚洲电台"
        assert r.posted == "2023-09-13"
        assert r.language == "zh"
        assert r.links == []
        assert r.mentions == []
        assert r.position is None
    assert first.url == "https://twitter.com/RFA_Chinese/status/1701895427506024767"
    assert first.hashtags == ["朝鲜", "金正恩", "俄罗斯", "普京"]
    assert second.hashtags == ["普京", "俄中关系", "张国i清", "一带一路"]
    assert first.media == ["https://pic.twitter.com/Fg1Z6VFp3D"]
    assert second.media == ["https://pic.twitter.com/iSMwQazKH3"]
    assert first.text.startswith("【金正恩访俄参观东方航天发射场】\n【金正恩：支持俄罗斯的“神圣战争”】\n"
                                 "【普京：会协助朝鲜发展卫星】#朝鲜 领导人 #金正恩 4年来首次访问 #俄罗斯，")
    assert first.text.endswith("与俄罗斯总统 #普京… pic.twitter.com/Fg1Z6VFp3D")
    assert second.text == SEED_TEXT_2


def test_seed_through_loader_positions_and_contract(seed_bytes):
    article = parse_article(seed_bytes, SEED.name)
    refs = extract_social(article)
    assert [(r.platform, r.post_id, r.position, r.embedded) for r in refs] == [
        ("twitter", "1701895427506024767", 4, True),  # after the 4th body paragraph
        ("twitter", "1702069050359394378", 15, True),
    ]
    contract = to_contract(refs)
    assert [list(c) for c in contract] == [list(CONTRACT_KEYS)] * 2
    assert contract[1] == {
        "platform": "twitter",
        "url": "https://twitter.com/RFA_Chinese/status/1702069050359394378",
        "post_id": "1702069050359394378", "handle": "RFA_Chinese", "author": "自由亚洲电台",
        "posted": "2023-09-13", "text": SEED_TEXT_2,
        "hashtags": ["普京", "俄中关系", "张国i清", "一带一路"], "mentions": [], "links": [],
    }


def test_devset_every_gold_tweet(devset):
    checked = 0
    for path in devset:
        gold = gold_for(path)
        article = parse_article(path.read_bytes(), path.name)
        tweets = [r for r in extract_social(article) if r.platform == "twitter" and r.embedded]
        got = [{"handle": r.handle, "status_id": r.post_id, "hashtags": r.hashtags} for r in tweets]
        assert got == gold.get("tweets", []), path.name
        for r in tweets:
            assert r.posted is not None and r.url.endswith("/status/" + r.post_id)
        checked += len(got)
    assert checked >= 1


# ---------------------------------------------------------------------------------------------
# One fixture per platform


def test_twitter_fixture():
    refs = extract_social_from_html(fixture("twitter.html"))
    assert [brief(r) for r in refs] == [
        {"platform": "twitter", "url": "https://x.com/sample_news/status/1764950000000000000",
         "post_id": "1764950000000000000", "handle": "sample_news", "author": "Sample Newsroom",
         "posted": "2024-03-05",
         "text": "Line one of the post\nLine two with #OpenData and #天气, thanks @example_org! "
                 "Read more: https://t.co/AbCdEf1234 pic.x.com/ZyXwVu9876",
         "hashtags": ["OpenData", "天气"], "mentions": ["example_org"],
         "links": ["https://t.co/AbCdEf1234"], "media": ["https://pic.x.com/ZyXwVu9876"],
         "language": "en"},
        # an /i/web/status/ link: the handle comes from the attribution, the URL is rebuilt
        {"platform": "twitter", "url": "https://twitter.com/mihon_acct/status/1702000000000000000",
         "post_id": "1702000000000000000", "handle": "mihon_acct", "author": "見本 アカウント",
         "posted": "2023-09-13", "text": "テスト投稿です #東京 #東京",
         "hashtags": ["東京", "東京"], "mentions": [], "links": [], "media": [], "language": "ja"},
    ]


def test_youtube_fixture():
    refs = extract_social_from_html(fixture("youtube.html"))
    assert [(r.platform, r.post_id, r.url, r.text) for r in refs] == [
        ("youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", None),
        ("youtube", "AbCdEfGhIjK", "https://www.youtube.com/watch?v=AbCdEfGhIjK", "示例视频标题"),
        ("youtube", "Zz_9-8Yy7Xx", "https://www.youtube.com/watch?v=Zz_9-8Yy7Xx", None),
        ("youtube", None, "https://www.youtube.com/playlist?list=PL0123456789abcdef", None),
    ]


def test_facebook_fixture():
    refs = extract_social_from_html(fixture("facebook.html"))
    assert [brief(r) for r in refs] == [
        {"platform": "facebook",
         "url": "https://www.facebook.com/examplepage/posts/10158000000000001/",
         "post_id": "10158000000000001", "handle": "examplepage", "author": "Example Page",
         "posted": "2015-08-27", "text": "今天的新闻发布会\n请看直播 #新闻", "hashtags": ["新闻"],
         "mentions": [], "links": [], "media": [], "language": None},
        {"platform": "facebook", "url": "https://www.facebook.com/anotherpage/posts/pfbid02AbCdEf/",
         "post_id": "pfbid02AbCdEf", "handle": "anotherpage", "author": None, "posted": None,
         "text": None, "hashtags": [], "mentions": [], "links": [], "media": [], "language": None},
        {"platform": "facebook",
         "url": "https://www.facebook.com/videopage/videos/123456789012345/",
         "post_id": "123456789012345", "handle": "videopage", "author": None, "posted": None,
         "text": None, "hashtags": [], "mentions": [], "links": [], "media": [], "language": None},
    ]  # the Like button iframe is furniture and gives nothing


def test_instagram_fixture():
    refs = extract_social_from_html(fixture("instagram.html"))
    assert [brief(r) for r in refs] == [
        {"platform": "instagram", "url": "https://www.instagram.com/p/C1aBcDeFgHi/",
         "post_id": "C1aBcDeFgHi", "handle": "example.studio", "author": "Example Studio",
         "posted": None, "text": None, "hashtags": [], "mentions": [], "links": [], "media": [],
         "language": None},
        {"platform": "instagram", "url": "https://www.instagram.com/reel/Bx1yZ2aB3cD/",
         "post_id": "Bx1yZ2aB3cD", "handle": "harbour_views", "author": "Harbour Views",
         "posted": "2019-05-20", "text": "Sunset over the harbour #香港 #travel with @friend_one",
         "hashtags": ["香港", "travel"], "mentions": ["friend_one"], "links": [], "media": [],
         "language": None},
    ]


def test_telegram_fixture():
    refs = extract_social_from_html(fixture("telegram.html"))
    assert [(r.platform, r.url, r.post_id, r.handle) for r in refs] == [
        ("telegram", "https://t.me/example_channel/4321", "4321", "example_channel"),
        ("telegram", "https://t.me/other_channel/77", "77", "other_channel"),
    ]  # data-telegram-post="bad value" gives nothing


def test_tiktok_fixture():
    refs = extract_social_from_html(fixture("tiktok.html"))
    assert [brief(r) for r in refs] == [
        {"platform": "tiktok",
         "url": "https://www.tiktok.com/@sample.creator/video/7234567890123456789",
         "post_id": "7234567890123456789", "handle": "sample.creator", "author": None,
         "posted": None, "text": "做饭教程 第一集 #Cooking #美食 @guest.chef",
         "hashtags": ["Cooking", "美食"], "mentions": ["guest.chef"], "links": [], "media": [],
         "language": None},
    ]


def test_other_iframes_fixture():
    refs = extract_social_from_html(fixture("other.html"))
    assert [(r.platform, r.url, r.post_id) for r in refs] == [
        ("other", "https://datawrapper.dwcdn.net/Ab1Cd/3/", None),  # unknown: kept with its host
        ("other", "https://www.bilibili.com/video/BV1xx411c7mD/", "BV1xx411c7mD"),
    ]  # ads, tag manager, javascript:, about:blank and src-less iframes are dropped


def test_bare_links_through_loader():
    data = (FIXTURES / "links.txt").read_bytes()
    article = parse_article(data, "links.txt")
    refs = extract_social(article)
    assert [(r.platform, r.post_id, r.handle, r.position, r.embedded) for r in refs] == [
        ("twitter", "1701000000000000001", "sample_news", 2, False),  # in block 1 -> after it
        ("weibo", "NabCdEfGh", "1234567890", 2, False),
        ("youtube", "dQw4w9WgXcQ", None, 3, False),
        ("telegram", "99", "example_channel", 3, False),
        ("weibo", "4950000000000000", None, 4, False),
        ("instagram", "C1aBcDeFgHi", None, 4, False),
        ("facebook", "987654321", "100012345", 4, False),
        ("tiktok", "7234567890123456789", "sample.creator", 4, False),
    ]  # the profile link, the javascript: link and the repeated tweet (on x.com) give nothing
    assert refs[0].url == "https://twitter.com/sample_news/status/1701000000000000001"
    assert refs[0].posted == "2023-09-10"  # from the snowflake id
    assert refs[4].url == "https://m.weibo.cn/detail/4950000000000000"


# ---------------------------------------------------------------------------------------------
# Article-level rules


def _article(embeds=(), links=()) -> Article:
    return Article(source="t.txt", id="x", content_hash="h", url=None, title=None, published=None,
                   outlet=None, section=None, script=None, embeds=list(embeds), links=list(links))


def test_related_links_skipped_and_embed_wins_over_link():
    tweet = ('<blockquote class="twitter-tweet"><p lang="en">Hi</p>— A (@a_b) '
             '<a href="https://twitter.com/a_b/status/1500000000000000000">March 5, 2022</a></blockquote>')
    article = _article(
        embeds=[Embed(7, tweet), Embed(8, '<script src="https://platform.twitter.com/widgets.js"></script>')],
        links=[Link(2, "https://x.com/a_b/status/1500000000000000000", "same tweet"),
               Link(None, "https://twitter.com/c/status/1500000000000000001", "outside body"),
               Link(3, "https://twitter.com/d/status/1500000000000000002", "related", related=True),
               Link(4, "https://youtu.be/dQw4w9WgXcQ", "video")])
    refs = extract_social(article)
    assert [(r.platform, r.post_id, r.position, r.embedded) for r in refs] == [
        ("twitter", "1500000000000000000", 7, True),
        ("youtube", "dQw4w9WgXcQ", 5, False),
    ]


def test_rendered_tweet_iframe_merges_with_its_blockquote():
    rendered = ('<div class="twitter-tweet twitter-tweet-rendered"><iframe id="twitter-widget-0" '
                'src="https://platform.twitter.com/embed/Tweet.html?dnt=false&amp;id=1702069050359394378&amp;lang=en" '
                'data-tweet-id="1702069050359394378"></iframe></div>')
    quote = ('<blockquote class="twitter-tweet"><p lang="zh">文字 <a href="https://twitter.com/hashtag/%E6%B5%8B%E8%AF%95">#测试</a>'
             '</p>— 某台 (@some_tv) <a href="https://twitter.com/some_tv/status/1702069050359394378">Sep 13, 2023</a></blockquote>')
    refs = extract_social(_article(embeds=[Embed(1, rendered), Embed(1, quote)]))
    assert len(refs) == 1
    r = refs[0]
    assert (r.post_id, r.handle, r.author, r.hashtags, r.posted) == (
        "1702069050359394378", "some_tv", "某台", ["测试"], "2023-09-13")
    assert r.url == "https://twitter.com/some_tv/status/1702069050359394378"  # names the user
    only_iframe = extract_social_from_html('<iframe data-tweet-id="1702069050359394378"></iframe>')
    assert [(x.platform, x.post_id, x.posted) for x in only_iframe] == [
        ("twitter", "1702069050359394378", "2023-09-13")]


def test_tweet_without_class_and_with_missing_parts():
    plain = ('<blockquote><p>Quoted words</p>— Person (@person_1) '
             '<a href="https://twitter.com/person_1/status/1600000000000000000">December 6, 2022</a></blockquote>')
    assert [(r.handle, r.post_id, r.posted) for r in extract_social_from_html(plain)] == [
        ("person_1", "1600000000000000000", "2022-12-06")]
    # No attribution, no date text: handle from the URL, date from the id.
    bare = ('<blockquote class="twitter-tweet"><a href="https://x.com/someone/status/1600000000000000000">link</a>'
            '</blockquote>')
    [r] = extract_social_from_html(bare)
    assert (r.handle, r.author, r.text, r.language, r.posted, r.hashtags) == (
        "someone", None, None, None, "2022-12-06", [])
    # A plain quotation that merely contains a tweet link is not a tweet.
    assert extract_social_from_html('<blockquote><p>He wrote <a href="https://twitter.com/a/status/1">this</a></p></blockquote>') == []
    # Only a paragraph: kept as a tweet without id rather than dropped or crashing.
    [r] = extract_social_from_html('<blockquote class="twitter-tweet"><p>just text</p></blockquote>')
    assert (r.post_id, r.url, r.text) == (None, None, "just text")


def test_status_link_in_text_is_not_the_tweet_and_own_pages_are_not_links():
    html = ('<blockquote class="twitter-tweet"><p lang="en">Buy <a href="https://twitter.com/search?q=%24TSLA&amp;src=ctag">$TSLA</a> '
            'see <a href="https://twitter.com/other/status/1500000000000000001">this</a> '
            '<a href="https://t.co/q">example.com/x</a></p>— N (@n) '
            '<a href="https://twitter.com/n/status/1500000000000000000">March 5, 2022</a></blockquote>')
    [r] = extract_social_from_html(html)
    assert (r.post_id, r.handle, r.text) == ("1500000000000000000", "n", "Buy $TSLA see this example.com/x")
    assert r.links == ["https://twitter.com/other/status/1500000000000000001", "https://t.co/q"]


def test_saved_page_rendered_embeds():
    data = (FIXTURES / "saved_page.html").read_bytes()
    article = parse_article(data, "saved_page.html")
    refs = extract_social(article)
    # Tag manager, ad and Facebook page-plugin iframes are furniture; the rendered tweet keeps
    # its id (the date comes from the id, the handle is not in the saved markup).
    assert [(r.platform, r.post_id, r.url, r.posted, r.embedded) for r in refs] == [
        ("twitter", "1764950000000000000", "https://twitter.com/i/web/status/1764950000000000000",
         "2024-03-05", True),
        ("youtube", "dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", None, True),
    ]


def test_rendered_facebook_plugin_and_object_players():
    html = ('<div class="fb-post fb_iframe_widget"><span><iframe src="https://www.facebook.com/v2.3/plugins/post.php?'
            'href=https%3A%2F%2Fwww.facebook.com%2Fsomepage%2Fposts%2F1234567890%2F&amp;width=500"></iframe></span></div>'
            '<object data="https://www.youtube.com/v/dQw4w9WgXcQ"></object>'
            '<embed src="https://player.vimeo.com/video/76979871">')
    refs = extract_social_from_html(html)
    assert [(r.platform, r.post_id, r.handle, r.url) for r in refs] == [
        ("facebook", "1234567890", "somepage", "https://www.facebook.com/somepage/posts/1234567890/"),
        ("youtube", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("other", "76979871", None, "https://vimeo.com/76979871"),
    ]


def test_caption_hashtags_written_as_plain_text_keep_order_and_repeats():
    html = ('<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/AbC123/">'
            '<p><a href="https://www.instagram.com/p/AbC123/">夜景 #香港 #night #香港 @pal_1 #2024 a#b</a></p>'
            '<p>A post shared by X Y (@x.y)</p></blockquote>')
    [r] = extract_social_from_html(html)
    assert (r.hashtags, r.mentions, r.handle, r.author) == (["香港", "night", "香港"], ["pal_1"], "x.y", "X Y")


# ---------------------------------------------------------------------------------------------
# URLs, hashtags, dates


@pytest.mark.parametrize("url, expected", [
    ("https://twitter.com/RFA_Chinese/status/1701895427506024767?ref_src=twsrc%5Etfw",
     ("twitter", "1701895427506024767", "RFA_Chinese", "https://twitter.com/RFA_Chinese/status/1701895427506024767")),
    ("https://x.com/i/web/status/1701895427506024767",
     ("twitter", "1701895427506024767", None, "https://x.com/i/web/status/1701895427506024767")),
    ("https://mobile.twitter.com/abc/statuses/123456/photo/1",
     ("twitter", "123456", "abc", "https://twitter.com/abc/status/123456")),
    ("http://twitter.com/#!/abc/status/1234", ("twitter", "1234", "abc", "https://twitter.com/abc/status/1234")),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=10", ("youtube", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")),
    ("https://youtu.be/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")),
    ("https://m.youtube.com/shorts/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")),
    ("https://www.youtube.com/live/dQw4w9WgXcQ?si=x", ("youtube", "dQw4w9WgXcQ", None, "https://www.youtube.com/watch?v=dQw4w9WgXcQ")),
    ("https://www.instagram.com/reel/Cx_Y-z1/?igsh=1", ("instagram", "Cx_Y-z1", None, "https://www.instagram.com/reel/Cx_Y-z1/")),
    ("https://www.instagram.com/someone/p/Cx1/", ("instagram", "Cx1", "someone", "https://www.instagram.com/p/Cx1/")),
    ("https://t.me/s/chan_name/12", ("telegram", "12", "chan_name", "https://t.me/chan_name/12")),
    ("https://www.tiktok.com/@a.b/video/7000000000000000000?lang=en",
     ("tiktok", "7000000000000000000", "a.b", "https://www.tiktok.com/@a.b/video/7000000000000000000")),
    ("https://weibo.com/1111111111/NabCdEfGh?type=comment", ("weibo", "NabCdEfGh", "1111111111", "https://weibo.com/1111111111/NabCdEfGh")),
    ("https://www.facebook.com/watch/?v=123456", ("facebook", "123456", None, "https://www.facebook.com/watch/?v=123456")),
    ("https://bsky.app/profile/someone.bsky.social/post/3kabc", ("other", "3kabc", "someone.bsky.social", "https://bsky.app/profile/someone.bsky.social/post/3kabc")),
])
def test_post_urls(url, expected):
    r = classify_url(url)
    assert (r.platform, r.post_id, r.handle, r.url) == expected
    assert r.embedded is False


@pytest.mark.parametrize("url", [
    "https://twitter.com/RFA_Chinese", "https://twitter.com/hashtag/%E6%9C%9D%E9%B2%9C",
    "https://t.co/abc", "https://www.youtube.com/@channel", "https://www.facebook.com/somepage/",
    "https://www.instagram.com/someone/", "https://t.me/chan_name", "https://weibo.com/u/1234567890",
    "https://weibo.com/1234567890/favorites", "https://pbs.twimg.com/media/abc.jpg",
    "https://www.youtube.com/embed/videoseries?list=PL1", "https://vm.tiktok.com/",
    "https://www.rfa.org/mandarin/a.html", "javascript:alert('https://twitter.com/a/status/1')",
    "data:text/html,https://twitter.com/a/status/1", "ftp://twitter.com/a/status/1", "", None,
    "http://[::1", "https://", "https://twitter.com/a/status/1\n2",
])
def test_not_post_urls(url):
    assert classify_url(url) is None


def test_hashtag_decoding_and_case_as_written():
    assert social._hashtag_of("#朝鲜", "https://twitter.com/hashtag/%E6%9C%9D%E9%B2%9C?src=hash") == "朝鲜"
    assert social._hashtag_of("#普京…", "https://twitter.com/hashtag/%E6%99%AE%E4%BA%AC") == "普京"
    assert social._hashtag_of("#PetsOfTikTok", "https://www.tiktok.com/tag/petsoftiktok") == "PetsOfTikTok"
    assert social._hashtag_of("朝鲜", "https://twitter.com/hashtag/%E6%9C%9D%E9%B2%9C") == "朝鲜"
    assert social._hashtag_of("#tag", "") == "tag"
    assert social._hashtag_of("#2023", "") is None
    assert social._hashtag_of("see this", "https://example.com/") is None
    assert social._hashtag_of("#x", "https://twitter.com/search?q=%23Xy&src=hash") == "Xy"


@pytest.mark.parametrize("text, iso", [
    ("September 13, 2023", "2023-09-13"), ("Sep 13, 2023", "2023-09-13"),
    ("13 September 2023", "2023-09-13"), ("2023年9月13日", "2023-09-13"),
    ("2023-09-13T10:00:00+00:00", "2023-09-13"), ("13 de septiembre de 2023", "2023-09-13"),
    ("13. September 2023", "2023-09-13"), ("13 septembre 2023", "2023-09-13"),
    ("Thursday, August 27, 2015", "2015-08-27"), ("2023년 9월 13일", "2023-09-13"),
    ("February 30, 2023", None), ("yesterday", None), ("", None), (None, None),
])
def test_dates(text, iso):
    assert social._parse_date(text) == iso


def test_contract_normalises_handle_and_date():
    ref = SocialRef("twitter", "https://twitter.com/a/status/1", post_id="1", handle="@abc",
                    posted="2023-09-13T09:47:44Z", hashtags=["x"], mentions=["@m"], links=["https://t.co/z"],
                    media=["https://pic.twitter.com/q"], language="en", position=3)
    assert to_contract([ref]) == [{
        "platform": "twitter", "url": "https://twitter.com/a/status/1", "post_id": "1", "handle": "abc",
        "author": None, "posted": "2023-09-13", "text": None, "hashtags": ["x"], "mentions": ["m"],
        "links": ["https://t.co/z"]}]
    assert to_contract([]) == []


# ---------------------------------------------------------------------------------------------
# Robustness: broken and hostile markup never raises


BROKEN = [
    "", "<", "<<<>>>", "<blockquote class='twitter-tweet'>", "<blockquote class=twitter-tweet><p>",
    "<blockquote class='twitter-tweet'><a href='https://twitter.com/a/status/'>x</a></blockquote>",
    "<blockquote class='twitter-tweet'><a href='https://twitter.com/a/status/99999999999999999999999'>Smarch 99, 2023</a></blockquote>",
    "<blockquote class='twitter-tweet'><p><a>#</a><a href>@</a><a href='http://[::1'>#x</a></p>— (@) <a href='https://x.com/%zz/status/1'>x</a></blockquote>",
    "<iframe src='https://www.facebook.com/plugins/post.php?href=%zz'></iframe>",
    "<iframe src='https://www.facebook.com/plugins/post.php'></iframe>",
    "<div class='fb-post' data-href='javascript:alert(1)'></div>",
    "<script data-telegram-post='/'></script><script data-telegram-post=''></script>",
    "<blockquote class='instagram-media' data-instgrm-permalink='https://www.instagram.com/p/'></blockquote>",
    "<blockquote class='tiktok-embed' cite='https://www.tiktok.com/@/video/x' data-video-id='x'></blockquote>",
    "<iframe src='https://www.youtube.com/embed/'></iframe><iframe src='//'></iframe>",
    "<blockquote class='twitter-tweet'>" + "<div>" * 3000 + "x" + "</div>" * 3000 + "</blockquote>",
    "<blockquote class='twitter-tweet'><p>" + "<a href='https://twitter.com/hashtag/a'>#a</a>" * 2000 + "</p></blockquote>",
    "\x00\x01<iframe src='https://x.com/a/status/1\x00'></iframe>",
    "<svg><iframe src='https://youtu.be/dQw4w9WgXcQ'></iframe></svg>",
]


@pytest.mark.parametrize("html", BROKEN)
def test_broken_markup_never_raises(html):
    refs = extract_social_from_html(html)
    assert isinstance(refs, list)
    assert all(r.platform in social.PLATFORMS for r in refs)
    assert all(r.url is None or r.url.startswith(("http://", "https://")) for r in refs)
    refs2 = extract_social(_article(embeds=[Embed(0, html)], links=[Link(0, html, html)]))
    assert isinstance(refs2, list)
    assert isinstance(to_contract(refs + refs2), list)


def test_bounds_on_huge_inputs():
    many = '<iframe src="https://youtu.be/dQw4w9WgXcQ"></iframe>' + "".join(
        f'<iframe src="https://example.org/{i}"></iframe>' for i in range(3000))
    refs = extract_social_from_html(many)
    assert len(refs) == social.MAX_REFS
    links = [Link(0, f"https://twitter.com/a/status/{i + 1}", "x") for i in range(20_000)]
    assert len(extract_social(_article(links=links))) == social.MAX_REFS
    hashtags = extract_social_from_html(BROKEN[-3])[0].hashtags
    assert len(hashtags) == social.MAX_ITEMS


def test_garbage_article_objects():
    assert extract_social(None) == []
    weird = _article(embeds=[None, Embed("x", None), Embed(None, 5), Embed(1, "<iframe src='https://youtu.be/dQw4w9WgXcQ'>")],
                     links=[None, Link("1", None, None), Link(True, "https://youtu.be/dQw4w9WgXcQ", "")])
    refs = extract_social(weird)
    assert [(r.platform, r.position) for r in refs] == [("youtube", 1)]
    assert to_contract([None, "x", SocialRef("other", None)]) == [
        {"platform": "other", "url": None, "post_id": None, "handle": None, "author": None, "posted": None,
         "text": None, "hashtags": [], "mentions": [], "links": []}]


_TAGS = st.sampled_from(["blockquote class='twitter-tweet'", "blockquote class='instagram-media'",
                         "blockquote class='tiktok-embed'", "div class='fb-post'", "p", "a", "iframe",
                         "script data-telegram-post='a/1'", "br", "time", "div", "section"])
_ATTRS = st.sampled_from(["", " href='https://twitter.com/hashtag/%E6%9C'", " href='https://x.com/a/status/1'",
                          " src='https://www.youtube.com/embed/dQw4w9WgXcQ'", " href='javascript:x'",
                          " data-href='https://www.facebook.com/p/posts/1/'", " cite='https://www.tiktok.com/@a/video/1'",
                          " datetime='2023-99-99'", " lang='zh'", " href='%'", " src='//['"])
_PIECE = st.one_of(
    st.builds(lambda t, a: f"<{t}{a}>", _TAGS, _ATTRS),
    st.builds(lambda t: f"</{t.split()[0]}>", _TAGS),
    st.sampled_from(["— Name (@h_1) ", "#标签", "@who", "September 13, 2023", "pic.twitter.com/x", "&amp;", "&#0;"]),
    st.text(max_size=20),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECE, max_size=40))
def test_fuzzed_markup_never_raises(pieces):
    html = "".join(pieces)
    refs = extract_social_from_html(html)
    assert all(isinstance(r, SocialRef) for r in refs)
    for c in to_contract(refs):
        assert tuple(c) == CONTRACT_KEYS
        assert c["url"] is None or c["url"].startswith(("http://", "https://"))
        assert all(u.startswith(("http://", "https://")) for u in c["links"])
        assert c["posted"] is None or len(c["posted"]) == 10
    assert isinstance(extract_social(_article(embeds=[Embed(2, html)], links=[Link(0, html, "")])), list)


def test_quote_marks_and_brackets_in_addresses_are_percent_encoded():
    html = ('<blockquote class="twitter-tweet"><p>hello <a href="https://example.com/a&quot;b'
            '&lt;c&gt;">link</a></p>&mdash; A (@a) <a href="https://twitter.com/a/status/123">'
            'May 1, 2024</a></blockquote>')
    [ref] = social.extract_social_from_html(html)
    assert ref.url == "https://twitter.com/a/status/123"
    assert ref.links == ["https://example.com/a%22b%3Cc%3E"]
