//! `onewindow init`: the first steps of a real installation, which the API cannot take because
//! it has no one to authorize them: the top region and an administrator for it.

use onewindow_core::audit::Context;
use onewindow_core::identity::{NewUser, User};
use onewindow_core::org::{NewRegion, Region};
use onewindow_store::Store;

pub struct Init {
    pub region_code: String,
    pub region_name: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
}

/// Creates the region (or keeps it, if it exists) and the administrator (who must not exist).
pub async fn run(store: &dyn Store, i: Init) -> Result<(Region, User), String> {
    let ctx = Context::system("init");
    let new_user = NewUser {
        username: i.username.clone(),
        display_name: i.display_name,
        password: i.password,
        roles: vec!["admin".into()],
        department_id: None,
        region_id: Some(0),
        phone: None,
    };
    // Check the account before touching anything, so a weak password leaves no region behind.
    new_user
        .clone()
        .clean()
        .map_err(|e| e.message(onewindow_core::Lang::Zh))?;
    if store
        .user_by_username(&i.username.trim().to_ascii_lowercase())
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Err(format!("account '{}' already exists", i.username));
    }
    let region = match store
        .region_by_code(i.region_code.trim())
        .await
        .map_err(|e| e.to_string())?
    {
        Some(r) => r,
        None => {
            let new = NewRegion {
                code: i.region_code,
                name: i.region_name,
                parent_id: None,
            }
            .clean()
            .map_err(|e| e.message(onewindow_core::Lang::Zh))?;
            store
                .create_region(&ctx, new)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let mut clean = NewUser {
        region_id: Some(region.id),
        ..new_user
    }
    .clean()
    .map_err(|e| e.message(onewindow_core::Lang::Zh))?;
    let hash = onewindow_web::auth::hash_password(std::mem::take(&mut clean.password))
        .await
        .map_err(|_| "cannot hash the password".to_string())?;
    let user = store
        .create_user(&ctx, clean, hash)
        .await
        .map_err(|e| e.to_string())?;
    Ok((region, user))
}
