//! Policy notices for enterprises (惠企政策) pushed by audience (未诉先办): published by the
//! service staff of a region for the enterprises in it, read by the enterprises they reached.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::service::cases;
use crate::service::enterprise::{covers, own_enterprise, today};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::enterprise::policy::{NewPolicy, Policy, Push};
use onewindow_core::{DomainError, Text};

/// Publishes a notice for the actor's region (or a region below it) and pushes it.
pub async fn publish(
    state: &AppState,
    auth: &Auth,
    p: NewPolicy,
    region_id: Option<i64>,
) -> AppResult<Policy> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseServe)?;
    let region_id = region_id
        .or(a.scope.region_id)
        .ok_or_else(|| AppError::invalid("region_id", "请指定适用区划", "name the region"))?;
    if state.store.region(region_id).await?.is_none() {
        return Err(AppError::invalid(
            "region_id",
            "没有这个区划",
            "no such region",
        ));
    }
    if !covers(state, a, None, region_id).await? {
        return Err(DomainError::forbidden().into());
    }
    let p = p.check(today())?;
    Ok(state
        .store
        .publish_policy(&auth.ctx(), p, region_id, cases::now())
        .await?)
}

/// Notices in the actor's region.
pub async fn list(state: &AppState, auth: &Auth) -> AppResult<Vec<Policy>> {
    let a = &auth.actor;
    a.require(Permission::EnterpriseRead)?;
    match (a.scope.department_id, a.scope.region_path.as_deref()) {
        (None, Some(p)) => Ok(state.store.policies(Some(p)).await?),
        _ => Ok(Vec::new()),
    }
}

/// The notices pushed to the reader's enterprise.
pub async fn mine(state: &AppState, auth: &Auth) -> AppResult<Vec<Push>> {
    let e = own_enterprise(state, auth)
        .await?
        .ok_or_else(|| AppError::from(DomainError::forbidden()))?;
    Ok(state.store.pushes_to(e).await?)
}

/// The enterprise opens a notice pushed to it: the notice, and the read is recorded.
pub async fn open(state: &AppState, auth: &Auth, policy_id: i64) -> AppResult<Policy> {
    let e = own_enterprise(state, auth)
        .await?
        .ok_or_else(|| AppError::from(DomainError::forbidden()))?;
    if !state
        .store
        .pushes_to(e)
        .await?
        .iter()
        .any(|p| p.policy_id == policy_id)
    {
        return Err(AppError::not_found(Text::fixed("政策", "policy")));
    }
    state
        .store
        .mark_policy_read(e, policy_id, cases::now())
        .await?;
    state
        .store
        .policy(policy_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("政策", "policy")))
}
