//! Each role's home page: the person's work as it stands now (what waits for them, with counts,
//! each a link to where it is done), their own cases for those who apply, and what else they
//! can open from here. The audit trail is its own page.

use super::{PageCtx, render};
use crate::auth::MaybeAuth;
use crate::error::AppResult;
use crate::i18n::tr;
use crate::service::{org, users};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::case::CaseState;
use onewindow_core::identity::Role;
use onewindow_core::{Lang, Text};

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// The workbench each role lands on.
pub fn heading(role: Role) -> Text {
    match role {
        Role::Admin => Text::fixed("系统管理工作台", "Administration"),
        Role::Clerk => Text::fixed("窗口工作台", "Window clerk's desk"),
        Role::Approver => Text::fixed("审批工作台", "Approver's desk"),
        Role::Supervisor => Text::fixed("电子监察中心", "Electronic supervision"),
        Role::GridWorker => Text::fixed("网格员工作台", "Grid worker's desk"),
        Role::Dispatcher => Text::fixed("指挥调度中心", "Dispatch centre"),
        Role::Steward => Text::fixed("项目管家工作台", "Project steward's desk"),
        Role::PetitionAgent => Text::fixed("信访代理工作站", "Petition agency station"),
        Role::Leader => Text::fixed("领导工作台", "Leader's desk"),
        Role::Citizen => Text::fixed("个人办事中心", "My services"),
        Role::Enterprise => Text::fixed("企业办事中心", "Enterprise services"),
    }
}

fn card(href: &str, title: String, text: String, count: Option<usize>) -> Value {
    context! { href => href, title => title, text => text, count => count }
}

/// A count of work waiting: marked when there is any, so the eye finds it.
/// `urgent`: how many of them are near or past their deadline (said under the count); a count
/// that is all alarm (red cases) is marked without saying so again.
fn work(href: &str, title: String, text: String, count: usize, urgent: usize) -> Value {
    context! { href => href, title => title, text => text, count => count, urgent => urgent, waiting => count > 0, alarm => false }
}

fn alarm(href: &str, title: String, text: String, count: usize) -> Value {
    context! { href => href, title => title, text => text, count => count, urgent => 0, waiting => count > 0, alarm => count > 0 }
}

fn txt(zh: &'static str, en: &'static str, lang: Lang) -> String {
    Text::fixed(zh, en).get(lang).to_string()
}

/// Lines of a list that are yellow or red.
fn urgent(lines: &[crate::service::cases::CaseLine]) -> usize {
    lines
        .iter()
        .filter(|l| {
            l.clock.is_some_and(|r| {
                matches!(
                    r.light,
                    onewindow_core::case::clock::Light::Yellow
                        | onewindow_core::case::clock::Light::Red
                )
            })
        })
        .count()
}

/// What waits for the person, by what their roles do.
async fn work_cards(
    state: &AppState,
    auth: &crate::auth::Auth,
    lang: Lang,
) -> AppResult<Vec<Value>> {
    let a = &auth.actor;
    let mut out = Vec::new();
    if a.has(Permission::CaseRead) {
        let w = crate::service::cases::workbench(state, auth).await?;
        let late_steps = |l: &[crate::service::cases::StepLine]| {
            l.iter()
                .filter(|s| {
                    s.light
                        .or(s.case_light)
                        .is_some_and(|x| x != onewindow_core::case::clock::Light::Green)
                })
                .count()
        };
        if a.has(Permission::CaseIntake) {
            out.push(work(
                "/workbench#wb-intake",
                txt("待受理", "To accept", lang),
                txt(
                    "已提交、等待窗口受理的申请",
                    "Applications waiting for a window",
                    lang,
                ),
                w.intake.len(),
                urgent(&w.intake),
            ));
            out.push(work(
                "/workbench#wb-deliver",
                txt("待办结送达", "To conclude and deliver", lang),
                txt(
                    "已决定、等待办结或送达的办件",
                    "Decided cases to conclude or deliver",
                    lang,
                ),
                w.to_deliver.len(),
                urgent(&w.to_deliver),
            ));
        }
        if a.has(Permission::CaseReview) {
            out.push(work(
                "/workbench#wb-mine",
                txt("我的审查", "My reviews", lang),
                txt(
                    "我已认领、尚未完成的审查环节",
                    "Review steps I have claimed",
                    lang,
                ),
                w.mine.len(),
                late_steps(&w.mine),
            ));
            out.push(work(
                "/workbench#wb-queue",
                txt("待认领", "To claim", lang),
                txt(
                    "本部门无人认领的审查环节",
                    "My department's unclaimed steps",
                    lang,
                ),
                w.queue.len(),
                late_steps(&w.queue),
            ));
        }
        if a.has(Permission::CaseDecide) {
            out.push(work(
                "/workbench#wb-decide",
                txt("待决定", "To decide", lang),
                txt(
                    "审查已完成、等待审批决定",
                    "Reviewed, waiting for a decision",
                    lang,
                ),
                w.to_decide.len(),
                urgent(&w.to_decide),
            ));
            if !w.extensions.is_empty() {
                out.push(work(
                    "/workbench#wb-extensions",
                    txt("延期待批", "Extensions to approve", lang),
                    txt("申请延长办理时限的办件", "Cases asking for more time", lang),
                    w.extensions.len(),
                    0,
                ));
            }
        }
    }
    if a.has(Permission::Supervise) {
        let l = crate::service::supervision::lights(state, auth, &Default::default()).await?;
        let n = |v: i64| usize::try_from(v).unwrap_or(0);
        out.push(alarm(
            "/supervision?light=red",
            txt("红灯办件", "Red", lang),
            txt(
                "已超过办理时限、仍在审查",
                "Under review past the deadline",
                lang,
            ),
            n(l.counts.red),
        ));
        out.push(work(
            "/supervision?light=yellow",
            txt("黄灯办件", "Yellow", lang),
            txt("临近办理时限", "Close to the deadline", lang),
            n(l.counts.yellow),
            0,
        ));
        out.push(work(
            "/supervision?light=late",
            txt("本月超期办结", "Concluded late this month", lang),
            txt(
                "已办结，但晚于承诺时限",
                "Concluded after the promised deadline",
                lang,
            ),
            n(l.concluded_late),
            0,
        ));
    }
    Ok(out)
}

/// What comes next for an applicant's case, in words.
fn next_step(l: &crate::service::cases::CaseLine, lang: Lang) -> String {
    let due = l
        .clock
        .map(|r| r.due.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    match (l.case.state, lang) {
        (CaseState::Submitted, _) => txt("等待窗口受理", "Waiting for a window to accept it", lang),
        (CaseState::Supplement, _) => txt(
            "请按通知补正材料",
            "Please supply what the notice asks for",
            lang,
        ),
        (CaseState::Reviewing, Lang::Zh) if !due.is_empty() => {
            format!("部门审查中，承诺{due}前办结")
        }
        (CaseState::Reviewing, Lang::En) if !due.is_empty() => {
            format!("Under review, promised by {due}")
        }
        (CaseState::Reviewing, _) => txt("部门审查中", "Under review", lang),
        (CaseState::Decided | CaseState::Concluded, _) => txt(
            "已有结果，等待领取或送达",
            "Decided: to be collected or delivered",
            lang,
        ),
        (CaseState::Delivered, _) => txt(
            "已送达，欢迎评价",
            "Delivered: please rate the service",
            lang,
        ),
        (CaseState::Refused | CaseState::Withdrawn, _) => String::new(),
    }
}

async fn home(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let Some(auth) = auth else {
        // Visitors land on the portal: the catalog is what they came for.
        let view = crate::service::catalog::view(&state).await?;
        let title = tr("portal.title", lang);
        return Ok(render(
            &state,
            &page,
            None,
            "portal.html",
            &title,
            super::portal::portal_context(&view, lang),
        ));
    };
    let role = auth.actor.primary_role();
    let title = heading(role).get(lang).to_string();
    let greeting = match lang {
        Lang::Zh => format!("{}，您好。", auth.user.display_name),
        Lang::En => format!("Hello, {}.", auth.user.display_name),
    };
    let mut scope = Vec::new();
    if let Some(d) = auth.user.department_id
        && let Some(d) = state.store.department(d).await?
    {
        scope.push(d.name);
    }
    if let Some(r) = auth.user.region_id
        && let Some(r) = state.store.region(r).await?
    {
        scope.push(r.name);
    }
    let work = work_cards(&state, &auth, lang).await?;
    // Those who apply: their latest cases and what comes next.
    let mine = if auth.actor.is_staff() {
        Vec::new()
    } else {
        let p = crate::service::cases::ListParams {
            limit: Some(8),
            ..Default::default()
        };
        crate::service::cases::list(&state, &auth, &p)
            .await?
            .cases
            .iter()
            .map(|l| context! { next => next_step(l, lang), ..super::cases::line(l, lang) })
            .collect()
    };
    let mut cards = Vec::new();
    if auth.actor.is_staff() {
        let a = &auth;
        if a.actor.has(Permission::OrgWrite) && a.actor.scope.department_id.is_none() {
            let n = org::regions(&state, a).await?.len();
            cards.push(card(
                "/admin/regions",
                tr("nav.regions", lang),
                Text::fixed(
                    "市、区、街道、社区四级区划",
                    "City, district, street and community",
                )
                .get(lang)
                .into(),
                Some(n),
            ));
        }
        // The organisation's state is the administrator's work; others reach it from the menu.
        let admin = a.actor.has(Permission::OrgWrite);
        if admin {
            let n = org::departments(&state, a).await?.len();
            cards.push(card(
                "/admin/departments",
                tr("nav.departments", lang),
                Text::fixed("我可查看的部门", "Departments in my scope")
                    .get(lang)
                    .into(),
                Some(n),
            ));
            let halls = org::halls(&state, a).await?;
            cards.push(card(
                "/admin/halls",
                tr("nav.halls", lang),
                Text::fixed(
                    "政务服务大厅、分区与窗口",
                    "Service halls, zones and windows",
                )
                .get(lang)
                .into(),
                Some(halls.len()),
            ));
        }
        if a.actor.has(Permission::UserRead) {
            let n = users::users(&state, a).await?.len();
            cards.push(card(
                "/admin/users",
                tr("nav.users", lang),
                Text::fixed("我可查看的工作人员账号", "Accounts in my scope")
                    .get(lang)
                    .into(),
                Some(n),
            ));
        }
        cards.push(card(
            "/audit",
            tr("nav.audit", lang),
            Text::fixed("我范围内的全部操作记录", "Every change in my scope")
                .get(lang)
                .into(),
            None,
        ));
    }
    if !auth.actor.is_staff()
        && let Some(s) = state.store.supervisor_of_user(auth.user.id).await?
        && s.active
    {
        cards.push(card(
            "/supervisors",
            tr("nav.supervisors", lang),
            Text::fixed(
                "特邀监督员：提交暗访、走访的监督报告",
                "Appointed supervisor: file your visit reports",
            )
            .get(lang)
            .into(),
            None,
        ));
    }
    cards.push(card(
        "/account",
        tr("nav.account", lang),
        Text::fixed("个人信息与修改密码", "Profile and password")
            .get(lang)
            .into(),
        None,
    ));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "home.html",
        &title,
        context! {
            heading => title.clone(),
            greeting => greeting,
            scope => scope.join(" · "),
            work => work,
            mine => mine,
            staff => auth.actor.is_staff(),
            cards => cards,
        },
    ))
}
