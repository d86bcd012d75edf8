//! Foundation benchmark: the platform in-process with the demo district, driven over HTTP by
//! concurrent clients. Prints one JSON object: throughput and latency of reads, of audited
//! writes (each a transaction with its hash-chained audit entry), and of sign-ins (argon2id),
//! the audit chain check, and peak memory.
//!
//!   cargo run --release --example bench -- [--database-url URL] [--seconds 10] [--clients 16]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory. A PostgreSQL URL
//! must name an empty (or disposable) database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::phase;

use serde_json::{Value, json};
use std::time::Instant;

struct Args {
    database_url: Option<String>,
    seconds: u64,
    clients: usize,
}

fn args() -> Args {
    let mut a = Args {
        database_url: None,
        seconds: 10,
        clients: 16,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--database-url" => a.database_url = Some(v),
            "--seconds" => a.seconds = v.parse().expect("--seconds N"),
            "--clients" => a.clients = v.parse().expect("--clients N"),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() {
    let a = args();
    let temp = std::env::temp_dir().join(format!("ow_bench_{}.db", std::process::id()));
    let url = a
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let store = onewindow_store::open(&url)
        .await
        .expect("open the database");
    store.migrate().await.expect("migrate");
    onewindow::demo::seed(store.as_ref(), "demo-password")
        .await
        .expect("demo data");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = onewindow_web::WebConfig {
        max_failures_per_address: i64::MAX,
        ..Default::default()
    };
    let app = onewindow_web::app(store.clone(), config);
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    let http = reqwest::Client::new();
    let token = support::sign_in(&http, &base, "admin").await;
    let depts: Value = http
        .get(format!("{base}/api/v1/departments"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dept_ids: Vec<i64> = depts
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();

    let (h, b, t) = (http.clone(), base.clone(), token.clone());
    let reads = phase(
        "read: GET /api/v1/departments",
        a.clients,
        a.seconds,
        move |_| {
            let (h, b, t) = (h.clone(), b.clone(), t.clone());
            async move {
                h.get(format!("{b}/api/v1/departments"))
                    .bearer_auth(&t)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        },
    )
    .await;

    // Each client edits its own department, carrying the version forward.
    let versions: std::sync::Arc<Vec<std::sync::atomic::AtomicI64>> = std::sync::Arc::new(
        (0..a.clients)
            .map(|_| std::sync::atomic::AtomicI64::new(1))
            .collect(),
    );
    let (h, b, t, ids) = (http.clone(), base.clone(), token.clone(), dept_ids.clone());
    let writes = phase(
        "audited write: PATCH /api/v1/departments/{id}",
        a.clients,
        a.seconds,
        move |c| {
            let (h, b, t, v) = (h.clone(), b.clone(), t.clone(), versions.clone());
            let id = ids[c % ids.len()];
            async move {
                let version = v[c].load(std::sync::atomic::Ordering::Relaxed);
                let r = h
                    .patch(format!("{b}/api/v1/departments/{id}"))
                    .bearer_auth(&t)
                    .json(&json!({"version": version, "phone": format!("0429-{version:07}")}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        let d: Value = r.json().await.unwrap_or_default();
                        v[c].store(
                            d["version"].as_i64().unwrap_or(version + 1),
                            std::sync::atomic::Ordering::Relaxed,
                        );
                        true
                    }
                    _ => false,
                }
            }
        },
    )
    .await;

    let (h, b) = (http.clone(), base.clone());
    let sign_ins = phase(
        "sign-in: POST /api/v1/auth/token (argon2id)",
        2,
        a.seconds.min(5),
        move |_| {
            let (h, b) = (h.clone(), b.clone());
            async move {
                h.post(format!("{b}/api/v1/auth/token"))
                    .json(&json!({"username": "clerk", "password": "demo-password"}))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
            }
        },
    )
    .await;

    let t = Instant::now();
    let verified = store.verify_audit().await.unwrap();
    let verify_ms = t.elapsed().as_secs_f64() * 1000.0;
    let mut out = json!({
        "benchmark": "foundation",
        "database": store.backend(),
        "clients": a.clients,
        "phases": [reads, writes, sign_ins],
        "audit_verify": { "entries": verified.as_ref().ok(), "intact": verified.is_ok(), "ms": verify_ms.round() },
        "peak_rss_mib": peak_rss_kib().map(|k| (k as f64 / 1024.0 * 10.0).round() / 10.0),
    });
    support::relate_to_raw_commits(&url, a.clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    store.close().await;
    if a.database_url.is_none() {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", temp.display()));
        }
    }
}
