//! Hall display fan-out benchmark, over HTTP: 500 displays follow the hall's event stream
//! (`/hall/{id}/events`) while a clerk calls tickets at a window; for each call, the time from
//! sending the call to each display receiving it. Prints one JSON object.
//!
//!   cargo run --release --example bench_displays -- [--database-url URL] [--clients 500] [--calls 50]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory. A PostgreSQL URL
//! must name a disposable database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::percentile;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One display: reads the stream and reports every call's number with the moment it arrived.
async fn display(
    http: reqwest::Client,
    url: String,
    ready: Arc<AtomicUsize>,
    calls: mpsc::UnboundedSender<(String, Instant)>,
) {
    let mut res = http.get(url).send().await.unwrap();
    let mut buf = String::new();
    let mut counted = false;
    while let Ok(Some(chunk)) = res.chunk().await {
        let now = Instant::now();
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let event = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            if event == "board" && !counted {
                counted = true;
                ready.fetch_add(1, Ordering::SeqCst);
            }
            if event == "call" {
                let data: String = block
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: "))
                    .collect();
                let v: Value = serde_json::from_str(&data).unwrap();
                let _ = calls.send((v["number"].as_str().unwrap().to_string(), now));
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let clients: usize = arg("--clients").map_or(500, |v| v.parse().unwrap());
    let calls: usize = arg("--calls").map_or(50, |v| v.parse().unwrap());
    let (store, url, temp) = support::demo_store("bench_displays").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    // A working morning, whatever the hour the benchmark runs at.
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00+08:00")
        .unwrap()
        .to_utc();
    let app = onewindow_web::app(
        store.clone(),
        onewindow_web::WebConfig {
            max_failures_per_address: i64::MAX,
            clock: onewindow_web::clock::Clock::starting_at(start),
            ..Default::default()
        },
    );
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients + 16)
        .build()
        .unwrap();
    let clerk = support::sign_in(&http, &base, "clerk").await;
    let hall = store
        .halls(&onewindow_store::ScopeFilter::all())
        .await
        .unwrap()
        .into_iter()
        .find(|h| h.name == onewindow::demo::HALL)
        .unwrap();
    let category = store
        .categories(hall.id)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.prefix == "A")
        .unwrap();
    let window = store
        .windows(hall.id)
        .await
        .unwrap()
        .into_iter()
        .find(|w| w.number == 1)
        .unwrap();

    let ready = Arc::new(AtomicUsize::new(0));
    let (tx, mut rx) = mpsc::unbounded_channel();
    for _ in 0..clients {
        // Each display its own connection, as separate screens have.
        let own = reqwest::Client::new();
        tokio::spawn(display(
            own,
            format!("{base}/hall/{}/events", hall.id),
            ready.clone(),
            tx.clone(),
        ));
    }
    let connect = Instant::now();
    while ready.load(Ordering::SeqCst) < clients {
        assert!(
            connect.elapsed() < Duration::from_secs(60),
            "only {} displays connected",
            ready.load(Ordering::SeqCst)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let connect_secs = connect.elapsed().as_secs_f64();
    for _ in 0..calls {
        let r = http
            .post(format!("{base}/api/v1/hall/tickets"))
            .json(&json!({"hall_id": hall.id, "category_id": category.id}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    // Let the boards of the new tickets settle before timing calls.
    tokio::time::sleep(Duration::from_millis(500)).await;
    while rx.try_recv().is_ok() {}

    let (mut fanout, mut call_ms) = (Vec::new(), Vec::new());
    let mut missed = 0;
    for _ in 0..calls {
        let sent = Instant::now();
        let out: Value = http
            .post(format!(
                "{base}/api/v1/hall/windows/{}/call-next",
                window.id
            ))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        call_ms.push(sent.elapsed().as_secs_f64() * 1000.0);
        let number = out["ticket"]["number"].as_str().unwrap().to_string();
        let mut got: HashMap<String, usize> = HashMap::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while got.get(&number).copied().unwrap_or(0) < clients {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((n, at))) => {
                    if n == number {
                        fanout.push(at.duration_since(sent).as_secs_f64() * 1000.0);
                    }
                    *got.entry(n).or_default() += 1;
                }
                _ => break,
            }
        }
        missed += clients - got.get(&number).copied().unwrap_or(0).min(clients);
    }
    fanout.sort_by(|a, b| a.total_cmp(b));
    call_ms.sort_by(|a, b| a.total_cmp(b));
    let mut out = json!({
        "benchmark": "hall displays: a call at a window reaching every display following the hall's events",
        "backend": store.backend(),
        "displays": clients,
        "calls": calls,
        "connect_seconds": (connect_secs * 100.0).round() / 100.0,
        "call_to_display_ms": {"p50": percentile(&fanout, 0.5), "p99": percentile(&fanout, 0.99), "max": percentile(&fanout, 1.0)},
        "call_next_http_ms": {"p50": percentile(&call_ms, 0.5), "p99": percentile(&call_ms, 0.99)},
        "deliveries": fanout.len(),
        "missed": missed,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    store.close().await;
    if arg("--database-url").is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
}
