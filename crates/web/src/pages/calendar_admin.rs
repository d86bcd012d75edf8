//! Administration of the case engine's clock and flows: the calendar's years (enter next year's
//! holidays when the State Council publishes them), the case rules, and a matter's review flow.

use super::widgets::{checkboxes, form, input, row};
use super::{PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::tr;
use crate::service::calendar as cal_svc;
use crate::service::cases as case_svc;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::calendar::{Holiday, YearArrangement};
use onewindow_core::case::rules::{MatterLight, Rules};
use onewindow_core::case::workflow::{Stage, Workflow};
use onewindow_core::identity::Role;
use onewindow_core::{FieldError, Text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(calendar))
        .route("/admin/calendar/years", post(save_year))
        .route("/admin/calendar/rules", post(save_rules))
        .route(
            "/admin/catalog/{code}/workflow",
            get(workflow).post(save_workflow),
        )
}

/// "2026-10-01 国庆节" per line.
fn holiday_lines(y: &YearArrangement) -> String {
    y.holidays
        .iter()
        .map(|h| format!("{} {}", h.date, h.name))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_date(field: &str, s: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        FieldError::new(
            field,
            Text::new(
                format!("“{s}”不是 YYYY-MM-DD 格式的日期"),
                format!("'{s}' is not a YYYY-MM-DD date"),
            ),
        )
        .into()
    })
}

/// Reads a year back from the two text boxes.
pub fn parse_year(year: i32, holidays: &str, workdays: &str) -> AppResult<YearArrangement> {
    let mut out = YearArrangement {
        year,
        holidays: Vec::new(),
        workdays: Vec::new(),
    };
    for (i, line) in holidays.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        let (d, name) = line
            .split_once([' ', '\t', '，', ','])
            .unwrap_or((line, ""));
        out.holidays.push(Holiday {
            date: parse_date(&format!("holidays[{}]", i + 1), d)?,
            name: name.trim().to_string(),
        });
    }
    for (i, line) in workdays.lines().map(str::trim).enumerate() {
        if !line.is_empty() {
            out.workdays
                .push(parse_date(&format!("workdays[{}]", i + 1), line)?);
        }
    }
    Ok(out)
}

fn rules_form(r: &Rules, lang: onewindow_core::Lang) -> Value {
    let n = |name: &str, key: &str, v: i64| input(name, tr(key, lang), "number", v, true);
    form(
        "rules-form",
        tr("calendar.rules", lang),
        "/admin/calendar/rules".into(),
        tr("form.save", lang),
        vec![
            n(
                "completeness_days",
                "rules.completeness_days",
                r.completeness_days,
            ),
            n("extension_days", "rules.extension_days", r.extension_days),
            n(
                "joint_extension_days",
                "rules.joint_extension_days",
                r.joint_extension_days,
            ),
            n("delivery_days", "rules.delivery_days", r.delivery_days),
            n("yellow_days", "rules.yellow_days", r.yellow_days),
            n("yellow_percent", "rules.yellow_percent", r.yellow_percent),
            input(
                "matter_lights",
                tr("rules.matter_lights", lang),
                "textarea",
                r.matter_lights
                    .iter()
                    .map(|m| format!("{} {} {}", m.matter_code, m.yellow_days, m.yellow_percent))
                    .collect::<Vec<_>>()
                    .join("\n"),
                false,
            ),
            n(
                "urge_reminder_days",
                "rules.urge_reminder_days",
                r.urge.reminder_days,
            ),
            n(
                "urge_yellow_card_days",
                "rules.urge_yellow_card_days",
                r.urge.yellow_card_days,
            ),
            n(
                "urge_red_card_days",
                "rules.urge_red_card_days",
                r.urge.red_card_days,
            ),
            n(
                "eval_rectify_days",
                "rules.eval_rectify_days",
                r.evaluation.rectify_days,
            ),
            n(
                "eval_link_days",
                "rules.eval_link_days",
                r.evaluation.link_days,
            ),
            n(
                "eval_rate_days",
                "rules.eval_rate_days",
                r.evaluation.rate_days,
            ),
            n(
                "eval_appeal_days",
                "rules.eval_appeal_days",
                r.evaluation.appeal_days,
            ),
            n(
                "eval_complaint_accept_days",
                "rules.eval_complaint_accept_days",
                r.evaluation.complaint_accept_days,
            ),
            n(
                "eval_complaint_days",
                "rules.eval_complaint_days",
                r.evaluation.complaint_days,
            ),
            n("max_upload_mib", "rules.max_upload_mib", r.max_upload_mib),
            input(
                "upload_types",
                tr("rules.upload_types", lang),
                "text",
                r.upload_types.join(","),
                true,
            ),
            input(
                "online_closes",
                tr("rules.online_closes", lang),
                "time",
                r.online_closes.clone(),
                true,
            ),
        ],
    )
}

async fn calendar(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::CalendarWrite)?;
    let s = case_svc::settings(&state).await?;
    let years: Vec<Value> = s
        .years
        .iter()
        .rev()
        .map(|y| {
            context! {
                year => y.year,
                holidays => y.holidays.len(),
                workdays => y.workdays.iter().map(|d| d.format("%m-%d").to_string()).collect::<Vec<_>>().join("、"),
            }
        })
        .collect();
    let next = s.years.iter().map(|y| y.year).max().map_or(2027, |y| y + 1);
    let wanted = match page.param("year") {
        Some(y) => y.parse::<i32>().map_err(|_| {
            AppError::bad_request("year", Text::fixed("应为年份", "must be a year"))
        })?,
        None => next,
    };
    let editing = match s.years.iter().find(|y| y.year == wanted) {
        Some(y) => context! {
            title => format!("{}{}", y.year, tr("calendar.edit", lang)),
            year => y.year,
            holidays => holiday_lines(y),
            workdays => y.workdays.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("\n"),
        },
        None => context! {
            title => format!("{}{}", wanted, tr("calendar.enter", lang)),
            year => wanted, holidays => "", workdays => "",
        },
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "calendar_admin.html",
        &tr("nav.calendar", lang),
        context! { years => years, editing => editing, form => rules_form(&s.rules, lang) },
    ))
}

async fn save_year(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let year = i32::try_from(f.data.int("year")?)
        .map_err(|_| AppError::bad_request("year", Text::fixed("应为年份", "must be a year")))?;
    let y = parse_year(year, &f.data.raw("holidays"), &f.data.raw("workdays"))?;
    cal_svc::save_year(&state, auth, year, y).await?;
    Ok(saved(&format!("/admin/calendar?year={year}")))
}

async fn save_rules(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let r = Rules {
        completeness_days: f.data.int("completeness_days")?,
        extension_days: f.data.int("extension_days")?,
        joint_extension_days: f.data.int("joint_extension_days")?,
        delivery_days: f.data.int("delivery_days")?,
        yellow_days: f.data.int("yellow_days")?,
        yellow_percent: f.data.int("yellow_percent")?,
        matter_lights: parse_matter_lights(&f.data.raw("matter_lights"))?,
        urge: onewindow_core::supervision::urge::UrgeRule {
            reminder_days: f.data.int("urge_reminder_days")?,
            yellow_card_days: f.data.int("urge_yellow_card_days")?,
            red_card_days: f.data.int("urge_red_card_days")?,
        },
        evaluation: onewindow_core::evaluation::rectification::EvaluationRule {
            rectify_days: f.data.int("eval_rectify_days")?,
            link_days: f.data.int("eval_link_days")?,
            rate_days: f.data.int("eval_rate_days")?,
            appeal_days: f.data.int("eval_appeal_days")?,
            complaint_accept_days: f.data.int("eval_complaint_accept_days")?,
            complaint_days: f.data.int("eval_complaint_days")?,
        },
        max_upload_mib: f.data.int("max_upload_mib")?,
        upload_types: f
            .data
            .text("upload_types")
            .split([',', '，', ' ', '、'])
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
        online_closes: f.data.text("online_closes"),
    };
    cal_svc::save_rules(&state, auth, r).await?;
    Ok(saved("/admin/calendar"))
}

/// The matters' own yellow rules, one per line: "code days percent" (e.g. `FW0101 3 20`).
fn parse_matter_lights(text: &str) -> AppResult<Vec<MatterLight>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).enumerate() {
        if line.is_empty() {
            continue;
        }
        let field = format!("matter_lights[{}]", i + 1);
        let parts: Vec<&str> = line.split_whitespace().collect();
        let number = |s: &str| s.trim_end_matches(['%', '％']).parse::<i64>().ok();
        match parts.as_slice() {
            [code, days, percent] => match (number(days), number(percent)) {
                (Some(d), Some(p)) => out.push(MatterLight {
                    matter_code: code.to_string(),
                    yellow_days: d,
                    yellow_percent: p,
                }),
                _ => {
                    return Err(FieldError::new(
                        field,
                        Text::fixed("天数和比例应为整数", "days and share must be whole numbers"),
                    )
                    .into());
                }
            },
            _ => {
                return Err(FieldError::new(
                    field,
                    Text::fixed(
                        "每行应为“事项编码 天数 比例”",
                        "each line must be 'matter-code days percent'",
                    ),
                )
                .into());
            }
        }
    }
    Ok(out)
}

const STAGE_ROWS: usize = 5;

async fn workflow(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let m = state
        .store
        .matter_by_code(&code.to_ascii_uppercase())
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    let promised = crate::service::catalog::view(&state)
        .await?
        .guide(&m.code)
        .map_or(0, |g| g.guide.promised_days);
    let flow = state
        .store
        .workflow(m.id)
        .await?
        .unwrap_or_else(|| Workflow::default_for(promised));
    let depts: Vec<(String, String)> = state
        .store
        .departments(&Default::default())
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id.to_string(), d.name))
        .collect();
    let name_of = |id: i64| {
        depts
            .iter()
            .find(|(d, _)| *d == id.to_string())
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let rows: Vec<Value> = flow
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let who = if s.departments.is_empty() {
                tr("workflow.own_department", lang)
            } else {
                s.departments
                    .iter()
                    .map(|d| name_of(*d))
                    .collect::<Vec<_>>()
                    .join("、")
            };
            row(
                None,
                vec![
                    (i + 1).to_string(),
                    s.name.clone(),
                    s.days.to_string(),
                    s.role.name().get(lang).to_string(),
                    who,
                ],
                true,
            )
        })
        .collect();
    let mut fields = vec![input(
        "joint",
        tr("workflow.joint", lang),
        "checkbox",
        flow.joint,
        false,
    )];
    for i in 0..STAGE_ROWS {
        let s = flow.stages.get(i);
        fields.push(input(
            &format!("name{i}"),
            format!("{} {}", tr("workflow.stage", lang), i + 1),
            "text",
            s.map_or(String::new(), |s| s.name.clone()),
            false,
        ));
        fields.push(input(
            &format!("days{i}"),
            tr("workflow.days", lang),
            "number",
            s.map_or(String::new(), |s| s.days.to_string()),
            false,
        ));
        fields.push(input(
            &format!("leader{i}"),
            tr("workflow.by_leader", lang),
            "checkbox",
            s.is_some_and(|s| s.role == Role::Leader),
            false,
        ));
        let chosen: Vec<String> = s
            .map(|s| s.departments.iter().map(i64::to_string).collect())
            .unwrap_or_default();
        fields.push(checkboxes(
            &format!("departments{i}"),
            tr("workflow.departments", lang),
            depts.clone(),
            &chosen,
            false,
        ));
    }
    let may_edit = auth.actor.has(Permission::CatalogWrite);
    let columns = [
        "workflow.order",
        "workflow.stage",
        "workflow.days",
        "workflow.role",
        "workflow.departments",
    ]
    .map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &format!("{}：{}", tr("workflow.title", lang), m.name),
        context! {
            intro => format!("{}{}{}", tr("workflow.intro", lang), promised, tr("guide.days", lang)),
            columns => columns,
            rows => rows,
            form => may_edit.then(|| form("workflow-form", tr("form.edit", lang), format!("/admin/catalog/{}/workflow", m.code), tr("form.save", lang), fields)),
        },
    ))
}

async fn save_workflow(
    State(state): State<AppState>,
    Path(code): Path<String>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    auth.actor.require(Permission::CatalogWrite)?;
    let m = state
        .store
        .matter_by_code(&code.to_ascii_uppercase())
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    let mut stages = Vec::new();
    for i in 0..STAGE_ROWS {
        let name = f.data.text(&format!("name{i}"));
        if name.is_empty() {
            continue;
        }
        stages.push(Stage {
            name,
            days: f.data.int(&format!("days{i}"))?,
            role: if f.data.flag(&format!("leader{i}")) {
                Role::Leader
            } else {
                Role::Approver
            },
            departments: f.data.ints(&format!("departments{i}"))?,
        });
    }
    let w = Workflow {
        stages,
        joint: f.data.flag("joint"),
    };
    crate::service::workflows::save(&state, auth, &m, w).await?;
    Ok(saved(&format!("/admin/catalog/{}/workflow", m.code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_reads_back_from_its_text() {
        let y = parse_year(2027, "2027-01-01 元旦\n\n2027-02-06，春节", "2027-02-14").unwrap();
        assert_eq!(y.holidays.len(), 2);
        assert_eq!(y.holidays[1].name, "春节");
        assert_eq!(y.workdays.len(), 1);
        let e = parse_year(2027, "2027-02-30 春节", "").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("holidays[1]"));
    }
}
