//! Who did something, as the reader should see it. History lines store the doer as the account
//! that acted (its login) or, for what a generator or the system wrote, a name; a page shows a
//! person: to staff by their name, to an applicant by the office and post that served them
//! ("龙港区住房和城乡建设局 审批人员": an applicant deals with the office, not with a person
//! whose name is theirs to keep), and what no account did as 系统.

use crate::auth::Auth;
use crate::error::AppResult;
use crate::state::AppState;
use onewindow_core::Lang;
use onewindow_core::identity::User;
use std::collections::HashMap;

pub struct Who {
    /// By login and by account id: the accounts the page's lines name.
    by_login: HashMap<String, User>,
    by_id: HashMap<i64, User>,
    departments: HashMap<i64, String>,
    regions: HashMap<i64, String>,
    /// Regions that are districts or above: an agent there is the petition office.
    offices: std::collections::HashSet<i64>,
    staff_reader: bool,
    lang: Lang,
}

/// Names the system and the demo generator write as the doer.
fn is_system(stored: &str) -> bool {
    stored.is_empty()
        || stored == "系统"
        || stored == "system"
        || stored == "demo"
        || stored.starts_with("demo-")
        || stored.starts_with("job:")
}

impl Who {
    /// Looks up, once per page, the accounts behind `stored` (logins or names as the lines keep
    /// them) and `ids` (account ids where the lines keep them).
    pub async fn of<'a>(
        state: &AppState,
        auth: &Auth,
        lang: Lang,
        stored: impl IntoIterator<Item = &'a str>,
        ids: impl IntoIterator<Item = i64>,
    ) -> AppResult<Who> {
        let mut who = Who {
            by_login: HashMap::new(),
            by_id: HashMap::new(),
            departments: HashMap::new(),
            regions: HashMap::new(),
            offices: Default::default(),
            staff_reader: auth.actor.is_staff(),
            lang,
        };
        let mut logins: Vec<&str> = stored.into_iter().filter(|s| !is_system(s)).collect();
        logins.sort_unstable();
        logins.dedup();
        for login in logins {
            if let Some(u) = state.store.user_by_username(login).await? {
                who.by_login.insert(login.to_string(), u);
            }
        }
        let mut ids: Vec<i64> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            if let Some(u) = state.store.user(id).await? {
                who.by_id.insert(id, u);
            }
        }
        if !who.staff_reader {
            let view = crate::service::catalog::view(state).await?;
            let people: Vec<User> = who
                .by_login
                .values()
                .chain(who.by_id.values())
                .cloned()
                .collect();
            for u in people {
                if let Some(d) = u.department_id {
                    who.departments
                        .entry(d)
                        .or_insert_with(|| view.department(d).to_string());
                } else if let Some(r) = u.region_id
                    && !who.regions.contains_key(&r)
                    && let Some(region) = state.store.region(r).await?
                {
                    if region.level.is_district_or_above() {
                        who.offices.insert(r);
                    }
                    who.regions.insert(r, region.name);
                }
            }
        }
        Ok(who)
    }

    /// The same for lines that keep only the login (every history but a case's).
    pub async fn of_logins<'a>(
        state: &AppState,
        auth: &Auth,
        lang: Lang,
        logins: impl IntoIterator<Item = &'a str>,
    ) -> AppResult<Who> {
        Who::of(state, auth, lang, logins, []).await
    }

    /// The doer of a line that kept `stored` (and, where it has one, the account id).
    pub fn name(&self, stored: &str, id: Option<i64>) -> String {
        let user = id
            .and_then(|id| self.by_id.get(&id))
            .or_else(|| self.by_login.get(stored));
        match user {
            Some(u) if self.staff_reader || !u.is_staff() => u.display_name.clone(),
            Some(u) => {
                let office = u
                    .department_id
                    .and_then(|d| self.departments.get(&d))
                    .or_else(|| u.region_id.and_then(|r| self.regions.get(&r)));
                let at_office = u.department_id.is_none()
                    && u.region_id.is_some_and(|r| self.offices.contains(&r));
                let post = u
                    .roles
                    .first()
                    .map(|r| super::post_name(*r, at_office, self.lang))
                    .unwrap_or_default();
                match office {
                    Some(o) => format!("{o} {post}"),
                    None => post,
                }
            }
            None => unnamed(stored, self.lang),
        }
    }
}

/// A doer no account stands behind: the system (jobs, the demo generator) as 系统, an interface
/// client (`open311:名称`) by its name, a name the line kept as it is.
pub fn unnamed(stored: &str, lang: Lang) -> String {
    if is_system(stored) {
        return match lang {
            Lang::Zh => "系统".to_string(),
            Lang::En => "System".to_string(),
        };
    }
    stored
        .strip_prefix("open311:")
        .unwrap_or(stored)
        .to_string()
}
