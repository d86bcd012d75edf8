//! Grid benchmark: the grid a point lies in, among the 312 third-level grids of the seeds'
//! district (the demo's 24 × 13 lattice of irregular cells, each a polygon of 20 corners), found
//! through `GridIndex`. Prints one JSON object with p50, p95 and max in microseconds over random points.
//!
//!   cargo run --release --example bench_grid -- [--points 100000]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::percentile;

use onewindow::demo::grid::{COLS, ROWS, cell};
use onewindow_core::grid::geometry::GridIndex;
use serde_json::json;
use std::time::Instant;

fn main() {
    let points: usize = arg("--points")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut grids = Vec::new();
    for i in 0..COLS * ROWS {
        grids.push((i + 1, cell(i % COLS, i / COLS)));
    }
    let built = Instant::now();
    let index = GridIndex::new(grids);
    let build_us = built.elapsed().as_secs_f64() * 1e6;
    // A fixed pseudo-random sequence over the lattice and a margin around it.
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut times = Vec::with_capacity(points);
    let mut found = 0usize;
    for _ in 0..points {
        let (lon, lat) = (120.69 + next() * 0.26, 40.59 + next() * 0.15);
        let t = Instant::now();
        let g = index.locate(lon, lat);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        found += usize::from(g.is_some());
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "{}",
        serde_json::to_string_pretty(&json!({
            "grids": index.len(),
            "corners_per_grid": 21,
            "points": points,
            "found_in_a_grid": found,
            "index_build_us": (build_us * 10.0).round() / 10.0,
            "locate_us": {
                "p50": percentile(&times, 0.50),
                "p95": percentile(&times, 0.95),
                "max": (times.last().copied().unwrap_or(0.0) * 100.0).round() / 100.0,
            },
        }))
        .unwrap()
    );
}
