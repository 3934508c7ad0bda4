"""Text folding shared by the loader (what is stored) and the API (what is asked).

Both sides fold the same way, so `speaker=sisi` finds "El-Sisi" and `q=“yes”` finds ‘yes’:
lower case, accents removed, and every run of punctuation (straight or curly quotes, hyphens,
periods) turned into a single space.
"""

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    if not text.isascii():  # ASCII has no accents to strip: skip the slow path
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _WORD.findall(text.casefold())


def fold(text: str) -> str:
    """'Abdel Fatah El-Sisi' -> 'abdel fatah el sisi'; 'Hamas’s' -> 'hamas s'."""
    return " ".join(words(text))
