//! Catalog search benchmark: 10,000 matters (the demo's 759 and variants of them for the other
//! streets), the index build, searches in-process, and searches over HTTP from 32 concurrent
//! clients. Prints one JSON object.
//!
//!   cargo run --release --example bench_search -- [--seconds 10] [--clients 32] [--matters 10000]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;

use onewindow_core::catalog::record::ImportedMatter;
use onewindow_core::catalog::search::{Doc, SearchIndex};
use serde_json::json;
use std::time::{Duration, Instant};

const QUERIES: &[&str] = &[
    "休学",
    "xiuxue",
    "xx",
    "身份证",
    "营业执照",
    "不动产 登记",
    "鄭州",
    "食品经营许可",
    "社会保险",
    "shenfenzheng",
    "养老",
    "公司注册",
    "学生休学申请",
    "结婚登记",
    "jhdj",
    "户口迁移",
    "医保",
    "施工许可",
    "退休",
    "低保",
];

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i] * 1000.0).round() / 1000.0
}

fn summary(mut lat_ms: Vec<f64>, elapsed: Duration) -> serde_json::Value {
    lat_ms.sort_by(|a, b| a.total_cmp(b));
    json!({
        "requests": lat_ms.len(),
        "requests_per_second": ((lat_ms.len() as f64 / elapsed.as_secs_f64()) * 10.0).round() / 10.0,
        "latency_ms": { "p50": pct(&lat_ms, 0.5), "p99": pct(&lat_ms, 0.99), "max": pct(&lat_ms, 1.0) },
    })
}

/// The demo's matters, then variants of them for other streets, up to `n`.
fn catalog(n: usize) -> Vec<(usize, String, onewindow_core::catalog::Guide)> {
    let base = onewindow::demo::catalog::matters(None, "龙港区政务服务中心", &[], &[]);
    let places = [
        "滨海街道",
        "望海寺街道",
        "龙湾街道",
        "玉皇街道",
        "连湾街道",
        "北港街道",
        "双树乡",
        "东街街道",
        "葫芦岛经济开发区",
        "龙港经济开发区",
        "北港工业区",
        "滨海新区",
        "双龙街道",
    ];
    let mut out = base.clone();
    let mut k = 0;
    while out.len() < n {
        let (d, code, g) = &base[k % base.len()];
        let place = places[(k / base.len()) % places.len()];
        let mut g = g.clone();
        g.name = format!("{}（{place}）", g.name);
        out.push((*d, format!("{code}-{:04}", k), g));
        k += 1;
    }
    out
}

#[tokio::main]
async fn main() {
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().expect("--seconds N"));
    let clients: usize = arg("--clients").map_or(32, |v| v.parse().expect("--clients N"));
    let n: usize = arg("--matters").map_or(10_000, |v| v.parse().expect("--matters N"));
    let rows = catalog(n);

    // Index build, in-process.
    let docs: Vec<Doc> = rows
        .iter()
        .map(|(d, code, g)| Doc {
            code: code.clone(),
            name: g.name.clone(),
            aliases: g.aliases.clone(),
            materials: g.materials.iter().map(|m| m.name.clone()).collect(),
            basis: g.legal_basis.clone(),
            department: format!("部门{d}"),
        })
        .collect();
    // The dictionary loads once per process; measure the build itself, as a server rebuilds.
    let _ = SearchIndex::build(&docs[..10], &[]);
    let t = Instant::now();
    let index = SearchIndex::build(&docs, &[vec!["身份证".into(), "居民身份证".into()]]);
    let build_ms = t.elapsed().as_secs_f64() * 1000.0;

    // Searches, in-process.
    let mut lat = Vec::new();
    let mut hits = 0usize;
    let start = Instant::now();
    for _ in 0..200 {
        for q in QUERIES {
            let t = Instant::now();
            let (h, total) = index.search(q, 20);
            lat.push(t.elapsed().as_secs_f64() * 1000.0);
            hits += usize::from(!h.is_empty() && total > 0);
        }
    }
    let in_process = summary(lat, start.elapsed());
    let mut per_query = serde_json::Map::new();
    for q in QUERIES {
        let t = Instant::now();
        let (_, total) = index.search(q, 20);
        per_query.insert(q.to_string(), json!({"ms": (t.elapsed().as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0, "total": total}));
    }

    // Searches over HTTP: the platform on SQLite with the whole catalog imported.
    let path = std::env::temp_dir().join(format!("ow_bench_search_{}.db", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let store = onewindow_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    onewindow::demo::seed(store.as_ref(), "demo-password")
        .await
        .unwrap();
    let mut dept_ids = Vec::new();
    for i in 0..17 {
        dept_ids.push(
            store
                .department_by_uscc(&onewindow::demo::department_uscc(i))
                .await
                .unwrap()
                .unwrap()
                .id,
        );
    }
    let extra: Vec<ImportedMatter> = rows
        .iter()
        .skip(759)
        .map(|(d, code, g)| ImportedMatter {
            code: code.clone(),
            department_id: dept_ids[*d],
            guide: g.clone(),
            licence_kind: None,
        })
        .collect();
    store
        .import_matters(&onewindow_core::audit::Context::system("bench"), extra)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = onewindow_web::app(store.clone(), onewindow_web::WebConfig::default());
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .unwrap()
    });
    let http = reqwest::Client::new();
    // The first request builds the server's index.
    let t = Instant::now();
    let first: serde_json::Value = http
        .get(format!("{base}/api/v1/matters?q=xiuxue"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let server_build_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(first["total"].as_u64().unwrap() > 0);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            let mut i = c;
            while Instant::now() < deadline {
                let q: String =
                    url::form_urlencoded::byte_serialize(QUERIES[i % QUERIES.len()].as_bytes())
                        .collect();
                i += 1;
                let t = Instant::now();
                match http
                    .get(format!("{base}/api/v1/matters?q={q}"))
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut lat = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        lat.extend(l);
        errors += e;
    }
    let mut over_http = summary(lat, start.elapsed());
    over_http["errors"] = json!(errors);
    over_http["clients"] = json!(clients);
    let mut out = json!({
        "benchmark": "catalog search",
        "matters": rows.len(),
        "index_build_ms": build_ms.round(),
        "server_first_search_ms (loads the catalog and builds the index)": server_build_ms.round(),
        "queries": QUERIES.len(),
        "queries_with_hits": hits / 200,
        "in_process": in_process,
        "per_query": per_query,
        "over_http": over_http,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    store.close().await;
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}
