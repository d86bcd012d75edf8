//! Case engine benchmark: the platform in-process with the demo district; concurrent clients
//! each run cases end to end over HTTP — apply (clerk), accept (clerk), finish the review step
//! (approver), decide (approver), conclude (clerk): five transitions per case, each one request,
//! one audited transaction under the version check. In the same run, on the same database, the
//! raw rate of durable single-row commits (one INSERT per transaction, as many concurrent
//! writers) — the ceiling a one-commit-per-transition design would hit. Prints one JSON object.
//!
//!   cargo run --release --example bench_cases -- [--database-url URL] [--seconds 20] [--clients 64]
//!
//! `scripts/bench-cases.sh` runs it on SQLite and then on a fresh PostgreSQL database and
//! relates the two.
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory (WAL,
//! synchronous=FULL, as served). A PostgreSQL URL must name a disposable database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::percentile;

use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Args {
    database_url: Option<String>,
    seconds: u64,
    clients: usize,
}

fn args() -> Args {
    let mut a = Args {
        database_url: None,
        seconds: 20,
        clients: 64,
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

/// One timed request; `None` when it failed. The body is parsed only when asked for: the
/// clients share the server's two cores, and parsing every answer would bill the platform for
/// the load generator's work.
async fn timed(req: reqwest::RequestBuilder, lat: &mut Vec<f64>, parse: bool) -> Option<Value> {
    let t = Instant::now();
    let res = req.send().await.ok()?;
    let ok = res.status().is_success();
    let body = res.bytes().await.ok()?;
    lat.push(t.elapsed().as_secs_f64() * 1000.0);
    if !ok {
        eprintln!("failed: {}", String::from_utf8_lossy(&body));
        return None;
    }
    if parse {
        serde_json::from_slice(&body).ok()
    } else {
        Some(Value::Null)
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let temp = std::env::temp_dir().join(format!("ow_bench_cases_{}.db", std::process::id()));
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
    let app = onewindow_web::app(
        store.clone(),
        onewindow_web::WebConfig {
            max_failures_per_address: i64::MAX,
            uploads_dir: std::env::temp_dir().join("ow_bench_uploads"),
            ..Default::default()
        },
    );
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .unwrap();
    });
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .unwrap();
    let clerk = support::sign_in(&http, &base, "clerk").await;
    let approver = support::sign_in(&http, &base, "approver").await;
    let me: Value = http
        .get(format!("{base}/api/v1/me"))
        .bearer_auth(&approver)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dept = me["user"]["department_id"].as_i64().unwrap();
    // A matter of the approver's department with a single review step and a limit of days.
    let list: Value = http
        .get(format!(
            "{base}/api/v1/matters?department_id={dept}&limit=200"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut code = None;
    for m in list["items"].as_array().unwrap() {
        if m["promised_days"].as_i64().unwrap_or(0) < 1
            || m["name"] == onewindow::demo::PARALLEL_MATTER
        {
            continue;
        }
        let g: Value = http
            .get(format!(
                "{base}/api/v1/matters/{}",
                m["code"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let applicant = if g["guide"]["applicant"] == "legal" {
            json!({"kind": "legal", "name": "葫芦岛市龙港建设有限公司", "id_number": "91350100M000100Y43", "phone": "13912345678"})
        } else {
            json!({"kind": "person", "name": "压测", "id_number": "11010519491231002X", "phone": "13912345678"})
        };
        // The window takes its papers in (收件清单): what acceptance needs present.
        let materials: Vec<Value> = g["guide"]["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!({"name": m["name"], "provided": true}))
            .collect();
        code = Some((
            m["code"].as_str().unwrap().to_string(),
            (applicant, Value::Array(materials)),
        ));
        break;
    }
    let (code, (applicant, materials)) = code.expect("a matter of the approver's department");

    let start = Instant::now();
    let cpu_before = support::cpu_ticks();
    let deadline = start + Duration::from_secs(a.seconds);
    let mut tasks = Vec::new();
    for c in 0..a.clients {
        let (http, base, clerk, approver, code, applicant, materials) = (
            http.clone(),
            base.clone(),
            clerk.clone(),
            approver.clone(),
            code.clone(),
            applicant.clone(),
            materials.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let (mut cases, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                let apply = json!({"matter_code": code, "channel": "window", "delivery": "window", "applicant": applicant, "materials": materials, "note": format!("client {c}")});
                let Some(created) = timed(http.post(format!("{base}/api/v1/cases")).bearer_auth(&clerk).json(&apply), &mut lat, true).await else { errors += 1; continue };
                let id = created["case_ids"][0].as_i64().unwrap();
                let act = |who: &str, body: Value| http.post(format!("{base}/api/v1/cases/{id}/actions")).bearer_auth(who.to_string()).json(&body);
                let Some(v) = timed(act(&clerk, json!({"action": "accept"})), &mut lat, true).await else { errors += 1; continue };
                let step = v["steps"][0]["id"].as_i64().unwrap();
                if timed(act(&approver, json!({"action": "finish_step", "step_id": step, "outcome": "agree"})), &mut lat, false).await.is_none() { errors += 1; continue }
                if timed(act(&approver, json!({"action": "decide", "decision": "approve"})), &mut lat, false).await.is_none() { errors += 1; continue }
                if timed(act(&clerk, json!({"action": "conclude"})), &mut lat, false).await.is_none() { errors += 1; continue }
                cases += 1;
            }
            (lat, cases, errors)
        }));
    }
    let mut lat = Vec::new();
    let (mut cases, mut errors) = (0, 0);
    for t in tasks {
        let (l, c, e) = t.await.unwrap();
        lat.extend(l);
        cases += c;
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu_busy = support::busy_share(cpu_before, support::cpu_ticks());
    lat.sort_by(|a, b| a.total_cmp(b));
    let transitions = lat.len();
    let per_s = transitions as f64 / elapsed;
    let verified = store.verify_audit().await.unwrap();
    let mut out = json!({
        "benchmark": "cases end to end over HTTP: apply → accept → finish step → decide → conclude",
        "backend": store.backend(),
        "clients": a.clients,
        "seconds": (elapsed * 10.0).round() / 10.0,
        "cases_concluded": cases,
        "errors": errors,
        "transitions": transitions,
        "transitions_per_second": per_s.round(),
        "latency_ms": {"p50": percentile(&lat, 0.5), "p95": percentile(&lat, 0.95), "p99": percentile(&lat, 0.99), "max": percentile(&lat, 1.0)},
        "audit_chain_intact_entries": verified.as_ref().ok(),
        // Of the whole machine's processor time during the run (server, database and clients):
        // a run bound by a lock leaves it idle.
        "cpu_busy_share": cpu_busy,
    });
    support::relate_to_raw_commits(&url, a.clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    store.close().await;
    if a.database_url.is_none() {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", temp.display()));
        }
    }
}
