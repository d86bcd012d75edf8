//! Search as a person types it: Chinese words in any order, traditional characters, full pinyin
//! or initials, and the synonyms the administrators keep. The index lives in memory and is
//! rebuilt from the published guides when the catalog changes.
//!
//! How it finds: every field is normalised (traditional → simplified, full-width → half-width,
//! lower case). For each field (name, aliases, materials, basis, department) character bigrams
//! and single characters point at the documents containing them. A query word's documents are
//! the intersection of its bigrams' postings, field by field from the heaviest, so a document
//! counts with its best field: name > alias > material > basis > department. In the name and the
//! aliases the word is then confirmed as a substring; in the light fields the bigrams suffice (a
//! rare false match there only adds a low-ranked hit). A query is cut into words by jieba; every
//! word (or one of its synonyms) must match. A query in Latin letters is looked up as pinyin:
//! full (`xiuxue`) or initials (`xx`), of a whole name or of any word in it, exactly or as a
//! prefix. Scores accumulate in dense arrays and only the best `limit` hits are sorted, so a
//! word found in every document costs a scan, not a sort.

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
const WEIGHTS: [u32; 5] = [NAME, ALIAS, MATERIAL, BASIS, DEPARTMENT];

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Position of the document in the list the index was built from.
    pub doc: usize,
    pub score: u32,
}

/// The postings of one field.
#[derive(Default)]
struct Field {
    grams: HashMap<(char, char), Vec<u32>>,
    chars: HashMap<char, Vec<u32>>,
}

pub struct SearchIndex {
    /// Normalised name and aliases (joined by U+0001), for confirming a word and for whole-query
    /// matches.
    names_n: Vec<String>,
    aliases_n: Vec<String>,
    names: Vec<String>,
    name_len: Vec<u32>,
    fields: [Field; 5],
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

/// Sorted lists intersected, smallest first.
fn intersect(mut lists: Vec<&Vec<u32>>) -> Vec<u32> {
    if lists.is_empty() {
        return Vec::new();
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
}

/// Scores of one query word per document, with the documents touched (to reset cheaply).
struct Scratch {
    score: Vec<u32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            score: vec![0; n],
            touched: Vec::new(),
        }
    }

    fn raise(&mut self, doc: u32, w: u32) {
        let s = &mut self.score[doc as usize];
        if *s == 0 {
            self.touched.push(doc);
        }
        if w > *s {
            *s = w;
        }
    }

    fn clear(&mut self) {
        for d in self.touched.drain(..) {
            self.score[d as usize] = 0;
        }
    }
}

impl SearchIndex {
    /// Builds the index. `synonyms` are groups of words that mean the same (身份证, 居民身份证).
    pub fn build(docs: &[Doc], synonyms: &[Vec<String>]) -> SearchIndex {
        let mut fields: [Field; 5] = Default::default();
        let mut pinyin: BTreeMap<String, Vec<(u32, u32)>> = BTreeMap::new();
        let mut names_n = Vec::with_capacity(docs.len());
        let mut aliases_n = Vec::with_capacity(docs.len());
        let mut names = Vec::with_capacity(docs.len());
        let mut name_len = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            let id = i as u32;
            let texts = [
                normalize(&d.name, false),
                normalize(&d.aliases.join("\u{1}"), false),
                normalize(&d.materials.join("\u{1}"), false),
                normalize(&d.basis, false),
                normalize(&d.department, false),
            ];
            for (f, text) in fields.iter_mut().zip(&texts) {
                let cs: Vec<char> = text
                    .chars()
                    .filter(|c| is_word_char(*c) || *c == '\u{1}')
                    .collect();
                for (k, c) in cs.iter().enumerate() {
                    if *c == '\u{1}' {
                        continue;
                    }
                    push_posting(f.chars.entry(*c).or_default(), id);
                    if let Some(n) = cs.get(k + 1).filter(|n| **n != '\u{1}') {
                        push_posting(f.grams.entry((*c, *n)).or_default(), id);
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
            let [name, aliases, ..] = &texts;
            add_pinyin(name, NAME);
            for a in aliases.split('\u{1}').filter(|a| !a.is_empty()) {
                add_pinyin(a, ALIAS);
            }
            for text in std::iter::once(name.as_str()).chain(aliases.split('\u{1}')) {
                for t in JIEBA.cut_for_search(text, true) {
                    if t.word.chars().count() >= 2 {
                        add_pinyin(t.word, if text == name { NAME - 10 } else { ALIAS - 10 });
                    }
                }
            }
            name_len.push(d.name.chars().count() as u32);
            names_n.push(name.clone());
            aliases_n.push(aliases.clone());
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
            names_n,
            aliases_n,
            names,
            name_len,
            fields,
            pinyin,
            synonyms,
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Raises, in `s`, every document containing `word` to the weight of its best field.
    fn word_hits(&self, word: &str, s: &mut Scratch) {
        let cs: Vec<char> = word.chars().filter(|c| is_word_char(*c)).collect();
        if cs.is_empty() {
            return;
        }
        let needle: String = cs.iter().collect();
        for (fi, f) in self.fields.iter().enumerate() {
            let candidates: Vec<u32> = if cs.len() == 1 {
                f.chars.get(&cs[0]).cloned().unwrap_or_default()
            } else {
                let mut lists = Vec::new();
                for w in cs.windows(2) {
                    match f.grams.get(&(w[0], w[1])) {
                        Some(l) => lists.push(l),
                        None => {
                            lists.clear();
                            break;
                        }
                    }
                }
                intersect(lists)
            };
            let weight = WEIGHTS[fi];
            for d in candidates {
                if s.score[d as usize] >= weight {
                    continue;
                }
                // Confirm in the heavy fields, where a false match would rank high.
                let confirmed = match fi {
                    0 => cs.len() <= 2 || self.names_n[d as usize].contains(&needle),
                    1 => cs.len() <= 2 || self.aliases_n[d as usize].contains(&needle),
                    _ => true,
                };
                if confirmed {
                    s.raise(d, weight);
                }
            }
        }
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

    fn pinyin_hits(&self, key: &str, s: &mut Scratch) {
        // Exact keys first, then keys the query is a prefix of (typing in progress).
        for (k, list) in self.pinyin.range(key.to_string()..) {
            if !k.starts_with(key) {
                break;
            }
            let exact = k == key;
            for &(d, w) in list {
                s.raise(d, if exact { w } else { w / 2 });
            }
            if s.touched.len() > 5000 {
                break;
            }
        }
    }

    /// The ranked hits for a query, best first; at most `limit`, and the total.
    pub fn search(&self, query: &str, limit: usize) -> (Vec<Hit>, usize) {
        self.search_where(query, limit, |_| true)
    }

    /// Like [`search`](Self::search), counting and returning only documents `keep` accepts.
    pub fn search_where(
        &self,
        query: &str,
        limit: usize,
        keep: impl Fn(usize) -> bool,
    ) -> (Vec<Hit>, usize) {
        let q = normalize(query, true);
        let q = q.trim();
        if q.is_empty() || self.is_empty() {
            return (Vec::new(), 0);
        }
        let latin = q
            .chars()
            .all(|c| c.is_ascii_alphabetic() || c == ' ' || c == '\'');
        let mut hits: Vec<Hit> = if latin {
            let key: String = q.chars().filter(|c| c.is_ascii_alphabetic()).collect();
            let mut s = Scratch::new(self.len());
            self.pinyin_hits(&key, &mut s);
            // Latin letters may also be literal text (a code, an English word).
            self.word_hits(&key, &mut s);
            s.touched
                .iter()
                .map(|&d| Hit {
                    doc: d as usize,
                    score: s.score[d as usize],
                })
                .collect()
        } else {
            self.words_search(q)
        };
        hits.retain(|h| keep(h.doc));
        let total = hits.len();
        let better = |a: &Hit, b: &Hit| {
            b.score
                .cmp(&a.score)
                .then_with(|| self.name_len[a.doc].cmp(&self.name_len[b.doc]))
                .then_with(|| a.doc.cmp(&b.doc))
        };
        if hits.len() > limit && limit > 0 {
            hits.select_nth_unstable_by(limit - 1, better);
            hits.truncate(limit);
        }
        hits.sort_by(better);
        hits.truncate(limit);
        (hits, total)
    }

    fn words_search(&self, q: &str) -> Vec<Hit> {
        let mut words: Vec<String> = Vec::new();
        for part in q
            .split(|c: char| !is_word_char(c))
            .filter(|p| !p.is_empty())
        {
            // A part that a synonym knows whole stays whole; otherwise jieba cuts it.
            if self.synonyms.iter().any(|g| g.iter().any(|w| w == part)) {
                words.push(part.to_string());
                continue;
            }
            let before = words.len();
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
            if words.len() == before {
                words.push(part.to_string());
            }
        }
        words.dedup();
        let n = self.len();
        let mut sum = vec![0u32; n];
        let mut count = vec![0u8; n];
        let mut s = Scratch::new(n);
        for w in &words {
            for alt in self.alternatives(w) {
                self.word_hits(&alt, &mut s);
            }
            for &d in &s.touched {
                sum[d as usize] += s.score[d as usize];
                count[d as usize] = count[d as usize].saturating_add(1);
            }
            s.clear();
        }
        let need = words.len().min(255) as u8;
        let mut hits: Vec<Hit> = (0..n)
            .filter(|&d| count[d] >= need)
            .map(|d| Hit {
                doc: d,
                score: sum[d],
            })
            .collect();
        if hits.is_empty() && words.len() > 2 {
            // No document has every word of a long query: offer those missing only one.
            hits = (0..n)
                .filter(|&d| count[d] + 1 >= need)
                .map(|d| Hit {
                    doc: d,
                    score: sum[d] * u32::from(count[d]) / u32::from(need),
                })
                .collect();
        }
        let whole: String = q.chars().filter(|c| is_word_char(*c)).collect();
        for h in &mut hits {
            let name = &self.names_n[h.doc];
            // The query as typed, found whole in a name, beats its words found apart.
            if words.len() > 1 && name.contains(&whole) {
                h.score += NAME;
            }
            if *name == whole {
                h.score += NAME;
            }
        }
        hits
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
