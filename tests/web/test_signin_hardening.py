"""Sign-in and sessions under attack: throttling per name and address (on the app clock), the per-address
limit, sessions ended server-side by sign-out and password change."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from web_helpers import PASSWORD, csrf_token, login

from caseflow.domain.enums import EventAction
from caseflow.extensions import db
from caseflow.models import EventLog

NEW_PASSWORD = "lilac-harbour-42"


def client_at(app, address: str):
    """A browser of its own at this client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, username: str, password: str = PASSWORD, *, address: str | None = None):
    """One sign-in form post (from `address` when given, else the client's own)."""
    overrides = {"REMOTE_ADDR": address} if address else {}
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": csrf_token(client)}, environ_overrides=overrides)


def events(app, action: str) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(select(EventLog.actor, EventLog.detail).where(EventLog.action == action)
                                  .order_by(EventLog.id))
        return [{"actor": actor, **detail} for actor, detail in rows]


def retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_a_strangers_wrong_passwords_do_not_lock_the_real_user_out(app, client, demo_users):
    stranger = client_at(app, "203.0.113.7")
    answers = [attempt(stranger, "nanguan_cw1", "guess").status_code for _ in range(8)]
    assert answers == [401, 401, 401, 429, 429, 429, 429, 429]  # the stranger waits, from the stranger's address
    assert attempt(stranger, "nanguan_cw1").status_code == 429  # even with the right password
    real_user = client_at(app, "10.20.30.40")
    assert attempt(real_user, "nanguan_cw1").status_code == 302
    assert real_user.get("/inbox").status_code == 200
    failed, throttled = events(app, EventAction.LOGIN_FAILED), events(app, EventAction.LOGIN_THROTTLED)
    assert [(e["actor"], e["ip"]) for e in failed] == [("nanguan_cw1", "203.0.113.7")] * 3
    assert len(throttled) == 6 and {(e["ip"], e["scope"]) for e in throttled} == {("203.0.113.7", "name_address")}
    assert [e["ip"] for e in events(app, EventAction.LOGGED_IN)] == ["10.20.30.40"]


def test_one_address_trying_many_names_gets_429_with_a_wait(app, client, demo_users):
    prober = client_at(app, "198.51.100.1")
    assert [attempt(prober, f"user{n}", "guess").status_code for n in range(10)] == [401] * 10
    refused = attempt(prober, "user10", "guess")
    assert refused.status_code == 429 and 0 < retry_after(refused) <= 60
    assert "登录失败次数过多" in refused.get_data(as_text=True)
    assert [(e["actor"], e["scope"]) for e in events(app, EventAction.LOGIN_THROTTLED)] == [("user10", "address")]
    assert attempt(client_at(app, "10.20.30.40"), "nanguan_cw1").status_code == 302  # other addresses sign in


def test_successful_sign_ins_from_a_shared_address_do_not_count_against_it(app, client, demo_users):
    office = client_at(app, "192.0.2.10")
    for _ in range(12):
        assert attempt(office, "nanguan_cw2").status_code == 302


def test_backoff_per_name_and_address_grows_and_expires_on_the_app_clock(app, client, demo_users, clock):
    app.config["CASEFLOW_SIGNIN_LIMIT"] = "1000 per minute"  # this test is about the per-name backoff only
    browser = client_at(app, "10.0.0.5")
    assert [attempt(browser, "nanguan_cw1", "typo").status_code for _ in range(3)] == [401] * 3
    waiting = attempt(browser, "nanguan_cw1")
    assert waiting.status_code == 429 and retry_after(waiting) == 30
    clock.advance(timedelta(seconds=29))
    assert retry_after(attempt(browser, "nanguan_cw1")) == 1
    clock.advance(timedelta(seconds=1))
    assert attempt(browser, "nanguan_cw1", "typo").status_code == 401  # the wait is over; a 4th failure
    assert retry_after(attempt(browser, "nanguan_cw1")) == 60  # doubled
    clock.advance(timedelta(seconds=60))
    assert attempt(browser, "nanguan_cw1", "typo").status_code == 401
    assert retry_after(attempt(browser, "nanguan_cw1")) == 120
    clock.advance(timedelta(hours=1))  # failures older than the window are forgotten
    assert attempt(browser, "nanguan_cw1").status_code == 302
    assert attempt(browser, "nanguan_cw1", "typo").status_code == 401  # and a success starts the count afresh
    assert attempt(browser, "nanguan_cw1").status_code == 302


def test_many_addresses_reach_the_account_ceiling_but_the_users_known_address_still_signs_in(
        app, client, demo_users, clock):
    assert attempt(client_at(app, "10.0.0.1"), "nanguan_cw1").status_code == 302  # the user's office
    clock.advance(timedelta(hours=2))
    botnet = client_at(app, "203.0.113.1")
    assert {attempt(botnet, "nanguan_cw1", f"guess{n}", address=f"203.0.113.{n}").status_code
            for n in range(50)} == {401}
    new_place = attempt(client_at(app, "198.51.100.77"), "nanguan_cw1")
    assert new_place.status_code == 429 and retry_after(new_place) == 3600
    assert attempt(client_at(app, "10.0.0.1"), "nanguan_cw1").status_code == 302
    clock.advance(timedelta(hours=1))
    assert attempt(client_at(app, "198.51.100.77"), "nanguan_cw1").status_code == 302


def test_a_session_cookie_captured_before_sign_out_is_refused_after_it(app, client, demo_users):
    login(client, "nanguan_cw1")
    captured = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/inbox").status_code == 200  # the copy works while the user is signed in
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")}).status_code == 302
    refused = thief.get("/inbox")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert [e["actor"] for e in events(app, EventAction.LOGGED_OUT)] == ["nanguan_cw1"]


def _change_password(client, current: str, new: str, again: str | None = None):
    return client.post("/account/password", data={"current": current, "new": new, "again": new if again is None
                                                  else again, "csrf_token": csrf_token(client, "/account/password")})


def test_a_password_change_ends_the_users_other_sessions(app, client, demo_users):
    laptop, phone = client, client_at(app, "10.9.8.7")
    login(laptop, "nanguan_cw1")
    login(phone, "nanguan_cw1")
    assert "修改密码" in laptop.get("/account/password").get_data(as_text=True)
    assert _change_password(laptop, PASSWORD, NEW_PASSWORD).status_code == 302
    assert laptop.get("/inbox").status_code == 200  # this session goes on
    assert phone.get("/inbox").status_code == 302  # the other one ended
    assert login(phone, "nanguan_cw1").status_code == 401
    assert login(phone, "nanguan_cw1", NEW_PASSWORD).status_code == 302
    assert [e["actor"] for e in events(app, EventAction.PASSWORD_CHANGED)] == ["nanguan_cw1"]


@pytest.mark.parametrize("case", [
    (PASSWORD, "short-pw", None, 400, "at least 10 characters"),
    (PASSWORD, "NANGUAN_CW1", None, 400, "must not be your user name"),
    (PASSWORD, PASSWORD, None, 400, "must not be the demo password"),
    (PASSWORD, NEW_PASSWORD, "lilac-harbour-43", 400, "The two new passwords differ."),
    ("not-my-password", NEW_PASSWORD, None, 403, "the current password is wrong"),
])
def test_a_password_change_keeps_to_the_policy(app, client, demo_users, case):
    current, new, again, status, message = case
    login(client, "nanguan_cw1")
    client.get("/lang/en")
    refused = _change_password(client, current, new, again)
    assert refused.status_code == status and message in refused.get_data(as_text=True)
    assert login(client, "nanguan_cw1").status_code == 302  # the password did not change
    assert len(events(app, EventAction.LOGIN_FAILED)) == (1 if status == 403 else 0)


def test_a_new_password_needs_the_current_one_to_be_guessed_slowly(app, client, demo_users):
    login(client, "nanguan_cw1")
    assert [_change_password(client, f"guess{n}", NEW_PASSWORD).status_code for n in range(4)] == [403] * 3 + [429]
