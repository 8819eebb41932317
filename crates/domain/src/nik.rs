//! The NIK (*Nomor Induk Kependudukan*), the 16-digit number on every Indonesian KTP.
//!
//! Layout `PP KK CC DDMMYY SSSS`:
//! - `PP` province (35 = Jawa Timur), `KK` regency or city (20 = Magetan), `CC` district
//!   (*kecamatan*);
//! - `DDMMYY` birth date, where women have 40 added to the day (`41` = the 1st);
//! - `SSSS` a serial number, starting at `0001`.
//!
//! Invariants of a [`Nik`] value: exactly 16 ASCII digits; a known province code; non-zero
//! regency, district and serial; a birth date that exists (see below). People type NIKs
//! with spaces, dots or dashes (`3520 0141 0890 0001`); [`Nik::parse`] drops those and
//! rejects anything else, with a [`NikError`] whose `Display` is a short, polite Bahasa
//! Indonesia sentence fit to send to the citizen.
//!
//! The year is only two digits and the domain never reads the clock, so a date is accepted
//! when it exists in `19YY` or in `20YY` (this only matters for 29 February).
//!
//! A NIK is personal data (UU 27/2022): `Debug` shows it masked, there is no `Display`,
//! and [`Nik::masked`] is what summaries and logs should show.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Number of digits in a NIK.
pub const NIK_LEN: usize = 16;

/// A valid NIK: 16 ASCII digits with a real province, non-zero regency, district and
/// serial, and a birth date that exists.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nik(String);

/// Why a text is not a valid NIK. `Display` is a sentence for the citizen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NikError {
    #[error("Pesan Anda belum berisi NIK.")]
    Empty,
    #[error("NIK hanya boleh berisi angka; ada karakter \u{201c}{found}\u{201d} di dalamnya.")]
    InvalidCharacter { found: char },
    #[error("NIK harus terdiri dari 16 angka; yang Anda kirim {digits} angka.")]
    WrongLength { digits: usize },
    #[error("Dua angka pertama NIK ({code}) bukan kode provinsi yang dikenal.")]
    UnknownProvince { code: String },
    #[error("Angka ke-3 dan ke-4 NIK (kode kabupaten/kota) tidak boleh 00.")]
    ZeroRegency,
    #[error("Angka ke-5 dan ke-6 NIK (kode kecamatan) tidak boleh 00.")]
    ZeroDistrict,
    #[error("Tanggal lahir di NIK (angka ke-7 sampai ke-12: {ddmmyy}) bukan tanggal yang ada.")]
    InvalidBirthDate { ddmmyy: String },
    #[error("Empat angka terakhir NIK (nomor urut) tidak boleh 0000.")]
    ZeroSerial,
}

/// Province codes of the Kemendagri coding, including the Papua provinces created in
/// 2022 (93–96) and 97 as head-room: a false rejection costs a citizen more than a false
/// acceptance, which the admin still verifies against the KTP photo.
fn is_province_code(code: u8) -> bool {
    matches!(code, 11..=19 | 21 | 31..=36 | 51..=53 | 61..=65 | 71..=76 | 81 | 82 | 91..=97)
}

/// Characters people put between digit groups; they are dropped.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | '-' | '\u{2010}'..='\u{2015}')
}

fn two_digits(bytes: &[u8], at: usize) -> u8 {
    (bytes[at] - b'0') * 10 + (bytes[at + 1] - b'0')
}

/// Whether day/month exist in `19yy` or `20yy`.
fn date_exists(day: u8, month: u8, yy: u8) -> bool {
    [1900_i16, 2000].iter().any(|century| {
        jiff::civil::Date::new(century + i16::from(yy), month as i8, day as i8).is_ok()
    })
}

impl Nik {
    /// Parses a NIK as people type it: surrounding whitespace and spaces, dots or dashes
    /// between digits are accepted; any other character is an error.
    pub fn parse(input: &str) -> Result<Nik, NikError> {
        let mut digits = String::with_capacity(NIK_LEN);
        let mut count = 0_usize;
        for c in input.chars() {
            if c.is_ascii_digit() {
                count += 1;
                if count <= NIK_LEN {
                    digits.push(c);
                }
            } else if !is_separator(c) {
                return Err(NikError::InvalidCharacter { found: c });
            }
        }
        if count == 0 {
            return Err(NikError::Empty);
        }
        if count != NIK_LEN {
            return Err(NikError::WrongLength { digits: count });
        }
        let b = digits.as_bytes();
        let province = two_digits(b, 0);
        if !is_province_code(province) {
            return Err(NikError::UnknownProvince {
                code: digits[0..2].to_owned(),
            });
        }
        if two_digits(b, 2) == 0 {
            return Err(NikError::ZeroRegency);
        }
        if two_digits(b, 4) == 0 {
            return Err(NikError::ZeroDistrict);
        }
        let raw_day = two_digits(b, 6);
        let day = if raw_day > 40 { raw_day - 40 } else { raw_day };
        if !date_exists(day, two_digits(b, 8), two_digits(b, 10)) {
            return Err(NikError::InvalidBirthDate {
                ddmmyy: digits[6..12].to_owned(),
            });
        }
        if &digits[12..] == "0000" {
            return Err(NikError::ZeroSerial);
        }
        Ok(Nik(digits))
    }

    /// The 16 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Province code, e.g. `"35"` (Jawa Timur).
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// Regency/city code including the province, e.g. `"3520"` (Magetan).
    pub fn regency_code(&self) -> &str {
        &self.0[..4]
    }

    /// District (kecamatan) code including province and regency, e.g. `"352006"`.
    pub fn district_code(&self) -> &str {
        &self.0[..6]
    }

    /// Whether the NIK was issued in Kabupaten Magetan (35 20).
    pub fn is_magetan(&self) -> bool {
        self.regency_code() == "3520"
    }

    /// Whether the NIK belongs to a woman (day of birth stored plus 40).
    pub fn is_female(&self) -> bool {
        self.raw_day() > 40
    }

    /// Day of birth, 1..=31, with the +40 for women removed.
    pub fn birth_day(&self) -> u8 {
        let raw = self.raw_day();
        if raw > 40 { raw - 40 } else { raw }
    }

    /// Month of birth, 1..=12.
    pub fn birth_month(&self) -> u8 {
        two_digits(self.0.as_bytes(), 8)
    }

    /// The two-digit year of birth, 0..=99.
    pub fn birth_two_digit_year(&self) -> u8 {
        two_digits(self.0.as_bytes(), 10)
    }

    /// The serial number, 1..=9999.
    pub fn serial(&self) -> u16 {
        self.0[12..].parse().unwrap_or(0)
    }

    /// The NIK with its middle hidden: the first 6 digits (the district) and the last 2
    /// stay, e.g. `352006********01`. Always 16 characters.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    fn raw_day(&self) -> u8 {
        two_digits(self.0.as_bytes(), 6)
    }
}

impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Nik").field(&self.masked()).finish()
    }
}

impl std::str::FromStr for Nik {
    type Err = NikError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Nik::parse(s)
    }
}

impl Serialize for Nik {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Nik {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Nik::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_magetan_nik_parses_with_all_its_parts() {
        let nik = Nik::parse("3520061708900001").unwrap();
        assert_eq!(nik.as_str(), "3520061708900001");
        assert_eq!(nik.province_code(), "35");
        assert_eq!(nik.regency_code(), "3520");
        assert_eq!(nik.district_code(), "352006");
        assert!(nik.is_magetan());
        assert!(!nik.is_female());
        assert_eq!(
            (
                nik.birth_day(),
                nik.birth_month(),
                nik.birth_two_digit_year()
            ),
            (17, 8, 90)
        );
        assert_eq!(nik.serial(), 1);
    }

    #[test]
    fn a_woman_s_birth_day_is_stored_plus_forty() {
        let nik = Nik::parse("3520015708900002").unwrap();
        assert!(nik.is_female());
        assert_eq!(nik.birth_day(), 17);
    }

    #[test]
    fn people_s_spacing_dots_and_dashes_are_accepted() {
        for input in [
            "3520 0141 0890 0001",
            "  3520014108900001\n",
            "3520.0141.0890.0001",
            "3520-0141-0890-0001",
            "35 20 01 410890 0001",
        ] {
            assert_eq!(
                Nik::parse(input).map(|n| n.as_str().to_owned()),
                Ok("3520014108900001".to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn invalid_niks_say_precisely_what_is_wrong() {
        let cases: &[(&str, NikError)] = &[
            ("", NikError::Empty),
            ("  - . ", NikError::Empty),
            ("1234", NikError::WrongLength { digits: 4 }),
            ("35200617089000011", NikError::WrongLength { digits: 17 }),
            (
                "3520O61708900001",
                NikError::InvalidCharacter { found: 'O' },
            ),
            (
                "NIK 3520061708900001",
                NikError::InvalidCharacter { found: 'N' },
            ),
            (
                "0020061708900001",
                NikError::UnknownProvince { code: "00".into() },
            ),
            (
                "2020061708900001",
                NikError::UnknownProvince { code: "20".into() },
            ),
            (
                "9820061708900001",
                NikError::UnknownProvince { code: "98".into() },
            ),
            ("3500061708900001", NikError::ZeroRegency),
            ("3520001708900001", NikError::ZeroDistrict),
            (
                "3520063208900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "320890".into(),
                },
            ),
            (
                "3520060013900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "001390".into(),
                },
            ),
            (
                "3520060008900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "000890".into(),
                },
            ),
            (
                "3520063102900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "310290".into(),
                },
            ),
            (
                "3520064008900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "400890".into(),
                },
            ),
            (
                "3520067208900001",
                NikError::InvalidBirthDate {
                    ddmmyy: "720890".into(),
                },
            ),
            (
                "3520062902010001",
                NikError::InvalidBirthDate {
                    ddmmyy: "290201".into(),
                },
            ),
            ("3520061708900000", NikError::ZeroSerial),
        ];
        for (input, expected) in cases {
            assert_eq!(Nik::parse(input).as_ref(), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn february_29_is_valid_when_either_century_has_it() {
        assert!(Nik::parse("3520062902000001").is_ok()); // 2000
        assert!(Nik::parse("3520062902960001").is_ok()); // 1996
        assert!(Nik::parse("3520066902040001").is_ok()); // 2004, female
    }

    #[test]
    fn the_new_papua_provinces_are_known() {
        for code in ["91", "92", "93", "94", "95", "96", "97", "65", "21"] {
            let nik = format!("{code}01061708900001");
            assert!(Nik::parse(&nik).is_ok(), "{nik}");
        }
    }

    #[test]
    fn a_nik_from_another_regency_is_valid_but_not_magetan() {
        let nik = Nik::parse("3578061708900001").unwrap();
        assert!(!nik.is_magetan());
    }

    #[test]
    fn the_error_message_reads_as_a_polite_sentence() {
        assert_eq!(
            Nik::parse("1234").unwrap_err().to_string(),
            "NIK harus terdiri dari 16 angka; yang Anda kirim 4 angka."
        );
    }

    #[test]
    fn the_masked_form_keeps_the_district_and_the_last_two_digits() {
        let nik = Nik::parse("3520061708901234").unwrap();
        assert_eq!(nik.masked(), "352006********34");
        assert_eq!(format!("{nik:?}"), "Nik(\"352006********34\")");
    }

    #[test]
    fn serde_uses_the_plain_string_and_validates_on_the_way_in() {
        let nik = Nik::parse("3520061708900001").unwrap();
        let json = serde_json::to_string(&nik).unwrap();
        assert_eq!(json, "\"3520061708900001\"");
        assert_eq!(serde_json::from_str::<Nik>(&json).unwrap(), nik);
        assert!(serde_json::from_str::<Nik>("\"1234\"").is_err());
    }

    fn valid_nik() -> impl Strategy<Value = String> {
        let provinces: Vec<u8> = (10..=99).filter(|c| is_province_code(*c)).collect();
        (
            proptest::sample::select(provinces),
            1_u8..=99,
            1_u8..=99,
            1_u8..=28,
            any::<bool>(),
            1_u8..=12,
            0_u8..=99,
            1_u16..=9999,
        )
            .prop_map(|(p, k, c, d, female, m, y, s)| {
                let d = if female { d + 40 } else { d };
                format!("{p:02}{k:02}{c:02}{d:02}{m:02}{y:02}{s:04}")
            })
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_any_string(s in "\\PC*") {
            let _ = Nik::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_digit_heavy_strings(s in "[0-9 .\\-]{0,40}") {
            let _ = Nik::parse(&s);
        }

        #[test]
        fn every_valid_nik_round_trips(s in valid_nik()) {
            let nik = Nik::parse(&s).unwrap();
            prop_assert_eq!(nik.as_str(), s.as_str());
            let json = serde_json::to_string(&nik).unwrap();
            prop_assert_eq!(serde_json::from_str::<Nik>(&json).unwrap(), nik);
        }

        #[test]
        fn masked_never_contains_the_middle_digits(s in valid_nik()) {
            let nik = Nik::parse(&s).unwrap();
            let masked = nik.masked();
            prop_assert_eq!(masked.chars().count(), 16);
            prop_assert_eq!(&masked[..6], &s[..6]);
            prop_assert_eq!(&masked[6..14], "********");
            prop_assert_eq!(&masked[14..], &s[14..]);
        }
    }
}
