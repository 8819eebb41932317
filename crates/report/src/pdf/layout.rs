//! Page layout: a flow of blocks (lines, wrapped paragraphs, tables, charts) broken
//! into A4 pages as a display list, before anything is written to the PDF.
//!
//! Laying out first and writing second means the page count is known when the footers
//! ("Halaman X dari Y") are drawn, and the layout can be tested without a PDF.
//! Coordinates are PDF points (1/72 inch) from the top-left corner, y growing down;
//! a text operation's `y` is its baseline.
//!
//! Invariants: every block is either kept whole on one page or (tables) split between
//! rows; a table row is never taller than a page, because cells are cut to a maximum
//! number of lines (ending in `…`); so the flow always terminates.

use super::font::Fonts;

/// A4 width in points.
pub(crate) const PAGE_WIDTH: f32 = 595.28;
/// A4 height in points.
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
/// Left and right margin (about 1.7 cm).
pub(crate) const MARGIN_X: f32 = 48.0;
/// Top margin.
pub(crate) const MARGIN_TOP: f32 = 48.0;
/// Where the body ends; the footer sits below.
pub(crate) const BODY_BOTTOM: f32 = PAGE_HEIGHT - 58.0;
/// Width of the text column.
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN_X;
/// Line height as a multiple of the font size.
pub(crate) const LEADING: f32 = 1.28;

/// An sRGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

pub(crate) const BLACK: Rgb = Rgb(0, 0, 0);
pub(crate) const GREY: Rgb = Rgb(90, 90, 90);
pub(crate) const RULE: Rgb = Rgb(150, 150, 150);
pub(crate) const HEADER_FILL: Rgb = Rgb(0xDC, 0xE6, 0xF2);
pub(crate) const STRIPE_FILL: Rgb = Rgb(0xF5, 0xF7, 0xFA);
pub(crate) const BAR: Rgb = Rgb(0x2E, 0x5C, 0x9A);
pub(crate) const GRID: Rgb = Rgb(0xD0, 0xD0, 0xD0);

/// One drawing operation on a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// One line of text; `text` is already cleaned for the fonts.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        color: Rgb,
        text: String,
    },
    /// A rectangle, filled and/or outlined.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    /// A straight line.
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        color: Rgb,
    },
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

/// A text style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub(crate) size: f32,
    pub(crate) bold: bool,
    pub(crate) color: Rgb,
}

impl Style {
    pub(crate) const fn regular(size: f32) -> Self {
        Self {
            size,
            bold: false,
            color: BLACK,
        }
    }

    pub(crate) const fn bold(size: f32) -> Self {
        Self {
            size,
            bold: true,
            color: BLACK,
        }
    }

    pub(crate) const fn grey(size: f32) -> Self {
        Self {
            size,
            bold: false,
            color: GREY,
        }
    }

    pub(crate) fn line_height(self) -> f32 {
        self.size * LEADING
    }
}

/// A table column: its header, its share of the table width, its alignment.
pub(crate) struct Column {
    pub(crate) title: String,
    pub(crate) weight: f32,
    pub(crate) align: Align,
}

impl Column {
    pub(crate) fn new(title: &str, weight: f32, align: Align) -> Self {
        Self {
            title: title.to_owned(),
            weight,
            align,
        }
    }
}

/// A table row.
pub(crate) struct Row {
    pub(crate) cells: Vec<String>,
    pub(crate) bold: bool,
}

impl Row {
    pub(crate) fn new(cells: Vec<String>) -> Self {
        Self { cells, bold: false }
    }

    pub(crate) fn bold(cells: Vec<String>) -> Self {
        Self { cells, bold: true }
    }
}

/// A table to lay out; long tables continue on the next page with the header repeated.
pub(crate) struct Table {
    pub(crate) columns: Vec<Column>,
    pub(crate) size: f32,
    /// The most lines a body cell shows before it is cut with `…`.
    pub(crate) max_lines: usize,
    /// Alternate rows get a light background.
    pub(crate) striped: bool,
}

const CELL_PAD_X: f32 = 3.0;
const CELL_PAD_Y: f32 = 2.5;

/// The page flow: a cursor on the current page and the pages laid out so far.
pub(crate) struct Flow<'f> {
    pub(crate) fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub(crate) y: f32,
}

impl<'f> Flow<'f> {
    pub(crate) fn new(fonts: &'f Fonts) -> Self {
        Self {
            fonts,
            pages: vec![Vec::new()],
            y: MARGIN_TOP,
        }
    }

    /// The finished pages.
    pub(crate) fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }

    /// Adds a drawing operation to the current page.
    pub(crate) fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// Starts a new page.
    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN_TOP;
    }

    /// Space left on the current page.
    pub(crate) fn remaining(&self) -> f32 {
        BODY_BOTTOM - self.y
    }

    /// Moves to a new page unless `height` fits on this one (or this page is still
    /// empty, where a new page would not help).
    pub(crate) fn ensure(&mut self, height: f32) {
        if height > self.remaining() && self.y > MARGIN_TOP {
            self.new_page();
        }
    }

    /// Vertical space, dropped at a page break.
    pub(crate) fn space(&mut self, height: f32) {
        if self.y + height >= BODY_BOTTOM {
            self.new_page();
        } else {
            self.y += height;
        }
    }

    /// The width of `text` (already cleaned) in `style`.
    pub(crate) fn width(&self, text: &str, style: Style) -> f32 {
        self.fonts.face(style.bold).width(text, style.size)
    }

    /// Draws one line of cleaned text with its top at `top`, within `x..x + width`.
    pub(crate) fn text_at(
        &mut self,
        x: f32,
        top: f32,
        width: f32,
        text: String,
        style: Style,
        align: Align,
    ) {
        if text.is_empty() {
            return;
        }
        let face = self.fonts.face(style.bold);
        let w = face.width(&text, style.size);
        let x = match align {
            Align::Left => x,
            Align::Center => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        let baseline = top + face.ascent * style.size + (LEADING - 1.0) * style.size / 2.0;
        self.push(Op::Text {
            x,
            y: baseline,
            size: style.size,
            bold: style.bold,
            color: style.color,
            text,
        });
    }

    /// A wrapped paragraph across the text column.
    pub(crate) fn paragraph(&mut self, text: &str, style: Style, align: Align) {
        self.paragraph_in(MARGIN_X, CONTENT_WIDTH, text, style, align);
    }

    /// A wrapped paragraph within `x..x + width`; lines move to the next page as needed.
    pub(crate) fn paragraph_in(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        style: Style,
        align: Align,
    ) {
        let cleaned = self.fonts.clean(text);
        let lines = wrap(self.fonts, &cleaned, style, width, usize::MAX);
        for line in lines {
            self.ensure(style.line_height());
            let top = self.y;
            self.text_at(x, top, width, line, style, align);
            self.y += style.line_height();
        }
    }

    /// A section heading, kept with the first `keep` points of what follows.
    pub(crate) fn heading(&mut self, text: &str, keep: f32) {
        let style = Style::bold(10.5);
        self.space(8.0);
        self.ensure(style.line_height() + 4.0 + keep);
        self.paragraph(text, style, Align::Left);
        self.y += 3.0;
    }

    /// A table of `rows`; returns nothing, the cursor ends below the table.
    pub(crate) fn table(&mut self, table: &Table, rows: impl IntoIterator<Item = Row>) {
        let total_weight: f32 = table.columns.iter().map(|c| c.weight.max(0.0)).sum();
        let widths: Vec<f32> = table
            .columns
            .iter()
            .map(|c| {
                if total_weight > 0.0 {
                    c.weight.max(0.0) / total_weight * CONTENT_WIDTH
                } else {
                    CONTENT_WIDTH / table.columns.len().max(1) as f32
                }
            })
            .collect();
        let body = Style::regular(table.size);
        let head = Style::bold(table.size);
        let header: Vec<Vec<String>> = table
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                wrap(
                    self.fonts,
                    &self.fonts.clean(&c.title),
                    head,
                    w - 2.0 * CELL_PAD_X,
                    4,
                )
            })
            .collect();
        let header_height = cell_height(&header, head);
        // The tallest row that fits a page under the header.
        let page_lines = ((BODY_BOTTOM - MARGIN_TOP - header_height - 2.0 * CELL_PAD_Y)
            / body.line_height())
        .floor()
        .max(1.0) as usize;
        let max_lines = table.max_lines.clamp(1, page_lines);

        let mut header_drawn = false;
        for (index, row) in rows.into_iter().enumerate() {
            let style = if row.bold { head } else { body };
            let cells: Vec<Vec<String>> = widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = row.cells.get(i).map_or("", String::as_str);
                    wrap(
                        self.fonts,
                        &self.fonts.clean(text),
                        style,
                        w - 2.0 * CELL_PAD_X,
                        max_lines,
                    )
                })
                .collect();
            let height = cell_height(&cells, style);
            if !header_drawn || height > self.remaining() {
                self.ensure(header_height + height);
                self.table_row(
                    &table.columns,
                    &widths,
                    &header,
                    head,
                    header_height,
                    Some(HEADER_FILL),
                );
                header_drawn = true;
            }
            let fill = (table.striped && index % 2 == 1).then_some(STRIPE_FILL);
            self.table_row(&table.columns, &widths, &cells, style, height, fill);
        }
        if !header_drawn {
            self.ensure(header_height);
            self.table_row(
                &table.columns,
                &widths,
                &header,
                head,
                header_height,
                Some(HEADER_FILL),
            );
        }
    }

    fn table_row(
        &mut self,
        columns: &[Column],
        widths: &[f32],
        cells: &[Vec<String>],
        style: Style,
        height: f32,
        fill: Option<Rgb>,
    ) {
        let top = self.y;
        let mut x = MARGIN_X;
        for ((column, &w), lines) in columns.iter().zip(widths).zip(cells) {
            self.push(Op::Rect {
                x,
                y: top,
                w,
                h: height,
                fill,
                stroke: Some((RULE, 0.5)),
            });
            let mut line_top = top + CELL_PAD_Y;
            for line in lines {
                self.text_at(
                    x + CELL_PAD_X,
                    line_top,
                    w - 2.0 * CELL_PAD_X,
                    line.clone(),
                    style,
                    column.align,
                );
                line_top += style.line_height();
            }
            x += w;
        }
        self.y = top + height;
    }
}

fn cell_height(cells: &[Vec<String>], style: Style) -> f32 {
    let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
    lines as f32 * style.line_height() + 2.0 * CELL_PAD_Y
}

/// Greedy line breaking of cleaned `text` into lines no wider than `width`; words
/// wider than a line are broken between characters. At most `max_lines` lines; a cut
/// is marked with `…`.
pub(crate) fn wrap(
    fonts: &Fonts,
    text: &str,
    style: Style,
    width: f32,
    max_lines: usize,
) -> Vec<String> {
    let face = fonts.face(style.bold);
    let size = style.size;
    let space = face.width(" ", size);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_width = 0.0_f32;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let word_width = face.width(word, size);
        if !line.is_empty() && line_width + space + word_width <= width {
            line.push(' ');
            line.push_str(word);
            line_width += space + word_width;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if word_width <= width {
            line.push_str(word);
            line_width = word_width;
            continue;
        }
        // A word longer than the line: break it between characters.
        line_width = 0.0;
        for ch in word.chars() {
            let w = face.width(ch.encode_utf8(&mut [0; 4]), size);
            if !line.is_empty() && line_width + w > width {
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            line.push(ch);
            line_width += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines.max(1));
        if let Some(last) = lines.last_mut() {
            let ellipsis = face.width("…", size);
            while !last.is_empty() && face.width(last, size) + ellipsis > width {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// Cuts one line of cleaned `text` to `width`, ending in `…` when cut.
pub(crate) fn fit(fonts: &Fonts, text: &str, style: Style, width: f32) -> String {
    let face = fonts.face(style.bold);
    if face.width(text, style.size) <= width {
        return text.to_owned();
    }
    let ellipsis = face.width("…", style.size);
    let mut out = String::new();
    let mut w = 0.0;
    for ch in text.chars() {
        let cw = face.width(ch.encode_utf8(&mut [0; 4]), style.size);
        if w + cw + ellipsis > width {
            break;
        }
        out.push(ch);
        w += cw;
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        Fonts::load().expect("fonts")
    }

    #[test]
    fn wrapped_lines_never_exceed_the_width() {
        let fonts = fonts();
        let style = Style::regular(8.0);
        let text = "Jalan desa di Kecamatan Plaosan rusak parah sejak musim hujan dan belum diperbaiki \
                    Superpanjangsekalikatayangtidakmuatdalamsatubarisbahkanketikalebarnyasempit";
        for width in [20.0, 50.0, 120.0, 400.0] {
            let lines = wrap(&fonts, text, style, width, usize::MAX);
            assert!(!lines.is_empty());
            for line in &lines {
                let w = fonts.regular.width(line, 8.0);
                let one_char = line.chars().count() == 1;
                assert!(
                    w <= width + 0.01 || one_char,
                    "{line:?} is {w} wide, limit {width}"
                );
            }
            let rejoined: String = lines
                .concat()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert_eq!(rejoined, original);
        }
    }

    #[test]
    fn a_cut_cell_ends_with_an_ellipsis() {
        let fonts = fonts();
        let lines = wrap(&fonts, &"kata ".repeat(200), Style::regular(8.0), 60.0, 3);
        assert_eq!(lines.len(), 3);
        assert!(lines[2].ends_with('…'));
        assert_eq!(wrap(&fonts, "", Style::regular(8.0), 60.0, 3).len(), 0);
        assert_eq!(wrap(&fonts, "abc", Style::regular(8.0), 0.0, 5).len(), 3);
    }

    #[test]
    fn a_long_table_repeats_its_header_on_every_page() {
        let fonts = fonts();
        let mut flow = Flow::new(&fonts);
        let table = Table {
            columns: vec![
                Column::new("Nomor Tiket", 1.0, Align::Left),
                Column::new("Ringkasan", 3.0, Align::Left),
            ],
            size: 8.0,
            max_lines: 4,
            striped: true,
        };
        let rows = (0..300).map(|i| Row::new(vec![format!("WB-{i:04}"), "isi ".repeat(i % 40)]));
        flow.table(&table, rows);
        let pages = flow.finish();
        assert!(pages.len() > 3);
        for page in &pages {
            let headers = page
                .iter()
                .filter(
                    |op| matches!(op, Op::Text { text, bold: true, .. } if text == "Nomor Tiket"),
                )
                .count();
            assert_eq!(headers, 1);
            for op in page {
                if let Op::Rect { y, h, .. } = op {
                    assert!(*y + *h <= BODY_BOTTOM + 0.01, "row runs into the footer");
                }
            }
        }
    }

    #[test]
    fn a_row_taller_than_a_page_is_cut_to_fit() {
        let fonts = fonts();
        let mut flow = Flow::new(&fonts);
        let table = Table {
            columns: vec![Column::new("Isi", 1.0, Align::Left)],
            size: 8.0,
            max_lines: usize::MAX,
            striped: false,
        };
        flow.table(&table, [Row::new(vec!["kata ".repeat(20_000)])]);
        let pages = flow.finish();
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn fitting_a_long_label_shortens_it() {
        let fonts = fonts();
        let style = Style::regular(8.0);
        let label = fit(
            &fonts,
            "Dinas Pemberdayaan Masyarakat dan Desa",
            style,
            60.0,
        );
        assert!(label.ends_with('…'));
        assert!(fonts.regular.width(&label, 8.0) <= 60.0);
        assert_eq!(fit(&fonts, "PDAM", style, 60.0), "PDAM");
    }
}
