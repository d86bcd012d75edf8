//! Licence types as departments keep them: written by those who write the department's guides
//! (`CatalogWrite` covering the type's department), named as a matter's result by those who may
//! write that matter's guide, and the department's seal key rotated by its organisation's
//! administrators (the old key kept to verify what it signed).

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::licence::LicenceKind;
use onewindow_core::licence::kind::NewLicenceKind;
use onewindow_core::licence::seal::PublishedKey;
use onewindow_core::{DomainError, Text};
use serde::Deserialize;
use utoipa::ToSchema;

/// Whether the reader's scope covers the department, with the permission.
async fn may(state: &AppState, auth: &Auth, p: Permission, department_id: i64) -> AppResult<()> {
    auth.actor.require(p)?;
    // A department that is not there is not found, whoever asks.
    if state.store.department(department_id).await?.is_none() {
        return Err(AppError::not_found(Text::fixed("部门", "department")));
    }
    if auth
        .actor
        .covers(&crate::service::department_owner(state, department_id).await?)
    {
        Ok(())
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// Every type, for staff.
pub async fn list(state: &AppState, auth: &Auth) -> AppResult<Vec<LicenceKind>> {
    if !auth.actor.is_staff() {
        return Err(DomainError::forbidden().into());
    }
    Ok(state.store.licence_kinds().await?)
}

pub async fn create(state: &AppState, auth: &Auth, k: NewLicenceKind) -> AppResult<LicenceKind> {
    may(state, auth, Permission::CatalogWrite, k.department_id).await?;
    let made = state
        .store
        .create_licence_kind(&auth.ctx(), k, crate::service::cases::now())
        .await?;
    // The guides show the types: this instance's view of the catalog is built again now.
    state.catalog.invalidate();
    Ok(made)
}

/// An edit of a type under its version.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KindEdit {
    pub version: i64,
    pub kind: NewLicenceKind,
    /// `false` retires the type: it issues nothing more; its licences stay.
    pub active: bool,
}

pub async fn update(state: &AppState, auth: &Auth, id: i64, e: KindEdit) -> AppResult<LicenceKind> {
    auth.actor.require(Permission::CatalogWrite)?;
    let current = state
        .store
        .licence_kinds()
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| AppError::not_found(Text::fixed("证照类型", "licence type")))?;
    // Both the department it was and the one it becomes must be the writer's.
    may(state, auth, Permission::CatalogWrite, current.department_id).await?;
    may(state, auth, Permission::CatalogWrite, e.kind.department_id).await?;
    let edited = state
        .store
        .update_licence_kind(
            &auth.ctx(),
            id,
            e.version,
            e.kind,
            e.active,
            crate::service::cases::now(),
        )
        .await?;
    state.catalog.invalidate();
    Ok(edited)
}

/// Names the licence type a matter's approving decision issues (or none).
pub async fn set_for_matter(
    state: &AppState,
    auth: &Auth,
    code: &str,
    kind_id: Option<i64>,
) -> AppResult<()> {
    auth.actor.require(Permission::CatalogWrite)?;
    let view = crate::service::catalog::view(state).await?;
    let g = view
        .guide(&code.trim().to_ascii_uppercase())
        .ok_or_else(|| AppError::not_found(Text::fixed("事项", "matter")))?;
    may(state, auth, Permission::CatalogWrite, g.department_id).await?;
    if let Some(id) = kind_id
        && !state
            .store
            .licence_kinds()
            .await?
            .iter()
            .any(|k| k.id == id && k.active)
    {
        return Err(AppError::from(DomainError::invalid(
            "kind_id",
            "没有这个在用的证照类型",
            "no such licence type in use",
        )));
    }
    state
        .store
        .set_matter_licence_kind(
            &auth.ctx(),
            g.matter_id,
            kind_id,
            crate::service::cases::now(),
        )
        .await?;
    state.catalog.invalidate();
    Ok(())
}

/// A new seal key for the department; the one it replaces stays published to verify what it
/// signed.
pub async fn rotate(state: &AppState, auth: &Auth, department_id: i64) -> AppResult<PublishedKey> {
    may(state, auth, Permission::OrgWrite, department_id).await?;
    let key = super::rotate(state, department_id, Some(&auth.ctx())).await?;
    super::public_keys(state)
        .await?
        .into_iter()
        .find(|k| k.key_id == key.id)
        .ok_or_else(AppError::internal)
}
