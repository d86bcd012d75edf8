//! Complaint pages (投诉): the list in scope (or one's own) with a form to lodge one, a
//! complaint's page with its trail and the step open to the reader, and the figures as a sheet.

use super::export::{Sheet, xlsx_book};
use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::complaints::{self as svc, ComplaintAct, ComplaintLine};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::complaint::{Action, Complaint, NewComplaint, Source};
use onewindow_core::time::{display, local_date};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(list).post(lodge))
        .route("/complaints/stats.xlsx", get(stats_xlsx))
        .route("/complaints/{id}", get(view).post(act))
}

fn row(c: &Complaint, lang: Lang, today: chrono::NaiveDate) -> Value {
    context! {
        id => c.id,
        number => c.number.clone(),
        source => c.source.name().get(lang).to_string(),
        subject => c.subject.clone(),
        state => c.progress.state.name().get(lang).to_string(),
        received => display(c.received_at),
        due => c.answer_due.unwrap_or(c.accept_due).to_string(),
        late => c.late(today),
    }
}

async fn list(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let open = page.param("open").is_some_and(|v| v == "1");
    let all = svc::list(&state, &auth, open).await?;
    let today = local_date(crate::service::cases::now());
    let a = &auth.actor;
    let departments = if a.is_staff() {
        Vec::new()
    } else {
        // Department names are public: the complainant picks the one complained of.
        state
            .store
            .departments(&onewindow_store::ScopeFilter::all())
            .await?
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "complaints.html",
        &tr("cp.title", lang),
        context! {
            complaints => all.iter().map(|c| row(c, lang, today)).collect::<Vec<_>>(),
            office => a.has(Permission::ReviewRatings),
            public => !a.is_staff(),
            sources => Source::ALL.iter().filter(|s| (**s == Source::Web) != a.is_staff()).map(|s| context! { code => s.code(), name => s.name().get(lang).to_string() }).collect::<Vec<_>>(),
            departments => departments.iter().map(|d| context! { id => d.id, name => d.name.clone() }).collect::<Vec<_>>(),
            name => auth.user.display_name.clone(),
        },
    ))
}

async fn lodge(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let c = svc::lodge(
        &state,
        auth,
        NewComplaint {
            source: d.text("source"),
            complainant_name: d.text("complainant_name"),
            complainant_phone: d.text("complainant_phone"),
            department_id: d.opt_int("department_id")?,
            case_number: d.opt("case_number"),
            subject: d.text("subject"),
            content: d.text("content"),
        },
    )
    .await?;
    Ok(saved(&format!("/complaints/{}", c.id)))
}

async fn view(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let v = svc::view(&state, &auth, id).await?;
    let c = &v.complaint;
    let today = local_date(crate::service::cases::now());
    let department = match c.department_id {
        Some(d) => state.store.department(d).await?.map(|d| d.name),
        None => None,
    };
    let departments = if v.may.iter().any(|m| m == "accept") {
        state
            .store
            .departments(&crate::service::scope_filter(&auth.actor))
            .await?
            .into_iter()
            .map(|d| context! { id => d.id, name => d.name })
            .collect::<Vec<_>>()
    } else {
        Vec::new()
    };
    let who = super::who::Who::of_logins(
        &state,
        &auth,
        lang,
        v.log.iter().map(|x| x.actor_name.as_str()),
    )
    .await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "complaint.html",
        &format!("{} {}", tr("cp.one", lang), c.number),
        context! {
            c => row(c, lang, today),
            content => c.content.clone(),
            complainant => format!("{} {}", c.complainant_name, c.complainant_phone),
            department => department,
            refusal => c.progress.refusal.clone(),
            reply => c.progress.reply.clone(),
            satisfaction => c.progress.satisfaction,
            version => c.version,
            may => v.may.iter().map(|m| context! { code => m.clone(), name => tr(&format!("cp.act.{m}"), lang) }).collect::<Vec<_>>(),
            departments => departments,
            log => v.log.iter().map(|l| context! {
                at => display(l.at),
                action => tr(&format!("cp.act.{}", l.action), lang),
                state => l.state.name().get(lang).to_string(),
                actor => who.name(&l.actor_name, None),
                note => l.note.clone(),
            }).collect::<Vec<_>>(),
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
        "accept" => Action::Accept {
            department_id: d.int("department_id")?,
        },
        "refuse" => Action::Refuse {
            reason: d.text("reason"),
        },
        "answer" => Action::Answer {
            reply: d.text("reply"),
        },
        "close" => Action::Close {
            satisfaction: d.int("satisfaction")?,
            note: d.opt("note"),
        },
        _ => {
            return Err(super::widgets::unknown_action());
        }
    };
    svc::act(
        &state,
        auth,
        id,
        ComplaintAct {
            version: d.int("version")?,
            action,
        },
    )
    .await?;
    Ok(saved(&format!("/complaints/{id}")))
}

/// The complaint figures of the last year as a workbook: by department, source and state.
async fn stats_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let s = svc::stats(&state, &auth, None, None).await?;
    let headers: Vec<String> = [
        "cp.col.name",
        "cp.col.received",
        "cp.col.accepted",
        "cp.col.refused",
        "cp.col.answered",
        "cp.col.closed",
        "cp.col.late",
        "cp.col.on_time",
        "cp.col.satisfaction",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let rows = |lines: &[ComplaintLine]| -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| {
                vec![
                    l.name.clone(),
                    l.received.to_string(),
                    l.accepted.to_string(),
                    l.refused.to_string(),
                    l.answered.to_string(),
                    l.closed.to_string(),
                    l.late.to_string(),
                    l.on_time_rate
                        .map(|v| format!("{v:.1}%"))
                        .unwrap_or_default(),
                    l.avg_satisfaction
                        .map(|v| format!("{v:.2}"))
                        .unwrap_or_default(),
                ]
            })
            .collect()
    };
    let (d, so, st) = (
        rows(&s.by_department),
        rows(&s.by_source),
        rows(&s.by_state),
    );
    let (n1, n2, n3) = (
        tr("cp.by_department", lang),
        tr("cp.by_source", lang),
        tr("cp.by_state", lang),
    );
    xlsx_book(
        &format!("complaints-{}-{}.xlsx", s.from, s.to),
        &[
            Sheet {
                name: &n1,
                headers: &headers,
                rows: &d,
            },
            Sheet {
                name: &n2,
                headers: &headers,
                rows: &so,
            },
            Sheet {
                name: &n3,
                headers: &headers,
                rows: &st,
            },
        ],
    )
}
