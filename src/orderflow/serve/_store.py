"""The server's durable state: one SQLite database in WAL mode.

Tables:

* ``machines``: state machines (definition, type, role, revision);
* ``executions``: one row per execution, with what it needs to be replayed (input, seed,
  the definition it started with, its start time) and its outcome;
* ``effects``: the journal of every external effect an execution saw, in order (a Lambda
  or service result, with the time it arrived): replaying the executor over it rebuilds
  the execution exactly (see :mod:`orderflow.serve._journal`);
* ``events``: the history events persisted so far (``GetExecutionHistory`` reads them);
* ``tokens``: task tokens, their answer (or time-out) and heartbeats.

Every write commits at once. ``synchronous=NORMAL`` in WAL mode survives the process
being killed (``kill -9``): a committed transaction is in the WAL file, which the next
open replays; only an operating-system crash may lose the last commits.

One connection, shared by the server's threads behind a lock: SQLite serialises writers
anyway, and each statement here is short.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderflow.asl import JSON

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS machines (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    definition TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS executions (
    arn TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    machine_arn TEXT NOT NULL,
    machine_name TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    definition TEXT NOT NULL,
    input TEXT NOT NULL,
    seed INTEGER NOT NULL,
    status TEXT NOT NULL,
    start REAL NOT NULL,
    stop REAL,
    output TEXT,
    error TEXT,
    cause TEXT,
    wake REAL,
    events INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS executions_by_machine ON executions (machine_arn, seq);
CREATE INDEX IF NOT EXISTS executions_by_status ON executions (status);
CREATE TABLE IF NOT EXISTS effects (
    execution_arn TEXT NOT NULL,
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (execution_arn, seq)
);
CREATE TABLE IF NOT EXISTS events (
    execution_arn TEXT NOT NULL,
    id INTEGER NOT NULL,
    event TEXT NOT NULL,
    PRIMARY KEY (execution_arn, id)
);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    at REAL,
    deadline REAL,
    heartbeat INTEGER,
    heartbeats TEXT NOT NULL DEFAULT '[]'
);
"""

RUNNING = "RUNNING"


@dataclass(frozen=True)
class MachineRow:
    """A stored state machine."""

    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    created: float
    updated: float
    revision: int


@dataclass(frozen=True)
class ExecutionRow:
    """A stored execution (times are epoch seconds on the server's logical clock)."""

    arn: str
    seq: int
    machine_arn: str
    machine_name: str
    name: str
    type: str
    definition: str
    input: str
    seed: int
    status: str
    start: float
    stop: float | None
    output: str | None
    error: str | None
    cause: str | None
    wake: float | None
    events: int


@dataclass(frozen=True)
class TokenRow:
    """A task token: ``waiting``, ``answered`` or ``timed_out``."""

    token: str
    execution_arn: str
    status: str
    answer: dict[str, Any] | None
    at: float | None
    deadline: float | None
    heartbeat: int | None
    heartbeats: list[float]


class Store:
    """The SQLite database behind ``orderflow serve``.

    Args:
        path: the database file (created when missing); ``:memory:`` for a throwaway one.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(_SCHEMA)

    def claim(self) -> None:
        """Make this process the database's only server, or fail.

        Two servers on one database would both run every execution. The claim is an
        exclusive ``flock`` on ``<db>.lock``, which the operating system drops when the
        process ends, however it ends (``kill -9`` included), so a restart claims at once.

        Raises:
            orderflow.ExecutionError: another process holds the database.
        """
        if self.path == ":memory:":
            return
        import fcntl

        from orderflow._errors import ExecutionError

        self._claim = open(self.path + ".lock", "a")  # noqa: SIM115 (held until exit)
        try:
            fcntl.flock(self._claim.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._claim.close()
            raise ExecutionError(
                f"{self.path} is in use by another orderflow serve; stop it or use another --db"
            ) from None

    def close(self) -> None:
        """Close the connection (and give up the claim)."""
        with self._lock:
            self._db.close()
        claim = getattr(self, "_claim", None)
        if claim is not None:
            claim.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic transaction (re-entrant within a thread)."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _one(self, sql: str, args: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._db.execute(sql, args).fetchone()
            return row

    def _all(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    # --- meta --------------------------------------------------------------------------

    def origin(self) -> float:
        """The wall-clock time the database was first used: where the scaled logical
        clock and the real clock meet (see :class:`orderflow.serve._journal.TimeBase`)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()
            if row is not None:
                return float(row[0])
            now = time.time()
            db.execute("INSERT INTO meta (key, value) VALUES ('origin', ?)", (repr(now),))
            return now

    # --- machines ----------------------------------------------------------------------

    def put_machine(self, row: MachineRow) -> None:
        """Insert a new state machine."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO machines VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.arn,
                    row.name,
                    row.type,
                    row.definition,
                    row.role_arn,
                    row.created,
                    row.updated,
                    row.revision,
                ),
            )

    def update_machine(
        self, arn: str, *, definition: str | None, role_arn: str | None, updated: float
    ) -> None:
        """Change a machine's definition and/or role; bumps its revision."""
        with self.transaction() as db:
            if definition is not None:
                db.execute("UPDATE machines SET definition = ? WHERE arn = ?", (definition, arn))
            if role_arn is not None:
                db.execute("UPDATE machines SET role_arn = ? WHERE arn = ?", (role_arn, arn))
            db.execute(
                "UPDATE machines SET updated = ?, revision = revision + 1 WHERE arn = ?",
                (updated, arn),
            )

    def machine(self, arn: str) -> MachineRow | None:
        """The machine with ``arn``, if any."""
        row = self._one("SELECT * FROM machines WHERE arn = ?", (arn,))
        return MachineRow(*row) if row is not None else None

    def machines(self) -> list[MachineRow]:
        """Every machine, oldest first."""
        return [MachineRow(*r) for r in self._all("SELECT * FROM machines ORDER BY created, arn")]

    def delete_machine(self, arn: str) -> None:
        """Remove a machine (its executions stay readable)."""
        with self.transaction() as db:
            db.execute("DELETE FROM machines WHERE arn = ?", (arn,))

    # --- executions --------------------------------------------------------------------

    def add_execution(self, row: ExecutionRow) -> bool:
        """Insert a new execution; ``False`` when one with that ARN exists."""
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM executions WHERE arn = ?", (row.arn,)).fetchone():
                return False
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM executions").fetchone()[0]
            db.execute(
                "INSERT INTO executions VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    row.arn,
                    seq,
                    row.machine_arn,
                    row.machine_name,
                    row.name,
                    row.type,
                    row.definition,
                    row.input,
                    row.seed,
                    row.status,
                    row.start,
                    row.stop,
                    row.output,
                    row.error,
                    row.cause,
                    row.wake,
                    row.events,
                ),
            )
            return True

    def execution(self, arn: str) -> ExecutionRow | None:
        """The execution with ``arn``, if any."""
        row = self._one("SELECT * FROM executions WHERE arn = ?", (arn,))
        return ExecutionRow(*row) if row is not None else None

    def executions(
        self, machine_arn: str, status: str | None, after_seq: int | None, limit: int
    ) -> list[ExecutionRow]:
        """A machine's executions, newest first, starting below ``after_seq``."""
        sql = "SELECT * FROM executions WHERE machine_arn = ?"
        args: list[Any] = [machine_arn]
        if status:
            sql += " AND status = ?"
            args.append(status)
        if after_seq is not None:
            sql += " AND seq < ?"
            args.append(after_seq)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit)
        return [ExecutionRow(*r) for r in self._all(sql, args)]

    def running(self) -> list[ExecutionRow]:
        """Every execution still running (to resume after a restart)."""
        return [
            ExecutionRow(*r)
            for r in self._all("SELECT * FROM executions WHERE status = ?", (RUNNING,))
        ]

    def add_events(
        self, db: sqlite3.Connection, arn: str, events: Sequence[dict[str, Any]]
    ) -> None:
        """Append history events (inside a transaction); ignores ids already stored."""
        db.executemany(
            "INSERT OR IGNORE INTO events VALUES (?, ?, ?)",
            [(arn, event["id"], json.dumps(event)) for event in events],
        )
        if events:
            db.execute(
                "UPDATE executions SET events = MAX(events, ?) WHERE arn = ?",
                (events[-1]["id"], arn),
            )

    def park(self, arn: str, events: Sequence[dict[str, Any]], wake: float | None) -> bool:
        """Persist the events of a run that paused; ``False`` if it is no longer running."""
        with self.transaction() as db:
            row = db.execute("SELECT status FROM executions WHERE arn = ?", (arn,)).fetchone()
            if row is None or row[0] != RUNNING:
                return False
            self.add_events(db, arn, events)
            db.execute("UPDATE executions SET wake = ? WHERE arn = ?", (wake, arn))
            return True

    def finish(
        self,
        arn: str,
        events: Sequence[dict[str, Any]],
        *,
        status: str,
        stop: float,
        output: str | None = None,
        error: str | None = None,
        cause: str | None = None,
    ) -> bool:
        """End a running execution, exactly once: ``False`` if it had already ended."""
        with self.transaction() as db:
            changed = db.execute(
                "UPDATE executions SET status = ?, stop = ?, output = ?, error = ?, cause = ?, "
                "wake = NULL WHERE arn = ? AND status = ?",
                (status, stop, output, error, cause, arn, RUNNING),
            ).rowcount
            if not changed:
                return False
            self.add_events(db, arn, events)
            db.execute(
                "UPDATE tokens SET status = 'closed' "
                "WHERE execution_arn = ? AND status = 'waiting'",
                (arn,),
            )
            return True

    def events(self, arn: str) -> list[dict[str, Any]]:
        """The execution's persisted history, oldest first."""
        rows = self._all("SELECT event FROM events WHERE execution_arn = ? ORDER BY id", (arn,))
        return [json.loads(r[0]) for r in rows]

    # --- the effect journal ------------------------------------------------------------

    def effects(self, arn: str) -> list[tuple[dict[str, Any], float]]:
        """The execution's journal, in order."""
        rows = self._all(
            "SELECT record, at FROM effects WHERE execution_arn = ? ORDER BY seq", (arn,)
        )
        return [(json.loads(r[0]), float(r[1])) for r in rows]

    def add_effect(self, arn: str, seq: int, record: dict[str, Any], at: float) -> None:
        """Journal one effect (committed before the execution goes on)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO effects VALUES (?, ?, ?, ?)",
                (arn, seq, json.dumps(record), at),
            )

    # --- task tokens -------------------------------------------------------------------

    def add_token(self, token: str, arn: str) -> None:
        """Note a token the execution issued (idempotent: replays issue it again)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO tokens (token, execution_arn, status) VALUES (?, ?, ?)",
                (token, arn, "waiting"),
            )

    def token(self, token: str) -> TokenRow | None:
        """The token's row, if it was ever issued."""
        row = self._one("SELECT * FROM tokens WHERE token = ?", (token,))
        if row is None:
            return None
        answer = json.loads(row[3]) if row[3] is not None else None
        return TokenRow(row[0], row[1], row[2], answer, row[4], row[5], row[6], json.loads(row[7]))

    def set_token_limits(self, token: str, deadline: float | None, heartbeat: int | None) -> None:
        """Record when a waiting token times out (so answers after that are refused)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE tokens SET deadline = ?, heartbeat = ? "
                "WHERE token = ? AND status = 'waiting'",
                (deadline, heartbeat, token),
            )

    def answer_token(self, token: str, answer: dict[str, JSON], at: float, status: str) -> bool:
        """Answer (or time out) a waiting token, once; ``False`` if it was not waiting."""
        with self.transaction() as db:
            return bool(
                db.execute(
                    "UPDATE tokens SET status = ?, answer = ?, at = ? "
                    "WHERE token = ? AND status = 'waiting'",
                    (status, json.dumps(answer), at, token),
                ).rowcount
            )

    def heartbeat(self, token: str, at: float) -> bool:
        """Record a heartbeat on a waiting token; ``False`` if it was not waiting."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT heartbeats FROM tokens WHERE token = ? AND status = 'waiting'", (token,)
            ).fetchone()
            if row is None:
                return False
            beats = [*json.loads(row[0]), at]
            db.execute(
                "UPDATE tokens SET heartbeats = ? WHERE token = ?", (json.dumps(beats), token)
            )
            return True


__all__ = ["RUNNING", "ExecutionRow", "MachineRow", "Store", "TokenRow"]
