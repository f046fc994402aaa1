"""The records that flow through the pipeline.

In: nothing (plain data definitions). Out: the dataclasses every stage reads and writes:

- ``Article``: what the loader (``parsing.py``) makes of one file.
- ``Mention``: one person/place/organisation mention (``entities.py``).
- ``Quote``: one direct quote or paraphrase with its speaker (``quotes.py``).
- ``SocialRef``: one embedded or linked social-media post (``social.py``).
- ``Analysis``: one article with everything extracted from it (``pipeline.py``).

Positions: ``block`` is an index into ``Article.blocks`` (the body in reading order); the title
is block ``TITLE_BLOCK`` (-1). Character offsets are ``[start, end)`` into that block's text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

TITLE_BLOCK = -1

# Block kinds, in the reading order of the body.
PARAGRAPH = "paragraph"
SUBHEADING = "subheading"

STAFF_ROLES = ("reporter", "editor", "web_editor")


class ArticleError(ValueError):
    """A file that cannot be read as an article; the message is meant for the user."""


@dataclass
class Block:
    kind: str  # PARAGRAPH or SUBHEADING
    text: str


@dataclass
class Link:
    """An ``<a href>`` inside a body block (block index) or elsewhere (block None)."""
    block: int | None
    url: str
    text: str
    related: bool = False  # one of the outlet's related-article links


@dataclass
class Image:
    src: str
    caption: str | None
    credit: str | None
    position: int = 0  # number of blocks before it


@dataclass
class Embed:
    """A piece of raw markup that is not body text (tweet, iframe, post widget...).

    ``position`` is the number of body blocks before it; ``html`` is the element's own markup,
    handed to the social stage as text and never rendered.
    """
    position: int
    html: str


@dataclass
class Article:
    source: str  # the file name as given
    id: str  # stable identity: hash of the canonical URL, else of the content
    content_hash: str  # sha256 of the original bytes
    url: str | None
    title: str | None
    published: str | None  # ISO 8601 UTC, e.g. 2023-09-14T14:39:00Z
    outlet: str | None
    section: str | None
    script: str | None  # "simplified" | "traditional" | None when no Chinese text
    byline: dict[str, list[str]] = field(default_factory=lambda: {r: [] for r in STAFF_ROLES})
    blocks: list[Block] = field(default_factory=list)
    related: list[dict] = field(default_factory=list)  # [{title, url}]
    images: list[Image] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    encoding: str | None = None
    kind: str = "wrapper"  # "wrapper" (the archive format) or "page" (a saved web page)
    warnings: list[str] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == PARAGRAPH]

    @property
    def subheadings(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == SUBHEADING]

    @property
    def staff_names(self) -> set[str]:
        return {n for names in self.byline.values() for n in names}

    def block_text(self, block: int) -> str:
        return (self.title or "") if block == TITLE_BLOCK else self.blocks[block].text


@dataclass
class Mention:
    name: str  # canonical name: always Simplified, regional variants merged (普丁 -> 普京)
    type: str  # "person" | "place" | "org"
    surface: str  # the text as it stands in the article
    block: int  # TITLE_BLOCK or an index into Article.blocks
    start: int
    end: int


@dataclass
class Quote:
    speaker: str  # canonical name (Simplified, as Mention.name); written forms in aliases
    role: str | None
    kind: str  # "expert" | "official" | "other" | "source" (unnamed or organisation)
    text: str
    direct: bool
    block: int
    start: int
    end: int
    aliases: list[str] = field(default_factory=list)


@dataclass
class SocialRef:
    platform: str  # twitter, youtube, facebook, instagram, telegram, tiktok, weibo, other
    url: str | None
    post_id: str | None = None
    handle: str | None = None
    author: str | None = None
    posted: str | None = None  # ISO date (YYYY-MM-DD) or datetime
    text: str | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # outbound links (t.co...)
    media: list[str] = field(default_factory=list)  # pic.twitter.com...
    language: str | None = None
    position: int | None = None  # number of body blocks before it; None when unknown
    embedded: bool = True  # False for a bare link in the text


@dataclass
class Analysis:
    article: Article
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    social: list[SocialRef] = field(default_factory=list)
