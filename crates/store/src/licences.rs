//! Electronic licences (电子证照): licence types and which matter's result each is, the
//! departments' seal keys, and the licences with their status.

use crate::error::Result;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use onewindow_core::audit::Context;
use onewindow_core::licence::LicenceKind;
use onewindow_core::licence::kind::NewLicenceKind;
use onewindow_core::licence::record::{Holder, Licence, LicenceField, Status};
use serde::Serialize;
use utoipa::ToSchema;

/// A seal key as kept: the public point in the clear, the secret sealed (encrypted) under the
/// installation's key; the store never sees the secret itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct SealKeyRecord {
    pub key_id: String,
    pub department_id: i64,
    /// SEC1 uncompressed, hex.
    pub public_key: String,
    #[serde(skip)]
    pub sealed_secret: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// A licence to write: numbered by the store from its type's series in the same transaction.
#[derive(Clone, Debug)]
pub struct NewLicence {
    /// `None`: the next of its type's series. A paper licence imported keeps its own.
    pub number: Option<String>,
    pub kind_id: i64,
    pub holder: Holder,
    pub fields: Vec<LicenceField>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub case_id: Option<i64>,
    pub key_id: String,
    pub verify_code: String,
}

/// Signs a licence once its number is known (the seal's signature of its canonical data, hex).
pub type SignLicence<'a> = &'a (dyn Fn(&Licence) -> String + Send + Sync);
/// The same, owned, for an action that waits in the group commit.
pub type Signer = std::sync::Arc<dyn Fn(&Licence) -> String + Send + Sync>;

/// Which licences to list.
#[derive(Clone, Debug, Default)]
pub struct LicenceFilter {
    /// A holder's own: the ID number or credit code.
    pub holder_id: Option<String>,
    pub department_id: Option<i64>,
    /// The reader's scope: only the licences of the departments it covers.
    pub scope: crate::model::ScopeFilter,
    pub case_id: Option<i64>,
    /// Only those suspended, revoked or cancelled (the public status list).
    pub not_valid: bool,
    pub limit: i64,
}

/// A share of a licence (授权用证): a link for someone, for a while, showing some fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct LicenceShare {
    pub id: i64,
    pub licence_id: i64,
    /// The link's secret part (`/share/{token}`), shown to the holder who gives it.
    pub token: String,
    /// The keys of the fields shown besides the licence's name, number, holder, issuer, dates
    /// and status (`holder_id` for the holder's ID number).
    pub fields: Vec<String>,
    /// Whom it is for, or what for (e.g. 某银行开户).
    pub recipient: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// How many times it was opened.
    pub opens: i64,
}

/// A one-time code to print a licence at a hall's kiosk (自助打印), as its row holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema, sqlx::FromRow)]
pub struct PrintCode {
    pub id: i64,
    pub licence_id: i64,
    /// Eight digits, typed at the kiosk.
    pub code: String,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub printed_at: Option<DateTime<Utc>>,
    pub hall_id: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct NewShare {
    pub licence_id: i64,
    pub token: String,
    pub fields: Vec<String>,
    pub recipient: String,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait LicenceStore: Send + Sync {
    async fn create_licence_kind(
        &self,
        ctx: &Context,
        k: NewLicenceKind,
        at: DateTime<Utc>,
    ) -> Result<LicenceKind>;
    /// Edits a type under its version (409 `version` when someone else changed it).
    async fn update_licence_kind(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        k: NewLicenceKind,
        active: bool,
        at: DateTime<Utc>,
    ) -> Result<LicenceKind>;
    /// Every type, active first, by code.
    async fn licence_kinds(&self) -> Result<Vec<LicenceKind>>;
    /// Names the licence type a matter's approving decision issues (or none).
    async fn set_matter_licence_kind(
        &self,
        ctx: &Context,
        matter_id: i64,
        kind_id: Option<i64>,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn matter_licence_kind(&self, matter_id: i64) -> Result<Option<i64>>;
    /// Every matter whose result is a licence, with its type: (matter, type).
    async fn matter_licence_kinds(&self) -> Result<Vec<(i64, i64)>>;

    /// A department's new seal key; its active key, if any, is retired in the same transaction
    /// (kept, to verify what it signed).
    async fn add_seal_key(
        &self,
        ctx: &Context,
        key: SealKeyRecord,
        at: DateTime<Utc>,
    ) -> Result<SealKeyRecord>;
    /// Keys, of one department or all, newest first.
    async fn seal_keys(&self, department_id: Option<i64>) -> Result<Vec<SealKeyRecord>>;

    /// Numbers, signs and keeps a licence with its audit entry, in one transaction.
    async fn issue_licence(
        &self,
        ctx: &Context,
        l: NewLicence,
        sign: SignLicence<'_>,
        at: DateTime<Utc>,
    ) -> Result<(Licence, String)>;
    /// A case's action (its conclusion) and the licence it issues, in one transaction with the
    /// case's other writes (through the group commit): both or neither.
    async fn commit_action_issuing(
        &self,
        ctx: &Context,
        before: onewindow_core::case::Dossier,
        outcome: onewindow_core::case::machine::Outcome,
        licence: NewLicence,
        sign: Signer,
    ) -> Result<(onewindow_core::case::Dossier, Licence)>;
    /// Paper licences already issued, loaded into the library with their own numbers, sealed,
    /// each with its audit entry; all in one transaction (a number taken already refuses all).
    async fn import_licences(
        &self,
        ctx: &Context,
        licences: Vec<NewLicence>,
        sign: SignLicence<'_>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Licence>>;
    /// Which of these numbers a licence has already (numbers are unique across departments).
    async fn licence_numbers_taken(&self, numbers: &[String]) -> Result<Vec<String>>;
    /// A licence and its data signature (hex).
    async fn licence(&self, id: i64) -> Result<Option<(Licence, String)>>;
    async fn licence_by_code(&self, verify_code: &str) -> Result<Option<(Licence, String)>>;
    async fn licences(&self, filter: &LicenceFilter) -> Result<Vec<Licence>>;
    /// A status change under the version, with its reason, audited.
    async fn set_licence_status(
        &self,
        ctx: &Context,
        id: i64,
        version: i64,
        status: Status,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<Licence>;

    /// A new share of a licence, audited.
    async fn create_share(
        &self,
        ctx: &Context,
        s: NewShare,
        at: DateTime<Utc>,
    ) -> Result<LicenceShare>;
    /// A licence's shares, newest first.
    async fn shares(&self, licence_id: i64) -> Result<Vec<LicenceShare>>;
    async fn share_by_token(&self, token: &str) -> Result<Option<LicenceShare>>;
    /// Counts an opening of a share and puts it in the licence's trail, in one transaction.
    async fn open_share(&self, ctx: &Context, id: i64) -> Result<LicenceShare>;
    /// Ends a share before its time, audited.
    async fn revoke_share(&self, ctx: &Context, id: i64, at: DateTime<Utc>)
    -> Result<LicenceShare>;

    /// How many materials licences stood for (电子证照·免提交), by licence type, in the cases of
    /// the departments the scope covers.
    async fn licence_uses_by_kind(
        &self,
        scope: &crate::model::ScopeFilter,
    ) -> Result<Vec<(String, i64)>>;

    /// A new print code for a licence, audited.
    async fn create_print_code(
        &self,
        ctx: &Context,
        licence_id: i64,
        code: &str,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> Result<PrintCode>;
    async fn print_code(&self, code: &str) -> Result<Option<PrintCode>>;
    /// A licence's print codes, newest first.
    async fn print_codes(&self, licence_id: i64) -> Result<Vec<PrintCode>>;
    /// Spends a code on a print at a hall, with its entry in the licence's trail, in one
    /// transaction; a code spent already is a conflict.
    async fn spend_print_code(
        &self,
        ctx: &Context,
        id: i64,
        hall_id: i64,
        at: DateTime<Utc>,
    ) -> Result<PrintCode>;
}
