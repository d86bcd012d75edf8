//! The enterprise service pages (政务服务进企业 / 项目管家): the desk (items, visits to make, the
//! month's figures), the enterprise register and each enterprise's file, projects with their
//! team and cases, the visit report with the problems heard and photos, each work item with the
//! forms of the steps open to the reader, consultations, policy notices, and the monthly figures
//! with their workbook and printed report. An enterprise account sees its own file, confirms its
//! items and reads the notices pushed to it.

use super::cases::checked_multipart;
use super::export::{Sheet, xlsx_book};
use super::widgets::{departments, unknown_action, vocab};
use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::extract::MultipartForm;
use crate::i18n::tr;
use crate::service::enterprise::{
    self as svc, Heard, ItemQuery, PlanInput, ProjectInput, ReportInput,
};
use crate::service::enterprise_figures::{self as figs, FigureRow};
use crate::service::{consultations, policies, uploads};
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::enterprise::consultation::{FollowUp, Form, NewConsultation};
use onewindow_core::enterprise::figures::Tally;
use onewindow_core::enterprise::firm::{Audience, NewEnterprise, Size};
use onewindow_core::enterprise::firm::{section_name, sections};
use onewindow_core::enterprise::policy::NewPolicy;
use onewindow_core::enterprise::project::{Milestone, NewProject, Stage, Team};
use onewindow_core::enterprise::work::{
    self, Action, Item, Kind, Level, NewItem, State as ItemState,
};
use onewindow_core::time::display;
use onewindow_core::{Lang, Text};
use std::collections::HashMap;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/enterprise/visits/{id}", get(visit_page).post(report))
        .layer(DefaultBodyLimit::max(uploads::BODY_LIMIT));
    Router::new()
        .route("/enterprise", get(desk))
        .route("/enterprise/firms", get(firms).post(register))
        .route("/enterprise/firms/{id}", get(firm_page))
        .route("/enterprise/firms/{id}/items", post(record_item))
        .route("/enterprise/firms/{id}/account", post(link_account))
        .route(
            "/enterprise/projects",
            get(projects_page).post(create_project),
        )
        .route("/enterprise/projects/{id}", get(project_page))
        .route("/enterprise/projects/{id}/cases", post(link_case))
        .route("/enterprise/projects/{id}/team", post(set_team))
        .route("/enterprise/visits", post(plan))
        .route("/enterprise/items/{id}", get(item_page).post(act))
        .route(
            "/enterprise/consultations",
            get(consultations_page).post(record_consultation),
        )
        .route(
            "/enterprise/consultations/{id}/follow-ups/{index}",
            post(finish_follow_up),
        )
        .route("/enterprise/policies", get(policies_page).post(publish))
        .route("/enterprise/policies/{id}", get(policy_page))
        .route("/enterprise/figures", get(figures_page))
        .route("/enterprise/figures.xlsx", get(figures_xlsx))
        .route("/enterprise/figures/report", get(figures_report))
        .merge(uploads)
}

fn required(name: &str) -> AppError {
    AppError::bad_request(name, Text::fixed("缺少必填字段", "this field is required"))
}

fn parse_date(name: &str, v: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::bad_request(
            name,
            Text::fixed("日期格式应为YYYY-MM-DD", "dates are YYYY-MM-DD"),
        )
    })
}

fn opt_date(f: &PageForm, name: &str) -> AppResult<Option<NaiveDate>> {
    f.data.opt(name).map(|v| parse_date(name, &v)).transpose()
}

/// Enterprise names for the items listed.
async fn firm_names(state: &AppState, items: &[Item]) -> AppResult<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for i in items {
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(i.enterprise_id)
            && let Some(f) = state.store.enterprise(i.enterprise_id).await?
        {
            e.insert(f.name);
        }
    }
    Ok(out)
}

fn item_rows(
    items: &[Item],
    firms: &HashMap<i64, String>,
    depts: &HashMap<i64, String>,
    lang: Lang,
) -> Vec<Value> {
    let today = svc::today();
    items
        .iter()
        .map(|i| {
            let p = &i.progress;
            context! {
                id => i.id, number => i.number.clone(),
                enterprise => firms.get(&i.enterprise_id).cloned().unwrap_or_default(),
                kind => i.kind.name().get(lang).to_string(), title => i.title.clone(),
                department => p.department_id.and_then(|d| depts.get(&d).cloned()).unwrap_or_default(),
                deadline => p.deadline.map(|d| d.to_string()).unwrap_or_default(),
                state => p.state.name().get(lang).to_string(), state_code => p.state.code(),
                level => p.level.name().get(lang).to_string(), level_code => p.level.code(),
                overdue => work::overdue(p, today),
                satisfaction => p.satisfaction,
                created => display(i.created_at),
            }
        })
        .collect()
}

fn visit_rows(
    visits: &[onewindow_core::enterprise::visit::Visit],
    firms: &HashMap<i64, String>,
) -> Vec<Value> {
    visits
        .iter()
        .map(|v| {
            context! {
                id => v.id, enterprise => firms.get(&v.enterprise_id).cloned().unwrap_or_default(),
                planned_on => v.planned_on.to_string(), round => v.round.clone(),
                done => v.done_at.map(display), attendees => v.attendees.clone(),
            }
        })
        .collect()
}

// ---- the desk ----

async fn desk(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (depts, dept_list) = departments(&state).await?;
    if let Some(own) = svc::own_enterprise(&state, &auth).await? {
        let f = svc::enterprise_file(&state, &auth, own).await?;
        let firms = HashMap::from([(f.enterprise.id, f.enterprise.name.clone())]);
        return Ok(render(
            &state,
            &page,
            Some(&auth),
            "ent_mine.html",
            &tr("ent.mine", lang),
            context! {
                firm => f.enterprise.name.clone(),
                items => item_rows(&f.items, &firms, &depts, lang),
                policies => f.policies.iter().map(|p| context! {
                    id => p.policy_id, title => p.title.clone(), pushed => display(p.pushed_at),
                    read => p.read_at.map(display),
                }).collect::<Vec<_>>(),
            },
        ));
    }
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    let q = ItemQuery {
        state: page.param("state").filter(|v| !v.is_empty()),
        level: page.param("level").filter(|v| !v.is_empty()),
        enterprise_id: None,
        overdue: page.param("overdue").map(|v| v == "1").filter(|o| *o),
    };
    // The counts are over all the reader's items; the list is filtered only when asked.
    let all = svc::items(&state, &auth, &ItemQuery::default()).await?;
    let filtered = q.state.is_some() || q.level.is_some() || q.overdue.is_some();
    let items = if filtered {
        svc::items(&state, &auth, &q).await?
    } else {
        all.clone()
    };
    let today = svc::today();
    let count = |s: ItemState| all.iter().filter(|i| i.progress.state == s).count();
    let counts = context! {
        recorded => count(ItemState::Recorded), assigned => count(ItemState::Assigned),
        answered => count(ItemState::Answered), closed => count(ItemState::Closed),
        overdue => all.iter().filter(|i| work::overdue(&i.progress, today)).count(),
        city => all.iter().filter(|i| i.progress.level == Level::City && i.progress.state != ItemState::Closed).count(),
    };
    let serve = a.has(Permission::EnterpriseServe);
    let enterprises = if serve {
        svc::enterprises(&state, &auth, None).await?
    } else {
        Vec::new()
    };
    let mut firms: HashMap<i64, String> =
        enterprises.iter().map(|e| (e.id, e.name.clone())).collect();
    for (k, v) in firm_names(&state, &items).await? {
        firms.entry(k).or_insert(v);
    }
    let mine = state
        .store
        .visits(
            Some(a.user_id),
            today - chrono::Duration::days(60),
            today + chrono::Duration::days(60),
        )
        .await?;
    let to_visit: Vec<_> = mine
        .iter()
        .filter(|v| v.done_at.is_none())
        .cloned()
        .collect();
    for v in &to_visit {
        if let std::collections::hash_map::Entry::Vacant(e) = firms.entry(v.enterprise_id)
            && let Some(f) = state.store.enterprise(v.enterprise_id).await?
        {
            e.insert(f.name);
        }
    }
    let month = figs::figures(&state, &auth, None).await.ok();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_desk.html",
        &tr("ent.title", lang),
        context! {
            serve => serve,
            counts => counts,
            items => item_rows(&items, &firms, &depts, lang),
            filter_state => q.state.clone().unwrap_or_default(),
            filter_level => q.level.clone().unwrap_or_default(),
            filter_overdue => q.overdue == Some(true),
            states => vocab(ItemState::ALL, lang, ItemState::code, ItemState::name),
            levels => vocab(Level::ALL, lang, Level::code, Level::name),
            to_visit => visit_rows(&to_visit, &firms),
            enterprises => enterprises.iter().map(|e| context! { id => e.id, name => e.name.clone() }).collect::<Vec<_>>(),
            today => today.to_string(),
            total => month.as_ref().map(|m| tally_ctx(&m.total.month)),
            month => month.as_ref().map(|m| m.month.clone()),
            departments => dept_list,
        },
    ))
}

async fn plan(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let visits = svc::plan(
        &state,
        auth,
        PlanInput {
            enterprise_ids: d.ints("enterprise_id")?,
            planned_on: opt_date(&f, "planned_on")?.ok_or_else(|| required("planned_on"))?,
            round: d.opt("round"),
            project_id: d.opt_int("project_id")?,
        },
    )
    .await?;
    match visits.as_slice() {
        [one] => Ok(saved(&format!("/enterprise/visits/{}", one.id))),
        _ => Ok(saved("/enterprise")),
    }
}

// ---- enterprises ----

async fn firms(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let q = page.param("q");
    let list = svc::enterprises(&state, &auth, q.as_deref()).await?;
    let regions: Vec<Value> = match auth.actor.scope.region_path.as_deref() {
        Some(p) => state
            .store
            .regions()
            .await?
            .into_iter()
            .filter(|r| r.active && r.path.starts_with(p))
            .map(|r| context! { id => r.id, name => r.name })
            .collect(),
        None => Vec::new(),
    };
    let region_names: HashMap<i64, String> = state
        .store
        .regions()
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_firms.html",
        &tr("ent.firms", lang),
        context! {
            q => q.unwrap_or_default(),
            serve => auth.actor.has(Permission::EnterpriseServe),
            firms => list.iter().map(|e| context! {
                id => e.id, name => e.name.clone(), uscc => e.uscc.clone(), industry => section_name(&e.industry).get(lang).to_string(),
                size => e.size.name().get(lang).to_string(),
                region => region_names.get(&e.region_id).cloned().unwrap_or_default(),
                contact => e.contact_name.clone(),
            }).collect::<Vec<_>>(),
            regions => regions,
            sizes => vocab(Size::ALL, lang, Size::code, Size::name),
            industries => sections().map(|(code, name)| context! { code => code, name => name.get(lang).to_string() }).collect::<Vec<_>>(),
        },
    ))
}

async fn register(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let size = Size::parse(&d.text("size")).ok_or_else(|| {
        AppError::bad_request("size", Text::fixed("请选择企业规模", "choose the size"))
    })?;
    let e = svc::register(
        &state,
        auth,
        NewEnterprise {
            name: d.text("name"),
            uscc: d.text("uscc"),
            industry: d.text("industry"),
            size,
            region_id: d.int("region_id")?,
            contact_name: d.text("contact_name"),
            contact_phone: d.text("contact_phone"),
            address: d.text("address"),
        },
    )
    .await?;
    Ok(saved(&format!("/enterprise/firms/{}", e.id)))
}

async fn firm_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = svc::enterprise_file(&state, &auth, id).await?;
    let (depts, dept_list) = departments(&state).await?;
    let firms = HashMap::from([(f.enterprise.id, f.enterprise.name.clone())]);
    let e = &f.enterprise;
    let serve = auth.actor.has(Permission::EnterpriseServe)
        && svc::own_enterprise(&state, &auth).await?.is_none();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_firm.html",
        &e.name,
        context! {
            e => context! {
                id => e.id, name => e.name.clone(), uscc => e.uscc.clone(), industry => section_name(&e.industry).get(lang).to_string(),
                size => e.size.name().get(lang).to_string(), region => f.region_name.clone(),
                contact => e.contact_name.clone(), phone => e.contact_phone.clone(), address => e.address.clone(),
            },
            serve => serve,
            // The enterprise reads its own file; visits are the service team's records.
            staff => svc::keeps_register(&auth.actor),
            projects => f.projects.iter().map(|p| context! {
                id => p.id, name => p.name.clone(), amount => wan(p.amount_fen),
                stage => p.stage.name().get(lang).to_string(), key => p.key_project, green => p.green_channel,
            }).collect::<Vec<_>>(),
            items => item_rows(&f.items, &firms, &depts, lang),
            visits => visit_rows(&f.visits, &firms),
            policies => f.policies.iter().map(|p| context! {
                title => p.title.clone(), pushed => display(p.pushed_at), read => p.read_at.map(display),
            }).collect::<Vec<_>>(),
            kinds => vocab(Kind::ALL, lang, Kind::code, Kind::name),
            stages => vocab(Stage::ALL, lang, Stage::code, Stage::name),
            departments => dept_list,
            today => svc::today().to_string(),
        },
    ))
}

/// 万元 from fen, as the ledgers write amounts.
fn wan(fen: i64) -> String {
    let w = fen as f64 / 1_000_000.0;
    if w.fract() == 0.0 {
        format!("{w:.0}")
    } else {
        format!("{w:.2}")
    }
}

async fn record_item(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let kind = Kind::parse(&d.text("kind")).ok_or_else(|| {
        AppError::bad_request("kind", Text::fixed("请选择清单类别", "choose the list"))
    })?;
    let item = svc::record_item(
        &state,
        auth,
        NewItem {
            enterprise_id: id,
            project_id: d.opt_int("project_id")?,
            kind,
            title: d.text("title"),
            detail: d.text("detail"),
            visit_id: None,
        },
    )
    .await?;
    Ok(saved(&format!("/enterprise/items/{}", item.id)))
}

async fn link_account(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::link_account(&state, auth, id, &f.data.text("username")).await?;
    Ok(saved(&format!("/enterprise/firms/{id}")))
}

// ---- projects ----

/// "名称,计划日期[,完成日期]" a line.
fn milestones(text: &str) -> AppResult<Vec<Milestone>> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
        let name = format!("milestones[{i}]");
        let (Some(n), Some(planned)) = (parts.first(), parts.get(1)) else {
            return Err(AppError::bad_request(
                &name,
                Text::fixed(
                    "每行应为：节点名称,计划日期[,完成日期]",
                    "each line is: name,planned[,reached]",
                ),
            ));
        };
        out.push(Milestone {
            name: n.to_string(),
            planned: parse_date(&format!("{name}.planned"), planned)?,
            actual: parts
                .get(2)
                .filter(|a| !a.is_empty())
                .map(|a| parse_date(&format!("{name}.actual"), a))
                .transpose()?,
        });
    }
    Ok(out)
}

async fn user_id(
    state: &AppState,
    field: &str,
    username: Option<String>,
) -> AppResult<Option<i64>> {
    let Some(u) = username else { return Ok(None) };
    state
        .store
        .user_by_username(&u)
        .await?
        .map(|u| Some(u.id))
        .ok_or_else(|| {
            AppError::bad_request(
                field,
                Text::new(format!("没有账号“{u}”"), format!("no account '{u}'")),
            )
        })
}

async fn team_from(state: &AppState, f: &PageForm) -> AppResult<Team> {
    let d = &f.data;
    let mut members = Vec::new();
    for name in d
        .text("members")
        .split([',', '，', ' '])
        .filter(|s| !s.trim().is_empty())
    {
        members.extend(user_id(state, "team.members", Some(name.trim().to_string())).await?);
    }
    Ok(Team {
        steward_id: user_id(state, "team.steward_id", d.opt("steward")).await?,
        leader_id: user_id(state, "team.leader_id", d.opt("leader")).await?,
        department_id: d.opt_int("department_id")?,
        members,
    })
}

async fn create_project(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let stage = Stage::parse(&d.text("stage")).ok_or_else(|| {
        AppError::bad_request("stage", Text::fixed("请选择项目阶段", "choose the stage"))
    })?;
    let wan: f64 = d.text("amount_wan").parse().map_err(|_| {
        AppError::bad_request(
            "amount_fen",
            Text::fixed(
                "投资额应为数字（万元）",
                "the amount is a number (10k yuan)",
            ),
        )
    })?;
    let p = svc::create_project(
        &state,
        auth,
        ProjectInput {
            project: NewProject {
                enterprise_id: d.int("enterprise_id")?,
                name: d.text("name"),
                amount_fen: (wan * 1_000_000.0).round() as i64,
                stage,
                key_project: d.flag("key_project"),
                green_channel: d.flag("green_channel"),
                milestones: milestones(&d.raw("milestones"))?,
            },
            team: team_from(&state, &f).await?,
        },
    )
    .await?;
    Ok(saved(&format!("/enterprise/projects/{}", p.id)))
}

async fn project_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = svc::project_file(&state, &auth, id).await?;
    let (depts, dept_list) = departments(&state).await?;
    let p = &f.project;
    let today = svc::today();
    let people: Vec<i64> = f
        .handovers
        .iter()
        .filter(|h| h.role != "department")
        .flat_map(|h| [h.from_id, h.to_id])
        .flatten()
        .collect();
    let who = svc::names(&state, people).await?;
    let person = |role: &str, id: Option<i64>| match (role, id) {
        (_, None) => "—".to_string(),
        ("department", Some(d)) => depts.get(&d).cloned().unwrap_or_default(),
        (_, Some(u)) => who.get(&u).cloned().unwrap_or_default(),
    };
    let steward_username = match p.team.steward_id {
        Some(s) => state.store.user(s).await?.map(|u| u.username),
        None => None,
    };
    let leader_username = match p.team.leader_id {
        Some(s) => state.store.user(s).await?.map(|u| u.username),
        None => None,
    };
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        f.handovers.iter().map(|x| x.actor_name.as_str()),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_project.html",
        &p.name,
        context! {
            p => context! {
                id => p.id, version => p.version, name => p.name.clone(), amount => wan(p.amount_fen),
                stage => p.stage.name().get(lang).to_string(), key => p.key_project, green => p.green_channel,
                enterprise_id => p.enterprise_id,
            },
            enterprise => f.enterprise_name.clone(),
            steward => f.steward_name.clone(), leader => f.leader_name.clone(),
            department => f.department_name.clone(), members => f.member_names.join("、"),
            steward_username => steward_username, leader_username => leader_username,
            department_id => p.team.department_id,
            milestones => p.milestones.iter().map(|m| context! {
                name => m.name.clone(), planned => m.planned.to_string(),
                actual => m.actual.map(|a| a.to_string()),
                late => m.actual.is_none() && m.planned < today,
            }).collect::<Vec<_>>(),
            handovers => f.handovers.iter().map(|h| context! {
                role => tr(&format!("ent.role.{}", h.role), lang),
                from => person(&h.role, h.from_id), to => person(&h.role, h.to_id),
                at => display(h.at), by => who.name(&h.actor_name, None),
            }).collect::<Vec<_>>(),
            cases => f.cases.iter().map(|c| context! {
                id => c.id, number => c.number.clone(), matter => c.matter_name.clone(),
                state => c.state_name.clone(), light => c.light.clone().unwrap_or_else(|| "none".into()),
                light_name => c.light_name.clone(), due => c.due.map(|d| d.to_string()).unwrap_or_default(),
            }).collect::<Vec<_>>(),
            serve => auth.actor.has(Permission::EnterpriseServe),
            departments => dept_list,
        },
    ))
}

async fn link_case(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::link_case(&state, auth, id, &f.data.text("case")).await?;
    Ok(saved(&format!("/enterprise/projects/{id}")))
}

async fn set_team(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let team = team_from(&state, &f).await?;
    svc::set_team(&state, auth, id, f.data.int("version")?, team).await?;
    Ok(saved(&format!("/enterprise/projects/{id}")))
}

// ---- visits ----

async fn visit_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = svc::visit_file(&state, &auth, id).await?;
    let (depts, _) = departments(&state).await?;
    let firms = HashMap::from([(f.visit.enterprise_id, f.enterprise_name.clone())]);
    let v = &f.visit;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_visit.html",
        &format!("{} · {}", tr("ent.visit", lang), f.enterprise_name),
        context! {
            v => context! {
                id => v.id, version => v.version, planned_on => v.planned_on.to_string(),
                round => v.round.clone(), done => v.done_at.map(display),
                attendees => v.attendees.clone(), notes => v.notes.clone(), enterprise_id => v.enterprise_id,
            },
            enterprise => f.enterprise_name.clone(),
            steward => f.steward_name.clone(),
            items => item_rows(&f.items, &firms, &depts, lang),
            photos => f.photos.iter().map(|p| context! { id => p.id, name => p.file_name.clone(), at => display(p.added_at) }).collect::<Vec<_>>(),
            may_report => v.done_at.is_none() && auth.actor.has(Permission::EnterpriseServe),
            rows => (0..5).collect::<Vec<_>>(),
            kinds => vocab(Kind::ALL, lang, Kind::code, Kind::name),
        },
    ))
}

fn field(form: &MultipartForm, name: &str) -> String {
    form.text(name).unwrap_or("").trim().to_string()
}

async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let mut items = Vec::new();
    for i in 0..20 {
        let title = field(&form, &format!("item{i}_title"));
        if title.is_empty() {
            continue;
        }
        let kind = Kind::parse(&field(&form, &format!("item{i}_kind"))).ok_or_else(|| {
            AppError::bad_request(
                format!("items[{i}].kind"),
                Text::fixed("请选择清单类别", "choose the list"),
            )
        })?;
        items.push(Heard {
            kind,
            title,
            detail: field(&form, &format!("item{i}_detail")),
        });
    }
    let version = field(&form, "version")
        .parse::<i64>()
        .map_err(|_| required("version"))?;
    let photos = form
        .files
        .iter()
        .filter(|f| !f.bytes.is_empty())
        .cloned()
        .collect();
    svc::report(
        &state,
        &auth,
        id,
        ReportInput {
            version,
            attendees: field(&form, "attendees"),
            notes: field(&form, "notes"),
            items,
        },
        photos,
    )
    .await?;
    Ok(saved(&format!("/enterprise/visits/{id}")))
}

// ---- work items ----

async fn item_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = svc::item_file(&state, &auth, id).await?;
    let (_, dept_list) = departments(&state).await?;
    let i = &f.item;
    let p = &i.progress;
    let actions: Vec<Value> = f
        .actions
        .iter()
        .map(|a| context! { code => a.clone(), name => tr(&format!("ent.act.{a}"), lang) })
        .collect();
    let consultations: Vec<Value> = if f.actions.iter().any(|a| a == "consult") {
        let today = svc::today();
        consultations::list(&state, &auth, today - chrono::Duration::days(90), today)
            .await
            .unwrap_or_default()
            .iter()
            .map(|c| context! { id => c.id, title => c.title.clone(), held_on => c.held_on.to_string() })
            .collect()
    } else {
        Vec::new()
    };
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        f.log.iter().map(|x| x.actor_name.as_str()),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_item.html",
        &format!("{} {}", i.number, i.title),
        context! {
            i => context! {
                id => i.id, version => i.version, number => i.number.clone(), title => i.title.clone(),
                detail => i.detail.clone(), kind => i.kind.name().get(lang).to_string(),
                enterprise_id => i.enterprise_id, visit_id => i.visit_id, project_id => i.project_id,
                state => p.state.name().get(lang).to_string(), state_code => p.state.code(),
                level => p.level.name().get(lang).to_string(), level_code => p.level.code(),
                deadline => p.deadline.map(|d| d.to_string()), resolution => p.resolution.clone(),
                satisfaction => p.satisfaction, reopened => p.reopened,
                created => display(i.created_at), closed => i.closed_at.map(display),
            },
            enterprise => f.enterprise_name.clone(),
            // A department reads its items, not the enterprise's whole file.
            // Visits and projects are the service team's records; the enterprise reads its own file.
            record_links => svc::keeps_register(&auth.actor),
            firm_link => svc::keeps_register(&auth.actor)
                || svc::own_enterprise(&state, &auth).await? == Some(i.enterprise_id),
            department => f.department_name.clone(),
            overdue => f.overdue,
            log => f.log.iter().map(|l| context! {
                at => display(l.at), action => tr(&format!("ent.act.{}", l.action), lang),
                state => l.state.name().get(lang).to_string(), actor => who.name(&l.actor_name, None), note => l.note.clone(),
            }).collect::<Vec<_>>(),
            consulted => f.consultations.iter().map(|c| context! {
                id => c.id, title => c.title.clone(), held_on => c.held_on.to_string(),
                form => c.form.name().get(lang).to_string(), decisions => c.decisions.clone(),
            }).collect::<Vec<_>>(),
            actions => actions,
            consultations => consultations,
            departments => dept_list,
            today => svc::today().to_string(),
        },
    ))
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let action = match d.text("action").as_str() {
        "assign" => Action::Assign {
            department_id: d.opt_int("department_id")?,
            deadline: opt_date(&f, "deadline")?,
        },
        "answer" => Action::Answer {
            resolution: d.text("resolution"),
        },
        "escalate" => Action::Escalate {
            reason: d.text("reason"),
        },
        "consult" => Action::Consult {
            consultation_id: d.int("consultation_id")?,
            decision: d.text("decision"),
        },
        "confirm" => Action::Confirm {
            satisfied: d.text("satisfied") == "1",
            satisfaction: d.opt_int("satisfaction")?,
            note: d.opt("note"),
        },
        _ => {
            return Err(unknown_action());
        }
    };
    svc::act(&state, auth, id, d.int("version")?, action).await?;
    Ok(saved(&format!("/enterprise/items/{id}")))
}

// ---- key projects ----

/// 重点项目清单: every project of the region's enterprises, key projects first, with the
/// milestones past their date.
async fn projects_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let today = svc::today();
    let list = svc::projects(&state, &auth).await?;
    let late = |p: &onewindow_core::enterprise::project::Project| {
        onewindow_core::enterprise::project::overdue(&p.milestones, today).len()
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_projects.html",
        &tr("ent.projects", lang),
        context! {
            total => list.len(),
            key => list.iter().filter(|(p, _)| p.key_project).count(),
            late_total => list.iter().filter(|(p, _)| late(p) > 0).count(),
            projects => list.iter().map(|(p, firm)| context! {
                id => p.id, name => p.name.clone(), firm => firm.clone(), firm_id => p.enterprise_id,
                amount => wan(p.amount_fen), stage => p.stage.name().get(lang).to_string(),
                key => p.key_project, green => p.green_channel,
                done => p.milestones.iter().filter(|m| m.actual.is_some()).count(),
                milestones => p.milestones.len(), late => late(p),
            }).collect::<Vec<_>>(),
        },
    ))
}

// ---- consultations ----

async fn consultations_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let today = svc::today();
    let list =
        consultations::list(&state, &auth, today - chrono::Duration::days(365), today).await?;
    let (depts, dept_list) = departments(&state).await?;
    let serve = auth.actor.has(Permission::EnterpriseServe);
    let open = if serve {
        svc::items(&state, &auth, &ItemQuery::default())
            .await?
            .into_iter()
            .filter(|i| matches!(i.progress.state, ItemState::Recorded | ItemState::Assigned))
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let names = |ids: &[i64]| {
        ids.iter()
            .filter_map(|d| depts.get(d).cloned())
            .collect::<Vec<_>>()
            .join("、")
    };
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        list.iter().map(|c| c.recorded_by.as_str()),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_consultations.html",
        &tr("ent.consultations", lang),
        context! {
            serve => serve,
            list => list.iter().map(|c| context! {
                id => c.id, version => c.version, title => c.title.clone(), held_on => c.held_on.to_string(),
                form => c.form.name().get(lang).to_string(), level => c.level.name().get(lang).to_string(),
                attendees => c.attendees.clone(), departments => names(&c.department_ids),
                decisions => c.decisions.clone(), items => c.item_ids.len(), by => who.name(&c.recorded_by, None),
                late => c.late_follow_ups(today),
                follow_ups => c.follow_ups.iter().enumerate().map(|(n, f)| context! {
                    index => n, task => f.task.clone(), department => depts.get(&f.department_id).cloned().unwrap_or_default(),
                    due => f.due.to_string(), done => f.done_on.map(|d| d.to_string()),
                    late => f.done_on.is_none() && f.due < today,
                    mine => auth.actor.scope.department_id == Some(f.department_id) || serve,
                }).collect::<Vec<_>>(),
            }).collect::<Vec<_>>(),
            open_items => open.iter().map(|i| context! { id => i.id, number => i.number.clone(), title => i.title.clone() }).collect::<Vec<_>>(),
            forms => vocab(Form::ALL, lang, Form::code, Form::name),
            levels => vocab(Level::ALL, lang, Level::code, Level::name),
            departments => dept_list,
            rows => (0..3).collect::<Vec<_>>(),
            today => today.to_string(),
        },
    ))
}

async fn record_consultation(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let mut follow_ups = Vec::new();
    for i in 0..3 {
        let task = d.text(&format!("fu{i}_task"));
        if task.is_empty() {
            continue;
        }
        follow_ups.push(FollowUp {
            task,
            department_id: d.int(&format!("fu{i}_department"))?,
            due: opt_date(&f, &format!("fu{i}_due"))?
                .ok_or_else(|| required(&format!("follow_ups[{i}].due")))?,
            done_on: None,
        });
    }
    consultations::record(
        &state,
        auth,
        NewConsultation {
            form: Form::parse(&d.text("form")).ok_or_else(|| required("form"))?,
            title: d.text("title"),
            held_on: opt_date(&f, "held_on")?.ok_or_else(|| required("held_on"))?,
            level: Level::parse(&d.text("level")).unwrap_or_default(),
            attendees: d.text("attendees"),
            department_ids: d.ints("department_id")?,
            decisions: d.text("decisions"),
            follow_ups,
            item_ids: d.ints("item_id")?,
        },
    )
    .await?;
    Ok(saved("/enterprise/consultations"))
}

async fn finish_follow_up(
    State(state): State<AppState>,
    Path((id, index)): Path<(i64, usize)>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    consultations::finish(&state, auth, id, f.data.int("version")?, index).await?;
    Ok(saved("/enterprise/consultations"))
}

// ---- policies ----

async fn policies_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let list = policies::list(&state, &auth).await?;
    let (depts, dept_list) = departments(&state).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_policies.html",
        &tr("ent.policies", lang),
        context! {
            serve => auth.actor.has(Permission::EnterpriseServe),
            list => list.iter().map(|p| context! {
                id => p.id, title => p.title.clone(), body => p.body.clone(),
                department => depts.get(&p.department_id).cloned().unwrap_or_default(),
                industries => p.audience.industries.iter().map(|i| section_name(i).get(lang).to_string()).collect::<Vec<_>>().join("、"),
                sizes => p.audience.sizes.iter().map(|s| s.name().get(lang).to_string()).collect::<Vec<_>>().join("、"),
                until => p.until.map(|u| u.to_string()), published => display(p.published_at),
                pushed => p.pushed, read => p.read,
            }).collect::<Vec<_>>(),
            sizes => vocab(Size::ALL, lang, Size::code, Size::name),
            departments => dept_list,
        },
    ))
}

async fn publish(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let mut sizes = Vec::new();
    for s in d.all("size") {
        sizes.push(Size::parse(&s).ok_or_else(|| required("audience.sizes"))?);
    }
    policies::publish(
        &state,
        auth,
        NewPolicy {
            title: d.text("title"),
            body: d.text("body"),
            department_id: d.int("department_id")?,
            audience: Audience {
                industries: d
                    .text("industries")
                    .split([',', '，', ' ', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                sizes,
                region_paths: Vec::new(),
            },
            until: opt_date(&f, "until")?,
        },
        None,
    )
    .await?;
    Ok(saved("/enterprise/policies"))
}

async fn policy_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let p = policies::open(&state, &auth, id).await?;
    let (depts, _) = departments(&state).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "ent_policy.html",
        &p.title,
        context! {
            body => p.body.clone(),
            department => depts.get(&p.department_id).cloned().unwrap_or_default(),
            until => p.until.map(|u| u.to_string()),
            published => display(p.published_at),
            title_text => tr("ent.policies", lang),
        },
    ))
}

// ---- figures ----

fn tally_ctx(t: &Tally) -> Value {
    context! {
        visits_planned => t.visits_planned, visits_done => t.visits_done, clues => t.clues,
        solved => t.solved, open => t.open, overdue => t.overdue, escalated => t.escalated,
        rate => t.solved_rate().map(|r| format!("{r:.1}%")).unwrap_or_else(|| "—".into()),
    }
}

fn row_ctx(r: &FigureRow) -> Value {
    context! { name => r.name.clone(), month => tally_ctx(&r.month), year => tally_ctx(&r.year) }
}

async fn figures_context(state: &AppState, page: &PageCtx, auth: &Auth) -> AppResult<Value> {
    let f = figs::figures(state, auth, page.param("month").as_deref()).await?;
    Ok(context! {
        month => f.month.clone(), from => f.from.to_string(), to => f.to.to_string(), as_of => f.as_of.to_string(),
        lines => f.rows.iter().chain([&f.total]).map(row_ctx).collect::<Vec<_>>(),
        total => row_ctx(&f.total),
        stewards => f.stewards.iter().map(|s| context! { name => s.name.clone(), planned => s.planned, done => s.done }).collect::<Vec<_>>(),
    })
}

async fn figures_page(state: State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    figures_view(state, page, auth, "ent_figures.html", "ent.figures").await
}

async fn figures_report(state: State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    figures_view(state, page, auth, "ent_report.html", "ent.report").await
}

/// The figures on the page or in the printable report: one context, two templates.
async fn figures_view(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    template: &str,
    title: &str,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let ctx = figures_context(&state, &page, &auth).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        template,
        &tr(title, lang),
        ctx,
    ))
}

async fn figures_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = figs::figures(&state, &auth, page.param("month").as_deref()).await?;
    let cols = [
        "ent.unit",
        "ent.visits_planned",
        "ent.visits_done",
        "ent.clues",
        "ent.solved",
        "ent.rate",
        "ent.open",
        "ent.overdue",
        "ent.escalated",
    ];
    let headers: Vec<String> = cols.iter().map(|k| tr(k, lang)).collect();
    let line = |name: &str, t: &Tally| -> Vec<String> {
        vec![
            name.to_string(),
            t.visits_planned.to_string(),
            t.visits_done.to_string(),
            t.clues.to_string(),
            t.solved.to_string(),
            t.solved_rate()
                .map(|r| format!("{r:.1}%"))
                .unwrap_or_default(),
            t.open.to_string(),
            t.overdue.to_string(),
            t.escalated.to_string(),
        ]
    };
    let mut month: Vec<Vec<String>> = f.rows.iter().map(|r| line(&r.name, &r.month)).collect();
    month.push(line(&f.total.name, &f.total.month));
    let mut year: Vec<Vec<String>> = f.rows.iter().map(|r| line(&r.name, &r.year)).collect();
    year.push(line(&f.total.name, &f.total.year));
    let steward_headers: Vec<String> = ["ent.steward", "ent.visits_planned", "ent.visits_done"]
        .iter()
        .map(|k| tr(k, lang))
        .collect();
    let stewards: Vec<Vec<String>> = f
        .stewards
        .iter()
        .map(|s| vec![s.name.clone(), s.planned.to_string(), s.done.to_string()])
        .collect();
    let month_name = tr("ent.month_sheet", lang);
    let year_name = tr("ent.year_sheet", lang);
    let steward_name = tr("ent.steward_sheet", lang);
    xlsx_book(
        &format!("enterprise-service-{}.xlsx", f.month),
        &[
            Sheet {
                name: &month_name,
                headers: &headers,
                rows: &month,
            },
            Sheet {
                name: &year_name,
                headers: &headers,
                rows: &year,
            },
            Sheet {
                name: &steward_name,
                headers: &steward_headers,
                rows: &stewards,
            },
        ],
    )
}
