//! Grid benchmark: the grid a point lies in, among the 312 third-level grids of the seeds'
//! district (a 24 × 13 lattice of irregular cells, each a polygon of 24 corners), found through
//! `GridIndex`. Prints one JSON object with p50, p95 and max in microseconds over random points.
//!
//!   cargo run --release --example bench_grid -- [--points 100000]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::percentile;

use onewindow_core::grid::geometry::{GridIndex, parse};
use serde_json::json;
use std::time::Instant;

fn arg(name: &str) -> Option<String> {
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == name {
            return it.next();
        }
    }
    None
}

/// A cell of the lattice whose edges wobble, so that each is a real polygon with many corners.
fn cell(col: i64, row: i64) -> serde_json::Value {
    let (x0, y0, s) = (120.70 + col as f64 * 0.01, 40.60 + row as f64 * 0.01, 0.01);
    // Shared edges must match between neighbours: the wobble depends on the edge's position only.
    let wobble = |a: f64, b: f64| (a * 7919.0 + b * 104729.0).sin() * 0.0004;
    let mut ring = Vec::new();
    let n = 6;
    for i in 0..n {
        let t = i as f64 / n as f64;
        ring.push([x0 + t * s, y0 + wobble(x0 + t * s, y0)]);
    }
    for i in 0..n {
        let t = i as f64 / n as f64;
        ring.push([x0 + s + wobble(x0 + s, y0 + t * s), y0 + t * s]);
    }
    for i in 0..n {
        let t = i as f64 / n as f64;
        ring.push([x0 + s - t * s, y0 + s + wobble(x0 + s - t * s, y0 + s)]);
    }
    for i in 0..n {
        let t = i as f64 / n as f64;
        ring.push([x0 + wobble(x0, y0 + s - t * s), y0 + s - t * s]);
    }
    ring.push(ring[0]);
    json!({"type": "Polygon", "coordinates": [ring]})
}

fn main() {
    let points: usize = arg("--points")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let mut grids = Vec::new();
    for i in 0..312i64 {
        grids.push((
            i + 1,
            parse("grid", &cell(i % 24, i / 24)).expect("a valid cell"),
        ));
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
            "corners_per_grid": 25,
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
