//! The application running in-process on port 0, on a fresh database with the demo district.

use onewindow_store::testing::{Template, TestDb};
use onewindow_web::WebConfig;
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const PASSWORD: &str = "demo-password";

pub struct TestApp {
    pub base: String,
    db: Option<TestDb>,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

pub fn config() -> WebConfig {
    WebConfig {
        demo: true,
        demo_password: Some(PASSWORD.into()),
        ..WebConfig::default()
    }
}

/// The demo district seeded once per run and database, kept as the template of every test's
/// own copy (seeding it takes seconds; a copy, a fraction of one).
static DEMO_SQLITE: tokio::sync::OnceCell<Template> = tokio::sync::OnceCell::const_new();
static DEMO_POSTGRES: tokio::sync::OnceCell<Template> = tokio::sync::OnceCell::const_new();

async fn demo_template(kind: &str) -> &'static Template {
    let cell = match kind {
        "postgres" => &DEMO_POSTGRES,
        _ => &DEMO_SQLITE,
    };
    cell.get_or_init(|| async {
        let admin = onewindow_store::testing::postgres_url();
        let db = TestDb::for_template(kind, admin.as_deref())
            .await
            .expect("a database for the demo template");
        onewindow::demo::seed(db.store.as_ref(), PASSWORD)
            .await
            .expect("demo data");
        db.into_template().await
    })
    .await
}

/// A SQLite database of the test's own with the demo district.
pub async fn demo_sqlite() -> TestDb {
    demo_template("sqlite")
        .await
        .copy()
        .await
        .expect("a copy of the demo")
}

/// The demo district on SQLite, and on PostgreSQL when configured: each the test's own.
pub async fn demo_all() -> Vec<TestDb> {
    let mut all = vec![demo_sqlite().await];
    if onewindow_store::testing::postgres_url().is_some() {
        all.push(
            demo_template("postgres")
                .await
                .copy()
                .await
                .expect("a copy of the demo on PostgreSQL"),
        );
    }
    all
}

impl TestApp {
    /// The platform serving `db`, which holds the demo district (see [`demo_all`]).
    pub async fn start(db: TestDb, config: WebConfig) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        // What the demo's records point at, as `serve --demo` writes it.
        onewindow::demo::write_files(&config.uploads_dir)
            .await
            .unwrap();
        let app = onewindow_web::app(db.store.clone(), config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            onewindow_web::serve(listener, app, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        TestApp {
            base,
            db: Some(db),
            http,
            stop: Some(tx),
            server: Some(server),
        }
    }

    /// A client for the platform serving at `base` in another process (which owns its
    /// database): the same calls as on an app started here.
    pub fn attach(base: &str) -> TestApp {
        TestApp {
            base: base.to_string(),
            db: None,
            http: reqwest::Client::new(),
            stop: None,
            server: None,
        }
    }

    pub fn db(&self) -> &TestDb {
        self.db.as_ref().expect("the database lives until stop()")
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(s) = self.server.take() {
            let _ = s.await;
        }
        if let Some(db) = self.db.take() {
            db.drop_db().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A demo account's token.
    pub async fn token(&self, username: &str) -> String {
        self.sign_in(username, PASSWORD).await
    }

    pub async fn sign_in(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .call(
                Method::POST,
                "/api/v1/auth/token",
                None,
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "sign-in of {username}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    /// A JSON call; returns the status and the body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, path, token, body, HeaderMap::new())
            .await
    }

    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: HeaderMap,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path)).headers(headers);
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

    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// The id of a demo record by a field value, read with `token`.
    pub async fn find(&self, list_path: &str, token: &str, field: &str, value: &str) -> Value {
        let (s, list) = self.get(list_path, token).await;
        assert_eq!(s, StatusCode::OK, "{list_path}: {list}");
        list.as_array()
            .unwrap()
            .iter()
            .find(|r| r[field] == value)
            .unwrap_or_else(|| panic!("{list_path}: no {field} = {value}"))
            .clone()
    }
}

pub fn en() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("accept-language", HeaderValue::from_static("en"));
    h
}

/// Runs a test body against an app on every configured database.
#[macro_export]
macro_rules! each_app {
    ($name:ident, |$app:ident| $body:block) => {
        each_app!($name, $crate::support::config(), |$app| $body);
    };
    ($name:ident, $config:expr, |$app:ident| $body:block) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            for db in $crate::support::demo_all().await {
                let kind = db.kind;
                eprintln!("{} on {kind}", stringify!($name));
                let app = $crate::support::TestApp::start(db, $config).await;
                {
                    let $app: &$crate::support::TestApp = &app;
                    $body
                }
                app.stop().await;
            }
        }
    };
}

/// Cookies from a response's `Set-Cookie` headers, as `name=value` pairs with their attributes.
pub fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

pub fn cookie_value(set_cookies: &[String], name: &str) -> Option<String> {
    set_cookies
        .iter()
        .filter_map(|c| c.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}
