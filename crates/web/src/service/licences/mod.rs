//! Electronic licences (电子证照): the seal keys each issuing department signs with, the licence
//! a case's approving conclusion issues, the public keys anyone verifies with, and what the
//! verify page tells a reader.

pub mod document;
pub mod import;
pub mod kinds;
pub mod kiosk;
pub mod renewal;
pub mod reuse;
pub mod seal_store;
pub mod shares;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::DomainError;
use onewindow_core::case::{ApplicantKind, Case, Decision, Dossier};
use onewindow_core::licence::LicenceKind;
use onewindow_core::licence::file::{Publication, StatusEntry};
use onewindow_core::licence::record::{
    self, CaseFacts, Holder, HolderKind, Licence, Standing, StatusAction,
};
use onewindow_core::licence::seal::{self, PublishedKey, SealKey, hex, unhex};
use onewindow_core::{FieldError, Text};
use onewindow_store::{NewLicence, SealKeyRecord, Signer};
pub use seal_store::{DEMO_KEY, SealStore};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// `[licences]` in the configuration.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceSettings {
    /// The installation's key (32 hex digits) that seals the departments' signing keys at rest.
    /// Without it only the demo issues licences (with a key everyone knows).
    #[serde(default)]
    pub seal_key: Option<String>,
}

/// A seal that cannot be opened or made is the installation's fault, not the reader's: logged,
/// and answered as an internal error.
fn broken(what: String) -> AppError {
    tracing::error!(target: "onewindow::licences", "{what}");
    AppError::internal()
}

pub(crate) fn seal_store(state: &AppState) -> AppResult<SealStore> {
    let key = match (&state.config.licences.seal_key, state.config.demo) {
        (Some(k), _) => k.as_str(),
        (None, true) => DEMO_KEY,
        (None, false) => {
            return Err(AppError::from(DomainError::invalid(
                "seal_key",
                "未配置证照印章密钥（配置文件[licences] seal_key），不能签发电子证照",
                "no seal key is configured ([licences] seal_key): licences cannot be issued",
            )));
        }
    };
    SealStore::new(key).map_err(|e| broken(e.to_string()))
}

/// The department's signing key: its active one, or a new one made now (32 random bytes,
/// sealed under the installation's key).
pub async fn signing_key(state: &AppState, department_id: i64) -> AppResult<SealKey> {
    let seal = seal_store(state)?;
    keyring_key(state.store.as_ref(), &seal, department_id).await
}

/// The same, given the store and the installation's seal (the demo's history issues without a
/// running platform).
pub async fn keyring_key(
    store: &dyn onewindow_store::Store,
    seal: &SealStore,
    department_id: i64,
) -> AppResult<SealKey> {
    if let Some(k) = store
        .seal_keys(Some(department_id))
        .await?
        .into_iter()
        .find(|k| k.active)
    {
        let secret = seal
            .open(&k.key_id, &k.sealed_secret)
            .map_err(|e| broken(e.to_string()))?;
        return SealKey::from_secret(&secret).map_err(|e| broken(e.to_string()));
    }
    make_key(store, seal, department_id, None).await
}

/// A new key for the department; the one it replaces is kept to verify what it signed.
pub async fn rotate(
    state: &AppState,
    department_id: i64,
    ctx: Option<&onewindow_core::audit::Context>,
) -> AppResult<SealKey> {
    let seal = seal_store(state)?;
    make_key(state.store.as_ref(), &seal, department_id, ctx).await
}

async fn make_key(
    store: &dyn onewindow_store::Store,
    seal: &SealStore,
    department_id: i64,
    ctx: Option<&onewindow_core::audit::Context>,
) -> AppResult<SealKey> {
    let key = loop {
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        // About one draw in 2^32 is not a valid scalar: draw again.
        if let Ok(k) = SealKey::from_secret(&secret) {
            break k;
        }
    };
    let sealed = seal
        .seal(&key.id, &key.secret())
        .map_err(|e| broken(e.to_string()))?;
    let system = onewindow_core::audit::Context::system("licences");
    store
        .add_seal_key(
            ctx.unwrap_or(&system),
            SealKeyRecord {
                key_id: key.id.clone(),
                department_id,
                public_key: hex(&key.public),
                sealed_secret: sealed,
                active: true,
                created_at: super::cases::now(),
                retired_at: None,
            },
            super::cases::now(),
        )
        .await?;
    Ok(key)
}

/// An unguessable code of `len` characters from a base-32 alphabet without the letters people
/// confuse (5 bits each).
fn token(len: usize) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = vec![0u8; len];
    rand::fill(&mut bytes[..]);
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// The verify page's code: 20 characters (100 bits).
pub(crate) fn verify_code() -> String {
    token(20)
}

/// The licence a concluding case issues, if its matter's result is one and the decision was
/// not a refusal: its fields from the case by the type's rules (a missing one is named by its
/// label), and the department's seal to sign it once numbered.
pub async fn for_conclusion(
    state: &AppState,
    d: &Dossier,
    entered: BTreeMap<String, String>,
) -> AppResult<Option<(NewLicence, Signer)>> {
    let c = &d.case;
    let Some(kind) = to_issue(state, c).await? else {
        return Ok(None);
    };
    let key = signing_key(state, kind.department_id).await?;
    let today = onewindow_core::time::local_date(super::cases::now());
    let licence = new_licence(&kind, c, entered, &key.id, today).map_err(first_problem)?;
    let signer: Signer = Arc::new(move |l: &Licence| hex(&key.sign(&l.canonical())));
    Ok(Some((licence, signer)))
}

/// The licences a case issued (its reader may see that they exist; each licence's own page
/// decides who reads it).
pub async fn of_case(state: &AppState, case_id: i64) -> AppResult<Vec<Licence>> {
    Ok(state
        .store
        .licences(&onewindow_store::LicenceFilter {
            case_id: Some(case_id),
            limit: 10,
            ..Default::default()
        })
        .await?)
}

/// The licence type the case's conclusion issues, if any: its matter's result type, in use,
/// unless the decision was a refusal.
pub async fn to_issue(state: &AppState, c: &Case) -> AppResult<Option<LicenceKind>> {
    if c.decision == Some(Decision::Deny) {
        return Ok(None);
    }
    let Some(kind_id) = state.store.matter_licence_kind(c.matter_id).await? else {
        return Ok(None);
    };
    Ok(state
        .store
        .licence_kinds()
        .await?
        .into_iter()
        .find(|k| k.id == kind_id && k.active))
}

/// The licence a case's approving decision issues on `issued_on`: its fields from the case by
/// the type's rules (each problem named by the field's label), its holder the applicant.
pub fn new_licence(
    kind: &LicenceKind,
    c: &Case,
    entered: BTreeMap<String, String>,
    key_id: &str,
    issued_on: NaiveDate,
) -> Result<NewLicence, Vec<FieldError>> {
    let facts = CaseFacts {
        holder_name: c.applicant.name.clone(),
        holder_id: c.applicant.id_number.clone(),
        address: c.applicant.address.clone().unwrap_or_default(),
        matter: c.matter_name.clone(),
        case_number: c.number.clone(),
        entered,
    };
    Ok(NewLicence {
        number: None,
        kind_id: kind.id,
        holder: Holder {
            kind: match c.applicant.kind {
                ApplicantKind::Person => HolderKind::Person,
                ApplicantKind::Legal => HolderKind::Enterprise,
            },
            id_number: c.applicant.id_number.clone(),
            name: c.applicant.name.clone(),
        },
        fields: record::fill(kind, &facts)?,
        issued_on,
        expires_on: kind.validity.expires_on(issued_on),
        case_id: Some(c.id),
        key_id: key_id.to_string(),
        verify_code: verify_code(),
    })
}

fn first_problem(errs: Vec<FieldError>) -> AppError {
    let reasons: Vec<String> = errs.iter().map(|e| e.reason.zh.to_string()).collect();
    let reasons_en: Vec<String> = errs.iter().map(|e| e.reason.en.to_string()).collect();
    let field = errs.first().map(|e| e.field.clone()).unwrap_or_default();
    AppError::from(FieldError::new(
        field,
        Text::new(reasons.join("；"), reasons_en.join("; ")),
    ))
}

/// Every department's keys, active and rotated out, for anyone to verify with.
pub async fn public_keys(state: &AppState) -> AppResult<Vec<PublishedKey>> {
    let departments = state
        .store
        .departments(&onewindow_store::ScopeFilter::all())
        .await?;
    Ok(state
        .store
        .seal_keys(None)
        .await?
        .into_iter()
        .map(|k| PublishedKey {
            department: departments
                .iter()
                .find(|d| d.id == k.department_id)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            key_id: k.key_id,
            department_id: k.department_id,
            public_key: k.public_key,
            active: k.active,
        })
        .collect())
}

/// What an offline verifier reads: the keys, and the licences their departments suspended,
/// revoked or cancelled, as of now.
pub async fn publication(state: &AppState) -> AppResult<Publication> {
    let statuses = state
        .store
        .licences(&onewindow_store::LicenceFilter {
            not_valid: true,
            limit: 100_000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .map(|l| StatusEntry {
            number: l.number,
            kind: l.kind_name,
            status: l.status,
            reason: l.status_reason,
        })
        .collect();
    Ok(Publication {
        as_of: super::cases::now(),
        keys: public_keys(state).await?,
        statuses,
    })
}

/// A department's key by its id, active or rotated out (a document is sealed with the key that
/// signed its licence).
async fn key_by_id(state: &AppState, key_id: &str) -> AppResult<SealKey> {
    let store = seal_store(state)?;
    let k = state
        .store
        .seal_keys(None)
        .await?
        .into_iter()
        .find(|k| k.key_id == key_id)
        .ok_or_else(|| broken(format!("seal key {key_id} is not kept")))?;
    let secret = store
        .open(&k.key_id, &k.sealed_secret)
        .map_err(|e| broken(e.to_string()))?;
    SealKey::from_secret(&secret).map_err(|e| broken(e.to_string()))
}

/// The licences a reader may list: staff, those of the departments in their scope (narrowed to
/// one department if asked); an enterprise's account, those held by its credit code; a person,
/// those issued on the cases she applied for herself (not those she filed as someone's agent).
pub async fn list(
    state: &AppState,
    auth: &crate::auth::Auth,
    department_id: Option<i64>,
) -> AppResult<Vec<Licence>> {
    const MOST: i64 = 500;
    let a = &auth.actor;
    if a.is_staff() && !a.has(onewindow_core::access::Permission::CaseRead) {
        return Err(DomainError::forbidden().into());
    }
    if a.is_staff() {
        let department = match (a.scope.department_id, department_id) {
            (Some(own), Some(asked)) if own != asked => {
                return Err(DomainError::forbidden().into());
            }
            (Some(own), _) => Some(own),
            (None, asked) => asked,
        };
        // The scope in the query, so that the limit counts only what the reader may see.
        return Ok(state
            .store
            .licences(&onewindow_store::LicenceFilter {
                department_id: department,
                scope: super::scope_filter(a),
                limit: MOST,
                ..Default::default()
            })
            .await?);
    }
    if let Some(firm) = state.store.enterprise_of_account(auth.user.id).await? {
        let Some(e) = state.store.enterprise(firm).await? else {
            return Ok(Vec::new());
        };
        return Ok(state
            .store
            .licences(&onewindow_store::LicenceFilter {
                holder_id: Some(e.uscc),
                limit: MOST,
                ..Default::default()
            })
            .await?);
    }
    // Her own applications (not those she filed as someone's agent): the licences issued on
    // them, found by the numbers she applied under (one query each, usually one).
    let own: Vec<onewindow_core::case::Case> = state
        .store
        .cases(&onewindow_store::CaseFilter {
            owner_user_id: Some(auth.user.id),
            limit: 5000,
            ..Default::default()
        })
        .await?
        .into_iter()
        .filter(|c| c.applicant_user_id == Some(auth.user.id))
        .collect();
    let cases: std::collections::HashSet<i64> = own.iter().map(|c| c.id).collect();
    let numbers: std::collections::BTreeSet<&str> =
        own.iter().map(|c| c.applicant.id_number.as_str()).collect();
    let mut out = Vec::new();
    for n in numbers {
        out.extend(
            state
                .store
                .licences(&onewindow_store::LicenceFilter {
                    holder_id: Some(n.to_string()),
                    limit: MOST,
                    ..Default::default()
                })
                .await?
                .into_iter()
                .filter(|l| l.case_id.is_some_and(|c| cases.contains(&c))),
        );
    }
    out.sort_by(|x, y| y.issued_on.cmp(&x.issued_on).then(y.id.cmp(&x.id)));
    Ok(out)
}

/// A licence as the staff of its department (and of the regions above) see it.
pub async fn for_staff(state: &AppState, auth: &crate::auth::Auth, id: i64) -> AppResult<Licence> {
    let (l, _) = readable(state, auth, id).await?;
    if auth.actor.is_staff() {
        Ok(l)
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// Whether the reader holds the licence: an enterprise's account, by its credit code; a
/// person, when it was issued on a case she applied for herself.
pub(crate) async fn holds(
    state: &AppState,
    auth: &crate::auth::Auth,
    l: &Licence,
) -> AppResult<bool> {
    if let Some(firm) = state.store.enterprise_of_account(auth.user.id).await? {
        return Ok(state.store.enterprise(firm).await?.is_some_and(|e| {
            l.holder.kind == HolderKind::Enterprise && e.uscc == l.holder.id_number
        }));
    }
    let Some(case_id) = l.case_id else {
        return Ok(false);
    };
    Ok(state
        .store
        .dossier(case_id)
        .await?
        .is_some_and(|d| d.case.applicant_user_id == Some(auth.user.id)))
}

/// A licence the reader holds (403 otherwise, staff too: they do not act as its holder).
pub(crate) async fn held(
    state: &AppState,
    auth: &crate::auth::Auth,
    id: i64,
) -> AppResult<Licence> {
    let (l, _) = state
        .store
        .licence(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("证照", "licence")))?;
    if !auth.actor.is_staff() && holds(state, auth, &l).await? {
        Ok(l)
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// A licence and its data signature, for its holder or the staff whose scope covers its
/// department; 403 for anyone else.
pub async fn readable(
    state: &AppState,
    auth: &crate::auth::Auth,
    id: i64,
) -> AppResult<(Licence, String)> {
    let (l, signature) = state
        .store
        .licence(id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("证照", "licence")))?;
    let allowed = if auth.actor.is_staff() {
        if !auth.actor.has(onewindow_core::access::Permission::CaseRead) {
            return Err(DomainError::forbidden().into());
        }
        auth.actor
            .covers(&super::department_owner(state, l.department_id).await?)
    } else {
        holds(state, auth, &l).await?
    };
    if allowed {
        Ok((l, signature))
    } else {
        Err(DomainError::forbidden().into())
    }
}

/// The licence's sealed PDF and its file name. A staff member's download is in the trail (it
/// shows the holder's ID number); the holder's own is not.
pub async fn document(
    state: &AppState,
    auth: &crate::auth::Auth,
    id: i64,
    base: &str,
) -> AppResult<(String, Vec<u8>)> {
    let (l, signature) = readable(state, auth, id).await?;
    if auth.actor.is_staff() {
        state
            .store
            .append_audit(
                &auth.ctx(),
                onewindow_core::audit::Change {
                    action: "licence.file_view".into(),
                    target_type: "licence".into(),
                    target_id: Some(l.id),
                    department_id: Some(l.department_id),
                    region_id: None,
                    summary: serde_json::json!({"number": l.number}),
                },
            )
            .await?;
    }
    let key = key_by_id(state, &l.key_id).await?;
    let url = format!("{base}/verify/{}", l.verify_code);
    let bytes = document::render(&document::Sheet {
        licence: &l,
        data_signature: &signature,
        verify_url: &url,
        key: &key,
    });
    Ok((format!("{}-{}.pdf", l.kind_name, l.number), bytes))
}

/// A department's act on a licence it issued.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    pub action: StatusAction,
    /// Why (required): printed on the verify page and in the status list.
    pub reason: String,
    /// The licence's version as the reader saw it (409 if it changed since).
    pub version: i64,
}

/// Whether the reader acts for the licence's department: it alone suspends, restores, revokes
/// or cancels what it issued, by those who decide its cases.
pub fn may_act(auth: &crate::auth::Auth, l: &Licence) -> bool {
    auth.actor
        .has(onewindow_core::access::Permission::CaseDecide)
        && auth.actor.scope.department_id == Some(l.department_id)
}

/// Suspends, restores, revokes or cancels a licence, with the reason; in the trail, and on the
/// verify page and the status list at once.
pub async fn set_status(
    state: &AppState,
    auth: &crate::auth::Auth,
    id: i64,
    input: StatusInput,
) -> AppResult<Licence> {
    let (l, _) = readable(state, auth, id).await?;
    if !may_act(auth, &l) {
        return Err(DomainError::forbidden().into());
    }
    let next = record::act(l.status, input.action, &input.reason)?;
    Ok(state
        .store
        .set_licence_status(
            &auth.ctx(),
            id,
            input.version,
            next,
            &input.reason,
            super::cases::now(),
        )
        .await?)
}

/// What the verify page tells whoever scanned the code: three answers apart.
#[derive(Clone, Debug, Serialize)]
pub struct Verified {
    pub licence: Licence,
    /// The data is as the department signed it.
    pub intact: bool,
    pub standing: Standing,
    /// The department whose published key signed it, if the key is known.
    pub issuer: Option<String>,
}

/// The licence behind a verify code, checked against the published keys (404 for a code that
/// names no licence: a forged QR code learns nothing).
pub async fn verify(state: &AppState, code: &str) -> AppResult<Verified> {
    let (licence, signature) = state
        .store
        .licence_by_code(code.trim())
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("证照", "licence")))?;
    // The page opens on every scan: one look-up of the keys, no departments (the issuer is the
    // licence's own department when the key is that department's).
    let keys = state.store.seal_keys(None).await?;
    let key = keys.iter().find(|k| k.key_id == licence.key_id);
    let intact = key
        .and_then(|k| unhex(&k.public_key))
        .zip(unhex(&signature))
        .is_some_and(|(public, sig)| {
            seal::verify(&public, &licence.canonical(), &sig).unwrap_or(false)
        });
    let today = onewindow_core::time::local_date(super::cases::now());
    Ok(Verified {
        standing: licence.standing(today),
        issuer: key
            .filter(|k| k.department_id == licence.department_id)
            .map(|_| licence.department_name.clone()),
        licence,
        intact,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn verify_codes_are_long_and_plain() {
        let a = super::verify_code();
        assert_eq!(a.len(), 20);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"01IO".contains(c))
        );
        assert_ne!(a, super::verify_code());
    }
}
