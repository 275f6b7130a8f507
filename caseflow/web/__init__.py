"""Blueprints and the one place domain errors become HTTP responses."""

import math
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_timedelta, get_locale, gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from caseflow.domain import labels
from caseflow.errors import N_, CaseflowError, InvalidSpec, OutOfRegion, Throttled
from caseflow.services.workflow import record_refusal
from caseflow.web import params


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


def bpmn_label(name: str | None) -> str:
    """A BPMN element's name in the user's language: the line of their language of a bilingual name, an
    English-only one (older rows, third-party diagrams) through the catalogue (domain.labels)."""
    return labels.text(name, str(get_locale() or "zh"), gettext)


def _error_response(name: str, message: str, status: int, headers: dict | None = None, errors: dict | None = None):
    if _wants_json():
        body = {"error": name, "message": message, **({"errors": errors} if errors else {})}
        return jsonify(body), status, headers or {}
    return render_template("errors/error.html", status=status, message=message), status, headers or {}


def handle_domain_error(exc: CaseflowError):
    if isinstance(exc, OutOfRegion):
        record_refusal(exc)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else {}
    errors = exc.params.get("errors")
    return _error_response(type(exc).__name__, error_text(exc), exc.http_status, headers,
                           errors if isinstance(errors, dict) else None)


HTTP_MESSAGES = {
    400: N_("the request could not be understood"),
    404: N_("there is no such page"),
    405: N_("this page does not accept that kind of request"),
    413: N_("the request is too large"),
    415: N_("send a JSON body (Content-Type: application/json)"),
    422: N_("some fields of the request are missing or wrong; see errors"),
}
EXPIRED_FORM = N_("the form has expired or was not sent from this site; reload the page and try again")


def _handle_http_error(exc: HTTPException):
    """Werkzeug's refusals (no such route, wrong method, too large, CSRF) in the user's language, like ours."""
    if exc.code is None or exc.code < 400 or exc.code >= 500:
        return exc
    if isinstance(exc, CSRFError):
        message = EXPIRED_FORM
    else:
        message = HTTP_MESSAGES.get(exc.code, HTTP_MESSAGES[400])
    data = getattr(exc, "data", None) or {}  # webargs puts what failed validation here (the API's 422)
    errors = data.get("messages") if isinstance(data, dict) else None
    return _error_response(type(exc).__name__, gettext(message), exc.code, errors=errors)


PUBLIC_ENDPOINTS = {"auth.login", "static", "home.set_language", "home.viewer_file",
                    "api-docs.openapi_json", "api_v1_docs.docs", "api_v1_docs.docs_asset"}  # the API's document


PASSWORD_CHANGE_ENDPOINTS = {"auth.change_password", "auth.logout"}


def _api_token():
    """An /api/ request with a bearer token acts as the token's actor; an unknown or revoked token is refused."""
    from caseflow.web import api_v1

    if request.path.startswith("/api/") and api_v1.authenticate_request() is False:
        return jsonify(error="Unauthorized", message=gettext("the API token is unknown or revoked")), 401
    return None


def _require_sign_in():
    """Every page but sign-in needs a signed-in user; programs get 401, people the sign-in page. A user who must
    change the password (an imported account, or after an administrator's reset) gets that page first."""
    if request.endpoint in PUBLIC_ENDPOINTS or g.get("api_actor") is not None:
        return None
    if current_user.is_authenticated:
        if not current_user.must_change_password or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
            return None
        if request.path.startswith("/api/"):
            return jsonify(error="Forbidden", message=gettext("change your password first")), 403
        return redirect(url_for("auth.change_password"))
    if request.path.startswith("/api/"):
        return jsonify(error="Unauthorized", message=gettext("sign in first")), 401
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def register(app: Flask) -> None:
    from caseflow.web import (
        admin,
        api,
        api_v1,
        auth,
        campaign,
        cases,
        designer,
        home,
        inbox,
        ledger,
        postings,
        security,
        supervision,
        tasks,
        visibility,
    )

    app.url_map.converters.update(params.CONVERTERS)  # before any rule is bound to a converter
    app.add_template_filter(bpmn_label, "bpmn_label")
    blueprints = (auth.bp, home.bp, inbox.bp, tasks.bp, cases.bp, postings.bp, supervision.bp, campaign.bp, admin.bp,
                  api.bp, ledger.bp, designer.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    api_v1.register(app)
    app.before_request(params.refuse_hostile_request)
    visibility.register(app)
    app.before_request(_api_token)
    app.before_request(_require_sign_in)
    app.register_error_handler(CaseflowError, handle_domain_error)
    app.register_error_handler(HTTPException, _handle_http_error)
    app.after_request(security.add_headers)
