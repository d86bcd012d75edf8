//! Enterprise figures benchmark: the monthly figures (月度统计) are computed live from the
//! records on every request, so this loads a city-size year on top of the demo district — visits
//! over the last eleven months, ten items heard on each, 97% of them assigned, answered and
//! confirmed — and then asks `GET /api/v1/enterprise-figures` as the city's steward from
//! concurrent clients. Prints one JSON object: what was loaded and how long it took, and the
//! figures' throughput and latency, with the year's clue count checked in every answer.
//!
//!   cargo run --release --example bench_enterprise -- [--database-url URL] [--items 20000] [--seconds 10] [--clients 4]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::arg;
use support::phase;

use chrono::Duration;
use onewindow_core::audit::Context;
use onewindow_core::enterprise::visit::{NewVisit, VisitReport};
use onewindow_core::enterprise::work::{Action, Kind, NewItem};
use onewindow_core::time::local_date;
use onewindow_store::VisitRecord;
use serde_json::json;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let items: usize = arg("--items").map_or(20_000, |v| v.parse().expect("--items N"));
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().expect("--seconds N"));
    let clients: usize = arg("--clients").map_or(4, |v| v.parse().expect("--clients N"));
    let (store, url, temp) = support::demo_store("bench_enterprise").await;

    // The year: ten items a visit, visits spread over the last 330 days.
    let loading = Instant::now();
    let ctx = Context::system("bench");
    let now = onewindow_store::backend::now();
    let steward = store.user_by_username("steward").await.unwrap().unwrap();
    let firms = store.enterprises(None, None).await.unwrap();
    let departments = store
        .departments(&onewindow_store::ScopeFilter::all())
        .await
        .unwrap();
    let visits = items.div_ceil(10);
    let when = |v: usize| {
        now - Duration::minutes(
            ((330 * 24 * 60) as f64 * (1.0 - v as f64 / visits as f64)) as i64 + 60,
        )
    };
    let planned: Vec<NewVisit> = (0..visits)
        .map(|v| NewVisit {
            enterprise_id: firms[v % firms.len()].id,
            project_id: None,
            planned_on: local_date(when(v)),
            round: None,
        })
        .collect();
    let mut all = Vec::with_capacity(visits);
    for chunk in planned.chunks(1000) {
        all.extend(
            store
                .plan_visits(&ctx, steward.id, chunk.to_vec(), now - Duration::days(331))
                .await
                .unwrap(),
        );
    }
    let mut heard = Vec::with_capacity(items);
    for (v, visit) in all.into_iter().enumerate() {
        let n = 10.min(items - heard.len());
        let new: Vec<NewItem> = (0..n)
            .map(|k| NewItem {
                enterprise_id: visit.enterprise_id,
                project_id: None,
                kind: [Kind::Problem, Kind::Need, Kind::Suggestion][k % 3],
                title: format!("第{v}次走访第{k}项诉求"),
                detail: String::new(),
                visit_id: None,
            })
            .collect();
        let (_, got) = store
            .report_visit(
                &ctx,
                visit.id,
                visit.version,
                VisitRecord {
                    report: VisitReport {
                        attendees: "企业负责人、项目管家".into(),
                        notes: "走访收集诉求".into(),
                    },
                    items: new,
                    photos: Vec::new(),
                },
                when(v),
            )
            .await
            .unwrap();
        heard.extend(got.into_iter().map(|i| (i.id, when(v))));
    }
    let latest = now - Duration::minutes(1);
    let mut steps = Vec::with_capacity(items * 3);
    for (n, (id, at)) in heard.iter().enumerate() {
        let department_id = Some(departments[n % departments.len()].id);
        steps.push((
            *id,
            Action::Assign {
                department_id,
                deadline: Some(local_date(*at) + Duration::days(10)),
            },
            (*at + Duration::minutes(30)).min(latest),
        ));
        if n % 100 < 97 {
            steps.push((
                *id,
                Action::Answer {
                    resolution: "已办结".into(),
                },
                (*at + Duration::days(3)).min(latest),
            ));
            steps.push((
                *id,
                Action::Confirm {
                    satisfied: true,
                    satisfaction: Some(5),
                    note: None,
                },
                (*at + Duration::days(5)).min(latest),
            ));
        }
    }
    let step_count = steps.len();
    for chunk in steps.chunks(3000) {
        store.act_on_work_items(&ctx, chunk.to_vec()).await.unwrap();
    }
    let load_seconds = loading.elapsed().as_secs_f64();

    let base = support::serve(store.clone(), onewindow_web::WebConfig::default()).await;
    let http = reqwest::Client::new();
    let token = support::sign_in(&http, &base, "steward-city").await;
    // The year's clues: the demo's and the load's, less those of a year begun after the first.
    let first: serde_json::Value = http
        .get(format!("{base}/api/v1/enterprise-figures"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let year_clues = first["total"]["year"]["clues"].as_i64().unwrap();
    let (h, b) = (http.clone(), base.clone());
    let figures = phase(
        "GET /api/v1/enterprise-figures",
        clients,
        seconds,
        move |_| {
            let (h, b, t) = (h.clone(), b.clone(), token.clone());
            async move {
                match h
                    .get(format!("{b}/api/v1/enterprise-figures"))
                    .bearer_auth(&t)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => r
                        .json::<serde_json::Value>()
                        .await
                        .is_ok_and(|v| v["total"]["year"]["clues"].as_i64() == Some(year_clues)),
                    _ => false,
                }
            }
        },
    )
    .await;
    let mut out = json!({
        "database": store.backend(),
        "loaded": {
            "visits": visits,
            "items": heard.len(),
            "steps": step_count,
            "seconds": (load_seconds * 10.0).round() / 10.0,
        },
        "year_clues_in_figures": year_clues,
        "clients": clients,
        "figures": figures,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    let _ = std::fs::remove_file(&temp);
}
