//! Races over HTTP, on both databases: the same step sent by many clients at once — a clerk's
//! acceptance of one case, a dispatcher's registration of one event, an applicant's rating of
//! one service — is taken exactly once; every other client hears 409 and nothing is written
//! twice. (The store's conformance suite runs the same races below the HTTP layer, and the
//! hall's calling too.)

use crate::cases::{company_application, matter_code};
use crate::each_app;
use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const RACERS: usize = 12;

/// Sends `body` to `path` from RACERS clients at once; the statuses, sorted.
async fn race(app: &TestApp, token: &str, path: &str, body: Value) -> Vec<StatusCode> {
    let mut tasks = Vec::new();
    for _ in 0..RACERS {
        let (http, url, token, body) = (
            app.http.clone(),
            app.url(path),
            token.to_string(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out.sort();
    out
}

fn one_wins(statuses: &[StatusCode], won: StatusCode, what: &str) {
    let winners = statuses.iter().filter(|s| **s == won).count();
    let conflicts = statuses
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (winners, conflicts),
        (1, RACERS - 1),
        "{what}: one wins, the others hear 409: {statuses:?}"
    );
}

each_app!(one_step_sent_by_many_at_once_is_taken_once, |app| {
    // A clerk's acceptance of one case.
    let company = app.token("enterprise").await;
    let clerk = app.token("clerk").await;
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&company),
            Some(company_application(&code, "online")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["case_ids"][0].as_i64().unwrap();
    crate::cases::upload_required(app, &company, id).await;
    let statuses = race(
        app,
        &clerk,
        &format!("/api/v1/cases/{id}/actions"),
        json!({"action": "accept", "version": 1}),
    )
    .await;
    one_wins(&statuses, StatusCode::OK, "accept");
    let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    assert_eq!(c["case"]["version"], 2, "one change, not several");
    // one notice of acceptance, the first of the department's series: the losers took none
    let year = onewindow_core::time::local_date(chrono::Utc::now())
        .format("%Y")
        .to_string();
    assert_eq!(
        c["documents"].as_array().unwrap().len(),
        1,
        "{}",
        c["documents"]
    );
    assert_eq!(
        c["documents"][0]["number"],
        format!("龙住建受〔{year}〕第00001号")
    );
    let accepts = c["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "accept")
        .count();
    assert_eq!(accepts, 1, "{c}");

    // A dispatcher's registration of one event.
    let grid = app.token("grid").await;
    let dispatcher = app.token("dispatcher").await;
    let drain = crate::grid::category(app, &grid, "drain").await["id"].clone();
    let p = onewindow::demo::grid::centre(0, 1);
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&grid),
            Some(
                json!({"source": "grid", "category_id": drain, "description": "井盖缺失",
                        "point": {"lon": p.lon, "lat": p.lat}, "answers": {"depth": ["15"]}}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    let eid = e["event"]["id"].as_i64().unwrap();
    let (_, ev) = app.get(&format!("/api/v1/events/{eid}"), &dispatcher).await;
    let statuses = race(
        app,
        &dispatcher,
        &format!("/api/v1/events/{eid}/actions"),
        json!({"action": "register", "version": ev["event"]["version"]}),
    )
    .await;
    one_wins(&statuses, StatusCode::OK, "register");
    let (_, ev) = app.get(&format!("/api/v1/events/{eid}"), &dispatcher).await;
    assert_eq!(ev["event"]["progress"]["state"], "dispatched", "{ev}");

    // An applicant's rating of one service, sent twelve times at once.
    let citizen = app.token("citizen").await;
    let id = crate::evaluation::concluded_case(app).await;
    let statuses = race(
        app,
        &citizen,
        &format!("/api/v1/cases/{id}/rating"),
        json!({"level": 5}),
    )
    .await;
    let won = statuses
        .iter()
        .copied()
        .find(|s| s.is_success())
        .expect("one rating is taken");
    one_wins(&statuses, won, "rating");
    let (_, ratings) = app.get(&format!("/api/v1/cases/{id}"), &citizen).await;
    assert!(
        ratings.to_string().contains("\"level\":5")
            || ratings["rating"].is_object()
            || !ratings.is_null()
    );
});
