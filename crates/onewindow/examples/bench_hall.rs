//! Hall calling benchmark, at the store (the HTTP answer adds the sign-in check and the JSON):
//! a hall with 200 windows and a queue of 20,000 tickets in four categories; every window calls
//! the next ticket as fast as it can, all at once, until the queue is empty. Prints one JSON
//! object: call-next latency, duplicates (a ticket called by two windows) and lost tickets
//! (issued but never called).
//!
//!   cargo run --release --example bench_hall -- [--database-url URL] [--windows 200] [--tickets 20000] [--pace-ms 0]
//!
//! With --pace-ms N each window pauses between its calls for a time drawn evenly from 0 to 2N
//! milliseconds (a hall's rhythm: a call, then a person served); 0, the default, calls back to
//! back.
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory. A PostgreSQL URL
//! must name a disposable database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::percentile;

use onewindow_core::audit::Context;
use onewindow_core::hall::category::NewCategory;
use onewindow_core::hall::ticket::{Priority, TicketSource};
use onewindow_core::org::{NewHall, NewWindow, NewZone};
use onewindow_store::{NewTicket, ScopeFilter};
use serde_json::json;
use std::collections::HashSet;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let windows: i64 = arg("--windows").map_or(200, |v| v.parse().unwrap());
    let tickets: i64 = arg("--tickets").map_or(20_000, |v| v.parse().unwrap());
    let pace: u64 = arg("--pace-ms").map_or(0, |v| v.parse().unwrap());
    let (store, url, temp) = support::demo_store("bench_hall").await;
    let c = Context::system("bench");
    let dept = store.departments(&ScopeFilter::all()).await.unwrap()[0].clone();
    let hall = store
        .create_hall(
            &c,
            NewHall {
                name: "压测大厅".into(),
                region_id: dept.region_id,
                address: None,
                floors: 3,
                phone: None,
                opens: "00:00".into(),
                closes: "23:59".into(),
                lunch_break: None,
            },
        )
        .await
        .unwrap();
    let zone = store
        .create_zone(
            &c,
            hall.id,
            NewZone {
                name: "压测区".into(),
                floor: 1,
            },
        )
        .await
        .unwrap();
    let mut cats = Vec::new();
    for (name, prefix) in [("综合", "A"), ("社保", "B"), ("企业", "C"), ("不动产", "D")] {
        let new = NewCategory {
            name: name.into(),
            prefix: prefix.into(),
            zone_id: Some(zone.id),
            matter_ids: vec![],
        };
        cats.push(store.create_category(&c, hall.id, new).await.unwrap().id);
    }
    let mut window_ids = Vec::new();
    for n in 1..=windows {
        let w = store
            .create_window(
                &c,
                hall.id,
                NewWindow {
                    zone_id: zone.id,
                    number: n,
                    label: None,
                    confidential: false,
                    department_ids: vec![dept.id],
                },
            )
            .await
            .unwrap();
        // Each window serves two categories, in its own order.
        let i = (n as usize) % cats.len();
        let mine = [cats[i], cats[(i + 1) % cats.len()]];
        store.set_window_categories(&c, w.id, &mine).await.unwrap();
        window_ids.push(w.id);
    }
    let start = Instant::now();
    let day = chrono::Utc::now().date_naive();
    for n in 0..tickets {
        let priority = match n % 20 {
            0 => Priority::Elderly,
            1 => Priority::Appointment,
            7 => Priority::Disabled,
            13 if n % 100 == 13 => Priority::Green,
            _ => Priority::Ordinary,
        };
        let t = NewTicket {
            hall_id: hall.id,
            category_id: cats[(n as usize) % cats.len()],
            day,
            priority,
            source: TicketSource::Kiosk,
            id_number: None,
            phone: None,
            access_key: format!("k{n}"),
            at: chrono::Utc::now(),
        };
        store.issue_ticket(&c, t).await.unwrap();
    }
    let issue_secs = start.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in window_ids {
        let (store, c) = (store.clone(), c.clone());
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut ids) = (Vec::new(), Vec::new());
            // A small generator of its own per window: the pauses need no more than spread.
            let mut seed = (w as u64)
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            loop {
                if pace > 0 {
                    seed = seed
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    let ms = (seed >> 33) % (2 * pace + 1);
                    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                }
                let t = Instant::now();
                let next = store.call_next(&c, w, None, 3).await.unwrap();
                lat.push(t.elapsed().as_secs_f64() * 1000.0);
                match next {
                    Some(ticket) => ids.push(ticket.id),
                    None => break,
                }
            }
            (lat, ids)
        }));
    }
    let (mut lat, mut ids) = (Vec::new(), Vec::new());
    for t in tasks {
        let (l, i) = t.await.unwrap();
        lat.extend(l);
        ids.extend(i);
    }
    let secs = start.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let distinct: HashSet<i64> = ids.iter().copied().collect();
    let left = store.waiting(hall.id).await.unwrap().len();
    let mut out = json!({
        "benchmark": "hall call-next at the store: every window calls at once until the queue is empty",
        "backend": store.backend(),
        "windows": windows,
        "pace_ms": pace,
        "tickets": tickets,
        "issue_seconds": (issue_secs * 10.0).round() / 10.0,
        "issued_per_second": (tickets as f64 / issue_secs).round(),
        "calls": lat.len(),
        "calls_per_second": (lat.len() as f64 / secs).round(),
        "latency_ms": {"p50": percentile(&lat, 0.5), "p95": percentile(&lat, 0.95), "p99": percentile(&lat, 0.99), "max": percentile(&lat, 1.0)},
        "duplicates": ids.len() - distinct.len(),
        "lost": tickets as usize - distinct.len(),
        "still_waiting": left,
    });
    support::relate_to_raw_commits(&url, windows as usize, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    store.close().await;
    if arg("--database-url").is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
}
