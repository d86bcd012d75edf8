//! Self-print at the hall's kiosk (自助打印): the holder gets a one-time code of eight digits in
//! the library, valid a day; typed at a kiosk of any hall it prints the licence's sealed PDF once.
//! Each print is counted and in the licence's trail with the hall. A wrong code is in the
//! security log (a 404 on the hall's path), and a source past the alert threshold is refused
//! until the window passes, so that codes cannot be walked.

use super::{document, held, key_by_id};
use crate::auth::{Auth, Origin};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::StatusCode;
use chrono::Duration;
use onewindow_core::licence::Licence;
use onewindow_core::licence::record::Standing;
use onewindow_core::{DomainError, Text};
use onewindow_store::PrintCode;

/// How long a print code lasts.
pub const VALID_HOURS: i64 = 24;

fn digits() -> String {
    let mut bytes = [0u8; 8];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| char::from(b'0' + b % 10)).collect()
}

/// Only a valid licence is printed (or given a code to print): otherwise the reason, named
/// by `field`.
fn printable(l: &Licence, now: chrono::DateTime<chrono::Utc>, field: &str) -> AppResult<()> {
    let standing = l.standing(onewindow_core::time::local_date(now));
    if standing == Standing::Valid {
        return Ok(());
    }
    Err(AppError::from(DomainError::invalid(
        field,
        format!("证照{}，不能打印", standing.name().zh),
        format!(
            "the licence is {}: it cannot be printed",
            standing.name().en
        ),
    )))
}

/// A new print code for the holder's valid licence.
pub async fn code_for(state: &AppState, auth: &Auth, licence_id: i64) -> AppResult<PrintCode> {
    let l = held(state, auth, licence_id).await?;
    let now = crate::service::cases::now();
    printable(&l, now, "licence_id")?;
    Ok(state
        .store
        .create_print_code(
            &auth.ctx(),
            licence_id,
            &digits(),
            now + Duration::hours(VALID_HOURS),
            now,
        )
        .await?)
}

/// The print codes of a licence the reader may read (`readable`): its holder's, with the codes;
/// for staff, the prints made, the codes withheld.
pub async fn codes(state: &AppState, auth: &Auth, l: &Licence) -> AppResult<Vec<PrintCode>> {
    let mut v = state.store.print_codes(l.id).await?;
    if auth.actor.is_staff() {
        v.retain(|p| p.printed_at.is_some());
        for p in &mut v {
            p.code.clear();
        }
    }
    Ok(v)
}

/// Prints at a hall's kiosk: the licence's PDF (file name, bytes) for a code not yet spent and
/// not past its day; the code is spent with the print.
pub async fn print(
    state: &AppState,
    origin: &Origin,
    base: &str,
    hall_id: i64,
    code: &str,
) -> AppResult<(String, Vec<u8>)> {
    let hall = crate::service::hall::open_hall(state, hall_id).await?;
    if crate::service::security::past_threshold(state, &origin.addr).await? {
        return Err(AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            Text::fixed(
                "尝试次数过多，请稍后再试，或到窗口办理",
                "too many attempts: try again later, or ask at a window",
            ),
        ));
    }
    let code = code.trim();
    if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::bad_request(
            "code",
            Text::fixed("打印码是8位数字", "the print code is eight digits"),
        ));
    }
    let p = state
        .store
        .print_code(code)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("打印码", "print code")))?;
    let now = crate::service::cases::now();
    if p.printed_at.is_some() {
        return Err(AppError::new(
            StatusCode::GONE,
            "print_code_used",
            Text::fixed(
                "此打印码已使用，请在“我的证照”中重新获取",
                "this print code was used: get a new one in your licences",
            ),
        ));
    }
    if now > p.expires_at {
        return Err(AppError::new(
            StatusCode::GONE,
            "print_code_expired",
            Text::fixed(
                "此打印码已过期，请在“我的证照”中重新获取",
                "this print code expired: get a new one in your licences",
            ),
        ));
    }
    let (l, signature) = state
        .store
        .licence(p.licence_id)
        .await?
        .ok_or_else(|| AppError::not_found(Text::fixed("证照", "licence")))?;
    printable(&l, now, "code")?;
    // Made before the code is spent: a print that cannot be made spends nothing.
    let key = key_by_id(state, &l.key_id).await?;
    let url = format!("{base}/verify/{}", l.verify_code);
    let bytes = document::render(&document::Sheet {
        licence: &l,
        data_signature: &signature,
        verify_url: &url,
        key: &key,
    });
    state
        .store
        .spend_print_code(
            &crate::service::hall::public_ctx(origin, &format!("{}自助打印", hall.name)),
            p.id,
            hall.id,
            now,
        )
        .await?;
    Ok((format!("{}-{}.pdf", l.kind_name, l.number), bytes))
}
