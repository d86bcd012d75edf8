//! Joint consultations (集中会商 / 联席会议) recorded by the service staff of a region, the items
//! they decided on, and their follow-ups reported done by the departments that owe them.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases;
use crate::service::enterprise::{at_city, covers, today};
use crate::state::AppState;
use onewindow_core::DomainError;
use onewindow_core::access::Permission;
use onewindow_core::enterprise::consultation::{Consultation, NewConsultation};
use onewindow_core::enterprise::work::Level;

/// Records a consultation held in the actor's region. A city-level one is recorded by city
/// staff; each item it decided on must be in the actor's scope.
pub async fn record(state: &AppState, auth: &Auth, c: NewConsultation) -> AppResult<Consultation> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseServe)?;
    let Some(region_id) = a.scope.region_id else {
        return Err(DomainError::forbidden().into());
    };
    let c = c.check(today())?;
    if c.level == Level::City && !at_city(state, a).await? {
        return Err(AppError::invalid(
            "level",
            "市级联席会议由市级登记",
            "a city-level meeting is recorded by city staff",
        ));
    }
    for (i, id) in c.item_ids.iter().enumerate() {
        let ok = match state.store.work_item(*id).await? {
            Some(item) => covers(state, a, None, item.region_id).await?,
            None => false,
        };
        if !ok {
            return Err(onewindow_core::FieldError::new(
                format!("item_ids[{i}]"),
                onewindow_core::Text::fixed(
                    "没有这个清单事项或不在您的范围",
                    "no such work item in your scope",
                ),
            )
            .into());
        }
    }
    Ok(state
        .store
        .record_consultation(&auth.ctx(), c, region_id, cases::now())
        .await?)
}

/// Consultations held in the period, in the actor's scope (a department sees those it took part
/// in).
pub async fn list(
    state: &AppState,
    auth: &Auth,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> AppResult<Vec<Consultation>> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    let mut out = Vec::new();
    for c in state.store.consultations(from, to).await? {
        let seen = match a.scope.department_id {
            Some(d) => {
                c.department_ids.contains(&d) || c.follow_ups.iter().any(|f| f.department_id == d)
            }
            None => covers(state, a, None, c.region_id).await?,
        };
        if seen {
            out.push(c);
        }
    }
    Ok(out)
}

/// A follow-up reported done: by the department that owes it, or by the region's staff.
pub async fn finish(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    index: usize,
) -> AppResult<Consultation> {
    let a = &auth.actor;
    a.require_any(&[Permission::EnterpriseHandle, Permission::EnterpriseServe])?;
    let c = state.store.consultation(id).await?.ok_or_else(|| {
        crate::error::AppError::not_found(onewindow_core::Text::fixed("会商", "consultation"))
    })?;
    let owes = c.follow_ups.get(index).map(|f| f.department_id);
    let by_department =
        a.has(Permission::EnterpriseHandle) && owes.is_some() && a.scope.department_id == owes;
    let by_staff =
        a.has(Permission::EnterpriseServe) && covers(state, a, None, c.region_id).await?;
    if !by_department && !by_staff {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .finish_follow_up(&auth.ctx(), id, version, index, cases::now())
        .await?)
}
