//! Expiry and renewal (延续): 30 days before a licence ends (行政许可法 art. 50 asks for the
//! application to renew that long before) its holder is told in the platform, and a renewal case
//! starts from the licence with what it knows filled in. The renewal matter is the one among the
//! matters issuing the type whose name says 延续, as the catalog names them.

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::NaiveDate;
use onewindow_core::case::{ApplicantInfo, ApplicantKind};
use onewindow_core::licence::Licence;
use onewindow_core::licence::record::{HolderKind, Standing};
use onewindow_core::{DomainError, Text};
use serde::Serialize;
use utoipa::ToSchema;

/// How long before its end a licence's holder is told (行政许可法 art. 50: thirty days).
pub const NOTICE_DAYS: i64 = 30;

/// The days left of a valid licence that ends within the notice, if it does.
pub fn days_left(l: &Licence, today: NaiveDate) -> Option<i64> {
    let end = l.expires_on?;
    let left = (end - today).num_days();
    (l.standing(today) == Standing::Valid && left <= NOTICE_DAYS).then_some(left)
}

/// A renewal application as the licence fills it in; the applicant completes and sends it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RenewalDraft {
    pub licence_id: i64,
    pub licence_number: String,
    pub expires_on: Option<NaiveDate>,
    pub matter_code: String,
    pub matter_name: String,
    pub applicant: ApplicantInfo,
    pub note: String,
}

/// The matter that renews licences of this type (its code and name), if the catalog has one.
pub async fn renewal_matter(state: &AppState, kind_id: i64) -> AppResult<Option<(String, String)>> {
    let view = crate::service::catalog::view(state).await?;
    Ok(view
        .guides
        .iter()
        .find(|g| {
            view.licence_results
                .get(&g.matter_id)
                .is_some_and(|(k, _)| *k == kind_id)
                && g.guide.name.contains("延续")
        })
        .map(|g| (g.code.clone(), g.guide.name.clone())))
}

/// The renewal of a licence, filled in from it: for its holder.
pub async fn draft(state: &AppState, auth: &Auth, licence_id: i64) -> AppResult<RenewalDraft> {
    let (l, _) = super::readable(state, auth, licence_id).await?;
    if auth.actor.is_staff() {
        return Err(DomainError::forbidden().into());
    }
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    if matches!(
        l.standing(today),
        Standing::Revoked | Standing::Cancelled | Standing::Suspended
    ) {
        return Err(AppError::from(DomainError::invalid(
            "licence_id",
            format!("证照{}，不能办理延续", l.standing(today).name().zh),
            format!(
                "the licence is {}: it cannot be renewed",
                l.standing(today).name().en
            ),
        )));
    }
    let (matter_code, matter_name) = renewal_matter(state, l.kind_id).await?.ok_or_else(|| {
        AppError::from(DomainError::invalid(
            "licence_id",
            format!("{}没有可在线办理的延续事项，请咨询发证机关", l.kind_name),
            format!("no renewal matter is published for {}", l.kind_name),
        ))
    })?;
    let address = l
        .fields
        .iter()
        .find(|f| f.key == "address")
        .map(|f| f.value.clone())
        .filter(|v| !v.is_empty());
    Ok(RenewalDraft {
        licence_id: l.id,
        licence_number: l.number.clone(),
        expires_on: l.expires_on,
        matter_code,
        matter_name,
        applicant: ApplicantInfo {
            kind: match l.holder.kind {
                HolderKind::Person => ApplicantKind::Person,
                HolderKind::Enterprise => ApplicantKind::Legal,
            },
            name: l.holder.name.clone(),
            id_number: l.holder.id_number.clone(),
            phone: auth.user.phone.clone().unwrap_or_default(),
            email: None,
            address,
            needs_home_service: false,
        },
        note: format!(
            "申请延续{}（编号{}{}）",
            l.kind_name,
            l.number,
            l.expires_on
                .map(|e| format!("，有效期至{}", onewindow_core::time::date_zh(e)))
                .unwrap_or_default()
        ),
    })
}

/// The notice a holder reads: which licence, how many days are left.
pub fn notice(l: &Licence, left: i64) -> Text {
    Text::new(
        if left > 0 {
            format!(
                "您的{}（{}）还有{left}天到期，请在到期前办理延续",
                l.kind_name, l.number
            )
        } else {
            format!(
                "您的{}（{}）今天到期，请尽快办理延续",
                l.kind_name, l.number
            )
        },
        if left > 0 {
            format!(
                "Your {} ({}) expires in {left} days: renew it before then",
                l.kind_name, l.number
            )
        } else {
            format!(
                "Your {} ({}) expires today: renew it now",
                l.kind_name, l.number
            )
        },
    )
}
