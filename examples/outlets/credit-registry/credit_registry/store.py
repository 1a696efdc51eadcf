"""The registry's own database: one row per decision it holds, in SQLite.

The outlet applies deliveries from one thread and the listing reads from
others; each thread opens its own connection, and WAL lets readers run while
the writer writes.
"""

import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
  item_id          TEXT PRIMARY KEY,
  kind             TEXT NOT NULL,     -- 'licence' or 'penalty'
  version          INTEGER NOT NULL,
  checksum         TEXT NOT NULL,
  status           INTEGER NOT NULL,  -- herald.content.v1.ItemStatus
  title            TEXT NOT NULL,
  decision_number  TEXT NOT NULL,
  party_name       TEXT NOT NULL,
  party_identifier TEXT NOT NULL,
  office           TEXT NOT NULL,
  decision_date    TEXT NOT NULL,     -- YYYY-MM-DD, empty when not given
  matter           TEXT NOT NULL,     -- the licensed matter, or the penalty imposed
  basis            TEXT NOT NULL,     -- the legal basis (penalties)
  explanation      TEXT NOT NULL,     -- the public explanation of a withdrawn decision
  external_ref     TEXT NOT NULL,
  applied_at_ms    INTEGER NOT NULL,
  applies          INTEGER NOT NULL   -- how many times a delivery changed this row
);
"""

COLUMNS = (
    "item_id, kind, version, checksum, status, title, decision_number, party_name,"
    " party_identifier, office, decision_date, matter, basis, explanation, external_ref,"
    " applied_at_ms, applies"
)


@dataclass(frozen=True)
class Decision:
    item_id: str
    kind: str
    version: int
    checksum: str
    status: int
    title: str
    decision_number: str
    party_name: str
    party_identifier: str
    office: str
    decision_date: str
    matter: str
    basis: str
    explanation: str
    external_ref: str
    applied_at_ms: int = 0
    applies: int = 0


class Store:
    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10)
            self._local.db = db
        return db

    def get(self, item_id: str) -> Optional[Decision]:
        row = self._db().execute(
            f"SELECT {COLUMNS} FROM decisions WHERE item_id = ?", (item_id,)
        ).fetchone()
        return Decision(*row) if row else None

    def put(self, decision: Decision) -> Decision:
        """Writes the decision in place of any version held; returns it as stored."""
        held = self.get(decision.item_id)
        stored = Decision(
            **{
                **decision.__dict__,
                "applied_at_ms": int(time.time() * 1000),
                "applies": (held.applies if held else 0) + 1,
            }
        )
        with self._db() as db:
            db.execute(
                f"INSERT OR REPLACE INTO decisions ({COLUMNS}) VALUES"
                f" ({', '.join('?' * len(COLUMNS.split(',')))})",
                tuple(stored.__dict__.values()),
            )
        return stored

    def delete(self, item_id: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM decisions WHERE item_id = ?", (item_id,)).rowcount > 0

    def page(self, after: str, size: int) -> Tuple[List[Decision], str]:
        """Decisions in item id order after `after`; the token of the next page, or ""."""
        rows = self._db().execute(
            f"SELECT {COLUMNS} FROM decisions WHERE item_id > ? ORDER BY item_id LIMIT ?",
            (after, size + 1),
        ).fetchall()
        decisions = [Decision(*row) for row in rows[:size]]
        more = len(rows) > size
        return decisions, decisions[-1].item_id if more and decisions else ""

    def all(self) -> List[Decision]:
        rows = self._db().execute(
            f"SELECT {COLUMNS} FROM decisions ORDER BY decision_date DESC, item_id"
        ).fetchall()
        return [Decision(*row) for row in rows]
