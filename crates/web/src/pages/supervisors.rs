//! The enterprise supervisors' page (监督员): the office appoints them and follows their reports;
//! a supervisor signed in with their enterprise account files reports and sees what came of
//! each; a department answers the reports referred to it.

use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::supervisors::{self as svc, ReportAct, ReportInput};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::context;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::supervisor::{
    NewReport, NewSupervisor, ReportAction, ReportKind, ReportState,
};
use onewindow_core::time::display;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervisors", get(page_view).post(appoint))
        .route("/supervisors/reports", post(file))
        .route("/supervisors/reports/{id}", post(act))
}

fn date(f: &PageForm, name: &str) -> AppResult<Option<chrono::NaiveDate>> {
    f.data
        .opt(name)
        .map(|v| {
            chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                AppError::bad_request(
                    name,
                    onewindow_core::Text::fixed("日期格式应为YYYY-MM-DD", "dates are YYYY-MM-DD"),
                )
            })
        })
        .transpose()
}

async fn page_view(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let a = &auth.actor;
    let office = a.has(Permission::ReviewRatings);
    let supervisors = if a.is_staff() {
        svc::list(&state, &auth).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let reports = svc::reports(&state, &auth).await?;
    let departments = state
        .store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?;
    let dept_name = |id: Option<i64>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| d.name.clone())
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "supervisors.html",
        &tr("su.title", lang),
        context! {
            office => office,
            department_head => a.has(Permission::Rectify),
            supervisors => supervisors.iter().map(|s| context! {
                id => s.id, name => s.name.clone(), enterprise => s.enterprise.clone(), phone => s.phone.clone(),
                contact => dept_name(s.department_id), appointed => s.appointed_on.to_string(),
                term => s.term_until.map(|t| t.to_string()),
            }).collect::<Vec<_>>(),
            reports => reports.iter().map(|r| context! {
                id => r.id, version => r.version, supervisor => r.supervisor_name.clone(),
                kind => r.kind.name().get(lang).to_string(), day => r.visited_on.to_string(), place => r.place.clone(),
                findings => r.findings.clone(), suggestions => r.suggestions.clone(),
                state => r.state.name().get(lang).to_string(), state_code => r.state.code(),
                referred_to => dept_name(r.referred_to), outcome => r.outcome.clone(),
                recorded => display(r.recorded_at),
            }).collect::<Vec<_>>(),
            kinds => ReportKind::ALL.iter().map(|k| context! { code => k.code(), name => k.name().get(lang).to_string() }).collect::<Vec<_>>(),
            departments => departments.iter().map(|d| context! { id => d.id, name => d.name.clone() }).collect::<Vec<_>>(),
            may_report => office || !a.is_staff(),
            open_code => ReportState::Open.code(),
            referred_code => ReportState::Referred.code(),
        },
    ))
}

async fn appoint(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    svc::appoint(
        &state,
        auth,
        NewSupervisor {
            name: d.text("name"),
            phone: d.text("phone"),
            enterprise: d.text("enterprise"),
            uscc: d.opt("uscc"),
            department_id: d.opt_int("department_id")?,
            hall_id: None,
            user_id: d.opt_int("user_id")?,
            appointed_on: date(&f, "appointed_on")?.ok_or_else(|| {
                AppError::bad_request(
                    "appointed_on",
                    onewindow_core::Text::fixed("缺少必填字段", "this field is required"),
                )
            })?,
            term_until: date(&f, "term_until")?,
        },
    )
    .await?;
    Ok(saved("/supervisors"))
}

async fn file(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    svc::file(
        &state,
        auth,
        ReportInput {
            supervisor_id: d.opt_int("supervisor_id")?,
            report: NewReport {
                kind: d.text("kind"),
                visited_on: date(&f, "visited_on")?.ok_or_else(|| {
                    AppError::bad_request(
                        "visited_on",
                        onewindow_core::Text::fixed("缺少必填字段", "this field is required"),
                    )
                })?,
                place: d.text("place"),
                department_id: d.opt_int("department_id")?,
                findings: d.text("findings"),
                suggestions: d.opt("suggestions"),
            },
        },
    )
    .await?;
    Ok(saved("/supervisors"))
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let action = match d.text("action").as_str() {
        "refer" => ReportAction::Refer {
            department_id: d.int("department_id")?,
        },
        "resolve" => ReportAction::Resolve {
            outcome: d.text("outcome"),
        },
        "note" => ReportAction::Note {
            outcome: d.text("outcome"),
        },
        _ => {
            return Err(super::widgets::unknown_action());
        }
    };
    svc::act(
        &state,
        auth,
        id,
        ReportAct {
            version: d.int("version")?,
            action,
        },
    )
    .await?;
    Ok(saved("/supervisors"))
}
