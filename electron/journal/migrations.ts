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
  {
    version: 4,
    description:
      'members, linked wallets (CodeGrant), subscriptions; how each sale is paid (tender)',
    sql: `
      -- How a sale is paid: NULL or 'code' (a scanned code, every sale before this version),
      -- 'linked-wallet' (a CodeGrant token), 'checkout' (the customer's phone), 'renewal'
      -- (a subscription's kept token). member_id: the gateway's merchantUserId (opaque,
      -- never a phone number in clear). brand: the checkout's paymentBrand (NULL: card
      -- page). payment_url: the checkout page shown as a QR (not a secret). expires_at:
      -- when the checkout page closes (epoch ms). subscription_id: the membership charged.
      -- No token is ever in these tables: tokens are in linked_wallets/subscriptions,
      -- sealed (AES-256-GCM, electron/members/tokenCipher.ts).
      ALTER TABLE sales ADD COLUMN tender TEXT;
      ALTER TABLE sales ADD COLUMN member_id TEXT;
      ALTER TABLE sales ADD COLUMN brand TEXT;
      ALTER TABLE sales ADD COLUMN payment_url TEXT;
      ALTER TABLE sales ADD COLUMN expires_at INTEGER;
      ALTER TABLE sales ADD COLUMN subscription_id TEXT;
      ALTER TABLE events ADD COLUMN tender TEXT;
      ALTER TABLE events ADD COLUMN member_id TEXT;
      ALTER TABLE events ADD COLUMN brand TEXT;
      ALTER TABLE events ADD COLUMN payment_url TEXT;
      ALTER TABLE events ADD COLUMN expires_at INTEGER;
      ALTER TABLE events ADD COLUMN subscription_id TEXT;
      CREATE INDEX sales_member ON sales (member_id, created_at) WHERE member_id IS NOT NULL;
      CREATE INDEX sales_subscription ON sales (subscription_id)
        WHERE subscription_id IS NOT NULL;

      DROP TRIGGER events_apply_sale;
      -- Same as version 2, plus the tender columns (an event holds the sale's whole state).
      CREATE TRIGGER events_apply_sale AFTER INSERT ON events WHEN NEW.refund_id IS NULL
      BEGIN
        INSERT INTO sales (order_id, terminal_id, status, amount_minor, currency, method,
          masked_code, source, attempt, request_id, transaction_id, gateway_status, reason,
          reason_code, abandoned, recovered, settled, created_at, updated_at, day,
          training, gateway, acc_id, tender, member_id, brand, payment_url, expires_at,
          subscription_id)
        VALUES (NEW.order_id, NEW.terminal_id, NEW.status, NEW.amount_minor, NEW.currency,
          NEW.method, NEW.masked_code, NEW.source, NEW.attempt, NEW.request_id,
          NEW.transaction_id, NEW.gateway_status, NEW.reason, NEW.reason_code, NEW.abandoned,
          NEW.recovered, NEW.settled, NEW.created_at, NEW.updated_at, NEW.day,
          COALESCE(NEW.training, 0), NEW.gateway, NEW.acc_id, NEW.tender, NEW.member_id,
          NEW.brand, NEW.payment_url, NEW.expires_at, NEW.subscription_id)
        ON CONFLICT (order_id) DO UPDATE SET
          status = excluded.status, method = excluded.method,
          masked_code = excluded.masked_code, source = excluded.source,
          attempt = excluded.attempt, request_id = excluded.request_id,
          transaction_id = excluded.transaction_id, gateway_status = excluded.gateway_status,
          reason = excluded.reason, reason_code = excluded.reason_code,
          abandoned = excluded.abandoned, recovered = excluded.recovered,
          settled = excluded.settled, updated_at = excluded.updated_at,
          payment_url = excluded.payment_url, expires_at = excluded.expires_at;
      END;

      -- A member: member_id is the merchantUserId sent to the gateway. Typed as a phone
      -- number, it is derived by a keyed hash (phone_hashed = 1); the number is not kept.
      CREATE TABLE members (
        member_id     TEXT PRIMARY KEY,
        label         TEXT,
        phone_hashed  INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL
      );

      -- One sign-up of a member's wallet (link_id = the bind's requestId: a new attempt is
      -- a new row with a new requestId). token_sealed: the CodeGrant token, AES-256-GCM
      -- under the terminal's data key (key_id names it); never in clear.
      CREATE TABLE linked_wallets (
        link_id          TEXT PRIMARY KEY,
        member_id        TEXT NOT NULL REFERENCES members (member_id),
        wallet           TEXT NOT NULL,
        status           TEXT NOT NULL,
        token_sealed     TEXT,
        key_id           TEXT,
        auth_url         TEXT,
        expires_at       INTEGER,
        reason           TEXT,
        reason_code      TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        last_checked_at  INTEGER,
        unbound_by       TEXT,
        training         INTEGER NOT NULL DEFAULT 0,
        gateway          TEXT,
        acc_id           TEXT
      );
      CREATE INDEX linked_wallets_member ON linked_wallets (member_id, wallet, created_at);
      CREATE INDEX linked_wallets_pending ON linked_wallets (status) WHERE status = 'pending';

      -- A membership paid by recurring charges: the first payment is a checkout sale
      -- (first_order_id); its payment token (sealed like a link's) is kept only after SUCCESS.
      CREATE TABLE subscriptions (
        subscription_id  TEXT PRIMARY KEY,
        member_id        TEXT NOT NULL REFERENCES members (member_id),
        amount_minor     INTEGER NOT NULL CHECK (amount_minor > 0),
        currency         TEXT NOT NULL,
        start_date       TEXT NOT NULL,
        interval_unit    TEXT NOT NULL,
        interval_count   INTEGER NOT NULL,
        end_date         TEXT NOT NULL,
        first_order_id   TEXT NOT NULL,
        method           TEXT,
        status           TEXT NOT NULL,
        token_sealed     TEXT,
        key_id           TEXT,
        reason           TEXT,
        reason_code      TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        training         INTEGER NOT NULL DEFAULT 0,
        gateway          TEXT,
        acc_id           TEXT
      );
      CREATE INDEX subscriptions_member ON subscriptions (member_id, created_at);

      -- What happened to members, links and subscriptions (append-only; never a token).
      CREATE TABLE member_events (
        seq              INTEGER PRIMARY KEY,
        at               INTEGER NOT NULL,
        member_id        TEXT NOT NULL,
        link_id          TEXT,
        subscription_id  TEXT,
        kind             TEXT NOT NULL,
        status           TEXT,
        detail           TEXT
      );
      CREATE INDEX member_events_member ON member_events (member_id, seq);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);
