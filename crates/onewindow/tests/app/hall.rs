//! The service hall over HTTP, on both databases: business categories (public to the kiosk) and
//! the categories each window calls.

use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn demo_hall(app: &TestApp, token: &str) -> Value {
    app.find("/api/v1/halls", token, "name", "龙港区政务服务中心")
        .await
}

each_app!(categories_and_window_categories_over_http, |app| {
    let admin = app.token("admin").await;
    let clerk = app.token("clerk").await;
    let hall = demo_hall(app, &admin).await;
    let hid = hall["id"].as_i64().unwrap();
    let path = format!("/api/v1/halls/{hid}/categories");

    let (s, a) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "综合业务", "prefix": "a"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["prefix"], "A");
    let (s, b) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "社保医保", "prefix": "B"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");

    // A wrong value names the field (422), in Chinese or in English; a taken prefix is a conflict.
    let (s, e) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "x", "prefix": "1"})),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("prefix")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("英文字母"), "{e}");
    let (s, e) = app
        .call_with(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "x", "prefix": "1"})),
            en(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["message"].as_str().unwrap().contains("letters"), "{e}");
    let (s, e) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "另一个", "prefix": "B"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "x", "prefix": "C", "colour": "red"})),
        )
        .await;
    assert_eq!(
        s,
        StatusCode::BAD_REQUEST,
        "unknown fields are refused: {e}"
    );

    // Only those who manage the hall add categories; anyone sees them, signed in or not.
    let (s, _) = app
        .call(
            Method::POST,
            &path,
            Some(&clerk),
            Some(json!({"name": "窗口自建", "prefix": "Z"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .call(
            Method::POST,
            &path,
            None,
            Some(json!({"name": "匿名", "prefix": "Y"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, list) = app.call(Method::GET, &path, None, None).await;
    assert_eq!(s, StatusCode::OK);
    let prefixes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["prefix"].as_str().unwrap())
        .collect();
    assert_eq!(prefixes, vec!["A", "B"]);
    let (s, _) = app
        .call(Method::GET, "/api/v1/halls/999999/categories", None, None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A window calls B before A; a category of another hall is refused and nothing changes.
    let (_, windows) = app
        .get(&format!("/api/v1/halls/{hid}/windows"), &admin)
        .await;
    let w = windows[0]["id"].as_i64().unwrap();
    let wpath = format!("/api/v1/windows/{w}/categories");
    let (s, other) = app
        .call(
            Method::POST,
            "/api/v1/halls",
            Some(&admin),
            Some(json!({"name": "分中心", "region_id": hall["region_id"], "floors": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{other}");
    let (s, theirs) = app
        .call(
            Method::POST,
            &format!("/api/v1/halls/{}/categories", other["id"]),
            Some(&admin),
            Some(json!({"name": "综合业务", "prefix": "A"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{theirs}");
    let (s, e) = app
        .call(
            Method::PUT,
            &wpath,
            Some(&admin),
            Some(json!({"category_ids": [b["id"], theirs["id"]]})),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("category_ids")),
        "{e}"
    );
    let (s, set) = app
        .call(
            Method::PUT,
            &wpath,
            Some(&admin),
            Some(json!({"category_ids": [b["id"], a["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{set}");
    let (s, got) = app.get(&wpath, &clerk).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got["category_ids"], json!([b["id"], a["id"]]));
    let (s, _) = app
        .call(
            Method::PUT,
            &wpath,
            Some(&clerk),
            Some(json!({"category_ids": [a["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.call(Method::GET, &wpath, None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
});
