//! Accounts, roles, sessions and login attempts.

use super::audit::append;
use super::entity::{Entity, active_set, apply, created, current};
use super::org::{activation, change, require_active};
use super::rows::{USER_COLS, UserRolesRow, UserRow, user_roles_cols};
use super::{SqlStore, scope_where};
use crate::IdentityStore;
use crate::backend::{Backend, now, sql};
use crate::error::{Result, StoreError};
use crate::model::{NewSession, ScopeFilter, Session};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::identity::{CleanNewUser, CleanUserUpdate, Role, User};
use onewindow_core::{DomainError, Lang};
use serde_json::json;
use std::sync::LazyLock;

const SESSION_COLS: &str =
    "id, user_id, kind, csrf_token, created_at, last_seen_at, idle_expires_at, expires_at";

/// A user with roles by id (built once: every cache miss of a session asks the like of it).
static USER_BY_ID: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {} FROM users WHERE id = $1",
        user_roles_cols("users")
    )
});

/// An open session of an active user, with the user and roles, by token hash.
static SESSION_USER: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, s.id AS session_id, s.kind AS session_kind, s.csrf_token,
                s.created_at AS session_created_at, s.last_seen_at, s.idle_expires_at, s.expires_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.idle_expires_at > $2 AND u.active",
        user_roles_cols("u")
    )
});

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    user: UserRolesRow,
    session_id: i64,
    session_kind: String,
    csrf_token: String,
    session_created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

async fn set_roles<B: Backend>(tx: &mut B::Tx, user_id: i64, roles: &[Role]) -> Result<()> {
    B::exec(
        tx,
        sql("DELETE FROM user_roles WHERE user_id = $1").bind(user_id),
    )
    .await?;
    for r in roles {
        B::exec(
            tx,
            sql("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(r.code()),
        )
        .await?;
    }
    Ok(())
}

/// A department account works in its department's region: the region is derived, never typed.
async fn scope_refs<B: Backend>(
    tx: &mut B::Tx,
    department_id: Option<i64>,
    region_id: Option<i64>,
) -> Result<Option<i64>> {
    if let Some(d) = department_id {
        require_active::<B>(tx, "departments", d, "department_id").await?;
        let r: Option<(i64,)> = B::opt(
            tx,
            sql("SELECT region_id FROM departments WHERE id = $1").bind(d),
        )
        .await?;
        return Ok(r.map(|r| r.0));
    }
    if let Some(r) = region_id {
        require_active::<B>(tx, "regions", r, "region_id").await?;
    }
    Ok(region_id)
}

fn owner(u: &User) -> (Option<i64>, Option<i64>) {
    (u.department_id, u.region_id)
}

async fn end_sessions<B: Backend>(tx: &mut B::Tx, user_id: i64, keep: Option<i64>) -> Result<u64> {
    B::exec(
        tx,
        sql("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep.unwrap_or(-1)),
    )
    .await
}

/// One account with its roles and audit entry.
async fn insert_user<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    new: CleanNewUser,
    password_hash: String,
) -> Result<User> {
    let region_id = scope_refs::<B>(tx, new.department_id, new.region_id).await?;
    let t = now();
    let row: Option<(i64,)> = B::opt(
        tx,
        sql("INSERT INTO users (username, display_name, password_hash, department_id, region_id, phone,
                                created_at, updated_at, password_changed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7) RETURNING id")
        .bind(new.username)
        .bind(new.display_name)
        .bind(password_hash)
        .bind(new.department_id)
        .bind(region_id)
        .bind(new.phone)
        .bind(t),
    )
    .await?;
    let id = row
        .map(|r| r.0)
        .ok_or_else(|| StoreError::Database("INSERT returned no id".into()))?;
    set_roles::<B>(tx, id, &new.roles).await?;
    let u = created::<B, User>(tx, ctx, id).await?;
    Ok(u)
}

#[async_trait]
impl<B: Backend> IdentityStore for SqlStore<B> {
    async fn users(&self, scope: &ScopeFilter) -> Result<Vec<User>> {
        let scoped = scope_where(
            sql("SELECT id FROM users WHERE 1 = 1"),
            scope,
            Some("department_id"),
            Some("region_id"),
        );
        let public = if scope.with_public_accounts {
            " OR (department_id IS NULL AND region_id IS NULL)"
        } else {
            ""
        };
        let q = crate::backend::Sql {
            text: format!(
                "SELECT {USER_COLS} FROM users WHERE (id IN ({}){public}) ORDER BY id",
                scoped.text
            )
            .into(),
            args: scoped.args.clone(),
        };
        let roles_q = crate::backend::Sql {
            text: format!(
                "SELECT user_id, role FROM user_roles WHERE user_id IN (
                    SELECT id FROM users WHERE (id IN ({}){public})) ORDER BY user_id",
                scoped.text
            )
            .into(),
            args: q.args.clone(),
        };
        let rows: Vec<UserRow> = self.b.read_all(q).await?;
        let roles: Vec<(i64, String)> = self.b.read_all(roles_q).await?;
        let mut by_user: std::collections::HashMap<i64, Vec<String>> =
            std::collections::HashMap::new();
        for (id, role) in roles {
            by_user.entry(id).or_default().push(role);
        }
        Ok(rows
            .into_iter()
            .map(|u| {
                let mine = by_user.remove(&u.id).unwrap_or_default();
                u.with_roles(&mine)
            })
            .collect())
    }

    async fn user(&self, id: i64) -> Result<Option<User>> {
        let row: Option<UserRolesRow> = self.b.read_opt(sql(USER_BY_ID.as_str()).bind(id)).await?;
        Ok(row.map(UserRolesRow::into_user))
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let id: Option<(i64,)> = self
            .b
            .read_opt(sql("SELECT id FROM users WHERE username = $1").bind(username))
            .await?;
        match id {
            Some((id,)) => self.user(id).await,
            None => Ok(None),
        }
    }

    async fn password_hash(&self, user_id: i64) -> Result<Option<String>> {
        let row: Option<(String,)> = self
            .b
            .read_opt(sql("SELECT password_hash FROM users WHERE id = $1").bind(user_id))
            .await?;
        Ok(row.map(|r| r.0))
    }

    async fn create_user(
        &self,
        ctx: &Context,
        new: CleanNewUser,
        password_hash: String,
    ) -> Result<User> {
        let mut tx = self.b.begin().await?;
        let u = insert_user::<B>(&mut tx, ctx, new, password_hash).await?;
        B::commit(tx).await?;
        Ok(u)
    }

    async fn create_users(
        &self,
        ctx: &Context,
        new: Vec<CleanNewUser>,
        password_hash: String,
    ) -> Result<Vec<User>> {
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(new.len());
        for n in new {
            out.push(insert_user::<B>(&mut tx, ctx, n, password_hash.clone()).await?);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn update_user(&self, ctx: &Context, id: i64, upd: CleanUserUpdate) -> Result<User> {
        let mut tx = self.b.begin().await?;
        let before: User = current::<B, _>(&mut tx, id, upd.version).await?;
        let region_id = scope_refs::<B>(&mut tx, upd.department_id, upd.region_id).await?;
        // Roles are a table of their own: set them first, so the record read back after the
        // update (and the trail's diff) includes them.
        set_roles::<B>(&mut tx, id, &upd.roles).await?;
        let set = sql(
            "display_name = $1, department_id = $2, region_id = $3, phone = $4, updated_at = $5",
        )
        .bind(upd.display_name)
        .bind(upd.department_id)
        .bind(region_id)
        .bind(upd.phone)
        .bind(now());
        let after = apply::<B, _>(&mut tx, ctx, id, &before, "update", set).await?;
        // A change of roles or scope takes effect at once: the old sessions carried the old ones.
        if after.roles != before.roles
            || after.department_id != before.department_id
            || after.region_id != before.region_id
        {
            end_sessions::<B>(&mut tx, id, None).await?;
        }
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(after)
    }

    async fn set_user_active(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        active: bool,
    ) -> Result<User> {
        let mut tx = self.b.begin().await?;
        let before: User = current::<B, _>(&mut tx, id, version).await?;
        let after = apply::<B, _>(
            &mut tx,
            ctx,
            id,
            &before,
            activation(active),
            active_set(active),
        )
        .await?;
        if !active {
            end_sessions::<B>(&mut tx, id, None).await?;
        }
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(after)
    }

    async fn set_password(
        &self,
        ctx: &Context,
        id: i64,
        password_hash: String,
        keep_session: Option<i64>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let u = User::load::<B>(&mut tx, id).await?;
        let t = now();
        B::exec(
            &mut tx,
            sql(
                "UPDATE users SET password_hash = $1, password_changed_at = $2, updated_at = $2,
                 version = version + 1 WHERE id = $3",
            )
            .bind(password_hash)
            .bind(t)
            .bind(id),
        )
        .await?;
        let ended = end_sessions::<B>(&mut tx, id, keep_session).await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "user.password".into(),
                target_type: "user".into(),
                target_id: Some(id),
                department_id: u.department_id,
                region_id: u.region_id,
                // Never the hash: only the fact and its consequence.
                summary: json!({"after": {"password": "changed", "sessions_ended": ended}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(())
    }

    async fn set_preferences(
        &self,
        ctx: &Context,
        id: i64,
        large_text: Option<bool>,
        lang: Option<Lang>,
    ) -> Result<User> {
        let mut tx = self.b.begin().await?;
        let before = User::load::<B>(&mut tx, id).await?;
        B::exec(
            &mut tx,
            sql("UPDATE users SET large_text = $1, lang = $2, updated_at = $3, version = version + 1 WHERE id = $4")
                .bind(large_text.unwrap_or(before.large_text))
                .bind(lang.unwrap_or(before.lang).code())
                .bind(now())
                .bind(id),
        )
        .await?;
        let after = User::load::<B>(&mut tx, id).await?;
        append::<B>(
            &mut tx,
            ctx,
            change(
                "user",
                "preferences",
                id,
                owner(&after),
                Some(&before),
                Some(&after),
            ),
        )
        .await?;
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(after)
    }

    async fn create_session(&self, ctx: &Context, new: NewSession) -> Result<Session> {
        let mut tx = self.b.begin().await?;
        let u = User::load::<B>(&mut tx, new.user_id).await?;
        if !u.active {
            return Err(DomainError::forbidden().into());
        }
        let t = now();
        let session: Option<Session> = B::opt(
            &mut tx,
            sql(format!(
                "INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, last_seen_at,
                                       idle_expires_at, expires_at, client_addr)
                 VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8) RETURNING {SESSION_COLS}"
            ))
            .bind(new.token_hash)
            .bind(new.user_id)
            .bind(new.kind.clone())
            .bind(new.csrf_token)
            .bind(t)
            .bind(new.idle_expires_at)
            .bind(new.expires_at)
            .bind(new.client_addr),
        )
        .await?;
        let session =
            session.ok_or_else(|| StoreError::Database("INSERT returned no row".into()))?;
        B::exec(
            &mut tx,
            sql("UPDATE users SET last_login_at = $1 WHERE id = $2")
                .bind(t)
                .bind(new.user_id),
        )
        .await?;
        // Sessions that ran out are removed as new ones are made, so the table stays small.
        B::exec(
            &mut tx,
            sql("DELETE FROM sessions WHERE expires_at < $1 OR idle_expires_at < $1").bind(t),
        )
        .await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: if new.kind == "bearer" { "auth.token".into() } else { "auth.login".into() },
                target_type: "user".into(),
                target_id: Some(u.id),
                department_id: u.department_id,
                region_id: u.region_id,
                summary: json!({"after": {"session": session.id, "kind": new.kind, "expires_at": session.expires_at}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(session)
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(Session, User)>> {
        // Every request asks this: the session and its active user in one statement.
        if let Some(hit) = self.sessions.get(token_hash, now) {
            return Ok(Some(hit));
        }
        let row: Option<SessionUserRow> = self
            .b
            .read_opt(sql(SESSION_USER.as_str()).bind(token_hash).bind(now))
            .await?;
        Ok(row.map(|r| {
            let session = Session {
                id: r.session_id,
                user_id: r.user.user.id,
                kind: r.session_kind,
                csrf_token: r.csrf_token,
                created_at: r.session_created_at,
                last_seen_at: r.last_seen_at,
                idle_expires_at: r.idle_expires_at,
                expires_at: r.expires_at,
            };
            let user = r.user.into_user();
            self.sessions.put(token_hash, &session, &user);
            (session, user)
        }))
    }

    async fn touch_session(
        &self,
        id: i64,
        now: DateTime<Utc>,
        idle_expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql("UPDATE sessions SET last_seen_at = $1, idle_expires_at = $2 WHERE id = $3")
                .bind(now)
                .bind(idle_expires_at)
                .bind(id),
        )
        .await?;
        B::commit(tx).await?;
        self.sessions.forget_session(id);
        Ok(())
    }

    async fn end_session(&self, ctx: &Context, token_hash: &str) -> Result<bool> {
        let mut tx = self.b.begin().await?;
        let s: Option<(i64, i64)> = B::opt(
            &mut tx,
            sql("DELETE FROM sessions WHERE token_hash = $1 RETURNING id, user_id")
                .bind(token_hash),
        )
        .await?;
        let Some((sid, uid)) = s else {
            return Ok(false);
        };
        let u = User::load::<B>(&mut tx, uid).await?;
        append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "auth.logout".into(),
                target_type: "user".into(),
                target_id: Some(uid),
                department_id: u.department_id,
                region_id: u.region_id,
                summary: json!({"before": {"session": sid}}),
            },
        )
        .await?;
        B::commit(tx).await?;
        self.sessions.forget_all();
        Ok(true)
    }

    async fn record_login_attempt(
        &self,
        username: &str,
        client_addr: &str,
        success: bool,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        // Attempts older than a day no longer count for anything.
        B::exec(
            &mut tx,
            sql("DELETE FROM login_attempts WHERE at < $1").bind(now() - chrono::Duration::days(1)),
        )
        .await?;
        B::exec(
            &mut tx,
            sql("INSERT INTO login_attempts (username, client_addr, at, success) VALUES ($1, $2, $3, $4)")
                .bind(username)
                .bind(client_addr)
                .bind(now())
                .bind(success),
        )
        .await?;
        B::commit(tx).await
    }

    async fn failed_logins(
        &self,
        username: &str,
        client_addr: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64)> {
        let by_user: Option<(i64,)> = self
            .b
            .read_opt(
                sql("SELECT count(*) FROM login_attempts
                     WHERE username = $1 AND success = FALSE AND at > $2
                       AND at > COALESCE((SELECT max(at) FROM login_attempts WHERE username = $1 AND success = TRUE), $2)")
                .bind(username)
                .bind(since),
            )
            .await?;
        let by_addr: Option<(i64,)> = self
            .b
            .read_opt(
                sql("SELECT count(*) FROM login_attempts WHERE client_addr = $1 AND success = FALSE AND at > $2")
                    .bind(client_addr)
                    .bind(since),
            )
            .await?;
        Ok((by_user.map_or(0, |c| c.0), by_addr.map_or(0, |c| c.0)))
    }
}
