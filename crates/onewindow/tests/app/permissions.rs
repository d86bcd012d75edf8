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
