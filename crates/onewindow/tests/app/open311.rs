//! Open311 GeoReport v2 at /open311/v2/, on both databases: discovery, services and their
//! definitions, requests posted form-encoded and read back by id, token and filters, in JSON and
//! XML; errors as the spec lists them, with nothing recorded; a request's way through the same
//! flow as every other event. (The CI also drives it with a Python Open311 client:
//! `.ci/open311_client.py`.)

use crate::each_app;
use crate::support::TestApp;
use onewindow::demo::grid::centre;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let res = app.http.get(app.url(path)).send().await.unwrap();
    let s = res.status();
    (s, res.text().await.unwrap())
}

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let (s, t) = get(app, path).await;
    (s, serde_json::from_str(&t).unwrap_or(Value::Null))
}

async fn post(app: &TestApp, form: &[(&str, String)]) -> (StatusCode, Value) {
    let res = app
        .http
        .post(app.url("/open311/v2/requests.json"))
        .form(form)
        .send()
        .await
        .unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

fn garbage(extra: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let p = centre(5, 5);
    let mut f = vec![
        ("api_key", "demo-open311-key".to_string()),
        ("service_code", "garbage".to_string()),
        ("lat", p.lat.to_string()),
        ("long", p.lon.to_string()),
        ("description", "小区门口建筑垃圾堆放".to_string()),
        ("attribute[kind]", "construction".to_string()),
        ("first_name", "明".to_string()),
        ("last_name", "张".to_string()),
        ("phone", "13912345678".to_string()),
    ];
    for (k, v) in extra {
        f.retain(|(x, _)| x != k);
        if !v.is_empty() {
            f.push((k, v.to_string()));
        }
    }
    f
}

each_app!(open311_follows_georeport_v2, |app| {
    // Discovery and services, in both formats.
    let (s, d) = get_json(app, "/open311/v2/discovery.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        d["endpoints"][0]["specification"],
        "http://wiki.open311.org/GeoReport_v2"
    );
    let (s, x) = get(app, "/open311/v2/discovery.xml").await;
    assert_eq!(s, StatusCode::OK);
    assert!(x.contains("<formats><format>text/xml</format>"), "{x}");
    let (_, services) = get_json(app, "/open311/v2/services.json").await;
    let services = services.as_array().unwrap();
    assert_eq!(services.len(), 10);
    let g = services
        .iter()
        .find(|s| s["service_code"] == "garbage")
        .unwrap();
    assert_eq!(
        (g["metadata"].as_bool(), g["type"].as_str()),
        (Some(true), Some("realtime"))
    );
    let (_, x) = get(app, "/open311/v2/services.xml?jurisdiction_id=211400").await;
    assert!(
        x.contains("<errors><error><code>404</code>"),
        "another jurisdiction: {x}"
    );
    let (_, x) = get(app, "/open311/v2/services.xml?jurisdiction_id=210000").await;
    assert!(
        x.contains("<service><description>") && x.contains("<service_code>garbage</service_code>"),
        "{x}"
    );
    let (_, def) = get_json(app, "/open311/v2/services/garbage.json").await;
    assert_eq!(def["attributes"][0]["code"], "kind");
    assert_eq!(def["attributes"][0]["datatype"], "singlevaluelist");
    assert_eq!(def["attributes"][0]["values"].as_array().unwrap().len(), 3);
    let (s, e) = get_json(app, "/open311/v2/services/nope.json").await;
    assert_eq!(
        (s, e[0]["code"].as_i64()),
        (StatusCode::NOT_FOUND, Some(404))
    );

    // Bad requests: the spec's errors, and nothing recorded.
    let dispatcher = app.token("dispatcher").await;
    let open311_events = |v: Value| v.as_array().unwrap().len();
    let (_, l) = app
        .get("/api/v1/events?source=open311&limit=5000", &dispatcher)
        .await;
    let before = open311_events(l);
    let long = "堵".repeat(4001);
    for (extra, status, what) in [
        (vec![("api_key", "wrong")], StatusCode::FORBIDDEN, "api_key"),
        (vec![("api_key", "")], StatusCode::FORBIDDEN, "api_key"),
        (
            vec![("service_code", "nope")],
            StatusCode::BAD_REQUEST,
            "service_code",
        ),
        (
            vec![("lat", ""), ("long", "")],
            StatusCode::BAD_REQUEST,
            "location",
        ),
        (
            vec![("lat", "10.0"), ("long", "10.0")],
            StatusCode::BAD_REQUEST,
            "location",
        ),
        (vec![("lat", "north")], StatusCode::BAD_REQUEST, "lat"),
        (
            vec![("description", long.as_str())],
            StatusCode::BAD_REQUEST,
            "description",
        ),
        (
            vec![("attribute[kind]", "")],
            StatusCode::BAD_REQUEST,
            "attribute[kind]",
        ),
        (
            vec![("attribute[kind]", "glass")],
            StatusCode::BAD_REQUEST,
            "attribute[kind]",
        ),
        (
            vec![("jurisdiction_id", "999999")],
            StatusCode::NOT_FOUND,
            "jurisdiction",
        ),
    ] {
        let (s, e) = post(app, &garbage(&extra)).await;
        assert_eq!(s, status, "{extra:?}: {e}");
        assert_eq!(e[0]["code"].as_u64(), Some(status.as_u16() as u64), "{e}");
        assert!(
            e[0]["description"].as_str().unwrap().contains(what),
            "{what}: {e}"
        );
    }
    let (_, l) = app
        .get("/api/v1/events?source=open311&limit=5000", &dispatcher)
        .await;
    assert_eq!(open311_events(l), before, "nothing recorded");

    // A good one: the id and a token; read back by id, token and filter, in JSON and XML.
    let (s, r) = post(app, &garbage(&[])).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let id = r[0]["service_request_id"].as_str().unwrap().to_string();
    let token = r[0]["token"].as_str().unwrap().to_string();
    let (_, one) = get_json(app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one[0]["status"], "open");
    assert_eq!(one[0]["service_code"], "garbage");
    assert!(one[0]["agency_responsible"].is_null());
    assert!(
        !one.to_string().contains("13912345678"),
        "the reporter is never shown"
    );
    let (_, x) = get(app, &format!("/open311/v2/requests/{id}.xml")).await;
    assert!(
        x.contains("<service_requests><request>")
            && x.contains(&format!("<service_request_id>{id}</service_request_id>")),
        "{x}"
    );
    let (_, t) = get_json(app, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!(t[0]["service_request_id"], id.as_str());
    let (s, _) = get_json(app, "/open311/v2/tokens/nope.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = get_json(app, "/open311/v2/requests/SJ0.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, open) = get_json(
        app,
        "/open311/v2/requests.json?status=open&service_code=garbage",
    )
    .await;
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .any(|r| r["service_request_id"] == id.as_str()),
        "{id}: {open}"
    );
    let (_, closed) = get_json(app, "/open311/v2/requests.json?status=closed").await;
    assert!(
        closed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "closed")
    );
    assert!(
        !closed.as_array().unwrap().is_empty(),
        "the demo's closed problems"
    );
    let (s, e) = get_json(
        app,
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
    )
    .await;
    assert_eq!(
        (s, e[0]["code"].as_i64()),
        (StatusCode::BAD_REQUEST, Some(400)),
        "over 90 days"
    );
    let (s, _) = get_json(app, "/open311/v2/requests.json?status=maybe").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, two) = get_json(
        app,
        &format!("/open311/v2/requests.json?service_request_id={id},SJ0"),
    )
    .await;
    assert_eq!(two.as_array().unwrap().len(), 1);

    // It flows through the same process: registered, dispatched to the category's department,
    // which the client then sees as responsible.
    let (_, l) = app
        .get("/api/v1/events?source=open311&limit=5000", &dispatcher)
        .await;
    let ev = l
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["event"]["number"] == id.as_str())
        .unwrap()["event"]
        .clone();
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/events/{}/actions", ev["id"]),
            Some(&dispatcher),
            Some(json!({"action": "register", "version": ev["version"]})),
        )
        .await;
    assert_eq!(
        (s, e["progress"]["state"].as_str()),
        (StatusCode::OK, Some("dispatched")),
        "{e}"
    );
    let (_, one) = get_json(app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one[0]["agency_responsible"], "龙港区城市管理综合行政执法局");
    assert!(one[0]["expected_datetime"].as_str().is_some());
});

each_app!(
    the_demo_key_works_only_in_demo_mode,
    onewindow_web::WebConfig {
        demo: false,
        ..crate::support::config()
    },
    |app| {
        let (s, e) = post(app, &garbage(&[])).await;
        assert_eq!(
            (s, e[0]["code"].as_i64()),
            (StatusCode::FORBIDDEN, Some(403)),
            "{e}"
        );
        let (s, _) = post(app, &garbage(&[("api_key", "")])).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // A key issued by the command centre works; it is shown once and kept as its hash.
        let admin = app.token("admin").await;
        let dispatcher = app.token("dispatcher").await;
        let (s, _) = app
            .call(
                Method::POST,
                "/api/v1/open311/keys",
                Some(&app.token("clerk").await),
                Some(json!({"name": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, k) = app
            .call(
                Method::POST,
                "/api/v1/open311/keys",
                Some(&dispatcher),
                Some(json!({"name": "市民随手拍App"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{k}");
        let key = k["api_key"].as_str().unwrap().to_string();
        let (s, r) = post(app, &garbage(&[("api_key", key.as_str())])).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let (_, trail) = app
            .get("/api/v1/audit?target_type=event&limit=5", &admin)
            .await;
        let text = trail.to_string();
        assert!(
            text.contains("open311:市民随手拍App"),
            "the client is named in the trail: {text}"
        );
        assert!(!text.contains(&key), "the key is never in the trail");
    }
);
