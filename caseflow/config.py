"""Defaults, overridden by CASEFLOW_* environment variables, then by create_app(overrides)."""

import os
from pathlib import Path

from caseflow.domain.enums import AssignmentRule, StalledRule

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def from_environment(instance_path: str) -> dict:
    """Configuration for this installation; SQLite (WAL) in the instance folder unless a URL is set."""
    default_db = f"sqlite:///{Path(instance_path, 'caseflow.db')}"
    return {
        "SQLALCHEMY_DATABASE_URI": os.environ.get("CASEFLOW_DATABASE_URL", default_db),
        "SECRET_KEY": os.environ.get("CASEFLOW_SECRET_KEY"),
        "CASEFLOW_DATA_KEY": os.environ.get("CASEFLOW_DATA_KEY"),
        "CASEFLOW_WORKFLOWS_DIR": os.environ.get("CASEFLOW_WORKFLOWS_DIR", str(PROJECT_DIR / "workflows")),
        # Where the designer's publish writes the published BPMN/DMN files (default: the workflows directory).
        "CASEFLOW_PUBLISH_DIR": os.environ.get("CASEFLOW_PUBLISH_DIR"),
        "CASEFLOW_SIMULATED_CLOCK": _flag("CASEFLOW_SIMULATED_CLOCK", False),
        "CASEFLOW_SCHEDULER": _flag("CASEFLOW_SCHEDULER", False),
        "CASEFLOW_SWEEP_SECONDS": int(os.environ.get("CASEFLOW_SWEEP_SECONDS", "30")),
        "CASEFLOW_LEASE_SECONDS": int(os.environ.get("CASEFLOW_LEASE_SECONDS", "300")),
        "CASEFLOW_DEPLOY_ON_START": _flag("CASEFLOW_DEPLOY_ON_START", True),
        # Policy parameters DOMAIN.md marks [param]: defaults, overridable per installation.
        "CASEFLOW_DEFAULT_PROFILE": os.environ.get("CASEFLOW_DEFAULT_PROFILE", "jilin_1311"),
        "CASEFLOW_UNREACHABLE_ATTEMPTS": int(os.environ.get("CASEFLOW_UNREACHABLE_ATTEMPTS", "3")),
        "CASEFLOW_UNREACHABLE_CHANNELS": int(os.environ.get("CASEFLOW_UNREACHABLE_CHANNELS", "2")),
        "CASEFLOW_FIRST_CONTACT_DAYS": int(os.environ.get("CASEFLOW_FIRST_CONTACT_DAYS", "30")),
        "CASEFLOW_PACKAGE_DUE_DAYS": int(os.environ.get("CASEFLOW_PACKAGE_DUE_DAYS", "30")),
        "CASEFLOW_HARDSHIP_FALLBACK": os.environ.get("CASEFLOW_HARDSHIP_FALLBACK", "11-30"),
        "CASEFLOW_POST_PLACEMENT_CHECK": os.environ.get("CASEFLOW_POST_PLACEMENT_CHECK", "P3M"),
        # Rules the seeds fix, kept as data: 2 years after leaving school a graduate still without work is an
        # employment-difficulty candidate and is no longer offered internships (001 §(十四)); a guaranteed
        # startup loan is at most 200,000 yuan, 220,000 per partner of a partnership (001 §(十)).
        "CASEFLOW_DIFFICULTY_YEARS": int(os.environ.get("CASEFLOW_DIFFICULTY_YEARS", "2")),
        "CASEFLOW_STARTUP_LOAN_MAX": int(os.environ.get("CASEFLOW_STARTUP_LOAN_MAX", "200000")),
        "CASEFLOW_STARTUP_LOAN_MAX_PARTNER": int(os.environ.get("CASEFLOW_STARTUP_LOAN_MAX_PARTNER", "220000")),
        # Job matching (seed 000 §7: push 3 to 5 postings) and the posting register's import bounds.
        "CASEFLOW_PUSH_MIN": int(os.environ.get("CASEFLOW_PUSH_MIN", "3")),
        "CASEFLOW_PUSH_MAX": int(os.environ.get("CASEFLOW_PUSH_MAX", "5")),
        "CASEFLOW_MATCH_WEIGHT_MAJOR": int(os.environ.get("CASEFLOW_MATCH_WEIGHT_MAJOR", "4")),
        "CASEFLOW_MATCH_WEIGHT_INDUSTRY": int(os.environ.get("CASEFLOW_MATCH_WEIGHT_INDUSTRY", "2")),
        "CASEFLOW_MATCH_WEIGHT_PLACE": int(os.environ.get("CASEFLOW_MATCH_WEIGHT_PLACE", "1")),
        "CASEFLOW_POSTING_IMPORT_MAX_BYTES": int(os.environ.get("CASEFLOW_POSTING_IMPORT_MAX_BYTES", str(2 << 20))),
        # a ledger uploaded in the browser (500,000 rows of CSV take ~120 MB); its background job polls every
        # CASEFLOW_LEDGER_JOB_SECONDS and counts as interrupted without a heartbeat for ..._STALE_SECONDS
        "CASEFLOW_LEDGER_UPLOAD_MAX_BYTES": int(os.environ.get("CASEFLOW_LEDGER_UPLOAD_MAX_BYTES", str(160 << 20))),
        "CASEFLOW_LEDGER_JOB_SECONDS": int(os.environ.get("CASEFLOW_LEDGER_JOB_SECONDS", "2")),
        "CASEFLOW_LEDGER_JOB_STALE_SECONDS": int(os.environ.get("CASEFLOW_LEDGER_JOB_STALE_SECONDS", "300")),
        "CASEFLOW_POSTING_IMPORT_MAX_ROWS": int(os.environ.get("CASEFLOW_POSTING_IMPORT_MAX_ROWS", "1000")),
        # Supervision: which stalled/at-risk lists are on, their thresholds, how new handovers are assigned.
        "CASEFLOW_STALLED_RULES": os.environ.get("CASEFLOW_STALLED_RULES", ",".join(StalledRule)),
        "CASEFLOW_NO_ACTIVITY_WORKING_DAYS": int(os.environ.get("CASEFLOW_NO_ACTIVITY_WORKING_DAYS", "20")),
        "CASEFLOW_PACKAGE_OVERDUE_DAYS": int(os.environ.get("CASEFLOW_PACKAGE_OVERDUE_DAYS", "30")),
        "CASEFLOW_TWO_YEAR_WARNING_DAYS": int(os.environ.get("CASEFLOW_TWO_YEAR_WARNING_DAYS", "60")),
        "CASEFLOW_ESCALATION_TASKS": os.environ.get("CASEFLOW_ESCALATION_TASKS",
                                                    "review_overdue,transfer_accept_escalated"),
        # Transfers: days a receiving county has before the decision goes up its supervisor chain; the provinces
        # this installation serves ('' = those its staff work in); other graduates wait in the importing pool.
        "CASEFLOW_TRANSFER_ESCALATION_DAYS": int(os.environ.get("CASEFLOW_TRANSFER_ESCALATION_DAYS", "14")),
        "CASEFLOW_PROVINCES": os.environ.get("CASEFLOW_PROVINCES", ""),
        "CASEFLOW_ASSIGNMENT_RULE": os.environ.get("CASEFLOW_ASSIGNMENT_RULE", AssignmentRule.BALANCED),
        "CASEFLOW_EMPLOYMENT_TARGET": float(os.environ.get("CASEFLOW_EMPLOYMENT_TARGET", "0.9")),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "CASEFLOW_PASSWORD_METHOD": os.environ.get("CASEFLOW_PASSWORD_METHOD", "scrypt"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("CASEFLOW_SECURE_COOKIES", False),
        # Sign-in: failures per client address (Flask-Limiter), kept where every worker sees them in production.
        "CASEFLOW_SIGNIN_LIMIT": os.environ.get("CASEFLOW_SIGNIN_LIMIT", "10 per minute;100 per hour"),
        "RATELIMIT_STORAGE_URI": os.environ.get("CASEFLOW_RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # a storage outage falls back to per-worker limits
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted: the client address depends on it.
        "CASEFLOW_PROXY_HOPS": int(os.environ.get("CASEFLOW_PROXY_HOPS", "0")),
        # A larger request body is refused (413); the posting import sets its own limit per request.
        "MAX_CONTENT_LENGTH": int(os.environ.get("CASEFLOW_MAX_REQUEST_BYTES", str(2 * 1024 * 1024))),
    }
