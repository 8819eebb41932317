//! Same-run baselines: what the disk and the HTTP stack can do on this machine, measured
//! with the same rows and the same load generator the real measurement uses.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::load::{self, Shot};

/// Rows per second inserting `rows` into a fresh SQLite file in `dir` (WAL,
/// `synchronous=FULL`, like the server's inbox), `per_commit` rows per transaction, for at
/// most `budget`.
pub async fn sqlite_inserts(
    dir: &std::path::Path,
    rows: &[(String, Vec<u8>)],
    per_commit: usize,
    budget: Duration,
) -> anyhow::Result<f64> {
    let path = dir.join(format!("baseline-{per_commit}.db"));
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(opts)
        .await?;
    sqlx::query(
        "CREATE TABLE inbox (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, body_sha256 TEXT NOT NULL UNIQUE,
         body_enc BLOB NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0)",
    )
    .execute(&pool)
    .await?;
    let start = Instant::now();
    let mut done = 0usize;
    for chunk in rows.chunks(per_commit.max(1)) {
        let mut tx = pool.begin().await?;
        for (sha, body) in chunk {
            sqlx::query("INSERT INTO inbox (received_at, body_sha256, body_enc, state, attempts) VALUES ($1, $2, $3, 'pending', 0)")
                .bind(1_i64)
                .bind(sha)
                .bind(body)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        done += chunk.len();
        if start.elapsed() > budget {
            break;
        }
    }
    let rate = done as f64 / start.elapsed().as_secs_f64();
    pool.close().await;
    Ok(rate)
}

/// Requests per second of the same load generator against a handler on the same HTTP stack
/// (axum on tokio) that answers 200 and does nothing.
pub async fn null_http(shots: Arc<Vec<Shot>>, concurrency: usize) -> anyhow::Result<f64> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = Router::new().route(
        "/webhooks/whatsapp",
        post(|_body: axum::body::Bytes| async { StatusCode::OK }),
    );
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let (outcomes, wall) = load::fire(
        &format!("http://{addr}/webhooks/whatsapp"),
        shots,
        None,
        concurrency,
    )
    .await;
    server.abort();
    let ok = outcomes.iter().filter(|o| o.status == 200).count();
    Ok(ok as f64 / wall.as_secs_f64())
}
