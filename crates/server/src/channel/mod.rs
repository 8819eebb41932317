//! The WhatsApp channel: the durable inbox, the processor, composing and sending
//! messages through the outbox, media downloads.

pub mod compose;
pub mod inbox;
pub mod media;
pub mod pacing;
pub mod processor;
pub mod sender;
