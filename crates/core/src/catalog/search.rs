//! Search as a person types it: Chinese words in any order, traditional characters, full pinyin
//! or initials, and the synonyms the administrators keep. The index lives in memory and is
//! rebuilt from the published guides when the catalog changes.
//!
//! How it finds: every field is normalised (traditional → simplified, full-width → half-width,
//! lower case). Character bigrams (and single characters) point at the documents containing
//! them; a query word's candidates are the intersection of its bigrams' postings, confirmed by a
//! substring test field by field, which also gives the score: name > alias > material > basis.
//! A query is cut into words by jieba; every word (or one of its synonyms) must match. A query
//! in Latin letters is looked up as pinyin: full (`xiuxue`) or initials (`xx`), of a whole name
//! or of any word in it, exactly or as a prefix.

use jieba_rs::Jieba;
use pinyin::ToPinyin;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Queries longer than this are cut: nobody types more, and it bounds the work.
pub const MAX_QUERY_CHARS: usize = 64;

/// Field weights: where a word is found decides the rank.
const NAME: u32 = 100;
const ALIAS: u32 = 60;
const MATERIAL: u32 = 20;
const BASIS: u32 = 10;
const DEPARTMENT: u32 = 5;

/// What the index knows of one matter.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub code: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub materials: Vec<String>,
    pub basis: String,
    pub department: String,
}

struct Entry {
    name: String,
    aliases: String,
    materials: String,
    basis: String,
    department: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Position of the document in the list the index was built from.
    pub doc: usize,
    pub score: u32,
}

pub struct SearchIndex {
    entries: Vec<Entry>,
    names: Vec<String>,
    grams: HashMap<(char, char), Vec<u32>>,
    chars: HashMap<char, Vec<u32>>,
    /// Pinyin keys (full and initials) → (document, weight).
    pinyin: BTreeMap<String, Vec<(u32, u32)>>,
    synonyms: Vec<Vec<String>>,
}

/// Traditional → simplified, full-width → half-width, lower case, no control characters, at most
/// `MAX_QUERY_CHARS` characters when `limit` is set.
pub fn normalize(s: &str, limit: bool) -> String {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .take(if limit { MAX_QUERY_CHARS } else { usize::MAX })
        .collect();
    simplet2s::convert(&cleaned).to_lowercase()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Full pinyin and initials of a text; characters without pinyin are kept as they are.
fn pinyin_keys(text: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        match p {
            Some(p) => {
                full.push_str(p.plain());
                initials.push_str(p.first_letter());
            }
            None if c.is_ascii_alphanumeric() => {
                full.push(c.to_ascii_lowercase());
                initials.push(c.to_ascii_lowercase());
            }
            None => {}
        }
    }
    (full, initials)
}

fn push_posting(list: &mut Vec<u32>, doc: u32) {
    if list.last() != Some(&doc) {
        list.push(doc);
    }
}

impl SearchIndex {
    /// Builds the index. `synonyms` are groups of words that mean the same (身份证, 居民身份证).
    pub fn build(docs: &[Doc], synonyms: &[Vec<String>]) -> SearchIndex {
        let mut grams: HashMap<(char, char), Vec<u32>> = HashMap::new();
        let mut chars: HashMap<char, Vec<u32>> = HashMap::new();
        let mut pinyin: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let mut entries = Vec::with_capacity(docs.len());
        let mut names = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            let id = i as u32;
            let e = Entry {
                name: normalize(&d.name, false),
                aliases: normalize(&d.aliases.join("\u{1}"), false),
                materials: normalize(&d.materials.join("\u{1}"), false),
                basis: normalize(&d.basis, false),
                department: normalize(&d.department, false),
            };
            for text in [&e.name, &e.aliases, &e.materials, &e.basis, &e.department] {
                let cs: Vec<char> = text
                    .chars()
                    .filter(|c| is_word_char(*c) || *c == '\u{1}')
                    .collect();
                for (k, c) in cs.iter().enumerate() {
                    if *c == '\u{1}' {
                        continue;
                    }
                    push_posting(chars.entry(*c).or_default(), id);
                    if let Some(n) = cs.get(k + 1).filter(|n| **n != '\u{1}') {
                        push_posting(grams.entry((*c, *n)).or_default(), id);
                    }
                }
            }
            let mut add_pinyin = |text: &str, weight: u32| {
                let (full, initials) = pinyin_keys(text);
                for key in [full, initials] {
                    if key.len() >= 2 {
                        let list = pinyin.entry(key).or_default();
                        match list.last_mut() {
                            Some((doc, w)) if *doc == id => *w = (*w).max(weight),
                            _ => list.push((id, weight)),
                        }
                    }
                }
            };
            add_pinyin(&e.name, NAME);
            for a in e.aliases.split('\u{1}').filter(|a| !a.is_empty()) {
                add_pinyin(a, ALIAS);
            }
            for text in [e.name.as_str()]
                .into_iter()
                .chain(e.aliases.split('\u{1}'))
            {
                for t in JIEBA.cut_for_search(text, true) {
                    if t.word.chars().count() >= 2 {
                        add_pinyin(
                            t.word,
                            if text == e.name {
                                NAME - 10
                            } else {
                                ALIAS - 10
                            },
                        );
                    }
                }
            }
            entries.push(e);
            names.push(d.name.clone());
        }
        let synonyms = synonyms
            .iter()
            .map(|g| {
                g.iter()
                    .map(|w| normalize(w, false))
                    .filter(|w| !w.is_empty())
                    .collect::<Vec<_>>()
            })
            .filter(|g| g.len() > 1)
            .collect();
        SearchIndex {
            entries,
            names,
            grams,
            chars,
            pinyin,
            synonyms,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Documents containing `word` somewhere, with the weight of the best field it is in.
    fn word_hits(&self, word: &str) -> HashMap<u32, u32> {
        let cs: Vec<char> = word.chars().filter(|c| is_word_char(*c)).collect();
        let mut out = HashMap::new();
        if cs.is_empty() {
            return out;
        }
        let candidates: Vec<u32> = if cs.len() == 1 {
            self.chars.get(&cs[0]).cloned().unwrap_or_default()
        } else {
            let mut lists: Vec<&Vec<u32>> = Vec::new();
            for w in cs.windows(2) {
                match self.grams.get(&(w[0], w[1])) {
                    Some(l) => lists.push(l),
                    None => return out,
                }
            }
            lists.sort_by_key(|l| l.len());
            let mut acc: Vec<u32> = lists[0].clone();
            for l in &lists[1..] {
                acc.retain(|d| l.binary_search(d).is_ok());
                if acc.is_empty() {
                    break;
                }
            }
            acc
        };
        let needle: String = cs.iter().collect();
        for d in candidates {
            let e = &self.entries[d as usize];
            let w = if e.name.contains(&needle) {
                NAME
            } else if e.aliases.contains(&needle) {
                ALIAS
            } else if e.materials.contains(&needle) {
                MATERIAL
            } else if e.basis.contains(&needle) {
                BASIS
            } else if e.department.contains(&needle) {
                DEPARTMENT
            } else {
                continue;
            };
            out.insert(d, w);
        }
        out
    }

    /// The word and the words that mean the same.
    fn alternatives(&self, word: &str) -> Vec<String> {
        let mut alts = vec![word.to_string()];
        for g in &self.synonyms {
            if g.iter().any(|w| w == word) {
                for w in g {
                    if !alts.contains(w) {
                        alts.push(w.clone());
                    }
                }
            }
        }
        alts
    }

    fn pinyin_hits(&self, key: &str) -> HashMap<u32, u32> {
        let mut out: HashMap<u32, u32> = HashMap::new();
        // Exact keys first, then keys the query is a prefix of (typing in progress).
        for (k, list) in self.pinyin.range(key.to_string()..) {
            if !k.starts_with(key) {
                break;
            }
            let exact = k == key;
            for &(d, w) in list {
                let score = if exact { w } else { w / 2 };
                let cur = out.entry(d).or_insert(0);
                *cur = (*cur).max(score);
            }
            if out.len() > 5000 {
                break;
            }
        }
        out
    }

    /// The ranked hits for a query, best first; at most `limit`, and the total.
    pub fn search(&self, query: &str, limit: usize) -> (Vec<Hit>, usize) {
        let q = normalize(query, true);
        let q = q.trim();
        if q.is_empty() {
            return (Vec::new(), 0);
        }
        let latin = q
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '\'');
        let scores: HashMap<u32, u32> = if latin {
            let key: String = q.chars().filter(|c| c.is_ascii_alphabetic()).collect();
            let mut s = self.pinyin_hits(&key);
            // Latin letters may also be literal text (a code, an English word).
            for (d, w) in self.word_hits(&key) {
                let cur = s.entry(d).or_insert(0);
                *cur = (*cur).max(w);
            }
            s
        } else {
            self.words_search(q)
        };
        let total = scores.len();
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(doc, score)| Hit {
                doc: doc as usize,
                score,
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| {
                    self.names[a.doc]
                        .chars()
                        .count()
                        .cmp(&self.names[b.doc].chars().count())
                })
                .then_with(|| a.doc.cmp(&b.doc))
        });
        hits.truncate(limit);
        (hits, total)
    }

    fn words_search(&self, q: &str) -> HashMap<u32, u32> {
        let mut words: Vec<String> = Vec::new();
        for part in q
            .split(|c: char| !is_word_char(c))
            .filter(|p| !p.is_empty())
        {
            // A part that a synonym or the index knows whole stays whole; otherwise jieba cuts it.
            if self.synonyms.iter().any(|g| g.iter().any(|w| w == part)) {
                words.push(part.to_string());
                continue;
            }
            for t in JIEBA.cut(part, true) {
                let w = t.word.trim();
                if !w.is_empty()
                    && !matches!(
                        w,
                        "的" | "了" | "和" | "与" | "及" | "办" | "怎么" | "如何" | "办理"
                    )
                {
                    words.push(w.to_string());
                }
            }
            if words.is_empty() {
                words.push(part.to_string());
            }
        }
        words.dedup();
        let whole: String = q.chars().filter(|c| is_word_char(*c)).collect();
        let mut total: Option<HashMap<u32, u32>> = None;
        let mut any: HashMap<u32, (u32, u32)> = HashMap::new();
        for w in &words {
            let mut hits: HashMap<u32, u32> = HashMap::new();
            for alt in self.alternatives(w) {
                for (d, s) in self.word_hits(&alt) {
                    let cur = hits.entry(d).or_insert(0);
                    *cur = (*cur).max(s);
                }
            }
            for (&d, &s) in &hits {
                let e = any.entry(d).or_insert((0, 0));
                e.0 += 1;
                e.1 += s;
            }
            total = Some(match total {
                None => hits,
                Some(t) => t
                    .into_iter()
                    .filter_map(|(d, s)| hits.get(&d).map(|h| (d, s + h)))
                    .collect(),
            });
        }
        let mut result = total.unwrap_or_default();
        if result.is_empty() && words.len() > 2 {
            // No document has every word of a long query: offer those missing only one.
            let n = words.len() as u32;
            result = any
                .into_iter()
                .filter(|(_, (count, _))| *count + 1 >= n)
                .map(|(d, (count, s))| (d, s * count / n))
                .collect();
        }
        // The query as typed, found whole in a name, beats its words found apart.
        if words.len() > 1 {
            for (d, s) in result.iter_mut() {
                if self.entries[*d as usize].name.contains(&whole) {
                    *s += NAME;
                }
            }
        }
        for (d, s) in result.iter_mut() {
            if self.entries[*d as usize].name == whole {
                *s += NAME;
            }
        }
        result
    }

    /// Names to offer while a person types: the best names and aliases for the text so far.
    pub fn suggest(&self, prefix: &str, limit: usize) -> Vec<String> {
        let (hits, _) = self.search(prefix, limit * 3);
        let mut seen = HashSet::new();
        hits.into_iter()
            .filter(|h| h.score >= ALIAS / 2)
            .map(|h| self.names[h.doc].clone())
            .filter(|n| seen.insert(n.clone()))
            .take(limit)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<Doc> {
        let d = |code: &str,
                 name: &str,
                 aliases: &[&str],
                 materials: &[&str],
                 basis: &str,
                 dept: &str| Doc {
            code: code.into(),
            name: name.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            materials: materials.iter().map(|s| s.to_string()).collect(),
            basis: basis.into(),
            department: dept.into(),
        };
        vec![
            d(
                "A1",
                "义务教育阶段学生休学",
                &["休学"],
                &["休学申请表", "居民户口簿"],
                "《中华人民共和国义务教育法》",
                "龙港区教育局",
            ),
            d(
                "A2",
                "义务教育阶段学生复学",
                &["复学"],
                &["复学申请表", "居民户口簿"],
                "《中华人民共和国义务教育法》",
                "龙港区教育局",
            ),
            d(
                "B1",
                "居民身份证申领",
                &["办身份证", "身份证办理"],
                &["居民户口簿", "照片"],
                "《中华人民共和国居民身份证法》",
                "葫芦岛市公安局龙港分局",
            ),
            d(
                "C1",
                "企业设立登记",
                &["营业执照", "公司注册"],
                &["公司登记（备案）申请书", "居民身份证"],
                "《中华人民共和国公司登记管理条例》",
                "龙港区市场监督管理局",
            ),
            d(
                "D1",
                "国有建设用地使用权首次登记",
                &["土地登记", "土地证"],
                &["不动产登记申请书"],
                "《不动产登记暂行条例》",
                "葫芦岛市自然资源局龙港分局",
            ),
            d(
                "E1",
                "郑州市居住证申领",
                &[],
                &["居民身份证"],
                "《居住证暂行条例》",
                "郑州",
            ),
        ]
    }

    fn codes(ix: &SearchIndex, docs: &[Doc], q: &str) -> Vec<String> {
        ix.search(q, 10)
            .0
            .into_iter()
            .map(|h| docs[h.doc].code.clone())
            .collect()
    }

    #[test]
    fn words_pinyin_and_initials_find_the_same_guide() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        assert_eq!(codes(&ix, &docs, "休学")[0], "A1");
        assert_eq!(codes(&ix, &docs, "xiuxue")[0], "A1");
        assert_eq!(codes(&ix, &docs, "XiuXue")[0], "A1");
        assert!(codes(&ix, &docs, "xx").contains(&"A1".to_string()));
        assert_eq!(codes(&ix, &docs, "xiux")[0], "A1", "a prefix while typing");
        assert_eq!(codes(&ix, &docs, "学生 休学")[0], "A1");
        assert_eq!(
            codes(&ix, &docs, "休学学生")[0],
            "A1",
            "words in another order"
        );
    }

    #[test]
    fn ranking_is_name_then_alias_then_material_then_basis() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        // 身份证: in B1's name, in C1's and E1's materials
        let r = codes(&ix, &docs, "身份证");
        assert_eq!(r[0], "B1");
        assert!(r.contains(&"C1".to_string()) && r.contains(&"E1".to_string()));
        // 营业执照: only an alias
        assert_eq!(codes(&ix, &docs, "营业执照"), vec!["C1"]);
        // 户口簿: materials of three
        assert_eq!(codes(&ix, &docs, "户口簿").len(), 3);
        // 义务教育法: basis only
        let (hits, total) = ix.search("义务教育法", 10);
        assert_eq!(total, 2);
        assert!(hits.iter().all(|h| h.score == BASIS));
    }

    #[test]
    fn traditional_characters_match_simplified() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        assert_eq!(codes(&ix, &docs, "鄭州")[0], "E1");
        assert_eq!(codes(&ix, &docs, "營業執照"), vec!["C1"]);
        assert_eq!(
            codes(&ix, &docs, "ＸＩＵＸＵＥ")[0],
            "A1",
            "full-width letters"
        );
    }

    #[test]
    fn synonyms_widen_a_word() {
        let docs = docs();
        let plain = SearchIndex::build(&docs, &[]);
        assert!(codes(&plain, &docs, "执照").contains(&"C1".to_string()));
        assert!(
            codes(&plain, &docs, "工商登记").is_empty()
                || !codes(&plain, &docs, "工商登记").contains(&"C1".to_string())
        );
        let ix = SearchIndex::build(&docs, &[vec!["工商登记".into(), "企业设立登记".into()]]);
        assert_eq!(codes(&ix, &docs, "工商登记")[0], "C1");
    }

    #[test]
    fn nonsense_and_huge_queries_are_cheap_and_empty() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        assert_eq!(ix.search("", 10).1, 0);
        assert_eq!(ix.search("\u{0}\u{7}\n", 10).1, 0);
        assert_eq!(ix.search("量子纠缠", 10).1, 0);
        // Only the first MAX_QUERY_CHARS characters count.
        let huge = format!("{}学", "休".repeat(10_000));
        assert_eq!(normalize(&huge, true).chars().count(), MAX_QUERY_CHARS);
        assert_eq!(ix.search(&huge, 10).1, 0);
    }

    #[test]
    fn a_long_query_may_miss_one_word_but_not_more() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        // 学生 and 休学 match, 申请书 does not: A1 is offered
        assert_eq!(codes(&ix, &docs, "学生休学申请书")[0], "A1");
        // two of three words missing: nothing
        assert!(codes(&ix, &docs, "学生量子纠缠").is_empty());
        // two words: both are needed
        assert!(codes(&ix, &docs, "休学量子").is_empty());
    }

    #[test]
    fn suggestions_offer_names() {
        let docs = docs();
        let ix = SearchIndex::build(&docs, &[]);
        let s = ix.suggest("义务", 5);
        assert_eq!(s, vec!["义务教育阶段学生休学", "义务教育阶段学生复学"]);
        assert_eq!(ix.suggest("shenfen", 5)[0], "居民身份证申领");
    }
}
