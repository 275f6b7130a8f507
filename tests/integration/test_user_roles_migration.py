"""Upgrading an installation with accounts: each user's one role becomes a row of app_user_role, nobody must
change a password, and rows that point at users (an absence substitute) survive the column's removal. Runs on a
SQLite file of its own, whichever database the suite uses."""

from flask_migrate import upgrade
from helpers import make_app
from sqlalchemy import text

from caseflow.domain.clock import Clock
from caseflow.extensions import db

BEFORE = "c5e2a91f0d34"


def test_one_role_per_user_becomes_a_role_row(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'old.db'}", Clock())
    with app.app_context():
        upgrade(revision=BEFORE)
        db.session.execute(text("INSERT INTO region (code, name, level) VALUES ('42', '湖北省', 'province')"))
        for n, (name, role) in enumerate((("hubei_admin", "admin"), ("jiangan_cw1", "caseworker")), start=1):
            db.session.execute(text("INSERT INTO app_user (id, username, display_name, password_hash, role, "
                                    "region_code, active, substitute_id) VALUES (:id, :name, :name, 'x', :role, '42', "
                                    "1, :sub)"), {"id": n, "name": name, "role": role, "sub": 1 if n == 2 else None})
        db.session.commit()
        upgrade()
        roles = db.session.execute(text("SELECT user_id, role FROM app_user_role ORDER BY user_id")).all()
        users = db.session.execute(text("SELECT username, must_change_password, substitute_id FROM app_user "
                                        "ORDER BY id")).all()
        columns = {row[1] for row in db.session.execute(text("PRAGMA table_info(app_user)"))}
        db.session.remove()
        db.engine.dispose()
    assert [tuple(row) for row in roles] == [(1, "admin"), (2, "caseworker")]
    assert [tuple(row) for row in users] == [("hubei_admin", 0, None), ("jiangan_cw1", 0, 1)]
    assert "role" not in columns
