/**
 * Versioned schema of the sales journal. `PRAGMA user_version` holds the version reached;
 * each migration runs in its own transaction together with the version bump, so a crash in
 * the middle leaves the previous version intact. Migrations are only ever appended.
 */

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sales, refunds and their event log',
    sql: `
      CREATE TABLE sales (
        order_id        TEXT PRIMARY KEY,
        terminal_id     TEXT NOT NULL,
        status          TEXT NOT NULL,
        amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
        currency        TEXT NOT NULL,
        method          TEXT,
        masked_code     TEXT,
        source          TEXT,
        attempt         INTEGER NOT NULL DEFAULT 0,
        request_id      TEXT,
        transaction_id  TEXT,
        gateway_status  TEXT,
        reason          TEXT,
        reason_code     TEXT,
        abandoned       TEXT,
        recovered       INTEGER NOT NULL DEFAULT 0,
        settled         INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        day             TEXT NOT NULL
      );
      CREATE INDEX sales_day ON sales (day, created_at);
      CREATE INDEX sales_unsettled ON sales (settled) WHERE settled = 0;

      CREATE TABLE refunds (
        refund_id          TEXT PRIMARY KEY,
        order_id           TEXT NOT NULL REFERENCES sales (order_id),
        amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
        currency           TEXT NOT NULL,
        status             TEXT NOT NULL,
        reason             TEXT,
        reason_code        TEXT,
        automatic          INTEGER NOT NULL DEFAULT 0,
        gateway_refund_id  TEXT,
        sends              INTEGER NOT NULL DEFAULT 0,
        settled            INTEGER NOT NULL DEFAULT 0,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        day                TEXT NOT NULL
      );
      CREATE INDEX refunds_order ON refunds (order_id);
      CREATE INDEX refunds_day ON refunds (day);

      -- The journal proper: one row per transition, holding the subject's state after it
      -- (a sale, or a refund when refund_id is set). One INSERT = one transition = one
      -- durable commit; the triggers below keep sales/refunds (the current state) in step
      -- inside that same statement.
      CREATE TABLE events (
        seq                INTEGER PRIMARY KEY,
        kind               TEXT NOT NULL,
        detail             TEXT,
        order_id           TEXT NOT NULL,
        refund_id          TEXT,
        terminal_id        TEXT,
        status             TEXT NOT NULL,
        amount_minor       INTEGER NOT NULL,
        currency           TEXT NOT NULL,
        method             TEXT,
        masked_code        TEXT,
        source             TEXT,
        attempt            INTEGER,
        request_id         TEXT,
        transaction_id     TEXT,
        gateway_status     TEXT,
        reason             TEXT,
        reason_code        TEXT,
        abandoned          TEXT,
        recovered          INTEGER,
        settled            INTEGER NOT NULL,
        automatic          INTEGER,
        gateway_refund_id  TEXT,
        sends              INTEGER,
        created_at         INTEGER NOT NULL,
        updated_at         INTEGER NOT NULL,
        day                TEXT NOT NULL
      );
      CREATE INDEX events_order ON events (order_id, seq);

      CREATE TRIGGER events_apply_sale AFTER INSERT ON events WHEN NEW.refund_id IS NULL
      BEGIN
        INSERT INTO sales (order_id, terminal_id, status, amount_minor, currency, method,
          masked_code, source, attempt, request_id, transaction_id, gateway_status, reason,
          reason_code, abandoned, recovered, settled, created_at, updated_at, day)
        VALUES (NEW.order_id, NEW.terminal_id, NEW.status, NEW.amount_minor, NEW.currency,
          NEW.method, NEW.masked_code, NEW.source, NEW.attempt, NEW.request_id,
          NEW.transaction_id, NEW.gateway_status, NEW.reason, NEW.reason_code, NEW.abandoned,
          NEW.recovered, NEW.settled, NEW.created_at, NEW.updated_at, NEW.day)
        ON CONFLICT (order_id) DO UPDATE SET
          status = excluded.status, method = excluded.method,
          masked_code = excluded.masked_code, source = excluded.source,
          attempt = excluded.attempt, request_id = excluded.request_id,
          transaction_id = excluded.transaction_id, gateway_status = excluded.gateway_status,
          reason = excluded.reason, reason_code = excluded.reason_code,
          abandoned = excluded.abandoned, recovered = excluded.recovered,
          settled = excluded.settled, updated_at = excluded.updated_at;
      END;

      CREATE TRIGGER events_apply_refund AFTER INSERT ON events WHEN NEW.refund_id IS NOT NULL
      BEGIN
        INSERT INTO refunds (refund_id, order_id, amount_minor, currency, status, reason,
          reason_code, automatic, gateway_refund_id, sends, settled, created_at, updated_at, day)
        VALUES (NEW.refund_id, NEW.order_id, NEW.amount_minor, NEW.currency, NEW.status,
          NEW.reason, NEW.reason_code, NEW.automatic, NEW.gateway_refund_id, NEW.sends,
          NEW.settled, NEW.created_at, NEW.updated_at, NEW.day)
        ON CONFLICT (refund_id) DO UPDATE SET
          status = excluded.status, reason = excluded.reason,
          reason_code = excluded.reason_code, gateway_refund_id = excluded.gateway_refund_id,
          sends = excluded.sends, settled = excluded.settled, updated_at = excluded.updated_at;
      END;
    `,
  },
  {
    version: 2,
    description: 'which gateway each sale went to (training simulator or a live gateway)',
    sql: `
      -- training: 1 when the sale went to the embedded simulator (training mode).
      -- gateway: 'embedded-simulator' or the live gateway's base URL; acc_id: the store.
      -- Sales journaled before this version have gateway NULL (not known).
      ALTER TABLE sales ADD COLUMN training INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sales ADD COLUMN gateway TEXT;
      ALTER TABLE sales ADD COLUMN acc_id TEXT;
      ALTER TABLE events ADD COLUMN training INTEGER;
      ALTER TABLE events ADD COLUMN gateway TEXT;
      ALTER TABLE events ADD COLUMN acc_id TEXT;
      CREATE INDEX sales_training_day ON sales (training, day, created_at);

      DROP TRIGGER events_apply_sale;
      -- Same as version 1, plus the gateway of the sale (set by its first event, never changed).
      CREATE TRIGGER events_apply_sale AFTER INSERT ON events WHEN NEW.refund_id IS NULL
      BEGIN
        INSERT INTO sales (order_id, terminal_id, status, amount_minor, currency, method,
          masked_code, source, attempt, request_id, transaction_id, gateway_status, reason,
          reason_code, abandoned, recovered, settled, created_at, updated_at, day,
          training, gateway, acc_id)
        VALUES (NEW.order_id, NEW.terminal_id, NEW.status, NEW.amount_minor, NEW.currency,
          NEW.method, NEW.masked_code, NEW.source, NEW.attempt, NEW.request_id,
          NEW.transaction_id, NEW.gateway_status, NEW.reason, NEW.reason_code, NEW.abandoned,
          NEW.recovered, NEW.settled, NEW.created_at, NEW.updated_at, NEW.day,
          COALESCE(NEW.training, 0), NEW.gateway, NEW.acc_id)
        ON CONFLICT (order_id) DO UPDATE SET
          status = excluded.status, method = excluded.method,
          masked_code = excluded.masked_code, source = excluded.source,
          attempt = excluded.attempt, request_id = excluded.request_id,
          transaction_id = excluded.transaction_id, gateway_status = excluded.gateway_status,
          reason = excluded.reason, reason_code = excluded.reason_code,
          abandoned = excluded.abandoned, recovered = excluded.recovered,
          settled = excluded.settled, updated_at = excluded.updated_at;
      END;
    `,
  },
  {
    version: 3,
    description: "the journal's identity (a random id, kept by copies and write-backs)",
    sql: `
      -- journal_id tells this journal from another file put at its path: a copy of it (a
      -- write-back by another process, a backup) has the same id, a new journal another one.
      -- Journals made before this version get their id now.
      CREATE TABLE meta (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      );
      INSERT INTO meta (key, value) VALUES ('journal_id', lower(hex(randomblob(16))));
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
