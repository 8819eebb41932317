//! The load generator: fires pre-built signed webhook bodies at a URL, either as fast as
//! `concurrency` connections allow or at a fixed rate, and records each request's start
//! time and latency until its 200.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// One request to make.
#[derive(Clone)]
pub struct Shot {
    /// Raw body.
    pub body: bytes::Bytes,
    /// `X-Hub-Signature-256`.
    pub signature: String,
}

/// What happened to one request.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    /// When it started (relative to the run's start).
    pub started: Instant,
    /// Time to the response.
    pub latency: Duration,
    /// HTTP status (0 = connection error).
    pub status: u16,
}

/// Fires every shot; returns outcomes in shot order and the wall time of the run.
pub async fn fire(
    url: &str,
    shots: Arc<Vec<Shot>>,
    rate: Option<f64>,
    concurrency: usize,
) -> (Vec<Outcome>, Duration) {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .http1_only()
        .build()
        .unwrap_or_default();
    let next = Arc::new(AtomicUsize::new(0));
    let results: Arc<std::sync::Mutex<Vec<Option<Outcome>>>> =
        Arc::new(std::sync::Mutex::new(vec![None; shots.len()]));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency.max(1) {
        let client = client.clone();
        let next = next.clone();
        let shots = shots.clone();
        let results = results.clone();
        let url = url.to_owned();
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= shots.len() {
                    return;
                }
                if let Some(r) = rate {
                    let due = start + Duration::from_secs_f64(i as f64 / r);
                    tokio::time::sleep_until(due.into()).await;
                }
                let shot = &shots[i];
                let t = Instant::now();
                let status = match client
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("X-Hub-Signature-256", &shot.signature)
                    .body(shot.body.clone())
                    .send()
                    .await
                {
                    Ok(resp) => {
                        let s = resp.status().as_u16();
                        let _ = resp.bytes().await;
                        s
                    }
                    Err(_) => 0,
                };
                let o = Outcome {
                    started: t,
                    latency: t.elapsed(),
                    status,
                };
                results
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)[i] = Some(o);
            }
        }));
    }
    for w in workers {
        let _ = w.await;
    }
    let wall = start.elapsed();
    let out = results
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|o| {
            o.unwrap_or(Outcome {
                started: start,
                latency: Duration::ZERO,
                status: 0,
            })
        })
        .collect();
    (out, wall)
}
