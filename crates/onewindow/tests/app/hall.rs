//! The service hall over HTTP, on both databases: business categories (public to the kiosk) and
//! the categories each window calls.

use crate::each_app;
use crate::support::{TestApp, en};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

pub(crate) async fn demo_hall(app: &TestApp, token: &str) -> Value {
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
            Some(json!({"name": "综合业务", "prefix": "q"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{a}");
    assert_eq!(a["prefix"], "Q");
    let (s, b) = app
        .call(
            Method::POST,
            &path,
            Some(&admin),
            Some(json!({"name": "社保医保", "prefix": "R"})),
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
            Some(json!({"name": "另一个", "prefix": "R"})),
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
    // The demo district's seven (A–G, one per zone) and the two added here.
    assert_eq!(prefixes, vec!["A", "B", "C", "D", "E", "F", "G", "Q", "R"]);
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

/// The app with the hall's clock at a working morning (Monday 2 March 2026, 10:00 in Beijing).
fn at(rfc3339: &str) -> onewindow_web::WebConfig {
    let start = chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .to_utc();
    onewindow_web::WebConfig {
        clock: onewindow_web::clock::Clock::starting_at(start),
        ..crate::support::config()
    }
}

pub fn working_morning() -> onewindow_web::WebConfig {
    at("2026-03-02T10:00:00+08:00")
}

/// The hall's windows: their ids by their numbers.
pub(crate) async fn windows_by_number(
    app: &TestApp,
    token: &str,
    hid: i64,
) -> impl Fn(i64) -> i64 + use<> {
    let (_, windows) = app
        .get(&format!("/api/v1/halls/{hid}/windows"), token)
        .await;
    move |n| {
        windows
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["number"] == n)
            .unwrap_or_else(|| panic!("no window {n}: {windows}"))["id"]
            .as_i64()
            .unwrap()
    }
}

/// A demo category by its prefix.
pub(crate) async fn category(app: &TestApp, hid: i64, prefix: &str) -> i64 {
    let (_, list) = app
        .call(
            Method::GET,
            &format!("/api/v1/halls/{hid}/categories"),
            None,
            None,
        )
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["prefix"] == prefix)
        .unwrap_or_else(|| panic!("no category {prefix}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

pub(crate) async fn take(app: &TestApp, token: Option<&str>, body: Value) -> (StatusCode, Value) {
    app.call(Method::POST, "/api/v1/hall/tickets", token, Some(body))
        .await
}

pub(crate) async fn window_post(
    app: &TestApp,
    token: &str,
    w: i64,
    action: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/hall/windows/{w}/{action}"),
        Some(token),
        body,
    )
    .await
}

// Born 1949-12-31: 76 on the test's day.
const ELDER: &str = "11010519491231002X";

each_app!(
    tickets_calling_board_and_pad_over_http,
    working_morning(),
    |app| {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let approver = app.token("approver").await;
        let hall = demo_hall(app, &admin).await;
        let hid = hall["id"].as_i64().unwrap();
        let a = category(app, hid, "A").await;
        let window = windows_by_number(app, &admin, hid).await;
        let w1 = window(1);

        // At the kiosk, nobody signed in: a number, nobody ahead, the page's key.
        let (s, t1) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(s, StatusCode::CREATED, "{t1}");
        assert_eq!(t1["ticket"]["number"], "A001");
        assert_eq!(t1["ticket"]["priority"], "ordinary");
        assert_eq!(t1["ahead"], 0);
        assert_eq!(t1["category_name"], "企业开办");
        let key1 = t1["key"].as_str().unwrap().to_string();
        assert!(t1["ticket"].get("access_key").is_none());
        // With an ID number of someone 65 or over: the elderly's priority, the number masked.
        let (s, t2) = take(
        app,
        None,
        json!({"hall_id": hid, "category_id": a, "id_number": ELDER, "phone": "13912345678", "source": "phone"}),
    )
    .await;
        assert_eq!(s, StatusCode::CREATED, "{t2}");
        assert_eq!(t2["ticket"]["priority"], "elderly");
        assert_eq!(t2["ticket"]["id_number"], "110***********002X");
        assert!(!t2.to_string().contains(ELDER) && !t2.to_string().contains("13912345678"));
        assert_eq!(t2["ahead"], 0, "the elderly go before the ordinary ticket");
        // Wrong input names the field, in Chinese or English; nothing is issued.
        let (s, e) = take(
            app,
            None,
            json!({"hall_id": hid, "category_id": a, "id_number": "110105194912310021"}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("id_number")),
            "{e}"
        );
        let (s, e) = app
            .call_with(
                Method::POST,
                "/api/v1/hall/tickets",
                None,
                Some(json!({"hall_id": hid, "category_id": a, "phone": "12345"})),
                en(),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().is_ascii(), "{e}");
        let (s, e) = take(app, None, json!({"hall_id": hid, "category_id": 999_999})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("category_id")),
            "{e}"
        );
        let (s, _) = take(app, None, json!({"hall_id": 999_999, "category_id": a})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = take(
            app,
            None,
            json!({"hall_id": hid, "category_id": a, "colour": 1}),
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        // The green channel and the desk are for staff.
        let (s, _) = take(
            app,
            None,
            json!({"hall_id": hid, "category_id": a, "green": true}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = take(
            app,
            None,
            json!({"hall_id": hid, "category_id": a, "source": "desk"}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = take(
            app,
            Some(&approver),
            json!({"hall_id": hid, "category_id": a, "green": true}),
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, t3) = take(
            app,
            Some(&clerk),
            json!({"hall_id": hid, "category_id": a, "green": true, "source": "desk"}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{t3}");
        assert_eq!(
            (
                t3["ticket"]["number"].as_str(),
                t3["ticket"]["priority"].as_str()
            ),
            (Some("A003"), Some("green"))
        );
        let (_, v1) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/tickets/{}?key={key1}", t1["ticket"]["id"]),
                None,
                None,
            )
            .await;
        assert_eq!(v1["ahead"], 2, "{v1}");
        // The ticket page needs its key (or the hall's staff).
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/tickets/{}?key=wrong", t1["ticket"]["id"]),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .get(
                &format!("/api/v1/hall/tickets/{}", t1["ticket"]["id"]),
                &clerk,
            )
            .await;
        assert_eq!(s, StatusCode::OK);

        // Calling: only the hall's staff; green, then the elderly, then arrival.
        let (s, _) = window_post(app, &approver, w1, "call-next", None).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(
                Method::POST,
                &format!("/api/v1/hall/windows/{w1}/call-next"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        let (s, e) = window_post(app, &clerk, w1, "recall", None).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("action")),
            "{e}"
        );
        let mut order = Vec::new();
        for _ in 0..3 {
            let (s, o) = window_post(app, &clerk, w1, "call-next", None).await;
            assert_eq!(s, StatusCode::OK, "{o}");
            order.push(o["ticket"]["number"].as_str().unwrap().to_string());
            let (_, fresh) = app
                .get(
                    &format!("/api/v1/hall/tickets/{}", o["ticket"]["id"]),
                    &clerk,
                )
                .await;
            assert_eq!(fresh["ticket"], o["ticket"], "the answer is what is stored");
            assert_eq!(fresh["window_number"], 1);
        }
        assert_eq!(order, vec!["A003", "A002", "A001"]);
        let (s, o) = window_post(app, &clerk, w1, "call-next", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(o["ticket"].is_null(), "nobody left: {o}");
        assert_eq!(o["finished"]["number"], "A001");

        // The board: the window's last call with its voice line; the person's page says where to go.
        let (s, t4) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, o) = window_post(app, &clerk, w1, "call-next", None).await;
        assert_eq!(o["ticket"]["number"], "A004");
        let (s, board) = app
            .call(
                Method::GET,
                &format!("/api/v1/halls/{hid}/board"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let screen = board["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["window_id"] == w1)
            .unwrap();
        assert_eq!(screen["current"]["announcement"], "请A004号到1号窗口办理");
        assert_eq!(screen["clerk_name"], "李志抗");
        assert_eq!(screen["served_today"], 3);
        assert_eq!(board["recent"][0]["number"], "A004");
        let qa = board["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["category_id"] == a)
            .unwrap();
        assert_eq!(qa["waiting"], 0);
        let (_, v4) = app
            .call(
                Method::GET,
                &format!(
                    "/api/v1/hall/tickets/{}?key={}",
                    t4["ticket"]["id"],
                    t4["key"].as_str().unwrap()
                ),
                None,
                None,
            )
            .await;
        assert_eq!(v4["announcement"], "请A004号到1号窗口办理");

        // Recall, no-show, back in line once.
        let (_, o) = window_post(app, &clerk, w1, "recall", None).await;
        assert_eq!(o["ticket"]["recalls"], 1);
        let (_, o) = window_post(app, &clerk, w1, "no-show", None).await;
        assert_eq!(o["ticket"]["state"], "no_show");
        let requeue = format!("/api/v1/hall/tickets/{}/requeue", t4["ticket"]["id"]);
        let (s, _) = app
            .call(Method::POST, &requeue, Some(&approver), None)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, back) = app.call(Method::POST, &requeue, Some(&clerk), None).await;
        assert_eq!(
            (s, back["state"].as_str()),
            (StatusCode::OK, Some("waiting")),
            "{back}"
        );
        window_post(app, &clerk, w1, "call-next", None).await;
        window_post(app, &clerk, w1, "no-show", None).await;
        let (s, e) = app.call(Method::POST, &requeue, Some(&clerk), None).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("ticket_id")),
            "once only: {e}"
        );

        // Finish with a case number that does not exist: refused, the person still at the window.
        let (_, t5) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        window_post(app, &clerk, w1, "call-next", None).await;
        let (s, e) = window_post(
            app,
            &clerk,
            w1,
            "finish",
            Some(json!({"case_numbers": ["NOPE-1"]})),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("case_numbers")),
            "{e}"
        );
        let (_, still) = app
            .get(
                &format!("/api/v1/hall/tickets/{}", t5["ticket"]["id"]),
                &clerk,
            )
            .await;
        assert_eq!(still["ticket"]["state"], "called");
        let (s, done) =
            window_post(app, &clerk, w1, "finish", Some(json!({"case_numbers": []}))).await;
        assert_eq!(
            (s, done["ticket"]["state"].as_str()),
            (StatusCode::OK, Some("finished")),
            "{done}"
        );

        // The pad: a low rating needs its reason; once per service.
        let ratings = format!("/api/v1/hall/windows/{w1}/ratings");
        let tid = t5["ticket"]["id"].clone();
        let (s, e) = app
            .call(
                Method::POST,
                &ratings,
                None,
                Some(json!({"ticket_id": tid, "level": 1})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")),
            "{e}"
        );
        let (s, e) = app
            .call(
                Method::POST,
                &ratings,
                None,
                Some(json!({"ticket_id": tid, "level": 9})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("level")),
            "{e}"
        );
        let (s, r) = app
            .call(
                Method::POST,
                &ratings,
                None,
                Some(json!({"ticket_id": tid, "level": 1, "reason": "等候时间长"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        assert_eq!(
            (r["level"].as_i64(), r["window_id"].as_i64()),
            (Some(1), Some(w1))
        );
        let (s, e) = app
            .call(
                Method::POST,
                &ratings,
                None,
                Some(json!({"ticket_id": tid, "level": 5})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("ticket_id")),
            "{e}"
        );

        // Pause: no calls until resumed.
        let (s, o) = window_post(app, &clerk, w1, "pause", None).await;
        assert_eq!(
            (s, o["paused"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{o}"
        );
        let (s, _) = window_post(app, &clerk, w1, "call-next", None).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, o) = window_post(app, &clerk, w1, "resume", None).await;
        assert_eq!((s, o["paused"].as_bool()), (StatusCode::OK, Some(false)));

        // Transfer keeps the arrival; a chosen ticket can be called by its id.
        let b = category(app, hid, "B").await;
        let (_, t6) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        window_post(app, &clerk, w1, "call-next", None).await;
        let (s, o) =
            window_post(app, &clerk, w1, "transfer", Some(json!({"category_id": b}))).await;
        assert_eq!(s, StatusCode::OK, "{o}");
        assert_eq!(
            (o["ticket"]["category_id"].as_i64(), &o["ticket"]["arrival"]),
            (Some(b), &t6["ticket"]["arrival"])
        );
        // Window 2 serves 企业开办 only: it may not call a 税务 ticket.
        let (s, e) = window_post(
            app,
            &clerk,
            window(2),
            "call",
            Some(json!({"ticket_id": t6["ticket"]["id"]})),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("ticket_id")),
            "{e}"
        );
        let (s, o) = window_post(
            app,
            &clerk,
            window(13),
            "call",
            Some(json!({"ticket_id": t6["ticket"]["id"]})),
        )
        .await;
        assert_eq!(
            (s, o["ticket"]["number"].as_str()),
            (StatusCode::OK, Some("A006")),
            "{o}"
        );

        // Everything is in the trail.
        let (_, trail) = app.get("/api/v1/audit?target_type=ticket", &admin).await;
        let actions: Vec<&str> = trail
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "ticket.issue",
            "ticket.call_next",
            "ticket.recall",
            "ticket.no_show",
            "ticket.requeue",
            "ticket.finish",
            "ticket.transfer",
            "ticket.call",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }

        // The day's figures: six tickets, four served (A001–A003 and A005), one no-show (A004,
        // absent twice), one transferred and still at window 13.
        let (s, st) = app.get(&format!("/api/v1/halls/{hid}/stats"), &admin).await;
        assert_eq!(s, StatusCode::OK, "{st}");
        let t = &st["total"];
        assert_eq!(
            (&t["issued"], &t["served"], &t["no_show"], &t["transferred"]),
            (&json!(6), &json!(4), &json!(1), &json!(1)),
            "{st}"
        );
        assert_eq!(st["from"], "2026-03-02");
        assert_eq!(st["by_hour"][0]["key"], 10);
        assert_eq!(st["peak_hours"], json!([10]));
        let w1_figures = st["by_window"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == w1)
            .unwrap();
        assert_eq!(w1_figures["served"], 4);
        assert!(w1_figures["wait_avg"].is_i64() && w1_figures["service_p90"].is_i64());
        let (s, _) = app
            .get(&format!("/api/v1/halls/{hid}/stats"), &approver)
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app
            .get(
                &format!("/api/v1/halls/{hid}/stats?from=2026-03-05&to=2026-03-01"),
                &admin,
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
        );
        let res = app
            .http
            .get(app.url(&format!("/hall/{hid}/stats.xlsx?from=2026-03-02")))
            .bearer_auth(&clerk)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        // The first sheet is the total: the figures the API gave.
        let rows = crate::pages::sheet(res).await;
        assert_eq!(rows[0][1], "取号");
        assert_eq!(&rows[1][..5], ["合计", "6", "4", "1", "1"]);
        let (s, html) = crate::pages::page(
            app,
            &format!("/hall/{hid}/stats"),
            &crate::pages::sign_in_cookie(app, "clerk").await,
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"stats-window\"") && html.contains("10:00–11:00"));
        let (s, _) = app
            .get(&format!("/hall/{hid}/stats?from=not-a-day"), &clerk)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
    }
);

each_app!(
    the_hall_takes_no_tickets_when_closed,
    at("2026-03-07T10:00:00+08:00"),
    |app| {
        let admin = app.token("admin").await;
        let hid = demo_hall(app, &admin).await["id"].as_i64().unwrap();
        let a = category(app, hid, "A").await;
        // Saturday 7 March 2026 is a rest day.
        let (s, e) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("hall_id")),
            "{e}"
        );
        assert!(e["message"].as_str().unwrap().contains("休息日"), "{e}");
        // The window's screen and the board say the hall is closed (not 请稍候), and look
        // again each minute, so that they open with the hall without anyone reloading them.
        let w1 = windows_by_number(app, &admin, hid).await(1);
        let (_, html) = crate::pages::page(app, &format!("/hall/windows/{w1}/screen"), "").await;
        assert!(
            html.contains(">暂停办理</p>") && html.contains("休息日"),
            "{html}"
        );
        assert!(!html.contains("请稍候</p>"));
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"60\">"));
        let (_, html) = crate::pages::page(app, &format!("/hall/{hid}/board"), "").await;
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"60\">"));
    }
);

/// Reads the event stream until an event of `name` whose data contains `want`.
pub(crate) async fn next_event(
    res: &mut reqwest::Response,
    buf: &mut String,
    name: &str,
    want: &str,
) -> String {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let event = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap_or("");
            let data: String = block
                .lines()
                .filter_map(|l| l.strip_prefix("data: "))
                .collect();
            if event == name && data.contains(want) {
                return data;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, res.chunk())
            .await
            .unwrap_or_else(|_| panic!("no {name} event with {want}; left: {buf}"))
            .unwrap()
            .expect("the stream stays open");
        buf.push_str(&String::from_utf8_lossy(&chunk));
    }
}

each_app!(
    displays_hear_calls_and_finishes_as_they_happen,
    working_morning(),
    |app| {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let hid = demo_hall(app, &admin).await["id"].as_i64().unwrap();
        let a = category(app, hid, "A").await;
        let w1 = windows_by_number(app, &admin, hid).await(1);
        let mut res = app
            .http
            .get(app.url(&format!("/hall/{hid}/events")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        let mut buf = String::new();
        // On connecting: the board as it is.
        next_event(&mut res, &mut buf, "board", "\"queues\"").await;
        let (s, t) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(s, StatusCode::CREATED);
        // The new ticket shows in the board's waiting count.
        next_event(&mut res, &mut buf, "board", "\"waiting\":1").await;
        window_post(app, &clerk, w1, "call-next", None).await;
        let call = next_event(&mut res, &mut buf, "call", "A001").await;
        let call: Value = serde_json::from_str(&call).unwrap();
        assert_eq!(call["announcement"], "请A001号到1号窗口办理");
        assert_eq!(call["ticket_id"], t["ticket"]["id"]);
        window_post(app, &clerk, w1, "recall", None).await;
        next_event(&mut res, &mut buf, "call", "\"recalls\":1").await;
        window_post(app, &clerk, w1, "finish", Some(json!({}))).await;
        let fin = next_event(&mut res, &mut buf, "finish", "A001").await;
        assert!(fin.contains(&format!("\"window_id\":{w1}")), "{fin}");
        // The clerk's photo for the screen over the window: set by those who manage accounts,
        // judged by content.
        let clerk_user = app.find("/api/v1/users", &admin, "username", "clerk").await;
        let uid = clerk_user["id"].as_i64().unwrap();
        let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), b"photo bytes"].concat();
        let put = |token: String, body: Vec<u8>| {
            let req = app
                .http
                .put(app.url(&format!("/api/v1/users/{uid}/photo")))
                .bearer_auth(token)
                .header("content-type", "image/png")
                .body(body);
            async move { req.send().await.unwrap() }
        };
        let res = put(clerk.clone(), png.clone()).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = put(admin.clone(), b"<script>not an image</script>".to_vec()).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["field"], "photo");
        let res = put(admin.clone(), png.clone()).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        let res = app
            .http
            .get(app.url(&format!("/hall/staff/{uid}/photo")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert_eq!(res.bytes().await.unwrap().to_vec(), png);
        let (_, board) = app
            .call(
                Method::GET,
                &format!("/api/v1/halls/{hid}/board"),
                None,
                None,
            )
            .await;
        let screen = board["windows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["window_id"] == w1)
            .unwrap();
        assert_eq!(screen["clerk_photo"], true, "{screen}");

        // The window's top screen and the board, as pages.
        let (s, html) = crate::pages::page(app, &format!("/hall/windows/{w1}/screen"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("李志抗"),
            "the clerk's name on the window's screen"
        );
        // What the window handles, the hall's time, and what the person in front should do.
        assert!(html.contains("办理业务："), "{html}");
        assert!(html.contains("id=\"board-clock\""));
        // A001 is finished: between calls it asks people to wait for their number.
        assert!(
            html.contains(">请稍候</p>") && html.contains("请留意叫号"),
            "{html}"
        );
        assert!(
            !html.contains("http-equiv"),
            "an open hall's screen does not reload itself"
        );
        let (s, html) = crate::pages::page(app, &format!("/hall/{hid}/board"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("请A001号到1号窗口办理"));
        // A column of windows is headed 窗口, not the suffix of "1号窗口".
        assert!(!html.contains("<th>号窗口</th>"), "{html}");
        let clerk = crate::pages::sign_in_cookie(app, "clerk").await;
        let (_, html) = crate::pages::page(app, "/hall", &clerk).await;
        assert!(html.contains("<th>窗口</th>") && !html.contains("<th>号窗口</th>"));
        let approver = crate::pages::sign_in_cookie(app, "approver").await;
        let (s, _) = crate::pages::page(app, "/hall", &approver).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .call(Method::GET, "/hall/999999/events", None, None)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

each_app!(
    appointments_over_http,
    at("2026-03-02T09:45:00+08:00"),
    |app| {
        let admin = app.token("admin").await;
        let clerk = app.token("clerk").await;
        let hid = demo_hall(app, &admin).await["id"].as_i64().unwrap();
        let a = category(app, hid, "A").await;
        let b = category(app, hid, "B").await;
        let post = |path: String, body: Value| async move {
            app.call(Method::POST, &path, None, Some(body)).await
        };

        // The demo's plan; only those who manage the hall change it, and a bad plan names its field.
        let (s, plan) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/categories/{a}/slot-plan"),
                None,
                None,
            )
            .await;
        assert_eq!(
            (s, plan["slots"].as_array().unwrap().len()),
            (StatusCode::OK, 6)
        );
        let one = json!({"slots": [{"starts": "10:00", "ends": "11:00", "capacity": 1}]});
        let (s, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/hall/categories/{b}/slot-plan"),
                Some(&clerk),
                Some(one.clone()),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app
            .call(
                Method::PUT,
                &format!("/api/v1/hall/categories/{b}/slot-plan"),
                Some(&admin),
                Some(json!({"slots": [{"starts": "10:00", "ends": "09:00", "capacity": 1}]})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("slots")),
            "{e}"
        );
        let (s, _) = app
            .call(
                Method::PUT,
                &format!("/api/v1/hall/categories/{b}/slot-plan"),
                Some(&admin),
                Some(one),
            )
            .await;
        assert_eq!(s, StatusCode::OK);

        // Booking offers only what the hall serves: not over its lunch break (11:30-13:30).
        let (s, e) = app
            .call(
                Method::PUT,
                &format!("/api/v1/hall/categories/{b}/slot-plan"),
                Some(&admin),
                Some(
                    json!({"slots": [{"starts": "10:00", "ends": "11:00", "capacity": 1},
                                      {"starts": "11:00", "ends": "12:00", "capacity": 1}]}),
                ),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("slots[1]")),
            "{e}"
        );
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("08:30–11:30、13:30–17:00"),
            "{e}"
        );

        // Today's slots: the 09:00 one is still on until 10:00; seven working days are offered.
        let (s, day) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/categories/{a}/slots"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{day}");
        assert_eq!(day["day"], "2026-03-02");
        assert_eq!(day["days"].as_array().unwrap().len(), 7);
        assert_eq!(day["slots"][0]["starts"], "09:00");
        let (s, e) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/categories/{a}/slots?day=2026-03-07"),
                None,
                None,
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("day")),
            "{e}"
        );

        // Booking: bad input names the field; nothing is booked.
        let booking = |day: &str, starts: &str, id: &str| json!({"category_id": a, "day": day, "starts": starts, "name": "王大爷", "id_number": id, "phone": "13912345678"});
        let path = "/api/v1/hall/appointments".to_string();
        for (body, field) in [
            (booking("2026-03-07", "10:00", ELDER), "day"),
            (
                booking("2026-03-02", "10:00", "110105194912310021"),
                "id_number",
            ),
            (booking("2026-03-02", "09:00", ELDER), "starts"),
            (booking("2026-03-02", "09:30", ELDER), "starts"),
        ] {
            let (s, e) = post(path.clone(), body).await;
            assert_eq!(
                (s, e["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
                "{e}"
            );
        }
        let (s, booked) = post(path.clone(), booking("2026-03-03", "10:00", ELDER)).await;
        assert_eq!(s, StatusCode::CREATED, "{booked}");
        let id = booked["appointment"]["id"].as_i64().unwrap();
        let code = booked["code"].as_str().unwrap().to_string();
        assert_eq!(booked["appointment"]["id_number"], "110***********002X");
        let (s, got) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/appointments/{id}?code={code}"),
                None,
                None,
            )
            .await;
        assert_eq!((s, &got["state"]), (StatusCode::OK, &json!("booked")));
        let (s, _) = app
            .call(
                Method::GET,
                &format!("/api/v1/hall/appointments/{id}?code=nope"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        // Moved to today at ten: checking in opens at half past nine.
        let (s, moved) = post(
            format!("/api/v1/hall/appointments/{id}/reschedule"),
            json!({"code": code, "day": "2026-03-02", "starts": "10:00"}),
        )
        .await;
        assert_eq!(
            (s, &moved["day"]),
            (StatusCode::OK, &json!("2026-03-02")),
            "{moved}"
        );
        let (s, t) = post(
            "/api/v1/hall/check-in".into(),
            json!({"hall_id": hid, "id_number": ELDER}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        assert_eq!(
            (
                t["ticket"]["priority"].as_str(),
                t["ticket"]["source"].as_str()
            ),
            (Some("appointment"), Some("appointment"))
        );
        assert!(t["key"].is_string());
        let (s, e) = post(
            "/api/v1/hall/check-in".into(),
            json!({"hall_id": hid, "id_number": ELDER}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("id_number")),
            "once: {e}"
        );
        let (s, e) = post(
            format!("/api/v1/hall/appointments/{id}/cancel"),
            json!({"code": code}),
        )
        .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("appointment")),
            "{e}"
        );

        // One place at 10:00 for 税务服务: the second person is told it is full.
        let other = |id: &str| json!({"category_id": b, "day": "2026-03-03", "starts": "10:00", "name": "李四", "id_number": id});
        let (s, first) = post(path.clone(), other("110105198001010016")).await;
        assert_eq!(s, StatusCode::CREATED, "{first}");
        let (s, e) = post(path.clone(), other(ELDER)).await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::CONFLICT, Some("starts")),
            "{e}"
        );
        // Cancelled, the place is free again.
        let fid = first["appointment"]["id"].as_i64().unwrap();
        let (s, c) = post(
            format!("/api/v1/hall/appointments/{fid}/cancel"),
            json!({"code": first["code"]}),
        )
        .await;
        assert_eq!((s, &c["state"]), (StatusCode::OK, &json!("cancelled")));
        let (s, _) = post(path.clone(), other(ELDER)).await;
        assert_eq!(s, StatusCode::CREATED);
        let (_, trail) = app
            .get("/api/v1/audit?target_type=appointment", &admin)
            .await;
        let actions: Vec<&str> = trail
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for want in [
            "appointment.book",
            "appointment.reschedule",
            "appointment.check_in",
            "appointment.cancel",
        ] {
            assert!(actions.contains(&want), "{want} in {actions:?}");
        }
    }
);

/// A visitor's form post: the page's CSRF field and cookie; returns the redirect's target.
async fn visitor_post(
    app: &TestApp,
    form_page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let res = app.http.get(app.url(form_page)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{form_page}");
    let anon =
        crate::support::cookie_value(&crate::support::set_cookies(&res), "ow_anon_csrf").unwrap();
    let csrf = crate::pages::csrf_in(&res.text().await.unwrap());
    let mut form: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = app
        .http
        .post(app.url(action))
        .header("cookie", format!("ow_anon_csrf={anon}"))
        .header("origin", app.base.as_str())
        .form(&form)
        .send()
        .await
        .unwrap();
    let to = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (res.status(), to)
}

fn appointment_of(to: &str) -> (String, String) {
    let code = to.split("code=").nth(1).unwrap().to_string();
    let id = to
        .trim_start_matches("/hall/appointments/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    (id, code)
}

// Booking on the page, moving and cancelling it there, checking in at the kiosk's form.
each_app!(
    booking_and_checking_in_through_the_pages,
    at("2026-03-02T09:45:00+08:00"),
    |app| {
        let admin = app.token("admin").await;
        let hid = demo_hall(app, &admin).await["id"].as_i64().unwrap();
        let a = category(app, hid, "A").await;
        let (s, html) = crate::pages::page(
            app,
            &format!("/hall/{hid}/book?category={a}&day=2026-03-02"),
            "",
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            html.contains("id=\"slot-1000\""),
            "the 10:00 slot is offered"
        );
        let form_page = format!("/hall/{hid}/book?category={a}");
        let cat = a.to_string();
        let book = format!("/hall/{hid}/book");
        let (s, to) = visitor_post(
            app,
            &form_page,
            &book,
            &[
                ("category_id", &cat),
                ("day", "2026-03-02"),
                ("starts", "13:30"),
                ("name", "王大爷"),
                ("id_number", ELDER),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        assert!(to.starts_with("/hall/appointments/"), "{to}");
        let (s, html) = crate::pages::page(app, &to, "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("2026-03-02 13:30–14:30") && html.contains("110***********002X"));
        assert!(!html.contains(ELDER));
        // Moved to ten o'clock on the page.
        let (id, code) = appointment_of(&to);
        let (s, back) = visitor_post(
            app,
            &to,
            &format!("/hall/appointments/{id}/reschedule"),
            &[("code", &code), ("day", "2026-03-02"), ("starts", "10:00")],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = crate::pages::page(app, &back, "").await;
        assert!(html.contains("2026-03-02 10:00–11:00"), "moved");
        // At the kiosk: the check-in form gives the ticket page.
        let (s, ticket) = visitor_post(
            app,
            &format!("/hall/{hid}/kiosk"),
            &format!("/hall/{hid}/check-in"),
            &[("id_number", ELDER)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{ticket}");
        let (_, html) = crate::pages::page(app, &ticket, "").await;
        assert!(html.contains("预约") && html.contains("A001"), "{html}");
        let (_, html) = crate::pages::page(app, &back, "").await;
        assert!(html.contains("已签到"));
        // A second booking, cancelled on its page.
        let (_, to) = visitor_post(
            app,
            &form_page,
            &book,
            &[
                ("category_id", &cat),
                ("day", "2026-03-03"),
                ("starts", "09:00"),
                ("name", "王大爷"),
                ("id_number", ELDER),
            ],
        )
        .await;
        let (id, code) = appointment_of(&to);
        let (s, _) = visitor_post(
            app,
            &to,
            &format!("/hall/appointments/{id}/cancel"),
            &[("code", &code)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html) = crate::pages::page(app, &to, "").await;
        assert!(html.contains("已取消"));
        // Without the code, nothing shows.
        let (s, _) = crate::pages::page(app, &format!("/hall/appointments/{id}?code=x"), "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
);

// The administrator gives a clerk a photo on the account's page; the window screen shows it.
each_app!(a_staff_photo_is_set_on_the_account_page, |app| {
    let admin_token = app.token("admin").await;
    let uid = app
        .find("/api/v1/users", &admin_token, "username", "clerk")
        .await["id"]
        .as_i64()
        .unwrap();
    let admin = crate::pages::sign_in_cookie(app, "admin").await;
    let (s, html) = crate::pages::page(app, &format!("/admin/users/{uid}"), &admin).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("id=\"photo-form\"") && html.contains("multipart/form-data"));
    let jpeg: Vec<u8> = [b"\xFF\xD8\xFF\xE0".as_slice(), b"jpeg body"].concat();
    let post = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", crate::pages::csrf_in(&html))
            .part(
                "photo",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        app.http
            .post(app.url(&format!("/admin/users/{uid}/photo")))
            .header("cookie", &admin)
            .header("origin", app.base.clone())
            .multipart(form)
            .send()
    };
    // A renamed text file is refused by its content.
    let res = post(b"just text".to_vec(), "photo.jpg").await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = post(jpeg.clone(), "李志抗.jpg").await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app
        .http
        .get(app.url(&format!("/hall/staff/{uid}/photo")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.bytes().await.unwrap().to_vec(), jpeg);
    let (_, trail) = app
        .get(
            &format!("/api/v1/audit?target_type=user&target_id={uid}"),
            &admin_token,
        )
        .await;
    assert!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "user.photo"),
        "{trail}"
    );
    let (s, _) = crate::pages::page(app, "/hall/staff/999999/photo", "").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
});

each_app!(
    the_halls_hours_with_its_lunch_break_are_one_setting,
    at("2026-03-02T12:00:00+08:00"),
    |app| {
        let admin = app.token("admin").await;
        let hall = demo_hall(app, &admin).await;
        let hid = hall["id"].as_i64().unwrap();
        assert_eq!(hall["lunch_break"], "11:30-13:30");
        // Noon on a Monday: the kiosk says it is the lunch break and when it opens again.
        let a = category(app, hid, "A").await;
        let (s, e) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{e}");
        let msg = e["message"].as_str().unwrap();
        assert!(msg.contains("午间休息，13:30起继续办理"), "{msg}");
        let (_, html) = crate::pages::page(app, &format!("/hall/{hid}/kiosk"), "").await;
        assert!(
            html.contains("08:30–11:30、13:30–17:00"),
            "the kiosk reads the setting"
        );
        assert!(
            html.contains("id=\"kiosk-closed\""),
            "and says it is closed now"
        );
        let (_, html) = crate::pages::page(app, &format!("/hall/{hid}/board"), "").await;
        let call = &html[html.find("id=\"board-call\"").unwrap()..];
        assert!(
            call[..call.find("</p>").unwrap()].contains("午间休息，13:30起继续办理"),
            "the board says so too"
        );
        // A guide done in the hall reads the same hours.
        let code = crate::cases::matter_code(app, "建筑工程施工许可证核发").await;
        let (_, html) = crate::pages::page(app, &format!("/guide/{code}"), "").await;
        assert!(
            html.contains("工作日 08:30–11:30、13:30–17:00（法定节假日除外）"),
            "the guide reads the setting"
        );
        // Those who manage the hall change it; a break outside the hours is refused by name.
        let version = hall["version"].as_i64().unwrap();
        let (s, e) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/halls/{hid}"),
                Some(&admin),
                Some(json!({"version": version, "lunch_break": "12:00-18:00"})),
            )
            .await;
        assert_eq!(
            (s, e["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("lunch_break")),
            "{e}"
        );
        let (s, h) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/halls/{hid}"),
                Some(&admin),
                Some(json!({"version": version, "lunch_break": null})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{h}");
        assert!(h["lunch_break"].is_null());
        // Working through lunch, the hall takes tickets at noon.
        let (s, t) = take(app, None, json!({"hall_id": hid, "category_id": a})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
    }
);

each_app!(
    the_board_is_a_television_that_estimates_the_wait_from_recent_days,
    at("2026-03-03T09:00:00+08:00"),
    |app| {
        let admin = app.token("admin").await;
        let hid = demo_hall(app, &admin).await["id"].as_i64().unwrap();
        // Monday served at the windows, Tuesday's first arrivals before the windows call.
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-03T08:36:00+08:00")
            .unwrap()
            .to_utc();
        let taken = onewindow::demo::hall_days::play(app.db().store.as_ref(), 2, now)
            .await
            .unwrap();
        assert!(taken > 50, "{taken}");
        // Five people take numbers for 不动产登记 at nine.
        let d = category(app, hid, "D").await;
        for _ in 0..5 {
            let (s, t) = take(app, None, json!({"hall_id": hid, "category_id": d})).await;
            assert_eq!(s, StatusCode::CREATED, "{t}");
        }
        let (s, b) = app
            .call(
                Method::GET,
                &format!("/api/v1/halls/{hid}/board"),
                None,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let queues = b["queues"].as_array().unwrap();
        assert!(
            queues.iter().all(|q| q["service_seconds"].is_i64()),
            "every category served yesterday has a service time before today's first: {b}"
        );
        let waiting: Vec<_> = queues
            .iter()
            .filter(|q| q["waiting"].as_i64() > Some(0))
            .collect();
        assert!(!waiting.is_empty(), "{b}");
        assert!(
            waiting.iter().all(|q| q["wait_minutes"].as_i64() > Some(0)),
            "{b}"
        );
        // The page: the whole screen, the hall's clock, no menu and no sign-in.
        let (s, html) = crate::pages::page(app, &format!("/hall/{hid}/board"), "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("id=\"board-clock\" data-now=\"") && html.contains(">09:00:"));
        assert!(html.contains("2026年3月3日 星期二"));
        assert!(!html.contains("id=\"nav\"") && !html.contains("href=\"/login\""));
        assert!(html.contains("办公时间 08:30–11:30、13:30–17:00"));
        assert!(
            !html.contains("—</td>"),
            "every waiting category has its estimate"
        );
    }
);
