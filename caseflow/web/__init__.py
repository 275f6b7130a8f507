"""Blueprints and the one place domain errors become HTTP responses."""

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext

from caseflow.errors import CaseflowError, InvalidSpec
from caseflow.services.clock import refresh_simulated_clock


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_text(exc: CaseflowError) -> str:
    """The error's message in the user's language."""
    text = gettext(exc.message, **exc.params)
    if isinstance(exc, InvalidSpec) and (exc.file or exc.element):
        where = ", ".join(filter(None, (exc.file, exc.element)))
        text = f"{text} ({where})"
    return text


def _handle_domain_error(exc: CaseflowError):
    status = exc.http_status
    if _wants_json():
        return jsonify(error=type(exc).__name__, message=error_text(exc)), status
    return render_template("errors/error.html", status=status, message=error_text(exc)), status


def register(app: Flask) -> None:
    from caseflow.web import api, home

    app.register_blueprint(home.bp)
    app.register_blueprint(api.bp)
    app.register_error_handler(CaseflowError, _handle_domain_error)
    if app.config["CASEFLOW_SIMULATED_CLOCK"]:
        app.before_request(refresh_simulated_clock)
