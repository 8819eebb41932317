//! The one-shot form: a citizen sends everything in one message,
//!
//! ```text
//! Nama: Budi Santoso
//! NIK: 3520 0617 0890 0001
//! Alamat: Dusun Krajan RT 01 RW 02, Desa Bendo
//! Aduan: Jalan di depan balai desa rusak parah sejak Januari,
//! banyak pengendara jatuh.
//! ```
//!
//! A label starts a line (after optional bullets, numbering or `*bold*` marks), is matched
//! case-insensitively, and is followed by `:`, `=`, or a spaced dash (`Nama - Budi`); `NIK`
//! may also be followed directly by the digits (`NIK 3520…`). Synonyms: `Nama lengkap`;
//! `No KTP`, `No. NIK`, `Nomor NIK`, `Nomor KTP`; `Alamat lengkap`, `Alamat rumah`;
//! `Isi aduan`, `Pengaduan`, `Keluhan`, `Laporan`; `Pertanyaan`, `Isi pertanyaan` (which
//! also marks the message as a question). Several labels may share one line, separated by
//! commas or semicolons (`Nama: Budi, NIK: 3520…`).
//!
//! The text of the complaint and the address may continue on the following lines until the
//! next label; a name or a NIK only continues when its own line was empty. Text under no
//! label (before the first label, or after a one-line field) is kept as `unlabelled`, so
//! the machine can still use it. Values are returned raw; the machine checks them.

use super::Kind;
use super::words::clean;

/// What a one-shot form message holds. All values are raw, trimmed text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormFields {
    pub nama: Option<String>,
    pub nik: Option<String>,
    pub alamat: Option<String>,
    /// The complaint or question text.
    pub aduan: Option<String>,
    /// `Some(Kind::Pertanyaan)` when the text was labelled as a question.
    pub kind: Option<Kind>,
    /// Lines under no label.
    pub unlabelled: Option<String>,
    /// How many labels were recognised; zero means the message is not a form.
    pub labels: usize,
}

impl FormFields {
    /// Whether the message used at least one label.
    pub fn is_form(&self) -> bool {
        self.labels > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Nama,
    Nik,
    Alamat,
    Aduan,
    Pertanyaan,
}

impl Label {
    /// Whether the value may continue on the following lines once it has text.
    fn continues(self) -> bool {
        matches!(self, Label::Alamat | Label::Aduan | Label::Pertanyaan)
    }
}

/// Labels after [`normalize_label`].
const LABELS: &[(&str, Label)] = &[
    ("nama lengkap", Label::Nama),
    ("nama", Label::Nama),
    ("nik", Label::Nik),
    ("no nik", Label::Nik),
    ("nomor nik", Label::Nik),
    ("no ktp", Label::Nik),
    ("nomor ktp", Label::Nik),
    ("nomor induk kependudukan", Label::Nik),
    ("alamat", Label::Alamat),
    ("alamat lengkap", Label::Alamat),
    ("alamat rumah", Label::Alamat),
    ("aduan", Label::Aduan),
    ("isi aduan", Label::Aduan),
    ("pengaduan", Label::Aduan),
    ("isi pengaduan", Label::Aduan),
    ("keluhan", Label::Aduan),
    ("laporan", Label::Aduan),
    ("isi laporan", Label::Aduan),
    ("pertanyaan", Label::Pertanyaan),
    ("isi pertanyaan", Label::Pertanyaan),
];

/// Longest text before a separator that may be a label.
const MAX_LABEL_CHARS: usize = 40;

/// `"*1. No. NIK*"` → `"no nik"`.
fn normalize_label(raw: &str) -> String {
    let lowered = raw
        .to_lowercase()
        .replace(['*', '_', '~'], "")
        .replace('.', " ");
    let no_bullets = lowered
        .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '-' | '•' | '·' | '>' | '+'))
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches([')', ' ']);
    no_bullets.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn label_named(name: &str) -> Option<Label> {
    LABELS
        .iter()
        .find(|(label, _)| *label == name)
        .map(|(_, label)| *label)
}

/// The label starting `line` and the rest of the line after its separator.
fn split_label(line: &str) -> Option<(Label, &str)> {
    let separators = [":", "\u{ff1a}", "=", " - ", " \u{2013} "];
    let found = separators
        .iter()
        .filter_map(|sep| line.find(sep).map(|at| (at, sep.len())))
        .min_by_key(|(at, _)| *at);
    if let Some((at, sep_len)) = found
        && line[..at].chars().count() <= MAX_LABEL_CHARS
        && let Some(label) = label_named(&normalize_label(&line[..at]))
    {
        let mut value = line[at + sep_len..].trim();
        // `*Nama:* Budi`: the bold mark closing the label is not part of the value.
        if line[..at].contains(['*', '_']) {
            value = value.trim_start_matches(['*', '_']).trim_start();
        }
        return Some((label, value));
    }
    // `NIK 3520…`: a NIK label directly followed by digits.
    let digits_at = line.find(|c: char| c.is_ascii_digit())?;
    let head = &line[..digits_at];
    if head.chars().count() <= MAX_LABEL_CHARS
        && head.ends_with(' ')
        && label_named(&normalize_label(head)) == Some(Label::Nik)
    {
        return Some((Label::Nik, line[digits_at..].trim()));
    }
    None
}

/// Splits a labelled line at `, Label:` / `; Label:` into its labelled segments.
fn segments(line: &str) -> Option<Vec<(Label, &str)>> {
    let (label, mut value) = split_label(line)?;
    let mut out = Vec::new();
    let mut current = label;
    loop {
        let next = value
            .match_indices([',', ';'])
            .find_map(|(at, _)| split_label(value[at + 1..].trim_start()).map(|found| (at, found)));
        let Some((at, (next_label, next_value))) = next else {
            out.push((current, value));
            return Some(out);
        };
        out.push((current, value[..at].trim()));
        current = next_label;
        value = next_value;
    }
}

#[derive(Default)]
struct Collected {
    nama: Vec<String>,
    nik: Vec<String>,
    alamat: Vec<String>,
    aduan: Vec<String>,
    pertanyaan: Vec<String>,
}

impl Collected {
    fn lines(&mut self, label: Label) -> &mut Vec<String> {
        match label {
            Label::Nama => &mut self.nama,
            Label::Nik => &mut self.nik,
            Label::Alamat => &mut self.alamat,
            Label::Aduan => &mut self.aduan,
            Label::Pertanyaan => &mut self.pertanyaan,
        }
    }
}

fn joined(lines: &[String]) -> Option<String> {
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Reads a one-shot form. A message without any label gives `labels == 0`.
pub fn parse_form(text: &str) -> FormFields {
    let text = clean(text);
    let mut collected = Collected::default();
    let mut unlabelled: Vec<String> = Vec::new();
    let mut labels = 0;
    let mut current: Option<Label> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(found) = segments(line) {
            for (label, value) in found {
                labels += 1;
                let lines = collected.lines(label);
                // A repeated one-line field: the last one wins.
                if !label.continues() {
                    lines.clear();
                }
                lines.push(value.to_owned());
                current = Some(label);
            }
            continue;
        }
        match current {
            Some(label)
                if label.continues() || collected.lines(label).iter().all(String::is_empty) =>
            {
                collected.lines(label).push(line.to_owned());
            }
            _ => {
                current = None;
                unlabelled.push(line.to_owned());
            }
        }
    }
    let pertanyaan = joined(&collected.pertanyaan);
    let aduan = match (joined(&collected.aduan), pertanyaan) {
        (Some(a), Some(p)) => Some(format!("{a}\n{p}")),
        (a, p) => a.or(p),
    };
    FormFields {
        nama: joined(&collected.nama),
        nik: joined(&collected.nik),
        alamat: joined(&collected.alamat),
        aduan,
        kind: (!collected.pertanyaan.is_empty()).then_some(Kind::Pertanyaan),
        unlabelled: joined(&unlabelled),
        labels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(
        nama: Option<&str>,
        nik: Option<&str>,
        alamat: Option<&str>,
        aduan: Option<&str>,
    ) -> FormFields {
        FormFields {
            nama: nama.map(str::to_owned),
            nik: nik.map(str::to_owned),
            alamat: alamat.map(str::to_owned),
            aduan: aduan.map(str::to_owned),
            ..FormFields::default()
        }
    }

    #[test]
    fn the_four_labels_are_read_with_a_multi_line_complaint() {
        let parsed = parse_form(
            "Nama: Budi Santoso\nNIK: 3520 0617 0890 0001\nAlamat: Dusun Krajan, Desa Bendo\n\
             Aduan: Jalan rusak parah.\nSudah tiga bulan.",
        );
        assert_eq!(
            parsed,
            FormFields {
                labels: 4,
                ..form(
                    Some("Budi Santoso"),
                    Some("3520 0617 0890 0001"),
                    Some("Dusun Krajan, Desa Bendo"),
                    Some("Jalan rusak parah.\nSudah tiga bulan.")
                )
            }
        );
    }

    #[test]
    fn synonyms_case_and_separators_are_tolerated() {
        let cases: &[(&str, FormFields)] = &[
            ("NAMA LENGKAP : Budi", form(Some("Budi"), None, None, None)),
            ("nama= Budi", form(Some("Budi"), None, None, None)),
            ("Nama - Budi", form(Some("Budi"), None, None, None)),
            ("*Nama:* Budi", form(Some("Budi"), None, None, None)),
            ("1. Nama: Budi", form(Some("Budi"), None, None, None)),
            ("- Nama: Budi", form(Some("Budi"), None, None, None)),
            ("No KTP: 1234", form(None, Some("1234"), None, None)),
            ("No. NIK: 1234", form(None, Some("1234"), None, None)),
            ("No.NIK:1234", form(None, Some("1234"), None, None)),
            ("Nomor NIK : 1234", form(None, Some("1234"), None, None)),
            ("NIK 3520 0617", form(None, Some("3520 0617"), None, None)),
            (
                "Alamat lengkap: Desa Bendo",
                form(None, None, Some("Desa Bendo"), None),
            ),
            (
                "Isi aduan: lampu mati",
                form(None, None, None, Some("lampu mati")),
            ),
            (
                "Pengaduan: lampu mati",
                form(None, None, None, Some("lampu mati")),
            ),
            (
                "Keluhan: lampu mati",
                form(None, None, None, Some("lampu mati")),
            ),
        ];
        for (text, expected) in cases {
            let parsed = parse_form(text);
            assert_eq!(
                (&parsed.nama, &parsed.nik, &parsed.alamat, &parsed.aduan),
                (
                    &expected.nama,
                    &expected.nik,
                    &expected.alamat,
                    &expected.aduan
                ),
                "{text:?}"
            );
            assert_eq!(parsed.labels, 1, "{text:?}");
        }
    }

    #[test]
    fn a_question_label_marks_the_kind() {
        let parsed = parse_form("Nama: Budi\nPertanyaan: Kapan pendaftaran CPNS dibuka?");
        assert_eq!(parsed.kind, Some(Kind::Pertanyaan));
        assert_eq!(
            parsed.aduan.as_deref(),
            Some("Kapan pendaftaran CPNS dibuka?")
        );
    }

    #[test]
    fn labels_on_one_line_separated_by_commas_are_split() {
        let parsed =
            parse_form("Nama: Budi Santoso, NIK: 3520061708900001; Alamat: Desa Bendo, Magetan");
        assert_eq!(parsed.nama.as_deref(), Some("Budi Santoso"));
        assert_eq!(parsed.nik.as_deref(), Some("3520061708900001"));
        assert_eq!(parsed.alamat.as_deref(), Some("Desa Bendo, Magetan"));
        assert_eq!(parsed.labels, 3);
    }

    #[test]
    fn a_value_on_the_next_line_belongs_to_its_label() {
        let parsed = parse_form("Nama:\nBudi\nNIK:\n3520061708900001");
        assert_eq!(parsed.nama.as_deref(), Some("Budi"));
        assert_eq!(parsed.nik.as_deref(), Some("3520061708900001"));
    }

    #[test]
    fn text_under_no_label_is_kept_apart() {
        let parsed = parse_form(
            "Selamat pagi, jalan di desa kami rusak.\nNama: Budi\nSudah sebulan tidak diperbaiki.",
        );
        assert_eq!(parsed.nama.as_deref(), Some("Budi"));
        assert_eq!(
            parsed.unlabelled.as_deref(),
            Some("Selamat pagi, jalan di desa kami rusak.\nSudah sebulan tidak diperbaiki.")
        );
    }

    #[test]
    fn ordinary_sentences_are_not_forms() {
        for text in [
            "Jalan di desa saya rusak parah",
            "Nama saya Budi",
            "Pukul 10:30 lampu mati",
            "Alamatnya di Desa Bendo",
            "",
        ] {
            assert!(!parse_form(text).is_form(), "{text:?}");
        }
    }
}
