//! Licence pages: the holder's library (我的证照) with download and shares (授权用证); the
//! department's ledger (电子证照) with the status acts; the public verify page (`/verify/{code}`),
//! where the QR code leads, with its three answers apart; and a share's page (`/share/{token}`).

use super::{PageCtx, PageForm, render, saved};
use crate::auth::{Auth, MaybeAuth, Origin};
use crate::error::AppResult;
use crate::extract::ApiPath as Path;
use crate::i18n::tr;
use crate::service::licences::{self as svc, shares};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::Lang;
use onewindow_core::licence::Licence;
use onewindow_core::licence::record::{HolderKind, Standing, Status, StatusAction};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/verify/{code}", get(verify))
        .route("/licences", get(list))
        .route("/licences/{id}", get(detail))
        .route("/licences/{id}/file", get(file))
        .route("/licences/{id}/status", post(set_status))
        .route("/licences/{id}/shares", post(share))
        .route("/licences/{id}/shares/{share}/withdraw", post(withdraw))
        .route("/licences/{id}/print-code", post(print_code))
        .route("/licences/import", post(import))
        .route("/share/{token}", get(shared))
        .route("/hall/{hall_id}/print", get(kiosk_form).post(kiosk_print))
}

fn date(d: chrono::NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => onewindow_core::time::date_zh(d),
        Lang::En => d.to_string(),
    }
}

/// A person's ID number masked, as on any page but the holder's own; a credit code is public.
fn shown_id(l: &Licence, full: bool) -> String {
    match l.holder.kind {
        HolderKind::Person if !full => onewindow_core::validate::id_card::mask(&l.holder.id_number),
        _ => l.holder.id_number.clone(),
    }
}

/// The holder's number by its name: 公民身份号码 or 统一社会信用代码.
fn id_label(l: &Licence, lang: Lang) -> String {
    tr(
        match l.holder.kind {
            HolderKind::Person => "lic.id_person",
            HolderKind::Enterprise => "lic.id_enterprise",
        },
        lang,
    )
}

/// A licence's facts for a page.
fn facts(l: &Licence, standing: Standing, lang: Lang, full_id: bool) -> Value {
    context! {
        id => l.id, kind => l.kind_name.clone(), number => l.number.clone(),
        holder => l.holder.name.clone(), holder_kind => l.holder.kind.name().get(lang).to_string(),
        holder_id => shown_id(l, full_id),
        id_label => id_label(l, lang),
        fields => l.fields.iter().map(|f| context! { key => f.key.clone(), label => f.label.clone(), value => f.value.clone() }).collect::<Vec<_>>(),
        issued_on => date(l.issued_on, lang),
        expires_on => l.expires_on.map(|d| date(d, lang)),
        department => l.department_name.clone(),
        standing => standing.name().get(lang).to_string(),
        standing_code => standing.code(),
        valid => standing == Standing::Valid,
        reason => l.status_reason.clone().filter(|_| !matches!(standing, Standing::Valid | Standing::Expired)),
        case_id => l.case_id,
        version => l.version,
    }
}

fn today() -> chrono::NaiveDate {
    onewindow_core::time::local_date(crate::service::cases::now())
}

async fn list(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let staff = auth.actor.is_staff();
    let q = page.param("q").unwrap_or_default();
    let status = page.param("status").unwrap_or_default();
    let today = today();
    let all = svc::list(&state, &auth, None).await?;
    let shown: Vec<&Licence> = all
        .iter()
        .filter(|l| {
            q.is_empty()
                || l.number.contains(q.trim())
                || l.holder.name.contains(q.trim())
                || l.kind_name.contains(q.trim())
        })
        .filter(|l| status.is_empty() || l.standing(today).code() == status)
        .collect();
    let title = tr(if staff { "lic.ledger" } else { "lic.mine" }, lang);
    let mut reminders = Vec::new();
    if !staff {
        for l in &all {
            reminders.extend(reminder(&state, l, today, lang).await?);
        }
    }
    let reuse = if staff {
        svc::reuse::figures(&state, &auth).await?
    } else {
        Vec::new()
    };
    let may_import = auth.actor.scope.department_id.is_some()
        && auth
            .actor
            .has(onewindow_core::access::Permission::CaseDecide);
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "lic_list.html",
        &title,
        context! {
            staff => staff,
            reminders => reminders,
            may_import => may_import,
            import_columns => svc::import::COLUMNS.join("、"),
            reuse_total => reuse.iter().map(|(_, n)| n).sum::<i64>(),
            reuse => reuse.iter().map(|(kind, n)| context! { kind => kind.clone(), count => n }).collect::<Vec<_>>(),
            q => q, status => status,
            count => shown.len(),
            statuses => Standing::ALL.iter().map(|s| context! { code => s.code(), name => s.name().get(lang).to_string() }).collect::<Vec<_>>(),
            licences => shown.iter().map(|l| facts(l, l.standing(today), lang, !staff)).collect::<Vec<_>>(),
        },
    ))
}

/// The status acts open to the licence's department now.
fn acts(status: Status) -> Vec<StatusAction> {
    StatusAction::ALL
        .iter()
        .copied()
        .filter(|a| onewindow_core::licence::record::next(status, *a).is_some())
        .collect()
}

async fn detail(
    State(state): State<AppState>,
    page: PageCtx,
    headers: HeaderMap,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (l, _) = svc::readable(&state, &auth, id).await?;
    let staff = auth.actor.is_staff();
    let standing = l.standing(today());
    let base = crate::qr::public_base(&state, &headers);
    // `readable` let a non-staff reader in as the holder: hers are the shares.
    let shares = if staff {
        Vec::new()
    } else {
        state.store.shares(id).await?
    };
    let now = crate::service::cases::now();
    let may_act = svc::may_act(&auth, &l);
    let prints = svc::kiosk::codes(&state, &auth, &l).await?;
    let reminder = if staff {
        None
    } else {
        reminder(&state, &l, today(), lang).await?
    };
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "lic_detail.html",
        &format!("{}（{}）", l.kind_name, l.number),
        context! {
            staff => staff,
            l => facts(&l, standing, lang, !staff),
            verify_url => (!staff || may_act).then(|| format!("/verify/{}", l.verify_code)),
            may_act => may_act,
            reminder => reminder,
            printed => prints.iter().filter(|p| p.printed_at.is_some()).count(),
            print_codes => prints.iter().filter(|p| p.printed_at.is_none() && p.expires_at > now).map(|p| context! {
                code => p.code.clone(), until => onewindow_core::time::display(p.expires_at),
            }).collect::<Vec<_>>(),
            acts => acts(l.status).iter().map(|a| context! { code => a.code(), name => a.name().get(lang).to_string() }).collect::<Vec<_>>(),
            share_fields => std::iter::once(context! { key => shares::HOLDER_ID, label => id_label(&l, lang) })
                .chain(l.fields.iter().map(|f| context! { key => f.key.clone(), label => f.label.clone() }))
                .collect::<Vec<_>>(),
            shares => shares.iter().map(|s| context! {
                id => s.id, recipient => s.recipient.clone(),
                link => format!("{base}/share/{}", s.token),
                fields => s.fields.iter().map(|k| if k == shares::HOLDER_ID { id_label(&l, lang) } else {
                    l.fields.iter().find(|f| &f.key == k).map(|f| f.label.clone()).unwrap_or_else(|| k.clone())
                }).collect::<Vec<_>>().join("、"),
                expires => onewindow_core::time::display(s.expires_at),
                opens => s.opens,
                live => s.revoked_at.is_none() && s.expires_at > now,
                withdrawn => s.revoked_at.is_some(),
            }).collect::<Vec<_>>(),
            days => [1, 3, 7, 15, 30],
            most_days => shares::MOST_DAYS,
        },
    ))
}

async fn file(
    State(state): State<AppState>,
    headers: HeaderMap,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let base = crate::qr::public_base(&state, &headers);
    let (name, bytes) = svc::document(&state, &auth, id, &base).await?;
    Ok(crate::api::cases::attachment(
        &name,
        "application/pdf",
        bytes,
    ))
}

async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    let action =
        StatusAction::parse(&d.text("action")).ok_or_else(super::widgets::unknown_action)?;
    svc::set_status(
        &state,
        auth,
        id,
        svc::StatusInput {
            action,
            reason: d.text("reason"),
            version: d.int("version")?,
        },
    )
    .await?;
    Ok(saved(&format!("/licences/{id}")))
}

async fn share(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let d = &f.data;
    shares::create(
        &state,
        auth,
        id,
        shares::ShareInput {
            recipient: d.text("recipient"),
            fields: d.all("fields"),
            days: d.int("days")?,
        },
    )
    .await?;
    Ok(saved(&format!("/licences/{id}#shares")))
}

async fn withdraw(
    State(state): State<AppState>,
    Path((id, share)): Path<(i64, i64)>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    shares::withdraw(&state, auth, id, share).await?;
    Ok(saved(&format!("/licences/{id}#shares")))
}

async fn shared(
    State(state): State<AppState>,
    page: PageCtx,
    origin: Origin,
    MaybeAuth(auth): MaybeAuth,
    Path(token): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let o = shares::open(&state, &origin, &token).await?;
    let with_id = o.share.fields.iter().any(|k| k == shares::HOLDER_ID);
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "lic_share.html",
        &tr("lic.shared", lang),
        context! {
            l => facts(&o.licence, o.standing, lang, true),
            with_id => with_id,
            recipient => o.share.recipient.clone(),
            until => onewindow_core::time::display(o.share.expires_at),
        },
    ))
}

async fn verify(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let v = svc::verify(&state, &code).await?;
    let l = &v.licence;
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "lic_verify.html",
        &tr("lic.verify", lang),
        context! {
            kind => l.kind_name.clone(), number => l.number.clone(),
            holder => l.holder.name.clone(), holder_kind => l.holder.kind.name().get(lang).to_string(),
            holder_id => shown_id(l, false),
            id_label => id_label(l, lang),
            fields => l.fields.iter().map(|f| context! { label => f.label.clone(), value => f.value.clone() }).collect::<Vec<_>>(),
            issued_on => date(l.issued_on, lang),
            expires_on => l.expires_on.map(|d| date(d, lang)),
            intact => v.intact,
            standing => v.standing.name().get(lang).to_string(),
            valid => v.standing == Standing::Valid,
            reason => l.status_reason.clone().filter(|_| v.standing != Standing::Valid && v.standing != Standing::Expired),
            issuer => v.issuer.clone(),
            department => l.department_name.clone(),
        },
    ))
}

/// The holder's reminder of a licence near its end (行政许可法 art. 50): how many days are left,
/// and where its renewal starts, when the catalog has the matter.
async fn reminder(
    state: &AppState,
    l: &Licence,
    today: chrono::NaiveDate,
    lang: Lang,
) -> AppResult<Option<Value>> {
    let Some(left) = svc::renewal::days_left(l, today) else {
        return Ok(None);
    };
    let renew = svc::renewal::renewal_matter(state, l.kind_id)
        .await?
        .map(|(code, _)| format!("/apply/{code}?renew={}", l.id));
    Ok(Some(context! {
        text => svc::renewal::notice(l, left).get(lang).to_string(),
        renew => renew,
    }))
}

async fn print_code(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    svc::kiosk::code_for(&state, auth, id).await?;
    Ok(saved(&format!("/licences/{id}#print")))
}

/// The kiosk's self-print page: the holder types the code from her library.
async fn kiosk_form(
    State(state): State<AppState>,
    page: PageCtx,
    MaybeAuth(auth): MaybeAuth,
    Path(hall_id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(auth.as_ref());
    let hall = crate::service::hall::open_hall(&state, hall_id).await?;
    Ok(render(
        &state,
        &page,
        auth.as_ref(),
        "lic_print.html",
        &format!("{} · {}", hall.name, tr("lic.print", lang)),
        context! {
            hall => context! { id => hall.id, name => hall.name },
            display => true,
            idle_return => format!("/hall/{}/kiosk", hall.id),
        },
    ))
}

/// Prints: the PDF, shown in the kiosk's browser to print (inline, not saved).
async fn kiosk_print(
    State(state): State<AppState>,
    headers: HeaderMap,
    origin: Origin,
    Path(hall_id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    let base = crate::qr::public_base(&state, &headers);
    let (name, bytes) =
        svc::kiosk::print(&state, &origin, &base, hall_id, &f.data.text("code")).await?;
    Ok(crate::api::cases::inline(&name, "application/pdf", bytes))
}

/// Loads paper licences from the ledger's upload form; the outcome page lists every bad row.
async fn import(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    headers: HeaderMap,
    mp: axum::extract::Multipart,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let (file, partial) = super::widgets::import_upload(&state, &auth, &headers, mp).await?;
    let outcome = svc::import::import(&state, &auth, &file, partial).await?;
    let mut res = render(
        &state,
        &page,
        Some(&auth),
        "lic_import.html",
        &tr("lic.import", lang),
        context! {
            imported => outcome.imported,
            rows => outcome.rows,
            errors => outcome.errors.iter().map(|e| context! { line => e.line, column => e.column.clone(), message => e.message.clone() }).collect::<Vec<_>>(),
        },
    );
    if outcome.imported == 0 && !outcome.errors.is_empty() {
        *res.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}
