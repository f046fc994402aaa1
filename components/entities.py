"""Entity extraction: people, places and organisations named in an article.

In: a parsed ``model.Article`` (title and body blocks; embeds are never looked at).
Out:
- ``extract_entities(article)`` -> ``list[Mention]``: every mention in the title (block
  ``TITLE_BLOCK``) and the body blocks, with a canonical name, a type (person | place | org), the
  surface text and ``[start, end)`` offsets into that block's text.
- ``summarize_entities(mentions)`` -> ``[{name, type, count, aliases}]``, most mentioned first
  (ties: first mentioned first): the ``entities`` key of the ``parse`` JSON.
- ``canonical_key(name)``: the Simplified canonical form of any name, for grouping across articles.
- ``person_names(mentions)``: canonical person name -> its surface forms (for the quotes stage).
- ``top_keywords(texts, k)``: TF-IDF keywords that are not entities, stopwords or numbers.

How: the text is converted to Simplified with OpenCC (jieba's HMM crawls on Traditional text and
the dictionaries are Simplified), tagged by a private rjieba instance loaded with the project's
dictionaries (``data/dictionaries``, see its README), and typed by general rules and data:
a gazetteer with the one-character forms countries take in compounds (中俄, 美日韩, 俄军, 访华),
organisation suffixes (部, 局, 委员会, 大学, 电台...), and evidence for person names (a title just
before the name, a reporting verb just after it, a Latin name in parentheses, 先生/小姐 after a
surname, a dotted foreign name). jieba's own nr/ns/nt tags are only hints: it tags many common
words as names. Names found with evidence are then found everywhere else in the article, the
longest match wins (中国外交部 is one organisation, not also the place 中国), and variants of one
referent are merged (Traditional/Simplified, regional transliterations, Latin aliases, short
forms introduced earlier in the article).

Canonical names: always the Simplified canonical form, whatever the article's script, so one
referent has one name across the archive (中国 for 中國 and 中国, 普京 for 普丁, 习近平 for 習近平).
What the article writes (Traditional spellings, regional variants, short forms, Latin names) is
the mention's ``surface`` and shows among the summary's ``aliases``. ``canonical_key`` maps any
name in either script to the same Simplified key.

Staff credits (``article.staff_names`` and the short byline block naming them) are never
entities. The tagger is rjieba; ``extract_entities(article, tagger=jieba_tag)`` runs the same
rules on the private jieba POSTokenizer (the reference the tests compare against).
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import TITLE_BLOCK, Article, Mention

DICT_DIR = Path(__file__).resolve().parent.parent / "data" / "dictionaries"

PERSON, PLACE, ORG = "person", "place", "org"
TAG_TYPE = {"nr": PERSON, "ns": PLACE, "nt": ORG}

# Files (see data/dictionaries/README.md). jieba user-dictionary format: "word freq tag".
PLACE_FILES = ("places_countries.txt", "places_cities.txt", "places_regions.txt")
ORG_FILES = ("orgs.txt",)
GENERIC_ORG_FILE = "orgs_generic.txt"
ALIAS_FILE = "aliases.txt"

DOTS = "·•‧・"
# A Latin name in parentheses right after a Chinese name: 米勒（Matthew Miller）.
LATIN_PAREN_RE = re.compile(r"[（(]\s*([A-Za-z][A-Za-z0-9.'’&\- ,/]{0,120}?)\s*[）)]")
# Words inside a parenthesised Latin name that mark an organisation or a place, not a person.
LATIN_NONPERSON = re.compile(
    r"\b(Agency|Association|Bureau|Forum|Group|Institute|University|College|School|Council|"
    r"Committee|Commission|Party|Company|Corp|Inc|Ltd|Bank|News|Times|Post|Journal|Fund|"
    r"Foundation|Ministry|Department|Office|Organi[sz]ation|Union|Treaty|Zone|Islands?|Strait|"
    r"Sea|Ocean|Center|Centre|Chapter|Tourism|Army|Force|Navy|Press|Radio|TV|Network|"
    r"Cosmodrome|Airport|Port|Province|State|City|County|Republic|Kingdom)\b")
LATIN_PERSON_PREFIX = re.compile(r"^(?:Sen|Rep|Dr|Mr|Mrs|Ms|Gen|Adm|Prof|Gov|Amb)\.?\s+")
# "R-AR" after a US legislator's name: party and state.
LATIN_PERSON_SUFFIX = re.compile(r",\s*[A-Z]-[A-Z]{2}$")
# Prefix verbs and suffix nouns around one-character country forms: 访华, 对美, 俄军, 美方.
ABBR_PREFIXES = set("访赴抵来驻在对援抗亲反仇侵离返旅留涉联制排脱媚友知")
ABBR_SUFFIXES = set("军方媒籍企商资侨")
# Numerals that may follow a country compound inside one jieba token: 朝俄二国, 中美两国.
COMPOUND_TAIL = set("两二三四五双各")
LIST_JOINERS = "跟和与及同"
# Characters that end a Chinese given name candidate (function words, verbs that follow names).
NAME_STOP_CHARS = set("说称表指认强在的了是和与也则等曾对于将已又还就及、，。：；！？“”「」（）() "
                      "今昨日月年向把被让给从到跟同并都更再才")
# One-character words that stand between a speaker and the reporting verb (王毅也说, 他们则表示):
# never the last character of the name.
BEFORE_VERB_WORDS = set("也还则又就都曾却便亦才再更并仍均所们等对向跟和与及中上时后前里在已将会要")
# Tags of tokens that may modify an organisation name (nouns, proper nouns, abbreviations).
ORG_MOD_TAGS = ("n", "nz", "nt", "ns", "nr", "nrt", "nrfg", "j", "eng", "vn", "an", "l", "b")
ORG_MAX_MODIFIERS = 4
# Administrative endings a place name may drop (云南省 → 云南); not 州 (华盛顿 ≠ 华盛顿州) nor
# geographic ones (台湾 ≠ 台湾海峡, 朝鲜 ≠ 朝鲜半岛).
ADMIN_SUFFIXES = ("省", "市", "县", "自治区", "特区")
# Dictionary names get this multiple of the frequency jieba suggests for them, so that they are
# cut whole even next to words that would otherwise absorb a character (脸书上 → 脸书 + 上).
USER_FREQ_BOOST = 20
# No single token longer than this is looked into (a name is short; a 1 MB token is not one).
MAX_NAME_LEN = 24
# Token endings meaning "a person of X": 中国人, 共和党人 are not mentions of X.
DEMONYM_ENDINGS = ("人", "人士", "籍")
# One-character organisation suffixes that name a government body on their own (外交部, 观光局).
GOV_CHAR_SUFFIXES = set("部局署院厅办社")
# Tags of one-character tokens that cannot be a country form in a compound (以/p, 新/a).
NON_PLACE_CHAR_TAGS = ("p", "a", "d", "c", "v", "u", "r", "m", "q", "y", "e", "o")
# Tags of one-character tokens that are function words, never the surname of a name.
FUNCTION_TAGS = ("d", "p", "c", "u", "r", "v", "m", "q", "f", "t", "y", "e", "o", "a", "z")
# Words that introduce a name rather than belong to it (智库哈德逊研究所: 智库 stops the org).
ORG_BARRIERS = {"智库", "机构", "组织", "媒体", "公司", "品牌", "官方", "成员", "旗下", "国际媒体",
                "民间团体", "团体", "单位", "官媒", "网站", "平台", "知名", "著名"}
# Category nouns right before a proper noun that make it an organisation: 品牌奥迪, 公司法盛.
ORG_INTRODUCERS = ("公司", "品牌", "集团", "企业", "厂商", "车企", "银行", "智库", "媒体", "网站",
                   "平台", "杂志", "报纸", "机构", "组织", "政党", "乐团", "球队")
# A publication in 《》 followed by what only publishers have: 《北京之春》杂志, 《环球时报》总编辑.
PUBLICATION_RE = re.compile(
    r"《([^《》]{2,12})》(?=杂志|月刊|周刊|期刊|报纸|网站|电视台|电台|总编辑|总编|主编|副主编|社长|"
    r"社论|记者|评论员|专栏|报道|报导|发文|刊文|刊登|刊出|披露|援引|引述|曾报道|曾报导)")
DOT_RE = re.compile("[%s]" % DOTS)
ORG_INTRODUCER_RE = re.compile("|".join(ORG_INTRODUCERS))
# A byline inside a block: staff credits are kept out of the entities (devset README).
BYLINE_WORDS = re.compile(r"(记者|责编|编辑|网编|译者|核稿|撰稿|特约|报道|报导|编译|主编)")
BYLINE_MAX_LEN = 80
PAREN_GROUP_RE = re.compile(r"[（(][^（）()]*[）)]")
# A news-agency dateline naming its reporter: （中央社记者王小明台北26日电）. The name right after
# 记者 is staff; the agency and the place in it are still mentions.
DATELINE_RE = re.compile(r"[（(][^（）()]{0,40}?(?:记者|特派员)(?=[^（）()]{2,40}?"
                         r"(?:电|报导|报道|专电|连线)[）)])")


@dataclass
class Lexicon:
    """Everything read from data/dictionaries, in Simplified."""
    known: dict[str, tuple[str, str]] = field(default_factory=dict)  # surface -> (canonical, type)
    generic_orgs: set[str] = field(default_factory=set)
    abbr: dict[str, tuple[str, str]] = field(default_factory=dict)  # char -> (canonical, flags)
    compounds: dict[str, list[str]] = field(default_factory=dict)
    place_suffixes: tuple[str, ...] = ()
    place_suffix_last: set[str] = field(default_factory=set)
    abbr_re: re.Pattern | None = None
    abbr_list_re: re.Pattern | None = None
    org_suffixes: list[tuple[str, str]] = field(default_factory=list)
    org_false_tails: set[str] = field(default_factory=set)
    titles: tuple[str, ...] = ()
    titles_after: dict[str, str] = field(default_factory=dict)
    speech_verbs: tuple[str, ...] = ()
    surnames: set[str] = field(default_factory=set)
    double_surnames: set[str] = field(default_factory=set)
    translit: set[str] = field(default_factory=set)
    not_entities: set[str] = field(default_factory=set)
    kw_stop: set[str] = field(default_factory=set)
    user_words: list[tuple[str, str]] = field(default_factory=list)  # (word, tag) for the tokenizer
    title_re: re.Pattern | None = None
    title_end_re: re.Pattern | None = None
    org_suffix_re: re.Pattern | None = None
    false_tail_re: re.Pattern | None = None
    org_suffix_class: dict[str, str] = field(default_factory=dict)
    speech_re: re.Pattern | None = None
    after_re: re.Pattern | None = None


def _lines(name: str) -> list[str]:
    path = DICT_DIR / name
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _alternation(words) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lx = Lexicon()
    words: dict[str, str] = {}
    for fname in PLACE_FILES + ORG_FILES + (GENERIC_ORG_FILE,):
        for line in _lines(fname):
            parts = line.split()
            word, tag = parts[0], parts[-1]
            words[word] = tag
            lx.known.setdefault(word, (word, TAG_TYPE[tag]))
            if fname == GENERIC_ORG_FILE:
                lx.generic_orgs.add(word)
    for line in _lines(ALIAS_FILE):
        variant, canonical, tag = line.split()
        lx.known[variant] = (canonical, TAG_TYPE[tag])
        lx.known.setdefault(canonical, (canonical, TAG_TYPE[tag]))
        words.setdefault(variant, tag)
        words.setdefault(canonical, tag)
    for line in _lines("place_abbreviations.txt"):
        char, canonical, flags = line.split()
        lx.abbr[char] = (canonical, flags)
    for line in _lines("place_compounds.txt"):
        parts = line.split()
        if len(parts[0]) == len(parts) - 1:  # one referent per character
            lx.compounds[parts[0]] = parts[1:]
    lx.place_suffixes = tuple(sorted(_lines("place_suffixes.txt"), key=len, reverse=True))
    lx.place_suffix_last = {suf[-1] for suf in lx.place_suffixes}
    lx.abbr_re = re.compile("[%s]" % re.escape("".join(lx.abbr)))
    chars = re.escape("".join(lx.abbr))
    lx.abbr_list_re = re.compile(r"[%s](?:、[%s]?[%s])+" % (chars, LIST_JOINERS, chars))
    lx.org_suffixes = sorted((tuple(l.split()) for l in _lines("org_suffixes.txt")),
                             key=lambda p: len(p[0]), reverse=True)
    lx.org_false_tails = set(_lines("org_false_tails.txt"))
    lx.titles = tuple(_lines("person_titles.txt"))
    lx.titles_after = dict(l.split() for l in _lines("person_titles_after.txt"))
    lx.speech_verbs = tuple(_lines("person_speech_verbs.txt"))
    for s in _lines("person_surnames.txt"):
        (lx.surnames if len(s) == 1 else lx.double_surnames).add(s)
    lx.translit = set("".join(_lines("person_translit_chars.txt")))
    lx.not_entities = set(_lines("not_entities.txt"))
    lx.kw_stop = set(_lines("keyword_stopwords.txt"))
    lx.user_words = [(w, t) for w, t in words.items() if not w.isascii()]
    lx.title_re = _alternation(lx.titles)
    lx.title_end_re = re.compile("(?:%s)$" % _alternation(lx.titles).pattern)
    lx.org_suffix_class = dict(lx.org_suffixes)
    lx.org_suffix_re = re.compile("(?:%s)$" % _alternation(lx.org_suffix_class).pattern)
    lx.false_tail_re = re.compile("(?:%s)$" % _alternation(lx.org_false_tails).pattern)
    lx.speech_re = _alternation(lx.speech_verbs)
    lx.after_re = _alternation(lx.titles_after)
    return lx


# ---------------------------------------------------------------------------------------------
# Tokenizers: private instances, built once per process.

_LOCK = threading.Lock()
_RJIEBA = None
_OPENCC: dict[str, object] = {}


def user_dictionary() -> list[tuple[str, int, str]]:
    """(word, freq, tag) added to both private tokenizers, in this order.

    Frequencies are jieba's own suggestion for the word on the plain dictionary (enough for the
    word to be cut whole, never less than it already has), computed once so that the rjieba and
    the jieba tokenizer receive exactly the same entries.
    """
    return list(_user_dictionary())


@lru_cache(maxsize=1)
def _user_dictionary() -> tuple[tuple[str, int, str], ...]:
    import rjieba
    fresh = rjieba.Jieba()
    return tuple((w, int(fresh.suggest_freq(w)) * USER_FREQ_BOOST, t)
                 for w, t in lexicon().user_words)


def tokenizer():
    """The process-wide private rjieba instance with the project's dictionaries."""
    global _RJIEBA
    if _RJIEBA is None:
        with _LOCK:
            if _RJIEBA is None:
                import rjieba
                tok = rjieba.Jieba()
                for word, freq, tag in _user_dictionary():
                    tok.add_word(word, freq, tag)
                _RJIEBA = tok
    return _RJIEBA


def jieba_postokenizer():
    """The process-wide private jieba POSTokenizer with the same dictionary (slow; reference)."""
    return _jieba_postokenizer()


@lru_cache(maxsize=1)
def _jieba_postokenizer():
    import jieba
    import jieba.posseg
    tok = jieba.Tokenizer()
    for word, freq, tag in _user_dictionary():
        tok.add_word(word, freq, tag)
    return jieba.posseg.POSTokenizer(tok)


def _opencc(config: str):
    conv = _OPENCC.get(config)
    if conv is None:
        from opencc import OpenCC
        conv = _OPENCC[config] = OpenCC(config)
    return conv


def to_simplified(text: str) -> str:
    """OpenCC t2s with the same length as the input, so offsets carry over unchanged."""
    conv = _opencc("t2s")
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length: convert char by char, keeping odd ones as they are.
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def canonical_key(name: str) -> str:
    """The Simplified canonical form of a name in either script (for grouping across articles)."""
    s = to_simplified(name)
    known = lexicon().known.get(s)
    return known[0] if known else s


# ---------------------------------------------------------------------------------------------
# Candidates


@dataclass(slots=True)
class Cand:
    start: int
    end: int
    type: str
    key: str  # Simplified canonical (before article-level merging)
    prio: int  # higher wins among candidates of the same length


@dataclass(slots=True)
class Token:
    word: str
    tag: str
    start: int
    end: int


def rjieba_tag(text: str) -> list[tuple[str, str]]:
    """(word, tag) pairs from the private rjieba instance (the production tagger)."""
    return tokenizer().tag(text, True)


def jieba_tag(text: str) -> list[tuple[str, str]]:
    """(word, tag) pairs from the private jieba POSTokenizer (slow; the reference)."""
    return [(p.word, p.flag) for p in _jieba_postokenizer().cut(text)]


def _tokens(text: str, tag_fn) -> list[Token]:
    out, pos = [], 0
    for word, tag in tag_fn(text):
        end = pos + len(word)
        out.append(Token(word, tag, pos, end))
        pos = end
    return out


@lru_cache(maxsize=65536)
def _org_suffix(word: str):
    lx = lexicon()
    if len(word) > MAX_NAME_LEN or word in lx.org_false_tails:
        return None
    m = lx.org_suffix_re.search(word)
    if not m:
        return None
    suf = m.group()
    if len(suf) == 1 and len(word) == 2:
        return None  # 举办, 干部: two-character words ending in 办/部 are not names
    f = lx.false_tail_re.search(word)
    if f and len(f.group()) > len(suf):
        return None  # 高级干部, 总部
    return suf, lx.org_suffix_class[suf]


@lru_cache(maxsize=65536)
def _org_head_before_title(word: str) -> str | None:
    lx = lexicon()
    if len(word) > MAX_NAME_LEN:
        return None
    m = lx.title_end_re.search(word)
    if not m or m.start() == 0:
        return None
    head = word[: m.start()]
    return head if (_org_suffix(head) or head in lx.org_suffix_class) else None


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def _translit_run_from(text: str, pos: int, lx: Lexicon, limit: int = 16) -> int:
    """End of the run of transliteration characters (and name dots/hyphens) starting at pos."""
    i = pos
    while i < len(text) and i - pos < limit:
        ch = text[i]
        if ch in lx.translit:
            i += 1
        elif ch in DOTS or ch == "-":
            if i + 1 < len(text) and text[i + 1] in lx.translit and i > pos:
                i += 1
            else:
                break
        else:
            break
    return i


def _translit_run_to(text: str, end: int, lx: Lexicon, limit: int = 16) -> int:
    """Start of the run of transliteration characters (and dots) ending at end."""
    i = end
    while i > 0 and end - i < limit:
        ch = text[i - 1]
        if ch in lx.translit:
            i -= 1
        elif (ch in DOTS or ch == "-") and i - 2 >= 0 and text[i - 2] in lx.translit and i < end:
            i -= 1
        else:
            break
    return i


class BlockAnalyser:
    """Finds candidates in one block of Simplified text."""

    def __init__(self, text: str, lx: Lexicon, tag_fn=rjieba_tag):
        self.text = text
        self.lx = lx
        self.toks = _tokens(text, tag_fn)
        self.starts = {t.start: t for t in self.toks}
        self.ends = {t.end: t for t in self.toks}
        self.bounds = set(self.starts) | set(self.ends)
        self.cands: list[Cand] = []
        self.latin: list[tuple[int, str]] = []  # (offset of the parenthesis, the Latin text)
        self._title_ends: set[int] | None = None
        self._owner: list[Token] | None = None

    # -- helpers
    def add(self, start, end, type_, key, prio):
        if end > start:
            self.cands.append(Cand(start, end, type_, key, prio))

    # -- places and organisations from the dictionaries
    def dictionary_matches(self):
        lx = self.lx
        for t in self.toks:
            hit = lx.known.get(t.word)
            if hit:
                self.add(t.start, t.end, hit[1], hit[0], 5)
                continue
            if 3 <= len(t.word) <= MAX_NAME_LEN:
                # jieba glued a known name to other words (美国纽约, 中国网民, 德国总理): split it
                # greedily, but not when one character is left over (外交部长, 韩国瑜, 中国人).
                w = t.word
                if w.endswith(DEMONYM_ENDINGS):
                    continue  # 台湾人, 共和党人: a person of X, not X itself
                found, i = [], 0
                while i < len(w):
                    for j in range(len(w), i + 1, -1):
                        h = lx.known.get(w[i:j])
                        if h:
                            found.append((i, j, h))
                            i = j
                            break
                    else:
                        break
                if found and len(w) - found[-1][1] != 1:
                    for i, j, h in found:
                        self.add(t.start + i, t.start + j, h[1], h[0], 4)

    def place_compounds(self):
        lx, text = self.lx, self.text
        for t in self.toks:
            parts = lx.compounds.get(t.word)
            if parts:  # 港澳台 → 香港 澳门 台湾, one character each
                for i, canon in enumerate(parts):
                    self.add(t.start + i, t.start + i + 1, PLACE, canon, 2)
        n = len(text)
        i = 0
        for am in lx.abbr_re.finditer(text):
            if am.start() < i:
                continue
            i = am.start()
            if i not in self.starts:
                continue
            # Run of one-character forms that jieba keeps together or cuts at its edges: 中俄, 美日韩.
            j = i
            while j < n and text[j] in lx.abbr and "c" in lx.abbr[text[j]][1] and j - i < 4:
                j += 1
            run = text[i:j]
            if j - i >= 2 and len(set(run)) == j - i and run not in lx.not_entities \
                    and run not in lx.known:
                tail_ok = j in self.ends or (j < n and (text[j] in COMPOUND_TAIL
                                                        or text[j] in ABBR_SUFFIXES))
                tok = self.starts[i]
                if not tail_ok and tok.end > j and tok.tag not in ("i", "l") and \
                        tokenizer().has_word(text[j:tok.end]) and tok.end - j >= 2:
                    tail_ok = True  # 中俄关系 as one jieba token: 中俄 + 关系
                inside_known = any(c.start <= i and c.end >= j and c.end - c.start > j - i
                                   for c in self.cands if c.prio >= 4)
                # one-character tokens read as function words are not country forms: 以/p 新/a
                # (以新的口径) is "with a new", not Israel and Singapore
                if any(len(t.word) == 1 and t.tag.startswith(NON_PLACE_CHAR_TAGS)
                       for k in range(i, j) for t in [self.starts.get(k)] if t):
                    tail_ok = False
                if tail_ok and not inside_known and run not in lx.compounds:
                    for k in range(i, j):
                        self.add(k, k + 1, PLACE, lx.abbr[text[k]][0], 1)
                    i = j
                    continue
            i += 1
        # Lists: 中、朝、俄 / 美、日、韩 / 跟俄、跟朝.
        for m in lx.abbr_list_re.finditer(text):
            chars = [(m.start() + k, c) for k, c in enumerate(m.group()) if c in lx.abbr]
            if len({c for _, c in chars}) < 2:
                continue
            if not all("l" in lx.abbr[c][1] and k in self.starts for k, c in chars):
                continue
            for k, c in chars:
                nxt = self.starts[k]
                if len(nxt.word) > 1 and nxt.word in lx.known:
                    continue  # 中、美国 — the full name is matched on its own
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)
        # Prefix verb + form (访华, 对美) and form + suffix (俄军, 美方), as one token or two.
        for am in lx.abbr_re.finditer(text):
            k = am.start()
            c = text[k]
            flags = lx.abbr[c][1]
            if "p" in flags and k > 0 and text[k - 1] in ABBR_PREFIXES and (k + 1) in self.ends \
                    and (k - 1) in self.starts:
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)
            elif "s" in flags and k + 1 < n and text[k + 1] in ABBR_SUFFIXES and k in self.starts \
                    and (k + 2) in self.ends:
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)

    def place_suffix_names(self):
        """X州, X省, X群岛... where X is a known place, a place-tagged word or a transliteration."""
        lx, text = self.lx, self.text
        last_chars = lx.place_suffix_last
        for t in self.toks:
            if t.word[-1] not in last_chars:
                continue
            for suf in lx.place_suffixes:
                if t.word.endswith(suf) and len(t.word) > len(suf):
                    stem = t.word[: -len(suf)]
                    if stem in lx.known and lx.known[stem][1] == PLACE or \
                            (t.tag == "ns" and len(stem) >= 2 and t.word not in lx.not_entities):
                        self.add(t.start, t.end, PLACE, t.word, 3)
                    break
                if t.word == suf and t.start > 0:
                    # 威斯康辛/州: the stem is the token(s) before.
                    s = _translit_run_to(text, t.start, lx)
                    prev = self.ends.get(t.start)
                    if prev and prev.tag == "ns" and prev.word not in lx.not_entities and \
                            len(prev.word) >= 2:
                        s = min(s, prev.start) if t.start - s >= 2 else prev.start
                    if t.start - s >= 2 and s in self.starts:
                        self.add(s, t.end, PLACE, text[s:t.end], 3)
                    break

    # -- organisations by suffix
    @staticmethod
    def _org_suffix(word: str):
        """(suffix, class) when the word ends like an organisation name, else None."""
        return _org_suffix(word)

    def _split_title(self, tok: Token):
        """协会会长 → 协会: an organisation suffix glued to the title that follows it."""
        head = _org_head_before_title(tok.word)
        return Token(head, "n", tok.start, tok.start + len(head)) if head else None

    def org_names(self):
        lx, toks = self.lx, self.toks
        for idx, t in enumerate(toks):
            hit = self._org_suffix(t.word)
            generic = t.word in lx.generic_orgs
            if not hit and not generic:
                head = self._split_title(t)
                if head is None:
                    continue
                t = head
                hit = self._org_suffix(t.word) or next(
                    ((s, c) for s, c in lx.org_suffixes if s == t.word), None)
                if not hit:
                    continue
            suf, cls = hit if hit else (t.word, "place")
            if generic:
                cls = "place"
            # The suffix token alone names a government body: 外交部, 观光局, 立法院.
            own_ok = (len(suf) == 1 and suf in GOV_CHAR_SUFFIXES and 3 <= len(t.word) <= 4
                      and t.tag not in FUNCTION_TAGS and t.word not in lx.not_entities
                      and t.word[:-1] not in lx.known) or \
                (len(t.word) > len(suf) + 1 and self._known_head(t.word[: -len(suf)]))
            if t.word in lx.known and not generic:
                continue  # a specific organisation from the dictionary: never extended
            mods: list[Token] = []
            j = idx - 1
            while j >= 0 and len(mods) < ORG_MAX_MODIFIERS:
                p = toks[j]
                if p.word in ORG_BARRIERS:
                    break
                if p.word in lx.titles_after or (p.word in lx.titles and p.word not in lx.known):
                    break
                ok_tag = p.tag in ORG_MOD_TAGS or p.word in lx.known or \
                    (p.tag == "ns" and len(p.word) == 1)
                if not ok_tag or not any(_is_cjk(ch) or ch.isalnum() for ch in p.word):
                    break
                if len(p.word) == 1 and not (mods and all(
                        ch in lx.translit for ch in mods[0].word)):
                    break  # 美 + 拉尼西亚 is one name; 朝 + 联合会 (中、俄、朝联合会) is not
                mods.insert(0, p)
                if p.word in lx.known and lx.known[p.word][1] == PLACE:
                    break  # a place starts the name: 台湾观光局, 中国外交部
                j -= 1
            # Drop leading modifiers that are generic words until a proper one leads.
            while mods and not self._specific(mods[0]) and cls != "loose":
                mods.pop(0)
            if cls == "place":
                if mods and mods[0].word in lx.known and lx.known[mods[0].word][1] == PLACE:
                    start = mods[0].start
                    self.add(start, t.end, ORG, self.text[start:t.end], 6)
                elif not mods and len(t.word) > len(suf) and \
                        self._place_head(t.word[: -len(suf)]):
                    self.add(t.start, t.end, ORG, t.word, 6)  # 日本政府 as one jieba token
                continue
            if mods and len(t.word) == 1 and all(self._place_head(m.word) for m in mods):
                mods = []  # 中国 + 部 (人权观察中国部): a bare suffix after a place names nothing
            if mods:
                if cls == "strict" and not any(self._specific(m) for m in mods):
                    mods = []
                elif len(mods) == 1 and len(suf) > 1 and cls == "strict" and \
                        mods[0].word in lx.known and lx.known[mods[0].word][1] == ORG:
                    mods = []  # 联合国组织: a known organisation and a category noun
                    own_ok = False
            if mods:
                start = mods[0].start
                name = self.text[start:t.end]
                if name not in lx.not_entities:
                    self.add(start, t.end, ORG, name, 6)
            elif own_ok:
                self.add(t.start, t.end, ORG, t.word, 3)

    def _place_head(self, head: str) -> bool:
        hit = self.lx.known.get(head)
        return bool(hit) and hit[1] == PLACE

    def _known_head(self, head: str) -> bool:
        """中国外交部 as one jieba token: its head starts with a known place or organisation."""
        return any(head[:j] in self.lx.known for j in range(len(head) - 1, 1, -1))

    def _specific(self, tok: Token) -> bool:
        lx = self.lx
        if tok.word in lx.known:
            return True
        if tok.tag in ("nz", "nt", "ns", "nr", "nrt", "nrfg", "j", "eng") and \
                tok.word not in lx.not_entities:
            return True
        return len(tok.word) >= 2 and all(ch in lx.translit for ch in tok.word)

    def publications(self):
        """《北京之春》杂志, 《环球时报》总编辑: a title in 《》 that the text treats as a publisher."""
        for m in PUBLICATION_RE.finditer(self.text):
            name = m.group(1)
            if 2 <= len(name) <= 12 and name not in self.lx.not_entities:
                hit = self.lx.known.get(name)
                self.add(m.start(1), m.end(1), ORG, hit[0] if hit else name, 4)

    def org_introduced(self):
        """品牌奥迪, 公司法盛（Natixis）: a category noun, then an unknown proper noun."""
        lx, text = self.lx, self.text
        for m in ORG_INTRODUCER_RE.finditer(text):
            s = m.end()
            tok = self.starts.get(s)
            if tok and tok.tag in ("nz", "nrt", "nt", "eng") and len(tok.word) >= 2 and \
                    tok.word not in lx.known and tok.word not in lx.not_entities:
                self.add(tok.start, tok.end, ORG, tok.word, 2)
                continue
            # jieba cuts across the boundary (公司法/盛): a short name before a Latin name
            for length in (2, 3, 4):
                e = s + length
                if e < len(text) and text[e] in "（(" and all(_is_cjk(ch) for ch in text[s:e]):
                    if LATIN_PAREN_RE.match(text, e) and text[s:e] not in lx.known:
                        self.add(s, e, ORG, text[s:e], 2)
                    break

    # -- people
    def _name_after(self, pos: int) -> int | None:
        """End of a person name starting at pos (right after a title), or None."""
        lx, text = self.lx, self.text
        n = len(text)
        if pos >= n or not _is_cjk(text[pos]):
            return None
        run_end = _translit_run_from(text, pos, lx)
        while run_end > pos and run_end not in self.ends and run_end < n:
            run_end -= 1  # a run ends where a word ends (库克 + 本周, not 库克本)
        while run_end > pos and (text[run_end - 1] in DOTS or text[run_end - 1] == "-"):
            run_end -= 1
        run = text[pos:run_end]
        if any(d in run for d in DOTS) or run_end - pos >= 4:
            return run_end
        tok = self.starts.get(pos)
        if tok and tok.tag.startswith("nr") and 2 <= len(tok.word) <= 4:
            end = tok.end
            if all(ch in lx.translit for ch in tok.word) and run_end in self.ends:
                end = max(end, run_end)  # 梅/拉尼/娅 cut apart by jieba
            nxt = self.starts.get(end)
            if len(tok.word) == 2 and tok.word[0] in lx.surnames and nxt and \
                    _is_cjk(nxt.word[0]) and nxt.word[0] not in NAME_STOP_CHARS and \
                    len(nxt.word) >= 2 and not tokenizer().has_word(nxt.word):
                end += 1  # 侯友/宜则: jieba's HMM glued the last given-name character onward
            return self._trim_name_end(pos, end)
        sur = 2 if text[pos:pos + 2] in lx.double_surnames else (
            1 if text[pos] in lx.surnames else 0)
        nxt = self.starts.get(pos + 1)
        if sur == 1 and tok and len(tok.word) == 1 and nxt and nxt.tag.startswith("nr"):
            if len(nxt.word) == 2:
                return pos + 3  # 何/明德: jieba read the surname as a pronoun
            if len(nxt.word) == 3 and nxt.word[0] in lx.surnames:
                return pos + 4  # 叶/刘淑仪: a Hong Kong married name, husband's surname first
        if sur and tok and (tok.tag.startswith(FUNCTION_TAGS) and not tok.tag.startswith("nr")):
            sur = 0  # 都没有: the 'surname' is a function word here
        if sur and tok and len(tok.word) > sur + 2:
            sur = 0  # 关系密切: a longer word starts here
        if sur and tok and len(tok.word) >= 2 and not tok.tag.startswith(("nr", "nz", "j")) \
                and tokenizer().has_word(tok.word):
            sur = 0  # 任期内, 金融学: the 'surname' starts a dictionary word
        if sur:
            if text[pos + sur:pos + sur + 2] in lx.titles_after:
                return None  # 林先生 is handled as surname + honorific
            given = 0
            while given < 2 and pos + sur + given < n and _is_cjk(text[pos + sur + given]) and \
                    text[pos + sur + given] not in NAME_STOP_CHARS:
                given += 1
            first = self.starts.get(pos + sur)
            if first and len(first.word) >= 2 and not first.tag.startswith("nr") and \
                    first.end >= pos + sur + given and first.tag.startswith(FUNCTION_TAGS + ("v",)):
                return None  # the 'given name' is a common word: 都持, 都没有
            if given == 2:
                nxt = self.starts.get(pos + sur + 1)
                if nxt and len(nxt.word) >= 2 and nxt.word not in lx.known and \
                        not nxt.tag.startswith("nr") and nxt.end > pos + sur + 2 and \
                        not self._in_name_token(pos + sur + 1) and \
                        tokenizer().has_word(nxt.word):
                    given = 1  # 王刚受访: the third character starts a dictionary word
            if given:
                return pos + sur + given
        if run_end - pos >= 2:
            return run_end
        return None

    def _trim_name_end(self, s: int, e: int) -> int:
        """朱立伦则 → 朱立伦: drop function characters jieba glued to a Chinese name."""
        name = self.text[s:e]
        if all(ch in self.lx.translit for ch in name):
            return e
        while e - s > 2 and self.text[e - 1] in BEFORE_VERB_WORDS:
            e -= 1
        return e

    def _trim_title(self, s: int, e: int) -> int:
        """Move a name start past a title glued in front of it (总理拉布卡, 主席布朗)."""
        if self._title_ends is None:
            self._title_ends = {m.end() for m in self.lx.title_re.finditer(self.text)}
        best = s
        for k in range(s + 1, e - 1):
            if k in self._title_ends:
                best = k
        return best

    def _in_name_token(self, pos: int) -> bool:
        """Whether the token covering pos is tagged as a name by jieba."""
        if self._owner is None:
            owner = []
            for t in self.toks:
                owner.extend([t] * (t.end - t.start))
            self._owner = owner
        return 0 <= pos < len(self._owner) and self._owner[pos].tag.startswith("nr")

    def _valid_person(self, name: str) -> bool:
        lx = self.lx
        if len(name) < 2 or name in lx.not_entities or name in lx.titles:
            return False
        hit = lx.known.get(name)
        if hit and hit[1] != PERSON:
            return False
        if any(not (_is_cjk(ch) or ch in DOTS or ch == "-") for ch in name):
            return False
        if self._org_suffix(name) and len(name) > 3 and not all(ch in lx.translit for ch in name):
            return False
        return True

    def person_names(self):
        lx, text = self.lx, self.text
        # A title right before the name: 外交部发言人华春莹, 参议员科顿.
        for m in lx.title_re.finditer(text):
            if m.end() not in self.bounds and not self._in_name_token(m.end()):
                continue  # the title must end where jieba ends a word (总统府 is not 总统 + 府)
            end = self._name_after(m.end())
            if end:
                name = text[m.end():end]
                if self._valid_person(name):
                    self.add(m.end(), end, PERSON, name, 3)
        # A surname and an honorific: 曾小姐, 林先生.
        for m in lx.after_re.finditer(text):
            if lx.titles_after[m.group()] == "honorific":
                s = m.start() - 1
                if s >= 0 and text[s] in lx.surnames and (s == 0 or text[s - 1] not in lx.translit
                                                         or not _is_cjk(text[s - 1])):
                    if s in self.starts or (s - 1) in self.ends or s == 0:
                        self.add(s, m.end(), PERSON, text[s:m.end()], 3)
            else:
                s = m.start() - 1
                if s >= 0 and text[s] in lx.surnames and s in self.starts and \
                        self.starts[s].end == s + 1 and (s == 0 or not _is_cjk(text[s - 1]) or
                                                         text[s - 1] not in lx.translit):
                    # A surname and a title: 王教授, 李医生 (surname-only names count).
                    self.add(s, m.end(), PERSON, text[s:m.end()], 2)
                    continue
                # Name then title: 科顿参议员, 法塔斯教授.
                tok = self.ends.get(m.start())
                s = _translit_run_to(text, m.start(), lx)
                if tok and tok.tag.startswith("nr") and 2 <= len(tok.word) <= 4:
                    s = min(s, tok.start) if m.start() - s >= 2 else tok.start
                s = self._trim_title(s, m.start())
                if m.start() - s >= 2:
                    name = text[s:m.start()]
                    if self._valid_person(name) and (tok and tok.tag.startswith("nr")
                                                     or all(c in lx.translit for c in name)):
                        self.add(s, m.start(), PERSON, name, 2)
        # A reporting verb right after the name: 李奇岳说, 布朗表示.
        for m in lx.speech_re.finditer(text):
            e = m.start()
            tok = self.ends.get(e)
            if tok and len(tok.word) == 1 and _is_cjk(tok.word) and \
                    tok.word not in BEFORE_VERB_WORDS:
                prev = self.ends.get(tok.start)
                if prev and prev.tag.startswith("nr") and len(prev.word) == 2 and \
                        prev.word[0] in lx.surnames and self._valid_person(text[prev.start:e]):
                    # 李家/超/表示, 严德/发/指出: jieba split the last character of the name off
                    self.add(prev.start, e, PERSON, text[prev.start:e], 2)
                    continue
            if tok and tok.tag.startswith("nr") and 2 <= len(tok.word) <= 4:
                name = tok.word
                if (name[0] in lx.surnames or name[:2] in lx.double_surnames or
                        all(c in lx.translit for c in name)) and self._valid_person(name):
                    s = _translit_run_to(text, e, lx) if all(c in lx.translit for c in name) \
                        else tok.start
                    s = self._trim_title(min(s, tok.start), e)
                    e2 = self._trim_name_end(s, e)
                    if self._valid_person(text[s:e2]):
                        self.add(s, e2, PERSON, text[s:e2], 2)
        # jieba's dictionary marks well-known full names nrfg (习近平): a name on its own.
        for t in self.toks:
            if t.tag == "nrfg" and 2 <= len(t.word) <= 4 and self._valid_person(t.word) and \
                    (t.word[0] in lx.surnames or t.word[:2] in lx.double_surnames) and \
                    not (len(t.word) == 2 and t.word.endswith("家")):  # 李家: the Li family
                self.add(t.start, t.end, PERSON, t.word, 2)
        # Dotted foreign names: 安东尼奥·法塔斯.
        last_end = -1
        for m in DOT_RE.finditer(text):
            if m.start() < last_end:
                continue  # a later dot of a name already read (艾丽西亚·加西亚·...)
            s = _translit_run_to(text, m.start(), lx)
            e = _translit_run_from(text, s, lx)
            last_end = e
            s = self._trim_title(s, e)
            name = text[s:e]
            if any(d in name for d in DOTS) and self._valid_person(name):
                self.add(s, e, PERSON, name, 3)
        # A Latin name in parentheses: 米勒（Matthew Miller）.
        for m in LATIN_PAREN_RE.finditer(text):
            latin = m.group(1).strip()
            self.latin.append((m.start(), latin))
            e = m.start()
            if e < 2 or not _is_cjk(text[e - 1]):
                continue
            if LATIN_NONPERSON.search(latin) or not self._latin_person(latin):
                continue
            tok = self.ends.get(e)
            s = _translit_run_to(text, e, lx)
            if tok and tok.tag.startswith("nr") and 2 <= len(tok.word) <= 4:
                s = min(s, tok.start) if e - s >= 2 else tok.start
            if e - s >= 2:
                s = self._trim_title(s, e)
                name = text[s:e]
                if e - s >= 2 and self._valid_person(name):
                    self.add(s, e, PERSON, name, 3)

    @staticmethod
    def _latin_person(latin: str) -> bool:
        latin = LATIN_PERSON_SUFFIX.sub("", latin)
        if LATIN_PERSON_PREFIX.match(latin):
            return True
        words = [w for w in re.split(r"\s+", latin) if w]
        return 2 <= len(words) <= 5 and all(w[0].isupper() for w in words) and \
            not any(w.isupper() and len(w) > 1 for w in words)

    def run(self):
        self.dictionary_matches()
        self.place_compounds()
        self.place_suffix_names()
        self.org_names()
        self.org_introduced()
        self.publications()
        self.person_names()
        return self


def latin_alias(latin: str, type_: str) -> list[str]:
    """The alias(es) a parenthesised Latin text gives: "Sen. Tom Cotton, R-AR" -> Tom Cotton."""
    latin = latin.strip()
    if type_ == PERSON:
        latin = LATIN_PERSON_SUFFIX.sub("", latin)
        latin = LATIN_PERSON_PREFIX.sub("", latin)
        return [latin.split(",")[0].strip()] if latin else []
    return [p.strip() for p in latin.split(",") if len(p.strip()) >= 2]


# ---------------------------------------------------------------------------------------------
# Article level


def _byline_spans(text: str, staff: set[str]) -> list[tuple[int, int]]:
    """Spans of a block that are staff credits: a short block naming staff outside brackets, or
    a bracket naming staff (（译者：…）, （编辑：…）). A news-agency dateline
    (（中央社记者王小明台北26日电）) is not masked: its agency and place are mentions, and its
    reporter is dropped where the dateline is read (``DATELINE_RE``)."""
    if not staff:
        return []
    hits = [n for n in staff if n and n in text]
    if not hits:
        return []
    outside = PAREN_GROUP_RE.sub("", text)
    if len(text) <= BYLINE_MAX_LEN and BYLINE_WORDS.search(outside) and \
            any(n in outside for n in hits):
        return [(0, len(text))]
    datelines = {m.start() for m in DATELINE_RE.finditer(text)}
    spans = []
    for m in PAREN_GROUP_RE.finditer(text):
        if m.start() not in datelines and any(n in m.group() for n in hits):
            spans.append((m.start(), m.end()))
    return spans


def _select(cands: list[Cand]) -> list[Cand]:
    """Longest match wins; among equal lengths the higher priority, then the earlier."""
    chosen: list[Cand] = []
    taken: set[int] = set()  # character positions already in a chosen mention (linear time)
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), -c.prio, c.start)):
        span = range(c.start, c.end)
        if any(i in taken for i in span):
            continue
        chosen.append(c)
        taken.update(span)
    return sorted(chosen, key=lambda c: c.start)


def extract_entities(article: Article, tagger=None) -> list[Mention]:
    """Every person, place and organisation mention in the title and body blocks.

    ``tagger`` (text -> [(word, tag)]) defaults to the private rjieba instance; ``jieba_tag``
    gives the same analysis with the private jieba POSTokenizer.
    """
    lx = lexicon()
    tag_fn = tagger or rjieba_tag
    blocks: list[tuple[int, str]] = []
    if article.title:
        blocks.append((TITLE_BLOCK, article.title))
    blocks += [(i, b.text) for i, b in enumerate(article.blocks)]
    staff = {to_simplified(n) for n in article.staff_names if n}
    simp = [to_simplified(t) for _, t in blocks]
    analysers = [BlockAnalyser(s, lx, tag_fn).run() for s in simp]
    masks = [_byline_spans(s, staff) for s in simp]
    reporters = [{m.end() for m in DATELINE_RE.finditer(s)} for s in simp]
    first_pass = [_select(a.cands) for a in analysers]

    # Names established with evidence anywhere in the article, found again everywhere.
    established: dict[str, tuple[str, str]] = {}
    for a, chosen, mask, rep_starts in zip(analysers, first_pass, masks, reporters):
        for c in chosen:
            if c.type in (PERSON, ORG) and c.prio >= 2 and c.start not in rep_starts and \
                    not any(c.start < e and ms < c.end for ms, e in mask):
                surface = a.text[c.start:c.end]
                if surface not in lx.known and surface not in staff:
                    established.setdefault(surface, (c.key, c.type))
    # Short forms of dotted foreign names: 法塔斯 for 安东尼奥·法塔斯.
    for surface, (key, type_) in list(established.items()):
        if type_ == PERSON and any(d in surface for d in DOTS):
            last = re.split("[%s]" % DOTS, surface)[-1]
            if len(last) >= 2:
                established.setdefault(last, (key, PERSON))
    # Latin aliases in parentheses right after a mention.
    for a, chosen in zip(analysers, first_pass):
        ends = {c.end: c for c in chosen}
        for name_end, latin in a.latin:
            c = ends.get(name_end)
            if c is None:
                continue
            for alias in latin_alias(latin, c.type):
                if alias and alias not in established and not alias.isdigit():
                    established[alias] = (c.key, c.type)
    for surface, (key, type_) in established.items():
        for a in analysers:
            text = a.text
            k = text.find(surface)
            while k >= 0:
                e = k + len(surface)
                # Latin aliases only as whole words
                whole = not surface.isascii() or not ((k > 0 and text[k - 1].isalnum()) or
                                                      (e < len(text) and text[e].isalnum()))
                # an organisation name ends where a word ends (not 中国外交部 in 中国外交部长)
                if whole and (type_ != ORG or (k in a.bounds and e in a.bounds)):
                    a.add(k, e, type_, key, 0)
                k = text.find(surface, k + 1)

    # (block, candidate, surface as written, surface in Simplified)
    raw: list[tuple[int, Cand, str, str]] = []
    for (block, text), s, a, mask, rep_starts in zip(blocks, simp, analysers, masks, reporters):
        for c in _select(a.cands):
            if any(c.start < e and ms < c.end for ms, e in mask):
                continue
            if c.type == PERSON and c.start in rep_starts:
                continue
            surf_s = s[c.start:c.end]
            if surf_s in staff or c.key in staff:
                continue
            if surf_s in lx.not_entities and c.end - c.start > 1:
                continue
            raw.append((block, c, text[c.start:c.end], surf_s))

    # The name is the Simplified canonical key in either script (one referent, one name across
    # the archive); the article's own spelling is the surface and shows among the aliases.
    keys = _merge_keys([(c.key, c.type) for _, c, _, _ in raw])
    return [Mention(name=key, type=c.type, surface=surf, block=block, start=c.start, end=c.end)
            for (block, c, surf, _), key in zip(raw, keys)]


def _short_form_of(short: str, long: str, type_: str) -> bool:
    """Whether ``short`` is a short form of the longer name ``long`` of the same type."""
    if len(long) <= len(short):
        return False
    if type_ == ORG:
        return (long.endswith(short) and len(short) >= 2) or _abbreviates(short, long)
    if type_ == PERSON:
        return any(d in long for d in DOTS) and re.split("[%s]" % DOTS, long)[-1] == short
    if type_ == PLACE:
        return long.startswith(short) and long[len(short):] in ADMIN_SUFFIXES
    return False


def _merge_keys(items: list[tuple[str, str]]) -> list[str]:
    """One key per referent, with short forms merged into the full name.

    A short form (外交部, 法塔斯, 陆委会, 云南) joins a longer name of the same type introduced
    earlier in the article; failing that, the only longer name it can be short for (a title
    often uses the short form first). A longer variant ending in an established short form
    (交通部观光局 when 观光局 stood for 台湾观光局) joins the same referent when its head is a
    place or a government body.
    """
    lx = lexicon()
    order: list[tuple[str, str]] = []
    for k in items:
        if k not in order:
            order.append(k)
    target: dict[tuple[str, str], str] = {}
    for idx, (key, type_) in enumerate(order):
        longer = [(e, t) for e, t in order if t == type_ and _short_form_of(key, e, type_)]
        earlier = [k for k in longer if order.index(k) < idx]
        if earlier:
            target[(key, type_)] = earlier[0][0]
        elif len(longer) == 1:
            target[(key, type_)] = longer[0][0]
    # Variants built on a short form: 交通部 + 观光局 → 台湾观光局.
    for key, type_ in order:
        if type_ != ORG or (key, type_) in target:
            continue
        for (short, st), full in list(target.items()):
            if st == ORG and len(short) >= 3 and key.endswith(short) and key != full:
                head = key[: -len(short)]
                hit = lx.known.get(head)
                if hit and (hit[1] == PLACE or head in lx.generic_orgs):
                    target[(key, type_)] = full
                    break

    def resolve(k: tuple[str, str]) -> str:
        seen = set()
        while k in target and k not in seen:
            seen.add(k)
            k = (target[k], k[1])
        return k[0]

    return [resolve(k) for k in items]


def _abbreviates(short: str, long: str) -> bool:
    """陆委会 abbreviates 大陆委员会: its characters in order, sharing the last character."""
    if not (2 <= len(short) <= 4) or len(long) < len(short) + 2 or short[-1] != long[-1]:
        return False
    it = iter(long)
    return all(ch in it for ch in short)


# ---------------------------------------------------------------------------------------------
# Summaries


def summarize_entities(mentions: list[Mention]) -> list[dict]:
    """[{name, type, count, aliases}] most mentioned first; ties: first mentioned first.

    ``aliases`` are the other surface forms merged into the name, in order of appearance. A
    Latin alias in parentheses right after its own name (米勒（Matthew Miller）) is shown as an
    alias but not counted as a second mention. Among equal counts an entity named in full at
    least once comes before one seen only as a one-character form in compounds (欧 in 欧美).
    """
    order: dict[tuple[str, str], int] = {}
    counts: Counter = Counter()
    full: Counter = Counter()  # mentions by more than a one-character form (欧 in 欧美)
    aliases: dict[tuple[str, str], list[str]] = {}
    prev: Mention | None = None
    for m in sorted(mentions, key=lambda m: (m.block != TITLE_BLOCK, m.block, m.start)):
        k = (m.name, m.type)
        order.setdefault(k, len(order))
        apposition = (prev is not None and prev.block == m.block and prev.name == m.name
                      and prev.type == m.type and 0 < m.start - prev.end <= 2
                      and m.surface.isascii() and not prev.surface.isascii())
        if not apposition:
            counts[k] += 1
            full[k] += len(m.surface) > 1
        al = aliases.setdefault(k, [])
        if m.surface != m.name and m.surface not in al:
            al.append(m.surface)
        prev = m
    # Equal counts: an entity named in full comes before one seen only in compounds (欧美).
    ranked = sorted(order, key=lambda k: (-counts[k], not full[k], order[k]))
    return [{"name": n, "type": t, "count": counts[(n, t)], "aliases": aliases[(n, t)]}
            for n, t in ranked]


def person_names(mentions: list[Mention]) -> dict[str, list[str]]:
    """Canonical person name -> every surface form it has in the article (name first)."""
    out: dict[str, list[str]] = {}
    for m in mentions:
        if m.type == PERSON:
            forms = out.setdefault(m.name, [m.name])
            if m.surface not in forms:
                forms.append(m.surface)
    return out


# ---------------------------------------------------------------------------------------------
# Keywords

KEYWORD_TAGS = ("n", "nz", "vn", "l", "i", "an", "j")
_IDF: dict[str, float] | None = None
_IDF_MEDIAN = 10.0


def _idf() -> tuple[dict[str, float], float]:
    global _IDF, _IDF_MEDIAN
    if _IDF is None:
        import jieba.analyse
        path = Path(jieba.analyse.__file__).parent / "idf.txt"
        idf = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ")
            if len(parts) == 2:
                idf[parts[0]] = float(parts[1])
        values = sorted(idf.values())
        _IDF_MEDIAN = values[len(values) // 2]
        _IDF = idf
    return _IDF, _IDF_MEDIAN


NUMBER_RE = re.compile(r"^[\d０-９.,%％]+$|^[一二三四五六七八九十百千万亿两零〇几]+$")


def top_keywords(texts: list[str], k: int = 20, exclude=()) -> list[tuple[str, float]]:
    """TF-IDF keywords over the texts, leaving out entities, stopwords and numbers.

    Each text is cut by the private tokenizer and run through the entity rules; words inside an
    entity mention (or equal to one found anywhere in the texts), dictionary names, words jieba
    tags as names, Latin words, stopwords and numbers are left out. ``exclude`` adds more names.
    Weights are term frequency times jieba's IDF (unseen words get its median), normalised by
    the number of counted words.
    """
    lx = lexicon()
    idf, median = _idf()
    skip = {to_simplified(x) for x in exclude}
    words: list[str] = []
    for text in texts:
        a = BlockAnalyser(to_simplified(text or ""), lx).run()
        spans = [(c.start, c.end) for c in _select(a.cands)]
        skip.update(a.text[s:e] for s, e in spans)
        covered = set()
        for s_, e_ in spans:
            covered.update(range(s_, e_))
        for t in a.toks:
            w = t.word.strip()
            if len(w) < 2 or not t.tag.startswith(KEYWORD_TAGS) or t.tag == "eng" or \
                    t.tag.startswith(("nr", "ns", "nt")) or t.start in covered or \
                    (t.end - 1) in covered:
                continue
            if w in lx.kw_stop or w in lx.not_entities or w in lx.known or w in lx.titles or \
                    NUMBER_RE.match(w) or w.isascii():
                continue
            words.append(w)
    tf = Counter(w for w in words if w not in skip)
    total = sum(tf.values())
    if not total:
        return []
    scored = {w: n / total * idf.get(w, median) for w, n in tf.items()}
    top = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return [(w, round(s, 6)) for w, s in top]


__all__ = ["extract_entities", "summarize_entities", "canonical_key", "person_names",
           "top_keywords", "to_simplified", "tokenizer", "jieba_postokenizer", "user_dictionary",
           "lexicon", "PERSON", "PLACE", "ORG"]
