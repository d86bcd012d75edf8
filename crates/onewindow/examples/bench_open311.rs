//! Open311 benchmark: `POST /open311/v2/requests.json` sustained by concurrent clients against
//! the platform in-process with the demo district (376 grids, 10 services), each request
//! form-encoded with the demo api_key, a service, a point in a random grid and a description, as
//! an Open311 client sends it. Every request is checked, placed in its grid, numbered, stored
//! with its trail line and audit entry (group commit), and answered with its id. Prints one JSON
//! object: throughput and latency, and how many events the database holds afterwards against
//! how many were acknowledged.
//!
//!   cargo run --release --example bench_open311 -- [--database-url URL] [--seconds 10] [--clients 32]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::phase;

use onewindow::demo::grid::{COLS, ROWS, centre};
use onewindow_store::ScopeFilter;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[tokio::main]
async fn main() {
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().expect("--seconds N"));
    let clients: usize = arg("--clients").map_or(32, |v| v.parse().expect("--clients N"));
    let (store, url, temp) = support::demo_store("bench_open311").await;
    let count = || async {
        let t = store
            .event_tallies(
                &ScopeFilter::all(),
                chrono::DateTime::UNIX_EPOCH,
                chrono::Utc::now() + chrono::Duration::days(1),
            )
            .await
            .unwrap();
        t.iter().map(|t| t.received).sum::<i64>()
    };
    let before = count().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = onewindow_web::WebConfig {
        demo: true,
        uploads_dir: std::env::temp_dir().join("ow_bench_open311_uploads"),
        ..Default::default()
    };
    let app = onewindow_web::app(store.clone(), config);
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    let http = reqwest::Client::new();
    // Services without required questions, and the one that asks the kind of rubbish.
    let services = ["drain", "streetlight", "road", "garbage", "noise", "other"];
    let acknowledged = Arc::new(AtomicU64::new(0));
    let seq = Arc::new(AtomicU64::new(0));
    let (h, b, ack) = (http.clone(), base.clone(), acknowledged.clone());
    let posts = phase(
        "POST /open311/v2/requests.json",
        clients,
        seconds,
        move |_| {
            let (h, b, ack, seq) = (h.clone(), b.clone(), ack.clone(), seq.clone());
            async move {
                let n = seq.fetch_add(1, Ordering::Relaxed) as i64;
                // Spread over the whole district: a cell, then a place inside it (a cell is
                // 0.01° across; its edges wobble by less than 0.001°).
                let cell = (n * 7919) % (COLS * ROWS);
                let p = centre(cell % COLS, cell / COLS);
                let r = |k: i64| (n.wrapping_mul(k) >> 7).rem_euclid(1000) as f64 / 1000.0 - 0.5;
                let (lat, lon) = (p.lat + r(2_654_435_761) * 0.008, p.lon + r(40_503) * 0.008);
                let service = services[(n as usize) % services.len()];
                let mut form = vec![
                    ("api_key", "demo-open311-key".to_string()),
                    ("service_code", service.to_string()),
                    ("lat", format!("{lat:.6}")),
                    ("long", format!("{lon:.6}")),
                    (
                        "description",
                        format!("市民反映第{n}号问题：路面积水，请尽快处理"),
                    ),
                    ("first_name", "明".to_string()),
                    ("last_name", "张".to_string()),
                ];
                if service == "garbage" {
                    form.push(("attribute[kind]", "household".to_string()));
                }
                match h
                    .post(format!("{b}/open311/v2/requests.json"))
                    .form(&form)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let ok = r
                            .json::<serde_json::Value>()
                            .await
                            .is_ok_and(|v| v[0]["service_request_id"].is_string());
                        if ok {
                            ack.fetch_add(1, Ordering::Relaxed);
                        }
                        ok
                    }
                    _ => false,
                }
            }
        },
    )
    .await;
    let after = count().await;
    let mut out = json!({
        "database": store.backend(),
        "clients": clients,
        "post_requests": posts,
        "acknowledged": acknowledged.load(Ordering::Relaxed),
        "events_recorded": after - before,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    let _ = std::fs::remove_file(&temp);
}
