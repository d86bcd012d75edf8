//! Supervision benchmark: light counts for slices and a page of red cases over open cases, and
//! the yearly figures report over a year of cases. Prints one JSON object.
//!
//!   cargo run --release --example bench_supervision -- --database-url URL --open-cases 1000000
//!   cargo run --release --example bench_supervision -- --database-url URL --year-cases 10000000
//!
//! The data is generated the way `onewindow demo --cases N [--open]` generates it, into the
//! database named (which must be disposable), unless it already holds that many cases
//! (generation is timed and reported; with --year-cases only the missing ones are made, so a
//! stopped run can be resumed). Without --database-url a SQLite file in the temp
//! directory is used. Each query runs --runs times (default 30); the JSON gives p50, p95 and max
//! in milliseconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::percentile;

use chrono::Datelike;
use onewindow_core::case::Channel;
use onewindow_core::supervision::figures::Period;
use onewindow_core::time::local_date;
use onewindow_store::{CaseFilter, FiguresBy, LightPick, LightsBy, ScopeFilter, Slice, Store};
use serde_json::{Value, json};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// Runs `f` `runs` times; its latencies in milliseconds (p50, p95, max).
async fn time<F, Fut, T>(runs: usize, f: F) -> Value
where
    F: Fn() -> Fut,
    Fut: Future<Output = T>,
{
    f().await; // warm the caches once
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f().await;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    json!({
        "p50_ms": percentile(&ms, 0.5),
        "p95_ms": percentile(&ms, 0.95),
        "max_ms": percentile(&ms, 1.0),
    })
}

async fn total_cases(store: &Arc<dyn Store>) -> i64 {
    store.count_cases(&CaseFilter::default()).await.unwrap()
}

#[tokio::main]
async fn main() {
    let open_cases: usize = arg("--open-cases").map_or(0, |v| v.parse().unwrap());
    let year_cases: usize = arg("--year-cases").map_or(0, |v| v.parse().unwrap());
    let runs: usize = arg("--runs").map_or(30, |v| v.parse().unwrap());
    let (store, url, _) = support::demo_store("bench_supervision").await;

    let mut generated = json!({});
    let want = open_cases + year_cases;
    let have = total_cases(&store).await as usize;
    if have < want {
        let t = Instant::now();
        let mut n = 0;
        if open_cases > 0 {
            n += onewindow::demo::cases::generate(store.clone(), open_cases, 16, true)
                .await
                .expect("generate open cases");
        }
        if year_cases > 0 {
            // A run stopped part-way is resumed: only the cases missing are made.
            let missing = year_cases.min(want - have);
            n += onewindow::demo::cases::generate(store.clone(), missing, 16, false)
                .await
                .expect("generate a year of cases");
        }
        generated =
            json!({"cases": n, "seconds": (t.elapsed().as_secs_f64() * 10.0).round() / 10.0});
    }

    let today = local_date(chrono::Utc::now());
    let all = Slice::default();
    let departments = store.departments(&ScopeFilter::all()).await.unwrap();
    let busiest = store
        .light_counts_by(&all, LightsBy::Department, today)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|(_, c)| c.running)
        .map(|(d, _)| d)
        .unwrap_or(departments[0].id);
    let matter = store
        .light_counts_by(&all, LightsBy::Matter, today)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|(_, c)| c.running)
        .map_or(0, |(m, _)| m);
    let window = store
        .light_counts_by(&all, LightsBy::Window, today)
        .await
        .unwrap()
        .into_iter()
        .filter(|(w, _)| *w != 0)
        .max_by_key(|(_, c)| c.running)
        .map_or(0, |(w, _)| w);
    let clerk = store
        .user_by_username("clerk")
        .await
        .unwrap()
        .map_or(0, |u| u.id);
    let district = store
        .region_by_code("211403")
        .await
        .unwrap()
        .map(|r| r.path);
    let slices: Vec<(&str, Slice)> = vec![
        ("all", all.clone()),
        (
            "region",
            Slice {
                region_path: district,
                ..Default::default()
            },
        ),
        (
            "department",
            Slice {
                department_id: Some(busiest),
                ..Default::default()
            },
        ),
        (
            "department_scope",
            Slice {
                scope: ScopeFilter::department(busiest),
                ..Default::default()
            },
        ),
        (
            "window",
            Slice {
                window_id: Some(window),
                ..Default::default()
            },
        ),
        (
            "clerk",
            Slice {
                clerk_id: Some(clerk),
                ..Default::default()
            },
        ),
        (
            "matter",
            Slice {
                matter_id: Some(matter),
                ..Default::default()
            },
        ),
        (
            "channel",
            Slice {
                channel: Some(Channel::Online),
                ..Default::default()
            },
        ),
        // Two columns: no marginal rows answer, the rollup by every column and the light
        // indexes do.
        (
            "department_scope_online",
            Slice {
                scope: ScopeFilter::department(busiest),
                channel: Some(Channel::Online),
                ..Default::default()
            },
        ),
    ];

    let mut out = json!({
        "database": onewindow_store::redact_url(&url),
        "backend": store.backend(),
        "cases": total_cases(&store).await,
        "generated": generated,
        "runs": runs,
    });
    if open_cases > 0 {
        let counts = store.light_counts(&all, today).await.unwrap();
        out["open"] = json!(counts);
        let mut light_counts = json!({});
        let mut red_pages = json!({});
        for (name, s) in &slices {
            let s2 = s.clone();
            let st = store.clone();
            light_counts[*name] = time(runs, || {
                let (st, s2) = (st.clone(), s2.clone());
                async move { st.light_counts(&s2, today).await.unwrap() }
            })
            .await;
            light_counts[*name]["counts"] = json!(store.light_counts(s, today).await.unwrap());
            let s3 = s.clone();
            red_pages[*name] = time(runs, || {
                let (st, s3) = (st.clone(), s3.clone());
                async move {
                    st.light_cases(&s3, LightPick::Red, today, 50, 0)
                        .await
                        .unwrap()
                }
            })
            .await;
        }
        out["light_counts"] = light_counts;
        out["red_page_50"] = red_pages;
        let st = store.clone();
        out["red_page_50_offset_10000"] = time(runs, || {
            let st = st.clone();
            async move {
                st.light_cases(&Slice::default(), LightPick::Red, today, 50, 10_000)
                    .await
                    .unwrap()
            }
        })
        .await;
        // The wall: the demo hall's windows, counted through the window index.
        let hall = store.halls(&ScopeFilter::all()).await.unwrap()[0].id;
        let window_in: Vec<i64> = store
            .windows(hall)
            .await
            .unwrap()
            .iter()
            .map(|w| w.id)
            .collect();
        let wall = Slice {
            window_in,
            ..Default::default()
        };
        let st = store.clone();
        out["wall_counts_by_window"] = time(runs, || {
            let (st, wall) = (st.clone(), wall.clone());
            async move {
                st.light_counts_by(&wall, LightsBy::Window, today)
                    .await
                    .unwrap()
            }
        })
        .await;
    }
    if year_cases > 0 {
        let from = today - chrono::Duration::days(364);
        let year = Period::new(Some(from), Some(today)).unwrap();
        let calendar_year = Period::new(
            Some(chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap()),
            Some(today),
        )
        .unwrap();
        out["year"] = json!({"from": from, "to": today,
            "figures": onewindow_core::supervision::figures::Figures::from(store.figures(&all, year).await.unwrap())});
        let mut report = json!({});
        let one_department = Slice {
            department_id: Some(busiest),
            ..Default::default()
        };
        // The last, two columns (a department's clerks ranked), reads the rollup by every
        // column; the others the marginal rows.
        for (name, slice, by) in [
            ("totals", all.clone(), None),
            ("by_month", all.clone(), Some(FiguresBy::Month)),
            ("by_department", all.clone(), Some(FiguresBy::Department)),
            ("by_window", all.clone(), Some(FiguresBy::Window)),
            ("by_matter", all.clone(), Some(FiguresBy::Matter)),
            (
                "department_slice_by_month",
                one_department.clone(),
                Some(FiguresBy::Month),
            ),
            (
                "department_by_clerk",
                one_department,
                Some(FiguresBy::Clerk),
            ),
        ] {
            let st = store.clone();
            report[name] = time(runs, || {
                let (st, slice) = (st.clone(), slice.clone());
                async move {
                    match by {
                        None => {
                            st.figures(&slice, year).await.unwrap();
                        }
                        Some(b) => {
                            st.figures_by(&slice, year, b).await.unwrap();
                        }
                    }
                }
            })
            .await;
        }
        // The yearly report as the page builds it: totals, the trend by month, a ranking.
        let st = store.clone();
        report["report_page"] = time(runs, || {
            let st = st.clone();
            async move {
                st.figures(&Slice::default(), year).await.unwrap();
                st.figures_by(&Slice::default(), year, FiguresBy::Month)
                    .await
                    .unwrap();
                st.figures_by(&Slice::default(), year, FiguresBy::Department)
                    .await
                    .unwrap();
            }
        })
        .await;
        let st = store.clone();
        report["calendar_year_to_date"] = time(runs, || {
            let st = st.clone();
            async move { st.figures(&Slice::default(), calendar_year).await.unwrap() }
        })
        .await;
        out["yearly_report"] = report;
    }
    support::relate_to_raw_commits(&url, 1, &mut out).await;
    store.close().await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
}
