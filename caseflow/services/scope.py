"""Region scope in queries: area codes nest by prefix (22 ⊃ 2201 ⊃ 220102 ⊃ 220102001)."""

from sqlalchemy import and_, true


def region_clause(column, prefix: str):
    """`column` lies in the region `prefix`, as an index-friendly range rather than a LIKE."""
    if not prefix:
        return true()
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
