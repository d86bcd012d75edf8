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
use onewindow_core::case::clock::Light;
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

/// A count of work waiting, linking to where it is done; marked when there is any. `urgent`:
/// how many are near or past their deadline, said under the count; `alarm`: a count that is all
/// urgent (red cases), marked without saying so again.
struct Waiting {
    href: &'static str,
    title: Text,
    text: Text,
    count: usize,
    urgent: usize,
    alarm: bool,
}

impl Waiting {
    fn new(href: &'static str, title: [&'static str; 2], text: [&'static str; 2]) -> Waiting {
        Waiting {
            href,
            title: Text::fixed(title[0], title[1]),
            text: Text::fixed(text[0], text[1]),
            count: 0,
            urgent: 0,
            alarm: false,
        }
    }

    /// Counted from a list: its length and its lines near or past their deadline.
    fn of<T>(mut self, lines: &[T], light: impl Fn(&T) -> Option<Light>) -> Waiting {
        self.count = lines.len();
        self.urgent = lines
            .iter()
            .filter(|l| matches!(light(l), Some(Light::Yellow | Light::Red)))
            .count();
        self
    }

    /// Counted from a list, with how many of it are late by the list's own rule.
    fn late<T>(mut self, lines: &[T], late: impl Fn(&T) -> bool) -> Waiting {
        self.count = lines.len();
        self.urgent = lines.iter().filter(|l| late(l)).count();
        self
    }

    fn counted(mut self, n: i64, alarm: bool) -> Waiting {
        self.count = usize::try_from(n).unwrap_or(0);
        self.alarm = alarm && self.count > 0;
        self
    }

    fn value(&self, lang: Lang) -> Value {
        context! {
            href => self.href, title => self.title.get(lang), text => self.text.get(lang),
            count => self.count, urgent => self.urgent, alarm => self.alarm, waiting => self.count > 0,
        }
    }
}

/// What waits for the person, by what their roles do: the workbench's lists and the
/// supervision page's counts, so that the numbers are theirs.
async fn work_cards(
    state: &AppState,
    auth: &crate::auth::Auth,
    lang: Lang,
) -> AppResult<Vec<Value>> {
    use crate::service::cases::{CaseLine, StepLine};
    let a = &auth.actor;
    let case = |l: &CaseLine| l.clock.map(|r| r.light);
    let step = |l: &StepLine| l.shown_light();
    let mut out = Vec::new();
    if a.has(Permission::CaseRead) {
        let w = crate::service::cases::workbench(state, auth).await?;
        if a.has(Permission::CaseIntake) {
            out.push(
                Waiting::new(
                    "/workbench#wb-intake",
                    ["待受理", "To accept"],
                    [
                        "已提交、等待窗口受理的申请",
                        "Applications waiting for a window",
                    ],
                )
                .of(&w.intake, case),
            );
            out.push(
                Waiting::new(
                    "/workbench#wb-deliver",
                    ["待办结送达", "To conclude and deliver"],
                    [
                        "已决定、等待办结或送达的办件",
                        "Decided cases to conclude or deliver",
                    ],
                )
                .of(&w.to_deliver, case),
            );
        }
        if a.has(Permission::CaseReview) {
            out.push(
                Waiting::new(
                    "/workbench#wb-mine",
                    ["我的审查", "My reviews"],
                    [
                        "我已认领、尚未完成的审查环节",
                        "Review steps I have claimed",
                    ],
                )
                .of(&w.mine, step),
            );
            out.push(
                Waiting::new(
                    "/workbench#wb-queue",
                    ["待认领", "To claim"],
                    [
                        "本部门无人认领的审查环节",
                        "My department's unclaimed steps",
                    ],
                )
                .of(&w.queue, step),
            );
        }
        if a.has(Permission::CaseDecide) {
            out.push(
                Waiting::new(
                    "/workbench#wb-decide",
                    ["待决定", "To decide"],
                    [
                        "审查已完成、等待审批决定",
                        "Reviewed, waiting for a decision",
                    ],
                )
                .of(&w.to_decide, case),
            );
            if !w.extensions.is_empty() {
                out.push(
                    Waiting::new(
                        "/workbench#wb-extensions",
                        ["延期待批", "Extensions to approve"],
                        ["申请延长办理时限的办件", "Cases asking for more time"],
                    )
                    .of(&w.extensions, |_| None),
                );
            }
        }
    }
    if a.has(Permission::Supervise) {
        let (counts, late) =
            crate::service::supervision::light_counts(state, auth, &Default::default()).await?;
        out.push(
            Waiting::new(
                "/supervision?light=red",
                ["红灯办件", "Red"],
                ["已超过办理时限、仍在审查", "Under review past the deadline"],
            )
            .counted(counts.red, true),
        );
        out.push(
            Waiting::new(
                "/supervision?light=yellow",
                ["黄灯办件", "Yellow"],
                ["临近办理时限", "Close to the deadline"],
            )
            .counted(counts.yellow, false),
        );
        out.push(
            Waiting::new(
                "/supervision?light=late",
                ["本月超期办结", "Concluded late this month"],
                [
                    "已办结，但晚于承诺时限",
                    "Concluded after the promised deadline",
                ],
            )
            .counted(late, false),
        );
    }
    out.extend(grid_cards(state, auth).await?);
    out.extend(enterprise_cards(state, auth).await?);
    if a.has(Permission::PetitionWork) {
        let q = crate::service::petitions::PetitionQuery {
            state: Some(onewindow_core::petitions::case::State::InHand),
            ..Default::default()
        };
        let lines = crate::service::petitions::list(state, auth, &q).await?;
        out.push(
            Waiting::new(
                "/petitions?state=in_hand",
                ["代理办理中", "In hand"],
                [
                    "正在代为协调办理的信访事项",
                    "Petitions being handled on the petitioner's behalf",
                ],
            )
            .late(&lines, |l| l.late > 0),
        );
    }
    Ok(out.iter().map(|w| w.value(lang)).collect())
}

/// Community problems waiting for the reader, by what they do with them: the command centre
/// registers, dispatches and closes; a department signs for and handles; a grid worker checks
/// on site.
async fn grid_cards(state: &AppState, auth: &crate::auth::Auth) -> AppResult<Vec<Waiting>> {
    use crate::service::events::{EventLine, EventQuery, list};
    use onewindow_core::grid::event::State;
    let a = &auth.actor;
    if !a.has(Permission::GridRead) {
        return Ok(Vec::new());
    }
    let q = EventQuery {
        mine: true,
        ..Default::default()
    };
    let lines = list(state, auth, &q).await?;
    let of = |s: State| -> Vec<&EventLine> {
        lines
            .iter()
            .filter(|l| l.event.progress.state == s)
            .collect()
    };
    let light = |l: &&EventLine| l.light;
    let mut out = Vec::new();
    if a.has(Permission::GridDispatch) {
        out.push(
            Waiting::new(
                "/grid?state=reported",
                ["待立案", "To register"],
                [
                    "网格员、热线和群众上报的问题",
                    "Reports from grids, the hotline and the public",
                ],
            )
            .of(&of(State::Reported), light),
        );
        out.push(
            Waiting::new(
                "/grid?state=registered",
                ["待派遣", "To dispatch"],
                [
                    "已立案、等待派给处置部门",
                    "Registered, to send to a department",
                ],
            )
            .of(&of(State::Registered), light),
        );
        out.push(
            Waiting::new(
                "/grid?state=verified",
                ["待结案", "To close"],
                [
                    "网格员已核查、等待结案回访",
                    "Checked on site, to close and call back",
                ],
            )
            .of(&of(State::Verified), light),
        );
    } else if a.has(Permission::GridHandle) {
        out.push(
            Waiting::new(
                "/grid?state=dispatched",
                ["待签收", "To sign for"],
                [
                    "派给本部门、尚未签收的问题",
                    "Sent to my department, not yet signed for",
                ],
            )
            .of(&of(State::Dispatched), light),
        );
        out.push(
            Waiting::new(
                "/grid?state=handling",
                ["处置中", "Handling"],
                ["本部门正在处置的问题", "Being handled by my department"],
            )
            .of(&of(State::Handling), light),
        );
    } else if a.has(Permission::GridReport) {
        out.push(
            Waiting::new(
                "/grid?mine=1",
                ["待核查", "To check on site"],
                [
                    "我负责网格内已处置、待现场核查的问题",
                    "Handled in my grids, to check on site",
                ],
            )
            .of(&of(State::Verifying), light),
        );
    }
    Ok(out)
}

/// Enterprises' requests waiting for the reader: the steward collects, assigns and confirms
/// them and visits; a department answers what it was assigned.
async fn enterprise_cards(state: &AppState, auth: &crate::auth::Auth) -> AppResult<Vec<Waiting>> {
    use crate::service::enterprise::{ItemQuery, items, today};
    use onewindow_core::enterprise::work::{State, overdue};
    let a = &auth.actor;
    let serve = a.has(Permission::EnterpriseServe);
    if !serve && !a.has(Permission::EnterpriseHandle) {
        return Ok(Vec::new());
    }
    let all = items(state, auth, &ItemQuery::default()).await?;
    let day = today();
    let of = |s: State| -> Vec<&onewindow_core::enterprise::work::Item> {
        all.iter().filter(|i| i.progress.state == s).collect()
    };
    let late = |i: &&onewindow_core::enterprise::work::Item| overdue(&i.progress, day);
    let mut out = Vec::new();
    if serve {
        out.push(
            Waiting::new(
                "/enterprise?state=recorded",
                ["待交办诉求", "Requests to assign"],
                [
                    "已登记、等待交办部门的企业诉求",
                    "Recorded, to assign to a department",
                ],
            )
            .late(&of(State::Recorded), late),
        );
        out.push(
            Waiting::new(
                "/enterprise?state=assigned",
                ["办理中诉求", "Requests in hand"],
                ["已交办、部门正在办理", "Assigned, being handled"],
            )
            .late(&of(State::Assigned), late),
        );
        out.push(
            Waiting::new(
                "/enterprise?state=answered",
                ["待企业确认", "To confirm with the enterprise"],
                [
                    "部门已答复、等待企业确认",
                    "Answered, to confirm with the enterprise",
                ],
            )
            .late(&of(State::Answered), late),
        );
        let visits = state
            .store
            .visits(
                Some(a.user_id),
                day - chrono::Duration::days(60),
                day + chrono::Duration::days(60),
            )
            .await?;
        let planned: Vec<_> = visits.iter().filter(|v| v.done_at.is_none()).collect();
        out.push(
            Waiting::new(
                "/enterprise#ent-to-visit",
                ["待走访", "Visits to make"],
                [
                    "我计划走访、尚未报告的企业",
                    "Visits planned, not yet reported",
                ],
            )
            .late(&planned, |v| v.planned_on < day),
        );
    } else {
        out.push(
            Waiting::new(
                "/enterprise?state=assigned",
                ["待答复诉求", "Requests to answer"],
                [
                    "交办本部门、等待答复的企业诉求",
                    "Assigned to my department, to answer",
                ],
            )
            .late(&of(State::Assigned), late),
        );
    }
    Ok(out)
}

/// What comes next for an applicant's case, in words.
fn next_step(l: &crate::service::cases::CaseLine, lang: Lang) -> String {
    let due = l.clock.map(|r| r.due.format("%Y-%m-%d").to_string());
    let fixed = |zh, en| Text::fixed(zh, en).get(lang).to_string();
    match (l.case.state, due) {
        (CaseState::Submitted, _) => fixed("等待窗口受理", "Waiting for a window to accept it"),
        (CaseState::Supplement, _) => {
            fixed("请按通知补正材料", "Please supply what the notice asks for")
        }
        (CaseState::Reviewing, Some(due)) => match lang {
            Lang::Zh => format!("部门审查中，承诺{due}前办结"),
            Lang::En => format!("Under review, promised by {due}"),
        },
        (CaseState::Reviewing, None) => fixed("部门审查中", "Under review"),
        (CaseState::Decided | CaseState::Concluded, _) => fixed(
            "已有结果，等待领取或送达",
            "Decided: to be collected or delivered",
        ),
        (CaseState::Delivered, _) => {
            fixed("已送达，欢迎评价", "Delivered: please rate the service")
        }
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
            super::portal::portal_context(&state, &view, false, lang).await?,
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
        // Those who keep the accounts; others find colleagues from the menu.
        if a.actor.has(Permission::UserWrite) {
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
