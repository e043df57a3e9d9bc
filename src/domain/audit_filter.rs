//! Which audit events a reader asks for: by actor, by action, within a range of days (UTC),
//! and how a cell of the CSV export is kept from being read as a formula.
use std::borrow::Cow;

use time::{Date, Month, Time};

use super::{AuditAction, Email};

/// The filters of the audit log; a `None` filter lets every event through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub actor: Option<Email>,
    pub action: Option<AuditAction>,
    /// The first day shown, from its midnight UTC.
    pub from: Option<Date>,
    /// The last day shown, to its end.
    pub to: Option<Date>,
}

impl AuditFilter {
    /// The first second shown, in Unix seconds.
    pub fn since(&self) -> i64 {
        self.from.map_or(i64::MIN, midnight)
    }

    /// The first second no longer shown, in Unix seconds.
    pub fn until(&self) -> i64 {
        self.to.and_then(Date::next_day).map_or(i64::MAX, midnight)
    }

    /// True when some filter is set.
    pub fn is_narrowed(&self) -> bool {
        *self != Self::default()
    }
}

fn midnight(day: Date) -> i64 {
    day.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp()
}

/// An actor filter: empty for everyone, otherwise an email address.
pub fn parse_actor(input: &str) -> Result<Option<Email>, &'static str> {
    if input.trim().is_empty() {
        return Ok(None);
    }
    Email::parse(input)
        .map(Some)
        .map_err(|_| "Enter the email address of the person who acted, or leave it empty.")
}

/// An action filter: empty for every action, otherwise one of [`AuditAction::ALL`].
pub fn parse_action(input: &str) -> Result<Option<AuditAction>, &'static str> {
    if input.is_empty() {
        return Ok(None);
    }
    AuditAction::parse(input)
        .map(Some)
        .ok_or("Choose an action from the list.")
}

/// A day as a date field sends it, `YYYY-MM-DD`; empty for no bound.
pub fn parse_day(input: &str) -> Result<Option<Date>, &'static str> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let invalid = "Enter a date as YYYY-MM-DD, like 2026-12-31.";
    let mut parts = input.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid);
    };
    if year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return Err(invalid);
    }
    let year: i32 = year.parse().map_err(|_| invalid)?;
    let month: u8 = month.parse().map_err(|_| invalid)?;
    let day: u8 = day.parse().map_err(|_| invalid)?;
    let month = Month::try_from(month).map_err(|_| invalid)?;
    Date::from_calendar_date(year, month, day)
        .map(Some)
        .map_err(|_| invalid)
}

/// Checks that a range does not end before it starts.
pub fn check_range(from: Option<Date>, to: Option<Date>) -> Result<(), &'static str> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => Err("The last day comes before the first."),
        _ => Ok(()),
    }
}

/// A cell of a spreadsheet export, made inert: a spreadsheet reads a cell starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return as a formula, so such a cell gets a leading `'`
/// (OWASP's advice against CSV injection).
pub fn inert_cell(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_range_covers_both_whole_days() {
        let filter = AuditFilter {
            from: parse_day("2026-12-01").unwrap(),
            to: parse_day("2026-12-02").unwrap(),
            ..AuditFilter::default()
        };
        assert_eq!(filter.since(), 1_796_083_200);
        assert_eq!(filter.until(), 1_796_083_200 + 2 * 86_400);
        assert!(filter.is_narrowed());
    }

    #[test]
    fn an_open_range_lets_every_time_through() {
        let filter = AuditFilter::default();
        assert_eq!((filter.since(), filter.until()), (i64::MIN, i64::MAX));
        assert!(!filter.is_narrowed());
    }

    #[test]
    fn days_must_be_real_calendar_days() {
        assert_eq!(parse_day("").unwrap(), None);
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "26-12-01",
            "2026/12/01",
            "yesterday",
        ] {
            assert!(parse_day(bad).is_err(), "{bad}");
        }
        assert!(
            check_range(
                parse_day("2026-12-02").unwrap(),
                parse_day("2026-12-01").unwrap()
            )
            .is_err()
        );
    }

    #[test]
    fn actions_and_actors_are_checked() {
        assert_eq!(
            parse_action("member.removed").unwrap(),
            Some(AuditAction::MemberRemoved)
        );
        assert!(parse_action("member.exploded").is_err());
        assert_eq!(parse_actor(" ").unwrap(), None);
        assert!(parse_actor("not an address").is_err());
    }

    #[test]
    fn formula_cells_are_made_inert() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(inert_cell(cell), format!("'{cell}"));
        }
        assert_eq!(inert_cell("ada@example.com"), "ada@example.com");
        assert_eq!(inert_cell(""), "");
    }
}
