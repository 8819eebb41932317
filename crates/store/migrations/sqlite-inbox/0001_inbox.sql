-- The webhook inbox in its own SQLite file (<database>-inbox), so that acknowledging a
-- webhook (one fsync per group of bodies) never waits behind the processing transactions
-- of the main database. Same columns as the main schema's inbox table (which PostgreSQL
-- uses; on SQLite that table stays empty).
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY,
    received_at  INTEGER NOT NULL,
    body_sha256  TEXT NOT NULL UNIQUE,
    body_enc     BLOB NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    processed_at INTEGER
);
CREATE INDEX inbox_pending ON inbox(id) WHERE state = 'pending';
