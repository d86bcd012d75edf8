//! The permission matrix: every endpoint of the OpenAPI document, called by no one and by each
//! role's demo account (with that account's department or region scope), against the table in
//! `docs/PERMISSIONS.md`. A change to who may call what shows up here as a changed cell, to be
//! looked at and written into the document on purpose (`ONEWINDOW_BLESS=1` rewrites it).
//!
//! Bodies and required query parameters are made from the document's own schemas, so that a call
//! gets past reading its input and meets the role check. Reads name record 1 (a demo record the
//! caller may or may not have in scope); writes name a record that does not exist, so that an
//! allowed write changes nothing the next call depends on. `ONEWINDOW_MATRIX_TRACE=1` prints
//! every answer, to see why a cell is what it is.

use crate::api::ENDPOINTS;
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
];

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

fn header() -> String {
    let mut h = String::from("| endpoint | anonymous |");
    let mut rule = String::from("|---|---|");
    for r in Role::ALL {
        h.push_str(&format!(" {} |", r.code()));
        rule.push_str("---|");
    }
    format!("{h}\n{rule}\n")
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
fn request(doc: &Value, endpoint: &str) -> (Method, String, Option<Value>) {
    let (m, template) = endpoint.split_once(' ').unwrap();
    let method: Method = m.parse().unwrap();
    let op = &doc["paths"][template][m.to_ascii_lowercase()];
    let read = method == Method::GET;
    let mut path = crate::api::concrete_path(
        template,
        if read { "1" } else { "999999" },
        if read { "none" } else { "none-such" },
    );
    let mut query = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] == "query" && p["required"] == true {
            let v = example(doc, &p["schema"], 0);
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
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let body = schema.is_object().then(|| example(doc, schema, 0));
    (method, path, body)
}

each_app!(
    every_endpoint_by_every_role_matches_the_documented_matrix,
    crate::hall::working_morning(),
    |app| {
        let (s, doc) = app.call(Method::GET, "/api/openapi.json", None, None).await;
        assert_eq!(s, StatusCode::OK);
        // no one, then each role's demo account: the table's columns
        let mut callers = vec![(None, None)];
        for r in Role::ALL {
            callers.push((Some(r), Some(app.token(r.code()).await)));
        }
        let table = observe(app, &doc, &callers).await;
        check_invariants(&doc, &table);
        compare_with_document(&table);
    }
);

/// Every endpoint × caller, in the order of `ENDPOINTS`; signing out comes last, since it ends
/// the caller's token.
async fn observe(
    app: &TestApp,
    doc: &Value,
    callers: &[(Option<Role>, Option<String>)],
) -> Vec<(String, Vec<StatusCode>)> {
    let sign_out = "DELETE /api/v1/auth/token";
    let order = ENDPOINTS
        .iter()
        .filter(|e| **e != sign_out)
        .chain(std::iter::once(&sign_out));
    let mut rows = Vec::new();
    for e in order {
        let (method, path, body) = request(doc, e);
        let mut statuses = Vec::new();
        for (caller, token) in callers {
            let (s, answer) = app
                .call(method.clone(), &path, token.as_deref(), body.clone())
                .await;
            if std::env::var_os("ONEWINDOW_MATRIX_TRACE").is_some() {
                eprintln!("{e} {caller:?}: {s} {answer}");
            }
            assert!(
                !s.is_server_error(),
                "{e} ({path}) by {caller:?} with {body:?}: {s}"
            );
            statuses.push(s);
        }
        rows.push((e.to_string(), statuses));
    }
    // back to the document's order
    rows.sort_by_key(|(e, _)| ENDPOINTS.iter().position(|x| x == e));
    rows
}

/// Whether the document lets anyone call the endpoint: an empty requirement among its
/// `security` (an account optional or not needed).
fn open_to_all(doc: &Value, endpoint: &str) -> bool {
    let (m, template) = endpoint.split_once(' ').unwrap();
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
fn check_invariants(doc: &Value, table: &[(String, Vec<StatusCode>)]) {
    let col = |r: Role| 1 + Role::ALL.iter().position(|x| *x == r).unwrap();
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
            && st[col(Role::Admin)] == StatusCode::FORBIDDEN
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
            for r in [Role::Citizen, Role::Enterprise] {
                if st[col(r)].is_success() {
                    wrong.push(format!("{} was let through {e}: {}", r.code(), st[col(r)]));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn render(table: &[(String, Vec<StatusCode>)]) -> String {
    let mut out = header();
    for (e, st) in table {
        out.push_str(&format!("| `{e}` |"));
        for s in st {
            out.push_str(&format!(" {} |", cell(*s)));
        }
        out.push('\n');
    }
    out
}

fn compare_with_document(table: &[(String, Vec<StatusCode>)]) {
    let observed = render(table);
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
