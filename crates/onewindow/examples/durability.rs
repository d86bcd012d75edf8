//! Durability harness: drives case and ticket load against `onewindow serve`, kills the server
//! with SIGKILL at a random moment, and checks, before starting it again, that every write the
//! server acknowledged (a 201 answer received in full) is in the database and that the database
//! is intact (SQLite's integrity check, PostgreSQL's read of every table) with its audit chain
//! whole. Prints one JSON object; exits 1 if anything acknowledged was lost.
//!
//!   cargo run --release --example durability -- [--cycles 20] [--clients 4] [--database-url URL]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory. The server is this
//! program run again as `durability serve …` (the platform's own command line), so that it can be
//! killed like the real one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const COMPANY: &str = "91350100M000100Y43";
const MATTER: &str = "建筑工程施工许可证核发";

fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        return onewindow::cli::main();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(run())
}

fn start(url: &str, addr: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "serve",
            "--addr",
            addr,
            "--database-url",
            url,
            "--demo",
            // Inside the hall's opening hours, whatever the time of the run.
            "--clock-start",
            "2026-03-02T10:00:00+08:00",
        ])
        .env("ONEWINDOW_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

async fn ready(http: &reqwest::Client, base: &str) {
    for _ in 0..600 {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not come up");
}

async fn json_of(r: reqwest::Response) -> Option<Value> {
    if r.status() != reqwest::StatusCode::CREATED {
        return None;
    }
    r.json::<Value>().await.ok()
}

#[derive(Clone, Copy, Debug)]
enum Write {
    Case(i64),
    Ticket(i64),
}

/// A small xorshift: the kill moments vary from run to run without a dependency.
fn random(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

async fn run() -> std::process::ExitCode {
    let cycles: usize = arg("--cycles").map_or(20, |v| v.parse().expect("--cycles N"));
    let clients: usize = arg("--clients").map_or(4, |v| v.parse().expect("--clients N"));
    let temp = std::env::temp_dir().join(format!("ow_durability_{}.db", std::process::id()));
    let url = arg("--database-url").unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let base = format!("http://{addr}");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let acknowledged: Arc<Mutex<Vec<Write>>> = Arc::default();
    let mut report = Vec::new();
    let mut lost_total = 0usize;
    let started = Instant::now();
    for cycle in 0..cycles {
        let mut child = start(&url, &addr);
        ready(&http, &base).await;
        let token = support::sign_in(&http, &base, "enterprise").await;
        let matters: Value = http
            .get(format!("{base}/api/v1/matters?q={MATTER}&limit=50"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = matters["items"]
            .as_array()
            .and_then(|m| m.iter().find(|m| m["name"] == MATTER))
            .map(|m| m["code"].as_str().unwrap().to_string())
            .expect("the demo's permit matter");
        let admin = support::sign_in(&http, &base, "admin").await;
        let halls: Value = http
            .get(format!("{base}/api/v1/halls"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let hall = halls[0]["id"].as_i64().expect("the demo hall");
        let cats: Value = http
            .get(format!("{base}/api/v1/halls/{hall}/categories"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let category = cats[0]["id"].as_i64().expect("a category");
        let before = acknowledged.lock().unwrap().len();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (http, base, token, code, acked) = (
                http.clone(),
                base.clone(),
                token.clone(),
                code.clone(),
                acknowledged.clone(),
            );
            tasks.push(tokio::spawn(async move {
                for n in 0.. {
                    let write = if (n + c) % 2 == 0 {
                        let r = http
                            .post(format!("{base}/api/v1/cases"))
                            .bearer_auth(&token)
                            .json(&json!({
                                "matter_code": code, "channel": "online",
                                "applicant": {"kind": "legal", "name": "葫芦岛市龙港建设有限公司",
                                    "id_number": COMPANY, "phone": "13812345678"},
                                "delivery": "window"}))
                            .send()
                            .await;
                        match r {
                            Ok(r) => json_of(r)
                                .await
                                .and_then(|v| v["case_ids"][0].as_i64())
                                .map(Write::Case),
                            Err(_) => None,
                        }
                    } else {
                        let r = http
                            .post(format!("{base}/api/v1/hall/tickets"))
                            .json(&json!({"hall_id": hall, "category_id": category}))
                            .send()
                            .await;
                        match r {
                            Ok(r) => json_of(r)
                                .await
                                .and_then(|v| v["ticket"]["id"].as_i64())
                                .map(Write::Ticket),
                            Err(_) => None,
                        }
                    };
                    match write {
                        Some(w) => acked.lock().unwrap().push(w),
                        // The server is gone (or refused): this client is done for the cycle.
                        None => return,
                    }
                }
            }));
        }
        let wait = 300 + random(&mut seed) % 1700;
        tokio::time::sleep(Duration::from_millis(wait)).await;
        child.kill().unwrap(); // SIGKILL: no shutdown, no flush
        child.wait().unwrap();
        for t in tasks {
            let _ = t.await;
        }
        // Everything acknowledged so far, in every cycle, must be there.
        let store = onewindow_store::open(&url).await.expect("reopen");
        let integrity = store.integrity().await.expect("integrity check");
        let audit = store.verify_audit().await.expect("audit");
        let all = acknowledged.lock().unwrap().clone();
        let mut lost = Vec::new();
        for w in &all {
            let there = match *w {
                Write::Case(id) => store.dossier(id).await.unwrap().is_some(),
                Write::Ticket(id) => store.ticket(id).await.unwrap().is_some(),
            };
            if !there {
                lost.push(format!("{w:?}"));
            }
        }
        store.close().await;
        lost_total += lost.len();
        report.push(json!({
            "cycle": cycle + 1,
            "killed_after_ms": wait,
            "acknowledged_this_cycle": all.len() - before,
            "checked": all.len(),
            "lost": lost,
            "integrity": integrity,
            "audit_chain": match &audit { Ok(n) => json!({"intact": n}), Err(b) => json!({"broken": b.to_string()}) },
        }));
        let ok = integrity == "ok" && audit.is_ok();
        if !ok {
            lost_total += 1;
        }
    }
    let all = acknowledged.lock().unwrap();
    let cases = all.iter().filter(|w| matches!(w, Write::Case(_))).count();
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "database": url.split(':').next(),
            "cycles": cycles,
            "clients": clients,
            "acknowledged": {"cases": cases, "tickets": all.len() - cases},
            "lost": lost_total,
            "seconds": started.elapsed().as_secs(),
            "per_cycle": report,
        }))
        .unwrap()
    );
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", temp.display()));
    }
    if lost_total == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}
