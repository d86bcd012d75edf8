//! Each role's home page: the name of its workbench, its scope, what it can open from here, and
//! the person's own recent activity.

use super::audit::trail_rows;
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
use onewindow_core::identity::Role;
use onewindow_core::{Lang, Text};
use onewindow_store::AuditFilter;

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
    cards.push(card(
        "/account",
        tr("nav.account", lang),
        Text::fixed("个人信息与修改密码", "Profile and password")
            .get(lang)
            .into(),
        None,
    ));
    let mine = state
        .store
        .audit_entries(&AuditFilter {
            actor_id: Some(auth.user.id),
            limit: 10,
            ..Default::default()
        })
        .await?;
    let recent = trail_rows(&mine, lang);
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
            cards => cards,
            recent => recent,
        },
    ))
}
