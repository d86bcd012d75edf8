//! The signed-in sessions read in the last two seconds. Every request looks its session up, and
//! a burst of requests from one client would otherwise read the same row again and again.
//!
//! Any change to a user, a password, preferences or a session through this store forgets them
//! all at once, so within one instance a logout or a deactivation takes effect at the next
//! request. Another instance sharing the database sees such a change within `TTL`. Expiry is
//! checked on every hit against the cached times.

use crate::model::Session;
use chrono::{DateTime, Utc};
use onewindow_core::identity::User;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const TTL: Duration = Duration::from_secs(2);
/// Beyond this many cached sessions the cache starts over (a bound on memory, not a tuning knob).
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub(crate) struct SessionCache {
    entries: Mutex<HashMap<String, (Instant, Session, User)>>,
}

impl SessionCache {
    pub fn get(&self, token_hash: &str, now: DateTime<Utc>) -> Option<(Session, User)> {
        let entries = self.entries.lock().ok()?;
        let (at, s, u) = entries.get(token_hash)?;
        (at.elapsed() < TTL && s.expires_at > now && s.idle_expires_at > now)
            .then(|| (s.clone(), u.clone()))
    }

    pub fn put(&self, token_hash: &str, s: &Session, u: &User) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                token_hash.to_string(),
                (Instant::now(), s.clone(), u.clone()),
            );
        }
    }

    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    pub fn forget_session(&self, id: i64) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, s, _)| s.id != id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn session(id: i64, expires: DateTime<Utc>) -> Session {
        Session {
            id,
            user_id: 1,
            kind: "bearer".into(),
            csrf_token: String::new(),
            created_at: expires,
            last_seen_at: expires,
            idle_expires_at: expires,
            expires_at: expires,
        }
    }

    fn user() -> User {
        User {
            id: 1,
            username: "u".into(),
            display_name: "U".into(),
            roles: Vec::new(),
            department_id: None,
            region_id: None,
            phone: None,
            active: true,
            large_text: false,
            lang: Default::default(),
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_login_at: None,
        }
    }

    #[test]
    fn a_cached_session_expires_by_its_own_times_and_is_forgotten_on_change() {
        let c = SessionCache::default();
        let noon = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        c.put("a", &session(7, noon), &user());
        let before = noon - chrono::Duration::seconds(1);
        assert_eq!(c.get("a", before).map(|(s, _)| s.id), Some(7));
        assert!(c.get("a", noon).is_none(), "expired at its expiry time");
        assert!(c.get("b", before).is_none());
        c.forget_session(7);
        assert!(c.get("a", before).is_none());
        c.put("a", &session(7, noon), &user());
        c.forget_all();
        assert!(c.get("a", before).is_none());
    }
}
