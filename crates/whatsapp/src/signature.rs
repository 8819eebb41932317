//! Webhook signature: the `X-Hub-Signature-256` header Meta puts on every event POST.
//!
//! The header is `sha256=<hex>` where `<hex>` is HMAC-SHA256 keyed with the app secret
//! over the **exact raw request bytes**. Invariants:
//!
//! - verification runs on the bytes as received, before any parsing: re-serialising the
//!   JSON (pretty-printing, key order, `\u` escapes) changes the bytes and must fail;
//! - the comparison is constant time (`hmac`'s `verify_slice`);
//! - an empty app secret verifies nothing (a misconfiguration must not open the door).
//!
//! Spec: <https://developers.facebook.com/docs/graph-api/webhooks/getting-started#event-notifications>
//! and <https://developers.facebook.com/docs/whatsapp/cloud-api/guides/set-up-webhooks>.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header Meta signs event POSTs with.
pub const HEADER_NAME: &str = "X-Hub-Signature-256";

const PREFIX: &str = "sha256=";

/// Why a webhook POST was not accepted as coming from Meta.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// The header is not `sha256=` followed by 64 hex digits.
    #[error("the X-Hub-Signature-256 header is not `sha256=<64 hex digits>`")]
    Malformed,
    /// Well-formed, but not the HMAC of this body under our app secret.
    #[error("the X-Hub-Signature-256 header does not match the body")]
    Mismatch,
    /// The configured app secret is empty, so no signature can be trusted.
    #[error("no app secret is configured")]
    NoSecret,
}

/// Checks `header` (the value of `X-Hub-Signature-256`, if any) against `body`.
///
/// `body` must be the raw request bytes exactly as received.
pub fn verify(app_secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    if app_secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let hex_digest = header
        .get(..PREFIX.len())
        .filter(|prefix| prefix.eq_ignore_ascii_case(PREFIX))
        .and_then(|_| header.get(PREFIX.len()..))
        .ok_or(SignatureError::Malformed)?;
    let mut tag = [0_u8; 32];
    hex::decode_to_slice(hex_digest, &mut tag).map_err(|_| SignatureError::Malformed)?;
    let mac = HmacSha256::new_from_slice(app_secret).map_err(|_| SignatureError::NoSecret)?;
    mac.chain_update(body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` header value Meta would send for `body`: for tests, the
/// benchmark and the demo's webhook simulator.
pub fn sign(app_secret: &[u8], body: &[u8]) -> String {
    // HMAC is defined for keys of any length (long keys are hashed first), so
    // `new_from_slice` cannot fail for HMAC-SHA256.
    let mac = HmacSha256::new_from_slice(app_secret).expect("HMAC accepts keys of any length");
    let digest = mac.chain_update(body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_by_sign_verifies() {
        let header = sign(b"secret", b"{\"a\":1}");
        assert!(header.starts_with("sha256="));
        assert_eq!(header.len(), 7 + 64);
        assert_eq!(verify(b"secret", b"{\"a\":1}", Some(&header)), Ok(()));
    }

    #[test]
    fn a_missing_header_is_missing() {
        assert_eq!(verify(b"s", b"x", None), Err(SignatureError::Missing));
    }

    #[test]
    fn headers_without_the_prefix_or_with_bad_hex_are_malformed() {
        let good = sign(b"s", b"x");
        let digest = good.trim_start_matches("sha256=");
        for header in [
            "",
            digest,
            "sha1=abcd",
            "sha256=",
            "sha256=zz",
            &format!("sha256={}", &digest[..62]),
            &format!("sha256={digest}00"),
            "sha256=ü",
        ] {
            assert_eq!(
                verify(b"s", b"x", Some(header)),
                Err(SignatureError::Malformed),
                "{header:?}"
            );
        }
    }

    #[test]
    fn uppercase_hex_and_surrounding_whitespace_are_accepted() {
        let header = sign(b"s", b"x")
            .to_uppercase()
            .replace("SHA256=", "sha256=");
        assert_eq!(verify(b"s", b"x", Some(&format!(" {header} "))), Ok(()));
    }

    #[test]
    fn another_secret_or_another_body_is_a_mismatch() {
        let header = sign(b"s", b"x");
        assert_eq!(
            verify(b"t", b"x", Some(&header)),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"s", b"y", Some(&header)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn an_empty_app_secret_verifies_nothing() {
        let header = sign(b"", b"x");
        assert_eq!(
            verify(b"", b"x", Some(&header)),
            Err(SignatureError::NoSecret)
        );
    }
}
