"""The application factory."""

import secrets
from pathlib import Path

from flask import Flask, has_app_context, request, session
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from caseflow import config, engine, models  # noqa: F401 (models register their tables)
from caseflow.domain.clock import Clock
from caseflow.extensions import babel, csrf, db, limiter, login_manager, migrate
from caseflow.services.clock import now as app_now
from caseflow.tasks import load_handlers

SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
MIGRATIONS_DIR = str(Path(__file__).resolve().parent / "migrations")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _select_locale() -> str:
    """The language the user picked, else the browser's preference among ours, else Chinese."""
    chosen = session.get("lang")
    if chosen in SUPPORTED_LOCALES:
        return chosen
    return request.accept_languages.best_match(SUPPORTED_LOCALES, default=DEFAULT_LOCALE)


def _load_user(user_id: str):
    from caseflow.services.accounts import load_session_user

    return load_session_user(user_id)


def _secret_key(app: Flask) -> str:
    """A per-installation key kept in the instance folder when none is configured."""
    path = Path(app.instance_path, "secret_key")
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(overrides: dict | None = None) -> Flask:
    """Build a Caseflow app: config, extensions, engine wiring, blueprints, commands, scheduler."""
    app = Flask(__name__, template_folder=str(config.PROJECT_DIR / "templates"),
                static_folder=str(config.PROJECT_DIR / "static"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(config.from_environment(app.instance_path))
    app.config.update(overrides or {})
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"] or _secret_key(app)
    if app.config["CASEFLOW_PROXY_HOPS"]:
        hops = app.config["CASEFLOW_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    login_manager.user_loader(_load_user)
    babel.init_app(app, locale_selector=_select_locale,
                   default_translation_directories=str(config.PROJECT_DIR / "caseflow" / "translations"))
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            db.engine.dispose()

    clock = app.config.get("CASEFLOW_CLOCK") or Clock()
    app.extensions["caseflow.clock"] = clock
    engine.configure(operations=load_handlers(), now=lambda: app_now() if has_app_context() else clock.now())

    from caseflow import cli, web

    web.register(app)
    cli.register(app)
    if app.config["CASEFLOW_SCHEDULER"]:
        from caseflow import scheduler

        scheduler.start(app)
    return app

