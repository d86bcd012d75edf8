//! Two `onewindow serve` processes on one PostgreSQL database, as a city runs them behind a
//! load balancer: live updates made through one reach displays and workbenches connected to the
//! other; windows calling through both never call one ticket twice; and the background jobs
//! send each notice once.

use crate::cli::{run, serve, stop};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A working Monday morning, so that the hall takes and calls tickets.
const MORNING: &str = "2026-03-02T10:00:00+08:00";

#[derive(Clone)]
struct Instance {
    base: String,
    http: reqwest::Client,
}

impl Instance {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn token(&self, user: &str) -> String {
        let (s, t) = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(json!({"username": user, "password": "demo-password"})),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{user}: {t}");
        t["token"].as_str().unwrap().to_string()
    }

    /// An event stream, opened.
    async fn stream(&self, path: &str, token: Option<&str>) -> Stream {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        Stream {
            res,
            buf: String::new(),
        }
    }
}

struct Stream {
    res: reqwest::Response,
    buf: String,
}

impl Stream {
    /// The data of the next event called `name` whose data contains `want`.
    async fn next(&mut self, name: &str, want: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            while let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
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
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .unwrap_or_else(|_| panic!("no {name} event with {want}"))
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

async fn take(inst: &Instance, hid: i64, cat: i64) -> Value {
    let body = json!({"hall_id": hid, "category_id": cat});
    let (s, t) = inst
        .call(Method::POST, "/api/v1/hall/tickets", None, Some(body))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    t
}

async fn act(inst: &Instance, clerk: &str, w: i64, action: &str) -> (StatusCode, Value) {
    inst.call(
        Method::POST,
        &format!("/api/v1/hall/windows/{w}/{action}"),
        Some(clerk),
        Some(json!({})),
    )
    .await
}

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
        run(&[
            "demo",
            "--database-url",
            &url,
            "--demo-password",
            "demo-password",
        ])
    });
    assert_eq!(code, 0, "{text}");
    let (sms, got) = gateway().await;
    let config = std::env::temp_dir().join(format!("ow_instances_{}.toml", std::process::id()));
    std::fs::write(&config, format!("[notify]\nsms_webhook = \"{sms}\"\n")).unwrap();
    let cfg = config.display().to_string();
    let extra = ["--config", cfg.as_str(), "--clock-start", MORNING];
    let (pa, base_a, _) = tokio::task::block_in_place(|| serve(&url, &extra));
    let (pb, base_b, _) = tokio::task::block_in_place(|| serve(&url, &extra));
    let http = reqwest::Client::new();
    let a = Instance {
        base: base_a,
        http: http.clone(),
    };
    let b = Instance { base: base_b, http };

    let admin = a.token("admin").await;
    let clerk = a.token("clerk").await;
    let (_, halls) = a
        .call(Method::GET, "/api/v1/halls", Some(&admin), None)
        .await;
    let hid = halls.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (_, cats) = a
        .call(
            Method::GET,
            &format!("/api/v1/halls/{hid}/categories"),
            None,
            None,
        )
        .await;
    let cat = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["prefix"] == "A")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let (_, windows) = a
        .call(
            Method::GET,
            &format!("/api/v1/halls/{hid}/windows"),
            Some(&admin),
            None,
        )
        .await;
    let window = |n: i64| {
        windows
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["number"] == n)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (w1, w2) = (window(1), window(2));

    // A display connected to B hears what happens at a window served through A.
    let mut display = b.stream(&format!("/hall/{hid}/events"), None).await;
    display.next("board", "\"queues\"").await;
    take(&a, hid, cat).await;
    display.next("board", "\"waiting\":1").await;
    let (s, called) = act(&a, &clerk, w1, "call-next").await;
    assert_eq!(s, StatusCode::OK, "{called}");
    let call = display.next("call", "A001").await;
    assert!(call.contains("请A001号到1号窗口办理"), "{call}");
    let (s, _) = act(&a, &clerk, w1, "finish").await;
    assert_eq!(s, StatusCode::OK);
    display.next("finish", "A001").await;

    // A workbench connected to B hears the bell rung through A.
    let approver = b.token("approver").await;
    let mut bench = b.stream("/urges/events", Some(&approver)).await;
    let (_, matters) = a
        .call(
            Method::GET,
            "/api/v1/matters?q=建筑工程施工许可证核发&limit=50",
            None,
            None,
        )
        .await;
    let code = matters["items"][0]["code"].as_str().unwrap().to_string();
    let (s, created) = a
        .call(
            Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(crate::cases::company_application(&code, "window")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let case = created["case_ids"][0].as_i64().unwrap();
    let (s, v) = a
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/actions"),
            Some(&clerk),
            Some(json!({"action": "accept"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
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
    let heard = bench.next("urge", "两个实例之间的督办").await;
    assert!(heard.contains(&format!("\"id\":{}", u["id"])), "{heard}");

    // Windows calling through both instances at once: every ticket called once.
    let total = 30;
    for _ in 0..total {
        take(&b, hid, cat).await;
    }
    let calling = |inst: &Instance, w: i64| {
        let (inst, clerk) = (inst.clone(), clerk.clone());
        tokio::spawn(async move {
            let mut numbers = Vec::new();
            loop {
                let (s, out) = act(&inst, &clerk, w, "call-next").await;
                match out["ticket"]["number"].as_str() {
                    Some(n) if s == StatusCode::OK => numbers.push(n.to_string()),
                    _ => break,
                }
                let (s, out) = act(&inst, &clerk, w, "finish").await;
                assert_eq!(s, StatusCode::OK, "{out}");
            }
            numbers
        })
    };
    let (x, y) = (calling(&a, w1), calling(&b, w2));
    let (x, y) = (x.await.unwrap(), y.await.unwrap());
    let all: BTreeSet<&String> = x.iter().chain(&y).collect();
    assert_eq!(x.len() + y.len(), total, "{x:?} {y:?}");
    assert_eq!(all.len(), total, "no ticket called twice: {x:?} {y:?}");
    assert!(!x.is_empty() && !y.is_empty(), "both windows called");

    // The notices the accepted case wrote leave once, whichever instance runs the outbox.
    let store = onewindow_store::open(&url).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let pending = loop {
        let outbox = store.outbox(None, 1000).await.unwrap();
        let pending = outbox.iter().filter(|m| m.status == "pending").count();
        if pending == 0 || tokio::time::Instant::now() > deadline {
            break outbox;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let mut sent: Vec<i64> = pending
        .iter()
        .filter(|m| m.status == "sent" && m.channel == "sms")
        .map(|m| m.id)
        .collect();
    assert!(!sent.is_empty(), "{pending:?}");
    sent.sort_unstable();
    // Two more rounds of both instances' outbox jobs: nothing is sent again.
    tokio::time::sleep(Duration::from_secs(11)).await;
    let mut heard = got.lock().unwrap().clone();
    heard.sort_unstable();
    assert_eq!(heard, sent, "each notice sent once");
    store.close().await;

    // Open event streams would hold a graceful stop.
    drop((display, bench));
    assert_eq!(tokio::task::block_in_place(|| stop(pa)), 0);
    assert_eq!(tokio::task::block_in_place(|| stop(pb)), 0);
    let _ = std::fs::remove_file(&config);
    db.drop_db().await;
}
