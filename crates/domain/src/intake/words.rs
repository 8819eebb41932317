//! How the machine reads a citizen's words: cleaning invisible characters, recognising
//! commands and mere greetings, and checking one field's answer.
//!
//! Every normaliser here has a matching checker, and a normalised value always passes its
//! checker, so a stored draft can be re-checked at any time (see `Draft::repair`).

use crate::nik::{Nik, NikError};
use crate::ticket::Ticket;

use super::Kind;

/// Longest name kept (the KTP's own field is shorter).
pub(crate) const MAX_NAMA_CHARS: usize = 100;
/// Shortest and longest address kept.
pub(crate) const MIN_ALAMAT_CHARS: usize = 5;
pub(crate) const MAX_ALAMAT_CHARS: usize = 200;
/// Shortest complaint or question text accepted.
pub(crate) const MIN_ADUAN_CHARS: usize = 10;
/// Longest complaint text kept in a draft; the server keeps every raw message anyway.
pub(crate) const MAX_ADUAN_CHARS: usize = 6000;
/// Longest evidence caption kept.
pub(crate) const MAX_CAPTION_CHARS: usize = 1000;

/// Removes what a person cannot see and a parser should not meet: zero-width and
/// direction-control characters, the BOM, soft hyphens and control characters except
/// line breaks. `\r\n` becomes `\n`, non-breaking spaces and tabs become spaces, trailing
/// spaces of each line and blank lines at both ends go. The zero-width joiner stays: it
/// holds emoji sequences together.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('\n');
            }
            '\t' | '\u{a0}' | '\u{202f}' | '\u{2007}' => out.push(' '),
            '\u{200b}'
            | '\u{200c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{feff}'
            | '\u{ad}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_owned()
}

/// Collapses every run of whitespace (line breaks included) into one space.
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Cuts `text` to at most `max` characters, marking the cut with `…`.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Upper-case words of a text, with punctuation, emoji and formatting marks at both ends
/// dropped: `"*Ya!* 👍"` → `"YA"`, `"status  wb-202611-0007."` → `"STATUS WB-202611-0007"`.
fn command_form(text: &str) -> String {
    let trimmed = text.trim_matches(|c: char| !c.is_alphanumeric());
    one_line(trimmed).to_uppercase()
}

/// What a typed command asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmd {
    /// `STATUS`, `STATUS WB-…`, `CEK WB-…`, or a bare ticket number.
    Status(Option<Ticket>),
    /// `BATAL`: drop the draft (or decline, when asked for consent).
    Cancel,
    /// `BANTUAN`, `MENU`.
    Help,
    /// `BARU`: start another complaint.
    New,
    /// `YA`, `KIRIM`, `OK`…: confirm (only meaningful when something waits for it).
    Yes,
    /// `TIDAK`: decline (consent).
    No,
    /// `UBAH`: choose a field to change.
    Edit,
    /// `UBAH IDENTITAS`: re-enter name, NIK, address and KTP photo.
    EditIdentity,
    /// `HAPUS IDENTITAS`: forget the saved identity.
    ForgetIdentity,
    /// `TANYA`: this is a question (Pertanyaan).
    Ask,
    /// `ADUAN`: this is a complaint.
    Complain,
    /// `KEMBALI`: back to where we were.
    Back,
}

/// Reads a whole message as a command, tolerating case, punctuation and extra spaces.
/// Returns `None` for anything else; a command word inside a longer sentence is text.
pub(crate) fn parse_command(text: &str) -> Option<Cmd> {
    let form = command_form(text);
    if form.is_empty() || form.chars().count() > 80 {
        return None;
    }
    if let Ok(ticket) = Ticket::parse(&form) {
        return Some(Cmd::Status(Some(ticket)));
    }
    let words: Vec<&str> = form.split(' ').collect();
    if matches!(words[0], "STATUS" | "CEK" | "CEKS" | "STATUSNYA") {
        let rest = words[1..].join(" ");
        if let Some(ticket) = Ticket::find_in(&rest) {
            if words.len() <= 6 {
                return Some(Cmd::Status(Some(ticket)));
            }
        } else if (words[0] != "CEK" && words.len() <= 3)
            || matches!(
                rest.as_str(),
                "STATUS" | "ADUAN" | "ADUAN SAYA" | "TIKET" | "PENGADUAN" | "STATUS ADUAN"
            )
        {
            return Some(Cmd::Status(None));
        }
        return None;
    }
    let cmd = match form.as_str() {
        "BATAL" | "BATALKAN" | "CANCEL" | "BATAL ADUAN" => Cmd::Cancel,
        "BANTUAN" | "MENU" | "HELP" | "TOLONG BANTU" => Cmd::Help,
        "BARU" | "ADUAN BARU" | "BUAT ADUAN" | "BUAT ADUAN BARU" | "MULAI" | "MULAI LAGI" => {
            Cmd::New
        }
        "YA" | "Y" | "IYA" | "IYAH" | "YA KIRIM" | "KIRIM" | "OK" | "OKE" | "OKAY" | "SETUJU"
        | "BENAR" | "SUDAH BENAR" | "YES" | "LANJUT" | "SIAP" => Cmd::Yes,
        "TIDAK" | "TDK" | "NO" | "GAK" | "NGGAK" | "ENGGAK" | "TIDAK USAH" | "JANGAN" => Cmd::No,
        "UBAH" | "EDIT" | "GANTI" | "PERBAIKI" | "KOREKSI" | "UBAH DATA" => Cmd::Edit,
        "UBAH IDENTITAS" | "GANTI IDENTITAS" | "PERBARUI IDENTITAS" | "UBAH DATA DIRI" => {
            Cmd::EditIdentity
        }
        "HAPUS IDENTITAS" | "HAPUS DATA" | "HAPUS DATA SAYA" | "LUPAKAN IDENTITAS" => {
            Cmd::ForgetIdentity
        }
        "TANYA" | "PERTANYAAN" | "BERTANYA" | "MAU TANYA" | "INGIN BERTANYA" => Cmd::Ask,
        "ADUAN" | "PENGADUAN" | "MENGADU" | "LAPOR" => Cmd::Complain,
        "KEMBALI" | "BACK" | "BALIK" => Cmd::Back,
        _ => return None,
    };
    Some(cmd)
}

/// Words that make a message a greeting or an announcement ("saya mau lapor"), not a
/// description of a problem.
const GREETING_WORDS: &[&str] = &[
    "halo",
    "hallo",
    "helo",
    "hello",
    "hai",
    "hi",
    "hei",
    "hey",
    "p",
    "ping",
    "pagi",
    "siang",
    "sore",
    "malam",
    "selamat",
    "slmt",
    "met",
    "assalamualaikum",
    "assalamu",
    "alaikum",
    "asalamualaikum",
    "assalamualaikom",
    "ass",
    "askum",
    "aslm",
    "salam",
    "warahmatullahi",
    "wabarakatuh",
    "wr",
    "wb",
    "wrwb",
    "sejahtera",
    "om",
    "swastiastu",
    "shalom",
    "namo",
    "buddhaya",
    "rahayu",
    "sugeng",
    "enjing",
    "sonten",
    "dalu",
    "min",
    "mimin",
    "admin",
    "kak",
    "kakak",
    "pak",
    "bapak",
    "bu",
    "ibu",
    "mas",
    "mbak",
    "mba",
    "dik",
    "gan",
    "sis",
    "bro",
    "permisi",
    "maaf",
    "mohon",
    "numpang",
    "mau",
    "ingin",
    "pengen",
    "lapor",
    "melapor",
    "laporan",
    "mengadu",
    "adu",
    "aduan",
    "pengaduan",
    "saya",
    "aku",
    "sy",
    "kami",
    "ini",
    "nih",
    "dong",
    "ya",
    "iya",
    "yg",
    "tolong",
    "bantu",
    "bantuan",
    "info",
    "informasi",
    "test",
    "tes",
    "testing",
    "terima",
    "kasih",
    "makasih",
    "trims",
    "thanks",
    "ok",
    "oke",
    "wani",
    "bares",
    "kominfo",
    "magetan",
    "apa",
    "kabar",
    "yth",
    "dengan",
    "boleh",
    "bisa",
    "tanya",
    "bertanya",
    "nanya",
    "menanyakan",
    "pertanyaan",
];

/// Words saying the citizen wants to ask a question.
const ASK_WORDS: &[&str] = &["tanya", "bertanya", "nanya", "menanyakan", "pertanyaan"];

fn lower_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace(['\'', '’', '`'], "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a message is only a greeting or announcement ("halo min", "Assalamu'alaikum,
/// selamat pagi", "saya mau lapor", "🙏"), so it must not become the complaint text.
pub(crate) fn is_greeting_only(text: &str) -> bool {
    let words = lower_words(text);
    words.len() <= 12 && words.iter().all(|w| GREETING_WORDS.contains(&w.as_str()))
}

/// Whether a greeting-only message says the citizen wants to ask ("mau tanya min").
pub(crate) fn wants_to_ask(text: &str) -> bool {
    is_greeting_only(text)
        && lower_words(text)
            .iter()
            .any(|w| ASK_WORDS.contains(&w.as_str()))
}

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Whether a first message describes something (and so is kept as the draft's text).
pub(crate) fn looks_like_description(text: &str) -> bool {
    !is_greeting_only(text) && text.chars().count() >= MIN_ADUAN_CHARS && letters(text) >= 5
}

/// Whether a text that does not answer the question asked is clearly a description of the
/// problem (a sentence, not a stray word), so it belongs in the complaint text.
pub(crate) fn is_clearly_description(text: &str) -> bool {
    looks_like_description(text)
        && text.chars().count() >= 20
        && text.split_whitespace().count() >= 4
        && letters(text) >= 10
}

/// Words that never occur in a person's name but often in a sentence.
const NOT_NAME_WORDS: &[&str] = &[
    "di", "ke", "dari", "yang", "dan", "dengan", "sejak", "tidak", "sudah", "belum", "karena",
    "mohon", "tolong", "saya", "kami", "ini", "itu", "ada", "rusak", "untuk", "pada", "atau",
    "tapi", "sangat", "sekali", "jalan", "nik", "alamat", "aduan", "ktp",
];

/// `"nama saya Budi Santoso."` → `"Budi Santoso"`.
pub(crate) fn normalize_nama(raw: &str) -> String {
    let mut s = one_line(raw);
    for prefix in [
        "nama lengkap saya",
        "nama saya",
        "nama lengkap",
        "nama",
        "saya",
    ] {
        if s.len() > prefix.len()
            && s.is_char_boundary(prefix.len())
            && s[..prefix.len()].eq_ignore_ascii_case(prefix)
            && s[prefix.len()..].starts_with([' ', ':'])
        {
            s = s[prefix.len()..].trim_start_matches([' ', ':']).to_owned();
            break;
        }
    }
    s.trim_matches(|c: char| c == '*' || c == '_' || c == '~' || c == ' ')
        .trim_end_matches('.')
        .trim()
        .to_owned()
}

/// A person's name: 2–100 characters, at least two letters, only letters, spaces and
/// `.,'’-`, at most eight words, none of them a sentence word, and not a greeting.
pub(crate) fn is_valid_nama(nama: &str) -> bool {
    let len = nama.chars().count();
    (2..=MAX_NAMA_CHARS).contains(&len)
        && nama.trim() == nama
        && letters(nama) >= 2
        && nama
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '.' | ',' | '\'' | '’' | '-' | '`'))
        && nama.split_whitespace().count() <= 8
        && !lower_words(nama)
            .iter()
            .any(|w| NOT_NAME_WORDS.contains(&w.as_str()))
        && !is_greeting_only(nama)
        && parse_command(nama).is_none()
}

/// A name from a raw answer, if it is one.
pub(crate) fn nama_from(raw: &str) -> Option<String> {
    let nama = normalize_nama(raw);
    is_valid_nama(&nama).then_some(nama)
}

/// An address on one line, 5–200 characters with at least three letters.
pub(crate) fn is_valid_alamat(alamat: &str) -> bool {
    let len = alamat.chars().count();
    (MIN_ALAMAT_CHARS..=MAX_ALAMAT_CHARS).contains(&len)
        && one_line(alamat) == alamat
        && letters(alamat) >= 3
}

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlamatProblem {
    TooShort,
    TooLong,
}

pub(crate) fn alamat_from(raw: &str) -> Result<String, AlamatProblem> {
    let alamat = one_line(raw)
        .trim_matches(|c: char| c == '*' || c == '_' || c == '~' || c == ' ')
        .to_owned();
    if alamat.chars().count() > MAX_ALAMAT_CHARS {
        return Err(AlamatProblem::TooLong);
    }
    if is_valid_alamat(&alamat) {
        Ok(alamat)
    } else {
        Err(AlamatProblem::TooShort)
    }
}

/// A complaint or question text: at least 10 characters and 5 letters, at most
/// [`MAX_ADUAN_CHARS`], not a mere greeting.
pub(crate) fn is_valid_aduan(aduan: &str) -> bool {
    let len = aduan.chars().count();
    (MIN_ADUAN_CHARS..=MAX_ADUAN_CHARS).contains(&len)
        && aduan.trim() == aduan
        && letters(aduan) >= 5
        && !is_greeting_only(aduan)
}

pub(crate) fn aduan_from(raw: &str) -> Option<String> {
    let aduan = truncate_chars(raw.trim(), MAX_ADUAN_CHARS)
        .trim()
        .to_owned();
    is_valid_aduan(&aduan).then_some(aduan)
}

/// `old` followed by `more` on a new line, kept within [`MAX_ADUAN_CHARS`].
pub(crate) fn append_aduan(old: Option<&str>, more: &str) -> Option<String> {
    let joined = match old {
        Some(old) => format!("{old}\n{}", more.trim()),
        None => more.trim().to_owned(),
    };
    aduan_from(&joined).or_else(|| old.map(str::to_owned))
}

/// A NIK from an answer such as `"NIK saya 3520 0617 0890 0001"`: when the text holds
/// exactly one run of digits (with spaces, dots or dashes), that run is the NIK and its
/// error is the one reported; otherwise the whole text's error is. A text without any
/// digit has no NIK at all ([`NikError::Empty`]).
pub(crate) fn nik_from(raw: &str) -> Result<Nik, NikError> {
    if !raw.chars().any(|c| c.is_ascii_digit()) {
        return Err(NikError::Empty);
    }
    let whole = Nik::parse(raw);
    if !matches!(whole, Err(NikError::InvalidCharacter { .. })) {
        return whole;
    }
    let is_part = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-');
    let runs: Vec<&str> = raw
        .split(|c: char| !is_part(c))
        .filter(|run| run.chars().any(|c| c.is_ascii_digit()))
        .collect();
    match runs.as_slice() {
        [only] => Nik::parse(only),
        _ => whole,
    }
}

/// The "too short" answer for a kind's text.
pub(crate) fn too_short_key(kind: Kind) -> crate::texts::TextKey {
    match kind {
        Kind::Aduan => crate::texts::TextKey::IntakeAduanTooShort,
        Kind::Pertanyaan => crate::texts::TextKey::IntakePertanyaanTooShort,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn invisible_characters_are_removed_but_line_breaks_stay() {
        assert_eq!(
            clean("\u{feff} Halo\u{200b} min \r\nBudi\u{202e}  \n"),
            "Halo min\nBudi"
        );
        assert_eq!(clean("a\tb\u{a0}c"), "a b c");
    }

    #[test]
    fn commands_are_read_loosely_but_only_as_a_whole_message() {
        let t = Ticket::new(2026, 11, 7).unwrap();
        let cases: &[(&str, Option<Cmd>)] = &[
            ("STATUS", Some(Cmd::Status(None))),
            ("status aduan saya", Some(Cmd::Status(None))),
            ("Status WB-202611-0007", Some(Cmd::Status(Some(t)))),
            ("cek wb-202611-0007 ya", Some(Cmd::Status(Some(t)))),
            ("CEK STATUS", Some(Cmd::Status(None))),
            ("wb-202611-0007", Some(Cmd::Status(Some(t)))),
            ("cek jalan rusak di desa", None),
            ("*Batal*", Some(Cmd::Cancel)),
            ("batal.", Some(Cmd::Cancel)),
            ("  menu ", Some(Cmd::Help)),
            ("Bantuan?", Some(Cmd::Help)),
            ("baru", Some(Cmd::New)),
            ("Ya 👍", Some(Cmd::Yes)),
            ("kirim!", Some(Cmd::Yes)),
            ("ok", Some(Cmd::Yes)),
            ("tidak", Some(Cmd::No)),
            ("UBAH", Some(Cmd::Edit)),
            ("ubah  identitas", Some(Cmd::EditIdentity)),
            ("hapus identitas", Some(Cmd::ForgetIdentity)),
            ("TANYA", Some(Cmd::Ask)),
            ("Pertanyaan", Some(Cmd::Ask)),
            ("aduan", Some(Cmd::Complain)),
            ("kembali", Some(Cmd::Back)),
            ("ya saya mau batal", None),
            ("Budi", None),
            ("", None),
            ("🙏", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_command(text), *expected, "{text:?}");
        }
    }

    #[test]
    fn greetings_are_not_descriptions() {
        for text in [
            "halo",
            "Assalamu'alaikum",
            "assalamualaikum wr wb",
            "Selamat pagi min",
            "p",
            "min",
            "🙏",
            "saya mau lapor",
            "Permisi, mau tanya",
        ] {
            assert!(is_greeting_only(text), "{text:?}");
            assert!(!looks_like_description(text), "{text:?}");
        }
        assert!(wants_to_ask("mau tanya min"));
        assert!(!wants_to_ask("halo"));
        assert!(looks_like_description("Jalan di desa saya rusak parah"));
        assert!(looks_like_description("Lampu PJU mati"));
        assert!(!looks_like_description("rusak"));
    }

    #[test]
    fn names_are_names_and_sentences_are_not() {
        let cases: &[(&str, Option<&str>)] = &[
            ("Budi Santoso", Some("Budi Santoso")),
            ("nama saya Siti Aminah.", Some("Siti Aminah")),
            ("Nama: Drs. H. Ahmad, S.Pd.", Some("Drs. H. Ahmad, S.Pd")),
            ("*Sri Wahyuni*", Some("Sri Wahyuni")),
            ("O'Neil", Some("O'Neil")),
            ("B", None),
            ("Budi 2", None),
            ("Jalan di desa saya rusak parah", None),
            ("halo", None),
            ("ya", None),
            ("3520061708900001", None),
            ("😀😀", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(nama_from(raw).as_deref(), *expected, "{raw:?}");
        }
        assert_eq!(nama_from(&"a".repeat(101)), None);
    }

    #[test]
    fn addresses_and_complaints_have_their_bounds() {
        assert_eq!(
            alamat_from("Dusun Krajan RT 01/RW 02,\nDesa Bendo"),
            Ok("Dusun Krajan RT 01/RW 02, Desa Bendo".to_owned())
        );
        assert_eq!(alamat_from("RT1"), Err(AlamatProblem::TooShort));
        assert_eq!(alamat_from(&"a".repeat(201)), Err(AlamatProblem::TooLong));
        assert_eq!(aduan_from("rusak"), None);
        assert_eq!(aduan_from("halo selamat pagi min"), None);
        assert!(aduan_from("Jalan rusak parah").is_some());
        let long = aduan_from(&"jalan rusak ".repeat(1000)).unwrap();
        assert_eq!(long.chars().count(), MAX_ADUAN_CHARS);
    }

    #[test]
    fn a_nik_is_found_inside_a_short_sentence() {
        assert_eq!(
            nik_from("NIK saya 3520 0617 0890 0001").map(|n| n.as_str().to_owned()),
            Ok("3520061708900001".to_owned())
        );
        assert_eq!(
            nik_from("nik saya 1234"),
            Err(NikError::WrongLength { digits: 4 })
        );
        assert_eq!(
            nik_from("3520O61708900001"),
            Err(NikError::InvalidCharacter { found: 'O' })
        );
        assert_eq!(nik_from("belum punya"), Err(NikError::Empty));
    }

    proptest! {
        #[test]
        fn normalised_values_pass_their_own_checks(s in "\\PC{0,120}") {
            if let Some(n) = nama_from(&s) {
                prop_assert!(is_valid_nama(&n));
            }
            if let Ok(a) = alamat_from(&s) {
                prop_assert!(is_valid_alamat(&a));
            }
            if let Some(a) = aduan_from(&s) {
                prop_assert!(is_valid_aduan(&a));
            }
            let _ = (parse_command(&s), clean(&s), nik_from(&s));
        }
    }
}
