"""Give the elements of BPMN files bilingual names: the Chinese line from the zh catalogue, then the English name.

    python scripts/bilingual_names.py workflows/bpmn/*.bpmn            # rewrite the files, then lay them out again
    python scripts/bilingual_names.py --check workflows/bpmn/*.bpmn    # list names that have no Chinese line

A name that already has a Chinese line is kept; an English-only name the catalogue translates becomes
"中文\\nEnglish"; one it does not translate is listed and kept. Ids, message names and everything else stay as they
are. The diagrams are laid out again (scripts/bpmn_layout.py), since two-line labels are taller.
"""

import argparse
import io
import sys
from pathlib import Path

from babel.support import Translations
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from bpmn_layout import keep_spelling, relayout  # noqa: E402

from caseflow.domain import labels  # noqa: E402

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SKIPPED = {f"{{{BPMN_NS}}}message"}  # message names are what workflows correlate on, not labels


def named_elements(root):
    """The BPMN model elements whose name users read."""
    for element in root.iter():
        if (isinstance(element.tag, str) and element.tag.startswith(f"{{{BPMN_NS}}}")
                and element.tag not in SKIPPED and (element.get("name") or "").strip()):
            yield element


def bilingual(data: bytes, translate) -> tuple[bytes, list[str]]:
    """The document with its English-only names made bilingual, and the names the catalogue has no Chinese for."""
    tree = etree.parse(io.BytesIO(data), etree.XMLParser(strip_cdata=False))
    untranslated = []
    for element in named_elements(tree.getroot()):
        label = labels.split(element.get("name"))
        if label.zh:
            continue
        chinese = translate(label.en)
        if chinese == label.en or not labels.has_chinese(chinese):
            untranslated.append(f"{element.get('id')}: {label.en}")
            continue
        element.set("name", labels.join(chinese, label.en))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), untranslated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list names with no Chinese line")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    catalogue = Translations.load(str(ROOT / "caseflow" / "translations"), ["zh"])
    missing = 0
    for path in args.files:
        data = path.read_bytes()
        if args.check:
            root = etree.parse(io.BytesIO(data)).getroot()
            lacking = [f"{e.get('id')}: {labels.split(e.get('name')).en}" for e in named_elements(root)
                       if not labels.split(e.get("name")).zh]
        else:
            produced, lacking = bilingual(data, catalogue.gettext)
            wanted = keep_spelling(data.decode("utf-8"), relayout(produced))
            if wanted != data.decode("utf-8"):
                path.write_text(wanted, encoding="utf-8")
        for line in lacking:
            print(f"{path}: no Chinese name for {line}")
        missing += len(lacking)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
