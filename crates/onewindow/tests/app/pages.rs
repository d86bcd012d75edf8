//! The pages: sign-in with CSRF and fresh sessions, each role's home, the large-text mode, the
//! language switch, escaping, and CSRF on every form.

use crate::each_app;
use crate::support::{PASSWORD, TestApp, cookie_value, set_cookies};
use reqwest::StatusCode;

/// The value of the hidden `_csrf` field in a page.
pub fn csrf_in(html: &str) -> String {
    let at = html
        .find("name=\"_csrf\" value=\"")
        .expect("a form with a CSRF field");
    let rest = &html[at + 20..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// Signs in through the login form; returns the `Cookie` header value for the session.
pub async fn sign_in_cookie(app: &TestApp, username: &str) -> String {
    let res = app.http.get(app.url("/login")).send().await.unwrap();
    let anon = cookie_value(&set_cookies(&res), "ow_anon_csrf")
        .expect("the login page sets the form cookie");
    let csrf = csrf_in(&res.text().await.unwrap());
    let res = app
        .http
        .post(app.url("/login"))
        .header("cookie", format!("ow_anon_csrf={anon}"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {username}");
    let session = cookie_value(&set_cookies(&res), "ow_session").expect("a session cookie");
    format!("ow_session={session}")
}

/// A page's status and HTML, with the escaped slashes of attributes (`&#x2f;`) read back as `/`.
pub async fn page(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let res = app
        .http
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (
        res.status(),
        res.text().await.unwrap().replace("&#x2f;", "/"),
    )
}

/// Posts `fields` (with the CSRF token of the page at `form_page`) to `to`; answers the
/// status and the redirect's target, or the page.
pub async fn post_form(
    app: &TestApp,
    cookie: &str,
    form_page: &str,
    to: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String) {
    let (_, html) = crate::pages::page(app, form_page, cookie).await;
    let mut form: Vec<(&str, String)> = vec![("_csrf", crate::pages::csrf_in(&html))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let res = app
        .http
        .post(app.url(to))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    if status == StatusCode::SEE_OTHER {
        let to = res.headers()["location"].to_str().unwrap().to_string();
        (status, to)
    } else {
        (status, res.text().await.unwrap())
    }
}

each_app!(
    login_needs_its_csrf_token_and_makes_a_fresh_session,
    |app| {
        let res = app.http.get(app.url("/login")).send().await.unwrap();
        let cookies = set_cookies(&res);
        let anon = cookie_value(&cookies, "ow_anon_csrf").unwrap();
        assert!(
            cookies
                .iter()
                .any(|c| c.contains("HttpOnly") && c.contains("SameSite=Strict"))
        );
        let html = res.text().await.unwrap();
        assert!(
            html.contains("演示账号"),
            "the demo accounts are listed in demo mode"
        );
        let csrf = csrf_in(&html);
        // without the token
        let res = app
            .http
            .post(app.url("/login"))
            .header("cookie", format!("ow_anon_csrf={anon}"))
            .form(&[("username", "clerk"), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // from another site
        let res = app
            .http
            .post(app.url("/login"))
            .header("cookie", format!("ow_anon_csrf={anon}"))
            .header("origin", "https://evil.example")
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "clerk"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        // a wrong password shows the form again with the reason
        let res = app
            .http
            .post(app.url("/login"))
            .header("cookie", format!("ow_anon_csrf={anon}"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "clerk"),
                ("password", "nope-1234"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.text().await.unwrap().contains("用户名或密码错误"));
        // a planted session cookie is never adopted: sign-in issues a new one
        let res = app
            .http
            .post(app.url("/login"))
            .header(
                "cookie",
                format!("ow_anon_csrf={anon}; ow_session=planted-by-attacker"),
            )
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "clerk"),
                ("password", PASSWORD),
                ("next", "/admin/departments"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers()["location"], "/admin/departments");
        let cookies = set_cookies(&res);
        let session = cookie_value(&cookies, "ow_session").unwrap();
        assert_ne!(session, "planted-by-attacker");
        assert_eq!(session.len(), 64);
        let c = cookies
            .iter()
            .find(|c| c.starts_with("ow_session="))
            .unwrap();
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"),
            "{c}"
        );
        // an off-site `next` is not followed
        let res = app
            .http
            .post(app.url("/login"))
            .header("cookie", format!("ow_anon_csrf={anon}"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("username", "clerk"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["location"], "/");
        // nor one a browser turns into another site (it drops tabs and newlines), nor one that
        // cannot be a header: each goes home, after the sign-in
        for next in ["/\t/evil.example", "/\n/x", "/\\evil.example", "/办事"] {
            let res = app
                .http
                .post(app.url("/login"))
                .header("cookie", format!("ow_anon_csrf={anon}"))
                .form(&[
                    ("_csrf", csrf.as_str()),
                    ("username", "clerk"),
                    ("password", PASSWORD),
                    ("next", next),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next:?}");
            assert_eq!(res.headers()["location"], "/", "{next:?}");
        }
        // the language switch's way back is held to the same rule
        let html = app.http.get(app.url("/login")).send().await.unwrap();
        let prefs_cookies = set_cookies(&html);
        let anon2 = cookie_value(&prefs_cookies, "ow_anon_csrf").unwrap();
        let csrf2 = csrf_in(&html.text().await.unwrap());
        for back in ["/\t/evil.example", "/\n/x"] {
            let res = app
                .http
                .post(app.url("/prefs"))
                .header("cookie", format!("ow_anon_csrf={anon2}"))
                .form(&[("_csrf", csrf2.as_str()), ("lang", "en"), ("back", back)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{back:?}");
            assert_eq!(res.headers()["location"], "/", "{back:?}");
        }
        // a path with characters a header cannot carry is encoded, not a 500
        let res = app
            .http
            .get(app.url("/apply/%E4%BC%91%E5%AD%A6"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers()["location"],
            "/login?next=/apply/%E4%BC%91%E5%AD%A6"
        );
    }
);

each_app!(pages_need_a_session_and_forms_need_the_token, |app| {
    let res = app.http.get(app.url("/admin/users")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login?next=%2Fadmin%2Fusers");
    let cookie = sign_in_cookie(app, "admin").await;
    let (s, html) = page(app, "/admin/departments", &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("龙港区民政局"));
    let csrf = csrf_in(&html);
    let district = html
        .split("option value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let uscc = onewindow_core::validate::uscc::build('1', '1', "211403", "MB666666").unwrap();
    let form = [
        ("name", "<script>alert('x')</script>局"),
        ("uscc", uscc.as_str()),
        ("region_id", district.as_str()),
    ];
    // without the token: refused, nothing written
    let res = app
        .http
        .post(app.url("/admin/departments"))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // with it: created, and the name is shown escaped
    let mut with = form.to_vec();
    with.push(("_csrf", csrf.as_str()));
    let res = app
        .http
        .post(app.url("/admin/departments"))
        .header("cookie", &cookie)
        .form(&with)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/admin/departments/") && location.ends_with("flash=form.saved"));
    let (s, html) = page(app, &location, &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("已保存"));
    assert!(!html.contains("<script>alert"), "user text is escaped");
    assert!(html.contains("&lt;script&gt;"));
    // a bad value gets a page naming the field by its label, never by its path, and keeping
    // the signed-in header
    let mut bad = with.clone();
    bad.retain(|(k, _)| *k != "uscc");
    bad.push(("uscc", "123"));
    let res = app
        .http
        .post(app.url("/admin/departments"))
        .header("cookie", &cookie)
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("统一社会信用代码：") && html.contains("18位"),
        "{html}"
    );
    assert!(!html.contains("uscc"), "no field path on the page: {html}");
    assert!(
        html.contains("退出"),
        "still signed in, and shown so: {html}"
    );
    // the API with the browser's cookie needs the CSRF header for changes
    let res = app
        .http
        .patch(app.url("/api/v1/regions/1"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"version": 1, "name": "辽宁省"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    let me: serde_json::Value = res.json().await.unwrap();
    let token = me["csrf_token"].as_str().unwrap();
    let res = app
        .http
        .post(app.url("/api/v1/regions"))
        .header("cookie", &cookie)
        .header("x-csrf-token", token)
        .json(&serde_json::json!({"code": "211403007", "name": "新街道", "parent_id": district.parse::<i64>().unwrap()}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // logout ends the session
    let (_, html) = page(app, "/", &cookie).await;
    let csrf = csrf_in(&html);
    let res = app
        .http
        .post(app.url("/logout"))
        .header("cookie", &cookie)
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (s, _) = page(app, "/admin/departments", &cookie).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
});

each_app!(every_role_has_its_home, |app| {
    for role in onewindow_core::identity::Role::ALL {
        let cookie = sign_in_cookie(app, role.code()).await;
        let (s, html) = page(app, "/", &cookie).await;
        assert_eq!(s, StatusCode::OK);
        let heading = match role {
            onewindow_core::identity::Role::Admin => "系统管理工作台",
            onewindow_core::identity::Role::Clerk => "窗口工作台",
            onewindow_core::identity::Role::Approver => "审批工作台",
            onewindow_core::identity::Role::Supervisor => "电子监察中心",
            onewindow_core::identity::Role::GridWorker => "网格员工作台",
            onewindow_core::identity::Role::Dispatcher => "指挥调度中心",
            onewindow_core::identity::Role::Steward => "项目管家工作台",
            onewindow_core::identity::Role::PetitionAgent => "信访代理工作站",
            onewindow_core::identity::Role::Leader => "领导工作台",
            onewindow_core::identity::Role::Citizen => "个人办事中心",
            onewindow_core::identity::Role::Enterprise => "企业办事中心",
        };
        assert!(
            html.contains(&format!("<h1 id=\"home-title\">{heading}</h1>")),
            "{role:?}"
        );
        // the menu follows the role
        assert_eq!(
            html.contains("href=\"/admin/regions\""),
            role == onewindow_core::identity::Role::Admin,
            "{role:?}"
        );
        assert_eq!(
            html.contains("href=\"/audit\""),
            role.is_staff(),
            "{role:?}"
        );
        // Home is the person's work, not audit rows.
        for raw in ["expires_at", "kind：cookie", "session", "login.ok"] {
            assert!(!html.contains(raw), "{role:?} home shows {raw}");
        }
        use onewindow_core::identity::Role;
        let work = match role {
            Role::Clerk => &["待受理", "待办结送达"][..],
            Role::Approver => &["我的审查", "待认领"][..],
            Role::Supervisor => &["红灯办件", "黄灯办件", "本月超期办结"][..],
            Role::GridWorker => &["待核查"][..],
            Role::Dispatcher => &["待立案", "待派遣", "待结案"][..],
            Role::Steward => &["待交办诉求", "办理中诉求", "待企业确认", "待走访"][..],
            Role::PetitionAgent => &["代理办理中"][..],
            _ => &[][..],
        };
        for w in work {
            assert!(
                html.contains(&format!("<h3>{w}</h3>")),
                "{role:?} home lacks {w}"
            );
        }
        assert_eq!(
            html.contains("id=\"mine-title\""),
            !role.is_staff(),
            "{role:?}: an applicant's home lists their cases"
        );
    }
});

/// The hrefs of the page's main menu.
fn menu_of(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav id=\"nav\"") else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    nav.split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(str::to_string)
        .collect()
}

each_app!(
    every_menu_entry_opens_for_the_role_it_is_offered_to,
    |app| {
        // A menu never offers what its reader may not open.
        for role in onewindow_core::identity::Role::ALL {
            let cookie = sign_in_cookie(app, role.code()).await;
            let (_, html) = page(app, "/", &cookie).await;
            let menu = menu_of(&html);
            assert!(menu.len() > 3, "{role:?}: {menu:?}");
            for href in menu {
                let (s, body) = page(app, &href, &cookie).await;
                assert_eq!(s, StatusCode::OK, "{role:?} {href}: {body}");
            }
        }
        let (_, html) = page(app, "/", "").await;
        for href in menu_of(&html) {
            let (s, _) = page(app, &href, "").await;
            assert_eq!(s, StatusCode::OK, "a visitor's {href}");
        }
    }
);

each_app!(large_text_and_language_persist, |app| {
    // a visitor: a cookie
    let res = app.http.get(app.url("/")).send().await.unwrap();
    let anon = cookie_value(&set_cookies(&res), "ow_anon_csrf").unwrap();
    let html = res.text().await.unwrap();
    assert!(!html.contains("class=\"large\""));
    let csrf = csrf_in(&html);
    let res = app
        .http
        .post(app.url("/prefs"))
        .header("cookie", format!("ow_anon_csrf={anon}"))
        .form(&[("_csrf", csrf.as_str()), ("large_text", "1"), ("back", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let large = cookie_value(&set_cookies(&res), "ow_large").unwrap();
    assert_eq!(large, "1");
    let (_, html) = page(app, "/", &format!("ow_anon_csrf={anon}; ow_large=1")).await;
    assert!(html.contains("<body class=\"large\""));
    // a signed-in person: the account keeps it, so a new browser gets it too
    let cookie = sign_in_cookie(app, "citizen").await;
    let (_, html) = page(app, "/", &cookie).await;
    let csrf = csrf_in(&html);
    let res = app
        .http
        .post(app.url("/prefs"))
        .header("cookie", &cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("large_text", "1"),
            ("lang", "en"),
            ("back", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let fresh = sign_in_cookie(app, "citizen").await;
    let (_, html) = page(app, "/", &fresh).await;
    assert!(
        html.contains("<body class=\"large\""),
        "the preference follows the account"
    );
    assert!(html.contains("My services"), "and so does the language");
    assert!(html.contains("lang=\"en\""));
});

each_app!(security_headers_are_set, |app| {
    let res = app.http.get(app.url("/login")).send().await.unwrap();
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS on plain HTTP"
    );
    assert!(h.contains_key("x-request-id"));
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("<script>") && !html.contains(" style=\""),
        "no inline script or style"
    );
    let css = app
        .http
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("body.large"));
    // The site has its icon (browsers ask for /favicon.ico on every page).
    for path in ["/favicon.ico", "/favicon.svg"] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], "image/svg+xml");
    }
});

// Behind TLS (`secure_cookies`): HSTS, and the session cookie only over HTTPS.
each_app!(
    behind_tls_browsers_are_told_to_stay_on_https,
    onewindow_web::WebConfig {
        secure_cookies: true,
        ..crate::support::config()
    },
    |app| {
        let res = app.http.get(app.url("/login")).send().await.unwrap();
        let hsts = res.headers()["strict-transport-security"].to_str().unwrap();
        assert!(
            hsts.contains("max-age=") && hsts.contains("includeSubDomains"),
            "{hsts}"
        );
        let cookies = set_cookies(&res);
        assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    }
);

// Paths that climb out of a route (`..`, encoded or not, sent as written: an HTTP client would
// tidy them first) reach no file of the machine or of the source tree.
each_app!(climbing_paths_reach_no_file, |app| {
    use std::io::{Read, Write};
    let addr = app
        .url("")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    for path in [
        "/../../../../etc/passwd",
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/%2e%2e/%2e%2e/Cargo.toml",
        "/static/app.css/../../../Cargo.toml",
        "/api/v1/files/..%2f..%2f..%2fetc%2fpasswd",
        "/cases/1/print/..%2f..%2f..%2fetc%2fpasswd",
        "/static/..\\..\\Cargo.toml",
    ] {
        let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let raw = tokio::task::block_in_place(|| {
            let mut s = std::net::TcpStream::connect(&addr).unwrap();
            s.write_all(req.as_bytes()).unwrap();
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).unwrap();
            raw
        });
        let text = String::from_utf8_lossy(&raw);
        let status = text
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        // refused, not found, or (a page) sent to sign in
        assert!(
            status.starts_with('4') || status == "303",
            "{path}: {}",
            text.lines().next().unwrap_or_default()
        );
        assert!(
            !text.contains("root:") && !text.contains("[package]"),
            "{path} read a file: {text}"
        );
    }
});

each_app!(a_password_is_changed_on_the_account_page, |app| {
    let cookie = sign_in_cookie(app, "steward").await;
    let other = sign_in_cookie(app, "steward").await;
    let (s, html) = page(app, "/account", &cookie).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("张喜锋") && html.contains("龙港区") && html.contains("139****0006"),
        "the profile, with the phone masked"
    );
    let csrf = csrf_in(&html);
    let res = app
        .http
        .post(app.url("/account/password"))
        .header("cookie", &cookie)
        .form(&[
            ("_csrf", csrf.as_str()),
            ("old_password", PASSWORD),
            ("new_password", "Steward-pass-9"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(app, res.headers()["location"].to_str().unwrap(), &cookie).await;
    assert!(html.contains("密码已修改"));
    // the other browser is signed out; the new password works
    assert_eq!(page(app, "/account", &other).await.0, StatusCode::SEE_OTHER);
    let (s, _) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/token",
            None,
            Some(serde_json::json!({"username": "steward", "password": "Steward-pass-9"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
});

/// Reads the first sheet of an XLSX download into rows of strings.
pub async fn sheet(res: reqwest::Response) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let bytes = res.bytes().await.unwrap().to_vec();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

each_app!(lists_and_trails_export_to_excel_within_scope, |app| {
    let admin = sign_in_cookie(app, "admin").await;
    let res = app
        .http
        .get(app.url("/admin/users.xlsx"))
        .header("cookie", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let rows = sheet(res).await;
    assert_eq!(rows[0][0], "用户名");
    assert_eq!(
        rows.len(),
        1 + 116,
        "every demo account of the district, the public ones and the petition agency's included"
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == "clerk" && r[4] == "139****0001"),
        "phones masked"
    );
    // department staff export only the department's accounts
    let ecology = sign_in_cookie(app, "approver-sthj").await;
    let rows = sheet(
        app.http
            .get(app.url("/admin/users.xlsx"))
            .header("cookie", &ecology)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        rows.iter()
            .skip(1)
            .map(|r| r[0].as_str())
            .collect::<Vec<_>>(),
        vec!["approver-sthj"]
    );
    // the trail of one record, and a record out of scope
    let rows = sheet(
        app.http
            .get(app.url("/audit.xlsx?target_type=region&target_id=1"))
            .header("cookie", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(rows.len(), 2, "the creation of the province");
    assert_eq!(rows[1][4], "新增区划");
    assert_eq!(rows[1][9].len(), 64, "the entry's hash is exported too");
    let res = app
        .http
        .get(app.url("/audit.xlsx?target_type=user&target_id=3"))
        .header("cookie", &ecology)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

each_app!(home_shows_each_person_their_work_and_their_cases, |app| {
    use crate::cases::{matter_code, person_application};
    let clerk = sign_in_cookie(app, "clerk").await;
    let waiting = |html: &str| -> i64 {
        let at = html.find("<h3>待受理</h3>").expect("the clerk's 待受理");
        let rest = &html[at..];
        let start = rest.find("class=\"count\">").unwrap() + 14;
        rest[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    };
    let (_, html) = page(app, "/", &clerk).await;
    let before = waiting(&html);
    let citizen = app.token("citizen").await;
    let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
    let (s, created) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/cases",
            Some(&citizen),
            Some(person_application(&code, "online")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let number = created["numbers"][0].as_str().unwrap().to_string();
    let (_, html) = page(app, "/", &sign_in_cookie(app, "citizen").await).await;
    let at = html.find("id=\"home-mine\"").expect("the citizen's cases");
    let table = &html[at..];
    assert!(
        table.contains(&number) && table.contains("等待窗口受理"),
        "{table}"
    );
    let (_, html) = page(app, "/", &clerk).await;
    assert_eq!(waiting(&html), before + 1, "the clerk's count follows");
});

each_app!(the_trail_reads_as_sentences_without_codes, |app| {
    // The demo's own history (imports, appointments, accounts, grids…) and a login: every
    // entry's action and role in words, not as the codes they are stored under.
    let admin = sign_in_cookie(app, "admin").await;
    let (s, html) = page(app, "/audit", &admin).await;
    assert_eq!(s, StatusCode::OK);
    let cells: Vec<&str> = html
        .split("<td class=\"action\">")
        .skip(1)
        .chain(html.split("<small class=\"role\">").skip(1))
        .map(|c| c.split('<').next().unwrap_or_default())
        .collect();
    assert!(cells.len() > 100, "{}", cells.len());
    for c in cells {
        assert!(
            !c.chars().any(|ch| ch.is_ascii_alphabetic()),
            "a code on the trail: {c}"
        );
    }
    assert!(
        html.contains("登录") && html.contains("（系统管理员）"),
        "{html}"
    );
    // What only the machine reads is left to the export; people by their names, not logins.
    let rows = &html[html.find("<tbody>").unwrap()..];
    for raw in ["expires_at", "session", "cookie", ">admin<"] {
        assert!(!rows.contains(raw), "{raw} on the trail page");
    }
});

/// A district's identity, as its configuration file sets it.
fn with_site() -> onewindow_web::WebConfig {
    onewindow_web::WebConfig {
        site: onewindow_web::state::Site {
            name: Some("葫芦岛市龙港区政务服务网".into()),
            host: Some("葫芦岛市龙港区人民政府".into()),
            operator: None,
            icp: Some("辽ICP备12345678号".into()),
            police_record: None,
            hotline: Some("12345".into()),
        },
        ..crate::support::config()
    }
}

each_app!(
    the_portal_carries_the_districts_identity_and_its_most_used_services,
    with_site(),
    |app| {
        // Something applied for this week: the most used services come from the data.
        let citizen = app.token("citizen").await;
        let code = crate::cases::matter_code(app, "城乡居民最低生活保障审核确认").await;
        for _ in 0..2 {
            let (s, v) = app
                .call(
                    reqwest::Method::POST,
                    "/api/v1/cases",
                    Some(&citizen),
                    Some(crate::cases::person_application(&code, "online")),
                )
                .await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
        }
        let (s, html) = page(app, "/", "").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("<title>办事指南 · 葫芦岛市龙港区政务服务网</title>"));
        assert!(html.contains("葫芦岛市龙港区政务服务网</a>"), "the banner");
        for footer in [
            "主办单位：葫芦岛市龙港区人民政府",
            "辽ICP备12345678号",
            "政务服务热线",
        ] {
            assert!(html.contains(footer), "the footer has {footer}");
        }
        // 个人办事 / 法人办事 lead to their sections; the search comes first.
        assert!(html.contains("href=\"#person\"") && html.contains("id=\"person\""));
        assert!(html.contains("href=\"#legal\"") && html.contains("id=\"legal\""));
        assert!(html.find("search").unwrap() < html.find("id=\"popular\"").unwrap());
        let popular = &html[html.find("id=\"popular\"").unwrap()..];
        let popular = &popular[..popular.find("</section>").unwrap()];
        assert!(
            popular.contains(&format!("href=\"/guide/{code}\"")),
            "{popular}"
        );
        // A visitor follows a case by number; the signed-in see theirs.
        assert!(html.contains("href=\"/progress\""));
        let (_, html) = page(app, "/portal", &sign_in_cookie(app, "citizen").await).await;
        assert!(html.contains("href=\"/cases\"><b>我的办件"));
        // Every page says who runs it.
        let (_, html) = page(app, "/login", "").await;
        assert!(html.contains("主办单位：葫芦岛市龙港区人民政府"));
    }
);

each_app!(the_petition_office_is_named_as_the_office, |app| {
    // 区信访局's staff are not a station's agents, though both work cases under agency.
    let office = sign_in_cookie(app, "petition-office").await;
    let (_, html) = page(app, "/", &office).await;
    assert!(
        html.contains("王春雨（区信访局）（信访工作人员）"),
        "the header"
    );
    let agent = sign_in_cookie(app, "agent").await;
    let (_, html) = page(app, "/", &agent).await;
    assert!(html.contains("（信访代理员）"), "a station's agent");
    let admin = sign_in_cookie(app, "admin").await;
    let (_, html) = page(app, "/admin/users", &admin).await;
    let row = &html[html.find("王春雨（区信访局）").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("信访工作人员") && !row.contains("信访代理员"),
        "{row}"
    );
    // The trail names the same person the same way.
    sign_in_cookie(app, "petition-office").await;
    let (_, html) = page(app, "/audit", &admin).await;
    assert!(html.contains("王春雨（区信访局）<small class=\"role\">（信访工作人员）</small>"));
});
