//! `wani_bares_whatsapp::signature::verify` with an arbitrary secret, body and header.
//!
//! Checks: never panics on any header (multi-byte characters, odd lengths, case); a
//! header made by `sign` for the same secret and body always verifies; flipping one
//! byte of the body makes it fail.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use wani_bares_whatsapp::signature::{sign, verify};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    secret: &'a [u8],
    header: Option<&'a str>,
    body: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let _ = verify(input.secret, input.body, input.header);
    if input.secret.is_empty() {
        assert!(verify(input.secret, input.body, Some(&sign(b"x", input.body))).is_err());
        return;
    }
    let good = sign(input.secret, input.body);
    assert!(verify(input.secret, input.body, Some(&good)).is_ok());
    assert!(verify(input.secret, input.body, Some(&good.to_uppercase())).is_ok());
    if let Some(first) = input.body.first() {
        let mut tampered = input.body.to_vec();
        tampered[0] = first ^ 0x01;
        assert!(verify(input.secret, &tampered, Some(&good)).is_err());
    }
    if let Some(header) = input.header {
        if verify(input.secret, input.body, Some(header)).is_ok() {
            assert!(header.trim().eq_ignore_ascii_case(&good), "{header:?} verified");
        }
    }
});
