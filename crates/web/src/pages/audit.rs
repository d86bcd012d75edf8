//! The audit trail page: a record's history, or everything in the reader's scope.

use super::{PageCtx, render};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::i18n::tr;
use crate::service::{audit, security};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::audit::Entry;
use onewindow_store::SecurityKind;
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(trail_page))
        .route("/audit.xlsx", get(trail_export))
        .route("/admin/security", get(security_page))
        .route("/admin/audit/checkpoints", get(checkpoints_page))
        .route(
            "/admin/audit/checkpoints/latest.json",
            get(latest_checkpoint_file),
        )
}

/// The audit trail's checkpoints (审计检查点), to print or download and publish: the latest in
/// full (its time, its root, every chain's head), the earlier ones by time and root.
async fn checkpoints_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let kept = audit::checkpoints(&state, &auth, 30).await?;
    let latest = kept.first().map(|c| {
        context! {
            at => onewindow_core::time::display(c.at),
            root => c.root.clone(),
            entries => c.heads.iter().map(|h| h.link).sum::<i64>(),
            heads => c.heads.iter().map(|h| context! {
                chain => h.chain, link => h.link, hash => h.hash.clone(),
            }).collect::<Vec<_>>(),
        }
    });
    let earlier: Vec<Value> = kept
        .iter()
        .skip(1)
        .map(|c| {
            context! {
                at => onewindow_core::time::display(c.at),
                root => c.root.clone(),
                entries => c.heads.iter().map(|h| h.link).sum::<i64>(),
            }
        })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "checkpoints.html",
        &tr("ckpt.title", lang),
        context! { latest => latest, earlier => earlier },
    ))
}

/// The latest checkpoint as the JSON `onewindow audit verify --against` reads.
async fn latest_checkpoint_file(State(state): State<AppState>, auth: Auth) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let kept = audit::checkpoints(&state, &auth, 1).await?;
    let Some(c) = kept.into_iter().next() else {
        return Err(crate::error::AppError::not_found(
            onewindow_core::Text::fixed("审计检查点", "audit checkpoint"),
        ));
    };
    let name = format!(
        "checkpoint-{}.json",
        onewindow_core::time::local(c.at).format("%Y%m%d-%H%M")
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::Json(c),
    )
        .into_response())
}

/// The kind of record an entry is about, as people call it (`audit.kind.*`).
fn kind_name(kind: &str, lang: Lang) -> String {
    crate::i18n::tr_opt(&format!("audit.kind.{kind}"), lang).unwrap_or_else(|| kind.to_string())
}

/// What was done, as a phrase ("受理办件", "上报网格事件"): a case's action by the case
/// vocabulary's own name, others by `audit.verb.*`.
fn action_name(action: &str, lang: Lang) -> String {
    let (kind, verb) = action.split_once('.').unwrap_or(("", action));
    let own = match verb {
        "login" => Some(("登录", "signed in")),
        "logout" => Some(("退出登录", "signed out")),
        "token" => Some(("签发接口令牌", "issued an API token")),
        "password" => Some(("修改密码", "changed a password")),
        "preferences" => Some(("修改显示偏好", "changed display preferences")),
        _ => None,
    };
    if let Some((zh, en)) = own {
        return if lang == Lang::Zh { zh } else { en }.to_string();
    }
    let case_verb = (kind == "case")
        .then(|| onewindow_core::case::ActionKind::parse(verb))
        .flatten()
        .map(|k| k.name().get(lang).to_string());
    let verb = case_verb
        .or_else(|| crate::i18n::tr_opt(&format!("audit.verb.{verb}"), lang))
        .unwrap_or_else(|| verb.to_string());
    match lang {
        Lang::Zh => format!("{verb}{}", kind_name(kind, lang)),
        Lang::En => format!("{} {verb}", kind_name(kind, lang)),
    }
}

pub fn admin_href(kind: &str, id: i64) -> Option<String> {
    match kind {
        "region" | "department" | "hall" | "zone" | "window" | "user" => {
            Some(format!("/admin/{kind}s/{id}"))
        }
        _ => None,
    }
}

/// A record field's name as the forms call it; `None` for what only the machine reads (ids of
/// sessions and steps, token kinds, expiry instants), which the page leaves out: the export and
/// the API keep the whole entry.
fn field_label(key: &str, kind: &str, lang: Lang) -> Option<String> {
    let ui = match key {
        "message" => "audit.field.message",
        "origin" => "audit.field.origin",
        "respond_by" => "audit.field.respond_by",
        // A window's number is its 窗口号; anything else's is its 编号.
        "number" if kind != "window" => "audit.field.number",
        "state" => "field.state",
        "grid_id" => "audit.field.grid",
        "note" | "reason" | "opinion" => "audit.field.note",
        "category" => "audit.field.category",
        "title" => "audit.field.title",
        "count" => "audit.field.count",
        "matter" => "case.matter",
        "applicant" => "case.applicant",
        "channel" => "case.channel",
        "name" => "field.name",
        "code" => "field.code",
        "level" => "field.level",
        "parent_id" => "field.parent",
        "region_id" => "field.region",
        "uscc" => "field.uscc",
        "phone" => "field.phone",
        "address" => "field.address",
        "floors" => "field.floors",
        "floor" => "field.floor",
        "zone_id" => "field.zone",
        "number" => "field.number",
        "label" => "field.label",
        "confidential" => "field.confidential",
        "department_ids" => "field.departments",
        "display_name" => "field.display_name",
        "roles" => "field.roles",
        "department_id" => "field.department",
        "active" => "field.state",
        "large_text" => "prefs.large_on",
        "password" => "field.new_password",
        _ => return None,
    };
    Some(tr(ui, lang))
}

/// A value as people read it: a state or an urge's level by its name rather than its code, a
/// department or region by its name rather than its id.
fn value(key: &str, kind: &str, v: &serde_json::Value, names: &Names, lang: Lang) -> String {
    if let Some(code) = v.as_str() {
        let name = match (key, kind) {
            ("state", "case") => onewindow_core::case::CaseState::parse(code).map(|s| s.name()),
            ("state", "event") => onewindow_core::grid::event::State::parse(code).map(|s| s.name()),
            ("level", "case") => {
                onewindow_core::supervision::urge::UrgeLevel::parse(code).map(|s| s.name())
            }
            ("origin", "case") => {
                onewindow_core::supervision::urge::UrgeOrigin::parse(code).map(|s| s.name())
            }
            ("state", "rectification") => {
                onewindow_core::evaluation::rectification::State::parse(code).map(|s| s.name())
            }
            ("state", "complaint") => {
                onewindow_core::evaluation::complaint::State::parse(code).map(|s| s.name())
            }
            ("state", "petition") => {
                onewindow_core::petitions::case::State::parse(code).map(|s| s.name())
            }
            ("state", "work_item") => {
                onewindow_core::enterprise::work::State::parse(code).map(|s| s.name())
            }
            ("level", "work_item") => {
                onewindow_core::enterprise::work::Level::parse(code).map(|s| s.name())
            }
            ("channel", "rating") => {
                onewindow_core::evaluation::rating::Channel::parse(code).map(|s| s.name())
            }
            ("channel" | "source", "complaint") => {
                onewindow_core::evaluation::complaint::Source::parse(code).map(|s| s.name())
            }
            ("channel", "case") => onewindow_core::case::Channel::parse(code).map(|s| s.name()),
            ("level", "region") => {
                onewindow_core::validate::region_code::RegionLevel::parse(code).map(|s| s.name())
            }
            _ => None,
        };
        if let Some(n) = name {
            return n.get(lang).to_string();
        }
    }
    if let ("level", "rating") = (key, kind)
        && let Some(n) = v.as_i64().and_then(onewindow_core::evaluation::level_name)
    {
        return n.get(lang).to_string();
    }
    if key == "roles"
        && let serde_json::Value::Array(codes) = v
    {
        return codes
            .iter()
            .map(|c| {
                let code = c.as_str().unwrap_or_default();
                onewindow_core::identity::Role::parse(code)
                    .map_or_else(|| code.to_string(), |r| r.name().get(lang).to_string())
            })
            .collect::<Vec<_>>()
            .join("、");
    }
    let named = |map: &HashMap<i64, String>, v: &serde_json::Value| {
        v.as_i64()
            .and_then(|id| map.get(&id).cloned())
            .unwrap_or_else(|| show(v, lang))
    };
    match (key, v) {
        ("department_id", _) => named(&names.departments, v),
        ("region_id" | "parent_id", _) => named(&names.regions, v),
        ("department_ids", serde_json::Value::Array(ids)) => ids
            .iter()
            .map(|i| named(&names.departments, i))
            .collect::<Vec<_>>()
            .join("、"),
        _ => show(v, lang),
    }
}

/// What the ids on a page of entries name, looked up once for the page: the people (actors
/// and accounts acted on), departments and regions.
#[derive(Default)]
pub struct Names {
    users: HashMap<i64, String>,
    /// Accounts of the petition office (信访工作人员, not a station's agent).
    offices: std::collections::HashSet<i64>,
    departments: HashMap<i64, String>,
    regions: HashMap<i64, String>,
}

impl Names {
    pub async fn of(state: &AppState, entries: &[Entry]) -> AppResult<Names> {
        let mut users = std::collections::BTreeSet::new();
        let mut regions = std::collections::BTreeSet::new();
        for e in entries {
            users.extend(e.actor_id);
            match (e.target_type.as_str(), e.target_id) {
                ("user", Some(id)) => {
                    users.insert(id);
                }
                ("region", Some(id)) => {
                    regions.insert(id);
                }
                _ => {}
            }
            let summary: serde_json::Value = serde_json::from_str(&e.summary).unwrap_or_default();
            for side in ["before", "after"] {
                for key in ["region_id", "parent_id"] {
                    regions.extend(
                        summary
                            .get(side)
                            .and_then(|s| s.get(key))
                            .and_then(|v| v.as_i64()),
                    );
                }
            }
        }
        let mut names = Names::default();
        for id in users {
            if let Some(u) = state.store.user(id).await? {
                // An account at the petition office is named by that post, as everywhere.
                if u.department_id.is_none()
                    && u.roles
                        .contains(&onewindow_core::identity::Role::PetitionAgent)
                    && let Some(r) = u.region_id
                    && state
                        .store
                        .region(r)
                        .await?
                        .is_some_and(|r| r.level.is_district_or_above())
                {
                    names.offices.insert(id);
                }
                names.users.insert(id, u.display_name);
            }
        }
        for id in regions {
            if let Some(r) = state.store.region(id).await? {
                names.regions.insert(id, r.name);
            }
        }
        let view = crate::service::catalog::view(state).await?;
        for e in entries {
            let summary: serde_json::Value = serde_json::from_str(&e.summary).unwrap_or_default();
            for side in ["before", "after"] {
                let s = summary.get(side);
                let ids = s
                    .and_then(|s| s.get("department_ids"))
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .chain(s.and_then(|s| s.get("department_id")))
                    .filter_map(|v| v.as_i64());
                for id in ids {
                    names
                        .departments
                        .entry(id)
                        .or_insert_with(|| view.department(id).to_string());
                }
            }
        }
        Ok(names)
    }
}

fn show(v: &serde_json::Value, lang: Lang) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".into(),
        serde_json::Value::Bool(b) => match (b, lang) {
            (true, Lang::Zh) => "是".into(),
            (false, Lang::Zh) => "否".into(),
            (true, Lang::En) => "yes".into(),
            (false, Lang::En) => "no".into(),
        },
        serde_json::Value::Array(items) => items
            .iter()
            .map(|i| show(i, lang))
            .collect::<Vec<_>>()
            .join("、"),
        other => other.to_string(),
    }
}

/// Entries as table rows: who, what, on which record, which fields went from what to what —
/// people, departments and regions by their names (`names`), never by login or id.
pub fn trail_rows(entries: &[Entry], names: &Names, lang: Lang) -> Vec<Value> {
    entries
        .iter()
        .map(|e| {
            let summary: serde_json::Value = serde_json::from_str(&e.summary).unwrap_or_default();
            let before = summary.get("before").and_then(|b| b.as_object());
            let after = summary.get("after").and_then(|a| a.as_object());
            let mut keys: Vec<&String> = after.map(|a| a.keys().collect()).unwrap_or_default();
            for k in before.map(|b| b.keys().collect::<Vec<_>>()).unwrap_or_default() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
            let kind = e.target_type.as_str();
            let value = |v: &serde_json::Value, k: &str| value(k, kind, v, names, lang);
            let changes: Vec<Value> = keys
                .into_iter()
                .filter_map(|k| {
                    Some(context! {
                        field => field_label(k, kind, lang)?,
                        before => before.and_then(|b| b.get(k)).map(|v| value(v, k)),
                        after => after.and_then(|a| a.get(k)).map(|v| value(v, k)).unwrap_or_else(|| "—".into()),
                    })
                })
                .collect();
            // A record by the name or number people use, where the entry or the page knows it.
            let known = match (kind, e.target_id) {
                ("user", Some(id)) => names.users.get(&id).cloned(),
                ("region", Some(id)) => names.regions.get(&id).cloned(),
                _ => after
                    .and_then(|a| a.get("number").or_else(|| a.get("name")))
                    .and_then(|v| v.as_str())
                    .map(str::to_string),
            };
            let target_label = match (known, e.target_id) {
                (Some(n), _) => format!("{} {n}", kind_name(kind, lang)),
                // No number people use: the kind, linked to its own trail.
                (None, _) => kind_name(kind, lang),
            };
            let actor = e.actor_id.and_then(|id| names.users.get(&id).cloned());
            context! {
                seq => e.seq,
                at => onewindow_core::time::display(e.at),
                actor_name => actor.unwrap_or_else(|| super::who::unnamed(&e.actor_name, lang)),
                // The role by its name; a code no role has (a job, the system) is left out.
                actor_role => onewindow_core::identity::Role::parse(&e.actor_role).map(|r| super::post_name(r, e.actor_id.is_some_and(|id| names.offices.contains(&id)), lang)),
                action_label => action_name(&e.action, lang),
                target_label => target_label,
                target_href => e.target_id.and_then(|id| admin_href(kind, id)),
                changes => changes,
                client_addr => e.client_addr.clone().unwrap_or_default(),
            }
        })
        .collect()
}

async fn trail_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let target_type = page.param("target_type").filter(|t| !t.is_empty());
    let target_id = page.param("target_id").and_then(|v| v.parse::<i64>().ok());
    let before = page.param("before_seq").and_then(|v| v.parse::<i64>().ok());
    let entries = audit::trail(
        &state,
        &auth,
        target_type.clone(),
        target_id,
        before,
        Some(100),
    )
    .await?;
    let older = (entries.len() == 100).then(|| {
        let last = entries.last().map_or(0, |e| e.seq);
        let mut q = format!("/audit?before_seq={last}");
        if let (Some(t), Some(id)) = (&target_type, target_id) {
            q.push_str(&format!("&target_type={t}&target_id={id}"));
        }
        q
    });
    let rows = trail_rows(&entries, &Names::of(&state, &entries).await?, lang);
    // One record's trail is titled by the record as its rows name it.
    let title = match (&target_type, rows.first()) {
        (Some(_), Some(row)) => format!(
            "{} · {}",
            tr("nav.audit", lang),
            row.get_attr("target_label")
                .map(|v| v.to_string())
                .unwrap_or_default()
        ),
        (Some(t), None) => format!("{} · {}", tr("nav.audit", lang), kind_name(t, lang)),
        _ => tr("nav.audit", lang),
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "audit.html",
        &title,
        context! {
            recent => rows,
            older => older,
            export => format!("/audit.xlsx?{}", page.query),
            security => auth.actor.has(onewindow_core::access::Permission::SecurityRead),
        },
    ))
}

/// The same entries as the page, up to 10,000, as a spreadsheet.
async fn trail_export(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let target_type = page.param("target_type").filter(|t| !t.is_empty());
    let target_id = page.param("target_id").and_then(|v| v.parse::<i64>().ok());
    let mut entries = Vec::new();
    let mut before = None;
    while entries.len() < 10_000 {
        let batch = audit::trail(
            &state,
            &auth,
            target_type.clone(),
            target_id,
            before,
            Some(1000),
        )
        .await?;
        let n = batch.len();
        before = batch.last().map(|e| e.seq);
        entries.extend(batch);
        if n < 1000 {
            break;
        }
    }
    let headers: Vec<String> = [
        "#",
        "audit.at",
        "audit.actor",
        "field.roles",
        "audit.action",
        "audit.target",
        "audit.change",
        "audit.addr",
    ]
    .iter()
    .map(|k| {
        if *k == "#" {
            "#".to_string()
        } else {
            tr(k, lang)
        }
    })
    .chain(["request id".to_string(), "hash".to_string()])
    .collect();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let target = match e.target_id {
                Some(id) => format!("{} #{id}", kind_name(&e.target_type, lang)),
                None => kind_name(&e.target_type, lang),
            };
            vec![
                e.seq.to_string(),
                onewindow_core::time::display(e.at),
                e.actor_name.clone(),
                e.actor_role.clone(),
                action_name(&e.action, lang),
                target,
                e.summary.clone(),
                e.client_addr.clone().unwrap_or_default(),
                e.request_id.clone().unwrap_or_default(),
                e.hash.clone(),
            ]
        })
        .collect();
    let name = format!(
        "{}-{}.xlsx",
        tr("nav.audit", lang),
        onewindow_core::time::local_date(crate::auth::now())
    );
    super::export::xlsx(&name, &tr("nav.audit", lang), &headers, &rows)
}

/// The security log (the administrator's): the sources of the alert window with their alerts,
/// and the newest events, of one kind or all.
async fn security_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let kind = security::kind(page.param("kind").as_deref())?;
    let log = security::log(&state, &auth, kind, 200, 0).await?;
    let kind_label = |k: SecurityKind| tr(&format!("sec.kind.{}", k.code()), lang);
    let who = |u: &Option<String>| u.clone().unwrap_or_else(|| tr("sec.anonymous", lang));
    let sources: Vec<Value> = log
        .sources
        .iter()
        .map(|s| {
            context! {
                addr => s.source.addr.clone(),
                who => who(&s.source.username),
                events => s.source.events,
                last => onewindow_core::time::display(s.source.last_at),
                alert => s.alert,
            }
        })
        .collect();
    let events: Vec<Value> = log
        .events
        .iter()
        .map(|e| {
            context! {
                at => onewindow_core::time::display(e.at),
                kind => kind_label(e.kind),
                who => who(&e.username),
                addr => e.addr.clone(),
                request => format!("{} {}", e.method, e.path),
                status => e.status,
            }
        })
        .collect();
    let kinds: Vec<Value> = SecurityKind::ALL
        .iter()
        .map(|k| {
            context! {
                code => k.code(),
                label => kind_label(*k),
                selected => kind == Some(*k),
            }
        })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "security.html",
        &tr("sec.title", lang),
        context! {
            sources => sources,
            events => events,
            kinds => kinds,
            alerts => log.alerts,
            threshold => log.threshold,
            window_minutes => log.window_minutes,
        },
    ))
}
