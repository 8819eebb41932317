//! Media limits and integrity: how big a file of each kind may be, and whether downloaded
//! bytes are the ones Meta described.
//!
//! Invariants:
//!
//! - every MIME type maps to exactly one [`MediaKind`] (unknown types are documents, the
//!   most permissive kind Meta accepts), so every download has a byte limit;
//! - limits are in binary units (1 MB = 1024 × 1024 bytes): Meta writes "MB" without
//!   saying which, and the larger reading never rejects a file Meta accepted;
//! - Meta's `sha256` field is lowercase hex in some documents and base64 in others (the
//!   webhook samples carry base64), so both are accepted; a mismatch is an error the media
//!   job retries (the download may have been cut or corrupted).
//!
//! Limits: <https://developers.facebook.com/docs/whatsapp/cloud-api/reference/media#supported-media-types>.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

const MIB: u64 = 1024 * 1024;

/// The media kinds WhatsApp distinguishes, each with its own size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `image/jpeg`, `image/png`: 5 MB.
    Image,
    /// `audio/*` (aac, amr, mpeg, mp4, ogg/opus voice notes): 16 MB.
    Audio,
    /// `video/*` (mp4, 3gpp): 16 MB.
    Video,
    /// Anything else (pdf, office files, text): 100 MB.
    Document,
    /// `image/webp`: 500 KB (animated stickers; static ones are smaller still).
    Sticker,
}

impl MediaKind {
    /// The largest file of this kind we accept, in bytes.
    pub fn max_bytes(self) -> u64 {
        match self {
            MediaKind::Image => 5 * MIB,
            MediaKind::Audio | MediaKind::Video => 16 * MIB,
            MediaKind::Document => 100 * MIB,
            MediaKind::Sticker => 500 * 1024,
        }
    }

    /// The kind a MIME type belongs to. Parameters (`audio/ogg; codecs=opus`) and case
    /// are ignored; an unknown or empty type is a document.
    pub fn from_mime(mime: &str) -> MediaKind {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        let (top, sub) = essence.split_once('/').unwrap_or((essence, ""));
        if top.eq_ignore_ascii_case("image") {
            if sub.eq_ignore_ascii_case("webp") {
                MediaKind::Sticker
            } else if sub.eq_ignore_ascii_case("jpeg") || sub.eq_ignore_ascii_case("png") {
                MediaKind::Image
            } else {
                // Meta only sends jpeg/png images; any other image is kept as a file.
                MediaKind::Document
            }
        } else if top.eq_ignore_ascii_case("audio") {
            MediaKind::Audio
        } else if top.eq_ignore_ascii_case("video") {
            MediaKind::Video
        } else {
            MediaKind::Document
        }
    }
}

/// The largest file of `kind` we accept, in bytes (same as [`MediaKind::max_bytes`]).
pub fn max_bytes(kind: MediaKind) -> u64 {
    kind.max_bytes()
}

/// The largest file with MIME type `mime` we accept, in bytes.
pub fn max_bytes_for_mime(mime: &str) -> u64 {
    MediaKind::from_mime(mime).max_bytes()
}

/// Why downloaded bytes were not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChecksumError {
    /// The bytes hash to something else: retry the download (fetch a fresh URL first).
    #[error("sha256 mismatch: expected {expected}, got {actual_hex}")]
    Mismatch {
        /// Meta's value as given.
        expected: String,
        /// Our digest of the bytes, lowercase hex.
        actual_hex: String,
    },
    /// Meta's value is neither 64 hex digits nor base64 of 32 bytes, so nothing can be
    /// checked; retrying will not help.
    #[error("sha256 value {0:?} is neither hex nor base64 of a SHA-256 digest")]
    Unrecognised(String),
}

/// Decodes Meta's `sha256` field: 64 hex digits, or base64 (standard or URL-safe, padded
/// or not) of 32 bytes.
pub fn decode_sha256(expected: &str) -> Option<[u8; 32]> {
    let expected = expected.trim();
    let mut digest = [0_u8; 32];
    if expected.len() == 64 && hex::decode_to_slice(expected, &mut digest).is_ok() {
        return Some(digest);
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(bytes) = engine.decode(expected)
            && let Ok(array) = <[u8; 32]>::try_from(bytes.as_slice())
        {
            return Some(array);
        }
    }
    None
}

/// Checks `bytes` against Meta's `sha256` value (hex or base64).
pub fn verify_sha256(bytes: &[u8], expected: &str) -> Result<(), ChecksumError> {
    let wanted =
        decode_sha256(expected).ok_or_else(|| ChecksumError::Unrecognised(expected.into()))?;
    let actual = Sha256::digest(bytes);
    if bool::from(actual.as_slice().ct_eq(&wanted)) {
        Ok(())
    } else {
        Err(ChecksumError::Mismatch {
            expected: expected.into(),
            actual_hex: hex::encode(actual),
        })
    }
}

/// Whether `bytes` hash to Meta's `sha256` value (hex or base64). An unreadable value
/// never matches; use [`verify_sha256`] to tell the two apart.
pub fn sha256_matches(bytes: &[u8], expected: &str) -> bool {
    verify_sha256(bytes, expected).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_has_the_documented_limit() {
        assert_eq!(max_bytes(MediaKind::Image), 5 * 1024 * 1024);
        assert_eq!(max_bytes(MediaKind::Audio), 16 * 1024 * 1024);
        assert_eq!(max_bytes(MediaKind::Video), 16 * 1024 * 1024);
        assert_eq!(max_bytes(MediaKind::Document), 100 * 1024 * 1024);
        assert_eq!(max_bytes(MediaKind::Sticker), 500 * 1024);
    }

    #[test]
    fn mime_types_map_to_kinds_ignoring_parameters_and_case() {
        for (mime, kind) in [
            ("image/jpeg", MediaKind::Image),
            ("IMAGE/PNG", MediaKind::Image),
            ("image/webp", MediaKind::Sticker),
            ("image/gif", MediaKind::Document),
            ("audio/ogg; codecs=opus", MediaKind::Audio),
            ("video/mp4", MediaKind::Video),
            ("application/pdf", MediaKind::Document),
            ("", MediaKind::Document),
            ("nonsense", MediaKind::Document),
        ] {
            assert_eq!(MediaKind::from_mime(mime), kind, "{mime}");
        }
        assert_eq!(max_bytes_for_mime("video/3gpp"), 16 * 1024 * 1024);
    }

    #[test]
    fn a_digest_matches_in_hex_and_in_base64() {
        let bytes = b"foto jalan rusak";
        let digest = Sha256::digest(bytes);
        let hex_value = hex::encode(digest);
        assert!(sha256_matches(bytes, &hex_value));
        assert!(sha256_matches(bytes, &hex_value.to_uppercase()));
        assert!(sha256_matches(bytes, &STANDARD.encode(digest)));
        assert!(sha256_matches(bytes, &STANDARD_NO_PAD.encode(digest)));
        assert!(sha256_matches(bytes, &URL_SAFE.encode(digest)));
    }

    #[test]
    fn other_bytes_are_a_mismatch_and_garbage_is_unrecognised() {
        let digest = hex::encode(Sha256::digest(b"a"));
        assert!(matches!(
            verify_sha256(b"b", &digest),
            Err(ChecksumError::Mismatch { .. })
        ));
        // A fixture placeholder: valid base64, but not 32 bytes.
        assert_eq!(
            verify_sha256(b"a", "4654+8g="),
            Err(ChecksumError::Unrecognised("4654+8g=".into()))
        );
        assert!(!sha256_matches(b"a", "not a digest"));
    }
}
