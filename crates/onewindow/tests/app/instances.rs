//! Two `onewindow serve` processes on one PostgreSQL database, as a city runs them behind a
//! load balancer: live updates made through one reach displays and workbenches connected to the
//! other; windows calling through both never call one ticket twice; the background jobs send
//! each notice once; a change to the calendar made through one counts on the other at once; and
//! open event streams do not hold a stop.

use crate::cli::{run, serve, stop};
use crate::hall::{category, demo_hall, next_event, take, window_post, windows_by_number};
use crate::support::{PASSWORD, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A working Monday morning, so that the hall takes and calls tickets.
const MORNING: &str = "2026-03-02T10:00:00+08:00";

/// A stand-in SMS gateway that records the id of every message it is given.
async fn gateway() -> (String, Arc<Mutex<Vec<i64>>>) {
    let got: Arc<Mutex<Vec<i64>>> = Arc::default();
    let g = got.clone();
    let router = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let g = g.clone();
            async move {
                g.lock().unwrap().push(v["id"].as_i64().unwrap_or(-1));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, got)
}

/// A ticket of category `cat` taken at the kiosk.
async fn ticket(app: &TestApp, hid: i64, cat: i64) {
    let (s, t) = take(app, None, json!({"hall_id": hid, "category_id": cat})).await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
}

/// An event stream of `app`, opened.
async fn stream(app: &TestApp, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_serve_one_database_as_one() {
    let Some(admin_url) = onewindow_store::testing::postgres_url() else {
        eprintln!(
            "SKIPPED instances::two_instances_serve_one_database_as_one: several instances \
             share a PostgreSQL database ({} is not set)",
            onewindow_store::testing::ENV
        );
        return;
    };
    let db = onewindow_store::testing::TestDb::postgres(&admin_url)
        .await
        .unwrap();
    let url = db.url.clone();
    let (code, text) = tokio::task::block_in_place(|| {
        run(&["demo", "--database-url", &url, "--demo-password", PASSWORD])
    });
    assert_eq!(code, 0, "{text}");
    let (sms, got) = gateway().await;
    let config = std::env::temp_dir().join(format!("ow_instances_{}.toml", std::process::id()));
    std::fs::write(&config, format!("[notify]\nsms_webhook = \"{sms}\"\n")).unwrap();
    let cfg = config.display().to_string();
    let extra = ["--config", cfg.as_str(), "--clock-start", MORNING];
    let (pa, base_a, _) = tokio::task::block_in_place(|| serve(&url, &extra));
    let (pb, base_b, _) = tokio::task::block_in_place(|| serve(&url, &extra));
    let (a, b) = (TestApp::attach(&base_a), TestApp::attach(&base_b));

    let admin = a.token("admin").await;
    let clerk = a.token("clerk").await;
    let hid = demo_hall(&a, &admin).await["id"].as_i64().unwrap();
    let cat = category(&a, hid, "A").await;
    let window = windows_by_number(&a, &admin, hid).await;
    let (w1, w2) = (window(1), window(2));

    // A display connected to B hears what happens at a window served through A.
    let mut display = stream(&b, &format!("/hall/{hid}/events"), None).await;
    let mut seen = String::new();
    next_event(&mut display, &mut seen, "board", "\"queues\"").await;
    ticket(&a, hid, cat).await;
    next_event(&mut display, &mut seen, "board", "\"waiting\":1").await;
    let (s, called) = window_post(&a, &clerk, w1, "call-next", None).await;
    assert_eq!(s, StatusCode::OK, "{called}");
    let call = next_event(&mut display, &mut seen, "call", "A001").await;
    assert!(call.contains("请A001号到1号窗口办理"), "{call}");
    let (s, _) = window_post(&a, &clerk, w1, "finish", Some(json!({}))).await;
    assert_eq!(s, StatusCode::OK);
    next_event(&mut display, &mut seen, "finish", "A001").await;

    // A workbench connected to B hears the bell rung through A.
    let approver = b.token("approver").await;
    let mut bench = stream(&b, "/urges/events", Some(&approver)).await;
    let mut heard = String::new();
    let (case, _) = crate::supervision::reviewing_case(&a).await;
    let supervisor = a.token("supervisor").await;
    let (s, u) = a
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/urges"),
            Some(&supervisor),
            Some(json!({"message": "两个实例之间的督办"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let urge = next_event(&mut bench, &mut heard, "urge", "两个实例之间的督办").await;
    assert!(urge.contains(&format!("\"id\":{}", u["id"])), "{urge}");

    // Windows calling through both instances at once: every ticket called once.
    let total = 30;
    for _ in 0..total {
        ticket(&b, hid, cat).await;
    }
    let calling = |base: &str, w: i64| {
        let (app, clerk) = (TestApp::attach(base), clerk.clone());
        tokio::spawn(async move {
            let mut numbers = Vec::new();
            loop {
                let (s, out) = window_post(&app, &clerk, w, "call-next", None).await;
                match out["ticket"]["number"].as_str() {
                    Some(n) if s == StatusCode::OK => numbers.push(n.to_string()),
                    _ => break,
                }
                let (s, out) = window_post(&app, &clerk, w, "finish", Some(json!({}))).await;
                assert_eq!(s, StatusCode::OK, "{out}");
            }
            numbers
        })
    };
    let (x, y) = (calling(&base_a, w1), calling(&base_b, w2));
    let (x, y) = (x.await.unwrap(), y.await.unwrap());
    let all: BTreeSet<&String> = x.iter().chain(&y).collect();
    assert_eq!(x.len() + y.len(), total, "{x:?} {y:?}");
    assert_eq!(all.len(), total, "no ticket called twice: {x:?} {y:?}");
    assert!(!x.is_empty() && !y.is_empty(), "both windows called");

    // The notices the accepted case wrote leave once, whichever instance runs the outbox.
    let store = onewindow_store::open(&url).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let outbox = loop {
        let outbox = store.outbox(None, 1000).await.unwrap();
        let pending = outbox.iter().filter(|m| m.status == "pending").count();
        if pending == 0 || tokio::time::Instant::now() > deadline {
            break outbox;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut sent: Vec<i64> = outbox
        .iter()
        .filter(|m| m.status == "sent" && m.channel == "sms")
        .map(|m| m.id)
        .collect();
    assert!(!sent.is_empty(), "{outbox:?}");
    sent.sort_unstable();
    // Two more rounds of both instances' outbox jobs: nothing is sent again.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let mut gotten = got.lock().unwrap().clone();
    gotten.sort_unstable();
    assert_eq!(gotten, sent, "each notice sent once");
    store.close().await;

    // A holiday entered through A counts on B at once, not when B's copy of the calendar
    // expires (30 s): the change is relayed like a call.
    let check = "/api/v1/calendar/check?date=2026-03-04";
    let (s, day) = b.call(Method::GET, check, None, None).await;
    assert_eq!(
        (s, day["workday"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{day}"
    );
    let (_, years) = a
        .call(Method::GET, "/api/v1/calendar/years", None, None)
        .await;
    let mut year = years
        .as_array()
        .unwrap()
        .iter()
        .find(|y| y["year"] == 2026)
        .unwrap()
        .clone();
    year["holidays"]
        .as_array_mut()
        .unwrap()
        .push(json!({"date": "2026-03-04", "name": "两个实例之间的假日"}));
    let (s, e) = a
        .call(
            Method::PUT,
            "/api/v1/calendar/years/2026",
            Some(&admin),
            Some(year),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
    // (B keeps its copy up to 30 s: without the relay this fails unless the copy was about to
    // expire anyway)
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let (_, day) = b.call(Method::GET, check, None, None).await;
        if day["workday"] == false {
            assert_eq!(day["holiday"], "两个实例之间的假日");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "B still counts 2026-03-04 a working day: {day}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A display and a workbench still connected do not hold a stop: their streams end (to be
    // opened again on another instance) and the process exits cleanly.
    let on_a = stream(&a, &format!("/hall/{hid}/events"), None).await;
    let stopped = |p: std::process::Child| async move {
        tokio::time::timeout(
            Duration::from_secs(20),
            tokio::task::spawn_blocking(move || stop(p)),
        )
        .await
        .expect("stops within 20 s with event streams open")
        .unwrap()
    };
    assert_eq!(stopped(pa).await, 0);
    assert!(
        tokio::time::timeout(Duration::from_secs(5), on_a.bytes())
            .await
            .is_ok(),
        "the display's stream ended"
    );
    assert_eq!(stopped(pb).await, 0);
    drop((display, bench));
    let _ = std::fs::remove_file(&config);
    db.drop_db().await;
}
