"""Blueprints and the one place domain errors become HTTP responses."""

import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask_babel import format_timedelta, gettext
from flask_login import current_user

from caseflow.errors import CaseflowError, InvalidSpec, OutOfRegion, Throttled
from caseflow.services.workflow import record_refusal


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def safe_next(target: str | None, default: str) -> str:
    """A redirect target on this site only: a plain path, no scheme, host, backslash or control character."""
    if not target or any(ord(c) < 32 or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def _duration(value: timedelta) -> str:
    """A wait in the user's language, never shorter than it is: seconds below a minute, else whole minutes."""
    seconds = math.ceil(value.total_seconds())
    rounded = timedelta(seconds=seconds) if seconds < 60 else timedelta(minutes=math.ceil(seconds / 60))
    return format_timedelta(rounded, threshold=1)


def error_text(exc: CaseflowError) -> str:
    """The error's message in the user's language (a duration reads as one, e.g. "2 minutes" / "2分钟")."""
    params = {name: _duration(value) if isinstance(value, timedelta) else value for name, value in exc.params.items()}
    text = gettext(exc.message, **params)
    if isinstance(exc, InvalidSpec) and (exc.file or exc.element):
        where = ", ".join(filter(None, (exc.file, exc.element)))
        text = f"{text} ({where})"
    return text


def handle_domain_error(exc: CaseflowError):
    if isinstance(exc, OutOfRegion):
        record_refusal(exc)
    status = exc.http_status
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else {}
    if _wants_json():
        return jsonify(error=type(exc).__name__, message=error_text(exc)), status, headers
    return render_template("errors/error.html", status=status, message=error_text(exc)), status, headers


PUBLIC_ENDPOINTS = {"auth.login", "static", "home.set_language", "home.viewer_file"}


def _require_sign_in():
    """Every page but sign-in needs a signed-in user; programs get 401, people the sign-in page."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="Unauthorized", message=gettext("sign in first")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register(app: Flask) -> None:
    from caseflow.web import api, auth, cases, home, inbox, postings, security, supervision, tasks

    for blueprint in (auth.bp, home.bp, inbox.bp, tasks.bp, cases.bp, postings.bp, supervision.bp, api.bp):
        app.register_blueprint(blueprint)
    app.before_request(_require_sign_in)
    app.register_error_handler(CaseflowError, handle_domain_error)
    app.after_request(security.add_headers)
