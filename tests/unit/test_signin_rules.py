"""The sign-in throttle and the password policy as pure rules over a name's recent outcomes."""

from datetime import UTC, datetime, timedelta

from caseflow.domain.signin import (
    ACCOUNT_CEILING,
    FREE_FAILURES,
    MAX_WAIT,
    WINDOW,
    Outcome,
    account_wait,
    backoff,
    pair_wait,
    password_problem,
)

NOW = datetime(2026, 7, 1, 1, 0, tzinfo=UTC)


def failures(address: str, count: int, *, at: datetime = NOW) -> list[Outcome]:
    return [Outcome(at, address, False) for _ in range(count)]


def test_backoff_is_free_at_first_then_doubles_up_to_the_cap():
    waits = [backoff(n).total_seconds() for n in range(FREE_FAILURES + 7)]
    assert waits == [0] * FREE_FAILURES + [30, 60, 120, 240, 480, 900, 900]
    assert backoff(10_000) == MAX_WAIT


def test_the_wait_holds_only_the_address_the_failures_came_from():
    history = failures("203.0.113.7", 5)
    assert pair_wait(history, address="203.0.113.7", now=NOW) == timedelta(minutes=2)
    assert pair_wait(history, address="10.0.0.1", now=NOW) is None


def test_the_wait_runs_out_and_a_success_from_that_address_clears_the_count():
    history = failures("10.0.0.1", 4)
    assert pair_wait(history, address="10.0.0.1", now=NOW + timedelta(seconds=45)) == timedelta(seconds=15)
    assert pair_wait(history, address="10.0.0.1", now=NOW + timedelta(seconds=60)) is None
    cleared = [*history, Outcome(NOW + timedelta(seconds=61), "10.0.0.1", True), *failures("10.0.0.1", 1)]
    assert pair_wait(cleared, address="10.0.0.1", now=NOW + timedelta(seconds=62)) is None


def test_failures_older_than_the_window_are_forgotten():
    history = failures("10.0.0.1", 9)
    assert pair_wait(history, address="10.0.0.1", now=NOW + WINDOW - timedelta(seconds=1)) is None  # waits are capped
    assert account_wait(failures("x", ACCOUNT_CEILING), now=NOW + WINDOW) is None


def test_the_account_ceiling_counts_every_address_and_frees_when_the_oldest_failures_age_out():
    history = [Outcome(NOW + timedelta(minutes=n), f"203.0.113.{n}", False) for n in range(ACCOUNT_CEILING)]
    assert account_wait(history[:-1], now=NOW + timedelta(minutes=50)) is None
    assert account_wait(history, now=NOW + timedelta(minutes=50)) == timedelta(minutes=10)
    assert account_wait(history, now=NOW + timedelta(minutes=60)) is None


def test_the_password_policy():
    def problem(new, current="caseflow-demo"):
        return password_problem(new, username="nanguan_cw1", current=current, forbidden=("caseflow-demo",))

    assert problem("short") == "the new password must have at least %(n)s characters"
    assert problem(" Nanguan_CW1 ") == "the new password must not be your user name"
    assert problem("caseflow-demo") == "the new password must not be the demo password"
    unchanged = problem("lilac-harbour-42", current="lilac-harbour-42")
    assert unchanged == "the new password must differ from the current one"
    assert problem("lilac-harbour-42") is None
