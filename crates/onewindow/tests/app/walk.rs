//! The page walk: every demo role opens its home and follows the links it is offered, and no
//! page shows what is not meant for its reader: an internal key, a state code, an account's
//! login, a record's database id. A link offered opens (no 403 behind a link). The patterns are
//! kept here; a page that shows such text on purpose (the account pages show logins, the login
//! page lists the demo accounts) is listed with the reason.

use crate::cases::{act, matter_code, person_application, upload_required};
use crate::each_app;
use crate::pages::{page, sign_in_cookie};
use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::collections::{BTreeSet, HashMap, VecDeque};

/// Words that are codes, not Chinese: states, actions, channels, scopes, the system's actors and
/// the demo district's logins. Matched as whole ASCII words of the visible text.
const CODES: &[&str] = &[
    // states and actions of cases, events, items, complaints, rectifications, petitions
    "submitted",
    "accepted",
    "in_review",
    "reviewing",
    "decided",
    "closed",
    "delivered",
    "reported",
    "registered",
    "dispatched",
    "handling",
    "resolved",
    "assigned",
    "answered",
    "received",
    "refused",
    "verifying",
    "rectifying",
    "explaining",
    "calling_back",
    "re_evaluating",
    "in_hand",
    "pending",
    "withdrawn",
    "paused",
    "extended",
    "recorded",
    // channels, sources, scopes
    "web",
    "online",
    "window",
    "kiosk",
    "hotline",
    "community",
    "district",
    "city",
    // who did it, as stored
    "demo",
    "demo-cases",
    "system",
    "open311",
    // the demo district's logins
    "admin",
    "clerk",
    "approver",
    "approver-zrzy",
    "approver-sthj",
    "supervisor",
    "grid",
    "dispatcher",
    "steward",
    "steward-city",
    "agent",
    "leader",
    "citizen",
    "enterprise",
    "petition-office",
    // what only a developer reads
    "null",
    "None",
    "Some",
    "true",
    "false",
    "docs",
    "md",
    "json",
    "depth",
];

/// Pages that show logins or codes because that is what they are for, with why.
const OWN_WORDS: &[(&str, &str)] = &[
    ("/login", "lists the demo accounts to sign in with"),
    ("/account", "shows the reader's own login (用户名)"),
    (
        "/admin/users",
        "the account register: logins are what it keeps",
    ),
    (
        "/admin/security",
        "the security page lists routes and roles for those who keep it",
    ),
    (
        "/admin/audit/checkpoints",
        "the checkpoints' hashes and the verify command",
    ),
];

/// The visible text of a page: no tags, no scripts or styles, no `<code>` (an API key or a
/// service code shown on purpose), entities decoded enough for matching.
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        out.push(' ');
        rest = &rest[lt..];
        let skip_to = ["script", "style", "code", "head"].iter().find_map(|t| {
            let open = format!("<{t}");
            rest.starts_with(&open)
                .then(|| rest.find(&format!("</{t}>")).map(|e| e + t.len() + 3))
                .flatten()
        });
        match skip_to {
            Some(end) => rest = &rest[end..],
            None => match rest.find('>') {
                Some(gt) => rest = &rest[gt + 1..],
                None => rest = "",
            },
        }
    }
    out.push_str(rest);
    out.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// What in `text` is not meant for a reader: code words, `#123` record ids, snake_case keys.
fn internal_words(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '#' && text[i + 1..].starts_with(|d: char| d.is_ascii_digit()) {
            let n: String = text[i + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            found.insert(format!("#{n}"));
            continue;
        }
        if !is_word(c) {
            continue;
        }
        let start = i;
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_word(d) {
                break;
            }
            end = j + d.len_utf8();
            chars.next();
        }
        let w = text[start..end].trim_matches('-');
        let snake = w.contains('_')
            && w.split('_')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()));
        if snake || CODES.contains(&w) {
            found.insert(w.to_string());
        }
    }
    found
}

/// The same-site links of a page worth opening: pages, not files, exports or actions.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .filter(|h| {
            !h.is_empty()
                && ![
                    "/static", "/api/", "/logout", "/favicon", "/files/", "/open311",
                ]
                .iter()
                .any(|p| h.starts_with(p))
                && ![
                    ".xlsx", ".pdf", ".csv", ".ics", ".svg", ".png", ".json", ".geojson",
                ]
                .iter()
                .any(|x| h.split('?').next().unwrap_or_default().ends_with(x))
                && !h.contains("/print")
                && !h.contains("/poster")
        })
        .collect()
}

/// A page's kind: its path with the numbers taken out (`/cases/12` → `/cases/N`).
fn kind(href: &str) -> String {
    let path = href.split('?').next().unwrap_or_default();
    path.split('/')
        .map(|s| {
            if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                "N"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks from the home page as `cookie`: up to two pages of each kind, `max` pages in all.
/// Answers the pages opened and the problems met: a link that does not open, a page with
/// internal text.
async fn walk(app: &TestApp, who: &str, cookie: &str, max: usize) -> (Vec<String>, Vec<String>) {
    let mut queue = VecDeque::from([("/".to_string(), String::new())]);
    let mut seen = BTreeSet::new();
    let mut per_kind: HashMap<String, usize> = HashMap::new();
    let mut opened = Vec::new();
    let mut problems = Vec::new();
    while let Some((href, from)) = queue.pop_front() {
        if opened.len() >= max {
            break;
        }
        if !seen.insert(href.clone()) {
            continue;
        }
        let k = kind(&href);
        let n = per_kind.entry(k.clone()).or_default();
        if *n >= 2 {
            continue;
        }
        *n += 1;
        let (s, html) = page(app, &href, cookie).await;
        opened.push(href.clone());
        // A visitor is sent to sign in where that is needed (在线申请): that is the page's answer.
        let to_sign_in = cookie.is_empty() && s == StatusCode::SEE_OTHER;
        if s != StatusCode::OK && !to_sign_in {
            problems.push(format!("{who} {href} (linked from {from}): {s}"));
            continue;
        }
        // A download (a blank form's workbook) is not a page.
        if !html
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html")
        {
            continue;
        }
        if !OWN_WORDS
            .iter()
            .any(|(p, _)| k == *p || k.starts_with(&format!("{p}/")))
        {
            let words = internal_words(&visible(&html));
            if !words.is_empty() {
                problems.push(format!("{who} {href}: {words:?}"));
            }
        }
        queue.extend(links(&html).into_iter().map(|l| (l, href.clone())));
    }
    (opened, problems)
}

#[test]
fn the_walk_finds_what_it_looks_for() {
    let words = internal_words(&visible(
        "<p>状态：calling_back · 办件 #12 · 经办人 approver-zrzy · demo：上报 \
         <code>other</code> 格式：PDF、JPG 窗口 A001</p><script>var closed = true;</script>",
    ));
    assert_eq!(
        words,
        ["#12", "approver-zrzy", "calling_back", "demo"]
            .into_iter()
            .map(str::to_string)
            .collect()
    );
    assert_eq!(kind("/cases/12?personal=1"), "/cases/N");
    assert_eq!(
        links(
            r#"<a href="/cases/1">x</a><a href="/cases.xlsx">x</a><a href="/api/v1/me">x</a><a href="/audit?a=1&amp;b=2">"#
        ),
        ["/cases/1", "/audit?a=1&b=2"]
    );
}

each_app!(
    every_page_a_role_is_offered_opens_and_shows_no_internal_text,
    |app| {
        // Some history by real accounts: an online application, accepted at the window.
        let citizen = app.token("citizen").await;
        let clerk = app.token("clerk").await;
        let code = matter_code(app, "城乡居民最低生活保障审核确认").await;
        let (s, created) = app
            .call(
                Method::POST,
                "/api/v1/cases",
                Some(&citizen),
                Some(person_application(&code, "online")),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        let id = created["case_ids"][0].as_i64().unwrap();
        upload_required(app, &citizen, id).await;
        let (s, e) = act(app, &clerk, id, json!({"action": "accept", "version": 1})).await;
        assert_eq!(s, StatusCode::OK, "{e}");

        // The applicant sees who served her as the office and post, not the clerk's name or login.
        let cookie = sign_in_cookie(app, "citizen").await;
        let (s, html) = page(app, &format!("/cases/{id}"), &cookie).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        let timeline = &html[html.find("id=\"timeline\"").unwrap()..];
        let timeline = &timeline[..timeline.find("</ol>").unwrap()];
        assert!(timeline.contains("窗口人员"), "{timeline}");
        assert!(
            !timeline.contains("李志抗") && !timeline.contains("clerk"),
            "{timeline}"
        );
        // Staff see the clerk by name.
        let staff = sign_in_cookie(app, "supervisor").await;
        let (_, html) = page(app, &format!("/cases/{id}"), &staff).await;
        let timeline = &html[html.find("id=\"timeline\"").unwrap()..];
        assert!(timeline[..timeline.find("</ol>").unwrap()].contains("李志抗"));

        let mut total = 0;
        let mut problems = Vec::new();
        for role in onewindow_core::identity::Role::ALL {
            let cookie = sign_in_cookie(app, role.code()).await;
            let (opened, found) = walk(app, role.code(), &cookie, 70).await;
            assert!(opened.len() > 8, "{role:?} opened only {opened:?}");
            total += opened.len();
            problems.extend(found);
        }
        let (opened, found) = walk(app, "a visitor", "", 40).await;
        assert!(opened.len() > 4, "{opened:?}");
        problems.extend(found);
        assert!(
            problems.is_empty(),
            "{} problems in {} pages:\n{}",
            problems.len(),
            total + opened.len(),
            problems.join("\n")
        );
    }
);
