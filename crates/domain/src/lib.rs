//! The pure domain of Wani Bares, the WhatsApp complaint line of Kabupaten Magetan.
//!
//! Everything here is synchronous and free of I/O: the compiler keeps it that way because
//! this crate's `Cargo.toml` lists no tokio, sqlx, axum or reqwest. Time always comes in as
//! an argument (`jiff::Timestamp`); nothing here reads the wall clock.
//!
//! - [`nik`], [`phone`], [`ticket`]: identifiers that parse instead of validate.
//! - [`intake`]: the citizen's conversation with the bot (SOP step 1).
//! - [`texts`]: every text the bot sends, with Bahasa Indonesia defaults.
//! - [`role`], [`lifecycle`]: who may do what to a complaint (SOP steps 2–7).
//! - [`calendar`], [`sla`]: the office calendar and per-step deadlines.

pub mod calendar;
pub mod intake;
pub mod lifecycle;
pub mod nik;
pub mod phone;
pub mod role;
pub mod sla;
pub mod texts;
pub mod ticket;
