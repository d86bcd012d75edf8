//! The actions people take, shared by the JSON API and the pages: each checks the actor's role
//! and scope, validates with the core, and calls the store once (one action, one transaction).

pub mod appointments;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod catalog;
pub mod catalog_io;
pub mod complaints;
pub mod consultations;
pub mod enterprise;
pub mod enterprise_figures;
pub mod evaluation;
pub mod events;
pub mod figures;
pub mod grid;
pub mod guide_forms;
pub mod hall;
pub mod hall_live;
pub mod licences;
pub mod notify;
pub mod org;
pub mod org_facts;
pub mod petition_ledgers;
pub mod petition_rota;
pub mod petitions;
pub mod policies;
pub mod relay;
pub mod security;
pub mod session;
pub mod supervision;
pub mod supervisors;
pub mod uploads;
pub mod urge_live;
pub mod users;
pub mod workflows;

use crate::error::AppResult;
use crate::state::AppState;
use onewindow_core::access::{Actor, Owner};
use onewindow_store::ScopeFilter;

/// The list filter for what an actor may see.
pub fn scope_filter(actor: &Actor) -> ScopeFilter {
    if !actor.is_staff() {
        // No id is negative: public accounts list no staff records.
        return ScopeFilter::department(-1);
    }
    match (actor.scope.department_id, &actor.scope.region_path) {
        (Some(d), _) => ScopeFilter::department(d),
        (None, Some(p)) => ScopeFilter::region(p.clone()),
        (None, None) => ScopeFilter::department(-1),
    }
}

/// The path of a region, or "" when it is unknown (which no scope covers).
pub async fn region_path(state: &AppState, region_id: Option<i64>) -> AppResult<String> {
    Ok(match region_id {
        Some(id) => state
            .org_facts
            .region_path(state.store.as_ref(), id)
            .await?
            .unwrap_or_default(),
        None => String::new(),
    })
}

/// Whose a department's records are: the department and its region.
pub async fn department_owner(state: &AppState, department_id: i64) -> AppResult<Owner> {
    let region = state
        .org_facts
        .department_region(state.store.as_ref(), department_id)
        .await?;
    owner(state, Some(department_id), region).await
}

pub async fn owner(
    state: &AppState,
    department_id: Option<i64>,
    region_id: Option<i64>,
) -> AppResult<Owner> {
    Ok(Owner {
        department_id,
        region_path: region_path(state, region_id).await?,
    })
}
