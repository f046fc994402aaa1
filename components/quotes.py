"""The quote and speaker stage: who says what in an article.

In: an ``Article`` (body blocks and title) and the entity stage's ``Mention`` list (person / place /
org mentions with canonical names and offsets; may be empty). Out: ``extract_quotes`` gives one
``model.Quote`` per direct quote (a span in “…” 「…」 『…』 ‘…’ attributed to someone) and per
paraphrase (a reporting clause without quote marks: ``X表示 / 认为 / 指出 …``), with the
speaker's canonical name, role, kind (expert / official / other, or ``source`` for organisations and
unnamed sources), block and character offsets (of the quoted words, or of the reported clause).
``summarize_speakers`` turns those rows into the ``speakers`` list of the ``parse`` contract:
named speakers only, in order of first appearance in the article.

How it reads an article, paragraph by paragraph (the title and sub-headings are headlines and are
never read as speech):

1. Top-level quote spans are found with a stack, so ‘…’ or “…” nested in “…” stay inside their
   outer quote; an unclosed quote runs to the end of the paragraph (multi-paragraph quotes).
2. Sentences end at 。！？； outside quotes and brackets; clauses at ，：.
3. Every reporting verb outside quotes (data/dictionaries/speech_verbs.tsv), and a name with a
   colon before a quote (``杨子立：“…”``), makes an event whose speaker is the first person named
   in the clause before the verb (``美国国务院发言人米勒（Matthew Miller）表示``, ``“…”X说``,
   ``据X称``) who is not an object (``向中国国家主席习近平指出``) or a modifier (``X的律师``); a
   pronoun (他/她 → the latest speaker, or someone who has opened a sentence since); an
   organisation or unnamed source (kind ``source``); or, for a verb with no subject of its own
   (``…，并批评``), the subject of the sentence. Background clauses (当…, 在X表示…之后) are not
   speech. A verb inside someone's reported clause (``X写道，Y说…``, ``据官员称，Y批评…``) is part
   of their words, unless it opens a quote of its own.
4. Quotes in a sentence with events go to the event that introduces them (``X说：“``) or that
   follows them (``”X说``), else to the nearest; such a sentence counts as direct quotes only. A
   quote sentence without a verb continues the paragraph's last speaker, and a paragraph that
   starts with a quote continues the previous paragraph's last speaker (or the person just said
   to be interviewed: ``X接受本台采访…。`` then ``“…”``). A quote left open at the end of a
   paragraph and reopened at the start of the next is one quote: one row whose text joins the
   parts with a newline and whose offsets are those of the first part.
5. Quoted terms are not speech: names followed by a Latin translation, short quotes repeated
   elsewhere or in the title, ``所谓“…”``, ``“…”一词``, short attributive quotes (``“…”的``), short
   labels (``能够阅读的“级别”``), quotes with Latin letters or digits (product names).
6. Speaker identity comes from the entity stage's person mentions (their spans repaired when a
   title's tail or a cut-off name shows, junk such as ``都没有`` dropped); a regex fallback (a
   title before a name, a dotted name in transliteration characters, ``X先生``, a name before a
   Latin name in brackets or a colon and a quote) covers names it missed; a surname with a title
   (``陈教授``, ``法塔斯教授``) refers back to the one person with that surname. Role = the words before
   the fullest mention (``台湾政治大学外交学系教授``), a title after the name (``法塔斯教授``), an
   affiliation (``…研究院的X``) or an apposition (``X说，他是…的研究员``); kind = the title
   nearest the name (data/dictionaries/roles_titles.tsv; the head of a university body is an
   expert, of an association or company other); aliases = the Latin name in brackets and the
   other forms of the name (``法塔斯`` for ``安東尼奧·法塔斯``).

Speaker names in the rows are always the Simplified canonical form (the entity stage's name:
习近平 for 習近平, 普京 for 普丁), one name per person across the archive; the stage reads the text
with the forms the article writes, and those lead the aliases. Roles stay as written.

Vocabulary files are written in Simplified Chinese; Traditional forms are generated with OpenCC
when the module loads, so the same rules read RFA/VOA (Simplified) and CNA/BBC (Traditional) text.
"""
from __future__ import annotations

import bisect
import functools
import operator
import pathlib
import re
from dataclasses import dataclass, field

# The standard library's regex parser (Python 3.11+): only to derive _first_char_guard's guards.
try:
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover  (a Python without it: no guards, same matches)
    _sre = _sre_parse = None

from . import entities as _entities
from .model import PARAGRAPH, Article, Mention, Quote
from .textutil import CJK_RE, converter, scan_lookahead, trie_pattern

DICT_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "dictionaries"
VERBS_FILE = DICT_DIR / "speech_verbs.tsv"
TITLES_FILE = DICT_DIR / "roles_titles.tsv"
SURNAMES_FILE = DICT_DIR / "roles_surnames.txt"
SOURCES_FILE = DICT_DIR / "roles_sources.txt"
NONPERSON_FILE = DICT_DIR / "roles_nonperson_words.txt"
TRANSLIT_FILE = DICT_DIR / "roles_translit_chars.txt"

KIND_EXPERT, KIND_OFFICIAL, KIND_OTHER, KIND_SOURCE = "expert", "official", "other", "source"

# ---------------------------------------------------------------------------------------------
# Marks and punctuation

OPEN_TO_CLOSE = {"“": "”", "「": "」", "『": "』", "‘": "’", "﹁": "﹂", "﹃": "﹄"}
QUOTE_MARK_RE = re.compile('[“”「」『』‘’﹁﹂﹃﹄"]')
# Brackets hold Latin names, dates and asides; nothing inside them is speech or a subject.
PAREN_RE = re.compile(r"（[^（）]*）|\([^()]*\)")
# Titles of works: nothing inside 《…》 speaks.
BOOK_TITLE_RE = re.compile(r"《[^《》]*》")
SENTENCE_END_CHARS = "。！？!?；;"
CLAUSE_BREAK_RE = re.compile(r"[，,：:。！？!?；;—–]")
# Speech-like quote content: has sentence punctuation inside.
SPEECH_PUNCT_RE = re.compile(r"[，。！？；：、,!?;…]")
# Latin letters with the accented ones of European names (Türk, Müller, José).
LATIN_LETTERS = _entities.LATIN_LETTERS
LATIN_WORD_RE = re.compile(r"[%s][%s'’\-]*" % (LATIN_LETTERS, LATIN_LETTERS))
SPACES = " \t\u3000\xa0"

# A quote at most this long without punctuation may be a term rather than words someone said.
TERM_MAX_CHARS = 8
# An attributive quote (“…”的 …) at most this long is a term.
ATTRIBUTIVE_TERM_MAX_CHARS = 6
# A quote at most this long right after 的 is a label (阅读的“级别”).
LABEL_TERM_MAX_CHARS = 4
# Words that announce a term or a name rather than speech.
TERM_BEFORE = ("所谓", "所謂", "描绘成", "描繪成", "说成", "說成", "当作", "當作", "当成", "當成",
               "称为", "稱為", "稱爲", "称作", "稱作", "叫做", "名为", "名為", "名爲",
               "题为", "題為", "題爲", "改为", "改為", "改爲", "改名为", "改名為", "号称", "號稱",
               "俗称", "俗稱", "简称", "簡稱", "称之为", "稱之為", "被称", "被稱", "列为", "列為",
               "定性为", "定性為", "口号", "口號", "标语", "標語", "字眼", "打出", "喊出", "高喊",
               "标榜", "標榜", "贴上", "貼上", "冠以", "以")
TERM_AFTER = ("一词", "一詞", "这个词", "這個詞", "这个字", "這個字", "的说法", "的說法", "的比喻",
              "字样", "字樣", "名义", "名義", "名称", "名稱", "称号", "稱號", "口号", "口號",
              "标签", "標籤", "概念", "一说", "一說", "等词", "等詞", "的称呼", "的稱呼", "二字",
              "两字", "兩字", "三字", "四字", "一语", "一語")
# The strongest of those: a quote after them is a term or a name whatever its length (up to
# NAMED_TERM_MAX_CHARS).
NAMING_BEFORE = ("所谓", "所謂", "称为", "稱為", "稱爲", "名为", "名為", "名爲", "题为", "題為", "題爲",
                 "简称", "簡稱", "俗称", "俗稱", "号称", "號稱")
NAMED_TERM_MAX_CHARS = 20
# A short quote followed by a conjunction and another quote: a list of terms (“反恐”和“扶贫”).
QUOTED_TERM_LIST_RE = re.compile(r"[和与與及或、][“「『‘﹁\"]")
# Prepositions right before a short quote make it a noun phrase (对“金普会”的报道).
TERM_PREPOSITIONS = "对對从從与與和把将將被向於于"
# A name right after one of these is an object, not the one who speaks (向普京表示, 和普京).
OBJECT_MARKERS = "对對向和与與跟给給被让讓把替同及于於"
# Clause openers that are not part of a subject.
CONNECTOR_RE = re.compile(
    r"^(?:[" + SPACES + r"]|但是|但|而且|而|不过|不過|另外|此外|同时|同時|与此同时|與此同時|因此|"
    r"所以|对此|對此|就此|其中|并且|並且|并|並|然而|随后|隨後|最后|最後|首先|其次|另一方面|"
    r"此前|之前|稍后|稍後|至于|至於|另)+")
# A clause starting with these is background (when X said …), not reported speech.
BACKGROUND_RE = re.compile(r"^(?:[当當](?![地局前然时時今中选選面场場年日天事权權政代])|每当|每當|随着|隨著|"
                           r"自从|自從|直到|等到|如果|若(?!干)|假如|一旦|即使)")
# The first characters of BACKGROUND_RE's forms: a test before the pattern.
BACKGROUND_FIRSTS = "当當每随隨自直等如若假一即"
BACKGROUND_END_RE = re.compile(r"(?:之后|之後|以后|以後|后|後|之际|之際|时|時)$")
# Being interviewed makes a person the speaker of the quotes that follow.
INTERVIEW_RE = re.compile(r"接受[^，。；“”「」]{0,20}?(?:采访|採訪|访问|訪問|专访|專訪)|受访|受訪")
STRICT_VERB_FOLLOWERS = "，,：:“「『\"" + SPACES
# A verb right after these is a noun (的警告, 所说, 被批评).
VERB_NEVER_AFTER = "的所被"
DOTTED_NAME_RE = re.compile(r"[\u4e00-\u9fff]{1,6}(?:[·‧•・．.][\u4e00-\u9fff]{1,8})+")
# (The dot first and the character before it checked after, so that a scan looks for dots
# only: a pattern that opens with a lookbehind is tried at every position.)
NAME_DOT_RE = re.compile(r"[·‧•・．.](?<=[\u4e00-\u9fff][·‧•・．.])(?=[\u4e00-\u9fff])")
# The two or three characters right before a colon (杨子立：“…”).
NAME_BEFORE_COLON_RE = re.compile(r"[\u4e00-\u9fff]{2,3}$")
NAME_COLON_QUOTE_RE = re.compile(r"[：:](?=[" + SPACES + r"]*[“「『﹁])")
PRONOUN_RE = re.compile(r"^[他她](?![们們人的])")
PRONOUN_CHARS = frozenset("他她")  # (its first character: a test before the pattern)
# Marks of a statement added after a quote (“…。”他並說，…) rather than of its attribution.
# Looked for among the first four characters of the clause before the verb, which also finds
# them after a pronoun (他並說).
ADDITIVE_CHARS = frozenset("并並还還也又另再")
# Things after a name that show it is a modifier, not the subject (法盛（Natixis）的首席经济学家).
MODIFIER_AFTER_RE = re.compile(r"(?:（[^（）]*）|\([^()]*\))?(?:[的之]|政府|當局|当局|政權|政权|团队|團隊|"
                               r"阵营|陣營|家族|内阁|內閣|时代|時代|任内|任內)")  # matched at a position
# Titles written after a surname to refer back to someone named before (陈教授, 黃教授).
BACK_REFERENCE_TITLES = ("教授", "副教授", "博士", "老师", "主任", "部长", "局长", "议员", "参议员",
                         "众议员", "委员", "主席", "总统", "院长", "律师", "医生", "研究员", "主委",
                         "市长", "校长", "所长", "董事长", "总理", "首相", "大使", "牧师", "神父")
# Forms of address that belong to a surname-only name (曾小姐, 林先生).
ADDRESS_WORDS = ("先生", "小姐", "女士", "太太")
# Their first characters: a cheap scan before the search for the words.
ADDRESS_TRIGGERS_RE = re.compile("[" + "".join(sorted({w[0] for w in ADDRESS_WORDS})) + "]")
# Characters that do not occur in names but do in the words a loose match runs into
# (都没有, 会上, 率先, 似乎): a candidate name holding one is rejected.
# Characters that also occur in names (李在明, 于, 王羲之) are not in the list.
NAME_STOP_CHARS = set("的了是也都就而及或被把对對向从從这這那些个個们們不没沒很更最还還"
                      "又再已曾会會该該其此所并並但却卻则則即若因等说說称稱率似乎")
# Function characters that are also common in given names (若兰, 则民, 其昌).
GIVEN_NAME_CHARS = set("若则則其")
NAME_STOP_CHARS_IN_GIVEN = frozenset(NAME_STOP_CHARS - GIVEN_NAME_CHARS)
# Characters that begin adverbials rather than names (在較早前, 以及).
NAME_BAD_START = set("在於于以为為将將有要能上之和与與及本今昨近此该該每各全数數几幾两兩第后後")
# Collective nouns in the title list that are not written before a person's name.
NON_INTRODUCING_TITLES = {"民众", "民眾", "网民", "網民", "居民", "市民", "村民", "家属", "家屬", "志愿者", "志願者"}
NAME_JOINERS = "·‧•・．.-"
LATIN_OR_DIGIT_RE = re.compile(r"[A-Za-z0-9]")
JOINER_SPLIT_RE = re.compile("[" + re.escape(NAME_JOINERS) + "]")
JOINER_RE = JOINER_SPLIT_RE  # a name with a joiner is a foreign name (安東尼奧·法塔斯)
JOINER_KEEP_SPLIT_RE = re.compile("([" + re.escape(NAME_JOINERS) + "])")
ALIAS_SPLIT_RE = re.compile(r"[；;/]")
# Latin honorifics and party tags to drop from an alias (Sen. Tom Cotton, R-AR → Tom Cotton).
LATIN_HONORIFIC_RE = re.compile(r"^(?:(?:Sen|Rep|Dr|Mr|Mrs|Ms|Prof|Gen|Adm|Gov|Rev|Sir|Lt|Col|Capt|"
                                r"President|Senator|Representative|Minister)\.?\s+)+")
LATIN_PARTY_TAG_RE = re.compile(r",\s*[A-Z]-[A-Z]{2}\b.*$")
LATIN_PAREN_START_RE = re.compile(r"[（(][%s]" % LATIN_LETTERS)
# A verb that opens a quote: 说：“ / 表示，“
QUOTE_INTRO_RE = re.compile(r"[：:，,]?[" + SPACES + r"]*[“「『‘﹁\"]")
# The characters a match of it starts with.
QUOTE_INTRO_FIRSTS = frozenset("：:，," + SPACES + "“「『‘﹁\"")
# A verb that opens a quote of its own words (说：“ / 表示，“), not a quoted term (强调“美国优先”).
QUOTE_OPEN_RE = re.compile(r"[：:，,][" + SPACES + r"]*[“「『‘﹁\"]")
QUOTE_GAP_RE = re.compile(r"[\s：:，,\u3000]*")
LATIN_ALIAS_RE = re.compile(r"[（(]([%s][^（）()]{1,60})[)）]" % LATIN_LETTERS)
# Titles whose kind depends on the body: the head of a research centre is an expert.
AMBIGUOUS_TITLES = {"发言人", "發言人", "总监", "總監", "主任", "院长", "院長", "所长", "所長",
                    "校长", "校長", "主席", "副主席", "会长", "會長",
                    "负责人", "負責人", "成员", "成員", "顾问", "顧問", "理事长", "理事長", "董事",
                    "创办人", "創辦人", "副主任", "执行长", "執行長", "秘书长", "秘書長"}
TITLE_FOLLOWERS = "、，,的（( 」』”兼暨及和与與"
CIVIL_BODY_RE = re.compile(r"协会|協會|组织|組織|联盟|聯盟|大会|大會|基金会|基金會|公司|集团|集團|企业|企業|"
                           r"商会|商會|工会|工會|教会|教會|团体|團體|俱乐部|俱樂部|民间|民間|联合会|聯合會|"
                           # campaign groups and NGO programmes: 声援西藏运动, 人权项目
                           r"运动|運動|项目|項目|倡议|倡議")
ACADEMIC_RE = re.compile(r"大学|大學|学院|學院|研究院|研究所|研究中心|智库|智庫|学会|學會|研究会|研究會")
ROLE_LEADING_VERBAL_RE = re.compile(r"^(?:接受|受)[^的，。]{0,24}?(?:采访|採訪|访问|訪問|专访|專訪|"
                                    r"邀请|邀請)的")
# An organisation right before 的 and the name is the person's affiliation (…研究院的X).
AFFILIATION_RE = re.compile(r"(?:大学|大學|学院|學院|研究院|研究所|研究中心|中心|智库|智庫|基金会|基金會|"
                            r"协会|協會|组织|組織|公司|集团|集團|银行|銀行|政府|部|局|署|委员会|委員會|"
                            r"党|黨|报|報|社|台|电视|電視)(?:（[^（）]*）|\([^()]*\))?的$")
APPOSITIVE_RE = re.compile(r"[^，。；“”「」]{0,16}?(?:说|說|表示|指出|称|稱)[，,][" + SPACES + r"]*[他她]是"
                           r"([^，。；！？]{2,40})")
# Its verb starts within the first 17 characters: a cheap test before the pattern.
APPOSITIVE_VERB_START_RE = re.compile(r"[说說表指称稱]")
# 戴維斯.恩瑟(David Ensor)，美國之音前主席，說…: a role between commas after the name.
COMMA_APPOSITIVE_RE = re.compile(r"(?:（[^（）]*）|\([^()]*\))?[，,]([^，。；！？“”「」]{2,30})[，,]")
# A role that ends in a person noun not in the title list (評論者, 访民) is still a role.
APPOSITIVE_CONJUNCTION_RE = re.compile(r"以及|和|与|與|及|还有|還有|包括|或")
PERSON_NOUN_END_RE = re.compile(r"[者员員师師家士官长長人手民工主]$")
ROLE_MAX_CHARS = 45
# How far before a name a role is looked for, and how long a quoted term inside a role may be.
ROLE_WINDOW_CHARS = 120
ROLE_QUOTE_MAX_CHARS = 12
# Mentions of one speaker read for their role (the fullest is nearly always among the first).
PROFILE_MAX_MENTIONS = 40
ROLE_NEVER_AFTER = "，,。：:；;！？!?“”「」『』 \u3000"
ROLE_STRIP_CHARS = SPACES + "、"  # (stripped from both ends of a role)
# Prepositions that make the person after them (and after their title) an object or an agent.
OBJECT_ROLE_RE = re.compile(r"[向对對被让讓把给給替](?!(?<=被)[控指判捕拘囚诉訴押])"
                            r"(?=[^向对對被让讓把给給替]*$)")
# Where a role starts at the latest: after a preposition that introduces someone (被/向/与).
ROLE_CUT_RE = re.compile(r"[向对對被让讓把给給替与與同跟](?!(?<=被)[控指判捕拘囚诉訴押])"
                         r"(?=[^向对對被让讓把给給替与與同跟]*$)")
# The run of name characters that ends right before a bracketed Latin name.
LATIN_NAME_RUN_RE = re.compile(r"[\u4e00-\u9fff" + NAME_JOINERS + r"]{2,16}$")
ROLE_LEADING_OBJECT_RE = re.compile(r"^(?:(?:和|与|與|跟|及|向|对|對|给|給|被|让|讓|把|替|同|从|從)"
                                    r"(?![为為外华華来來样樣时時])"
                                    # 被控…的创办人: a passive clause describing the person stays
                                    r"(?<!被(?=[控指判捕拘囚诉訴押])))")
# 据…经济学家陆文涛估计: the 据 that opens the clause is not part of the role.
ROLE_LEADING_SOURCE_RE = re.compile(r"^(?:根据|根據|据|據)")
ROLE_LEADING_PAREN_RE = re.compile(r"^(?:（[^（）]*）|\([^()]*\))+")
# The first characters of everything the ROLE_LEADING_* patterns and CONNECTOR_RE strip from
# the start of a role: a role that starts otherwise keeps its start.
ROLE_LEAD_CHARS = ("（(" + SPACES + "但而不另此同与與因所对對就其并並然随隨最首稍至之"
                   "上下本个個月今昨前当當近日星周週晚早在於于和跟及向给給被让讓把替从從根据據接受")
ROLE_LEAD_SET = frozenset(ROLE_LEAD_CHARS)


def _may_strip_lead(text: str) -> bool:
    """Whether ``text`` starts with one of ROLE_LEAD_CHARS or a decimal digit (``\\d`` of a
    str pattern: ``str.isdecimal``): else none of those strips anything from it."""
    lead = text[:1]
    return lead in ROLE_LEAD_SET or lead.isdecimal()
ROLE_LEADING_TIME_RE = re.compile(r"^(?:\d+[年月日号號]|[上下本]?[个個]?月|今天|昨天|前天|当天|當天|近日|日前|"
                                  r"星期[一二三四五六日天]|[周週][一二三四五六日末]|上午|下午|晚间|晚間|"
                                  r"早前|稍早|随后|隨後|[在於于](?=[与與和跟同]))+")
MANY_SURFACES = 40
# First characters per group of a long word list's pattern (``_grouped_alternation``).
SCAN_GROUP_FIRST_CHARS = 30
# A reported clause longer than this is cut (a sentence without an end in broken input).
PARAPHRASE_MAX_CHARS = 400
# Trimmed from the end of a reported clause.
PARAPHRASE_TRIM_CHARS = "。！？!?；;" + SPACES
# Events after a quote that may claim it (“…”X说); the nearest is nearly always the one.
OWNER_LOOKAHEAD = 3
# Between a quote and the event that claims it: no clause or sentence break, no quote mark.
OWNER_BARRIER_RE = re.compile("[，,。；;" + QUOTE_MARK_RE.pattern[1:])
# How far before a verb a subject may stand (科顿星期三在出席……提问时表示).
MAX_SUBJECT_DISTANCE = 110
SOURCE_NAME_MAX_CHARS = 20
SOURCE_LEAD_RE = re.compile(r"^(?:据|據|根据|根據|综合|綜合|有)")
# Verbs whose object (the listener) comes before the reported words: 告诉记者，…
LISTENER_VERB_RE = re.compile(r"告诉|告訴|告知|提醒|警告")
LISTENER_VERB_FIRSTS = "告提警"
LISTENER_MAX_CHARS = 10
SOURCE_CUT_RE = re.compile(r"(?:在|於|于|今天|昨天|日前|近日|接受|对|對|向|也|还|還|则|則|曾|已|\d)")


# ---------------------------------------------------------------------------------------------
# Vocabulary

def _variants(word: str) -> set[str]:
    """The word as written in Simplified and in the Traditional standards in use."""
    out = {word}
    for config in ("s2t", "s2tw", "s2hk"):
        out.add(converter(config).convert(word))
    return out


def _data_lines(path: pathlib.Path) -> list[str]:
    if not path.is_file():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line.rstrip("\n"))
    return lines


def _alternation(words) -> str:
    """A regex source matching any of the words, longest first (a trie; see textutil)."""
    return trie_pattern(words)


def _grouped_alternation(words) -> str:
    """``_alternation`` with the trie's top-level branches (one per first character, which the
    engine tries one after another) split into groups of SCAN_GROUP_FIRST_CHARS first
    characters, each behind a character class: a position is tested against a few classes
    and one group's branches rather than against every branch. Only the branch of the
    position's first character can match, so it matches (and backtracks) as the plain trie."""
    words = sorted({w for w in words if w})
    firsts = sorted({w[0] for w in words})
    if len(firsts) <= SCAN_GROUP_FIRST_CHARS:
        return _alternation(words)
    groups = []
    for i in range(0, len(firsts), SCAN_GROUP_FIRST_CHARS):
        chars = set(firsts[i:i + SCAN_GROUP_FIRST_CHARS])
        groups.append("(?=[%s])%s" % (re.escape("".join(sorted(chars))),
                                      _alternation([w for w in words if w[0] in chars])))
    return "(?:" + "|".join(groups) + ")"


def _scanned_alternation(words) -> re.Pattern:
    """``_grouped_alternation`` compiled for a scan over whole paragraphs (see
    ``textutil.scan_lookahead``)."""
    return re.compile(scan_lookahead(words) + _grouped_alternation(words))


def _first_char_guard(source: str) -> str:
    """A lookahead that every match of the regex ``source`` passes: a class of the characters
    a match can start with, or the end (``$``) when a match can start with it. Put before
    ``(?=source)`` where that lookahead is long and mostly fails, it fails in one test. ""
    when a match may be empty or ``source`` holds a construct not read here."""
    if _sre_parse is None:
        return ""
    firsts: list[str] = []
    at_end = False

    def nullable_seq(items) -> bool:  # whether the sequence can match without a character
        return all(nullable(op, av) for op, av in items)

    def nullable(op, av) -> bool:
        nonlocal at_end
        if op is _sre.LITERAL:
            firsts.append(re.escape(chr(av)))
            return False
        if op is _sre.IN:
            for item_op, item_av in av:
                if item_op is _sre.LITERAL:
                    firsts.append(re.escape(chr(item_av)))
                elif item_op is _sre.RANGE:
                    firsts.append(re.escape(chr(item_av[0])) + "-" + re.escape(chr(item_av[1])))
                elif item_op is _sre.CATEGORY and item_av is _sre.CATEGORY_DIGIT:
                    firsts.append(r"\d")
                else:
                    raise ValueError(item_op)
            return False
        if op is _sre.BRANCH:
            # (every alternative is read: a list comprehension, not ``any``)
            return True in [nullable_seq(alternative) for alternative in av[1]]
        if op is _sre.SUBPATTERN:
            return nullable_seq(av[-1])
        if op is _sre.MAX_REPEAT or op is _sre.MIN_REPEAT:
            return nullable_seq(av[2]) or av[0] == 0
        if op is _sre.AT and av is _sre.AT_END:
            at_end = True  # (the guard's ``$`` is the same test)
            return False
        if op is _sre.ASSERT or op is _sre.ASSERT_NOT:
            return True  # zero-width: it only narrows what comes after it
        raise ValueError(op)

    try:
        if nullable_seq(_sre_parse.parse(source).data):
            return ""
    except (ValueError, AttributeError):  # (a construct or a parser of another Python)
        return ""
    return "(?=[" + "".join(sorted(set(firsts))) + "]" + ("|$" if at_end else "") + ")"


@dataclass
class _Vocab:
    verb_re: re.Pattern
    verb_not_before: dict[str, str]
    verb_not_after: dict[str, str]
    verb_strict: frozenset[str]
    title_re: re.Pattern
    title_kind: dict[str, str]
    source_re: re.Pattern
    surname_alt: str
    nonperson_cjk: frozenset[str]
    nonperson_latin: frozenset[str]
    name_after_title_re: re.Pattern
    strict_post_re: re.Pattern
    latin_after_title_re: re.Pattern
    address_re: re.Pattern
    surnames: frozenset[str]
    translit: frozenset[str]
    latin_paren_re: re.Pattern
    post_title_re: re.Pattern


@functools.lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    not_before: dict[str, str] = {}
    not_after: dict[str, str] = {}
    strict: set[str] = set()
    for line in _data_lines(VERBS_FILE):
        cols = line.split("\t")
        verb = cols[0].strip()
        before = cols[1].strip() if len(cols) > 1 else ""
        after = cols[2].strip() if len(cols) > 2 else ""
        before_forms = "".join(_variants(before)) if before else ""
        after_forms = "".join(_variants(after)) if after else ""
        for form in _variants(verb):
            not_before[form] = before_forms
            not_after[form] = after_forms
            if len(cols) > 3 and cols[3].strip() == "strict":
                strict.add(form)
    title_kind: dict[str, str] = {}
    for line in _data_lines(TITLES_FILE):
        cols = line.split("\t")
        if len(cols) >= 2:
            for form in _variants(cols[0].strip()):
                title_kind[form] = cols[1].strip()
    sources = {f for line in _data_lines(SOURCES_FILE) for f in _variants(line.strip())}
    surnames = {f for line in _data_lines(SURNAMES_FILE)
                for w in line.split() for f in _variants(w)}
    cjk_end, latin = [], set()
    section = None
    for line in _data_lines(NONPERSON_FILE):
        if line.strip().startswith("["):
            section = line.strip()
            continue
        for w in line.split():
            if section == "[cjk]":
                cjk_end.extend(_variants(w))
            elif section == "[latin]":
                latin.add(w.lower())
    # Hundreds of first characters: grouped, as names after titles try it at every candidate.
    surname_alt = _grouped_alternation(surnames)
    titles_alt = _grouped_alternation(title_kind)  # (tried at every mention's end)
    verbs_alt = _alternation(not_before)
    # What may follow a name: a verb, a date or weekday, an adverb, a preposition, brackets.
    strict_post = (r"(?:" + verbs_alt + r"|接受|受访|受訪|回答|回覆|答|在|於|于|对|對|向|也|还|還|则|則|曾|"
                   r"今天|昨天|前天|今年|去年|近日|日前|此前|之前|先前|上月|上个月|上個月|本月|上周|上週|本周|本週|"
                   # times of day (李進勇晚間表示: the name ends before them)
                   r"上午|下午|中午|晚上|晚间|晚間|傍晚|凌晨|早上|当晚|當晚|今晨|今晚|昨晚|深夜|"
                   r"星期|周[一二三四五六日末]|週[一二三四五六日末]|当天|當天|早前|稍早|随后|隨後|\d|"
                   r"[〇零一二三四五六七八九十两兩]+[月日号號]|[（(])")
    post = (r"(?:" + strict_post + r"|已|都|又|更|和|与|與|跟|及|的|等|[，,、。：:；]|$|"
            + titles_alt + r")")
    # A surname-led name may be followed by more; any other run of characters after a title
    # is a name only when a verb, a date or a bracket follows it (总统普京在…).
    # (Each lookahead behind a test of the next character: most candidate ends fail it, and
    # the alternations are long.)
    name_core = (r"(?:[\u4e00-\u9fff]{1,8}(?:[" + NAME_JOINERS + r"][\u4e00-\u9fff]{1,10})+"
                 r"|(?:" + surname_alt + r")(?:" + "|".join(ADDRESS_WORDS) + r")"
                 r"|(?:" + surname_alt + r")[\u4e00-\u9fff]{1,2}?)"
                 + _first_char_guard(post) + r"(?=" + post + r")"
                 r"|[\u4e00-\u9fff]{2,5}?" + _first_char_guard(strict_post) + r"(?=" + strict_post + r")")
    return _Vocab(
        # A plain trie: every top-level branch starts with a literal, so a scan skips ahead to
        # the next possible first character.
        verb_re=re.compile(_alternation(not_before)),
        verb_not_before=not_before,
        verb_not_after=not_after,
        verb_strict=frozenset(strict),
        # Scanned over every paragraph.
        title_re=_scanned_alternation(title_kind),
        title_kind=title_kind,
        source_re=re.compile(_alternation(sources)),
        surname_alt=surname_alt,
        nonperson_cjk=frozenset(cjk_end),
        nonperson_latin=frozenset(latin),
        name_after_title_re=re.compile(r"(?P<name>" + name_core + r")"),
        strict_post_re=re.compile(strict_post),
        # 首席执行官Ciaran Martin今天表示: a name written only in Latin letters after a title.
        latin_after_title_re=re.compile(r"[" + SPACES + r"]?"
                                        r"(?P<name>[A-Z][a-z]+(?:[ \-][A-Z][a-z]+){1,3})"
                                        r"(?=[" + SPACES + r"]?(?:" + strict_post + r"))"),
        address_re=re.compile("|".join(ADDRESS_WORDS)),
        surnames=frozenset(surnames),
        translit=frozenset(f for line in _data_lines(TRANSLIT_FILE) for w in line.split()
                           for f in _variants(w)),
        latin_paren_re=re.compile(r"[（(](?P<latin>[%s][%s .,'’\-]{1,60})[)）]"
                                  % (LATIN_LETTERS, LATIN_LETTERS)),
        # Matched at a position (``match(text, pos, endpos)``).
        post_title_re=re.compile(r"(?:（[^（）]*）|\([^()]*\))?(?P<title>" + titles_alt + r")"),
    )


# ---------------------------------------------------------------------------------------------
# Names

@functools.lru_cache(maxsize=8192)
def _clean_latin(latin: str) -> str:
    latin = ALIAS_SPLIT_RE.split(latin.strip())[0]  # (Jake Sullivan；沙利文)
    latin = LATIN_PARTY_TAG_RE.sub("", latin.strip())
    latin = LATIN_HONORIFIC_RE.sub("", latin)
    return latin.strip(" ,.")


@functools.lru_cache(maxsize=8192)
def _latin_is_person(latin: str) -> bool:
    """A Latin name in brackets that looks like a person's: 2-5 capitalised words, no org word."""
    voc = _vocab()
    words = LATIN_WORD_RE.findall(_clean_latin(latin))
    if not 2 <= len(words) <= 5:
        return False
    if any(w.lower() in voc.nonperson_latin for w in words):
        return False
    if any(w.isupper() and len(w) > 1 for w in words):  # acronyms: IAEA, PATA
        return False
    return sum(w[0].isupper() for w in words) >= len(words) - 1


@functools.lru_cache(maxsize=16384)
def _looks_nonperson(name: str) -> bool:
    voc = _vocab()
    if len(name) < 2 or not CJK_RE.search(name):
        return True
    if voc.title_re.fullmatch(name) or voc.source_re.fullmatch(name):
        return True
    foreign = JOINER_RE.search(name)
    for k in range(2, min(len(name), 4) + 1):
        if name[-k:] in voc.nonperson_cjk:
            return True
    return len(name) >= 4 and not foreign and name[-1] in voc.nonperson_cjk


def _foreign_name(name: str) -> str | None:
    """A dotted foreign name trimmed to its transliterated part (前央行行长马克·卡尼 → 马克·卡尼),
    or None when the parts are not transliterations (兼加拿大-美国关系专家组)."""
    voc = _vocab()
    parts = JOINER_KEEP_SPLIT_RE.split(name)
    if len(parts) < 3:
        return name
    first = parts[0]
    for t in voc.title_re.finditer(first):  # 總經理克林特·瓦茨: the title is not the name
        if len(first) - t.end() >= 1:
            first = first[t.end():]
    i = len(first)
    while i > 0 and first[i - 1] in voc.translit:
        i -= 1
    if len(first) - i < 2 and not (len(first) - i == 1 and i == 0):
        return None  # a given name of one character only when nothing comes before it
    rest = parts[1:]
    # The name ends where the transliteration ends (史密斯的研究人员 → 史密斯).
    for k in range(1, len(rest), 2):
        j = 0
        while j < len(rest[k]) and rest[k][j] in voc.translit:
            j += 1
        # Only a dot may lead to a one-character surname (约瑟夫·奈); a hyphen joins words.
        if j == 0 or (j == 1 and rest[k - 1] not in "·‧•・．."):
            return None
        if j < len(rest[k]):
            return first[i:] + "".join(rest[:k]) + rest[k][:j]
    return first[i:] + "".join(rest)


def _name_chars_ok(name: str, given_name: bool = False) -> bool:
    """A person's name holds no function characters (the surname 和 aside, rare enough).

    ``given_name``: the name is surname + given name (found with evidence by the entity stage),
    where some of those characters are common (周若兰, 李则民)."""
    if given_name:
        return NAME_STOP_CHARS_IN_GIVEN.isdisjoint(name[1:])
    return NAME_STOP_CHARS.isdisjoint(name)


@functools.lru_cache(maxsize=16384)
def _strip_titles(name: str) -> str:
    """科顿参议员 → 科顿 (a title written after the name is not part of it); 林先生 stays."""
    voc = _vocab()
    for m in voc.title_re.finditer(name):
        if m.end() == len(name) and m.start() >= 2:
            return name[: m.start()]
    return name


@dataclass
class _Person:
    name: str  # canonical
    surfaces: set[str] = field(default_factory=set)
    aliases: list[str] = field(default_factory=list)


class _Registry:
    """The people of one article: every surface form → canonical name."""

    def __init__(self) -> None:
        self.people: dict[str, _Person] = {}
        self.surface_to_name: dict[str, str] = {}
        self.dotted: list[str] = []  # canonical names with a joiner (安東尼奧·法塔斯)

    def add(self, name: str, surface: str | None = None) -> str:
        name = _strip_titles(name)
        canon = self._canonical_for(name)
        dotted = JOINER_RE.search(canon) is not None
        person = self.people.get(canon)
        if person is None:
            if dotted:
                self.dotted.append(canon)
            person = self.people[canon] = _Person(canon)
        for s in {name, canon, surface or name}:
            if s and len(s) >= 2:
                person.surfaces.add(s)
                self.surface_to_name.setdefault(s, canon)
        # The family-name part of a foreign name (安東尼奧·法塔斯 → 法塔斯) is how later
        # sentences refer to the person.
        for joiner in "·‧•・．." if dotted else ():
            if joiner in canon:
                tail = canon.rsplit(joiner, 1)[1]
                if len(tail) >= 2:
                    person.surfaces.add(tail)
                    self.surface_to_name.setdefault(tail, canon)
        return canon

    def _canonical_for(self, name: str) -> str:
        if name in self.surface_to_name:
            return self.surface_to_name[name]
        if len(name) >= 2:
            for canon in self.dotted:
                if canon.endswith(name) and canon in self.people:
                    return canon
        return name

    def merge_longer(self, short: str, long: str) -> None:
        """Fold a person known by a shorter form into the fuller name."""
        if short == long or short not in self.people:
            return
        person = self.people.pop(short)
        if long not in self.people and JOINER_RE.search(long):
            self.dotted.append(long)
        target = self.people.setdefault(long, _Person(long))
        target.surfaces |= person.surfaces
        for s in person.surfaces:
            self.surface_to_name[s] = long
        for a in person.aliases:
            if a not in target.aliases:
                target.aliases.append(a)

    def alias(self, canon: str, alias: str) -> None:
        person = self.people.get(canon)
        if person and alias and alias != canon and alias not in person.aliases:
            person.aliases.append(alias)


@functools.lru_cache(maxsize=16384)
def _titled_name(name: str) -> str | None:
    """The name that a run of characters read after a title gives (a dotted one trimmed to
    its transliteration), or None when it is not a person's name."""
    if JOINER_RE.search(name):
        name = _foreign_name(name)
        if not name or len(name) < 3:
            return None
    if name[:1] not in _vocab().surnames and name[:1] in NAME_BAD_START:
        return None  # 在較早前: not a name
    if not _looks_nonperson(name) and _name_chars_ok(name) and not BACKGROUND_RE.match(name):
        return name
    return None


def _joined(texts: list[str]) -> tuple[str, list[int]]:
    """The texts joined by newlines (one scan instead of one per text), and where each text
    starts in the result."""
    starts: list[int] = []
    at = 0
    for text in texts:
        starts.append(at)
        at += len(text) + 1
    return "\n".join(texts), starts


def _fallback_names(texts: list[str],
                    joined: tuple[str, list[int]]) -> list[tuple[str, str | None]]:
    """(name, Latin alias or None) found by regex in the paragraphs ``texts``: those of the
    first paragraph, then of the next, each paragraph's in the order of the rules below.

    The paragraphs are read joined by newlines, so that each rule scans the article once
    rather than once per paragraph; every match is read within its own paragraph (``endpos``
    at the paragraph's end, lookbehinds at its start), and no match holds the newline.
    ``joined``: ``_joined(texts)``."""
    voc = _vocab()
    body, starts = joined
    ends = [start + len(text) for start, text in zip(starts, texts)]  # [start, end) in the body
    by_para: dict[int, list[tuple[str, str | None]]] = {}

    def add(k: int, found: tuple[str, str | None]) -> None:
        got = by_para.get(k)
        if got is None:
            by_para[k] = [found]
        else:
            got.append(found)

    title_re = voc.title_re
    title_firsts = _title_char_sets()[2]
    name_after_title_re = voc.name_after_title_re
    for t in title_re.finditer(body):
        ts, te = t.span()
        k = bisect.bisect_right(starts, ts) - 1
        pend = ends[k]
        if te >= pend or t.group() in NON_INTRODUCING_TITLES:
            continue  # (nothing after the title in its paragraph)
        nxt = body[te]
        if not "\u4e00" <= nxt <= "\u9fff":  # (``CJK_RE``)
            if nxt.isascii() or nxt in SPACES:
                latin = voc.latin_after_title_re.match(body, te, pend)
                if latin and _latin_is_person(latin.group("name")):
                    add(k, (latin.group("name"), None))
            continue
        if nxt in title_firsts and title_re.match(body, te, pend):
            continue  # 秘书长特使琼斯: a chain of titles; the name follows the last one
        m = name_after_title_re.match(body, te, pend)
        if not m:
            continue
        name = m.group("name")
        end = m.end()
        # 張盛和今天表示: a given name may end in 和/与, which also join two names.
        if len(name) == 2 and end < pend and body[end] in "和与與及" and \
                voc.strict_post_re.match(body, end + 1, pend):
            name += body[end]
        name = _titled_name(name)
        if name:
            add(k, (name, None))
    if ADDRESS_TRIGGERS_RE.search(body):
        for m in voc.address_re.finditer(body):
            ms = m.start()
            k = bisect.bisect_right(starts, ms) - 1
            for n in (2, 1):  # 欧阳先生, 林先生
                if ms - starts[k] >= n and body[ms - n:ms] in voc.surnames:
                    add(k, (body[ms - n:m.end()], None))
                    break
    # A dotted name in transliteration characters is a foreign person's name wherever it is.
    if JOINER_RE.search(body):
        last_end = -1
        for dot in NAME_DOT_RE.finditer(body):  # the dot first
            ds = dot.start()
            if ds < last_end:
                continue
            k = bisect.bisect_right(starts, ds) - 1
            pend = ends[k]
            m = None
            for start in range(max(starts[k], ds - 6), ds):
                m = DOTTED_NAME_RE.match(body, start, pend)
                if m and m.end() > ds:
                    break
                m = None
            if m is None:
                continue
            last_end = m.end()
            name = _foreign_name(m.group(0))
            if name and len(name) >= 4 and not _looks_nonperson(name):
                add(k, (name, None))
    # 黄美娟：“…” at the start of a sentence: an interview transcript names its speaker.
    if "：" in body or ":" in body:
        for colon in NAME_COLON_QUOTE_RE.finditer(body):
            cs = colon.start()
            k = bisect.bisect_right(starts, cs) - 1
            m = NAME_BEFORE_COLON_RE.search(body, max(starts[k], cs - 4), cs)
            if not m or (m.start() > starts[k] and body[m.start() - 1] not in "。！？；」”"):
                continue
            name = m.group(0)
            if name[:1] in voc.surnames or name[:2] in voc.surnames:
                if _name_chars_ok(name) and not _looks_nonperson(name) and \
                        name not in voc.title_kind:
                    add(k, (name, None))
    if "（" in body or "(" in body:
        for m in voc.latin_paren_re.finditer(body):
            latin = m.group("latin")
            if not _latin_is_person(latin):
                continue
            ms = m.start()
            k = bisect.bisect_right(starts, ms) - 1
            run = LATIN_NAME_RUN_RE.search(body, max(starts[k], ms - 16), ms)
            if not run:
                continue
            cjk = run.group(0)
            # The name is what follows the last title or 的 in the run before the brackets.
            cut = 0
            for t in title_re.finditer(cjk):
                if t.end() < len(cjk):
                    cut = max(cut, t.end())
            cut = max(cut, cjk.rfind("的") + 1, cjk.rfind("、") + 1)
            name = _strip_titles(cjk[cut:])
            if JOINER_RE.search(name):
                name = _foreign_name(name) or ""
            if 2 <= len(name) <= 14 and not _looks_nonperson(name) and _name_chars_ok(name):
                add(k, (name, _clean_latin(latin)))
    return [found for k in sorted(by_para) for found in by_para[k]]


def _trim_mention(text: str, m: Mention, m_name: str) -> tuple[str, str]:
    """(canonical name, surface) of a person mention, without the tail of a title that the
    mention's span may have swallowed (主席布朗 read as 席布朗). ``text``: the mention's block;
    ``m_name``: the name to read for the mention's."""
    if text[m.start:m.end] != m.surface:
        return m_name, m.surface
    lo = max(0, m.start - 6)
    for t in _vocab().title_re.finditer(text, lo, m.end):
        if t.start() < m.start < t.end() < m.end:
            surface = text[t.end():m.end]
            name = surface if m_name == m.surface else m_name
            if m_name != m.surface and m_name.endswith(m.surface):
                name = m_name[: len(m_name) - len(m.surface)] + surface
                name = surface if len(name) > len(surface) + 8 else name
            return name, surface
    return m_name, m.surface


@functools.lru_cache(maxsize=1)
def _title_char_sets() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(characters that occur in a title after its first, characters that occur in a title
    before its last, first characters of titles, last characters of titles)."""
    titles = [t for t in _vocab().title_kind if len(t) >= 2]
    return (frozenset(c for t in titles for c in t[1:]),
            frozenset(c for t in titles for c in t[:-1]),
            frozenset(t[0] for t in _vocab().title_kind if t),
            frozenset(t[-1] for t in _vocab().title_kind if t))


@functools.lru_cache(maxsize=1)
def _verb_char_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(characters that occur in a verb form after its first, characters that occur in a verb
    form before its last)."""
    forms = [f for f in _vocab().verb_not_before if len(f) >= 2]
    return (frozenset(c for f in forms for c in f[1:]),
            frozenset(c for f in forms for c in f[:-1]))


def _always_inside(article: Article, short: str, long: str) -> bool:
    """Every occurrence of ``short`` in the body is part of an occurrence of ``long``."""
    return all(b.text.count(short) == b.text.count(long) for b in article.blocks)


@functools.lru_cache(maxsize=1)
def _back_reference_titles() -> tuple[str, ...]:
    return tuple(sorted({v for t in BACK_REFERENCE_TITLES + ADDRESS_WORDS for v in _variants(t)}))


@functools.lru_cache(maxsize=1)
def _back_reference_title_rank() -> dict[str, int]:
    return {t: i for i, t in enumerate(_back_reference_titles())}


@functools.lru_cache(maxsize=1)
def _back_reference_re() -> re.Pattern:
    # A plain trie: with a few dozen forms its scan beats the lookahead of
    # ``_scanned_alternation`` (the matches are the same).
    return re.compile(_alternation(_back_reference_titles()))


def _add_title_references(article: Article, reg: _Registry) -> None:
    """黃教授說 after 教授黃彥霖: a surname (or a foreign family name) with a title refers back
    to the one person of the article who has that surname."""
    voc = _vocab()
    by_key: dict[str, list[str]] = {}
    for canon in reg.people:
        if canon[1:] in voc.title_kind or canon[2:] in voc.title_kind:
            continue  # 陈教授 is itself a reference, not a second 陈
        if JOINER_RE.search(canon):
            key = JOINER_SPLIT_RE.split(canon)[-1]
        elif canon[:2] in voc.surnames and len(canon) >= 3:
            key = canon[:2]
        elif canon[:1] in voc.surnames and 2 <= len(canon) <= 3 and \
                not canon.endswith(ADDRESS_WORDS):
            key = canon[:1]
        else:
            continue
        by_key.setdefault(key, []).append(canon)
    # The forms present: each back-reference title with the 1-4 characters before it.
    present: set[str] = set()
    key_firsts = {key[0] for key in by_key if key}
    full_text = "\n".join([b.text for b in article.blocks]) if by_key else None
    if by_key and not any("\n" in key for key in by_key):
        # One scan of the blocks joined: a form reaching back over the newline into the block
        # before holds the newline, which neither a key nor a title does, so it pairs with
        # nothing below (as it is not read when the blocks are scanned one by one).
        texts = [full_text]
    else:
        texts = [b.text for b in article.blocks] if by_key else []
    for text in texts:
        for m in _back_reference_re().finditer(text):
            start, end = m.span()
            for k in range(1, min(start, 4) + 1):
                if text[start - k] in key_firsts:  # else the form starts with no key
                    present.add(text[start - k:end])
    # The (surname, title) pairs written in the article, in the order of by_key and of the
    # titles: each present form split into a known surname and a back-reference title.
    key_rank = {key: i for i, key in enumerate(by_key)}
    title_rank = _back_reference_title_rank()
    pairs: list[tuple[int, int, str, str]] = []
    for form in present:
        for j in range(1, len(form)):
            ti = title_rank.get(form[j:])
            if ti is not None:
                ki = key_rank.get(form[:j])
                if ki is not None:
                    pairs.append((ki, ti, form[:j], form[j:]))
    pairs.sort()
    for _, _, key, t in pairs:
        names = by_key[key]
        form = key + t
        target = names[0]
        if len(names) > 1:
            # Two people with that surname: 李教授 is the one written with that title
            # (李国平教授, 教授李国平); else it could be either.
            near = [n for n in names if any(f + t in full_text or t + f in full_text
                                            for f in reg.people[n].surfaces)]
            if len(near) != 1:
                continue
            target = near[0]
        if t in ADDRESS_WORDS:
            # 周女士 refers back to 周若兰 only once the full name has been written;
            # before it, she is someone else (an unnamed 周女士).
            at = min((i for i in (full_text.find(f) for f in reg.people[target].surfaces)
                      if i >= 0), default=-1)
            if at < 0 or at > full_text.find(form):
                continue
        if form in reg.people and form != target:
            reg.merge_longer(form, target)  # the entity stage took 陈教授 for a name
        elif form not in reg.surface_to_name:
            reg.surface_to_name[form] = target
            reg.people[target].surfaces.add(form)
    # A bare family name of two characters (田中 after 田中良平, 欧阳 after 欧阳修文) refers to
    # the one person whose longer name starts with it.
    for short in [p for p in reg.people if len(p) == 2]:
        longer = [p for p in reg.people if len(p) >= 4 and p.startswith(short)
                  and not JOINER_RE.search(p)]
        if len(longer) == 1:
            reg.merge_longer(short, longer[0])
    # Written alone, a two-character family name (石破 for 石破茂) names the one person who has it.
    double = _entities.lexicon().double_surnames
    by_family: dict[str, list[str]] = {}
    for canon, person in reg.people.items():
        if len(canon) >= 3 and canon[:2] in double and not JOINER_RE.search(canon):
            for f in person.surfaces:
                if len(f) >= 3 and _entities.simplified_name(f[:2]) == canon[:2]:
                    by_family.setdefault(f[:2], []).append(canon)
    for family, names in by_family.items():
        if len(set(names)) == 1 and family not in reg.surface_to_name:
            reg.surface_to_name[family] = names[0]
            reg.people[names[0]].surfaces.add(family)


def _extends_name(longer: str, name: str) -> bool:
    """Whether ``longer`` is ``name`` made whole (科林·罗伯 → 科林·罗伯逊, 罗伯逊 → 科林·罗伯逊)
    rather than ``name`` with a title glued before it (特使琼斯)."""
    prefix = longer[: longer.index(name)]
    return not prefix or JOINER_RE.search(prefix) is not None


def _build_registry(article: Article, people: list[Mention], nonperson: set[str],
                    para_texts: list[str], body: tuple[str, list[int]],
                    written: dict[str, str]) -> _Registry:
    """People from the entity stage first (their canonical names rule), then regex finds;
    ``people`` are the person mentions, ``nonperson`` the surfaces and names of the rest;
    ``para_texts``: the paragraphs' texts, and ``body`` their ``_joined``; ``written``: the
    name to read for each mention's name (``_written_names``)."""
    reg = _Registry()
    staff = article.staff_names
    # A name written the same way after the same words again adds nothing (``add`` of a known
    # name and surface changes nothing): each (name, surface, the words before) is read once.
    seen: set[tuple[str, str]] = set()  # (name, surface) once trimmed
    surnames = _vocab().surnames
    # ``_trim_mention`` changes a mention only when a title spans its first character and the
    # one before: a test of those two characters first.
    title_inner, title_outer, _, _ = _title_char_sets()
    blocks = article.blocks
    n_blocks = len(blocks)
    for m in people:
        name, surface = written[m.name], m.surface
        if name in staff or surface in staff or \
                not ("\u4e00" <= surface[:1] <= "\u9fff" or CJK_RE.search(surface)):
            continue  # (a first character in ``CJK_RE``'s range settles it without the scan)
        start = m.start
        if start > 0:
            b = m.block
            if 0 <= b < n_blocks:
                text = blocks[b].text  # (``article.block_text``)
            else:
                try:
                    text = article.block_text(b)
                except IndexError:
                    text = None
            if text is not None and text[start:start + 1] in title_inner and \
                    text[start - 1] in title_outer:
                name, surface = _trim_mention(text, m, name)
        key = (name, surface)
        if key in seen:
            continue
        seen.add(key)
        if len(surface) < 2:
            continue
        if len(surface) <= 3 and surface[:1] in surnames:  # ``_name_chars_ok``, given name
            if not NAME_STOP_CHARS_IN_GIVEN.isdisjoint(surface[1:]):
                continue
        elif not NAME_STOP_CHARS.isdisjoint(surface):
            continue
        # An unnamed source tagged as a person (白宫医生 → 白宫 + 医生) is not a name.
        bare = _strip_titles(surface)
        if bare != surface and _looks_nonperson(bare):
            continue
        reg.add(name, surface)
    entity_people = list(reg.people)
    candidates: dict[tuple[str, str | None], None] = {}  # in order, each once
    for found in _fallback_names(para_texts, body):
        candidates.setdefault(found)
    for name, latin in candidates:
        if name in staff or name in nonperson:
            continue
        # An entity-stage name that contains or is contained in this one is the same person.
        same = None
        for p in entity_people:
            if name in p or p in name:
                same = p
                break
        if same and same != name and same in name and _always_inside(article, same, name) \
                and _extends_name(name, same):
            # The entity stage cut the name short (科林·罗伯 for 科林·罗伯逊): the whole name
            # is the one the article writes.
            reg.add(name)
            reg.merge_longer(same, name)
            entity_people = [name if p == same else p for p in entity_people]
            same = name
        canon = reg.add(same, name) if same else reg.add(name)
        if latin:
            reg.alias(canon, latin)
    _add_title_references(article, reg)
    # Fold short forms into full foreign names (法塔斯 → 安東尼奧·法塔斯).
    for canon in list(reg.people):
        for other in list(reg.dotted):
            if other != canon and other in reg.people and canon in reg.people and \
                    other.endswith(canon):
                reg.merge_longer(canon, other)
                break
    return reg


# ---------------------------------------------------------------------------------------------
# Paragraph structure

@dataclass(slots=True)
class _Span:
    open: int  # index of the opening mark
    close: int  # index of the closing mark, or len(text) when the quote runs on

    @property
    def inner(self) -> tuple[int, int]:
        return self.open + 1, self.close


def _quote_spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    stack: list[str] = []
    start = 0
    # Straight double quotes open and close alternately, when they pair up in the paragraph
    # (counted when the first one shows).
    straight = None
    for m in QUOTE_MARK_RE.finditer(text):
        ch = m.group()
        if ch == '"':
            if straight is None:
                straight = text.count('"') % 2 == 0
            if not straight:
                continue
            if stack and stack[-1] == '"':
                stack.pop()
                if not stack:
                    spans.append(_Span(start, m.start()))
                continue
            if not stack:
                start = m.start()
            stack.append(ch)
            continue
        if ch in OPEN_TO_CLOSE:
            if not stack:
                start = m.start()
            stack.append(ch)
        elif stack:
            if OPEN_TO_CLOSE.get(stack[-1]) == ch:
                stack.pop()
            elif any(OPEN_TO_CLOSE.get(o) == ch for o in stack):
                while OPEN_TO_CLOSE.get(stack.pop()) != ch:
                    pass
            else:
                continue  # a stray closer (an apostrophe in English text)
            if not stack:
                spans.append(_Span(start, m.start()))
    if stack:
        spans.append(_Span(start, len(text)))
    return spans


class _Mask:
    """Sorted, disjoint [start, end) intervals with a membership test."""

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(intervals):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    @classmethod
    def of_sorted(cls, starts: list[int], ends: list[int]) -> _Mask:
        """A mask of intervals already sorted and disjoint."""
        mask = cls.__new__(cls)
        mask.starts = starts
        mask.ends = ends
        return mask

    def __contains__(self, pos: int) -> bool:
        if not self.starts:
            return False
        i = bisect.bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]

    def outside(self, positions: list[int]) -> list[int]:
        """The sorted ``positions`` that are not in the mask: the runs of them between its
        (sorted, disjoint) intervals, found by bisection."""
        bisect_left = bisect.bisect_left
        out: list[int] = []
        i = 0
        for s, e in zip(self.starts, self.ends):
            j = bisect_left(positions, s, i)
            if j > i:
                out += positions[i:j]
            i = bisect_left(positions, e, j)
        out += positions[i:]
        return out


@dataclass(slots=True)
class _Event:
    verb_start: int
    verb_end: int
    speaker: str | None  # canonical person, source phrase, or None
    kind: str  # "person" | "source"
    subject_pos: int | None
    content_start: int  # where the reported words begin
    introduces_quote: bool  # verb followed by ：“ or ，“
    additive: bool
    inherited: bool = False  # no subject of its own (…，并批评): took the sentence's
    got_quote: bool = False


class _Para:
    """The structure of one paragraph. The quote spans are read at once (every paragraph's
    reading starts with them); the rest is worked out on first use, in one pass
    (``_structure``), because it is only wanted where a quote, a reporting verb or a person
    shows, and the title and sub-headings never need it.

    mask: quotes, brackets and titles of works (nothing inside them speaks); breaks:
    clause-break positions outside the mask, plus quote ends; role_breaks: clause breaks outside
    the mask; speech_closes: closing marks of quotes that hold speech (not short terms);
    sentences: [start, end) of each; verbs / verb_starts: the reporting verbs of the whole
    paragraph (``_verb_spans``; no verb holds a sentence's end mark, so a sentence's verbs are
    the ones that start in it)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = _quote_spans(text)

    def __getattr__(self, name: str):
        # Called only for an attribute not yet set: work it out once, keep it.
        if name in _STRUCTURE_PARTS:
            self._structure()
        elif name == "speech_closes":
            self.speech_closes = self._speech_closes()
        else:
            raise AttributeError(name)
        return self.__dict__[name]

    def _mask(self) -> _Mask:
        text = self.text
        spans = self.spans
        if "（" in text or "(" in text or "《" in text:
            if not spans and "《" not in text:
                # Brackets alone: their matches are already sorted and disjoint.
                starts, ends = [], []
                for m in PAREN_RE.finditer(text):
                    starts.append(m.start())
                    ends.append(m.end())
                return _Mask.of_sorted(starts, ends) if starts else _EMPTY_MASK
            opens = [s.open for s in spans]
            ends = [s.close + 1 for s in spans]
            # Brackets and titles of works that open outside the quotes (``pos in mask`` of
            # the quotes' mask, inlined).
            bisect_right = bisect.bisect_right
            parens = []
            for pattern in (PAREN_RE, BOOK_TITLE_RE) if "《" in text else (PAREN_RE,):
                for m in pattern.finditer(text):
                    pos = m.start()
                    i = bisect_right(opens, pos) - 1
                    if i < 0 or pos >= ends[i]:
                        parens.append((pos, m.end()))
            if parens:
                return _Mask(list(zip(opens, ends)) + parens)
            return _Mask.of_sorted(opens, ends) if opens else _EMPTY_MASK
        # Top-level quote spans are already sorted and disjoint: no merging needed (touching
        # intervals answer membership as their union would).
        return _Mask.of_sorted([s.open for s in spans], [s.close + 1 for s in spans]) \
            if spans else _EMPTY_MASK

    def _structure(self) -> None:
        """mask, role_breaks, breaks, sentences, verbs and verb_starts, at once."""
        text = self.text
        self.mask = mask = self._mask()
        role_breaks = [m.start() for m in CLAUSE_BREAK_RE.finditer(text)]
        if mask.starts:
            role_breaks = mask.outside(role_breaks)
        self.role_breaks = role_breaks
        n = len(text)
        # Closing marks are never clause breaks: the two lists share no position.
        closes = [s.close for s in self.spans if s.close < n] if self.spans else None
        self.breaks = sorted(role_breaks + closes) if closes else role_breaks
        # Sentences end at runs of end marks outside the mask. The end marks are clause breaks,
        # and a run never straddles the mask's edge (its intervals open and close on quote
        # marks, brackets or 《》), so the runs are those of consecutive end-mark breaks.
        sentences = []
        start = 0
        run_end = -1
        for b in role_breaks:
            if text[b] not in SENTENCE_END_CHARS:
                continue
            if b != run_end:
                if run_end > 0:
                    sentences.append((start, run_end))
                    start = run_end
            run_end = b + 1
        if run_end > 0:
            sentences.append((start, run_end))
            start = run_end
        if start < n and not text[start:].isspace():
            sentences.append((start, n))
        self.sentences = sentences
        self.verbs = verbs = _verb_spans(self, 0, n)
        self.verb_starts = list(map(_FIRST, verbs)) if verbs else []

    def _speech_closes(self) -> list[int]:
        text = self.text
        return [sp.close for sp in self.spans
                if SPEECH_PUNCT_RE.search(text, sp.open + 1, sp.close) or
                sp.close - sp.open - 1 > ROLE_QUOTE_MAX_CHARS]


_NO_SPANS: frozenset = frozenset()
_NO_QUOTES: tuple = ()  # (no quote, no event: shared, never changed)
# (C-level getters for the small lists of the hot paths: a comprehension is a call of its own.)
_FIRST = operator.itemgetter(0)
_OPEN = operator.attrgetter("open")
_STRUCTURE_PARTS = frozenset({"mask", "role_breaks", "breaks", "sentences", "verbs", "verb_starts"})
_EMPTY_MASK = _Mask([])


# A paragraph's structure is read several times per article (counts, reading, roles): kept for
# the article being read, and emptied when the next one starts (extract_quotes), because a
# paragraph reprinted across articles is rare in real archives but common in a synthetic
# benchmark corpus, and the speed measured must be the real one.
@functools.lru_cache(maxsize=1024)
def _analyse_structure(text: str) -> _Para:
    return _Para(text)


# ---------------------------------------------------------------------------------------------
# Terms versus speech

def _quoted_counts(article: Article) -> dict[str, int]:
    """How often each short quoted text (the only ones ``_is_term`` looks up: at most
    TERM_MAX_CHARS) stands in quotes in the title and the blocks."""
    counts: dict[str, int] = {}
    texts = [article.title or ""] + [b.text for b in article.blocks]
    for text in texts:
        for span in _analyse_structure(text).spans:
            s, e = span.inner
            if e - s > TERM_MAX_CHARS and not text[s].isspace() and not text[e - 1].isspace():
                continue  # (as long once stripped)
            inner = text[s:e].strip()
            if inner and len(inner) <= TERM_MAX_CHARS:
                counts[inner] = counts.get(inner, 0) + 1
    return counts


# A quote opens with one of these (``_quote_spans``).
QUOTE_OPENERS = "".join(OPEN_TO_CLOSE) + '"'
# ``_QuotedCounts.repeated`` tests at most this many texts per article by their occurrences
# (each test may scan the article once) and reads at most this many occurrences per test;
# past either, it counts the article's quotes (one pass) and looks the text up.
QUOTED_TEXT_TESTS = 8
QUOTED_TEXT_OCCURRENCES = 16


class _QuotedCounts:
    """``_quoted_counts`` of an article, counted when ``_is_term`` first asks about a text that
    may stand in quotes twice (for a short quote only: in many articles it never does)."""

    __slots__ = ("article", "counts", "text", "tests")

    def __init__(self, article: Article) -> None:
        self.article = article
        self.counts: dict[str, int] | None = None
        self.text: str | None = None  # the title and the blocks, joined
        self.tests = 0

    def repeated(self, key: str) -> bool:
        """Whether ``key`` (not empty, no surrounding spaces) stands in quotes at least twice."""
        if self.counts is None:
            if self.tests < QUOTED_TEXT_TESTS:
                self.tests += 1
                if self._quoted_once_at_most(key):
                    return False
            self.counts = _quoted_counts(self.article)
        return self.counts.get(key, 0) >= 2

    def _quoted_once_at_most(self, key: str) -> bool:
        """True when ``key`` stands in quotes at most once, told without reading the quotes:
        a quote of it is an occurrence right after an opening mark or a space (the spaces
        its count strips), so fewer than two such occurrences settle it. False when that
        cannot be told (two such occurrences, or too many occurrences to read)."""
        text = self.text
        if text is None:
            article = self.article
            text = self.text = "\n".join([article.title or ""] + [b.text for b in article.blocks])
        found = 0
        read = 0
        pos = text.find(key, 1)  # (position 0 has nothing before it: no mark)
        while pos != -1:
            before = text[pos - 1]
            if before in QUOTE_OPENERS or before.isspace():
                found += 1
                if found == 2:
                    return False
            read += 1
            if read == QUOTED_TEXT_OCCURRENCES:
                return False
            pos = text.find(key, pos + 1)  # (overlapping occurrences too)
        return True


def _is_term(text: str, span: _Span, counts: _QuotedCounts, names: set[str],
             org_spans=frozenset()) -> bool:
    """A quoted term, title, name or scare quote rather than someone's words.

    ``org_spans``: ``(start, end)`` in ``text`` of the organisation mentions."""
    s, e = span.open + 1, span.close  # (``span.inner``)
    if SPEECH_PUNCT_RE.search(text, s, e):
        return False  # (the spaces stripped below hold no punctuation)
    inner = text[s:e].strip(SPACES)
    if not inner:
        return True
    if not ("\u4e00" <= inner[0] <= "\u9fff" or CJK_RE.search(inner)):  # (first one: no scan)
        return len(inner.split()) <= 3
    after = text[span.close + 1: span.close + 8].lstrip(SPACES)
    before = text[max(0, span.open - 4): span.open].rstrip(SPACES)
    if after.startswith(("（", "(")) and LATIN_PAREN_START_RE.match(after):
        return True  # “台湾观光局”（Taiwan Tourism Bureau）: a name with its translation
    if inner in names:
        return True
    if len(inner) <= NAMED_TERM_MAX_CHARS and before.endswith(NAMING_BEFORE):
        return True  # 所谓“职业技能教育培训中心”: named, however long
    if (s, e) in org_spans:
        return True  # 援助团体“过渡期正义工作组”: the quote is an organisation's name
    if 4 <= len(inner) <= TERM_MAX_CHARS and before.endswith("的") and \
            _entities._org_suffix(_entities.to_simplified(inner)):
        return True  # 新设的“统合作战司令部”: a name with an organisation's ending
    # (``post_title_re`` starts with a bracket or a title: a test of the next character first.)
    nxt = text[span.close + 1:span.close + 2]
    if len(inner) <= TERM_MAX_CHARS and nxt and \
            (nxt in "（(" or nxt in _title_char_sets()[2]) and \
            _vocab().post_title_re.match(text, span.close + 1, span.close + 12):
        return True  # 团体“过渡期正义工作组”负责人: a title after it makes it a name
    if len(inner) <= TERM_MAX_CHARS and \
            QUOTED_TERM_LIST_RE.match(text, span.close + 1):
        return True  # 描绘成“反恐”和“扶贫”: quoted words in a list are terms
    if len(inner) > TERM_MAX_CHARS:
        return False
    if counts.repeated(inner):
        return True
    if LATIN_OR_DIGIT_RE.search(inner):
        return True  # 「麒麟9000s」: a product or a code, not words someone said
    if before.endswith(TERM_BEFORE) or after.startswith(TERM_AFTER):
        return True
    if before and before[-1] in TERM_PREPOSITIONS:
        return True
    if len(inner) <= ATTRIBUTIVE_TERM_MAX_CHARS and after.startswith(("的", "之")):
        return True
    if len(inner) <= LABEL_TERM_MAX_CHARS and before.endswith("的"):
        return True  # 能够阅读的“级别”, 中国的“战狼外交”: a label, not someone's words
    if _looks_nonperson(inner) and len(inner) >= 3 and _vocab().source_re.search(inner):
        return True  # an organisation's name
    return False


# ---------------------------------------------------------------------------------------------
# Extraction

@dataclass(slots=True)
class _Found:
    speaker: str
    kind: str  # "person" | "source"
    text: str
    direct: bool
    block: int
    start: int
    end: int


class _Reader:
    def __init__(self, article: Article, people: list[Mention], others: list[Mention],
                 written: dict[str, str] | None = None) -> None:
        """``people``: the person mentions, in order; ``others``: the rest, in order;
        ``written``: the name to read for each person's name (``_build_registry``)."""
        self.article = article
        self.voc = _vocab()
        # The other mentions, read once: their names are not people's, and organisations and
        # places may speak as sources.
        nonperson: set[str] = set()
        add = nonperson.add
        org_spans_by_block: dict[int, set[tuple[int, int]]] = {}
        # Organisations and places by block (``_source``).
        org_by_block: dict[int, list[tuple[int, int, str]]] = {}
        # (One pass: the surfaces and names, the organisations' spans, the speaking bodies.)
        for m in others:
            if m.surface:
                add(m.surface)
                add(m.name)
            kind = m.type
            if kind == "org" or kind == "place":
                b = m.block
                if kind == "org":
                    spans = org_spans_by_block.get(b)
                    if spans is None:
                        org_spans_by_block[b] = {(m.start, m.end)}
                    else:
                        spans.add((m.start, m.end))
                if b >= 0:
                    at = org_by_block.get(b)
                    if at is None:
                        org_by_block[b] = [(m.start, m.end, m.name)]
                    else:
                        at.append((m.start, m.end, m.name))
        self.org_by_block = org_by_block
        self.org_spans_by_block = org_spans_by_block
        # The paragraphs (block indices, texts) and their text joined, for the scans of the
        # whole body (``_fallback_names``, ``_body_occurrences``).
        blocks = article.blocks
        self.para_index = [i for i, block in enumerate(blocks) if block.kind == PARAGRAPH]
        para_texts = [blocks[i].text for i in self.para_index]
        self.body = _joined(para_texts)
        self.registry = _build_registry(article, people, nonperson, para_texts, self.body, written)
        self.nonperson = nonperson
        self.counts = _QuotedCounts(article)
        self.term_names = nonperson  # (read only)
        self.surfaces = sorted(self.registry.surface_to_name, key=len, reverse=True)
        self.found: list[_Found] = []
        self.last_named: str | None = None
        self.last_named_at: tuple[int, int] = (-2, 0)
        self.open_quote: _Found | None = None  # the last row, when its quote was left open
        self.hits_by_block: dict[int, list[tuple[int, int, str]]] = {}
        self.hit_starts: list[int] = []  # of the paragraph being read
        self.hit_free: list[bool | None] = []
        # By end position, worked out when a colon asks for it (``_events``).
        self.hit_by_end: dict[int, tuple[int, int, str]] | None = None
        # Many names: one regex over each paragraph beats a search per name.
        self.surface_re = (re.compile(_alternation(self.surfaces))
                           if len(self.surfaces) > MANY_SURFACES else None)
        # Where each surface stands in each paragraph (``_person_hits``).
        self.occurrences = self._body_occurrences() if self.surface_re is None else None
        # (block, position, name) of the first person of each sentence read so far.
        # Worked out when a pronoun asks (``_pronoun_referent``): until then an entry is
        # (block, sentence start, sentence end, (para, hits, hit starts, hit_free)); a
        # sentence without such a person becomes None.
        self.sentence_subjects: list[tuple | None] = []

    def _pronoun_referent(self, block: int, pos: int) -> str | None:
        """他/她: the latest speaker, unless someone else has since opened a sentence
        (伊利夏提对着使馆朗读…。他在接受本台采访时说)."""
        subjects = self.sentence_subjects
        for i in range(len(subjects) - 1, -1, -1):
            entry = subjects[i]
            if entry is None:
                continue
            if len(entry) == 4:
                b, s_start, s_end, (para, hits, starts, free) = entry
                first = self._subject_in(para, hits, starts, free, s_start, s_end)
                entry = subjects[i] = (b, first[0], first[1]) if first else None
                if entry is None:
                    continue
            b, p, name = entry
            if (b, p) < (block, pos):
                if (b, p) > self.last_named_at:
                    return name
                break
        return self.last_named

    # -- people in a paragraph

    def _person_hits(self, para: _Para, block: int) -> list[tuple[int, int, str]]:
        """Non-overlapping person surfaces outside quotes and brackets, longest first."""
        hits: list[tuple[int, int, str]] = []
        text = para.text
        if self.surface_re is not None:
            for m in self.surface_re.finditer(text):  # longest first at each position
                if m.start() not in para.mask:
                    hits.append((m.start(), m.end(), self.registry.surface_to_name[m.group(0)]))
            return hits
        occurrences = self.occurrences.get(block) if self.occurrences is not None else \
            self._occurrences_in(text)
        if not occurrences:
            return hits
        # (The positions of a surface are in order: those outside the mask are runs of them
        # between its intervals, ``_Mask.outside``.)
        mask = para.mask if para.mask.starts else ()
        to_name = self.registry.surface_to_name
        if len(occurrences) == 1:
            # One surface: its occurrences do not overlap (each searched from the end of the
            # last) and are in order.
            for surface, positions in occurrences.items():
                n = len(surface)
                name = to_name[surface]
                return [(pos, pos + n, name) for pos in positions if pos not in mask]
        taken = bytearray(len(text))
        for surface, positions in occurrences.items():
            n = len(surface)
            for pos in positions:
                end = pos + n
                if pos not in mask and taken.find(1, pos, end) == -1:
                    hits.append((pos, end, to_name[surface]))
                    taken[pos:end] = b"\x01" * n
        hits.sort()
        return hits

    def _occurrences_in(self, text: str) -> dict[str, list[int]]:
        """surface -> start of each occurrence in ``text`` (searched on from the end of the last
        one), longest surface first."""
        occurrences: dict[str, list[int]] = {}
        for surface in self.surfaces:
            pos = text.find(surface)
            while pos != -1:
                occurrences.setdefault(surface, []).append(pos)
                pos = text.find(surface, pos + len(surface))
        return occurrences

    def _body_occurrences(self) -> dict[int, dict[str, list[int]]] | None:
        """``_occurrences_in`` of every paragraph, by block, from one search of the paragraphs
        joined (most paragraphs name few of the people, so searching each for every name is
        mostly wasted); None when a surface holds the joining newline."""
        if any("\n" in surface for surface in self.surfaces):
            return None
        index = self.para_index
        body, offsets = self.body
        by_block: dict[int, dict[str, list[int]]] = {}
        for surface in self.surfaces:
            pos = body.find(surface)
            while pos != -1:
                k = bisect.bisect_right(offsets, pos) - 1
                in_block = by_block.get(index[k])
                if in_block is None:
                    in_block = by_block[index[k]] = {}
                positions = in_block.get(surface)
                if positions is None:
                    in_block[surface] = [pos - offsets[k]]
                else:
                    positions.append(pos - offsets[k])
                pos = body.find(surface, pos + len(surface))
        return by_block

    def _subject(self, para: _Para, hits, start: int, end: int) -> tuple[int, str] | None:
        """The first person in [start, end) who is not an object or a modifier."""
        return self._subject_in(para, hits, self.hit_starts, self.hit_free, start, end)

    @staticmethod
    def _subject_in(para: _Para, hits, hit_starts: list[int], free: list[bool | None],
                    start: int, end: int) -> tuple[int, str] | None:
        """``_subject`` with the paragraph's hit starts and hit_free given."""
        text = para.text
        title_lasts = _title_char_sets()[3]
        for k in range(bisect.bisect_left(hit_starts, start), len(hits)):
            s, e, name = hits[k]
            if e > end:
                break
            ok = free[k]
            if ok is None:  # the same for every clause: tested once per paragraph
                ok = free[k] = not ((s > 0 and text[s - 1] in OBJECT_MARKERS)
                                    or MODIFIER_AFTER_RE.match(text, e, e + 40))
            if not ok:
                continue
            # 向中國國家主席習近平指責: a role after 向/對/被 still makes an object (a title
            # right before the name, so only when a title's last character is there).
            if s > 0 and text[s - 1] in title_lasts:
                lead = OBJECT_ROLE_RE.search(text, max(start, s - ROLE_MAX_CHARS), s)
                if lead and _ends_with_title(text[lead.end():s]):
                    continue
            return s, name
        return None

    def _source(self, para: _Para, block: int, start: int, end: int) -> str | None:
        """An organisation or an unnamed source standing as the subject of a clause: the
        phrase up to the first adverbial (一名美国官员 / 分析人士) when it ends with a title or a
        source word, else an organisation or place named in the clause (外交部, 日本)."""
        text = para.text
        clause = text[start:end]
        cut = SOURCE_CUT_RE.search(clause, 1)
        phrase = clause[: cut.start()] if cut else clause
        phrase = SOURCE_LEAD_RE.sub("", PAREN_RE.sub("", phrase).strip(SPACES))
        ok = bool(phrase) and len(phrase) <= SOURCE_NAME_MAX_CHARS
        tail = phrase[-6:]
        if ok and (self.voc.title_re.search(tail) or self.voc.source_re.search(tail)):
            return phrase
        for s, e, name in self.org_by_block.get(block, []):
            if start <= s and e <= end and s not in para.mask:
                return name
        if ok and (self.voc.source_re.search(phrase) or self.voc.title_re.search(phrase)):
            return phrase
        return None

    # -- events

    def _clause_start(self, para: _Para, pos: int, floor: int) -> int:
        i = bisect.bisect_left(para.breaks, pos) - 1
        return max(floor, para.breaks[i] + 1) if i >= 0 else floor

    def _events(self, para: _Para, block: int, hits, sent: tuple[int, int],
                para_last: str | None, quotes: list[_Span],
                inner_verbs: list[int], has_colon: bool, verbs_from: int,
                verbs_to: int) -> list[_Event]:
        """The reporting events of one sentence; ``inner_verbs`` receives the ends of the verbs
        that stand inside someone else's reported words; ``has_colon``: the paragraph holds a
        colon; ``para.verbs[verbs_from:verbs_to]`` are the sentence's verbs."""
        text = para.text
        s_start, s_end = sent
        events: list[_Event] = []
        blocked_until_quote = False
        verbs = para.verbs[verbs_from:verbs_to]
        if not verbs and not (para.spans and has_colon):
            return events  # no verb, and no quote for a name and a colon to open
        colon_verbs: list[list[int]] = []
        # 杨子立：“…”: a name and a colon before a quote speak without a verb.
        for m in NAME_COLON_QUOTE_RE.finditer(text, s_start, s_end) if has_colon else ():
            colon = m.start()
            if colon in para.mask:
                continue
            cs = self._clause_start(para, colon, s_start)
            if self.hit_by_end is None:
                self.hit_by_end = {h[1]: h for h in hits}
            hit = self.hit_by_end.get(colon)
            if hit and hit[0] >= cs:
                role = text[cs:hit[0]].strip(SPACES)
                if not role or _ends_with_title(role):
                    colon_verbs.append([colon, colon + 1])
        if colon_verbs:
            verbs = sorted(list(verbs) + colon_verbs)
        closes = None  # of the sentence's quotes, when a blocked verb asks
        subject_in, hit_starts, free = self._subject_in, self.hit_starts, self.hit_free
        breaks = para.breaks
        last_quote_end = -1
        for vs, ve in verbs:
            # A quote of someone's words closing between the previous event and this verb
            # lifts the block (X说：“…”Y则说…).
            if blocked_until_quote:
                if closes is None:
                    closes = [sp.close for sp in quotes]
                if bisect.bisect_right(closes, last_quote_end) < bisect.bisect_left(closes, vs):
                    blocked_until_quote = False
            if blocked_until_quote and not QUOTE_OPEN_RE.match(text, ve):
                inner_verbs.append(ve)
                continue  # X写道，Y说…: Y's words are part of X's (unless Y opens a quote)
            i = bisect.bisect_left(breaks, vs) - 1
            cs = max(s_start, breaks[i] + 1) if i >= 0 else s_start  # ``_clause_start``
            pre = text[cs:vs]
            stripped = CONNECTOR_RE.sub("", pre) if _may_strip_lead(pre) else pre
            offset = cs + (len(pre) - len(stripped))
            if stripped[:1] in BACKGROUND_FIRSTS and stripped and BACKGROUND_RE.match(stripped):
                continue
            if stripped.startswith(("在", "於", "于")):
                nxt = next((b for b in para.breaks if b > ve), s_end)
                if BACKGROUND_END_RE.search(text, ve, nxt):
                    continue  # 在X表示…之后: when someone spoke is background
            speaker: str | None = None
            kind = "person"
            subject_pos = None
            bare = not stripped.strip(SPACES)  # no subject of its own
            found = subject_in(para, hits, hit_starts, free, offset, vs)
            if found and vs - found[0] <= MAX_SUBJECT_DISTANCE:
                subject_pos, speaker = found
            elif stripped[:1] in PRONOUN_CHARS and PRONOUN_RE.match(stripped):
                speaker = self._pronoun_referent(block, offset)
                subject_pos = offset
            elif not bare:
                src = self._source(para, block, offset, vs)
                if src:
                    speaker, kind = src, "source"
            else:
                # No subject of its own (…，并批评): the sentence's subject or earlier speaker.
                earlier = [e for e in events if e.kind == "person" and e.speaker]
                if earlier:
                    speaker = earlier[-1].speaker
                else:
                    first = subject_in(para, hits, hit_starts, free, s_start, vs)
                    if first:
                        subject_pos, speaker = first
                    elif para_last and cs == s_start:
                        speaker = para_last  # a sentence opening with the verb (並表示，…)
            if not speaker:
                continue
            after = text[ve:ve + 3].lstrip(SPACES)
            # (QUOTE_INTRO_RE matches only where one of its first characters follows the verb.)
            introduces = text[ve:ve + 1] in QUOTE_INTRO_FIRSTS and \
                QUOTE_INTRO_RE.match(text, ve) is not None
            content_start = ve + (1 if after[:1] in "：:，," else 0)
            if text[vs] in LISTENER_VERB_FIRSTS and LISTENER_VERB_RE.fullmatch(text, vs, ve):
                comma = text.find("，", ve, ve + LISTENER_MAX_CHARS + 1)
                if comma != -1:
                    content_start = comma + 1  # 告诉记者，…: the listener is not the content
            additive = not ADDITIVE_CHARS.isdisjoint(stripped[:4])
            events.append(_Event(vs, ve, speaker, kind, subject_pos, content_start, introduces,
                                 additive, bare))  # (inherited: no subject of its own)
            if kind == "person":
                self.last_named = speaker  # 他/她 later in the same sentence means this person
                self.last_named_at = (block, vs)
            if not introduces:
                blocked_until_quote = True
                last_quote_end = ve
        return events

    # -- one paragraph

    def read_paragraph(self, block: int, text: str, prev_last: str | None,
                       prev_last_kind: str) -> tuple[str | None, str]:
        para = _analyse_structure(text)
        hits = self._person_hits(para, block)
        self.hits_by_block[block] = hits
        quiet = not hits and not para.spans
        if quiet and self.voc.verb_re.search(text):
            quiet = not para.verbs
        if quiet:
            # No quote, no reporting verb, no person (so no sentence subject, no interview and
            # no quote left open): nothing here speaks or changes what the next paragraph reads.
            self.open_quote = None
            return None, "person"
        self.hit_starts = list(map(_FIRST, hits))
        # Per hit: neither an object nor a modifier (``_subject``), once tested.
        self.hit_free: list[bool | None] = [None] * len(hits)
        subject_args = (para, hits, self.hit_starts, self.hit_free)
        self.hit_by_end = None
        para_last: str | None = None
        para_last_kind = "person"
        # A quote left open at the end of the previous paragraph goes on in this one when it
        # opens with a quote mark (the convention for quotes over several paragraphs): the
        # first span here is the same quote, not a new one.
        carried = self.open_quote
        self.open_quote = None
        continued: _Span | None = None
        if carried and para.spans and not text[:para.spans[0].open].strip(SPACES):
            continued = para.spans[0]
            s, e = continued.inner
            part = text[s:e].strip(SPACES)
            if part:
                carried.text += "\n" + part
            para_last, para_last_kind = carried.speaker, carried.kind
            if continued.close == len(text):
                self.open_quote = carried
        spans = para.spans
        org_spans = self.org_spans_by_block.get(block, _NO_SPANS)
        verb_starts = para.verb_starts
        span_opens = list(map(_OPEN, spans))
        bisect_left = bisect.bisect_left
        # A sentence without a verb has events only from a name and a colon before a quote.
        has_colon = "：" in text or ":" in text
        colon_quotes = bool(spans) and has_colon
        # (Every form of INTERVIEW_RE holds 受: a sentence holds an interview only when the
        # paragraph holds 受.)
        interview = bool(hits) and "受" in text
        add_subject = self.sentence_subjects.append if hits else None
        counts, term_names = self.counts, self.term_names
        # The sentences are consecutive from the paragraph's start, so the spans and verbs of
        # one start where the previous sentence's end: one bisection per sentence for each.
        span_next = verb_next = 0
        for si, sent in enumerate(para.sentences):
            s_start, s_end = sent
            if add_subject is not None:  # its first person, when a pronoun asks
                add_subject((block, s_start, s_end, subject_args))
            # The spans opening in the sentence (they are in order: no scan of all of them).
            quotes = _NO_QUOTES
            if spans:
                lo = span_next
                span_next = hi = bisect_left(span_opens, s_end, lo)
                if lo != hi:
                    quotes = [sp for sp in spans[lo:hi] if sp is not continued and not _is_term(
                        text, sp, counts, term_names, org_spans)]
            lo = verb_next
            verb_next = hi = bisect_left(verb_starts, s_end, lo)
            if colon_quotes or lo != hi:
                inner_verbs: list[int] = []
                events = self._events(para, block, hits, sent, para_last, quotes, inner_verbs,
                                      has_colon, lo, hi)
                # 认为，…特朗普政府强调“美国优先”: a quote right after a verb inside someone's
                # reported words belongs to that inner speaker, not to the one reporting.
                if inner_verbs and quotes:
                    quotes = [sp for sp in quotes if not any(
                        QUOTE_GAP_RE.fullmatch(text, ve, sp.open) for ve in inner_verbs)]
            else:
                events = _NO_QUOTES
            if events:
                n_events = len(events)
                if quotes:
                    ends = [ev.verb_end for ev in events]
                    for sp in quotes:
                        ev = self._owner(para, sp, events, ends)
                        if ev is None:
                            continue
                        ev.got_quote = True
                        self._add_quote(ev.speaker, ev.kind, text, sp, block)
                    direct_speakers = {e.speaker for e in events if e.got_quote}
                    last_quote = quotes[-1].close  # spans are in order
                    for k, ev in enumerate(events):
                        if ev.got_quote:
                            continue
                        later = ev.additive and ev.verb_start > last_quote
                        if ev.speaker in direct_speakers and not later:
                            continue  # a sentence with a verb and a quote counts as direct only
                        # The reported clause runs to the end of the sentence or the next event.
                        nxt = events[k + 1].verb_start if k + 1 < n_events else s_end
                        self._add_paraphrase(ev, text, nxt, block)
                else:
                    # No quote: every event reports a clause (the loop above, with no quote
                    # owned and no direct speaker).
                    for k, ev in enumerate(events):
                        nxt = events[k + 1].verb_start if k + 1 < n_events else s_end
                        self._add_paraphrase(ev, text, nxt, block)
                last = events[-1]
                para_last, para_last_kind = last.speaker, last.kind
                # (``_events`` has made the last person of the events ``last_named``: every
                # event has a speaker.)
            else:
                # 郭崇伦接受本台采访则持不同看法。: an interview announces the next speaker.
                # (Every form of INTERVIEW_RE holds 受.)
                iv = INTERVIEW_RE.search(text, s_start, s_end) \
                    if interview and text.find("受", s_start, s_end) != -1 else None
                first = self._subject(para, hits, s_start, s_end) \
                    if iv and iv.start() not in para.mask else None
                if first and first[0] < iv.start():
                    para_last, para_last_kind = first[1], "person"
                    self.last_named, self.last_named_at = first[1], (block, first[0])
            if not events and quotes:
                # A quote sentence with no verb continues the paragraph's speaker, or, when it
                # opens the paragraph, the previous paragraph's.
                owner, owner_kind = para_last, para_last_kind
                if owner is None and si == 0 and not text[:quotes[0].open].strip(SPACES):
                    owner, owner_kind = prev_last, prev_last_kind
                if owner is None:
                    continue
                for sp in quotes:
                    lead = text[s_start:sp.open].strip(SPACES)
                    if lead and not lead.endswith(("：", ":")):
                        continue
                    self._add_quote(owner, owner_kind, text, sp, block)
                    para_last, para_last_kind = owner, owner_kind
        return para_last, para_last_kind

    def _owner(self, para: _Para, sp: _Span, events: list[_Event],
               ends: list[int]) -> _Event | None:
        """The event a quote belongs to; ``ends`` are the events' verb ends, in order."""
        text = para.text
        k = bisect.bisect_right(ends, sp.open)  # events[:k] end before the quote
        if k and QUOTE_GAP_RE.fullmatch(text, ends[k - 1], sp.open):
            return events[k - 1]  # X说：“…”
        after = [ev for ev in events[k:k + OWNER_LOOKAHEAD] if ev.verb_start > sp.close]
        for ev in after:  # “…”X说
            if not ev.additive:
                if not OWNER_BARRIER_RE.search(text, sp.close + 1, ev.verb_start):
                    return ev
        ev = events[k - 1] if k else (after[0] if after else events[-1])
        s, e = sp.inner
        if ev.inherited and not SPEECH_PUNCT_RE.search(text[s:e]):
            return None  # a bare fragment far from a verb without a subject: not attributable
        return ev

    def _add_quote(self, speaker: str, kind: str, text: str, sp: _Span, block: int) -> None:
        s, e = sp.inner
        while s < e and text[s] in SPACES:
            s += 1
        while e > s and text[e - 1] in SPACES:
            e -= 1
        if e > s:
            self.found.append(_Found(speaker, kind, text[s:e], True, block, s, e))
            if sp.close == len(text):
                self.open_quote = self.found[-1]  # may go on in the next paragraph

    def _add_paraphrase(self, ev: _Event, text: str, s_end: int, block: int) -> None:
        start = ev.content_start
        end = min(s_end, start + PARAPHRASE_MAX_CHARS)
        while end > start and text[end - 1] in PARAPHRASE_TRIM_CHARS:
            end -= 1
        while start < end and text[start] in SPACES:
            start += 1
        content = text[start:end]
        if len(content) < 2:
            return
        self.found.append(_Found(ev.speaker, ev.kind, content, False, block, start, end))

    # -- the article

    def read(self) -> list[_Found]:
        prev_last, prev_kind = None, "person"
        for i, block in enumerate(self.article.blocks):
            if block.kind != PARAGRAPH:
                prev_last = None  # a sub-heading ends the run of a speaker's paragraphs
                self.open_quote = None
                continue
            text = block.text
            if not text or text.isspace():  # (``not text.strip()``, without the copy)
                continue
            prev_last, prev_kind = self.read_paragraph(i, text, prev_last, prev_kind)
        return self.found


# ---------------------------------------------------------------------------------------------
# Roles and kinds

@functools.lru_cache(maxsize=1)
def _verb_info() -> dict[str, tuple[str, str, bool]]:
    """Verb form -> (characters it never follows: VERB_NEVER_AFTER and its own, characters it
    never precedes, whether it is strict), for one lookup per verb found."""
    voc = _vocab()
    return {form: (VERB_NEVER_AFTER + voc.verb_not_before.get(form, ""),
                   voc.verb_not_after.get(form, ""), form in voc.verb_strict)
            for form in voc.verb_not_before}


def _verb_spans(para: _Para, start: int, end: int) -> list[list[int]]:
    """[start, end) of the reporting verbs outside quotes and brackets, adjacent ones joined
    (报道称, 表示说), without the words they are part of (据说, 分析师, 称为)."""
    text = para.text
    n = len(text)
    mask = para.mask
    mask_starts, mask_ends = mask.starts, mask.ends  # (``vs in mask``, inlined)
    bisect_right = bisect.bisect_right
    info = _verb_info()
    verbs: list[list[int]] = []
    lone: list[bool] = []  # the span is one strict verb
    for m in _vocab().verb_re.finditer(text, start, end):
        vs, ve = m.span()
        if mask_starts:
            i = bisect_right(mask_starts, vs) - 1
            if i >= 0 and vs < mask_ends[i]:
                continue
        comes_after, goes_before, strict = info[m.group()]  # (characters it never …)
        if vs and text[vs - 1] in comes_after:
            continue
        if ve < n and text[ve] in goes_before:
            continue
        if verbs and verbs[-1][1] == vs:
            verbs[-1][1] = ve
            lone[-1] = False
        else:
            verbs.append([vs, ve])
            lone.append(strict)
    # A strict verb alone reports speech only before a comma, a colon or a quote.
    if True not in lone:
        return verbs
    return [v for v, alone in zip(verbs, lone)
            if not alone or (v[1] < n and text[v[1]] in STRICT_VERB_FOLLOWERS)]


def _role_before(text: str, pos: int, others=()) -> str | None:
    """The title and affiliation written right before a name at ``pos``: the clause before it,
    cut after any other person, verb or preposition in it, without leading asides and times."""
    if pos == 0 or text[pos - 1] in ROLE_NEVER_AFTER:
        return None  # the name opens its clause: nothing before it to read
    para = _analyse_structure(text)
    i = bisect.bisect_left(para.role_breaks, pos) - 1
    start = para.role_breaks[i] + 1 if i >= 0 else 0
    # A speech quote (not a short term such as 「太平洋島國論壇」) before the name also starts it.
    j = bisect.bisect_left(para.speech_closes, pos) - 1
    if j >= 0 and para.speech_closes[j] >= start:
        start = para.speech_closes[j] + 1
    start = max(start, pos - ROLE_WINDOW_CHARS)
    # 中国领导人习近平周三在与美国总统拜登…: the role of 拜登 starts after 习近平 and the verb.
    for hs, he in others:
        if start <= hs and he < pos:
            start = he
    # …表示，美國總統拜登: the role starts after the reporting verb. Only the last verb before
    # a comma, a colon or a quote counts: the paragraph's verbs give it, as a scan of the window
    # would, unless a verb form may run across the window's start (then the window is scanned).
    verbs = para.verbs
    k = bisect.bisect_left(para.verb_starts, start)
    verb_inner, verb_outer = _verb_char_sets()
    if (k and verbs[k - 1][1] > start) or \
            (start and text[start] in verb_inner and text[start - 1] in verb_outer):
        spans = _verb_spans(para, start, pos)
    else:
        spans = verbs[k:bisect.bisect_left(para.verb_starts, pos, k)]
    for vs, ve in spans:
        if ve < pos and text[ve] in "，,：:“「『":
            start = ve
    role = text[start:pos]
    title_lasts = _title_char_sets()[3]
    previous = None
    while role != previous:
        previous = role
        role = role.strip(ROLE_STRIP_CHARS)
        if _may_strip_lead(role):
            role = ROLE_LEADING_PAREN_RE.sub("", role)
            role = CONNECTOR_RE.sub("", role)
            role = ROLE_LEADING_TIME_RE.sub("", role)
            role = ROLE_LEADING_OBJECT_RE.sub("", role)  # 和俄罗斯总统普京: the 和 is not the role
            role = ROLE_LEADING_SOURCE_RE.sub("", role)
            role = ROLE_LEADING_VERBAL_RE.sub("", role)  # 接受BBC採訪的…教授: the interview is not
        if role[-1:] not in title_lasts:
            continue  # no title ends the role: the cut below would not be made
        cut = OBJECT_ROLE_RE.search(role)
        if role.startswith(("在", "於", "于")):  # 在马尼拉与菲律宾国防部长: an adverbial
            cut = ROLE_CUT_RE.search(role) or cut
        if cut and _ends_with_title(role[cut.end():]):
            role = role[cut.end():]  # …的決定被佛羅里達州的共和黨參議員, 在馬尼拉與菲律宾国防部长
    if not role or (len(role) > ROLE_MAX_CHARS and len(PAREN_RE.sub("", role)) > ROLE_MAX_CHARS) \
            or BACKGROUND_RE.match(role):
        return None
    return role


def _ends_with_title(role: str) -> bool:
    """A role names what the person is: it ends with a title (…教授, …发言人)."""
    if role[-1:] not in _title_char_sets()[3]:
        return False  # (also when the role is empty) no title ends where the role does
    last = None
    for m in _vocab().title_re.finditer(role):
        last = m
    return last is not None and last.end() == len(role)


def _post_title(text: str, end: int) -> str | None:
    m = _vocab().post_title_re.match(text, end, end + 30)
    return m.group("title") if m else None


@functools.lru_cache(maxsize=4096)
def _kind_of(role: str | None) -> str:
    """The kind the title nearest the name gives; a head of a university or research body
    (中国人民大学美国研究中心主任) is an expert."""
    if not role:
        return KIND_OTHER
    voc = _vocab()
    # A title word inside an organisation's name (代表大会, 主席团) is not a title.
    titles = [m.group(0) for m in voc.title_re.finditer(role)
              if m.end() == len(role) or role[m.end()] in TITLE_FOLLOWERS]
    if not titles:
        return KIND_EXPERT if ACADEMIC_RE.search(role) else KIND_OTHER
    title = titles[-1]
    if title in AMBIGUOUS_TITLES:
        clear = [t for t in titles if t not in AMBIGUOUS_TITLES]
        if clear:  # 庫克群島總理、論壇輪值主席: the prime minister decides
            return voc.title_kind.get(clear[-1], KIND_OTHER)
        if ACADEMIC_RE.search(role):
            return KIND_EXPERT
        if CIVIL_BODY_RE.search(role):  # the chair of an association or a company
            return KIND_OTHER
    return voc.title_kind.get(title, KIND_OTHER)


def _profile(article: Article, registry: _Registry, name: str,
             hits_by_block: dict[int, list[tuple[int, int, str]]],
             where: list[tuple[int, int]]) -> tuple[str | None, list[str]]:
    """(fullest role, aliases) of a named speaker, read from their mentions (``where``: block
    and index into ``hits_by_block``)."""
    person = registry.people.get(name)
    surfaces = sorted(person.surfaces if person else {name}, key=len, reverse=True)
    roles: list[str] = []
    aliases: list[str] = list(person.aliases) if person else []
    title_firsts = _title_char_sets()[2]  # (``_post_title`` matches nothing else)
    for block, i in where[:PROFILE_MAX_MENTIONS]:
        hits = hits_by_block[block]
        text = article.blocks[block].text
        pos, end, _ = hits[i]
        if pos == 0 or text[pos - 1] in ROLE_NEVER_AFTER:
            role = None  # (``_role_before``'s first test, before the others are gathered)
        else:
            # Other people just before this mention (the role cannot reach back past them).
            others = [(hs, he) for hs, he, w in hits[max(0, i - 3):i] if w != name] if i else ()
            role = _role_before(text, pos, others)
        after = text[end:end + 1]
        post = _post_title(text, end) if after in title_firsts or after in "（(" else None
        if role and post and not _ends_with_title(role):
            role = role + post  # 来自威斯康辛州的加拉格尔众议员, 南台科技大學朱岳中助理教授
        if role and not post and role.endswith("的") and AFFILIATION_RE.search(role):
            role = role[:-1]  # 卡內基國際和平研究院的安吉特·潘達: the affiliation
        elif not (role and (_ends_with_title(role) or PERSON_NOUN_END_RE.search(role))):
            role = post
        if role:
            roles.append(role)
        # “…”布萊恩·利斯頓說，他是…公司的研究員: a role written after the words.
        appo = APPOSITIVE_RE.match(text, end) \
            if APPOSITIVE_VERB_START_RE.search(text, end, end + 17) else None
        if appo and (_ends_with_title(appo.group(1)) or PERSON_NOUN_END_RE.search(appo.group(1))):
            roles.append(appo.group(1))
        if not after or after not in "（(，,":
            continue  # the two patterns below start with a bracket or a comma
        appo = COMMA_APPOSITIVE_RE.match(text, end)
        if appo and _ends_with_title(appo.group(1)) and \
                not APPOSITIVE_CONJUNCTION_RE.match(appo.group(1)):
            roles.append(appo.group(1))
        paren = LATIN_ALIAS_RE.match(text, end) if after in "（(" else None
        if paren and _latin_is_person(paren.group(1)):
            latin = _clean_latin(paren.group(1))
            if latin not in aliases:
                aliases.append(latin)
    for s in surfaces:
        if s != name and s not in aliases:
            aliases.append(s)
    # A form that only begins another (約翰 of 約翰·柯比爾, 張盛 of 張盛和) is a cut-off
    # reading, not a name anyone uses; family names (柯比爾) stay.
    aliases = [a for a in aliases if _strip_titles(a) == a]  # not a reference by title: 黃教授
    forms = [name] + aliases
    dotted = JOINER_RE.search(name)
    aliases = [a for a in aliases if not CJK_RE.search(a) or not (
        any(f != a and f.startswith(a) for f in forms)  # cut short: 約翰 of 約翰·柯比爾
        or (a.startswith(name) and a != name)  # run on: 梁文傑下午
        or (not dotted and a in name))]  # a part of a Chinese name: 明德 of 何明德
    role = max(roles, key=len) if roles else None
    return role, aliases


def _written_names(mentions: list[Mention]) -> dict[str, str]:
    """Canonical person name (Simplified) -> the form the article writes it in: the most
    frequent surface that is the same name in the article's script (習近平 for 习近平), else the
    canonical name itself (普京 when the article only writes 普丁). The stage reads the text with
    the written forms; names turn canonical only in the rows it returns."""
    seen: dict[str, dict[str, int]] = {}
    for m in mentions:
        if m.type == "person":
            forms = seen.get(m.name)
            if forms is None:
                forms = seen[m.name] = {}
            if m.surface and (m.surface == m.name or _entities.simplified_name(m.surface) == m.name):
                forms[m.surface] = forms.get(m.surface, 0) + 1
    # max() keeps the first of equal counts (dicts keep the order of first appearance).
    return {name: max(forms, key=forms.get) if forms else name for name, forms in seen.items()}


def _canonical_speaker(written: str, by_written: dict[str, str]) -> str:
    """The Simplified canonical name of a speaker the stage knows by its written form: the
    entity stage's name (in Simplified), else the canonical key of the written name."""
    name = by_written.get(written)
    return _entities.simplified_name(name) if name else _entities.canonical_key(written)


def extract_quotes(article: Article, mentions: list[Mention]) -> list[Quote]:
    """Direct quotes and paraphrases of the article's body, in reading order.

    ``speaker`` is the Simplified canonical name (the entity stage's name when it knows the
    person); the form the article writes (習近平) leads the ``aliases`` when it differs."""
    _analyse_structure.cache_clear()
    if not isinstance(mentions, list):
        mentions = list(mentions or ())
    people: list[Mention] = []
    others: list[Mention] = []
    add_person, add_other = people.append, others.append
    for m in mentions:  # (one pass)
        if m.type == "person":
            add_person(m)
        else:
            add_other(m)
    written = _written_names(people)
    by_written = {w: name for name, w in written.items()}
    # (The people are read with their written names, looked up as they are read: no copy of
    # the mentions.)
    reader = _Reader(article, people, others, written)
    found = reader.read()
    profiles: dict[str, tuple[str | None, list[str]]] = {}
    where: dict[str, list[tuple[int, int]]] = {}
    for block, hits in reader.hits_by_block.items():
        for i, (_, _, who) in enumerate(hits):
            at = where.get(who)
            if at is None:
                where[who] = [(block, i)]
            else:
                at.append((block, i))
    canon: dict[str, str] = {}
    # (speaker, role, kind, aliases) of each (speaker, kind) of the rows, worked out once.
    row_heads: dict[tuple[str, str], tuple[str, str | None, str, list[str]]] = {}
    out: list[Quote] = []
    for f in found:
        head = row_heads.get((f.speaker, f.kind))
        if head is None:
            if f.kind == "person":
                if f.speaker not in profiles:
                    profiles[f.speaker] = _profile(article, reader.registry, f.speaker,
                                                   reader.hits_by_block, where.get(f.speaker, []))
                role, aliases = profiles[f.speaker]
                kind = _kind_of(role)
                if f.speaker not in canon:
                    canon[f.speaker] = _canonical_speaker(f.speaker, by_written)
            else:
                role, aliases, kind = None, [], KIND_SOURCE
                if f.speaker not in canon:
                    canon[f.speaker] = _entities.canonical_key(f.speaker)
            speaker = canon[f.speaker]
            if speaker != f.speaker:
                aliases = [f.speaker] + [a for a in aliases if a not in (f.speaker, speaker)]
            head = row_heads[(f.speaker, f.kind)] = (speaker, role, kind, aliases)
        speaker, role, kind, aliases = head
        out.append(Quote(speaker, role, kind, f.text, f.direct, f.block, f.start, f.end,
                         list(aliases)))
    out.sort(key=_BLOCK_START)
    return out


_BLOCK_START = operator.attrgetter("block", "start")  # (a sort key: (block, start))


def summarize_speakers(quotes: list[Quote]) -> list[dict]:
    """The ``speakers`` of the parse contract: named people (kind expert / official / other) in
    order of first appearance, each with role, kind, aliases and their quotes [{text, direct}].
    Organisations and unnamed sources (kind ``source``) are left out. Rows with one canonical
    name are one speaker (川普 and 特朗普 in one article), their aliases joined."""
    order: list[str] = []
    by_name: dict[str, dict] = {}
    for q in sorted(quotes, key=lambda q: (q.block, q.start)):
        if q.kind == KIND_SOURCE:
            continue
        entry = by_name.get(q.speaker)
        if entry is None:
            entry = {"name": q.speaker, "role": q.role, "kind": q.kind,
                     "aliases": list(q.aliases), "quotes": []}
            by_name[q.speaker] = entry
            order.append(q.speaker)
        else:
            entry["aliases"] += [a for a in q.aliases if a not in entry["aliases"]]
        entry["quotes"].append({"text": q.text, "direct": q.direct})
    return [by_name[n] for n in order]
