//! Bar charts as plain numbers: Rust computes every rectangle, tick and label, and the
//! template only prints them into inline SVG (`templates/admin/_chart.html`), each bar with
//! a `<title>` (its value on hover) and the same numbers in a table beside the chart. No
//! script, no library, nothing fetched.

/// Drawing size in SVG units (the SVG scales to the page width).
pub const WIDTH: f64 = 640.0;
/// Height of the drawing.
pub const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 24.0;
const BOTTOM: f64 = 28.0;
/// Category labels shown under the axis at most (every k-th otherwise).
const MAX_LABELS: usize = 12;

/// How several series share a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Side by side.
    Grouped,
    /// Drawn over each other, the first (largest, e.g. all questions) behind.
    Overlaid,
}

/// One series: a name for the legend and table, a CSS class for its colour, a value per
/// category.
#[derive(Debug, Clone)]
pub struct Series {
    /// Shown in the legend and the table head.
    pub name: String,
    /// CSS class of its bars (`bar-a`, `bar-b`, …).
    pub class: &'static str,
    /// One value per category.
    pub values: Vec<u64>,
}

/// A rectangle to draw, with the words its `<title>` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
    /// CSS class (colour).
    pub class: &'static str,
    /// "2026-12-01 · Answered: 12".
    pub label: String,
}

/// A label placed at a coordinate.
#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    /// Where (x for category labels, y for value ticks).
    pub at: f64,
    /// The text.
    pub text: String,
}

/// Everything the template draws.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Title above the chart (also the SVG's `<title>`).
    pub title: String,
    /// What the categories are ("Day (UTC)", "Hour (UTC)").
    pub x_axis: String,
    /// What the values count.
    pub y_axis: String,
    /// Bars, in drawing order.
    pub bars: Vec<Bar>,
    /// Value ticks on the left axis (gridlines).
    pub y_ticks: Vec<Tick>,
    /// Category labels under the axis.
    pub x_ticks: Vec<Tick>,
    /// Series, for the legend and the table.
    pub series: Vec<Series>,
    /// Category names, for the table.
    pub categories: Vec<String>,
    /// Plot area: left, top, right, bottom edges.
    pub left: f64,
    /// Top edge of the plot area.
    pub top: f64,
    /// Right edge of the plot area.
    pub right: f64,
    /// Bottom edge of the plot area (the x axis).
    pub bottom: f64,
    /// Drawing width.
    pub width: f64,
    /// Drawing height.
    pub height: f64,
}

impl Chart {
    /// Lays out `series` over `categories`.
    pub fn new(
        title: &str,
        x_axis: &str,
        y_axis: &str,
        categories: Vec<String>,
        series: Vec<Series>,
        layout: Layout,
    ) -> Chart {
        let (left, top, right, bottom) = (LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM);
        let most = series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .max()
            .unwrap_or(0);
        let (scale_max, step) = nice_scale(most);
        let y_of = |v: u64| bottom - (bottom - top) * v as f64 / scale_max as f64;
        let n = categories.len().max(1);
        let slot = (right - left) / n as f64;
        let gap = (slot * 0.2).min(6.0);
        let groups = match layout {
            Layout::Grouped => series.len().max(1),
            Layout::Overlaid => 1,
        };
        let bar_width = ((slot - gap) / groups as f64).max(0.5);
        let mut bars = Vec::new();
        for (s_index, s) in series.iter().enumerate() {
            for (c, category) in categories.iter().enumerate() {
                let value = s.values.get(c).copied().unwrap_or(0);
                let offset = match layout {
                    Layout::Grouped => s_index as f64 * bar_width,
                    Layout::Overlaid => 0.0,
                };
                let y = y_of(value);
                bars.push(Bar {
                    x: round(left + c as f64 * slot + gap / 2.0 + offset),
                    y: round(y),
                    width: round(bar_width),
                    height: round(bottom - y),
                    class: s.class,
                    label: format!("{category} · {}: {value}", s.name),
                });
            }
        }
        let y_ticks = (0..=scale_max / step)
            .map(|i| Tick {
                at: round(y_of(i * step)),
                text: (i * step).to_string(),
            })
            .collect();
        let every = categories.len().div_ceil(MAX_LABELS).max(1);
        let x_ticks = categories
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(i, c)| Tick {
                at: round(left + (i as f64 + 0.5) * slot),
                text: c.clone(),
            })
            .collect();
        Chart {
            title: title.to_string(),
            x_axis: x_axis.to_string(),
            y_axis: y_axis.to_string(),
            bars,
            y_ticks,
            x_ticks,
            series,
            categories,
            left,
            top,
            right,
            bottom,
            width: WIDTH,
            height: HEIGHT,
        }
    }

    /// Shows `short(category)` under the axis instead of the whole category (dates as
    /// `MM-DD`; the bars' titles and the table keep the whole one).
    pub fn short_ticks(mut self, short: impl Fn(&str) -> String) -> Chart {
        for tick in &mut self.x_ticks {
            tick.text = short(&tick.text);
        }
        self
    }

    /// Table rows: a category and its value in each series.
    pub fn rows(&self) -> Vec<(String, Vec<u64>)> {
        self.categories
            .iter()
            .enumerate()
            .map(|(c, name)| {
                (
                    name.clone(),
                    self.series
                        .iter()
                        .map(|s| s.values.get(c).copied().unwrap_or(0))
                        .collect(),
                )
            })
            .collect()
    }

    /// Whether there is anything to draw.
    pub fn is_empty(&self) -> bool {
        self.series.iter().all(|s| s.values.iter().all(|&v| v == 0))
    }
}

/// The axis maximum and tick step: a 1, 2 or 5 times a power of ten step giving at most
/// five ticks above zero, and a maximum of at least 1.
fn nice_scale(most: u64) -> (u64, u64) {
    let most = most.max(1);
    let mut power = 1u64;
    loop {
        for factor in [1, 2, 5] {
            let step = factor * power;
            if most.div_ceil(step) <= 5 {
                return (most.div_ceil(step) * step, step);
            }
        }
        power = power.saturating_mul(10);
    }
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `YYYY-MM-DD` of a day number since 1970 (UTC).
pub fn date(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `MM-DD` of a `YYYY-MM-DD` date (anything else unchanged).
pub fn month_day(date: &str) -> String {
    date.get(5..)
        .filter(|_| date.len() == 10)
        .unwrap_or(date)
        .to_string()
}

/// `YYYY-MM-DD HH:MM` of unix seconds (UTC).
pub fn date_time(at: i64) -> String {
    let day = at.div_euclid(86_400);
    let seconds = at.rem_euclid(86_400);
    format!(
        "{} {:02}:{:02}",
        date(day),
        seconds / 3600,
        (seconds % 3600) / 60
    )
}

/// Year, month, day of a day number since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_are_round_numbers() {
        assert_eq!(nice_scale(0), (1, 1));
        assert_eq!(nice_scale(4), (4, 1));
        assert_eq!(nice_scale(7), (8, 2));
        assert_eq!(nice_scale(23), (25, 5));
        assert_eq!(nice_scale(480), (500, 100));
    }

    #[test]
    fn dates_are_utc_calendar_dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(month_day("2026-12-07"), "12-07");
        assert_eq!(month_day("07"), "07");
        assert_eq!(date(20_454), "2026-01-01");
        assert_eq!(
            date_time(1_442_966_400 + 3600 * 13 + 60 * 5),
            "2015-09-23 13:05"
        );
    }

    #[test]
    fn bars_stand_on_the_axis_and_the_tallest_reaches_the_top_tick() {
        let chart = Chart::new(
            "Questions per day",
            "Day",
            "Questions",
            vec!["a".into(), "b".into()],
            vec![
                Series {
                    name: "All".into(),
                    class: "bar-a",
                    values: vec![4, 2],
                },
                Series {
                    name: "Answered".into(),
                    class: "bar-b",
                    values: vec![3, 0],
                },
            ],
            Layout::Overlaid,
        );
        assert_eq!(chart.bars.len(), 4);
        for bar in &chart.bars {
            assert!((bar.y + bar.height - chart.bottom).abs() < 0.2, "{bar:?}");
        }
        assert_eq!(chart.bars[0].y, chart.top);
        assert_eq!(chart.bars[0].label, "a · All: 4");
        assert_eq!(chart.y_ticks.last().unwrap().text, "4");
        assert_eq!(chart.rows()[0], ("a".to_string(), vec![4, 3]));
        assert!(!chart.is_empty());
    }
}
