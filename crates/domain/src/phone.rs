//! The keys a citizen is known by on WhatsApp: a phone number and a business-scoped user id.
//!
//! Since 2026 a WhatsApp user may have a username and no visible phone number; the webhook
//! then carries only a BSUID (`from_user_id`, e.g. `US.13491208655302741918`). A citizen is
//! keyed by [`Bsuid`] when present, with the [`PhoneNumber`] as an alias, never by the phone
//! alone (see `shared/WHATSAPP.md`).
//!
//! Invariants:
//! - a [`PhoneNumber`] is 8–15 ASCII digits, the first non-zero, including the country
//!   code (the E.164 digits without `+`, which is WhatsApp's `wa_id` and `to` form).
//!   Indonesian numbers written nationally (`0812…`) or with `+62`, spaces, dashes, dots or
//!   parentheses all normalise to `62812…`, so one person has one key;
//! - a [`Bsuid`] is 1–128 ASCII characters from `[A-Za-z0-9._-]`, kept exactly as sent.
//!
//! Both are personal data: `Debug` shows them masked.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Indonesia's country calling code.
const INDONESIA: &str = "62";
const MIN_DIGITS: usize = 8;
const MAX_DIGITS: usize = 15;
/// Longest Indonesian national significant number (after `62`).
const ID_MAX_NATIONAL: usize = 13;
/// Shortest Indonesian national significant number (area code + subscriber).
const ID_MIN_NATIONAL: usize = 7;

/// A phone number as WhatsApp digits with country code, e.g. `6281234567890`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

/// Why a text is not a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Nomor telepon kosong.")]
    Empty,
    #[error("Nomor telepon hanya boleh berisi angka; ada karakter \u{201c}{found}\u{201d}.")]
    InvalidCharacter { found: char },
    #[error("Nomor telepon terlalu pendek ({digits} angka).")]
    TooShort { digits: usize },
    #[error("Nomor telepon terlalu panjang ({digits} angka).")]
    TooLong { digits: usize },
    #[error("Nomor telepon internasional tidak boleh diawali angka 0.")]
    LeadingZero,
}

impl PhoneNumber {
    /// Normalises a phone number: Indonesian `08…`, `62 8…`, `+62 8…`, `(0812) …` and
    /// `+62 (0)812…` become `628…`; other numbers are kept as their digits when they start
    /// with a non-zero digit (a WhatsApp `wa_id` such as `16505551234`).
    pub fn parse(input: &str) -> Result<PhoneNumber, PhoneError> {
        let trimmed = input.trim();
        let mut digits = String::with_capacity(trimmed.len().min(MAX_DIGITS + 4));
        let mut plus = false;
        for (i, c) in trimmed.chars().enumerate() {
            match c {
                '0'..='9' => {
                    if digits.len() > MAX_DIGITS + 2 {
                        return Err(PhoneError::TooLong {
                            digits: trimmed.chars().filter(char::is_ascii_digit).count(),
                        });
                    }
                    digits.push(c);
                }
                '+' if i == 0 => plus = true,
                ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
                other => return Err(PhoneError::InvalidCharacter { found: other }),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let normalised = if plus {
            if digits.starts_with('0') {
                return Err(PhoneError::LeadingZero);
            }
            drop_trunk_zero_after_62(&digits)
        } else if let Some(national) = digits.strip_prefix('0') {
            if national.starts_with('0') {
                // "00…" is an international call prefix, not a number we can key on.
                return Err(PhoneError::LeadingZero);
            }
            format!("{INDONESIA}{national}")
        } else {
            drop_trunk_zero_after_62(&digits)
        };
        let len = normalised.len();
        if let Some(national) = normalised.strip_prefix(INDONESIA) {
            // One trunk zero after 62 was dropped above; a second one (`62 00…`) is no
            // Indonesian number, and keeping it would make normalising not idempotent
            // (`6201…` parses again as `621…`: one citizen, two keys). Found by fuzzing.
            if national.starts_with('0') {
                return Err(PhoneError::LeadingZero);
            }
            if national.len() < ID_MIN_NATIONAL {
                return Err(PhoneError::TooShort { digits: len });
            }
            if national.len() > ID_MAX_NATIONAL {
                return Err(PhoneError::TooLong { digits: len });
            }
        }
        if len < MIN_DIGITS {
            return Err(PhoneError::TooShort { digits: len });
        }
        if len > MAX_DIGITS {
            return Err(PhoneError::TooLong { digits: len });
        }
        Ok(PhoneNumber(normalised))
    }

    /// The digits with country code, as WhatsApp's `to` field wants them.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is an Indonesian number (+62).
    pub fn is_indonesian(&self) -> bool {
        self.0.starts_with(INDONESIA)
    }

    /// A readable form: `+62 812-3456-7890` for Indonesian numbers, `+16505551234` for
    /// others (their country-code length is not known here).
    pub fn display(&self) -> String {
        match self.indonesian_groups() {
            Some(groups) => format!("+62 {}", groups.join("-")),
            None => format!("+{}", self.0),
        }
    }

    /// The readable form with the middle hidden: `+62 812-****-7890`; other countries keep
    /// their first four and last three digits.
    pub fn masked(&self) -> String {
        if let Some(groups) = self.indonesian_groups() {
            if let [head, rest] = groups.as_slice() {
                let keep = rest.len().saturating_sub(2);
                return format!("+62 {head}-{}{}", "*".repeat(keep), &rest[keep..]);
            }
            let last = groups.len() - 1;
            let shown: Vec<String> = groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    if i == 0 || i == last {
                        (*g).to_owned()
                    } else {
                        "*".repeat(g.len())
                    }
                })
                .collect();
            return format!("+62 {}", shown.join("-"));
        }
        let len = self.0.len();
        format!(
            "+{}{}{}",
            &self.0[..4],
            "*".repeat(len - 7),
            &self.0[len - 3..]
        )
    }

    /// An Indonesian national number split as people write it: 3, 4, then the rest
    /// (`812`, `3456`, `7890`); a short landline keeps 3 + rest.
    fn indonesian_groups(&self) -> Option<Vec<&str>> {
        let national = self.0.strip_prefix(INDONESIA)?;
        if national.len() <= ID_MIN_NATIONAL {
            return Some(vec![&national[..3], &national[3..]]);
        }
        Some(vec![&national[..3], &national[3..7], &national[7..]])
    }
}

/// `+62 (0)812…` and `620812…` carry the national trunk zero after the country code.
fn drop_trunk_zero_after_62(digits: &str) -> String {
    match digits.strip_prefix("620") {
        Some(rest) => format!("{INDONESIA}{rest}"),
        None => digits.to_owned(),
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PhoneNumber").field(&self.masked()).finish()
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for PhoneNumber {
    type Err = PhoneError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhoneNumber::parse(s)
    }
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        PhoneNumber::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// Longest accepted business-scoped user id.
pub const BSUID_MAX_LEN: usize = 128;

/// A WhatsApp business-scoped user id (`from_user_id` / `user_id`), kept exactly as sent.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bsuid(String);

/// Why a text is not a BSUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BsuidError {
    #[error("the user id is empty")]
    Empty,
    #[error("the user id is {len} characters long; at most {BSUID_MAX_LEN} are allowed")]
    TooLong { len: usize },
    #[error(
        "the user id contains {found:?}; only ASCII letters, digits, '.', '_' and '-' are allowed"
    )]
    InvalidCharacter { found: char },
}

impl Bsuid {
    /// Accepts 1–128 characters from `[A-Za-z0-9._-]`, unchanged.
    pub fn parse(input: &str) -> Result<Bsuid, BsuidError> {
        if input.is_empty() {
            return Err(BsuidError::Empty);
        }
        if let Some(found) = input
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(BsuidError::InvalidCharacter { found });
        }
        if input.len() > BSUID_MAX_LEN {
            return Err(BsuidError::TooLong { len: input.len() });
        }
        Ok(Bsuid(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The id is pseudonymous but still personal: show only its head.
        let head: String = self.0.chars().take(6).collect();
        write!(f, "Bsuid(\"{head}…\")")
    }
}

impl fmt::Display for Bsuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for Bsuid {
    type Err = BsuidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Bsuid::parse(s)
    }
}

impl Serialize for Bsuid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Bsuid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Bsuid::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_way_of_writing_an_indonesian_mobile_is_the_same_number() {
        for input in [
            "081234567890",
            "6281234567890",
            "+6281234567890",
            "+62 812-3456-7890",
            "62 812 3456 7890",
            "(0812) 3456-7890",
            "0812.3456.7890",
            "+62 (0)812 3456 7890",
            "  081234567890 ",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.as_str().to_owned()),
                Ok("6281234567890".to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn whatsapp_ids_of_other_countries_are_kept_as_digits() {
        for input in ["972987654321", "16505551234", "+44 20 7946 0958"] {
            let phone = PhoneNumber::parse(input).unwrap();
            assert!(!phone.is_indonesian());
            assert!(phone.as_str().chars().all(|c| c.is_ascii_digit()));
        }
        assert_eq!(
            PhoneNumber::parse("16505551234").unwrap().as_str(),
            "16505551234"
        );
    }

    #[test]
    fn letters_and_bad_lengths_are_rejected() {
        let cases: &[(&str, PhoneError)] = &[
            ("", PhoneError::Empty),
            ("  ", PhoneError::Empty),
            ("0812abc", PhoneError::InvalidCharacter { found: 'a' }),
            ("PHONE_NUMBER", PhoneError::InvalidCharacter { found: 'P' }),
            ("0812", PhoneError::TooShort { digits: 5 }),
            ("1234567", PhoneError::TooShort { digits: 7 }),
            ("1234567890123456", PhoneError::TooLong { digits: 16 }),
            ("+0812345678", PhoneError::LeadingZero),
            ("0062812345678", PhoneError::LeadingZero),
            // Regression (fuzz/nik_parse): a second trunk zero after 62.
            ("62001234567", PhoneError::LeadingZero),
            ("+62 00 812 3456 789", PhoneError::LeadingZero),
            ("62812345", PhoneError::TooShort { digits: 8 }),
            ("0812+3456", PhoneError::InvalidCharacter { found: '+' }),
        ];
        for (input, expected) in cases {
            assert_eq!(
                PhoneNumber::parse(input).as_ref(),
                Err(expected),
                "{input:?}"
            );
        }
    }

    #[test]
    fn display_and_masked_are_readable() {
        let phone = PhoneNumber::parse("081234567890").unwrap();
        assert_eq!(phone.display(), "+62 812-3456-7890");
        assert_eq!(phone.masked(), "+62 812-****-7890");
        let landline = PhoneNumber::parse("0351 895 123").unwrap();
        assert_eq!(landline.as_str(), "62351895123");
        assert_eq!(landline.display(), "+62 351-8951-23");
        let foreign = PhoneNumber::parse("16505551234").unwrap();
        assert_eq!(foreign.display(), "+16505551234");
        assert_eq!(foreign.masked(), "+1650****234");
        assert_eq!(format!("{foreign:?}"), "PhoneNumber(\"+1650****234\")");
    }

    #[test]
    fn bsuids_are_kept_as_sent_and_checked() {
        assert_eq!(
            Bsuid::parse("US.13491208655302741918").unwrap().as_str(),
            "US.13491208655302741918"
        );
        assert_eq!(Bsuid::parse("BSUID_123").unwrap().as_str(), "BSUID_123");
        assert_eq!(Bsuid::parse(""), Err(BsuidError::Empty));
        assert_eq!(
            Bsuid::parse("US 1"),
            Err(BsuidError::InvalidCharacter { found: ' ' })
        );
        assert_eq!(
            Bsuid::parse(&"a".repeat(129)),
            Err(BsuidError::TooLong { len: 129 })
        );
        assert!(Bsuid::parse(&"a".repeat(128)).is_ok());
    }

    #[test]
    fn serde_uses_the_plain_strings() {
        let phone = PhoneNumber::parse("+62 812-3456-7890").unwrap();
        assert_eq!(serde_json::to_string(&phone).unwrap(), "\"6281234567890\"");
        let back: PhoneNumber = serde_json::from_str("\"6281234567890\"").unwrap();
        assert_eq!(back, phone);
        let id: Bsuid = serde_json::from_str("\"US.1349\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"US.1349\"");
        assert!(serde_json::from_str::<Bsuid>("\"\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_valid_numbers_are_digit_keys(s in "\\PC{0,40}") {
            if let Ok(phone) = PhoneNumber::parse(&s) {
                prop_assert!(phone.as_str().chars().all(|c| c.is_ascii_digit()));
                prop_assert!((MIN_DIGITS..=MAX_DIGITS).contains(&phone.as_str().len()));
                prop_assert!(!phone.as_str().starts_with('0'));
                let _ = (phone.display(), phone.masked());
                // Normalising is idempotent: the key parses to itself.
                prop_assert_eq!(PhoneNumber::parse(phone.as_str()).unwrap(), phone.clone());
                prop_assert_eq!(PhoneNumber::parse(&phone.display()).unwrap(), phone);
            }
        }

        #[test]
        fn a_national_and_an_international_number_agree(rest in "8[0-9]{8,11}") {
            let national = PhoneNumber::parse(&format!("0{rest}")).unwrap();
            let international = PhoneNumber::parse(&format!("+62 {rest}")).unwrap();
            prop_assert_eq!(&national, &international);
            prop_assert_eq!(PhoneNumber::parse(national.as_str()).unwrap(), national);
        }

        #[test]
        fn bsuid_parse_never_panics(s in "\\PC{0,140}") {
            let _ = Bsuid::parse(&s);
        }
    }
}
