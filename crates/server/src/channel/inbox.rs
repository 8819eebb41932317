//! The durable webhook inbox with group commit.
//!
//! A webhook handler hands its verified raw body to [`InboxWriter::submit`] and waits.
//! One writer task takes whatever has queued up, writes it in one transaction (sealed, one
//! row per distinct body) and commits with `synchronous=FULL` (SQLite) or
//! `synchronous_commit=on` (PostgreSQL), then answers every waiter. While a commit is on
//! its way to disk the next batch gathers, so concurrent webhooks share fsyncs instead of
//! queueing one fsync each. Only after the commit does the handler answer 200: an
//! acknowledged body survives a power cut. Processing happens later, in the processor job.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use tokio::sync::{Notify, mpsc, oneshot};
use wani_bares_store::{Store, inbox};

use crate::clock::Clock;

/// Bodies per transaction at most.
const MAX_BATCH: usize = 512;

struct Pending {
    body: bytes::Bytes,
    sha256: String,
    done: oneshot::Sender<Result<(), String>>,
}

/// Handle to the writer task.
#[derive(Clone)]
pub struct InboxWriter {
    tx: mpsc::Sender<Pending>,
}

/// Why a body could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The writer is gone (shutting down).
    #[error("the inbox writer is not running")]
    Stopped,
    /// The commit failed.
    #[error("inbox commit failed: {0}")]
    Commit(String),
}

impl InboxWriter {
    /// Starts the writer task; `stored` is notified after each commit.
    pub fn start(store: Store, clock: Arc<dyn Clock>, stored: Arc<Notify>) -> InboxWriter {
        let (tx, rx) = mpsc::channel(8192);
        tokio::spawn(run(store, clock, stored, rx));
        InboxWriter { tx }
    }

    /// Stores a body durably; returns once it is committed.
    pub async fn submit(&self, body: bytes::Bytes) -> Result<(), InboxError> {
        let sha256 = hex::encode(Sha256::digest(&body));
        let (done, wait) = oneshot::channel();
        self.tx
            .send(Pending { body, sha256, done })
            .await
            .map_err(|_| InboxError::Stopped)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(InboxError::Commit(e)),
            Err(_) => Err(InboxError::Stopped),
        }
    }
}

async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    stored: Arc<Notify>,
    mut rx: mpsc::Receiver<Pending>,
) {
    let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let size = batch.len();
        let result = write(&store, clock.now().as_millisecond(), &batch).await;
        metrics::histogram!("inbox_batch_size").record(size as f64);
        match &result {
            Ok(()) => stored.notify_one(),
            Err(e) => {
                tracing::error!(error = %e, size, "inbox commit failed; webhooks answered 503");
            }
        }
        for p in batch.drain(..) {
            let _ = p.done.send(result.clone());
        }
    }
}

async fn write(store: &Store, now: i64, batch: &[Pending]) -> Result<(), String> {
    let events: Vec<inbox::NewEvent<'_>> = batch
        .iter()
        .map(|p| inbox::NewEvent {
            sha256: &p.sha256,
            body: &p.body,
            received_at: now,
        })
        .collect();
    let mut tx = store.inbox_begin().await.map_err(|e| e.to_string())?;
    inbox::insert_batch(&mut tx.conn(), &events)
        .await
        .map_err(|e| e.to_string())?;
    tx.commit().await.map_err(|e| e.to_string())
}
