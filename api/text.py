"""Text folding shared by the loader (what is stored) and the API (what is asked).

Both sides fold the same way, so `speaker=sisi` finds "El-Sisi" and `q=“yes”` finds ‘yes’:
lower case, accents removed, every run of punctuation (straight or curly quotes, hyphens,
periods) a single space, and a run of single letters one word ("U.S." and "US" are "us").
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]+(?:[-\u2010\u2011][^\W_]+)+")  # hyphen-minus, hyphen, no-break


def words(text: str) -> list[str]:
    if not text.isascii():  # ASCII has no accents to strip: skip the slow path
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _merge_initials(_WORD.findall(text.casefold()))


def _merge_initials(tokens: list[str]) -> list[str]:
    """["u", "s", "officials"] -> ["us", "officials"]: initials written with periods."""
    merged: list[str] = []
    run = ""
    for token in tokens:
        if len(token) == 1:
            run += token
            continue
        if run:
            merged.append(run)
            run = ""
        merged.append(token)
    if run:
        merged.append(run)
    return merged


def fold(text: str) -> str:
    """'Abdel Fatah El-Sisi' -> 'abdel fatah el sisi'; 'Hamas’s' -> 'hamas s'; 'U.S.' -> 'us'."""
    return " ".join(words(text))


def searchable(text: str) -> str:
    """What full-text search indexes: the folded words, plus each hyphenated compound written
    as one word, so that `ceasefire` finds "cease-fire" as `cease-fire` does."""
    compounds = [fold(compound).replace(" ", "") for compound in _COMPOUND.findall(text)]
    return " ".join([*words(text), *compounds])
