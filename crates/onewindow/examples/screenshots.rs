//! The README's pictures, from a running demo: signs in as each role in headless Chromium (through
//! chromedriver) and saves the main pages as PNG files. `scripts/screenshots.sh` starts the demo,
//! adds history and runs this; by hand:
//!
//! `cargo run --example screenshots -- http://127.0.0.1:8080 docs/screenshots`

use fantoccini::{Client, ClientBuilder, Locator};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Who, where, saved as what, at which size. A path starting with `first:` opens the first link
/// matching the CSS selector after it on the page before.
const SHOTS: &[(&str, &str, &str, (u32, u32))] = &[
    ("", "/", "portal", (1440, 900)),
    ("", "/search?q=施工许可", "search", (1440, 900)),
    (
        "",
        "first:ol.results a[href^='/guide/']",
        "guide",
        (1440, 900),
    ),
    ("", "/hall/1/kiosk", "kiosk", (1440, 900)),
    ("", "/hall/1/board", "board", (1920, 1080)),
    ("citizen", "/", "citizen-home", (1440, 900)),
    ("clerk", "/", "clerk-home", (1440, 900)),
    ("clerk", "/workbench", "workbench", (1440, 900)),
    ("clerk", "first:a[href^='/cases/']", "case", (1440, 900)),
    ("supervisor", "/supervision", "supervision", (1440, 900)),
    ("grid", "/grid/report", "grid-report-phone", (390, 844)),
    ("dispatcher", "/grid", "grid", (1440, 900)),
    ("steward", "/enterprise/projects", "projects", (1440, 900)),
    ("agent", "/petitions", "petitions", (1440, 900)),
    ("admin", "/", "admin-home", (1440, 900)),
];

fn find(names: &[&str]) -> Option<String> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
            .map(|p| p.display().to_string())
    })
}

async fn sign_in(c: &Client, base: &str, user: &str) -> Result<(), String> {
    let e = |e: fantoccini::error::CmdError| e.to_string();
    c.goto(&format!("{base}/login")).await.map_err(e)?;
    c.find(Locator::Css("#username"))
        .await
        .map_err(e)?
        .send_keys(user)
        .await
        .map_err(e)?;
    c.find(Locator::Css("#password"))
        .await
        .map_err(e)?
        .send_keys(&std::env::var("ONEWINDOW_DEMO_PASSWORD").unwrap_or("demo-password".into()))
        .await
        .map_err(e)?;
    c.find(Locator::Css("#login-submit"))
        .await
        .map_err(e)?
        .click()
        .await
        .map_err(e)?;
    c.wait()
        .for_element(Locator::Css("#home-title"))
        .await
        .map_err(e)?;
    Ok(())
}

async fn run(base: &str, out: &str) -> Result<(), String> {
    let (Some(driver), Some(chromium)) = (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser", "google-chrome"]),
    ) else {
        return Err("chromedriver and chromium are needed: apt-get install chromium chromium-driver fonts-noto-cjk".into());
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let mut process = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("chromedriver: {e}"))?;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({"binary": chromium, "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--hide-scrollbars", "--window-size=1440,900"]}),
    );
    let mut client = None;
    for _ in 0..100 {
        if let Ok(c) = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            client = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let c = client.ok_or("chromedriver did not start")?;
    std::fs::create_dir_all(out).map_err(|e| e.to_string())?;
    let e = |e: fantoccini::error::CmdError| e.to_string();
    let mut who = "";
    let mut result = Ok(());
    for (user, path, name, (w, h)) in SHOTS {
        if *user != who {
            c.delete_all_cookies().await.map_err(e)?;
            if !user.is_empty() {
                sign_in(&c, base, user).await?;
            }
            who = user;
        }
        c.set_window_size(*w, *h).await.map_err(e)?;
        if let Some(css) = path.strip_prefix("first:") {
            let Ok(link) = c.find(Locator::Css(css)).await else {
                result = Err(format!("{name}: nothing matches {css}"));
                continue;
            };
            let href = link.attr("href").await.map_err(e)?.unwrap_or_default();
            c.goto(&format!("{base}{href}")).await.map_err(e)?;
        } else {
            c.goto(&format!("{base}{path}")).await.map_err(e)?;
        }
        // Live pages fill themselves in; fonts settle.
        tokio::time::sleep(Duration::from_millis(800)).await;
        let png = c.screenshot().await.map_err(e)?;
        let file = format!("{out}/{name}.png");
        std::fs::write(&file, png).map_err(|e| format!("{file}: {e}"))?;
        println!("{file}");
    }
    let _ = c.close().await;
    let _ = process.kill();
    let _ = process.wait();
    result
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let base = args.get(1).map_or("http://127.0.0.1:8080", String::as_str);
    let out = args.get(2).map_or("docs/screenshots", String::as_str);
    match run(base.trim_end_matches('/'), out).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screenshots: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
