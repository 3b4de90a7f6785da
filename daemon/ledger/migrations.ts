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
  // 3: agent traffic. Rows recorded before it read NULL (unknown) in every new column, never 0.
  `
  ALTER TABLE requests ADD COLUMN conversation        TEXT;     -- the conversation key (RouteRequest.conversation.key)
  ALTER TABLE requests ADD COLUMN client              TEXT;     -- the calling client (RequestShape.client)
  ALTER TABLE requests ADD COLUMN format              TEXT;     -- caller's wire format → upstream's; one name when the same
  ALTER TABLE requests ADD COLUMN passthrough         INTEGER;  -- 1: the caller's body went upstream as it came
  ALTER TABLE requests ADD COLUMN tool_calls          INTEGER;  -- tool calls in the answer
  ALTER TABLE requests ADD COLUMN tool_results        INTEGER;  -- tool results in the request's last message
  ALTER TABLE requests ADD COLUMN images              INTEGER;  -- images in the request
  ALTER TABLE requests ADD COLUMN cache_write_tokens  INTEGER;  -- input tokens written to the prompt cache
  ALTER TABLE requests ADD COLUMN usage_estimated     INTEGER;  -- 1: counted by us (e.g. a cut stream), not reported
  CREATE INDEX requests_conversation_time ON requests (conversation, time);  -- NULL too: Recent lists requests outside any

  -- Each conversation's running totals, kept by the trigger below inside the very INSERT of its request (so the
  -- two cannot disagree after a crash). Listing recent conversations then reads a few rows, not every request of
  -- the week: a busy agent makes thousands a day, and aggregating them took ~0.3 s per 40,000 in this WASM build.
  CREATE TABLE conversations (
    key            TEXT PRIMARY KEY NOT NULL,
    first_time     INTEGER NOT NULL,
    last_time      INTEGER NOT NULL,
    requests       INTEGER NOT NULL,
    cost_usd       REAL NOT NULL,                      -- known costs only
    unknown_cost   INTEGER NOT NULL,                   -- requests of unknown cost
    input_tokens   INTEGER NOT NULL,
    output_tokens  INTEGER NOT NULL,
    cached_tokens  INTEGER NOT NULL,
    tool_calls     INTEGER NOT NULL,
    fallbacks      INTEGER NOT NULL,
    errors         INTEGER NOT NULL,                   -- status error or cut
    turns          INTEGER,                            -- the most user turns a request carried (features.shape.turns)
    client         TEXT,                               -- of the latest request that named one
    models         TEXT NOT NULL                       -- JSON list, in order of first use
  );
  CREATE INDEX conversations_last_time ON conversations (last_time);
  CREATE TRIGGER requests_count_conversation AFTER INSERT ON requests WHEN NEW.conversation IS NOT NULL BEGIN
    INSERT INTO conversations VALUES (
      NEW.conversation, NEW.time, NEW.time, 1, COALESCE(NEW.cost_usd, 0), NEW.cost_usd IS NULL,
      COALESCE(NEW.input_tokens, 0), COALESCE(NEW.output_tokens, 0), COALESCE(NEW.cached_tokens, 0),
      COALESCE(NEW.tool_calls, 0), NEW.fallbacks, NEW.status IN ('error', 'cut'),
      json_extract(NEW.features, '$.shape.turns'), NEW.client,
      CASE WHEN NEW.model IS NULL THEN '[]' ELSE json_array(NEW.model) END
    ) ON CONFLICT (key) DO UPDATE SET
      first_time = MIN(first_time, excluded.first_time),
      last_time = MAX(last_time, excluded.last_time),
      requests = requests + 1,
      cost_usd = cost_usd + excluded.cost_usd,
      unknown_cost = unknown_cost + excluded.unknown_cost,
      input_tokens = input_tokens + excluded.input_tokens,
      output_tokens = output_tokens + excluded.output_tokens,
      cached_tokens = cached_tokens + excluded.cached_tokens,
      tool_calls = tool_calls + excluded.tool_calls,
      fallbacks = fallbacks + excluded.fallbacks,
      errors = errors + excluded.errors,
      turns = COALESCE(MAX(turns, excluded.turns), turns, excluded.turns),
      client = COALESCE(excluded.client, client),
      models = CASE WHEN NEW.model IS NULL OR EXISTS (SELECT 1 FROM json_each(models) WHERE value = NEW.model) THEN models
                    ELSE json_insert(models, '$[#]', NEW.model) END;
  END;
  `,
  // 4: the way back. Rows recorded before it read NULL: not an escalation, no mark.
  `
  ALTER TABLE requests ADD COLUMN escalated_from      TEXT;     -- the request this one asked again with a stronger model
  ALTER TABLE requests ADD COLUMN feedback            TEXT;     -- the user's mark on the answer: 'overkill', or NULL
  CREATE INDEX requests_escalated_from ON requests (escalated_from) WHERE escalated_from IS NOT NULL;
  `,
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
