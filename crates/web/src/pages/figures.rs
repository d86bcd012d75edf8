//! The figures pages (统计分析): any period and slice, with the trend by month (or day) and a
//! ranking as server-drawn charts, exports to Excel and CSV, and the printable monthly report.

use super::charts;
use super::export::xlsx;
use super::widgets::ser;
use super::{PageCtx, render};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::tr;
use crate::service::figures::{self as svc, FigureParams, Group, Report};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use minijinja::{Value, context};
use onewindow_core::supervision::figures::{Figures, next_month};
use onewindow_core::time::local_date;
use onewindow_core::{Lang, Text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/supervision/figures", get(figures))
        .route("/supervision/figures.xlsx", get(figures_xlsx))
        .route("/supervision/figures.csv", get(figures_csv))
        .route("/supervision/report", get(monthly_report))
}

/// The figures in the order docs/KPIS.md gives them: label key and value as shown.
fn rows(f: &Figures) -> Vec<(&'static str, String)> {
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    let one = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}"));
    vec![
        ("kpi.received", f.received.to_string()),
        ("kpi.accepted", f.accepted.to_string()),
        ("kpi.concluded", f.concluded.to_string()),
        ("kpi.carried", f.carried.to_string()),
        ("kpi.due", f.due.to_string()),
        ("kpi.due_concluded", f.due_concluded.to_string()),
        ("kpi.conclusion_rate", pct(f.conclusion_rate)),
        ("kpi.on_time_rate", pct(f.on_time_rate)),
        ("kpi.overdue", f.overdue.to_string()),
        ("kpi.avg_used_days", one(f.avg_used_days)),
        ("kpi.on_spot_rate", pct(f.on_spot_rate)),
        ("kpi.online_rate", pct(f.online_rate)),
        ("kpi.no_visit_rate", pct(f.no_visit_rate)),
        ("kpi.one_visit_rate", pct(f.one_visit_rate)),
        ("kpi.avg_wait", one(f.avg_wait_minutes)),
        ("kpi.satisfaction_rate", pct(f.satisfaction_rate)),
        ("kpi.bad_rate", pct(f.bad_rate)),
        ("kpi.ratings", f.ratings.to_string()),
    ]
}

/// The columns of the ranking table on the page and in the printed report: what fits a 1280 px
/// screen beside a department's name. The exports carry every figure.
const TABLE: [&str; 9] = [
    "kpi.accepted",
    "kpi.due",
    "kpi.conclusion_rate",
    "kpi.concluded",
    "kpi.carried",
    "kpi.on_time_rate",
    "kpi.overdue",
    "kpi.avg_used_days",
    "kpi.satisfaction_rate",
];

/// A figure's definition, as docs/KPIS.md gives it (`kpi.def.*`).
fn definition(key: &str, lang: Lang) -> String {
    tr(&key.replacen("kpi.", "kpi.def.", 1), lang)
}

/// The figures as tiles with their definitions (a tooltip and a numbered note).
fn tiles(f: &Figures, lang: Lang) -> Vec<Value> {
    rows(f)
        .into_iter()
        .enumerate()
        .map(|(i, (k, value))| {
            context! { label => tr(k, lang), value, note => i + 1, def => definition(k, lang) }
        })
        .collect()
}

/// Column headers with their definitions: every figure (`all`) or the page's table.
fn headers(lang: Lang, first: &str, all: bool) -> Vec<(String, String)> {
    let mut h = vec![(tr(first, lang), String::new())];
    h.extend(
        rows(&Figures::default())
            .into_iter()
            .filter(|(k, _)| all || TABLE.contains(k))
            .map(|(k, _)| (tr(k, lang), definition(k, lang))),
    );
    h
}

fn table(groups: &[Group], all: bool) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            let mut r = vec![g.name.clone()];
            r.extend(
                rows(&g.figures)
                    .into_iter()
                    .filter(|(k, _)| all || TABLE.contains(k))
                    .map(|(_, v)| v),
            );
            r
        })
        .collect()
}

fn header_cells(h: Vec<(String, String)>) -> Vec<Value> {
    h.into_iter()
        .map(|(label, def)| context! { label, def })
        .collect()
}

/// The page's parameters: the API's, with this year to date when no period is given, and the
/// ranking's grouping (`rank`, default department) beside the trend's.
fn params(page: &PageCtx) -> AppResult<(FigureParams, FigureParams)> {
    let today = local_date(crate::service::cases::now());
    let from = page
        .param("from")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("{}-01-01", today.year()));
    let to = page
        .param("to")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| today.to_string());
    let base = FigureParams {
        from: Some(from),
        to: Some(to),
        region: page.param("region"),
        department_id: page.int_param("department_id")?,
        window_id: page.int_param("window_id")?,
        clerk_id: page.int_param("clerk_id")?,
        matter: page.param("matter"),
        channel: page.param("channel"),
        by: None,
    };
    let period = base.period()?;
    let trend = FigureParams {
        by: Some(if (period.to - period.from).num_days() <= 62 {
            "day".into()
        } else {
            "month".into()
        }),
        ..base.clone()
    };
    let rank = FigureParams {
        by: Some(
            page.param("rank")
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "department".into()),
        ),
        ..base
    };
    Ok((trend, rank))
}

fn trend_chart(r: &Report, lang: Lang) -> String {
    let labels: Vec<String> = r.groups.iter().map(|g| g.key.clone()).collect();
    charts::columns(
        "chart-trend",
        &tr("kpi.trend", lang),
        &labels,
        &[
            (
                &tr("kpi.received", lang),
                "#2563eb",
                r.groups
                    .iter()
                    .map(|g| g.counters.received as f64)
                    .collect(),
            ),
            (
                &tr("kpi.concluded", lang),
                "#16a34a",
                r.groups
                    .iter()
                    .map(|g| g.counters.concluded as f64)
                    .collect(),
            ),
        ],
    )
}

fn ranking_chart(groups: &[Group], lang: Lang) -> String {
    let mut items: Vec<(String, f64)> = groups
        .iter()
        .filter_map(|g| g.figures.on_time_rate.map(|v| (g.name.clone(), v)))
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    items.truncate(20);
    charts::ranking(
        "chart-ranking",
        &tr("kpi.on_time_rate", lang),
        &items,
        "%",
        "#16a34a",
    )
}

async fn figures(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (trend_p, rank_p) = params(&page)?;
    let trend = svc::report(&state, &auth, &trend_p).await?;
    let rank = svc::groups(&state, &auth, &rank_p).await?;
    let kpis = tiles(&trend.figures, lang);
    let query = page.query.clone();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "figures.html",
        &tr("kpi.title", lang),
        context! {
            filter => ser(&rank_p),
            choices => super::supervision::choices(&state, &auth, lang).await?,
            ranks => ["department", "window", "clerk", "matter", "channel", "region"].into_iter().map(|k| context! { value => k, label => tr(&format!("kpi.by.{k}"), lang) }).collect::<Vec<_>>(),
            kpis => kpis,
            trend_svg => Value::from_safe_string(trend_chart(&trend, lang)),
            ranking_svg => Value::from_safe_string(ranking_chart(&rank, lang)),
            headers => header_cells(headers(lang, &format!("kpi.by.{}", rank_p.by.clone().unwrap_or_default()), false)),
            table => table(&rank, false),
            counted_to => trend.counted_to.to_string(),
            xlsx => format!("/supervision/figures.xlsx?{query}"),
            csv => format!("/supervision/figures.csv?{query}"),
        },
    ))
}

async fn export_rows(
    state: &AppState,
    page: &PageCtx,
    auth: &Auth,
) -> AppResult<(Vec<String>, Vec<Vec<String>>)> {
    let lang = page.lang(Some(auth));
    let (_, rank_p) = params(page)?;
    let r = svc::report(state, auth, &rank_p).await?;
    let mut rows = table(&r.groups, true);
    let mut total = vec![tr("kpi.total", lang)];
    total.extend(self::rows(&r.figures).into_iter().map(|(_, v)| v));
    rows.push(total);
    Ok((
        headers(
            lang,
            &format!("kpi.by.{}", rank_p.by.unwrap_or_default()),
            true,
        )
        .into_iter()
        .map(|(h, _)| h)
        .collect(),
        rows,
    ))
}

async fn figures_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (h, rows) = export_rows(&state, &page, &auth).await?;
    xlsx("figures.xlsx", &tr("kpi.title", lang), &h, &rows)
}

async fn figures_csv(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let (h, rows) = export_rows(&state, &page, &auth).await?;
    let mut out = Vec::new();
    // A byte-order mark, so that Excel opens the Chinese text as UTF-8.
    out.extend_from_slice("\u{feff}".as_bytes());
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record(&h);
        for r in &rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"figures.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// The monthly report (月报), for printing: the month's figures, its days, and the figures by
/// department and by window. Last month unless `month=YYYY-MM` says otherwise.
async fn monthly_report(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let today = local_date(crate::service::cases::now());
    let first = match page.param("month").filter(|v| !v.is_empty()) {
        Some(m) => NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").map_err(|_| {
            AppError::bad_request(
                "month",
                Text::new(
                    format!("“{m}”不是 YYYY-MM 格式的月份"),
                    format!("'{m}' is not a YYYY-MM month"),
                ),
            )
        })?,
        None => {
            let this = today.with_day(1).unwrap_or(today);
            this.pred_opt().and_then(|d| d.with_day(1)).unwrap_or(this)
        }
    };
    let last = next_month(first).pred_opt().unwrap_or(first);
    let base = FigureParams {
        from: Some(first.to_string()),
        to: Some(last.to_string()),
        ..Default::default()
    };
    let by = |k: &str| FigureParams {
        by: Some(k.into()),
        ..base.clone()
    };
    let days = svc::report(&state, &auth, &by("day")).await?;
    let depts = svc::groups(&state, &auth, &by("department")).await?;
    let windows = svc::groups(&state, &auth, &by("window")).await?;
    let kpis = tiles(&days.figures, lang);
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "figures_report.html",
        &format!(
            "{}年{}月 {}",
            first.year(),
            first.month(),
            tr("kpi.monthly", lang)
        ),
        context! {
            month => format!("{:04}-{:02}", first.year(), first.month()),
            from => first.to_string(),
            to => last.to_string(),
            kpis => kpis,
            trend_svg => Value::from_safe_string(trend_chart(&days, lang)),
            dept_headers => header_cells(headers(lang, "kpi.by.department", false)),
            depts => table(&depts, false),
            window_headers => header_cells(headers(lang, "kpi.by.window", false)),
            windows => table(&windows, false),
        },
    ))
}
