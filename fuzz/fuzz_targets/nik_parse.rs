//! The identifiers citizens type: `Nik::parse`, `Ticket::parse` / `Ticket::find_in`,
//! `PhoneNumber::parse`, `Bsuid::parse`, on arbitrary strings.
//!
//! Checks: never panics; what parses round-trips (the canonical form parses to the same
//! value, and serde agrees); masking never reveals more than it should (a masked NIK has
//! at most 6 digits of the NIK visible, a masked phone is not the phone); a NIK's
//! accessors stay in range; a ticket found in a text is the one `parse` reads from its
//! canonical form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use wani_bares_domain::nik::Nik;
use wani_bares_domain::phone::{Bsuid, PhoneNumber};
use wani_bares_domain::ticket::Ticket;

fuzz_target!(|text: &str| {
    if let Ok(nik) = Nik::parse(text) {
        assert_eq!(nik.as_str().len(), 16);
        assert!(nik.as_str().bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(Nik::parse(nik.as_str()).as_ref(), Ok(&nik));
        let json = serde_json::to_string(&nik).expect("a NIK serialises");
        assert_eq!(serde_json::from_str::<Nik>(&json).ok().as_ref(), Some(&nik));
        assert!((1..=31).contains(&nik.birth_day()));
        assert!((1..=12).contains(&nik.birth_month()));
        assert!(nik.serial() >= 1);
        let masked = nik.masked();
        assert!(!masked.contains(nik.as_str()));
        assert!(masked.bytes().filter(u8::is_ascii_digit).count() <= 8, "{masked}");
        assert!(!format!("{nik:?}").contains(nik.as_str()));
    }
    if let Ok(ticket) = Ticket::parse(text) {
        let canonical = ticket.to_string();
        assert_eq!(Ticket::parse(&canonical), Ok(ticket));
        assert_eq!(Ticket::find_in(&canonical), Some(ticket));
        assert_eq!(Ticket::find_in(&format!("STATUS {canonical} ya")), Some(ticket));
        assert!((1..=12).contains(&ticket.month()));
    }
    let _ = Ticket::find_in(text);
    if let Ok(phone) = PhoneNumber::parse(text) {
        let digits = phone.as_str();
        assert!((8..=15).contains(&digits.len()), "{digits}");
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(!digits.starts_with('0'));
        assert_eq!(PhoneNumber::parse(digits).as_ref(), Ok(&phone));
        assert_eq!(PhoneNumber::parse(&format!("+{digits}")).as_ref(), Ok(&phone));
        assert_eq!(PhoneNumber::parse(&phone.display()).as_ref(), Ok(&phone), "display {}", phone.display());
        assert_ne!(phone.masked(), digits);
        assert!(!format!("{phone:?}").contains(digits));
    }
    if let Ok(bsuid) = Bsuid::parse(text) {
        assert_eq!(Bsuid::parse(bsuid.as_str()).as_ref(), Ok(&bsuid));
    }
});
