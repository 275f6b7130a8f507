"""Maintain the translation catalogs: extract messages, merge them into zh_CN, apply translations, compile.

    python scripts/i18n.py update              # extract + merge; lists messages still untranslated
    python scripts/i18n.py apply FILE.json     # set translations from a {msgid: text} JSON file
                                               # (a pgettext message: {"context\u0004msgid": text})
    python scripts/i18n.py compile             # write the .mo files the app loads
"""

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TRANSLATIONS = ROOT / "caseflow" / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh",)


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=ROOT, check=True)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def _bpmn_names() -> list[str]:
    """Names of processes, lanes, tasks, events, gateways and flows in workflows/bpmn (not messages)."""
    from lxml import etree

    names = []
    for path in sorted((ROOT / "workflows" / "bpmn").glob("*.bpmn")):
        for element in etree.parse(str(path)).iter():
            name = element.get("name") if isinstance(element.tag, str) else None
            if name and "BPMN/20100524/MODEL" in element.tag and not element.tag.endswith("}message"):
                names.append(name)
    return names


def bpmn_labels() -> set[str]:
    """The English of every BPMN name (the English line of a bilingual one): the catalogue keeps translating it for
    what was stored before the names were bilingual (older process versions, inbox rows, event log) and for
    English-only diagrams."""
    from caseflow.domain.labels import split

    return {label.en for label in map(split, _bpmn_names()) if label.en}


def bpmn_chinese() -> dict[str, set[str]]:
    """English line → the Chinese lines the diagrams give it."""
    from caseflow.domain.labels import split

    chinese: dict[str, set[str]] = {}
    for label in map(split, _bpmn_names()):
        if label.bilingual:
            chinese.setdefault(label.en, set()).add(label.zh)
    return chinese


def _add_bpmn_labels() -> None:
    with POT.open("rb") as handle:
        template = read_po(handle)
    for label in sorted(bpmn_labels()):
        if label not in template:
            template.add(label, auto_comments=["BPMN element name"])
    with POT.open("wb") as handle:
        write_po(handle, template, width=0, sort_output=True)


def _take_bpmn_chinese(locale: str) -> None:
    """An untranslated English line of a bilingual name takes the diagram's own Chinese line; one the catalogue
    translates otherwise is listed (the diagram is what users read now)."""
    if locale != "zh":
        return
    with po_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    changed = False
    for english, chinese in sorted(bpmn_chinese().items()):
        message = catalog.get(english)
        if message is None:
            continue
        if not message.string and len(chinese) == 1:
            message.string = next(iter(chinese))
            changed = True
        elif message.string not in chinese or len(chinese) > 1:
            print(f"  the diagrams and the catalogue differ on {english!r}: {sorted(chinese)} / {message.string!r}")
    if changed:
        with po_path(locale).open("wb") as handle:
            write_po(handle, catalog, width=0, omit_header=False)


def update() -> None:
    _pybabel("extract", "-F", "babel.cfg", "-k", "N_", "-k", "_l", "--no-location", "--sort-output",
             "--project", "Caseflow", "-o", str(POT), ".")
    _add_bpmn_labels()
    for locale in LOCALES:
        _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", locale, "--no-fuzzy-matching",
                 "--ignore-obsolete")
        _take_bpmn_chinese(locale)
        with po_path(locale).open("rb") as handle:
            missing = [m.id for m in read_po(handle) if m.id and not m.string]
        print(f"{locale}: {len(missing)} untranslated")
        for msgid in missing:
            print("  ", json.dumps(msgid, ensure_ascii=False))


def apply(path: str, locale: str = "zh") -> None:
    translations = json.loads(Path(path).read_text(encoding="utf-8"))
    with po_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    for key, text in translations.items():
        context, _, msgid = key.rpartition("\x04")  # "context\x04msgid" for a pgettext message, as gettext keys it
        message = catalog.get(msgid, context=context or None)
        if message is not None:
            message.string = text
            message.flags.discard("fuzzy")
    with po_path(locale).open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)


def compile_all() -> None:
    for locale in LOCALES:
        with po_path(locale).open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        with po_path(locale).with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "apply" and len(sys.argv) == 3:
        apply(sys.argv[2])
    elif command == "compile":
        compile_all()
    else:
        sys.exit(__doc__)
