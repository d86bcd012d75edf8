//! Role and scope: every cross-department read and write is refused, and only administrators
//! write, each within their own scope.

use crate::each_app;
use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Side {
    token: String,
    dept: Value,
    user: Value,
}

async fn side(app: &TestApp, admin: &str, username: &str) -> Side {
    let token = app.token(username).await;
    let user = app.find("/api/v1/users", admin, "username", username).await;
    let (_, dept) = app
        .get(
            &format!("/api/v1/departments/{}", user["department_id"]),
            admin,
        )
        .await;
    Side { token, dept, user }
}

/// Every read and write of `other`'s records with `me`'s token is refused with 403, and nothing
/// changes.
async fn refused_across(app: &TestApp, admin: &str, me: &Side, other: &Side) {
    let d = other.dept["id"].as_i64().unwrap();
    let u = other.user["id"].as_i64().unwrap();
    let dv = other.dept["version"].clone();
    let uv = other.user["version"].clone();
    let attempts: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, format!("/api/v1/departments/{d}"), None),
        (
            Method::PATCH,
            format!("/api/v1/departments/{d}"),
            Some(json!({"version": dv, "name": "被改了"})),
        ),
        (
            Method::PUT,
            format!("/api/v1/departments/{d}/active"),
            Some(json!({"version": dv, "active": false})),
        ),
        (Method::GET, format!("/api/v1/users/{u}"), None),
        (
            Method::PATCH,
            format!("/api/v1/users/{u}"),
            Some(json!({"version": uv, "display_name": "被改了"})),
        ),
        (
            Method::PUT,
            format!("/api/v1/users/{u}/active"),
            Some(json!({"version": uv, "active": false})),
        ),
        (
            Method::POST,
            format!("/api/v1/users/{u}/password"),
            Some(json!({"version": uv, "new_password": "taken-over-1"})),
        ),
        (
            Method::GET,
            format!("/api/v1/audit?target_type=department&target_id={d}"),
            None,
        ),
        (
            Method::GET,
            format!("/api/v1/audit?target_type=user&target_id={u}"),
            None,
        ),
        (
            Method::POST,
            "/api/v1/users".into(),
            Some(
                json!({"username": "planted", "display_name": "x", "password": "planted-pass-1", "roles": ["clerk"], "department_id": d}),
            ),
        ),
    ];
    for (m, path, body) in attempts {
        let (s, b) = app.call(m.clone(), &path, Some(&me.token), body).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{m} {path} was not refused: {b}");
        assert_eq!(b["code"], "forbidden");
    }
    // nothing changed
    let (_, after) = app.get(&format!("/api/v1/departments/{d}"), admin).await;
    assert_eq!(after, other.dept);
    let (_, after) = app.get(&format!("/api/v1/users/{u}"), admin).await;
    assert_eq!(
        (after["version"].clone(), after["active"].clone()),
        (uv, json!(true))
    );
    assert_eq!(
        app.get("/api/v1/me", &other.token).await.0,
        StatusCode::OK,
        "the other account was not taken over"
    );
    // lists show only one's own department
    let (_, depts) = app.get("/api/v1/departments", &me.token).await;
    let ids: Vec<i64> = depts
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![me.dept["id"].as_i64().unwrap()]);
    let (_, users) = app.get("/api/v1/users", &me.token).await;
    assert!(
        users
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["department_id"] == me.dept["id"]),
        "{users}"
    );
    let (_, trail) = app.get("/api/v1/audit?limit=1000", &me.token).await;
    let trail = trail.as_array().unwrap();
    assert!(!trail.is_empty());
    assert!(
        trail.iter().all(|e| e["department_id"] == me.dept["id"]),
        "someone else's trail leaked"
    );
    // and the pages refuse as well
    let cookie = crate::pages::sign_in_cookie(app, me.user["username"].as_str().unwrap()).await;
    for path in [
        format!("/admin/departments/{d}"),
        format!("/admin/users/{u}"),
        format!("/audit?target_type=department&target_id={d}"),
    ] {
        let res = app
            .http
            .get(app.url(&path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "page {path}");
        assert!(
            res.text().await.unwrap().contains("无权"),
            "page {path} explains the refusal"
        );
    }
}

each_app!(every_cross_department_read_and_write_is_refused, |app| {
    let admin = app.token("admin").await;
    // approver-sthj: 生态环境分局; approver: 住房和城乡建设局 (the clerk works district-wide at
    // the comprehensive window, the steward in the district)
    let ecology = side(app, &admin, "approver-sthj").await;
    let approver = side(app, &admin, "approver").await;
    assert_ne!(ecology.dept["id"], approver.dept["id"]);
    refused_across(app, &admin, &ecology, &approver).await;
    refused_across(app, &admin, &approver, &ecology).await;
});

each_app!(a_department_administrator_stays_in_the_department, |app| {
    let admin = app.token("admin").await;
    let civil = app
        .find("/api/v1/departments", &admin, "name", "龙港区民政局")
        .await;
    let health = app
        .find("/api/v1/departments", &admin, "name", "龙港区卫生健康局")
        .await;
    let district = app.find("/api/v1/regions", &admin, "code", "211403").await;
    let (s, _) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "civil.admin", "display_name": "民政局管理员", "password": "civil-admin-1", "roles": ["admin"], "department_id": civil["id"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, t) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "civil.admin", "password": "civil-admin-1"})),
        )
        .await;
    let t = t["token"].as_str().unwrap().to_string();
    // own department: edit yes, deactivate no (that is the region's administrator's)
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/departments/{}", civil["id"]),
            Some(&t),
            Some(json!({"version": civil["version"], "phone": "0429-1234000"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/departments/{}/active", civil["id"]),
            Some(&t),
            Some(json!({"version": 2, "active": false})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // users: in its department yes, in another no, and no region-wide accounts
    let mk = |dept: &Value, name: &str| json!({"username": name, "display_name": name, "password": "some-pass-1", "roles": ["clerk"], "department_id": dept["id"]});
    assert_eq!(
        app.call(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(mk(&civil, "civil.clerk"))
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        app.call(
            Method::POST,
            "/api/v1/users",
            Some(&t),
            Some(mk(&health, "health.clerk"))
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let regionwide = json!({"username": "wide", "display_name": "wide", "password": "some-pass-1", "roles": ["supervisor"], "region_id": district["id"]});
    assert_eq!(
        app.call(Method::POST, "/api/v1/users", Some(&t), Some(regionwide))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // no new departments, regions or halls
    let uscc = onewindow_core::validate::uscc::build('1', '1', "211403", "MB888888").unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/departments",
            Some(&t),
            Some(json!({"name": "x", "uscc": uscc, "region_id": district["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/regions",
            Some(&t),
            Some(json!({"code": "211403007", "name": "x", "parent_id": district["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // and the other department is out of sight
    assert_eq!(
        app.get(&format!("/api/v1/departments/{}", health["id"]), &t)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
});

each_app!(only_administrators_write, |app| {
    let admin = app.token("admin").await;
    let district = app.find("/api/v1/regions", &admin, "code", "211403").await;
    let street = app
        .find("/api/v1/regions", &admin, "code", "211403001")
        .await;
    for (i, role) in onewindow_core::identity::Role::ALL.iter().enumerate() {
        let t = app.token(role.code()).await;
        let uscc =
            onewindow_core::validate::uscc::build('1', '1', "211403", &format!("MB5000{i:02}"))
                .unwrap();
        let (s, b) = app
            .call(
                Method::POST,
                "/api/v1/departments",
                Some(&t),
                Some(
                    json!({"name": format!("部门{i}"), "uscc": uscc, "region_id": district["id"]}),
                ),
            )
            .await;
        let expected = if *role == onewindow_core::identity::Role::Admin {
            StatusCode::CREATED
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(s, expected, "{role:?} creating a department: {b}");
        let (s, _) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/regions/{}", street["id"]),
                Some(&t),
                Some(json!({"version": street["version"], "name": "滨海街道"})),
            )
            .await;
        if *role == onewindow_core::identity::Role::Admin {
            assert_eq!(s, StatusCode::OK);
        } else {
            assert_eq!(s, StatusCode::FORBIDDEN, "{role:?} editing a region");
        }
        // the public have no staff lists at all
        if !role.is_staff() {
            assert_eq!(
                app.get("/api/v1/departments", &t).await.0,
                StatusCode::FORBIDDEN
            );
            assert_eq!(app.get("/api/v1/users", &t).await.0, StatusCode::FORBIDDEN);
            assert_eq!(app.get("/api/v1/audit", &t).await.0, StatusCode::FORBIDDEN);
            // but they see their own account
            assert_eq!(app.get("/api/v1/me", &t).await.0, StatusCode::OK);
        }
    }
});

each_app!(
    refusals_and_failed_sign_ins_are_in_the_security_log,
    |app| {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let citizen = app.token("citizen").await;
        // someone walks case ids, a citizen reaches for the accounts, a password is guessed
        for id in [999_991, 999_992, 999_993] {
            let (s, _) = app.get(&format!("/api/v1/cases/{id}"), &clerk).await;
            assert_eq!(s, StatusCode::NOT_FOUND);
        }
        let (s, _) = app.get("/api/v1/users/1", &citizen).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{s}"
        );
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "clerk", "password": "guess-1234"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        // an unknown path is no record: not logged
        let (s, _) = app.get("/api/v1/no-such-thing", &clerk).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // the log is written beside the requests: wait for it
        let mut log = Value::Null;
        for _ in 0..50 {
            let (s, l) = app.get("/api/v1/security-log", &admin).await;
            assert_eq!(s, StatusCode::OK, "{l}");
            log = l;
            if log["events"].as_array().unwrap().len() >= 5 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let events = log["events"].as_array().unwrap();
        let walked: Vec<&Value> = events
            .iter()
            .filter(|e| e["kind"] == "not_found" && e["username"] == "clerk")
            .collect();
        assert_eq!(walked.len(), 3, "{log}");
        assert!(
            walked
                .iter()
                .any(|e| e["path"] == "/api/v1/cases/999992" && e["method"] == "GET")
        );
        assert!(
            walked
                .iter()
                .all(|e| !e["addr"].as_str().unwrap().is_empty())
        );
        assert!(
            events
                .iter()
                .any(|e| e["username"] == "citizen" && e["path"] == "/api/v1/users/1"),
            "{log}"
        );
        assert!(
            events.iter().any(|e| e["kind"] == "sign_in_failed"
                && e["username"] == "clerk"
                && e["status"] == 401),
            "{log}"
        );
        assert!(
            !events.iter().any(|e| e["path"] == "/api/v1/no-such-thing"),
            "{log}"
        );
        assert!(
            log["sources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["username"] == "clerk"),
            "{log}"
        );
        // counted in the metrics
        let metrics = app
            .http
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for kind in ["not_found", "forbidden", "sign_in_failed"] {
            assert!(
                metrics.contains(&format!(
                    "onewindow_security_events_total{{kind=\"{kind}\"}}"
                )),
                "{kind} not in the metrics"
            );
        }
        // the administrator's alone
        for who in ["supervisor", "clerk", "leader"] {
            let t = app.token(who).await;
            let (s, _) = app.get("/api/v1/security-log", &t).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        }
        let (s, e) = app.get("/api/v1/security-log?kind=nonsense", &admin).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("kind"))
        );
        // the audit checkpoints: none yet, then the latest printed and downloadable as the file
        // `audit verify --against` reads; only for the administrator
        let cookie = crate::pages::sign_in_cookie(app, "admin").await;
        let (s, html) = crate::pages::page(app, "/admin/audit/checkpoints", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("<h1>审计检查点</h1>") && html.contains("尚无检查点"),
            "{html}"
        );
        let taken = app.db().store.take_audit_checkpoint().await.unwrap();
        let (s, html) = crate::pages::page(app, "/admin/audit/checkpoints", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("最新检查点") && html.contains(&taken.root),
            "{html}"
        );
        assert_eq!(
            html.matches("<tr><td class=\"num\">").count(),
            16,
            "every chain's head"
        );
        let file = app
            .http
            .get(app.url("/admin/audit/checkpoints/latest.json"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), StatusCode::OK);
        let got: onewindow_core::audit::Checkpoint = file.json().await.unwrap();
        assert_eq!(got, taken);
        let (_, audit_html) = crate::pages::page(app, "/audit", &cookie).await;
        assert!(
            audit_html.contains("/admin/audit/checkpoints"),
            "linked from 操作记录"
        );
        let sv = crate::pages::sign_in_cookie(app, "supervisor").await;
        let (s, _) = crate::pages::page(app, "/admin/audit/checkpoints", &sv).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // the page
        let (s, html) = crate::pages::page(app, "/admin/security?kind=not_found", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("安全日志") && html.contains("/api/v1/cases/999991"));
        assert!(html.contains("访问不存在的记录"));
        // past the threshold (20 by default), a source is an alert
        for id in 0..20 {
            app.get(&format!("/api/v1/cases/{}", 990_000 + id), &clerk)
                .await;
        }
        let mut alerts = 0;
        for _ in 0..50 {
            let (_, l) = app.get("/api/v1/security-log", &admin).await;
            alerts = l["alerts"].as_i64().unwrap();
            if alerts > 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(alerts, 1);

        // A staff member's phone is not in the trail that the district's staff read.
        let (_, depts) = app.get("/api/v1/departments", &admin).await;
        let dept = depts[0]["id"].clone();
        let (s, u) = app
        .call(
            Method::POST,
            "/api/v1/users",
            Some(&admin),
            Some(json!({"username": "new.clerk", "display_name": "新窗口", "password": "first-pass-1",
                        "roles": ["clerk"], "department_id": dept, "phone": "13904291234"})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
        let supervisor = app.token("supervisor").await;
        let (s, trail) = app
            .get(
                &format!("/api/v1/audit?target_type=user&target_id={}", u["id"]),
                &supervisor,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{trail}");
        assert!(trail.to_string().contains("user.create"), "{trail}");
        assert!(!trail.to_string().contains("13904291234"), "{trail}");
        assert!(trail.to_string().contains("139****1234"), "{trail}");
    }
);
