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

/// The platform on a port of its own in this process, over `store`: its base address.
#[allow(dead_code)] // not every program serves HTTP
pub async fn serve(
    store: std::sync::Arc<dyn onewindow_store::Store>,
    config: onewindow_web::WebConfig,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let app = onewindow_web::app(store, config);
    tokio::spawn(async move {
        onewindow_web::serve(listener, app, std::future::pending())
            .await
            .expect("serving");
    });
    base
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

/// The yardstick every benchmark is read against: durable single-row commits a second (one
/// INSERT per transaction, `writers` concurrent tasks) on the benchmark's own database in the
/// same run, with the platform's settings (SQLite: WAL, `synchronous=FULL`, one writer). A scratch
/// table `bench_raw` is made and dropped.
#[allow(dead_code)] // not every benchmark touches a database
pub async fn raw_commits(url: &str, seconds: u64, writers: usize) -> f64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::{Duration, Instant};
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    // The same loop on either pool type; only how a write transaction begins differs.
    macro_rules! hammer {
        ($pool:ident, $begin:ident ( $($arg:expr)? )) => {
            for _ in 0..writers {
                let (pool, stop, done) = ($pool.clone(), stop.clone(), done.clone());
                tasks.push(tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let mut tx = pool.$begin($($arg)?).await.unwrap();
                        sqlx::query("INSERT INTO bench_raw (v) VALUES ('x')")
                            .execute(&mut *tx)
                            .await
                            .unwrap();
                        tx.commit().await.unwrap();
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }));
            }
            tokio::time::sleep(Duration::from_secs(seconds)).await;
            stop.store(true, Ordering::Relaxed);
            for t in tasks.drain(..) {
                t.await.unwrap();
            }
            let _ = sqlx::query("DROP TABLE bench_raw").execute(&$pool).await;
        };
    }
    if url.starts_with("sqlite:") {
        use sqlx::sqlite::{
            SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
        };
        use std::str::FromStr;
        let opts = SqliteConnectOptions::from_str(url)
            .unwrap()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(30));
        // One writer, as the platform has: SQLite takes one write at a time.
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_raw (id INTEGER PRIMARY KEY, v TEXT NOT NULL)",
        )
        .execute(&pool)
        .await
        .unwrap();
        hammer!(pool, begin_with("BEGIN IMMEDIATE"));
        pool.close().await;
    } else {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await
            .unwrap();
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS bench_raw (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)",
        )
        .execute(&pool)
        .await
        .unwrap();
        hammer!(pool, begin());
        pool.close().await;
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// The raw commit rate measured with one writer and with `clients` writers, as JSON, and every
/// rate in `out` (any key ending in `per_second`) related to it: a `…_per_raw_commit` beside it,
/// the rate divided by the raw rate at the same concurrency.
#[allow(dead_code)] // not every benchmark touches a database
pub async fn relate_to_raw_commits(url: &str, clients: usize, out: &mut serde_json::Value) {
    let one = raw_commits(url, 3, 1).await;
    let many = raw_commits(url, 3, clients.max(1)).await;
    fn walk(v: &mut serde_json::Value, raw: f64) {
        match v {
            serde_json::Value::Object(m) => {
                let rates: Vec<(String, f64)> = m
                    .iter()
                    .filter(|(k, _)| k.ends_with("per_second") && !k.starts_with("raw_"))
                    .filter_map(|(k, v)| Some((k.clone(), v.as_f64()?)))
                    .collect();
                for (_, v) in m.iter_mut() {
                    walk(v, raw);
                }
                for (k, rate) in rates {
                    let name = format!("{}_per_raw_commit", k.trim_end_matches("_per_second"));
                    m.insert(
                        name,
                        serde_json::json!((rate / raw * 1000.0).round() / 1000.0),
                    );
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| walk(v, raw)),
            _ => {}
        }
    }
    walk(out, many);
    let mut raw = serde_json::Map::new();
    raw.insert("writers_1".into(), serde_json::json!(one.round()));
    raw.insert(
        format!("writers_{}", clients.max(1)),
        serde_json::json!(many.round()),
    );
    out["raw_commits_per_second"] = serde_json::Value::Object(raw);
}

/// The machine's processor time so far (all cores, from /proc/stat): busy and total ticks.
/// `None` where /proc is not there.
#[allow(dead_code)]
pub fn cpu_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: idle and iowait are the time not used.
    let total: u64 = v.iter().take(8).sum();
    let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// The share of the processors busy between two readings of [`cpu_ticks`].
#[allow(dead_code)]
pub fn busy_share(before: Option<(u64, u64)>, after: Option<(u64, u64)>) -> Option<f64> {
    let ((b0, t0), (b1, t1)) = (before?, after?);
    (t1 > t0).then(|| ((b1 - b0) as f64 / (t1 - t0) as f64 * 1000.0).round() / 1000.0)
}
