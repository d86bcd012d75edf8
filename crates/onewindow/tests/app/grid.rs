//! Grid governance over the API, on both databases: grids and their boundaries, the whole flow of
//! a community problem by the people whose step it is (with return, extension, reopen, urging and
//! callback), who may not, bad input, duplicate hints, patrols and the ledger's figures.

use crate::each_app;
use crate::support::TestApp;
use onewindow::demo::grid::centre;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A real (tiny) PNG, as a phone would send a photo.
pub fn png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 2, 2);
        enc.set_color(png::ColorType::Grayscale);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[0, 255, 255, 0]).unwrap();
    }
    out
}

async fn act(app: &TestApp, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/events/{id}/actions"),
        Some(token),
        Some(body),
    )
    .await
}

async fn event(app: &TestApp, token: &str, id: i64) -> Value {
    let (s, v) = app.get(&format!("/api/v1/events/{id}"), token).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

pub async fn category(app: &TestApp, token: &str, code: &str) -> Value {
    app.find("/api/v1/grid/categories", token, "code", code)
        .await
}

pub async fn upload_photo(
    app: &TestApp,
    token: &str,
    id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = app
        .http
        .post(app.url(&format!("/api/v1/events/{id}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let s = res.status();
    (s, res.json().await.unwrap_or(Value::Null))
}

each_app!(
    a_problem_goes_the_whole_way_by_the_people_whose_step_it_is,
    |app| {
        let grid = app.token("grid").await;
        let dispatcher = app.token("dispatcher").await;
        let approver = app.token("approver").await;
        let supervisor = app.token("supervisor").await;
        let citizen = app.token("citizen").await;
        let drain = category(app, &grid, "drain").await;
        let p = centre(0, 1);
        let report = |point: Value, description: &str| {
            json!({"source": "grid", "category_id": drain["id"], "description": description,
               "point": point, "answers": {"depth": ["15"]}})
        };
        let post = |token: String, body: Value| async move {
            app.call(Method::POST, "/api/v1/events", Some(&token), Some(body))
                .await
        };

        // Bad input is named and nothing is recorded.
        let (_, before) = app.get("/api/v1/events?limit=5000", &dispatcher).await;
        let count = before.as_array().unwrap().len();
        let (s, e) = post(
            grid.clone(),
            report(json!({"lon": 100.0, "lat": 30.0}), "井盖缺失"),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("location")),
            "{e}"
        );
        let (s, e) = post(grid.clone(), report(Value::Null, "井盖缺失")).await;
        assert_eq!(e["field"], "location", "{s} {e}");
        let (s, e) = post(
            grid.clone(),
            report(json!({"lon": p.lon, "lat": p.lat}), &"堵".repeat(4001)),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("description"))
        );
        let mut bad = report(json!({"lon": p.lon, "lat": p.lat}), "井盖缺失");
        bad["answers"] = json!({"depth": ["很深"]});
        let (_, e) = post(grid.clone(), bad).await;
        assert_eq!(e["field"], "attribute[depth]");
        let (s, _) = post(
            citizen.clone(),
            report(json!({"lon": p.lon, "lat": p.lat}), "井盖缺失"),
        )
        .await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "the public reports as citizens, not as grid workers"
        );
        let (_, after) = app.get("/api/v1/events?limit=5000", &dispatcher).await;
        assert_eq!(after.as_array().unwrap().len(), count, "nothing recorded");

        // Reported from the worker's grid: placed there, with the demo's earlier drain report nearby
        // as a possible duplicate.
        let (s, r) = post(
            grid.clone(),
            report(json!({"lon": p.lon, "lat": p.lat}), "井盖缺失，路面积水"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let id = r["event"]["id"].as_i64().unwrap();
        assert_eq!(r["event"]["progress"]["state"], "reported");
        assert!(r["event"]["progress"]["grid_id"].as_i64().is_some());
        assert!(r["duplicates"].as_array().unwrap().is_empty(), "{r}");
        // The same drain reported again 30 m away: the first is shown as a possible duplicate.
        let (s, again) = post(
            grid.clone(),
            report(json!({"lon": p.lon + 0.0003, "lat": p.lat}), "井盖缺失"),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(
            again["duplicates"][0]["event_id"].as_i64(),
            Some(id),
            "{again}"
        );
        let m = again["duplicates"][0]["meters"].as_i64().unwrap();
        assert!((20..40).contains(&m), "{m} m");

        // The grid worker cannot register; the dispatcher does, and the drain goes to its
        // department at once.
        let v = |e: &Value| e["version"].as_i64().unwrap();
        let e = event(app, &dispatcher, id).await;
        assert!(e["may"].as_array().unwrap().contains(&json!("register")));
        let (s, _) = act(
            app,
            &grid,
            id,
            json!({"action": "register", "version": v(&e["event"])}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "register", "version": v(&e["event"])}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert_eq!(e["progress"]["state"], "dispatched");
        assert_eq!(e["progress"]["department_id"], drain["department_id"]);

        // The department (the approver's) sees it, with the reporter's phone masked, returns it once,
        // gets it back by hand, signs for it and asks for more time.
        let seen = event(app, &approver, id).await;
        assert_eq!(seen["event"]["reporter_phone"], "139****0004", "{seen}");
        let full = event(app, &dispatcher, id).await;
        assert_eq!(full["event"]["reporter_phone"], "13904290004");
        let (s, _) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "sign", "version": v(&e)}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only the department signs");
        let (s, e) = act(
            app,
            &approver,
            id,
            json!({"action": "return", "version": v(&e), "reason": "应由交通部门处理"}),
        )
        .await;
        assert_eq!(
            (s, e["progress"]["state"].as_str()),
            (StatusCode::OK, Some("registered")),
            "{e}"
        );
        let (s, e) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "dispatch", "version": v(&e),
        "department_id": drain["department_id"]}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, e) = act(
            app,
            &supervisor,
            id,
            json!({"action": "urge", "version": v(&e), "note": "请尽快处置"}),
        )
        .await;
        assert_eq!(
            (s, e["progress"]["urges"].as_i64()),
            (StatusCode::OK, Some(1)),
            "{e}"
        );
        let (_, e) = act(
            app,
            &approver,
            id,
            json!({"action": "sign", "version": v(&e)}),
        )
        .await;
        let (s, e) = act(
            app,
            &approver,
            id,
            json!({"action": "request_extension", "version": v(&e),
        "days": 2, "reason": "需更换井盖"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let (s, e) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "decide_extension", "version": v(&e),
        "approve": true, "note": "同意"}),
        )
        .await;
        assert_eq!(
            (s, e["progress"]["extension"]["approved"].as_bool()),
            (StatusCode::OK, Some(true))
        );
        let (_, e) = act(
            app,
            &approver,
            id,
            json!({"action": "feed_back", "version": v(&e), "result": "已更换井盖"}),
        )
        .await;
        assert_eq!(e["progress"]["state"], "verifying");

        // On site: a check without a photo is refused; the photo is checked by content; the check
        // fails and the problem is reopened.
        let (s, e2) = act(
            app,
            &grid,
            id,
            json!({"action": "verify", "version": v(&e), "passed": false, "note": "仍积水"}),
        )
        .await;
        assert_eq!(
            (s, e2["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("photo"))
        );
        let (s, _) = upload_photo(app, &grid, id, "现场.png", b"MZ not a picture".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, photos) = upload_photo(app, &grid, id, "现场.png", png()).await;
        assert_eq!(s, StatusCode::CREATED, "{photos}");
        let shot = photos
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["stage"] == "verify")
            .unwrap()
            .clone();
        let (s, e) = act(
            app,
            &grid,
            id,
            json!({"action": "verify", "version": v(&e), "passed": false,
        "note": "仍积水", "photo": shot["sha256"]}),
        )
        .await;
        assert_eq!(
            (
                s,
                e["progress"]["state"].as_str(),
                e["progress"]["reopened"].as_i64()
            ),
            (StatusCode::OK, Some("handling"), Some(1)),
            "{e}"
        );
        let (_, e) = act(
            app,
            &approver,
            id,
            json!({"action": "feed_back", "version": v(&e), "result": "疏通管道"}),
        )
        .await;
        let (s, e) = act(
            app,
            &grid,
            id,
            json!({"action": "verify", "version": v(&e), "passed": true,
        "note": "已畅通", "photo": shot["sha256"]}),
        )
        .await;
        assert_eq!(
            (s, e["progress"]["state"].as_str()),
            (StatusCode::OK, Some("verified"))
        );
        let (_, e) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "close", "version": v(&e)}),
        )
        .await;
        let (s, e) = act(
            app,
            &dispatcher,
            id,
            json!({"action": "callback", "version": v(&e), "satisfaction": 5}),
        )
        .await;
        assert_eq!(
            (s, e["progress"]["state"].as_str()),
            (StatusCode::OK, Some("closed"))
        );
        let stale = act(
            app,
            &dispatcher,
            id,
            json!({"action": "callback", "version": 1, "satisfaction": 5}),
        )
        .await;
        assert_eq!(stale.0, StatusCode::CONFLICT);

        // The trail has every step; the photo reads back; the ledger counts it.
        let full = event(app, &dispatcher, id).await;
        let steps: Vec<&str> = full["log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            steps,
            [
                "report",
                "register",
                "dispatch",
                "return",
                "dispatch",
                "urge",
                "sign",
                "request_extension",
                "decide_extension",
                "feed_back",
                "verify",
                "feed_back",
                "verify",
                "close",
                "callback"
            ]
        );
        let res = app
            .http
            .get(app.url(&format!("/api/v1/events/{id}/photos/{}", shot["id"])))
            .bearer_auth(&grid)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.bytes().await.unwrap().to_vec(), png());
        let from = (chrono::Utc::now() - chrono::Duration::days(90)).date_naive();
        let (s, stats) = app
            .get(&format!("/api/v1/events/stats?from={from}"), &supervisor)
            .await;
        assert_eq!(s, StatusCode::OK, "{stats}");
        let total = &stats["total"];
        assert!(total["received"].as_i64().unwrap() >= 242, "{total}");
        let rate = total["closure_rate"].as_f64().unwrap();
        assert!(
            rate > 90.0 && rate < 100.0,
            "the demo closes at about the seeds' rate: {rate}"
        );
        assert_eq!(stats["by_level"].as_array().unwrap().len(), 3);
        let by_cat = stats["by_category"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "下水道堵塞")
            .unwrap()
            .clone();
        assert!(by_cat["closed"].as_i64().unwrap() >= 1);
        // The citizen does not see it; the worker's queue lists what waits for a check on site.
        let (s, _) = app.get(&format!("/api/v1/events/{id}"), &citizen).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (_, mine) = app.get("/api/v1/events?mine=true", &grid).await;
        assert!(
            mine.as_array()
                .unwrap()
                .iter()
                .all(|l| l["event"]["progress"]["state"] == "verifying")
        );
    }
);

each_app!(grids_boundaries_staff_and_patrols, |app| {
    let dispatcher = app.token("dispatcher").await;
    let grid = app.token("grid").await;
    let approver = app.token("approver").await;
    let (s, grids) = app.get("/api/v1/grids", &dispatcher).await;
    assert_eq!(s, StatusCode::OK);
    let grids = grids.as_array().unwrap();
    let level = |l: i64| grids.iter().filter(|g| g["level"] == l).count();
    assert_eq!((level(1), level(2), level(3)), (6, 58, 312));
    let (_, cov) = app.get("/api/v1/grids/coverage", &dispatcher).await;
    let cov = cov.as_array().unwrap();
    assert_eq!(cov.len(), 64, "every grid with children");
    assert!(
        cov.iter()
            .all(|c| c["gap_percent"] == 0.0 && c["overlaps"].as_array().unwrap().is_empty())
    );

    // Exported and imported back: every grid updated, none created.
    let res = app
        .http
        .get(app.url("/api/v1/grids/geojson"))
        .bearer_auth(&dispatcher)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/geo+json");
    let doc = res.text().await.unwrap();
    let import = |token: String, body: String| async move {
        let res = app
            .http
            .post(app.url("/api/v1/grids/geojson"))
            .bearer_auth(token)
            .header("content-type", "application/geo+json")
            .body(body)
            .send()
            .await
            .unwrap();
        let s = res.status();
        (s, res.json::<Value>().await.unwrap_or(Value::Null))
    };
    let (s, r) = import(dispatcher.clone(), doc.clone()).await;
    assert_eq!(
        (s, r["created"].as_i64(), r["updated"].as_i64()),
        (StatusCode::OK, Some(0), Some(376)),
        "{r}"
    );
    let (s, _) = import(approver.clone(), doc).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A self-intersecting boundary (a bow tie) is named; nothing is written.
    let bow = json!({"type": "FeatureCollection", "features": [{"type": "Feature",
        "properties": {"code": "BOW", "name": "蝴蝶", "level": 1},
        "geometry": {"type": "Polygon", "coordinates": [[[121.0, 41.0], [121.1, 41.1], [121.1, 41.0], [121.0, 41.1], [121.0, 41.0]]]}}]});
    let (s, e) = import(dispatcher.clone(), bow.to_string()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["field"].as_str().unwrap().contains("features[0]"), "{e}");
    let (_, after) = app.get("/api/v1/grids", &dispatcher).await;
    assert_eq!(after.as_array().unwrap().len(), 376);

    // Staff: only grid workers may work a grid.
    // (The import above moved every version on.)
    let g = after
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["code"] == "G02-01-01")
        .unwrap()
        .clone();
    let (_, me) = app.get("/api/v1/me", &grid).await;
    let (_, approver_me) = app.get("/api/v1/me", &approver).await;
    let path = format!("/api/v1/grids/{}/staff", g["id"]);
    let (s, e) = app
        .call(
            Method::PUT,
            &path,
            Some(&dispatcher),
            Some(json!({"version": g["version"],
        "region_id": null, "leader_id": null, "workers": [approver_me["user"]["id"]]})),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("workers")),
        "{e}"
    );
    let (s, line) = app
        .call(
            Method::PUT,
            &path,
            Some(&dispatcher),
            Some(json!({"version": g["version"],
        "region_id": null, "leader_id": me["user"]["id"], "workers": [me["user"]["id"]]})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{line}");
    assert_eq!(line["workers"], json!([me["user"]["id"]]));

    // Patrols: a check-in is placed in its grid; one outside every grid is refused.
    let p = centre(0, 0);
    let (s, c) = app
        .call(
            Method::POST,
            "/api/v1/patrols",
            Some(&grid),
            Some(json!({"lon": p.lon, "lat": p.lat, "note": "日常巡查"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert!(c["grid_id"].as_i64().is_some());
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/patrols",
            Some(&grid),
            Some(json!({"lon": 10.0, "lat": 10.0})),
        )
        .await;
    assert_eq!(
        (s, e["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("location"))
    );
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/patrols",
            Some(&dispatcher),
            Some(json!({"lon": p.lon, "lat": p.lat})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = app.get("/api/v1/patrols", &dispatcher).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["by_worker"][0]["checkins"], 1);
    assert_eq!(r["by_worker"][0]["assigned_visited"], 1, "{r}");
    assert_eq!(r["unvisited"].as_array().unwrap().len(), 311);
});

// The pages: the grid worker's desk with their grids, the report form with its map, a report
// posted with a photo as a phone would, the dispatcher's desk with the map's dots linking to
// each problem, the event page's forms, the ledger and both workbooks.
each_app!(grid_pages_report_dispatch_and_count, |app| {
    use crate::pages::{page, post_form, sheet, sign_in_cookie};
    let grid = sign_in_cookie(app, "grid").await;
    let (s, html) = page(app, "/grid", &grid).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"grid-checkin\"") && html.contains("G01-01-01"),
        "the worker's grids and check-in"
    );
    let (s, html) = page(app, "/grid/report", &grid).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        html.matches("class=\"grid-l3\"").count(),
        312,
        "the map has every third-level grid"
    );
    assert!(html.contains("data-pick=\"1\""));
    let csrf = crate::pages::csrf_in(&html);
    let (_, cats) = app
        .get("/api/v1/grid/categories", &app.token("grid").await)
        .await;
    let garbage = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "garbage")
        .unwrap()["id"]
        .to_string();
    let p = centre(1, 2);
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("source", "grid")
        .text("category_id", garbage)
        .text("attribute[kind]", "bulky")
        .text("attribute[depth]", "ignored: another category's question")
        .text("description", "旧沙发堆在楼道口<script>x</script>")
        .text("lon", p.lon.to_string())
        .text("lat", p.lat.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(png()).file_name("sofa.png"),
        );
    let res = app
        .http
        .post(app.url("/grid/report"))
        .header("cookie", &grid)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/grid/events/"), "{to}");
    let id: i64 = to
        .trim_start_matches("/grid/events/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (s, html) = page(app, &format!("/grid/events/{id}"), &grid).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script>x"),
        "text is escaped"
    );
    assert!(
        html.contains(&format!("/api/v1/events/{id}/photos/")),
        "the photo is shown"
    );

    // The dispatcher's desk: the problem in the queue and as a dot on the map, linking to it.
    let dispatcher = sign_in_cookie(app, "dispatcher").await;
    let (_, html) = page(app, "/grid", &dispatcher).await;
    assert!(
        html.contains(&format!("id=\"dot-{id}\"")),
        "a dot for the new problem"
    );
    assert!(html.contains(&format!("href=\"/grid/events/{id}\"")));
    let (_, html) = page(app, &format!("/grid/events/{id}"), &dispatcher).await;
    assert!(html.contains("id=\"act-register\"") && html.contains("id=\"act-decline\""));
    let version = "1";
    let (s, to) = post_form(
        app,
        &dispatcher,
        &format!("/grid/events/{id}"),
        &format!("/grid/events/{id}"),
        &[("action", "register"), ("version", version)],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let (_, html) = page(app, &format!("/grid/events/{id}"), &dispatcher).await;
    assert!(
        html.contains("data-state=\"dispatched\""),
        "registered and dispatched at once"
    );
    assert!(html.contains("龙港区城市管理综合行政执法局"));
    let (s, html) = post_form(
        app,
        &dispatcher,
        &format!("/grid/events/{id}"),
        &format!("/grid/events/{id}"),
        &[("action", "register"), ("version", "2")],
    )
    .await;
    assert_eq!(
        s,
        StatusCode::CONFLICT,
        "a step not open now is refused: {}",
        &html[..200.min(html.len())]
    );

    // The ledger and its workbooks.
    let (s, html) = page(app, "/grid/ledger", &dispatcher).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("id=\"coverage-ok\""),
        "the demo's grids cover without gaps"
    );
    assert!(html.contains("id=\"grid-import\""));
    let res = app
        .http
        .get(app.url("/grid/ledger.xlsx"))
        .header("cookie", &dispatcher)
        .send()
        .await
        .unwrap();
    let rows = sheet(res).await;
    assert_eq!(rows[0][1], "名称");
    assert!(rows[1][2].parse::<i64>().unwrap() >= 1, "{rows:?}");
    let res = app
        .http
        .get(app.url("/grid/events.xlsx?state=open"))
        .header("cookie", &dispatcher)
        .send()
        .await
        .unwrap();
    let rows = sheet(res).await;
    assert!(
        rows.iter().any(|r| r.iter().any(|c| c.contains("旧沙发"))),
        "the new problem is listed"
    );

    // A check-in from the desk, and one without a place.
    let (s, to) = post_form(
        app,
        &grid,
        "/grid",
        "/grid/checkin",
        &[
            ("lon", &p.lon.to_string()),
            ("lat", &p.lat.to_string()),
            ("note", "巡查"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
    let (s, _) = post_form(
        app,
        &grid,
        "/grid",
        "/grid/checkin",
        &[("lon", ""), ("lat", "")],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // A clerk has no grid desk.
    let clerk = sign_in_cookie(app, "clerk").await;
    let (s, _) = page(app, "/grid", &clerk).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
});

// The command centre's settings page: a category added and its limit changed, a grid staffed
// by account names, the step limits saved, an Open311 key issued and shown once; refused to
// departments and grid workers.
each_app!(
    grid_settings_page_edits_categories_staff_rules_and_keys,
    |app| {
        use crate::pages::{page, post_form, sign_in_cookie};
        let dispatcher = sign_in_cookie(app, "dispatcher").await;
        let (s, html) = page(app, "/grid/admin", &dispatcher).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"category-drain\""));
        for who in ["grid", "approver"] {
            let c = sign_in_cookie(app, who).await;
            assert_eq!(
                page(app, "/grid/admin", &c).await.0,
                StatusCode::FORBIDDEN,
                "{who}"
            );
        }
        let (s, to) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/categories",
            &[
                ("code", "manhole"),
                ("name", "井盖破损"),
                ("group", "市政设施"),
                ("department_id", ""),
                ("amount", "4"),
                ("unit", "hours"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let token = app.token("dispatcher").await;
        let c = app
            .find("/api/v1/grid/categories", &token, "code", "manhole")
            .await;
        assert_eq!(c["limit"], json!({"amount": 4, "unit": "hours"}));
        let (s, _) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            &format!("/grid/admin/categories/{}", c["id"]),
            &[
                ("version", &c["version"].to_string()),
                ("name", "井盖破损或缺失"),
                ("group", "市政设施"),
                ("department_id", ""),
                ("amount", "2"),
                ("unit", "working_days"),
                ("active", "1"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let c = app
            .find("/api/v1/grid/categories", &token, "code", "manhole")
            .await;
        assert_eq!(
            (c["name"].as_str(), c["limit"]["unit"].as_str()),
            (Some("井盖破损或缺失"), Some("working_days"))
        );
        let (s, e) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/categories",
            &[
                ("code", "x"),
                ("name", "零时限"),
                ("amount", "0"),
                ("unit", "hours"),
            ],
        )
        .await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            &e[..100.min(e.len())]
        );

        let (s, to) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/staff",
            &[
                ("grid", "G03-01-01"),
                ("region_code", "211403003"),
                ("leader", "grid"),
                ("workers", "grid"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let (_, grids) = app.get("/api/v1/grids", &token).await;
        let g = grids
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["code"] == "G03-01-01")
            .unwrap()
            .clone();
        assert_eq!(g["workers"].as_array().unwrap().len(), 1);
        let (s, _) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/staff",
            &[("grid", "G03-01-01"), ("workers", "nobody-here")],
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        let (s, _) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/rules",
            &[
                ("register", "20"),
                ("register_unit", "minutes"),
                ("dispatch", "30"),
                ("dispatch_unit", "minutes"),
                ("sign", "2"),
                ("sign_unit", "hours"),
                ("return_within", "2"),
                ("return_unit", "working_days"),
                ("max_extension_days", "10"),
                ("duplicate_meters", "50"),
                ("duplicate_hours", "24"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, rules) = app.get("/api/v1/grid/rules", &token).await;
        assert_eq!(
            (
                rules["steps"]["register"]["amount"].as_i64(),
                rules["duplicate_meters"].as_i64()
            ),
            (Some(20), Some(50))
        );

        let (s, html) = post_form(
            app,
            &dispatcher,
            "/grid/admin",
            "/grid/admin/keys",
            &[("name", "随手拍")],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        let key = html
            .split("id=\"issued-key-value\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(key.len(), 64, "{key}");
        let (_, again) = page(app, "/grid/admin", &dispatcher).await;
        assert!(!again.contains(&key), "shown once");
        let p = centre(2, 2);
        let res = app
            .http
            .post(app.url("/open311/v2/requests.json"))
            .form(&[
                ("api_key", key.as_str()),
                ("service_code", "manhole"),
                ("lat", &p.lat.to_string()),
                ("long", &p.lon.to_string()),
                ("description", "井盖缺失"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
);

fn with_tiles() -> onewindow_web::WebConfig {
    onewindow_web::WebConfig {
        map: onewindow_web::basemap::MapSettings {
            tiles: vec!["https://t{s}.tiles.example.gov.cn/vec/{z}/{x}/{y}.png".into()],
            subdomains: Some("01".into()),
            attribution: Some("审图号：辽S(2026)001号".into()),
            max_zoom: None,
        },
        ..crate::support::config()
    }
}

// A picked or reported place is named as people name it: its grid and where it is from the
// nearest landmark. The command centre keeps the landmarks as a GeoJSON file of points (replaced
// whole, one audit entry, nothing written when any feature is bad); the place is named by the
// API the report forms ask, on the problem's page and in the patrol record. The map's base layer
// comes from the configured tile server, whose origins (and only they) join the pages' image
// sources, and the map carries the source's 审图号.
each_app!(
    places_are_named_by_grid_and_nearest_landmark,
    with_tiles(),
    |app| {
        let dispatcher = app.token("dispatcher").await;
        let grid = app.token("grid").await;
        let cookie = crate::pages::sign_in_cookie(app, "dispatcher").await;
        // The demo district has its landmarks: committees, street offices, schools, stops.
        let (s, doc) = app.get("/api/v1/grids/landmarks", &dispatcher).await;
        assert_eq!(s, StatusCode::OK);
        let features = doc["features"].as_array().unwrap();
        assert!(features.len() > 60, "{}", features.len());
        assert!(
            features
                .iter()
                .any(|f| f["properties"]["name"] == "龙港区政务服务中心")
        );

        // A point 0.0005° north of the service centre is in its grid and some 50 m north of it.
        let hub = features
            .iter()
            .find(|f| f["properties"]["name"] == "龙港区政务服务中心")
            .unwrap()["geometry"]["coordinates"]
            .clone();
        let (lon, lat) = (hub[0].as_f64().unwrap(), hub[1].as_f64().unwrap() + 0.0005);
        let res = app
            .http
            .get(app.url(&format!("/api/v1/grids/place?lon={lon}&lat={lat}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "public, as the map is");
        let named: Value = res.json().await.unwrap();
        let place = named["place"].as_str().unwrap();
        assert!(
            place.contains("网格，龙港区政务服务中心北约60米")
                || place.contains("网格，龙港区政务服务中心北约50米"),
            "{place}"
        );
        assert!(named["grid"].as_str().unwrap().starts_with('G'));
        // Far from everything: no grid, no landmark, nothing made up.
        let (s, far) = app
            .get("/api/v1/grids/place?lon=100.0&lat=30.0", &grid)
            .await;
        assert_eq!((s, far["place"].as_str()), (StatusCode::OK, Some("")));
        let (s, e) = app.get("/api/v1/grids/place?lon=200&lat=30", &grid).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lon")),
            "{e}"
        );

        // A report there: its page says where it is in words, as well as in numbers.
        let cats: Value = app.get("/api/v1/grid/categories", &grid).await.1;
        let cat = cats
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["attributes"].as_array().is_none_or(|a| a.is_empty()))
            .unwrap()["id"]
            .clone();
        let (s, ev) = app
        .call(
            Method::POST,
            "/api/v1/events",
            Some(&grid),
            Some(json!({"source": "grid", "description": "路灯不亮，晚上行人看不清路", "category_id": cat,
                "point": {"lon": lon, "lat": lat}})),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{ev}");
        let (s, html) =
            crate::pages::page(app, &format!("/grid/events/{}", ev["event"]["id"]), &cookie).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"event-place\""), "the place is shown");
        assert!(html.contains("龙港区政务服务中心北约"), "by the landmark");

        // The landmarks are replaced whole by a file of points, by the command centre only.
        let post = |token: String, body: String| async move {
            let res = app
                .http
                .post(app.url("/api/v1/grids/landmarks"))
                .bearer_auth(token)
                .header("content-type", "application/geo+json")
                .body(body)
                .send()
                .await
                .unwrap();
            let s = res.status();
            (s, res.json::<Value>().await.unwrap_or(Value::Null))
        };
        let mine = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "老槐树", "kind": "古树"},
         "geometry": {"type": "Point", "coordinates": [lon, lat + 0.0004]}}]});
        let (s, _) = post(grid.clone(), mine.to_string()).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "a grid worker does not keep the landmarks"
        );
        let bad = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "老槐树"}, "geometry": {"type": "Point", "coordinates": [lon, lat]}},
        {"type": "Feature", "properties": {"name": "水塔"}, "geometry": {"type": "LineString", "coordinates": [[lon, lat], [lon, lat]]}}]});
        let (s, e) = post(dispatcher.clone(), bad.to_string()).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("features[1].geometry")
            ),
            "{e}"
        );
        assert!(
            e["reason"]
                .as_str()
                .unwrap()
                .starts_with("第2个要素：地标应为点"),
            "named by its place in the file, in words: {e}"
        );
        let (_, still) = app.get("/api/v1/grids/landmarks", &dispatcher).await;
        assert_eq!(
            still["features"].as_array().unwrap().len(),
            features.len(),
            "nothing written"
        );
        let (s, r) = post(dispatcher.clone(), mine.to_string()).await;
        assert_eq!((s, r["kept"].as_i64()), (StatusCode::OK, Some(1)), "{r}");
        let (_, named) = app
            .get(&format!("/api/v1/grids/place?lon={lon}&lat={lat}"), &grid)
            .await;
        assert!(
            named["place"].as_str().unwrap().ends_with("老槐树南约40米"),
            "the new landmarks name places at once: {named}"
        );
        let admin = app.token("admin").await;
        let (_, trail) = app.get("/api/v1/audit?target_type=landmark", &admin).await;
        let entries = trail.as_array().unwrap();
        // The demo's own landmarks, then this file: one import, one entry each, in the district.
        assert_eq!(entries.len(), 2, "one import, one entry: {trail}");
        assert_eq!(entries[0]["action"], "landmark.replace");
        let summary: Value = serde_json::from_str(entries[0]["summary"].as_str().unwrap()).unwrap();
        assert_eq!(summary["after"]["count"], 1, "{trail}");
        let admin_cookie = crate::pages::sign_in_cookie(app, "admin").await;
        let (_, audit_page) =
            crate::pages::page(app, "/audit?target_type=landmark", &admin_cookie).await;
        assert!(
            audit_page.contains("更新地标"),
            "the trail says what was done"
        );

        // The tile server: its origins join the image sources, nothing else does.
        let res = app
            .http
            .get(app.url("/grid"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
        csp.contains("img-src 'self' data: https://t0.tiles.example.gov.cn https://t1.tiles.example.gov.cn;")
            && csp.contains("script-src 'self';")
            && csp.contains("connect-src 'self';"),
        "{csp}"
    );
        let html = res.text().await.unwrap().replace("&#x2f;", "/");
        assert!(
            html.contains("data-tiles=\"https://t{s}.tiles.example.gov.cn/vec/{z}/{x}/{y}.png\""),
            "the map knows its tiles"
        );
        assert!(html.contains("审图号：辽S(2026)001号"));
        assert!(html.contains("class=\"lm\""), "the landmark is on the map");
    }
);
