"""The body reader on a bare lxml tree: the loader's fast path for HTML bodies.

In: ``read_fragment(article, html)`` with the body HTML of an article file. Out: the article's
body fields filled exactly as ``parsing._BodyReader`` fills them from a BeautifulSoup tree
(blocks, links, images, related links, embeds, byline), and True; or False, with the article
untouched, for the rare input this reader does not reproduce exactly (the caller then reads it
with BeautifulSoup).

Why: building the BeautifulSoup tree (a Python object per tag and string, fed by lxml's parser
events) cost more than everything else the loader does. Both trees come from the same libxml2
parser, so the walk below is ``_BodyReader``'s walk rule for rule, with BeautifulSoup's tree
conventions spelled out where they differ from lxml's:

- text lives in ``.text``/``.tail`` rather than in string nodes; a removed embed leaves an empty
  stand-in element so the strings on either side of it stay two strings, as they do after
  ``Tag.extract()``;
- ``get_text()`` reads plain strings only: not comments, and not the text inside ``<script>``,
  ``<style>``, ``<template>``, ``<rt>`` and ``<rp>`` (BeautifulSoup gives those their own string
  classes); ``find_all(string=True)`` reads every string, comments included;
- embeds keep BeautifulSoup's markup: attributes sorted, class-like attributes re-joined by single
  spaces, whitespace-only strings shrunk to one space or newline (outside ``<pre>``/
  ``<textarea>``), ``&<>`` escaped except in ``<script>``/``<style>``, void tags as ``<br/>``.

A body made of nothing but plain paragraphs (``<p>`` + text, or + one ``<strong>``/``<b>`` with
text) is read without any tree: its texts are exactly the strings libxml2's tree would hold (see
``_plain_paragraphs``).

Handed back to BeautifulSoup: markup lxml refuses, a document type declaration inside the body
(BeautifulSoup keeps it as a string, lxml drops it), nesting near libxml2's tree depth limit (lxml
then drops the rest of the document; BeautifulSoup's event-fed tree does not), and ``<meta>``
inside an embed (BeautifulSoup rewrites its charset on output).
"""
from __future__ import annotations

import re
import threading

from bs4.builder import HTMLTreeBuilder
from lxml import etree

from .model import PARAGRAPH, SUBHEADING, Article, Block, Embed
from .parsing import (BLANK, BLOCK_CHILD_TAGS, BOLD_TAGS, BYLINE_MAX_CHARS, DATELINE_OPENERS,
                      DROP_TAGS, EMBED_ATTRIBUTE, EMBED_CLASS_RE, EMBED_TAGS, HIDDEN_PARENT_TAGS,
                      NO_BYLINE_ENDS, PLAIN_PARAGRAPH_ENDS, ROLE_START_RE, SUBHEADING_MAX_CHARS,
                      _BodyReader, _Scan, clean_text, safe_url)

_Element = etree._Element
_Comment = etree._Comment

# BeautifulSoup's conventions (taken from it, so the two readers cannot drift apart).
STRING_CONTAINER_TAGS = frozenset(HTMLTreeBuilder.DEFAULT_STRING_CONTAINERS)
PRESERVE_WHITESPACE_TAGS = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
VOID_TAGS = frozenset(HTMLTreeBuilder.DEFAULT_EMPTY_ELEMENT_TAGS)
LIST_ATTRIBUTES = HTMLTreeBuilder.DEFAULT_CDATA_LIST_ATTRIBUTES
UNESCAPED_TEXT_TAGS = frozenset(("script", "style"))
ASCII_SPACES = " \n\t\x0c\r"  # BeautifulSoup's set for whitespace-only strings
NON_WHITESPACE_RE = re.compile(r"\S+")

# libxml2 builds trees at most 256 levels deep and silently drops the rest of the document;
# an element 250 levels down means the tree may be cut short. Fewer tags than that cannot nest
# that deep, so the check runs only on bodies with many tags.
TREE_DEPTH_LIMIT = 250
_DEEP_XPATH = etree.XPath("/*" * (TREE_DEPTH_LIMIT + 1))
GONE = "removed-embed"  # tag of the stand-in left by a removed embed
# A body of plain paragraphs only (see _plain_paragraphs): <p>, text without markup or
# references (or such a text all in one <strong>/<b>: a sub-heading), </p>, separated by ASCII
# whitespace only (other blanks would be text nodes). The text holds none of the characters
# that libxml2 may not copy into a text node as they are: NUL (it becomes U+FFFD), carriage
# returns (line ends are normalised), surrogates (lxml cannot encode them), and, to be safe
# across libxml2 versions, the other controls outside XML's Char production and the two
# non-characters U+FFFE/U+FFFF (the version in use keeps those; older ones dropped some).
_PLAIN_TEXT = r"[^<&\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]*"
PLAIN_BODY_RE = re.compile(rf"[ \t\n]*(?:<p>(?:<(strong|b)>{_PLAIN_TEXT}</\1>|{_PLAIN_TEXT})</p>"
                           rf"[ \t\n]*)+")
# (bold tag or "", its text, plain text) per paragraph
PLAIN_PARAGRAPH_RE = re.compile(rf"<p>(?:<(strong|b)>({_PLAIN_TEXT})</\1>|({_PLAIN_TEXT}))</p>")
PLAIN_BODY_OPENERS = ("<p>", " ", "\t", "\n")  # a cheap test before the pattern
PLAIN_BODY_MAX_CHARS = 1_000_000


class _NeedSoup(Exception):
    """This document is read with BeautifulSoup instead."""


# One parser per thread, reused from document to document: a fresh parser sets up libxml2's
# parser context on its first document (about a tenth of parsing an article body). A parser
# may not be shared between threads; one that raised is replaced.
_parsers = threading.local()


def parse_html(html: str):
    """The root of lxml's HTML tree of ``html``, on this thread's parser (raises as lxml does)."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = etree.HTMLParser(recover=True)
    try:
        parser.feed(html)
        return parser.close()
    except BaseException:
        _parsers.parser = None
        raise


def parse_tree(html: str):
    """The body element of the lxml tree, or None when BeautifulSoup must read the markup."""
    start = html.find("<!")
    while start >= 0:
        if html[start + 2:start + 9].lower() == "doctype":
            return None
        start = html.find("<!", start + 2)
    try:
        root = parse_html(html)
    except Exception:  # lxml refuses it: BeautifulSoup has its own fallbacks
        return None
    if root is None:
        return None
    if html.count("<") > TREE_DEPTH_LIMIT and _DEEP_XPATH(root):
        return None
    return next(root.iter("body"), None)


def read_fragment(article: Article, html: str) -> bool:
    """Fill the article's body from ``html``; False (article untouched) when BeautifulSoup must."""
    paragraphs = _plain_paragraphs(html)
    if paragraphs is not None:
        reader = _LxmlBodyReader(article, article.url)
        for bold, bold_text, text in paragraphs:
            if bold:
                reader.bold_paragraph(bold_text)
            else:
                reader.plain_paragraph(text)
        return True
    body = parse_tree(html)
    if body is None:
        return False
    saved = (len(article.blocks), len(article.links), len(article.images), len(article.embeds),
             len(article.related), {role: list(names) for role, names in article.byline.items()})
    reader = _LxmlBodyReader(article, article.url)
    reader.containers = next(body.getroottree().getroot().iter(*STRING_CONTAINER_TAGS),
                             None) is not None
    try:
        reader.walk(body)
    except _NeedSoup:
        nb, nl, ni, ne, nr, byline = saved
        del article.blocks[nb:], article.links[nl:], article.images[ni:]
        del article.embeds[ne:], article.related[nr:]
        article.byline = byline
        return False
    return True


def _plain_paragraphs(html: str) -> list[tuple[str, str, str]] | None:
    """A body made of nothing but plain paragraphs (PLAIN_BODY_RE): (bold tag or "", its
    text, plain text) per paragraph; else None.

    Why: many bodies are just that, and for them libxml2's tree holds exactly these strings:
    a ``<p>`` without attributes whose text has no markup, no character reference and none of
    the characters _PLAIN_TEXT leaves out is one element whose ``.text`` is the text as written
    (None when empty), or one with a single ``<strong>``/``<b>`` child holding such a text; the
    whitespace between paragraphs gives only blank tails, which the walk passes over. Slicing
    them out of the string skips building and reading the tree (about half the loader's time
    on such a body). Bounded: linear pattern passes, and bodies longer than
    PLAIN_BODY_MAX_CHARS take the tree (libxml2 cuts text nodes over 10 MB)."""
    if len(html) > PLAIN_BODY_MAX_CHARS or not html.startswith(PLAIN_BODY_OPENERS) or \
            not PLAIN_BODY_RE.fullmatch(html):
        return None
    return PLAIN_PARAGRAPH_RE.findall(html)


# ---------------------------------------------------------------------------------------------
# Strings, as BeautifulSoup sees them

def _in_string_container(el: _Element) -> bool:
    for up in el.iterancestors():
        if up.tag in STRING_CONTAINER_TAGS:
            return True
    return False


def _plain_strings(el: _Element, out: list[str]) -> None:
    """The strings ``get_text()`` reads below ``el`` (el itself outside any string container)."""
    text = el.text
    if text is not None:
        out.append(text)
    for child in el:
        if type(child) is _Element and child.tag not in STRING_CONTAINER_TAGS:
            _plain_strings(child, out)
        tail = child.tail
        if tail is not None:
            out.append(tail)


def get_text(el: _Element, separator: str, containers: bool) -> str:
    """``Tag.get_text(separator)``; ``containers``: the document has string-container tags."""
    if containers and _in_string_container(el):
        return ""
    if len(el) == 0:
        return el.text or ""
    out: list[str] = []
    _plain_strings(el, out)
    return separator.join(out)


def _has_visible(el: _Element, skip: set = frozenset(), skip_tag: str | None = None) -> bool:
    """True when a string below ``el`` (comments included; the subtrees of ``skip``, of
    ``skip_tag`` elements and of removed embeds excluded) has a non-blank character:
    ``clean_text`` of ``find_all(string=True)`` joined would not be empty."""
    text = el.text
    if text is not None and text.strip(BLANK):
        return True
    for child in el:
        if child not in skip and child.tag != skip_tag and _has_visible(child, skip, skip_tag):
            return True
        tail = child.tail
        if tail is not None and tail.strip(BLANK):
            return True
    return False


def _is_embed_element(el: _Element) -> bool:
    name = el.tag
    if name in EMBED_TAGS or el.get(EMBED_ATTRIBUTE) is not None:
        return True
    if name == "blockquote" or name == "div":
        # The pattern has no whitespace, so searching the raw attribute finds what searching
        # BeautifulSoup's re-joined class list finds.
        classes = el.get("class")
        if classes and EMBED_CLASS_RE.search(classes):
            return True
    return False


def _extract(el: _Element) -> None:
    """Remove an element but keep the string after it a separate string, as ``Tag.extract()``
    does: the element stays as an empty stand-in, which every reading here passes over (lxml
    would merge the strings on either side, and refuses to copy strings with control
    characters)."""
    el.clear(keep_tail=True)
    el.tag = GONE


# ---------------------------------------------------------------------------------------------
# Embed markup, as BeautifulSoup prints it

def _shrink(text: str, preserve: bool) -> str:
    if not preserve and not text.strip(ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return text


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(name: str, value: str, list_names) -> str:
    if name in list_names:
        value = " ".join(NON_WHITESPACE_RE.findall(value))
    value = _escape(value)
    if '"' in value:
        if "'" in value:
            return name + '="' + value.replace('"', "&quot;") + '"'
        return name + "='" + value + "'"
    return name + '="' + value + '"'


def markup(el: _Element) -> str:
    """``str(tag)`` of the BeautifulSoup tag this element stands for."""
    preserve = False
    for up in el.iterancestors():
        if up.tag in PRESERVE_WHITESPACE_TAGS:
            preserve = True
            break
    out: list[str] = []
    _markup(el, preserve, out)
    return "".join(out)


def _markup(el: _Element, preserve: bool, out: list[str]) -> None:
    tag = el.tag
    if tag == "meta" or tag == GONE:
        raise _NeedSoup  # BeautifulSoup rewrites a meta charset on output
    preserve = preserve or tag in PRESERVE_WHITESPACE_TAGS
    attrib = el.attrib
    if attrib:
        list_names = LIST_ATTRIBUTES["*"] | LIST_ATTRIBUTES.get(tag.lower(), set())
        head = "<" + tag + " " + " ".join(_attribute(k, v, list_names)
                                          for k, v in sorted(attrib.items()))
    else:
        head = "<" + tag
    text = el.text
    if text is None and tag in VOID_TAGS and len(el) == 0:
        out.append(head + "/>")
        return
    out.append(head + ">")
    raw = tag in UNESCAPED_TEXT_TAGS
    if text is not None:
        text = _shrink(text, preserve)
        out.append(text if raw else _escape(text))
    for child in el:
        kind = type(child)
        if kind is _Element:
            _markup(child, preserve, out)
        elif kind is _Comment:
            out.append("<!--" + _shrink(child.text or "", preserve) + "-->")
        else:
            raise _NeedSoup  # nothing else occurs in parsed HTML
        tail = child.tail
        if tail is not None:
            tail = _shrink(tail, preserve)
            out.append(tail if raw else _escape(tail))
    out.append("</" + tag + ">")


# ---------------------------------------------------------------------------------------------
# The walk: ``_BodyReader``'s, on lxml elements

class _LxmlBodyReader(_BodyReader):
    containers = True  # whether the document has string-container tags (set per document)

    def _text(self, el: _Element) -> list[str]:
        """The element's visible text, split at <br> runs into separate paragraphs."""
        if len(el) == 0:
            text = el.text
            if text is None or el.tag in HIDDEN_PARENT_TAGS:
                return []
            text = clean_text(text)
            return [text] if text else []
        pieces: list[str] = []
        current: list[str] = []
        _visible(el, pieces, current)
        pieces.append("".join(current))
        return [t for t in (clean_text(p) for p in pieces) if t]

    def _is_bold(self, el: _Element) -> bool:
        """True when every visible character sits inside <strong>/<b>."""
        if el.tag in BOLD_TAGS:
            return bool(clean_text(get_text(el, "", self.containers)))
        if self.containers and _in_string_container(el):
            return False
        state = [False]
        if not _bold_only(el, False, state):
            return False
        return state[0]

    def _link_pairs(self, el: _Element) -> list[tuple[str, str]]:
        if el.tag == "a":
            anchors = [el]
            anchors.extend(el.iterdescendants("a"))
        elif len(el) == 0:
            return []
        else:
            anchors = el.iterdescendants("a")
        pairs = []
        for a in anchors:
            url = safe_url(a.get("href"), self.base)
            if url:
                pairs.append((url, clean_text(get_text(a, " ", self.containers))))
        return pairs

    def _embed(self, el: _Element) -> None:
        self.a.embeds.append(Embed(len(self.a.blocks), markup(el)))

    def _figure(self, el: _Element) -> None:
        img = next(el.iterdescendants("img"), None)
        src = safe_url(img.get("src"), self.base) if img is not None else None
        cap_el = next(el.iterdescendants("figcaption"), None)
        caption = clean_text(get_text(cap_el, " ", self.containers)) if cap_el is not None else None
        if not caption and img is not None:
            caption = clean_text(img.get("alt") or "") or None
        self._add_image(src, caption)

    def _related_list(self, el: _Element) -> bool:
        """A list whose items are each essentially one link is the outlet's related reports."""
        items = self._list_items(el)
        if not items:
            return False
        for li in items:
            if next(li.iterdescendants("ul", "ol"), None) is not None:
                return False
        pairs = []
        containers = self.containers
        for li in items:
            links = [a for a in li.iterdescendants("a") if a.get("href") is not None]
            if len(links) != 1:
                return False
            a = links[0]
            title = clean_text(get_text(a, " ", containers))
            if not title or len(clean_text(get_text(li, " ", containers))) > len(title) + 4:
                return False
            pairs.append((title, safe_url(a.get("href"), self.base)))
        self._add_related(pairs)
        return True

    @staticmethod
    def _scan(el: _Element) -> _Scan:
        return _Scan.of((d, d.tag, _is_embed_element(d))
                        for d in el.iterdescendants(etree.Element))  # elements only

    def walk(self, parent: _Element, depth: int = 0) -> None:
        add = self._add_block
        text = parent.text
        if text is not None:
            text = clean_text(text)
            if text:
                add(PARAGRAPH, text, None)
        plain = self.plain_paragraph
        for node in list(parent):
            if type(node) is _Element:
                if node.tag == "p" and len(node) == 0 and node.get(EMBED_ATTRIBUTE) is None:
                    # Most of a body: a paragraph of plain text. ``element`` would find no
                    # embed, figure or link in it, and no bold (its text is its own).
                    text = node.text
                    if text is not None:
                        plain(text)
                else:
                    self.element(node, depth)
            tail = node.tail
            if tail is not None:
                tail = clean_text(tail)
                if tail:
                    add(PARAGRAPH, tail, None)

    def plain_paragraph(self, text: str) -> None:
        """A plain ``<p>``'s text (its ``.text``; "" for None), as ``element`` would read it."""
        if "  " not in text and text.isprintable():
            text = text.strip(BLANK)  # = clean_text (see there)
            # Most paragraphs: sentences, which ``_add_block`` would add as they are (see
            # PLAIN_PARAGRAPH_ENDS).
            last = text[-1:]
            if last in PLAIN_PARAGRAPH_ENDS and "http" not in text \
                    and not text.startswith(DATELINE_OPENERS) \
                    and (len(text) > BYLINE_MAX_CHARS or last in NO_BYLINE_ENDS
                         or not ROLE_START_RE.search(text)):
                self.a.blocks.append(Block(PARAGRAPH, text))
            elif text:
                self._add_block(PARAGRAPH, text, None)
        else:
            text = clean_text(text)
            if text:
                self._add_block(PARAGRAPH, text, None)

    def bold_paragraph(self, text: str) -> None:
        """What ``element`` makes of a ``<p>`` whose one child, a ``<strong>``/``<b>``, holds
        ``text`` ("" for None) and nothing else: no embed, figure, link or block child, one
        text, bold all through: a sub-heading when short enough (see ``_read_rest``)."""
        text = clean_text(text)
        if text:
            self._add_block(SUBHEADING if len(text) <= SUBHEADING_MAX_CHARS else PARAGRAPH,
                            text, None)

    def element(self, el: _Element, depth: int) -> None:
        name = el.tag
        if name in DROP_TAGS:
            return
        if _is_embed_element(el):
            self._embed(el)
            return
        if len(el) == 0:
            scan = None  # no descendants: nothing to find
        else:
            scan = self._scan(el)
        if name == "figure" or (scan is not None and scan.figures and name in ("p", "div")
                                and not _has_visible(el, skip_tag="figure")):
            for fig in ([el] if name == "figure" else scan.figures):
                self._figure(fig)
            return
        if scan is not None and scan.embeds:
            if name != "p" and not _has_visible(el, set(scan.embeds)):
                self._embed(el)
                return
            # Text beside an embed: keep each embed, then read the rest as text. All are
            # printed, then all removed: the same markup as printing and removing one by one
            # (removing one never changes another's own markup).
            for child in scan.embeds:
                self._embed(child)
            for child in scan.embeds:
                _extract(child)
        self._read_rest(el, name, depth, scan is not None and scan.has_block_child)

    def _list_items(self, el: _Element) -> list:
        return [c for c in el if c.tag == "li"]

    def _has_block_child(self, el: _Element) -> bool:
        for child in el:
            if child.tag in BLOCK_CHILD_TAGS and type(child) is _Element:
                return True
        return False


def _visible(el: _Element, pieces: list[str], current: list[str]) -> None:
    """``_BodyReader._text``'s pass: strings whose parent is not hidden, split at each <br>."""
    hidden = el.tag in HIDDEN_PARENT_TAGS
    text = el.text
    if text is not None and not hidden:
        current.append(text)
    for child in el:
        if type(child) is _Element:
            if child.tag == "br":
                pieces.append("".join(current))
                current.clear()
            _visible(child, pieces, current)
        tail = child.tail
        if tail is not None and not hidden:
            current.append(tail)


def _bold_only(el: _Element, bold: bool, seen: list[bool]) -> bool:
    """False when a plain string below ``el`` has a visible character outside <strong>/<b>;
    ``seen[0]`` becomes True when one is inside."""
    text = el.text
    if text is not None and text.strip(BLANK):
        if not bold:
            return False
        seen[0] = True
    for child in el:
        if type(child) is _Element and child.tag not in STRING_CONTAINER_TAGS:
            if not _bold_only(child, bold or child.tag in BOLD_TAGS, seen):
                return False
        tail = child.tail
        if tail is not None and tail.strip(BLANK):
            if not bold:
                return False
            seen[0] = True
    return True

