//! The two embedded faces, Liberation Sans Regular and Bold (SIL OFL 1.1, see
//! `crates/report/fonts/`), with what layout needs from them: glyph ids, advance widths
//! and a text clean-up.
//!
//! The fonts are compiled into the binary, so the report needs no font installed on
//! the server. Text is laid out glyph by glyph from the `cmap` and `hmtx` tables (no
//! shaping engine: Latin script in Bahasa Indonesia needs no ligatures or reordering,
//! and leaving `rustybuzz` out keeps the build light). Every glyph carries the range of
//! text it stands for, so the PDF's ToUnicode map makes the text extractable.
//! Characters the font lacks (emoji, other scripts) become `?`; control characters
//! become spaces.

use krilla::text::{Font, GlyphId, KrillaGlyph};
use skrifa::charmap::Charmap;
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::{FontRef, MetadataProvider};

use crate::ReportError;

static REGULAR: &[u8] = include_bytes!("../../fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/LiberationSans-Bold.ttf");

/// One face: the krilla font to embed and the tables to measure with.
pub(crate) struct Face {
    pub(crate) font: Font,
    charmap: Charmap<'static>,
    metrics: GlyphMetrics<'static>,
    units_per_em: f32,
    /// Ascent as a fraction of the font size.
    pub(crate) ascent: f32,
    /// Glyph and normalized advance of the printable ASCII characters, for speed.
    ascii: [(u32, f32); 128],
    /// Glyph and advance of `?`, for characters the font lacks.
    replacement: (u32, f32),
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Self, ReportError> {
        let font_ref = FontRef::new(data).map_err(|_| ReportError::Font(name))?;
        let font = Font::new(data.into(), 0).ok_or(ReportError::Font(name))?;
        let font_metrics = font_ref.metrics(Size::unscaled(), LocationRef::default());
        let units_per_em = f32::from(font_metrics.units_per_em.max(1));
        let mut face = Self {
            font,
            charmap: font_ref.charmap(),
            metrics: font_ref.glyph_metrics(Size::unscaled(), LocationRef::default()),
            units_per_em,
            ascent: font_metrics.ascent / units_per_em,
            ascii: [(0, 0.0); 128],
            replacement: (0, 0.5),
        };
        face.replacement = face.lookup('?').ok_or(ReportError::Font(name))?;
        for code in 0_u8..128 {
            face.ascii[usize::from(code)] =
                face.lookup(char::from(code)).unwrap_or(face.replacement);
        }
        Ok(face)
    }

    fn lookup(&self, ch: char) -> Option<(u32, f32)> {
        let glyph = self.charmap.map(ch)?;
        let advance = self.metrics.advance_width(glyph)?;
        Some((glyph.to_u32(), advance / self.units_per_em))
    }

    fn glyph(&self, ch: char) -> (u32, f32) {
        match self.ascii.get(ch as usize) {
            Some(&g) => g,
            None => self.lookup(ch).unwrap_or(self.replacement),
        }
    }

    /// Whether the face can show `ch`.
    fn has(&self, ch: char) -> bool {
        ch.is_ascii() || self.lookup(ch).is_some()
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|ch| self.glyph(ch).1).sum::<f32>() * size
    }

    /// The glyphs of `text`, one per character, each knowing its byte range.
    pub(crate) fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        text.char_indices()
            .map(|(i, ch)| {
                let (glyph, advance) = self.glyph(ch);
                KrillaGlyph::new(
                    GlyphId::new(glyph),
                    advance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + ch.len_utf8(),
                    None,
                )
            })
            .collect()
    }
}

/// The report's faces.
pub(crate) struct Fonts {
    pub(crate) regular: Face,
    pub(crate) bold: Face,
}

impl Fonts {
    pub(crate) fn load() -> Result<Self, ReportError> {
        Ok(Self {
            regular: Face::load(REGULAR, "LiberationSans-Regular")?,
            bold: Face::load(BOLD, "LiberationSans-Bold")?,
        })
    }

    pub(crate) fn face(&self, bold: bool) -> &Face {
        if bold { &self.bold } else { &self.regular }
    }

    /// `text` with whitespace runs (newlines, tabs) folded to one space, ends trimmed,
    /// and characters that either face lacks replaced by `?`.
    pub(crate) fn clean(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut space = false;
        for ch in text.trim().chars() {
            if ch.is_whitespace() || ch.is_control() {
                space = true;
                continue;
            }
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            if self.regular.has(ch) && self.bold.has(ch) {
                out.push(ch);
            } else {
                out.push('?');
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_fonts_load_and_measure_text() {
        let fonts = Fonts::load().expect("fonts");
        let w = fonts.regular.width("Magetan", 10.0);
        assert!(w > 30.0 && w < 45.0, "width {w}");
        assert!(fonts.bold.width("Magetan", 10.0) > w);
        assert!(fonts.regular.width("", 10.0).abs() < f32::EPSILON);
        assert_eq!(fonts.regular.glyphs("Bupati").len(), 6);
    }

    #[test]
    fn text_is_cleaned_of_controls_and_missing_glyphs() {
        let fonts = Fonts::load().expect("fonts");
        assert_eq!(fonts.clean("  jalan\n\trusak  parah "), "jalan rusak parah");
        assert_eq!(fonts.clean("banjir 🌊 lagi"), "banjir ? lagi");
        assert_eq!(fonts.clean("Rp1.500 – “é”"), "Rp1.500 – “é”");
        assert_eq!(fonts.clean("\u{0}\u{7}"), "");
    }
}
