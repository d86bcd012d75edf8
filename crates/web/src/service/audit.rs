//! The trail of a record, shown to whoever may see the record itself.

use super::scope_filter;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::Text;
use onewindow_core::access::Permission;
use onewindow_core::audit::Entry;
use onewindow_store::AuditFilter;

/// Checks that the actor may see the record a trail belongs to.
async fn may_see(state: &AppState, auth: &Auth, target_type: &str, id: i64) -> AppResult<()> {
    match target_type {
        "region" => super::org::region(state, auth, id).await.map(|_| ()),
        "department" => super::org::department(state, auth, id).await.map(|_| ()),
        "hall" => super::org::hall(state, auth, id).await.map(|_| ()),
        "zone" => super::org::zone(state, auth, id).await.map(|_| ()),
        "window" => super::org::window(state, auth, id).await.map(|_| ()),
        "user" => super::users::user(state, auth, id).await.map(|_| ()),
        "case" => super::cases::load(state, auth, id).await.map(|_| ()),
        "matter" => super::catalog::matter_by_id(state, auth, id)
            .await
            .map(|_| ()),
        "enterprise" => super::enterprise::enterprise_file(state, auth, id)
            .await
            .map(|_| ()),
        "project" => super::enterprise::project_file(state, auth, id)
            .await
            .map(|_| ()),
        "visit" => super::enterprise::visit_file(state, auth, id)
            .await
            .map(|_| ()),
        "work_item" => super::enterprise::item_file(state, auth, id)
            .await
            .map(|_| ()),
        "licence" => super::licences::for_staff(state, auth, id)
            .await
            .map(|_| ()),
        _ => Err(AppError::bad_request(
            "target_type",
            Text::fixed("未知的记录类型", "unknown record type"),
        )),
    }
}

/// The entries of one record, newest first, or of everything in the actor's scope.
pub async fn trail(
    state: &AppState,
    auth: &Auth,
    target_type: Option<String>,
    target_id: Option<i64>,
    before_seq: Option<i64>,
    limit: Option<i64>,
) -> AppResult<Vec<Entry>> {
    auth.actor.require(Permission::AuditRead)?;
    let scope = match (&target_type, target_id) {
        (Some(t), Some(id)) => {
            may_see(state, auth, t, id).await?;
            // Seeing the record means seeing all of its history.
            Default::default()
        }
        (None, Some(_)) => {
            return Err(AppError::bad_request(
                "target_type",
                Text::fixed(
                    "指定记录编号时须指定记录类型",
                    "target_id needs target_type",
                ),
            ));
        }
        _ => scope_filter(&auth.actor),
    };
    Ok(state
        .store
        .audit_entries(&AuditFilter {
            target_type,
            target_id,
            actor_id: None,
            scope,
            before_seq,
            limit: limit.unwrap_or(100),
        })
        .await?)
}

/// The trail's checkpoints kept, newest first: for those who keep the platform's security.
pub async fn checkpoints(
    state: &AppState,
    auth: &Auth,
    limit: i64,
) -> AppResult<Vec<onewindow_core::audit::Checkpoint>> {
    auth.actor.require(Permission::SecurityRead)?;
    Ok(state.store.audit_checkpoints(limit).await?)
}
