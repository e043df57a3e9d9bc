//! The migration cockpit's chart: how many users have come over from a legacy store so far,
//! over time, one line per way (at sign-in, by import), drawn as SVG by the server.

/// The drawing area, in SVG units.
pub const WIDTH: i64 = 600;
pub const HEIGHT: i64 = 200;

/// Bucket lengths to choose from, shortest first: a minute, an hour, a day, a week.
const BUCKETS: [i64; 4] = [60, 3600, 86_400, 7 * 86_400];
/// The most buckets a chart spreads over.
const MAX_BUCKETS: i64 = 60;

/// How many buckets of which length cover `span` seconds.
pub fn bucketing(span: i64) -> (i64, i64) {
    let span = span.max(0);
    let bucket = BUCKETS
        .into_iter()
        .find(|bucket| span / bucket < MAX_BUCKETS)
        .unwrap_or(BUCKETS[BUCKETS.len() - 1] * (span / (BUCKETS[3] * MAX_BUCKETS) + 1));
    (bucket, span / bucket + 1)
}

/// One line of the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    /// `x,y x,y …` for an SVG `polyline`.
    pub points: String,
    /// The users it counts in all.
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub lines: Vec<Line>,
    /// The highest running total: the top of the y axis.
    pub max: i64,
}

/// The running totals of each series (new users per bucket, `buckets` long), scaled to the
/// drawing area against the highest total of any.
pub fn draw(series: &[(&'static str, Vec<i64>)]) -> Chart {
    let totals: Vec<(&'static str, Vec<i64>)> = series
        .iter()
        .map(|(label, counts)| {
            let running = counts
                .iter()
                .scan(0, |sum, count| {
                    *sum += count;
                    Some(*sum)
                })
                .collect();
            (*label, running)
        })
        .collect();
    let max = totals
        .iter()
        .filter_map(|(_, running)| running.last().copied())
        .max()
        .unwrap_or(0);
    let lines = totals
        .into_iter()
        .map(|(label, running)| {
            let last = (running.len() as i64 - 1).max(1);
            let points = running
                .iter()
                .enumerate()
                .map(|(i, total)| {
                    let x = i as i64 * WIDTH / last;
                    let y = HEIGHT - total * HEIGHT / max.max(1);
                    format!("{x},{y}")
                })
                .collect::<Vec<_>>()
                .join(" ");
            Line {
                label,
                total: running.last().copied().unwrap_or(0),
                points,
            }
        })
        .collect();
    Chart { lines, max }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_fit_the_span() {
        assert_eq!(bucketing(0), (60, 1));
        assert_eq!(bucketing(59 * 60), (60, 60));
        assert_eq!(bucketing(2 * 3600), (3600, 3));
        assert_eq!(bucketing(10 * 86_400), (86_400, 11));
        let (bucket, count) = bucketing(5 * 365 * 86_400);
        assert!(count <= MAX_BUCKETS, "{bucket} {count}");
    }

    #[test]
    fn lines_climb_with_the_running_total() {
        let chart = draw(&[("at sign-in", vec![1, 0, 3]), ("imported", vec![0, 0, 8])]);
        assert_eq!(chart.max, 8);
        assert_eq!(chart.lines[0].total, 4);
        assert_eq!(chart.lines[0].points, "0,175 300,175 600,100");
        assert_eq!(chart.lines[1].points, "0,200 300,200 600,0");
    }

    #[test]
    fn an_empty_chart_draws_flat_lines() {
        let chart = draw(&[("at sign-in", vec![0])]);
        assert_eq!(chart.max, 0);
        assert_eq!(chart.lines[0].points, "0,200");
    }
}
