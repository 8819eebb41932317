-- Wani Bares schema, SQLite. Times are unix milliseconds (UTC) in INTEGER columns so the
-- same SQL and the same Rust types work on both backends. Personal data (NIK, name,
-- address, message bodies, raw webhook bodies, outbound payloads) is stored sealed
-- (XChaCha20-Poly1305) in *_enc BLOB columns; see crates/store/src/vault.rs.
-- Never edit an applied migration: add a new one.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE agencies (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL DEFAULT 'opd',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE districts (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE categories (
    id     INTEGER PRIMARY KEY,
    code   TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL,
    agency_id           INTEGER REFERENCES agencies(id),
    password_hash       TEXT NOT NULL,
    wa_number           TEXT,
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        INTEGER,
    created_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    kind         TEXT NOT NULL,
    csrf_token   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE citizens (
    id                INTEGER PRIMARY KEY,
    bsuid             TEXT UNIQUE,
    phone             TEXT UNIQUE,
    profile_name      TEXT,
    last_inbound_at   INTEGER,
    identity_enc      BLOB,
    consent           TEXT NOT NULL DEFAULT 'unknown',
    conversation_enc  BLOB,
    timer_due_at      INTEGER,
    created_at        INTEGER NOT NULL,
    erased_at         INTEGER
);
CREATE INDEX citizens_timer ON citizens(timer_due_at) WHERE timer_due_at IS NOT NULL;

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

CREATE TABLE ticket_counters (
    month TEXT PRIMARY KEY,
    last  INTEGER NOT NULL
);

CREATE TABLE complaints (
    id                  INTEGER PRIMARY KEY,
    ticket              TEXT NOT NULL UNIQUE,
    kind                TEXT NOT NULL,
    status              TEXT NOT NULL,
    citizen_id          INTEGER NOT NULL REFERENCES citizens(id),
    channel             TEXT NOT NULL DEFAULT 'whatsapp',
    category_id         INTEGER REFERENCES categories(id),
    district_code       TEXT REFERENCES districts(code),
    identity_enc        BLOB,
    nik_masked          TEXT,
    nik_outside_magetan BOOLEAN NOT NULL DEFAULT FALSE,
    ktp_attachment_id   INTEGER,
    text                TEXT NOT NULL,
    summary             TEXT NOT NULL,
    reply_text          TEXT,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    status_at           INTEGER NOT NULL,
    verified_at         INTEGER,
    dispatched_at       INTEGER,
    answered_at         INTEGER,
    closed_at           INTEGER,
    rejected_at         INTEGER,
    withdrawn_at        INTEGER,
    reminder_sent_at    INTEGER,
    reopened_count      INTEGER NOT NULL DEFAULT 0,
    closing_count       INTEGER NOT NULL DEFAULT 0,
    dispatched_by       TEXT,
    related_complaint_id INTEGER REFERENCES complaints(id)
);
CREATE INDEX complaints_status ON complaints(status, id);
CREATE INDEX complaints_created ON complaints(created_at);
CREATE INDEX complaints_status_at ON complaints(status_at);
CREATE INDEX complaints_citizen ON complaints(citizen_id, id);
CREATE INDEX complaints_category ON complaints(category_id, id);

CREATE VIRTUAL TABLE complaints_fts USING fts5(
    ticket, text, summary, content = 'complaints', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER complaints_fts_ai AFTER INSERT ON complaints BEGIN
    INSERT INTO complaints_fts(rowid, ticket, text, summary) VALUES (new.id, new.ticket, new.text, new.summary);
END;
CREATE TRIGGER complaints_fts_ad AFTER DELETE ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, ticket, text, summary) VALUES ('delete', old.id, old.ticket, old.text, old.summary);
END;
CREATE TRIGGER complaints_fts_au AFTER UPDATE OF text, summary ON complaints BEGIN
    INSERT INTO complaints_fts(complaints_fts, rowid, ticket, text, summary) VALUES ('delete', old.id, old.ticket, old.text, old.summary);
    INSERT INTO complaints_fts(rowid, ticket, text, summary) VALUES (new.id, new.ticket, new.text, new.summary);
END;

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY,
    citizen_id    INTEGER REFERENCES citizens(id),
    user_id       INTEGER REFERENCES users(id),
    complaint_id  INTEGER REFERENCES complaints(id),
    direction     TEXT NOT NULL,
    wa_message_id TEXT UNIQUE,
    inbox_id      INTEGER,
    kind          TEXT NOT NULL,
    body_enc      BLOB,
    created_at    INTEGER NOT NULL,
    delivery      TEXT,
    delivery_rank INTEGER NOT NULL DEFAULT 0,
    delivery_error TEXT,
    outbox_id     INTEGER
);
CREATE INDEX messages_citizen ON messages(citizen_id, id);
CREATE INDEX messages_complaint ON messages(complaint_id, id);

CREATE TABLE wa_statuses (
    wa_message_id TEXT NOT NULL,
    status        TEXT NOT NULL,
    at            INTEGER NOT NULL,
    error_code    INTEGER,
    error_title   TEXT,
    PRIMARY KEY (wa_message_id, status)
);

CREATE TABLE attachments (
    id              INTEGER PRIMARY KEY,
    citizen_id      INTEGER NOT NULL REFERENCES citizens(id),
    complaint_id    INTEGER REFERENCES complaints(id),
    message_id      INTEGER REFERENCES messages(id),
    role            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    wa_media_id     TEXT,
    mime_type       TEXT,
    sha256          TEXT,
    filename        TEXT,
    caption         TEXT,
    meta            TEXT,
    size_bytes      INTEGER,
    storage_key     TEXT,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    purged_at       INTEGER
);
CREATE INDEX attachments_complaint ON attachments(complaint_id);
CREATE INDEX attachments_pending ON attachments(next_attempt_at) WHERE state = 'pending';

CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    complaint_id   INTEGER NOT NULL REFERENCES complaints(id),
    agency_id      INTEGER NOT NULL REFERENCES agencies(id),
    state          TEXT NOT NULL,
    round          INTEGER NOT NULL DEFAULT 0,
    note           TEXT,
    answer         TEXT,
    follow_up      TEXT,
    decline_reason TEXT,
    dispatched_by  INTEGER REFERENCES users(id),
    answered_by    INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL,
    answered_at    INTEGER
);
CREATE INDEX assignments_agency ON assignments(agency_id, state, complaint_id);
CREATE INDEX assignments_complaint ON assignments(complaint_id);
CREATE UNIQUE INDEX assignments_one_pending ON assignments(complaint_id, agency_id) WHERE state = 'pending';

CREATE TABLE notes (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    user_id      INTEGER REFERENCES users(id),
    text         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX notes_complaint ON notes(complaint_id);

CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_user_id INTEGER,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    complaint_id INTEGER,
    before       TEXT,
    after        TEXT,
    detail       TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_complaint ON audit_events(complaint_id, seq);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    created_at      INTEGER NOT NULL,
    dedupe_key      TEXT UNIQUE,
    citizen_id      INTEGER REFERENCES citizens(id),
    user_id         INTEGER REFERENCES users(id),
    complaint_id    INTEGER REFERENCES complaints(id),
    message_id      INTEGER REFERENCES messages(id),
    to_phone        TEXT,
    to_bsuid        TEXT,
    kind            TEXT NOT NULL,
    payload_enc     BLOB NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    last_error      TEXT,
    last_error_code INTEGER,
    wa_message_id   TEXT,
    sent_at         INTEGER,
    used_template   BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_state ON outbox(state, id);

CREATE TABLE sla_steps (
    id              INTEGER PRIMARY KEY,
    complaint_id    INTEGER REFERENCES complaints(id),
    citizen_id      INTEGER REFERENCES citizens(id),
    step            TEXT NOT NULL,
    holder          TEXT NOT NULL,
    started_at      INTEGER NOT NULL,
    due_at          INTEGER NOT NULL,
    national_due_at INTEGER,
    done_at         INTEGER,
    outcome         TEXT
);
CREATE INDEX sla_open ON sla_steps(due_at) WHERE done_at IS NULL;
CREATE INDEX sla_complaint ON sla_steps(complaint_id);
CREATE INDEX sla_started ON sla_steps(started_at);

CREATE TABLE sla_reminders (
    step_id INTEGER NOT NULL REFERENCES sla_steps(id),
    level   TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (step_id, level)
);

CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    created_at   INTEGER NOT NULL,
    role         TEXT,
    agency_id    INTEGER REFERENCES agencies(id),
    user_id      INTEGER REFERENCES users(id),
    complaint_id INTEGER REFERENCES complaints(id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    dedupe_key   TEXT UNIQUE
);
CREATE INDEX notifications_recent ON notifications(id);

CREATE TABLE holidays (
    date TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    month        TEXT NOT NULL,
    format       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    storage_key  TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    generated_by TEXT NOT NULL
);
CREATE INDEX reports_month ON reports(month);

CREATE TABLE ratings (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    closing_no   INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    rating       INTEGER,
    resolved     BOOLEAN,
    comment      TEXT,
    asked_at     INTEGER NOT NULL,
    answered_at  INTEGER,
    UNIQUE (complaint_id, closing_no)
);
CREATE INDEX ratings_stage ON ratings(stage, asked_at);

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    resolved_at INTEGER
);
CREATE UNIQUE INDEX alerts_open ON alerts(kind) WHERE resolved_at IS NULL;

CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    lease_until INTEGER NOT NULL
);
