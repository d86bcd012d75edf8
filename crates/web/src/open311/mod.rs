//! Open311 GeoReport v2 under `/open311/v2/` (DESIGN.md §3): discovery, the service list (our
//! categories) and their definitions, requests posted form-encoded with an `api_key`, read back
//! by id, by token and by filters; JSON or XML by the file extension; errors as a list of
//! `{code, description}` with 400, 403 or 404. A request becomes an event like any other and
//! goes through the same flow.

mod form;
mod format;

use crate::auth::Origin;
use crate::error::{AppError, AppResult};
use crate::lang::request_lang;
use crate::service::events::{self, Reporter};
use crate::service::grid::{self, GridMap};
use crate::service::uploads::sha256_hex;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use form::{Submission, param};
use format::{Format, respond};
use onewindow_core::audit::Context;
use onewindow_core::grid::category::{Category, Datatype};
use onewindow_core::grid::event::{Source, State as EventState};
use onewindow_core::grid::report::Event;
use onewindow_core::time::china;
use onewindow_core::{Lang, Text};
use onewindow_store::EventFilter;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The key valid in demo mode only (DESIGN.md §5).
pub const DEMO_KEY: &str = "demo-open311-key";
/// Most requests one query returns, and the longest period it spans (GeoReport v2).
pub const MAX_RESULTS: i64 = 1000;
pub const MAX_DAYS: i64 = 90;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/open311/v2/{file}", get(top).post(post_requests))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// An Open311 error: its HTTP status and description.
struct Failure {
    status: StatusCode,
    description: Text,
}

impl Failure {
    fn new(status: StatusCode, zh: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure {
            status,
            description: Text::new(zh.into(), en.into()),
        }
    }

    fn bad(zh: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, zh, en)
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Failure {
        let status = match e.status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND => StatusCode::NOT_FOUND,
            s if s.is_server_error() => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let (zh, en) = match &e.field {
            Some(f) => (
                format!("{f}：{}", e.message.zh),
                format!("{f}: {}", e.message.en),
            ),
            None => (e.message.zh.to_string(), e.message.en.to_string()),
        };
        Failure::new(status, zh, en)
    }
}

type Out = Result<Value, Failure>;

/// Renders a result (or its failure) in the format the path asked for.
fn reply(fmt: Format, root: &str, lang: Lang, out: Out) -> Response {
    match out {
        Ok(v) => respond(fmt, StatusCode::OK, root, &v),
        Err(f) => respond(
            fmt,
            f.status,
            "errors",
            &json!([{"code": f.status.as_u16(), "description": f.description.get(lang)}]),
        ),
    }
}

/// `name.json` or `name.xml` → (name, format).
fn split(file: &str) -> Result<(&str, Format), Failure> {
    let (name, ext) = file.rsplit_once('.').ok_or_else(|| {
        Failure::new(
            StatusCode::NOT_FOUND,
            "请在路径末尾注明格式（.json或.xml）",
            "end the path with the format (.json or .xml)",
        )
    })?;
    match ext {
        "json" => Ok((name, Format::Json)),
        "xml" => Ok((name, Format::Xml)),
        _ => Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!("不支持的格式{ext}"),
            format!("unsupported format {ext}"),
        )),
    }
}

/// The query string's pairs, with repeated keys kept.
fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// Our jurisdiction: the code of the top region. A request naming another is refused.
async fn jurisdiction(state: &AppState, ps: &[(String, String)]) -> Result<(), Failure> {
    let Some(j) = param(ps, "jurisdiction_id") else {
        return Ok(());
    };
    if crate::service::org::top_region(state).await?.code == j {
        Ok(())
    } else {
        Err(Failure::new(
            StatusCode::NOT_FOUND,
            format!("jurisdiction_id：没有辖区{j}"),
            format!("jurisdiction_id: {j} not found"),
        ))
    }
}

async fn top(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let (name, fmt) = match split(&file) {
        Ok(x) => x,
        Err(f) => return reply(Format::Json, "", lang, Err(f)),
    };
    let ps = pairs(q.as_deref());
    let (root, out) = match name {
        "discovery" => ("discovery", Ok(discovery(&state, &headers))),
        "services" => ("services", services(&state, &ps).await),
        "requests" => ("service_requests", requests(&state, &ps).await),
        _ => (
            "",
            Err(Failure::new(
                StatusCode::NOT_FOUND,
                "没有这个资源",
                "no such resource",
            )),
        ),
    };
    reply(fmt, root, lang, out)
}

fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/open311/v2", crate::qr::public_base(state, headers))
}

fn discovery(state: &AppState, headers: &HeaderMap) -> Value {
    json!({
        "changeset": "2026-11-30T00:00:00+08:00",
        "contact": "政务服务中心网格化管理指挥中心",
        "key_service": "向网格化管理指挥中心申请api_key",
        "endpoints": [{
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": base_url(state, headers),
            "changeset": "2026-11-30T00:00:00+08:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    })
}

fn service(c: &Category) -> Value {
    json!({
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description,
        "metadata": !c.attributes.is_empty(),
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group,
    })
}

async fn services(state: &AppState, ps: &[(String, String)]) -> Out {
    jurisdiction(state, ps).await?;
    let m = grid::map(state).await?;
    Ok(Value::Array(
        m.categories
            .iter()
            .filter(|c| c.active)
            .map(service)
            .collect(),
    ))
}

fn category<'a>(m: &'a GridMap, code: &str) -> Result<&'a Category, Failure> {
    m.category_by_code(code)
        .filter(|c| c.active)
        .ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                format!("service_code：没有服务代码{code}"),
                format!("service_code: {code} not found"),
            )
        })
}

async fn service_definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let out = async {
        let (code, fmt) = split(&file)?;
        jurisdiction(&state, &pairs(q.as_deref())).await?;
        let m = grid::map(&state).await?;
        let c = category(&m, code)?;
        let attributes: Vec<Value> = c
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                json!({
                    "variable": true,
                    "code": a.code,
                    "datatype": serde_json::to_value(a.datatype).unwrap_or(Value::Null),
                    "required": a.required,
                    "datatype_description": datatype_description(a.datatype),
                    "order": i + 1,
                    "description": a.description,
                    "values": a.values.iter().map(|v| json!({"key": v.key, "name": v.name})).collect::<Vec<_>>(),
                })
            })
            .collect();
        Ok::<_, Failure>((
            fmt,
            json!({"service_code": c.code, "attributes": attributes}),
        ))
    }
    .await;
    match out {
        Ok((fmt, v)) => reply(fmt, "service_definition", lang, Ok(v)),
        Err(f) => reply(format_of(&file), "", lang, Err(f)),
    }
}

fn datatype_description(d: Datatype) -> &'static str {
    match d {
        Datatype::Number => "数字",
        Datatype::Datetime => "时间（ISO 8601）",
        Datatype::Singlevaluelist => "单选",
        Datatype::Multivaluelist => "多选",
        Datatype::String | Datatype::Text => "",
    }
}

/// The format a path asked for, JSON when it named none we know (for its error).
fn format_of(file: &str) -> Format {
    if file.ends_with(".xml") {
        Format::Xml
    } else {
        Format::Json
    }
}

fn w3c(t: DateTime<Utc>) -> String {
    t.with_timezone(&china()).to_rfc3339()
}

fn parse_w3c(field: &str, v: &str) -> Result<DateTime<Utc>, Failure> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.to_utc())
        .map_err(|_| {
            Failure::bad(
                format!("{field}应为W3C时间，如2026-03-02T09:00:00+08:00"),
                format!("{field} must be a W3C datetime such as 2026-03-02T09:00:00Z"),
            )
        })
}

/// What a client learns of an event: never the reporter.
async fn request_json(
    state: &AppState,
    m: &GridMap,
    names: &mut HashMap<i64, String>,
    e: &Event,
) -> AppResult<Value> {
    let p = &e.progress;
    let agency = match p.department_id {
        Some(d) => {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(d) {
                let n = state
                    .store
                    .department(d)
                    .await?
                    .map(|d| d.name)
                    .unwrap_or_default();
                slot.insert(n);
            }
            names.get(&d).cloned()
        }
        None => None,
    };
    let cat = p.category_id.and_then(|c| m.category(c));
    let notes = match p.state {
        EventState::Declined => {
            format!("不予立案：{}", p.decline_reason.clone().unwrap_or_default())
        }
        EventState::Closed => format!("已结案：{}", p.result.clone().unwrap_or_default()),
        s => s.name().zh.to_string(),
    };
    Ok(json!({
        "service_request_id": e.number,
        "status": if p.state.is_open() { "open" } else { "closed" },
        "status_notes": notes,
        "service_name": cat.map(|c| c.name.clone()),
        "service_code": cat.map(|c| c.code.clone()),
        "description": e.description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": w3c(e.reported_at),
        "updated_datetime": w3c(e.updated_at),
        "expected_datetime": p.handle_due.map(w3c),
        "address": e.address,
        "address_id": "",
        "zipcode": "",
        "lat": e.point.map(|p| p.lat),
        "long": e.point.map(|p| p.lon),
        "media_url": Value::Null,
    }))
}

async fn requests(state: &AppState, ps: &[(String, String)]) -> Out {
    jurisdiction(state, ps).await?;
    let m = grid::map(state).await?;
    let list = |name: &str| -> Vec<String> {
        ps.iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let mut found: Vec<Event> = Vec::new();
    let ids = list("service_request_id");
    if !ids.is_empty() {
        if ids.len() > MAX_RESULTS as usize {
            return Err(Failure::bad(
                format!("一次最多查询{MAX_RESULTS}件"),
                format!("at most {MAX_RESULTS} requests at once"),
            ));
        }
        for id in ids {
            if let Some(e) = state
                .store
                .event_by_number(&id)
                .await
                .map_err(AppError::from)?
            {
                found.push(e);
            }
        }
    } else {
        let mut f = EventFilter {
            limit: MAX_RESULTS,
            ..Default::default()
        };
        for code in list("service_code") {
            f.category_ids.push(category(&m, &code)?.id);
        }
        for s in list("status") {
            match s.as_str() {
                "open" => f
                    .states
                    .extend(EventState::ALL.iter().copied().filter(|s| s.is_open())),
                "closed" => f.states.extend([EventState::Closed, EventState::Declined]),
                other => {
                    return Err(Failure::bad(
                        format!("status应为open或closed，而不是{other}"),
                        format!("status must be open or closed, not {other}"),
                    ));
                }
            }
        }
        let start = param(ps, "start_date")
            .map(|v| parse_w3c("start_date", v))
            .transpose()?;
        let end = param(ps, "end_date")
            .map(|v| parse_w3c("end_date", v))
            .transpose()?;
        let span = Duration::days(MAX_DAYS);
        let (start, end) = match (start, end) {
            (Some(s), Some(e)) => (s, e),
            (Some(s), None) => (s, s + span),
            (None, Some(e)) => (e - span, e),
            (None, None) => {
                let end = crate::service::cases::now() + Duration::seconds(1);
                (end - span, end)
            }
        };
        if end < start {
            return Err(Failure::bad(
                "end_date早于start_date",
                "end_date is before start_date",
            ));
        }
        if end - start > span {
            return Err(Failure::bad(
                format!("查询期间不能超过{MAX_DAYS}天"),
                format!("a query spans at most {MAX_DAYS} days"),
            ));
        }
        (f.from, f.to) = (Some(start), Some(end));
        found = state.store.events(&f).await.map_err(AppError::from)?;
    }
    let mut names = HashMap::new();
    let mut out = Vec::with_capacity(found.len());
    for e in &found {
        out.push(request_json(state, &m, &mut names, e).await?);
    }
    Ok(Value::Array(out))
}

async fn one_request(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let fmt = format_of(&file);
    let out = async {
        let (id, _) = split(&file)?;
        jurisdiction(&state, &pairs(q.as_deref())).await?;
        let e = state
            .store
            .event_by_number(id)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| {
                Failure::new(
                    StatusCode::NOT_FOUND,
                    format!("没有诉求{id}"),
                    format!("service_request_id {id} not found"),
                )
            })?;
        let m = grid::map(&state).await?;
        Ok(json!([
            request_json(&state, &m, &mut HashMap::new(), &e).await?
        ]))
    }
    .await;
    reply(fmt, "service_requests", lang, out)
}

async fn token(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = request_lang(&headers);
    let fmt = format_of(&file);
    let out = async {
        let (t, _) = split(&file)?;
        jurisdiction(&state, &pairs(q.as_deref())).await?;
        let e = state
            .store
            .event_by_token(t)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| {
                Failure::new(
                    StatusCode::NOT_FOUND,
                    format!("没有凭据{t}"),
                    format!("token {t} not found"),
                )
            })?;
        Ok(json!([{"service_request_id": e.number, "token": t}]))
    }
    .await;
    reply(fmt, "service_requests", lang, out)
}

/// The client an api_key was issued to. The demo key is valid only in demo mode.
async fn client(state: &AppState, key: Option<&str>) -> Result<String, Failure> {
    let refused = || Failure::new(StatusCode::FORBIDDEN, "api_key无效", "invalid api_key");
    let key = key.ok_or_else(refused)?;
    if key == DEMO_KEY {
        return if state.config.demo {
            Ok("演示客户端".to_string())
        } else {
            Err(refused())
        };
    }
    state
        .store
        .open311_client(&sha256_hex(key.as_bytes()))
        .await
        .map_err(AppError::from)?
        .ok_or_else(refused)
}

async fn post_requests(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(q): RawQuery,
    origin: Origin,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let lang = request_lang(&headers);
    let fmt = format_of(&file);
    let out = async {
        let (name, _) = split(&file)?;
        if name != "requests" {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                "没有这个资源",
                "no such resource",
            ));
        }
        // Parameters come in the form body; some clients put api_key and jurisdiction_id in
        // the query string.
        let mut ps = pairs(q.as_deref());
        ps.extend(form_urlencoded::parse(&body).into_owned());
        let name = client(&state, param(&ps, "api_key")).await?;
        jurisdiction(&state, &ps).await?;
        let m = grid::map(&state).await?;
        let Submission {
            service_code,
            mut event,
            answers,
        } = form::read(&ps)?;
        let c = category(&m, &service_code).map_err(|f| Failure {
            status: StatusCode::BAD_REQUEST,
            ..f
        })?;
        event.category_id = Some(c.id);
        let token = crate::auth::random_token();
        let reported = events::report(
            &state,
            Reporter::Client {
                name: name.clone(),
                ctx: Context {
                    actor_id: None,
                    actor_name: format!("open311:{name}"),
                    actor_role: "open311".into(),
                    client_addr: Some(origin.addr.clone()),
                    request_id: origin.request_id.clone(),
                },
            },
            Source::Open311,
            event,
            &answers,
            Vec::new(),
            Some(token.clone()),
        )
        .await?;
        Ok(json!([{
            "service_request_id": reported.number,
            "token": token,
            "service_notice": format!("已受理，将在{}内立案", m.rules.steps.register.text().zh),
            "account_id": Value::Null,
        }]))
    }
    .await;
    match out {
        Ok(v) => respond(fmt, StatusCode::OK, "service_requests", &v),
        Err(f) => reply(fmt, "", lang, Err(f)),
    }
}
