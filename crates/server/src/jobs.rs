//! Background jobs. Each job is a `run_once(&state)` that is safe to run twice and on two
//! instances at once; a runner loops it, woken by a notification or a timer. Tests call
//! `run_once` directly.

use std::future::Future;
use std::time::Duration;

use crate::state::AppState;

/// Loops `job` until shutdown: runs again at once while it reports work, otherwise waits
/// for `wake` or `every`.
fn spawn_loop<F, Fut>(
    state: &AppState,
    name: &'static str,
    every: Duration,
    wake: Option<std::sync::Arc<tokio::sync::Notify>>,
    job: F,
) where
    F: Fn(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = anyhow::Result<usize>> + Send,
{
    let state = state.clone();
    tokio::spawn(async move {
        let cancel = state.shutdown.clone();
        loop {
            if cancel.is_cancelled() {
                return;
            }
            let did = match job(state.clone()).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(job = name, error = %e, "job failed");
                    0
                }
            };
            if did > 0 {
                tokio::task::yield_now().await;
                continue;
            }
            let notified = async {
                match &wake {
                    Some(n) => n.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return,
                () = notified => {}
                () = tokio::time::sleep(every) => {}
            }
        }
    });
}

/// Starts every background job.
pub fn spawn_all(state: &AppState) {
    spawn_loop(
        state,
        "inbox",
        Duration::from_secs(1),
        Some(state.wake.inbox.clone()),
        |s| async move { Ok(crate::channel::processor::run_once(&s).await?.bodies) },
    );
    spawn_loop(
        state,
        "media",
        Duration::from_secs(5),
        Some(state.wake.media.clone()),
        |s| async move { Ok(crate::channel::media::run_once(&s).await?) },
    );
    spawn_loop(
        state,
        "timers",
        Duration::from_secs(30),
        None,
        |s| async move { crate::timers::run_once(&s).await.map(|_| 0) },
    );
    spawn_loop(
        state,
        "optimize",
        Duration::from_hours(6),
        None,
        |s| async move {
            // The first run is at start: statistics of the data as it is now.
            s.store.optimize().await?;
            Ok(0)
        },
    );
}
