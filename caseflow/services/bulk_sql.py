"""Bulk writes in the caller's transaction, with the database's own bulk tools.

On PostgreSQL rows go in with `COPY … FROM STDIN` (one round trip for a whole chunk, no SQL text to parse per
row); ids wanted back are reserved first from the table's sequence in one `SELECT nextval(…) FROM
generate_series(…)`, so the rows are copied with their ids. Updates of many rows are one `UPDATE … FROM (VALUES
…)`. On SQLite (and anything else) the same calls fall back to multi-row `INSERT … RETURNING` and executemany,
which SQLite runs in-process without round trips. Values pass through each column's SQLAlchemy bind processor
either way (aware UTC datetimes, JSON), and Python-side column defaults are applied as an INSERT would.
"""

from collections.abc import Sequence

from sqlalchemy import JSON, Integer, String, Table, bindparam, column, insert, text, update, values
from sqlalchemy.exc import DBAPIError

from caseflow.extensions import db

_NO_DEFAULT = object()
# COPY runs on the driver's connection, out of SQLAlchemy's statement events: counted here for the benchmarks.
copies = {"statements": 0, "rows": 0}


def is_postgres() -> bool:
    return db.session.connection().dialect.name == "postgresql"


def _python_default(col):
    """The value an INSERT would put in a column the rows leave out (scalar or context-free callable)."""
    default = col.default
    if default is None or col.server_default is not None:
        return _NO_DEFAULT
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)
    return _NO_DEFAULT


def _copy(table: Table, rows: Sequence[dict]) -> None:
    conn = db.session.connection()
    dialect = conn.dialect
    names = list(dict.fromkeys(key for row in rows for key in row))
    defaults = {}
    for col in table.columns:
        if col.name not in names and (value := _python_default(col)) is not _NO_DEFAULT:
            defaults[col.name] = value
    names += list(defaults)
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    # None is SQL NULL, except in a JSON column without none_as_null, where an INSERT stores JSON null
    json_null = [isinstance(table.c[name].type, JSON) and not table.c[name].type.none_as_null for name in names]
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"COPY {table.name} ({columns}) FROM STDIN"
    raw = conn.connection.driver_connection
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                out = []
                for name, process, null_is_json in zip(names, processors, json_null, strict=True):
                    value = row.get(name, defaults.get(name))
                    convert = process is not None and (value is not None or (null_is_json and name in row))
                    out.append(process(value) if convert else value)
                copy.write_row(out)
        copies["statements"] += 1
        copies["rows"] += len(rows)
    except dialect.loaded_dbapi.Error as exc:
        # the driver's error as SQLAlchemy's (IntegrityError, OperationalError…), as an executed statement raises
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc


def reserve_ids(table: Table, count: int) -> list[int]:
    """`count` fresh ids from the table's id sequence (PostgreSQL), in one round trip."""
    sequence = db.session.connection().execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}).scalar_one()
    return list(db.session.connection().execute(
        text("SELECT nextval(:seq) FROM generate_series(1, :n)"), {"seq": sequence, "n": count}).scalars())


def insert_rows(table: Table, rows: Sequence[dict], *, return_ids: bool = False) -> list[int] | None:
    """Insert the rows; with `return_ids`, their new ids in the rows' order."""
    if not rows:
        return [] if return_ids else None
    if not is_postgres():
        conn = db.session.connection()
        if return_ids:
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            return list(conn.execute(statement, list(rows)).scalars())
        conn.execute(insert(table), list(rows))
        return None
    ids = None
    if return_ids:
        ids = reserve_ids(table, len(rows))
        rows = [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)]
    _copy(table, rows)
    return ids


def set_by_id(table: Table, column_name: str, pairs: Sequence[tuple[int, object]], *,
              value_type=Integer) -> int:
    """Set one column of many rows by id: one `UPDATE … FROM (VALUES …)` per 1,000 rows (executemany where the
    database has no UPDATE … FROM). Returns the number of rows updated."""
    if not pairs:
        return 0
    conn = db.session.connection()
    target = table.c[column_name]
    if not is_postgres():
        statement = update(table).where(table.c.id == bindparam("b_id")).values({target: bindparam("b_value")})
        return conn.execute(statement, [{"b_id": key, "b_value": value} for key, value in pairs]).rowcount
    done = 0
    for start in range(0, len(pairs), 1000):
        chunk = list(pairs[start:start + 1000])
        given = values(column("b_id", Integer), column("b_value", value_type or String), name="given").data(chunk)
        done += conn.execute(update(table).where(table.c.id == given.c.b_id)
                             .values({target: given.c.b_value})).rowcount
    return done

