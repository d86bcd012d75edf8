//! The petition agency pages (信访代理): the desk (the agent's stations with the take-in form and
//! their cases; the office's cases; the cases a leader guarantees; today's receiving leader),
//! each case's page with its petitioner (a view in the audit trail), errands and the forms open
//! to the reader, the stations and their agents, the leaders' rota with the receptions, and the
//! ledgers with their workbook and the printable monthly report.

use super::cases::checked_multipart;
use super::export::{Sheet, xlsx_book};
use super::widgets::{departments, unknown_action, vocab};
use super::{PageCtx, PageForm, render, saved};
use crate::api::petitions::authorization_response;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::extract::{MultipartForm, parse_day};
use crate::i18n::tr;
use crate::service::enterprise::today;
use crate::service::petition_ledgers::{self as ledgers, LedgerRow, PetitionLedgers};
use crate::service::petition_rota as rota;
use crate::service::petitions::{self as svc, PetitionQuery};
use crate::service::uploads;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::access::Permission;
use onewindow_core::identity::Role;
use onewindow_core::petitions::case::{Action, Ledger, NewPetition, State as CaseState};
use onewindow_core::petitions::ledger::Line;
use onewindow_core::petitions::rota::RotaDay;
use onewindow_core::petitions::station::NewStation;
use onewindow_core::petitions::support::{Aid, AidKind, Meeting, Reception};
use onewindow_core::time::display;
use onewindow_store::ScopeFilter;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/petitions/stations/{id}/take", post(take))
        .layer(DefaultBodyLimit::max(uploads::BODY_LIMIT));
    Router::new()
        .route("/petitions", get(desk))
        .route("/petitions/cases/{id}", get(case_page).post(act))
        .route("/petitions/cases/{id}/authorization", get(authorization))
        .route("/petitions/cases/{id}/guarantor", post(set_guarantor))
        .route("/petitions/cases/{id}/meetings", post(add_meeting))
        .route("/petitions/cases/{id}/aid", post(record_aid))
        .route("/petitions/stations", get(stations).post(create_station))
        .route("/petitions/stations/{id}/agents", post(set_agents))
        .route("/petitions/rota", get(rota_page).post(set_day))
        .route("/petitions/rota/in-turn", post(fill_rota))
        .route("/petitions/receptions", post(record_reception))
        .route("/petitions/ledgers", get(ledgers_page))
        .route("/petitions/ledgers.xlsx", get(ledgers_xlsx))
        .route("/petitions/report", get(report))
        .merge(uploads)
}

fn opt_day(name: &str, v: Option<String>) -> AppResult<Option<NaiveDate>> {
    v.filter(|s| !s.trim().is_empty())
        .map(|s| parse_day(name, s.trim()))
        .transpose()
}

fn rate(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.2}%")).unwrap_or_else(|| "—".into())
}

// ---- the desk ----

async fn desk(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let a = &auth.actor;
    if !a.has(Permission::PetitionRead) {
        return Err(onewindow_core::DomainError::forbidden().into());
    }
    let office = svc::is_office(a);
    let works = a.has(Permission::PetitionWork) || a.has_role(Role::Leader);
    let q = PetitionQuery {
        station_id: page.int_param("station_id")?,
        ledger: page.param("ledger").and_then(|l| Ledger::parse(&l)),
        state: page.param("state").and_then(|s| CaseState::parse(&s)),
        guaranteed: page.param("guaranteed").is_some_and(|g| g == "1"),
    };
    let cases = if works {
        svc::list(&state, &auth, &q).await?
    } else {
        Vec::new()
    };
    let mine = svc::my_stations(&state, &auth).await?;
    let t = today();
    let on_duty = rota::rota(&state, &auth, t, t).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "pet_desk.html",
        &tr("pet.title", lang),
        context! {
            office => office,
            works => works,
            stations => mine.iter().map(|s| context! { id => s.id, name => s.name.clone() }).collect::<Vec<_>>(),
            cases => cases.iter().map(|c| context! {
                id => c.id, number => c.number.clone(), station => c.station_name.clone(),
                ledger => c.ledger.name().get(lang).to_string(), petitioner => c.petitioner.clone(),
                subject => c.subject.clone(), state => c.state.name().get(lang).to_string(),
                state_code => c.state.code(), taken_on => c.taken_on.to_string(),
                resolved_on => c.resolved_on.map(|d| d.to_string()), errands => c.errands,
                late => c.late, guarantor => c.guarantor.clone(),
            }).collect::<Vec<_>>(),
            ledgers => vocab(Ledger::ALL, lang, Ledger::code, Ledger::name),
            states => vocab(CaseState::ALL, lang, CaseState::code, CaseState::name),
            q_ledger => q.ledger.map(|l| l.code()), q_state => q.state.map(|s| s.code()),
            q_guaranteed => q.guaranteed,
            on_duty => on_duty.first().map(|d| d.leader_name.clone()),
            today => t.to_string(),
        },
    ))
}

fn text(form: &MultipartForm, name: &str) -> String {
    form.text(name).unwrap_or("").trim().to_string()
}

/// The take-in form: the petitioner, the matter and the signed authorization in one post.
async fn take(
    State(state): State<AppState>,
    auth: Auth,
    Path(station_id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let ledger = Ledger::parse(&text(&form, "ledger"))
        .ok_or_else(|| AppError::invalid("ledger", "请选择台账类别", "choose the ledger"))?;
    let p = NewPetition {
        ledger,
        petitioner_name: text(&form, "petitioner_name"),
        petitioner_id_number: text(&form, "petitioner_id_number"),
        petitioner_phone: text(&form, "petitioner_phone"),
        petitioner_address: text(&form, "petitioner_address"),
        subject: text(&form, "subject"),
        detail: text(&form, "detail"),
        authorization: None,
    };
    let signed_on = opt_day(
        "authorization.signed_on",
        form.text("signed_on").map(str::to_string),
    )?;
    let files = form
        .files
        .iter()
        .filter(|f| !f.bytes.is_empty())
        .cloned()
        .collect();
    let p = svc::take_with_file(&state, &auth, station_id, p, signed_on, files).await?;
    Ok(saved(&format!("/petitions/cases/{}", p.id)))
}

// ---- a case ----

async fn case_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let f = svc::file(&state, &auth, id).await?;
    let p = &f.petition;
    let (_, dept_list) = departments(&state).await?;
    let leaders = if f.may_guarantee {
        svc::leaders(&state, &auth).await?
    } else {
        Vec::new()
    };
    let pr = &p.progress;
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
        "pet_case.html",
        &format!("{} {}", p.number, p.subject),
        context! {
            p => context! {
                id => p.id, version => p.version, number => p.number.clone(),
                ledger => p.ledger.name().get(lang).to_string(),
                name => p.petitioner_name.clone(), id_number => p.petitioner_id_number.clone(),
                phone => p.petitioner_phone.clone(), address => p.petitioner_address.clone(),
                subject => p.subject.clone(), detail => p.detail.clone(),
                auth_file => p.authorization.file_name.clone(), signed_on => p.authorization.signed_on.to_string(),
                taken_on => p.taken_on.to_string(),
                state => pr.state.name().get(lang).to_string(), state_code => pr.state.code(),
                visits => pr.petitioner_visits, outcome => pr.outcome.clone(),
                resolved_on => pr.resolved_on.map(|d| d.to_string()),
                satisfaction => pr.satisfaction, feedback => pr.feedback.clone(),
            },
            station => f.station_name.clone(), agent => f.agent_name.clone(),
            guarantor => f.guarantor_name.clone(), late => f.late,
            steps => pr.steps.iter().enumerate().map(|(i, s)| context! {
                index => i, department => f.step_departments.get(i).cloned().unwrap_or_default(),
                task => s.task.clone(), deadline => s.deadline.to_string(),
                outcome => s.outcome.clone(), done_on => s.done_on.map(|d| d.to_string()),
                late => s.done_on.is_none() && s.deadline < today(),
            }).collect::<Vec<_>>(),
            open_steps => pr.steps.iter().enumerate().filter(|(_, s)| s.done_on.is_none())
                .map(|(i, s)| context! { index => i, task => s.task.clone() }).collect::<Vec<_>>(),
            actions => f.actions.iter().map(|a| context! { code => a.clone(), name => tr(&format!("pet.act.{a}"), lang) }).collect::<Vec<_>>(),
            log => f.log.iter().map(|l| context! {
                at => display(l.at), action => tr(&format!("pet.act.{}", l.action), lang),
                state => l.state.name().get(lang).to_string(), actor => who.name(&l.actor_name, None), note => l.note.clone(),
            }).collect::<Vec<_>>(),
            meetings => f.meetings.iter().map(|m| context! { held_on => m.held_on.to_string(), attendees => m.attendees.clone(), notes => m.notes.clone() }).collect::<Vec<_>>(),
            aid => f.aid.iter().map(|x| context! {
                kind => x.kind.name().get(lang).to_string(), amount => yuan(x.amount_fen),
                decided_on => x.decided_on.to_string(), outcome => x.outcome.clone(),
            }).collect::<Vec<_>>(),
            aid_kinds => vocab(AidKind::ALL, lang, AidKind::code, AidKind::name),
            may_guarantee => f.may_guarantee, may_meet => f.may_meet, may_aid => f.may_aid,
            leaders => leaders.iter().map(|(id, name)| context! { id => id, name => name.clone() }).collect::<Vec<_>>(),
            departments => dept_list,
            today => today().to_string(),
        },
    ))
}

/// Fen as yuan with two decimals.
fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let action = match d.text("action").as_str() {
        "errand" => Action::Errand {
            department_id: d.int("department_id")?,
            task: d.text("task"),
            deadline: parse_day("deadline", &d.text("deadline"))?,
        },
        "outcome" => Action::Outcome {
            step: usize::try_from(d.int("step")?).unwrap_or(usize::MAX),
            outcome: d.text("outcome"),
        },
        "visit" => Action::Visit,
        "resolve" => Action::Resolve {
            outcome: d.text("outcome"),
        },
        "feedback" => Action::Feedback {
            satisfaction: d.int("satisfaction")?,
            note: d.opt("note"),
        },
        _ => {
            return Err(unknown_action());
        }
    };
    svc::act(&state, auth, id, d.int("version")?, action).await?;
    Ok(saved(&format!("/petitions/cases/{id}")))
}

async fn authorization(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (f, bytes) = svc::authorization_file(&state, &auth, id).await?;
    Ok(authorization_response(id, f, bytes))
}

async fn set_guarantor(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    svc::set_guarantor(&state, auth, id, d.int("version")?, d.opt_int("leader_id")?).await?;
    Ok(saved(&format!("/petitions/cases/{id}")))
}

async fn add_meeting(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let m = Meeting {
        held_on: parse_day("held_on", &d.text("held_on"))?,
        attendees: d.text("attendees"),
        notes: d.text("notes"),
    };
    svc::add_meeting(&state, auth, id, m).await?;
    Ok(saved(&format!("/petitions/cases/{id}")))
}

/// An amount typed in yuan ("15000" or "15000.50") as fen.
fn parse_yuan(name: &str, v: &str) -> AppResult<i64> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(0);
    }
    let bad = || {
        AppError::invalid(
            name,
            "金额应为元，最多两位小数",
            "an amount in yuan, at most two decimals",
        )
    };
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let frac: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(bad)
}

async fn record_aid(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let a = Aid {
        kind: AidKind::parse(&d.text("kind"))
            .ok_or_else(|| AppError::invalid("kind", "请选择救助类别", "choose the kind of aid"))?,
        amount_fen: parse_yuan("amount_fen", &d.text("amount_yuan"))?,
        decided_on: parse_day("decided_on", &d.text("decided_on"))?,
        outcome: d.text("outcome"),
    };
    svc::record_aid(&state, auth, id, a).await?;
    Ok(saved(&format!("/petitions/cases/{id}")))
}

// ---- stations ----

async fn stations(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let list = svc::stations(&state, &auth).await?;
    let a = &auth.actor;
    let manages =
        a.has(Permission::PetitionManage) && (a.has_role(Role::Admin) || svc::is_office(a));
    let (communities, agents) = if manages {
        let path = a.scope.region_path.clone().unwrap_or_default();
        let taken: Vec<i64> = list.iter().map(|s| s.station.region_id).collect();
        let communities: Vec<Value> = state
            .store
            .regions()
            .await?
            .into_iter()
            .filter(|r| {
                r.level == onewindow_core::validate::RegionLevel::Community
                    && r.path.starts_with(&path)
                    && !taken.contains(&r.id)
            })
            .map(|r| context! { id => r.id, name => r.name })
            .collect();
        let agents: Vec<Value> = state
            .store
            .users(&ScopeFilter::region(path))
            .await?
            .into_iter()
            .filter(|u| u.active && u.roles.contains(&Role::PetitionAgent))
            .map(|u| context! { id => u.id, name => u.display_name })
            .collect();
        (communities, agents)
    } else {
        (Vec::new(), Vec::new())
    };
    let total_agents: usize = list.iter().map(|s| s.station.agents.len()).sum();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "pet_stations.html",
        &tr("pet.stations", lang),
        context! {
            stations => list.iter().map(|s| context! {
                id => s.station.id, name => s.station.name.clone(), region => s.region_name.clone(),
                address => s.station.address.clone(), agents => s.agent_names.join("、"),
                agent_ids => s.station.agents.clone(), version => s.station.version,
                in_hand => s.in_hand, resolved => s.resolved,
            }).collect::<Vec<_>>(),
            count => list.len(), total_agents => total_agents,
            manages => manages, communities => communities, agents => agents,
        },
    ))
}

async fn create_station(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    svc::create_station(
        &state,
        auth,
        NewStation {
            name: d.text("name"),
            region_id: d.int("region_id")?,
            address: d.text("address"),
        },
    )
    .await?;
    Ok(saved("/petitions/stations"))
}

async fn set_agents(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    svc::set_agents(&state, auth, id, d.int("version")?, d.ints("agents")?).await?;
    Ok(saved("/petitions/stations"))
}

// ---- the rota and the receptions ----

/// Back to the rota's month of the day just changed.
fn rota_saved(day: NaiveDate) -> Response {
    saved(&format!("/petitions/rota?month={}", day.format("%Y-%m")))
}

fn month_of(page: &PageCtx) -> AppResult<(String, NaiveDate, NaiveDate)> {
    let month = page
        .param("month")
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| today().format("%Y-%m").to_string());
    let (from, to) = crate::service::enterprise_figures::month_bounds(&month)?;
    Ok((month, from, to))
}

async fn rota_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (month, from, to) = month_of(&page)?;
    let days = rota::rota(&state, &auth, from, to).await?;
    let office = svc::is_office(&auth.actor);
    let leader = auth.actor.has_role(Role::Leader);
    let receptions = if office || leader {
        rota::receptions(&state, &auth, from, to).await?
    } else {
        Vec::new()
    };
    let leaders = svc::leaders(&state, &auth).await?;
    let t = today();
    let on_duty_today = days.iter().find(|d| d.day == t).map(|d| d.leader_id);
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "pet_rota.html",
        &tr("pet.rota", lang),
        context! {
            month => month, from => from.to_string(), to => to.to_string(),
            days => days.iter().map(|d| context! {
                day => d.day.to_string(), weekday => onewindow_core::time::weekday(d.day, lang, false), leader => d.leader_name.clone(),
                is_today => d.is_today,
            }).collect::<Vec<_>>(),
            receptions => receptions.iter().map(|r| context! {
                day => r.reception.day.to_string(), leader => r.leader_name.clone(),
                visitor => r.reception.visitor.clone(), matter => r.reception.matter.clone(),
                number => r.petition_number.clone(), petition_id => r.reception.petition_id,
                notes => r.reception.notes.clone(),
            }).collect::<Vec<_>>(),
            office => office,
            // The day's leader records their own receptions; the office records for any.
            may_receive => office || (leader && on_duty_today == Some(auth.user.id)),
            leaders => leaders.iter().map(|(id, name)| context! { id => id, name => name.clone() }).collect::<Vec<_>>(),
            me => auth.user.id, today => t.to_string(),
        },
    ))
}

async fn set_day(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let day = parse_day("days[0].day", &d.text("day"))?;
    rota::set_days(
        &state,
        auth,
        vec![RotaDay {
            day,
            leader_id: d.int("leader_id")?,
        }],
    )
    .await?;
    Ok(rota_saved(day))
}

async fn fill_rota(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let from = parse_day("from", &d.text("from"))?;
    let to = parse_day("to", &d.text("to"))?;
    rota::fill(&state, auth, d.ints("leaders")?, from, to).await?;
    Ok(rota_saved(from))
}

async fn record_reception(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let day = parse_day("day", &d.text("day"))?;
    let petition_id = match d.opt("petition_number") {
        Some(n) => Some(rota::case_by_number(&state, &n).await?),
        None => None,
    };
    rota::record(
        &state,
        auth,
        Reception {
            day,
            leader_id: d.opt_int("leader_id")?.unwrap_or(auth.user.id),
            visitor: d.text("visitor"),
            matter: d.text("matter"),
            petition_id,
            notes: d.text("notes"),
        },
    )
    .await?;
    Ok(rota_saved(day))
}

// ---- the ledgers ----

fn line_ctx(l: &Line, r: Option<f64>) -> Value {
    context! { cases => l.cases, resolved => l.resolved, open => l.cases - l.resolved, rate => rate(r) }
}

fn row_ctx(r: &LedgerRow) -> Value {
    context! {
        region_id => r.region_id, name => r.name.clone(),
        backlog => line_ctx(&r.backlog, r.backlog_rate), new => line_ctx(&r.new, r.new_rate),
    }
}

fn ledgers_ctx(l: &PetitionLedgers, lang: Lang) -> Value {
    context! {
        region_id => l.region_id, region => l.region_name.clone(),
        from => l.from.to_string(), to => l.to.to_string(),
        rows => l.rows.iter().map(row_ctx).collect::<Vec<_>>(),
        total => row_ctx(&l.total),
        guaranteed => l.guaranteed.iter().map(|g| context! {
            id => g.petition_id, number => g.number.clone(), subject => g.subject.clone(),
            leader => g.leader_name.clone(), meetings => g.meetings,
            last_meeting => g.last_meeting.map(|d| d.to_string()),
            state => g.state.name().get(lang).to_string(), resolved_on => g.resolved_on.map(|d| d.to_string()),
        }).collect::<Vec<_>>(),
        aid_cases => l.aid.hardship_cases, aid_yuan => yuan(l.aid.hardship_fen),
        legal => l.aid.legal_referrals, receptions => l.receptions,
    }
}

async fn ledgers_of(state: &AppState, page: &PageCtx, auth: &Auth) -> AppResult<PetitionLedgers> {
    ledgers::ledgers(
        state,
        auth,
        page.int_param("region_id")?,
        opt_day("from", page.param("from"))?,
        opt_day("to", page.param("to"))?,
    )
    .await
}

async fn ledgers_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let l = ledgers_of(&state, &page, &auth).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "pet_ledgers.html",
        &tr("pet.ledgers", lang),
        context! {
            l => ledgers_ctx(&l, lang),
            month => l.to.format("%Y-%m").to_string(),
        },
    ))
}

async fn ledgers_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let l = ledgers_of(&state, &page, &auth).await?;
    let headers: Vec<String> = [
        "pet.area",
        "pet.backlog_cases",
        "pet.backlog_resolved",
        "pet.backlog_rate",
        "pet.new_cases",
        "pet.new_resolved",
        "pet.new_rate",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let line = |r: &LedgerRow| -> Vec<String> {
        vec![
            r.name.clone(),
            r.backlog.cases.to_string(),
            r.backlog.resolved.to_string(),
            rate(r.backlog_rate),
            r.new.cases.to_string(),
            r.new.resolved.to_string(),
            rate(r.new_rate),
        ]
    };
    let mut rows: Vec<Vec<String>> = l.rows.iter().map(line).collect();
    rows.push(line(&l.total));
    let g_headers: Vec<String> = [
        "pet.number",
        "pet.subject",
        "pet.guarantor",
        "pet.meetings",
        "pet.last_meeting",
        "field.state",
        "pet.resolved_on",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let g_rows: Vec<Vec<String>> = l
        .guaranteed
        .iter()
        .map(|g| {
            vec![
                g.number.clone(),
                g.subject.clone(),
                g.leader_name.clone(),
                g.meetings.to_string(),
                g.last_meeting.map(|d| d.to_string()).unwrap_or_default(),
                g.state.name().get(lang).to_string(),
                g.resolved_on.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let ledger_name = tr("pet.ledgers", lang);
    let guaranteed_name = tr("pet.guaranteed", lang);
    xlsx_book(
        &format!("petition-ledgers-{}-{}.xlsx", l.from, l.to),
        &[
            Sheet {
                name: &ledger_name,
                headers: &headers,
                rows: &rows,
            },
            Sheet {
                name: &guaranteed_name,
                headers: &g_headers,
                rows: &g_rows,
            },
        ],
    )
}

async fn report(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let m = ledgers::monthly(
        &state,
        &auth,
        page.int_param("region_id")?,
        page.param("month").filter(|m| !m.is_empty()).as_deref(),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "pet_report.html",
        &tr("pet.report", lang),
        context! {
            month => m.month.clone(),
            m => ledgers_ctx(&m.month_ledgers, lang),
            y => ledgers_ctx(&m.year_ledgers, lang),
        },
    ))
}
