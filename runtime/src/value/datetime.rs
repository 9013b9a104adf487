//! [`DateTime`]: XML-RPC's `dateTime.iso8601`.

use std::fmt;
use std::str::FromStr;

/// A calendar date and wall-clock time to the second, without a time zone:
/// what XML-RPC's `dateTime.iso8601` carries.
///
/// diglot writes it as `YYYYMMDDTHH:MM:SS` (the form of the XML-RPC
/// specification's example, which every client reads) and, through serde into
/// JSON, as `YYYY-MM-DDTHH:MM:SS`.
///
/// Reading is liberal: both forms above, `YYYYMMDDTHHMMSS` (Apache ws-xmlrpc),
/// a fractional second (dropped), and a `Z` or UTC offset suffix (`+02:00`,
/// `-0500`, `+01`). A date-time with an offset is converted to UTC, keeping
/// the instant: the type has no zone, and UTC is the one every reader can
/// agree on. Text without an offset is kept as written.
///
/// It converts to and from [`SystemTime`](std::time::SystemTime) (read as
/// UTC), and with the `chrono` and `time` features to and from their types.
///
/// ```
/// use diglot::DateTime;
///
/// let dt: DateTime = "19980717T14:08:55".parse()?;
/// assert_eq!(dt, DateTime::new(1998, 7, 17, 14, 8, 55)?);
/// assert_eq!(dt.to_string(), "19980717T14:08:55");
/// assert_eq!("1998-07-17T14:08:55Z".parse::<DateTime>()?, dt);
/// assert_eq!("1998-07-17T16:08:55+02:00".parse::<DateTime>()?, dt);
/// # Ok::<(), diglot::DateTimeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

/// Why text or fields do not make a [`DateTime`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeError(pub(super) &'static str);

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid dateTime.iso8601: {}", self.0)
    }
}

impl std::error::Error for DateTimeError {}

impl DateTime {
    /// Builds a date-time, checking every field (years 0 to 9999, leap days
    /// included, seconds up to 60 for a leap second).
    pub fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Result<Self, DateTimeError> {
        if year > 9999 {
            return Err(DateTimeError("year past 9999"));
        }
        if !(1..=12).contains(&month) {
            return Err(DateTimeError("month out of range"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateTimeError("day out of range"));
        }
        if hour > 23 || minute > 59 || second > 60 {
            return Err(DateTimeError("time of day out of range"));
        }
        Ok(DateTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The year, 0 to 9999.
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month, 1 to 12.
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month, from 1.
    pub fn day(&self) -> u8 {
        self.day
    }
    /// The hour, 0 to 23.
    pub fn hour(&self) -> u8 {
        self.hour
    }
    /// The minute, 0 to 59.
    pub fn minute(&self) -> u8 {
        self.minute
    }
    /// The second, 0 to 60.
    pub fn second(&self) -> u8 {
        self.second
    }

    /// Writes the ISO 8601 extended form `YYYY-MM-DDTHH:MM:SS`, used for JSON.
    pub fn to_extended_string(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// Writes the XML-RPC form into a byte buffer without allocating.
    pub(crate) fn write_basic(&self, out: &mut Vec<u8>) {
        let mut buf = [0u8; 17];
        put_digits(&mut buf[0..4], u32::from(self.year));
        put_digits(&mut buf[4..6], u32::from(self.month));
        put_digits(&mut buf[6..8], u32::from(self.day));
        buf[8] = b'T';
        put_digits(&mut buf[9..11], u32::from(self.hour));
        buf[11] = b':';
        put_digits(&mut buf[12..14], u32::from(self.minute));
        buf[14] = b':';
        put_digits(&mut buf[15..17], u32::from(self.second));
        out.extend_from_slice(&buf);
    }
}

fn put_digits(slot: &mut [u8], mut n: u32) {
    for b in slot.iter_mut().rev() {
        *b = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for DateTime {
    /// The XML-RPC form, `YYYYMMDDTHH:MM:SS`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}{:02}{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// Reads `n` ASCII digits from the front of `s`.
fn digits(s: &mut &[u8], n: usize) -> Result<u32, DateTimeError> {
    if s.len() < n || !s[..n].iter().all(u8::is_ascii_digit) {
        return Err(DateTimeError("expected a digit"));
    }
    let value = s[..n]
        .iter()
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    *s = &s[n..];
    Ok(value)
}

/// Skips `sep` at the front of `s` if it is there.
fn optional(s: &mut &[u8], sep: u8) -> bool {
    if s.first() == Some(&sep) {
        *s = &s[1..];
        true
    } else {
        false
    }
}

impl FromStr for DateTime {
    type Err = DateTimeError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut s = text
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .as_bytes();
        let year = digits(&mut s, 4)?;
        let dashed = optional(&mut s, b'-');
        let month = digits(&mut s, 2)?;
        if dashed && !optional(&mut s, b'-') {
            return Err(DateTimeError("expected '-' between month and day"));
        }
        let day = digits(&mut s, 2)?;
        if !optional(&mut s, b'T') && !optional(&mut s, b't') && !optional(&mut s, b' ') {
            return Err(DateTimeError("expected 'T' between date and time"));
        }
        let hour = digits(&mut s, 2)?;
        let colons = optional(&mut s, b':');
        let minute = digits(&mut s, 2)?;
        if colons && !optional(&mut s, b':') {
            return Err(DateTimeError("expected ':' between minute and second"));
        }
        let second = digits(&mut s, 2)?;
        if optional(&mut s, b'.') || optional(&mut s, b',') {
            let fraction = s.iter().take_while(|b| b.is_ascii_digit()).count();
            if fraction == 0 {
                return Err(DateTimeError("expected digits after the decimal mark"));
            }
            s = &s[fraction..];
        }
        let offset = match s {
            [] | [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), rest @ ..] => {
                let mut rest = rest;
                let hours = digits(&mut rest, 2)?;
                let colon = optional(&mut rest, b':');
                let minutes = if rest.is_empty() && !colon {
                    0
                } else {
                    digits(&mut rest, 2)?
                };
                if !rest.is_empty() || hours > 23 || minutes > 59 {
                    return Err(DateTimeError("expected a UTC offset as +HH:MM"));
                }
                let seconds = i64::from(hours * 3600 + minutes * 60);
                if *sign == b'-' { -seconds } else { seconds }
            }
            _ => return Err(DateTimeError("unexpected text after the time")),
        };
        // Each field came from at most four digits, so the casts are lossless.
        let local = DateTime::new(
            year as u16,
            month as u8,
            day as u8,
            hour as u8,
            minute as u8,
            second as u8,
        )?;
        if offset == 0 {
            Ok(local)
        } else {
            local.minus_offset(offset)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_clients_send() {
        let want = DateTime::new(2028, 7, 19, 13, 43, 20).unwrap();
        for text in [
            "20280719T13:43:20",
            "20280719T134320",
            "2028-07-19T13:43:20",
            "2028-07-19T13:43:20Z",
            "2028-07-19T13:43:20.125+00:00",
            " 20280719T13:43:20\n",
        ] {
            assert_eq!(text.parse::<DateTime>(), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_bad_fields_and_offsets() {
        for text in [
            "",
            "2028071",
            "20280230T00:00:00",
            "20281301T00:00:00",
            "20280719T24:00:00",
            "20280719T13:43:20+1",
            "20280719T13:43:20+24:00",
            "20280719T13:43:20+01:60",
            "20280719T13:43:20+01:00:00",
            "99991231T23:00:00-01:00",
            "20280719T13:43:20 junk",
            "2028-0719T13:43:20",
        ] {
            assert!(text.parse::<DateTime>().is_err(), "{text}");
        }
        assert!("20240229T00:00:00".parse::<DateTime>().is_ok());
        assert!("21000229T00:00:00".parse::<DateTime>().is_err());
    }

    #[test]
    fn an_offset_is_converted_to_utc() {
        let utc = DateTime::new(2028, 7, 19, 13, 43, 20).unwrap();
        for text in [
            "2028-07-19T15:43:20+02:00",
            "20280719T15:43:20+0200",
            "20280719T15:43:20+02",
            "2028-07-19T08:13:20-05:30",
            "2028-07-20T00:43:20+11:00",
        ] {
            assert_eq!(text.parse::<DateTime>(), Ok(utc), "{text}");
        }
        // Across a year and a leap day.
        let new_year = DateTime::new(2024, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(
            "2025-01-01T01:00:00+02:00".parse::<DateTime>(),
            Ok(new_year)
        );
        let leap_day = DateTime::new(2024, 2, 29, 22, 0, 0).unwrap();
        assert_eq!(
            "2024-03-01T01:00:00+03:00".parse::<DateTime>(),
            Ok(leap_day)
        );
    }

    #[test]
    fn writes_the_basic_form() {
        let dt = DateTime::new(7, 1, 2, 3, 4, 5).unwrap();
        let mut out = Vec::new();
        dt.write_basic(&mut out);
        assert_eq!(out, b"00070102T03:04:05");
        assert_eq!(dt.to_string(), "00070102T03:04:05");
        assert_eq!(dt.to_extended_string(), "0007-01-02T03:04:05");
    }
}
