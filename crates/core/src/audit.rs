//! The audit trail (痕迹化管理): an append-only log in which every entry carries the hash of the
//! one before it, so that changing or removing any entry breaks the chain from there on.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The hash that the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an action changed, before it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    /// The owning department and region, so the trail can be shown to exactly those who may see
    /// the record.
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    /// `{"before": {...}, "after": {...}}` holding only the fields that changed.
    pub summary: Value,
}

/// Who acted, from where.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
}

impl Context {
    /// Changes made by the platform itself (migrations, demo data, background jobs).
    pub fn system(what: &str) -> Context {
        Context {
            actor_id: None,
            actor_name: what.to_string(),
            actor_role: "system".to_string(),
            client_addr: None,
            request_id: None,
        }
    }
}

/// One stored entry.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Entry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub department_id: Option<i64>,
    pub region_id: Option<i64>,
    /// JSON text of `{"before": …, "after": …}`.
    pub summary: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

impl Entry {
    /// The hash of this entry's content chained to `prev_hash`. Every field except the hash
    /// itself is covered, in a fixed order, as a JSON array, so no two contents collide by
    /// shifting text between fields.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            self.actor_id,
            self.actor_name,
            self.actor_role,
            self.action,
            self.target_type,
            self.target_id,
            self.department_id,
            self.region_id,
            self.summary,
            self.client_addr,
            self.request_id,
        ]);
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(canonical.to_string().as_bytes());
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Why a chain check failed, naming the first bad entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// The entry's content does not match its hash: it was edited.
    Altered { seq: i64 },
    /// The entry does not chain to the one before: an entry was removed, inserted or reordered.
    Unlinked { seq: i64 },
    /// Sequence numbers skip: an entry was removed.
    Gap { expected: i64, found: i64 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Altered { seq } => {
                write!(f, "entry {seq}: content does not match its hash (altered)")
            }
            Broken::Unlinked { seq } => write!(
                f,
                "entry {seq}: does not chain to the entry before it (removed or inserted entries)"
            ),
            Broken::Gap { expected, found } => {
                write!(f, "entry {expected} is missing (next found: {found})")
            }
        }
    }
}

/// Walks entries in order, checking each against the previous; feed entries one by one so a
/// chain of any length is checked in constant memory.
#[derive(Debug)]
pub struct Verifier {
    prev_hash: String,
    next_seq: i64,
    pub count: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier {
            prev_hash: GENESIS.to_string(),
            next_seq: 1,
            count: 0,
        }
    }
}

impl Verifier {
    pub fn check(&mut self, e: &Entry) -> Result<(), Broken> {
        if e.seq != self.next_seq {
            return Err(Broken::Gap {
                expected: self.next_seq,
                found: e.seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Broken::Unlinked { seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(Broken::Altered { seq: e.seq });
        }
        self.prev_hash = e.hash.clone();
        self.next_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// The head the verifier reached must be the head the log records, or entries were cut off
    /// the end.
    pub fn finish(&self, recorded_last_seq: i64) -> Result<u64, Broken> {
        if recorded_last_seq != self.next_seq - 1 {
            return Err(Broken::Gap {
                expected: self.next_seq,
                found: recorded_last_seq,
            });
        }
        Ok(self.count)
    }
}

/// The fields that differ between two JSON objects, as `{"before": {...}, "after": {...}}`.
/// A missing `before` (creation) or `after` shows the whole other side.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let skip = |k: &str| matches!(k, "version" | "updated_at" | "created_at");
    let mut out_b = Map::new();
    let mut out_a = Map::new();
    for (k, v) in b {
        if !skip(k) && a.get(k) != Some(v) {
            out_b.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in a {
        if !skip(k) && b.get(k) != Some(v) {
            out_a.insert(k.clone(), v.clone());
        }
    }
    let mut out = Map::new();
    if before.is_some() {
        out.insert("before".into(), Value::Object(out_b));
    }
    if after.is_some() {
        out.insert("after".into(), Value::Object(out_a));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at: Utc
                        .with_ymd_and_hms(2026, 11, 23, 8, 0, seq as u32)
                        .unwrap(),
                    actor_id: Some(1),
                    actor_name: "admin".into(),
                    actor_role: "admin".into(),
                    action: "department.create".into(),
                    target_type: "department".into(),
                    target_id: Some(seq),
                    department_id: Some(seq),
                    region_id: Some(1),
                    summary: format!(r#"{{"after":{{"name":"部门{seq}"}}}}"#),
                    client_addr: Some("127.0.0.1".into()),
                    request_id: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[Entry]) -> Result<u64, Broken> {
        let mut v = Verifier::default();
        for e in entries {
            v.check(e)?;
        }
        v.finish(entries.last().map_or(0, |e| e.seq))
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c[2].summary = r#"{"after":{"name":"改过"}}"#.into();
        assert_eq!(verify(&c), Err(Broken::Altered { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].actor_name = "someone else".into();
        c[2].hash = c[2].compute_hash();
        assert_eq!(verify(&c), Err(Broken::Unlinked { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify(&c),
            Err(Broken::Gap {
                expected: 2,
                found: 3
            })
        );
        let c = chain(5);
        let mut v = Verifier::default();
        for e in &c[..4] {
            v.check(e).unwrap();
        }
        assert!(v.finish(5).is_err(), "a cut-off tail is noticed");
    }

    #[test]
    fn diff_keeps_changed_fields_only() {
        let b = serde_json::json!({"name": "旧", "phone": "1", "version": 1});
        let a = serde_json::json!({"name": "新", "phone": "1", "version": 2});
        assert_eq!(
            diff(Some(&b), Some(&a)),
            serde_json::json!({"before": {"name": "旧"}, "after": {"name": "新"}})
        );
        assert_eq!(
            diff(None, Some(&a)),
            serde_json::json!({"after": {"name": "新", "phone": "1"}})
        );
    }
}
