//! WhatsApp Business Platform (Cloud API) for Wani Bares: the webhook signature check,
//! typed webhook events, outbound message bodies, the Graph API client and media limits.
//!
//! The server uses it in this order: [`signature::verify`] on the raw POST body, store the
//! bytes, answer 200; a job calls [`webhook::parse`]; the outbox worker builds
//! [`outbound::OutboundMessage`]s and sends them with [`client::GraphClient`], branching on
//! [`client::SendError::class`]; the media job calls [`client::GraphClient::media_info`],
//! [`client::GraphClient::download`] with [`media::max_bytes`] and checks
//! [`media::verify_sha256`].
//!
//! The contract followed is the project's `WHATSAPP.md`, itself a digest of
//! <https://developers.facebook.com/docs/whatsapp/cloud-api>.

pub mod client;
pub mod media;
pub mod outbound;
pub mod signature;
pub mod webhook;
