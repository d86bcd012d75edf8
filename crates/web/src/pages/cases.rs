//! Case pages: the list and its Excel export, one case with its clock, steps, history and the
//! forms of the actions open to the reader, printable notices, application forms (online, at a
//! window, by an agent, a bundle), batch intake, the workbench and the public progress look-up.

use super::export::xlsx;
use super::widgets::{form, input, ser};
use super::{PageCtx, PageForm, render, saved};
use crate::auth::{Auth, CSRF_FIELD, MaybeAuth, Origin, check_origin, same};
use crate::error::{AppError, AppResult};
use crate::extract::{MultipartForm, read_multipart};
use crate::i18n::tr;
use crate::service::cases::{self as svc, BatchInput, BundleInput, CaseLine, ListParams};
use crate::service::uploads::BODY_LIMIT;
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::case::apply::ApplicationInput;
use onewindow_core::case::clock::{ClockKind, Light, Reading};
use onewindow_core::case::machine::Action;
use onewindow_core::case::materials;
use onewindow_core::case::*;
use onewindow_core::licence::kind::FieldSource;
use onewindow_core::licence::{Licence, LicenceKind};
use onewindow_core::time::date_zh;
use onewindow_core::time::display;
use onewindow_core::{Lang, Text};
use onewindow_store::CaseFile;

pub fn router() -> Router<AppState> {
    let uploads = Router::new()
        .route("/apply/{code}", get(apply_form).post(apply))
        .route(
            "/bundles/apply/{topic}",
            get(bundle_form).post(apply_bundle),
        )
        .route("/cases/{id}/files", post(upload))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    Router::new()
        .route("/cases", get(list))
        .route("/cases.xlsx", get(list_xlsx))
        .route("/cases/{id}", get(case))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/print/{kind}", get(print))
        .route("/files/{id}", get(download))
        .route("/intake", get(intake_form).post(intake))
        .route("/batches/new", get(batch_form))
        .route("/batches", post(batch))
        .route("/batches/{id}/accept", post(batch_accept))
        .route("/workbench", get(workbench))
        .route("/progress", get(progress))
        .merge(uploads)
}

pub(super) fn light_class(l: Option<Light>) -> &'static str {
    l.map_or("none", Light::code)
}

pub(super) fn light_name(l: Option<Light>, lang: Lang) -> String {
    match l {
        Some(l) => l.name().get(lang).to_string(),
        None => "—".into(),
    }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

/// The case page's clocks side by side, each labelled with what it measures: the handling
/// clock (or, once decided, whether the decision came on time), the current step's own clock
/// (the most pressed active step), the delivery clock once decided. One reading each, so the
/// header and the steps never disagree.
fn clock_tiles(
    v: &svc::CaseView,
    departments: &std::collections::HashMap<i64, String>,
    lang: Lang,
) -> Vec<Value> {
    let tile = |id: &str, label: String, r: Option<Reading>, note: String| {
        context! {
            id => id,
            label => label,
            light => light_class(r.map(|r| r.light)),
            light_name => r.map(|r| r.light.name().get(lang).to_string()),
            due => r.map(|r| r.due.to_string()),
            provisional => r.is_some_and(|r| r.provisional),
            left => r.map(|r| {
                if r.left < 0 {
                    format!("{} {} {}", tr("case.overdue_by", lang), -r.left, tr("guide.days", lang))
                } else if r.left == 0 {
                    tr("case.due_today", lang)
                } else {
                    format!("{} {} {}", tr("case.left_short", lang), r.left, tr("guide.days", lang))
                }
            }),
            note => note,
        }
    };
    let c = &v.dossier.case;
    let mut out = Vec::new();
    let handling = ClockKind::Handling.name().get(lang).to_string();
    match (v.clock.handling, v.clock.on_time) {
        (Some(r), _) if v.clock.paused => out.push(tile(
            "clock-handling",
            handling,
            None,
            format!(
                "{} · {} {}",
                tr("case.clock_paused", lang),
                tr("case.due", lang),
                r.due
            ),
        )),
        (Some(r), _) => out.push(tile("clock-handling", handling, Some(r), String::new())),
        (None, Some(on_time)) => out.push(tile(
            "clock-handling",
            handling,
            None,
            format!(
                "{} {} · {}",
                tr("case.decided_on", lang),
                c.decided_on.map(|d| d.to_string()).unwrap_or_default(),
                tr(
                    if on_time {
                        "case.decided_on_time"
                    } else {
                        "case.decided_late"
                    },
                    lang
                )
            ),
        )),
        _ => {}
    }
    let step = v
        .dossier
        .steps
        .iter()
        .filter_map(|s| {
            v.step_readings
                .iter()
                .find(|(id, _)| *id == s.id)
                .and_then(|(_, r)| *r)
                .map(|r| (s, r))
        })
        .min_by_key(|(_, r)| r.left);
    if let Some((s, r)) = step {
        let dept = departments
            .get(&s.department_id)
            .cloned()
            .unwrap_or_default();
        out.push(tile(
            "clock-step",
            format!("{}（{} · {}）", tr("case.step_clock", lang), s.name, dept),
            Some(r),
            String::new(),
        ));
    }
    if let Some(r) = v.clock.delivery {
        out.push(tile(
            "clock-delivery",
            ClockKind::Delivery.name().get(lang).to_string(),
            Some(r),
            String::new(),
        ));
    }
    out
}

fn uploaded_names(files: &[CaseFile]) -> Vec<String> {
    files.iter().map(|f| f.material.clone()).collect()
}

/// The case's materials as its page shows them: present and how (uploaded, received on paper by
/// whom and when, held by the platform), or not yet.
fn material_rows(d: &Dossier, files: &[CaseFile], lang: Lang) -> Vec<Value> {
    let uploaded = uploaded_names(files);
    d.case
        .materials
        .iter()
        .map(|m| {
            let p = materials::presence(m, &uploaded);
            let how = match (p, &m.received) {
                (Some(materials::Presence::Paper), Some(r)) => format!(
                    "{}（{} {}）",
                    materials::Presence::Paper.name().get(lang),
                    r.by_name,
                    display(r.at)
                ),
                (Some(materials::Presence::Licence), _) => match &m.licence {
                    Some(u) => format!(
                        "{}（{} {}{}）",
                        materials::Presence::Licence.name().get(lang),
                        u.kind,
                        u.number,
                        u.consent_by
                            .as_ref()
                            .map(|c| format!("，{c}{}", tr("case.licence_consent_by", lang)))
                            .unwrap_or_default()
                    ),
                    None => materials::Presence::Licence.name().get(lang).to_string(),
                },
                (Some(p), _) => p.name().get(lang).to_string(),
                (None, _) if m.required => tr("case.material_missing", lang),
                (None, _) => tr("case.material_conditional", lang),
            };
            context! {
                name => m.name.clone(),
                present => p.is_some(),
                required => m.required,
                how => how,
                code => p.map_or("missing", |p| p.code()),
            }
        })
        .collect()
}

/// A reading's light as a list shows it: the light alone for the handling clock, with the
/// clock's name for the others ("送达时限 临近超期"), so that no reader takes a delivery clock
/// for the case's.
pub(super) fn reading_name(r: Option<Reading>, lang: Lang) -> String {
    match r {
        None => "—".into(),
        Some(r) if r.kind == ClockKind::Handling => r.light.name().get(lang).to_string(),
        Some(r) => format!("{} {}", r.kind.name().get(lang), r.light.name().get(lang)),
    }
}

/// The working days left as a list shows them: "3", or "超期 2" once past.
pub(super) fn left_text(r: Option<Reading>, lang: Lang) -> String {
    match r {
        None => "—".into(),
        Some(r) if r.left < 0 => format!("{} {}", tr("case.overdue_by", lang), -r.left),
        Some(r) if r.left == 0 => tr("case.due_today", lang),
        Some(r) => r.left.to_string(),
    }
}

pub(super) fn line(l: &CaseLine, lang: Lang) -> Value {
    context! {
        id => l.case.id,
        number => l.case.number.clone(),
        matter => l.case.matter_name.clone(),
        applicant => l.case.applicant.name.clone(),
        state => l.case.state.name().get(lang).to_string(),
        submitted => display(l.case.submitted_at),
        due => date(l.clock.map(|r| r.due).or(l.case.promised_due)),
        provisional => l.clock.is_some_and(|r| r.provisional),
        left => left_text(l.clock, lang),
        light => light_class(l.clock.map(|r| r.light)),
        light_name => reading_name(l.clock, lang),
        what => l.case.state.name().get(lang).to_string(),
        project => l.project.clone(),
        green => l.green_channel,
    }
}

fn params(page: &PageCtx) -> AppResult<ListParams> {
    Ok(ListParams {
        state: page.param("state"),
        q: page.param("q"),
        matter: page.param("matter"),
        batch_id: page.int_param("batch_id")?,
        bundle_id: page.int_param("bundle_id")?,
        mine: None,
        limit: Some(200),
        offset: page.int_param("offset")?,
    })
}

async fn list(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let p = params(&page)?;
    let l = svc::list(&state, &auth, &p).await?;
    let staff = auth.actor.has(Permission::CaseRead);
    let states: Vec<Value> = CaseState::ALL
        .iter()
        .map(|s| {
            context! { code => s.code(), name => s.name().get(lang).to_string(),
            selected => p.state.as_deref() == Some(s.code()) }
        })
        .collect();
    let intake = auth.actor.has(Permission::CaseIntake);
    let batch_accept = p
        .batch_id
        .filter(|_| intake)
        .map(|b| format!("/batches/{b}/accept"));
    let title = if staff {
        tr("nav.cases", lang)
    } else {
        tr("nav.my_cases", lang)
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "cases.html",
        &title,
        context! {
            cases => l.cases.iter().map(|c| line(c, lang)).collect::<Vec<_>>(),
            total => l.total,
            states => states,
            q => p.q.clone().unwrap_or_default(),
            batch_id => p.batch_id,
            bundle_id => p.bundle_id,
            intake => intake,
            batch_accept => batch_accept,
            export => Some(format!("/cases.xlsx?{}", page.query)),
        },
    ))
}

async fn list_xlsx(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let mut p = params(&page)?;
    p.limit = Some(500);
    let l = svc::list(&state, &auth, &p).await?;
    let headers: Vec<String> = [
        "case.number",
        "case.matter",
        "case.applicant",
        "field.state",
        "case.channel",
        "case.submitted",
        "case.accepted_on",
        "case.promised_due",
        "case.statutory_due",
        "case.light",
    ]
    .iter()
    .map(|k| tr(k, lang))
    .collect();
    let rows: Vec<Vec<String>> = l
        .cases
        .iter()
        .map(|c| {
            vec![
                c.case.number.clone(),
                c.case.matter_name.clone(),
                c.case.applicant.name.clone(),
                c.case.state.name().get(lang).to_string(),
                c.case.channel.name().get(lang).to_string(),
                display(c.case.submitted_at),
                date(c.case.accepted_on),
                date(c.case.promised_due),
                date(c.case.statutory_due),
                light_name(c.light, lang),
            ]
        })
        .collect();
    xlsx("cases.xlsx", &tr("nav.cases", lang), &headers, &rows)
}

fn field(name: &str, label: String, kind: &str, value: &str, required: bool) -> Value {
    context! { name => name, label => label, kind => kind, value => value, required => required }
}

fn choice(name: &str, label: String, options: Vec<(String, String)>) -> Value {
    let options: Vec<Value> = options
        .into_iter()
        .map(|(v, l)| context! { value => v, label => l })
        .collect();
    context! { name => name, label => label, kind => "select", options => options }
}

/// What a conclusion that issues a licence asks the approver to write: the type's `entered`
/// fields, labelled as the licence's and kept to its limits, after a line naming the licence.
fn licence_fields(licence: Option<&LicenceKind>, lang: Lang) -> Vec<Value> {
    let Some(kind) = licence else {
        return Vec::new();
    };
    let mut out = vec![context! {
        kind => "note",
        label => match lang {
            Lang::Zh => format!("办结即签发电子证照：{}", kind.name),
            Lang::En => format!("Concluding issues the electronic licence: {}", kind.name),
        },
    }];
    out.extend(
        kind.fields
            .iter()
            .filter(|f| f.source == FieldSource::Entered)
            .map(|f| {
                context! {
                    name => format!("licence.{}", f.key),
                    label => match lang {
                        Lang::Zh => format!("证照·{}", f.label),
                        Lang::En => format!("Licence: {}", f.label),
                    },
                    kind => "text",
                    value => "",
                    required => f.required,
                    maxlength => f.max_len,
                }
            }),
    );
    out
}

/// How the licence a case issued reaches its holder, by the delivery she chose: the sealed
/// electronic one is in her library at once; the paper (printed from it) is handed over, posted
/// or brought.
fn deliver_licence(l: &Licence, how: DeliveryMethod, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!(
            "送达{}（{}）：{}；电子证照已存入申请人的“我的证照”，可下载，或凭打印码在大厅自助终端打印",
            l.kind_name,
            l.number,
            match how {
                DeliveryMethod::Window => "打印证照，窗口交申请人",
                DeliveryMethod::Post => "打印证照邮寄，填写运单号",
                DeliveryMethod::Home => "打印证照，送证上门",
            }
        ),
        Lang::En => format!(
            "Deliver {} ({}): {}; the sealed electronic licence is in the applicant's library already, to download or print at a kiosk",
            l.kind_name,
            l.number,
            match how {
                DeliveryMethod::Window => "print it and hand it over at the window",
                DeliveryMethod::Post => "print and post it, with the tracking number",
                DeliveryMethod::Home => "print it and bring it to the applicant",
            }
        ),
    }
}

/// What the actions' forms need to know besides the case: the guide's special procedures (for
/// 中止), the licence a conclusion issues and what the case issued (for 送达).
#[derive(Clone, Copy)]
struct FormFacts<'a> {
    procedures: &'a [String],
    licence: Option<&'a LicenceKind>,
    issued: &'a [Licence],
}

/// The form fields of an action.
fn action_fields(
    k: ActionKind,
    d: &Dossier,
    files: &[CaseFile],
    steps: &[CaseStep],
    lang: Lang,
    facts: &FormFacts,
) -> Vec<Value> {
    let FormFacts {
        procedures: guide_procedures,
        licence,
        issued,
    } = *facts;
    let l = |key: &str| tr(key, lang);
    let step_choice = || {
        choice(
            "step_id",
            l("case.step"),
            steps
                .iter()
                .map(|s| (s.id.to_string(), format!("{}（{}）", s.name, s.stage)))
                .collect(),
        )
    };
    // The materials not yet present: the receipt list's boxes, and 补正's default items.
    let uploaded = uploaded_names(files);
    let absent: Vec<&MaterialReceipt> = d
        .case
        .materials
        .iter()
        .filter(|m| materials::presence(m, &uploaded).is_none())
        .collect();
    match k {
        ActionKind::ReceiveMaterials => {
            let options: Vec<Value> = absent
                .iter()
                .map(|m| {
                    context! {
                        value => m.name.clone(),
                        label => if m.required { m.name.clone() } else { format!("{}（{}）", m.name, l("case.conditional")) },
                    }
                })
                .collect();
            vec![
                context! { name => "names", label => l("case.receive_which"), kind => "checkboxes", options => options },
            ]
        }
        ActionKind::ConcludeOnSpot | ActionKind::Conclude => {
            let mut out = licence_fields(licence, lang);
            out.push(field("note", l("case.note"), "text", "", false));
            out
        }
        ActionKind::Accept | ActionKind::CompleteSupplement => {
            vec![field("note", l("case.note"), "text", "", false)]
        }
        ActionKind::Refuse => vec![field("reason", l("case.reason"), "textarea", "", true)],
        ActionKind::RequestSupplement => {
            let missing: Vec<String> = absent
                .iter()
                .filter(|m| m.required)
                .map(|m| format!("{}：未提供", m.name))
                .collect();
            vec![field(
                "items",
                l("case.supplement_items"),
                "textarea",
                &missing.join("\n"),
                true,
            )]
        }
        ActionKind::Claim => vec![step_choice()],
        ActionKind::FinishStep => vec![
            step_choice(),
            choice(
                "outcome",
                l("case.outcome"),
                StepOutcome::ALL
                    .iter()
                    .map(|o| (o.code().to_string(), o.name().get(lang).to_string()))
                    .collect(),
            ),
            field("opinion", l("case.opinion"), "textarea", "", false),
        ],
        ActionKind::Pause => vec![
            field(
                "procedure",
                l("case.procedure"),
                "text",
                guide_procedures.first().map_or("", String::as_str),
                true,
            ),
            field("reason", l("case.reason"), "text", "", true),
            field(
                "expected_days",
                l("case.expected_days"),
                "number",
                "5",
                true,
            ),
        ],
        ActionKind::Resume => vec![field("result", l("case.result"), "text", "", false)],
        ActionKind::RequestExtension => vec![
            field("reason", l("case.reason"), "textarea", "", true),
            field("days", l("case.extension_days"), "number", "", false),
        ],
        ActionKind::ApproveExtension => vec![field("note", l("case.note"), "text", "", false)],
        ActionKind::RejectExtension => vec![field("note", l("case.reason"), "text", "", true)],
        ActionKind::Decide => vec![
            choice(
                "decision",
                l("case.decision"),
                Decision::ALL
                    .iter()
                    .map(|x| (x.code().to_string(), x.name().get(lang).to_string()))
                    .collect(),
            ),
            field("reason", l("case.decision_reason"), "textarea", "", false),
        ],
        ActionKind::Deliver => {
            let mut f = Vec::new();
            // What is delivered is named, and the note says it for the trail.
            let mut note = String::new();
            if let Some(l) = issued.first() {
                f.push(
                    context! { kind => "note", label => deliver_licence(l, d.case.delivery, lang) },
                );
                note = match lang {
                    Lang::Zh => format!("送达{}（{}）", l.kind_name, l.number),
                    Lang::En => format!("delivered {} ({})", l.kind_name, l.number),
                };
            }
            if d.case.delivery == DeliveryMethod::Post {
                f.push(field(
                    "tracking_number",
                    l("case.tracking"),
                    "text",
                    "",
                    true,
                ));
            }
            f.push(field("note", l("case.note"), "text", &note, false));
            f
        }
        ActionKind::Withdraw => vec![field("reason", l("case.reason"), "text", "", false)],
        ActionKind::DeemAccept => Vec::new(),
    }
}

/// An action that moves the case on (one of these is the page's main button).
fn forward(k: ActionKind) -> bool {
    matches!(
        k,
        ActionKind::Accept
            | ActionKind::ConcludeOnSpot
            | ActionKind::CompleteSupplement
            | ActionKind::Claim
            | ActionKind::FinishStep
            | ActionKind::Decide
            | ActionKind::ApproveExtension
            | ActionKind::Resume
            | ActionKind::Conclude
            | ActionKind::Deliver
    )
}

/// An action that ends the applicant's hope or the application: set apart and confirmed.
fn destructive(k: ActionKind) -> bool {
    matches!(
        k,
        ActionKind::Refuse | ActionKind::Withdraw | ActionKind::RejectExtension
    )
}

async fn case(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (rec, st) = svc::load(&state, &auth, id).await?;
    // The applicant's ID number, phone and addresses are shown masked; "查看完整信息" (?personal=1)
    // shows them to those whose work needs them, and the look goes into the trail.
    let personal = page.param("personal").is_some_and(|v| v == "1");
    let may_reveal = !personal && !st.applicant && svc::may_see_personal(&st);
    let d = rec.dossier.clone();
    let v = svc::view_of(&state, &auth, rec, &st, personal).await?;
    let workable = svc::workable_steps(&state, &auth, &d, &st).await?;
    let procedures: Vec<String> = state
        .store
        .guide_version(d.case.guide_version_id)
        .await?
        .map(|g| {
            g.guide
                .special_procedures
                .iter()
                .map(|p| p.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let c = &v.dossier.case;
    let departments: std::collections::HashMap<i64, String> = state
        .store
        .departments(&Default::default())
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    // Nothing left to tick on the receipt list: no 收件登记 form.
    let uploaded = uploaded_names(&v.files);
    let all_present = v
        .dossier
        .case
        .materials
        .iter()
        .all(|m| materials::presence(m, &uploaded).is_some());
    // 认领 lists only the steps not already the reader's (`may_act` offers it while there is one).
    let claimable: Vec<CaseStep> = workable
        .iter()
        .filter(|s| s.assignee_id != Some(auth.user.id))
        .cloned()
        .collect();
    let offered: Vec<ActionKind> = v
        .actions
        .iter()
        .copied()
        .filter(|k| !(*k == ActionKind::ReceiveMaterials && all_present))
        .collect();
    // The main thing to do now is the one primary button; what cannot be undone is set apart,
    // marked and confirmed.
    let main = offered.iter().copied().find(|k| forward(*k));
    // A conclusion on offer whose result is a licence asks for the licence's written fields.
    let concluding = offered
        .iter()
        .any(|k| matches!(k, ActionKind::Conclude | ActionKind::ConcludeOnSpot));
    let licence = if concluding {
        crate::service::licences::to_issue(&state, &d.case).await?
    } else {
        None
    };
    // What the case issued, named on the page and in the 送达 step.
    let issued = if d.case.state.is_concluded() {
        crate::service::licences::of_case(&state, d.case.id).await?
    } else {
        Vec::new()
    };
    let today = onewindow_core::time::local_date(svc::now());
    // The licence's own page, for those it opens to: staff reading the case, and its holder (an
    // agent who applied for someone reads the case, not the licence).
    let mut opens = Vec::new();
    for l in &issued {
        opens.push(
            auth.actor.is_staff() || crate::service::licences::holds(&state, &auth, l).await?,
        );
    }
    let issued_rows: Vec<Value> = issued
        .iter()
        .zip(opens)
        .map(|(l, opens)| {
            context! {
                id => l.id,
                opens => opens,
                kind => l.kind_name.clone(),
                number => l.number.clone(),
                standing => l.standing(today).name().get(lang).to_string(),
                valid => l.standing(today) == onewindow_core::licence::record::Standing::Valid,
                issued_on => l.issued_on.to_string(),
                expires_on => l.expires_on.map(|d| d.to_string()),
            }
        })
        .collect();
    let facts = FormFacts {
        procedures: &procedures,
        licence: licence.as_ref(),
        issued: &issued,
    };
    let action = |k: ActionKind| {
        let steps = if k == ActionKind::Claim {
            &claimable
        } else {
            &workable
        };
        let confirm = (destructive(k) || k == ActionKind::Decide).then(|| tr("case.confirm", lang));
        context! {
            code => k.code(),
            name => k.name().get(lang).to_string(),
            fields => action_fields(k, &v.dossier, &v.files, steps, lang, &facts),
            confirm => confirm,
            tone => if Some(k) == main { "primary" } else if destructive(k) { "danger" } else { "secondary" },
        }
    };
    let actions: Vec<Value> = offered
        .iter()
        .copied()
        .filter(|k| !destructive(*k))
        .map(action)
        .collect();
    let danger_actions: Vec<Value> = offered
        .iter()
        .copied()
        .filter(|k| destructive(*k))
        .map(action)
        .collect();
    let stage_size = |stage: i64| v.dossier.steps.iter().filter(|s| s.stage == stage).count();
    let steps: Vec<Value> = v
        .dossier
        .steps
        .iter()
        .map(|s| {
            let light = v
                .step_lights
                .iter()
                .find(|(id, _)| *id == s.id)
                .and_then(|(_, l)| *l);
            context! {
                stage => s.stage,
                parallel => stage_size(s.stage) > 1,
                name => s.name.clone(),
                department => departments.get(&s.department_id).cloned().unwrap_or_default(),
                state => s.state.name().get(lang).to_string(),
                assignee => s.assignee_name.clone().unwrap_or_default(),
                due => date(s.due),
                light => light.map(|l| light_class(Some(l))),
                light_name => light_name(light, lang),
                opinion => match (&s.outcome, &s.opinion) {
                    (Some(o), Some(op)) => format!("{}：{op}", o.name().get(lang)),
                    (Some(o), None) => o.name().get(lang).to_string(),
                    _ => String::new(),
                },
            }
        })
        .collect();
    let who = super::who::Who::of(
        &state,
        &auth,
        lang,
        v.events.iter().map(|e| e.actor_name.as_str()),
        v.events.iter().filter_map(|e| e.actor_id),
    )
    .await?;
    let events: Vec<Value> = v
        .events
        .iter()
        .map(|e| {
            let name = ActionKind::parse(&e.action)
                .map(|k| k.name().get(lang).to_string())
                .unwrap_or_else(|| tr("case.submitted_event", lang));
            context! { at => display(e.at), name => name, actor => who.name(&e.actor_name, e.actor_id), note => e.note.clone() }
        })
        .collect();
    let clocks = clock_tiles(&v, &departments, lang);
    let prints: Vec<Value> = print_kinds(&v.dossier)
        .into_iter()
        .map(|k| {
            let number = v
                .documents
                .iter()
                .find(|d| d.kind.print_kind() == k)
                .map(|d| d.number.clone());
            context! { kind => k, name => tr(&format!("print.{k}"), lang), number => number }
        })
        .collect();
    let s = svc::settings(&state).await?;
    let supervises = auth.actor.has(Permission::Supervise);
    let urges: Vec<Value> = if supervises {
        crate::service::supervision::list(&state, &auth, Some(d.case.id), false)
            .await?
            .iter()
            .map(|u| super::supervision::urge_row(u, lang))
            .collect()
    } else {
        Vec::new()
    };
    let may_urge = auth.actor.has(Permission::Urge) && !d.case.state.is_concluded();
    // The applicant rates an ended case here once (一事一评).
    let online_rating = if st.applicant && d.case.state.is_concluded() {
        crate::service::evaluation::online_rating(&state, d.case.id).await?
    } else {
        None
    };
    let may_rate = st.applicant && d.case.state.is_concluded() && online_rating.is_none();
    let urge_steps: Vec<Value> = d
        .steps
        .iter()
        .filter(|s| s.state == onewindow_core::case::StepState::Active)
        .map(|s| context! { value => s.id, label => format!("{}（{}）", s.name, departments.get(&s.department_id).cloned().unwrap_or_default()) })
        .collect();
    let urge_levels: Vec<Value> = onewindow_core::supervision::urge::UrgeLevel::ALL
        .iter()
        .map(|l| context! { value => l.code(), label => l.name().get(lang).to_string() })
        .collect();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "case.html",
        &c.number,
        context! {
            c => ser(c),
            state_name => c.state.name().get(lang).to_string(),
            light => v.clock.light.map(|l| light_class(Some(l))),
            light_name => light_name(v.clock.light, lang),
            clock => ser(&v.clock),
            clocks => clocks,
            department => v.department.clone(),
            channel => c.channel.name().get(lang).to_string(),
            delivery => c.delivery.name().get(lang).to_string(),
            decision => c.decision.map(|x| x.name().get(lang).to_string()),
            extension_state => c.extension.as_ref().map(|e| e.state.name().get(lang).to_string()),
            may_reveal => may_reveal,
            issued => issued_rows,
            files => ser(&v.files),
            materials => material_rows(&v.dossier, &v.files, lang),
            may_upload => svc::may_upload(&auth, &d, &st),
            upload_help => upload_help(&s.rules, lang),
            steps => steps,
            pauses => ser(&v.dossier.pauses),
            supplements => ser(&v.dossier.supplements),
            actions => actions,
            danger_actions => danger_actions,
            events => events,
            prints => prints,
            bundle => v.bundle.as_ref().map(ser),
            urges => urges,
            may_urge => may_urge,
            urge_steps => urge_steps,
            urge_levels => urge_levels,
            rated => online_rating.and_then(|r| onewindow_core::evaluation::level_name(r.level)).map(|t| t.get(lang).to_string()),
            may_rate => may_rate,
            action => format!("/cases/{}/rating", d.case.id),
            form => super::evaluation::form_parts(onewindow_core::evaluation::rating::Setting::Online, lang),
        },
    ))
}

fn upload_help(r: &onewindow_core::case::rules::Rules, lang: Lang) -> String {
    // File types as people name them: PDF, JPG, OFD.
    let types: Vec<String> = r.upload_types.iter().map(|t| t.to_uppercase()).collect();
    match lang {
        Lang::Zh => format!(
            "每个文件不超过{}MB，格式：{}",
            r.max_upload_mib,
            types.join("、")
        ),
        Lang::En => format!(
            "up to {} MiB per file; types: {}",
            r.max_upload_mib,
            types.join(", ")
        ),
    }
}

/// Reads an action from its form.
fn action_from(f: &super::FormData) -> AppResult<Action> {
    let kind = ActionKind::parse(&f.text("action")).ok_or_else(super::widgets::unknown_action)?;
    let opt = |n: &str| f.opt(n);
    let text = |n: &str| f.text(n);
    Ok(match kind {
        ActionKind::Accept => Action::Accept { note: opt("note") },
        ActionKind::ReceiveMaterials => Action::ReceiveMaterials {
            names: f.all("names"),
        },
        ActionKind::Refuse => Action::Refuse {
            reason: text("reason"),
        },
        ActionKind::RequestSupplement => Action::RequestSupplement {
            items: f
                .raw("items")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let (m, p) = l
                        .split_once(['：', ':'])
                        .map_or((l, "需补正"), |(m, p)| (m.trim(), p.trim()));
                    SupplementItem {
                        material: m.to_string(),
                        problem: p.to_string(),
                    }
                })
                .collect(),
        },
        ActionKind::CompleteSupplement => Action::CompleteSupplement { note: opt("note") },
        ActionKind::ConcludeOnSpot => Action::ConcludeOnSpot {
            note: opt("note"),
            licence: f.prefixed("licence."),
        },
        ActionKind::Claim => Action::Claim {
            step_id: f.int("step_id")?,
        },
        ActionKind::FinishStep => Action::FinishStep {
            step_id: f.int("step_id")?,
            outcome: StepOutcome::parse(&text("outcome")).ok_or_else(|| {
                AppError::bad_request(
                    "outcome",
                    Text::fixed("请选择审查结论", "choose an outcome"),
                )
            })?,
            opinion: opt("opinion"),
        },
        ActionKind::Pause => Action::Pause {
            procedure: text("procedure"),
            reason: text("reason"),
            expected_days: f.int("expected_days")?,
        },
        ActionKind::Resume => Action::Resume {
            result: opt("result"),
        },
        ActionKind::RequestExtension => Action::RequestExtension {
            reason: text("reason"),
            days: f.opt_int("days")?,
        },
        ActionKind::ApproveExtension => Action::ApproveExtension { note: opt("note") },
        ActionKind::RejectExtension => Action::RejectExtension { note: text("note") },
        ActionKind::Decide => Action::Decide {
            decision: Decision::parse(&text("decision")).ok_or_else(|| {
                AppError::bad_request("decision", Text::fixed("请选择决定", "choose a decision"))
            })?,
            reason: opt("reason"),
        },
        ActionKind::Conclude => Action::Conclude {
            note: opt("note"),
            licence: f.prefixed("licence."),
        },
        ActionKind::Deliver => Action::Deliver {
            tracking_number: opt("tracking_number"),
            note: opt("note"),
        },
        ActionKind::Withdraw => Action::Withdraw {
            reason: opt("reason"),
        },
        ActionKind::DeemAccept => return Err(AppError::forbidden()),
    })
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let action = action_from(&f.data)?;
    svc::act(&state, auth, id, f.data.opt_int("version")?, action).await?;
    Ok(saved(&format!("/cases/{id}")))
}

/// A multipart form checked against the session's CSRF token and the origin.
pub(super) async fn checked_multipart(
    auth: &Auth,
    headers: &axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<MultipartForm> {
    check_origin(headers)?;
    let form = read_multipart(mp).await?;
    if !same(
        form.text(CSRF_FIELD).unwrap_or(""),
        &auth.session.csrf_token,
    ) {
        return Err(crate::auth::csrf_refused());
    }
    Ok(form)
}

async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    svc::upload(&state, &auth, id, form.files).await?;
    Ok(saved(&format!("/cases/{id}")))
}

async fn download(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (f, bytes) = svc::download(&state, &auth, id).await?;
    Ok(crate::api::cases::file_response(&f, bytes))
}

/// The notices a case has reached, in the order they are issued.
fn print_kinds(d: &Dossier) -> Vec<&'static str> {
    let c = &d.case;
    let mut out = Vec::new();
    if c.materials.iter().any(|m| m.received.is_some()) {
        out.push("materials");
    }
    if !d.supplements.is_empty() {
        out.push("supplement");
    }
    if c.state == CaseState::Refused {
        out.push("refusal");
    }
    if c.accepted_on.is_some() {
        out.push("acceptance");
    }
    if c.decision.is_some() {
        out.push("decision");
    }
    if matches!(c.state, CaseState::Concluded | CaseState::Delivered) {
        out.push("receipt");
    }
    out
}

const REVIEW_RIGHTS: &str = "如不服本决定，可以自收到本文书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。";

async fn print(
    State(state): State<AppState>,
    page: PageCtx,
    headers: axum::http::HeaderMap,
    auth: Auth,
    Path((id, kind)): Path<(i64, String)>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    // A notice carries the delivery address in full: printing it is a look at personal data,
    // for those who may (in the trail), and masked for the rest.
    let (rec, st) = svc::load(&state, &auth, id).await?;
    let personal = svc::may_see_personal(&st);
    let v = svc::view_of(&state, &auth, rec, &st, personal).await?;
    let d = &v.dossier;
    let c = &d.case;
    if !print_kinds(d).contains(&kind.as_str()) {
        return Err(AppError::not_found(Text::fixed("该文书", "this notice")));
    }
    let submitted = date_zh(onewindow_core::time::local_date(c.submitted_at));
    let mut items = Vec::new();
    let mut material_table: Vec<Value> = Vec::new();
    let paragraphs: Vec<String> = match kind.as_str() {
        "materials" => {
            let uploaded = uploaded_names(&v.files);
            material_table = c
                .materials
                .iter()
                .map(|m| {
                    let p = materials::presence(m, &uploaded);
                    context! {
                        name => m.name.clone(),
                        how => p.map_or_else(|| tr("case.material_missing", lang), |p| p.name().get(lang).to_string()),
                        by => m.received.as_ref().map(|r| r.by_name.clone()).unwrap_or_default(),
                        at => m.received.as_ref().map(|r| display(r.at)).unwrap_or_default(),
                    }
                })
                .collect();
            vec![format!(
                "你（单位）于{submitted}申请的“{}”（办件编号{}），本窗口收到下列申请材料。本凭证仅证明收到材料，不代表已受理。",
                c.matter_name, c.number
            )]
        }
        "acceptance" => {
            // What the notice says of the materials must be true of them: complete only when
            // every required one is present.
            let complete = materials::missing(&c.materials, &uploaded_names(&v.files)).is_empty();
            let how = if c.deemed_accepted {
                "本机关未在法定期限内告知需要补正的材料，依照《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，自收到申请材料之日起即为受理。".to_string()
            } else if complete {
                "经审查，申请材料齐全、符合法定形式，依照《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。".to_string()
            } else {
                "依照《中华人民共和国行政许可法》第三十二条第一款的规定，决定予以受理。".to_string()
            };
            vec![
                format!(
                    "你（单位）于{submitted}提出的“{}”申请（办件编号{}），{how}",
                    c.matter_name, c.number
                ),
                format!(
                    "本事项法定办理时限为{}个工作日，承诺办理时限为{}个工作日，自受理之日（{}）起计算，承诺于{}前办结。听证、检验、检测、检疫、鉴定、专家评审等所需时间不计算在内。",
                    c.statutory_days,
                    c.promised_days,
                    c.accepted_on.map(date_zh).unwrap_or_default(),
                    match (c.promised_due, v.clock.provisional) {
                        (Some(due), Some(y)) => format!(
                            "{}（暂定：{y}年节假日安排公布后按实际工作日重新计算）",
                            date_zh(due)
                        ),
                        (Some(due), None) => date_zh(due),
                        (None, _) => "（期限待节假日安排公布后确定）".into(),
                    },
                ),
                "可凭办件编号和证件号码后4位扫描右上角二维码或登录一窗通查询办理进度。".into(),
            ]
        }
        "refusal" => vec![
            format!(
                "你（单位）于{submitted}提出的“{}”申请（办件编号{}），经审查，{}。依照《中华人民共和国行政许可法》第三十二条第一款的规定，决定不予受理。",
                c.matter_name,
                c.number,
                c.closing_reason.clone().unwrap_or_default()
            ),
            REVIEW_RIGHTS.into(),
        ],
        "supplement" => {
            if let Some(s) = d.supplements.last() {
                items = s.items.clone();
            }
            vec![
                format!(
                    "你（单位）于{submitted}提出的“{}”申请（办件编号{}），申请材料不齐全或者不符合法定形式。依照《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现一次性告知需要补正的全部内容如下：",
                    c.matter_name, c.number
                ),
                "请按上列内容一次性补正后重新提交。补正期间不计算在办理时限内。".into(),
            ]
        }
        "decision" => match c.decision {
            Some(Decision::Approve) => vec![format!(
                "你（单位）于{submitted}提出的“{}”申请（办件编号{}），经审查，符合法定条件、标准。依照《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予许可。{}",
                c.matter_name,
                c.number,
                c.decision_reason.clone().unwrap_or_default()
            )],
            _ => vec![
                format!(
                    "你（单位）于{submitted}提出的“{}”申请（办件编号{}），经审查，{}。依照《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予许可。",
                    c.matter_name,
                    c.number,
                    c.decision_reason.clone().unwrap_or_default()
                ),
                REVIEW_RIGHTS.into(),
            ],
        },
        _ => Vec::new(),
    };
    let heading = match (kind.as_str(), c.decision) {
        ("decision", Some(Decision::Approve)) => tr("print.decision_approve", lang),
        ("decision", _) => tr("print.decision_deny", lang),
        (k, _) => tr(&format!("print.{k}"), lang),
    };
    // The notice's own number (文号), when the action that issued it numbered it.
    let docno = v
        .documents
        .iter()
        .find(|d| d.kind.print_kind() == kind)
        .map(|d| d.number.clone());
    let url = format!(
        "{}/progress?number={}",
        super::portal::public_base(&state, &headers),
        c.number
    );
    let qr = crate::qr::svg(&url, 110)?;
    let issued = match kind.as_str() {
        "decision" => c.decided_on,
        "acceptance" => c.accepted_on,
        _ => None,
    }
    .unwrap_or_else(|| onewindow_core::time::local_date(svc::now()));
    let document = if c.decision == Some(Decision::Approve) {
        format!("{}（准予许可决定书）", c.matter_name)
    } else {
        tr("print.decision_deny", lang)
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "case_print.html",
        &heading,
        context! {
            printable => true,
            kind => kind,
            heading => heading.clone(),
            c => ser(c),
            department => v.department.clone(),
            paragraphs => paragraphs,
            items => ser(&items),
            material_table => material_table,
            docno => docno,
            qr => qr,
            date => date_zh(issued),
            document => document,
            place => c.delivery_address.clone().unwrap_or_else(|| tr("print.window", lang)),
            delivery => c.delivery.name().get(lang).to_string(),
            delivered_at => c.delivered_at.map(display).unwrap_or_default(),
        },
    ))
}

/// The application form: online for citizens and enterprises; at a window, a kiosk, on a home
/// visit or as an agent for clerks; agents file with the authorization.
async fn apply_form(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let Some(auth) = auth else {
        return Ok(super::go(&format!("/login?next=/apply/{code}")));
    };
    let lang = page.lang(Some(&auth));
    let view = crate::service::catalog::view(&state).await?;
    let g = view
        .guide(&code.to_ascii_uppercase())
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    let staff = auth.actor.has(Permission::CaseIntake);
    let mut channels: Vec<Channel> = Vec::new();
    if staff {
        channels.extend([
            Channel::Window,
            Channel::HomeVisit,
            Channel::Kiosk,
            Channel::Agent,
        ]);
    } else if auth.actor.is_staff() {
        channels.extend([Channel::Agent, Channel::Online]);
    }
    let channels: Vec<Value> = channels
        .iter()
        .enumerate()
        .map(|(i, c)| context! { value => c.code(), label => c.name().get(lang).to_string(), selected => i == 0 })
        .collect();
    use onewindow_core::catalog::Applicant;
    let legal = matches!(g.guide.applicant, Applicant::Legal)
        || auth
            .user
            .roles
            .contains(&onewindow_core::identity::Role::Enterprise);
    // Only the kinds of applicant the matter serves are offered.
    let kinds: Vec<Value> = ApplicantKind::ALL
        .iter()
        .filter(|k| match g.guide.applicant {
            Applicant::Person => **k == ApplicantKind::Person,
            Applicant::Legal => **k == ApplicantKind::Legal,
            Applicant::Both => true,
        })
        .map(|k| context! { value => k.code(), label => k.name().get(lang).to_string(), selected => (*k == ApplicantKind::Legal) == legal })
        .collect();
    let deliveries: Vec<Value> = DeliveryMethod::ALL
        .iter()
        .map(|d| context! { value => d.code(), label => d.name().get(lang).to_string() })
        .collect();
    // A material a licence stands for: the applicant picks hers (the first valid one already
    // chosen); the window looks the applicant's up with her consent.
    let held = crate::service::licences::reuse::choices(&state, &auth, &g.guide).await?;
    let today = onewindow_core::time::local_date(svc::now());
    let materials: Vec<Value> = g
        .guide
        .materials
        .iter()
        .map(|m| {
            let mine = held.iter().find(|(name, _, _)| name == &m.name);
            context! {
                name => m.name.clone(), condition => m.condition.clone(), shared => m.shared,
                licence_kind => mine.map(|(_, kind, _)| kind.clone()).or_else(|| m.licence.as_ref().map(|_| String::new())),
                licences => mine.map(|(_, _, ls)| ls.iter().map(|l| context! {
                    id => l.id,
                    label => format!("{}（{}{}）", l.number, l.department_name,
                        l.expires_on.filter(|e| *e >= today).map(|e| format!("，有效期至{e}")).unwrap_or_default()),
                }).collect::<Vec<_>>()).unwrap_or_default(),
            }
        })
        .collect();
    // An applicant applying for themselves starts with what the platform knows of them: an
    // enterprise account with its enterprise's name, credit code, phone and address; a person
    // with their name and phone, and the ID number and address of their last application.
    let own = !auth.actor.is_staff();
    let mut me = (
        auth.user.display_name.clone(),
        String::new(),
        auth.user.phone.clone().unwrap_or_default(),
        String::new(),
    );
    if own {
        if let Some(id) = crate::service::enterprise::own_enterprise(&state, &auth).await?
            && let Some(e) = state.store.enterprise(id).await?
        {
            me = (e.name, e.uscc, e.contact_phone, e.address);
        } else {
            // Her own application: not one she filed for someone else as their agent.
            let recent = svc::list(
                &state,
                &auth,
                &svc::ListParams {
                    limit: Some(10),
                    ..Default::default()
                },
            )
            .await?;
            if let Some(l) = recent
                .cases
                .iter()
                .find(|l| l.case.agency.is_none() && l.case.applicant.kind == ApplicantKind::Person)
            {
                // The list masks numbers; her own record, read as hers, does not.
                let (rec, _) = svc::load(&state, &auth, l.case.id).await?;
                let a = &rec.dossier.case.applicant;
                me.1 = a.id_number.clone();
                me.3 = a.address.clone().unwrap_or_default();
            }
        }
    }
    // Started from a licence to renew (延续): its holder, address and number filled in.
    let mut note = String::new();
    if let Some(id) = page.int_param("renew")? {
        let d = crate::service::licences::renewal::draft(&state, &auth, id).await?;
        if d.matter_code == g.code {
            me = (
                d.applicant.name,
                d.applicant.id_number,
                me.2,
                d.applicant.address.unwrap_or(me.3),
            );
            note = d.note;
        }
    }
    let s = svc::settings(&state).await?;
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "apply.html",
        &format!("{}：{}", tr("apply.title", lang), g.guide.name),
        context! {
            code => g.code.clone(),
            action => format!("/apply/{}", g.code),
            department => view.department(g.department_id).to_string(),
            promised => g.guide.promised_days,
            channels => channels,
            staff => staff,
            kinds => kinds,
            deliveries => deliveries,
            has_licence_materials => g.guide.materials.iter().any(|m| m.licence.is_some()),
            note => note,
            materials => materials,
            name => if own { me.0.clone() } else { String::new() },
            id_number => if own { me.1.clone() } else { String::new() },
            phone => if own { me.2.clone() } else { String::new() },
            address => if own { me.3.clone() } else { String::new() },
            authorization_field => format!("file:{AUTHORIZATION}"),
            agent_name => if auth.actor.is_staff() && !staff { auth.user.display_name.clone() } else { String::new() },
            agent_phone => if auth.actor.is_staff() && !staff { auth.user.phone.clone().unwrap_or_default() } else { String::new() },
            upload_help => upload_help(&s.rules, lang),
        },
    ))
}

fn opt(form: &MultipartForm, name: &str) -> Option<String> {
    form.text(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn text(form: &MultipartForm, name: &str) -> String {
    opt(form, name).unwrap_or_default()
}

/// The material an agent's signed authorization is filed as.
const AUTHORIZATION: &str = "授权委托书";

/// The applicant, agent and delivery parts shared by the single and the bundle forms.
fn applicant_from(
    form: &MultipartForm,
) -> AppResult<(Channel, ApplicantInfo, Option<Agency>, DeliveryMethod)> {
    let channel = Channel::parse(&text(form, "channel")).unwrap_or(Channel::Online);
    let kind = ApplicantKind::parse(&text(form, "kind")).unwrap_or(ApplicantKind::Person);
    let applicant = ApplicantInfo {
        kind,
        name: text(form, "name"),
        id_number: text(form, "id_number"),
        phone: text(form, "phone"),
        email: opt(form, "email"),
        address: opt(form, "address"),
        needs_home_service: matches!(form.text("needs_home_service"), Some("1" | "on")),
    };
    // The signed 授权委托书 is uploaded with the materials; the case names it by its file.
    let uploaded_authorization = form
        .files
        .iter()
        .find(|f| f.material == AUTHORIZATION)
        .map(|f| f.file_name.clone());
    let agency = opt(form, "agent_name").map(|name| Agency {
        name,
        id_number: text(form, "agent_id_number"),
        phone: text(form, "agent_phone"),
        authorization: uploaded_authorization
            .clone()
            .unwrap_or_else(|| text(form, "authorization")),
        user_id: None,
    });
    let delivery = DeliveryMethod::parse(&text(form, "delivery")).ok_or_else(|| {
        AppError::bad_request(
            "delivery",
            Text::fixed("请选择送达方式", "choose a delivery method"),
        )
    })?;
    Ok((channel, applicant, agency, delivery))
}

async fn apply(
    State(state): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let (channel, applicant, agency, delivery) = applicant_from(&form)?;
    let view = crate::service::catalog::view(&state).await?;
    let provided: Vec<String> = form
        .fields
        .iter()
        .filter(|(k, _)| k == "provided")
        .map(|(_, v)| v.clone())
        .collect();
    let materials = view
        .guide(&code.to_ascii_uppercase())
        .map(|g| {
            g.guide
                .materials
                .iter()
                .map(|m| MaterialReceipt {
                    name: m.name.clone(),
                    provided: provided.contains(&m.name),
                    note: None,
                    required: false,
                    shared: false,
                    received: None,
                    licence: None,
                })
                .collect()
        })
        .unwrap_or_default();
    // A material taken from the licence library: `licence:{material}` = the licence's id; at the
    // window, with the holder's consent ticked.
    let consent = form
        .fields
        .iter()
        .any(|(k, v)| k == "licence_consent" && v == "1");
    let mut licences = Vec::new();
    for (k, v) in &form.fields {
        if let Some(material) = k.strip_prefix("licence:")
            && !v.is_empty()
        {
            let licence_id = if v == "lookup" {
                // At the window: the applicant's valid licence of the type, by her number.
                crate::service::licences::reuse::look_up(&state, &code, material, &applicant.id_number)
                    .await?
                    .ok_or_else(|| {
                        AppError::bad_request(
                            k.as_str(),
                            Text::new(
                                format!("证照库中没有申请人可用于“{material}”的有效证照，请收取纸质材料"),
                                format!("the library holds no valid licence of the applicant for {material}: take the paper"),
                            ),
                        )
                    })?
            } else {
                v.parse().map_err(|_| {
                    AppError::bad_request(k.as_str(), Text::fixed("请选择证照", "pick a licence"))
                })?
            };
            licences.push(onewindow_core::case::apply::LicenceChoice {
                material: material.to_string(),
                licence_id,
                consent,
            });
        }
    }
    let input = ApplicationInput {
        matter_code: code,
        channel,
        applicant,
        agency,
        materials,
        note: opt(&form, "note"),
        delivery,
        delivery_address: opt(&form, "delivery_address"),
        licences,
    };
    let created = svc::apply(&state, &auth, input, form.files).await?;
    let id = created
        .case_ids
        .first()
        .copied()
        .ok_or_else(AppError::internal)?;
    Ok(saved(&format!("/cases/{id}")))
}

async fn bundle_form(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(topic): Path<String>,
) -> AppResult<Response> {
    let Some(auth) = auth else {
        return Ok(super::go(&format!("/login?next=/bundles/apply/{topic}")));
    };
    let lang = page.lang(Some(&auth));
    let view = crate::service::catalog::view(&state).await?;
    let t = crate::service::catalog::topic(&view, &topic)?;
    let s = svc::settings(&state).await?;
    let channels: Vec<Value> = if auth.actor.has(Permission::CaseIntake) {
        [Channel::Window, Channel::HomeVisit, Channel::Kiosk, Channel::Agent]
            .iter()
            .enumerate()
            .map(|(i, c)| context! { value => c.code(), label => c.name().get(lang).to_string(), selected => i == 0 })
            .collect()
    } else {
        Vec::new()
    };
    let materials: Vec<Value> = t
        .merged
        .iter()
        .map(|m| context! { name => m.material.name.clone(), condition => m.material.condition.clone(), shared => m.material.shared })
        .collect();
    let own = !auth.actor.is_staff();
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "apply.html",
        &format!("{}：{}", tr("apply.bundle_title", lang), t.topic.name),
        context! {
            code => t.topic.code.clone(),
            action => format!("/bundles/apply/{}", t.topic.code),
            department => t.guides.iter().map(|g| g.guide.name.clone()).collect::<Vec<_>>().join("、"),
            promised => t.guides.iter().map(|g| g.guide.promised_days).max().unwrap_or(0),
            channels => channels,
            staff => false,
            kinds => ApplicantKind::ALL.iter().map(|k| context! { value => k.code(), label => k.name().get(lang).to_string(), selected => *k == ApplicantKind::Person }).collect::<Vec<_>>(),
            deliveries => DeliveryMethod::ALL.iter().map(|d| context! { value => d.code(), label => d.name().get(lang).to_string() }).collect::<Vec<_>>(),
            materials => materials,
            name => if own { auth.user.display_name.clone() } else { String::new() },
            phone => if own { auth.user.phone.clone().unwrap_or_default() } else { String::new() },
            upload_help => upload_help(&s.rules, lang),
        },
    ))
}

async fn apply_bundle(
    State(state): State<AppState>,
    auth: Auth,
    Path(topic): Path<String>,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> AppResult<Response> {
    let form = checked_multipart(&auth, &headers, mp).await?;
    let (channel, applicant, agency, delivery) = applicant_from(&form)?;
    let created = svc::apply_bundle(
        &state,
        &auth,
        BundleInput {
            topic_code: topic,
            channel,
            applicant,
            agency,
            delivery,
            delivery_address: opt(&form, "delivery_address"),
            note: opt(&form, "note"),
        },
        form.files,
    )
    .await?;
    let b = created.group_id.ok_or_else(AppError::internal)?;
    Ok(saved(&format!("/cases?bundle_id={b}")))
}

async fn intake_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::CaseIntake)?;
    let f = form(
        "intake-form",
        tr("case.intake", lang),
        "/intake".into(),
        tr("case.intake_next", lang),
        vec![input(
            "matter",
            tr("case.matter_pick", lang),
            "text",
            "",
            true,
        )],
    );
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("case.intake", lang),
        context! { columns => Vec::<String>::new(), rows => Vec::<Value>::new(), form => f, intro => tr("case.intake_intro", lang) },
    ))
}

/// Finds the matter by its code or, failing that, by the best search hit for the words.
async fn intake(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    auth.actor.require(Permission::CaseIntake)?;
    let q = f.data.text("matter");
    let view = crate::service::catalog::view(&state).await?;
    let code = match view.guide(&q.to_ascii_uppercase()) {
        Some(g) => g.code.clone(),
        None => {
            let hits = crate::service::catalog::search(
                &view,
                &crate::service::catalog::SearchQuery {
                    q: Some(q.clone()),
                    department_id: None,
                    topic: None,
                    limit: 1,
                    offset: 0,
                },
            )?;
            hits.items.first().map(|m| m.code.clone()).ok_or_else(|| {
                AppError::from(onewindow_core::FieldError::new(
                    "matter",
                    Text::new(format!("没有找到“{q}”"), format!("nothing found for '{q}'")),
                ))
            })?
        }
    };
    Ok(super::go(&format!("/apply/{code}")))
}

async fn batch_form(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    auth.actor.require(Permission::CaseIntake)?;
    let deliveries: Vec<Value> = DeliveryMethod::ALL
        .iter()
        .map(|d| context! { value => d.code(), label => d.name().get(lang).to_string(), selected => *d == DeliveryMethod::Window })
        .collect();
    let f = form(
        "batch-form",
        tr("case.batch_new", lang),
        "/batches".into(),
        tr("apply.submit", lang),
        vec![
            input("matter_code", tr("guide.code", lang), "text", "", true),
            input("title", tr("case.batch_title", lang), "text", "", true),
            context! { name => "delivery", label => tr("case.delivery", lang), kind => "select", options => deliveries, required => true },
            context! { name => "applicants", label => tr("case.batch_applicants", lang), kind => "textarea", value => "", required => true, rows => 12 },
            context! { name => "materials_received", label => tr("case.batch_received", lang), kind => "checkbox", value => "" },
        ],
    );
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("case.batch_new", lang),
        context! { columns => Vec::<String>::new(), rows => Vec::<Value>::new(), form => f, intro => tr("case.batch_intro", lang) },
    ))
}

/// One applicant per line: name, ID number, mobile (commas, tabs or spaces between).
fn batch_lines(text: &str) -> Vec<ApplicantInfo> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let parts: Vec<&str> = l
                .split(['，', ',', '\t', ' '])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let part = |i: usize| parts.get(i).map_or(String::new(), |p| p.to_string());
            ApplicantInfo {
                kind: ApplicantKind::Person,
                name: part(0),
                id_number: part(1),
                phone: part(2),
                email: None,
                address: parts.get(3).map(|p| p.to_string()),
                needs_home_service: false,
            }
        })
        .collect()
}

async fn batch(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let created = svc::apply_batch(
        &state,
        auth,
        BatchInput {
            matter_code: f.data.text("matter_code"),
            title: f.data.text("title"),
            applicants: batch_lines(&f.data.raw("applicants")),
            delivery: DeliveryMethod::parse(&f.data.text("delivery"))
                .unwrap_or(DeliveryMethod::Window),
            delivery_address: None,
            note: None,
            materials_received: f.data.opt("materials_received").is_some(),
        },
    )
    .await?;
    let b = created.group_id.ok_or_else(AppError::internal)?;
    Ok(saved(&format!("/cases?batch_id={b}")))
}

async fn batch_accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::accept_batch(&state, auth, id).await?;
    Ok(saved(&format!("/cases?batch_id={id}")))
}

async fn workbench(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let w = svc::workbench(&state, &auth).await?;
    let step_rows = |lines: &[svc::StepLine]| -> Vec<Value> {
        lines
            .iter()
            .map(|l| {
                let light = l.shown_light();
                context! {
                    id => l.case_id, number => l.number.clone(), matter => l.matter_name.clone(),
                    applicant => l.applicant_name.clone(), what => l.step.name.clone(), due => date(l.step.due),
                    light => light_class(light), light_name => light_name(light, lang),
                    project => l.project.clone(), green => l.green_channel,
                }
            })
            .collect()
    };
    let case_rows =
        |lines: &[CaseLine]| -> Vec<Value> { lines.iter().map(|l| line(l, lang)).collect() };
    let section = |id: &str, key: &str, what: &str, rows: Vec<Value>| {
        context! { id => id, title => tr(key, lang), what => tr(what, lang), rows => rows }
    };
    let mut sections = Vec::new();
    if auth.actor.has(Permission::CaseReview) {
        sections.push(section(
            "wb-mine",
            "wb.mine",
            "case.step",
            step_rows(&w.mine),
        ));
        sections.push(section(
            "wb-queue",
            "wb.queue",
            "case.step",
            step_rows(&w.queue),
        ));
    }
    if auth.actor.has(Permission::CaseIntake) {
        sections.push(section(
            "wb-intake",
            "wb.intake",
            "field.state",
            case_rows(&w.intake),
        ));
        sections.push(section(
            "wb-deliver",
            "wb.deliver",
            "field.state",
            case_rows(&w.to_deliver),
        ));
    }
    if auth.actor.has(Permission::CaseDecide) {
        sections.push(section(
            "wb-decide",
            "wb.decide",
            "field.state",
            case_rows(&w.to_decide),
        ));
    }
    if auth.actor.has(Permission::CaseApproveExtension) {
        sections.push(section(
            "wb-extensions",
            "wb.extensions",
            "field.state",
            case_rows(&w.extensions),
        ));
    }
    // One line per case, the most pressing first; a few in view, the rest folded away, so
    // that the work below stays on the screen.
    let groups = crate::service::supervision::mine_by_case(&state, &auth).await?;
    let readable: usize = groups.iter().map(|g| g.readable).sum();
    let urges: Vec<Value> = groups
        .iter()
        .map(|g| {
            let row = super::supervision::urge_row(&g.latest, lang);
            context! { others => g.others, may_mark_read => g.may_mark_read, ..row }
        })
        .collect();
    const IN_VIEW: usize = 3;
    let (shown, folded) = urges.split_at(urges.len().min(IN_VIEW));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "workbench.html",
        &tr("nav.workbench", lang),
        context! {
            sections => sections,
            urges => shown,
            folded => folded,
            urge_count => urges.len(),
            readable => readable,
        },
    ))
}

async fn progress(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    origin: Origin,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let number = page.param("number").unwrap_or_default();
    let last4 = page.param("id_last4").unwrap_or_default();
    let (mut p, mut error) = (None, None);
    if !number.is_empty() && !last4.is_empty() {
        match svc::progress(&state, &origin, &number, &last4).await {
            Ok(found) => p = Some(found),
            Err(e) if e.status.is_client_error() => error = Some(e.body(lang).message),
            Err(e) => return Err(e),
        }
    }
    let events: Vec<Value> = p
        .as_ref()
        .map(|p| {
            p.events
                .iter()
                .map(|(at, name, note)| context! { at => display(*at), name => name, note => note })
                .collect()
        })
        .unwrap_or_default();
    let light = p.as_ref().and_then(|p| p.clock.light);
    let mut res = render(
        &state,
        &page,
        auth.as_ref(),
        "progress.html",
        &tr("nav.progress", lang),
        context! {
            number => number,
            p => p.as_ref().map(ser),
            events => events,
            error => error,
            light => light.map(|l| light_class(Some(l))),
            light_name => light_name(light, lang),
        },
    );
    if p.is_none() && !page.query.is_empty() {
        *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_lines_split_on_any_separator() {
        let a = batch_lines(
            "张三，11010519491231002X，13912345678\n\n李四\t110105194912310021 13800000000 东方村1组",
        );
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].name, "张三");
        assert_eq!(a[1].id_number, "110105194912310021");
        assert_eq!(a[1].address.as_deref(), Some("东方村1组"));
    }
}
