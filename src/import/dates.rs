//! Calendar arithmetic for usage exports: UTC dates as day numbers (days since 1970-01-01) and
//! ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday).

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day number.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// 0 = Monday ... 6 = Sunday.
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The Monday of the ISO week holding `day`.
pub fn monday(day: i64) -> i64 {
    day - weekday(day)
}

/// The ISO (year, week) of a day.
pub fn iso_week(day: i64) -> (i64, u32) {
    let thursday = monday(day) + 3;
    let (year, _, _) = civil_from_days(thursday);
    let jan1 = days_from_civil(year, 1, 1);
    (year, ((thursday - jan1) / 7 + 1) as u32)
}

/// "2026-W03".
pub fn week_label(day: i64) -> String {
    let (y, w) = iso_week(day);
    format!("{y:04}-W{w:02}")
}

/// "2026-01-12".
pub fn date_label(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

fn digits(s: &str) -> Option<i64> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A UTC date `YYYY-MM-DD`, or an RFC 3339 timestamp at midnight UTC (`2025-08-08T00:00:00Z`,
/// as the Claude Code Analytics API writes it), as a day number. A timestamp at another time of
/// day is refused: a day's usage is reported at its midnight.
pub fn parse_date(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    if let Some(t) = time
        && !matches!(
            t,
            "00:00:00Z" | "00:00:00" | "00:00:00+00:00" | "00:00:00.000Z" | "00:00Z"
        )
    {
        return None;
    }
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d) = (digits(y)?, digits(m)? as u32, digits(d)? as u32);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// A week: ISO `YYYY-Www` (`2026-W03`), or a date (taken as the ISO week holding it). Returns
/// the week's Monday.
pub fn parse_week(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some((y, w)) = t.split_once(['W', 'w']) {
        let y = digits(y.strip_suffix('-').unwrap_or(y))?;
        let w = digits(w)?;
        if y.to_string().len() != 4 || !(1..=53).contains(&w) {
            return None;
        }
        // Week 1 is the week of January 4th.
        let first = monday(days_from_civil(y, 1, 4));
        let day = first + 7 * (w - 1);
        return (iso_week(day).0 == y).then_some(day);
    }
    parse_date(t).map(monday)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_weeks_match_the_calendar() {
        // 2026-01-01 is a Thursday: week 1 of 2026 starts on Monday 2025-12-29.
        let d = parse_date("2026-01-01").unwrap();
        assert_eq!(weekday(d), 3);
        assert_eq!(iso_week(d), (2026, 1));
        assert_eq!(date_label(monday(d)), "2025-12-29");
        // 2021-01-03 (Sunday) belongs to 2020-W53.
        assert_eq!(week_label(parse_date("2021-01-03").unwrap()), "2020-W53");
        assert_eq!(week_label(parse_date("2024-12-30").unwrap()), "2025-W01");
        assert_eq!(parse_week("2026-W03"), parse_week("2026-01-14"));
        assert_eq!(date_label(parse_week("2026-W03").unwrap()), "2026-01-12");
        assert_eq!(
            parse_week("2020-W53").map(date_label).as_deref(),
            Some("2020-12-28")
        );
        assert_eq!(parse_week("2021-W53"), None, "2021 has 52 weeks");
        for z in -800_000..800_000i64 {
            if z % 997 == 0 {
                let (y, m, dd) = civil_from_days(z);
                assert_eq!(days_from_civil(y, m, dd), z);
            }
        }
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "",
            "2026-13-01",
            "2026-02-29",
            "2026-1-5",
            "05/01/2026",
            "2026-01-05T12:00:00Z",
            "yesterday",
            "2026-01-32",
            "2026-W00",
            "2026-W54",
        ] {
            assert!(parse_date(bad).is_none() || bad.contains('W'), "{bad}");
            assert!(parse_week(bad).is_none(), "{bad}");
        }
        assert_eq!(parse_date("2025-08-08T00:00:00Z"), parse_date("2025-08-08"));
        assert!(parse_date("2024-02-29").is_some());
    }
}
