//! The JSON API: sign-in, error bodies, validation, conflicts, limits, the OpenAPI document.

use crate::each_app;
use crate::support::{PASSWORD, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

each_app!(health_readiness_and_metrics, |app| {
    let (s, h) = app.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h["status"], "ok");
    assert_eq!(h["database"], app.db().kind);
    let (s, r) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!((s, r["status"].as_str()), (StatusCode::OK, Some("ready")));
    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    assert!(text.contains("onewindow_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/readyz\""), "{text}");
    // with the database gone, the process is alive but not ready
    app.db().store.close().await;
    let (s, r) = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (s, r["status"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable"))
    );
    assert_eq!(
        app.call(Method::GET, "/healthz", None, None).await.0,
        StatusCode::OK
    );
});

each_app!(tokens_sign_in_and_out, |app| {
    let (s, _) = app.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let token = app.token("clerk").await;
    let (s, me) = app.get("/api/v1/me", &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["user"]["username"], "clerk");
    assert_eq!(me["user"]["roles"], json!(["clerk"]));
    assert!(
        me.get("csrf_token").is_none(),
        "bearer calls need no CSRF token"
    );
    let (s, _) = app
        .call(Method::DELETE, "/api/v1/auth/token", Some(&token), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app.get("/api/v1/me", &token).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "clerk", "password": "wrong-1"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "用户名或密码错误");
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // and the trail shows the sign-in and sign-out
    let admin = app.token("admin").await;
    let clerk = app.find("/api/v1/users", &admin, "username", "clerk").await;
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=user&target_id={}", clerk["id"]),
            &admin,
        )
        .await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"auth.token") && actions.contains(&"auth.logout"),
        "{actions:?}"
    );
});

each_app!(errors_name_the_field_in_the_readers_language, |app| {
    let admin = app.token("admin").await;
    let district = app.find("/api/v1/regions", &admin, "code", "211403").await;
    let post = |body: &'static str, lang_en: bool| {
        let mut req = app
            .http
            .post(app.url("/api/v1/departments"))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body(body);
        if lang_en {
            req = req.header("accept-language", "en");
        }
        req.send()
    };
    // malformed JSON
    let res = post("{\"name\": ", false).await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["field"], "body");
    assert!(
        b["message"].as_str().unwrap().contains("不是有效的 JSON"),
        "{b}"
    );
    // a missing field, in Chinese and in English
    let res = post("{\"name\": \"x\", \"region_id\": 1}", false)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert_eq!(
        (b["code"].as_str(), b["field"].as_str()),
        (Some("bad_request"), Some("uscc"))
    );
    assert_eq!(b["message"], "字段 uscc：缺少必填字段");
    let res = post("{\"name\": \"x\", \"region_id\": 1}", true)
        .await
        .unwrap();
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["message"], "field uscc: this field is required");
    // a wrong type and an unknown field
    let res = post(
        "{\"name\": \"x\", \"uscc\": \"x\", \"region_id\": \"one\"}",
        false,
    )
    .await
    .unwrap();
    let b: Value = res.json().await.unwrap();
    assert_eq!(
        (b["field"].as_str(), res_status_is_400(&b)),
        (Some("region_id"), true)
    );
    let res = post(
        "{\"name\": \"x\", \"uscc\": \"x\", \"region_id\": 1, \"colour\": 1}",
        false,
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["field"], "colour");
    // a rule broken: 422 with the reason
    let (s, b) = app
        .call_with(
            Method::POST,
            "/api/v1/departments",
            Some(&admin),
            Some(json!({"name": "x", "uscc": "91350100M000100Y44", "region_id": district["id"]})),
            en(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["field"], "uscc");
    assert!(
        b["message"]
            .as_str()
            .unwrap()
            .contains("character 18 should be 3"),
        "{b}"
    );
    // not JSON at all
    let res = app
        .http
        .post(app.url("/api/v1/departments"))
        .bearer_auth(&admin)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // nothing was written by any of these
    let (_, list) = app.get("/api/v1/departments", &admin).await;
    assert_eq!(list.as_array().unwrap().len(), 17);
    // a path id that is not a number
    let (s, b) = app.get("/api/v1/departments/abc", &admin).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("id"))
    );
    let (s, b) = app.get("/api/v1/halls/x/zones", &admin).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("hall_id"))
    );
    let (s, b) = app.get("/api/v1/audit?target_id=x", &admin).await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("target_id"))
    );
    // unknown endpoint and wrong method: JSON errors too
    let (s, b) = app.get("/api/v1/nothing-here", &admin).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );
    let (s, b) = app
        .call(Method::DELETE, "/api/v1/regions", Some(&admin), None)
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
});

fn res_status_is_400(b: &Value) -> bool {
    b["code"] == "bad_request"
}

each_app!(oversize_bodies_get_413, |app| {
    let admin = app.token("admin").await;
    let big = format!(
        "{{\"name\": \"{}\", \"uscc\": \"x\", \"region_id\": 1}}",
        "长".repeat(600_000)
    );
    let res = app
        .http
        .post(app.url("/api/v1/departments"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let b: Value = res.json().await.unwrap();
    assert_eq!(b["code"], "payload_too_large");
});

each_app!(organisation_round_trip_with_versions_and_conflicts, |app| {
    let admin = app.token("admin").await;
    let district = app.find("/api/v1/regions", &admin, "code", "211403").await;
    let uscc = onewindow_core::validate::uscc::build('1', '1', "211403", "MB777777").unwrap();
    let (s, d) = app
        .call(
            Method::POST,
            "/api/v1/departments",
            Some(&admin),
            Some(json!({"name": "龙港区数据局", "uscc": uscc, "region_id": district["id"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{d}");
    let id = d["id"].as_i64().unwrap();
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/departments",
            Some(&admin),
            Some(json!({"name": "重复", "uscc": uscc, "region_id": district["id"]})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::CONFLICT, Some("uscc"))
    );
    let (s, d2) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/departments/{id}"),
            Some(&admin),
            Some(json!({"version": 1, "phone": "0429-5550000"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d2}");
    assert_eq!(d2["version"], 2);
    let (s, b) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/departments/{id}"),
            Some(&admin),
            Some(json!({"version": 1, "name": "x"})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::CONFLICT, Some("version"))
    );
    let (s, d3) = app
        .call(
            Method::PUT,
            &format!("/api/v1/departments/{id}/active"),
            Some(&admin),
            Some(json!({"version": 2, "active": false})),
        )
        .await;
    assert_eq!((s, d3["active"].as_bool()), (StatusCode::OK, Some(false)));
    let (s, _) = app.get(&format!("/api/v1/departments/{id}"), &admin).await;
    assert_eq!(s, StatusCode::OK, "deactivated, not deleted");
    let (s, b) = app.get("/api/v1/departments/999999", &admin).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    // a hall, a zone and a window
    let (s, hall) = app
        .call(
            Method::POST,
            "/api/v1/halls",
            Some(&admin),
            Some(json!({"name": "滨海街道便民服务中心", "region_id": district["id"], "floors": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{hall}");
    let hid = hall["id"].as_i64().unwrap();
    let (s, zone) = app
        .call(
            Method::POST,
            &format!("/api/v1/halls/{hid}/zones"),
            Some(&admin),
            Some(json!({"name": "综合窗口区", "floor": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{zone}");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("/api/v1/halls/{hid}/zones"),
            Some(&admin),
            Some(json!({"name": "二楼", "floor": 2})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("floor"))
    );
    let civil = app
        .find("/api/v1/departments", &admin, "name", "龙港区民政局")
        .await;
    let (s, w) = app
        .call(
            Method::POST,
            &format!("/api/v1/halls/{hid}/windows"),
            Some(&admin),
            Some(json!({"zone_id": zone["id"], "number": 1, "department_ids": [civil["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{w}");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("/api/v1/halls/{hid}/windows"),
            Some(&admin),
            Some(json!({"zone_id": zone["id"], "number": 2, "department_ids": [id]})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_ids")),
        "a deactivated department serves no window"
    );
    let (_, windows) = app
        .get(&format!("/api/v1/halls/{hid}/windows"), &admin)
        .await;
    assert_eq!(windows.as_array().unwrap().len(), 1);

    // the demo hall: 68 windows in 7 zones over 3 floors, two of them confidential
    let demo = app
        .find("/api/v1/halls", &admin, "name", "龙港区政务服务中心")
        .await;
    let (_, zones) = app
        .get(&format!("/api/v1/halls/{}/zones", demo["id"]), &admin)
        .await;
    assert_eq!(zones.as_array().unwrap().len(), 7);
    let (_, windows) = app
        .get(&format!("/api/v1/halls/{}/windows", demo["id"]), &admin)
        .await;
    let windows = windows.as_array().unwrap();
    assert_eq!(windows.len(), 68);
    assert_eq!(
        windows.iter().filter(|w| w["confidential"] == true).count(),
        2
    );
});

each_app!(accounts_passwords_and_preferences, |app| {
    let admin = app.token("admin").await;
    let civil = app
        .find("/api/v1/departments", &admin, "name", "龙港区民政局")
        .await;
    let (s, u) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "min.zheng", "display_name": "民政窗口", "password": "first-pass-1", "roles": ["clerk"], "department_id": civil["id"], "phone": "139-0429-1111"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    assert_eq!(u["phone"], "13904291111");
    assert!(u.get("password_hash").is_none());
    let (s, b) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "weak", "display_name": "x", "password": "short", "roles": ["clerk"], "department_id": civil["id"]})))
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("password"))
    );
    let (s, b) = app
        .call(Method::POST, "/api/v1/users", Some(&admin), Some(json!({"username": "nobody2", "display_name": "x", "password": "first-pass-1", "roles": ["clerk"]})))
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("department_id"))
    );

    let t = app.sign_in("min.zheng", "first-pass-1").await;
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&t),
            Some(json!({"old_password": "wrong-pass-1", "new_password": "second-pass-2"})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("old_password"))
    );
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(&t),
            Some(json!({"old_password": "first-pass-1", "new_password": "second-pass-2"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get("/api/v1/me", &t).await;
    assert_eq!(
        s,
        StatusCode::OK,
        "the session that changed the password stays"
    );
    let t2 = app.sign_in("min.zheng", "second-pass-2").await;
    let (s, me) = app
        .call(
            Method::PUT,
            "/api/v1/me/preferences",
            Some(&t2),
            Some(json!({"large_text": true, "lang": "en"})),
        )
        .await;
    assert_eq!(
        (s, me["large_text"].as_bool(), me["lang"].as_str()),
        (StatusCode::OK, Some(true), Some("en"))
    );

    // an administrator's reset ends every session of the account
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/users/{}/password", u["id"]),
            Some(&admin),
            Some(json!({"version": me["version"], "new_password": "third-pass-3"})),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/api/v1/me", &t2).await.0, StatusCode::UNAUTHORIZED);
    // deactivation refuses sign-in
    let (_, cur) = app.get(&format!("/api/v1/users/{}", u["id"]), &admin).await;
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}/active", u["id"]),
            Some(&admin),
            Some(json!({"version": cur["version"], "active": false})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"username": "min.zheng", "password": "third-pass-3"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    // an administrator cannot deactivate themself
    let me = app.find("/api/v1/users", &admin, "username", "admin").await;
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}/active", me["id"]),
            Some(&admin),
            Some(json!({"version": me["version"], "active": false})),
        )
        .await;
    assert_eq!(
        (s, b["field"].as_str()),
        (StatusCode::CONFLICT, Some("active"))
    );
});

each_app!(
    repeated_failures_lock_the_account,
    onewindow_web::WebConfig {
        max_failures_per_account: 3,
        max_failures_per_address: 5,
        ..crate::support::config()
    },
    |app| {
        for _ in 0..3 {
            let (s, _) = app
                .call(
                    Method::POST,
                    "/api/v1/auth/token",
                    None,
                    Some(json!({"username": "leader", "password": "guess-123"})),
                )
                .await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        // now even the right password waits
        let (s, b) = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "leader", "password": PASSWORD})),
            )
            .await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
        assert!(b["message"].as_str().unwrap().contains("分钟后再试"), "{b}");
        // another account from the same address still works, until the address limit
        app.token("clerk").await;
        for _ in 0..2 {
            app.call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "steward", "password": "guess-123"})),
            )
            .await;
        }
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "citizen", "password": PASSWORD})),
            )
            .await;
        assert_eq!(
            s,
            StatusCode::TOO_MANY_REQUESTS,
            "five failures from one address lock the address"
        );
    }
);

each_app!(the_openapi_document_lists_every_endpoint, |app| {
    let (s, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&m.as_str()) {
                documented.push(format!("{} {path}", m.to_uppercase()));
            }
        }
    }
    documented.sort();
    let mut expected: Vec<String> = ENDPOINTS.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(
        documented, expected,
        "the OpenAPI document and the endpoint list differ"
    );
    // every documented endpoint exists (anything but 404/405 without a token)
    for e in ENDPOINTS {
        let (m, p) = e.split_once(' ').unwrap();
        let code = if p.contains("/topics/") {
            "kaiban-qiye-yjs"
        } else {
            "211403110001000"
        };
        let path = concrete_path(p, "1", code);
        let (s, _) = app.call(m.parse().unwrap(), &path, None, None).await;
        assert!(
            s != StatusCode::NOT_FOUND && s != StatusCode::METHOD_NOT_ALLOWED,
            "{e}: {s}"
        );
    }
});

/// An endpoint's path with its parameters filled: record `id`, guide or topic `code`, and fixed
/// values for the rest.
pub fn concrete_path(template: &str, id: &str, code: &str) -> String {
    template
        .replace("{id}", id)
        .replace("{hall_id}", id)
        .replace("{photo_id}", "1")
        .replace("{index}", "0")
        .replace("{year}", "2026")
        .replace("{token}", "0000")
        .replace("{code}", code)
}

/// Every JSON endpoint of the platform. The test above keeps this list and the OpenAPI document
/// equal; the permission test walks it.
pub const ENDPOINTS: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /api/openapi.json",
    "POST /api/v1/auth/token",
    "DELETE /api/v1/auth/token",
    "GET /api/v1/me",
    "POST /api/v1/me/password",
    "PUT /api/v1/me/preferences",
    "GET /api/v1/regions",
    "POST /api/v1/regions",
    "GET /api/v1/regions/{id}",
    "PATCH /api/v1/regions/{id}",
    "PUT /api/v1/regions/{id}/active",
    "GET /api/v1/departments",
    "POST /api/v1/departments",
    "GET /api/v1/departments/{id}",
    "PATCH /api/v1/departments/{id}",
    "PUT /api/v1/departments/{id}/active",
    "GET /api/v1/halls",
    "POST /api/v1/halls",
    "GET /api/v1/halls/{id}",
    "PATCH /api/v1/halls/{id}",
    "PUT /api/v1/halls/{id}/active",
    "GET /api/v1/halls/{hall_id}/zones",
    "POST /api/v1/halls/{hall_id}/zones",
    "GET /api/v1/halls/{hall_id}/categories",
    "POST /api/v1/halls/{hall_id}/categories",
    "GET /api/v1/windows/{id}/categories",
    "PUT /api/v1/windows/{id}/categories",
    "POST /api/v1/hall/tickets",
    "GET /api/v1/hall/tickets/{id}",
    "POST /api/v1/hall/tickets/{id}/requeue",
    "GET /api/v1/halls/{hall_id}/board",
    "GET /api/v1/halls/{hall_id}/stats",
    "GET /api/v1/hall/categories/{id}/slot-plan",
    "PUT /api/v1/hall/categories/{id}/slot-plan",
    "GET /api/v1/hall/categories/{id}/slots",
    "POST /api/v1/hall/appointments",
    "GET /api/v1/hall/appointments/{id}",
    "POST /api/v1/hall/appointments/{id}/cancel",
    "POST /api/v1/hall/appointments/{id}/reschedule",
    "POST /api/v1/hall/check-in",
    "POST /api/v1/hall/windows/{id}/call-next",
    "POST /api/v1/hall/windows/{id}/call",
    "POST /api/v1/hall/windows/{id}/recall",
    "POST /api/v1/hall/windows/{id}/no-show",
    "POST /api/v1/hall/windows/{id}/transfer",
    "POST /api/v1/hall/windows/{id}/finish",
    "POST /api/v1/hall/windows/{id}/pause",
    "POST /api/v1/hall/windows/{id}/resume",
    "POST /api/v1/hall/windows/{id}/ratings",
    "GET /api/v1/zones/{id}",
    "PATCH /api/v1/zones/{id}",
    "PUT /api/v1/zones/{id}/active",
    "GET /api/v1/halls/{hall_id}/windows",
    "POST /api/v1/halls/{hall_id}/windows",
    "GET /api/v1/windows/{id}",
    "PATCH /api/v1/windows/{id}",
    "PUT /api/v1/windows/{id}/active",
    "GET /api/v1/users",
    "POST /api/v1/users",
    "GET /api/v1/users/{id}",
    "PATCH /api/v1/users/{id}",
    "PUT /api/v1/users/{id}/active",
    "POST /api/v1/users/{id}/password",
    "PUT /api/v1/users/{id}/photo",
    "GET /api/v1/audit",
    "GET /api/v1/security-log",
    "GET /api/v1/matters",
    "GET /api/v1/matters/suggest",
    "GET /api/v1/matters/{code}",
    "GET /api/v1/topics",
    "GET /api/v1/topics/{code}",
    "GET /api/v1/catalog/stats",
    "GET /api/v1/catalog/matters",
    "POST /api/v1/catalog/matters",
    "GET /api/v1/catalog/matters/{code}/versions",
    "PUT /api/v1/catalog/matters/{code}/draft",
    "PUT /api/v1/catalog/matters/{code}/active",
    "POST /api/v1/catalog/versions/{id}/actions",
    "GET /api/v1/catalog/versions/{id}/diff",
    "POST /api/v1/catalog/topics",
    "PUT /api/v1/catalog/topics/{code}/active",
    "GET /api/v1/catalog/synonyms",
    "PUT /api/v1/catalog/synonyms",
    "POST /api/v1/catalog/import",
    "GET /api/v1/catalog/export",
    "GET /api/v1/cases",
    "POST /api/v1/cases",
    "POST /api/v1/cases/batch",
    "POST /api/v1/batches/{id}/accept",
    "POST /api/v1/bundles",
    "GET /api/v1/bundles/{id}",
    "GET /api/v1/cases/{id}",
    "POST /api/v1/cases/{id}/actions",
    "POST /api/v1/cases/{id}/files",
    "GET /api/v1/files/{id}",
    "GET /api/v1/progress",
    "GET /api/v1/workbench",
    "GET /api/v1/calendar/years",
    "PUT /api/v1/calendar/years/{year}",
    "GET /api/v1/calendar/check",
    "GET /api/v1/case-rules",
    "PUT /api/v1/case-rules",
    "GET /api/v1/catalog/matters/{code}/workflow",
    "PUT /api/v1/catalog/matters/{code}/workflow",
    "GET /api/v1/outbox",
    "GET /api/v1/supervision/lights",
    "GET /api/v1/supervision/wall",
    "GET /api/v1/supervision/figures",
    "POST /api/v1/cases/{id}/urges",
    "GET /api/v1/cases/{id}/urges",
    "GET /api/v1/urges",
    "GET /api/v1/urges/mine",
    "GET /api/v1/urges/mine/by-case",
    "POST /api/v1/urges/read",
    "GET /api/v1/urges/{id}",
    "POST /api/v1/urges/{id}/answer",
    "POST /api/v1/cases/{id}/rating",
    "POST /api/v1/cases/{id}/rating-links",
    "GET /api/v1/rating-links/{token}",
    "POST /api/v1/rating-links/{token}/rating",
    "GET /api/v1/ratings",
    "POST /api/v1/ratings/{id}/appeal",
    "GET /api/v1/appeals",
    "POST /api/v1/appeals/{id}/decision",
    "GET /api/v1/rectifications",
    "GET /api/v1/rectifications/{id}",
    "POST /api/v1/rectifications/{id}/actions",
    "POST /api/v1/rectifications/{id}/urge",
    "POST /api/v1/halls/{hall_id}/kiosk-ratings",
    "GET /api/v1/ratings/public",
    "POST /api/v1/reviews",
    "POST /api/v1/supervisor-checks",
    "POST /api/v1/complaints",
    "GET /api/v1/complaints",
    "GET /api/v1/complaints/stats",
    "GET /api/v1/complaints/{id}",
    "POST /api/v1/complaints/{id}/actions",
    "POST /api/v1/supervisors",
    "GET /api/v1/supervisors",
    "POST /api/v1/supervisor-reports",
    "GET /api/v1/supervisor-reports",
    "POST /api/v1/supervisor-reports/{id}/actions",
    "GET /api/v1/grids",
    "GET /api/v1/grids/geojson",
    "POST /api/v1/grids/geojson",
    "GET /api/v1/grids/landmarks",
    "POST /api/v1/grids/landmarks",
    "GET /api/v1/grids/place",
    "GET /api/v1/licence-keys",
    "GET /api/v1/licences",
    "GET /api/v1/licences/{id}/file",
    "GET /api/v1/licences/{id}",
    "POST /api/v1/licences/{id}/status",
    "GET /api/v1/licences/{id}/shares",
    "POST /api/v1/licences/{id}/shares",
    "DELETE /api/v1/licences/{id}/shares/{share_id}",
    "GET /api/v1/licence-shares/{token}",
    "GET /api/v1/licence-reuse",
    "GET /api/v1/licences/{id}/renewal",
    "POST /api/v1/licences/{id}/print-codes",
    "POST /api/v1/halls/{hall_id}/licence-prints",
    "POST /api/v1/licences/import",
    "GET /api/v1/licence-kinds",
    "POST /api/v1/licence-kinds",
    "PUT /api/v1/licence-kinds/{id}",
    "PUT /api/v1/catalog/matters/{code}/licence-kind",
    "POST /api/v1/departments/{id}/seal-key",
    "GET /api/v1/grids/coverage",
    "PUT /api/v1/grids/{id}/staff",
    "GET /api/v1/grid/categories",
    "POST /api/v1/grid/categories",
    "PUT /api/v1/grid/categories/{id}",
    "GET /api/v1/grid/rules",
    "PUT /api/v1/grid/rules",
    "POST /api/v1/events",
    "GET /api/v1/events",
    "GET /api/v1/events/stats",
    "GET /api/v1/events/{id}",
    "POST /api/v1/events/{id}/actions",
    "POST /api/v1/events/{id}/photos",
    "GET /api/v1/events/{id}/photos/{photo_id}",
    "POST /api/v1/patrols",
    "GET /api/v1/patrols",
    "POST /api/v1/open311/keys",
    "GET /api/v1/enterprises",
    "POST /api/v1/enterprises",
    "GET /api/v1/enterprises/{id}",
    "PUT /api/v1/enterprises/{id}/account",
    "POST /api/v1/projects",
    "GET /api/v1/projects/{id}",
    "PUT /api/v1/projects/{id}/team",
    "POST /api/v1/projects/{id}/cases",
    "GET /api/v1/visits",
    "POST /api/v1/visits",
    "GET /api/v1/visits/{id}",
    "POST /api/v1/visits/{id}/report",
    "GET /api/v1/visits/{id}/photos/{photo_id}",
    "GET /api/v1/work-items",
    "POST /api/v1/work-items",
    "GET /api/v1/work-items/{id}",
    "POST /api/v1/work-items/{id}/actions",
    "GET /api/v1/consultations",
    "POST /api/v1/consultations",
    "POST /api/v1/consultations/{id}/follow-ups/{index}/done",
    "GET /api/v1/policies",
    "POST /api/v1/policies",
    "GET /api/v1/my/policies",
    "GET /api/v1/my/policies/{id}",
    "GET /api/v1/enterprise-figures",
    "GET /api/v1/petition-stations",
    "POST /api/v1/petition-stations",
    "PUT /api/v1/petition-stations/{id}/agents",
    "POST /api/v1/petition-stations/{id}/petitions",
    "POST /api/v1/petition-authorizations",
    "GET /api/v1/petitions",
    "GET /api/v1/petitions/{id}",
    "GET /api/v1/petitions/{id}/authorization",
    "POST /api/v1/petitions/{id}/actions",
    "PUT /api/v1/petitions/{id}/guarantor",
    "POST /api/v1/petitions/{id}/meetings",
    "POST /api/v1/petitions/{id}/aid",
    "GET /api/v1/petition-rota",
    "PUT /api/v1/petition-rota",
    "POST /api/v1/petition-rota/in-turn",
    "GET /api/v1/petition-receptions",
    "POST /api/v1/petition-receptions",
    "GET /api/v1/petition-ledgers",
    "GET /api/v1/petition-ledgers/monthly",
];

each_app!(
    idle_sessions_expire,
    onewindow_web::WebConfig {
        session_idle: std::time::Duration::from_secs(1),
        ..crate::support::config()
    },
    |app| {
        let cookie = crate::pages::sign_in_cookie(app, "clerk").await;
        let res = app
            .http
            .get(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        let res = app
            .http
            .get(app.url("/api/v1/me"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app
            .http
            .get(app.url("/account"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "the page sends the person to sign in again"
        );
    }
);

each_app!(
    slow_requests_time_out_with_408,
    onewindow_web::WebConfig {
        request_timeout: std::time::Duration::from_millis(1),
        ..crate::support::config()
    },
    |app| {
        // A sign-in hashes a password on a blocking thread: far longer than a millisecond.
        let body = json!({"username": "clerk", "password": PASSWORD});
        let (s, b) = app
            .call(Method::POST, "/api/v1/auth/token", None, Some(body.clone()))
            .await;
        assert_eq!(s, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(b["code"], "timeout");
        let (s, b) = app
            .call_with(Method::POST, "/api/v1/auth/token", None, Some(body), en())
            .await;
        assert_eq!(
            (s, b["message"].as_str()),
            (StatusCode::REQUEST_TIMEOUT, Some("the request timed out"))
        );
    }
);
