//! Black-box tests of the running service: a real server on port 0, a fresh database per
//! test (SQLite, and PostgreSQL when `WANI_BARES_TEST_POSTGRES_URL` is set), a fake Graph
//! API on loopback and a test clock.

// Test support code: a failed unwrap is a failed test with its location.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::manual_assert)]

mod crash;
mod dashboard;
mod deadlines;
mod faults;
mod health;
mod helpers;
mod hostile;
mod intake;
mod logs;
mod matrix;
mod privacy;
mod report;
mod satisfaction;
mod webhook;
mod websec;
mod workflow;
