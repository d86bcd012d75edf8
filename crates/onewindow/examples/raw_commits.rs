//! The database's own raw commit rate, alone: durable single-row commits a second with one writer
//! and with `--writers N`, with the platform's settings. The yardstick the side-by-side run
//! (`scripts/side-by-side.sh`) reads both ticket systems against. Prints one JSON object.
//!
//!   cargo run --release --example raw_commits -- [--database-url URL] [--writers 16]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;

#[tokio::main]
async fn main() {
    let writers: usize = arg("--writers").map_or(16, |v| v.parse().expect("--writers N"));
    let (url, file) = match arg("--database-url") {
        Some(u) => (u, None),
        None => {
            let f = std::env::temp_dir().join(format!("ow_raw_commits_{}.db", std::process::id()));
            (format!("sqlite://{}", f.display()), Some(f))
        }
    };
    let mut out = serde_json::json!({ "database": if url.starts_with("sqlite:") { "sqlite" } else { "postgres" } });
    support::relate_to_raw_commits(&url, writers, &mut out).await;
    if let Some(f) = file {
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", f.display()));
        }
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
