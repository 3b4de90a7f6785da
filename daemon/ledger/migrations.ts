/**
 * Versioned schema for the ledger. `PRAGMA user_version` holds the number of migrations applied; each
 * migration runs in its own transaction together with the bump of user_version, so a crash mid-migration
 * leaves the previous version intact. Append new migrations at the end; never edit a shipped one. A migration is
 * SQL, or a function for what SQL cannot do (a keyed digest).
 */
import type { Database } from 'node-sqlite3-wasm';

/** What a function migration may need from the ledger that runs it. */
export interface MigrationContext {
  /** The install's keyed prompt digest (see textDigest.ts keyedDigest). */
  promptDigest(text: string): string;
}

export type Migration = string | ((db: Database, ctx: MigrationContext) => void);

export const MIGRATIONS: readonly Migration[] = [
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
  // 2: prompt_hash changes meaning: it was unsalted SHA-256 (guessable for short prompts from the ledger alone),
  // it is now HMAC-SHA-256 under the install's digest.key. Rows whose prompt was stored are re-keyed; the others
  // cannot be (the prompt is gone) and lose their digest rather than keep a guessable one.
  (db, ctx) => {
    const select = db.prepare('SELECT rowid AS r, prompt FROM requests WHERE rowid > ? AND prompt IS NOT NULL ORDER BY rowid LIMIT 500');
    const update = db.prepare('UPDATE requests SET prompt_hash = ? WHERE rowid = ?');
    try {
      for (let last = 0; ;) {
        const rows = select.all([last]) as { r: number; prompt: string }[];
        if (!rows.length) break;
        for (const row of rows) update.run([ctx.promptDigest(row.prompt), row.r]);
        last = rows[rows.length - 1].r;
      }
    } finally {
      select.finalize();
      update.finalize();
    }
    db.exec('UPDATE requests SET prompt_hash = NULL WHERE prompt IS NULL');
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database up to SCHEMA_VERSION. Returns the version found before migrating. */
export function migrate(db: Database, ctx: MigrationContext): number {
  const found = userVersion(db);
  if (found > MIGRATIONS.length) {
    throw new Error(
      `ledger schema version ${found} is newer than this Switchyard understands (${MIGRATIONS.length}); upgrade Switchyard`,
    );
  }
  for (let v = found; v < MIGRATIONS.length; v++) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const m = MIGRATIONS[v];
      if (typeof m === 'string') db.exec(m);
      else m(db, ctx);
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
