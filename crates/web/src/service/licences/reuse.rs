//! Reuse (免提交): a material the guide says a licence stands for is taken from the applicant's
//! library — picked by the holder applying, or looked up at the window with the holder's
//! consent, which is recorded — checked valid and the applicant's own, and not asked again.

use super::holds;
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use onewindow_core::case::LicenceUse;
use onewindow_core::case::apply::CleanApplication;
use onewindow_core::catalog::Guide;
use onewindow_core::licence::Licence;
use onewindow_core::licence::record::Standing;
use onewindow_core::{DomainError, FieldError, Text};

fn refuse(field: String, zh: String, en: String) -> AppError {
    FieldError::new(field, Text::new(zh, en)).into()
}

/// Puts the licences the application picked in place of their materials, or refuses naming the
/// choice and the reason; nothing is written here.
pub async fn resolve(
    state: &AppState,
    auth: &Auth,
    guide: &Guide,
    app: &mut CleanApplication,
) -> AppResult<()> {
    if app.licences.is_empty() {
        return Ok(());
    }
    let kinds = state.store.licence_kinds().await?;
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    for (i, choice) in app.licences.clone().into_iter().enumerate() {
        let at = |f: &str| format!("licences[{i}].{f}");
        let Some(g) = guide.materials.iter().find(|m| m.name == choice.material) else {
            return Err(refuse(
                at("material"),
                format!("本事项没有“{}”这项材料", choice.material),
                format!("this matter asks for no material {}", choice.material),
            ));
        };
        let Some(kind) = g
            .licence
            .as_ref()
            .and_then(|code| kinds.iter().find(|k| &k.code == code))
        else {
            return Err(refuse(
                at("material"),
                format!("“{}”不能用电子证照代替", g.name),
                format!("no licence stands for {}", g.name),
            ));
        };
        let l: Licence = state
            .store
            .licence(choice.licence_id)
            .await?
            .map(|(l, _)| l)
            .ok_or_else(|| {
                refuse(
                    at("licence_id"),
                    "所选证照不存在".into(),
                    "no such licence".into(),
                )
            })?;
        if l.kind_id != kind.id {
            return Err(refuse(
                at("licence_id"),
                format!("“{}”须为{}，所选的是{}", g.name, kind.name, l.kind_name),
                format!("{} must be a {}, not a {}", g.name, kind.name, l.kind_name),
            ));
        }
        if l.holder.id_number != app.applicant.id_number {
            return Err(refuse(
                at("licence_id"),
                "所选证照的持证人不是申请人".into(),
                "the licence is not the applicant's".into(),
            ));
        }
        let consent_by = if auth.actor.is_staff() {
            if !choice.consent {
                return Err(refuse(
                    at("consent"),
                    "调用申请人的电子证照须经其本人同意，请确认已征得同意".into(),
                    "the holder must agree to their licence being looked up".into(),
                ));
            }
            Some(auth.user.display_name.clone())
        } else if holds(state, auth, &l).await? {
            None
        } else {
            return Err(DomainError::forbidden().into());
        };
        let standing = l.standing(today);
        if standing != Standing::Valid {
            return Err(refuse(
                at("licence_id"),
                format!("所选证照{}，不能代替“{}”", standing.name().zh, g.name),
                format!(
                    "the licence is {}: it cannot stand for {}",
                    standing.name().en,
                    g.name
                ),
            ));
        }
        if let Some(m) = app.materials.iter_mut().find(|m| m.name == g.name) {
            m.provided = true;
            m.licence = Some(LicenceUse {
                licence_id: l.id,
                number: l.number.clone(),
                kind: l.kind_name.clone(),
                consent_by,
            });
        }
    }
    Ok(())
}

/// The applicant's valid licence that stands for a matter's material, by her ID number or credit
/// code: what the window looks up with her consent.
pub async fn look_up(
    state: &AppState,
    code: &str,
    material: &str,
    holder_id: &str,
) -> AppResult<Option<i64>> {
    let view = crate::service::catalog::view(state).await?;
    let Some(kind_code) = view
        .guide(&code.to_ascii_uppercase())
        .and_then(|g| g.guide.materials.iter().find(|m| m.name == material))
        .and_then(|m| m.licence.clone())
    else {
        return Ok(None);
    };
    let kinds = state.store.licence_kinds().await?;
    let Some(kind) = kinds.iter().find(|k| k.code == kind_code) else {
        return Ok(None);
    };
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    Ok(state
        .store
        .licences(&onewindow_store::LicenceFilter {
            holder_id: Some(holder_id.trim().to_string()),
            limit: 100,
            ..Default::default()
        })
        .await?
        .into_iter()
        .find(|l| {
            l.kind_id == kind.id
                && l.standing(today) == onewindow_core::licence::record::Standing::Valid
        })
        .map(|l| l.id))
}

/// The applicant's valid licences that could stand for each of the guide's materials, for the
/// application form: (material, its type's name, the licences).
pub async fn choices(
    state: &AppState,
    auth: &Auth,
    guide: &Guide,
) -> AppResult<Vec<(String, String, Vec<Licence>)>> {
    if auth.actor.is_staff() || guide.materials.iter().all(|m| m.licence.is_none()) {
        return Ok(Vec::new());
    }
    let kinds = state.store.licence_kinds().await?;
    let mine = super::list(state, auth, None).await?;
    let today = onewindow_core::time::local_date(crate::service::cases::now());
    Ok(guide
        .materials
        .iter()
        .filter_map(|m| {
            let kind = kinds.iter().find(|k| m.licence.as_ref() == Some(&k.code))?;
            let held: Vec<Licence> = mine
                .iter()
                .filter(|l| l.kind_id == kind.id && l.standing(today) == Standing::Valid)
                .cloned()
                .collect();
            Some((m.name.clone(), kind.name.clone(), held))
        })
        .collect())
}

/// How many materials licences stood for, by type, in the cases of the reader's scope.
pub async fn figures(state: &AppState, auth: &Auth) -> AppResult<Vec<(String, i64)>> {
    let a = &auth.actor;
    if !a.is_staff() || !a.has(onewindow_core::access::Permission::CaseRead) {
        return Err(DomainError::forbidden().into());
    }
    Ok(state
        .store
        .licence_uses_by_kind(&crate::service::scope_filter(a))
        .await?)
}
