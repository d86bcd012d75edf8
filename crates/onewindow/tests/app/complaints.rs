//! Complaints (投诉) over the API, on both databases: lodged on the web by the complainant or
//! recorded by the office from the hotline; accepted to a department, answered by it, closed with
//! the complainant's satisfaction, or refused; who may do each; the figures.

use crate::each_app;
use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn complaint(source: &str, dept: Option<i64>) -> Value {
    json!({
        "source": source,
        "complainant_name": "王先生",
        "complainant_phone": "13912345678",
        "department_id": dept,
        "subject": "窗口要求提交清单外材料",
        "content": "办理个体工商户登记时，窗口要求提供清单外的房屋产权证明原件。"
    })
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/complaints/{id}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

each_app!(complaints_are_accepted_answered_closed_or_refused, |app| {
    let citizen = app.token("citizen").await;
    let clerk = app.token("clerk").await;
    let leader = app.token("leader").await;
    let supervisor = app.token("supervisor").await;
    // The district leader covers every department of the district.
    let (_, depts) = app.get("/api/v1/departments", &supervisor).await;
    let dept = depts.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (_, listed) = app.get("/api/v1/complaints", &supervisor).await;
    let demo_complaints = listed.as_array().unwrap().len();
    let (_, before) = app.get("/api/v1/complaints/stats", &supervisor).await;
    let count = |f: &Value, path: &[&str]| {
        let mut v = f;
        for p in path {
            v = &v[*p];
        }
        v.as_i64().unwrap_or(0)
    };
    let lodge = |token: String, body: Value| async move {
        app.call(Method::POST, "/api/v1/complaints", Some(&token), Some(body))
            .await
    };

    // Who lodges what; bad input named.
    let (s, e) = lodge(citizen.clone(), complaint("hotline", Some(dept))).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("source")),
        "{e}"
    );
    let (s, _) = lodge(clerk.clone(), complaint("hotline", Some(dept))).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let mut bad = complaint("web", Some(dept));
    bad["complainant_phone"] = json!("12345");
    let (s, e) = lodge(citizen.clone(), bad).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("complainant_phone"))
    );
    let mut bad = complaint("web", Some(dept));
    bad["case_number"] = json!("NO-SUCH-CASE");
    let (s, e) = lodge(citizen.clone(), bad).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("case_number"))
    );
    let (s, e) = lodge(citizen.clone(), complaint("web", Some(999_999))).await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_id"))
    );
    let (_, listed) = app.get("/api/v1/complaints", &supervisor).await;
    assert_eq!(
        listed.as_array().unwrap().len(),
        demo_complaints,
        "nothing half-written"
    );

    let (s, web) = lodge(citizen.clone(), complaint("web", Some(dept))).await;
    assert_eq!(s, StatusCode::CREATED, "{web}");
    assert!(web["number"].as_str().unwrap().starts_with("TS"));
    assert_eq!(web["progress"]["state"], "received");
    let id = web["id"].as_i64().unwrap();
    let (s, hot) = lodge(supervisor.clone(), complaint("hotline", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{hot}");
    let hot = hot["id"].as_i64().unwrap();

    // The office accepts it to the department; the department answers; the office closes.
    let (s, _) = act(
        app,
        &leader,
        id,
        json!({"version": 1, "action": "accept", "department_id": dept}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "acceptance is the office's");
    let (s, e) = act(
        app,
        &supervisor,
        id,
        json!({"version": 1, "action": "close", "satisfaction": 5}),
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str()),
        (StatusCode::CONFLICT, Some("wrong_state")),
        "{e}"
    );
    let (s, v) = act(
        app,
        &supervisor,
        id,
        json!({"version": 1, "action": "accept", "department_id": dept}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["progress"]["state"], "handling");
    assert!(v["answer_due"].is_string());
    let (s, e) = act(
        app,
        &leader,
        id,
        json!({"version": 1, "action": "answer", "reply": "x"}),
    )
    .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::CONFLICT, Some("version")),
        "{e}"
    );
    let (s, _) = act(
        app,
        &supervisor,
        id,
        json!({"version": 2, "action": "answer", "reply": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "the answer is the department's");
    let (s, v) = act(app, &leader, id, json!({"version": 2, "action": "answer", "reply": "已核实，窗口人员要求不当，已批评教育并退回多收材料"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = act(
        app,
        &supervisor,
        id,
        json!({"version": 3, "action": "close", "satisfaction": 4, "note": "投诉人表示满意"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["progress"]["state"], "closed");
    let (s, e) = act(
        app,
        &supervisor,
        hot,
        json!({"version": 1, "action": "refuse", "reason": " "}),
    )
    .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("reason"))
    );
    let (s, _) = act(app, &supervisor, hot, json!({"version": 1, "action": "refuse", "reason": "不属于政务服务投诉范围，已告知向相关部门反映"})).await;
    assert_eq!(s, StatusCode::OK);

    // The complainant follows their own; not others'.
    let (s, v) = app.get(&format!("/api/v1/complaints/{id}"), &citizen).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let actions: Vec<&str> = v["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["lodge", "accept", "answer", "close"]);
    assert_eq!(v["may"], json!([]));
    let (s, _) = app
        .get(&format!("/api/v1/complaints/{hot}"), &citizen)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, mine) = app.get("/api/v1/complaints", &citizen).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // The figures.
    let dept_key = dept.to_string();
    let (s, f) = app.get("/api/v1/complaints/stats", &supervisor).await;
    assert_eq!(s, StatusCode::OK, "{f}");
    for (field, more) in [
        ("received", 2),
        ("closed", 1),
        ("refused", 1),
        ("answered", 1),
    ] {
        assert_eq!(
            count(&f, &["total", field]),
            count(&before, &["total", field]) + more,
            "{field}: {f}"
        );
    }
    assert_eq!(f["total"]["on_time_rate"], 100.0);
    assert!(f["total"]["avg_satisfaction"].as_f64().is_some());
    let line = |f: &Value, key: &str, list: &str| {
        f[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"].as_str() == Some(key))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        count(&line(&f, &dept_key, "by_department"), &["answered"]),
        count(&line(&before, &dept_key, "by_department"), &["answered"]) + 1
    );
    assert_eq!(
        count(&line(&f, "hotline", "by_source"), &["received"]),
        count(&line(&before, "hotline", "by_source"), &["received"]) + 1
    );
    let (s, _) = app.get("/api/v1/complaints/stats", &clerk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = app
        .get(
            "/api/v1/complaints/stats?from=2026-06-01&to=2026-01-01",
            &supervisor,
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("from"))
    );

    // A web complaint that names no department lands on the district's desk (not the
    // province's, where no one here sits): the district's supervisor lists it and takes it to
    // its answer, and the complainant reads the answer.
    let (s, c) = lodge(citizen.clone(), complaint("web", None)).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let loose = c["id"].as_i64().unwrap();
    let admin = app.token("admin").await;
    let (_, regions) = app.get("/api/v1/regions", &admin).await;
    let district = regions
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "211403")
        .unwrap()["id"]
        .clone();
    assert_eq!(c["region_id"], district, "{c}");
    for t in [&supervisor, &admin] {
        let (_, listed) = app.get("/api/v1/complaints", t).await;
        assert!(
            listed.as_array().unwrap().iter().any(|x| x["id"] == loose),
            "the district's desks list it"
        );
    }
    let (s, v) = act(
        app,
        &supervisor,
        loose,
        json!({"version": 1, "action": "accept", "department_id": dept}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = act(app, &leader, loose, json!({"version": 2, "action": "answer", "reply": "已联系投诉人，按清单受理，不再要求清单外材料"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v) = app
        .get(&format!("/api/v1/complaints/{loose}"), &citizen)
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["complaint"]["progress"]["state"], "answered", "{v}");
    assert!(v.to_string().contains("不再要求清单外材料"), "{v}");
});

each_app!(
    a_complaint_goes_through_its_pages_and_the_figures_export,
    |app| {
        use crate::pages::{page, sign_in_cookie};
        let post = |cookie: String,
                    form_page: String,
                    to: String,
                    fields: Vec<(&'static str, String)>| async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::pages::post_form(app, &cookie, &form_page, &to, &fields).await
        };
        let citizen = sign_in_cookie(app, "citizen").await;
        let (s, html) = page(app, "/complaints", &citizen).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"complaint-form\""));
        let at = html
            .find("name=\"department_id\"")
            .expect("the public pick a department");
        let opt = &html[at..];
        let start = opt.find("<option value=\"").unwrap() + 15;
        let start = start + opt[start..].find("<option value=\"").unwrap() + 15;
        let dept: String = opt[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (s, to) = post(
            citizen.clone(),
            "/complaints".into(),
            "/complaints".into(),
            vec![
                ("source", "web".into()),
                ("complainant_name", "王先生".into()),
                ("complainant_phone", "13912345678".into()),
                ("department_id", dept.clone()),
                ("subject", "<b>窗口推诿</b>".into()),
                ("content", "多次往返仍未办成".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let path = to.split('?').next().unwrap().to_string();
        let (_, html) = page(app, &path, &citizen).await;
        assert!(html.contains("&lt;b&gt;窗口推诿"), "escaped");
        assert!(
            !html.contains("id=\"complaint-accept\""),
            "the complainant only follows it"
        );

        let supervisor = sign_in_cookie(app, "supervisor").await;
        let (_, html) = page(app, &path, &supervisor).await;
        assert!(
            html.contains("id=\"complaint-accept\"") && html.contains("id=\"complaint-refuse\"")
        );
        let (s, _) = post(
            supervisor.clone(),
            path.clone(),
            path.clone(),
            vec![
                ("version", "1".into()),
                ("action", "accept".into()),
                ("department_id", dept.clone()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let leader = sign_in_cookie(app, "leader").await;
        let (_, html) = page(app, &path, &leader).await;
        assert!(
            html.contains("id=\"complaint-answer\""),
            "the department answers"
        );
        let (s, _) = post(
            leader.clone(),
            path.clone(),
            path.clone(),
            vec![
                ("version", "2".into()),
                ("action", "answer".into()),
                ("reply", "已当面致歉并办结".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, &path, &citizen).await;
        assert!(html.contains("已当面致歉并办结"));

        let res = app
            .http
            .get(app.url("/complaints/stats.xlsx"))
            .header("cookie", &supervisor)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let rows = crate::pages::sheet(res).await;
        assert_eq!(rows[0][0], "名称");
        let token = app.token("supervisor").await;
        let (_, f) = app.get("/api/v1/complaints/stats", &token).await;
        let received: i64 = rows[1..].iter().map(|r| r[1].parse::<i64>().unwrap()).sum();
        assert_eq!(Some(received), f["total"]["received"].as_i64(), "{rows:?}");
    }
);

each_app!(
    supervisors_report_and_each_report_is_followed_to_its_outcome,
    |app| {
        let supervisor = app.token("supervisor").await;
        let enterprise = app.token("enterprise").await;
        let leader = app.token("leader").await;
        let citizen = app.token("citizen").await;
        let clerk = app.token("clerk").await;
        let (_, depts) = app.get("/api/v1/departments", &supervisor).await;
        let dept = depts.as_array().unwrap()[0]["id"].as_i64().unwrap();
        let (_, me) = app.get("/api/v1/me", &citizen).await;
        let citizen_id = me["user"]["id"].as_i64().unwrap();
        let (_, me) = app.get("/api/v1/me", &enterprise).await;
        let enterprise_id = me["user"]["id"].as_i64().unwrap();
        let appoint = |token: String, body: Value| async move {
            app.call(
                Method::POST,
                "/api/v1/supervisors",
                Some(&token),
                Some(body),
            )
            .await
        };
        let who = |user: Option<i64>| {
            json!({
                "name": "赵经理", "phone": "13812345678", "enterprise": "葫芦岛宏跃北方铜业有限责任公司",
                "department_id": dept, "user_id": user, "appointed_on": "2026-01-05"
            })
        };
        let (s, _) = appoint(clerk.clone(), who(None)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let mut bad = who(None);
        bad["uscc"] = json!("91211400MA0000000X");
        let (s, e) = appoint(supervisor.clone(), bad).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("uscc")),
            "{e}"
        );
        let (s, e) = appoint(supervisor.clone(), who(Some(citizen_id))).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id")),
            "{e}"
        );
        let (s, sup) = appoint(supervisor.clone(), who(Some(enterprise_id))).await;
        assert_eq!(s, StatusCode::CREATED, "{sup}");
        let sid = sup["id"].as_i64().unwrap();
        let (_, list) = app.get("/api/v1/supervisors", &supervisor).await;
        assert!(list.as_array().unwrap().iter().any(|x| x["id"] == sid));

        // The supervisor reports from their own account; the office records one for them.
        let report = |kind: &str, day: &str| {
            json!({"report": {
        "kind": kind, "visited_on": day, "place": "区政务服务中心二楼", "department_id": dept,
        "findings": "午间只开一个窗口，排队二十余人", "suggestions": "午间错峰轮岗"}})
        };
        let file = |token: String, body: Value| async move {
            app.call(
                Method::POST,
                "/api/v1/supervisor-reports",
                Some(&token),
                Some(body),
            )
            .await
        };
        let (s, e) = file(enterprise.clone(), report("visit", "2999-01-01")).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("visited_on"))
        );
        let (s, _) = file(citizen.clone(), report("visit", "2026-01-10")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "not a supervisor");
        let (s, r1) = file(enterprise.clone(), report("inspection", "2026-01-10")).await;
        assert_eq!(s, StatusCode::CREATED, "{r1}");
        assert_eq!(r1["state"], "open");
        let (s, e) = file(supervisor.clone(), report("visit", "2026-01-11")).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("supervisor_id"))
        );
        let mut by_office = report("suggestion", "2026-01-11");
        by_office["supervisor_id"] = json!(sid);
        let (s, r2) = file(supervisor.clone(), by_office).await;
        assert_eq!(s, StatusCode::CREATED, "{r2}");

        // What came of each: one referred and resolved by the department, one noted.
        let act = |token: String, id: i64, body: Value| async move {
            app.call(
                Method::POST,
                &format!("/api/v1/supervisor-reports/{id}/actions"),
                Some(&token),
                Some(body),
            )
            .await
        };
        let (r1, r2) = (r1["id"].as_i64().unwrap(), r2["id"].as_i64().unwrap());
        let (s, _) = act(
            leader.clone(),
            r1,
            json!({"version": 1, "action": "refer", "department_id": dept}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "referral is the office's");
        let (s, v) = act(
            supervisor.clone(),
            r1,
            json!({"version": 1, "action": "refer", "department_id": dept}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, e) = act(
            leader.clone(),
            r1,
            json!({"version": 1, "action": "resolve", "outcome": "x"}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("version"))
        );
        let (s, v) = act(
            leader.clone(),
            r1,
            json!({"version": 2, "action": "resolve", "outcome": "午间实行错峰轮岗，增开两个窗口"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "resolved");
        let (s, e) = act(
            supervisor.clone(),
            r2,
            json!({"version": 1, "action": "resolve", "outcome": "x"}),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "resolving is the department's: {e}"
        );
        let (s, v) = act(
            supervisor.clone(),
            r2,
            json!({"version": 1, "action": "note", "outcome": "建议已纳入年度工作计划"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["state"], "noted");
        let (_, mine) = app.get("/api/v1/supervisor-reports", &enterprise).await;
        let states: Vec<&str> = mine
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["state"].as_str().unwrap())
            .collect();
        assert_eq!(
            states,
            ["noted", "resolved"],
            "the supervisor sees what came of each"
        );
        let (_, trail) = app
            .get("/api/v1/audit?target_type=supervisor_report", &supervisor)
            .await;
        let ours = trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target_id"] == r1 || e["target_id"] == r2)
            .count();
        assert_eq!(ours, 5, "file ×2, refer, resolve, note: {trail}");
    }
);

each_app!(
    the_supervisors_page_appoints_files_and_follows_reports,
    |app| {
        use crate::pages::{page, sign_in_cookie};
        let post = |cookie: String, to: String, fields: Vec<(&'static str, String)>| async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            crate::pages::post_form(app, &cookie, "/supervisors", &to, &fields).await
        };
        let office = sign_in_cookie(app, "supervisor").await;
        let (s, html) = page(app, "/supervisors", &office).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"appoint-form\""));
        let at = html.find("name=\"department_id\"").unwrap();
        let v = &html[at..];
        let start = v.find("<option value=\"").unwrap() + 15;
        let dept: String = v[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (s, body) = post(
            office.clone(),
            "/supervisors".into(),
            vec![
                ("name", "钱经理".into()),
                ("phone", "13812345678".into()),
                ("enterprise", "龙港区某商贸有限公司".into()),
                ("department_id", dept.clone()),
                ("appointed_on", "2026-01-05".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(app, "/supervisors", &office).await;
        assert!(html.contains("钱经理") && html.contains("id=\"report-form\""));
        let at = html.find("name=\"supervisor_id\"").unwrap();
        let v = &html[at..];
        let start = v.find("<option value=\"").unwrap() + 15;
        let sid: String = v[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (s, body) = post(
            office.clone(),
            "/supervisors/reports".into(),
            vec![
                ("supervisor_id", sid),
                ("kind", "visit".into()),
                ("visited_on", "2026-01-20".into()),
                ("place", "区政务服务中心".into()),
                ("findings", "自助终端故障无人处理".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(app, "/supervisors", &office).await;
        let at = html.find("id=\"refer-").expect("the office refers it");
        let rid: String = html[at + 10..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let (s, _) = post(
            office.clone(),
            format!("/supervisors/reports/{rid}"),
            vec![
                ("version", "1".into()),
                ("action", "refer".into()),
                ("department_id", dept.clone()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let leader = sign_in_cookie(app, "leader").await;
        let (_, html) = page(app, "/supervisors", &leader).await;
        assert!(
            html.contains(&format!("id=\"resolve-{rid}\"")),
            "the department answers"
        );
        let (s, _) = post(
            leader.clone(),
            format!("/supervisors/reports/{rid}"),
            vec![
                ("version", "2".into()),
                ("action", "resolve".into()),
                ("outcome", "已维修并安排专人值守".into()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = page(app, "/supervisors", &office).await;
        assert!(html.contains("已维修并安排专人值守") && html.contains("已办结"));
        // An enterprise account is offered the page only once appointed, from its home.
        let ent = sign_in_cookie(app, "enterprise").await;
        let (_, html) = page(app, "/", &ent).await;
        assert!(!html.contains("href=\"/supervisors\""));
        let (_, me) = app
            .call(
                Method::GET,
                "/api/v1/me",
                Some(&app.token("enterprise").await),
                None,
            )
            .await;
        let (s, body) = post(
            office.clone(),
            "/supervisors".into(),
            vec![
                ("name", "孙总".into()),
                ("phone", "13812345679".into()),
                ("enterprise", "葫芦岛市龙港建设有限公司".into()),
                ("department_id", dept),
                ("appointed_on", "2026-01-05".into()),
                ("user_id", me["user"]["id"].to_string()),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        let (_, html) = page(app, "/", &ent).await;
        assert!(html.contains("href=\"/supervisors\""), "{html}");
        let (s, html) = page(app, "/supervisors", &ent).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"report-form\""));
    }
);
