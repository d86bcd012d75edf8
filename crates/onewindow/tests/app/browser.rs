//! Browser tests: headless Chromium driven over WebDriver. They need `chromedriver` and
//! `chromium` (Debian: `apt-get install chromium chromium-driver`). Without them the tests say
//! loudly that they were skipped — and fail instead when ONEWINDOW_REQUIRE_BROWSER=1 (CI).

use crate::support::{PASSWORD, TestApp, config};
use fantoccini::{Client, ClientBuilder, Locator};
use onewindow_core::identity::Role;
use onewindow_store::testing::TestDb;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn find(names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| {
        let out = Command::new("which").arg(n).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    })
}

struct Driver {
    process: Child,
    client: Client,
}

async fn driver() -> Option<Driver> {
    let required = std::env::var("ONEWINDOW_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromedriver), Some(chromium)) = (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        assert!(
            !required,
            "ONEWINDOW_REQUIRE_BROWSER=1 but chromedriver/chromium are not installed"
        );
        eprintln!(
            "\n==================================================================\n\
             SKIPPING browser tests: chromedriver or chromium is not installed.\n\
             Install them with: apt-get install chromium chromium-driver\n\
             ==================================================================\n"
        );
        return None;
    };
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    #[allow(clippy::zombie_processes)] // waited for in `Driver::quit`
    let process = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let profile = std::env::temp_dir().join(format!("ow_chrome_{}_{port}", std::process::id()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await;
        if let Ok(client) = c {
            return Some(Driver { process, client });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

impl Driver {
    async fn quit(mut self) {
        let _ = self.client.close().await;
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The text of the first element matching `css`, waiting for it to appear. A page that is being
/// replaced can hand back an element that goes stale before it is read; then it asks again.
async fn text(c: &Client, css: &str) -> String {
    for _ in 0..20 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            return t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
    {
        Ok(e) => e.text().await.unwrap(),
        Err(e) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let src = c.source().await.unwrap_or_default();
            panic!("{css} not found ({e}) at {url}:\n{src}");
        }
    }
}

async fn sign_in(c: &Client, app: &TestApp, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Css("#username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_signs_in_and_sees_its_home_and_large_text_persists() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(TestDb::sqlite().await.unwrap(), config()).await;
    let c = &d.client;
    for role in Role::ALL {
        sign_in(c, &app, role.code()).await;
        let heading = text(c, "#home-title").await;
        assert_eq!(heading, crate::browser::heading(role), "{role:?}");
        let who = text(c, "#who").await;
        assert!(who.contains(role.name().zh.as_ref()), "{role:?}: {who}");
        c.find(Locator::Css("#logout"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#login-submit"))
            .await
            .unwrap();
    }

    // 适老化: switch on large text, and it stays on across pages, reloads and sign-ins
    sign_in(c, &app, "citizen").await;
    text(c, "#home-title").await;
    let body = c.find(Locator::Css("body")).await.unwrap();
    assert_eq!(body.attr("class").await.unwrap().unwrap_or_default(), "");
    c.find(Locator::Css("#large-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body.large"))
        .await
        .unwrap();
    c.goto(&app.url("/account")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("body.large"))
        .await
        .unwrap();
    c.refresh().await.unwrap();
    c.wait()
        .for_element(Locator::Css("body.large"))
        .await
        .unwrap();
    let size: String = c
        .execute("return getComputedStyle(document.body).fontSize", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(size, "21.6px", "large text is really larger (1.35 × 16px)");
    // the switch back
    c.find(Locator::Css("#large-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body:not(.large)"))
        .await
        .unwrap();

    // English, from the home page
    c.goto(&app.url("/")).await.unwrap();
    c.find(Locator::Css("#lang-toggle"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("html[lang=en]"))
        .await
        .unwrap();
    assert_eq!(text(c, "#home-title").await, "My services");

    d.quit().await;
    app.stop().await;
}

/// The Chinese heading of each role's home (the page's own table, read independently here).
pub fn heading(role: Role) -> &'static str {
    match role {
        Role::Admin => "系统管理工作台",
        Role::Clerk => "窗口工作台",
        Role::Approver => "审批工作台",
        Role::Supervisor => "电子监察中心",
        Role::GridWorker => "网格员工作台",
        Role::Dispatcher => "指挥调度中心",
        Role::Steward => "项目管家工作台",
        Role::PetitionAgent => "信访代理工作站",
        Role::Leader => "领导工作台",
        Role::Citizen => "个人办事中心",
        Role::Enterprise => "企业办事中心",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_adds_a_window_through_the_pages() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(TestDb::sqlite().await.unwrap(), config()).await;
    let c = &d.client;
    sign_in(c, &app, "admin").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/admin/halls")).await.unwrap();
    c.find(Locator::LinkText("龙港区政务服务中心"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("#window-form"))
        .await
        .unwrap();
    let number = form.find(Locator::Css("input[name=number]")).await.unwrap();
    assert_eq!(
        number.prop("value").await.unwrap().as_deref(),
        Some("69"),
        "the next free number is offered"
    );
    form.find(Locator::Css("input[name=label]"))
        .await
        .unwrap()
        .send_keys("帮办代办窗口")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=department_ids]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = text(c, ".flash").await;
    assert_eq!(flash, "已保存");
    c.find(Locator::LinkText("69"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        text(c, "h1").await.split_whitespace().next().unwrap_or(""),
        "69号窗口"
    );
    d.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_finds_the_same_guide_by_chinese_and_by_pinyin() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(TestDb::sqlite().await.unwrap(), config()).await;
    let c = &d.client;
    let mut reached = Vec::new();
    for q in ["休学", "xiuxue"] {
        c.goto(&app.url("/")).await.unwrap();
        let input = c.wait().for_element(Locator::Css("#q")).await.unwrap();
        input.send_keys(q).await.unwrap();
        c.find(Locator::Css("#search-submit"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("#result-count"))
            .await
            .unwrap();
        c.find(Locator::Css(".result-name"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let title = text(c, "#guide-title").await;
        let code = text(c, "#guide-code").await;
        reached.push((title, code));
    }
    assert_eq!(reached[0], reached[1], "both searches reach one guide");
    assert_eq!(reached[0].0, "义务教育阶段学生休学");
    // the suggestion list fills while typing
    c.goto(&app.url("/portal")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#q"))
        .await
        .unwrap()
        .send_keys("义务")
        .await
        .unwrap();
    let mut options = 0;
    for _ in 0..50 {
        options = c
            .find_all(Locator::Css("#suggestions option"))
            .await
            .unwrap()
            .len();
        if options > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(options > 0, "suggestions appear as one types");
    d.quit().await;
    app.stop().await;
}
