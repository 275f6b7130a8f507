"""Pure rules of supervision: working days back, report instants, month ends, and who gets a new case."""

from datetime import UTC, date, datetime

from caseflow.domain.enums import AssignmentRule
from caseflow.domain.supervision import end_of_day, month_ends, rate, working_days_before
from caseflow.services.assignment import Staff, pick, stand_in


def test_working_days_before_skips_weekends_and_the_national_day_holiday():
    assert working_days_before(date(2026, 7, 6), 1) == date(2026, 7, 3)  # Monday → Friday
    assert working_days_before(date(2026, 10, 8), 1) == date(2026, 9, 30)  # 1–7 October is the holiday


def test_a_report_is_taken_at_the_end_of_its_day_in_beijing():
    assert end_of_day(date(2026, 8, 10)) == datetime(2026, 8, 10, 16, 0, tzinfo=UTC)


def test_month_ends_end_with_the_report_date():
    assert month_ends(date(2026, 3, 15), 3) == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 15)]


def test_rate_is_undefined_without_a_denominator():
    assert rate(1, 4) == 0.25 and rate(0, 0) is None


def staff(rule=AssignmentRule.BALANCED, away=()):
    return Staff(rule, {"a": "220102", "b": "220102", "street": "220102001"}, frozenset(away))


def test_balanced_assignment_takes_the_least_loaded_and_counts_the_case():
    queue = [(0, "a"), (2, "b"), (1, "street")]
    assert [pick(queue, area=None, staff=staff()) for _ in range(3)] == ["a", "a", "street"]


def test_nobody_away_gets_new_cases_unless_everyone_is():
    queue = [(0, "a"), (5, "b")]
    assert pick(queue, area=None, staff=staff(away={"a"})) == "b"
    assert pick([(0, "a")], area=None, staff=staff(away={"a"})) == "a"  # their substitute takes the tasks


def test_the_street_rule_prefers_the_graduates_street_and_falls_back_to_balanced():
    queue = [(0, "a"), (9, "street")]
    assert pick(queue, area="220102001004", staff=staff(AssignmentRule.STREET)) == "street"
    assert pick(queue, area="220102002", staff=staff(AssignmentRule.STREET)) == "a"


def test_a_chain_of_absences_ends_at_someone_present_and_never_loops():
    assert stand_in("a", {"a": "b", "b": "c"}) == "c"
    assert stand_in("a", {"a": "b", "b": "a"}) == "b"
    assert stand_in("x", {"a": "b"}) == "x"
