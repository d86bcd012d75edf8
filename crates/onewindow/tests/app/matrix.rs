//! The permission matrix: every endpoint of the OpenAPI document, called by no one and by each
//! role's demo account (with that account's department or region scope), against the table in
//! `docs/PERMISSIONS.md`. A change to who may call what shows up here as a changed cell, to be
//! looked at and written into the document on purpose (`ONEWINDOW_BLESS=1` rewrites it).
//!
//! Bodies and required query parameters are made from the document's own schemas, so that a call
//! gets past reading its input and meets the role check. Reads name record 1 of their kind: a demo
//! record, or one `seed` makes first (a case under review with a file and an urge, a concluded
//! case with a bad rating and its rectification, a bundle), which the caller may or may not have
//! in scope; guides and topics are read by a real code. Writes name a record that does not exist,
//! so that an allowed write changes nothing the next call depends on. Besides one account per
//! role, a second account of some roles with another scope (`²`) shows scope as a column.
//! `ONEWINDOW_MATRIX_TRACE=1` prints every answer, to see why a cell is what it is.

use crate::api::ENDPOINTS;
use crate::cases::{act, matter_code, person_application, upload};
use crate::each_app;
use crate::support::TestApp;
use onewindow_core::identity::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/PERMISSIONS.md");
const BEGIN: &str = "<!-- matrix: written by tests/app/matrix.rs -->";
const END: &str = "<!-- /matrix -->";

/// Where the administrator is refused, and why: not a permission the role lacks.
const ADMIN_REFUSED: &[&str] = &[
    // the body names region 1, the city, above the district administrator's scope
    "POST /api/v1/halls",
    // an open review is a citizen's or an enterprise's own (综合点评)
    "POST /api/v1/reviews",
    // an enterprise's own policies (惠企政策 matched to it)
    "GET /api/v1/my/policies",
    "GET /api/v1/my/policies/{id}",
    // an applicant's personal data in full is for those whose work the case is (the window, its
    // approvers), not for whoever administers the system
    PERSONAL,
    // a department loads its own paper licences; the administrator is no issuing department
    "POST /api/v1/licences/import",
];

/// Rows besides the document's endpoints: a call whose answer depends on a query parameter.
const PERSONAL: &str = "GET /api/v1/cases/{id}?personal=true";
const EXTRA: &[(&str, &str)] = &[(PERSONAL, "/api/v1/cases/1?personal=true")];

/// A cell: what one caller got from one endpoint.
fn cell(s: StatusCode) -> &'static str {
    match s.as_u16() {
        401 => "—",
        403 => "✗",
        200..=299 => "✓",
        // reached past the role check; the input, the record's state or its absence decided
        _ => "·",
    }
}

fn header(callers: &[Caller]) -> String {
    let mut h = String::from("| endpoint |");
    let mut rule = String::from("|---|");
    for c in callers {
        h.push_str(&format!(" {} |", c.label));
        rule.push_str("---|");
    }
    format!("{h}\n{rule}\n")
}

/// A column of the table: who calls, with which role (none: not signed in).
struct Caller {
    label: String,
    role: Option<Role>,
    token: Option<String>,
}

/// The accounts of the `²` columns: the same role as the first account, another scope.
/// (username, role, whether `seed` makes it: the demo has the others)
const SECOND: &[(&str, Role, bool)] = &[
    // the window of 公安分局 alone, which case 1 does not concern, where `clerk` is the
    // district's comprehensive window
    ("clerk-police", Role::Clerk, true),
    // 生态环境分局, which reviews case 1's matter in its parallel stage (`approver` is 住建局)
    ("approver-sthj", Role::Approver, false),
    // one street, where `supervisor` has the district
    ("supervisor-street", Role::Supervisor, true),
    // the city's steward above the district's
    ("steward-city", Role::Steward, false),
    // the petition office (the district), where `agent` serves one village's station
    ("petition-office", Role::PetitionAgent, false),
];

/// The password of the `²` accounts `seed` makes (the demo's has no digit, which a new
/// account's must).
const MADE_PASSWORD: &str = "scope-check-2026";

/// The records reads name: each is number 1 of its kind in a fresh district. Returns the codes
/// reads of a guide and of a topic use.
async fn seed(app: &TestApp) -> (String, String) {
    let clerk = app.token("clerk").await;
    // case 1: taken in at the window with a file (file 1), accepted, then urged (urge 1)
    let case = crate::supervision::window_case(app, &clerk).await;
    assert_eq!(case, 1, "case 1 is the first of a fresh district");
    let (s, f) = upload(
        app,
        &clerk,
        case,
        "建筑工程施工许可证申请表",
        "申请表.pdf",
        b"%PDF-1.4 application".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{f}");
    let (s, v) = act(app, &clerk, case, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let supervisor = app.token("supervisor").await;
    let (s, u) = app
        .call(
            Method::POST,
            &format!("/api/v1/cases/{case}/urges"),
            Some(&supervisor),
            Some(json!({"message": "请加快审查"})),
        )
        .await;
    assert_eq!((s, u["id"].as_i64()), (StatusCode::CREATED, Some(1)), "{u}");
    // case 2, concluded on the spot and rated badly: rating and rectification 1
    let id = crate::evaluation::concluded_case(app).await;
    let citizen = app.token("citizen").await;
    let bad =
        json!({"level": 1, "reason": "多次跑动", "scores": crate::evaluation::online_scores(1)});
    let (s, r) = crate::evaluation::rate(app, &citizen, id, bad).await;
    assert_eq!(
        (s, r["rectification_id"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{r}"
    );
    // bundle 1: the citizen's 退休一件事
    let mut bundle = person_application("", "kiosk");
    bundle.as_object_mut().unwrap().remove("matter_code");
    bundle["topic_code"] = json!("tuixiu-yjs");
    let (s, b) = app
        .call(
            Method::POST,
            "/api/v1/bundles",
            Some(&citizen),
            Some(bundle),
        )
        .await;
    assert_eq!(
        (s, b["group_id"].as_i64()),
        (StatusCode::CREATED, Some(1)),
        "{b}"
    );
    // the `²` accounts the demo does not have
    let admin = app.token("admin").await;
    let police = app
        .find(
            "/api/v1/departments",
            &admin,
            "name",
            "葫芦岛市公安局龙港分局",
        )
        .await["id"]
        .clone();
    let street = app
        .find("/api/v1/regions", &admin, "code", "211403001")
        .await["id"]
        .clone();
    for (username, role, scope) in [
        ("clerk-police", "clerk", json!({"department_id": police})),
        (
            "supervisor-street",
            "supervisor",
            json!({"region_id": street}),
        ),
    ] {
        let mut body = json!({"username": username, "display_name": username, "password": MADE_PASSWORD, "roles": [role]});
        body.as_object_mut()
            .unwrap()
            .extend(scope.as_object().unwrap().clone());
        let (s, u) = app
            .call(Method::POST, "/api/v1/users", Some(&admin), Some(body))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
    }
    let code = matter_code(app, onewindow::demo::PARALLEL_MATTER).await;
    (code, "kaiban-qiye-yjs".to_string())
}

/// `#/components/schemas/X` resolved against the document.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or_default();
            resolve(doc, &doc["components"]["schemas"][name])
        }
        None => s,
    }
}

/// A small value the schema accepts: required properties only, the first of any choice.
fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let s = resolve(doc, schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(e) = s.get("example") {
        return e.clone();
    }
    if let Some(v) = s
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return v.clone();
    }
    for k in ["oneOf", "anyOf"] {
        if let Some(first) = s.get(k).and_then(Value::as_array).and_then(|a| {
            a.iter()
                .find(|x| resolve(doc, x).get("type") != Some(&json!("null")))
        }) {
            return example(doc, first, depth + 1);
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        let mut m = Map::new();
        for part in all {
            if let Value::Object(o) = example(doc, part, depth + 1) {
                m.extend(o);
            }
        }
        return Value::Object(m);
    }
    let ty = match &s["type"] {
        Value::String(t) => t.as_str(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.get("properties").is_some() => "object",
        _ => "null",
    };
    match ty {
        "object" => {
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut m = Map::new();
            for name in required {
                m.insert(
                    name.to_string(),
                    example(doc, &s["properties"][name], depth + 1),
                );
            }
            Value::Object(m)
        }
        "array" => {
            let n = s["minItems"].as_u64().unwrap_or(0);
            Value::Array(
                (0..n)
                    .map(|_| example(doc, &s["items"], depth + 1))
                    .collect(),
            )
        }
        "string" => match s["format"].as_str() {
            Some("date") => json!("2026-03-03"),
            Some("date-time") => json!("2026-03-03T10:00:00+08:00"),
            _ => json!("x"),
        },
        "integer" => json!(s["minimum"].as_i64().unwrap_or(1).max(1)),
        "number" => json!(1.0),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// The call one endpoint is tested with: its path with ids filled in and required query
/// parameters, and a body when the document asks for JSON.
fn request(doc: &Value, endpoint: &str, codes: &(String, String)) -> (Method, String, Body) {
    let (m, template) = endpoint.split_once(' ').unwrap();
    let method: Method = m.parse().unwrap();
    let op = &doc["paths"][template][m.to_ascii_lowercase()];
    let read = method == Method::GET;
    let code = match (read, template.contains("/topics/")) {
        (false, _) => "none-such",
        (true, false) => codes.0.as_str(),
        (true, true) => codes.1.as_str(),
    };
    let mut path = crate::api::concrete_path(template, if read { "1" } else { "999999" }, code);
    let mut query = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && p["required"] == true {
            let v = match p.get("example") {
                Some(e) => e.clone(),
                None => example(doc, &p["schema"], 0),
            };
            let v = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            query.push(format!("{}={}", p["name"].as_str().unwrap(), v));
        }
    }
    if !query.is_empty() {
        path = format!("{path}?{}", query.join("&"));
    }
    let content = &op["requestBody"]["content"];
    let schema = &content["application/json"]["schema"];
    let body = if schema.is_object() {
        Body::Json(example(doc, schema, 0))
    } else if content["multipart/form-data"].is_object() {
        Body::Form
    } else {
        Body::None
    };
    (method, path, body)
}

/// What a call sends: JSON made from the schema, or a form with one file (which no check of
/// content passes, so an allowed upload stores nothing).
#[derive(Clone, Debug)]
enum Body {
    None,
    Json(Value),
    Form,
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &Body,
) -> (StatusCode, Value) {
    match body {
        Body::None => app.call(method, path, token, None).await,
        Body::Json(v) => app.call(method, path, token, Some(v.clone())).await,
        Body::Form => {
            let form = reqwest::multipart::Form::new().text("material", "x").part(
                "file",
                reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("x.pdf"),
            );
            let mut req = app.http.request(method, app.url(path)).multipart(form);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let res = req.send().await.unwrap();
            let s = res.status();
            (s, res.json().await.unwrap_or(Value::Null))
        }
    }
}

each_app!(
    every_endpoint_by_every_role_matches_the_documented_matrix,
    crate::hall::working_morning(),
    |app| {
        let (s, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
        assert_eq!(s, StatusCode::OK);
        let codes = seed(app).await;
        // no one, each role's demo account, then the second scopes: the table's columns
        let mut callers = vec![Caller {
            label: "anonymous".into(),
            role: None,
            token: None,
        }];
        for r in Role::ALL {
            callers.push(Caller {
                label: r.code().into(),
                role: Some(r),
                token: Some(app.token(r.code()).await),
            });
        }
        for (username, role, made) in SECOND {
            callers.push(Caller {
                label: format!("{}²", role.code()),
                role: Some(*role),
                token: Some(if *made {
                    app.sign_in(username, MADE_PASSWORD).await
                } else {
                    app.token(username).await
                }),
            });
        }
        let table = observe(app, &doc, &callers, &codes).await;
        check_invariants(&doc, &callers, &table);
        compare_with_document(&callers, &table);
    }
);

/// Every endpoint × caller, in the order of `ENDPOINTS`; signing out comes last, since it ends
/// the caller's token.
async fn observe(
    app: &TestApp,
    doc: &Value,
    callers: &[Caller],
    codes: &(String, String),
) -> Vec<(String, Vec<StatusCode>)> {
    let sign_out = "DELETE /api/v1/auth/token";
    let documented = |e: &&str| {
        let (method, path, body) = request(doc, e, codes);
        (e.to_string(), method, path, body)
    };
    let extra = EXTRA
        .iter()
        .map(|(e, path)| (e.to_string(), Method::GET, path.to_string(), Body::None));
    let calls: Vec<(String, Method, String, Body)> = ENDPOINTS
        .iter()
        .filter(|e| **e != sign_out)
        .map(documented)
        .chain(extra)
        .chain(std::iter::once(documented(&sign_out)))
        .collect();
    let mut rows = Vec::new();
    for (e, method, path, body) in calls {
        let mut statuses = Vec::new();
        for c in callers {
            let (s, answer) = send(app, method.clone(), &path, c.token.as_deref(), &body).await;
            if std::env::var_os("ONEWINDOW_MATRIX_TRACE").is_some() {
                eprintln!("{e} {}: {s} {answer}", c.label);
            }
            assert!(
                !s.is_server_error(),
                "{e} ({path}) by {} with {body:?}: {s}",
                c.label
            );
            statuses.push(s);
        }
        rows.push((e.to_string(), statuses));
    }
    // back to the document's order, the extra rows last
    rows.sort_by_key(|(e, _)| ENDPOINTS.iter().position(|x| x == e).unwrap_or(usize::MAX));
    rows
}

/// Whether the document lets anyone call the endpoint: an empty requirement among its
/// `security` (an account optional or not needed).
fn open_to_all(doc: &Value, endpoint: &str) -> bool {
    let (m, template) = endpoint.split_once(' ').unwrap();
    let template = template.split_once('?').map_or(template, |(t, _)| t);
    doc["paths"][template][m.to_ascii_lowercase()]["security"]
        .as_array()
        .is_some_and(|s| {
            s.iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()))
        })
}

/// What holds whatever the table says: no one unsigned gets past an endpoint the document says
/// needs an account (and each it leaves open answers without one), the administrator is refused
/// nothing but petition work (a petitioner's data is the petition office's) and the few
/// listed in `ADMIN_REFUSED`, and citizens and enterprises change nothing of the organisation, the accounts,
/// the catalog, the calendar or the trail.
fn check_invariants(doc: &Value, callers: &[Caller], table: &[(String, Vec<StatusCode>)]) {
    // every column of the role: the first account and any second one
    let cols = |r: Role| -> Vec<usize> {
        (0..callers.len())
            .filter(|i| callers[*i].role == Some(r))
            .collect()
    };
    let mut wrong = Vec::new();
    for (e, st) in table {
        let open = open_to_all(doc, e);
        // signing in answers 401 to a wrong password, to anyone
        if e != "POST /api/v1/auth/token" && (st[0] != StatusCode::UNAUTHORIZED) != open {
            wrong.push(format!(
                "{e} answered {} to no one, but the document says it {}",
                st[0],
                if open {
                    "is open to all"
                } else {
                    "needs an account"
                }
            ));
        }
        if !e.contains("petition")
            && !ADMIN_REFUSED.contains(&e.as_str())
            && cols(Role::Admin)
                .iter()
                .any(|c| st[*c] == StatusCode::FORBIDDEN)
        {
            wrong.push(format!("the administrator was refused {e}"));
        }
        let staff_write = !e.starts_with("GET ")
            && [
                "/regions",
                "/departments",
                "/halls",
                "/zones",
                "/windows",
                "/users",
                "/catalog",
                "/calendar",
                "/case-rules",
                "/grid/",
                "/grids",
                "/supervisors",
                "/petition-",
            ]
            .iter()
            .any(|p| e.contains(&format!("/api/v1{p}")));
        if staff_write {
            for c in cols(Role::Citizen)
                .into_iter()
                .chain(cols(Role::Enterprise))
            {
                if st[c].is_success() {
                    wrong.push(format!(
                        "{} was let through {e}: {}",
                        callers[c].label, st[c]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn render(callers: &[Caller], table: &[(String, Vec<StatusCode>)]) -> String {
    let mut out = header(callers);
    for (e, st) in table {
        out.push_str(&format!("| `{e}` |"));
        for s in st {
            out.push_str(&format!(" {} |", cell(*s)));
        }
        out.push('\n');
    }
    out
}

fn compare_with_document(callers: &[Caller], table: &[(String, Vec<StatusCode>)]) {
    let observed = render(callers, table);
    let text = std::fs::read_to_string(DOC).unwrap_or_default();
    let documented = text
        .split_once(BEGIN)
        .and_then(|(_, rest)| rest.split_once(END))
        .map(|(m, _)| m.trim().to_string() + "\n")
        .unwrap_or_default();
    if documented == observed {
        return;
    }
    if std::env::var_os("ONEWINDOW_BLESS").is_some() {
        let (head, tail) = match text.split_once(BEGIN) {
            Some((h, rest)) => (
                h.to_string(),
                rest.split_once(END)
                    .map(|(_, t)| t.to_string())
                    .unwrap_or_default(),
            ),
            None => (text.clone(), "\n".to_string()),
        };
        std::fs::write(DOC, format!("{head}{BEGIN}\n{observed}{END}{tail}")).unwrap();
        return;
    }
    let doc_rows: Vec<&str> = documented.lines().collect();
    let changed: Vec<String> = observed
        .lines()
        .filter(|l| !doc_rows.contains(l))
        .map(|l| {
            let exact: Vec<String> = table
                .iter()
                .find(|(e, _)| l.starts_with(&format!("| `{e}` |")))
                .map(|(_, st)| st.iter().map(|s| s.as_u16().to_string()).collect())
                .unwrap_or_default();
            format!("{l}   (statuses {})", exact.join(" "))
        })
        .collect();
    panic!(
        "the permission matrix differs from docs/PERMISSIONS.md in {} rows (if the change is \
         meant, run with ONEWINDOW_BLESS=1 and review the diff):\n{}",
        changed.len(),
        changed.join("\n")
    );
}
