"""Bilingual BPMN names: a Chinese line and an English line in the diagram itself, and the one a reader gets.

The diagrams name their elements in both languages, Chinese first, English second, one line each
(`name="每月回访&#10;Monthly follow-up visit"`), so any BPMN modeller shows both and the app shows the line of the
reader's language. A name of one language only is read in that language, except that an English-only name (a
third-party diagram, or a row stored before the diagrams were bilingual) is still translated through the catalogue.
Lines are told apart by what they are written in, not by their order: lines with Chinese characters make the Chinese
name, the others the English one (an English name wrapped over two lines stays one English name).
"""

from collections.abc import Callable
from dataclasses import dataclass


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\uf900" <= char <= "\ufaff"


def has_chinese(text: str) -> bool:
    """The text has a Chinese (CJK ideograph) character."""
    return any(_is_chinese(char) for char in text)


def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Label:
    """A name's Chinese and English line; either is '' when the name has none."""

    zh: str
    en: str

    @property
    def bilingual(self) -> bool:
        return bool(self.zh and self.en)

    @property
    def key(self) -> str:
        """The language-neutral key of the name: its English line, else its Chinese one (lane → role lookups)."""
        return self.en or self.zh


def split(name: str | None) -> Label:
    """The Chinese and the English part of a BPMN name, each with its white space collapsed."""
    zh, en = [], []
    for line in (name or "").splitlines():
        line = _collapse(line)
        if line:
            (zh if has_chinese(line) else en).append(line)
    return Label(" ".join(zh), " ".join(en))


def join(zh: str, en: str) -> str:
    """The bilingual name: the Chinese line, a line break, the English line (one of them alone if the other is
    empty)."""
    return "\n".join(part for part in (_collapse(zh), _collapse(en)) if part)


def empty_lines(name: str | None) -> bool:
    """The name is written on several lines and one of them is blank (a bilingual name missing a language)."""
    lines = (name or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return len(lines) > 1 and any(not line.strip() for line in lines)


def text(name: str | None, locale: str, translate: Callable[[str], str] | None = None) -> str:
    """The name as a reader of `locale` ('zh', 'zh_CN', 'en', …) sees it: the line of their language, else the
    other line; an English-only name read in Chinese goes through `translate` (the catalogue)."""
    label = split(name)
    if str(locale or "").lower().startswith("zh"):
        if label.zh:
            return label.zh
        return translate(label.en) if translate and label.en else label.en
    return label.en or label.zh
