//! Case numbers (办件编号): readable, unique, and sortable by department and day:
//! `D003-20261123-00017` is department 3's seventeenth case received on 23 November 2026.
//! Bundles (一件事) are `YS-…` and batches `PL-…` with the same date and sequence parts.

use chrono::NaiveDate;

pub fn case_number(department_id: i64, day: NaiveDate, seq: i64) -> String {
    format!("D{department_id:03}-{}-{seq:05}", day.format("%Y%m%d"))
}

pub fn bundle_number(day: NaiveDate, seq: i64) -> String {
    format!("YS-{}-{seq:05}", day.format("%Y%m%d"))
}

pub fn batch_number(day: NaiveDate, seq: i64) -> String {
    format!("PL-{}-{seq:05}", day.format("%Y%m%d"))
}

/// The counter key under which sequences are kept: a department's cases, bundles or batches.
pub fn counter_key(kind: &str, department_id: Option<i64>) -> String {
    match department_id {
        Some(d) => format!("{kind}:{d}"),
        None => kind.to_string(),
    }
}

/// Normalises what a person types when looking a case up: trimmed, upper case, full-width
/// characters and spaces removed.
pub fn normalise(input: &str) -> String {
    input
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '－' | '—' | '–' => '-',
            c if ('！'..='～').contains(&c) => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_ascii_uppercase()
}
