"""Every user-facing message has a zh_CN translation, placeholders match, and the compiled catalog is fresh."""

import io
import sys
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from i18n import bpmn_chinese, bpmn_labels, po_path  # noqa: E402

METHODS = [("caseflow/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None}


def catalog():
    with po_path("zh").open("rb") as handle:
        return read_po(handle, locale="zh")


def test_every_extracted_message_is_translated():
    translations = catalog()
    found = {message for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)
             if isinstance(message, str)} | bpmn_labels()
    missing = sorted(m for m in found if m not in translations or not translations[m].string)
    assert missing == [], "run `python scripts/i18n.py update`, translate, then `compile`"


def test_translations_keep_their_placeholders():
    errors = [(message.id, errs) for message, errs in catalog().check()]
    assert errors == []


def test_compiled_catalog_matches_the_po_file():
    fresh = io.BytesIO()
    write_mo(fresh, catalog())
    assert po_path("zh").with_suffix(".mo").read_bytes() == fresh.getvalue(), "run `python scripts/i18n.py compile`"


def test_the_catalogue_translates_each_english_bpmn_name_as_the_diagrams_do():
    """Rows stored before the names were bilingual (English only) read as the diagrams' Chinese line reads now."""
    translations = catalog()
    differ = {english: (sorted(chinese), translations[english].string) for english, chinese in bpmn_chinese().items()
              if len(chinese) > 1 or translations[english].string not in chinese}
    assert differ == {}, "the diagrams' Chinese line and the catalogue differ: make them agree"
