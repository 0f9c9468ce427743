"""A person's sort key (issue 12): the order of names a Chinese reader expects, 安 before 白 before 陈.

Chinese software sorts names by their pinyin, syllable by syllable, then by tone; Latin names
sort by their letters among them (``Alice`` before 安 ``an1``, ``Chen Ming`` beside 陈明).
The key is lower-case ASCII letters and digits only, so any database collation orders it as
plain ASCII would (a locale's collation skips spaces and punctuation, which would mix up
``chen ming`` and ``cheng``):

- a Chinese character: its pinyin and tone digit, 陈 ``chen2`` (the digit also ends the
  syllable, and digits come before letters: 陈明 ``chen2ming2`` before 程 ``cheng2``);
- a Latin word: its letters without accents and ``0``, ``Chen`` ``chen0`` (before 陈 ``chen2``);
- a number: eight digits, so 员工2 comes before 员工10;
- then ``0`` and the code points of the Chinese characters, so that names read alike
  (陈明, 晨明) each stay together, in the order of their characters.

Pure code: the people's model stores it (``User.name_sort``), the pages order by it.
"""

import functools
import re
import unicodedata

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT

NAME_SORT_MAX_LENGTH = 255

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|\d+|[^\W\d_]+")
_NUMBER_WIDTH = 8

# Surnames read otherwise than the character alone (单 is dan1 in a word, shan4 as a surname):
# only the first character of a name, which in a Chinese name is the surname.
SURNAME_READINGS = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "区": "ou1",
    "查": "zha1",
    "盖": "ge3",
    "覃": "qin2",
    "乐": "yue4",
    "缪": "miao4",
    "翟": "zhai2",
    "种": "chong2",
}


def name_sort_key(name: str, username: str = "") -> str:
    """The sort key of a person called ``name`` (their user name when they have no name)."""
    text = unicodedata.normalize("NFKC", name.strip() or username.strip())
    parts = [_token_key(token, first=position == 0) for position, token in enumerate(_TOKEN.findall(text))]
    characters = "".join(f"{ord(c):05x}" for c in text if _HAN.fullmatch(c))
    return f"{''.join(parts)}0{characters}"[:NAME_SORT_MAX_LENGTH]


def _token_key(token: str, *, first: bool) -> str:
    if _HAN.match(token):  # a run of characters, read together (长孙 zhang3sun1, not chang2sun1)
        syllables = _syllables(token)
        if first and token[0] in SURNAME_READINGS:
            syllables[0] = SURNAME_READINGS[token[0]]
        return "".join(syllables)
    if token.isdigit():
        return str(int(token)).zfill(_NUMBER_WIDTH)
    letters = unicodedata.normalize("NFKD", token).encode("ascii", "ignore").decode().lower()
    if letters.isalpha():
        return f"{letters}0"
    return _unread(token)


def _syllables(run: str) -> list[str]:
    """The reading of a run of characters, one syllable each: read as a phrase when it holds one
    pypinyin knows (长孙), else character by character, each read once per process (a roster of
    100,000 names: 0.3 s instead of 8 s through pypinyin's phrase matching)."""
    windows = (run[start:end] for start in range(len(run)) for end in range(start + 2, len(run) + 1))
    if any(window in PHRASES_DICT for window in windows):
        return lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True, errors=_unread)
    return [_character(character) for character in run]


@functools.cache
def _character(character: str) -> str:
    return lazy_pinyin(character, style=Style.TONE3, neutral_tone_with_five=True, errors=_unread)[0]


def _unread(characters: str) -> str:
    """Letters without a Latin or pinyin reading (Cyrillic, kana, a rare character): after every
    Latin and pinyin word, by code point."""
    return "".join(f"zzzz{ord(c):05x}" for c in characters) + "0"
