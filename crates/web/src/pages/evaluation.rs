//! Service evaluation pages (好差评): the rating page behind an SMS or e-mail link and the case
//! page's own rating form; for staff, the evaluation desk (ratings, open rectifications by light,
//! pending appeals), a rectification's page with the step open now, and the appeal forms.

use super::widgets::ser;
use super::{PageCtx, PageForm, render, saved};
use crate::auth::{Auth, MaybeAuth, Origin};
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::evaluation as svc;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::access::Permission;
use onewindow_core::evaluation::rating::{Given, Scores, Setting};
use onewindow_core::evaluation::rectification::{Action, Rectification};
use onewindow_core::evaluation::{
    AppealDecision, AppealInput, LEVELS, LOW_REASONS, Rating, level_name,
};
use onewindow_core::time::display;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rate/{token}", get(link_page).post(rate_by_link))
        .route("/cases/{id}/rating", post(rate_case))
        .route("/evaluation", get(desk))
        .route("/evaluation.xlsx", get(desk_xlsx))
        .route(
            "/evaluation/rectifications/{id}",
            get(rectification_page).post(act),
        )
        .route("/evaluation/ratings/{id}/appeal", post(appeal))
        .route("/evaluation/rectifications/{id}/urge", post(urge))
        .route("/evaluation/appeals/{id}", post(decide))
        .route("/ratings", get(public_page))
}

fn summary_ctx(s: &svc::Summary) -> Value {
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    context! {
        ratings => s.ratings,
        by_level => s.by_level.to_vec(),
        bad => s.bad,
        satisfaction => pct(s.satisfaction_rate),
        bad_rate => pct(s.bad_rate),
        avg => s.avg_rating.map_or_else(|| "—".to_string(), |v| format!("{v:.2}")),
    }
}

/// The public results (好差评公示): no sign-in, nobody named.
async fn public_page(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let date = |name: &str| -> AppResult<Option<chrono::NaiveDate>> {
        page.param(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    crate::error::AppError::bad_request(
                        name,
                        onewindow_core::Text::fixed(
                            "日期格式应为YYYY-MM-DD",
                            "dates are YYYY-MM-DD",
                        ),
                    )
                })
            })
            .transpose()
    };
    let q = svc::PublicQuery {
        hall_id: page.int_param("hall_id")?,
        department_id: page.int_param("department_id")?,
        matter: page.param("matter"),
        from: date("from")?,
        to: date("to")?,
    };
    let p = svc::publication(&state, &q, lang).await?;
    let line = |l: &svc::PublicLine| context! { id => l.id, name => l.name.clone(), s => summary_ctx(&l.summary) };
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "ratings_public.html",
        &format!("{} · {}", tr("ev.public", lang), p.title),
        context! {
            from => p.from.to_string(),
            to => p.to.to_string(),
            s => summary_ctx(&p.summary),
            levels => LEVELS.iter().map(|l| if lang == Lang::Zh { l.1 } else { l.2 }).collect::<Vec<_>>(),
            halls => p.halls.iter().map(line).collect::<Vec<_>>(),
            departments => p.departments.iter().map(line).collect::<Vec<_>>(),
            rectified => p.rectified.iter().map(|r| context! {
                rated => display(r.rated_at),
                closed => display(r.closed_at),
                level => level_name(r.level).map(|t| t.get(lang).to_string()),
                reason => r.reason.clone(),
                matter => r.matter_name.clone(),
                department => r.department_name.clone(),
                outcome => onewindow_core::evaluation::rectification::Outcome::parse(&r.outcome).map(|o| o.name().get(lang).to_string()),
                answer => r.measures.clone().or_else(|| r.explanation.clone()),
            }).collect::<Vec<_>>(),
        },
    ))
}

/// What the rating form needs: the levels, the sub-scores of the setting, the reasons offered.
pub(super) fn form_parts(setting: Setting, lang: Lang) -> Value {
    context! {
        levels => LEVELS.iter().map(|l| context! { level => l.0, name => if lang == Lang::Zh { l.1 } else { l.2 } }).collect::<Vec<_>>(),
        items => setting.scores().iter().map(|s| context! { code => s.0, name => if lang == Lang::Zh { s.1 } else { s.2 } }).collect::<Vec<_>>(),
        reasons => LOW_REASONS.to_vec(),
    }
}

/// A rating as the form posts it: `level`, `score_{item}` per sub-score, `reason` (chosen or
/// written), `comment`.
fn given(f: &PageForm, setting: Setting) -> AppResult<Given> {
    let mut scores = Scores::new();
    for (code, _, _) in setting.scores() {
        if let Some(v) = f.data.opt_int(&format!("score_{code}"))? {
            scores.insert((*code).to_string(), v);
        }
    }
    Ok(Given {
        level: f.data.int("level")?,
        scores,
        comment: f.data.opt("comment"),
        reason: f.data.opt("reason_other").or_else(|| f.data.opt("reason")),
    })
}

async fn link_page(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(None);
    let v = svc::link_view(&state, &origin, &token).await?;
    Ok(render(
        &state,
        &page,
        None,
        "rate.html",
        &tr("ev.rate_title", lang),
        context! {
            case_number => v.case_number,
            matter => v.matter_name,
            expires => display(v.expires_at),
            action => format!("/rate/{token}"),
            form => form_parts(Setting::Online, lang),
        },
    ))
}

async fn rate_by_link(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    Path(token): Path<String>,
    f: PageForm,
) -> AppResult<Response> {
    let lang = page.lang(None);
    let g = given(&f, Setting::Online)?;
    let receipt: svc::Receipt = svc::rate_by_link(&state, &origin, &token, g).await?.into();
    Ok(thanks(&state, &page, None, &receipt, lang))
}

fn thanks(
    state: &AppState,
    page: &PageCtx,
    auth: Option<&Auth>,
    r: &svc::Receipt,
    lang: Lang,
) -> Response {
    render(
        state,
        page,
        auth,
        "rate_done.html",
        &tr("ev.thanks", lang),
        context! {
            level => level_name(r.rating.level).map(|t| t.get(lang).to_string()),
            rectify_by => r.rectify_by.map(|d| d.to_string()),
            case_id => r.rating.case_id,
        },
    )
}

async fn rate_case(
    State(state): State<AppState>,
    page: PageCtx,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let lang = page.lang(Some(auth));
    let g = given(&f, Setting::Online)?;
    let receipt: svc::Receipt = svc::rate_case(&state, auth, id, g).await?.into();
    Ok(thanks(&state, &page, Some(auth), &receipt, lang))
}

/// A rating as the desk and its workbook show it.
#[derive(serde::Serialize)]
struct RatingLine {
    id: i64,
    at: String,
    level_name: String,
    bad: bool,
    channel: String,
    case_id: Option<i64>,
    case_number: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
    counted: bool,
}

fn rating_line(r: &Rating, lang: Lang) -> RatingLine {
    use onewindow_core::evaluation::rating::Channel;
    RatingLine {
        id: r.id,
        at: display(r.created_at),
        level_name: level_name(r.level)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_default(),
        bad: r.is_bad(),
        channel: Channel::parse(&r.channel)
            .map_or_else(|| r.channel.clone(), |c| c.name().get(lang).to_string()),
        case_id: r.case_id,
        case_number: r.case_number.clone(),
        reason: r.reason.clone(),
        comment: r.comment.clone(),
        counted: r.counted,
    }
}

/// A rectification as the desk, its page and the workbook show it.
#[derive(serde::Serialize)]
struct RectLine {
    id: i64,
    level_name: String,
    reason: Option<String>,
    case_id: Option<i64>,
    case_number: Option<String>,
    state: String,
    outcome: Option<String>,
    due_on: String,
    light: Option<&'static str>,
    light_name: Option<String>,
}

fn rect_line(r: &Rectification, lang: Lang, today: chrono::NaiveDate) -> RectLine {
    let light = r.light_on(today);
    RectLine {
        id: r.id,
        level_name: level_name(r.rating_level)
            .map(|t| t.get(lang).to_string())
            .unwrap_or_default(),
        reason: r.rating_reason.clone(),
        case_id: r.case_id,
        case_number: r.case_number.clone(),
        state: r.progress.state.name().get(lang).to_string(),
        outcome: r.progress.outcome.map(|o| o.name().get(lang).to_string()),
        due_on: r.due_on.to_string(),
        light: light.map(|l| l.code()),
        light_name: light.map(|l| l.name().get(lang).to_string()),
    }
}

/// The evaluation desk: the ratings the reader may see (bad ones unless `all=1`), the open
/// rectifications (by light with `light=`), and the appeals awaiting a decision.
async fn desk(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let a = &auth.actor;
    let all = page.param("all").is_some_and(|v| v == "1");
    // The service refuses whoever may see no ratings.
    let ratings = svc::ratings(&state, &auth, !all).await?;
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    let rects = if a.has(Permission::Rectify) || a.has(Permission::Supervise) {
        let light = page.param("light");
        svc::rectifications(
            &state,
            &auth,
            page.param("state").as_deref(),
            light.as_deref(),
        )
        .await?
    } else {
        Vec::new()
    };
    let appeals = if a.has(Permission::ReviewRatings) {
        svc::appeals(&state, &auth, true).await?
    } else {
        Vec::new()
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "evaluation.html",
        &tr("nav.evaluation", lang),
        context! {
            all => all,
            ratings => ser(ratings.iter().map(|r| rating_line(r, lang)).collect::<Vec<_>>()),
            may_appeal => a.has(Permission::Appeal),
            sees_rectifications => a.has(Permission::Rectify) || a.has(Permission::Supervise),
            rectifications => ser(rects.iter().map(|r| rect_line(r, lang, today)).collect::<Vec<_>>()),
            reviews => a.has(Permission::ReviewRatings),
            complaints => a.has(Permission::ReviewRatings) || a.has(Permission::Rectify),
            appeals => appeals.iter().map(|x| context! {
                id => x.id,
                rating_id => x.rating_id,
                reason => x.reason.clone(),
                by => x.appealed_by_name.clone(),
                at => display(x.appealed_at),
                version => x.version,
            }).collect::<Vec<_>>(),
        },
    ))
}

async fn rectification_page(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let v = svc::rectification(&state, &auth, id).await?;
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    let p = &v.rectification.progress;
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
        "rectification.html",
        &format!("{} #{}", tr("ev.rectification", lang), id),
        context! {
            r => ser(rect_line(&v.rectification, lang, today)),
            comment => v.rectification.rating_comment.clone(),
            version => v.rectification.version,
            finding => p.finding.clone(),
            founded => p.founded,
            measures => p.measures.clone(),
            explanation => p.explanation.clone(),
            attempts => p.callback_attempts,
            callback_note => p.callback_note.clone(),
            re_level => p.re_level.and_then(level_name).map(|t| t.get(lang).to_string()),
            re_comment => p.re_comment.clone(),
            may_name => v.may.as_ref().map(|m| tr(&format!("ev.act.{m}"), lang)),
            may => v.may.clone(),
            may_urge => auth.actor.has(Permission::Urge) && v.rectification.progress.state.is_open(),
            urge_count => v.rectification.urge_count,
            rater => v.rater.as_ref().map(|r| context! { name => r.name.clone(), phone => r.phone.clone(), email => r.email.clone() }),
            log => v.log.iter().map(|l| context! {
                at => display(l.at),
                action => tr(&format!("ev.act.{}", l.action), lang),
                state => l.state.name().get(lang).to_string(),
                actor => who.name(&l.actor_name, None),
                note => l.note.clone(),
            }).collect::<Vec<_>>(),
            form => form_parts(Setting::Online, lang),
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
        "verify" => Action::Verify {
            finding: d.text("finding"),
            founded: d.text("founded") == "1",
        },
        "rectify" => Action::Rectify {
            measures: d.text("measures"),
        },
        "explain" => Action::Explain {
            explanation: d.text("explanation"),
        },
        "call_back" => Action::CallBack {
            reached: d.text("reached") == "1",
            note: d.text("note"),
        },
        "re_evaluate" => Action::ReEvaluate {
            level: d.int("level")?,
            comment: d.opt("comment"),
        },
        _ => {
            return Err(super::widgets::unknown_action());
        }
    };
    svc::act(&state, auth, id, d.int("version")?, action).await?;
    Ok(saved(&format!("/evaluation/rectifications/{id}")))
}

async fn urge(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::urge(&state, auth, id, &f.data.text("message")).await?;
    Ok(saved(&format!("/evaluation/rectifications/{id}")))
}

async fn appeal(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::appeal(
        &state,
        auth,
        id,
        AppealInput {
            reason: f.data.text("reason"),
        },
    )
    .await?;
    Ok(saved("/evaluation"))
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::decide(
        &state,
        auth,
        id,
        AppealDecision {
            upheld: f.data.text("upheld") == "1",
            note: f.data.text("note"),
            version: f.data.int("version")?,
        },
    )
    .await?;
    Ok(saved("/evaluation"))
}

/// The desk as a workbook: the ratings the reader may see (all levels) and the rectifications
/// in scope (open and closed), nobody named.
async fn desk_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let ratings = svc::ratings(&state, &auth, false).await?;
    let a = &auth.actor;
    let mut rects = Vec::new();
    if a.has(Permission::Rectify) || a.has(Permission::Supervise) {
        rects = svc::rectifications(&state, &auth, None, None).await?;
        rects.extend(svc::rectifications(&state, &auth, Some("closed"), None).await?);
    }
    let h = |keys: &[&str]| keys.iter().map(|k| tr(k, lang)).collect::<Vec<_>>();
    let rating_headers = h(&[
        "ev.rated_at",
        "ev.level",
        "ev.channel",
        "ev.reason",
        "ev.comment",
        "case.number",
        "ev.counted",
    ]);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let rating_rows: Vec<Vec<String>> = ratings
        .iter()
        .map(|r| {
            let l = rating_line(r, lang);
            vec![
                l.at,
                l.level_name,
                l.channel,
                text(&l.reason),
                text(&l.comment),
                l.case_id.map(|c| c.to_string()).unwrap_or_default(),
                if l.counted { "是" } else { "否" }.into(),
            ]
        })
        .collect();
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    let rect_headers = h(&[
        "ev.rectification",
        "ev.level",
        "ev.reason",
        "case.number",
        "field.state",
        "ev.due",
        "ev.light",
    ]);
    let rect_rows: Vec<Vec<String>> = rects
        .iter()
        .map(|r| {
            let l = rect_line(r, lang, today);
            vec![
                l.id.to_string(),
                l.level_name,
                text(&l.reason),
                text(&l.case_number),
                l.state,
                l.due_on,
                text(&l.light_name),
            ]
        })
        .collect();
    let (n1, n2) = (tr("ev.ratings", lang), tr("ev.rectifications", lang));
    super::export::xlsx_book(
        "evaluation.xlsx",
        &[
            super::export::Sheet {
                name: &n1,
                headers: &rating_headers,
                rows: &rating_rows,
            },
            super::export::Sheet {
                name: &n2,
                headers: &rect_headers,
                rows: &rect_rows,
            },
        ],
    )
}
