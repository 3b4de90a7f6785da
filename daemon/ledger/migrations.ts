/**
 * Versioned schema for the ledger. `PRAGMA user_version` holds the number of migrations applied; each
 * migration runs in its own transaction together with the bump of user_version, so a crash mid-migration
 * leaves the previous version intact. Append new migrations at the end; never edit a shipped one.
 */
import type { Database } from 'node-sqlite3-wasm';

export const MIGRATIONS: readonly string[] = [
  // 1: one row per request.
  `
  CREATE TABLE requests (
    id                      TEXT PRIMARY KEY NOT NULL,  -- the request id
    time                    INTEGER NOT NULL,            -- epoch ms when the request started
    source                  TEXT,
    task                    TEXT,
    rule                    TEXT NOT NULL,
    tier                    TEXT,
    provider                TEXT,
    model                   TEXT,
    status                  TEXT NOT NULL CHECK (status IN ('ok', 'error', 'cut', 'cancelled')),
    input_tokens            INTEGER,
    output_tokens           INTEGER,
    cached_tokens           INTEGER,
    reasoning_tokens        INTEGER,
    estimated_input_tokens  INTEGER,                     -- what we estimated locally (for calibration)
    cost_usd                REAL,                        -- NULL = unknown (no usage reported), never 0
    estimated_cost_usd      REAL NOT NULL,
    default_cost_usd        REAL,                        -- the same tokens on the default target
    max_cost_usd            REAL,                        -- the same tokens on the most expensive candidate
    ttft_ms                 REAL,
    total_ms                REAL NOT NULL,
    fallbacks               INTEGER NOT NULL DEFAULT 0,
    attempts                TEXT NOT NULL DEFAULT '[]',  -- JSON Attempt[]
    error                   TEXT,
    prompt_hash             TEXT,
    prompt                  TEXT,                        -- only when the user opted in (storePrompts)
    features                TEXT                         -- JSON RequestFeatures, for replay
  );
  CREATE INDEX requests_time ON requests (time);
  CREATE INDEX requests_model_time ON requests (model, time);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION. Returns the version found before migrating. */
export function migrate(db: Database): number {
  const found = userVersion(db);
  if (found > MIGRATIONS.length) {
    throw new Error(
      `ledger schema version ${found} is newer than this Switchyard understands (${MIGRATIONS.length}); upgrade Switchyard`,
    );
  }
  for (let v = found; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(MIGRATIONS[v]);
      db.exec(`PRAGMA user_version = ${v + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw err;
    }
  }
  return found;
}

export function userVersion(db: Database): number {
  const row = db.get('PRAGMA user_version') as { user_version: number } | null;
  return Number(row?.user_version ?? 0);
}
