//! Shares of a licence (授权用证): its holder gives someone a link, for some days and for some of
//! its fields; the link shows those and the licence's standing, and each opening is counted and
//! in the licence's trail. An expired or withdrawn link is refused with its reason.

use super::{held, token};
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use chrono::{DateTime, Duration, Utc};
use onewindow_core::licence::Licence;
use onewindow_core::licence::record::Standing;
use onewindow_core::{FieldError, Text};
use onewindow_store::{LicenceShare, NewShare};
use serde::Deserialize;
use utoipa::ToSchema;

/// The ID number's key among a share's fields (the others are the licence's own field keys).
pub const HOLDER_ID: &str = "holder_id";
/// A share link's secret: 24 characters (120 bits).
const TOKEN_LEN: usize = 24;
/// The longest a share may last.
pub const MOST_DAYS: i64 = 30;

/// A share as its holder asks for it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareInput {
    /// Whom it is for, or what for (用途或对象), up to 50 characters.
    pub recipient: String,
    /// The fields to show besides the name, number, holder, issuer, dates and status:
    /// `holder_id` and the licence's field keys.
    #[serde(default)]
    pub fields: Vec<String>,
    /// For how many days (1–30).
    pub days: i64,
}

fn check(l: &Licence, input: &ShareInput) -> Result<(), AppError> {
    let recipient = input.recipient.trim();
    if recipient.is_empty() {
        return Err(FieldError::new(
            "recipient",
            Text::fixed("请填写用途或对象", "say whom or what the share is for"),
        )
        .into());
    }
    if recipient.chars().count() > 50 {
        return Err(FieldError::new(
            "recipient",
            Text::fixed(
                "用途或对象最多50个字",
                "whom or what for: at most 50 characters",
            ),
        )
        .into());
    }
    if !(1..=MOST_DAYS).contains(&input.days) {
        return Err(FieldError::new(
            "days",
            Text::new(
                format!("有效天数应为1至{MOST_DAYS}天"),
                format!("the days are 1 to {MOST_DAYS}"),
            ),
        )
        .into());
    }
    if let Some(bad) = input
        .fields
        .iter()
        .find(|k| k.as_str() != HOLDER_ID && !l.fields.iter().any(|f| &f.key == *k))
    {
        return Err(FieldError::new(
            "fields",
            Text::new(
                format!("证照没有“{bad}”这一项"),
                format!("the licence has no field {bad}"),
            ),
        )
        .into());
    }
    Ok(())
}

pub async fn create(
    state: &AppState,
    auth: &Auth,
    licence_id: i64,
    input: ShareInput,
) -> AppResult<LicenceShare> {
    let l = held(state, auth, licence_id).await?;
    check(&l, &input)?;
    let now = crate::service::cases::now();
    let mut fields = input.fields;
    fields.sort();
    fields.dedup();
    Ok(state
        .store
        .create_share(
            &auth.ctx(),
            NewShare {
                licence_id,
                token: token(TOKEN_LEN),
                fields,
                recipient: input.recipient.trim().to_string(),
                expires_at: now + Duration::days(input.days),
            },
            now,
        )
        .await?)
}

/// A licence's shares, for its holder.
pub async fn list(state: &AppState, auth: &Auth, licence_id: i64) -> AppResult<Vec<LicenceShare>> {
    held(state, auth, licence_id).await?;
    Ok(state.store.shares(licence_id).await?)
}

/// Withdraws a share before its time (its holder only).
pub async fn withdraw(
    state: &AppState,
    auth: &Auth,
    licence_id: i64,
    share_id: i64,
) -> AppResult<LicenceShare> {
    held(state, auth, licence_id).await?;
    if !state
        .store
        .shares(licence_id)
        .await?
        .iter()
        .any(|s| s.id == share_id)
    {
        return Err(AppError::not_found(Text::fixed("授权链接", "share")));
    }
    Ok(state
        .store
        .revoke_share(&auth.ctx(), share_id, crate::service::cases::now())
        .await?)
}

/// What a share's link shows.
pub struct Opened {
    pub share: LicenceShare,
    pub licence: Licence,
    pub standing: Standing,
}

/// Why a link no longer opens: withdrawn, or past its time (410, with the reason).
fn gone(share: &LicenceShare, now: DateTime<Utc>) -> Option<AppError> {
    let local =
        |t: DateTime<Utc>| onewindow_core::time::date_zh(onewindow_core::time::local_date(t));
    if let Some(at) = share.revoked_at {
        return Some(AppError::new(
            axum::http::StatusCode::GONE,
            "share_withdrawn",
            Text::new(
                format!("持证人已于{}收回此授权", local(at)),
                format!("the holder withdrew this share on {}", at.date_naive()),
            ),
        ));
    }
    (now > share.expires_at).then(|| {
        AppError::new(
            axum::http::StatusCode::GONE,
            "share_expired",
            Text::new(
                format!(
                    "此授权已于{}到期，请向持证人重新索取",
                    local(share.expires_at)
                ),
                format!(
                    "this share expired on {}: ask the holder for a new one",
                    share.expires_at.date_naive()
                ),
            ),
        )
    })
}

/// Opens a share's link: counted and in the trail; only the fields it gives are kept.
pub async fn open(state: &AppState, origin: &Origin, token: &str) -> AppResult<Opened> {
    let not_found = || AppError::not_found(Text::fixed("授权链接", "share"));
    let token = token.trim();
    // A link cut short in copying is told so, not "not found".
    if token.len() != TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(AppError::bad_request(
            "token",
            Text::fixed(
                "授权链接不完整，请向持证人核对后重新打开",
                "the share's link is incomplete: check it with the holder",
            ),
        ));
    }
    let share = state
        .store
        .share_by_token(token)
        .await?
        .ok_or_else(not_found)?;
    let now = crate::service::cases::now();
    if let Some(e) = gone(&share, now) {
        return Err(e);
    }
    let share = state
        .store
        .open_share(
            &crate::service::hall::public_ctx(origin, "授权用证"),
            share.id,
        )
        .await?;
    let (mut licence, _) = state
        .store
        .licence(share.licence_id)
        .await?
        .ok_or_else(not_found)?;
    licence.fields.retain(|f| share.fields.contains(&f.key));
    if !share.fields.iter().any(|k| k == HOLDER_ID) {
        licence.holder.id_number.clear();
    }
    // The verify page shows every field: a share's reader is not given its code.
    licence.verify_code.clear();
    let standing = licence.standing(onewindow_core::time::local_date(now));
    Ok(Opened {
        share,
        licence,
        standing,
    })
}
