//! Bar charts drawn as vector graphics (rectangles, lines and real text, so they stay
//! sharp when printed and their labels are searchable).
//!
//! Two shapes: vertical columns for a time series (complaints per day) and horizontal
//! bars for named groups (categories, agencies), whose long names fit better on the
//! left than under a column. Axes start at zero and end at a "nice" value (1, 2 or 5
//! times a power of ten); a chart with nothing to show says so instead of drawing an
//! empty frame.

use super::layout::{Align, BAR, BLACK, CONTENT_WIDTH, Flow, GRID, MARGIN_X, Op, Style, fit};
use crate::wording;

/// One bar: its label and value.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
}

/// How values are read and labelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scale {
    /// Whole counts, axis from 0 to a nice maximum.
    Count,
    /// Percentages, axis from 0 to 100.
    Percent,
}

impl Scale {
    fn label(self, value: f64) -> String {
        match self {
            Self::Count => wording::count(value.max(0.0).round() as u64),
            Self::Percent => wording::percent(Some(value)),
        }
    }

    fn axis(self, max: f64) -> (f64, f64) {
        match self {
            Self::Count => nice_axis(max),
            Self::Percent => (100.0, 25.0),
        }
    }

    fn tick_label(self, value: f64) -> String {
        match self {
            Self::Count => wording::count(value.max(0.0).round() as u64),
            Self::Percent => format!("{}%", value.round() as i64),
        }
    }
}

/// The top of the axis and the tick step for values up to `max` (whole numbers).
pub(crate) fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let magnitude = 10_f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(1.0)
        .round();
    let top = (max / step).ceil() * step;
    (top.max(step), step)
}

const TITLE: Style = Style::bold(9.0);
const AXIS: Style = Style::grey(7.0);
const TICK: Style = Style::regular(6.5);

fn title(flow: &mut Flow<'_>, text: &str) {
    let top = flow.y;
    let text = flow.fonts.clean(text);
    flow.text_at(MARGIN_X, top, CONTENT_WIDTH, text, TITLE, Align::Left);
    flow.y += TITLE.line_height() + 2.0;
}

fn no_data(flow: &mut Flow<'_>, heading: &str) {
    let height = TITLE.line_height() + 36.0;
    flow.ensure(height);
    title(flow, heading);
    let top = flow.y;
    flow.push(Op::Rect {
        x: MARGIN_X,
        y: top,
        w: CONTENT_WIDTH,
        h: 28.0,
        fill: None,
        stroke: Some((GRID, 0.5)),
    });
    let text = flow.fonts.clean("Tidak ada data untuk grafik ini.");
    flow.text_at(
        MARGIN_X,
        top + 9.0,
        CONTENT_WIDTH,
        text,
        AXIS,
        Align::Center,
    );
    flow.y = top + 34.0;
}

fn line(
    flow: &mut Flow<'_>,
    (x1, y1): (f32, f32),
    (x2, y2): (f32, f32),
    width: f32,
    color: super::layout::Rgb,
) {
    flow.push(Op::Line {
        x1,
        y1,
        x2,
        y2,
        width,
        color,
    });
}

/// Vertical columns, one per bar, labels under the axis (for a daily series).
pub(crate) fn columns(
    flow: &mut Flow<'_>,
    heading: &str,
    bars: &[Bar],
    x_axis: &str,
    y_axis: &str,
) {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    if bars.is_empty() || max <= 0.0 {
        no_data(flow, heading);
        return;
    }
    let height = 190.0;
    flow.ensure(height);
    let top = flow.y;
    title(flow, heading);
    let label = flow.fonts.clean(y_axis);
    flow.text_at(MARGIN_X, top + 16.0, 60.0, label, AXIS, Align::Left);

    let (x0, x1) = (MARGIN_X + 34.0, MARGIN_X + CONTENT_WIDTH - 4.0);
    let (y0, y1) = (top + 34.0, top + height - 30.0);
    let (axis_top, step) = Scale::Count.axis(max);
    let plot_h = y1 - y0;
    let mut tick = 0.0;
    while tick <= axis_top + 1e-9 {
        let y = y1 - (tick / axis_top) as f32 * plot_h;
        line(flow, (x0, y), (x1, y), 0.4, GRID);
        let text = Scale::Count.tick_label(tick);
        flow.text_at(
            MARGIN_X,
            y - TICK.line_height() / 2.0,
            30.0,
            text,
            TICK,
            Align::Right,
        );
        tick += step;
    }
    let slot = (x1 - x0) / bars.len() as f32;
    let every = (bars.len() / 31 + 1).max(1);
    for (i, bar) in bars.iter().enumerate() {
        let x = x0 + slot * i as f32;
        let h = (bar.value.max(0.0) / axis_top) as f32 * plot_h;
        if h > 0.0 {
            flow.push(Op::Rect {
                x: x + slot * 0.15,
                y: y1 - h,
                w: slot * 0.7,
                h,
                fill: Some(BAR),
                stroke: None,
            });
            let value = Scale::Count.label(bar.value);
            flow.text_at(
                x,
                y1 - h - 8.0,
                slot,
                value,
                Style::regular(5.5),
                Align::Center,
            );
        }
        if i % every == 0 {
            let text = flow.fonts.clean(&bar.label);
            flow.text_at(x, y1 + 2.0, slot, text, TICK, Align::Center);
        }
    }
    line(flow, (x0, y0 - 4.0), (x0, y1), 0.6, BLACK);
    line(flow, (x0, y1), (x1, y1), 0.6, BLACK);
    let label = flow.fonts.clean(x_axis);
    flow.text_at(x0, y1 + 13.0, x1 - x0, label, AXIS, Align::Center);
    flow.y = top + height;
}

/// Horizontal bars, one row per bar, labels on the left (for named groups).
pub(crate) fn rows(flow: &mut Flow<'_>, heading: &str, bars: &[Bar], axis: &str, scale: Scale) {
    let max = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    if bars.is_empty() || (scale == Scale::Count && max <= 0.0) {
        no_data(flow, heading);
        return;
    }
    let row_h = 13.0;
    let height = TITLE.line_height() + 6.0 + bars.len() as f32 * row_h + 30.0;
    flow.ensure(height);
    let top = flow.y;
    title(flow, heading);
    let label_w = 150.0;
    let (x0, x1) = (MARGIN_X + label_w + 4.0, MARGIN_X + CONTENT_WIDTH - 40.0);
    let y0 = flow.y + 4.0;
    let y1 = y0 + bars.len() as f32 * row_h;
    let (axis_top, step) = scale.axis(max);
    let plot_w = x1 - x0;
    let mut tick = 0.0;
    while tick <= axis_top + 1e-9 {
        let x = x0 + (tick / axis_top) as f32 * plot_w;
        line(flow, (x, y0), (x, y1), 0.4, GRID);
        let text = scale.tick_label(tick);
        flow.text_at(x - 20.0, y1 + 2.0, 40.0, text, TICK, Align::Center);
        tick += step;
    }
    let label_style = Style::regular(7.0);
    for (i, bar) in bars.iter().enumerate() {
        let row_top = y0 + row_h * i as f32;
        let cleaned = flow.fonts.clean(&bar.label);
        let label = fit(flow.fonts, &cleaned, label_style, label_w);
        flow.text_at(
            MARGIN_X,
            row_top + 2.0,
            label_w,
            label,
            label_style,
            Align::Right,
        );
        let w = (bar.value.clamp(0.0, axis_top) / axis_top) as f32 * plot_w;
        if w > 0.0 {
            flow.push(Op::Rect {
                x: x0,
                y: row_top + 2.0,
                w,
                h: row_h - 4.0,
                fill: Some(BAR),
                stroke: None,
            });
        }
        let value = scale.label(bar.value);
        flow.text_at(
            x0 + w + 3.0,
            row_top + 2.0,
            40.0,
            value,
            label_style,
            Align::Left,
        );
    }
    line(flow, (x0, y0), (x0, y1), 0.6, BLACK);
    line(flow, (x0, y1), (x1, y1), 0.6, BLACK);
    let label = flow.fonts.clean(axis);
    flow.text_at(x0, y1 + 12.0, plot_w, label, AXIS, Align::Center);
    flow.y = top + height;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::font::Fonts;

    #[test]
    fn axes_end_at_a_nice_value() {
        assert_eq!(nice_axis(0.0), (1.0, 1.0));
        assert_eq!(nice_axis(f64::NAN), (1.0, 1.0));
        assert_eq!(nice_axis(1.0), (1.0, 1.0));
        assert_eq!(nice_axis(3.0), (3.0, 1.0));
        assert_eq!(nice_axis(7.0), (8.0, 2.0));
        assert_eq!(nice_axis(23.0), (25.0, 5.0));
        assert_eq!(nice_axis(95.0), (100.0, 20.0));
        assert_eq!(nice_axis(3_333.0), (4_000.0, 1_000.0));
    }

    #[test]
    fn bars_stay_inside_the_text_column() {
        let fonts = Fonts::load().expect("fonts");
        let mut flow = Flow::new(&fonts);
        let bars: Vec<Bar> = (1..=31)
            .map(|d| Bar {
                label: d.to_string(),
                value: f64::from(d * 7 % 13),
            })
            .collect();
        columns(&mut flow, "Per hari", &bars, "Tanggal", "Jumlah");
        let named = [
            Bar {
                label: "Dinas Pekerjaan Umum dan Penataan Ruang yang sangat panjang".into(),
                value: 150.0,
            },
            Bar {
                label: "PDAM".into(),
                value: -3.0,
            },
        ];
        rows(
            &mut flow,
            "Tepat waktu",
            &named,
            "% tepat waktu",
            Scale::Percent,
        );
        rows(&mut flow, "Kosong", &[], "Jumlah", Scale::Count);
        for page in flow.finish() {
            for op in page {
                if let Op::Rect { x, w, .. } = op {
                    assert!(x >= MARGIN_X - 0.01 && x + w <= MARGIN_X + CONTENT_WIDTH + 0.01);
                }
            }
        }
    }
}
