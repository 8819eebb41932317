//! Use cases: each applies a domain decision to the store in one transaction.

pub mod passwords;
pub mod satisfaction;
pub mod users;
pub mod workflow;
