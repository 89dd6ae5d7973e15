//! Dates and durations as Go's `time` package handles them: a `time.Time` template object,
//! formatting and parsing with Go reference layouts (`2006-01-02T15:04:05Z07:00`), time zones
//! (IANA names through `chrono-tz`; "Local" is the process's zone from `TZ` or
//! `/etc/localtime`, as Go determines it), `time.ParseDuration` and `Duration.String`.

use std::rc::Rc;
use std::sync::LazyLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use chrono_tz::{OffsetName, Tz};
use gotmpl::{FuncError, Member, Object, Value};

use crate::args::{self, Arity::*};
use crate::def;

/// Where a time is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Loc {
    /// UTC.
    Utc,
    /// The process's local zone.
    Local,
    /// A named IANA zone.
    Zone(Tz),
    /// A fixed offset with a (possibly empty) abbreviation, as `time.FixedZone`.
    Fixed(String, i32),
}

/// The process's local zone, determined once, like Go's `time.Local`.
static LOCAL: LazyLock<Option<Tz>> = LazyLock::new(|| {
    let name = match std::env::var("TZ") {
        Ok(tz) if tz.is_empty() => return None,
        Ok(tz) => tz.trim_start_matches(':').to_owned(),
        Err(_) => {
            let target = std::fs::read_link("/etc/localtime").ok()?;
            let text = target.to_string_lossy().into_owned();
            text.split_once("zoneinfo/")?.1.to_owned()
        }
    };
    name.parse::<Tz>().ok().filter(|tz| tz.name() != "UTC")
});

/// A zone set with [`set_local_zone`]: `Some(None)` is UTC.
static LOCAL_OVERRIDE: std::sync::RwLock<Option<Option<Tz>>> = std::sync::RwLock::new(None);

fn local_zone() -> Option<Tz> {
    match LOCAL_OVERRIDE.read().map(|g| *g) {
        Ok(Some(zone)) => zone,
        _ => *LOCAL,
    }
}

/// Sets the zone date functions call "Local" for this process (instead of `TZ` or
/// `/etc/localtime`), e.g. to render reproducibly: `""` or `"UTC"` for UTC, else an IANA name.
pub fn set_local_zone(name: &str) -> Result<(), String> {
    let zone = match name {
        "" | "UTC" => None,
        other => Some(
            other
                .parse::<Tz>()
                .map_err(|_| format!("unknown time zone {other}"))?,
        ),
    };
    let mut guard = LOCAL_OVERRIDE
        .write()
        .map_err(|_| "time zone lock poisoned".to_owned())?;
    *guard = Some(zone);
    Ok(())
}

/// Process start for the monotonic clock reading Go prints as `m=+…`.
static START: LazyLock<Instant> = LazyLock::new(Instant::now);

impl Loc {
    /// `time.LoadLocation`.
    pub fn load(name: &str) -> Option<Loc> {
        match name {
            "" | "UTC" => Some(Loc::Utc),
            "Local" => Some(Loc::Local),
            other => other.parse::<Tz>().ok().map(Loc::Zone),
        }
    }

    /// Offset (seconds east of UTC) and abbreviation at a Unix second.
    fn lookup(&self, secs: i64) -> (i32, String) {
        let tz = match self {
            Loc::Utc => return (0, "UTC".into()),
            Loc::Fixed(name, off) => return (*off, name.clone()),
            Loc::Local => match local_zone() {
                Some(tz) => tz,
                None => return (0, "UTC".into()),
            },
            Loc::Zone(tz) => *tz,
        };
        let Some(utc) = DateTime::<Utc>::from_timestamp(secs, 0) else {
            return (0, "UTC".into());
        };
        let off = tz.offset_from_utc_datetime(&utc.naive_utc());
        let secs_east = off.fix().local_minus_utc();
        let abbr = off
            .abbreviation()
            .map_or_else(|| numeric_abbr(secs_east), str::to_owned);
        (secs_east, abbr)
    }

    /// The Unix second of a civil time in this location (Go's `time.Date` normalisation).
    fn unix_of(&self, civil: NaiveDateTime) -> i64 {
        let guess = civil.and_utc().timestamp();
        let (off, _) = self.lookup(guess);
        let first = guess - i64::from(off);
        let (off2, _) = self.lookup(first);
        if off2 == off {
            first
        } else {
            guess - i64::from(off2)
        }
    }
}

/// Zones without an abbreviation print as `+03` / `-0930` in Go's tzdata.
fn numeric_abbr(secs_east: i32) -> String {
    let sign = if secs_east < 0 { '-' } else { '+' };
    let m = secs_east.abs() / 60;
    if m % 60 == 0 {
        format!("{sign}{:02}", m / 60)
    } else {
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }
}

/// A Go `time.Time`.
#[derive(Clone, Debug, PartialEq)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub secs: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Location.
    pub loc: Loc,
    /// Monotonic clock reading (seconds since process start), only for `now`.
    pub mono: Option<f64>,
}

/// The civil fields of a time in its location.
struct Civil {
    dt: NaiveDateTime,
    offset: i32,
    abbr: String,
}

const ZERO_SECS: i64 = -62_135_596_800;

impl GoTime {
    /// `time.Now()` in the local zone.
    pub fn now() -> GoTime {
        let d = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        GoTime {
            secs: d.as_secs() as i64,
            nanos: d.subsec_nanos(),
            loc: Loc::Local,
            mono: Some(START.elapsed().as_secs_f64()),
        }
    }

    /// `time.Unix(secs, 0)` in the local zone.
    pub fn unix(secs: i64) -> GoTime {
        GoTime {
            secs,
            nanos: 0,
            loc: Loc::Local,
            mono: None,
        }
    }

    /// Go's zero time, `0001-01-01 00:00:00 UTC`.
    pub fn zero() -> GoTime {
        GoTime {
            secs: ZERO_SECS,
            nanos: 0,
            loc: Loc::Utc,
            mono: None,
        }
    }

    fn civil(&self) -> Civil {
        let (offset, abbr) = self.loc.lookup(self.secs);
        let local = self.secs + i64::from(offset);
        let dt = DateTime::<Utc>::from_timestamp(local, self.nanos)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        Civil { dt, offset, abbr }
    }

    /// `t.In(loc)` (drops the monotonic reading, as Go does).
    pub fn in_loc(&self, loc: Loc) -> GoTime {
        GoTime {
            loc,
            mono: None,
            ..self.clone()
        }
    }

    /// `t.Add(d)` for a duration in nanoseconds.
    pub fn add(&self, d: i64) -> GoTime {
        let total = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos) + i128::from(d);
        GoTime {
            secs: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            loc: self.loc.clone(),
            mono: self.mono.map(|m| m + d as f64 / 1e9),
        }
    }

    fn unix_nanos(&self) -> i128 {
        i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos)
    }

    /// `t.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::with_capacity(layout.len() + 10);
        let mut rest = layout;
        while !rest.is_empty() {
            let (prefix, chunk, suffix) = next_chunk(rest);
            out.push_str(prefix);
            let Some(chunk) = chunk else { break };
            format_chunk(&mut out, chunk, &c, self.nanos);
            rest = suffix;
        }
        out
    }

    /// `t.String()`.
    pub fn go_string(&self) -> String {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.mono {
            let sign = if m < 0.0 { '-' } else { '+' };
            s.push_str(&format!(" m={sign}{:.9}", m.abs()));
        }
        s
    }
}

const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// One element of a Go layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    Pm,
    PmLower,
    Tz,
    /// ISO 8601 (`Z` for UTC) or numeric offset: (iso, colon, seconds, short).
    Offset {
        iso: bool,
        colon: bool,
        seconds: bool,
        short: bool,
    },
    /// Fractional seconds: separator, digit count, trim trailing zeros (`9`s).
    Frac {
        sep: u8,
        digits: usize,
        trim: bool,
    },
}

fn starts_lower(s: &str) -> bool {
    s.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
}

/// Go's `nextStdChunk`: literal prefix, the chunk, and the rest.
fn next_chunk(layout: &str) -> (&str, Option<Chunk>, &str) {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if at(i, "Jan") => {
                if at(i, "January") {
                    Some((Chunk::LongMonth, 7))
                } else if !starts_lower(&layout[i + 3..]) {
                    Some((Chunk::Month, 3))
                } else {
                    None
                }
            }
            b'M' if at(i, "Mon") => {
                if at(i, "Monday") {
                    Some((Chunk::LongWeekDay, 6))
                } else if !starts_lower(&layout[i + 3..]) {
                    Some((Chunk::WeekDay, 3))
                } else {
                    None
                }
            }
            b'M' if at(i, "MST") => Some((Chunk::Tz, 3)),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                [
                    Chunk::ZeroMonth,
                    Chunk::ZeroDay,
                    Chunk::ZeroHour12,
                    Chunk::ZeroMinute,
                    Chunk::ZeroSecond,
                    Chunk::Year,
                ][usize::from(b[i + 1] - b'1')],
                2,
            )),
            b'0' if at(i, "002") => Some((Chunk::ZeroYearDay, 3)),
            b'1' => Some(if at(i, "15") {
                (Chunk::Hour, 2)
            } else {
                (Chunk::NumMonth, 1)
            }),
            b'2' => Some(if at(i, "2006") {
                (Chunk::LongYear, 4)
            } else {
                (Chunk::Day, 1)
            }),
            b'_' if at(i, "_2") => {
                if at(i, "_2006") {
                    // A literal '_' followed by the year.
                    return (&layout[..i + 1], Some(Chunk::LongYear), &layout[i + 5..]);
                }
                Some((Chunk::UnderDay, 2))
            }
            b'_' if at(i, "__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if at(i, "PM") => Some((Chunk::Pm, 2)),
            b'p' if at(i, "pm") => Some((Chunk::PmLower, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let forms: [(&str, bool, bool, bool); 5] = [
                    ("070000", false, true, false),
                    ("07:00:00", true, true, false),
                    ("0700", false, false, false),
                    ("07:00", true, false, false),
                    ("07", false, false, true),
                ];
                forms
                    .iter()
                    .find(|(f, ..)| at(i + 1, f))
                    .map(|(f, colon, seconds, short)| {
                        (
                            Chunk::Offset {
                                iso,
                                colon: *colon,
                                seconds: *seconds,
                                short: *short,
                            },
                            f.len() + 1,
                        )
                    })
            }
            b'.' | b',' if i + 1 < b.len() && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let ch = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == ch {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    Some((
                        Chunk::Frac {
                            sep: b[i],
                            digits: j - i - 1,
                            trim: ch == b'9',
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (&layout[..i], Some(chunk), &layout[i + len..]);
        }
    }
    (layout, None, "")
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", v.unsigned_abs()));
}

fn format_chunk(out: &mut String, chunk: Chunk, c: &Civil, nanos: u32) {
    let dt = &c.dt;
    let hour = dt.hour() as i64;
    match chunk {
        Chunk::LongMonth => out.push_str(LONG_MONTHS[dt.month0() as usize]),
        Chunk::Month => out.push_str(&LONG_MONTHS[dt.month0() as usize][..3]),
        Chunk::NumMonth => pad(out, i64::from(dt.month()), 0),
        Chunk::ZeroMonth => pad(out, i64::from(dt.month()), 2),
        Chunk::LongWeekDay => out.push_str(LONG_DAYS[dt.weekday().num_days_from_sunday() as usize]),
        Chunk::WeekDay => {
            out.push_str(&LONG_DAYS[dt.weekday().num_days_from_sunday() as usize][..3])
        }
        Chunk::Day => pad(out, i64::from(dt.day()), 0),
        Chunk::UnderDay => {
            if dt.day() < 10 {
                out.push(' ');
            }
            pad(out, i64::from(dt.day()), 0);
        }
        Chunk::ZeroDay => pad(out, i64::from(dt.day()), 2),
        Chunk::UnderYearDay => out.push_str(&format!("{:>3}", dt.ordinal())),
        Chunk::ZeroYearDay => pad(out, i64::from(dt.ordinal()), 3),
        Chunk::Hour => pad(out, hour, 2),
        Chunk::Hour12 | Chunk::ZeroHour12 => {
            let h = if hour % 12 == 0 { 12 } else { hour % 12 };
            pad(out, h, if chunk == Chunk::ZeroHour12 { 2 } else { 0 });
        }
        Chunk::Minute => pad(out, i64::from(dt.minute()), 0),
        Chunk::ZeroMinute => pad(out, i64::from(dt.minute()), 2),
        Chunk::Second => pad(out, i64::from(dt.second()), 0),
        Chunk::ZeroSecond => pad(out, i64::from(dt.second()), 2),
        Chunk::LongYear => pad(out, i64::from(dt.year()), 4),
        Chunk::Year => pad(out, i64::from(dt.year().rem_euclid(100)), 2),
        Chunk::Pm => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
        Chunk::PmLower => out.push_str(if hour >= 12 { "pm" } else { "am" }),
        Chunk::Tz => {
            if c.abbr.is_empty() {
                let m = c.offset / 60;
                out.push(if m < 0 { '-' } else { '+' });
                out.push_str(&format!("{:02}{:02}", m.abs() / 60, m.abs() % 60));
            } else {
                out.push_str(&c.abbr);
            }
        }
        Chunk::Offset {
            iso,
            colon,
            seconds,
            short,
        } => {
            if iso && c.offset == 0 {
                out.push('Z');
                return;
            }
            let z = c.offset;
            out.push(if z < 0 { '-' } else { '+' });
            let a = z.abs();
            out.push_str(&format!("{:02}", a / 3600));
            if !short {
                if colon {
                    out.push(':');
                }
                out.push_str(&format!("{:02}", a / 60 % 60));
            }
            if seconds {
                if colon {
                    out.push(':');
                }
                out.push_str(&format!("{:02}", a % 60));
            }
        }
        Chunk::Frac { sep, digits, trim } => {
            let all = format!("{nanos:09}");
            let mut part = all[..digits.min(9)].to_owned();
            if trim {
                while part.ends_with('0') {
                    part.pop();
                }
                if part.is_empty() {
                    return;
                }
            }
            out.push(char::from(sep));
            out.push_str(&part);
        }
    }
}

/// Go's parse error.
fn parse_err(value: &str, layout: &str, rest: &str, elem: &str) -> String {
    format!(
        "parsing time {} as {}: cannot parse {} as {}",
        crate::go::quote(value),
        crate::go::quote(layout),
        crate::go::quote(rest),
        crate::go::quote(elem)
    )
}

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let d = s.get(..n)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, &s[n..]))
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

fn lookup_name<'a>(names: &[&str], s: &'a str, short: bool) -> Option<(usize, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = if short { &name[..3] } else { name };
        if s.len() >= name.len()
            && s.is_char_boundary(name.len())
            && s[..name.len()].eq_ignore_ascii_case(name)
        {
            return Some((i, &s[name.len()..]));
        }
    }
    None
}

/// Go's `time.ParseInLocation(layout, value, loc)`.
pub fn parse_in(layout_all: &str, value_all: &str, default_loc: &Loc) -> Result<GoTime, String> {
    // Go assumes year 0 (not 1) when the layout has no year.
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm, mut am) = (false, false);
    let mut zone_offset: Option<i32> = None;
    let mut zone_name = String::new();
    let mut utc = false;
    let mut layout = layout_all;
    let mut value = value_all;
    let range_err = |what: &str| {
        format!(
            "parsing time {}: {what} out of range",
            crate::go::quote(value_all)
        )
    };
    loop {
        let (prefix, chunk, suffix) = next_chunk(layout);
        let std_str = &layout[prefix.len()..layout.len() - suffix.len()];
        value = skip_prefix(value, prefix)
            .ok_or_else(|| parse_err(value_all, layout_all, value, prefix))?;
        let Some(chunk) = chunk else {
            if !value.is_empty() {
                return Err(format!(
                    "parsing time {}: extra text: {}",
                    crate::go::quote(value_all),
                    crate::go::quote(value)
                ));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let fail = || parse_err(value_all, layout_all, hold, std_str);
        match chunk {
            Chunk::Year => {
                let (y, r) = digits(value, 2).ok_or_else(fail)?;
                year = if y >= 69 { y + 1900 } else { y + 2000 };
                value = r;
            }
            Chunk::LongYear => {
                let (y, r) = digits(value, 4).ok_or_else(fail)?;
                year = y;
                value = r;
            }
            Chunk::Month | Chunk::LongMonth => {
                let (m, r) =
                    lookup_name(&LONG_MONTHS, value, chunk == Chunk::Month).ok_or_else(fail)?;
                month = m as i64 + 1;
                value = r;
            }
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let (m, r) = getnum(value, chunk == Chunk::ZeroMonth).ok_or_else(fail)?;
                if !(1..=12).contains(&m) {
                    return Err(range_err("month"));
                }
                month = m;
                value = r;
            }
            Chunk::WeekDay | Chunk::LongWeekDay => {
                let (_, r) =
                    lookup_name(&LONG_DAYS, value, chunk == Chunk::WeekDay).ok_or_else(fail)?;
                value = r;
            }
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                if chunk == Chunk::UnderDay && value.starts_with(' ') {
                    value = &value[1..];
                }
                let (d, r) = getnum(value, chunk == Chunk::ZeroDay).ok_or_else(fail)?;
                day = d;
                value = r;
            }
            Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                let mut v = value;
                if chunk == Chunk::UnderYearDay {
                    v = v.trim_start_matches(' ');
                }
                let n = v.bytes().take(3).take_while(u8::is_ascii_digit).count();
                if n == 0 || (chunk == Chunk::ZeroYearDay && n != 3) {
                    return Err(fail());
                }
                yday = v[..n].parse().unwrap_or(0);
                value = &v[n..];
            }
            Chunk::Hour => {
                let (h, r) = getnum(value, false).ok_or_else(fail)?;
                if !(0..24).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = r;
            }
            Chunk::Hour12 | Chunk::ZeroHour12 => {
                let (h, r) = getnum(value, chunk == Chunk::ZeroHour12).ok_or_else(fail)?;
                if !(0..=12).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = r;
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let (m, r) = getnum(value, chunk == Chunk::ZeroMinute).ok_or_else(fail)?;
                if !(0..60).contains(&m) {
                    return Err(range_err("minute"));
                }
                min = m;
                value = r;
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let (s, r) = getnum(value, chunk == Chunk::ZeroSecond).ok_or_else(fail)?;
                if !(0..60).contains(&s) {
                    return Err(range_err("second"));
                }
                sec = s;
                value = r;
                // A fractional second the layout does not mention is still accepted.
                let b = value.as_bytes();
                if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
                    let (_, next, _) = next_chunk(layout);
                    if !matches!(next, Some(Chunk::Frac { .. })) {
                        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        nsec = frac_nanos(&value[1..n]);
                        value = &value[n..];
                    }
                }
            }
            Chunk::Pm | Chunk::PmLower => {
                let p = value.get(..2).ok_or_else(fail)?;
                match (chunk, p) {
                    (Chunk::Pm, "PM") | (Chunk::PmLower, "pm") => pm = true,
                    (Chunk::Pm, "AM") | (Chunk::PmLower, "am") => am = true,
                    _ => return Err(fail()),
                }
                value = &value[2..];
            }
            Chunk::Offset {
                iso,
                colon,
                seconds,
                short,
            } => {
                if iso && value.starts_with('Z') {
                    value = &value[1..];
                    utc = true;
                    continue;
                }
                let b = value.as_bytes();
                let sign = match b.first() {
                    Some(b'+') => 1,
                    Some(b'-') => -1,
                    _ => return Err(fail()),
                };
                let mut v = &value[1..];
                let (hh, r) = digits(v, 2).ok_or_else(fail)?;
                v = r;
                let mut mm = 0;
                let mut ss = 0;
                if !short {
                    if colon {
                        v = v.strip_prefix(':').ok_or_else(fail)?;
                    }
                    let (m, r) = digits(v, 2).ok_or_else(fail)?;
                    mm = m;
                    v = r;
                }
                if seconds {
                    if colon {
                        v = v.strip_prefix(':').ok_or_else(fail)?;
                    }
                    let (s, r) = digits(v, 2).ok_or_else(fail)?;
                    ss = s;
                    v = r;
                }
                if hh > 24 || mm > 60 || ss > 60 {
                    return Err(range_err("time zone offset"));
                }
                zone_offset = Some((sign * (hh * 3600 + mm * 60 + ss)) as i32);
                value = v;
            }
            Chunk::Tz => {
                if value.starts_with("UTC") {
                    value = &value[3..];
                    utc = true;
                    continue;
                }
                let n = value.bytes().take_while(u8::is_ascii_uppercase).count();
                if n < 3 {
                    return Err(fail());
                }
                zone_name = value[..n].to_owned();
                value = &value[n..];
            }
            Chunk::Frac {
                digits: nd, trim, ..
            } => {
                let b = value.as_bytes();
                if trim {
                    if b.len() < 2 || !(b[0] == b'.' || b[0] == b',') || !b[1].is_ascii_digit() {
                        continue;
                    }
                    let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    nsec = frac_nanos(&value[1..n]);
                    value = &value[n..];
                } else {
                    if b.len() < nd + 1
                        || !(b[0] == b'.' || b[0] == b',')
                        || !b[1..=nd].iter().all(u8::is_ascii_digit)
                    {
                        return Err(fail());
                    }
                    nsec = frac_nanos(&value[1..=nd]);
                    value = &value[nd + 1..];
                }
            }
        }
    }
    if pm && hour < 12 {
        hour += 12;
    } else if am && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let Some(date) = NaiveDate::from_yo_opt(year as i32, yday as u32) else {
            return Err(range_err("day-of-year"));
        };
        if (month >= 0 && i64::from(date.month()) != month)
            || (day >= 0 && i64::from(date.day()) != day)
        {
            return Err(range_err("day-of-year"));
        }
        month = i64::from(date.month());
        day = i64::from(date.day());
    }
    let month = if month < 0 { 1 } else { month };
    let day = if day < 0 { 1 } else { day };
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
        .ok_or_else(|| range_err("day"))?;
    let civil = date
        .and_hms_opt(hour as u32, min as u32, sec as u32)
        .ok_or_else(|| range_err("time"))?;
    let wall = civil.and_utc().timestamp();
    let nanos = nsec as u32;
    if utc {
        return Ok(GoTime {
            secs: wall,
            nanos,
            loc: Loc::Utc,
            mono: None,
        });
    }
    if let Some(off) = zone_offset {
        let secs = wall - i64::from(off);
        let (local_off, local_name) = Loc::Local.lookup(secs);
        if local_off == off && (zone_name.is_empty() || zone_name == local_name) {
            return Ok(GoTime {
                secs,
                nanos,
                loc: Loc::Local,
                mono: None,
            });
        }
        return Ok(GoTime {
            secs,
            nanos,
            loc: Loc::Fixed(zone_name, off),
            mono: None,
        });
    }
    if !zone_name.is_empty() {
        let (local_off, local_name) = Loc::Local.lookup(wall);
        if local_name == zone_name {
            return Ok(GoTime {
                secs: wall - i64::from(local_off),
                nanos,
                loc: Loc::Local,
                mono: None,
            });
        }
        let off = zone_name
            .strip_prefix("GMT")
            .filter(|_| zone_name.len() > 3)
            .and_then(|h| h.parse::<i32>().ok())
            .map_or(0, |h| h * 3600);
        return Ok(GoTime {
            secs: wall - i64::from(off),
            nanos,
            loc: Loc::Fixed(zone_name, off),
            mono: None,
        });
    }
    Ok(GoTime {
        secs: default_loc.unix_of(civil),
        nanos,
        loc: default_loc.clone(),
        mono: None,
    })
}

fn frac_nanos(digits: &str) -> i64 {
    let mut s: String = digits.chars().take(9).collect();
    while s.len() < 9 {
        s.push('0');
    }
    s.parse().unwrap_or(0)
}

/// Go's `skip`: literal layout text must match; a space matches any run of spaces.
fn skip_prefix<'a>(mut value: &'a str, mut prefix: &str) -> Option<&'a str> {
    while !prefix.is_empty() {
        if prefix.starts_with(' ') {
            if !value.is_empty() && !value.starts_with(' ') {
                return None;
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        let c = prefix.chars().next()?;
        if !value.starts_with(c) {
            return None;
        }
        prefix = &prefix[c.len_utf8()..];
        value = &value[c.len_utf8()..];
    }
    Some(value)
}

/// `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let err = || format!("time: invalid duration {}", crate::go::quote(s));
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err());
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    crate::go::quote(s)
                ));
            }
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::go::quote(other),
                    crate::go::quote(s)
                ));
            }
        };
        let int_val: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err())?
        };
        let mut v = int_val.checked_mul(scale).ok_or_else(err)?;
        if !frac_part.is_empty() {
            let mut f = 0f64;
            let mut place = 1f64;
            for d in frac_part.bytes() {
                place /= 10.0;
                f += f64::from(d - b'0') * place;
            }
            v += (f * scale as f64) as u128;
        }
        total = total.checked_add(v).ok_or_else(err)?;
        if total > i64::MAX as u128 + u128::from(neg) {
            return Err(err());
        }
    }
    Ok(if neg {
        (total as i128).wrapping_neg() as i64
    } else {
        total as i64
    })
}

/// `time.Duration.String()`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_str(u, scale));
        out.push_str(unit);
    } else {
        let secs_total = u / 1_000_000_000;
        let h = secs_total / 3600;
        let m = secs_total / 60 % 60;
        let s_nanos = u % 60_000_000_000;
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac_str(s_nanos, 1_000_000_000));
        out.push('s');
    }
    if neg { format!("-{out}") } else { out }
}

fn frac_str(v: u64, scale: u64) -> String {
    let whole = v / scale;
    let frac = v % scale;
    if frac == 0 {
        return whole.to_string();
    }
    // `scale` is a power of ten; the fraction has as many digits as it has zeros.
    let width = scale.to_string().len() - 1;
    let mut f = format!("{frac:0width$}");
    while f.ends_with('0') {
        f.pop();
    }
    format!("{whole}.{f}")
}

/// `d.Round(time.Second)` for a duration in nanoseconds (halves away from zero).
fn round_to_second(d: i64) -> i64 {
    let m = 1_000_000_000i64;
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if r + r < m {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

/// The template object for a `time.Time`.
#[derive(Debug)]
struct TimeObject(GoTime);

/// The method the crate uses to read its own time objects back (not callable from templates:
/// [`Object::member`] never reports it).
const INTERNAL: &str = "\u{0}sprig-time";

impl Object for TimeObject {
    fn type_name(&self) -> String {
        "time.Time".into()
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay"
            | "Weekday" | "Unix" | "UnixNano" | "UnixMilli" | "Format" | "UTC" | "Local"
            | "Add" | "AddDate" | "IsZero" | "String" | "Before" | "After" | "Equal" | "Sub" => {
                Member::Method
            }
            _ => Member::Missing,
        }
    }

    fn call(&self, name: &str, a: &[Value]) -> Result<Value, FuncError> {
        let t = &self.0;
        let c = t.civil();
        let want = |n: usize| {
            if a.len() == n {
                Ok(())
            } else {
                Err(FuncError::new(format!(
                    "wrong number of args for {name}: want {n} got {}",
                    a.len()
                )))
            }
        };
        let other = || -> Result<GoTime, FuncError> {
            want(1)?;
            as_time(&a[0]).ok_or_else(|| args::wrong_type("time.Time", &a[0]))
        };
        if name != "Format"
            && !matches!(
                name,
                "Add" | "AddDate" | "Before" | "After" | "Equal" | "Sub"
            )
            && name != INTERNAL
        {
            want(0)?;
        }
        Ok(match name {
            INTERNAL => encode(t),
            "Year" => Value::Int(i64::from(c.dt.year())),
            "Month" => Value::string(LONG_MONTHS[c.dt.month0() as usize]),
            "Day" => Value::Int(i64::from(c.dt.day())),
            "Hour" => Value::Int(i64::from(c.dt.hour())),
            "Minute" => Value::Int(i64::from(c.dt.minute())),
            "Second" => Value::Int(i64::from(c.dt.second())),
            "Nanosecond" => Value::Int(i64::from(t.nanos)),
            "YearDay" => Value::Int(i64::from(c.dt.ordinal())),
            "Weekday" => Value::string(LONG_DAYS[c.dt.weekday().num_days_from_sunday() as usize]),
            "Unix" => Value::Int(t.secs),
            "UnixNano" => Value::Int(t.unix_nanos() as i64),
            "UnixMilli" => Value::Int((t.unix_nanos() / 1_000_000) as i64),
            "Format" => {
                want(1)?;
                Value::string(t.format(args::string(&a[0])?))
            }
            "UTC" => time_value(t.in_loc(Loc::Utc)),
            "Local" => time_value(t.in_loc(Loc::Local)),
            "Add" => {
                want(1)?;
                time_value(t.add(args::int(&a[0])?))
            }
            "AddDate" => {
                want(3)?;
                let (y, mo, d) = (args::int(&a[0])?, args::int(&a[1])?, args::int(&a[2])?);
                let total_months = (i64::from(c.dt.year()) * 12 + i64::from(c.dt.month0()))
                    .saturating_add(y.saturating_mul(12))
                    .saturating_add(mo);
                let (ny, nm) = (total_months.div_euclid(12), total_months.rem_euclid(12) + 1);
                let base = i32::try_from(ny)
                    .ok()
                    .and_then(|ny| NaiveDate::from_ymd_opt(ny, nm as u32, 1))
                    .ok_or_else(|| FuncError::new("date out of range"))?;
                let date =
                    chrono::TimeDelta::try_days((i64::from(c.dt.day()) - 1).saturating_add(d))
                        .and_then(|delta| base.checked_add_signed(delta))
                        .ok_or_else(|| FuncError::new("date out of range"))?;
                let civil = date.and_time(c.dt.time());
                let secs = t.loc.unix_of(civil.with_nanosecond(0).unwrap_or(civil));
                time_value(GoTime {
                    secs,
                    nanos: t.nanos,
                    loc: t.loc.clone(),
                    mono: None,
                })
            }
            "IsZero" => Value::Bool(t.secs == ZERO_SECS && t.nanos == 0),
            "String" => Value::string(t.go_string()),
            "Before" => Value::Bool(t.unix_nanos() < other()?.unix_nanos()),
            "After" => Value::Bool(t.unix_nanos() > other()?.unix_nanos()),
            "Equal" => Value::Bool(t.unix_nanos() == other()?.unix_nanos()),
            "Sub" => Value::Int(
                (t.unix_nanos() - other()?.unix_nanos()).clamp(i64::MIN.into(), i64::MAX.into())
                    as i64,
            ),
            _ => {
                return Err(FuncError::new(format!(
                    "{name} is not a method of time.Time"
                )));
            }
        })
    }

    fn go_string(&self) -> String {
        self.0.go_string()
    }

    fn to_data(&self) -> Option<Value> {
        Some(Value::string(
            self.0.format("2006-01-02T15:04:05.999999999Z07:00"),
        ))
    }
}

/// A time as a template value.
pub fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(TimeObject(t)))
}

/// Reads back a time produced by this crate (from the plain-data form `encode` builds).
pub fn as_time(v: &Value) -> Option<GoTime> {
    let Value::Object(o) = v else { return None };
    if o.type_name() != "time.Time" {
        return None;
    }
    let Ok(Value::List(parts, _)) = o.call(INTERNAL, &[]) else {
        return None;
    };
    let [
        Value::Int(secs),
        Value::Int(nanos),
        Value::String(kind),
        Value::String(name),
        Value::Int(off),
        mono,
    ] = parts.as_slice()
    else {
        return None;
    };
    let loc = match kind.as_ref() {
        "utc" => Loc::Utc,
        "local" => Loc::Local,
        "zone" => Loc::Zone(name.parse().ok()?),
        _ => Loc::Fixed(name.to_string(), i32::try_from(*off).ok()?),
    };
    let mono = match mono {
        Value::Float(m) => Some(*m),
        _ => None,
    };
    Some(GoTime {
        secs: *secs,
        nanos: u32::try_from(*nanos).ok()?,
        loc,
        mono,
    })
}

/// The plain-data form of a time that [`as_time`] reads back.
fn encode(t: &GoTime) -> Value {
    let (kind, name, off) = match &t.loc {
        Loc::Utc => ("utc", String::new(), 0),
        Loc::Local => ("local", String::new(), 0),
        Loc::Zone(tz) => ("zone", tz.name().to_owned(), 0),
        Loc::Fixed(name, off) => ("fixed", name.clone(), *off),
    };
    Value::list(vec![
        Value::Int(t.secs),
        Value::Int(i64::from(t.nanos)),
        Value::string(kind),
        Value::string(name),
        Value::Int(i64::from(off)),
        t.mono.map_or(Value::Nil, Value::Float),
    ])
}

/// The time a date function's `interface{}` argument stands for: a `time.Time`, or Unix
/// seconds as an integer; anything else (including float64 values) means now.
fn time_arg(v: &Value) -> GoTime {
    match v {
        Value::Int(i) => GoTime::unix(*i),
        other => as_time(other).unwrap_or_else(GoTime::now),
    }
}

fn date_in_zone(layout: &str, date: &Value, zone: &str) -> String {
    let loc = Loc::load(zone).unwrap_or(Loc::Utc);
    time_arg(date).in_loc(loc).format(layout)
}

fn time_param(v: &Value) -> Result<GoTime, FuncError> {
    as_time(v).ok_or_else(|| args::wrong_type("time.Time", v))
}

/// `durationRound`'s coarse rendering.
pub fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    const MONTH: u64 = 30 * DAY;
    const YEAR: u64 = 365 * DAY;
    for (size, unit) in [
        (YEAR, "y"),
        (MONTH, "mo"),
        (DAY, "d"),
        (HOUR, "h"),
        (MINUTE, "m"),
        (SECOND, "s"),
    ] {
        if u > size {
            return format!("{}{unit}", u / size);
        }
    }
    "0s".into()
}

/// Registers the date functions.
pub(crate) fn register(m: &mut crate::FuncMap) {
    use args::string;
    def(m, "now", Exact(0), |_| Ok(time_value(GoTime::now())));
    def(m, "date", Exact(2), |a| {
        Ok(Value::string(date_in_zone(string(&a[0])?, &a[1], "Local")))
    });
    for name in ["dateInZone", "date_in_zone"] {
        def(m, name, Exact(3), |a| {
            let (layout, zone) = (string(&a[0])?, string(&a[2])?);
            Ok(Value::string(date_in_zone(layout, &a[1], zone)))
        });
    }
    def(m, "htmlDate", Exact(1), |a| {
        Ok(Value::string(date_in_zone("2006-01-02", &a[0], "Local")))
    });
    def(m, "htmlDateInZone", Exact(2), |a| {
        Ok(Value::string(date_in_zone(
            "2006-01-02",
            &a[0],
            string(&a[1])?,
        )))
    });
    for name in ["dateModify", "date_modify"] {
        def(m, name, Exact(2), |a| {
            let d = string(&a[0])?;
            let t = time_param(&a[1])?;
            Ok(time_value(match parse_duration(d) {
                Ok(n) => t.add(n),
                Err(_) => t,
            }))
        });
    }
    for name in ["mustDateModify", "must_date_modify"] {
        def(m, name, Exact(2), |a| {
            let d = parse_duration(string(&a[0])?).map_err(FuncError::new)?;
            Ok(time_value(time_param(&a[1])?.add(d)))
        });
    }
    def(m, "ago", Exact(1), |a| {
        let t = match &a[0] {
            Value::Int(i) => GoTime::unix(*i),
            other => as_time(other).unwrap_or_else(GoTime::now),
        };
        let since = GoTime::now().unix_nanos() - t.unix_nanos();
        let since = since.clamp(i64::MIN.into(), i64::MAX.into()) as i64;
        Ok(Value::string(duration_string(round_to_second(since))))
    });
    def(m, "duration", Exact(1), |a| {
        let n = match &a[0] {
            Value::String(s) => crate::go::parse_int(s, false).unwrap_or(0),
            Value::Int(i) => *i,
            _ => 0,
        };
        Ok(Value::string(duration_string(
            n.wrapping_mul(1_000_000_000),
        )))
    });
    def(m, "durationRound", Exact(1), |a| {
        let d = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int(i) => *i,
            other => match as_time(other) {
                Some(t) => {
                    let since = GoTime::now().unix_nanos() - t.unix_nanos();
                    since.clamp(i64::MIN.into(), i64::MAX.into()) as i64
                }
                None => 0,
            },
        };
        Ok(Value::string(duration_round(d)))
    });
    def(m, "toDate", Exact(2), |a| {
        let t = parse_in(string(&a[0])?, string(&a[1])?, &Loc::Local)
            .unwrap_or_else(|_| GoTime::zero());
        Ok(time_value(t))
    });
    def(m, "mustToDate", Exact(2), |a| {
        parse_in(string(&a[0])?, string(&a[1])?, &Loc::Local)
            .map(time_value)
            .map_err(FuncError::new)
    });
    def(m, "unixEpoch", Exact(1), |a| {
        Ok(Value::string(time_param(&a[0])?.secs.to_string()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(secs: i64, nanos: u32) -> GoTime {
        GoTime {
            secs,
            nanos,
            loc: Loc::Utc,
            mono: None,
        }
    }

    #[test]
    fn formats_layouts() {
        // 2009-11-10 23:04:05.123456 UTC, a Tuesday.
        let t = utc(1_257_894_245, 123_456_000);
        assert_eq!(t.format("2006-01-02"), "2009-11-10");
        assert_eq!(
            t.format("Mon Jan _2 15:04:05 MST 2006"),
            "Tue Nov 10 23:04:05 UTC 2009"
        );
        assert_eq!(
            t.format("Monday, 02-Jan-06 15:04:05 MST"),
            "Tuesday, 10-Nov-09 23:04:05 UTC"
        );
        assert_eq!(
            t.format("2006-01-02T15:04:05Z07:00"),
            "2009-11-10T23:04:05Z"
        );
        assert_eq!(
            t.format("2006-01-02T15:04:05.999999999Z07:00"),
            "2009-11-10T23:04:05.123456Z"
        );
        assert_eq!(t.format("15:04:05.000"), "23:04:05.123");
        assert_eq!(t.format("3:04PM"), "11:04PM");
        assert_eq!(t.format("January 2, 2006 -0700"), "November 10, 2009 +0000");
        assert_eq!(t.format("002 __2"), "314 314");
        assert_eq!(t.go_string(), "2009-11-10 23:04:05.123456 +0000 UTC");
        let ny = t.in_loc(Loc::load("America/New_York").unwrap());
        assert_eq!(
            ny.format("2006-01-02 15:04 MST -07:00"),
            "2009-11-10 18:04 EST -05:00"
        );
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn parses_layouts() {
        let t = parse_in("2006-01-02", "2017-12-31", &Loc::Utc).unwrap();
        assert_eq!(t.secs, 1_514_678_400);
        let t = parse_in(
            "2006-01-02T15:04:05Z07:00",
            "2017-12-31T10:00:00+02:00",
            &Loc::Utc,
        )
        .unwrap();
        assert_eq!(t.secs, 1_514_707_200);
        assert_eq!(t.format("15:04 -07:00"), "10:00 +02:00");
        let t = parse_in("2006-01-02 15:04:05", "2017-01-02 03:04:05.25", &Loc::Utc).unwrap();
        assert_eq!(t.nanos, 250_000_000);
        let e = parse_in("2006-01-02", "2017-13-01", &Loc::Utc).unwrap_err();
        assert_eq!(e, "parsing time \"2017-13-01\": month out of range");
        let e = parse_in("2006-01-02", "x", &Loc::Utc).unwrap_err();
        assert_eq!(
            e,
            "parsing time \"x\" as \"2006-01-02\": cannot parse \"x\" as \"2006\""
        );
        assert!(parse_in("2006-01-02", "2017-02-30", &Loc::Utc).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("300ms").unwrap(), 300_000_000);
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("").is_err());
        assert_eq!(duration_string(0), "0s");
        assert_eq!(duration_string(95_000_000_000), "1m35s");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration_string(1_500_000_000), "1.5s");
        assert_eq!(duration_string(1_500), "1.5µs");
        assert_eq!(duration_string(-90_000_000_000), "-1m30s");
        assert_eq!(duration_round(3_600_000_000_000 * 24 * 400), "1y");
        assert_eq!(duration_round(3_601_000_000_000), "1h");
    }

    #[test]
    fn time_objects_round_trip() {
        for t in [
            utc(5, 6),
            GoTime {
                secs: 1,
                nanos: 2,
                loc: Loc::Local,
                mono: Some(0.25),
            },
            GoTime {
                secs: 1,
                nanos: 2,
                loc: Loc::load("America/New_York").unwrap(),
                mono: None,
            },
            GoTime {
                secs: 1,
                nanos: 2,
                loc: Loc::Fixed("X, y".into(), -3600),
                mono: None,
            },
        ] {
            assert_eq!(as_time(&time_value(t.clone())), Some(t));
        }
    }
}
