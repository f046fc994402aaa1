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

Work is linear and bounded: a block longer than ``WINDOW_CHARS`` (a whole article on one line)
is read in windows cut at sentence ends, names found with evidence and names compared for short
forms are capped, and the whole article is converted and tagged in one call each: its blocks
(windows) are joined by newlines, which jieba always cuts at, and the rules run once over the
joined text, each reading every block as if it stood alone (``BlockAnalyser``).

Staff credits (``article.staff_names`` and the short byline block naming them) are never
entities. The tagger is rjieba; ``extract_entities(article, tagger=jieba_tag)`` runs the same
rules on the private jieba POSTokenizer (the reference the tests compare against).
"""
from __future__ import annotations

import re
import sys
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress
from operator import itemgetter
from pathlib import Path

from .model import TITLE_BLOCK, Article, Mention
from .textutil import converter, scan_lookahead, trie_pattern

DICT_DIR = Path(__file__).resolve().parent.parent / "data" / "dictionaries"

PERSON, PLACE, ORG = "person", "place", "org"
TAG_TYPE = {"nr": PERSON, "ns": PLACE, "nt": ORG}

# Files (see data/dictionaries/README.md). jieba user-dictionary format: "word freq tag".
PLACE_FILES = ("places_countries.txt", "places_cities.txt", "places_regions.txt")
ORG_FILES = ("orgs.txt",)
GENERIC_ORG_FILE = "orgs_generic.txt"
ALIAS_FILE = "aliases.txt"

DOTS = "·•‧・"
DOT_CHARS = frozenset(DOTS)
# Longest run of transliteration characters read as one foreign name (before or after a cue).
TRANSLIT_RUN_LIMIT = 16
# A Latin name in parentheses right after a Chinese name: 米勒（Matthew Miller）.
# Latin letters with the accented ones of European names (Türk, Müller, José).
LATIN_LETTERS = "A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F"
LATIN_PAREN_PATTERN = r"[（(]\s*([%s][%s0-9.'’&\- ,/]{0,120}?)\s*[）)]" % (LATIN_LETTERS,
                                                                       LATIN_LETTERS)
LATIN_PAREN_RE = re.compile(LATIN_PAREN_PATTERN)
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
# Characters before 任 + title that make 任 a count of terms, not a surname (第16任总统, 首任总统).
TENURE_BEFORE = set("0123456789０１２３４５６７８９第首前现新历连继两几每各一二三四五六七八九十")
# A pseudonym marker right after a name (阿迪拉（化名）): the name is a person's.
PSEUDONYM_RE = re.compile(r"[（(](?:化名|假名|匿名|音译)[）)]")
OPEN_PARENS = "（("  # the first character of every match of the parenthesis patterns
# Words joining two names (赖清德与萧美琴): after a person, a name-tagged word is a person too.
NAME_CONJUNCTIONS = set("与和及、")
# Prefix verbs and suffix nouns around one-character country forms: 访华, 对美, 俄军, 美方.
ABBR_PREFIXES = set("访赴抵来驻在对援抗亲反仇侵离返旅留涉联制排脱媚友知")
ABBR_SUFFIXES = set("军方媒籍企商资侨")
# Numerals that may follow a country compound inside one jieba token: 朝俄二国, 中美两国.
COMPOUND_TAIL = set("两二三四五双各")
LIST_JOINERS = "跟和与及同"
LIST_COMMA = "、"  # between the forms of such a list
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
# Blocks longer than WINDOW_CHARS are read in windows of WINDOW_MIN_CHARS..WINDOW_CHARS, cut
# after a sentence end where there is one (work per window is bounded; a name across a cut is
# lost, which only happens in blocks of thousands of characters).
WINDOW_CHARS = 2000
WINDOW_MIN_CHARS = 1000
WINDOW_BREAKS = ("。", "！", "？", "；", "!", "?", ";", "\n")
WINDOW_SOFT_BREAKS = ("，", "、", ",", "：", " ", "\u3000")
# Names established with evidence that are searched for again in the whole article (an article
# names a few dozen; the cap keeps a pathological input linear).
MAX_ESTABLISHED = 400
# How far before a full name its title is looked for (经济学教授陈志明 makes 陈教授 him).
TITLE_REFERENCE_WINDOW = 12
# Distinct names per type compared with each other for short forms (pairwise work).
MAX_MERGE_NAMES = 400
# Token endings meaning "a person of X": 中国人, 共和党人 are not mentions of X.
DEMONYM_ENDINGS = ("人", "人士", "籍")
# One-character organisation suffixes that name a government body on their own (外交部, 观光局).
GOV_CHAR_SUFFIXES = set("部局署院厅办社")
# Tags of a whole dictionary word that make a run of one-character country forms an everyday
# word (加以 v, 以法 v, 美意 n); the noun tags give way to a compound context (中意合作).
EVERYDAY_WORD_TAGS = {"v", "vd", "vn", "vi", "n", "a", "ad", "an", "d", "p", "c", "u", "r", "m",
                      "q", "i", "l", "z", "b", "y", "e", "o"}
EVERYDAY_NOUN_TAGS = {"n", "a", "an", "vn", "i", "l", "b"}
# ... and the tags that do so even for a word jieba guessed (以新/a in 以新的口径), where a guessed
# n, j or even p is a real compound (意法, 美日, 美以).
GUESSED_WORD_TAGS = {"a", "ad", "v", "vd", "d"}
# Tags of one-character tokens that cannot be a country form in a compound (以/p, 新/a).
NON_PLACE_CHAR_TAGS = ("p", "a", "d", "c", "v", "u", "r", "m", "q", "y", "e", "o")
# Tags of one-character tokens that are function words, never the surname of a name.
FUNCTION_TAGS = ("d", "p", "c", "u", "r", "v", "m", "q", "f", "t", "y", "e", "o", "a", "z")
# Words that introduce a name rather than belong to it (智库哈德逊研究所: 智库 stops the org).
ORG_BARRIERS = {"智库", "机构", "组织", "媒体", "公司", "品牌", "官方", "成员", "旗下", "国际媒体",
                "民间团体", "团体", "单位", "官媒", "网站", "平台", "知名", "著名"}
# Quantity words never lead an organisation's name (大量大学毕业生 is not 大量大学).
ORG_QUANTIFIERS = {"大量", "大批", "许多", "很多", "不少", "众多", "部分", "一些", "多数", "大多数",
                   "少数", "各类", "各种", "各个", "各大", "所有", "全部", "其他", "其它", "若干",
                   "多家", "多所", "数家", "数所", "几家", "几所", "整个", "这些", "那些"}
# Conjunctions inside the name of a government body after a place: 深圳市住房和建设局.
ORG_JOINERS = {"和", "与", "及"}
# A count before an organisation suffix in one token (两大党, 三家公司, 各政府).
ORG_COUNT_CHARS = "一二两三四五六七八九十几多各数"
ORG_COUNT_STEM_RE = re.compile(r"^[%s]+[大个家所间]?$" % ORG_COUNT_CHARS)
ORG_COUNT_FIRST = frozenset(ORG_COUNT_CHARS)  # (a cheap test before the pattern)
# Verbs that name a body's field inside its name (中央选举委员会, 国家发展研究院); jieba tags
# them v, so they count as modifiers only after a noun (not 他批评委员会).
ORG_VERB_MODIFIERS = {"选举", "研究", "发展", "改革", "规划", "监督", "管理", "审计", "救援",
                      "协调", "调查", "监察", "保护", "促进", "教育", "培训", "执法"}
# Tags of idioms and set phrases: 收拾残局 ends in 局 but names nothing.
IDIOM_TAGS = ("i", "l")
# A unit of a university or academy written right after it is part of its name:
# 诺丁汉大学当代中国学院, 哈佛大学肯尼迪学院 (PARENT + up to SUBUNIT_MAX_GAP words + SUBUNIT).
ORG_PARENT_ENDINGS = ("大学", "学院", "研究院", "科学院")
ORG_SUBUNIT_ENDINGS = ("学院", "学系", "研究所", "研究中心", "中心", "实验室")
SUBUNIT_MAX_GAP = 3
# The platform X, only where the text says it is one: 在社交平台X上, 在X上写道.
X_PLATFORM_RE = re.compile(r"X(?:(?<=平台X)|(?<=媒体X)|(?<=[在于]X))(?=上|平台|账号|帐号|发文|发帖)")
X_PLATFORM_KEY = "推特"
# Category nouns right before a proper noun that make it an organisation: 品牌奥迪, 公司法盛.
ORG_INTRODUCERS = ("公司", "品牌", "集团", "企业", "厂商", "车企", "银行", "智库", "媒体", "网站",
                   "平台", "杂志", "报纸", "机构", "组织", "政党", "乐团", "球队", "团体")
DEMONSTRATIVES = set("该此这那其本")
# A quoted name right after a category noun: 援助团体“过渡期正义工作组”.
QUOTED_NAME_RE = re.compile(r"[“「]([\u4e00-\u9fffA-Za-z0-9·]{2,14})[”」]")
# A publication in 《》 followed by what only publishers have: 《北京之春》杂志, 《环球时报》总编辑.
PUBLICATION_PATTERN = (
    r"《([^《》]{2,12})》(?=杂志|月刊|周刊|期刊|报纸|网站|电视台|电台|总编辑|总编|主编|副主编|社长|"
    r"社论|记者|评论员|专栏|报道|报导|发文|刊文|刊登|刊出|披露|援引|引述|曾报道|曾报导)")
PUBLICATION_RE = re.compile(PUBLICATION_PATTERN)
# The blocks of an article are read as one text joined by SEGMENT_SEP (one tokenizer call and
# one pass of each rule per article instead of per block; jieba cuts at a newline, so the words
# are the same). Within such a text no match may reach across the separator: these are the two
# patterns above that could, with the separator left out (the same on text without one).
SEGMENT_SEP = "\n"
LATIN_PAREN_LINE_RE = re.compile(LATIN_PAREN_PATTERN.replace(r"\s*", r"[^\S\n]*"))
PUBLICATION_LINE_RE = re.compile(PUBLICATION_PATTERN.replace("[^《》]", "[^《》\n]"))
DOT_RE = re.compile("[%s]" % DOTS)
ORG_INTRODUCER_RE = re.compile("|".join(ORG_INTRODUCERS))
# An organisation known by its acronym: 维吾尔人权项目（UHRP）执行主任. A parenthesised acronym
# alone is not enough (国内生产总值（GDP）, 人工智能（AI）): the title of someone who heads or
# speaks for an organisation must follow it, after at most two characters (执行, 倡议, 副).
ORG_ACRONYM_RE = re.compile(r"[A-Z][A-Z&]{1,7}")
ORG_HEAD_TITLE_AFTER_RE = re.compile(
    r"[\u4e00-\u9fff]{0,2}?(?:主任|主席|总裁|会长|理事长|秘书长|发言人|负责人|总监|董事长|董事|"
    r"创办人|创始人|执行长|总干事|主管)")
# Tags of the words such a name is made of (nouns of every kind, verbal nouns, abbreviations).
ORG_NAME_TAGS = ("n", "nr", "ns", "nt", "nz", "ng", "nrt", "vn", "j")
ORG_NAME_MAX_CHARS = 16
# A byline inside a block: staff credits are kept out of the entities (devset README).
BYLINE_WORDS = re.compile(r"(记者|责编|编辑|网编|译者|核稿|撰稿|特约|报道|报导|编译|主编)")
BYLINE_MAX_LEN = 80
PAREN_GROUP_RE = re.compile(r"[（(][^（）()]*[）)]")
# A news-agency dateline naming its reporter: （中央社记者王小明台北26日电）. The name right after
# 记者 is staff; the agency and the place in it are still mentions.
DATELINE_WORDS = ("记者", "特派员")
NO_REPORTERS: frozenset[int] = frozenset()
DATELINE_RE = re.compile(r"[（(][^（）()]{0,40}?(?:%s)(?=[^（）()]{2,40}?"
                         r"(?:电|报导|报道|专电|连线)[）)])" % "|".join(DATELINE_WORDS))


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
    abbr_pair_re: re.Pattern | None = None  # where a run of two or more compound forms starts
    compound_context_re: re.Pattern | None = None  # words after a compound: 关系, 两国, 边境
    abbr_affix_re: re.Pattern | None = None  # a form after a prefix verb or before a suffix
    abbr_list_re: re.Pattern | None = None
    org_suffixes: list[tuple[str, str]] = field(default_factory=list)
    org_false_tails: set[str] = field(default_factory=set)
    titles: tuple[str, ...] = ()
    title_set: frozenset[str] = frozenset()  # the same, for membership tests
    titles_after: dict[str, str] = field(default_factory=dict)
    speech_verbs: tuple[str, ...] = ()
    surnames: set[str] = field(default_factory=set)
    double_surnames: set[str] = field(default_factory=set)
    translit: set[str] = field(default_factory=set)
    translit_run_re: re.Pattern | None = None  # a run of them from a position (see below)
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
    org_last_chars: set[str] = field(default_factory=set)  # last characters org_name looks at


def _lines(name: str) -> list[str]:
    path = DICT_DIR / name
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def _alternation(words) -> re.Pattern:
    return re.compile(trie_pattern(words))


def _scanned_alternation(words) -> re.Pattern:
    """``_alternation`` for a long scan over a text (see ``textutil.scan_lookahead``)."""
    return re.compile(scan_lookahead(words) + trie_pattern(words))


# First characters per group of ``_first_char_scan`` (a dozen: two short rows of lookbehinds).
SCAN_GROUP_CHARS = 12


def _first_char_scan(words) -> re.Pattern:
    """``_scanned_alternation(words)`` written so that the engine scans for the first
    character with its fast character-class search instead of trying a lookahead at every
    position (a fifth cheaper over a text), with the same match at every position.

    The first character is matched by a class, the second is looked ahead at, and the rest of
    the word is found by the first character, read back by lookbehinds: first the group of a
    dozen first characters it is in, then the character itself, then the trie of the words'
    rests. (When a word has fewer than two characters: ``_scanned_alternation``.)
    """
    words = sorted({w for w in words if w})
    if not words or min(map(len, words)) < 2:
        return _scanned_alternation(words)
    rests: dict[str, list[str]] = {}
    for w in words:
        rests.setdefault(w[0], []).append(w[1:])
    firsts = sorted(rests)
    groups = [firsts[i:i + SCAN_GROUP_CHARS] for i in range(0, len(firsts), SCAN_GROUP_CHARS)]
    by_group = "|".join(
        "(?<=[%s])(?:%s)" % (re.escape("".join(g)), "|".join(
            "(?<=%s)%s" % (re.escape(ch), trie_pattern(rests[ch])) for ch in g))
        for g in groups)
    return re.compile("[%s](?=[%s])(?:%s)" % (
        re.escape("".join(firsts)), re.escape("".join(sorted({w[1] for w in words}))), by_group))


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
    lx.compound_context_re = _alternation(_lines("place_compound_context.txt"))
    lx.place_suffixes = tuple(sorted(_lines("place_suffixes.txt"), key=len, reverse=True))
    lx.place_suffix_last = {suf[-1] for suf in lx.place_suffixes}
    lx.abbr_re = re.compile("[%s]" % re.escape("".join(lx.abbr)))
    joining = re.escape("".join(c for c, (_, f) in lx.abbr.items() if "c" in f))
    # two different forms (a run with a repeated character is no compound: 中中)
    lx.abbr_pair_re = re.compile("([%s])(?=(?!\\1)[%s])" % (joining, joining))
    p_forms = "".join(c for c, (_, f) in lx.abbr.items() if "p" in f)
    s_forms = "".join(c for c, (_, f) in lx.abbr.items() if "s" in f)
    # One character class of both kinds of forms first (the engine scans for it), then what is
    # around it: a prefix verb before a prefix form, or a suffix after a suffix form.
    lx.abbr_affix_re = re.compile("[%s](?:(?<=[%s][%s])|(?<=[%s])(?=[%s]))" % (
        re.escape("".join(sorted(set(p_forms + s_forms)))),
        re.escape("".join(sorted(ABBR_PREFIXES))), re.escape(p_forms),
        re.escape(s_forms), re.escape("".join(sorted(ABBR_SUFFIXES)))))
    chars = re.escape("".join(lx.abbr))
    lx.abbr_list_re = re.compile(r"[%s](?:%s[%s]?[%s])+" % (chars, LIST_COMMA, LIST_JOINERS, chars))
    lx.org_suffixes = sorted((tuple(l.split()) for l in _lines("org_suffixes.txt")),
                             key=lambda p: len(p[0]), reverse=True)
    lx.org_false_tails = set(_lines("org_false_tails.txt"))
    lx.titles = tuple(_lines("person_titles.txt"))
    lx.title_set = frozenset(lx.titles)
    lx.titles_after = dict(l.split() for l in _lines("person_titles_after.txt"))
    lx.speech_verbs = tuple(_lines("person_speech_verbs.txt"))
    for s in _lines("person_surnames.txt"):
        (lx.surnames if len(s) == 1 else lx.double_surnames).add(s)
    lx.translit = set("".join(_lines("person_translit_chars.txt")))
    # _translit_run_from: a transliteration character, then up to LIMIT - 1 more, each one of
    # them or a dot or hyphen with one of them right after it
    tl, dots = re.escape("".join(sorted(lx.translit))), re.escape(DOTS + "-")
    lx.translit_run_re = re.compile("[%s](?:[%s]|[%s](?=[%s])){0,%d}" % (
        tl, tl, dots, tl, TRANSLIT_RUN_LIMIT - 1))
    lx.not_entities = set(_lines("not_entities.txt"))
    lx.kw_stop = set(_lines("keyword_stopwords.txt"))
    lx.user_words = [(w, t) for w, t in words.items() if not w.isascii()]
    lx.title_re = _first_char_scan(lx.titles)
    lx.title_end_re = re.compile("(?:%s)$" % _alternation(lx.titles).pattern)
    lx.org_suffix_class = dict(lx.org_suffixes)
    lx.org_suffix_re = re.compile("(?:%s)$" % _alternation(lx.org_suffix_class).pattern)
    lx.false_tail_re = re.compile("(?:%s)$" % _alternation(lx.org_false_tails).pattern)
    lx.speech_re = _alternation(lx.speech_verbs)
    lx.after_re = _alternation(lx.titles_after)
    lx.org_last_chars = {w[-1] for w in list(lx.org_suffix_class) + list(lx.generic_orgs) +
                         list(lx.titles) if w}
    return lx


# ---------------------------------------------------------------------------------------------
# Tokenizers: private instances, built once per process.

_LOCK = threading.Lock()
_RJIEBA = None
_USER_DICT: tuple[tuple[str, int, str], ...] = ()


def user_dictionary() -> list[tuple[str, int, str]]:
    """(word, freq, tag) added to both private tokenizers, in this order.

    Frequencies are jieba's own suggestion for the word on the plain dictionary (enough for the
    word to be cut whole, never less than it already has), computed once so that the rjieba and
    the jieba tokenizer receive exactly the same entries.
    """
    return list(_user_dictionary())


def _user_dictionary() -> tuple[tuple[str, int, str], ...]:
    tokenizer()
    return _USER_DICT


def tokenizer():
    """The process-wide private rjieba instance with the project's dictionaries."""
    global _RJIEBA, _USER_DICT
    if _RJIEBA is None:
        with _LOCK:
            if _RJIEBA is None:
                import rjieba  # Rust: loaded when first needed, not at import

                tok = rjieba.Jieba()
                # Every frequency is read off the plain dictionary before the first word is
                # added, so one instance (one dictionary load) serves for both.
                entries = tuple((w, int(tok.suggest_freq(w)) * USER_FREQ_BOOST, t)
                                for w, t in lexicon().user_words)
                for word, freq, tag in entries:
                    tok.add_word(word, freq, tag)
                _USER_DICT = entries
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


def to_simplified(text: str) -> str:
    """OpenCC t2s with the same length as the input, so offsets carry over unchanged."""
    conv = converter("t2s")  # (the process-wide converter of textutil)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase conversion changed the length: convert char by char, keeping odd ones as they are.
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


@lru_cache(maxsize=65536)
def simplified_name(name: str) -> str:
    """to_simplified of a short string such as a name, remembered (names recur)."""
    return to_simplified(name)


@lru_cache(maxsize=65536)
def canonical_key(name: str) -> str:
    """The Simplified canonical form of a name in either script (for grouping across articles)."""
    s = to_simplified(name)
    known = lexicon().known.get(s)
    return known[0] if known else s


# ---------------------------------------------------------------------------------------------
# Candidates


WORD = itemgetter(0)  # the word of a token or of a (word, tag) pair
TAG = itemgetter(1)  # the tag of a token or of a (word, tag) pair


# A candidate is a plain tuple (start, end, type, key, prio): ``key`` is the Simplified
# canonical name (before article-level merging), ``prio`` decides among candidates of the same
# length (higher wins). A tuple is built in C: an article has a hundred or more of them.
Cand = tuple
C_START, C_END, C_TYPE, C_KEY, C_PRIO = range(5)


# A token is a plain tuple (word, tag, start, end, index): a block's tokens are built without a
# Python call per word, hot loops unpack them, and the rest index them (t[0] word, t[1] tag,
# t[2] start, t[3] end, t[4] its index in the block's tokens; tuples the rules make of two
# tokens have the first four only).
Token = tuple


def rjieba_tag(text: str) -> list[tuple[str, str]]:
    """(word, tag) pairs from the private rjieba instance (the production tagger)."""
    return tokenizer().tag(text, True)


def jieba_tag(text: str) -> list[tuple[str, str]]:
    """(word, tag) pairs from the private jieba POSTokenizer (slow; the reference)."""
    return [(p.word, p.flag) for p in _jieba_postokenizer().cut(text)]


# rjieba's tag of a word depends on the word alone (its dictionary tag, else eng, m or x by its
# characters), and its words are those of its plain cut: the production tagger cuts (cheaper
# than tagging: no pair per word) and reads each word's tag from this table, filled from the
# tagger itself the first time a word is seen (words recur: remembered; cleared when full).
RJIEBA_TAGS: dict[str, str] = {}
RJIEBA_TAGS_MAX = 500_000  # words remembered before the table starts afresh
# New words of one text tagged one by one (about 10 us each the first time); with more, the
# whole text is tagged (a text of unseen words costs at most one more cut than tagging it).
NEW_WORDS_ALONE = 24


def _rjieba_words_tags(text: str) -> tuple[list[str], list[str]]:
    """The words of ``rjieba_tag(text)`` and their tags, as two lists."""
    tok = tokenizer()
    words = tok.cut(text, True)
    tag_of = RJIEBA_TAGS
    try:
        return words, list(map(tag_of.__getitem__, words))
    except KeyError:
        pass
    new = set(words).difference(tag_of)
    if len(tag_of) + len(new) > RJIEBA_TAGS_MAX:
        tag_of.clear()
    if len(new) <= NEW_WORDS_ALONE:
        for word in new:
            alone = tok.tag(word, True)
            if len(alone) != 1 or alone[0][0] != word:
                break  # cut otherwise on its own (a few words the HMM glued): tag the text
            tag_of[word] = sys.intern(alone[0][1])
        else:
            try:
                return words, list(map(tag_of.__getitem__, words))
            except KeyError:
                pass  # (the table was cleared meanwhile)
    pairs = tok.tag(text, True)
    if len(new) <= RJIEBA_TAGS_MAX:
        tag_of.update(pairs)
    return list(map(WORD, pairs)), list(map(TAG, pairs))


def _tokens(text: str, tag_fn=None, pairs=None):
    """(tokens, their starts, their ends, their words, their tags) of a text (``pairs``: its
    (word, tag) list when already tagged)."""
    if pairs is None and tag_fn is rjieba_tag:
        words, tags = _rjieba_words_tags(text)
    else:
        if pairs is None:
            pairs = tag_fn(text)
        # (two passes of itemgetter, not zip(*pairs): that makes an iterator object per token)
        words = list(map(WORD, pairs))
        tags = list(map(TAG, pairs))
    if not words:
        return [], [], [], [], []
    ends = list(accumulate(map(len, words)))
    starts = [0]
    starts += ends[:-1]
    return list(zip(words, tags, starts, ends, range(len(words)))), starts, ends, words, tags


# What each pass of BlockAnalyser looks for in a word (most words concern none of them).
F_DICT, F_COMPOUND, F_PLACE_SUFFIX, F_ORG = 1, 2, 4, 8
WORD_FLAGS_MAX = 500_000  # words remembered before the table starts afresh


class _WordFlags(dict):
    """word -> the passes that look at it (F_* bits), worked out once per word."""

    def __missing__(self, word: str) -> int:
        lx = lexicon()
        flags = 0
        if word in lx.known or (3 <= len(word) <= MAX_NAME_LEN and _known_parts(word)):
            flags |= F_DICT
        if word in lx.compounds:
            flags |= F_COMPOUND
        if word[-1:] in lx.place_suffix_last:
            flags |= F_PLACE_SUFFIX
        if word[-1:] in lx.org_last_chars and (
                word in lx.generic_orgs or _org_suffix(word) or _org_head_before_title(word)):
            flags |= F_ORG  # ends like an organisation or a generic body, or has a title glued on
        if len(self) >= WORD_FLAGS_MAX:
            self.clear()
        self[word] = flags
        return flags


WORD_FLAGS = _WordFlags()


@lru_cache(maxsize=65536)
def _known_parts(w: str) -> tuple:
    """jieba glued a known name to other words (美国纽约, 中国网民, 德国总理): its known parts,
    read greedily from the start; none when one character is left over (外交部长, 韩国瑜, 中国人)
    or the word names a person of X (台湾人, 共和党人), not X itself."""
    if w.endswith(DEMONYM_ENDINGS):
        return ()
    known = lexicon().known
    found, i = [], 0
    while i < len(w):
        for j in range(len(w), i + 1, -1):
            h = known.get(w[i:j])
            if h:
                found.append((i, j, h))
                i = j
                break
        else:
            break
    return tuple(found) if found and len(w) - found[-1][1] != 1 else ()


@lru_cache(maxsize=65536)
def _org_suffix(word: str):
    """(suffix, class) when the word ends like an organisation name, else None."""
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


def _any_name_char(word: str) -> bool:
    """Whether a word has a Chinese character, a letter or a digit."""
    return any(_is_cjk(ch) or ch.isalnum() for ch in word)


def _head_starts_known(head: str) -> bool:
    """Whether a head starts with a known name of 2 characters or more and not the whole of it
    (中国外交部 as one jieba token: its head starts with a known place or organisation)."""
    known = lexicon().known
    return any(head[:j] in known for j in range(len(head) - 1, 1, -1))


_short_has_name_char = lru_cache(maxsize=65536)(_any_name_char)
_short_known_head = lru_cache(maxsize=65536)(_head_starts_known)


def _has_name_char(word: str) -> bool:
    # (short words recur: remembered)
    return _short_has_name_char(word) if len(word) <= MAX_NAME_LEN else _any_name_char(word)


def _known_head(head: str) -> bool:
    return _short_known_head(head) if len(head) <= MAX_NAME_LEN else _head_starts_known(head)


def _translit_run_from(text: str, pos: int, lx: Lexicon) -> int:
    """End of the run of transliteration characters (and name dots/hyphens) starting at pos:
    at most TRANSLIT_RUN_LIMIT characters, a dot or hyphen only between two of them."""
    m = lx.translit_run_re.match(text, pos)
    return m.end() if m else pos


def _translit_run_to(text: str, end: int, lx: Lexicon, limit: int = TRANSLIT_RUN_LIMIT) -> int:
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


def _positions(text: str, chars: str) -> list[int]:
    """Where any of the characters stands in the text, in order (str.find, no regex scan)."""
    out: list[int] = []
    find, append = text.find, out.append
    for ch in chars:
        k = find(ch)
        while k >= 0:
            append(k)
            k = find(ch, k + 1)
    if len(chars) > 1:
        out.sort()
    return out


def _matches_from(rx: re.Pattern, text: str, positions) -> list[re.Match]:
    """``list(rx.finditer(text))`` for a pattern whose every match is non-empty and starts at
    one of the positions (ascending): only those are tried, in finditer's order (each try
    after the end of the last match), instead of scanning the whole text."""
    out: list[re.Match] = []
    end, match = 0, rx.match
    for p in positions:
        if p >= end:
            m = match(text, p)
            if m:
                out.append(m)
                end = m.end()
    return out


@lru_cache(maxsize=65536)
def _valid_person(name: str) -> bool:
    """Whether a candidate person name can be one (names recur: remembered)."""
    lx = lexicon()
    if len(name) < 2 or name in lx.not_entities or name in lx.title_set:
        return False
    hit = lx.known.get(name)
    if hit and hit[1] != PERSON:
        return False
    if any(not (_is_cjk(ch) or ch in DOTS or ch == "-") for ch in name):
        return False
    if _org_suffix(name) and len(name) > 3 and not lx.translit.issuperset(name):
        return False
    return True


@lru_cache(maxsize=65536)
def _org_word(word: str, tag: str) -> tuple | None:
    """What ``BlockAnalyser.org_name`` reads off a token alone (a word ending like an
    organisation, a generic body or a title, and its tag): None when the token names no
    organisation, else (the length of the head when a title glued to it is split off, else
    0; the suffix; its class; whether the word is a generic body; whether the token names a
    body on its own). Words and tags recur: remembered."""
    lx = lexicon()
    hit = _org_suffix(word)
    generic = word in lx.generic_orgs
    head = 0
    if not hit and not generic:
        # 协会会长 → 协会: an organisation suffix glued to the title that follows it
        split = _org_head_before_title(word)
        if not split:
            return None
        word, tag, head = split, "n", len(split)
        hit = _org_suffix(word) or next(((s, c) for s, c in lx.org_suffixes if s == word), None)
        if not hit:
            return None
    suf, cls = hit if hit else (word, "place")
    stem = word[: len(word) - len(suf)]
    if stem[:1] in ORG_COUNT_FIRST and ORG_COUNT_STEM_RE.match(stem):
        return None  # 两大党, 各政府: a count of bodies, not one body's name
    if generic:
        cls = "place"
    if word in lx.known and not generic:
        return None  # a specific organisation from the dictionary: never extended
    # The suffix token alone names a government body: 外交部, 观光局, 立法院.
    own_ok = tag not in IDIOM_TAGS and (
        (len(suf) == 1 and suf in GOV_CHAR_SUFFIXES and 3 <= len(word) <= 4
         and tag not in FUNCTION_TAGS and word not in lx.not_entities
         and word[:-1] not in lx.known) or
        (len(word) > len(suf) + 1 and _known_head(word[: -len(suf)])) or
        # jieba's own dictionary names it an organisation (国家统计局, 建设局)
        (tag == "nt" and len(suf) == 1 and suf in GOV_CHAR_SUFFIXES and
         len(word) > len(suf) + 1 and word not in lx.not_entities))
    return head, suf, cls, generic, bool(own_ok)


class BlockAnalyser:
    """Finds candidates in one block of Simplified text, or in several joined by SEGMENT_SEP.

    ``seg_starts``: where each joined block starts (then no block may contain the separator,
    and every rule reads each block as if it stood alone: the separator is its own token, no
    pattern matches across it, and what a rule does at the start or end of a text it does at the
    start or end of each block). None: one block.
    """

    def __init__(self, text: str, lx: Lexicon, tag_fn=rjieba_tag, pairs=None, seg_starts=None):
        self.text = text
        self.lx = lx
        toks, starts, ends, words, tags = _tokens(text, tag_fn, pairs)
        self.toks = toks
        flags = list(map(WORD_FLAGS.__getitem__, words))
        # (index, token, flags) of the tokens some pass looks at, in order
        self.flagged = [(i, toks[i], flags[i]) for i in compress(range(len(flags)), flags)]
        self.starts = dict(zip(starts, toks))
        # (the token ending at a position is the one before the token starting there: found
        # through the index in the token (``ending_at``), not a second dict of every token;
        # the ends themselves are bisected for the last word end before a position)
        self._tok_ends = ends
        # word boundaries are every start and the last end (``is_bound``)
        self.last_end = ends[-1] if ends else 0
        self._tok_starts = starts
        self._tags = tags
        self.joined = seg_starts is not None
        self.seg_starts = seg_starts if self.joined else {0}
        self.latin_re = LATIN_PAREN_LINE_RE if self.joined else LATIN_PAREN_RE
        self.pub_re = PUBLICATION_LINE_RE if self.joined else PUBLICATION_RE
        self.cands: list[Cand] = []
        self.latin: list[tuple[int, str]] = []  # (offset of the parenthesis, the Latin text)
        self._title_ends: set[int] | None = None
        self._title_matches: list[re.Match] | None = None
        self._parens: list[int] | None = None
        self._latins: list[re.Match] | None = None
        self._dict_ends: dict[int, int] = {}  # start -> end of the dictionary names there

    # -- helpers
    def is_bound(self, pos: int) -> bool:
        """Whether a word starts or the last word ends at pos."""
        return pos in self.starts or (pos == self.last_end and pos > 0)

    def ending_at(self, pos: int) -> Token | None:
        """The token that ends at pos, or None."""
        t = self.starts.get(pos)
        if t is not None:
            return self.toks[t[4] - 1] if t[4] else None
        return self.toks[-1] if pos == self.last_end and pos else None

    def add(self, start, end, type_, key, prio):
        if end > start:
            self.cands.append((start, end, type_, key, prio))

    # -- the rules that read single tokens, in one pass over the tokens they look at
    def token_rules(self):
        """Per token, in this order: places and organisations from the dictionaries, country
        compounds written as one word, X州/X省 place names and organisations by suffix.

        (One pass instead of one per rule: the candidates of one token keep the rules' order,
        and candidates of different tokens never share a span, so the choice is the same.)
        """
        known, compounds = self.lx.known, self.lx.compounds
        append = self.cands.append  # (tokens and their parts are never empty)
        dict_ends = self._dict_ends
        for idx, t, flags in self.flagged:
            word, _, start, end, _ = t
            if flags & F_DICT:
                hit = known.get(word)
                if hit:
                    append((start, end, hit[1], hit[0], 5))
                    dict_ends[start] = end
                elif 3 <= end - start <= MAX_NAME_LEN:
                    for i, j, h in _known_parts(word):
                        append((start + i, start + j, h[1], h[0], 4))
                        dict_ends[start + i] = start + j
            if flags & F_COMPOUND:
                parts = compounds.get(word)
                if parts:  # 港澳台 → 香港 澳门 台湾, one character each
                    for i, canon in enumerate(parts):
                        append((start + i, start + i + 1, PLACE, canon, 2))
            if flags & F_PLACE_SUFFIX:
                self.place_suffix_name(t)
            if flags & F_ORG:
                self.org_name(idx, t)

    def place_compounds(self):
        """Country compounds read off the text: 中俄, 美日韩, lists (中、朝、俄), 访华, 俄军
        (those written as one dictionary word are read by ``token_rules``)."""
        lx, text = self.lx, self.text
        n = len(text)
        i = 0
        for am in lx.abbr_pair_re.finditer(text):  # where two compound forms meet (中俄)
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
                tail_ok = self.ending_at(j) is not None or (
                    j < n and (text[j] in COMPOUND_TAIL or text[j] in ABBR_SUFFIXES))
                tok = self.starts[i]
                if not tail_ok and tok[3] > j and tok[1] not in ("i", "l") and \
                        tokenizer().has_word(text[j:tok[3]]) and tok[3] - j >= 2:
                    tail_ok = True  # 中俄关系 as one jieba token: 中俄 + 关系
                # What only a compound is followed by (中印边境, 日韩关系) outweighs the tags.
                context = lx.compound_context_re.match(text, j) is not None
                # one-character tokens read as function words are not country forms: 以/p 新/a
                # (以新的口径) is "with a new", not Israel and Singapore
                if tail_ok and not context and any(
                        len(t[0]) == 1 and t[1].startswith(NON_PLACE_CHAR_TAGS)
                        for k in range(i, j) for t in [self.starts.get(k)] if t):
                    tail_ok = False
                # a dictionary word of everyday vocabulary made of such characters: 加以 (v),
                # 以法 (v), 美意 (n), 中意 (n); a noun is a compound where the context says so
                if tail_ok and tok[3] == j and tok[1] in EVERYDAY_WORD_TAGS and \
                        not (context and tok[1] in EVERYDAY_NOUN_TAGS) and \
                        (tok[1] in GUESSED_WORD_TAGS or tokenizer().has_word(run)):
                    tail_ok = False
                # Not inside a longer dictionary name (prio 4-5, each within one token; i
                # starts a token, so such a name would start at i). A lookup, not a scan of
                # the candidates: the work per run stays constant however long the text.
                if tail_ok and run not in lx.compounds and \
                        self._dict_ends.get(i, -1) <= j:
                    for k in range(i, j):
                        self.add(k, k + 1, PLACE, lx.abbr[text[k]][0], 1)
                    i = j
                    continue
            i += 1
        # Lists: 中、朝、俄 / 美、日、韩 / 跟俄、跟朝: a match starts right before a comma.
        commas = _positions(text, LIST_COMMA)
        for m in _matches_from(lx.abbr_list_re, text, [k - 1 for k in commas if k]):
            chars = [(m.start() + k, c) for k, c in enumerate(m.group()) if c in lx.abbr]
            if len({c for _, c in chars}) < 2:
                continue
            if not all("l" in lx.abbr[c][1] and k in self.starts for k, c in chars):
                continue
            for k, c in chars:
                nxt = self.starts[k]
                if len(nxt[0]) > 1 and nxt[0] in lx.known:
                    continue  # 中、美国 — the full name is matched on its own
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)
        # Prefix verb + form (访华, 对美) and form + suffix (俄军, 美方), as one token or two.
        for am in lx.abbr_affix_re.finditer(text):
            k = am.start()
            c = text[k]
            flags = lx.abbr[c][1]
            if "p" in flags and k > 0 and text[k - 1] in ABBR_PREFIXES and \
                    self.ending_at(k + 1) is not None and (k - 1) in self.starts:
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)
            elif "s" in flags and k + 1 < n and text[k + 1] in ABBR_SUFFIXES and k in self.starts \
                    and self.ending_at(k + 2) is not None:
                self.add(k, k + 1, PLACE, lx.abbr[c][0], 1)

    def place_suffix_name(self, t: Token):
        """X州, X省, X群岛... where X is a known place, a place-tagged word or a transliteration
        (``t``: a token ending in a place suffix)."""
        lx, text = self.lx, self.text
        for suf in lx.place_suffixes:
            if t[0].endswith(suf) and len(t[0]) > len(suf):
                stem = t[0][: -len(suf)]
                if stem in lx.known and lx.known[stem][1] == PLACE or \
                        (t[1] == "ns" and len(stem) >= 2 and t[0] not in lx.not_entities):
                    self.add(t[2], t[3], PLACE, t[0], 3)
                break
            if t[0] == suf and t[2] not in self.seg_starts:
                # 威斯康辛/州: the stem is the token(s) before.
                s = _translit_run_to(text, t[2], lx)
                prev = self.ending_at(t[2])
                if prev and prev[1] == "ns" and prev[0] not in lx.not_entities and \
                        len(prev[0]) >= 2:
                    s = min(s, prev[2]) if t[2] - s >= 2 else prev[2]
                if t[2] - s >= 2 and s in self.starts:
                    self.add(s, t[3], PLACE, text[s:t[3]], 3)
                break

    # -- organisations by suffix
    def org_name(self, idx: int, t: Token):
        """An organisation named by its suffix (``t``: the token at ``idx``, ending like an
        organisation, a generic body or a title), with the modifiers before it."""
        lx, toks = self.lx, self.toks
        # (what depends on the word and its tag alone, worked out once per word)
        word = _org_word(t[0], t[1])
        if word is None:
            return
        head, suf, cls, generic, own_ok = word
        if head:
            t = (t[0][:head], "n", t[2], t[2] + head)  # the head, title split off
        mods: list[Token] = []
        j = idx - 1
        while j >= 0 and len(mods) < ORG_MAX_MODIFIERS:
            p = toks[j]
            if p[0] in ORG_BARRIERS or p[0] in ORG_QUANTIFIERS:
                break
            if p[0] in ORG_JOINERS:
                # 住房和建设局: a joiner between two plain nouns (not two organisations)
                q = toks[j - 1] if j > 0 else None
                if (mods or len(t[0]) > len(suf)) and q and q[1] in ORG_MOD_TAGS and \
                        len(q[0]) >= 2 and not _org_suffix(q[0]) and \
                        q[0] not in lx.known:
                    mods.insert(0, p)
                    j -= 1
                    continue
                break
            if p[0] in lx.titles_after or (p[0] in lx.title_set and p[0] not in lx.known
                                           and cls != "loose"):
                break  # but an occupation names an association: 记者协会, 律师工会
            ok_tag = p[1] in ORG_MOD_TAGS or p[0] in lx.known or \
                (p[1] == "ns" and len(p[0]) == 1) or \
                (p[0] in ORG_VERB_MODIFIERS and j > 0 and toks[j - 1][1] in ORG_MOD_TAGS)
            if not ok_tag or not _has_name_char(p[0]):
                break
            if len(p[0]) == 1 and not (mods and lx.translit.issuperset(mods[0][0])):
                break  # 美 + 拉尼西亚 is one name; 朝 + 联合会 (中、俄、朝联合会) is not
            mods.insert(0, p)
            if p[0] in lx.known and lx.known[p[0]][1] == PLACE:
                break  # a place starts the name: 台湾观光局, 中国外交部
            j -= 1
        # A joiner belongs to the name only after a place (深圳市住房和建设局).
        joiner = None
        for k, m in enumerate(mods):
            if m[0] in ORG_JOINERS:
                joiner = k
                break
        if joiner is not None and not (self._place_head(mods[0][0]) or mods[0][1] == "ns"):
            mods = mods[joiner + 1:]
        # Drop leading modifiers that are generic words until a proper one leads.
        while mods and cls != "loose" and not self._specific(mods[0]):
            mods.pop(0)
        if cls == "place":
            if mods and mods[0][0] in lx.known and lx.known[mods[0][0]][1] == PLACE:
                start = mods[0][2]
                self.add(start, t[3], ORG, self.text[start:t[3]], 6)
            elif not mods and len(t[0]) > len(suf) and \
                    self._place_head(t[0][: -len(suf)]):
                self.add(t[2], t[3], ORG, t[0], 6)  # 日本政府 as one jieba token
            return
        if mods and len(t[0]) == 1 and all(self._place_head(m[0]) for m in mods):
            mods = []  # 中国 + 部 (人权观察中国部): a bare suffix after a place names nothing
        if mods:
            if cls == "strict" and not any(self._specific(m) for m in mods):
                mods = []
            elif len(mods) == 1 and len(suf) > 1 and cls == "strict" and \
                    mods[0][0] in lx.known and lx.known[mods[0][0]][1] == ORG:
                mods = []  # 联合国组织: a known organisation and a category noun
                own_ok = False
        if mods:
            start = self._parent_start(mods[0][2], t[0])
            name = self.text[start:t[3]]
            if name not in lx.not_entities:
                self.add(start, t[3], ORG, name, 6)
        elif own_ok:
            start = self._parent_start(t[2], t[0])
            self.add(start, t[3], ORG, self.text[start:t[3]], 3 if start == t[2] else 6)

    def _parent_start(self, start: int, last: str) -> int:
        """Where a unit's name starts when a university or academy comes right before it
        (诺丁汉大学 + 当代中国学院): the parent's start, else ``start``."""
        if not last.endswith(ORG_SUBUNIT_ENDINGS):
            return start
        pos = start
        for _ in range(SUBUNIT_MAX_GAP + 1):
            p = self.ending_at(pos)
            if p is None or p[0] in ORG_BARRIERS or p[0] in ORG_QUANTIFIERS:
                return start
            if p[0].endswith(ORG_PARENT_ENDINGS) and len(p[0]) > 2 and \
                    (p[1] in ("nt", "nz", "ns", "j") or p[0] in self.lx.known or
                     _known_head(p[0])):
                return p[2]
            if p[1] not in ORG_MOD_TAGS + ("t",) or not _is_cjk(p[0][0]):
                return start
            pos = p[2]
        return start

    def _place_head(self, head: str) -> bool:
        hit = self.lx.known.get(head)
        return bool(hit) and hit[1] == PLACE

    def _specific(self, tok: Token) -> bool:
        lx = self.lx
        if tok[0] in lx.known:
            return True
        if tok[1] in ("nz", "nt", "ns", "nr", "nrt", "nrfg", "j", "eng") and \
                tok[0] not in lx.not_entities:
            return True
        return len(tok[0]) >= 2 and lx.translit.issuperset(tok[0])

    def platform_x(self):
        """在社交平台X上, 在X上写道: the platform X (formerly Twitter), never a bare letter."""
        for m in X_PLATFORM_RE.finditer(self.text):
            self.add(m.start(), m.end(), ORG, X_PLATFORM_KEY, 4)

    def publications(self):
        """《北京之春》杂志, 《环球时报》总编辑: a title in 《》 that the text treats as a publisher."""
        for m in self.pub_re.finditer(self.text):
            name = m.group(1)
            if 2 <= len(name) <= 12 and name not in self.lx.not_entities:
                hit = self.lx.known.get(name)
                self.add(m.start(1), m.end(1), ORG, hit[0] if hit else name, 4)

    def org_introduced(self):
        """品牌奥迪, 公司法盛（Natixis）: a category noun, then an unknown proper noun."""
        lx, text = self.lx, self.text
        for m in ORG_INTRODUCER_RE.finditer(text):
            s = m.end()
            q = QUOTED_NAME_RE.match(text, s)
            if q and q.group(1) not in lx.not_entities and \
                    (m.start() == 0 or text[m.start() - 1] not in DEMONSTRATIVES) and \
                    (_org_suffix(q.group(1)) or lx.title_re.match(text, q.end())):
                # a name, not words (该组织“强烈谴责”): it ends like one or a title follows
                self.add(q.start(1), q.end(1), ORG, q.group(1), 3)
                continue
            tok = self.starts.get(s)
            if tok and tok[1] in ("nz", "nrt", "nt", "eng") and len(tok[0]) >= 2 and \
                    tok[0] not in lx.known and tok[0] not in lx.not_entities:
                self.add(tok[2], tok[3], ORG, tok[0], 2)
                continue
            # jieba cuts across the boundary (公司法/盛): a short name before a Latin name
            for length in (2, 3, 4):
                e = s + length
                if e < len(text) and text[e] in "（(" and all(_is_cjk(ch) for ch in text[s:e]):
                    if self.latin_re.match(text, e) and text[s:e] not in lx.known:
                        self.add(s, e, ORG, text[s:e], 2)
                    break

    def org_acronyms(self):
        """维吾尔人权项目（UHRP）执行主任: the nouns right before a parenthesised acronym that
        a head's title follows (ORG_ACRONYM_RE, ORG_HEAD_TITLE_AFTER_RE)."""
        lx, text, ending_at = self.lx, self.text, self.ending_at
        for m in self._latin_matches():
            if not ORG_ACRONYM_RE.fullmatch(m.group(1).strip()) or \
                    not ORG_HEAD_TITLE_AFTER_RE.match(text, m.end()):
                continue
            e = s = m.start()
            words = []
            while e - s < ORG_NAME_MAX_CHARS:
                tok = ending_at(s)
                if tok is None or tok[1] not in ORG_NAME_TAGS or not _is_cjk(tok[0][0]):
                    break
                words.append(tok)
                s = tok[2]
            name = text[s:e]
            if 2 <= len(name) <= ORG_NAME_MAX_CHARS and name not in lx.not_entities and \
                    not (len(words) == 1 and words[0][1] == "ns"):  # a place's abbreviation
                self.add(s, e, ORG, name, 2)

    # -- people
    def _name_after(self, pos: int) -> int | None:
        """End of a person name starting at pos (right after a title), or None."""
        lx, text, ending_at = self.lx, self.text, self.ending_at
        n = len(text)
        if pos >= n or not "\u3400" <= text[pos] <= "\u9fff":
            return None
        run = lx.translit_run_re.match(text, pos)  # (_translit_run_from)
        run_end = run.end() if run else pos
        if pos < run_end < n:
            # a run ends where a word ends (库克 + 本周, not 库克本): the last word end in it
            ends = self._tok_ends
            i = bisect_right(ends, run_end) - 1
            run_end = ends[i] if i >= 0 and ends[i] > pos else pos
        while run_end > pos and (text[run_end - 1] in DOTS or text[run_end - 1] == "-"):
            run_end -= 1
        if run_end - pos >= 4 or run_end - pos >= 2 and DOT_RE.search(text, pos, run_end):
            return run_end
        tok = self.starts.get(pos)
        if tok and tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4:
            end = tok[3]
            if lx.translit.issuperset(tok[0]) and ending_at(run_end) is not None:
                end = max(end, run_end)  # 梅/拉尼/娅 cut apart by jieba
            nxt = self.starts.get(end)
            if tok[0] in lx.double_surnames and nxt and len(nxt[0]) == 2 and \
                    all(_is_cjk(ch) and ch not in NAME_STOP_CHARS for ch in nxt[0]) and \
                    (nxt[1].startswith("nr") or not tokenizer().has_word(nxt[0])):
                return nxt[3]  # 田中/良平: a family name of two characters, then the given name
            if len(tok[0]) == 2 and tok[0][0] in lx.surnames and nxt and \
                    _is_cjk(nxt[0][0]) and nxt[0][0] not in NAME_STOP_CHARS and \
                    len(nxt[0]) >= 2 and not tokenizer().has_word(nxt[0]):
                end += 1  # 侯友/宜则: jieba's HMM glued the last given-name character onward
            return self._trim_name_end(pos, end)
        sur = 2 if text[pos:pos + 2] in lx.double_surnames else (
            1 if text[pos] in lx.surnames else 0)
        nxt = self.starts.get(pos + 1)
        if sur == 1 and tok and len(tok[0]) == 1 and nxt and nxt[1].startswith("nr"):
            if len(nxt[0]) == 2:
                return pos + 3  # 何/明德: jieba read the surname as a pronoun
            if len(nxt[0]) == 3 and nxt[0][0] in lx.surnames:
                return pos + 4  # 叶/刘淑仪: a Hong Kong married name, husband's surname first
        if sur == 1 and tok and len(tok[0]) == 1 and nxt and len(nxt[0]) == 2 and \
                nxt[1] in ("ns", "nz") and nxt[0] not in lx.known and \
                nxt[0][0] not in NAME_STOP_CHARS:
            return pos + 3  # 何/亚东 after a title: a given name jieba read as a place
        if sur and tok and (tok[1].startswith(FUNCTION_TAGS) and not tok[1].startswith("nr")):
            sur = 0  # 都没有: the 'surname' is a function word here
        if sur and tok and len(tok[0]) > sur + 2:
            sur = 0  # 关系密切: a longer word starts here
        if sur and tok and len(tok[0]) >= 2 and not tok[1].startswith(("nr", "nz", "j")) \
                and tokenizer().has_word(tok[0]) and not (sur == 2 and tok[0] == text[pos:pos + 2]):
            sur = 0  # 任期内, 金融学: the 'surname' starts a dictionary word
        if sur:
            after = text[pos + sur:pos + sur + 2]
            if self.joined and SEGMENT_SEP in after:
                after = after[:after.index(SEGMENT_SEP)]  # the block ends there
            if after in lx.titles_after:
                return None  # 林先生 is handled as surname + honorific
            given = 0
            while given < 2 and pos + sur + given < n and _is_cjk(text[pos + sur + given]) and \
                    text[pos + sur + given] not in NAME_STOP_CHARS:
                given += 1
            first = self.starts.get(pos + sur)
            if first and len(first[0]) >= 2 and not first[1].startswith("nr") and \
                    first[3] >= pos + sur + given and first[1].startswith(FUNCTION_TAGS + ("v",)) \
                    and (sur == 1 or tokenizer().has_word(first[0])):
                return None  # the 'given name' is a common word: 都持, 都没有
            if given == 2:
                nxt = self.starts.get(pos + sur + 1)
                if nxt and len(nxt[0]) >= 2 and nxt[0] not in lx.known and \
                        not nxt[1].startswith("nr") and nxt[3] > pos + sur + 2 and \
                        not self._in_name_token(pos + sur + 1) and \
                        tokenizer().has_word(nxt[0]):
                    given = 1  # 王刚受访: the third character starts a dictionary word
            if given:
                return pos + sur + given
        if run_end - pos >= 2:
            return run_end
        return None

    def _trim_name_end(self, s: int, e: int) -> int:
        """朱立伦则 → 朱立伦: drop function characters jieba glued to a Chinese name."""
        name = self.text[s:e]
        if self.lx.translit.issuperset(name):
            return e
        while e - s > 2 and self.text[e - 1] in BEFORE_VERB_WORDS:
            e -= 1
        return e

    def _titles(self) -> list[re.Match]:
        """The titles in the text (person_names and _trim_title both read them)."""
        if self._title_matches is None:
            self._title_matches = list(self.lx.title_re.finditer(self.text))
        return self._title_matches

    def _latin_matches(self) -> list[re.Match]:
        if self._latins is None:
            self._latins = self._paren_matches(self.latin_re)
        return self._latins

    def _paren_matches(self, rx: re.Pattern) -> list[re.Match]:
        """``list(rx.finditer(text))`` for a pattern whose matches start with an opening
        parenthesis (most texts have a few: they are found once and each tried)."""
        if self._parens is None:
            self._parens = _positions(self.text, OPEN_PARENS)
        return _matches_from(rx, self.text, self._parens)

    def _trim_title(self, s: int, e: int) -> int:
        """Move a name start past a title glued in front of it (总理拉布卡, 主席布朗)."""
        if self._title_ends is None:
            self._title_ends = {m.end() for m in self._titles()}
        best = s
        for k in range(s + 1, e - 1):
            if k in self._title_ends:
                best = k
        return best

    def _tagged(self, tag: str) -> list[Token]:
        """The tokens with that tag, in order (found by the list's own search, in C)."""
        tags, toks, out = self._tags, self.toks, []
        i = -1
        try:
            while True:
                i = tags.index(tag, i + 1)
                out.append(toks[i])
        except ValueError:
            return out

    def _in_name_token(self, pos: int) -> bool:
        """Whether the token covering pos is tagged as a name by jieba."""
        if not 0 <= pos < self.last_end:
            return False
        return self.toks[bisect_right(self._tok_starts, pos) - 1][1].startswith("nr")

    def person_names(self):
        lx, text = self.lx, self.text
        starts, last_end, cands = self.starts, self.last_end, self.cands
        # A title right before the name: 外交部发言人华春莹, 参议员科顿.
        for m in self._titles():
            s = m.end()
            # the title must end where jieba ends a word (总统府 is not 总统 + 府): is_bound
            if s not in starts and (s != last_end or not s) and not self._in_name_token(s):
                continue
            end = self._name_after(s)
            if end:
                name = text[s:end]
                if _valid_person(name):
                    cands.append((s, end, PERSON, name, 3))
        # A surname and an honorific: 曾小姐, 林先生.
        for m in lx.after_re.finditer(text):
            if lx.titles_after[m.group()] == "honorific":
                s = m.start() - 1
                if s >= 0 and text[s] in lx.surnames and (s == 0 or text[s - 1] not in lx.translit
                                                         or not _is_cjk(text[s - 1])):
                    if s in self.starts or s == 0 or self.ending_at(s - 1) is not None:
                        self.add(s, m.end(), PERSON, text[s:m.end()], 3)
            else:
                s = m.start() - 1
                if s >= 0 and text[s] in lx.surnames and s in self.starts and \
                        self.starts[s][3] == s + 1 and (s == 0 or not _is_cjk(text[s - 1]) or
                                                         text[s - 1] not in lx.translit) and \
                        (s == 0 or text[s - 1] not in TENURE_BEFORE):
                    # A surname and a title: 王教授, 李医生 (surname-only names count).
                    self.add(s, m.end(), PERSON, text[s:m.end()], 2)
                    continue
                # Name then title: 科顿参议员, 法塔斯教授.
                tok = self.ending_at(m.start())
                s = _translit_run_to(text, m.start(), lx)
                if tok and tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4:
                    s = min(s, tok[2]) if m.start() - s >= 2 else tok[2]
                s = self._trim_title(s, m.start())
                if m.start() - s >= 2:
                    name = text[s:m.start()]
                    if _valid_person(name) and (tok and tok[1].startswith("nr")
                                                     or lx.translit.issuperset(name)):
                        self.add(s, m.start(), PERSON, name, 2)
        # A reporting verb right after the name: 李奇岳说, 布朗表示.
        ends_get, surnames = self.ending_at, lx.surnames
        for m in lx.speech_re.finditer(text):
            e = m.start()
            tok = ends_get(e)
            if tok is None:
                continue  # no word ends right before the verb
            if len(tok[0]) == 1 and "\u3400" <= tok[0] <= "\u9fff" and \
                    tok[0] not in BEFORE_VERB_WORDS:
                prev = ends_get(tok[2])
                if prev and prev[1].startswith("nr") and len(prev[0]) == 2 and \
                        prev[0][0] in surnames and _valid_person(text[prev[2]:e]):
                    # 李家/超/表示, 严德/发/指出: jieba split the last character of the name off
                    self.add(prev[2], e, PERSON, text[prev[2]:e], 2)
                    continue
            if tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4:
                name = tok[0]
                if (name[0] in surnames or name[:2] in lx.double_surnames or
                        lx.translit.issuperset(name)) and _valid_person(name):
                    s = _translit_run_to(text, e, lx) if lx.translit.issuperset(name) \
                        else tok[2]
                    s = self._trim_title(min(s, tok[2]), e)
                    e2 = self._trim_name_end(s, e)
                    if _valid_person(text[s:e2]):
                        self.add(s, e2, PERSON, text[s:e2], 2)
        # jieba's dictionary marks well-known full names nrfg (习近平): a name on its own.
        for t in self._tagged("nrfg"):
            if 2 <= len(t[0]) <= 4 and _valid_person(t[0]) and \
                    (t[0][0] in lx.surnames or t[0][:2] in lx.double_surnames) and \
                    not (len(t[0]) == 2 and t[0].endswith("家")):  # 李家: the Li family
                self.add(t[2], t[3], PERSON, t[0], 2)
        # A name marked as a pseudonym: 阿迪拉（化名）, 王明（假名）.
        for m in self._paren_matches(PSEUDONYM_RE):
            e = m.start()
            tok = self.ending_at(e)
            s = _translit_run_to(text, e, lx)
            if tok and tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4:
                s = min(s, tok[2]) if e - s >= 2 else tok[2]
            if e - s >= 2:
                s = self._trim_title(s, e)
                if e - s >= 2 and _valid_person(text[s:e]):
                    self.add(s, e, PERSON, text[s:e], 3)
        # Two names joined by 与/和 (赖清德与萧美琴): a name-tagged word right after a person
        # found with evidence is a person too.
        for c in [c for c in self.cands if c[C_TYPE] == PERSON]:
            e = c[C_END]
            if e < len(text) and text[e] in NAME_CONJUNCTIONS:
                tok = self.starts.get(e + 1)
                nxt = tok and self.starts.get(tok[3])
                if tok and len(tok[0]) == 1 and tok[0] in lx.surnames and nxt and \
                        nxt[1].startswith("nr") and len(nxt[0]) == 2:
                    tok = (tok[0] + nxt[0], "nr", tok[2], nxt[3])  # 郭/美玲: one name cut in two
                if tok and tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4 and \
                        (tok[0][0] in lx.surnames or tok[0][:2] in lx.double_surnames) and \
                        _valid_person(tok[0]):
                    self.add(tok[2], tok[3], PERSON, tok[0], 2)
        # Dotted foreign names: 安东尼奥·法塔斯 (most texts have no dot: a find each).
        read_to = -1
        for k in _positions(text, DOTS):
            if k < read_to:
                continue  # a later dot of a name already read (艾丽西亚·加西亚·...)
            s = _translit_run_to(text, k, lx)
            e = _translit_run_from(text, s, lx)
            read_to = e
            s = self._trim_title(s, e)
            name = text[s:e]
            if not DOT_CHARS.isdisjoint(name) and _valid_person(name):
                self.add(s, e, PERSON, name, 3)
        # A Latin name in parentheses: 米勒（Matthew Miller）.
        for m in self._latin_matches():
            latin = m.group(1).strip()
            self.latin.append((m.start(), latin))
            e = m.start()
            if e < 2 or not _is_cjk(text[e - 1]):
                continue
            if not _latin_person_name(latin):
                continue
            tok = self.ending_at(e)
            s = _translit_run_to(text, e, lx)
            if tok and len(tok[0]) == 1 and _is_cjk(tok[0]) and tok[0] not in NAME_STOP_CHARS:
                prev = self.ending_at(tok[2])
                if prev and prev[1].startswith("nr") and len(prev[0]) == 2 and \
                        prev[0][0] in lx.surnames:
                    tok = (prev[0] + tok[0], prev[1], prev[2], tok[3])  # 范秋/姮（Pham Thu Hang）
            if tok and tok[1].startswith("nr") and 2 <= len(tok[0]) <= 4:
                s = min(s, tok[2]) if e - s >= 2 else tok[2]
            if e - s >= 2:
                s = self._trim_title(s, e)
                name = text[s:e]
                if e - s >= 2 and _valid_person(name):
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
        self.token_rules()
        self.place_compounds()
        self.org_introduced()
        self.org_acronyms()
        self.publications()
        self.platform_x()
        self.person_names()
        return self


@lru_cache(maxsize=65536)
def _latin_person_name(latin: str) -> bool:
    """Whether a parenthesised Latin text (at most 120 characters) names a person (names
    recur: remembered)."""
    return not LATIN_NONPERSON.search(latin) and BlockAnalyser._latin_person(latin)


def latin_alias(latin: str, type_: str) -> list[str]:
    """The alias(es) a parenthesised Latin text gives: "Sen. Tom Cotton, R-AR" -> Tom Cotton."""
    latin = latin.strip()
    if type_ == PERSON:
        latin = LATIN_PERSON_SUFFIX.sub("", latin)
        latin = LATIN_PERSON_PREFIX.sub("", latin)
        return [latin.split(",")[0].strip()] if latin else []
    return [p.strip() for p in latin.split(",") if len(p.strip()) >= 2]


@lru_cache(maxsize=65536)
def _latin_aliases(latin: str, type_: str) -> tuple[str, ...]:
    """``latin_alias`` remembered (a parenthesised Latin name is short and recurs)."""
    return tuple(latin_alias(latin, type_))


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


def _select(cands: list[Cand], span: int) -> list[Cand]:
    """Longest match wins; among equal lengths the higher priority, then the earlier.

    ``span``: more than any candidate's start (the text's length + 1). Returns the chosen
    candidates in text order.
    """
    if not cands:
        return []
    chosen: list[Cand] = []
    append = chosen.append
    # 1 where a chosen mention is (linear time; a list reads and writes faster than a bytearray)
    taken = [0] * span
    # The order (longer first, then higher priority, then earlier; ties in the order added, the
    # sort being stable) as one integer per candidate: cheaper to build and compare than a
    # tuple. Starts are below span and priorities below PRIO_RANGE, so the fields never mix.
    keys = [((s - e) * PRIO_RANGE - prio) * span + s for s, e, _, _, prio in cands]
    for c in map(cands.__getitem__, sorted(range(len(cands)), key=keys.__getitem__)):
        s, e = c[0], c[1]
        # Candidates come longest first, so a chosen one that overlaps this one (no shorter
        # than it) covers its first or its last character.
        if taken[s] or taken[e - 1]:
            continue
        append(c)
        n = e - s
        if n == 1:
            taken[s] = 1
        elif n == 2:  # (most names: two item stores are cheaper than a slice store)
            taken[s] = taken[s + 1] = 1
        else:
            taken[s:e] = MARKS[n] if n < len(MARKS) else (1,) * n
    chosen.sort(key=C_START_OF)  # (chosen candidates never overlap: no two share a start)
    return chosen


def _select_more(cands: list[Cand], span: int, first: list[Cand], done: int) -> list[Cand]:
    """``_select(cands, span)`` when ``first`` is ``_select(cands[:done], span)``.

    Only the added candidates are ordered and tried: each against the chosen ones that overlap
    it (``first`` is in text order and without overlaps: a bisection finds them) and the added
    ones taken before it. While no added candidate is taken over a chosen one that comes after
    it in the order, every earlier choice stands (an old one that lost, lost to a chosen one
    that still stands; an old one that won overlaps nothing taken before it), so the result is
    ``first`` with the added ones taken. Otherwise the choices cascade: all are made afresh.
    """
    if len(cands) == done:
        return first
    new = cands[done:]
    keys = [((s - e) * PRIO_RANGE - prio) * span + s for s, e, _, _, prio in new]
    starts = list(map(C_START_OF, first))
    taken: set[int] = set()  # where an added candidate was taken (few)
    added: list[Cand] = []
    for k in sorted(range(len(new)), key=keys.__getitem__):
        c = new[k]
        s, e = c[0], c[1]
        if s in taken or e - 1 in taken:
            continue  # (the added ones come longest first, as in _select)
        key = keys[k]
        i = bisect_left(starts, e) - 1
        lost = later = False
        while i >= 0:
            y = first[i]
            if y[1] <= s:
                break
            # an old candidate comes first on an equal key (it was added earlier)
            if ((y[0] - y[1]) * PRIO_RANGE - y[4]) * span + y[0] <= key:
                lost = True
                break
            later = True
            i -= 1
        if lost:
            continue
        if later:
            return _select(cands, span)  # taken over a chosen one that comes after it
        added.append(c)
        taken.update(range(s, e))
    if not added:
        return first
    out = first + added
    out.sort(key=C_START_OF)
    return out


PRIO_RANGE = 16  # candidate priorities are 0..6
MARKS = tuple((1,) * n for n in range(64))  # _select's marks for a span of each length
C_START_OF = itemgetter(C_START)
C_SPAN_OF = itemgetter(C_START, C_END)


def _windows(text: str) -> list[tuple[int, int]]:
    """[start, end) windows of at most WINDOW_CHARS covering a block: a very long block (a whole
    article on one line) is read window by window so that no step sees more than a window;
    windows end at a sentence end, else a comma or space, else anywhere."""
    n = len(text)
    out, start = [], 0
    while n - start > WINDOW_CHARS:
        lo, hi = start + WINDOW_MIN_CHARS, start + WINDOW_CHARS
        cut = max(text.rfind(ch, lo, hi) for ch in WINDOW_BREAKS)
        if cut < 0:
            cut = max(text.rfind(ch, lo, hi) for ch in WINDOW_SOFT_BREAKS)
        end = cut + 1 if cut >= 0 else hi
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


def _simplify_all(texts: list[str]) -> list[str]:
    """to_simplified of each text, with one OpenCC call for all of them when that keeps every
    length (a conversion never reaches across the newline that joins them)."""
    return _simplify_joined(texts)[0]


def _simplify_joined(texts: list[str]) -> tuple[list[str], str | None]:
    """``_simplify_all(texts)`` and, when it is at hand, the same texts joined by newlines
    (the converted text that was split: the caller need not join them again), else None."""
    if len(texts) > 1:
        joined = "\n".join(texts)
        out = converter("t2s").convert(joined)
        if len(out) == len(joined):
            parts = out.split("\n")
            if list(map(len, parts)) == list(map(len, texts)):
                return parts, out
    parts = [to_simplified(t) for t in texts]
    return parts, (parts[0] if len(parts) == 1 else None)


def _tag_all(texts: list[str], tag_fn) -> list[list]:
    """tag_fn of each text, with one call for all of them joined by newlines (jieba cuts at a
    newline, so the words are the same); per text when the split does not come out exact."""
    if len(texts) > 1 and not any("\n" in t or "\r" in t for t in texts):
        pairs = tag_fn("\n".join(texts))
        words = list(map(WORD, pairs))
        out, i = [], 0
        try:
            for _ in range(len(texts) - 1):
                j = words.index("\n", i)
                out.append(pairs[i:j])
                i = j + 1
        except ValueError:
            out = []
        out.append(pairs[i:])
        if len(out) == len(texts) and \
                all(sum(map(len, map(WORD, c))) == len(t) for c, t in zip(out, texts)):
            return out
    return [tag_fn(t) for t in texts]


def _analyse(texts: list[str], lx: Lexicon, tag_fn, joined: str | None = None):
    """Analysers run over the texts, and for each analyser where its texts start in its text
    (ascending) and their indices.

    All texts are joined by SEGMENT_SEP and read by one analyser, with one tagger call, when
    none contains the separator (or a carriage return) and the tagger cuts exactly at every
    separator; else one analyser per text (the words are the same either way: ``_tag_all``).
    The work stays linear: no rule reaches beyond a text or scans all candidates per match.
    (``joined``: the texts joined by SEGMENT_SEP, when the caller has it.)
    """
    if joined is None:
        joined = SEGMENT_SEP.join(texts)
    # (no text holds the separator: it occurs only between them)
    if texts and joined.count(SEGMENT_SEP) == len(texts) - 1 and "\r" not in joined:
        offsets = [0]
        offsets += accumulate(len(t) + 1 for t in texts[:-1])
        a = BlockAnalyser(joined, lx, tag_fn, seg_starts=set(offsets))
        if a.toks and a.toks[-1][3] == len(joined) and all(
                a.starts.get(o - 1, ("",))[0] == SEGMENT_SEP for o in offsets[1:]):
            return [a.run()], [(offsets, range(len(texts)))]
    return ([BlockAnalyser(t, lx, tag_fn, pairs).run()
             for t, pairs in zip(texts, _tag_all(texts, tag_fn))],
            [([0], (i,)) for i in range(len(texts))])


def _clip(spans: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of a block as spans of its window [lo, hi)."""
    return [(max(s, lo) - lo, min(e, hi) - lo) for s, e in spans if s < hi and e > lo]


def _find_established(established: dict[str, tuple[str, str]], analysers, first_pass) -> None:
    """Adds a candidate wherever a name established with evidence occurs again.

    Not where a candidate chosen in the first pass (``first_pass``: each analyser's) has the
    same span: that one comes first in the selection order (same length, a higher priority),
    and whatever overlaps it overlaps the new one, so the new one could never be chosen.
    """
    spans = [dict(map(C_SPAN_OF, chosen)) for chosen in first_pass]  # start -> end
    for surface, (key, type_) in established.items():
        n = len(surface)
        latin = surface.isascii()
        for a, chosen_end in zip(analysers, spans):
            text = a.text
            find, chosen_get, append = text.find, chosen_end.get, a.cands.append
            k = find(surface)
            if not latin and type_ != ORG:
                # (most names: a Chinese name of a person, no word boundary to check)
                while k >= 0:
                    if chosen_get(k) != k + n:
                        append((k, k + n, type_, key, 0))  # (never empty)
                    k = find(surface, k + 1)
                continue
            while k >= 0:
                e = k + n
                # Latin aliases only as whole words
                whole = not latin or not ((k > 0 and text[k - 1].isalnum()) or
                                          (e < len(text) and text[e].isalnum()))
                # an organisation name ends where a word ends (not 中国外交部 in 中国外交部长)
                if whole and (type_ != ORG or a.is_bound(k) and a.is_bound(e)) and \
                        chosen_get(k) != e:
                    append((k, e, type_, key, 0))  # (never empty)
                k = find(surface, k + 1)


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
    staff = {simplified_name(n) for n in article.staff_names if n}
    simp, simp_joined = _simplify_joined([t for _, t in blocks])
    # Segments: (index into blocks, offset in the block, Simplified text); one per block unless
    # the block is longer than a window. Staff spans and dateline reporters are read on the
    # whole block, then given to each window in its own offsets.
    seg_block: list[int] | range = []
    seg_base: list[int] = []
    seg_text: list[str] = []
    masks: list[list[tuple[int, int]]] = []  # (read only: entries may be one shared list)
    reporters: list[set[int] | frozenset[int]] = []
    n = len(simp)
    if max(map(len, simp), default=0) <= WINDOW_CHARS:
        # The usual article: every block is one segment. Most name no staff and no reporter:
        # a substring test over all blocks at once skips the byline and dateline patterns.
        seg_block, seg_base, seg_text = range(n), [0] * n, simp
        # (the converted blocks joined by newlines, the separator: as OpenCC returned them)
        all_text = SEGMENT_SEP.join(simp) if simp_joined is None else simp_joined
        if any(name in all_text for name in staff):
            masks = [_byline_spans(s, staff) for s in simp]
        else:
            masks = [[]] * n
        if any(w in all_text for w in DATELINE_WORDS):
            # (a dateline is in brackets: a block without one has none)
            reporters = [{m.end() for m in DATELINE_RE.finditer(s)}
                         if "（" in s or "(" in s else NO_REPORTERS for s in simp]
        else:
            reporters = [NO_REPORTERS] * n
        long_blocks: list[str] = []
    else:
        long_blocks = simp
    for bi, s in enumerate(long_blocks):
        mask = _byline_spans(s, staff)
        rep_ends = [m.end() for m in DATELINE_RE.finditer(s)]
        for lo, hi in _windows(s):
            seg_block.append(bi)
            seg_base.append(lo)
            seg_text.append(s[lo:hi])
            masks.append(_clip(mask, lo, hi) if lo or hi < len(s) else mask)
            reporters.append({r - lo for r in rep_ends if lo <= r < hi})
    analysers, unit_segs = _analyse(seg_text, lx, tag_fn,
                                    all_text if seg_text is simp else None)
    first_pass = [_select(a.cands, len(a.text) + 1) for a in analysers]
    first_done = [len(a.cands) for a in analysers]  # (the candidates the first pass read)

    # Names established with evidence anywhere in the article, found again everywhere.
    established: dict[str, tuple[str, str]] = {}
    known = lx.known
    for a, chosen, (offs, index) in zip(analysers, first_pass, unit_segs):
        for cs, ce, type_, key, prio in chosen:
            if prio < 2 or (type_ != PERSON and type_ != ORG):
                continue
            k = bisect_right(offs, cs) - 1  # the segment the candidate is in
            si, start, end = index[k], cs - offs[k], ce - offs[k]
            mask = masks[si]
            if start in reporters[si] or mask and any(start < e and ms < end for ms, e in mask):
                continue
            surface = a.text[cs:ce]
            if surface not in known and surface not in staff and \
                    len(established) < MAX_ESTABLISHED:
                established.setdefault(surface, (key, type_))
    # Short forms of dotted foreign names: 法塔斯 for 安东尼奥·法塔斯.
    for surface, (key, type_) in list(established.items()):
        if type_ == PERSON and DOT_RE.search(surface):
            last = DOT_RE.split(surface)[-1]
            if len(last) >= 2:
                established.setdefault(last, (key, PERSON))
    # Latin aliases in parentheses right after a mention.
    for a, chosen in zip(analysers, first_pass):
        if not a.latin:
            continue
        ends = {c[C_END]: c for c in chosen}
        for name_end, latin in a.latin:
            c = ends.get(name_end)
            if c is None:
                continue
            for alias in _latin_aliases(latin, c[C_TYPE]):
                if alias and alias not in established and not alias.isdigit() and \
                        len(established) < 2 * MAX_ESTABLISHED:
                    established[alias] = (c[C_KEY], c[C_TYPE])
    _find_established(established, analysers, first_pass)

    # The mentions: the key before merging, and (type, surface as written, block, [start, end)
    # in the block), the rest of the Mention's arguments in order.
    m_key: list[str] = []
    rows: list[tuple[str, str, int, int, int]] = []
    key_append, row_append = m_key.append, rows.append
    not_entities = lx.not_entities
    for a, (offs, index), chosen, done in zip(analysers, unit_segs, first_pass, first_done):
        at = a.text
        # (the chosen candidates come in text order: the segment is looked up only when one
        # starts past the end of the last one's)
        seg_ends = offs[1:] + [len(at) + 1]
        seg_end = -1
        for cs, ce, type_, key, _ in _select_more(a.cands, len(at) + 1, chosen, done):
            if cs >= seg_end:
                k = bisect_right(offs, cs) - 1  # the segment the candidate is in
                si, off, seg_end = index[k], offs[k], seg_ends[k]
                mask, reps = masks[si], reporters[si]
                block, text = blocks[seg_block[si]]
                shift = seg_base[si] - off  # from the analyser's text to the block's
            if mask and any(cs - off < e and ms < ce - off for ms, e in mask):
                continue
            if type_ == PERSON and cs - off in reps:
                continue
            if staff:
                surf_s = at[cs:ce]
                if surf_s in staff or key in staff or ce - cs > 1 and surf_s in not_entities:
                    continue
            elif ce - cs > 1 and at[cs:ce] in not_entities:
                continue
            key_append(key)
            s, e = cs + shift, ce + shift
            row_append((type_, text[s:e], block, s, e))

    # The name is the Simplified canonical key in either script (one referent, one name across
    # the archive); the article's own spelling is the surface and shows among the aliases.
    types = list(map(WORD, rows))
    keys = _merge_keys(m_key, types)
    keys = _merge_title_references(keys, types, rows, simp, blocks)
    # (the rows' columns as the constructor's positional arguments: no call per row in Python)
    return list(map(Mention, keys, *zip(*rows))) if rows else []


def _short_form_of(short: str, long: str, type_: str) -> bool:
    """Whether ``short`` is a short form of the longer name ``long`` of the same type."""
    if len(long) <= len(short):
        return False
    if type_ == ORG:
        return (long.endswith(short) and len(short) >= 2) or _abbreviates(short, long)
    if type_ == PERSON:
        return not DOT_CHARS.isdisjoint(long) and DOT_RE.split(long)[-1] == short
    if type_ == PLACE:
        return long.startswith(short) and long[len(short):] in ADMIN_SUFFIXES
    return False


def _merge_keys(keys: list[str], types: list[str]) -> list[str]:
    """One key per referent, with short forms merged into the full name.

    A short form (外交部, 法塔斯, 陆委会, 云南) joins a longer name of the same type introduced
    earlier in the article; failing that, the only longer name it can be short for (a title
    often uses the short form first). A longer variant ending in an established short form
    (交通部观光局 when 观光局 stood for 台湾观光局) joins the same referent when its head is a
    place or a government body. (``keys`` and ``types``: the mentions', in order.)
    """
    lx = lexicon()
    order = list(dict.fromkeys(zip(keys, types)))  # the distinct (key, type), in order
    position: dict[tuple[str, str], int] = {}  # (filled when a name has one to compare with)
    # A short form shares its last character with the full name (外交部 / 中国外交部, 陆委会 /
    # 大陆委员会, 法塔斯 / 安东尼奥·法塔斯), a place its first (云南 / 云南省): only names in
    # the same group are compared, and only the first MAX_MERGE_NAMES of a group.
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for k in order:
        key, type_ = k
        groups.setdefault((type_, key[:1] if type_ == PLACE else key[-1:]), []).append(k)
    target: dict[tuple[str, str], str] = {}
    for group in groups.values():
        if len(group) == 1:
            continue  # (most names: only itself, no longer name to be short for)
        if not position:
            position = dict(zip(order, range(len(order))))
        group = group[:MAX_MERGE_NAMES]
        longest = max(len(g[0]) for g in group)
        for k in group:
            key, type_ = k
            n = len(key)  # (a short form is shorter: most pairs end at the length test)
            if n >= longest:
                continue  # nothing longer to be short for
            longer = [g for g in group if len(g[0]) > n and _short_form_of(key, g[0], type_)]
            idx = position[k]
            earlier = [g for g in longer if position[g] < idx]
            if earlier:
                target[k] = earlier[0][0]
            elif len(longer) == 1:
                target[k] = longer[0][0]
    # A family name of two characters on its own (田中 for 田中良平, 石破 for 石破茂) is the one
    # person of the article whose name starts with it (persons are grouped by their last
    # character above, so these are compared here).
    families = [k for k in order if k[1] == PERSON and len(k[0]) == 2 and k not in target
                and k[0] in lx.double_surnames]
    if families:
        persons = [k[0] for k in order if k[1] == PERSON and len(k[0]) >= 3][:MAX_MERGE_NAMES]
        for k in families:
            longer = [p for p in persons if p.startswith(k[0]) and not DOT_RE.search(p)]
            if len(longer) == 1:
                target[k] = longer[0]
    # Variants built on a short form: 交通部 + 观光局 → 台湾观光局 (the first such short form
    # in the order the short forms were merged: the order of the names, then the variants in
    # the order they merge).
    if not target:
        return keys
    if not position:
        position = dict(zip(order, range(len(order))))
    merged_at = {k: position[k] for k in target}
    # (only an organisation merged as a short form can start such a chain)
    for key, type_ in order if any(t == ORG for _, t in target) else ():
        if type_ != ORG or (key, type_) in target:
            continue
        shorts = sorted((merged_at[(key[i:], ORG)], key[i:]) for i in range(1, len(key) - 2)
                        if (key[i:], ORG) in target)
        for _, short in shorts:
            full = target[(short, ORG)]
            if key != full:
                head = key[: -len(short)]
                hit = lx.known.get(head)
                if hit and (hit[1] == PLACE or head in lx.generic_orgs):
                    target[(key, type_)] = full
                    merged_at[(key, type_)] = len(order) + len(merged_at)
                    break

    def resolve(k: tuple[str, str]) -> str:
        seen = set()
        while k in target and k not in seen:
            seen.add(k)
            k = (target[k], k[1])
        return k[0]

    resolved = {k: resolve(k) if k in target else k[0] for k in order}
    return list(map(resolved.__getitem__, zip(keys, types)))


def _merge_title_references(keys: list[str], types: list[str], rows, simp: list[str],
                            blocks) -> list[str]:
    """A surname with a title (陈教授, 习主席) names the one person of the article with that
    surname who is given that title somewhere (经济学教授陈志明, 国家主席习近平); with two such
    people, or none, it stays as it is. (Mentions: their keys, types and rows of (type,
    surface, block, start, end).)"""
    people = list(dict.fromkeys(compress(keys, map(PERSON.__eq__, types))))
    refs = {k: _title_reference_surname(k) for k in people}
    if not any(refs.values()):
        return keys
    text_of = {block: s for (block, _), s in zip(blocks, simp)}
    # where each person's full name stands: (block, start) of its mentions
    where: dict[str, list[tuple[int, int]]] = {}
    first_ref: dict[str, tuple[int, int]] = {}
    for k, (type_, _, block, start, _) in zip(keys, rows):
        if type_ == PERSON and not refs[k]:
            where.setdefault(k, []).append((block, start))
        elif type_ == PERSON:
            first_ref.setdefault(k, (block, start))
    honorifics = lexicon().titles_after

    def titled(p: str, title: str) -> bool:
        # the title before the name (经济学教授陈志明) or right after it (李国平教授)
        return any(title in text_of[b][max(0, st - TITLE_REFERENCE_WINDOW):st] or
                   text_of[b].startswith(title, st + len(p)) for b, st in where[p])

    target: dict[str, str] = {}
    for ref, sur in refs.items():
        if not sur:
            continue
        title = ref[len(sur):]
        same = [p for p in where if p.startswith(sur) and len(p) > len(sur)]
        if honorifics.get(title) == "honorific":
            # 周女士 after 周若兰: the one person of that surname named before it
            if len(same) == 1 and min(where[same[0]]) < first_ref.get(ref, (-1, -1)):
                target[ref] = same[0]
            continue
        same = [p for p in same if titled(p, title)]
        if len(same) == 1:
            target[ref] = same[0]
    if not target:
        return keys
    return [target.get(k, k) if type_ == PERSON else k for k, type_ in zip(keys, types)]


@lru_cache(maxsize=65536)
def _title_reference_surname(name: str) -> str | None:
    """The surname of 陈教授 / 习主席 / 欧阳部长 (a surname and a title, no given name)."""
    lx = lexicon()
    for n in (2, 1):
        sur, rest = name[:n], name[n:]
        if (sur in lx.double_surnames if n == 2 else sur in lx.surnames) and rest and \
                (rest in lx.title_set or rest in lx.titles_after):
            return sur
    return None


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
        spans = [c[:2] for c in _select(a.cands, len(a.text) + 1)]
        skip.update(a.text[s:e] for s, e in spans)
        covered = set()
        for s_, e_ in spans:
            covered.update(range(s_, e_))
        for t in a.toks:
            w = t[0].strip()
            if len(w) < 2 or not t[1].startswith(KEYWORD_TAGS) or t[1] == "eng" or \
                    t[1].startswith(("nr", "ns", "nt")) or t[2] in covered or \
                    (t[3] - 1) in covered:
                continue
            if w in lx.kw_stop or w in lx.not_entities or w in lx.known or w in lx.title_set or \
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
