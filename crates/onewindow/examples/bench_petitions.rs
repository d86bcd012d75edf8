//! Petition agency benchmark: the ledgers (信访台账) are counted live from every case on each
//! request, and every read of a case's file writes its audit entry (the view of a petitioner's
//! personal data is in the trail). This carries a city-size ledger over on top of the demo
//! district — cases spread over the last ten months across the 79 stations, each with an errand
//! answered and 90 % of them resolved — then asks, as the petition office, for the ledgers and
//! for case files from concurrent clients. Prints one JSON object: what was loaded and how long
//! it took, and each request's throughput and latency, every ledger checked to count every case.
//!
//!   cargo run --release --example bench_petitions -- [--database-url URL] [--cases 20000] [--seconds 10] [--clients 4]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::phase;

use chrono::{Datelike, Duration, NaiveDate};
use onewindow_core::audit::Context;
use onewindow_core::petitions::case::{Action, Authorization, Ledger, NewPetition};
use onewindow_core::time::{local_date, start_of};
use onewindow_core::validate::id_card::check_character;
use onewindow_store::PetitionHistory;
use serde_json::json;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let cases: usize = arg("--cases").map_or(20_000, |v| v.parse().expect("--cases N"));
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().expect("--seconds N"));
    let clients: usize = arg("--clients").map_or(4, |v| v.parse().expect("--clients N"));
    let (store, url, temp) = support::demo_store("bench_petitions").await;

    let loading = Instant::now();
    let ctx = Context::system("bench");
    let today = local_date(onewindow_store::backend::now());
    let start = today - Duration::days(300);
    let stations = store.stations(None).await.unwrap();
    let departments = store
        .departments(&onewindow_store::ScopeFilter::all())
        .await
        .unwrap();
    let histories: Vec<PetitionHistory> = (0..cases)
        .map(|i| {
            let taken: NaiveDate = start + Duration::days((i * 290 / cases.max(1)) as i64);
            let first17 = format!(
                "2114031960{:02}{:02}{:03}",
                i % 12 + 1,
                i % 28 + 1,
                i % 997 + 1
            );
            let station = &stations[i % stations.len()];
            let at = |d: NaiveDate, h: i64| start_of(d) + Duration::hours(h);
            let mut steps = vec![
                (
                    at(taken, 2),
                    Action::Errand {
                        department_id: departments[i % departments.len()].id,
                        task: "代信访人到部门协调".into(),
                        deadline: taken + Duration::days(15),
                    },
                ),
                (
                    at(taken + Duration::days(3), 2),
                    Action::Outcome {
                        step: 0,
                        outcome: "部门已出具处理意见".into(),
                    },
                ),
            ];
            if i % 10 != 0 {
                steps.push((
                    at(taken + Duration::days(5), 2),
                    Action::Resolve {
                        outcome: "问题已解决".into(),
                    },
                ));
            }
            PetitionHistory {
                station_id: station.id,
                agent_id: station.agents[0],
                petition: NewPetition {
                    ledger: if i % 3 == 0 {
                        Ledger::Backlog
                    } else {
                        Ledger::New
                    },
                    petitioner_name: format!("信访人{i}"),
                    petitioner_id_number: format!("{first17}{}", check_character(&first17)),
                    petitioner_phone: format!("138{:08}", i % 100_000_000),
                    petitioner_address: String::new(),
                    subject: format!("第{i}件信访事项"),
                    detail: String::new(),
                    authorization: Some(Authorization {
                        sha256: "ab".repeat(32),
                        file_name: "代理委托书.pdf".into(),
                        signed_on: taken,
                    }),
                }
                .check(today)
                .unwrap(),
                taken_at: at(taken, 1),
                steps,
                guarantor_id: None,
                meetings: Vec::new(),
                aid: Vec::new(),
            }
        })
        .collect();
    for chunk in histories.chunks(1000) {
        store.import_petitions(&ctx, chunk.to_vec()).await.unwrap();
    }
    let load_seconds = loading.elapsed().as_secs_f64();

    let base = support::serve(store.clone(), onewindow_web::WebConfig::default()).await;
    let http = reqwest::Client::new();
    let token = support::sign_in(&http, &base, "petition-office").await;
    // Every case is taken in within the year of the ledger asked for.
    let from = NaiveDate::from_ymd_opt(start.year() - 1, 1, 1).unwrap();
    let ledger_url = format!("{base}/api/v1/petition-ledgers?from={from}&to={today}");
    let first: serde_json::Value = http
        .get(&ledger_url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = |v: &serde_json::Value| {
        v["total"]["backlog"]["cases"].as_i64().unwrap_or(0)
            + v["total"]["new"]["cases"].as_i64().unwrap_or(0)
    };
    let counted = total(&first);
    assert!(counted >= cases as i64, "the ledger counts {counted}");
    let (h, u, t) = (http.clone(), ledger_url.clone(), token.clone());
    let ledgers = phase(
        "GET /api/v1/petition-ledgers",
        clients,
        seconds,
        move |_| {
            let (h, u, t) = (h.clone(), u.clone(), t.clone());
            async move {
                match h.get(&u).bearer_auth(&t).send().await {
                    Ok(r) if r.status().is_success() => r
                        .json::<serde_json::Value>()
                        .await
                        .is_ok_and(|v| total(&v) == counted),
                    _ => false,
                }
            }
        },
    )
    .await;
    let ids: Vec<i64> = store
        .petitions(&onewindow_store::PetitionFilter {
            limit: 5000,
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    let (h, b, t) = (http.clone(), base.clone(), token.clone());
    // Each request a different case, in turn over the clients.
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let files = phase("GET /api/v1/petitions/{id}", clients, seconds, move |_| {
        let (h, b, t) = (h.clone(), b.clone(), t.clone());
        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let id = ids[n % ids.len()];
        async move {
            matches!(
                h.get(format!("{b}/api/v1/petitions/{id}")).bearer_auth(&t).send().await,
                Ok(r) if r.status().is_success()
            )
        }
    })
    .await;
    let mut out = json!({
        "database": store.backend(),
        "loaded": {
            "cases": cases,
            "seconds": (load_seconds * 10.0).round() / 10.0,
        },
        "cases_in_ledger": counted,
        "clients": clients,
        "ledgers": ledgers,
        "case_files_with_audited_view": files,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    let _ = std::fs::remove_file(&temp);
}
