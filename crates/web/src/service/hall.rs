//! The service hall: business categories and what each window calls. Tickets and calling over
//! HTTP come next (issue 5).

use super::org::{hall, manage_hall, window};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::Text;
use onewindow_core::hall::category::{Category, NewCategory};

/// The categories of a hall, as the kiosk offers them: anyone may see the active ones of an
/// active hall.
pub async fn public_categories(state: &AppState, hall_id: i64) -> AppResult<Vec<Category>> {
    let h = state
        .store
        .hall(hall_id)
        .await?
        .filter(|h| h.active)
        .ok_or_else(|| AppError::not_found(Text::fixed("大厅", "hall")))?;
    Ok(state
        .store
        .categories(h.id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .collect())
}

pub async fn create_category(
    state: &AppState,
    auth: &Auth,
    hall_id: i64,
    new: NewCategory,
) -> AppResult<Category> {
    let h = hall(state, auth, hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .create_category(&auth.ctx(), h.id, new.clean()?)
        .await?)
}

pub async fn window_categories(
    state: &AppState,
    auth: &Auth,
    window_id: i64,
) -> AppResult<Vec<i64>> {
    let w = window(state, auth, window_id).await?;
    Ok(state.store.window_categories(w.id).await?)
}

pub async fn set_window_categories(
    state: &AppState,
    auth: &Auth,
    window_id: i64,
    category_ids: &[i64],
) -> AppResult<Vec<i64>> {
    let w = window(state, auth, window_id).await?;
    let h = hall(state, auth, w.hall_id).await?;
    manage_hall(state, auth, &h).await?;
    Ok(state
        .store
        .set_window_categories(&auth.ctx(), w.id, category_ids)
        .await?)
}
