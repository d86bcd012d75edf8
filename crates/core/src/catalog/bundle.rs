//! Life events, themes and "一件事" bundles: ways into the catalog that follow a life rather than
//! a department. A bundle's materials are merged, so that a paper two matters need is listed (and
//! brought) once.

use super::guide::{Guide, Material, MaterialForm};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopicKind {
    /// 人生阶段 / 企业生命周期: 出生、上学 … 开办、注销.
    LifeEvent,
    /// 主题服务: 社保、医保、住房 ….
    Theme,
    /// 一件事: several matters done as one.
    Bundle,
}

impl TopicKind {
    pub fn code(self) -> &'static str {
        match self {
            TopicKind::LifeEvent => "life_event",
            TopicKind::Theme => "theme",
            TopicKind::Bundle => "bundle",
        }
    }

    pub fn parse(s: &str) -> Option<TopicKind> {
        [TopicKind::LifeEvent, TopicKind::Theme, TopicKind::Bundle]
            .into_iter()
            .find(|k| k.code() == s)
    }

    pub fn name(self) -> Text {
        match self {
            TopicKind::LifeEvent => Text::fixed("人生事", "life event"),
            TopicKind::Theme => Text::fixed("主题", "theme"),
            TopicKind::Bundle => Text::fixed("一件事", "bundled service"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    Person,
    Enterprise,
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::Person => "person",
            Audience::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Audience> {
        match s {
            "person" => Some(Audience::Person),
            "enterprise" => Some(Audience::Enterprise),
            _ => None,
        }
    }

    pub fn name(self) -> Text {
        match self {
            Audience::Person => Text::fixed("个人", "persons"),
            Audience::Enterprise => Text::fixed("企业", "enterprises"),
        }
    }
}

/// A life event, a theme or a bundle, with its matters in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Topic {
    pub id: i64,
    /// Short code used in addresses and QR codes (`/topic/{code}`).
    pub code: String,
    pub name: String,
    pub kind: TopicKind,
    pub audience: Audience,
    pub description: String,
    pub sort: i64,
    /// Matter codes, in order.
    pub matters: Vec<String>,
    pub active: bool,
    pub version: i64,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TopicInput {
    pub code: String,
    pub name: String,
    pub kind: TopicKind,
    pub audience: Audience,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub sort: i64,
    pub matters: Vec<String>,
    /// For edits: the version read.
    #[serde(default)]
    pub version: Option<i64>,
}

impl TopicInput {
    pub fn clean(mut self) -> Result<TopicInput, FieldError> {
        let code = self.code.trim().to_ascii_lowercase();
        if !(2..=40).contains(&code.len())
            || !code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(FieldError::new(
                "code",
                Text::fixed(
                    "代码为2到40位小写字母、数字或连字符",
                    "a code has 2 to 40 lower-case letters, digits or hyphens",
                ),
            ));
        }
        self.code = code;
        self.name = text::required("name", &self.name, 100)?;
        self.description =
            text::optional("description", &self.description, 2000)?.unwrap_or_default();
        let mut matters: Vec<String> = Vec::new();
        for m in &self.matters {
            let m =
                super::guide::check_code(m).map_err(|e| FieldError::new("matters", e.reason))?;
            if !matters.contains(&m) {
                matters.push(m);
            }
        }
        if self.kind == TopicKind::Bundle && matters.len() < 2 {
            return Err(FieldError::new(
                "matters",
                Text::fixed(
                    "一件事至少包含两个事项",
                    "a bundle joins at least two matters",
                ),
            ));
        }
        self.matters = matters;
        Ok(self)
    }
}

/// A material of a bundle's merged list, and the matters that need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MergedMaterial {
    pub material: Material,
    pub for_matters: Vec<String>,
}

/// The name two listings of one paper share: without spaces and brackets' contents' spacing, in
/// full-width-insensitive form.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            other => other,
        })
        .collect()
}

/// One list for all the matters of a bundle: a material needed by several appears once, with the
/// most copies any of them asks for, as an original if any asks for the original, and required
/// if any requires it unconditionally.
pub fn merged_materials(guides: &[(&str, &Guide)]) -> Vec<MergedMaterial> {
    let mut out: Vec<MergedMaterial> = Vec::new();
    for (matter, g) in guides {
        for m in &g.materials {
            match out
                .iter_mut()
                .find(|x| key(&x.material.name) == key(&m.name))
            {
                Some(x) => {
                    let a = &mut x.material;
                    a.copies = a.copies.max(m.copies);
                    if a.form != m.form {
                        a.form = MaterialForm::OriginalAndCopy;
                    }
                    if m.condition.is_none() {
                        a.condition = None;
                    }
                    a.shared = a.shared && m.shared;
                    if a.blank_form.is_none() {
                        a.blank_form = m.blank_form.clone();
                    }
                    if !x.for_matters.iter().any(|f| f == matter) {
                        x.for_matters.push((*matter).to_string());
                    }
                }
                None => out.push(MergedMaterial {
                    material: m.clone(),
                    for_matters: vec![(*matter).to_string()],
                }),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::guide::tests::sample;

    #[test]
    fn a_paper_needed_twice_is_listed_once() {
        let a = sample();
        let mut b = sample();
        b.materials[0].name = "复学申请表".into();
        b.materials[1].form = MaterialForm::Copy;
        b.materials[1].copies = 2;
        b.materials[1].shared = false;
        b.materials[2].name = " 二级以上医院诊断证明 ".into();
        b.materials[2].condition = None;
        let merged = merged_materials(&[("休学", &a), ("复学", &b)]);
        let names: Vec<&str> = merged.iter().map(|m| m.material.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "休学申请表",
                "居民户口簿",
                "二级以上医院诊断证明",
                "复学申请表"
            ]
        );
        let book = &merged[1];
        assert_eq!(book.material.copies, 2);
        assert_eq!(book.material.form, MaterialForm::OriginalAndCopy);
        assert!(!book.material.shared, "one of them needs it brought");
        assert_eq!(book.for_matters, vec!["休学", "复学"]);
        assert_eq!(
            merged[2].material.condition, None,
            "required outright by one of them"
        );
    }

    #[test]
    fn topics_are_checked() {
        let t = TopicInput {
            code: " Kaiban-Qiye ".into(),
            name: "开办企业".into(),
            kind: TopicKind::Bundle,
            audience: Audience::Enterprise,
            description: String::new(),
            sort: 0,
            matters: vec!["000101001000".into(), "000101001000".into()],
            version: None,
        };
        assert_eq!(t.clone().clean().unwrap_err().field, "matters");
        let mut t2 = t.clone();
        t2.matters.push("000101002000".into());
        let c = t2.clean().unwrap();
        assert_eq!(c.code, "kaiban-qiye");
        assert_eq!(c.matters.len(), 2);
        let mut t3 = t;
        t3.code = "开办".into();
        assert_eq!(t3.clean().unwrap_err().field, "code");
    }
}
