//! The command line as a user runs it: a separate process.

use onewindow_store::testing::TestDb;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_onewindow"))
}

pub(crate) fn run(args: &[&str]) -> (i32, String) {
    let out = bin().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn check_prints_valid_or_the_reason() {
    assert_eq!(
        run(&["check", "id", "11010519491231002X"]),
        (0, "valid\n".into())
    );
    let (code, text) = run(&["check", "id", "110105194912310021"]);
    assert_eq!(code, 1);
    assert!(
        text.contains("校验码错误") && text.contains("expected X"),
        "{text}"
    );
    assert_eq!(
        run(&["check", "uscc", "91350100M000100Y43"]),
        (0, "valid\n".into())
    );
    let (code, text) = run(&["check", "uscc", "91350100M000100Y4"]);
    assert_eq!(code, 1);
    assert!(text.contains("18位"), "{text}");
    assert_eq!(run(&["check", "mobile", "13812345678"]).0, 0);
    assert_eq!(run(&["check", "mobile", "12812345678"]).0, 1);
}

fn temp_sqlite() -> (String, std::path::PathBuf) {
    let p = std::env::temp_dir().join(format!(
        "ow_cli_{}_{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    (format!("sqlite://{}", p.display()), p)
}

#[test]
fn migrate_applies_once() {
    let (url, path) = temp_sqlite();
    let (code, text) = run(&["migrate", "--database-url", &url]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("migration(s) applied: [1, "), "{text}");
    let (code, text) = run(&["migrate", "--database-url", &url]);
    assert_eq!(code, 0);
    assert!(text.contains("up to date"), "{text}");
    let _ = std::fs::remove_file(path);
}

async fn tamper(db: &TestDb, seq: i64) {
    use sqlx::Connection;
    if db.kind == "sqlite" {
        let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = $1")
            .bind(seq)
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
        sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET actor_name = 'someone-else' WHERE seq = $1")
            .bind(seq)
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_counts_or_names_the_tampered_entry() {
    for db in TestDb::all().await {
        let report = onewindow::demo::seed(db.store.as_ref(), "demo-password")
            .await
            .unwrap();
        let url = db.url.clone();
        let (code, text) =
            tokio::task::spawn_blocking(move || run(&["audit", "verify", "--database-url", &url]))
                .await
                .unwrap();
        assert_eq!(code, 0, "{}: {text}", db.kind);
        assert!(
            // one entry per record the demo created
            text.contains(&format!("verified {} audit entries", report.created)),
            "{}: {text}",
            db.kind
        );
        tamper(&db, 42).await;
        let url = db.url.clone();
        let (code, text) =
            tokio::task::spawn_blocking(move || run(&["audit", "verify", "--database-url", &url]))
                .await
                .unwrap();
        assert_eq!(code, 1, "{}: {text}", db.kind);
        assert!(text.contains("entry 42"), "{}: {text}", db.kind);
        db.drop_db().await;
    }
}

/// Starts `onewindow serve` on a free port and returns the process and its base URL.
pub(crate) fn serve(url: &str, extra: &[&str]) -> (std::process::Child, String, Vec<String>) {
    serve_logging(url, extra, "warn", Stdio::null())
}

/// `serve` with the log filter `log` (ONEWINDOW_LOG) and the log (stderr) sent to `log_to`.
fn serve_logging(
    url: &str,
    extra: &[&str],
    log: &str,
    log_to: Stdio,
) -> (std::process::Child, String, Vec<String>) {
    let mut child = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
        .args(extra)
        .env("ONEWINDOW_LOG", log)
        .stdout(Stdio::piped())
        .stderr(log_to)
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut base = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.split("serving at ").nth(1) {
            base = rest
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
        }
        let done = line.contains("password:") || (!extra.contains(&"--demo") && !base.is_empty());
        lines.push(line);
        if done {
            break;
        }
    }
    assert!(
        !base.is_empty(),
        "the server printed where it serves: {lines:?}"
    );
    (child, base, lines)
}

pub(crate) fn stop(mut child: std::process::Child) -> i32 {
    // SIGTERM: the server finishes what it is doing and exits cleanly.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    child.wait().unwrap().code().unwrap_or(-1)
}

async fn counts(base: &str) -> (usize, usize, usize) {
    let http = reqwest::Client::new();
    let t = admin_token(base).await;
    let t = t.as_str();
    let n = |p: &'static str| {
        let http = http.clone();
        async move {
            let v: serde_json::Value = http
                .get(format!("{base}{p}"))
                .bearer_auth(t)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v.as_array().unwrap().len()
        }
    };
    (
        n("/api/v1/regions").await,
        n("/api/v1/departments").await,
        n("/api/v1/users").await,
    )
}

async fn admin_token(base: &str) -> String {
    demo_token(base, "admin").await
}

/// A bearer token for a demo account of a running server.
async fn demo_token(base: &str, username: &str) -> String {
    let t: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"username": username, "password": "demo-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    t["token"].as_str().unwrap().to_string()
}

async fn clerk(base: &str, t: &str) -> serde_json::Value {
    let users: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/users"))
        .bearer_auth(t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "clerk")
        .unwrap()
        .clone()
}

async fn rename_clerk(base: &str) -> String {
    let t = admin_token(base).await;
    let c = clerk(base, &t).await;
    let res = reqwest::Client::new()
        .patch(format!("{base}/api/v1/users/{}", c["id"]))
        .bearer_auth(&t)
        .json(&serde_json::json!({"version": c["version"], "display_name": "李志抗（已改名）"}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    "李志抗（已改名）".into()
}

async fn clerk_name(base: &str) -> String {
    let t = admin_token(base).await;
    clerk(base, &t).await["display_name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_twice_neither_duplicates_nor_resets() {
    let mut urls = vec![temp_sqlite().0];
    let pg = onewindow_store::testing::postgres_url();
    let mut pg_db = None;
    if let Some(admin) = pg {
        let db = TestDb::postgres(&admin).await.unwrap();
        // A password in the URL (ignored by trust auth here) must never be printed.
        let mut u = url::Url::parse(&db.url).unwrap();
        u.set_password(Some("s3cret-pw")).unwrap();
        urls.push(u.to_string());
        pg_db = Some(db);
    }
    for url in urls {
        let (child, base, lines) = tokio::task::block_in_place(|| serve(&url, &["--demo"]));
        let banner = lines.join("");
        assert!(banner.contains("admin, clerk, approver, supervisor, grid, dispatcher, steward, agent, leader, citizen, enterprise, approver-zrzy, approver-sthj, petition-office, steward-city"), "{banner}");
        assert!(
            !banner.contains("s3cret-pw"),
            "the database password was printed: {banner}"
        );
        let first = counts(&base).await;
        // The district administrator's accounts: not the city's steward. The petition agency
        // adds 71 villages, 90 agents, the office and 12 leaders.
        assert_eq!(
            first,
            (88, 17, 116),
            "{url}: regions, departments, accounts"
        );
        // a change made between the starts survives the second start
        let http = reqwest::Client::new();
        let health: serde_json::Value = http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        let renamed = rename_clerk(&base).await;
        assert_eq!(
            tokio::task::block_in_place(|| stop(child)),
            0,
            "graceful shutdown on SIGTERM"
        );
        let (child, base, _) = tokio::task::block_in_place(|| serve(&url, &["--demo"]));
        assert_eq!(
            counts(&base).await,
            first,
            "a second start duplicates nothing"
        );
        assert_eq!(clerk_name(&base).await, renamed, "and resets nothing");
        assert_eq!(tokio::task::block_in_place(|| stop(child)), 0);
        if let Some(p) = url.strip_prefix("sqlite://") {
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{p}{s}"));
            }
        }
    }
    if let Some(db) = pg_db {
        db.drop_db().await;
    }
}

/// Passwords (right, wrong and new), tokens, Open311 keys and the database password never reach
/// the log, even at `debug` with every request logged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_never_reach_the_log() {
    let (sqlite, _) = temp_sqlite();
    let mut urls = vec![sqlite];
    let mut pg_db = None;
    if let Some(admin) = onewindow_store::testing::postgres_url() {
        let db = TestDb::postgres(&admin).await.unwrap();
        let mut u = url::Url::parse(&db.url).unwrap();
        u.set_password(Some("s3cret-pw")).unwrap(); // trust auth ignores it
        urls.push(u.to_string());
        pg_db = Some(db);
    } else {
        eprintln!(
            "secrets_never_reach_the_log: PostgreSQL skipped (ONEWINDOW_TEST_DATABASE_URL unset)"
        );
    }
    for url in urls {
        let log_path = std::env::temp_dir().join(format!("ow_log_{}.txt", std::process::id()));
        let log_file = std::fs::File::create(&log_path).unwrap();
        let (child, base, _) = tokio::task::block_in_place(|| {
            serve_logging(&url, &["--demo"], "debug", Stdio::from(log_file))
        });
        let http = reqwest::Client::new();
        let admin = admin_token(&base).await;
        let c = clerk(&base, &admin).await;
        let (password, wrong, newer) = ("Log-secret-4711", "Log-wrong-0815", "Log-newer-9923");
        let res = http
            .post(format!("{base}/api/v1/users"))
            .bearer_auth(&admin)
            .json(
                &serde_json::json!({"username": "logtest", "display_name": "日志检查",
                "password": password, "roles": ["clerk"],
                "department_id": c["department_id"], "region_id": c["region_id"]}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            reqwest::StatusCode::CREATED,
            "{}",
            res.text().await.unwrap()
        );
        let sign_in = |p: &'static str| {
            let http = http.clone();
            let base = base.clone();
            async move {
                http.post(format!("{base}/api/v1/auth/token"))
                    .json(&serde_json::json!({"username": "logtest", "password": p}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        assert_eq!(
            sign_in(wrong).await.status(),
            reqwest::StatusCode::UNAUTHORIZED
        );
        let t: serde_json::Value = sign_in(password).await.json().await.unwrap();
        let token = t["token"].as_str().unwrap().to_string();
        let res = http
            .post(format!("{base}/api/v1/me/password"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"old_password": password, "new_password": newer}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), reqwest::StatusCode::NO_CONTENT);
        let dispatcher = demo_token(&base, "dispatcher").await;
        let k: serde_json::Value = http
            .post(format!("{base}/api/v1/open311/keys"))
            .bearer_auth(&dispatcher)
            .json(&serde_json::json!({"name": "日志检查App"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let key = k["api_key"].as_str().unwrap().to_string();
        // in the query too, where some clients put it
        let res = http
            .get(format!("{base}/open311/v2/requests.json?api_key={key}"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        assert_eq!(tokio::task::block_in_place(|| stop(child)), 0);
        let log = std::fs::read_to_string(&log_path).unwrap();
        let _ = std::fs::remove_file(&log_path);
        assert!(
            log.contains("/api/v1/me/password") && log.contains("/open311/v2/requests.json"),
            "the requests were logged at debug: {log}"
        );
        for (what, secret) in [
            ("a password", password),
            ("a wrong password", wrong),
            ("a new password", newer),
            ("a bearer token", token.as_str()),
            ("the administrator's token", admin.as_str()),
            ("an Open311 key", key.as_str()),
            ("the database password", "s3cret-pw"),
        ] {
            assert!(!log.contains(secret), "{what} is in the log of {url}");
        }
        if let Some(p) = url.strip_prefix("sqlite://") {
            for s in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{p}{s}"));
            }
        }
    }
    if let Some(db) = pg_db {
        db.drop_db().await;
    }
}

#[test]
fn init_prepares_a_real_installation() {
    let (url, path) = temp_sqlite();
    let init = |password: &str, code: &str| {
        let out = bin()
            .args([
                "init",
                "--database-url",
                &url,
                "--region-code",
                code,
                "--region-name",
                "龙港区",
                "--admin-username",
                "chief",
            ])
            .env("ONEWINDOW_ADMIN_PASSWORD", password)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, text) = init("weak", "211403");
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("password") && text.contains("8位"), "{text}");
    let (code, text) = init("Chief-admin-2026", "2114");
    assert_eq!(code, 2);
    assert!(text.contains("code"), "{text}");
    let (code, text) = init("Chief-admin-2026", "211403");
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("211403 龙港区") && text.contains("'chief'"),
        "{text}"
    );
    let (code, text) = init("Chief-admin-2026", "211403");
    assert_eq!(code, 2);
    assert!(text.contains("already exists"), "{text}");
    // the administrator signs in and administers the region
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = onewindow_store::open(&url).await.unwrap();
        let u = store.user_by_username("chief").await.unwrap().unwrap();
        assert_eq!(u.roles, vec![onewindow_core::identity::Role::Admin]);
        let r = store.region_by_code("211403").await.unwrap().unwrap();
        assert_eq!(u.region_id, Some(r.id));
        assert_eq!(
            store.regions().await.unwrap().len(),
            1,
            "the failed attempts left nothing"
        );
        assert_eq!(store.verify_audit().await.unwrap(), Ok(2));
        store.close().await;
    });
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

#[test]
fn settings_come_from_the_file_and_the_environment() {
    let (url, path) = temp_sqlite();
    // the environment names the database for migrate
    let out = bin()
        .args(["migrate"])
        .env("ONEWINDOW_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(&url));
    // the file names the address and the database for serve; an unknown key is refused
    let conf = std::env::temp_dir().join(format!("ow_conf_{}.toml", std::process::id()));
    std::fs::write(
        &conf,
        format!("addr = \"127.0.0.1:0\"\ndatabase_url = \"{url}\"\n"),
    )
    .unwrap();
    let mut child = bin()
        .args(["--config", conf.to_str().unwrap(), "serve"])
        .env("ONEWINDOW_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.contains("serving at http://127.0.0.1:") && line.contains(&url),
        "{line}"
    );
    assert_eq!(stop(child), 0);
    std::fs::write(&conf, "colour = \"blue\"\n").unwrap();
    let out = bin()
        .args([
            "--config",
            conf.to_str().unwrap(),
            "migrate",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("colour"));
    let _ = std::fs::remove_file(conf);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", path.display()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_export_and_import_from_the_command_line() {
    let db = crate::support::demo_sqlite().await;
    let dir = std::env::temp_dir();
    let xlsx = dir.join(format!("ow_catalog_{}.xlsx", std::process::id()));
    let csv = dir.join(format!("ow_catalog_{}.csv", std::process::id()));
    let url = db.url.clone();
    let (x, c) = (xlsx.display().to_string(), csv.display().to_string());
    let outs = tokio::task::spawn_blocking(move || {
        vec![
            run(&["catalog", "export", &x, "--database-url", &url]),
            run(&["catalog", "export", &c, "--database-url", &url]),
            run(&["catalog", "import", &x, "--database-url", &url]),
        ]
    })
    .await
    .unwrap();
    assert_eq!(
        outs[0],
        (0, format!("exported 759 matters to {}\n", xlsx.display()))
    );
    assert_eq!(outs[1].0, 0);
    assert!(
        std::fs::read(&csv)
            .unwrap()
            .starts_with("\u{feff}实施编码".as_bytes())
    );
    assert_eq!(
        outs[2],
        (
            0,
            "imported 759 rows: 0 created, 0 updated, 759 unchanged; 0 bad rows skipped\n"
                .to_string()
        )
    );
    // a file that is not a table
    std::fs::write(&csv, [0u8, 159, 146, 150]).unwrap();
    let (url, c) = (db.url.clone(), csv.display().to_string());
    let (code, text) = tokio::task::spawn_blocking(move || {
        run(&["catalog", "import", &c, "--database-url", &url])
    })
    .await
    .unwrap();
    assert_eq!(code, 2);
    assert!(text.contains("neither XLSX nor"), "{text}");
    let _ = std::fs::remove_file(xlsx);
    let _ = std::fs::remove_file(csv);
    db.drop_db().await;
}

#[test]
fn calendar_answers_working_day_questions() {
    // 2026: Spring Festival 2-15..2-23 off, 2-14 and 2-28 worked (国办发明电〔2025〕7号).
    assert_eq!(
        run(&["calendar", "is-workday", "2026-02-14"]),
        (0, "true\n".into())
    );
    assert_eq!(
        run(&["calendar", "is-workday", "2026-02-16"]),
        (0, "false\n".into())
    );
    assert_eq!(
        run(&["calendar", "is-workday", "2026-03-02"]),
        (0, "true\n".into())
    );
    // 20 working days from 2026-02-10 skip the whole festival.
    assert_eq!(
        run(&["calendar", "add-workdays", "2026-02-10", "20"]),
        (0, "2026-03-16\n".into())
    );
    assert_eq!(
        run(&["calendar", "add-workdays", "2025-09-30", "1"]),
        (0, "2025-10-09\n".into())
    );
    assert_eq!(
        run(&["calendar", "between", "2026-09-30", "2026-10-09"]),
        (0, "2\n".into())
    );
    // next year's notice is not out yet: computed from the law, and said to be provisional
    // beside the answer (standard error), the answer itself as scripts read it
    let out = bin()
        .args(["calendar", "add-workdays", "2026-12-30", "5"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2027-01-07\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("暂定"));
    let out = bin()
        .args(["calendar", "is-workday", "2027-02-05"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "false\n",
        "除夕 2027 by law"
    );
    let (code, text) = run(&["calendar", "show", "2027"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("2027-06-09 端午节") && text.contains("暂定"),
        "{text}"
    );
    let (code, text) = run(&["calendar", "is-workday", "2031-05-06"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("2031"), "{text}");
    let (code, text) = run(&["calendar", "add-workdays", "2026-01-05", "-3"]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = run(&["calendar", "is-workday", "2026-02-30"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("YYYY-MM-DD"), "{text}");
    let (code, text) = run(&["calendar", "show", "2026"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("2026-02-14 调休上班"), "{text}");
    assert!(text.contains("2026-10-01 国庆节"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_generates_cases_over_states_and_months() {
    for db in TestDb::all().await {
        let url = db.url.clone();
        let (code, text) = tokio::task::block_in_place(|| {
            run(&["demo", "--cases", "400", "--database-url", &url])
        });
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("400 cases generated"), "{text}");
        let cases = db
            .store
            .cases(&onewindow_store::CaseFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(cases.len(), 400, "{}", db.kind);
        // What ended long ago was delivered: no case concluded more than a month ago still
        // waits for delivery (the on-the-spot ones sent by post among them).
        let month_ago =
            onewindow_core::time::local_date(chrono::Utc::now()) - chrono::Duration::days(31);
        let stuck: Vec<_> = cases
            .iter()
            .filter(|c| {
                c.state == onewindow_core::case::CaseState::Concluded
                    && c.concluded_on.is_some_and(|d| d < month_ago)
            })
            .map(|c| c.number.clone())
            .collect();
        assert!(
            stuck.is_empty(),
            "concluded long ago, never delivered: {stuck:?}"
        );
        // The history is rated: most ended cases, a realistic share of them badly, and the bad
        // ones rectified as far as the time since allows (the old ones to the end).
        let ratings = db
            .store
            .ratings(&onewindow_store::RatingFilter {
                limit: 10_000,
                ..Default::default()
            })
            .await
            .unwrap();
        let ended = cases.iter().filter(|c| {
            matches!(
                c.state,
                onewindow_core::case::CaseState::Concluded
                    | onewindow_core::case::CaseState::Delivered
            )
        });
        let ended = ended.count();
        assert!(
            ratings.len() * 100 >= ended * 40 && ratings.len() < ended,
            "{} ratings of {ended} ended cases",
            ratings.len()
        );
        let bad = ratings.iter().filter(|r| r.level <= 2).count();
        assert!(
            bad >= 1 && bad * 100 <= ratings.len() * 15,
            "{bad} bad of {}",
            ratings.len()
        );
        let rect = db
            .store
            .rectifications(&onewindow_store::RectificationFilter {
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(rect.len(), bad, "every bad rating opened its rectification");
        assert!(
            rect.iter()
                .any(|r| r.progress.state
                    == onewindow_core::evaluation::rectification::State::Closed),
            "the old ones are closed: {rect:?}"
        );
        let states: std::collections::HashSet<_> = cases.iter().map(|c| c.state).collect();
        assert!(states.len() >= 4, "{states:?}");
        let months: std::collections::HashSet<_> = cases
            .iter()
            .map(|c| c.submitted_at.format("%Y-%m").to_string())
            .collect();
        assert!(months.len() >= 6, "{months:?}");
        assert!(
            db.store
                .outbox_due(chrono::Utc::now(), 10)
                .await
                .unwrap()
                .is_empty(),
            "history is not announced today"
        );
        // The supervision upkeep: the rollup was kept with every generated case, the light
        // days are current, and the warning job runs (its warnings once).
        let (code, text) = tokio::task::block_in_place(|| {
            run(&["supervision", "rebuild", "--database-url", &url])
        });
        assert_eq!(code, 0, "{text}");
        assert!(text.contains(": 0 row(s) were wrong"), "{text}");
        let (code, text) = tokio::task::block_in_place(|| {
            run(&["supervision", "relight", "--database-url", &url])
        });
        assert_eq!(code, 0, "{text}");
        assert!(text.contains(": 0 case(s) changed"), "{text}");
        let (code, text) =
            tokio::task::block_in_place(|| run(&["supervision", "warn", "--database-url", &url]));
        assert_eq!(code, 0, "{text}");
        let (code, again) =
            tokio::task::block_in_place(|| run(&["supervision", "warn", "--database-url", &url]));
        assert_eq!(code, 0, "{again}");
        assert!(
            again.contains("0 reminder(s), 0 raised at red, 0 late step(s), 0 urge(s) escalated"),
            "each warning once: {text} then {again}"
        );
        db.drop_db().await;
    }
}

/// The digests a backup or restore prints: every table's line, without the summary lines.
fn digest_lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| {
            !l.contains(" tables, ") && !l.starts_with("backup ") && !l.starts_with("restored ")
        })
        .map(str::to_string)
        .collect()
}

// A backup taken while the platform serves, restored over the database after a later change:
// the restored database is the backup to the last row (every table's count and checksum), the
// later change is gone, and the audit chain verifies. A second backup to the same path is
// refused; a file that is not a OneWindow database is never put in place; PostgreSQL is sent to
// pg_dump.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_identical() {
    let (url, path) = temp_sqlite();
    let store = onewindow_store::open(&url).await.unwrap();
    store.migrate().await.unwrap();
    onewindow::demo::seed(store.as_ref(), "demo-password")
        .await
        .unwrap();
    store.close().await;
    let (child, base, _) = tokio::task::block_in_place(|| serve(&url, &[]));
    let backup = path.with_extension("backup.db");
    let _ = std::fs::remove_file(&backup);
    let b = backup.display().to_string();
    let (code, taken) =
        tokio::task::block_in_place(|| run(&["backup", &b, "--database-url", &url]));
    assert_eq!(code, 0, "{taken}");
    let (code, text) = tokio::task::block_in_place(|| run(&["backup", &b, "--database-url", &url]));
    assert_eq!(code, 2);
    assert!(text.contains("never overwrites"), "{text}");
    // A change after the backup.
    let renamed = rename_clerk(&base).await;
    assert_eq!(clerk_name(&base).await, renamed);
    assert_eq!(tokio::task::block_in_place(|| stop(child)), 0);

    // Not a OneWindow database: refused, the installation untouched.
    let stray = path.with_extension("stray.db");
    std::fs::write(&stray, b"not a database").unwrap();
    let s = stray.display().to_string();
    let (code, text) =
        tokio::task::block_in_place(|| run(&["restore", &s, "--database-url", &url]));
    assert_eq!(code, 2, "{text}");
    let (code, restored) =
        tokio::task::block_in_place(|| run(&["restore", &b, "--database-url", &url]));
    assert_eq!(code, 0, "{restored}");
    assert_eq!(digest_lines(&restored), digest_lines(&taken));
    assert!(digest_lines(&taken).len() > 80, "{taken}");
    let store = onewindow_store::open(&url).await.unwrap();
    let now: Vec<String> = store
        .table_digests()
        .await
        .unwrap()
        .iter()
        .map(|d| format!("{:<32} {:>10} {}", d.table, d.rows, d.checksum))
        .collect();
    assert_eq!(now, digest_lines(&taken), "the database is the backup");
    let clerk = store.user_by_username("clerk").await.unwrap().unwrap();
    assert_eq!(clerk.display_name, "李志抗", "the later change is gone");
    assert!(store.verify_audit().await.unwrap().is_ok());
    assert_eq!(store.integrity().await.unwrap(), "ok");
    store.close().await;
    let (code, text) = tokio::task::block_in_place(|| {
        run(&[
            "backup",
            "/tmp/x.db",
            "--database-url",
            "postgres://postgres@127.0.0.1:5432/postgres",
        ])
    });
    assert_eq!(code, 2);
    assert!(text.contains("pg_dump"), "{text}");
    for p in [&path, &backup, &stray] {
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{s}", p.display()));
        }
    }
}

/// The table lines `copy` prints, with their verdict.
fn copy_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| l.ends_with(" same") || l.ends_with(" DIFFERENT"))
        .collect()
}

// An installation with cases in every state moves from SQLite to PostgreSQL: every table's
// count and checksum agree, the audit chain verifies there, and the platform serves from it
// (new records take new ids: the sequences were moved past the copied ones). A change on one
// side is then found by `copy --check`; a second copy into a used database and a copy between
// two of one kind are refused; and the installation moves back to SQLite unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_to_postgres_and_back() {
    let Some(admin) = onewindow_store::testing::postgres_url() else {
        eprintln!(
            "SKIPPED cli::an_installation_moves_to_postgres_and_back: it needs PostgreSQL \
             ({} is not set)",
            onewindow_store::testing::ENV
        );
        return;
    };
    let lite = TestDb::sqlite().await.unwrap();
    let pg = TestDb::postgres(&admin).await.unwrap();
    let (from, to) = (lite.url.clone(), pg.url.clone());
    let (code, text) = tokio::task::block_in_place(|| {
        run(&[
            "demo",
            "--cases",
            "300",
            "--database-url",
            &from,
            "--demo-password",
            "demo-password",
        ])
    });
    assert_eq!(code, 0, "{text}");

    let (other, other_path) = temp_sqlite();
    let (code, text) =
        tokio::task::block_in_place(|| run(&["copy", "--from", &from, "--to", &other]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("onewindow backup"), "{text}");

    let (code, text) = tokio::task::block_in_place(|| run(&["copy", "--from", &from, "--to", &to]));
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("every table's count and checksum are the same on both sides"),
        "{text}"
    );
    let lines = copy_lines(&text);
    assert!(lines.len() > 80, "{text}");
    assert!(lines.iter().all(|l| l.ends_with(" same")), "{text}");
    let cases = lines.iter().find(|l| l.starts_with("cases ")).unwrap();
    assert!(cases.contains(" 300 "), "{cases}");
    let audit = lite.store.verify_audit().await.unwrap().unwrap();
    assert_eq!(pg.store.verify_audit().await.unwrap().unwrap(), audit);
    assert!(audit > 1000, "{audit}");

    let (code, text) = tokio::task::block_in_place(|| run(&["copy", "--from", &from, "--to", &to]));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("holds an installation already"), "{text}");

    // The platform serves from the copy: a new department takes a new id.
    let (child, base, _) = tokio::task::block_in_place(|| serve(&to, &[]));
    let t = admin_token(&base).await;
    let before = lite.store.departments(&Default::default()).await.unwrap();
    let made = reqwest::Client::new()
        .post(format!("{base}/api/v1/departments"))
        .bearer_auth(&t)
        .json(&serde_json::json!({
            "region_id": before[0].region_id,
            "uscc": "91350100M000100Y43",
            "name": "迁移后新设部门",
        }))
        .send()
        .await
        .unwrap();
    let status = made.status();
    let body: serde_json::Value = made.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let max = before.iter().map(|d| d.id).max().unwrap();
    assert!(body["id"].as_i64().unwrap() > max, "{body}");
    let renamed = rename_clerk(&base).await;
    assert_eq!(clerk_name(&base).await, renamed);
    assert_eq!(tokio::task::block_in_place(|| stop(child)), 0);

    // The two have parted: the check names the tables that changed.
    let (code, text) =
        tokio::task::block_in_place(|| run(&["copy", "--check", "--from", &from, "--to", &to]));
    assert_eq!(code, 1, "{text}");
    let differ: Vec<&str> = copy_lines(&text)
        .into_iter()
        .filter(|l| l.ends_with("DIFFERENT"))
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for t in ["audit_log", "departments", "users"] {
        assert!(differ.contains(&t), "{t} differs: {text}");
    }
    // (Cases may differ too: the serving copy's jobs moved overdue ones on.)
    for t in ["regions", "matters", "calendar_days"] {
        assert!(!differ.contains(&t), "{t} is untouched: {text}");
    }

    // And back to SQLite, with the new department.
    let (code, text) =
        tokio::task::block_in_place(|| run(&["copy", "--from", &to, "--to", &other]));
    assert_eq!(code, 0, "{text}");
    let back = onewindow_store::open(&other).await.unwrap();
    assert!(back.verify_audit().await.unwrap().is_ok());
    assert_eq!(back.integrity().await.unwrap(), "ok");
    assert_eq!(
        back.departments(&Default::default()).await.unwrap().len(),
        before.len() + 1
    );
    back.close().await;
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", other_path.display()));
    }
    lite.drop_db().await;
    pg.drop_db().await;
}

// A district publishes a checkpoint; later someone with the database's files cuts a chain's end
// off together with its head and the kept checkpoints. The trail alone looks whole; held to the
// published checkpoint it is found. A file that is not a checkpoint is refused as such.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_checkpoint_finds_a_cut_off_end() {
    for db in crate::support::demo_all().await {
        let url = db.url.clone();
        let cli = |args: Vec<String>| {
            tokio::task::block_in_place(|| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                run(&args)
            })
        };
        let base = |a: &[&str]| {
            let mut v: Vec<String> = a.iter().map(|s| s.to_string()).collect();
            v.extend(["--database-url".to_string(), url.clone()]);
            v
        };
        let (code, text) = cli(base(&["audit", "checkpoint"]));
        assert_eq!(code, 1, "{text}");
        assert!(text.contains("no checkpoint yet"), "{text}");
        let (code, json) = cli(base(&["audit", "checkpoint", "--new", "--json"]));
        assert_eq!(code, 0, "{json}");
        let published: onewindow_core::audit::Checkpoint = serde_json::from_str(&json).unwrap();
        let file = std::env::temp_dir().join(format!(
            "ow_checkpoint_{}_{}.json",
            std::process::id(),
            db.kind
        ));
        std::fs::write(&file, &json).unwrap();
        let f = file.display().to_string();
        let (code, text) = cli(base(&["audit", "checkpoint"]));
        assert_eq!(code, 0, "{text}");
        assert!(
            text.contains(&published.root),
            "the latest is printed: {text}"
        );
        let (code, text) = cli(base(&["audit", "verify", "--against", &f]));
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("holds the published checkpoint"), "{text}");

        let h = published.heads.iter().max_by_key(|h| h.link).unwrap();
        let cut = [
            format!(
                "DELETE FROM audit_log WHERE chain = {} AND link = {}",
                h.chain, h.link
            ),
            format!(
                "UPDATE audit_heads SET link = link - 1, hash = (SELECT hash FROM audit_log \
                 WHERE chain = {0} AND link = {1}) WHERE chain = {0}",
                h.chain,
                h.link - 1
            ),
            "DELETE FROM audit_checkpoints".to_string(),
        ];
        db.tamper_sql(&cut).await.unwrap();
        let (code, text) = cli(base(&["audit", "verify"]));
        assert_eq!(code, 0, "alone the trail looks whole: {text}");
        let (code, text) = cli(base(&["audit", "verify", "--against", &f]));
        assert_eq!(code, 1, "{text}");
        assert!(
            text.contains(&format!("chain {} no longer holds", h.chain)),
            "{}: {text}",
            db.kind
        );
        std::fs::write(&file, "{\"root\": 1}").unwrap();
        let (code, text) = cli(base(&["audit", "verify", "--against", &f]));
        assert_ne!(code, 0);
        assert!(text.contains("is not a checkpoint"), "{text}");
        let _ = std::fs::remove_file(&file);
        db.drop_db().await;
    }
}
