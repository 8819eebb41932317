//! The tracking number a citizen receives for a registered complaint: `WB-YYYYMM-NNNN`.
//!
//! `YYYYMM` is the month of registration and `NNNN` the complaint's sequence number within
//! that month, starting at 1, zero-padded to at least four digits (`WB-202611-0007`) and
//! simply longer above 9999 (`WB-202611-12345`). Assigning the sequence is the store's job
//! (one counter per month, in the registration transaction); this module only formats,
//! parses and finds the numbers.
//!
//! Invariants of a [`Ticket`]: year 2000..=9999, month 1..=12, sequence ≥ 1. Parsing is
//! lenient about how people retype it (any case, surrounding whitespace, `–` or `_` or a
//! space instead of `-`); `Display` and serde always give the canonical form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A complaint's tracking number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ticket {
    year: i16,
    month: i8,
    seq: u32,
}

/// Why a tracking number cannot be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("Nomor tiket tidak dikenali. Contoh nomor tiket: WB-202611-0007.")]
    Format,
    #[error("Tahun {0} tidak dapat dipakai pada nomor tiket.")]
    Year(i16),
    #[error("Bulan {0} tidak ada; bulan harus 1 sampai 12.")]
    Month(i8),
    #[error("Nomor urut tiket harus dimulai dari 1.")]
    ZeroSequence,
}

/// Longest sequence written in a ticket (`u32::MAX` has 10 digits).
const MAX_SEQ_DIGITS: usize = 10;

impl Ticket {
    pub fn new(year: i16, month: i8, seq: u32) -> Result<Ticket, TicketError> {
        if !(2000..=9999).contains(&year) {
            return Err(TicketError::Year(year));
        }
        if !(1..=12).contains(&month) {
            return Err(TicketError::Month(month));
        }
        if seq == 0 {
            return Err(TicketError::ZeroSequence);
        }
        Ok(Ticket { year, month, seq })
    }

    /// Reads a whole text as one tracking number (`wb-202611-0007`, ` WB-202611-0007 `).
    pub fn parse(input: &str) -> Result<Ticket, TicketError> {
        let trimmed = input.trim();
        match scan(trimmed) {
            Some((ticket, len)) if len == trimmed.len() => Ok(ticket),
            Some(_) | None => Err(explain(trimmed)),
        }
    }

    /// The first tracking number standing as its own word inside a free text, e.g.
    /// `"STATUS wb-202611-0007 ya"`.
    pub fn find_in(text: &str) -> Option<Ticket> {
        let mut previous: Option<char> = None;
        for (at, c) in text.char_indices() {
            let starts_word = previous.is_none_or(|p| !p.is_alphanumeric());
            if starts_word
                && c.eq_ignore_ascii_case(&'w')
                && let Some((ticket, len)) = scan(&text[at..])
                && text[at + len..]
                    .chars()
                    .next()
                    .is_none_or(|n| !n.is_alphanumeric())
            {
                return Some(ticket);
            }
            previous = Some(c);
        }
        None
    }

    /// The registration month as `YYYYMM`, the key of the per-month sequence.
    pub fn month_key(&self) -> String {
        format!("{:04}{:02}", self.year, self.month)
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    pub fn month(&self) -> i8 {
        self.month
    }

    pub fn seq(&self) -> u32 {
        self.seq
    }
}

/// Reads `WB[sep]YYYYMM[sep]N…` at the start of `s`; returns the ticket and the number of
/// bytes it spans.
fn scan(s: &str) -> Option<(Ticket, usize)> {
    let (raw, len) = scan_shape(s)?;
    Some((raw.ticket().ok()?, len))
}

/// The parts of a ticket-shaped text, not yet checked for a real month or sequence.
struct RawTicket<'a> {
    month_key: &'a str,
    seq: &'a str,
}

impl RawTicket<'_> {
    fn ticket(&self) -> Result<Ticket, TicketError> {
        let year = self.month_key[..4]
            .parse()
            .map_err(|_| TicketError::Format)?;
        let month = self.month_key[4..]
            .parse()
            .map_err(|_| TicketError::Format)?;
        let seq = self.seq.parse().map_err(|_| TicketError::Format)?;
        Ticket::new(year, month, seq)
    }
}

/// Finds the shape `WB[sep]DDDDDD[sep]D…` at the start of `s`. The sequence takes every
/// following digit, so a longer digit run is never silently cut.
fn scan_shape(s: &str) -> Option<(RawTicket<'_>, usize)> {
    let prefix = s.get(..2)?;
    if !prefix.eq_ignore_ascii_case("wb") {
        return None;
    }
    let mut at = 2;
    at += separator_len(&s[at..]);
    let month_key = s.get(at..at + 6)?;
    if !month_key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    at += 6;
    let sep = separator_len(&s[at..]);
    at += sep;
    let seq_len = s[at..].bytes().take_while(u8::is_ascii_digit).count();
    // Without a separator the canonical four digits are required, so that "WB2026110"
    // is not read as a one-digit sequence.
    if seq_len == 0 || seq_len > MAX_SEQ_DIGITS || (sep == 0 && seq_len < 4) {
        return None;
    }
    let raw = RawTicket {
        month_key,
        seq: &s[at..at + seq_len],
    };
    Some((raw, at + seq_len))
}

/// Byte length of one separator at the start of `s` (0 when there is none).
fn separator_len(s: &str) -> usize {
    match s.chars().next() {
        Some(c @ ('-' | '_' | ' ' | '\u{2010}'..='\u{2015}')) => c.len_utf8(),
        _ => 0,
    }
}

/// The most useful error for a text that is not a ticket: a ticket-shaped text says what
/// is wrong with it (month 13, sequence 0), anything else is a format error.
fn explain(s: &str) -> TicketError {
    match scan_shape(s) {
        Some((raw, len)) if len == s.len() => raw.ticket().err().unwrap_or(TicketError::Format),
        _ => TicketError::Format,
    }
}

impl fmt::Display for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WB-{:04}{:02}-{:04}", self.year, self.month, self.seq)
    }
}

impl std::str::FromStr for Ticket {
    type Err = TicketError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ticket::parse(s)
    }
}

impl Serialize for Ticket {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ticket {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ticket::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(year: i16, month: i8, seq: u32) -> Ticket {
        Ticket::new(year, month, seq).unwrap()
    }

    #[test]
    fn the_sequence_is_padded_to_four_digits_and_grows_beyond() {
        assert_eq!(t(2026, 11, 7).to_string(), "WB-202611-0007");
        assert_eq!(t(2026, 1, 9999).to_string(), "WB-202601-9999");
        assert_eq!(t(2026, 1, 12345).to_string(), "WB-202601-12345");
        assert_eq!(t(2026, 11, 7).month_key(), "202611");
        assert_eq!(
            (
                t(2026, 11, 7).year(),
                t(2026, 11, 7).month(),
                t(2026, 11, 7).seq()
            ),
            (2026, 11, 7)
        );
    }

    #[test]
    fn impossible_parts_are_refused() {
        assert_eq!(Ticket::new(2026, 13, 1), Err(TicketError::Month(13)));
        assert_eq!(Ticket::new(2026, 0, 1), Err(TicketError::Month(0)));
        assert_eq!(Ticket::new(1999, 1, 1), Err(TicketError::Year(1999)));
        assert_eq!(Ticket::new(2026, 1, 0), Err(TicketError::ZeroSequence));
    }

    #[test]
    fn parsing_accepts_how_people_retype_it() {
        for input in [
            "WB-202611-0007",
            "wb-202611-0007",
            "  Wb-202611-0007\n",
            "WB 202611 0007",
            "WB\u{2013}202611\u{2013}0007",
            "WB_202611_0007",
            "WB2026110007",
            "WB-202611-7",
            "WB-202611-00007",
        ] {
            assert_eq!(Ticket::parse(input), Ok(t(2026, 11, 7)), "{input:?}");
        }
    }

    #[test]
    fn parsing_refuses_what_is_not_a_ticket() {
        let cases: &[(&str, TicketError)] = &[
            ("", TicketError::Format),
            ("WB-", TicketError::Format),
            ("XB-202611-0007", TicketError::Format),
            ("WB-202611-0007x", TicketError::Format),
            ("WB-202611-0007 ya", TicketError::Format),
            ("WB-202613-0007", TicketError::Month(13)),
            ("WB-202611-0000", TicketError::ZeroSequence),
            ("WB-202611-99999999999", TicketError::Format),
            ("WB2026110", TicketError::Format),
        ];
        for (input, expected) in cases {
            assert_eq!(Ticket::parse(input).as_ref(), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn a_ticket_is_found_inside_free_text() {
        let cases: &[(&str, Option<Ticket>)] = &[
            ("STATUS wb-202611-0007 ya", Some(t(2026, 11, 7))),
            ("cek WB-202611-0012.", Some(t(2026, 11, 12))),
            ("(WB-202611-0012)", Some(t(2026, 11, 12))),
            (
                "tiket: WB-202611-0001, WB-202611-0002",
                Some(t(2026, 11, 1)),
            ),
            ("status XWB-202611-0007", None),
            ("status WB-202611-0007A", None),
            (
                "status WB-202613-0007 lalu WB-202612-0001",
                Some(t(2026, 12, 1)),
            ),
            ("tidak ada nomor", None),
            ("wéwé wb", None),
        ];
        for (input, expected) in cases {
            assert_eq!(Ticket::find_in(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn serde_uses_the_canonical_string() {
        let ticket = t(2026, 11, 7);
        assert_eq!(
            serde_json::to_string(&ticket).unwrap(),
            "\"WB-202611-0007\""
        );
        assert_eq!(
            serde_json::from_str::<Ticket>("\"wb-202611-0007\"").unwrap(),
            ticket
        );
        assert!(serde_json::from_str::<Ticket>("\"WB-1\"").is_err());
    }

    proptest! {
        #[test]
        fn every_ticket_round_trips(year in 2000_i16..=9999, month in 1_i8..=12, seq in 1_u32..) {
            let ticket = t(year, month, seq);
            let text = ticket.to_string();
            prop_assert_eq!(Ticket::parse(&text), Ok(ticket));
            prop_assert_eq!(Ticket::parse(&text.to_lowercase()), Ok(ticket));
            prop_assert_eq!(Ticket::find_in(&format!("status {text}!")), Some(ticket));
            let json = serde_json::to_string(&ticket).unwrap();
            prop_assert_eq!(serde_json::from_str::<Ticket>(&json).unwrap(), ticket);
        }

        #[test]
        fn parse_and_find_never_panic(s in "\\PC{0,60}") {
            let _ = Ticket::parse(&s);
            let _ = Ticket::find_in(&s);
        }

        #[test]
        fn parse_and_find_never_panic_on_ticket_like_text(s in "[wWbB \\-–0-9]{0,30}") {
            let _ = Ticket::parse(&s);
            let _ = Ticket::find_in(&s);
        }
    }
}
