//! `wani_bares_domain::intake::parse_form` on arbitrary text: the one-shot form a citizen
//! types ("Nama: …\nNIK: …\nAlamat: …\nAduan: …").
//!
//! Checks: never panics; every value is trimmed and non-empty; a message without labels
//! yields no field; invisible characters (zero-width, bidi marks, BOM) inserted anywhere
//! do not change the result (phones and copy-paste add them); the NIK field, whatever it
//! holds, goes through `Nik::parse` without panicking.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wani_bares_domain::intake::parse_form;
use wani_bares_domain::nik::Nik;

const INVISIBLE: [char; 6] = ['\u{200b}', '\u{200f}', '\u{202e}', '\u{2066}', '\u{feff}', '\u{ad}'];

fuzz_target!(|text: &str| {
    let form = parse_form(text);
    for value in [&form.nama, &form.nik, &form.alamat, &form.aduan, &form.unlabelled]
        .into_iter()
        .flatten()
    {
        assert!(!value.is_empty());
        assert_eq!(value.trim(), value.as_str());
    }
    if form.labels == 0 {
        assert!(form.nama.is_none() && form.nik.is_none() && form.alamat.is_none());
        assert!(form.aduan.is_none() && form.kind.is_none());
    }
    if let Some(nik) = &form.nik {
        let _ = Nik::parse(nik);
    }
    // The same text with invisible characters sprinkled in reads the same.
    let seed = text.len();
    let sprinkled: String = text
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let extra = ((i + seed) % 3 == 0).then_some(INVISIBLE[(i + seed) % INVISIBLE.len()]);
            extra.into_iter().chain(std::iter::once(c))
        })
        .collect();
    assert_eq!(parse_form(&sprinkled), form, "invisible characters changed the form");
});
