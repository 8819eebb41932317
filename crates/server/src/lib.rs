//! Wani Bares: the WhatsApp public-complaint line of Kabupaten Magetan.
//!
//! This crate is the service: configuration, the HTTP surface (webhook, JSON API,
//! dashboard, demo simulator), the services that apply the domain's decisions to the store,
//! and the background jobs. See `docs/ARCHITECTURE.md`.

pub mod app;
pub mod channel;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod error;
pub mod http;
pub mod inbound;
pub mod jobs;
pub mod metrics;
pub mod services;
pub mod state;
pub mod texts;
pub mod timers;
