//! Deadline arithmetic: one million deadline computations on the built-in calendar (the working-
//! day index makes each one constant time), and as many working-day counts. Prints one JSON
//! object.
//!
//!   cargo run --release --example bench_deadlines -- [--n 1000000]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Datelike, NaiveDate};
use onewindow_core::calendar::Calendar;
use std::time::Instant;

fn main() {
    let mut n: usize = 1_000_000;
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--n" => n = it.next().and_then(|v| v.parse().ok()).expect("--n N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let t = Instant::now();
    let cal = Calendar::builtin();
    let build_ms = t.elapsed().as_secs_f64() * 1000.0;
    // Start days over 2004–2025 and limits of 0–60 working days, all answerable.
    let base = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let inputs: Vec<(NaiveDate, i64)> = (0..n)
        .map(|_| {
            let d = base + chrono::Duration::days((next() % 8000) as i64);
            (d, (next() % 61) as i64)
        })
        .collect();
    let t = Instant::now();
    let mut checksum = 0i64;
    for (d, k) in &inputs {
        let due = cal.add_workdays(*d, *k).unwrap();
        checksum = checksum.wrapping_add(due.num_days_from_ce() as i64);
    }
    let add = t.elapsed();
    let t = Instant::now();
    for (d, k) in &inputs {
        let to = *d + chrono::Duration::days(*k);
        checksum = checksum.wrapping_add(cal.workdays_between(*d, to).unwrap());
    }
    let between = t.elapsed();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "benchmark": "deadline arithmetic on the built-in calendar (2004–2026)",
            "computations": n,
            "calendar_build_ms": (build_ms * 100.0).round() / 100.0,
            "add_workdays_total_ms": (add.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            "add_workdays_ns_each": (add.as_nanos() as f64 / n as f64).round(),
            "workdays_between_total_ms": (between.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
            "checksum": checksum,
        }))
        .unwrap()
    );
}
