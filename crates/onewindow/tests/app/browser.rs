//! Browser tests: headless Chromium driven over WebDriver. They need `chromedriver` and
//! `chromium` (Debian: `apt-get install chromium chromium-driver`). Without them the tests say
//! loudly that they were skipped — and fail instead when ONEWINDOW_REQUIRE_BROWSER=1 (CI).

use crate::support::{PASSWORD, TestApp, config, demo_sqlite};
use fantoccini::{Client, ClientBuilder, Locator};
use onewindow_core::identity::Role;
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
    url: String,
    caps: serde_json::Map<String, serde_json::Value>,
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
            return Some(Driver {
                process,
                client,
                url,
                caps,
            });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

impl Driver {
    /// A second browser with its own profile (its own cookies): another person at another desk.
    async fn another(&self, name: &str) -> Client {
        let mut caps = self.caps.clone();
        let profile = std::env::temp_dir().join(format!("ow_chrome_{}_{name}", std::process::id()));
        if let Some(args) = caps["goog:chromeOptions"]["args"].as_array_mut() {
            args.retain(|a| {
                !a.as_str()
                    .is_some_and(|a| a.starts_with("--user-data-dir="))
            });
            args.push(format!("--user-data-dir={}", profile.display()).into());
        }
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a second browser session")
    }

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
    let app = TestApp::start(demo_sqlite().await, config()).await;
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
    let app = TestApp::start(demo_sqlite().await, config()).await;
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
    let flash = text(c, "#flash").await;
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
    let app = TestApp::start(demo_sqlite().await, config()).await;
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

/// Submits the case page's form for `action`, filling the given fields (`select` elements are
/// set by value); accepts the confirmation when the form asks for one.
async fn act_in_browser(c: &Client, action: &str, fields: &[(&str, &str)]) {
    let form = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(&format!("#act-{action}")))
        .await
        .unwrap_or_else(|e| panic!("no form for {action}: {e}"));
    for (name, value) in fields {
        let el = form
            .find(Locator::Css(&format!("[name={name}]")))
            .await
            .unwrap();
        if el.attr("type").await.unwrap().as_deref() == Some("checkbox") {
            form.find(Locator::Css(&format!("[name={name}][value=\"{value}\"]")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        } else if el.tag_name().await.unwrap() == "select" {
            el.select_by_value(value).await.unwrap();
        } else {
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
    }
    let confirm = form.attr("data-confirm").await.unwrap().is_some();
    form.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    if confirm {
        c.accept_alert().await.unwrap();
    }
    assert_eq!(text(c, "#flash").await, "已保存", "after {action}");
}

/// Signs out from the home page (printable pages have no header).
async fn sign_out(c: &Client, app: &TestApp) {
    c.goto(&app.url("/")).await.unwrap();
    // On a phone the account's tools are in the menu drawer.
    let toggle = c.find(Locator::Css(".nav-toggle")).await.unwrap();
    if toggle.is_displayed().await.unwrap() {
        toggle.click().await.unwrap();
    }
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

/// Prints the page as the browser would (A4, print styles) and checks it is a real PDF.
async fn print_pdf(c: &Client) -> usize {
    let pdf = c
        .print(fantoccini::wd::PrintConfiguration::default())
        .await
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    pdf.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_application_goes_to_delivery_with_its_notices_printed() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    let code = crate::cases::matter_code(&app, "建筑工程施工许可证核发").await;
    let pdf = std::env::temp_dir().join(format!("ow_form_{}.pdf", std::process::id()));
    std::fs::write(&pdf, b"%PDF-1.7\n% application form\n").unwrap();

    // The company finds the guide and applies online with the form attached.
    sign_in(c, &app, "enterprise").await;
    text(c, "#home-title").await;
    c.goto(&app.url(&format!("/guide/{code}"))).await.unwrap();
    c.find(Locator::Css("#apply-link"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("#apply-form"))
        .await
        .unwrap();
    form.find(Locator::Css("select[name=kind]"))
        .await
        .unwrap()
        .select_by_value("legal")
        .await
        .unwrap();
    // The matter is for companies: only 法人 is offered.
    let kinds = form
        .find_all(Locator::Css("select[name=kind] option"))
        .await
        .unwrap();
    assert_eq!(kinds.len(), 1);
    // A credit code with a wrong check character: refused beside the field, under its label,
    // and nothing typed is lost.
    let mistyped = format!("{}X", &crate::cases::COMPANY[..17]);
    let pdf_path = pdf.display().to_string();
    submit(
        c,
        "#apply-form",
        &[
            ("name", "葫芦岛市龙港建设有限公司"),
            ("id_number", &mistyped),
            ("phone", "13812345678"),
            ("file:建筑工程施工许可证申请表", &pdf_path),
        ],
    )
    .await;
    let beside = text(c, "label:has(input[name=id_number]) .field-error").await;
    assert!(
        // In the page's language, whatever the browser's (the headless one asks for English).
        beside
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && !beside.contains("id_number")
            && !beside.contains("wrong"),
        "{beside}"
    );
    let summary = text(c, "#apply-form .form-error").await;
    assert!(
        summary.starts_with("身份证号码或统一社会信用代码") && !summary.contains("applicant."),
        "{summary}"
    );
    assert!(c.current_url().await.unwrap().path().starts_with("/apply/"));
    for (name, value) in [
        ("name", "葫芦岛市龙港建设有限公司"),
        ("id_number", mistyped.as_str()),
    ] {
        let el = form
            .find(Locator::Css(&format!("input[name={name}]")))
            .await
            .unwrap();
        assert_eq!(
            el.prop("value").await.unwrap().as_deref(),
            Some(value),
            "{name} kept"
        );
    }
    assert!(
        c.find(Locator::Css("#logout")).await.is_ok(),
        "the header stays"
    );
    submit(c, "#apply-form", &[("id_number", crate::cases::COMPANY)]).await;
    assert_eq!(text(c, "#flash").await, "已保存");
    let number = text(c, "#case-number").await;
    let url = c.current_url().await.unwrap().to_string();
    let case_path = url
        .trim_start_matches(&app.base)
        .split('?')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(text(c, "#case-state").await, "待受理");
    assert!(
        text(c, "#materials")
            .await
            .contains("✔ 建筑工程施工许可证申请表")
    );
    sign_out(c, &app).await;

    // The comprehensive window accepts it and prints the notice of acceptance.
    sign_in(c, &app, "clerk").await;
    text(c, "#home-title").await;
    c.goto(&app.url(&case_path)).await.unwrap();
    // The tender notice and the funding pledge come on paper: ticked on the receipt list. The
    // two permits the platform holds need not be brought.
    assert!(text(c, "#materials").await.contains("共享获取·免提交"));
    act_in_browser(
        c,
        "receive_materials",
        &[
            ("names", "中标通知书或直接发包批准文件"),
            ("names", "建设资金已经落实承诺书"),
        ],
    )
    .await;
    assert!(text(c, "#materials").await.contains("窗口收件（李志抗"));
    act_in_browser(c, "accept", &[]).await;
    assert_eq!(text(c, "#case-state").await, "审查中");
    assert_eq!(text(c, "#case-light").await, "正常");
    c.find(Locator::Css("#print-acceptance"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(c, "#case-notice").await.contains("决定予以受理"));
    let year = onewindow_core::time::local_date(chrono::Utc::now()).format("%Y");
    assert_eq!(
        text(c, "#docno").await,
        format!("龙住建受〔{year}〕第00001号"),
        "the notice carries its number from the department's series"
    );
    assert!(print_pdf(c).await > 1000);
    sign_out(c, &app).await;

    // 住建局 first, then three departments in parallel.
    for who in ["approver", "approver", "approver-zrzy", "approver-sthj"] {
        sign_in(c, &app, who).await;
        text(c, "#home-title").await;
        c.goto(&app.url(&case_path)).await.unwrap();
        act_in_browser(
            c,
            "finish_step",
            &[("outcome", "agree"), ("opinion", "符合要求")],
        )
        .await;
        sign_out(c, &app).await;
    }
    sign_in(c, &app, "approver").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/workbench")).await.unwrap();
    assert!(
        text(c, "#wb-decide").await.contains(&number),
        "ready for a decision"
    );
    c.goto(&app.url(&case_path)).await.unwrap();
    act_in_browser(c, "decide", &[("decision", "approve")]).await;
    c.find(Locator::Css("#print-decision"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(
        text(c, "#case-notice h1")
            .await
            .contains("准予行政许可决定书")
    );
    assert!(print_pdf(c).await > 1000);
    sign_out(c, &app).await;

    // The clerk concludes and hands the licence over; the proof of delivery is printed.
    sign_in(c, &app, "clerk").await;
    text(c, "#home-title").await;
    c.goto(&app.url(&case_path)).await.unwrap();
    act_in_browser(c, "conclude", &[]).await;
    act_in_browser(c, "deliver", &[("note", "法定代表人到窗口领取")]).await;
    assert_eq!(text(c, "#case-state").await, "已送达");
    assert!(text(c, "#timeline").await.contains("送达"));
    c.find(Locator::Css("#print-receipt"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(text(c, "#receipt").await.contains("法定代表人到窗口领取"));
    assert!(print_pdf(c).await > 1000);
    sign_out(c, &app).await;

    // Anyone can follow it by number and the last four characters.
    c.goto(&app.url("/progress")).await.unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("#progress-form"))
        .await
        .unwrap();
    form.find(Locator::Css("input[name=number]"))
        .await
        .unwrap()
        .send_keys(&number)
        .await
        .unwrap();
    form.find(Locator::Css("input[name=id_last4]"))
        .await
        .unwrap()
        .send_keys("0Y43")
        .await
        .unwrap();
    form.find(Locator::Css("button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(text(c, "#progress-state").await, "已送达");
    let _ = std::fs::remove_file(pdf);
    d.quit().await;
    app.stop().await;
}

/// Waits until the element's text contains `want` (live pages change under the test).
async fn text_contains(c: &Client, css: &str, want: &str) -> String {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(e) = c.find(Locator::Css(css)).await
            && let Ok(t) = e.text().await
        {
            if t.contains(want) {
                return t;
            }
            last = t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: wanted '{want}', last saw '{last}'");
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap();
}

async fn tab(c: &Client, url: &str) -> fantoccini::wd::WindowHandle {
    let w = c.new_window(true).await.unwrap();
    c.switch_to_window(w.handle.clone()).await.unwrap();
    c.goto(url).await.unwrap();
    w.handle
}

// The hall in one browser: the board on the wall, a ticket from the kiosk, the clerk's call, the
// board and the ticket page updating themselves, the pad asking for a rating after the finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_ticket_is_called_shown_on_the_board_and_rated_on_the_pad() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, crate::hall::working_morning()).await;
    let c = &d.client;
    let admin = app.token("admin").await;
    let hall = app
        .find("/api/v1/halls", &admin, "name", "龙港区政务服务中心")
        .await;
    let hid = hall["id"].as_i64().unwrap();
    let windows = app
        .get(&format!("/api/v1/halls/{hid}/windows"), &admin)
        .await
        .1;
    let w1 = windows
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["number"] == 1)
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    let board = c.window().await.unwrap();
    // The screen over window 1, before anyone is called there: it says what the window
    // handles and what to do, never just "—". (Its tab is closed after each look: a browser
    // keeps only six live connections to one site, and each display here holds one.)
    tab(c, &app.url(&format!("/hall/windows/{w1}/screen"))).await;
    assert!(text(c, "#ws-serves").await.starts_with("办理业务："));
    let before = text(c, "#ws-status").await;
    assert!(
        before.contains("请到其他窗口办理") || before.contains("请留意叫号"),
        "{before}"
    );
    assert_ne!(text(c, "#ws-number").await, "—");
    c.close_window().await.unwrap();
    c.switch_to_window(board.clone()).await.unwrap();
    c.goto(&app.url(&format!("/hall/{hid}/board")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("body[data-live=on]"))
        .await
        .unwrap();
    let pad = tab(c, &app.url(&format!("/hall/windows/{w1}/pad"))).await;
    c.wait()
        .for_element(Locator::Css("body[data-live=on]"))
        .await
        .unwrap();

    // At the kiosk: an elderly person types her ID number and touches 企业开办.
    let ticket = tab(c, &app.url(&format!("/hall/{hid}/kiosk"))).await;
    c.find(Locator::Css("#id_number"))
        .await
        .unwrap()
        .send_keys("11010519491231002X")
        .await
        .unwrap();
    click(c, "#category-A").await;
    assert_eq!(text(c, "#ticket-number").await, "A001");
    assert_eq!(text(c, "#ticket-ahead").await, "0");
    let shown = c.source().await.unwrap();
    assert!(!shown.contains("11010519491231002X"), "the ID is masked");
    assert!(shown.contains("110***********002X"));
    c.wait()
        .for_element(Locator::Css("body[data-live=on]"))
        .await
        .unwrap();

    // The clerk at window 1 calls her.
    let console = tab(c, &app.url("/login")).await;
    sign_in(c, &app, "clerk").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/hall")).await.unwrap();
    click(c, "a.console-link[data-number='1']").await;
    click(c, "#act-call-next").await;
    assert_eq!(text(c, "#console-current").await, "A001");

    // The board and her ticket page hear of it by themselves.
    c.switch_to_window(board.clone()).await.unwrap();
    text_contains(c, "#board-call", "请A001号到1号窗口办理").await;
    text_contains(c, "#board-windows", "A001").await;
    c.switch_to_window(ticket).await.unwrap();
    text_contains(c, "#ticket-call", "请A001号到1号窗口办理").await;
    c.close_window().await.unwrap();
    c.switch_to_window(board.clone()).await.unwrap();
    let screen = tab(c, &app.url(&format!("/hall/windows/{w1}/screen"))).await;
    c.wait()
        .for_element(Locator::Css("body[data-live=on]"))
        .await
        .unwrap();
    text_contains(c, "#ws-number", "A001").await;
    text_contains(c, "#ws-status", "请持号到本窗口办理").await;
    text_contains(c, "#ws-clerk", "李志抗").await;

    // Served; the pad asks her; a low rating wants its reason.
    c.switch_to_window(console).await.unwrap();
    click(c, "#act-finish").await;
    text(c, "#console-idle").await;
    // Between calls the screen asks people to wait for their number.
    c.switch_to_window(screen).await.unwrap();
    text_contains(c, "#ws-number", "请稍候").await;
    text_contains(c, "#ws-status", "请留意叫号").await;
    c.switch_to_window(pad).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#pad-rate:not([hidden])"))
        .await
        .unwrap();
    assert_eq!(text(c, "#pad-number").await, "A001");
    assert_eq!(text(c, "#pad-clerk").await, "李志抗");
    click(c, "#pad-level-2").await;
    click(c, "#pad-reasons:not([hidden]) .pad-reason").await;
    c.wait()
        .for_element(Locator::Css("#pad-done:not([hidden])"))
        .await
        .unwrap();
    let (_, trail) = app.get("/api/v1/audit?target_type=rating", &admin).await;
    let entry = &trail.as_array().unwrap()[0];
    assert_eq!(entry["action"], "rating.create");
    assert!(
        entry["summary"].to_string().contains("等候时间长"),
        "{entry}"
    );

    // The public results of the hall count it; once its rectification is closed, what was
    // done is published too, with nobody named.
    c.goto(&app.url(&format!("/ratings?hall_id={hid}")))
        .await
        .unwrap();
    assert_eq!(text(c, "#public-ratings").await, "1");
    assert!(text(c, "#public-bad").await.starts_with('1'));
    let leader = app.token("leader").await;
    let (_, open) = app.get("/api/v1/rectifications", &admin).await;
    let rect = open.as_array().unwrap()[0]["id"].as_i64().unwrap();
    for (v, body) in [
        (
            1,
            serde_json::json!({"action": "verify", "finding": "高峰期只开一个窗口，属实", "founded": true}),
        ),
        (
            2,
            serde_json::json!({"action": "rectify", "measures": "高峰期增开综合窗口"}),
        ),
        (
            3,
            serde_json::json!({"action": "call_back", "reached": true, "note": "已回访"}),
        ),
        (4, serde_json::json!({"action": "re_evaluate", "level": 4})),
    ] {
        let mut body = body;
        body["version"] = serde_json::json!(v);
        let (s, e) = app
            .call(
                reqwest::Method::POST,
                &format!("/api/v1/rectifications/{rect}/actions"),
                Some(&leader),
                Some(body),
            )
            .await;
        assert_eq!(s, reqwest::StatusCode::OK, "{e}");
    }
    c.refresh().await.unwrap();
    let published = text_contains(c, "#public-rectified", "高峰期增开综合窗口").await;
    assert!(
        !published.contains("李志抗"),
        "the clerk is not named: {published}"
    );

    d.quit().await;
    app.stop().await;
}

// 督办 in two browsers: the supervisor rings the bell on a case from the supervision room; the
// approver's workbench, open all along, shows the warning without a reload; the approver
// answers it and the supervisor sees the answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_rings_the_bell_and_the_open_workbench_warns() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let clerk = app.token("clerk").await;
    let code = crate::cases::matter_code(&app, "建筑工程施工许可证核发").await;
    let (_, created) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(&clerk),
            Some(
                crate::cases::at_window(&app, crate::cases::company_application(&code, "window"))
                    .await,
            ),
        )
        .await;
    let id = created["case_ids"][0].as_i64().unwrap();
    let number = created["numbers"][0].as_str().unwrap().to_string();
    let (s, _) = crate::cases::act(&app, &clerk, id, serde_json::json!({"action": "accept"})).await;
    assert!(s.is_success());

    // The approver's desk: the workbench, listening.
    let c = &d.client;
    sign_in(c, &app, "approver").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/workbench")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("body[data-urges-live=on]"))
        .await
        .unwrap();
    assert_eq!(text(c, "#urge-count").await, "0");

    // The supervisor's desk: the room, the case, the bell.
    let sup = d.another("supervisor").await;
    sign_in(&sup, &app, "supervisor").await;
    text(&sup, "#home-title").await;
    sup.goto(&app.url("/supervision?light=green"))
        .await
        .unwrap();
    text_contains(&sup, "#sv-cases", &number).await;
    click(&sup, &format!("#sv-cases a[href='/cases/{id}#urge']")).await;
    sup.find(Locator::Css("#urge-form textarea[name=message]"))
        .await
        .unwrap()
        .send_keys("请今日内完成审查并反馈")
        .await
        .unwrap();
    click(&sup, "#urge-form button").await;
    text_contains(&sup, "#case-urges", "请今日内完成审查并反馈").await;

    // The approver's page warns by itself.
    text_contains(c, "#urge-alert", "请今日内完成审查并反馈").await;
    text_contains(c, "#urge-list", &number).await;
    assert_eq!(text(c, "#urge-count").await, "1");
    // …and the answer stops it.
    click(c, "#urge-list a[href^='/urges/']").await;
    c.find(Locator::Css("#answer-form textarea[name=response]"))
        .await
        .unwrap()
        .send_keys("已审查完毕，明日出具意见")
        .await
        .unwrap();
    click(c, "#answer-form button").await;
    c.wait()
        .for_element(Locator::Css("#urge-none:not([hidden])"))
        .await
        .unwrap();
    sup.refresh().await.unwrap();
    text_contains(&sup, "#case-urges", "已审查完毕").await;

    let _ = sup.close().await;
    d.quit().await;
    app.stop().await;
}

/// Fills and submits a form of the page by its id (not the step forms of `act_in_browser`).
async fn submit(c: &Client, form_css: &str, fields: &[(&str, &str)]) {
    let form = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(form_css))
        .await
        .unwrap_or_else(|e| panic!("no form {form_css}: {e}"));
    for (name, value) in fields {
        let el = form
            .find(Locator::Css(&format!("[name='{name}']")))
            .await
            .unwrap();
        if el.tag_name().await.unwrap() == "select" {
            el.select_by_value(value).await.unwrap();
        } else {
            // What the page filled in (the applicant's own name) gives way to what is typed.
            if el.prop("type").await.unwrap().as_deref() != Some("file") {
                el.clear().await.unwrap();
            }
            el.send_keys(value).await.unwrap();
        }
    }
    form.find(Locator::Css("button.primary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

// 数字城管 in the browser: a grid worker reports a blocked drain from the phone page, picking the
// place on the map and attaching a photo; the dispatcher registers it (it goes to the
// department by its category); the department signs for it and feeds back; the worker checks it
// on site with the photo; the dispatcher closes it and calls back. The desk lists it as closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grid_worker_reports_from_the_phone_page_and_it_is_followed_to_closure() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    c.set_window_size(414, 900).await.unwrap();
    sign_in(c, &app, "grid").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/grid")).await.unwrap();
    click(c, "#grid-report-link").await;
    text(c, "#grid-report").await;
    let (_, cats) = app
        .get("/api/v1/grid/categories", &app.token("grid").await)
        .await;
    let drain = cats
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "drain")
        .unwrap()["id"]
        .to_string();
    // Before a category is chosen no category's questions show; then only the chosen one's.
    let garbage = c
        .find(Locator::Css(
            "select[name='attribute[kind]'], label.attribute[data-category] select",
        ))
        .await
        .unwrap();
    assert!(
        !garbage.is_displayed().await.unwrap(),
        "垃圾类型 waits for 垃圾乱堆"
    );
    // The drain's own question appears once it is chosen.
    c.find(Locator::Css("#grid-category"))
        .await
        .unwrap()
        .select_by_value(&drain)
        .await
        .unwrap();
    let depth = c
        .find(Locator::Css("input[name='attribute[depth]']"))
        .await
        .unwrap();
    assert!(depth.is_displayed().await.unwrap());
    assert!(
        !garbage.is_displayed().await.unwrap(),
        "another category's question stays hidden"
    );
    depth.send_keys("20").await.unwrap();
    // A click on the map where the worker's first grid is: the page turns it into a place.
    let target = onewindow::demo::grid::centre(0, 1);
    let placed = c
        .execute(
            "var svg = document.getElementById('grid-map');
             var d = svg.dataset;
             var merc = function (lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI; };
             var x = (arguments[0] - parseFloat(d.west)) * parseFloat(d.s);
             var y = (parseFloat(d.north) - merc(arguments[1])) * parseFloat(d.s);
             var pt = svg.createSVGPoint(); pt.x = x; pt.y = y;
             var s = pt.matrixTransform(svg.getScreenCTM());
             svg.dispatchEvent(new MouseEvent('click', {clientX: s.x, clientY: s.y, bubbles: true}));
             var m = svg.getScreenCTM();
             return [document.getElementById('grid-lon').value, document.getElementById('grid-lat').value,
                     1 / (parseFloat(d.s) * m.a), Math.cos(arguments[1] * Math.PI / 180) / (parseFloat(d.s) * m.d)];",
            vec![target.lon.into(), target.lat.into()],
        )
        .await
        .unwrap();
    let lon: f64 = placed[0].as_str().unwrap().parse().unwrap();
    let lat: f64 = placed[1].as_str().unwrap().parse().unwrap();
    // A mouse event lands on a whole screen pixel: the place is the target's to within one
    // pixel of the map as drawn (its size in degrees depends on the screen's width).
    let (px_lon, px_lat) = (placed[2].as_f64().unwrap(), placed[3].as_f64().unwrap());
    assert!(
        (lon - target.lon).abs() <= 1.5 * px_lon && (lat - target.lat).abs() <= 1.5 * px_lat,
        "picked {lon},{lat} for {target:?} (a pixel is {px_lon}, {px_lat} degrees)"
    );
    // The place is named by the grid it lies in and the nearest landmark, and that becomes the
    // address until one is typed.
    let named = text_contains(c, "[data-place]", "网格").await;
    assert!(
        named.contains(&format!("{lon:.6}")) && named.contains("约") && named.contains("米"),
        "{named}"
    );
    let address = c
        .find(Locator::Css("#grid-report input[name=address]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        !address.is_empty() && named.starts_with(&format!("{address}　")),
        "{address} / {named}"
    );
    // The map zooms about its middle and back to the whole; a drag moves it and picks nothing.
    let vb = |v: serde_json::Value| -> Vec<f64> {
        v.as_str()
            .unwrap()
            .split(' ')
            .map(|n| n.parse().unwrap())
            .collect()
    };
    let get_vb = "return document.getElementById('grid-map').getAttribute('viewBox')";
    let whole = vb(c.execute(get_vb, vec![]).await.unwrap());
    c.find(Locator::Css("[data-map-zoom=in]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let zoomed = vb(c.execute(get_vb, vec![]).await.unwrap());
    assert!(zoomed[2] < whole[2] * 0.7, "{whole:?} → {zoomed:?}");
    let panned = vb(c
        .execute(
            "var svg = document.getElementById('grid-map'); var r = svg.getBoundingClientRect();
             var x = r.left + r.width / 2, y = r.top + r.height / 2;
             var ev = function (t, dx) { svg.dispatchEvent(new PointerEvent(t, {pointerId: 7, clientX: x + dx, clientY: y, bubbles: true})); };
             ev('pointerdown', 0); ev('pointermove', 40); ev('pointermove', 80); ev('pointerup', 80);
             svg.dispatchEvent(new MouseEvent('click', {clientX: x + 80, clientY: y, bubbles: true}));
             return svg.getAttribute('viewBox');",
            vec![],
        )
        .await
        .unwrap());
    assert!(
        panned[0] < zoomed[0],
        "dragged right, the view moves left: {zoomed:?} → {panned:?}"
    );
    let lon_after: String = c
        .execute("return document.getElementById('grid-lon').value", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        lon_after,
        placed[0].as_str().unwrap(),
        "a drag is not a pick"
    );
    c.find(Locator::Css("[data-map-zoom=reset]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(vb(c.execute(get_vb, vec![]).await.unwrap()), whole);
    let photo = std::env::temp_dir().join(format!("ow_drain_{}.png", std::process::id()));
    std::fs::write(&photo, crate::grid::png()).unwrap();
    c.find(Locator::Css("#grid-report input[type=file]"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    submit(
        c,
        "#grid-report",
        &[("description", "井盖缺失，下水道堵塞，雨后路面积水")],
    )
    .await;
    assert_eq!(text(c, "#flash").await, "已保存");
    assert_eq!(text(c, "#event-state").await.trim(), "待立案 正常");
    let url = c.current_url().await.unwrap().to_string();
    let event_url = url.split('?').next().unwrap().to_string();
    let img = c.find(Locator::Css("#event-photos img")).await.unwrap();
    let loaded: bool = c
        .execute(
            "return arguments[0].complete && arguments[0].naturalWidth === 2",
            vec![serde_json::to_value(&img).unwrap()],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false);
    assert!(loaded, "the photo is shown");
    sign_out(c, &app).await;

    // The command centre registers it: the drain goes to 住建局 at once.
    sign_in(c, &app, "dispatcher").await;
    text(c, "#home-title").await;
    c.goto(&event_url).await.unwrap();
    act_in_browser(c, "register", &[]).await;
    text_contains(c, "#event-state", "待签收").await;
    text_contains(c, "#event-department", "住房和城乡建设局").await;
    sign_out(c, &app).await;

    // The department signs for it and feeds back.
    sign_in(c, &app, "approver").await;
    text(c, "#home-title").await;
    c.goto(&event_url).await.unwrap();
    act_in_browser(c, "sign", &[]).await;
    act_in_browser(c, "feed_back", &[("result", "已更换井盖并疏通管道")]).await;
    text_contains(c, "#event-state", "待核查").await;
    sign_out(c, &app).await;

    // The grid worker checks it on site, with the photo.
    sign_in(c, &app, "grid").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/grid")).await.unwrap();
    text_contains(c, "#grid-to-verify", "SJ").await;
    c.goto(&event_url).await.unwrap();
    let sha = c
        .find(Locator::Css(
            "#act-verify select[name=photo] option:nth-child(2)",
        ))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .unwrap();
    act_in_browser(
        c,
        "verify",
        &[("passed", "1"), ("note", "现场已畅通"), ("photo", &sha)],
    )
    .await;
    text_contains(c, "#event-state", "待结案").await;
    sign_out(c, &app).await;

    // The dispatcher closes it and calls the reporter back.
    sign_in(c, &app, "dispatcher").await;
    text(c, "#home-title").await;
    c.goto(&event_url).await.unwrap();
    act_in_browser(c, "close", &[]).await;
    act_in_browser(c, "callback", &[("satisfaction", "5")]).await;
    text_contains(c, "#event-state", "已结案").await;
    let trail = text(c, "#event-trail").await;
    for step in [
        "上报",
        "立案",
        "派遣",
        "签收",
        "处置反馈",
        "现场核查",
        "结案",
        "回访",
    ] {
        assert!(trail.contains(step), "{step} in {trail}");
    }
    c.goto(&app.url("/grid?state=closed")).await.unwrap();
    let number = event_url.rsplit('/').next().unwrap().to_string();
    let listed = text(c, "#grid-events").await;
    assert!(
        listed.contains("井盖缺失"),
        "listed as closed: {listed} ({number})"
    );
    let _ = std::fs::remove_file(&photo);
    d.quit().await;
    app.stop().await;
}

// 政务服务进企业 in the browser: the steward plans a visit to an enterprise, reports it with two
// problems and a photo; one goes to 住建局, which answers, and the enterprise confirms it solved;
// the other is escalated to the city. The city's monthly figures show both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steward_visits_and_two_problems_go_their_ways() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    let city_token = app.token("steward-city").await;
    let figures = |f: serde_json::Value| f["total"]["month"].clone();
    let before = figures(app.get("/api/v1/enterprise-figures", &city_token).await.1);
    let steward = app.token("steward").await;
    let (_, found) = app.get("/api/v1/enterprises?q=中石化", &steward).await;
    let firm = found[0]["id"].to_string();
    let admin = app.token("admin").await;
    let housing = app
        .find(
            "/api/v1/departments",
            &admin,
            "name",
            "龙港区住房和城乡建设局",
        )
        .await["id"]
        .to_string();

    sign_in(c, &app, "steward").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/enterprise")).await.unwrap();
    submit(c, "#plan-form", &[("enterprise_id", &firm)]).await;
    assert_eq!(text(c, "#flash").await, "已保存");
    text_contains(c, "#visit-state", "计划中").await;
    let photo = std::env::temp_dir().join(format!("ow_visit_{}.png", std::process::id()));
    std::fs::write(&photo, crate::grid::png()).unwrap();
    c.find(Locator::Css("#visit-report-form input[type=file]"))
        .await
        .unwrap()
        .send_keys(&photo.display().to_string())
        .await
        .unwrap();
    submit(
        c,
        "#visit-report-form",
        &[
            ("attendees", "张娜、张喜锋"),
            ("notes", "了解加油站改造进度"),
            ("item0_title", "加油站改造施工许可办理慢"),
            ("item1_title", "成品油零售经营许可证变更"),
        ],
    )
    .await;
    assert_eq!(text(c, "#flash").await, "已保存");
    text_contains(c, "#visit-state", "已走访").await;
    let heard = text(c, "#visit-items").await;
    assert!(
        heard.contains("加油站改造施工许可办理慢") && heard.contains("成品油零售经营许可证变更")
    );
    let img = c.find(Locator::Css("#visit-photos img")).await.unwrap();
    let loaded: bool = c
        .execute(
            "return arguments[0].complete && arguments[0].naturalWidth === 2",
            vec![serde_json::to_value(&img).unwrap()],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap_or(false);
    assert!(loaded, "the visit's photo is shown");
    let link = |title: &'static str| async move {
        c.find(Locator::XPath(&format!(
            "//table[@id='visit-items']//tr[td[contains(., '{title}')]]//a"
        )))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap()
    };
    let permit = app.url(&link("加油站改造施工许可办理慢").await);
    let licence = app.url(&link("成品油零售经营许可证变更").await);

    // The first to 住建局 within five days.
    c.goto(&permit).await.unwrap();
    let due = (chrono::Utc::now()
        .with_timezone(&onewindow_core::time::china())
        .date_naive()
        + chrono::Duration::days(5))
    .to_string();
    c.execute(
        "document.querySelector('#act-assign [name=deadline]').value = arguments[0];",
        vec![due.into()],
    )
    .await
    .unwrap();
    act_in_browser(c, "assign", &[("department_id", &housing)]).await;
    text_contains(c, "#item-department", "住房和城乡建设局").await;
    // The second escalated to the city.
    c.goto(&licence).await.unwrap();
    act_in_browser(c, "escalate", &[("reason", "涉及市级审批权限")]).await;
    text_contains(c, "#item-level", "市级").await;
    sign_out(c, &app).await;

    // 住建局 answers; the enterprise confirms it solved.
    sign_in(c, &app, "approver").await;
    text(c, "#home-title").await;
    c.goto(&permit).await.unwrap();
    act_in_browser(
        c,
        "answer",
        &[("resolution", "已开通绿色通道，三个工作日内办结")],
    )
    .await;
    text_contains(c, "#item-state", "待企业确认").await;
    sign_out(c, &app).await;
    sign_in(c, &app, "enterprise").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/enterprise")).await.unwrap();
    text_contains(c, "#my-items", "加油站改造施工许可办理慢").await;
    c.goto(&permit).await.unwrap();
    act_in_browser(c, "confirm", &[("satisfied", "1"), ("satisfaction", "5")]).await;
    text_contains(c, "#item-state", "已办结").await;
    assert_eq!(text(c, "#item-satisfaction").await, "5");
    sign_out(c, &app).await;

    // The city's monthly figures show both: two clues, one solved, one escalated and open.
    sign_in(c, &app, "steward-city").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/enterprise/figures")).await.unwrap();
    let cell = |k: &'static str| async move {
        text(c, &format!("#ent-figures tr.total td[data-k={k}]"))
            .await
            .trim()
            .parse::<i64>()
            .unwrap()
    };
    for (k, delta) in [("clues", 2), ("solved", 1), ("escalated", 1), ("open", 1)] {
        let was = before[k].as_i64().unwrap();
        assert_eq!(cell(k).await - was, delta, "{k}");
    }
    c.goto(&app.url("/enterprise?level=city")).await.unwrap();
    text_contains(c, "#ent-items", "成品油零售经营许可证变更").await;
    let _ = std::fs::remove_file(&photo);
    d.quit().await;
    app.stop().await;
}

// 信访代理 in the browser: at 百万庄社区's station the agent takes a resident's matter in with the
// signed authorization attached, runs to the housing bureau, records its answer and resolves
// the case; the petition office's ledger then counts one more new case, and one more resolved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_petition_taken_at_a_station_is_resolved_and_the_ledger_counts_it() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    let office = app.token("petition-office").await;
    let (_, before) = app.get("/api/v1/petition-ledgers", &office).await;
    let agent = app.token("agent").await;
    let (_, stations) = app.get("/api/v1/petition-stations", &agent).await;
    let station = stations[0]["station"]["id"].to_string();
    let admin = app.token("admin").await;
    let housing = app
        .find(
            "/api/v1/departments",
            &admin,
            "name",
            "龙港区住房和城乡建设局",
        )
        .await["id"]
        .to_string();

    sign_in(c, &app, "agent").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/petitions")).await.unwrap();
    let form = format!("#take-form-{station}");
    text(c, &format!("#take-{station} h2")).await;
    // The take-in form opens from its heading; the station's cases come first.
    c.find(Locator::Css(&format!("#take-{station} summary")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let pdf = std::env::temp_dir().join(format!("ow_authorization_{}.pdf", std::process::id()));
    std::fs::write(&pdf, b"%PDF-1.7 signed by the petitioner").unwrap();
    c.find(Locator::Css(&format!("{form} input[type=file]")))
        .await
        .unwrap()
        .send_keys(&pdf.display().to_string())
        .await
        .unwrap();
    submit(
        c,
        &form,
        &[
            ("petitioner_name", "孙玉兰"),
            ("petitioner_id_number", "11010519491231002X"),
            ("petitioner_phone", "13904297777"),
            ("subject", "楼道照明损坏，物业不修"),
        ],
    )
    .await;
    assert_eq!(text(c, "#flash").await, "已保存");
    assert_eq!(text(c, "#pet-name").await, "孙玉兰");
    text_contains(c, "#pet-state", "代理办理中").await;
    text_contains(c, "#pet-auth", ".pdf").await;
    // The errand's deadline is a date field: set as the date picker would.
    let deadline = (chrono::Utc::now()
        .with_timezone(&onewindow_core::time::china())
        .date_naive()
        + chrono::Duration::days(5))
    .to_string();
    c.execute(
        "document.querySelector('#act-errand [name=deadline]').value = arguments[0];",
        vec![deadline.into()],
    )
    .await
    .unwrap();
    act_in_browser(
        c,
        "errand",
        &[
            ("department_id", &housing),
            ("task", "协调物业修复楼道照明"),
        ],
    )
    .await;
    text_contains(c, "#pet-steps", "龙港区住房和城乡建设局").await;
    act_in_browser(c, "outcome", &[("outcome", "住建局责成物业当日修复")]).await;
    act_in_browser(c, "resolve", &[("outcome", "楼道照明已修复，信访人满意")]).await;
    text_contains(c, "#pet-state", "已办结").await;
    text_contains(c, "#pet-outcome", "楼道照明已修复").await;
    sign_out(c, &app).await;

    // The office's ledger: one more new case, one more resolved.
    sign_in(c, &app, "petition-office").await;
    text(c, "#home-title").await;
    c.goto(&app.url("/petitions/ledgers")).await.unwrap();
    let cell = |k: &'static str| async move {
        text(c, &format!("#pet-ledger tr.total td[data-k={k}]"))
            .await
            .trim()
            .parse::<i64>()
            .unwrap()
    };
    let was = |k: &str| before["total"]["new"][k].as_i64().unwrap();
    assert_eq!(cell("new-cases").await, was("cases") + 1);
    assert_eq!(cell("new-resolved").await, was("resolved") + 1);
    c.goto(&app.url("/petitions?state=resolved")).await.unwrap();
    text_contains(c, "#pet-cases", "楼道照明损坏").await;
    let _ = std::fs::remove_file(&pdf);
    d.quit().await;
    app.stop().await;
}

// A year of history (`demo --cases 2000`) read in the browser as the supervisor reads it: the
// red and yellow lists hold only cases under review, this month's concluded-late list only
// concluded ones, and no rate on the figures page for the year is above 100%.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_a_year_of_history_and_every_number_holds() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    onewindow::demo::cases::generate(app.db().store.clone(), 2000, 4, false)
        .await
        .unwrap();
    let c = &d.client;
    sign_in(c, &app, "supervisor").await;
    text(c, "#home-title").await;
    let mut seen = 0;
    for light in ["red", "yellow", "late"] {
        c.goto(&app.url(&format!("/supervision?light={light}")))
            .await
            .unwrap();
        text(c, "#sv-cases").await;
        let cells = c
            .find_all(Locator::Css("#sv-cases tbody tr td:nth-child(4)"))
            .await
            .unwrap();
        for cell in cells {
            let state = cell.text().await.unwrap();
            seen += 1;
            if light == "late" {
                assert!(state == "已办结" || state == "已送达", "{light}: {state}");
            } else {
                assert_eq!(state, "审查中", "{light}: only open cases");
            }
        }
    }
    assert!(seen > 0, "the history has cases in the lists");
    let today = onewindow_core::time::local_date(chrono::Utc::now());
    let from = today - chrono::Duration::days(364);
    c.goto(&app.url(&format!("/supervision/figures?from={from}&to={today}")))
        .await
        .unwrap();
    text(c, "#kpi-table").await;
    let mut rates = 0;
    for cell in c
        .find_all(Locator::Css("#kpis li b, #kpi-table td"))
        .await
        .unwrap()
    {
        let value = cell.text().await.unwrap();
        if let Some(v) = value.trim().strip_suffix('%') {
            let v: f64 = v.parse().unwrap_or_else(|_| panic!("a rate reads {value}"));
            rates += 1;
            assert!(v <= 100.0, "a rate of {v}% on the figures page");
        }
    }
    assert!(rates > 10, "the figures show their rates ({rates})");
    d.quit().await;
    app.stop().await;
}

// The menu: one row on a laptop and on a wide screen, each context's pages in its submenu; a
// drawer on a phone with the account's tools in it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_is_one_row_on_a_laptop_and_a_drawer_on_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    let height = |css: &'static str| async move {
        c.execute(
            &format!("return document.querySelector('{css}').getBoundingClientRect().height"),
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap()
    };
    for user in ["admin", "clerk", "steward", "citizen"] {
        for (w, h) in [(1280, 900), (1440, 900)] {
            c.set_window_size(w, h).await.unwrap();
            sign_in(c, &app, user).await;
            text(c, "#home-title").await;
            let groups = c.find_all(Locator::Css("#nav .menu > li")).await.unwrap();
            assert!(groups.len() <= 8, "{user}: {} entries", groups.len());
            let menu = height("#nav .menu").await;
            let header = height("header.top").await;
            assert!(
                menu < 50.0 && header < 75.0,
                "{user} at {w}: menu {menu}px, header {header}px"
            );
            // A context with pages opens its submenu (on hover, and on keyboard focus).
            if let Ok(g) = c.find(Locator::Css("#nav .has-sub")).await {
                let sub = g.find(Locator::Css(".sub")).await.unwrap();
                assert!(!sub.is_displayed().await.unwrap());
                c.execute(
                    "document.querySelector('#nav .has-sub > a').focus()",
                    vec![],
                )
                .await
                .unwrap();
                assert!(
                    sub.is_displayed().await.unwrap(),
                    "{user}: the submenu opens"
                );
            }
            sign_out(c, &app).await;
        }
        c.set_window_size(390, 844).await.unwrap();
        sign_in(c, &app, user).await;
        text(c, "#home-title").await;
        let nav = c.find(Locator::Css("#nav")).await.unwrap();
        assert!(
            !nav.is_displayed().await.unwrap(),
            "{user}: the drawer starts closed"
        );
        assert!(
            height("header.top").await < 75.0,
            "{user}: the phone's header is one row"
        );
        c.find(Locator::Css(".nav-toggle"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert!(nav.is_displayed().await.unwrap());
        let links = nav.find_all(Locator::Css("a")).await.unwrap();
        let mut shown = 0;
        for l in &links {
            shown += usize::from(l.is_displayed().await.unwrap());
        }
        assert_eq!(
            shown,
            links.len(),
            "{user}: every page of the drawer is listed"
        );
        assert!(
            c.find(Locator::Css("#logout"))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap(),
            "the tools open with the drawer"
        );
        sign_out(c, &app).await;
    }
    c.set_window_size(1280, 900).await.unwrap();
}

/// A tile server of our own for the base layer: it answers every tile with a small SVG and
/// keeps what was asked (layer, z, x, y), as a district's 天地图 or WMTS server would be asked.
async fn tile_server() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<(String, u32, u32, u32)>>>,
) {
    use axum::extract::Path;
    let asked = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    let app = axum::Router::new().route(
        "/{layer}/{z}/{x}/{y}",
        axum::routing::get(
            move |Path((layer, z, x, y)): Path<(String, u32, u32, String)>| {
                let log = log.clone();
                async move {
                    let y: u32 = y.trim_end_matches(".svg").parse().unwrap_or(u32::MAX);
                    log.lock().unwrap().push((layer, z, x, y));
                    (
                        [(axum::http::header::CONTENT_TYPE, "image/svg+xml")],
                        "<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256'>\
                         <rect width='256' height='256' fill='#e8efe0' stroke='#bbb'/></svg>",
                    )
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, asked)
}

/// The tile of level `z` that holds a point (the slippy-map scheme: x east from 180°W, y south
/// from the top of Web Mercator).
fn tile_of(lon: f64, lat: f64, z: u32) -> (u32, u32) {
    let n = f64::from(1u32 << z);
    let x = ((lon + 180.0) / 360.0 * n).floor();
    let r = lat.to_radians();
    let y = ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * n).floor();
    (x as u32, y as u32)
}

// The map's base layer comes from the tile server the district configures: the browser asks it
// (its origin is in the pages' Content-Security-Policy, or the browser would refuse) for the
// tiles of the level that suits the screen over the district, base layer and annotations; the
// tiles sit where their places are on the map; zooming in asks for the next level. At a laptop's
// and at a phone's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_map_draws_its_base_layer_from_the_districts_tile_server() {
    let Some(d) = driver().await else { return };
    let (tiles, asked) = tile_server().await;
    let mut cfg = config();
    cfg.map = onewindow_web::basemap::MapSettings {
        tiles: vec![
            format!("{tiles}/vec/{{z}}/{{x}}/{{y}}.svg"),
            format!("{tiles}/cva/{{z}}/{{x}}/{{y}}.svg"),
        ],
        attribution: Some("审图号：辽S(2026)001号".into()),
        ..Default::default()
    };
    let app = TestApp::start(demo_sqlite().await, cfg).await;
    let c = &d.client;
    let (sw, ne) = (
        onewindow::demo::grid::centre(0, 0),
        onewindow::demo::grid::centre(
            onewindow::demo::grid::COLS - 1,
            onewindow::demo::grid::ROWS - 1,
        ),
    );
    let zoom_of_page = || async move {
        c.execute(
            "return document.getElementById('grid-map').getAttribute('data-tile-zoom')",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or("0")
        .parse::<u32>()
        .unwrap()
    };
    // What the browser asked at level z, once it has asked at all (tiles load after the page).
    let asked_at = |z: u32| {
        let asked = asked.clone();
        async move {
            for _ in 0..50 {
                let got: Vec<_> = asked
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|t| t.1 == z)
                    .cloned()
                    .collect();
                if got.iter().any(|t| t.0 == "cva") && got.iter().any(|t| t.0 == "vec") {
                    return got;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("no tiles asked at level {z}: {:?}", asked.lock().unwrap());
        }
    };
    for (user, path, (w, h)) in [
        ("dispatcher", "/grid", (1440, 900)),
        ("grid", "/grid/report", (390, 844)),
    ] {
        c.set_window_size(w, h).await.unwrap();
        sign_in(c, &app, user).await;
        text(c, "#home-title").await;
        asked.lock().unwrap().clear();
        c.goto(&app.url(path)).await.unwrap();
        text(c, "#grid-map").await;
        let z = zoom_of_page().await;
        // A tile's pixels are about the screen's: level 11 or 12 for a district some 20 km wide
        // on a phone or a laptop.
        assert!((10..=13).contains(&z), "{user} at {w}: level {z}");
        let got = asked_at(z).await;
        for corner in [sw, ne, onewindow::demo::grid::centre(12, 6)] {
            let (x, y) = tile_of(corner.lon, corner.lat, z);
            assert!(
                got.contains(&("vec".into(), z, x, y)) && got.contains(&("cva".into(), z, x, y)),
                "{user} at {w}: the tile {z}/{x}/{y} under {corner:?} was not asked: {got:?}"
            );
        }
        // Nothing is asked far outside the district.
        let (x0, y0) = tile_of(sw.lon - 0.02, ne.lat + 0.02, z);
        let (x1, y1) = tile_of(ne.lon + 0.02, sw.lat - 0.02, z);
        assert!(
            got.iter()
                .all(|t| (x0..=x1).contains(&t.2) && (y0..=y1).contains(&t.3)),
            "{user}: {got:?} outside {x0}..{x1} × {y0}..{y1}"
        );
        // The tile under the middle of the district is drawn where that place is on the map:
        // the middle's screen position falls inside the tile's image.
        let mid = onewindow::demo::grid::centre(12, 6);
        let (tx, ty) = tile_of(mid.lon, mid.lat, z);
        let inside = c
            .execute(
                "var svg = document.getElementById('grid-map'); var d = svg.dataset;
                 var merc = function (lat) { return Math.log(Math.tan(Math.PI / 4 + lat * Math.PI / 360)) * 180 / Math.PI; };
                 var pt = svg.createSVGPoint();
                 pt.x = (arguments[0] - parseFloat(d.west)) * parseFloat(d.s);
                 pt.y = (parseFloat(d.north) - merc(arguments[1])) * parseFloat(d.s);
                 var p = pt.matrixTransform(svg.getScreenCTM());
                 var img = svg.querySelector('image[data-tile=\"0/' + arguments[2] + '\"]');
                 if (!img) { return 'no image'; }
                 var r = img.getBoundingClientRect();
                 return r.left <= p.x && p.x <= r.right && r.top <= p.y && p.y <= r.bottom
                   ? 'inside' : [r.left, r.right, r.top, r.bottom, p.x, p.y].join(' ');",
                vec![
                    mid.lon.into(),
                    mid.lat.into(),
                    format!("{z}/{tx}/{ty}").into(),
                ],
            )
            .await
            .unwrap();
        assert_eq!(inside, "inside", "{user} at {w}");
        assert!(
            text(c, ".map-attribution").await.contains("审图号"),
            "the map names its source"
        );
        // Zooming in asks for the next level's tiles.
        for _ in 0..2 {
            click(c, "[data-map-zoom=in]").await;
        }
        let deeper = zoom_of_page().await;
        assert_eq!(deeper, z + 1, "{user}: 1.6 × 1.6 is one level deeper");
        asked_at(deeper).await;
        sign_out(c, &app).await;
    }
    c.set_window_size(1280, 900).await.unwrap();
}

// Every role's pages fit the screen, on a laptop and on a phone: whatever is wide (a table, a
// chart) scrolls inside its own box, never the whole page sideways, and nothing is cut off at
// the right edge. Each role opens its home and every page of its menu.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_pages_fit_a_laptop_and_a_phone() {
    let Some(d) = driver().await else { return };
    let app = TestApp::start(demo_sqlite().await, config()).await;
    let c = &d.client;
    let mut wide = Vec::new();
    for user in [
        "admin",
        "clerk",
        "approver",
        "supervisor",
        "grid",
        "dispatcher",
        "steward",
        "agent",
        "leader",
        "citizen",
        "enterprise",
        "petition-office",
    ] {
        c.set_window_size(1440, 900).await.unwrap();
        sign_in(c, &app, user).await;
        text(c, "#home-title").await;
        let links: Vec<String> = c
            .execute(
                "return Array.from(document.querySelectorAll('#nav a[href^=\"/\"]'))
                   .map(function (a) { return a.getAttribute('href'); })
                   .filter(function (h, i, all) { return all.indexOf(h) === i && h.indexOf('.xlsx') < 0; })",
                vec![],
            )
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let pages: Vec<String> = std::iter::once("/".to_string()).chain(links).collect();
        for (w, h) in [(1440, 900), (390, 844)] {
            c.set_window_size(w, h).await.unwrap();
            for p in &pages {
                c.goto(&app.url(p)).await.unwrap();
                let over = c
                    .execute(
                        "var d = document.documentElement;
                         var culprit = '';
                         if (d.scrollWidth > d.clientWidth + 1) {
                           document.querySelectorAll('main *').forEach(function (e) {
                             var r = e.getBoundingClientRect();
                             if (!culprit && r.right > d.clientWidth + 1 && !e.closest('.table-wrap, .scroll')) {
                               culprit = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && e.className.baseVal === undefined ? '.' + e.className : '');
                             }
                           });
                           return d.scrollWidth + ' > ' + d.clientWidth + ' ' + culprit;
                         }
                         return '';",
                        vec![],
                    )
                    .await
                    .unwrap();
                let over = over.as_str().unwrap_or("").to_string();
                if !over.is_empty() {
                    wide.push(format!("{user} {p} at {w}: {over}"));
                }
            }
        }
        c.set_window_size(1440, 900).await.unwrap();
        sign_out(c, &app).await;
    }
    assert!(
        wide.is_empty(),
        "pages wider than the screen:\n{}",
        wide.join("\n")
    );
    d.quit().await;
    app.stop().await;
}
