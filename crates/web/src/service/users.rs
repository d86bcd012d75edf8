//! Accounts. Staff accounts are visible to those whose scope covers the account's department or
//! region; citizen and enterprise accounts only to region-scoped administrators. An administrator
//! can only create or move accounts into their own scope, so no one can hand out more than they
//! hold.

use super::{owner, scope_filter};
use crate::auth::{Auth, hash_password, verify_password};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::access::Permission;
use onewindow_core::identity::{
    NewUser, PasswordChange, PasswordReset, User, UserUpdate, check_password,
};
use onewindow_core::{DomainError, Lang, Text};

const USER: Text = Text::fixed("账号", "account");

/// Citizen and enterprise accounts belong to no department or region; region-scoped
/// administrators manage them.
fn manages_public(auth: &Auth) -> bool {
    auth.actor.has(Permission::UserWrite)
        && auth.actor.scope.department_id.is_none()
        && auth.actor.scope.region_path.is_some()
}

async fn check_covers(
    state: &AppState,
    auth: &Auth,
    p: Permission,
    department_id: Option<i64>,
    region_id: Option<i64>,
) -> AppResult<()> {
    if department_id.is_none() && region_id.is_none() {
        // A public account: region-scoped administrators only.
        auth.actor.require(Permission::UserWrite)?;
        return if auth.actor.scope.department_id.is_none() && auth.actor.scope.region_path.is_some()
        {
            Ok(())
        } else {
            Err(AppError::forbidden())
        };
    }
    // A department account lies in its department's region, whatever region is given.
    let region_id = match department_id {
        Some(d) => match state.store.department(d).await? {
            Some(dep) => Some(dep.region_id),
            None => {
                return Err(DomainError::invalid(
                    "department_id",
                    format!("编号{d}的部门不存在"),
                    format!("department {d} does not exist"),
                )
                .into());
            }
        },
        None => region_id,
    };
    auth.actor
        .may(p, &owner(state, department_id, region_id).await?)?;
    Ok(())
}

pub async fn users(state: &AppState, auth: &Auth) -> AppResult<Vec<User>> {
    auth.actor.require(Permission::UserRead)?;
    let mut scope = scope_filter(&auth.actor);
    scope.with_public_accounts = manages_public(auth);
    Ok(state.store.users(&scope).await?)
}

pub async fn user(state: &AppState, auth: &Auth, id: i64) -> AppResult<User> {
    let u = state
        .store
        .user(id)
        .await?
        .ok_or_else(|| AppError::not_found(USER))?;
    if u.id == auth.user.id {
        return Ok(u);
    }
    auth.actor.require(Permission::UserRead)?;
    check_covers(
        state,
        auth,
        Permission::UserRead,
        u.department_id,
        u.region_id,
    )
    .await?;
    Ok(u)
}

pub async fn create_user(state: &AppState, auth: &Auth, new: NewUser) -> AppResult<User> {
    auth.actor.require(Permission::UserWrite)?;
    let new = new.clean()?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        new.department_id,
        new.region_id,
    )
    .await?;
    let hash = hash_password(new.password.clone()).await?;
    Ok(state.store.create_user(&auth.ctx(), new, hash).await?)
}

pub async fn update_user(
    state: &AppState,
    auth: &Auth,
    id: i64,
    upd: UserUpdate,
) -> AppResult<User> {
    auth.actor.require(Permission::UserWrite)?;
    let cur = user(state, auth, id).await?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        cur.department_id,
        cur.region_id,
    )
    .await?;
    let upd = upd.clean(&cur)?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        upd.department_id,
        upd.region_id,
    )
    .await?;
    if id == auth.user.id && upd.roles != cur.roles {
        return Err(DomainError::conflict(
            "roles",
            "不能修改自己的角色",
            "you cannot change your own roles",
        )
        .into());
    }
    Ok(state.store.update_user(&auth.ctx(), id, upd).await?)
}

pub async fn set_user_active(
    state: &AppState,
    auth: &Auth,
    id: i64,
    version: i64,
    active: bool,
) -> AppResult<User> {
    auth.actor.require(Permission::UserWrite)?;
    let cur = user(state, auth, id).await?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        cur.department_id,
        cur.region_id,
    )
    .await?;
    if id == auth.user.id {
        return Err(DomainError::conflict(
            "active",
            "不能停用自己的账号",
            "you cannot deactivate your own account",
        )
        .into());
    }
    Ok(state
        .store
        .set_user_active(&auth.ctx(), id, version, active)
        .await?)
}

/// An administrator sets a new password; all the account's sessions end.
pub async fn reset_password(
    state: &AppState,
    auth: &Auth,
    id: i64,
    reset: PasswordReset,
) -> AppResult<()> {
    auth.actor.require(Permission::UserWrite)?;
    let cur = user(state, auth, id).await?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        cur.department_id,
        cur.region_id,
    )
    .await?;
    if cur.version != reset.version {
        return Err(DomainError::stale("version").into());
    }
    check_password(&cur.username, &reset.new_password, "new_password")?;
    let hash = hash_password(reset.new_password).await?;
    Ok(state
        .store
        .set_password(&auth.ctx(), id, hash, None)
        .await?)
}

/// A person changes their own password; their other sessions end.
pub async fn change_password(
    state: &AppState,
    auth: &Auth,
    change: PasswordChange,
) -> AppResult<()> {
    let hash = state
        .store
        .password_hash(auth.user.id)
        .await?
        .unwrap_or_default();
    if !verify_password(change.old_password, hash).await {
        return Err(DomainError::invalid(
            "old_password",
            "原密码不正确",
            "the current password is wrong",
        )
        .into());
    }
    check_password(&auth.user.username, &change.new_password, "new_password")?;
    let hash = hash_password(change.new_password).await?;
    Ok(state
        .store
        .set_password(&auth.ctx(), auth.user.id, hash, Some(auth.session.id))
        .await?)
}

pub async fn set_preferences(
    state: &AppState,
    auth: &Auth,
    large_text: Option<bool>,
    lang: Option<Lang>,
) -> AppResult<User> {
    Ok(state
        .store
        .set_preferences(&auth.ctx(), auth.user.id, large_text, lang)
        .await?)
}

/// Largest staff photo accepted.
pub const PHOTO_LIMIT: usize = 1024 * 1024;

/// The image type of a photo, judged by its content: PNG or JPEG.
pub fn photo_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else {
        None
    }
}

/// A staff member's photo for the screen over their window: those who manage the account.
pub async fn set_photo(state: &AppState, auth: &Auth, id: i64, bytes: &[u8]) -> AppResult<()> {
    auth.actor.require(Permission::UserWrite)?;
    let cur = user(state, auth, id).await?;
    check_covers(
        state,
        auth,
        Permission::UserWrite,
        cur.department_id,
        cur.region_id,
    )
    .await?;
    if bytes.len() > PHOTO_LIMIT {
        return Err(DomainError::invalid(
            "photo",
            "照片不能超过1MB",
            "the photo must be at most 1 MB",
        )
        .into());
    }
    let Some(mime) = photo_type(bytes) else {
        return Err(DomainError::invalid(
            "photo",
            "照片应为PNG或JPEG图片",
            "the photo must be a PNG or JPEG image",
        )
        .into());
    };
    let sha = super::uploads::sha256_hex(bytes);
    super::uploads::write_blob(&state.config.uploads_dir, &sha, bytes)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "cannot store a staff photo");
            AppError::internal()
        })?;
    state
        .store
        .set_staff_photo(&auth.ctx(), cur.id, &sha, mime)
        .await?;
    super::hall_live::changed_everywhere(state);
    Ok(())
}

/// A staff photo as the window screens show it (public, like the name on the screen).
pub async fn photo(state: &AppState, id: i64) -> AppResult<(Vec<u8>, String)> {
    let (sha, mime) = state
        .store
        .staff_photo(id)
        .await?
        .ok_or_else(|| AppError::not_found(onewindow_core::Text::fixed("照片", "photo")))?;
    Ok((
        super::uploads::read(&state.config.uploads_dir, &sha).await?,
        mime,
    ))
}
