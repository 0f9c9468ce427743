"""Codes made from the names HR types (issue 12): ``客户流失率`` → ``kehuliushilv``.

A code is what a file or the API needs (a CSV column, a plan's address); a person reads the name.
Chinese is written in its pinyin (pypinyin, without tones), other letters and digits are kept,
everything else separates words. A code already taken gets ``-2``, ``-3``… (``_2`` for the codes
that are CSV columns). Pure code: the caller says which codes are taken.
"""

import re
import unicodedata
from collections.abc import Collection

from pypinyin import Style, lazy_pinyin

from plans.plan_file_check import CODE_MAX_LENGTH, SHORT_MAX_LENGTH

RESERVED_PLAN_CODES = frozenset({"new", "upload", "library"})  # the plan pages' own addresses
_HAN_RUN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def code_from_name(
    name: str,
    *,
    taken: Collection[str] = (),
    separator: str = "_",
    fallback: str = "item",
    max_length: int = CODE_MAX_LENGTH,
    letter_first: bool = False,
) -> str:
    """A free code for ``name``: its words joined by ``separator``, not one of ``taken``."""
    base = separator.join(_pinyin_words(name)) or fallback
    if letter_first and not base[0].isalpha():
        base = f"{fallback}{separator}{base}"
    base = base[:max_length].rstrip("_-") or fallback
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"{separator}{number}"
        code = f"{base[: max_length - len(suffix)].rstrip('_-')}{suffix}"
        if code not in taken:
            return code
        number += 1


def _pinyin_words(name: str) -> list[str]:
    words: list[str] = []
    for char_run in _HAN_RUN.split(unicodedata.normalize("NFKC", name)):
        if not char_run:
            continue
        if _HAN_RUN.fullmatch(char_run):  # a run of Chinese characters is one word of their pinyin
            words.append("".join(lazy_pinyin(char_run, style=Style.NORMAL, errors="ignore")).lower())
            continue
        ascii_text = unicodedata.normalize("NFKD", char_run).encode("ascii", "ignore").decode().lower()
        words += [word for word in _NOT_ALNUM.split(ascii_text) if word]
    return [word for word in words if word]


def plan_code_from_name(name: str, *, taken: Collection[str]) -> str:
    return code_from_name(name, taken={*taken, *RESERVED_PLAN_CODES}, separator="-", fallback="plan")


def flag_from_label(label: str, *, taken: Collection[str] = ()) -> str:
    return code_from_name(label, taken=taken, fallback="flag", max_length=SHORT_MAX_LENGTH)


def input_name_from_label(label: str, *, taken: Collection[str] = ()) -> str:
    return code_from_name(label, taken=taken, fallback="input", letter_first=True)
