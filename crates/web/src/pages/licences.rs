//! The licence's public verify page (`/verify/{code}`), where its QR code leads: what the
//! department signed, whether it is still as signed, whether it is valid today, and who issued
//! it — three answers apart, so a reader sees which one failed.

use super::{PageCtx, render};
use crate::auth::MaybeAuth;
use crate::error::AppResult;
use crate::i18n::tr;
use crate::service::licences as svc;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use minijinja::context;
use onewindow_core::licence::record::{HolderKind, Standing};

pub fn router() -> Router<AppState> {
    Router::new().route("/verify/{code}", get(verify))
}

async fn verify(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let date = |d: chrono::NaiveDate| match lang {
        onewindow_core::Lang::Zh => onewindow_core::time::date_zh(d),
        onewindow_core::Lang::En => d.to_string(),
    };
    let v = svc::verify(&state, &code).await?;
    let l = v.licence.clone();
    // A person's ID number is shown masked, as on any public page; a credit code is public.
    let holder_id = match l.holder.kind {
        HolderKind::Person => onewindow_core::validate::id_card::mask(&l.holder.id_number),
        HolderKind::Enterprise => l.holder.id_number.clone(),
    };
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "lic_verify.html",
        &tr("lic.verify", lang),
        context! {
            kind => l.kind_name, number => l.number,
            holder => l.holder.name.clone(), holder_kind => l.holder.kind.name().get(lang).to_string(),
            holder_id => holder_id,
            fields => l.fields.iter().map(|f| context! { label => f.label.clone(), value => f.value.clone() }).collect::<Vec<_>>(),
            issued_on => date(l.issued_on),
            expires_on => l.expires_on.map(date),
            intact => v.intact,
            standing => v.standing.name().get(lang).to_string(),
            valid => v.standing == Standing::Valid,
            reason => l.status_reason.clone().filter(|_| v.standing != Standing::Valid && v.standing != Standing::Expired),
            issuer => v.issuer.clone(),
            department => l.department_name,
            key_id => l.key_id,
        },
    ))
}
