//! Timestamps are stored as microseconds since the Unix epoch and served as ISO 8601 UTC with an
//! explicit offset, as uData serves them (`2025-01-14T14:05:16.274000+00:00`).

use chrono::{DateTime, SecondsFormat, Utc};

/// Microseconds since the Unix epoch.
pub type Micros = i64;

pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

/// Formats a timestamp the way uData does.
pub fn iso(micros: Micros) -> String {
    let dt = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default();
    dt.to_rfc3339_opts(SecondsFormat::Micros, false)
}

pub fn iso_opt(micros: Option<Micros>) -> Option<String> {
    micros.map(iso)
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_with_offset_and_microseconds() {
        assert_eq!(
            super::iso(1_736_863_516_274_000),
            "2025-01-14T14:05:16.274000+00:00"
        );
    }
}
