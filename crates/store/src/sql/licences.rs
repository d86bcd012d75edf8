//! Licence types, seal keys and licences (see `crate::licences`). Each write and its audit entry
//! are one transaction; a licence's number is drawn from `counters` in the transaction that keeps
//! it, and its signature is made there, once the number is known.

use super::SqlStore;
use crate::backend::{Backend, sql};
use crate::error::{Result, StoreError};
use crate::licences::{
    LicenceFilter, LicenceShare, LicenceStore, NewLicence, NewShare, PrintCode, SealKeyRecord,
    SignLicence, Signer,
};
use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use onewindow_core::audit::{Change, Context};
use onewindow_core::case::Dossier;
use onewindow_core::case::machine::Outcome;
use onewindow_core::licence::kind::{self, NewLicenceKind};
use onewindow_core::licence::record::{Holder, HolderKind, Licence, LicenceField, Status};
use onewindow_core::licence::{LicenceKind, Validity};
use onewindow_core::{DomainError, Text};
use serde_json::json;
use std::sync::Arc;

#[derive(sqlx::FromRow)]
struct KindRow {
    id: i64,
    code: String,
    name: String,
    department_id: i64,
    fields: String,
    validity: String,
    prefix: String,
    active: bool,
    version: i64,
}

const KIND_COLS: &str = "id, code, name, department_id, fields, validity, prefix, active, version";

fn kind_of(r: KindRow) -> Result<LicenceKind> {
    let bad = |e: serde_json::Error| StoreError::Database(format!("licence kind {}: {e}", r.id));
    Ok(LicenceKind {
        id: r.id,
        fields: serde_json::from_str(&r.fields).map_err(bad)?,
        validity: serde_json::from_str::<Validity>(&r.validity).map_err(bad)?,
        code: r.code,
        name: r.name,
        department_id: r.department_id,
        prefix: r.prefix,
        active: r.active,
        version: r.version,
    })
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    key_id: String,
    department_id: i64,
    public_key: String,
    sealed_secret: String,
    active: bool,
    created_at: DateTime<Utc>,
    retired_at: Option<DateTime<Utc>>,
}

impl From<KeyRow> for SealKeyRecord {
    fn from(r: KeyRow) -> Self {
        SealKeyRecord {
            key_id: r.key_id,
            department_id: r.department_id,
            public_key: r.public_key,
            sealed_secret: r.sealed_secret,
            active: r.active,
            created_at: r.created_at,
            retired_at: r.retired_at,
        }
    }
}

const KEY_COLS: &str =
    "key_id, department_id, public_key, sealed_secret, active, created_at, retired_at";

#[derive(sqlx::FromRow)]
struct LicenceRow {
    id: i64,
    number: String,
    kind_id: i64,
    kind_name: String,
    department_id: i64,
    department_name: String,
    holder_kind: String,
    holder_id: String,
    holder_name: String,
    fields: String,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    case_id: Option<i64>,
    status: String,
    status_reason: Option<String>,
    key_id: String,
    verify_code: String,
    data_signature: String,
    version: i64,
}

const LICENCE_SELECT: &str = "SELECT l.id, l.number, l.kind_id, k.name AS kind_name,
        l.department_id, d.name AS department_name, l.holder_kind, l.holder_id, l.holder_name,
        l.fields, l.issued_on, l.expires_on, l.case_id, l.status, l.status_reason, l.key_id,
        l.verify_code, l.data_signature, l.version
    FROM licences l JOIN licence_kinds k ON k.id = l.kind_id
    JOIN departments d ON d.id = l.department_id";

fn licence_of(r: LicenceRow) -> Result<(Licence, String)> {
    let bad = |what: &str| StoreError::Database(format!("licence {}: bad {what}", r.id));
    let fields: Vec<LicenceField> = serde_json::from_str(&r.fields).map_err(|_| bad("fields"))?;
    Ok((
        Licence {
            id: r.id,
            number: r.number,
            kind_id: r.kind_id,
            kind_name: r.kind_name,
            department_id: r.department_id,
            department_name: r.department_name,
            holder: Holder {
                kind: HolderKind::parse(&r.holder_kind).ok_or_else(|| bad("holder kind"))?,
                id_number: r.holder_id,
                name: r.holder_name,
            },
            fields,
            issued_on: r.issued_on,
            expires_on: r.expires_on,
            case_id: r.case_id,
            status: Status::parse(&r.status).ok_or_else(|| bad("status"))?,
            status_reason: r.status_reason,
            key_id: r.key_id,
            verify_code: r.verify_code,
            version: r.version,
        },
        r.data_signature,
    ))
}

async fn read_kind<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<LicenceKind> {
    let row: KindRow = B::opt(
        tx,
        sql(format!(
            "SELECT {KIND_COLS} FROM licence_kinds WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| {
        StoreError::Domain(DomainError::not_found(Text::fixed(
            "证照类型",
            "licence type",
        )))
    })?;
    kind_of(row)
}

async fn read_licence<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<(Licence, String)> {
    let row: LicenceRow = B::opt(
        tx,
        sql(format!("{LICENCE_SELECT} WHERE l.id = $1")).bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("证照", "licence"))))?;
    licence_of(row)
}

fn kind_audit(k: &LicenceKind, action: &str) -> Change {
    Change {
        action: format!("licence_kind.{action}"),
        target_type: "licence_kind".into(),
        target_id: Some(k.id),
        department_id: Some(k.department_id),
        region_id: None,
        summary: json!({"after": {"code": k.code, "name": k.name, "prefix": k.prefix,
            "active": k.active}}),
    }
}

/// An entry in a licence's trail: `licence.{action}`, kept with its department.
fn licence_change(l: &Licence, action: &str, summary: serde_json::Value) -> Change {
    Change {
        action: format!("licence.{action}"),
        target_type: "licence".into(),
        target_id: Some(l.id),
        department_id: Some(l.department_id),
        region_id: None,
        summary,
    }
}

/// What a licence's trail entry says: its number, type and status — never the holder's ID.
fn licence_audit(l: &Licence, action: &str, before: Option<Status>) -> Change {
    licence_change(
        l,
        action,
        json!({
            "before": before.map(|s| json!({"status": s.code()})),
            "after": {"number": l.number, "name": l.kind_name, "status": l.status.code(),
                "reason": l.status_reason},
        }),
    )
}

/// Numbers, signs and writes a licence in a transaction; the audit entry is the caller's to
/// write (at once, or with the group's).
pub(crate) async fn issue_in<B: Backend>(
    tx: &mut B::Tx,
    l: NewLicence,
    sign: SignLicence<'_>,
    at: DateTime<Utc>,
) -> Result<(Licence, String, Change)> {
    let k = read_kind::<B>(tx, l.kind_id).await?;
    if !k.active {
        return Err(StoreError::Domain(DomainError::invalid(
            "kind_id",
            "该证照类型已停用",
            "the licence type is no longer in use",
        )));
    }
    let (dept_name,): (String,) = B::opt(
        tx,
        sql("SELECT name FROM departments WHERE id = $1").bind(k.department_id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("部门", "department"))))?;
    let number = match l.number {
        Some(n) => n,
        None => {
            let year = NaiveDate::from_ymd_opt(l.issued_on.year(), 1, 1).unwrap_or(l.issued_on);
            let (seq,): (i64,) = B::opt(
                tx,
                sql("INSERT INTO counters (key, day, last) VALUES ($1, $2, 1)
                     ON CONFLICT (key, day) DO UPDATE SET last = counters.last + 1
                     RETURNING last")
                .bind(format!("licence:{}", k.prefix))
                .bind(year),
            )
            .await?
            .ok_or_else(|| StoreError::Database("no licence number".into()))?;
            kind::number(&k.prefix, l.issued_on, seq)
        }
    };
    let mut licence = Licence {
        id: 0,
        number,
        kind_id: k.id,
        kind_name: k.name.clone(),
        department_id: k.department_id,
        department_name: dept_name,
        holder: l.holder,
        fields: l.fields,
        issued_on: l.issued_on,
        expires_on: l.expires_on,
        case_id: l.case_id,
        status: Status::Valid,
        status_reason: None,
        key_id: l.key_id,
        verify_code: l.verify_code,
        version: 1,
    };
    let signature = sign(&licence);
    let (id,): (i64,) = B::opt(
        tx,
        sql(
            "INSERT INTO licences (number, kind_id, department_id, holder_kind, holder_id,
                 holder_name, fields, issued_on, expires_on, case_id, status, key_id,
                 verify_code, data_signature, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)
             RETURNING id",
        )
        .bind(licence.number.clone())
        .bind(licence.kind_id)
        .bind(licence.department_id)
        .bind(licence.holder.kind.code())
        .bind(licence.holder.id_number.clone())
        .bind(licence.holder.name.clone())
        .bind(serde_json::to_string(&licence.fields).unwrap_or_default())
        .bind(licence.issued_on)
        .bind(licence.expires_on)
        .bind(licence.case_id)
        .bind(licence.status.code())
        .bind(licence.key_id.clone())
        .bind(licence.verify_code.clone())
        .bind(signature.clone())
        .bind(at),
    )
    .await?
    .ok_or_else(|| StoreError::Database("INSERT returned no licence".into()))?;
    licence.id = id;
    let change = licence_audit(&licence, "issue", None);
    Ok((licence, signature, change))
}

#[async_trait]
impl<B: Backend> LicenceStore for SqlStore<B> {
    async fn create_licence_kind(
        &self,
        ctx: &Context,
        k: NewLicenceKind,
        at: DateTime<Utc>,
    ) -> Result<LicenceKind> {
        let k = k.check()?;
        let mut tx = self.b.begin().await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO licence_kinds (code, name, department_id, fields, validity, prefix,
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(k.code.clone())
            .bind(k.name.clone())
            .bind(k.department_id)
            .bind(serde_json::to_string(&k.fields).unwrap_or_default())
            .bind(serde_json::to_string(&k.validity).unwrap_or_default())
            .bind(k.prefix.clone())
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no licence kind".into()))?;
        let after = read_kind::<B>(&mut tx, id).await?;
        super::audit::append::<B>(&mut tx, ctx, kind_audit(&after, "create")).await?;
        // The guides show the types: the catalog's view is built again.
        super::catalog::bump::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn update_licence_kind(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        k: NewLicenceKind,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<LicenceKind> {
        let k = k.check()?;
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE licence_kinds SET code = $1, name = $2, department_id = $3, fields = $4,
                     validity = $5, prefix = $6, active = $7, updated_at = $8,
                     version = version + 1
                 WHERE id = $9 AND version = $10",
            )
            .bind(k.code.clone())
            .bind(k.name.clone())
            .bind(k.department_id)
            .bind(serde_json::to_string(&k.fields).unwrap_or_default())
            .bind(serde_json::to_string(&k.validity).unwrap_or_default())
            .bind(k.prefix.clone())
            .bind(active)
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let after = read_kind::<B>(&mut tx, id).await?;
        super::audit::append::<B>(&mut tx, ctx, kind_audit(&after, "update")).await?;
        super::catalog::bump::<B>(&mut tx).await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn licence_kinds(&self) -> Result<Vec<LicenceKind>> {
        let rows: Vec<KindRow> = self
            .b
            .read_all(sql(format!(
                "SELECT {KIND_COLS} FROM licence_kinds ORDER BY active DESC, code"
            )))
            .await?;
        rows.into_iter().map(kind_of).collect()
    }

    async fn set_matter_licence_kind(
        &self,
        ctx: &Context,
        matter_id: i64,
        kind_id: Option<i64>,
        _at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.b.begin().await?;
        let exists: Option<(i64,)> = B::opt(
            &mut tx,
            sql("SELECT id FROM matters WHERE id = $1").bind(matter_id),
        )
        .await?;
        if exists.is_none() {
            return Err(StoreError::Domain(DomainError::not_found(Text::fixed(
                "事项", "matter",
            ))));
        }
        set_result_kind::<B>(&mut tx, ctx, matter_id, kind_id).await?;
        B::commit(tx).await
    }

    async fn matter_licence_kinds(&self) -> Result<Vec<(i64, i64)>> {
        Ok(self
            .b
            .read_all(sql(
                "SELECT id, licence_kind_id FROM matters WHERE licence_kind_id IS NOT NULL",
            ))
            .await?)
    }

    async fn matter_licence_kind(&self, matter_id: i64) -> Result<Option<i64>> {
        let row: Option<(Option<i64>,)> = self
            .b
            .read_opt(sql("SELECT licence_kind_id FROM matters WHERE id = $1").bind(matter_id))
            .await?;
        Ok(row.and_then(|r| r.0))
    }

    async fn add_seal_key(
        &self,
        ctx: &Context,
        key: SealKeyRecord,
        at: DateTime<Utc>,
    ) -> Result<SealKeyRecord> {
        let mut tx = self.b.begin().await?;
        let retired = B::exec(
            &mut tx,
            sql("UPDATE seal_keys SET active = FALSE, retired_at = $1
                 WHERE department_id = $2 AND active")
            .bind(at)
            .bind(key.department_id),
        )
        .await?;
        B::exec(
            &mut tx,
            sql(
                "INSERT INTO seal_keys (key_id, department_id, public_key, sealed_secret, active,
                     created_at) VALUES ($1, $2, $3, $4, TRUE, $5)",
            )
            .bind(key.key_id.clone())
            .bind(key.department_id)
            .bind(key.public_key.clone())
            .bind(key.sealed_secret.clone())
            .bind(at),
        )
        .await?;
        super::audit::append::<B>(
            &mut tx,
            ctx,
            Change {
                action: "seal_key.create".into(),
                target_type: "seal_key".into(),
                target_id: None,
                department_id: Some(key.department_id),
                region_id: None,
                summary: json!({"after": {"key": key.key_id, "retired": retired}}),
            },
        )
        .await?;
        let row: KeyRow = B::opt(
            &mut tx,
            sql(format!(
                "SELECT {KEY_COLS} FROM seal_keys WHERE key_id = $1"
            ))
            .bind(key.key_id.clone()),
        )
        .await?
        .ok_or_else(|| StoreError::Database("the new seal key is not there".into()))?;
        B::commit(tx).await?;
        Ok(row.into())
    }

    async fn seal_keys(&self, department_id: Option<i64>) -> Result<Vec<SealKeyRecord>> {
        let q = match department_id {
            Some(d) => sql(format!(
                "SELECT {KEY_COLS} FROM seal_keys WHERE department_id = $1
                 ORDER BY created_at DESC, id DESC"
            ))
            .bind(d),
            None => sql(format!(
                "SELECT {KEY_COLS} FROM seal_keys ORDER BY department_id, created_at DESC, id DESC"
            )),
        };
        let rows: Vec<KeyRow> = self.b.read_all(q).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn issue_licence(
        &self,
        ctx: &Context,
        l: NewLicence,
        sign: SignLicence<'_>,
        at: DateTime<Utc>,
    ) -> Result<(Licence, String)> {
        let mut tx = self.b.begin().await?;
        let (licence, signature, change) = issue_in::<B>(&mut tx, l, sign, at).await?;
        super::audit::append::<B>(&mut tx, ctx, change).await?;
        B::commit(tx).await?;
        Ok((licence, signature))
    }

    async fn import_licences(
        &self,
        ctx: &Context,
        licences: Vec<NewLicence>,
        sign: SignLicence<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Licence>> {
        let mut tx = self.b.begin().await?;
        let mut out = Vec::with_capacity(licences.len());
        for l in licences {
            let (licence, _, mut change) = issue_in::<B>(&mut tx, l, sign, at).await?;
            change.action = "licence.import".into();
            super::audit::append::<B>(&mut tx, ctx, change).await?;
            out.push(licence);
        }
        B::commit(tx).await?;
        Ok(out)
    }

    async fn commit_action_issuing(
        &self,
        ctx: &Context,
        before: Dossier,
        outcome: Outcome,
        licence: NewLicence,
        sign: Signer,
    ) -> Result<(Dossier, Licence)> {
        let item = Arc::new((ctx.clone(), before, outcome, licence, sign));
        self.group
            .write(move |g| {
                let item = item.clone();
                Box::pin(async move {
                    let (ctx, before, outcome, licence, sign) = item.as_ref();
                    let after = super::cases::write_outcome::<B>(g, ctx, before, outcome).await?;
                    let at = after.case.concluded_at.unwrap_or(after.case.updated_at);
                    let (issued, _, change) =
                        issue_in::<B>(&mut g.tx, licence.clone(), sign.as_ref(), at).await?;
                    g.later.audit(ctx, change);
                    Ok((after, issued))
                })
            })
            .await
    }

    async fn licence(&self, id: i64) -> Result<Option<(Licence, String)>> {
        let row: Option<LicenceRow> = self
            .b
            .read_opt(sql(format!("{LICENCE_SELECT} WHERE l.id = $1")).bind(id))
            .await?;
        row.map(licence_of).transpose()
    }

    async fn licence_numbers_taken(&self, numbers: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        // In slices, within what either database binds in one statement.
        for part in numbers.chunks(1000) {
            let q = super::and_in(
                sql("SELECT number FROM licences WHERE 1 = 1"),
                "number",
                part.iter().map(|n| n.clone().into()).collect(),
            );
            let rows: Vec<(String,)> = self.b.read_all(q).await?;
            out.extend(rows.into_iter().map(|(n,)| n));
        }
        Ok(out)
    }

    async fn licence_by_code(&self, verify_code: &str) -> Result<Option<(Licence, String)>> {
        let row: Option<LicenceRow> = self
            .b
            .read_opt(sql(format!("{LICENCE_SELECT} WHERE l.verify_code = $1")).bind(verify_code))
            .await?;
        row.map(licence_of).transpose()
    }

    async fn licences(&self, f: &LicenceFilter) -> Result<Vec<Licence>> {
        let mut q = sql(format!("{LICENCE_SELECT} WHERE 1 = 1"));
        if let Some(h) = &f.holder_id {
            q.text = format!("{} AND l.holder_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(h.clone());
        }
        if let Some(d) = f.department_id {
            q.text = format!("{} AND l.department_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(d);
        }
        if let Some(c) = f.case_id {
            q.text = format!("{} AND l.case_id = {}", q.text, q.next_placeholder()).into();
            q = q.bind(c);
        }
        q = super::scope_where(q, &f.scope, Some("l.department_id"), None);
        if f.not_valid {
            q.text = format!("{} AND l.status <> 'valid'", q.text).into();
        }
        let limit = if f.limit <= 0 {
            100
        } else {
            f.limit.min(100_000)
        };
        q.text = format!(
            "{} ORDER BY l.issued_on DESC, l.id DESC LIMIT {limit}",
            q.text
        )
        .into();
        let rows: Vec<LicenceRow> = self.b.read_all(q).await?;
        rows.into_iter()
            .map(|r| licence_of(r).map(|(l, _)| l))
            .collect()
    }

    async fn set_licence_status(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        status: Status,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Licence> {
        let mut tx = self.b.begin().await?;
        let (before, _) = read_licence::<B>(&mut tx, id).await?;
        let n = B::exec(
            &mut tx,
            sql(
                "UPDATE licences SET status = $1, status_reason = $2, updated_at = $3,
                     version = version + 1 WHERE id = $4 AND version = $5",
            )
            .bind(status.code())
            .bind(reason.trim())
            .bind(at)
            .bind(id)
            .bind(version),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::stale("version")));
        }
        let (after, _) = read_licence::<B>(&mut tx, id).await?;
        let action = match status {
            Status::Valid => "restore",
            Status::Suspended => "suspend",
            Status::Revoked => "revoke",
            Status::Cancelled => "cancel",
        };
        super::audit::append::<B>(
            &mut tx,
            ctx,
            licence_audit(&after, action, Some(before.status)),
        )
        .await?;
        B::commit(tx).await?;
        Ok(after)
    }

    async fn create_share(
        &self,
        ctx: &Context,
        s: NewShare,
        at: DateTime<Utc>,
    ) -> Result<LicenceShare> {
        let mut tx = self.b.begin().await?;
        let (licence, _) = read_licence::<B>(&mut tx, s.licence_id).await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO licence_shares (licence_id, token, fields, recipient, expires_at,
                     created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(s.licence_id)
            .bind(s.token.clone())
            .bind(serde_json::to_string(&s.fields).unwrap_or_default())
            .bind(s.recipient.clone())
            .bind(s.expires_at)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no share".into()))?;
        let share = read_share::<B>(&mut tx, id).await?;
        super::audit::append::<B>(&mut tx, ctx, share_audit(&licence, &share, "share")).await?;
        B::commit(tx).await?;
        Ok(share)
    }

    async fn shares(&self, licence_id: i64) -> Result<Vec<LicenceShare>> {
        let rows: Vec<ShareRow> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {SHARE_COLS} FROM licence_shares WHERE licence_id = $1
                     ORDER BY id DESC"
                ))
                .bind(licence_id),
            )
            .await?;
        rows.into_iter().map(share_of).collect()
    }

    async fn share_by_token(&self, token: &str) -> Result<Option<LicenceShare>> {
        let row: Option<ShareRow> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {SHARE_COLS} FROM licence_shares WHERE token = $1"
                ))
                .bind(token.to_string()),
            )
            .await?;
        row.map(share_of).transpose()
    }

    async fn open_share(&self, ctx: &Context, id: i64) -> Result<LicenceShare> {
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql("UPDATE licence_shares SET opens = opens + 1 WHERE id = $1").bind(id),
        )
        .await?;
        let share = read_share::<B>(&mut tx, id).await?;
        let (licence, _) = read_licence::<B>(&mut tx, share.licence_id).await?;
        super::audit::append::<B>(&mut tx, ctx, share_audit(&licence, &share, "share_open"))
            .await?;
        B::commit(tx).await?;
        Ok(share)
    }

    async fn revoke_share(
        &self,
        ctx: &Context,
        id: i64,
        at: DateTime<Utc>,
    ) -> Result<LicenceShare> {
        let mut tx = self.b.begin().await?;
        B::exec(
            &mut tx,
            sql("UPDATE licence_shares SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(at)
                .bind(id),
        )
        .await?;
        let share = read_share::<B>(&mut tx, id).await?;
        let (licence, _) = read_licence::<B>(&mut tx, share.licence_id).await?;
        super::audit::append::<B>(&mut tx, ctx, share_audit(&licence, &share, "share_revoke"))
            .await?;
        B::commit(tx).await?;
        Ok(share)
    }

    async fn licence_uses_by_kind(
        &self,
        scope: &crate::model::ScopeFilter,
    ) -> Result<Vec<(String, i64)>> {
        let mut q = super::scope_where(
            sql(
                "SELECT k.name, COUNT(*) FROM licence_uses u JOIN licences l ON l.id = u.licence_id
                 JOIN licence_kinds k ON k.id = l.kind_id WHERE 1 = 1",
            ),
            scope,
            Some("u.department_id"),
            None,
        );
        q.text = format!("{} GROUP BY k.name ORDER BY COUNT(*) DESC, k.name", q.text).into();
        Ok(self.b.read_all(q).await?)
    }

    async fn create_print_code(
        &self,
        ctx: &Context,
        licence_id: i64,
        code: &str,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<PrintCode> {
        let mut tx = self.b.begin().await?;
        let (licence, _) = read_licence::<B>(&mut tx, licence_id).await?;
        let (id,): (i64,) = B::opt(
            &mut tx,
            sql(
                "INSERT INTO licence_prints (licence_id, code, expires_at, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(licence_id)
            .bind(code.to_string())
            .bind(expires_at)
            .bind(at),
        )
        .await?
        .ok_or_else(|| StoreError::Database("INSERT returned no print code".into()))?;
        let p = read_print::<B>(&mut tx, id).await?;
        super::audit::append::<B>(&mut tx, ctx, print_audit(&licence, &p, "print_code")).await?;
        B::commit(tx).await?;
        Ok(p)
    }

    async fn print_code(&self, code: &str) -> Result<Option<PrintCode>> {
        let row: Option<PrintCode> = self
            .b
            .read_opt(
                sql(format!(
                    "SELECT {PRINT_COLS} FROM licence_prints WHERE code = $1"
                ))
                .bind(code.to_string()),
            )
            .await?;
        Ok(row)
    }

    async fn print_codes(&self, licence_id: i64) -> Result<Vec<PrintCode>> {
        let rows: Vec<PrintCode> = self
            .b
            .read_all(
                sql(format!(
                    "SELECT {PRINT_COLS} FROM licence_prints WHERE licence_id = $1 ORDER BY id DESC"
                ))
                .bind(licence_id),
            )
            .await?;
        Ok(rows)
    }

    async fn spend_print_code(
        &self,
        ctx: &Context,
        id: i64,
        hall_id: i64,
        at: DateTime<Utc>,
    ) -> Result<PrintCode> {
        let mut tx = self.b.begin().await?;
        let n = B::exec(
            &mut tx,
            sql("UPDATE licence_prints SET printed_at = $1, hall_id = $2
                 WHERE id = $3 AND printed_at IS NULL")
            .bind(at)
            .bind(hall_id)
            .bind(id),
        )
        .await?;
        if n == 0 {
            return Err(StoreError::Domain(DomainError::conflict(
                "code",
                "此打印码已使用",
                "this print code was used already",
            )));
        }
        let p = read_print::<B>(&mut tx, id).await?;
        let (licence, _) = read_licence::<B>(&mut tx, p.licence_id).await?;
        super::audit::append::<B>(&mut tx, ctx, print_audit(&licence, &p, "kiosk_print")).await?;
        B::commit(tx).await?;
        Ok(p)
    }
}

const PRINT_COLS: &str = "id, licence_id, code, expires_at, created_at, printed_at, hall_id";

async fn read_print<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<PrintCode> {
    B::opt(
        tx,
        sql(format!(
            "SELECT {PRINT_COLS} FROM licence_prints WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("打印码", "print code"))))
}

/// A print code's entry in its licence's trail (never the code: the trail is read by others).
fn print_audit(l: &Licence, p: &PrintCode, action: &str) -> Change {
    licence_change(
        l,
        action,
        json!({"after": {"number": l.number, "print": p.id, "hall": p.hall_id,
            "expires_at": p.expires_at}}),
    )
}

#[derive(sqlx::FromRow)]
struct ShareRow {
    id: i64,
    licence_id: i64,
    token: String,
    fields: String,
    recipient: String,
    expires_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
    opens: i64,
}

const SHARE_COLS: &str =
    "id, licence_id, token, fields, recipient, expires_at, created_at, revoked_at, opens";

fn share_of(r: ShareRow) -> Result<LicenceShare> {
    Ok(LicenceShare {
        fields: serde_json::from_str(&r.fields)
            .map_err(|e| StoreError::Database(format!("licence share {}: {e}", r.id)))?,
        id: r.id,
        licence_id: r.licence_id,
        token: r.token,
        recipient: r.recipient,
        expires_at: r.expires_at,
        created_at: r.created_at,
        revoked_at: r.revoked_at,
        opens: r.opens,
    })
}

async fn read_share<B: Backend>(tx: &mut B::Tx, id: i64) -> Result<LicenceShare> {
    let row: ShareRow = B::opt(
        tx,
        sql(format!(
            "SELECT {SHARE_COLS} FROM licence_shares WHERE id = $1"
        ))
        .bind(id),
    )
    .await?
    .ok_or_else(|| StoreError::Domain(DomainError::not_found(Text::fixed("授权链接", "share"))))?;
    share_of(row)
}

/// A share's entry in its licence's trail (never the token: the trail is read by others).
fn share_audit(l: &Licence, s: &LicenceShare, action: &str) -> Change {
    licence_change(
        l,
        action,
        json!({"after": {"number": l.number, "share": s.id, "recipient": s.recipient,
            "fields": s.fields, "expires_at": s.expires_at, "opens": s.opens}}),
    )
}

/// Names the licence type a matter's result is (or none), in the caller's transaction: written,
/// in the trail and the catalog's generation moved on, only when it changes. Whether it changed.
pub(super) async fn set_result_kind<B: Backend>(
    tx: &mut B::Tx,
    ctx: &Context,
    matter_id: i64,
    kind_id: Option<i64>,
) -> Result<bool> {
    let n = B::exec(
        tx,
        sql("UPDATE matters SET licence_kind_id = $1 WHERE id = $2 AND COALESCE(licence_kind_id, 0) <> COALESCE($1, 0)")
            .bind(kind_id)
            .bind(matter_id),
    )
    .await?;
    if n == 0 {
        return Ok(false);
    }
    super::audit::append::<B>(
        tx,
        ctx,
        Change {
            action: "matter.licence_kind".into(),
            target_type: "matter".into(),
            target_id: Some(matter_id),
            department_id: None,
            region_id: None,
            summary: json!({"after": {"licence_kind": kind_id}}),
        },
    )
    .await?;
    super::catalog::bump::<B>(tx).await?;
    Ok(true)
}
