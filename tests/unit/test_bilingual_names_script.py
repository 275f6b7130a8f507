"""scripts/bilingual_names.py: English-only names the catalogue translates become bilingual; nothing else moves."""

import sys
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from bilingual_names import bilingual  # noqa: E402

CATALOGUE = {"Monthly follow-up visit": "月度回访"}


def translate(text: str) -> str:
    return CATALOGUE.get(text, text)


def test_the_script_makes_english_names_bilingual_and_leaves_ids_and_messages_alone():
    xml = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://x">
  <bpmn:message id="msg" name="Monthly follow-up visit"/>
  <bpmn:process id="p" name="Monthly follow-up visit">
    <bpmn:userTask id="t" name="\xe6\xaf\x8f\xe6\x9c\x88\xe5\x9b\x9e\xe8\xae\xbf&#10;Visit"/>
    <bpmn:endEvent id="e" name="Nobody translated this"/>
  </bpmn:process>
</bpmn:definitions>"""
    produced, untranslated = bilingual(xml, translate)
    names = {e.get("id"): e.get("name") for e in etree.fromstring(produced).iter() if e.get("id")}
    assert names == {"d": None, "msg": "Monthly follow-up visit", "p": "月度回访\nMonthly follow-up visit",
                     "t": "每月回访\nVisit", "e": "Nobody translated this"}
    assert untranslated == ["e: Nobody translated this"]
