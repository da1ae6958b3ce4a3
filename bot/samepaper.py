"""Same paper or not: one verdict on two papers, from their titles, authors, abstracts and ids.

The verdict is SAME (skip the new paper), DIFFERENT (add it) or UNSURE (add it, with a
"possible duplicate" note for the reviewer). A false SAME loses a paper without anyone
seeing it; a false DIFFERENT costs the reviewer one line. So a fuzzy title alone never
makes SAME: only differences that cannot change which paper a title names do.

Title rules (README, "Same paper or not"; issue #15):
- same: case, punctuation, spacing, hyphenation, LaTeX wrappers, accents and other
  Unicode/ASCII twins, British/American spelling, plural/singular, added or dropped
  stop words ("Towards", "A", "The"), an article for another, and one misspelt word
  (a typo that is no word, in a word of six letters or more, not a mixed-case name);
- different: a content word or a number (digits, Roman numerals, number words, model
  versions) replaced, added or removed;
- unsure: a one-letter change that makes another word ("Form"/"From") or changes a
  short word ("Qwen"/"Owen") or a mixed-case name ("ResNet"/"ResNeXt"), one joining
  word for another ("to"/"from"), signs that folding drops ("C++"/"C#"), the same words
  in another order, more than one misspelt word.
Other facts then decide: the same title under other first authors, or with another
abstract and no authors known, is unsure; a one-word change by the same first author
within a year (by the ids' dates) is unsure; other authors or another abstract settle a
one-letter change or a reordering as different.
"""

from __future__ import annotations

import difflib
import enum
import gzip
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from importlib import resources

from msgspec import Struct

from bot.models import Paper
from bot.normalize import normalize_title


class Verdict(enum.Enum):
    SAME = "same"
    UNSURE = "unsure"
    DIFFERENT = "different"


class Facts(Struct, frozen=True):
    """What is known of one paper; empty fields are unknown."""

    id: str | None
    title: str
    authors: Sequence[str] = ()
    abstract: str = ""

    @classmethod
    def of(cls, paper: Paper) -> Facts:
        return cls(paper.id, paper.title, paper.authors, paper.abstract)


class Judgement(Struct, frozen=True):
    verdict: Verdict
    why: str  # one line for the reviewer: what differs, or what makes them one paper


class TitleDifference(Struct, frozen=True):
    """How two titles differ, the worst difference first: number, content, near_word,
    reordered, typos, typo, or same. `edits` counts the content words changed."""

    kind: str
    detail: str = ""
    edits: int = 0


_KIND_ORDER = ("same", "typo", "typos", "reordered", "near_word", "content", "number")
_STOP_TEXT = (
    "a an the of for in on to toward towards and with via by at from into onto its their our"
)
_NUMBER_TEXT = (
    "zero one two three four five six seven eight nine ten eleven twelve twenty hundred "
    "thousand million billion first second third fourth fifth single double triple"
)
STOP_WORDS = frozenset([*_STOP_TEXT.split(), "is", "are", "as", "using"])
_NUMBER_WORDS = frozenset(_NUMBER_TEXT.split())
_ROMAN = re.compile(r"c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")
_IRREGULAR_PLURALS = {
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "syntheses": "synthesis",
    "diagnoses": "diagnosis",
    "theses": "thesis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "indices": "index",
    "matrices": "matrix",
    "vertices": "vertex",
    "children": "child",
}
# British to American spelling, applied to both titles' words (Oxford and Cambridge
# spellings differ in these endings; a word list would age, endings do not). One
# pattern, one search per word: each named alternative is one rule.
_BRITISH = re.compile(
    r"(?<=[a-z]{2})(?P<iz>is(e|ed|es|er|ers|ing|ation|ations|able))$"
    r"|(?<=[a-z])(?P<yz>ys(e|ed|es|er|ers|ing))$"
    r"|(?<=[a-z]{3})(?P<o>our(s|al|ed|ing|ite|ful|able|ably|less|ism|ist|er|ers)?)$"
    r"|(?<=[a-z]{2}[tb])(?P<er>re(s|d)?)$"
    r"|(?<=[a-z]{2})(?P<og>ogue(s)?)$"
    r"|(?<=[a-z]{2}[ae])(?P<l>ll(ed|ing|er|ers))$"
)
_AMERICAN: dict[str, Callable[[str], str]] = {
    "iz": lambda end: "iz" + end[2:],
    "yz": lambda end: "yz" + end[2:],
    "o": lambda end: "or" + end[3:],
    "er": lambda end: "er" + end[2:],
    "og": lambda end: "og" + end[4:],
    "l": lambda end: end[1:],
}
_SPELLING_WORDS = {
    "grey": "gray",
    "programme": "program",
    "programmes": "programs",
    "defence": "defense",
    "licence": "license",
    "offence": "offense",
    "sceptical": "skeptical",
    "artefact": "artifact",
    "artefacts": "artifacts",
    "judgement": "judgment",
    "ageing": "aging",
    "learnt": "learned",
    "aluminium": "aluminum",
}


@lru_cache(maxsize=65536)
def american(word: str) -> str:
    """The American spelling of a folded word (British endings rewritten), else the word."""
    if word in _SPELLING_WORDS:
        return _SPELLING_WORDS[word]
    if word in _IRREGULAR_PLURALS:
        return word
    match = _BRITISH.search(word)
    if match is None or match.lastgroup is None:
        return word
    return word[: match.start()] + _AMERICAN[match.lastgroup](match.group())


_DIGITS = re.compile(r"\d+")
_SIGNS = re.compile(r"[+#]+")
_ARTICLES = frozenset({"a", "an", "the"})


def _mixed_case_words(title: str) -> frozenset[str]:
    """The title's words written with a capital after the first letter ("ResNeXt",
    "GPT"), folded as title_words folds them: names, not words a typo would touch."""
    return frozenset(
        american(w.lower()) for w in re.findall(r"[^\W\d_]+", title) if not w[1:].islower()
    )


def title_words(title: str) -> list[str]:
    """The title's words as compared: `normalize_title`, then American spelling."""
    return [american(word) for word in normalize_title(title).split()]


@cache
def known_words() -> frozenset[str]:
    """Words seen in at least 20 of 79,584 recent arXiv papers (titles and abstracts)."""
    data = resources.files("bot").joinpath("data/words.txt.gz").read_bytes()
    words = gzip.decompress(data).decode("ascii").split()
    return frozenset(words) | frozenset(map(american, words))


def is_numeric(word: str) -> bool:
    """Digits ("2", "4o", "3b"), Roman numerals ("ii") and number words ("two")."""
    return (
        any(ch.isdigit() for ch in word)
        or word in _NUMBER_WORDS
        or (word != "" and _ROMAN.fullmatch(word) is not None)
    )


def _plural_twins(x: str, y: str) -> bool:
    short, long = sorted((x, y), key=len)
    if len(short) < 3:
        return False
    return (
        long in (short + "s", short + "es")
        or (short.endswith("y") and long == short[:-1] + "ies")
        or y == _IRREGULAR_PLURALS.get(x)
        or x == _IRREGULAR_PLURALS.get(y)
    )


def _stem(word: str) -> str:
    return _IRREGULAR_PLURALS.get(word) or (
        word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
    )


def _word_pair(x: str, y: str, names: frozenset[str] = frozenset()) -> TitleDifference:
    """How one word differs from another in the same place; `names` are the words the
    titles write in mixed case ("ResNeXt"), which a one-letter change makes another name."""
    from rapidfuzz.distance import OSA

    shown = f'"{x}" / "{y}"'
    if is_numeric(x) or is_numeric(y):
        return TitleDifference("number", shown, 1)
    if _plural_twins(x, y) or _same_joining_word(x, y):
        return TitleDifference("same")
    if x in STOP_WORDS and y in STOP_WORDS:  # "transfer to" / "transfer from"
        return TitleDifference("near_word", f"one joining word for another: {shown}")
    if min(len(x), len(y)) >= 4 and OSA.distance(x, y) <= 1:
        words = known_words()
        if x in words and y in words:
            return TitleDifference("near_word", f"one letter apart: {shown}")
        if min(len(x), len(y)) < 6:  # a short name ("Qwen"/"Owen") is too easily another
            return TitleDifference("near_word", f"one letter apart: {shown}")
        if x in names or y in names:  # "ResNet" / "ResNeXt": another model, not a typo
            return TitleDifference("near_word", f"a name one letter apart: {shown}")
        return TitleDifference("typo", f"misspelt: {shown}")
    return TitleDifference("content", shown, 1)


def _same_joining_word(x: str, y: str) -> bool:
    """An article for another article, or "toward" for "towards": the same title."""
    return {x, y} <= _ARTICLES or {x, y} == {"toward", "towards"}


def _swapped_joining_words(a: Sequence[str], b: Sequence[str]) -> bool:
    """Whether both runs hold joining words (not articles) and not the same ones: "to the"
    / "from" is another relation, not a dropped word."""
    joins_a = [w for w in a if w in STOP_WORDS and w not in _ARTICLES]
    joins_b = [w for w in b if w in STOP_WORDS and w not in _ARTICLES]
    return bool(joins_a) and bool(joins_b) and joins_a != joins_b


def _block(
    a: Sequence[str], b: Sequence[str], names: frozenset[str] = frozenset()
) -> list[TitleDifference]:
    """The differences of two aligned runs of words that are not equal."""
    if "".join(a) == "".join(b):  # spacing and hyphenation: "tree structured" / "treestructured"
        return []
    if len(a) == len(b):
        return [_word_pair(x, y, names) for x, y in zip(a, b, strict=True)]
    swapped = _swapped_joining_words(a, b)
    shown_joins = f'"{" ".join(a)}" / "{" ".join(b)}"'
    a = [w for w in a if w not in STOP_WORDS]
    b = [w for w in b if w not in STOP_WORDS]
    if a == b or "".join(a) == "".join(b):
        if swapped:
            return [TitleDifference("near_word", f"joining words differ: {shown_joins}")]
        return []
    if len(a) == len(b):
        return [_word_pair(x, y, names) for x, y in zip(a, b, strict=True)]
    shown = (
        f'"{" ".join(b)}" added'
        if not a
        else f'"{" ".join(a)}" removed'
        if not b
        else f'"{" ".join(a)}" / "{" ".join(b)}"'
    )
    kind = "number" if any(map(is_numeric, [*a, *b])) else "content"
    return [TitleDifference(kind, shown, max(len(a), len(b)))]


def compare_titles(a: str, b: str) -> TitleDifference:
    """The worst difference between two titles, and how many content words changed."""
    wa, wb = title_words(a), title_words(b)
    # Signs that folding drops but that name things: "C++" / "C#" / "C".
    signs_a, signs_b = _SIGNS.findall(a), _SIGNS.findall(b)
    if signs_a != signs_b:
        shown = f'"{" ".join(signs_a) or "none"}" / "{" ".join(signs_b) or "none"}"'
        return TitleDifference("near_word", f"the signs differ: {shown}")
    if wa == wb:
        return TitleDifference("same")
    # The numbers as written, digit run by digit run: joining words across a space or a
    # hyphen ("GPT-2" / "GPT2") must not join numbers ("3.5%" / "35%", "Gemma 2 2B" /
    # "Gemma 22B", "Pythia-1.4B" / "Pythia-14B": other papers).
    numbers_a, numbers_b = _DIGITS.findall(" ".join(wa)), _DIGITS.findall(" ".join(wb))
    if numbers_a != numbers_b:
        return TitleDifference("number", f'"{" ".join(numbers_a)}" / "{" ".join(numbers_b)}"')
    found: list[TitleDifference] = []
    names = _mixed_case_words(a) | _mixed_case_words(b)
    matcher = difflib.SequenceMatcher(None, wa, wb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            found += _block(wa[i1:i2], wb[j1:j2], names)
    content_a = [_stem(w) for w in wa if w not in STOP_WORDS]
    content_b = [_stem(w) for w in wb if w not in STOP_WORDS]
    # The same content words in another order; in the same order, what differs is the
    # joining words, which `found` names already.
    reordered = content_a != content_b and Counter(content_a) == Counter(content_b)
    if reordered and any(f.kind != "same" for f in found):
        found = [TitleDifference("reordered", "the same words in another order")]
    typos = [f for f in found if f.kind == "typo"]
    if len(typos) > 1:
        found.append(TitleDifference("typos", f"{len(typos)} words misspelt or changed"))
    worst_kind = max((f.kind for f in found), key=_KIND_ORDER.index, default="same")
    if worst_kind == "same":
        return TitleDifference("same")
    worst = max(found, key=lambda f: _KIND_ORDER.index(f.kind))
    edits = sum(f.edits for f in found)
    details = [f.detail for f in found if f.kind == worst.kind and f.detail]
    return TitleDifference(worst.kind, "; ".join(details), edits)


def _surname(name: str) -> str:
    words = [w for w in normalize_title(name).split() if w not in ("jr", "sr", "ii", "iii")]
    return words[-1] if words else ""


def compare_authors(a: Sequence[str], b: Sequence[str]) -> str:
    """ "same" (first author), "overlap" (another of the first three), "different", "unknown"."""
    if not a or not b:
        return "unknown"
    first_a, first_b = [_surname(n) for n in a[:3]], [_surname(n) for n in b[:3]]
    if first_a[0] == first_b[0]:
        return "same"
    return "overlap" if set(first_a) & set(first_b) else "different"


def compare_openings(a: str, b: str, words: int = 20) -> str:
    """ "same", "different" or "unknown": the first `words` words of two abstracts."""
    from rapidfuzz import fuzz

    if not a or not b:
        return "unknown"
    start_a = " ".join(normalize_title(a[: words * 20]).split()[:words])
    start_b = " ".join(normalize_title(b[: words * 20]).split()[:words])
    return "same" if fuzz.ratio(start_a, start_b) >= 80 else "different"


def id_month(paper_id: str | None) -> int | None:
    """Months since year 0 of the submission month an arXiv id encodes (YYMM), or None."""
    match = re.fullmatch(r"(?:[a-z.-]+/)?(\d\d)(\d\d)[.\d]*", paper_id or "")
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return (year + (1900 if year >= 91 else 2000)) * 12 + month - 1


def months_apart(a: str | None, b: str | None) -> int | None:
    ma, mb = id_month(a), id_month(b)
    return None if ma is None or mb is None else abs(ma - mb)


def _by_authors(a: Sequence[str], b: Sequence[str]) -> str:
    return f"{a[0]} / {b[0]}" if a and b else ""


def judge(a: Facts, b: Facts) -> Judgement:
    """Whether two papers are one paper: SAME, DIFFERENT or UNSURE, and why."""
    if a.id and a.id == b.id:
        return Judgement(Verdict.SAME, "same arXiv id")
    title = compare_titles(a.title, b.title)
    authors = compare_authors(a.authors, b.authors)
    opening = compare_openings(a.abstract, b.abstract)
    if title.kind == "number":
        return Judgement(Verdict.DIFFERENT, f"a number differs: {title.detail}")
    if title.kind == "content":
        gap = months_apart(a.id, b.id)
        close = gap is None or gap < 12  # a follow-up years later is another paper
        if title.edits == 1 and authors == "same" and opening != "different" and close:
            return Judgement(
                Verdict.UNSURE, f"one word differs ({title.detail}), same first author"
            )
        return Judgement(Verdict.DIFFERENT, f"a word differs: {title.detail}")
    if title.kind in ("near_word", "reordered", "typos"):
        if authors == "different" or opening == "different":
            return Judgement(Verdict.DIFFERENT, f"{title.detail}; other authors or abstract")
        return Judgement(Verdict.UNSURE, title.detail)
    if authors == "different":
        return Judgement(
            Verdict.UNSURE, f"same title, other authors ({_by_authors(a.authors, b.authors)})"
        )
    if opening == "different" and authors == "unknown":
        return Judgement(Verdict.UNSURE, "same title, another abstract")
    return Judgement(Verdict.SAME, title.detail or "same title")
