//! What the benchmark programs share.

/// The value after `name` on the command line, if given.
#[allow(dead_code)] // not every program takes options
pub fn arg(name: &str) -> Option<String> {
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == name {
            return it.next();
        }
    }
    None
}

/// The database of a benchmark: `--database-url`, or a fresh SQLite file named after `name` in
/// the temp directory; migrated and loaded with the demo district. Its URL and the temp file
/// (to remove at the end) come with it.
#[allow(dead_code)] // not every program loads the demo
pub async fn demo_store(
    name: &str,
) -> (
    std::sync::Arc<dyn onewindow_store::Store>,
    String,
    std::path::PathBuf,
) {
    let temp = std::env::temp_dir().join(format!("ow_{name}_{}.db", std::process::id()));
    let url = arg("--database-url").unwrap_or_else(|| format!("sqlite://{}", temp.display()));
    let store = onewindow_store::open(&url)
        .await
        .expect("open the database");
    store.migrate().await.expect("migrate");
    onewindow::demo::seed(store.as_ref(), "demo-password")
        .await
        .expect("demo data");
    (store, url, temp)
}

/// A bearer token for a demo account (password `demo-password`).
#[allow(dead_code)] // not every program signs in
pub async fn sign_in(http: &reqwest::Client, base: &str, username: &str) -> String {
    let v: serde_json::Value = http
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": username, "password": "demo-password"}))
        .send()
        .await
        .expect("sign in")
        .json()
        .await
        .expect("a token");
    v["token"].as_str().expect("a token").to_string()
}

/// The `p` quantile of sorted latencies, in milliseconds to the hundredth.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    (sorted[i] * 100.0).round() / 100.0
}

/// One phase's figures: how many, how fast, the latency quantiles.
#[allow(dead_code)] // not every benchmark drives HTTP phases
pub fn summary(
    name: &str,
    mut lat_ms: Vec<f64>,
    errors: usize,
    elapsed: std::time::Duration,
) -> serde_json::Value {
    lat_ms.sort_by(|a, b| a.total_cmp(b));
    let n = lat_ms.len();
    serde_json::json!({
        "phase": name,
        "requests": n,
        "errors": errors,
        "seconds": (elapsed.as_secs_f64() * 100.0).round() / 100.0,
        "requests_per_second": ((n as f64 / elapsed.as_secs_f64()) * 10.0).round() / 10.0,
        "latency_ms": { "p50": percentile(&lat_ms, 0.50), "p95": percentile(&lat_ms, 0.95), "p99": percentile(&lat_ms, 0.99), "max": percentile(&lat_ms, 1.0) },
    })
}

/// Runs `clients` loops of `op` for `seconds`; each op returns whether it succeeded.
#[allow(dead_code)] // not every benchmark drives HTTP phases
pub async fn phase<F, Fut>(name: &str, clients: usize, seconds: u64, op: F) -> serde_json::Value
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    use std::time::{Duration, Instant};
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let t = Instant::now();
                if op(c).await {
                    lat.push(t.elapsed().as_secs_f64() * 1000.0);
                } else {
                    errors += 1;
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
    summary(name, lat, errors, start.elapsed())
}
