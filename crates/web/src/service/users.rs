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
