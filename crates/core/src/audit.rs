//! The audit trail (痕迹化管理): an append-only log kept as [`CHAINS`] hash chains. Every entry
//! belongs to one chain, has a place in it (`link`, 1, 2, 3, …) and carries the hash of the
//! entry before it there, so changing, removing, inserting or reordering any entry breaks its
//! chain from there on. A writer appends to a chain no other writer holds at the moment, so
//! writers do not wait for each other; which chain an entry went to means nothing else (the
//! trail's order across chains is the entries' numbers and times, both covered by the hashes). A [`Checkpoint`] binds every chain's head at an instant into one hash (a
//! Merkle root) that a district can publish, so that cutting entries off a chain's end, or
//! rewriting a chain whole, is found against it later.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// The hash that the first entry of chain 1 chains to (the one chain of installations before
/// migration 0026, which became chain 1 unchanged).
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How many chains the trail is kept in: more than writers ever run at once (each instance's
/// committing task and its other writers), so that a writer seldom finds every chain held.
/// Every entry records its chain; the heads are rows of `audit_heads` (migration 0026).
pub const CHAINS: i32 = 16;

/// The hash the first entry of `chain` chains to.
pub fn genesis(chain: i32) -> String {
    if chain == 1 {
        GENESIS.to_string()
    } else {
        hex(&Sha256::digest(format!("onewindow audit chain {chain}")))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

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
    /// The entry's number in the whole trail: unique, in the order entries were numbered.
    pub seq: i64,
    /// Its chain (1..=CHAINS) and its place there (1, 2, 3, … without gaps).
    pub chain: i32,
    pub link: i64,
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
    /// shifting text between fields. The chain and the place in it follow the other fields,
    /// except where they are chain 1 at the entry's own number: so the entries of the one chain
    /// before migration 0026 keep their hashes (the array's length tells the two forms apart).
    pub fn compute_hash(&self) -> String {
        let mut canonical = serde_json::json!([
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
        if (self.chain, self.link) != (1, self.seq)
            && let Some(a) = canonical.as_array_mut()
        {
            a.push(self.chain.into());
            a.push(self.link.into());
        }
        let mut h = Sha256::new();
        h.update(self.prev_hash.as_bytes());
        h.update(b"\n");
        h.update(canonical.to_string().as_bytes());
        hex(&h.finalize())
    }
}

/// Why a check of the trail failed, naming the first bad entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Broken {
    /// The entry's content does not match its hash: it was edited.
    Altered { seq: i64 },
    /// The entry does not chain to the one before: an entry was removed, inserted or reordered.
    Unlinked { seq: i64 },
    /// A chain's places skip (an entry was removed), or its recorded head is not where the
    /// chain ends (entries were cut off its end).
    Gap {
        chain: i32,
        expected: i64,
        found: i64,
    },
    /// Entries that belong to no chain (inserted beside the chains).
    Outside { count: u64 },
    /// A checkpoint does not hold: its root is not its heads' (`chain` 0), or a chain's entry at
    /// the head it recorded is missing or is not the entry it recorded.
    Checkpoint { at: DateTime<Utc>, chain: i32 },
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Broken::Altered { seq } => {
                write!(f, "entry {seq}: content does not match its hash (altered)")
            }
            Broken::Unlinked { seq } => write!(
                f,
                "entry {seq}: does not chain to the entry before it (removed, inserted or reordered entries)"
            ),
            Broken::Gap {
                chain,
                expected,
                found,
            } => write!(
                f,
                "chain {chain}: its entry {expected} is missing (next found: {found})"
            ),
            Broken::Outside { count } => {
                write!(f, "{count} entries belong to no chain (inserted)")
            }
            Broken::Checkpoint { at, chain: 0 } => write!(
                f,
                "the checkpoint of {}: its root is not the hash of its heads",
                at.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            Broken::Checkpoint { at, chain } => write!(
                f,
                "the checkpoint of {}: chain {chain} no longer holds the head it recorded \
                 (entries cut off or rewritten)",
                at.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
        }
    }
}

/// Walks one chain's entries in order of their places, checking each against the previous;
/// feed entries one by one so a chain of any length is checked in constant memory.
#[derive(Debug)]
pub struct Verifier {
    chain: i32,
    prev_hash: String,
    next_link: i64,
    pub count: u64,
}

impl Verifier {
    pub fn new(chain: i32) -> Verifier {
        Verifier {
            chain,
            prev_hash: genesis(chain),
            next_link: 1,
            count: 0,
        }
    }

    pub fn check(&mut self, e: &Entry) -> Result<(), Broken> {
        if e.chain != self.chain || e.link != self.next_link {
            return Err(Broken::Gap {
                chain: self.chain,
                expected: self.next_link,
                found: e.link,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Broken::Unlinked { seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(Broken::Altered { seq: e.seq });
        }
        self.prev_hash = e.hash.clone();
        self.next_link += 1;
        self.count += 1;
        Ok(())
    }

    /// The place the chain reached must be the head the trail records for it, or entries were
    /// cut off its end.
    pub fn finish(&self, recorded: &Head) -> Result<u64, Broken> {
        let last = self.next_link - 1;
        if recorded.link != last || (last > 0 && recorded.hash != self.prev_hash) {
            return Err(Broken::Gap {
                chain: self.chain,
                expected: self.next_link,
                found: recorded.link,
            });
        }
        Ok(self.count)
    }
}

/// A chain's last place and the hash of the entry there (link 0 and the chain's genesis when it
/// is empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct Head {
    pub chain: i32,
    pub link: i64,
    pub hash: String,
}

/// Every chain's head at one instant, bound into one hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
pub struct Checkpoint {
    pub at: DateTime<Utc>,
    /// The Merkle root of the heads, in chain order: [`merkle_root`].
    pub root: String,
    pub heads: Vec<Head>,
}

impl Checkpoint {
    pub fn of(at: DateTime<Utc>, mut heads: Vec<Head>) -> Checkpoint {
        heads.sort_by_key(|h| h.chain);
        Checkpoint {
            at,
            root: merkle_root(&heads),
            heads,
        }
    }

    /// Whether its root is its heads' (the file or the row was not edited).
    pub fn is_whole(&self) -> bool {
        merkle_root(&self.heads) == self.root
    }
}

/// The root of a binary hash tree over the heads: each leaf the hash of `chain:link:hash`, each
/// node the hash of its two children's (an odd one out goes up as it is).
pub fn merkle_root(heads: &[Head]) -> String {
    let mut level: Vec<Vec<u8>> = heads
        .iter()
        .map(|h| Sha256::digest(format!("{}:{}:{}", h.chain, h.link, h.hash)).to_vec())
        .collect();
    if level.is_empty() {
        return hex(&Sha256::digest(b""));
    }
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => Sha256::new()
                    .chain_update(l)
                    .chain_update(r)
                    .finalize()
                    .to_vec(),
                [one] => one.clone(),
                _ => Vec::new(),
            })
            .collect();
    }
    hex(&level[0])
}

/// Checks a checkpoint against the trail, given the hash of the entry at a chain's place.
pub fn check_checkpoint(
    c: &Checkpoint,
    mut hash_at: impl FnMut(i32, i64) -> Option<String>,
) -> Result<(), Broken> {
    if !c.is_whole() {
        return Err(Broken::Checkpoint { at: c.at, chain: 0 });
    }
    for h in &c.heads {
        let holds = if h.link == 0 {
            h.hash == genesis(h.chain)
        } else {
            hash_at(h.chain, h.link).as_deref() == Some(h.hash.as_str())
        };
        if !holds {
            return Err(Broken::Checkpoint {
                at: c.at,
                chain: h.chain,
            });
        }
    }
    Ok(())
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
    use proptest::prelude::*;

    /// Checks a whole trail held in memory, as the store checks its own page by page
    /// (`sql::audit::verify_audit`) with the same [`Verifier`] and [`check_checkpoint`]: every chain from its genesis to its recorded head, no entry outside the
    /// chains, every checkpoint's heads still in place. Returns how many entries were checked.
    fn verify_trail(
        entries: &[Entry],
        heads: &[Head],
        checkpoints: &[Checkpoint],
    ) -> Result<u64, Broken> {
        let mut count = 0;
        for chain in 1..=CHAINS {
            let mut mine: Vec<&Entry> = entries.iter().filter(|e| e.chain == chain).collect();
            mine.sort_by_key(|e| (e.link, e.seq));
            let mut v = Verifier::new(chain);
            for e in mine {
                v.check(e)?;
            }
            let head = heads
                .iter()
                .find(|h| h.chain == chain)
                .cloned()
                .unwrap_or(Head {
                    chain,
                    link: 0,
                    hash: genesis(chain),
                });
            count += v.finish(&head)?;
        }
        if count != entries.len() as u64 {
            return Err(Broken::Outside {
                count: entries.len() as u64 - count,
            });
        }
        for c in checkpoints {
            check_checkpoint(c, |chain, link| {
                entries
                    .iter()
                    .find(|e| e.chain == chain && e.link == link)
                    .map(|e| e.hash.clone())
            })?;
        }
        Ok(count)
    }

    /// A trail written as the store writes it: entries about `targets` in turn, each at the end
    /// of its target's chain. Returns the entries and the heads.
    fn trail(targets: &[(&str, i64)]) -> (Vec<Entry>, Vec<Head>) {
        let mut heads: Vec<Head> = (1..=CHAINS)
            .map(|chain| Head {
                chain,
                link: 0,
                hash: genesis(chain),
            })
            .collect();
        let entries = targets
            .iter()
            .enumerate()
            .map(|(i, (kind, id))| {
                let seq = i as i64 + 1;
                let chain = 1 + ((kind.len() as i64 * 7 + id) % i64::from(CHAINS)) as i32;
                let head = &mut heads[(chain - 1) as usize];
                let mut e = Entry {
                    seq,
                    chain,
                    link: head.link + 1,
                    at: Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
                        + chrono::Duration::seconds(seq),
                    actor_id: Some(1),
                    actor_name: "admin".into(),
                    actor_role: "admin".into(),
                    action: format!("{kind}.update"),
                    target_type: (*kind).into(),
                    target_id: Some(*id),
                    department_id: Some(*id),
                    region_id: Some(1),
                    summary: format!(r#"{{"after":{{"name":"部门{seq}"}}}}"#),
                    client_addr: Some("127.0.0.1".into()),
                    request_id: None,
                    prev_hash: head.hash.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                head.link = e.link;
                head.hash = e.hash.clone();
                e
            })
            .collect();
        (entries, heads)
    }

    /// The trail of one target, so one chain, as before chains.
    fn chain(n: i64) -> (Vec<Entry>, Vec<Head>) {
        trail(&vec![("case", 7); n as usize])
    }

    fn verify((entries, heads): &(Vec<Entry>, Vec<Head>)) -> Result<u64, Broken> {
        verify_trail(entries, heads, &[])
    }

    #[test]
    fn an_intact_trail_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
        assert_eq!(verify(&trail(&[])), Ok(0));
        let many: Vec<(&str, i64)> = (0..200).map(|i| ("case", i)).collect();
        let t = trail(&many);
        assert_eq!(verify(&t), Ok(200));
        let used: std::collections::BTreeSet<i32> = t.0.iter().map(|e| e.chain).collect();
        assert_eq!(
            used.len(),
            CHAINS as usize,
            "targets spread over every chain"
        );
    }

    #[test]
    fn the_one_chain_of_before_keeps_its_hashes() {
        // Chain 1 at the entry's own number hashes as every entry did before chains: the
        // first entry of a demo database made by the earlier code.
        let mut e = chain(1).0.remove(0);
        e.chain = 1;
        e.link = e.seq;
        e.prev_hash = GENESIS.into();
        let before = e.compute_hash();
        e.chain = 2;
        assert_ne!(e.compute_hash(), before, "the chain is covered");
        e.chain = 1;
        e.link = 2;
        assert_ne!(e.compute_hash(), before, "the place is covered");
    }

    #[test]
    fn an_edit_is_named() {
        let mut c = chain(5);
        c.0[2].summary = r#"{"after":{"name":"改过"}}"#.into();
        assert_eq!(verify(&c), Err(Broken::Altered { seq: 3 }));
    }

    #[test]
    fn an_edit_with_a_recomputed_hash_breaks_the_next_link() {
        let mut c = chain(5);
        c.0[2].actor_name = "someone else".into();
        c.0[2].hash = c.0[2].compute_hash();
        assert_eq!(verify(&c), Err(Broken::Unlinked { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_is_named() {
        let mut c = chain(5);
        let chain_no = c.0[0].chain;
        c.0.remove(1);
        assert_eq!(
            verify(&c),
            Err(Broken::Gap {
                chain: chain_no,
                expected: 2,
                found: 3
            })
        );
        let mut c = chain(5);
        c.0.pop();
        assert!(verify(&c).is_err(), "a cut-off tail is noticed");
    }

    #[test]
    fn a_checkpoint_finds_a_tail_cut_off_with_its_head() {
        let (mut entries, mut heads) = chain(5);
        let cp = Checkpoint::of(Utc::now(), heads.clone());
        assert_eq!(
            verify_trail(&entries, &heads, std::slice::from_ref(&cp)),
            Ok(5)
        );
        let cut = entries.pop().unwrap();
        let h = heads.iter_mut().find(|h| h.chain == cut.chain).unwrap();
        h.link = 4;
        h.hash = entries[3].hash.clone();
        assert_eq!(
            verify(&(entries.clone(), heads.clone())),
            Ok(4),
            "alone it looks whole"
        );
        assert_eq!(
            verify_trail(&entries, &heads, std::slice::from_ref(&cp)),
            Err(Broken::Checkpoint {
                at: cp.at,
                chain: cut.chain
            })
        );
        let mut edited = cp.clone();
        edited.heads[0].link += 1;
        assert!(
            !edited.is_whole(),
            "an edited checkpoint does not hold its root"
        );
    }

    /// The alterations an attacker with the database's files could make.
    #[derive(Clone, Debug)]
    enum Alteration {
        /// Change a field, keeping the stored hash.
        Edit(usize),
        /// Change a field and recompute the entry's own hash.
        EditRehashed(usize),
        Delete(usize),
        /// Put a forged copy of an entry beside it in its chain.
        Insert(usize),
        /// Put an entry outside every chain.
        InsertOutside(usize),
        /// Swap two entries' places in the trail.
        Swap(usize, usize),
        /// Move an entry to another chain, at that chain's end, the head following.
        Move(usize),
        /// Cut a chain's last entries off with its head, after a checkpoint.
        Truncate(usize),
    }

    fn alteration() -> impl Strategy<Value = Alteration> {
        prop_oneof![
            any::<usize>().prop_map(Alteration::Edit),
            any::<usize>().prop_map(Alteration::EditRehashed),
            any::<usize>().prop_map(Alteration::Delete),
            any::<usize>().prop_map(Alteration::Insert),
            any::<usize>().prop_map(Alteration::InsertOutside),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Alteration::Swap(a, b)),
            any::<usize>().prop_map(Alteration::Move),
            any::<usize>().prop_map(Alteration::Truncate),
        ]
    }

    fn history() -> impl Strategy<Value = Vec<(&'static str, i64)>> {
        prop::collection::vec(
            (
                prop::sample::select(vec!["case", "user", "ticket", "event"]),
                0i64..40,
            ),
            2..80,
        )
    }

    /// Applies `a` to the trail; false when it changed nothing (two equal entries swapped, say).
    fn alter(a: &Alteration, entries: &mut Vec<Entry>, heads: &mut [Head]) -> bool {
        let n = entries.len();
        match *a {
            Alteration::Edit(i) => entries[i % n].actor_name.push('x'),
            Alteration::EditRehashed(i) => {
                let e = &mut entries[i % n];
                e.summary = r#"{"after":{"name":"伪造"}}"#.into();
                e.hash = e.compute_hash();
            }
            Alteration::Delete(i) => {
                entries.remove(i % n);
            }
            Alteration::Insert(i) => {
                let mut forged = entries[i % n].clone();
                forged.seq = 10_000;
                forged.summary = r#"{"after":{"name":"插入"}}"#.into();
                forged.hash = forged.compute_hash();
                entries.push(forged);
            }
            Alteration::InsertOutside(i) => {
                let mut forged = entries[i % n].clone();
                forged.seq = 10_000;
                forged.chain = CHAINS + 1;
                forged.link = 1;
                forged.prev_hash = genesis(forged.chain);
                forged.hash = forged.compute_hash();
                entries.push(forged);
            }
            Alteration::Swap(i, j) => {
                let (i, j) = (i % n, j % n);
                if i == j {
                    return false;
                }
                let (a, b) = (entries[i].clone(), entries[j].clone());
                if (a.chain, a.link) == (b.chain, b.link) {
                    return false;
                }
                // The places swap, the contents stay: what a reordering of rows amounts to.
                entries[i].seq = b.seq;
                entries[i].chain = b.chain;
                entries[i].link = b.link;
                entries[j].seq = a.seq;
                entries[j].chain = a.chain;
                entries[j].link = a.link;
            }
            Alteration::Move(i) => {
                let e = &mut entries[i % n];
                let to = e.chain % CHAINS + 1;
                let head = &mut heads[(to - 1) as usize];
                e.chain = to;
                e.link = head.link + 1;
                e.prev_hash = head.hash.clone();
                e.hash = e.compute_hash();
                head.link = e.link;
                head.hash = e.hash.clone();
            }
            Alteration::Truncate(i) => {
                let chain = entries[i % n].chain;
                let keep = entries[i % n].link - 1;
                entries.retain(|e| e.chain != chain || e.link <= keep);
                let h = &mut heads[(chain - 1) as usize];
                h.link = keep;
                h.hash = entries
                    .iter()
                    .find(|e| e.chain == chain && e.link == keep)
                    .map_or_else(|| genesis(chain), |e| e.hash.clone());
            }
        }
        true
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn every_alteration_of_a_random_trail_is_found(
            targets in history(),
            a in alteration(),
        ) {
            let (mut entries, mut heads) = trail(&targets);
            let checkpoint = Checkpoint::of(Utc::now(), heads.clone());
            prop_assert_eq!(
                verify_trail(&entries, &heads, std::slice::from_ref(&checkpoint)),
                Ok(entries.len() as u64)
            );
            if alter(&a, &mut entries, &mut heads) {
                let found = verify_trail(&entries, &heads, &[checkpoint]);
                prop_assert!(found.is_err(), "{:?} was not found", a);
            }
        }
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
