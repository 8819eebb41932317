//! Persistence for Wani Bares: one store API over SQLite (the embedded default, WAL) and
//! PostgreSQL (the scale-out backend), picked by the database URL.
//!
//! Invariants kept here:
//! - The same SQL text (with `$1…$n` placeholders) runs on both backends; where dialects
//!   differ the code branches explicitly on [`Backend`].
//! - Times are unix milliseconds (UTC) in 64-bit integer columns ([`Millis`]).
//! - Personal data is sealed with the [`vault::Vault`] before it reaches a column or a file.
//! - On SQLite every write goes through one connection (a pool of one), so writers queue in
//!   order instead of sleeping in SQLite's busy handler; commits are `synchronous=FULL`, so
//!   an acknowledged write survives a power cut, not only a crash.
//!
//! Each table family has its module, named after its concept; every function takes a
//! [`Conn`] (from a [`Tx`] for writes or a [`Reader`] for reads).

#[macro_use]
mod macros;
mod db;
mod error;

pub mod agencies;
pub mod assignments;
pub mod attachments;
pub mod audit;
pub mod canned;
pub mod citizens;
pub mod complaints;
pub mod dashboard;
pub mod inbox;
pub mod leases;
pub mod media;
pub mod messages;
pub mod notes;
pub mod notifications;
pub mod outbox;
pub mod ratings;
pub mod rekey;
pub mod report_rows;
pub mod reports;
pub mod seed;
pub mod sessions;
pub mod settings;
pub mod sla;
pub mod testing;
pub mod users;
pub mod vault;

pub use db::{Backend, Conn, ConnectOptions, Reader, Store, Tx, inbox_path};
pub use error::StoreError;

/// Unix time in milliseconds, UTC: the one time representation in the database.
pub type Millis = i64;

/// Converts a timestamp to the database representation.
pub fn millis(ts: jiff::Timestamp) -> Millis {
    ts.as_millisecond()
}

/// Converts the database representation back to a timestamp (clamped to jiff's range).
pub fn timestamp(ms: Millis) -> jiff::Timestamp {
    jiff::Timestamp::from_millisecond(ms).unwrap_or(if ms < 0 {
        jiff::Timestamp::MIN
    } else {
        jiff::Timestamp::MAX
    })
}

/// A subquery listing the ids passed as parameter `$n` (see [`id_list_param`]): one
/// parameter for any number of ids, instead of `IN ($1, …, $500)` lists that SQLite binds
/// by name in quadratic time.
pub(crate) fn id_list(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
        Backend::Postgres => {
            format!("SELECT value::bigint FROM jsonb_array_elements_text(${n}::jsonb)")
        }
    }
}

/// The parameter for [`id_list`]: the ids as a JSON array.
pub(crate) fn id_list_param(ids: &[i64]) -> String {
    let mut out = String::with_capacity(ids.len() * 8 + 2);
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&id.to_string());
    }
    out.push(']');
    out
}
