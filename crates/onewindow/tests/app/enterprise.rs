//! Enterprise service over the API and the pages, on both databases: a visit with two problems,
//! one solved by its department and confirmed by the enterprise, the other escalated to the city;
//! who may take each step; bad input named with nothing written; consultations, projects with
//! their team, handovers and cases (the green channel first in the workbench), policies pushed
//! by audience, and the monthly figures with their workbook and printed report.

use crate::each_app;
use crate::pages::{page, post_form, sheet, sign_in_cookie};
use crate::support::TestApp;
use onewindow_core::validate::uscc;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, path, Some(token), Some(body)).await
}

async fn act(app: &TestApp, token: &str, item: &Value, body: Value) -> (StatusCode, Value) {
    let mut body = body;
    body["version"] = item["version"].clone();
    post(
        app,
        token,
        &format!("/api/v1/work-items/{}/actions", item["id"]),
        body,
    )
    .await
}

async fn item(app: &TestApp, token: &str, id: &Value) -> Value {
    let (s, v) = app.get(&format!("/api/v1/work-items/{id}"), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

/// The month's total figures (the city's), as the steward of the city reads them.
async fn totals(app: &TestApp, token: &str) -> Value {
    let (s, f) = app.get("/api/v1/enterprise-figures", token).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    f["total"]["month"].clone()
}

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or_else(|| panic!("{k} in {v}"))
}

async fn department(app: &TestApp, token: &str, name: &str) -> i64 {
    app.find("/api/v1/departments", token, "name", name).await["id"]
        .as_i64()
        .unwrap()
}

each_app!(a_visit_hears_two_problems_one_solved_one_escalated, |app| {
    let steward = app.token("steward").await;
    let city = app.token("steward-city").await;
    let firm = app.token("enterprise").await;
    let approver = app.token("approver").await;
    let ecology = app.token("approver-sthj").await;
    let admin = app.token("admin").await;
    let housing = department(app, &admin, "龙港区住房和城乡建设局").await;
    let market = department(app, &admin, "龙港区市场监督管理局").await;
    let before = totals(app, &city).await;

    // The demo enterprise account's enterprise.
    let (_, found) = app.get("/api/v1/enterprises?q=中石化", &steward).await;
    let e = found[0].clone();
    assert_eq!(e["name"], "中石化洛阳石油分公司");

    // A visit planned for yesterday is refused; today's is planned.
    let today = chrono::Utc::now()
        .with_timezone(&onewindow_core::time::china())
        .date_naive();
    let (s, v) = post(
        app,
        &steward,
        "/api/v1/visits",
        json!({"enterprise_ids": [e["id"]], "planned_on": (today - chrono::Duration::days(1)).to_string()}),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("planned_on")),
        "{v}"
    );
    let (s, planned) = post(
        app,
        &steward,
        "/api/v1/visits",
        json!({"enterprise_ids": [e["id"]], "planned_on": today.to_string()}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{planned}");
    let visit = planned[0].clone();

    // A report with a nameless second problem: refused, nothing written.
    let report = |second: &str| {
        json!({"version": visit["version"], "attendees": "张娜、张喜锋", "notes": "了解加油站改造进度",
           "items": [
               {"kind": "problem", "title": "加油站改造施工许可办理慢"},
               {"kind": "problem", "title": second, "detail": "需市级审批"}]})
    };
    let path = format!("/api/v1/visits/{}/report", visit["id"]);
    let (s, v) = post(app, &steward, &path, report(" ")).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("items[1].title")),
        "{v}"
    );
    let (_, mine) = app.get("/api/v1/work-items", &firm).await;
    let had = mine.as_array().unwrap().len();
    let (s, done) = post(app, &steward, &path, report("成品油零售经营许可证变更")).await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert!(done["visit"]["done_at"].is_string());
    let items = done["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let (_, mine) = app.get("/api/v1/work-items", &firm).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), had + 2, "the enterprise sees its items");
    assert!(mine.iter().all(|i| i["enterprise_id"] == e["id"]));
    let (a, b) = (items[1].clone(), items[0].clone());
    assert_eq!(a["title"], "加油站改造施工许可办理慢");

    // Item a: assigned without a department is refused; then to 住建 by a deadline.
    let deadline = (today + chrono::Duration::days(5)).to_string();
    let (s, v) = act(
        app,
        &steward,
        &a,
        json!({"action": "assign", "deadline": deadline}),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_id"))
    );
    let (s, a1) = act(
        app,
        &steward,
        &a,
        json!({"action": "assign", "department_id": housing, "deadline": deadline}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{a1}");
    // Another department neither sees nor answers it; the enterprise cannot answer for it.
    assert_eq!(
        app.get(&format!("/api/v1/work-items/{}", a["id"]), &ecology)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let answer = json!({"action": "answer", "resolution": "已开通绿色通道，三个工作日内办结"});
    assert_eq!(
        act(app, &ecology, &a1, answer.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    // The department's page shows the item and its answer form, not the enterprise's file.
    let cookie = sign_in_cookie(app, "approver").await;
    let (s, html) = page(app, &format!("/enterprise/items/{}", a["id"]), &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("中石化洛阳石油分公司") && html.contains("id=\"act-answer\""));
    assert!(
        !html.contains("href=\"/enterprise/firms/"),
        "no link to a file it may not read"
    );
    let (s, a2) = act(app, &approver, &a1, answer).await;
    assert_eq!(s, StatusCode::OK, "{a2}");
    // Closing without the enterprise: the steward cannot confirm for it.
    let confirm = json!({"action": "confirm", "satisfied": true, "satisfaction": 5});
    let (s, v) = act(app, &steward, &a2, confirm.clone()).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action")),
        "{v}"
    );
    assert!(v["message"].as_str().unwrap().contains("企业"), "{v}");
    let view = item(app, &firm, &a["id"]).await;
    assert_eq!(view["actions"], json!(["confirm"]));
    let (s, v) = act(
        app,
        &firm,
        &a2,
        json!({"action": "confirm", "satisfied": false}),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("note"))
    );
    let (s, a3) = act(app, &firm, &a2, confirm).await;
    assert_eq!(s, StatusCode::OK, "{a3}");
    assert_eq!(
        (
            a3["progress"]["state"].as_str(),
            a3["progress"]["satisfaction"].as_i64()
        ),
        (Some("closed"), Some(5))
    );

    // Item b: consulted on, escalated; the district can no longer assign it, the city does.
    let (s, v) = post(
        app,
        &steward,
        "/api/v1/consultations",
        json!({"form": "joint", "title": "许可证变更会商", "held_on": today.to_string(),
               "attendees": "商务局、市场监管局", "department_ids": [housing],
               "decisions": "提请市级办理", "item_ids": [b["id"]]}),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_ids")),
        "{v}"
    );
    let (s, meeting) = post(
        app,
        &steward,
        "/api/v1/consultations",
        json!({"form": "joint", "title": "许可证变更会商", "held_on": today.to_string(),
               "attendees": "商务局、市场监管局", "department_ids": [housing, market],
               "decisions": "提请市级办理",
               "follow_ups": [{"task": "整理变更材料", "department_id": housing, "due": deadline}],
               "item_ids": [b["id"]]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{meeting}");
    let b1 = item(app, &steward, &b["id"]).await;
    assert_eq!(
        b1["item"]["progress"]["consultations"],
        json!([meeting["id"]])
    );
    assert_eq!(
        b1["log"].as_array().unwrap().last().unwrap()["action"],
        "consult"
    );
    // The department that owes the follow-up reports it done.
    let (s, m2) = post(
        app,
        &approver,
        &format!("/api/v1/consultations/{}/follow-ups/0/done", meeting["id"]),
        json!({"version": meeting["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{m2}");
    assert!(m2["follow_ups"][0]["done_on"].is_string());

    let (s, b2) = act(
        app,
        &steward,
        &b1["item"],
        json!({"action": "escalate", "reason": "涉及市级审批权限"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b2}");
    assert_eq!(b2["progress"]["level"], "city");
    let assign = json!({"action": "assign", "department_id": housing, "deadline": deadline});
    let (s, v) = act(app, &steward, &b2, assign.clone()).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("action")),
        "{v}"
    );
    let (s, b3) = act(app, &city, &b2, assign).await;
    assert_eq!(s, StatusCode::OK, "{b3}");
    let (s, b4) = act(
        app,
        &approver,
        &b3,
        json!({"action": "answer", "resolution": "市商务局已受理变更"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b4}");
    let (s, b5) = act(
        app,
        &firm,
        &b4,
        json!({"action": "confirm", "satisfied": true, "satisfaction": 4}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b5}");

    // The month's figures show both, one escalated, and the visit.
    let after = totals(app, &city).await;
    for (k, d) in [
        ("visits_done", 1),
        ("clues", 2),
        ("solved", 2),
        ("escalated", 1),
        ("open", 0),
    ] {
        assert_eq!(n(&after, k) - n(&before, k), d, "{k}: {before} → {after}");
    }
    // The district steward's figures are the district's only; a department has none.
    let (s, f) = app.get("/api/v1/enterprise-figures", &steward).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(f["rows"].as_array().unwrap().len(), 1, "{f}");
    assert_eq!(
        app.get("/api/v1/enterprise-figures", &approver).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, v) = app
        .get("/api/v1/enterprise-figures?month=2026-13", &steward)
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("month")),
        "{v}"
    );

    // Every step is in the trail.
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=work_item&target_id={}", b["id"]),
            &admin,
        )
        .await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "work_item.record",
        "work_item.consult",
        "work_item.escalate",
        "work_item.assign",
        "work_item.answer",
        "work_item.confirm",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
});

each_app!(enterprises_projects_cases_and_policies, |app| {
    let steward = app.token("steward").await;
    let approver = app.token("approver").await;
    let clerk = app.token("clerk").await;
    let firm = app.token("enterprise").await;
    let admin = app.token("admin").await;
    let (_, regions) = app.get("/api/v1/regions", &admin).await;
    let street = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "龙湾街道")
        .unwrap()["id"]
        .clone();
    let code = uscc::build('9', '1', "211403", "MA0099AA").unwrap();
    let new = |code: &str| {
        json!({"name": "葫芦岛<b>试验</b>科技有限公司", "uscc": code, "industry": "c", "size": "small",
               "region_id": street, "contact_name": "王经理", "contact_phone": "13904291111"})
    };
    let mut bad = code.clone();
    bad.replace_range(17..18, if code.ends_with('0') { "1" } else { "0" });
    let (s, v) = post(app, &steward, "/api/v1/enterprises", new(&bad)).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("uscc")),
        "{v}"
    );
    assert_eq!(
        post(app, &approver, "/api/v1/enterprises", new(&code))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, e) = post(app, &steward, "/api/v1/enterprises", new(&code)).await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
    assert_eq!(e["industry"], "C");
    let (s, v) = post(app, &steward, "/api/v1/enterprises", new(&code)).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::CONFLICT, Some("uscc")),
        "{v}"
    );
    // Registered after the demo's policy for small manufacturers: pushed to it at once.
    let (_, file) = app
        .get(&format!("/api/v1/enterprises/{}", e["id"]), &steward)
        .await;
    assert!(
        file["policies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["title"] == "制造业中小企业技术改造补助"),
        "{file}"
    );

    // A key project: milestones in order, its four named.
    let steward_id = app.get("/api/v1/me", &steward).await.1["user"]["id"].clone();
    let leader_id = app
        .find("/api/v1/users", &admin, "username", "leader")
        .await["id"]
        .clone();
    let city_token = app.token("steward-city").await;
    let city_id = app.get("/api/v1/me", &city_token).await.1["user"]["id"].clone();
    let dept = department(app, &admin, "龙港区发展和改革局").await;
    let project = |milestones: Value, team: Value| {
        json!({"project": {"enterprise_id": e["id"], "name": "年产2万吨新材料项目", "amount_fen": 300_000_000_000_i64,
                "stage": "signed", "key_project": true, "green_channel": true, "milestones": milestones},
               "team": team})
    };
    let team = json!({"steward_id": steward_id, "leader_id": leader_id, "department_id": dept, "members": [steward_id]});
    let ms = json!([{"name": "签约", "planned": "2026-03-01", "actual": "2026-03-01"},
                    {"name": "开工", "planned": "2026-02-01"}]);
    let (s, v) = post(app, &steward, "/api/v1/projects", project(ms, team.clone())).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("milestones[1].planned")
        ),
        "{v}"
    );
    let ms = json!([{"name": "签约", "planned": "2026-03-01", "actual": "2026-03-01"},
                    {"name": "开工", "planned": "2026-06-01"}]);
    let (s, v) = post(
        app,
        &steward,
        "/api/v1/projects",
        project(ms.clone(), json!({})),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("team.steward_id")),
        "{v}"
    );
    let (s, p) = post(app, &steward, "/api/v1/projects", project(ms, team.clone())).await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    // Handed over to the city's steward; a stale version is refused.
    let mut next = team.clone();
    next["steward_id"] = city_id.clone();
    let path = format!("/api/v1/projects/{}/team", p["id"]);
    let (s, p2) = app
        .call(
            Method::PUT,
            &path,
            Some(&steward),
            Some(json!({"version": p["version"], "team": next})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{p2}");
    let (s, _) = app
        .call(
            Method::PUT,
            &path,
            Some(&steward),
            Some(json!({"version": p["version"], "team": team})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (_, pf) = app
        .get(&format!("/api/v1/projects/{}", p["id"]), &steward)
        .await;
    assert_eq!(pf["handovers"].as_array().unwrap().len(), 1);
    assert_eq!(pf["steward_name"], "高首席（市营商局）");

    // Of two applications waiting, the older goes under the green-channel project: it comes
    // first in the clerk's intake.
    let code = crate::cases::matter_code(app, "建筑工程施工许可证核发").await;
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let (s, created) = post(
            app,
            &firm,
            "/api/v1/cases",
            crate::cases::company_application(&code, "online"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        numbers.push((
            created["case_ids"][0].clone(),
            created["numbers"][0].clone(),
        ));
    }
    let (_, wb) = app.get("/api/v1/workbench", &clerk).await;
    assert_eq!(wb["intake"][0]["id"], numbers[1].0, "newest first");
    let last = json!({"id": numbers[0].0, "number": numbers[0].1});
    let link = |number: &Value| json!({"case": number});
    let cpath = format!("/api/v1/projects/{}/cases", p["id"]);
    let (s, v) = post(app, &steward, &cpath, link(&json!("NOPE-1"))).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("case"))
    );
    let (s, linked) = post(app, &steward, &cpath, link(&last["number"])).await;
    assert_eq!(s, StatusCode::OK, "{linked}");
    assert_eq!(linked["cases"][0]["number"], last["number"]);
    assert!(linked["cases"][0]["light"].is_string() || linked["cases"][0]["light"].is_null());
    let (s, v) = post(app, &steward, &cpath, link(&last["number"])).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("case"))
    );
    let (_, wb) = app.get("/api/v1/workbench", &clerk).await;
    let intake = wb["intake"].as_array().unwrap();
    assert_eq!(intake[0]["id"], last["id"], "the green channel goes first");
    assert_eq!(intake[0]["green_channel"], true);
    assert_eq!(intake[0]["project"], "年产2万吨新材料项目");

    // A policy for medium and small manufacturers reaches exactly those.
    let (s, v) = post(
        app,
        &steward,
        "/api/v1/policies",
        json!({"title": "新材料奖励", "body": "按投资额奖励", "department_id": dept,
               "audience": {"industries": ["Z"]}}),
    )
    .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("audience.industries[0]")
        ),
        "{v}"
    );
    let (_, all) = app.get("/api/v1/enterprises", &steward).await;
    let expected = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["industry"] == "C" && (f["size"] == "medium" || f["size"] == "small"))
        .count() as i64;
    let (s, pol) = post(
        app,
        &steward,
        "/api/v1/policies",
        json!({"title": "新材料奖励", "body": "按投资额奖励", "department_id": dept,
               "audience": {"industries": ["C"], "sizes": ["medium", "small"]}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{pol}");
    assert_eq!(pol["pushed"].as_i64(), Some(expected));
    // The demo enterprise (trade) did not get it; it reads its own.
    let (_, mine) = app.get("/api/v1/my/policies", &firm).await;
    let mine = mine.as_array().unwrap();
    assert!(mine.iter().all(|p| p["title"] != "新材料奖励"));
    let own = mine[0]["policy_id"].clone();
    assert_eq!(
        app.get(&format!("/api/v1/my/policies/{}", pol["id"]), &firm)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/api/v1/my/policies/{own}"), &firm)
            .await
            .0,
        StatusCode::OK
    );
    assert!(app.get("/api/v1/my/policies", &firm).await.1[0]["read_at"].is_string());
    assert_eq!(
        app.get("/api/v1/my/policies", &steward).await.0,
        StatusCode::FORBIDDEN
    );
    // Another enterprise's file is not the enterprise's to read.
    assert_eq!(
        app.get(&format!("/api/v1/enterprises/{}", e["id"]), &firm)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
});

each_app!(
    the_enterprise_pages_work_for_steward_and_enterprise,
    |app| {
        let steward = sign_in_cookie(app, "steward").await;
        let firm = sign_in_cookie(app, "enterprise").await;
        let (s, desk) = page(app, "/enterprise", &steward).await;
        assert_eq!(s, StatusCode::OK);
        assert!(desk.contains("id=\"ent-items\"") && desk.contains("id=\"plan-form\""));
        // Register an enterprise with markup in its name: shown escaped.
        let code = uscc::build('9', '1', "211403", "MA0099BB").unwrap();
        let (_, regions) = page(app, "/enterprise/firms", &steward).await;
        let region = regions
            .split("name=\"region_id\"><option value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (s, to) = post_form(
            app,
            &steward,
            "/enterprise/firms",
            "/enterprise/firms",
            &[
                ("name", "<script>x</script>测试企业"),
                ("uscc", &code),
                ("industry", "C"),
                ("size", "small"),
                ("region_id", &region),
                ("contact_name", "李经理"),
                ("contact_phone", "13904292222"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let firm_path = to.split('?').next().unwrap().to_string();
        let (_, html) = page(app, &firm_path, &steward).await;
        assert!(
            html.contains("&lt;script&gt;x&lt;/script&gt;测试企业") && !html.contains("<script>x")
        );
        // Plan a visit there and report it with a problem and a photo.
        let id = firm_path.rsplit('/').next().unwrap().to_string();
        let today = chrono::Utc::now()
            .with_timezone(&onewindow_core::time::china())
            .date_naive()
            .to_string();
        let (s, to) = post_form(
            app,
            &steward,
            &firm_path,
            "/enterprise/visits",
            &[("enterprise_id", &id), ("planned_on", &today)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let visit_path = to.split('?').next().unwrap().to_string();
        let (_, html) = page(app, &visit_path, &steward).await;
        let csrf = crate::pages::csrf_in(&html);
        let version = html
            .split("name=\"version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let form = reqwest::multipart::Form::new()
            .text("_csrf", csrf)
            .text("version", version)
            .text("attendees", "李经理、张喜锋")
            .text("notes", "企业反映融资难")
            .text("item0_kind", "need")
            .text("item0_title", "申请<i>贷款</i>贴息")
            .text("item1_kind", "problem")
            .text("item1_title", "")
            .part(
                "file",
                reqwest::multipart::Part::bytes(crate::grid::png()).file_name("现场.png"),
            );
        let res = app
            .http
            .post(app.url(&visit_path))
            .header("cookie", &steward)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let (_, html) = page(app, &visit_path, &steward).await;
        assert!(
            html.contains("申请&lt;i&gt;贷款&lt;/i&gt;贴息"),
            "the item heard, escaped"
        );
        let photo = html
            .split("<img src=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let res = app
            .http
            .get(app.url(&photo))
            .header("cookie", &steward)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().to_vec(), crate::grid::png());
        let item_path = html
            .split("href=\"/enterprise/items/")
            .nth(1)
            .map(|r| format!("/enterprise/items/{}", r.split('"').next().unwrap()))
            .unwrap();
        let (s, html) = page(app, &item_path, &steward).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"act-assign\"")
                && html.contains("id=\"act-escalate\"")
                && !html.contains("id=\"act-confirm\"")
        );
        // A bad assignment names its field on the page, in Chinese.
        let (s, body) = post_form(
            app,
            &steward,
            &item_path,
            &item_path,
            &[("action", "assign"), ("version", "1"), ("deadline", &today)],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("责任部门"), "{body}");
        // The other pages.
        for path in [
            "/enterprise/firms",
            "/enterprise/consultations",
            "/enterprise/policies",
            "/enterprise/figures",
            "/enterprise/figures/report",
        ] {
            let (s, html) = page(app, path, &steward).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            assert!(html.contains("<h1>"), "{path}");
        }
        let (_, html) = page(app, "/enterprise/figures", &steward).await;
        assert!(html.contains("id=\"ent-figures\"") && html.contains("龙港区"));
        let res = app
            .http
            .get(app.url("/enterprise/figures.xlsx"))
            .header("cookie", &steward)
            .send()
            .await
            .unwrap();
        let rows = sheet(res).await;
        assert_eq!(rows[0][0], "地区");
        assert!(rows.iter().any(|r| r[0] == "龙港区"), "{rows:?}");
        assert!(rows.last().unwrap()[0].ends_with("合计"));
        // The enterprise's own desk: its items and policies, no register.
        let (s, html) = page(app, "/enterprise", &firm).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"my-items\"")
                && html.contains("id=\"my-policies\"")
                && !html.contains("plan-form")
        );
        assert_eq!(
            page(app, "/enterprise/figures", &firm).await.0,
            StatusCode::FORBIDDEN
        );
        // A department's approver sees the desk with its items but cannot plan visits.
        let approver = sign_in_cookie(app, "approver").await;
        let (s, html) = page(app, "/enterprise", &approver).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("plan-form"));
    }
);
