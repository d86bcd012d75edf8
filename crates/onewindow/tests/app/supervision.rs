//! Electronic supervision over the API, on both databases: lights by slice, the bell on a case
//! and on a step with its answers, every refusal (unknown slices, closed cases, out of scope,
//! wrong answerer, stale versions), and the warning job acting once.

use crate::cases::{act, company_application, matter_code};
use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A case of 建筑工程施工许可证核发 taken in at the comprehensive window and accepted: under
/// review, its first step active in the approver's department (住建局).
pub(crate) async fn reviewing_case(app: &TestApp) -> (i64, Value) {
    let clerk = app.token("clerk").await;
    let id = window_case(app, &clerk).await;
    let (s, v) = act(app, &clerk, id, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    (id, v)
}

/// A company's application for 建筑工程施工许可证核发, taken in at the window, not yet accepted.
pub(crate) async fn window_case(app: &TestApp, clerk: &str) -> i64 {
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(clerk),
            Some(crate::cases::at_window(app, company_application(&code, "window")).await),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    created["case_ids"][0].as_i64().unwrap()
}

fn field(v: &Value) -> &str {
    v["field"].as_str().unwrap_or("")
}

each_app!(
    lights_are_counted_for_any_slice_and_bad_slices_named,
    |app| {
        let supervisor = app.token("supervisor").await;
        let clerk = app.token("clerk").await;
        let (id, v) = reviewing_case(app).await;
        assert_eq!(
            v["case"]["clerk_id"],
            app.find(
                "/api/v1/users",
                &app.token("admin").await,
                "username",
                "clerk"
            )
            .await["id"]
        );
        let (s, l) = app
            .get("/api/v1/supervision/lights?light=green", &supervisor)
            .await;
        assert_eq!(s, StatusCode::OK, "{l}");
        let c = &l["counts"];
        assert_eq!(
            c["running"].as_i64().unwrap(),
            c["green"].as_i64().unwrap()
                + c["yellow"].as_i64().unwrap()
                + c["red"].as_i64().unwrap(),
            "{c}"
        );
        assert!(c["running"].as_i64().unwrap() >= 1);
        let listed: Vec<i64> = l["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect();
        let light = v["clock"]["light"].as_str().unwrap();
        if light == "green" {
            assert!(listed.contains(&id), "{listed:?}");
        }
        // By the clerk who accepted it: the new case is counted there.
        let clerk_id = v["case"]["clerk_id"].as_i64().unwrap();
        let (_, by_clerk) = app
            .get(
                &format!(
                    "/api/v1/supervision/lights?clerk_id={clerk_id}&channel=window&region=211403"
                ),
                &supervisor,
            )
            .await;
        assert!(
            by_clerk["counts"]["running"].as_i64().unwrap() >= 1,
            "{by_clerk}"
        );
        let (_, online) = app
            .get(
                &format!("/api/v1/supervision/lights?clerk_id={clerk_id}&channel=online"),
                &supervisor,
            )
            .await;
        assert_eq!(online["counts"]["running"], 0, "{online}");

        // Unknown slices and lights name themselves, in the reader's language.
        for (q, f) in [
            ("department_id=999999", "department_id"),
            ("window_id=999999", "window_id"),
            ("clerk_id=999999", "clerk_id"),
            ("matter=NOSUCHMATTER", "matter"),
            ("channel=pigeon", "channel"),
            ("light=purple", "light"),
            ("region=999999", "region"),
        ] {
            let (s, e) = app
                .get(&format!("/api/v1/supervision/lights?{q}"), &supervisor)
                .await;
            assert_eq!((s, field(&e)), (StatusCode::BAD_REQUEST, f), "{q}: {e}");
        }
        let (s, e) = app
            .call_with(
                Method::GET,
                "/api/v1/supervision/lights?colour=red",
                Some(&supervisor),
                None,
                en(),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(e["message"].as_str().unwrap().contains("colour"), "{e}");
        // Clerks do not supervise.
        assert_eq!(
            app.get("/api/v1/supervision/lights", &clerk).await.0,
            StatusCode::FORBIDDEN
        );
    }
);

each_app!(urges_reach_the_holder_and_are_answered_once, |app| {
    let admin = app.token("admin").await;
    let supervisor = app.token("supervisor").await;
    let approver = app.token("approver").await;
    let clerk = app.token("clerk").await;
    let (id, v) = reviewing_case(app).await;
    let step = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "active")
        .unwrap()
        .clone();
    let step_id = step["id"].as_i64().unwrap();
    let dept = step["department_id"].as_i64().unwrap();

    // The whole case: nobody has claimed the active step, so its department answers.
    let (s, u) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&supervisor),
            Some(json!({"message": "请加快审查，今日反馈"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["level"], "reminder");
    assert_eq!(u["department_id"], dept);
    assert_eq!(u["target_user_id"], Value::Null);
    assert!(u["respond_by"].is_string(), "{u}");
    let urge_id = u["id"].as_i64().unwrap();
    let (_, mine) = app.get("/api/v1/urges/mine", &approver).await;
    assert!(
        mine.as_array().unwrap().iter().any(|x| x["id"] == urge_id),
        "{mine}"
    );
    let (_, theirs) = app.get("/api/v1/urges/mine", &clerk).await;
    assert!(
        !theirs
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == urge_id),
        "the comprehensive window does not answer for the department"
    );

    // Once the approver claims the step, a bell on the step names them.
    let (s, _) = act(
        app,
        &approver,
        id,
        json!({"action": "claim", "step_id": step_id}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, su) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&supervisor),
            Some(json!({"message": "环节已超时", "step_id": step_id, "level": "yellow_card"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{su}");
    assert_eq!(su["step_id"], step_id);
    assert_eq!(su["level"], "yellow_card");
    let approver_id = app
        .find("/api/v1/users", &admin, "username", "approver")
        .await["id"]
        .clone();
    assert_eq!(su["target_user_id"], approver_id);
    let (s, red) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&supervisor),
            Some(json!({"message": "严重超时", "level": "red_card"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{red}");
    assert!(
        red["rectification"].as_str().unwrap().contains("整改通知"),
        "{red}"
    );

    // Bad bells: each refusal names its field; nothing is written.
    let before = app
        .get(&format!("/api/v1/cases/{id}/urges"), &supervisor)
        .await
        .1;
    for (body, status, f) in [
        (
            json!({"message": "  "}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "message",
        ),
        (
            json!({"message": "x", "level": "purple"}),
            StatusCode::BAD_REQUEST,
            "level",
        ),
        (
            json!({"message": "x", "step_id": 999999}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "step_id",
        ),
        (
            json!({"message": "x", "colour": "red"}),
            StatusCode::BAD_REQUEST,
            "",
        ),
    ] {
        let (s, e) = app
            .call(
                Method::POST,
                &format!("/api/v1/cases/{id}/urges"),
                Some(&supervisor),
                Some(body.clone()),
            )
            .await;
        assert_eq!(s, status, "{body}: {e}");
        if !f.is_empty() {
            assert_eq!(field(&e), f, "{e}");
        }
    }
    // Clerks do not ring the bell; a supervisor of another region may not either.
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&clerk),
            Some(json!({"message": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, made) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "street.supervisor", "display_name": "街道监察", "password": "street-sup-2026", "roles": ["supervisor"], "region_id": app.find("/api/v1/regions", &admin, "code", "211403001").await["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{made}");
    let (s, t) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "street.supervisor", "password": "street-sup-2026"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    let street = t["token"].as_str().unwrap().to_string();
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&street),
            Some(json!({"message": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "outside the supervisor's scope");
    let after = app
        .get(&format!("/api/v1/cases/{id}/urges"), &supervisor)
        .await
        .1;
    assert_eq!(before, after, "refused bells leave nothing");

    // Answers: only the one who holds it, at the version read, once.
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/urges/{urge_id}/answer"),
            Some(&clerk),
            Some(json!({"version": 1, "response": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/urges/{urge_id}/answer"),
            Some(&approver),
            Some(json!({"version": 7, "response": "已办"})),
        )
        .await;
    assert_eq!((s, field(&e)), (StatusCode::CONFLICT, "version"), "{e}");
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/urges/{urge_id}/answer"),
            Some(&approver),
            Some(json!({"version": 1, "response": ""})),
        )
        .await;
    assert_eq!(
        (s, field(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, "response"),
        "{e}"
    );
    let (s, a) = app
        .call(
            Method::POST,
            &format!("/api/v1/urges/{urge_id}/answer"),
            Some(&approver),
            Some(json!({"version": 1, "response": "材料已核，明日出具意见"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["state"], "answered");
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/urges/{urge_id}/answer"),
            Some(&approver),
            Some(json!({"version": 2, "response": "again"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, view) = app
        .get(&format!("/api/v1/urges/{urge_id}"), &supervisor)
        .await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<&str> = view["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["issue", "answer"]);
    assert_eq!(view["may_answer"], false);
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=case&target_id={id}"),
            &admin,
        )
        .await;
    let audited: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in ["urge.issue", "urge.answer"] {
        assert!(audited.contains(&a), "{a} in {audited:?}");
    }

    // A closed case is not urged.
    let (s, _) = act(
        app,
        &clerk,
        id,
        json!({"action": "withdraw", "reason": "申请人撤回"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{id}/urges"),
            Some(&supervisor),
            Some(json!({"message": "x"})),
        )
        .await;
    assert_eq!((s, field(&e)), (StatusCode::CONFLICT, "case"), "{e}");
});

each_app!(the_warning_job_rings_raises_and_escalates_once, |app| {
    let admin = app.token("admin").await;
    let supervisor = app.token("supervisor").await;
    // Next year's arrangement, so that time limits can run past New Year.
    let year =
        json!({"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []});
    let (s, e) = app
        .call(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            Some(year),
        )
        .await;
    assert!(s.is_success(), "{e}");
    let (id, v) = reviewing_case(app).await;
    let red_on =
        chrono::NaiveDate::parse_from_str(v["case"]["red_on"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap();
    // A second view of the same store runs the job, on a day after the case went red.
    let (_, state) = onewindow_web::build(app.db().store.clone(), crate::support::config());
    let later = |days: i64| {
        (red_on + chrono::Duration::days(days))
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc()
    };
    let svc = onewindow_web::service::supervision::warn;
    let first = svc(&state, later(1)).await.unwrap();
    assert!(
        first.reminders >= 1 && first.raised >= 1 && first.step_reminders >= 1,
        "{first:?}"
    );
    let again = svc(&state, later(1)).await.unwrap();
    assert_eq!(again, Default::default(), "each warning once");
    let (_, urges) = app
        .get(&format!("/api/v1/cases/{id}/urges"), &supervisor)
        .await;
    let urges = urges.as_array().unwrap().clone();
    assert_eq!(urges.len(), 2, "{urges:?}");
    let case_urge = urges.iter().find(|u| u["step_id"].is_null()).unwrap();
    assert_eq!(case_urge["origin"], "yellow");
    assert_eq!(case_urge["level"], "yellow_card", "raised at red");
    let step_urge = urges.iter().find(|u| !u["step_id"].is_null()).unwrap();
    assert_eq!(step_urge["origin"], "step_red");
    // Raised at red, the warning says what is now true, and the system is named as such.
    assert!(
        case_urge["message"]
            .as_str()
            .unwrap()
            .contains("已超过办理时限"),
        "{case_urge}"
    );
    // The holder's workbench: one line for the case (the card), the step's reminder counted
    // beside it; the reminder may be marked read, the card needs an answer.
    let approver = app.token("approver").await;
    let (s, groups) = app.get("/api/v1/urges/mine/by-case", &approver).await;
    assert_eq!(s, StatusCode::OK, "{groups}");
    let g = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["latest"]["case_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(g["latest"]["level"], "yellow_card", "{g}");
    assert_eq!(
        (g["others"].as_i64(), g["may_mark_read"].as_bool()),
        (Some(1), Some(false)),
        "{g}"
    );
    let cookie = crate::pages::sign_in_cookie(app, "approver").await;
    let (_, html) = crate::pages::page(app, "/workbench", &cookie).await;
    assert!(html.contains("系统预警") && !html.contains("supervision-warnings"));
    assert!(
        html.contains("系统预警全部标为已读"),
        "the step's reminder may be marked read"
    );
    let (s, m) = app
        .call(
            Method::POST,
            "/api/v1/urges/read",
            Some(&approver),
            Some(json!({"ids": [case_urge["id"], step_urge["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    assert_eq!(m["marked"], 1, "the reminder, not the card: {m}");
    let (_, groups) = app.get("/api/v1/urges/mine/by-case", &approver).await;
    let g = groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["latest"]["case_id"] == id)
        .unwrap()
        .clone();
    assert_eq!(g["others"], 0, "{g}");
    let (_, step) = app
        .get(&format!("/api/v1/urges/{}", step_urge["id"]), &supervisor)
        .await;
    assert_eq!(
        (step["state"].as_str(), step["response"].as_str()),
        (Some("answered"), Some("已阅")),
        "{step}"
    );
    assert_eq!(step["answered_by_name"], "approver", "{step}");
    // Unanswered past its limit the card climbs to a red card with a rectification notice;
    // the reminder read climbs no more.
    let climbed = svc(&state, later(20)).await.unwrap();
    assert!(climbed.escalated >= 1, "{climbed:?}");
    let (_, urges) = app
        .get(&format!("/api/v1/cases/{id}/urges"), &supervisor)
        .await;
    let case_urge = urges
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["step_id"].is_null())
        .unwrap()
        .clone();
    assert_eq!(case_urge["level"], "red_card");
    assert!(
        case_urge["rectification"]
            .as_str()
            .unwrap()
            .contains("整改")
    );
    assert_eq!(case_urge["referred_on"], Value::Null);
    let refer_on = case_urge["escalate_on"].as_str().unwrap().to_string();
    // A red card unanswered past its limit goes to the supervision office, once.
    let referred = svc(&state, later(40)).await.unwrap();
    assert!(referred.referred >= 1, "{referred:?}");
    let again = svc(&state, later(40)).await.unwrap();
    assert_eq!(again.referred, 0, "referred once");
    let (_, v) = app
        .get(&format!("/api/v1/urges/{}", case_urge["id"]), &supervisor)
        .await;
    let urge = &v;
    assert_eq!(urge["level"], "red_card");
    assert_eq!(urge["state"], "open", "still the department's to answer");
    assert_eq!(
        urge["referred_on"],
        later(40).date_naive().to_string(),
        "referred when the job ran, the day after its limit or later ({refer_on})"
    );
    assert_eq!(urge["escalate_on"], Value::Null, "nothing further");
    let actions: Vec<&str> = v["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.last(), Some(&"refer"), "{actions:?}");
});

each_app!(the_supervision_pages_show_export_and_refuse, |app| {
    use crate::pages::{csrf_in, page, sign_in_cookie};
    let (id, v) = reviewing_case(app).await;
    let number = v["case"]["number"].as_str().unwrap().to_string();
    let sup = sign_in_cookie(app, "supervisor").await;
    let (s, html) = page(app, "/supervision?light=green", &sup).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("电子监察") && html.contains("临近超期") && html.contains("环节超时"));
    assert!(html.contains(&number), "the new case is listed as green");
    let (s, html) = page(app, "/supervision?light=purple", &sup).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(html.contains("灯色"), "the page names the bad light");
    let res = app
        .http
        .get(app.url("/supervision.xlsx?light=green"))
        .header("cookie", &sup)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX workbook");

    // The bell from the case page: an empty message is refused and nothing is rung.
    let (_, case_page) = page(app, &format!("/cases/{id}"), &sup).await;
    assert!(case_page.contains("id=\"urge-form\""));
    let csrf = csrf_in(&case_page);
    let post = |message: &'static str| {
        let (csrf, sup) = (csrf.clone(), sup.clone());
        async move {
            app.http
                .post(app.url(&format!("/cases/{id}/urge")))
                .header("cookie", sup)
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("level", "reminder"),
                    ("step_id", ""),
                    ("message", message),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let res = post("").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, listed) = page(app, "/supervision/urges", &sup).await;
    assert!(!listed.contains(&number));
    let res = post("请说明延迟原因").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, listed) = page(app, "/supervision/urges", &sup).await;
    assert!(listed.contains(&number) && listed.contains("请说明延迟原因"));

    // The approver's workbench lists it; a clerk may not see the room.
    let approver = sign_in_cookie(app, "approver").await;
    let (_, wb) = page(app, "/workbench", &approver).await;
    assert!(wb.contains("请说明延迟原因") && wb.contains("data-live-urges"));
    let clerk = sign_in_cookie(app, "clerk").await;
    assert_eq!(
        page(app, "/supervision", &clerk).await.0,
        StatusCode::FORBIDDEN
    );
});

each_app!(
    the_window_wall_shows_every_window_but_the_confidential,
    |app| {
        use crate::pages::{page, sign_in_cookie};
        let admin = app.token("admin").await;
        let supervisor = app.token("supervisor").await;
        let hall = app
            .find("/api/v1/halls", &admin, "name", "龙港区政务服务中心")
            .await;
        let hid = hall["id"].as_i64().unwrap();
        let windows = app
            .get(&format!("/api/v1/halls/{hid}/windows"), &admin)
            .await
            .1;
        let windows = windows.as_array().unwrap();
        assert!(
            windows.len() >= 48,
            "the demo hall has the seeds' 48 windows and more"
        );
        let secret = &windows[2];
        let (s, w) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/windows/{}", secret["id"]),
                Some(&admin),
                Some(json!({"version": secret["version"], "confidential": true})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{w}");
        let (s, wall) = app
            .get(
                &format!("/api/v1/supervision/wall?hall_id={hid}"),
                &supervisor,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{wall}");
        let tiles = wall["tiles"].as_array().unwrap();
        let now = app
            .get(&format!("/api/v1/halls/{hid}/windows"), &admin)
            .await
            .1;
        let shown = now
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["active"] == true && w["confidential"] == false)
            .count();
        assert!(shown >= 48);
        assert_eq!(
            tiles.len(),
            shown,
            "every active window but the confidential ones"
        );
        assert!(!tiles.iter().any(|t| t["window_id"] == secret["id"]));
        assert!(tiles.iter().all(|t| t["lights"]["running"].is_i64()));
        // The page: a tile per window, each a link to itself (the one clicked enlarges).
        let sup = sign_in_cookie(app, "supervisor").await;
        let (s, html) = page(app, &format!("/supervision/wall?hall_id={hid}"), &sup).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(html.matches("class=\"wall-tile").count(), shown);
        assert!(!html.contains(&format!("id=\"w{}\"", secret["id"])));
        // Refusals: a clerk; an unknown hall.
        let clerk = app.token("clerk").await;
        assert_eq!(
            app.get("/api/v1/supervision/wall", &clerk).await.0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get("/api/v1/supervision/wall?hall_id=999999", &supervisor)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
);

each_app!(
    figures_for_a_period_and_slice_with_exports_and_report,
    |app| {
        use crate::pages::{page, sign_in_cookie};
        let supervisor = app.token("supervisor").await;
        let (_, v) = reviewing_case(app).await;
        let today = chrono::Utc::now()
            .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
            .date_naive();
        // Received today (the case's submission day in Beijing) and accepted on its first working
        // day, which may be later when today is a rest day.
        let accepted_on = v["case"]["accepted_on"].as_str().unwrap().to_string();
        let q = format!("from={today}&to={accepted_on}");
        let (s, r) = app
            .get(&format!("/api/v1/supervision/figures?{q}"), &supervisor)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let f = &r["figures"];
        // Accepted after hours (or on a rest day), the case counts as accepted on the next
        // working day: a day still to come is not in the figures, which stop at today.
        let accepted_by_today = i64::from(accepted_on <= today.to_string());
        assert_eq!(
            (f["received"].as_i64(), f["accepted"].as_i64()),
            (Some(1), Some(accepted_by_today)),
            "accepted on {accepted_on}: {f}"
        );
        assert_eq!(f["concluded"], 0);
        assert_eq!(f["online_rate"], 0.0);
        assert_eq!(
            f["one_visit_rate"], 0.0,
            "handed in and fetched at a window: two visits"
        );
        // nothing due yet in the period (the case is due later): no conclusion rate, not 0%
        assert_eq!(
            (f["due"].as_i64(), f["carried"].as_i64()),
            (Some(0), Some(0)),
            "{f}"
        );
        assert_eq!(f["conclusion_rate"], Value::Null, "{f}");
        assert_eq!(f["on_time_rate"], Value::Null, "nothing concluded: no rate");
        let clerk_id = v["case"]["clerk_id"].as_i64().unwrap();
        let (_, by) = app
            .get(
                &format!("/api/v1/supervision/figures?{q}&by=clerk&channel=window"),
                &supervisor,
            )
            .await;
        let groups = by["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{by}");
        assert_eq!(groups[0]["key"], clerk_id.to_string());
        assert_eq!(groups[0]["name"], "李志抗");
        let (_, online) = app
            .get(
                &format!("/api/v1/supervision/figures?{q}&channel=online"),
                &supervisor,
            )
            .await;
        assert_eq!(online["figures"]["received"], 0);

        // Periods reversed or unbounded, bad days, unknown groupings: named.
        for (query, status, f) in [
            (
                "from=2026-03-02&to=2026-03-01",
                StatusCode::UNPROCESSABLE_ENTITY,
                "to",
            ),
            ("to=2026-03-01", StatusCode::UNPROCESSABLE_ENTITY, "from"),
            ("from=2026-03-01", StatusCode::UNPROCESSABLE_ENTITY, "to"),
            (
                "from=2026-02-30&to=2026-03-01",
                StatusCode::BAD_REQUEST,
                "from",
            ),
            (
                "from=2010-01-01&to=2026-03-01",
                StatusCode::UNPROCESSABLE_ENTITY,
                "to",
            ),
            (
                "from=2026-01-01&to=2026-03-01&by=colour",
                StatusCode::BAD_REQUEST,
                "by",
            ),
            (
                "from=2026-01-01&to=2026-03-01&department_id=999999",
                StatusCode::BAD_REQUEST,
                "department_id",
            ),
        ] {
            let (s, e) = app
                .get(&format!("/api/v1/supervision/figures?{query}"), &supervisor)
                .await;
            assert_eq!((s, field(&e)), (status, f), "{query}: {e}");
        }
        let clerk = app.token("clerk").await;
        assert_eq!(
            app.get(&format!("/api/v1/supervision/figures?{q}"), &clerk)
                .await
                .0,
            StatusCode::FORBIDDEN
        );

        // The pages: figures with their charts, Excel and CSV, the printable monthly report.
        let leader = sign_in_cookie(app, "leader").await;
        let (s, html) = page(app, &format!("/supervision/figures?{q}"), &leader).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"chart-trend\"") && html.contains("id=\"chart-ranking\""));
        assert!(html.contains("按时办结率") && html.contains("最多跑一次率"));
        let get = |path: String| {
            let leader = leader.clone();
            async move {
                app.http
                    .get(app.url(&path))
                    .header("cookie", leader)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let res = get(format!("/supervision/figures.xlsx?{q}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.bytes().await.unwrap().starts_with(b"PK"));
        let res = get(format!("/supervision/figures.csv?{q}")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        assert!(text.starts_with('\u{feff}'), "a BOM for Excel");
        let first = text.lines().next().unwrap();
        assert!(
            first.contains("部门") && first.contains("收件数"),
            "{first}"
        );
        assert!(text.contains("合计"));
        let month = &today.to_string()[..7];
        let (s, html) = page(app, &format!("/supervision/report?month={month}"), &leader).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("政务服务运行情况月报") && html.contains("id=\"report-departments\"")
        );
        let (s, _) = page(app, "/supervision/report?month=2026-13", &leader).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
);

each_app!(a_changed_light_rule_relights_open_cases, |app| {
    let admin = app.token("admin").await;
    let supervisor = app.token("supervisor").await;
    let (id, v) = reviewing_case(app).await;
    let before = v["case"]["yellow_on"].as_str().unwrap().to_string();
    let red = v["case"]["red_on"].clone();
    // Yellow with 10 working days left: earlier than with the default 1 day or 20%.
    let (_, mut rules) = app.get("/api/v1/case-rules", &admin).await;
    rules["yellow_days"] = json!(10);
    let (s, r) = app
        .call(
            Method::PUT,
            "/api/v1/case-rules",
            Some(&admin),
            Some(rules.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    // The cases are relit in the background: wait for it.
    let mut after = before.clone();
    for _ in 0..100 {
        let (_, c) = app.get(&format!("/api/v1/cases/{id}"), &supervisor).await;
        after = c["case"]["yellow_on"].as_str().unwrap_or("").to_string();
        if after != before {
            assert_eq!(c["case"]["red_on"], red, "the deadline did not move");
            assert_eq!(
                c["case"]["version"], v["case"]["version"],
                "derived days are no edit"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(after < before, "yellow from {after}, was {before}");
    let trail = app
        .db()
        .store
        .audit_entries(&onewindow_store::AuditFilter {
            target_type: Some("case".into()),
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        trail.iter().any(|e| e.action == "case.relight"),
        "one trail entry for the relight"
    );
    // Urge time limits are settings too, checked.
    rules["urge"]["yellow_card_days"] = json!(0);
    let (s, e) = app
        .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(rules))
        .await;
    assert_eq!(
        (s, field(&e)),
        (StatusCode::UNPROCESSABLE_ENTITY, "urge.yellow_card_days"),
        "{e}"
    );
});

// A year of generated history, read as a supervisor reads it: every case in a light list is
// open (under review), and its light and its working days left are one reading of one clock,
// the same in the list, on the case and on the page; a concluded case is in none of them and
// cannot be urged; this month's cases concluded late are their own list, counted as the
// figures count them.
each_app!(light_lists_hold_open_cases_by_one_clock, |app| {
    onewindow::demo::cases::generate(app.db().store.clone(), 600, 4, false)
        .await
        .unwrap();
    let supervisor = app.token("supervisor").await;
    let mut seen = std::collections::HashMap::new();
    for light in ["green", "yellow", "red"] {
        let (s, l) = app
            .get(
                &format!("/api/v1/supervision/lights?light={light}&limit=500"),
                &supervisor,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{l}");
        let list = l["cases"].as_array().unwrap();
        assert_eq!(
            list.len() as i64,
            l["counts"][light].as_i64().unwrap(),
            "{light}: the list and its count"
        );
        seen.insert(light, list.len());
        for (i, c) in list.iter().enumerate() {
            let n = &c["number"];
            assert_eq!(c["state"], "reviewing", "{light} {n}: only open cases");
            assert_eq!(c["light"], light, "{n}");
            let r = &c["clock"];
            assert_eq!(
                (r["kind"].as_str(), r["light"].as_str()),
                (Some("handling"), Some(light)),
                "{n}: {r}"
            );
            let left = r["left"].as_i64().unwrap();
            match light {
                "red" => assert!(left < 0, "{n}: red with {left} days left"),
                "green" => assert!(left > 1, "{n}: green with {left} days left"),
                _ => assert!((0..=9).contains(&left), "{n}: yellow with {left} days left"),
            }
            if i < 5 {
                let (s, v) = app
                    .get(&format!("/api/v1/cases/{}", c["id"]), &supervisor)
                    .await;
                assert_eq!(s, StatusCode::OK, "{v}");
                assert_eq!(v["clock"]["light"], light, "{n}: the case says the same");
                assert_eq!(v["clock"]["handling"], *r, "{n}: the same reading");
            }
        }
    }
    assert!(seen["red"] >= 1 && seen["green"] >= 1, "{seen:?}");
    // The page: no concluded case in the red list, and each line's days left beside its light.
    let cookie = crate::pages::sign_in_cookie(app, "supervisor").await;
    let (s, html) = crate::pages::page(app, "/supervision?light=red", &cookie).await;
    assert_eq!(s, StatusCode::OK);
    let rows = html
        .split("<tbody>")
        .nth(1)
        .unwrap()
        .split("</tbody>")
        .next()
        .unwrap();
    assert!(
        !rows.contains("已办结") && !rows.contains("已决定"),
        "{rows}"
    );
    assert!(rows.contains("已超"), "{rows}");
    // A concluded case is urged by no one.
    let all = app
        .db()
        .store
        .cases(&onewindow_store::CaseFilter {
            states: vec![
                onewindow_core::case::CaseState::Concluded,
                onewindow_core::case::CaseState::Delivered,
            ],
            limit: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let done = all[0].id;
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{done}/urges"),
            Some(&supervisor),
            Some(json!({"message": "请加快办理"})),
        )
        .await;
    assert_eq!((s, field(&e)), (StatusCode::CONFLICT, "case"), "{e}");
    let (_, html) = crate::pages::page(app, &format!("/cases/{done}"), &cookie).await;
    assert!(
        !html.contains("id=\"urge-form\""),
        "no bell on a concluded case"
    );
    // This month's concluded late: its own list, as many as the figures count, none urged.
    let (s, l) = app
        .get(
            "/api/v1/supervision/lights?light=late&limit=500",
            &supervisor,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{l}");
    let late = l["cases"].as_array().unwrap();
    assert_eq!(
        late.len() as i64,
        l["concluded_late"].as_i64().unwrap(),
        "{l}"
    );
    let month = &l["today"].as_str().unwrap()[..7];
    for c in late {
        assert!(
            c["decided_on"].as_str().unwrap() > c["promised_due"].as_str().unwrap(),
            "{c}"
        );
        assert!(
            c["concluded_on"].as_str().unwrap().starts_with(month),
            "{c}"
        );
    }
    let (_, html) = crate::pages::page(app, "/supervision?light=late", &cookie).await;
    assert!(html.contains("本月超期办结") && !html.contains("发起督办"));
    // The year's figures: every rate a share, the backlog concluded late its own column.
    let today = onewindow_core::time::local_date(chrono::Utc::now());
    let from = today - chrono::Duration::days(364);
    let (s, r) = app
        .get(
            &format!("/api/v1/supervision/figures?from={from}&to={today}&by=department"),
            &supervisor,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let mut carried = 0;
    for f in std::iter::once(&r["figures"]).chain(
        r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| &g["figures"]),
    ) {
        for rate in [
            "conclusion_rate",
            "on_time_rate",
            "on_spot_rate",
            "online_rate",
            "satisfaction_rate",
        ] {
            if let Some(v) = f[rate].as_f64() {
                assert!((0.0..=100.0).contains(&v), "{rate} {v}: {f}");
            }
        }
        assert!(f["due_concluded"].as_i64() <= f["due"].as_i64(), "{f}");
        carried += f["carried"].as_i64().unwrap();
    }
    assert_eq!(
        carried,
        2 * r["figures"]["carried"].as_i64().unwrap(),
        "the departments add up"
    );
    assert!(
        r["figures"]["satisfaction_rate"].as_f64().is_some(),
        "the history is rated"
    );
    let (_, html) = crate::pages::page(
        app,
        &format!("/supervision/figures?from={from}&to={today}"),
        &cookie,
    )
    .await;
    assert!(html.contains("结转办结") && html.contains("指标说明"));
    for pct in html
        .split('%')
        .filter_map(|p| p.rsplit(|c: char| !(c.is_ascii_digit() || c == '.')).next())
    {
        if let Ok(v) = pct.parse::<f64>() {
            assert!(v <= 100.0, "a rate of {v}% on the figures page");
        }
    }
});
