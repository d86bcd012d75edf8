//! Review flows (审批流程) per matter: who reviews, in which order, in parallel, within what.

use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::case::workflow::Workflow;
use onewindow_core::catalog::record::Matter;
use onewindow_store::ScopeFilter;

/// Saves a matter's flow, checked against its promised limit and the departments that exist;
/// only catalog editors of the matter's department or region may.
pub async fn save(state: &AppState, auth: &Auth, m: &Matter, w: Workflow) -> AppResult<Workflow> {
    let dept = state.store.department(m.department_id).await?;
    let owner = super::owner(state, Some(m.department_id), dept.map(|d| d.region_id)).await?;
    auth.actor.may(Permission::CatalogWrite, &owner)?;
    let promised = super::catalog::view(state)
        .await?
        .guide(&m.code)
        .map_or(0, |g| g.guide.promised_days);
    let departments: Vec<i64> = state
        .store
        .departments(&ScopeFilter::all())
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| d.id)
        .collect();
    let w = w.clean(promised, &departments)?;
    state
        .store
        .save_workflow(&auth.ctx(), m.id, w.clone())
        .await?;
    Ok(w)
}
