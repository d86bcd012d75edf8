//! Cases over the API, on both databases: an online application through parallel review to
//! delivery, every refusal of a wrong transition, two clerks at once, pauses, extension,
//! supplement, batches, bundles, uploads, progress look-ups, the calendar and review flows.

use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub const COMPANY: &str = "91350100M000100Y43";
pub const PERSON: &str = "11010519491231002X";

/// The code of the demo matter with this exact name.
pub async fn matter_code(app: &TestApp, name: &str) -> String {
    let (s, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/matters?q={name}&limit=50"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no matter {name}: {list}"))["code"]
        .as_str()
        .unwrap()
        .to_string()
}

pub fn company_application(code: &str, channel: &str) -> Value {
    json!({
        "matter_code": code,
        "channel": channel,
        "applicant": {
            "kind": "legal",
            "name": "葫芦岛市龙港建设有限公司",
            "id_number": COMPANY,
            "phone": "13812345678",
            "email": "office@example.com",
            "address": "龙港区龙湾大街1号"
        },
        "delivery": "window"
    })
}

pub fn person_application(code: &str, channel: &str) -> Value {
    json!({
        "matter_code": code,
        "channel": channel,
        "applicant": {
            "kind": "person",
            "name": "李女士",
            "id_number": PERSON,
            "phone": "13912345678",
            "address": "龙港区连湾街道1号"
        },
        "delivery": "window"
    })
}

pub async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{id}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

/// A successful action; its answer (built without reading the case back) must be the case as
/// a fresh read shows it.
async fn ok(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let (s, v) = act(app, token, id, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body}: {v}");
    let (s, read) = app
        .call(
            Method::GET,
            &format!("/api/v1/cases/{id}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{read}");
    assert_eq!(v, read, "the answer to {body} is the case as read");
    v
}

fn active_step(case: &Value, dept: i64) -> i64 {
    case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "active" && s["department_id"] == dept)
        .unwrap_or_else(|| panic!("no active step of {dept}: {}", case["steps"]))["id"]
        .as_i64()
        .unwrap()
}

async fn dept_of(app: &TestApp, admin: &str, username: &str) -> i64 {
    app.find("/api/v1/users", admin, "username", username).await["department_id"]
        .as_i64()
        .unwrap()
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    id: i64,
    material: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("material", material.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/cases/{id}/files")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

/// The guide's materials of a matter, each ticked as handed in: what a window's receipt list
/// (收件清单) records when it takes an application in with its papers.
pub async fn handed_in(app: &TestApp, code: &str) -> Value {
    let (s, g) = app
        .call(Method::GET, &format!("/api/v1/matters/{code}"), None, None)
        .await;
    assert_eq!(s, StatusCode::OK, "{g}");
    Value::Array(
        g["guide"]["materials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!({"name": m["name"], "provided": true}))
            .collect(),
    )
}

/// A window application with its papers handed in.
pub async fn at_window(app: &TestApp, mut application: Value) -> Value {
    let code = application["matter_code"].as_str().unwrap().to_string();
    application["materials"] = handed_in(app, &code).await;
    application
}

/// The applicant uploads a file for each required material the case does not yet have (an
/// online application complete for acceptance).
pub async fn upload_required(app: &TestApp, token: &str, id: i64) {
    let (s, v) = app.get(&format!("/api/v1/cases/{id}"), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    for m in v["case"]["materials"].as_array().unwrap() {
        if m["required"] == true && m["shared"] == false && m["received"].is_null() {
            let name = m["name"].as_str().unwrap();
            let (s, f) = upload(
                app,
                token,
                id,
                name,
                &format!("{name}.pdf"),
                b"%PDF-1.4 material".to_vec(),
            )
            .await;
            assert_eq!(s, StatusCode::CREATED, "{name}: {f}");
        }
    }
}

each_app!(
    an_online_application_goes_through_parallel_review_to_delivery,
    |app| {
        let admin = app.token("admin").await;
        let company = app.token("enterprise").await;
        let clerk = app.token("clerk").await;
        let approver = app.token("approver").await;
        let zrzy = app.token("approver-zrzy").await;
        let sthj = app.token("approver-sthj").await;
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
        let number = created["numbers"][0].as_str().unwrap().to_string();
        assert!(number.starts_with('D') && number.len() == 19, "{number}");
        let (s, files) = upload(
            app,
            &company,
            id,
            "建筑工程施工许可证申请表",
            "申请表.pdf",
            b"%PDF-1.4 application".to_vec(),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{files}");

        // The applicant sees it; staff of an unrelated department do not; other citizens learn
        // nothing of it.
        let (s, mine) = app.get(&format!("/api/v1/cases/{id}"), &company).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(mine["case"]["state"], "submitted");
        assert_eq!(mine["actions"], json!(["withdraw"]));
        let other = app.token("approver-sthj").await;
        assert_eq!(
            app.get(&format!("/api/v1/cases/{id}"), &other).await.0,
            StatusCode::FORBIDDEN
        );
        let citizen = app.token("citizen").await;
        assert_eq!(
            app.get(&format!("/api/v1/cases/{id}"), &citizen).await.0,
            StatusCode::NOT_FOUND
        );
        // An approver cannot accept; the clerk at the comprehensive window can.
        let (s, e) = act(app, &approver, id, json!({"action": "accept"})).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden"))
        );
        // Not while a required material is missing: the form was uploaded, the two permits are
        // held by the platform (共享获取), the tender notice and the funding pledge are not here.
        let (s, e) = act(app, &clerk, id, json!({"action": "accept", "version": 1})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("materials")),
            "{e}"
        );
        let msg = e["message"].as_str().unwrap();
        assert!(
            msg.contains("中标通知书或直接发包批准文件、建设资金已经落实承诺书")
                && !msg.contains("申请表")
                && !msg.contains("规划许可证"),
            "{msg}"
        );
        let (_, still) = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
        assert_eq!(
            (
                still["case"]["state"].as_str(),
                still["case"]["version"].as_i64()
            ),
            (Some("submitted"), Some(1))
        );
        // The applicant brings the two on paper; the window ticks them on its receipt list.
        let v = ok(
            app,
            &clerk,
            id,
            json!({"action": "receive_materials", "version": 1,
                   "names": ["中标通知书或直接发包批准文件", "建设资金已经落实承诺书"]}),
        )
        .await;
        let received: Vec<&Value> = v["case"]["materials"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| !m["received"].is_null())
            .collect();
        assert_eq!(received.len(), 2, "{}", v["case"]["materials"]);
        assert!(
            received
                .iter()
                .all(|m| m["received"]["by_name"] == "李志抗")
        );
        let (s, notice) = crate::pages::page(
            app,
            &format!("/cases/{id}/print/materials"),
            &crate::pages::sign_in_cookie(app, "clerk").await,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            notice.contains("材料接收凭证")
                && notice.contains("李志抗")
                && notice.contains("共享获取·免提交")
        );
        let v = ok(app, &clerk, id, json!({"action": "accept", "version": 2})).await;
        assert_eq!(v["case"]["state"], "reviewing");
        assert!(v["clock"]["promised_due"].is_string(), "{}", v["clock"]);
        assert_eq!(v["clock"]["light"], "green");

        // Stage 1: 住建局 alone; then 住建、自然资源、生态环境 in parallel.
        let housing = dept_of(app, &admin, "approver").await;
        let land = dept_of(app, &admin, "approver-zrzy").await;
        let env = dept_of(app, &admin, "approver-sthj").await;
        let first = active_step(&v, housing);
        let (s, _) = act(
            app,
            &zrzy,
            id,
            json!({"action": "finish_step", "step_id": first, "outcome": "agree"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "another department's step");
        ok(
            app,
            &approver,
            id,
            json!({"action": "claim", "step_id": first}),
        )
        .await;
        let v = ok(app, &approver, id, json!({"action": "finish_step", "step_id": first, "outcome": "agree", "opinion": "材料齐全"})).await;
        let parallel: Vec<i64> = v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["state"] == "active")
            .map(|s| s["department_id"].as_i64().unwrap())
            .collect();
        assert_eq!(parallel.len(), 3);
        for d in [housing, land, env] {
            assert!(parallel.contains(&d));
        }
        // The other departments see it in their queue.
        let (_, wb) = app.get("/api/v1/workbench", &zrzy).await;
        assert!(
            wb["queue"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["case_id"] == id),
            "{wb}"
        );
        ok(
            app,
            &zrzy,
            id,
            json!({"action": "finish_step", "step_id": active_step(&v, land), "outcome": "agree"}),
        )
        .await;
        let v = ok(
            app,
            &sthj,
            id,
            json!({"action": "finish_step", "step_id": active_step(&v, env), "outcome": "agree"}),
        )
        .await;
        let (s, e) = act(
            app,
            &approver,
            id,
            json!({"action": "decide", "decision": "approve"}),
        )
        .await;
        assert_eq!(
            (s, e["code"].as_str()),
            (StatusCode::CONFLICT, Some("wrong_state")),
            "not joined yet: {e}"
        );
        ok(app, &approver, id, json!({"action": "finish_step", "step_id": active_step(&v, housing), "outcome": "agree"})).await;
        let (_, wb) = app.get("/api/v1/workbench", &approver).await;
        assert!(
            wb["to_decide"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l["id"] == id),
            "{wb}"
        );
        let v = ok(
            app,
            &approver,
            id,
            json!({"action": "decide", "decision": "approve"}),
        )
        .await;
        assert_eq!(v["case"]["decision"], "approve");
        assert!(v["clock"]["delivery_due"].is_string());
        ok(app, &clerk, id, json!({"action": "conclude"})).await;
        let v = ok(
            app,
            &clerk,
            id,
            json!({"action": "deliver", "note": "法定代表人到窗口领取"}),
        )
        .await;
        assert_eq!(v["case"]["state"], "delivered");
        assert_eq!(v["clock"]["on_time"], true);
        assert_eq!(v["actions"], json!([]));
        let actions: Vec<&str> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            [
                "submit",
                "receive_materials",
                "accept",
                "claim",
                "finish_step",
                "finish_step",
                "finish_step",
                "finish_step",
                "decide",
                "conclude",
                "deliver"
            ]
        );

        // Notices went to the outbox for every milestone, by SMS and e-mail.
        let (_, out) = app
            .get(&format!("/api/v1/outbox?case_id={id}"), &admin)
            .await;
        let subjects: Vec<&str> = out
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["subject"].as_str().unwrap())
            .collect();
        for what in ["已收到申请", "受理", "作出决定", "办结", "送达"] {
            assert!(
                subjects.iter().any(|s| s.contains(what)),
                "{what}: {subjects:?}"
            );
        }
        assert!(
            out.as_array()
                .unwrap()
                .iter()
                .any(|m| m["channel"] == "email")
        );
        assert_eq!(
            app.get("/api/v1/outbox", &clerk).await.0,
            StatusCode::FORBIDDEN
        );

        // Anyone with the number and the last four characters follows it; a wrong guess learns
        // nothing.
        let (s, p) = app
            .call(
                Method::GET,
                &format!("/api/v1/progress?number={number}&id_last4=0Y43"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{p}");
        assert_eq!(p["state"], "delivered");
        assert_eq!(
            p["applicant_masked"].as_str().unwrap().chars().next(),
            Some('葫')
        );
        assert!(
            p.to_string().find("弋艳艳").is_none(),
            "staff names stay inside"
        );
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/progress?number={number}&id_last4=1234"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .call(
                Method::GET,
                "/api/v1/progress?number=D999-20260101-00001&id_last4=0Y43",
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // The uploaded file comes back as it went in, to those who may see the case.
        let fid = files[0]["id"].as_i64().unwrap();
        let res = app
            .http
            .get(app.url(&format!("/api/v1/files/{fid}")))
            .bearer_auth(&company)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(
            res.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF-1.4 application");
        let res = app
            .http
            .get(app.url(&format!("/api/v1/files/{fid}")))
            .bearer_auth(&citizen)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // The trail has every action, chained.
        let (_, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=case&target_id={id}&limit=50"),
                &admin,
            )
            .await;
        assert_eq!(
            trail.as_array().unwrap().len(),
            13,
            "eleven actions (the receipt list's among them), one upload, and the clerk's look at \
             the applicant's address on the printed receipt for materials"
        );
    }
);

each_app!(wrong_transitions_answer_409_and_change_nothing, |app| {
    let clerk = app.token("clerk").await;
    let approver = app.token("approver").await;
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    let (_, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(at_window(app, company_application(&code, "window")).await),
        )
        .await;
    let id = created["case_ids"][0].as_i64().unwrap();
    for body in [
        json!({"action": "deliver"}),
        json!({"action": "conclude"}),
        json!({"action": "resume"}),
        json!({"action": "complete_supplement"}),
    ] {
        let (s, e) = act(app, &clerk, id, body.clone()).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}: {e}");
        assert_eq!(e["code"], "wrong_state");
        assert_eq!(e["field"], "state");
        assert_eq!(
            e["allowed"],
            json!([
                "accept",
                "receive_materials",
                "refuse",
                "request_supplement",
                "withdraw"
            ])
        );
        assert!(e["message"].as_str().unwrap().contains("待受理"), "{e}");
    }
    let (s, e) = app
        .call_with(
            Method::POST,
            &format!("/api/v1/cases/{id}/actions"),
            Some(&approver),
            Some(json!({"action": "decide", "decision": "approve"})),
            en(),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "the state is checked before the role is of use: {e}"
    );
    let (s, e) = app
        .call_with(
            Method::POST,
            &format!("/api/v1/cases/{id}/actions"),
            Some(&clerk),
            Some(json!({"action": "deliver"})),
            en(),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("allowed now: accept"),
        "{e}"
    );
    // Bad input names its field; nothing is written.
    let (s, e) = act(app, &clerk, id, json!({"action": "refuse", "reason": "  "})).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
        "{e}"
    );
    let (s, e) = act(app, &clerk, id, json!({"action": "accept", "bogus": 1})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, e) = act(app, &clerk, id, json!({"action": "fly"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (s, e) = act(app, &clerk, id, json!({"action": "accept", "version": 7})).await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "stale version: {e}"
    );
    let (_, v) = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
    assert_eq!(v["case"]["version"], 1);
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    // A refusal is final.
    ok(
        app,
        &clerk,
        id,
        json!({"action": "refuse", "reason": "不属于本机关职权范围"}),
    )
    .await;
    let (s, e) = act(app, &clerk, id, json!({"action": "accept"})).await;
    assert_eq!((s, e["allowed"].clone()), (StatusCode::CONFLICT, json!([])));
});

// Document numbers (文号): a series per department, year and kind, with no gap and no repeat,
// also when acceptance is refused on the way or two clerks race; on the page, on the printed
// notice and in the case's trail.
each_app!(notices_are_numbered_in_their_departments_series, |app| {
    let clerk = app.token("clerk").await;
    let admin = app.token("admin").await;
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    let year = onewindow_core::time::local_date(chrono::Utc::now())
        .format("%Y")
        .to_string();
    let file = |papers: bool| {
        let code = code.clone();
        let clerk = clerk.clone();
        async move {
            let mut a = company_application(&code, "window");
            if papers {
                a = at_window(app, a).await;
            }
            let (s, created) = app
                .call(Method::POST, "/api/v1/cases", Some(&clerk), Some(a))
                .await;
            assert_eq!(s, StatusCode::CREATED, "{created}");
            created["case_ids"][0].as_i64().unwrap()
        }
    };
    let mut numbers = Vec::new();
    for i in 0..3 {
        // a refused acceptance (no papers) takes no number
        if i == 1 {
            let short = file(false).await;
            let (s, _) = act(app, &clerk, short, json!({"action": "accept"})).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        }
        let id = file(true).await;
        let v = ok(app, &clerk, id, json!({"action": "accept"})).await;
        let docs = v["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(docs[0]["kind"], "acceptance");
        numbers.push((id, docs[0]["number"].as_str().unwrap().to_string()));
    }
    let want: Vec<String> = (1..=3)
        .map(|n| format!("龙住建受〔{year}〕第{n:05}号"))
        .collect();
    assert_eq!(
        numbers.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
        want
    );
    // another kind, another series
    let refused = file(false).await;
    let v = ok(
        app,
        &clerk,
        refused,
        json!({"action": "refuse", "reason": "不属于本机关职权范围"}),
    )
    .await;
    assert_eq!(
        v["documents"][0]["number"],
        format!("龙住建不受〔{year}〕第00001号")
    );
    // the printed notice and the page carry it; the trail records it
    let (id, number) = &numbers[2];
    let cookie = crate::pages::sign_in_cookie(app, "clerk").await;
    let (_, notice) =
        crate::pages::page(app, &format!("/cases/{id}/print/acceptance"), &cookie).await;
    assert!(
        notice.contains(&format!("id=\"docno\">{number}<")),
        "{notice}"
    );
    let (_, html) = crate::pages::page(app, &format!("/cases/{id}"), &cookie).await;
    assert!(html.contains(number.as_str()));
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=case&target_id={id}&limit=20"),
            &admin,
        )
        .await;
    assert!(trail.to_string().contains(number.as_str()), "{trail}");
});

each_app!(two_clerks_acting_at_once_one_wins, |app| {
    let clerk = app.token("clerk").await;
    let clerk2 = app.token("clerk").await;
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    for round in 0..5 {
        let (_, created) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&clerk),
                Some(at_window(app, company_application(&code, "window")).await),
            )
            .await;
        let id = created["case_ids"][0].as_i64().unwrap();
        let (a, b) = tokio::join!(
            act(app, &clerk, id, json!({"action": "accept"})),
            act(
                app,
                &clerk2,
                id,
                json!({"action": "refuse", "reason": "材料不全"})
            )
        );
        let oks = [a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(oks, 1, "round {round}: {a:?} {b:?}");
        let loser = if a.0 == StatusCode::OK { &b } else { &a };
        assert_eq!(loser.0, StatusCode::CONFLICT, "{loser:?}");
        let (_, v) = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
        assert_eq!(v["case"]["version"], 2);
        assert_eq!(
            v["events"].as_array().unwrap().len(),
            2,
            "one action recorded"
        );
    }
});

each_app!(pauses_extensions_and_supplements_move_the_clock, |app| {
    let clerk = app.token("clerk").await;
    let approver = app.token("approver").await;
    let leader = app.token("leader").await;
    let code = matter_code(app, "建筑工程施工许可证核发").await;
    let (_, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(at_window(app, company_application(&code, "window")).await),
        )
        .await;
    let id = created["case_ids"][0].as_i64().unwrap();
    // 补正: every item at once; only once.
    let (s, e) = act(
        app,
        &clerk,
        id,
        json!({"action": "request_supplement", "items": []}),
    )
    .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("items"))
    );
    let v = ok(
        app,
        &clerk,
        id,
        json!({"action": "request_supplement", "items": [
            {"material": "中标通知书或直接发包批准文件", "problem": "未提供"},
            {"material": "建设资金已经落实承诺书", "problem": "缺少法定代表人签字"}
        ]}),
    )
    .await;
    assert_eq!(v["case"]["state"], "supplement");
    assert_eq!(v["supplements"][0]["items"].as_array().unwrap().len(), 2);
    let v = ok(
        app,
        &clerk,
        id,
        json!({"action": "complete_supplement", "note": "已补齐"}),
    )
    .await;
    assert!(
        !v["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("request_supplement"))
    );
    let v = ok(app, &clerk, id, json!({"action": "accept"})).await;
    let due = v["clock"]["promised_due"].as_str().unwrap().to_string();
    // 特别程序: the clock stops; while it runs only resume and withdraw are open.
    let v = ok(app, &approver, id, json!({"action": "pause", "procedure": "现场核查", "reason": "核查施工现场条件", "expected_days": 5})).await;
    assert_eq!(v["clock"]["paused"], true);
    assert_eq!(v["clock"]["light"], Value::Null);
    let step = v["steps"][0]["id"].as_i64().unwrap();
    let (s, e) = act(
        app,
        &approver,
        id,
        json!({"action": "finish_step", "step_id": step, "outcome": "agree"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["allowed"], json!(["resume", "withdraw"]));
    let v = ok(
        app,
        &approver,
        id,
        json!({"action": "resume", "result": "现场符合条件"}),
    )
    .await;
    assert_eq!(
        v["pauses"][0]["workdays"], 0,
        "started and ended the same day"
    );
    // 延期: asked by the reviewer, approved by the head; only once; joint handling gets 15.
    let (s, _) = act(app, &approver, id, json!({"action": "approve_extension"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = act(
        app,
        &approver,
        id,
        json!({"action": "request_extension", "reason": "需补充论证", "days": 16}),
    )
    .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("days")),
        "{e}"
    );
    ok(
        app,
        &approver,
        id,
        json!({"action": "request_extension", "reason": "需补充论证"}),
    )
    .await;
    let (s, _) = act(app, &approver, id, json!({"action": "approve_extension"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "not the approver's to approve");
    let (_, wb) = app.get("/api/v1/workbench", &leader).await;
    assert!(
        wb["extensions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == id),
        "{wb}"
    );
    let v = ok(
        app,
        &leader,
        id,
        json!({"action": "approve_extension", "note": "同意"}),
    )
    .await;
    assert_eq!(v["case"]["extension"]["days"], 15);
    assert_eq!(v["clock"]["extension_days"], 15);
    assert_ne!(v["clock"]["promised_due"].as_str().unwrap(), due);
    assert!(
        !v["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("request_extension"))
    );
    // The applicant may withdraw before the decision; the clerk records it.
    let v = ok(
        app,
        &clerk,
        id,
        json!({"action": "withdraw", "reason": "申请人书面申请撤回"}),
    )
    .await;
    assert_eq!(v["case"]["state"], "withdrawn");
    assert_eq!(v["actions"], json!([]));
});

each_app!(batches_and_bundles_split_into_cases, |app| {
    let clerk = app.token("clerk").await;
    let citizen = app.token("citizen").await;
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let person = |name: &str, id: &str| json!({"kind": "person", "name": name, "id_number": id, "phone": "13912345678"});
    let mut bad = json!({
        "matter_code": code, "title": "东方村低保集中申报", "delivery": "window",
        "applicants": [person("甲", PERSON), person("乙", "110105194912310021"), person("丙", PERSON)]
    });
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/cases/batch",
            Some(&clerk),
            Some(bad.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["field"], "applicants[1].id_number");
    let (_, list) = app.get("/api/v1/cases", &clerk).await;
    assert_eq!(list["total"], 0, "nothing half-written");
    bad["applicants"][1]["id_number"] = json!(PERSON);
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/cases/batch",
            Some(&citizen),
            Some(bad.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    // A batch whose papers have not come in is filed, but not accepted: the first case short
    // of its materials is named, and none is accepted.
    let (s, short) = app
        .call(
            Method::POST,
            "/api/v1/cases/batch",
            Some(&clerk),
            Some(bad.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{short}");
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/batches/{}/accept", short["group_id"]),
            Some(&clerk),
            None,
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("materials")),
        "{e}"
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("最低生活保障申请书"),
        "{e}"
    );
    let (_, open) = app
        .get(
            &format!(
                "/api/v1/cases?batch_id={}&state=submitted",
                short["group_id"]
            ),
            &clerk,
        )
        .await;
    assert_eq!(open["total"], 3, "none accepted");
    bad["materials_received"] = json!(true);
    let (s, b) = app
        .call(Method::POST, "/api/v1/cases/batch", Some(&clerk), Some(bad))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["case_ids"].as_array().unwrap().len(), 3);
    assert!(b["group_number"].as_str().unwrap().starts_with("PL-"));
    let batch = b["group_id"].as_i64().unwrap();
    let (s, r) = app
        .call(
            Method::POST,
            &format!("/api/v1/batches/{batch}/accept"),
            Some(&clerk),
            None,
        )
        .await;
    assert_eq!(
        (s, r["accepted"].as_i64()),
        (StatusCode::OK, Some(3)),
        "{r}"
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/cases?batch_id={batch}&state=reviewing"),
            &clerk,
        )
        .await;
    assert_eq!(list["total"], 3);

    // 退休一件事: one form, three matters' cases, handled in parallel.
    let (s, created) = app
        .call(Method::POST, "/api/v1/bundles", Some(&citizen), Some(json!({
            "topic_code": "tuixiu-yjs", "channel": "kiosk", "delivery": "window",
            "applicant": {"kind": "person", "name": "王师傅", "id_number": PERSON, "phone": "13912345678"}
        })))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["case_ids"].as_array().unwrap().len(), 3);
    let bundle = created["group_id"].as_i64().unwrap();
    let (s, view) = app
        .get(&format!("/api/v1/bundles/{bundle}"), &citizen)
        .await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(view["cases"]["total"], 3);
    assert_eq!(view["concluded"], false);
    let (_, mine) = app.get("/api/v1/cases", &citizen).await;
    assert_eq!(mine["total"], 3, "the citizen's own cases");
    for id in created["case_ids"].as_array().unwrap() {
        let id = id.as_i64().unwrap();
        ok(
            app,
            &citizen,
            id,
            json!({"action": "withdraw", "reason": "暂不退休"}),
        )
        .await;
    }
    let (_, view) = app
        .get(&format!("/api/v1/bundles/{bundle}"), &citizen)
        .await;
    assert_eq!(view["concluded"], true);
    let (s, _) = app
        .call(Method::POST, "/api/v1/bundles", Some(&citizen), Some(json!({
            "topic_code": "kaiban", "channel": "online", "delivery": "window",
            "applicant": {"kind": "person", "name": "王师傅", "id_number": PERSON, "phone": "13912345678"}
        })))
        .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a life event is not a bundle"
    );
});

each_app!(
    uploads_are_checked_and_applications_need_the_right_channel,
    |app| {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let citizen = app.token("citizen").await;
        let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
        let (s, created) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&citizen),
                Some(person_application(&code, "online")),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["case_ids"][0].as_i64().unwrap();
        let (s, e) = upload(
            app,
            &citizen,
            id,
            "居民户口簿",
            "hukou.exe",
            b"MZ\x90\x00".to_vec(),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e["message"].as_str().unwrap().contains("不接受"), "{e}");
        let (s, e) = upload(
            app,
            &citizen,
            id,
            "居民户口簿",
            "hukou.pdf",
            b"MZ\x90\x00".to_vec(),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a renamed program: {e}"
        );
        let (s, rules) = app.get("/api/v1/case-rules", &citizen).await;
        assert_eq!(
            (s, rules["completeness_days"].as_i64()),
            (StatusCode::OK, Some(5))
        );
        let mut small = rules.clone();
        small["max_upload_mib"] = json!(1);
        let (s, _) = app
            .call(
                Method::PUT,
                "/api/v1/case-rules",
                Some(&clerk),
                Some(small.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, r) = app
            .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(small))
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let mut big = b"%PDF-".to_vec();
        big.resize(1024 * 1024 + 10, b'x');
        let (s, e) = upload(app, &citizen, id, "居民户口簿", "big.pdf", big).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{e}");
        let (_, v) = app.get(&format!("/api/v1/cases/{id}"), &citizen).await;
        assert_eq!(v["files"], json!([]), "nothing recorded");
        let mut bad = rules.clone();
        bad["completeness_days"] = json!(0);
        let (s, e) = app
            .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(bad))
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("completeness_days"))
        );
        // The yellow share: 20% by default, at most 50%.
        assert_eq!(rules["yellow_percent"], 20);
        let mut bad = rules.clone();
        bad["yellow_percent"] = json!(60);
        let (s, e) = app
            .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(bad))
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("yellow_percent"))
        );
        // A matter's own yellow rule: checked like the default, one per matter.
        assert_eq!(rules["matter_lights"], json!([]));
        let mut bad = rules.clone();
        bad["matter_lights"] = json!([
            {"matter_code": code, "yellow_days": 3, "yellow_percent": 0},
            {"matter_code": code.to_lowercase(), "yellow_days": 2, "yellow_percent": 0},
        ]);
        let (s, e) = app
            .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(bad))
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("matter_lights[2]"))
        );
        let mut own = rules.clone();
        own["max_upload_mib"] = json!(1);
        own["matter_lights"] =
            json!([{"matter_code": code, "yellow_days": 3, "yellow_percent": 0}]);
        let (s, r) = app
            .call(Method::PUT, "/api/v1/case-rules", Some(&admin), Some(own))
            .await;
        assert_eq!(
            (s, r["matter_lights"][0]["yellow_days"].as_i64()),
            (StatusCode::OK, Some(3)),
            "{r}"
        );

        // Window intake is the clerks'; a citizen cannot file "at a window"; agents record the
        // authorization.
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&citizen),
                Some(at_window(app, person_application(&code, "window")).await),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let agent = app.token("agent").await;
        let (s, e) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&agent),
                Some(person_application(&code, "agent")),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("agency"))
        );
        let mut by_agent = person_application(&code, "agent");
        by_agent["agency"] = json!({"name": "沈丙竹", "id_number": PERSON, "phone": "13904290007", "authorization": "授权委托书（2026年11月20日签署）"});
        by_agent["delivery"] = json!("home");
        by_agent["applicant"]["needs_home_service"] = json!(true);
        let (s, c) = app
            .call(Method::POST, "/api/v1/cases", Some(&agent), Some(by_agent))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
        let aid = c["case_ids"][0].as_i64().unwrap();
        let (s, v) = app.get(&format!("/api/v1/cases/{aid}"), &agent).await;
        assert_eq!(s, StatusCode::OK, "the agent follows the case filed: {v}");
        assert_eq!(
            v["case"]["agency"]["authorization"],
            "授权委托书（2026年11月20日签署）"
        );
        assert_eq!(v["case"]["delivery"], "home");
        let (s, e) = app.call(Method::POST, "/api/v1/cases", Some(&clerk), Some(json!({"matter_code": "NOPE", "channel": "window", "applicant": {"kind": "person", "name": "x", "id_number": PERSON, "phone": "13912345678"}, "delivery": "window"}))).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("matter_code"))
        );
    }
);

each_app!(the_calendar_answers_and_takes_new_years, |app| {
    let admin = app.token("admin").await;
    let clerk = app.token("clerk").await;
    let (s, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2026-02-14&add=20&until=2026-03-02",
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["workday"], true);
    assert_eq!(d["plus"], "2026-03-20");
    assert_eq!(d["between"], 6);
    let (_, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2026-10-01",
            None,
            None,
        )
        .await;
    assert_eq!(
        (d["workday"].clone(), d["holiday"].clone()),
        (json!(false), json!("国庆节"))
    );
    // The year after the last notice is computed from the law (除夕 2027 is off) and says so;
    // further ahead there is no answer.
    let (s, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2027-02-05",
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (
            d["workday"].clone(),
            d["holiday"].clone(),
            d["provisional"].clone()
        ),
        (json!(false), json!("春节"), json!(true))
    );
    let (_, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2026-12-30&add=5",
            None,
            None,
        )
        .await;
    assert_eq!(
        (d["plus"].clone(), d["provisional"].clone()),
        (json!("2027-01-07"), json!(true))
    );
    let (s, e) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2029-01-04",
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["message"].as_str().unwrap().contains("2029"), "{e}");
    let (s, e) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2026-01-05&add=-1",
            None,
            None,
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("add"))
    );
    let (s, e) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2026-13-01",
            None,
            None,
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("date"))
    );
    let year =
        json!({"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}], "workdays": []});
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&clerk),
            Some(year.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut bad = year.clone();
    bad["workdays"] = json!(["2027-01-06"]);
    let (s, e) = app
        .call(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            Some(bad),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, _) = app
        .call(
            Method::PUT,
            "/api/v1/calendar/years/2027",
            Some(&admin),
            Some(year),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2027-01-01",
            None,
            None,
        )
        .await;
    assert_eq!(d["workday"], false);
    // entered, 2027 is the notice's: no longer provisional, and its 除夕 is what it says
    let (_, d) = app
        .call(
            Method::GET,
            "/api/v1/calendar/check?date=2027-02-05",
            None,
            None,
        )
        .await;
    assert_eq!(
        (d["workday"].clone(), d["provisional"].clone()),
        (json!(true), json!(false))
    );
    let (_, years) = app
        .call(Method::GET, "/api/v1/calendar/years", None, None)
        .await;
    assert_eq!(years.as_array().unwrap().len(), 24);

    // Review flows: the default, and a checked replacement.
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let (_, g) = app
        .call(Method::GET, &format!("/api/v1/matters/{code}"), None, None)
        .await;
    let promised = g["guide"]["promised_days"].as_i64().unwrap();
    let (s, w) = app
        .get(&format!("/api/v1/catalog/matters/{code}/workflow"), &admin)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(w["stages"][0]["days"], promised);
    let too_long = json!({"stages": [{"name": "入户调查", "days": promised}, {"name": "审核确认", "days": promised}]});
    let (s, e) = app
        .call(
            Method::PUT,
            &format!("/api/v1/catalog/matters/{code}/workflow"),
            Some(&admin),
            Some(too_long),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("stages")),
        "{e}"
    );
    let flow = json!({"stages": [{"name": "审核确认", "days": promised, "role": "leader"}]});
    let (s, w) = app
        .call(
            Method::PUT,
            &format!("/api/v1/catalog/matters/{code}/workflow"),
            Some(&admin),
            Some(flow),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{w}");
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/catalog/matters/{code}/workflow"),
            Some(&clerk),
            Some(w),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

each_app!(notices_leave_through_the_outbox_and_are_retried, |app| {
    use onewindow_web::service::notify::{Notifier, NotifyConfig, run_once};
    use std::sync::{Arc, Mutex};
    // A stand-in SMS gateway that records what it gets and fails while told to.
    let got: Arc<Mutex<Vec<Value>>> = Arc::default();
    let failing = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (g, f) = (got.clone(), failing.clone());
    let gateway = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let (g, f) = (g.clone(), f.clone());
            async move {
                if f.load(std::sync::atomic::Ordering::SeqCst) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                g.lock().unwrap().push(v);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, gateway).await.unwrap() });
    let notifier = Notifier::new(&NotifyConfig {
        sms_webhook: Some(url),
        ..Default::default()
    })
    .unwrap();

    let clerk = app.token("clerk").await;
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let (_, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(at_window(app, person_application(&code, "window")).await),
        )
        .await;
    let id = created["case_ids"][0].as_i64().unwrap();
    let store = app.db().store.clone();
    let now = chrono::Utc::now();
    const SENDING: std::time::Duration = std::time::Duration::from_secs(120);
    assert_eq!(
        run_once(store.as_ref(), &notifier, now, SENDING).await,
        (0, 1),
        "the gateway is down"
    );
    let m = &store.outbox(Some(id), 10).await.unwrap()[0];
    assert_eq!((m.status.as_str(), m.attempts), ("pending", 1));
    assert!(m.next_at > now, "retried later, not at once");
    assert_eq!(
        run_once(store.as_ref(), &notifier, now, SENDING).await,
        (0, 0),
        "not yet due again"
    );
    failing.store(false, std::sync::atomic::Ordering::SeqCst);
    let later = now + chrono::Duration::minutes(2);
    assert_eq!(
        run_once(store.as_ref(), &notifier, later, SENDING).await,
        (1, 0)
    );
    let sent = got.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["recipient"], "13912345678");
    assert!(
        sent[0]["body"]
            .as_str()
            .unwrap()
            .contains(created["numbers"][0].as_str().unwrap())
    );
    let m = &store.outbox(Some(id), 10).await.unwrap()[0];
    assert_eq!((m.status.as_str(), m.attempts), ("sent", 2));
    assert_eq!(
        run_once(store.as_ref(), &notifier, later, SENDING).await,
        (0, 0),
        "sent once only"
    );
});

each_app!(personal_data_is_masked_but_for_those_who_need_it, |app| {
    let admin = app.token("admin").await;
    let clerk = app.token("clerk").await;
    let supervisor = app.token("supervisor").await;
    let citizen = app.token("citizen").await;
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let mut application = person_application(&code, "online");
    application["delivery"] = json!("post");
    application["delivery_address"] = json!("龙港区连湾街道海滨小区3号楼501");
    let (s, created) = app
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&citizen),
            Some(application),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let id = created["case_ids"][0].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}");
    let masked = |v: &Value| {
        let a = &v["case"]["applicant"];
        (
            a["id_number"].as_str().unwrap().to_string(),
            a["phone"].as_str().unwrap().to_string(),
            a["address"].as_str().unwrap().to_string(),
            v["case"]["delivery_address"].as_str().unwrap().to_string(),
        )
    };
    let hidden = (
        "110***********002X".to_string(),
        "139****5678".to_string(),
        "龙港区连湾街****".to_string(),
        "龙港区连湾街****".to_string(),
    );
    let full = (
        PERSON.to_string(),
        "13912345678".to_string(),
        "龙港区连湾街道1号".to_string(),
        "龙港区连湾街道海滨小区3号楼501".to_string(),
    );
    // the applicant sees their own in full, and that is no entry in the trail
    let (s, v) = app.get(&path, &citizen).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(masked(&v), full);
    // staff see it masked by default: the clerk who takes it in and the supervisor alike
    for t in [&clerk, &supervisor] {
        let (s, v) = app.get(&path, t).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(masked(&v), hidden);
        assert!(!v.to_string().contains(PERSON), "{v}");
    }
    // and in lists
    let (_, list) = app.get("/api/v1/cases?limit=200", &clerk).await;
    let line = list["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .expect("the case is in the clerk's list");
    assert_eq!(line["applicant"]["id_number"], "110***********002X");
    assert!(!list.to_string().contains(PERSON));
    // in full only for those whose work needs it, and each look is in the trail
    // not for those who only supervise, lead or administer, whatever their role may do
    let leader = app.token("leader").await;
    for (who, t) in [
        ("supervisor", &supervisor),
        ("leader", &leader),
        ("admin", &admin),
    ] {
        let (s, e) = app.get(&format!("{path}?personal=true"), t).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {e}");
    }
    for who in ["leader", "supervisor"] {
        let cookie = crate::pages::sign_in_cookie(app, who).await;
        let (status, _) =
            crate::pages::page(app, &format!("/cases/{id}?personal=1"), &cookie).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        let (status, html) = crate::pages::page(app, &format!("/cases/{id}"), &cookie).await;
        assert_eq!(status, StatusCode::OK, "{who}");
        assert!(
            !html.contains("id=\"reveal-personal\""),
            "{who} is not offered the full data"
        );
    }
    let looks = |t: Value| -> Vec<String> {
        t.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "case.personal_view")
            .map(|e| e["actor_name"].as_str().unwrap().to_string())
            .collect()
    };
    let audit = format!("/api/v1/audit?target_type=case&target_id={id}&limit=100");
    assert!(looks(app.get(&audit, &admin).await.1).is_empty());
    let (s, v) = app.get(&format!("{path}?personal=true"), &clerk).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(masked(&v), full);
    let (s, v) = app.get(&format!("{path}?personal=true"), &citizen).await;
    assert_eq!((s, masked(&v)), (StatusCode::OK, full.clone()));
    assert_eq!(
        looks(app.get(&audit, &admin).await.1),
        vec!["clerk".to_string()],
        "the clerk's look is recorded, the applicant's own is not"
    );
    // the page: masked, with the way to the full data for the clerk, recorded the same way
    let cookie = crate::pages::sign_in_cookie(app, "clerk").await;
    let (status, html) = crate::pages::page(app, &format!("/cases/{id}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("110***********002X") && !html.contains(PERSON));
    assert!(!html.contains("海滨小区") && html.contains("id=\"reveal-personal\""));
    let (status, html) = crate::pages::page(app, &format!("/cases/{id}?personal=1"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(PERSON) && html.contains("海滨小区"));
    assert!(!html.contains("id=\"reveal-personal\""));
    assert_eq!(looks(app.get(&audit, &admin).await.1).len(), 2);
});
