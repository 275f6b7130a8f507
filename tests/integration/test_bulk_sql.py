"""Bulk writes (services/bulk_sql.py): COPY on PostgreSQL, INSERT … RETURNING on SQLite, the same rows either way."""

from datetime import UTC, datetime

from sqlalchemy import insert, select

from caseflow.domain.actor import SYSTEM
from caseflow.extensions import db
from caseflow.models import EventLog
from caseflow.services import bulk_sql

EVENT = EventLog.__table__
AT = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)


def _event(n: int, detail) -> dict:
    return {"at": AT, "actor": SYSTEM.user_id, "action": f"bulk_{n}", "detail": detail}


def test_inserted_rows_come_back_with_their_ids_in_order_and_read_as_an_insert_writes_them(app):
    ids = bulk_sql.insert_rows(EVENT, [_event(n, {"n": n, "名": "张三"}) for n in range(700)], return_ids=True)
    assert len(set(ids)) == 700
    rows = {row.id: row for row in db.session.scalars(select(EventLog))}
    assert [rows[i].action for i in ids] == [f"bulk_{n}" for n in range(700)]
    assert rows[ids[5]].detail == {"n": 5, "名": "张三"} and rows[ids[5]].at == AT  # aware UTC back


def test_a_left_out_column_gets_its_python_default_and_none_stays_what_an_insert_stores(app):
    bulk_sql.insert_rows(EVENT, [{"at": AT, "actor": "system", "action": "no_detail"}])
    db.session.execute(insert(EVENT), [{"at": AT, "actor": "system", "action": "by_insert", "detail": None}])
    bulk_sql.insert_rows(EVENT, [{"at": AT, "actor": "system", "action": "by_bulk", "detail": None}])
    detail = dict(db.session.execute(select(EventLog.action, EventLog.detail)).all())
    assert detail["no_detail"] == {}  # default=dict, as an INSERT leaving the column out
    nulls = dict(db.session.execute(select(EventLog.action, EventLog.detail.is_(None))).all())
    assert nulls["by_bulk"] == nulls["by_insert"]  # JSON null vs SQL NULL exactly as SQLAlchemy's INSERT


def test_set_by_id_updates_each_row_to_its_own_value(app):
    ids = bulk_sql.insert_rows(EVENT, [_event(n, {}) for n in range(1200)], return_ids=True)
    assert bulk_sql.set_by_id(EVENT, "action", [(i, f"renamed{i}") for i in ids], value_type=EventLog.action.type) \
        == 1200
    actions = dict(db.session.execute(select(EventLog.id, EventLog.action)).all())
    assert all(actions[i] == f"renamed{i}" for i in ids)


def test_nothing_to_write_is_no_statement(app):
    assert bulk_sql.insert_rows(EVENT, [], return_ids=True) == [] and bulk_sql.insert_rows(EVENT, []) is None
    assert bulk_sql.set_by_id(EVENT, "action", []) == 0
