"""Text folding shared by the loader (what is stored) and the API (what is asked).

Both sides fold the same way, so `speaker=sisi` finds "El-Sisi" and `q=“yes”` finds ‘yes’:
lower case, accents removed, every run of punctuation (straight or curly quotes, hyphens,
periods) a word boundary, and initials written with periods one word ("U.S." and "US" are
"us"; the "a" of "a U.S. ally" stays a word of its own).

Full-text search indexes `search_tokens`: the folded words, each spelled with ASCII letters and
digits only. Python alone decides where a word begins and ends; both databases' tokenizers
only ever see `[a-z0-9]+` separated by spaces, which they split the same way.
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
# Initials: single letters each followed by a period ("U.S.", "U.S", "e.g."), not inside a word.
_INITIALS = re.compile(r"(?<![^\W_])[^\W\d_](?:\.[^\W\d_])+(?![^\W_])\.?")
# A hyphenated compound: hyphen-minus, hyphen, non-breaking hyphen between letters or digits.
_COMPOUND = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)+")
_ASCII_TOKEN = re.compile(r"[a-wyz0-9]*")


def _strip_accents(text: str) -> str:
    if text.isascii():  # ASCII has no accents to strip: skip the slow path
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """'Abdel Fatah El-Sisi' -> ['abdel', 'fatah', 'el', 'sisi']; 'a U.S. ally' -> ['a', 'us',
    'ally']."""
    text = _INITIALS.sub(lambda initials: initials.group().replace(".", ""), text)
    return _WORD.findall(_strip_accents(text).casefold())


def fold(text: str) -> str:
    """'Abdel Fatah El-Sisi' -> 'abdel fatah el sisi'; 'Hamas’s' -> 'hamas s'; 'U.S.' -> 'us'."""
    return " ".join(words(text))


def token(word: str) -> str:
    """A folded word spelled in `[a-z0-9]`: other characters as `x` and five hex digits, and
    `x` itself doubled, so that no two words share a spelling and a prefix of a word is spelled
    as a prefix of its spelling (`q=hostag` still finds "hostages")."""
    if _ASCII_TOKEN.fullmatch(word):
        return word
    return "".join(
        char
        if ("a" <= char <= "z" and char != "x") or "0" <= char <= "9"
        else "xx"
        if char == "x"
        else f"x{ord(char):05x}"
        for char in word
    )


def search_tokens(text: str) -> str:
    """What full-text search indexes for a text: its folded words as tokens, in order."""
    return " ".join(token(word) for word in words(text))


def compounds(text: str) -> dict[str, str]:
    """The hyphenated words of a text, by their parts run together: {"ceasefire": "cease fire"}."""
    found: dict[str, str] = {}
    for compound in _COMPOUND.findall(text):
        parts = [token(word) for word in words(compound)]
        if len(parts) > 1:
            found["".join(parts)] = " ".join(parts)
    return found


# Sentences -----------------------------------------------------------------------------------

# A period after these words (or after a single letter: an initial) does not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "gen",
        "sen",
        "rep",
        "gov",
        "lt",
        "col",
        "sgt",
        "capt",
        "st",
        "jr",
        "sr",
        "no",
        "vs",
        "inc",
        "co",
        "corp",
        "ltd",
        "dept",
        "univ",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# End punctuation, closing quotes or brackets after it, then a space: a sentence may end there.
_SENTENCE_END = re.compile(r"[.?!…]+[\"”’')\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([^\W_]+(?:\.[^\W_]+)*)\.$")


def sentence_breaks(text: str) -> list[int]:
    """The offsets where sentences end: after end punctuation followed by a space and not after
    an abbreviation or an initial ("Gen.", "William J. Burns", "the U.S."), and at every line
    break (a headline, a dateline or a paragraph ends there)."""
    breaks = {i for i, char in enumerate(text) if char == "\n"}
    for match in _SENTENCE_END.finditer(text):
        before = _WORD_BEFORE.search(text, 0, match.start() + 1)
        if match.group()[0] == "." and before:
            word = before.group(1).casefold()
            if "." in word or len(word) == 1 or word in _ABBREVIATIONS:
                continue
        breaks.add(match.end())
    return sorted(breaks | {len(text)})


def sentence_around(text: str, start: int, end: int, breaks: list[int]) -> tuple[int, int]:
    """The whole sentence(s) of `text` that hold [start, end): from the start of the sentence the
    span begins in to the end of the one it ends in, without the spaces around them."""
    begin = max((b for b in breaks if b <= start), default=0)
    while begin < start and text[begin].isspace():
        begin += 1
    finish = min((b for b in breaks if b >= end), default=len(text))
    while finish > end and text[finish - 1].isspace():
        finish -= 1
    return begin, finish
