//! [`DateTime`] as an instant: seconds since the Unix epoch, read as UTC.
//! What UTC offsets in received text, `SystemTime`, and the chrono and time
//! crates (features `chrono` and `time`) convert through.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{DateTime, DateTimeError};

const SECONDS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Years start in March, so the leap day ends a year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: year, month, day.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

impl DateTime {
    /// Seconds since 1970-01-01T00:00:00, reading the date-time as UTC (a
    /// leap second, `:60`, counts as the next minute's first second).
    ///
    /// ```
    /// let moon = diglot::DateTime::new(1969, 7, 20, 20, 17, 40)?;
    /// assert_eq!(moon.to_unix(), -14_182_940);
    /// assert_eq!(diglot::DateTime::from_unix(-14_182_940)?, moon);
    /// # Ok::<(), diglot::DateTimeError>(())
    /// ```
    pub fn to_unix(&self) -> i64 {
        let days = days_from_civil(
            i64::from(self.year()),
            i64::from(self.month()),
            i64::from(self.day()),
        );
        days * SECONDS_PER_DAY
            + i64::from(self.hour()) * 3600
            + i64::from(self.minute()) * 60
            + i64::from(self.second())
    }

    /// The UTC date-time `seconds` after 1970-01-01T00:00:00; years 0 to
    /// 9999 only.
    pub fn from_unix(seconds: i64) -> Result<Self, DateTimeError> {
        let (year, month, day) = civil_from_days(seconds.div_euclid(SECONDS_PER_DAY));
        let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
        let year = u16::try_from(year).map_err(|_| DateTimeError("year outside 0 to 9999"))?;
        // The remaining fields are in range by construction.
        DateTime::new(
            year,
            month as u8,
            day as u8,
            (of_day / 3600) as u8,
            (of_day / 60 % 60) as u8,
            (of_day % 60) as u8,
        )
    }

    /// This date-time read in a zone `offset_seconds` east of UTC, as UTC.
    pub(super) fn minus_offset(self, offset_seconds: i64) -> Result<Self, DateTimeError> {
        DateTime::from_unix(self.to_unix() - offset_seconds)
    }
}

/// The instant, reading the date-time as UTC.
impl From<DateTime> for SystemTime {
    fn from(at: DateTime) -> Self {
        let seconds = at.to_unix();
        let magnitude = Duration::from_secs(seconds.unsigned_abs());
        if seconds >= 0 {
            UNIX_EPOCH + magnitude
        } else {
            UNIX_EPOCH - magnitude
        }
    }
}

/// The UTC date-time of an instant, to the second (the fraction is
/// dropped); an error past year 9999.
impl TryFrom<SystemTime> for DateTime {
    type Error = DateTimeError;

    fn try_from(at: SystemTime) -> Result<Self, Self::Error> {
        let seconds = match at.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()),
            // Before the epoch: round toward the past.
            Err(before) => {
                let before = before.duration();
                let whole = before.as_secs() + u64::from(before.subsec_nanos() > 0);
                i64::try_from(whole).map(|s| -s)
            }
        };
        DateTime::from_unix(seconds.map_err(|_| DateTimeError("year outside 0 to 9999"))?)
    }
}

#[cfg(feature = "chrono")]
mod chrono_impls {
    use super::{DateTime, DateTimeError};

    /// The same wall-clock time (a leap second is chrono's `:59` with
    /// 1 000 000 000 nanoseconds).
    impl From<DateTime> for chrono::NaiveDateTime {
        fn from(at: DateTime) -> Self {
            let leap = at.second() == 60;
            chrono::NaiveDate::from_ymd_opt(
                i32::from(at.year()),
                u32::from(at.month()),
                u32::from(at.day()),
            )
            .and_then(|date| {
                date.and_hms_nano_opt(
                    u32::from(at.hour()),
                    u32::from(at.minute()),
                    u32::from(at.second().min(59)),
                    if leap { 1_000_000_000 } else { 0 },
                )
            })
            .unwrap_or_default()
        }
    }

    /// The same wall-clock time, to the second; an error outside years 0
    /// to 9999.
    impl TryFrom<chrono::NaiveDateTime> for DateTime {
        type Error = DateTimeError;

        fn try_from(at: chrono::NaiveDateTime) -> Result<Self, Self::Error> {
            use chrono::{Datelike, Timelike};
            let year =
                u16::try_from(at.year()).map_err(|_| DateTimeError("year outside 0 to 9999"))?;
            let leap = u8::from(at.nanosecond() >= 1_000_000_000);
            DateTime::new(
                year,
                at.month() as u8,
                at.day() as u8,
                at.hour() as u8,
                at.minute() as u8,
                at.second() as u8 + leap,
            )
        }
    }

    /// The date-time read as UTC.
    impl From<DateTime> for chrono::DateTime<chrono::Utc> {
        fn from(at: DateTime) -> Self {
            chrono::NaiveDateTime::from(at).and_utc()
        }
    }

    /// The instant in UTC, whatever the zone.
    impl<Tz: chrono::TimeZone> TryFrom<chrono::DateTime<Tz>> for DateTime {
        type Error = DateTimeError;

        fn try_from(at: chrono::DateTime<Tz>) -> Result<Self, Self::Error> {
            DateTime::try_from(at.naive_utc())
        }
    }
}

#[cfg(feature = "time")]
mod time_impls {
    use super::{DateTime, DateTimeError};

    fn out_of_range<E>(_: E) -> DateTimeError {
        DateTimeError("outside the time crate's range")
    }

    /// The same wall-clock time; a leap second becomes the next minute's
    /// first second (the time crate has none).
    impl TryFrom<DateTime> for time::PrimitiveDateTime {
        type Error = DateTimeError;

        fn try_from(at: DateTime) -> Result<Self, Self::Error> {
            let utc =
                time::OffsetDateTime::from_unix_timestamp(at.to_unix()).map_err(out_of_range)?;
            Ok(time::PrimitiveDateTime::new(utc.date(), utc.time()))
        }
    }

    /// The same wall-clock time, to the second; an error outside years 0
    /// to 9999.
    impl TryFrom<time::PrimitiveDateTime> for DateTime {
        type Error = DateTimeError;

        fn try_from(at: time::PrimitiveDateTime) -> Result<Self, Self::Error> {
            DateTime::try_from(at.assume_utc())
        }
    }

    /// The date-time read as UTC.
    impl TryFrom<DateTime> for time::OffsetDateTime {
        type Error = DateTimeError;

        fn try_from(at: DateTime) -> Result<Self, Self::Error> {
            time::OffsetDateTime::from_unix_timestamp(at.to_unix()).map_err(out_of_range)
        }
    }

    /// The instant in UTC, whatever the offset.
    impl TryFrom<time::OffsetDateTime> for DateTime {
        type Error = DateTimeError;

        fn try_from(at: time::OffsetDateTime) -> Result<Self, Self::Error> {
            DateTime::from_unix(at.unix_timestamp())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_seconds_round_trip_across_the_range() {
        assert_eq!(DateTime::new(1970, 1, 1, 0, 0, 0).unwrap().to_unix(), 0);
        assert_eq!(
            DateTime::new(2000, 3, 1, 0, 0, 0).unwrap().to_unix(),
            951_868_800
        );
        for seconds in [
            -62_167_219_200, // 0000-01-01
            -1,
            0,
            951_782_399, // 2000-02-28T23:59:59
            1_780_000_000,
            253_402_300_799, // 9999-12-31T23:59:59
        ] {
            let at = DateTime::from_unix(seconds).unwrap();
            assert_eq!(at.to_unix(), seconds, "{at}");
        }
        assert!(DateTime::from_unix(253_402_300_800).is_err());
        assert!(DateTime::from_unix(-62_167_219_201).is_err());
        // Every day of four centuries maps back onto itself.
        let mut day = -719_528; // 0000-01-01
        while day < 2_932_896 {
            let at = DateTime::from_unix(day * SECONDS_PER_DAY).unwrap();
            assert_eq!(at.to_unix(), day * SECONDS_PER_DAY);
            day += 97;
        }
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn chrono_converts_both_ways() {
        let at = DateTime::new(2026, 12, 4, 10, 0, 0).unwrap();
        let naive = chrono::NaiveDateTime::from(at);
        assert_eq!(naive.to_string(), "2026-12-04 10:00:00");
        assert_eq!(DateTime::try_from(naive).unwrap(), at);
        let east = chrono::FixedOffset::east_opt(5400).unwrap();
        let there = chrono::DateTime::<chrono::Utc>::from(at).with_timezone(&east);
        assert_eq!(there.naive_local().to_string(), "2026-12-04 11:30:00");
        assert_eq!(DateTime::try_from(there).unwrap(), at);
        let leap = DateTime::new(2016, 12, 31, 23, 59, 60).unwrap();
        assert_eq!(
            DateTime::try_from(chrono::NaiveDateTime::from(leap)).unwrap(),
            leap
        );
        let far = chrono::NaiveDate::from_ymd_opt(10_000, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert!(DateTime::try_from(far).is_err());
    }

    #[cfg(feature = "time")]
    #[test]
    fn time_converts_both_ways() {
        let at = DateTime::new(2026, 12, 4, 10, 0, 0).unwrap();
        let primitive = time::PrimitiveDateTime::try_from(at).unwrap();
        assert_eq!(primitive.to_string(), "2026-12-04 10:00:00.0");
        assert_eq!(DateTime::try_from(primitive).unwrap(), at);
        let east = time::UtcOffset::from_hms(-3, 0, 0).unwrap();
        let there = time::OffsetDateTime::try_from(at).unwrap().to_offset(east);
        assert_eq!(there.hour(), 7);
        assert_eq!(DateTime::try_from(there).unwrap(), at);
    }

    #[test]
    fn system_time_converts_both_ways() {
        let at = DateTime::new(2026, 12, 4, 10, 0, 0).unwrap();
        let system = SystemTime::from(at);
        assert_eq!(DateTime::try_from(system).unwrap(), at);
        let before = DateTime::new(1900, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            DateTime::try_from(SystemTime::from(before)).unwrap(),
            before
        );
        let half_past = SystemTime::from(before) + Duration::from_millis(500);
        assert_eq!(DateTime::try_from(half_past).unwrap(), before);
    }
}
