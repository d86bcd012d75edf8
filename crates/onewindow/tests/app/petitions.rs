//! Petition agency over the API and the pages, on both databases: a case taken in at 百万庄社区's
//! station with its signed authorization, worked department by department to its resolution and
//! counted in the ledgers; who may see a petitioner (the office, the station's agents, the
//! guarantor; not the administrator, the supervisor or another station) and the audit entry of
//! every view; the rota on the calendar's working days and receptions by the day's leader; the
//! demo's ledgers (the seeds' 58 of 62 and 41 of 47); bad input named with nothing written.

use crate::each_app;
use crate::pages::{page, sheet, sign_in_cookie};
use crate::support::TestApp;
use chrono::{Datelike, Duration, NaiveDate};
use onewindow_core::calendar::Calendar;
use onewindow_store::AuditFilter;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.7 signed authorization";

fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&onewindow_core::time::china())
        .date_naive()
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, path, Some(token), Some(body)).await
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::PUT, path, Some(token), Some(body)).await
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: &[u8]) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    let res = app
        .http
        .post(app.url("/api/v1/petition-authorizations"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

fn petition(auth: Option<Value>) -> Value {
    let mut p = json!({
        "ledger": "new",
        "petitioner_name": "赵守田",
        "petitioner_id_number": "11010519491231002X",
        "petitioner_phone": "13904295555",
        "petitioner_address": "百万庄社区3号楼",
        "subject": "楼顶漏水，物业推诿",
    });
    if let Some(a) = auth {
        p["authorization"] = a;
    }
    p
}

/// The number of cases the office sees.
async fn office_count(app: &TestApp, office: &str) -> usize {
    let (s, list) = app.get("/api/v1/petitions", office).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    list.as_array().unwrap().len()
}

/// The station of the demo `agent` (百万庄社区).
async fn own_station(app: &TestApp, agent: &str) -> Value {
    let (s, list) = app.get("/api/v1/petition-stations", agent).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "an agent's scope is its community: {list:?}");
    assert!(
        list[0]["station"]["name"]
            .as_str()
            .unwrap()
            .contains("百万庄社区")
    );
    list[0]["station"].clone()
}

async fn ledger_total(app: &TestApp, token: &str, query: &str) -> Value {
    let (s, l) = app
        .get(&format!("/api/v1/petition-ledgers{query}"), token)
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    l
}

fn line(l: &Value, ledger: &str) -> (i64, i64) {
    (
        l["total"][ledger]["cases"].as_i64().unwrap(),
        l["total"][ledger]["resolved"].as_i64().unwrap(),
    )
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    let (_, f) = app.get(&format!("/api/v1/petitions/{id}"), token).await;
    let mut body = body;
    body["version"] = f["petition"]["version"].clone();
    post(app, token, &format!("/api/v1/petitions/{id}/actions"), body).await
}

/// An account's id, as the district administrator reads it.
async fn user_id(app: &TestApp, username: &str) -> Value {
    let admin = app.token("admin").await;
    app.find("/api/v1/users", &admin, "username", username)
        .await["id"]
        .clone()
}

async fn department(app: &TestApp, token: &str, name: &str) -> i64 {
    app.find("/api/v1/departments", token, "name", name).await["id"]
        .as_i64()
        .unwrap()
}

each_app!(a_petition_goes_from_a_station_to_its_resolution, |app| {
    let agent = app.token("agent").await;
    let office = app.token("petition-office").await;
    let admin = app.token("admin").await;
    let station = own_station(app, &agent).await;
    let take = format!("/api/v1/petition-stations/{}/petitions", station["id"]);
    let before = office_count(app, &office).await;
    let ledger_before = ledger_total(app, &office, "").await;

    // Without the signed authorization: refused, naming it, nothing written.
    let (s, e) = post(app, &agent, &take, petition(None)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "authorization");
    assert!(e["message"].as_str().unwrap().contains("代理委托书"), "{e}");
    // An authorization never uploaded, or not a document by its content.
    let fake = json!({"sha256": "ab".repeat(32), "file_name": "委托书.pdf", "signed_on": today()});
    let (s, e) = post(app, &agent, &take, petition(Some(fake))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "authorization.sha256");
    let (s, e) = upload(app, &agent, "委托书.pdf", b"MZ\x90\0 not a pdf").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["message"].as_str().unwrap().contains("不是PDF"), "{e}");
    assert_eq!(office_count(app, &office).await, before);

    // Uploaded, then named with the day it was signed: taken in.
    let (s, f) = upload(app, &agent, "代理委托书.pdf", PDF).await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let mut signed = f.clone();
    signed["signed_on"] = json!(today() + Duration::days(1));
    let (s, e) = post(app, &agent, &take, petition(Some(signed.clone()))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "authorization.signed_on");
    signed["signed_on"] = json!(today());
    // Another station's agent may not take a case in here.
    let other = app.token("agent-002").await;
    let (s, _) = post(app, &other, &take, petition(Some(signed.clone()))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, p) = post(app, &agent, &take, petition(Some(signed))).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert!(p["number"].as_str().unwrap().starts_with("XF"));
    let id = p["id"].as_i64().unwrap();
    assert_eq!(office_count(app, &office).await, before + 1);

    // The agent runs to the housing bureau; no resolution while it has not answered, nor
    // without an outcome; the petitioner comes in person once, not twice.
    let housing = department(app, &admin, "龙港区住房和城乡建设局").await;
    let (s, e) = act(
        app,
        &agent,
        id,
        json!({"action": "errand", "department_id": housing, "task": "协调物业维修楼顶",
               "deadline": today() - Duration::days(1)}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "deadline");
    let (s, e) = act(
        app,
        &agent,
        id,
        json!({"action": "errand", "department_id": housing, "task": "协调物业维修楼顶",
               "deadline": today() + Duration::days(5)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, e) = act(
        app,
        &agent,
        id,
        json!({"action": "resolve", "outcome": "已修好"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "outcome");
    assert!(e["message"].as_str().unwrap().contains("尚有部门"), "{e}");
    let (s, _) = act(app, &agent, id, json!({"action": "visit"})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = act(app, &agent, id, json!({"action": "visit"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "action");
    let (s, e) = act(
        app,
        &agent,
        id,
        json!({"action": "outcome", "step": 0, "outcome": "住建局责成物业三日内维修"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{e}");
    let (s, e) = act(
        app,
        &agent,
        id,
        json!({"action": "resolve", "outcome": "  "}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "outcome");
    assert!(e["message"].as_str().unwrap().contains("处理结果"), "{e}");
    let (s, r) = act(
        app,
        &agent,
        id,
        json!({"action": "resolve", "outcome": "楼顶已修复，信访人认可"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["progress"]["state"], "resolved");
    let (s, r) = act(
        app,
        &agent,
        id,
        json!({"action": "feedback", "satisfaction": 5}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let (_, f) = app.get(&format!("/api/v1/petitions/{id}"), &agent).await;
    let steps: Vec<&str> = f["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["take", "errand", "visit", "outcome", "resolve", "feedback"]
    );
    assert!(f["actions"].as_array().unwrap().is_empty());

    // The ledger counts it: one more new case, one more resolved.
    let after = ledger_total(app, &office, "").await;
    let (n0, r0) = line(&ledger_before, "new");
    assert_eq!(line(&after, "new"), (n0 + 1, r0 + 1));
    assert_eq!(line(&after, "backlog"), line(&ledger_before, "backlog"));
    // The authorization as signed, for those who may see the case.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/petitions/{id}/authorization")))
        .bearer_auth(&office)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);

    // The office names a guarantor, who meets on the case; the agent may not; aid is the
    // office's, hardship aid with its amount and legal aid without one.
    let leader = app.token("leader-01").await;
    let me = json!({"id": user_id(app, "leader-01").await});
    let (s, _) = app.get(&format!("/api/v1/petitions/{id}"), &leader).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not before being named");
    let (s, g) = put(
        app,
        &agent,
        &format!("/api/v1/petitions/{id}/guarantor"),
        json!({"version": r["version"], "leader_id": me["id"]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{g}");
    let (s, g) = put(
        app,
        &office,
        &format!("/api/v1/petitions/{id}/guarantor"),
        json!({"version": r["version"], "leader_id": me["id"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    let meeting =
        json!({"held_on": today(), "attendees": "包保领导、住建局", "notes": "回访信访人"});
    let (s, _) = post(
        app,
        &agent,
        &format!("/api/v1/petitions/{id}/meetings"),
        meeting.clone(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = post(
        app,
        &leader,
        &format!("/api/v1/petitions/{id}/meetings"),
        meeting,
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    let aid = |kind: &str, amount: i64| json!({"kind": kind, "amount_fen": amount, "decided_on": today(), "outcome": "已发放"});
    let (s, e) = post(
        app,
        &office,
        &format!("/api/v1/petitions/{id}/aid"),
        aid("hardship", 0),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "amount_fen");
    let (s, e) = post(
        app,
        &office,
        &format!("/api/v1/petitions/{id}/aid"),
        aid("legal", 100),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = post(
        app,
        &agent,
        &format!("/api/v1/petitions/{id}/aid"),
        aid("hardship", 1_500_000),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = post(
        app,
        &office,
        &format!("/api/v1/petitions/{id}/aid"),
        aid("hardship", 1_500_000),
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    let (_, f) = app.get(&format!("/api/v1/petitions/{id}"), &leader).await;
    assert_eq!(f["standing"], "guarantor");
    assert_eq!(f["meetings"].as_array().unwrap().len(), 1);
    assert_eq!(f["aid"][0]["amount_fen"], 1_500_000);
    let l = ledger_total(app, &office, "").await;
    assert!(
        l["guaranteed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["petition_id"] == id && g["meetings"] == 1)
    );
    assert_eq!(
        l["aid"]["hardship_fen"].as_i64().unwrap(),
        ledger_before["aid"]["hardship_fen"].as_i64().unwrap() + 1_500_000
    );
});

each_app!(
    petitioners_are_seen_by_the_office_their_station_and_guarantor_alone,
    |app| {
        let agent = app.token("agent").await;
        let office = app.token("petition-office").await;
        let station = own_station(app, &agent).await;
        let (_, f) = upload(app, &agent, "委托书.png", b"\x89PNG\r\n\x1a\n...").await;
        let mut auth = f.clone();
        auth["signed_on"] = json!(today());
        let (s, p) = post(
            app,
            &agent,
            &format!("/api/v1/petition-stations/{}/petitions", station["id"]),
            petition(Some(auth)),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{p}");
        let id = p["id"].as_i64().unwrap();
        let path = format!("/api/v1/petitions/{id}");
        let entries = |app: &TestApp| {
            let store = app.db().store.clone();
            async move {
                store
                    .audit_entries(&AuditFilter {
                        target_type: Some("petition".into()),
                        target_id: Some(id),
                        scope: onewindow_store::ScopeFilter::all(),
                        limit: 1000,
                        ..Default::default()
                    })
                    .await
                    .unwrap()
            }
        };
        let seen_before = entries(app)
            .await
            .iter()
            .filter(|e| e.action == "petition.view")
            .count();

        // Not the administrator, the supervisor, a department, another station, or a leader who
        // does not guarantee it.
        for who in [
            "admin",
            "supervisor",
            "approver",
            "agent-002",
            "leader",
            "clerk",
            "steward",
        ] {
            let t = app.token(who).await;
            let (s, _) = app.get(&path, &t).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} saw the petitioner");
            let (s, _) = app.get(&format!("{path}/authorization"), &t).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who} saw the authorization");
        }
        // Nor can another station's agent reach the signed authorization by naming its file:
        // a file is bound to who uploaded it, and another's is as good as not there.
        let other = app.token("agent-002").await;
        let (_, stations) = app.get("/api/v1/petition-stations", &other).await;
        let other_station = stations[0]["station"].clone();
        assert_ne!(other_station["id"], station["id"]);
        let office_before = office_count(app, &office).await;
        let mut theirs = f.clone();
        theirs["signed_on"] = json!(today());
        let (s, e) = post(
            app,
            &other,
            &format!(
                "/api/v1/petition-stations/{}/petitions",
                other_station["id"]
            ),
            petition(Some(theirs)),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "authorization.sha256", "{e}");
        assert_eq!(
            office_count(app, &office).await,
            office_before,
            "nothing written"
        );
        let supervisor = app.token("supervisor").await;
        let (s, _) = app.get("/api/v1/petitions", &supervisor).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // The office and the station's agent do; each view is an audit entry naming the viewer,
        // and no entry holds the petitioner's identity.
        let (s, f) = app.get(&path, &office).await;
        assert_eq!(s, StatusCode::OK, "{f}");
        assert_eq!(f["standing"], "office");
        assert_eq!(f["petition"]["petitioner_id_number"], "11010519491231002X");
        let (s, f) = app.get(&path, &agent).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(f["standing"], "agent");
        let all = entries(app).await;
        let viewed: Vec<&str> = all
            .iter()
            .filter(|e| e.action == "petition.view")
            .map(|e| e.actor_name.as_str())
            .collect();
        assert_eq!(viewed.len(), seen_before + 2, "{viewed:?}");
        assert!(
            viewed.contains(&"petition-office") && viewed.contains(&"agent"),
            "{viewed:?}"
        );
        for e in &all {
            assert!(
                !e.summary.contains("11010519491231002X")
                    && !e.summary.contains("赵守田")
                    && !e.summary.contains("13904295555"),
                "the audit trail holds personal data: {}",
                e.summary
            );
        }
        // Lists mask the name; the ledgers name no one and are open to the supervisor.
        let (_, list) = app.get("/api/v1/petitions", &agent).await;
        let line = list
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()
            .clone();
        assert_ne!(line["petitioner"], "赵守田");
        assert!(line["petitioner"].as_str().unwrap().starts_with('赵'));
        let l = ledger_total(app, &supervisor, "").await;
        assert!(!l.to_string().contains("赵守田"));
        // The administrator sets up stations but cannot take cases in.
        let admin = app.token("admin").await;
        let (s, e) = post(
            app,
            &admin,
            "/api/v1/petition-stations",
            json!({"name": "试点站", "region_id": station["region_id"]}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{e}");
        let district = app.find("/api/v1/regions", &admin, "code", "211403").await;
        let (s, e) = post(
            app,
            &admin,
            "/api/v1/petition-stations",
            json!({"name": "区级站", "region_id": district["id"]}),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "region_id");
        let (s, _) = app.get("/api/v1/petitions", &admin).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
);

each_app!(the_demo_ledgers_hold_the_seeds_figures, |app| {
    let office = app.token("petition-office").await;
    let supervisor = app.token("supervisor").await;
    // The demo's history: the ten months to the end of last month.
    let t = today();
    let anchor = NaiveDate::from_ymd_opt(t.year(), t.month(), 1)
        .unwrap()
        .pred_opt()
        .unwrap();
    let from = anchor - Duration::days(299);
    let l = ledger_total(app, &supervisor, &format!("?from={from}&to={anchor}")).await;
    assert_eq!(line(&l, "backlog"), (62, 58), "{}", l["total"]);
    assert_eq!(line(&l, "new"), (47, 41), "{}", l["total"]);
    assert_eq!(l["total"]["backlog_rate"], 93.55);
    assert_eq!(l["total"]["new_rate"], 87.23);
    assert_eq!(l["rows"].as_array().unwrap().len(), 6, "the six streets");
    let sum: i64 = l["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["backlog"]["cases"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 62);
    assert_eq!(l["guaranteed"].as_array().unwrap().len(), 15);
    assert_eq!(l["aid"]["hardship_cases"], 37);
    assert!(
        l["aid"]["hardship_fen"].as_i64().unwrap() > 100_000_000,
        "100多万元"
    );
    let (_, stations) = app.get("/api/v1/petition-stations", &office).await;
    let stations = stations.as_array().unwrap();
    assert_eq!(stations.len(), 79);
    let agents: usize = stations
        .iter()
        .map(|s| s["station"]["agents"].as_array().unwrap().len())
        .sum();
    assert_eq!(agents, 91);
    // A street's ledger rolls its communities up; its total is its row in the district's.
    let street = &l["rows"][1];
    let s = ledger_total(
        app,
        &office,
        &format!("?region_id={}&from={from}&to={anchor}", street["region_id"]),
    )
    .await;
    assert_eq!(s["total"]["backlog"], street["backlog"]);
    assert_eq!(s["total"]["new"], street["new"]);
    // The monthly report: the month, and the year to its end.
    let (st, m) = app
        .get(
            &format!(
                "/api/v1/petition-ledgers/monthly?month={}",
                anchor.format("%Y-%m")
            ),
            &supervisor,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{m}");
    assert_eq!(m["year_ledgers"]["to"], anchor.to_string());
    // The workbook holds the ledger and the guaranteed cases.
    let cookie = sign_in_cookie(app, "supervisor").await;
    let res = app
        .http
        .get(app.url(&format!("/petitions/ledgers.xlsx?from={from}&to={anchor}")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let rows = sheet(res).await;
    assert_eq!(rows[0][0], "区域");
    let total = rows.last().unwrap();
    assert_eq!(
        (
            total[0].as_str(),
            total[1].as_str(),
            total[2].as_str(),
            total[3].as_str()
        ),
        ("合计", "62", "58", "93.55%")
    );
    assert_eq!(
        (total[4].as_str(), total[5].as_str(), total[6].as_str()),
        ("47", "41", "87.23%")
    );
    let (s, html) = page(
        app,
        &format!("/petitions/report?month={}", anchor.format("%Y-%m")),
        &cookie,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"pet-report\""), "{html}");
    assert!(html.contains("93.55%") || html.contains(&format!("{}", anchor.format("%Y-%m"))));
    // Bad input names its field.
    let (s, e) = app
        .get(
            &format!("/api/v1/petition-ledgers?from={anchor}&to={from}"),
            &office,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "to");
    let (s, e) = app
        .get("/api/v1/petition-ledgers/monthly?month=2026-13", &office)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "month");
});

each_app!(
    the_rota_keeps_to_working_days_and_receptions_to_the_days_leader,
    |app| {
        let office = app.token("petition-office").await;
        let leader = app.token("leader").await;
        let agent = app.token("agent").await;
        let me = json!({"id": user_id(app, "leader").await});
        let cal = Calendar::builtin();
        // National Day is no working day: refused, naming the day; the agent may not set the rota.
        let national_day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
        let body = json!({"days": [{"day": national_day, "leader_id": me["id"]}]});
        let (s, _) = put(app, &agent, "/api/v1/petition-rota", body.clone()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = put(app, &office, "/api/v1/petition-rota", body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "days[0].day");
        assert!(e["message"].as_str().unwrap().contains("不是工作日"), "{e}");
        // A make-up Saturday (调休上班) is one.
        let makeup = (0..366)
            .map(|i| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + Duration::days(i))
            .find(|d| d.weekday() == chrono::Weekday::Sat && cal.is_workday(*d).unwrap())
            .expect("2026 has a make-up Saturday");
        let (s, e) = put(
            app,
            &office,
            "/api/v1/petition-rota",
            json!({"days": [{"day": makeup, "leader_id": me["id"]}]}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        // In turn over September and October 2026: one leader for each working day.
        let (from, to) = (
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 31).unwrap(),
        );
        let mut leaders = Vec::new();
        for u in ["leader", "leader-01", "leader-02"] {
            leaders.push(user_id(app, u).await);
        }
        let (s, n) = post(
            app,
            &office,
            "/api/v1/petition-rota/in-turn",
            json!({"leaders": leaders, "from": from, "to": to}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{n}");
        let working = cal.workdays_between(from - Duration::days(1), to).unwrap();
        assert_eq!(n["days"].as_i64().unwrap(), working);
        let (_, r) = app
            .get(
                &format!("/api/v1/petition-rota?from={from}&to={to}"),
                &agent,
            )
            .await;
        let r = r.as_array().unwrap();
        assert_eq!(r.len() as i64, working);
        assert!(r.iter().all(|d| {
            cal.is_workday(d["day"].as_str().unwrap().parse().unwrap())
                .unwrap()
        }));
        assert_eq!(r[0]["leader_id"], leaders[0]);
        assert_eq!(r[3]["leader_id"], leaders[0]);
        assert_eq!(r[1]["leader_name"], "王宏伟（区委书记）");

        // The day's leader records a reception tied to a case; another leader may not for that day.
        let day = r[0]["day"].as_str().unwrap().to_string();
        let reception = |leader_id: &Value| json!({"day": day, "leader_id": leader_id, "visitor": "王大爷", "matter": "宅基地确权"});
        let other = app.token("leader-01").await;
        let (s, e) = post(
            app,
            &other,
            "/api/v1/petition-receptions",
            reception(&leaders[1]),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "leader_id");
        let (s, _) = post(
            app,
            &other,
            "/api/v1/petition-receptions",
            reception(&leaders[0]),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "not for someone else");
        let (_, cases) = app.get("/api/v1/petitions?ledger=backlog", &office).await;
        let case_id = cases[0]["id"].clone();
        let mut body = reception(&leaders[0]);
        body["petition_id"] = case_id.clone();
        let (s, e) = post(app, &leader, "/api/v1/petition-receptions", body).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (s, list) = app
            .get(
                &format!("/api/v1/petition-receptions?from={day}&to={day}"),
                &leader,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["petition_number"], cases[0]["number"]);
        let (s, _) = app
            .get(
                &format!("/api/v1/petition-receptions?from={day}&to={day}"),
                &agent,
            )
            .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "visitors are named: not for the stations"
        );
        // A reception in the future is refused.
        let mut future = reception(&leaders[0]);
        future["day"] = json!(today() + Duration::days(3));
        let (s, e) = post(app, &office, "/api/v1/petition-receptions", future).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["field"], "day");
    }
);

each_app!(
    the_station_desk_takes_a_case_in_with_its_authorization,
    |app| {
        let cookie = sign_in_cookie(app, "agent").await;
        let (s, html) = page(app, "/petitions", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("百万庄社区信访网投工作代理工作站"), "{html}");
        let station = crate::pages::csrf_in(&html);
        let id = html
            .split("/petitions/stations/")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap()
            .to_string();
        let form = |with_file: bool| {
            let mut f = reqwest::multipart::Form::new()
                .percent_encode_noop()
                .text("_csrf", station.clone())
                .text("ledger", "new")
                .text("petitioner_name", "钱有福")
                .text("petitioner_id_number", "11010519491231002X")
                .text("petitioner_phone", "13904296666")
                .text("subject", "小区路灯不亮")
                .text("signed_on", today().to_string());
            if with_file {
                f = f.part(
                    "authorization",
                    reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("代理委托书.pdf"),
                );
            }
            f
        };
        let post = |f: reqwest::multipart::Form| {
            app.http
                .post(app.url(&format!("/petitions/stations/{id}/take")))
                .header("cookie", &cookie)
                .header("origin", app.base.clone())
                .multipart(f)
                .send()
        };
        let res = post(form(false)).await.unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("代理委托书"));
        let res = post(form(true)).await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let to = res.headers()["location"].to_str().unwrap().to_string();
        assert!(to.starts_with("/petitions/cases/"), "{to}");
        let (s, html) = page(app, &to, &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("钱有福") && html.contains("id=\"act-errand\""),
            "{html}"
        );
        // The supervisor reads the ledgers, not the case.
        let sup = sign_in_cookie(app, "supervisor").await;
        let (s, _) = page(app, &to, &sup).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, html) = page(app, "/petitions/ledgers", &sup).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"pet-ledger\"") && !html.contains("钱有福"));
        for p in [
            "/petitions/stations",
            "/petitions/rota",
            "/petitions/report",
        ] {
            let (s, _) = page(app, p, &sup).await;
            assert_eq!(s, StatusCode::OK, "{p}");
        }
    }
);
