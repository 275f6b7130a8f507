"""Bilingual BPMN names: splitting a name into its Chinese and English line, and the line a reader gets."""

import pytest

from caseflow.domain import labels
from caseflow.domain.actor import lane_role
from caseflow.domain.enums import Role

CATALOGUE = {"Monthly follow-up visit": "月度回访"}


def translate(text: str) -> str:
    return CATALOGUE.get(text, text)


@pytest.mark.parametrize(("name", "zh", "en"), [
    ("每月回访\nMonthly follow-up visit", "每月回访", "Monthly follow-up visit"),
    ("Monthly follow-up visit\n每月回访", "每月回访", "Monthly follow-up visit"),  # told apart by script, not order
    ("  每月 回访 \r\n  Monthly   follow-up visit  ", "每月 回访", "Monthly follow-up visit"),
    ("Record the month's\nvisit as missed", "", "Record the month's visit as missed"),  # one name, wrapped
    ("Monthly follow-up visit", "", "Monthly follow-up visit"),
    ("每月回访", "每月回访", ""),
    ("30天后\n30 days later", "30天后", "30 days later"),
    ("每月回访\n", "每月回访", ""),
    ("", "", ""),
    (None, "", ""),
])
def test_a_name_splits_into_its_chinese_and_english_line(name, zh, en):
    assert labels.split(name) == labels.Label(zh, en)


def test_joining_writes_chinese_first_and_splits_back():
    assert labels.join("每月回访", "Monthly follow-up visit") == "每月回访\nMonthly follow-up visit"
    assert labels.join("", "Monthly follow-up visit") == "Monthly follow-up visit"
    assert labels.split(labels.join(" 每月回访 ", "Monthly  visit")) == labels.Label("每月回访", "Monthly visit")


def test_each_reader_gets_the_line_of_their_language():
    name = "每月回访\nMonthly follow-up visit"
    assert labels.text(name, "zh", translate) == labels.text(name, "zh_Hans_CN") == "每月回访"
    assert labels.text(name, "en", translate) == "Monthly follow-up visit"


def test_a_name_of_one_language_is_read_in_it_and_english_goes_through_the_catalogue():
    assert labels.text("Monthly follow-up visit", "zh", translate) == "月度回访"
    assert labels.text("Monthly follow-up visit", "en", translate) == "Monthly follow-up visit"
    assert labels.text("A name nobody translated", "zh", translate) == "A name nobody translated"
    assert labels.text("Monthly follow-up visit", "zh") == "Monthly follow-up visit"  # no catalogue given
    assert labels.text("每月回访", "en", translate) == "每月回访"
    assert labels.text(None, "zh", translate) == ""


@pytest.mark.parametrize(("name", "empty"), [
    ("每月回访\nMonthly follow-up visit", False), ("Monthly follow-up visit", False), ("每月回访\n", True),
    ("\nMonthly follow-up visit", True), ("每月回访\n  \nMonthly", True), ("Record the month's\nvisit", False),
])
def test_a_bilingual_name_missing_a_line_is_noticed(name, empty):
    assert labels.empty_lines(name) is empty


def test_a_bilingual_lane_names_its_role_by_its_english_line():
    assert lane_role("就业服务专员\nCaseworker") == lane_role("Caseworker") == Role.CASEWORKER
    assert lane_role("  主管 \n supervisor ") == Role.SUPERVISOR
    assert lane_role("caseworker") == Role.CASEWORKER  # the inbox row stores the role's value
    assert lane_role("就业服务专员") is None and lane_role(None) is None

