"""Server-side prepared statements for the few hot queries written in plain SQL.

A resident's page and submission run a lookup that joins six tables; PostgreSQL
spends about ten times longer planning it than running it. Prepared once per
database connection, a statement is planned a few times and then runs on a
cached generic plan. Prepared statements outlive a rolled-back transaction and
are re-planned by PostgreSQL itself after a schema change.

Not for use behind a transaction-pooling proxy (pgbouncer in transaction mode),
which does not keep a session's prepared statements.
"""

import re

from django.db import connection

_PLACEHOLDER = re.compile(r"\$(\d+)")


class PreparedStatement:
    """A statement written with $1, $2… placeholders, prepared on first use on
    each database connection."""

    def __init__(self, name: str, sql: str):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"not a statement name: {name!r}")
        self.name = name
        self.sql = sql
        numbers = {int(n) for n in _PLACEHOLDER.findall(sql)}
        self.arity = max(numbers, default=0)
        self._execute = (
            f"EXECUTE {name}({', '.join(['%s'] * self.arity)})"
            if self.arity
            else f"EXECUTE {name}"
        )

    def execute(self, cursor, params=()):
        """Run on a Django cursor; the caller reads the rows from it."""
        if len(params) != self.arity:
            raise TypeError(f"{self.name} takes {self.arity} parameters")
        self._prepare()
        cursor.execute(self._execute, list(params))
        return cursor

    def _prepare(self) -> None:
        connection.ensure_connection()
        raw = connection.connection
        state = getattr(connection, "_prepared_statements", None)
        if state is None or state[0] is not raw:
            state = (raw, set())
            connection._prepared_statements = state
        if self.name in state[1]:
            return
        # On the driver's own cursor: preparing is no query of the page's,
        # so query counts stay what the page itself asks.
        with raw.cursor() as raw_cursor:
            raw_cursor.execute(f"PREPARE {self.name} AS {self.sql}")
        state[1].add(self.name)
