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
    // A dataset answer formats dozens of timestamps: written by hand for years 0 to 9999,
    // chrono's formatting machinery (`fmt::write`) cost more than reading the dataset.
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    if !(0..=9999).contains(&year) {
        let dt = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default();
        return dt.to_rfc3339_opts(SecondsFormat::Micros, false);
    }
    let of_day = seconds.rem_euclid(86_400);
    let mut out = *b"0000-00-00T00:00:00.000000+00:00";
    let mut put = |at: usize, width: usize, mut value: i64| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, month);
    put(8, 2, day);
    put(11, 2, of_day / 3600);
    put(14, 2, of_day / 60 % 60);
    put(17, 2, of_day % 60);
    put(20, 6, fraction);
    String::from_utf8(out.to_vec()).expect("ASCII digits and separators")
}

/// The proleptic Gregorian date of a day number counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

    #[test]
    fn formats_as_chrono_does() {
        use chrono::{DateTime, SecondsFormat, Utc};
        let chrono_iso = |micros: i64| {
            DateTime::<Utc>::from_timestamp_micros(micros)
                .unwrap_or_default()
                .to_rfc3339_opts(SecondsFormat::Micros, false)
        };
        let mut micros: i64 = -62_200_000_000_000_000;
        while micros < 253_500_000_000_000_000 {
            for offset in [0, 1, 999_999, 86_399_999_999, -1] {
                assert_eq!(super::iso(micros + offset), chrono_iso(micros + offset));
            }
            micros += 7_777_777_777_777;
        }
        for micros in [
            0,
            -1,
            951_782_400_000_000,
            4_107_542_400_000_000,
            i64::MIN,
            i64::MAX,
        ] {
            assert_eq!(super::iso(micros), chrono_iso(micros));
        }
    }
}
