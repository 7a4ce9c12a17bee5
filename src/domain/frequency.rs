//! The update-frequency vocabulary of datasets (Dublin Core + EU frequencies, as uData uses it):
//! 40 values, each with a label and the period after which a dataset is late; five legacy
//! values are still accepted and mapped to current ones.

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;

/// `(id, label, period in seconds)`; no period for frequencies without a schedule.
pub const FREQUENCIES: &[(&str, &str, Option<i64>)] = &[
    ("continuous", "Real time", None),
    ("oneMinute", "Every minute", Some(MINUTE)),
    ("fiveMinutes", "Every five minutes", Some(5 * MINUTE)),
    ("tenMinutes", "Every ten minutes", Some(10 * MINUTE)),
    ("fifteenMinutes", "Every fifteen minutes", Some(15 * MINUTE)),
    ("thirtyMinutes", "Every thirty minute", Some(30 * MINUTE)),
    ("hourly", "Every hour", Some(HOUR)),
    ("bihourly", "Every two hours", Some(2 * HOUR)),
    ("trihourly", "Every three hours", Some(3 * HOUR)),
    ("twelveHours", "Every twelve hours", Some(12 * HOUR)),
    ("severalTimesADay", "Several times a day", Some(DAY)),
    ("threeTimesADay", "Three times a day", Some(DAY)),
    ("semidaily", "Twice a day", Some(DAY)),
    ("daily", "Daily", Some(DAY)),
    ("fiveTimesAWeek", "Five times a week", Some(WEEK)),
    ("threeTimesAWeek", "Three times a week", Some(WEEK)),
    ("semiweekly", "Twice a week", Some(WEEK)),
    ("weekly", "Weekly", Some(WEEK)),
    ("biweekly", "Every two weeks", Some(2 * WEEK)),
    ("threeTimesAMonth", "Three times a month", Some(31 * DAY)),
    ("semimonthly", "Twice a month", Some(31 * DAY)),
    ("monthly", "Monthly", Some(31 * DAY)),
    ("bimonthly", "Every two months", Some(62 * DAY)),
    ("quarterly", "Quarterly", Some(93 * DAY)),
    ("threeTimesAYear", "Three times a year", Some(365 * DAY)),
    ("semiannual", "Twice a year", Some(365 * DAY)),
    ("annual", "Annually", Some(365 * DAY)),
    ("biennial", "Every two years", Some(2 * 365 * DAY)),
    ("triennial", "Every three years", Some(3 * 365 * DAY)),
    ("quadrennial", "Every four years", Some(4 * 365 * DAY)),
    ("quinquennial", "Every five years", Some(5 * 365 * DAY)),
    ("decennial", "Every ten years", Some(10 * 365 * DAY)),
    ("bidecennial", "Every twenty years", Some(20 * 365 * DAY)),
    ("tridecennial", "Every thirty years", Some(30 * 365 * DAY)),
    ("punctual", "Punctual", None),
    ("irregular", "Irregular", None),
    ("never", "Never", None),
    ("notPlanned", "Not planned", None),
    ("other", "Other", None),
    ("unknown", "Unknown", None),
];

/// Values older clients still send, and what they mean now.
pub const LEGACY: &[(&str, &str)] = &[
    ("realtime", "continuous"),
    ("fourTimesADay", "severalTimesADay"),
    ("fourTimesAWeek", "other"),
    ("fortnighly", "biweekly"),
    ("biannual", "semiannual"),
];

pub const DEFAULT: &str = "unknown";

/// The current id of a frequency (legacy values mapped), or `None` if unknown.
pub fn normalize(value: &str) -> Option<&'static str> {
    FREQUENCIES
        .iter()
        .map(|(id, _, _)| *id)
        .find(|id| *id == value)
        .or_else(|| {
            LEGACY
                .iter()
                .find(|(old, _)| *old == value)
                .map(|(_, new)| *new)
        })
}

/// The period of a frequency in seconds, if it has a schedule.
pub fn period(id: &str) -> Option<i64> {
    FREQUENCIES
        .iter()
        .find(|(f, _, _)| *f == id)
        .and_then(|(_, _, p)| *p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forty_frequencies_and_legacy_aliases() {
        assert_eq!(FREQUENCIES.len(), 40);
        assert_eq!(normalize("daily"), Some("daily"));
        assert_eq!(normalize("fortnighly"), Some("biweekly"));
        assert_eq!(normalize("realtime"), Some("continuous"));
        assert_eq!(normalize("sometimes"), None);
        assert_eq!(period("weekly"), Some(7 * 86_400));
        assert_eq!(period("unknown"), None);
    }
}
