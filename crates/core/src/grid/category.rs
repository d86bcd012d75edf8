//! Categories of community problems (问题类别): each with the department that handles it and its
//! handling limit, and the questions a reporter answers (Open311's service attributes). A
//! category is what Open311 calls a service; its code is the `service_code`.

use super::limit::Limit;
use crate::error::FieldError;
use crate::validate::text;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// How an attribute is answered (Open311 `datatype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Datatype {
    String,
    Number,
    Datetime,
    Text,
    Singlevaluelist,
    Multivaluelist,
}

/// One choice of a list attribute.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub key: String,
    pub name: String,
}

/// A question of a category (Open311 attribute).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub code: String,
    /// The question as asked.
    pub description: String,
    pub datatype: Datatype,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub values: Vec<Choice>,
}

/// A category as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = GridCategory)]
pub struct Category {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// The group it is listed under (市容环境, 道路交通, …).
    pub group: String,
    pub description: String,
    pub keywords: String,
    pub department_id: Option<i64>,
    pub limit: Limit,
    pub attributes: Vec<Attribute>,
    pub active: bool,
    pub version: i64,
}

/// A category as entered.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewGridCategory)]
pub struct NewCategory {
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub keywords: String,
    pub department_id: Option<i64>,
    pub limit: Limit,
    #[serde(default)]
    pub attributes: Vec<Attribute>,
}

fn check_code(name: &str, v: &str) -> Result<String, FieldError> {
    let v = v.trim();
    if v.is_empty()
        || v.len() > 40
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(FieldError::text(
            name,
            "代码应为1至40位字母、数字、短横线或下划线",
            "a code is 1 to 40 letters, digits, '-' or '_'",
        ));
    }
    Ok(v.to_string())
}

impl NewCategory {
    /// The category cleaned, or the first field in error.
    pub fn check(self) -> Result<NewCategory, FieldError> {
        let mut attributes = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, a) in self.attributes.into_iter().enumerate() {
            let f = |n: &str| format!("attributes[{i}].{n}");
            let code = check_code(&f("code"), &a.code)?;
            if !seen.insert(code.clone()) {
                return Err(FieldError::text(
                    f("code"),
                    format!("问题代码{code}重复"),
                    format!("the code {code} is used twice"),
                ));
            }
            let description = text::required(&f("description"), &a.description, 500)?;
            let is_list = matches!(
                a.datatype,
                Datatype::Singlevaluelist | Datatype::Multivaluelist
            );
            if is_list == a.values.is_empty() {
                return Err(FieldError::text(
                    f("values"),
                    "选择题应列出选项，其他题型不列选项",
                    "list questions list their choices; other questions have none",
                ));
            }
            let mut values = Vec::new();
            for (j, c) in a.values.into_iter().enumerate() {
                values.push(Choice {
                    key: check_code(&format!("{}[{j}].key", f("values")), &c.key)?,
                    name: text::required(&format!("{}[{j}].name", f("values")), &c.name, 200)?,
                });
            }
            attributes.push(Attribute {
                code,
                description,
                datatype: a.datatype,
                required: a.required,
                values,
            });
        }
        Ok(NewCategory {
            code: check_code("code", &self.code)?,
            name: text::required("name", &self.name, 100)?,
            group: text::optional("group", &self.group, 100)?.unwrap_or_default(),
            description: text::optional("description", &self.description, 2000)?
                .unwrap_or_default(),
            keywords: text::optional("keywords", &self.keywords, 500)?.unwrap_or_default(),
            department_id: self.department_id,
            limit: self.limit.check("limit")?,
            attributes,
        })
    }
}

/// An answer as it came: one value, or several for a multi-value list.
pub type Answers = BTreeMap<String, Vec<String>>;

/// Checks the answers to a category's questions: required ones present, numbers numbers, list
/// answers among the choices, nothing unknown. Returns them as JSON to keep with the event.
pub fn check_answers(
    attrs: &[Attribute],
    answers: &Answers,
) -> Result<serde_json::Map<String, serde_json::Value>, FieldError> {
    use serde_json::Value;
    for code in answers.keys() {
        if !attrs.iter().any(|a| &a.code == code) {
            return Err(FieldError::text(
                format!("attribute[{code}]"),
                "没有这个问题",
                "no such attribute",
            ));
        }
    }
    let mut out = serde_json::Map::new();
    for a in attrs {
        let name = format!("attribute[{}]", a.code);
        let given: Vec<&str> = answers
            .get(&a.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if given.is_empty() {
            if a.required {
                return Err(FieldError::text(&name, "必答", "required"));
            }
            continue;
        }
        if a.datatype != Datatype::Multivaluelist && given.len() > 1 {
            return Err(FieldError::text(&name, "只能有一个答案", "one answer only"));
        }
        let first = given[0];
        let value = match a.datatype {
            Datatype::String | Datatype::Text => {
                let max = if a.datatype == Datatype::Text {
                    4000
                } else {
                    200
                };
                Value::String(text::required(&name, first, max)?)
            }
            Datatype::Number => {
                let n: f64 = first
                    .parse()
                    .ok()
                    .filter(|n: &f64| n.is_finite())
                    .ok_or_else(|| FieldError::text(&name, "应为数字", "must be a number"))?;
                serde_json::Number::from_f64(n)
                    .map(Value::Number)
                    .unwrap_or(Value::Null)
            }
            Datatype::Datetime => {
                chrono::DateTime::parse_from_rfc3339(first).map_err(|_| {
                    FieldError::text(
                        &name,
                        "应为时间，如2026-03-02T09:00:00+08:00",
                        "must be a time such as 2026-03-02T09:00:00+08:00",
                    )
                })?;
                Value::String(first.to_string())
            }
            Datatype::Singlevaluelist | Datatype::Multivaluelist => {
                for g in &given {
                    if !a.values.iter().any(|c| c.key == *g) {
                        return Err(FieldError::text(
                            &name,
                            format!("“{g}”不是可选项"),
                            format!("'{g}' is not one of the choices"),
                        ));
                    }
                }
                if a.datatype == Datatype::Singlevaluelist {
                    Value::String(first.to_string())
                } else {
                    Value::Array(given.iter().map(|g| Value::String(g.to_string())).collect())
                }
            }
        };
        out.insert(a.code.clone(), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain() -> NewCategory {
        NewCategory {
            code: "drain".into(),
            name: "下水道堵塞".into(),
            group: "市政设施".into(),
            description: String::new(),
            keywords: "下水道 积水".into(),
            department_id: Some(3),
            limit: Limit::working_days(3),
            attributes: vec![
                Attribute {
                    code: "depth".into(),
                    description: "积水深度（厘米）".into(),
                    datatype: Datatype::Number,
                    required: true,
                    values: vec![],
                },
                Attribute {
                    code: "smell".into(),
                    description: "有无异味".into(),
                    datatype: Datatype::Singlevaluelist,
                    required: false,
                    values: vec![
                        Choice {
                            key: "yes".into(),
                            name: "有".into(),
                        },
                        Choice {
                            key: "no".into(),
                            name: "无".into(),
                        },
                    ],
                },
            ],
        }
    }

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut a = Answers::new();
        for (k, v) in pairs {
            a.entry(k.to_string()).or_default().push(v.to_string());
        }
        a
    }

    #[test]
    fn categories_are_checked_field_by_field() {
        assert!(drain().check().is_ok());
        let mut c = drain();
        c.code = "下水道".into();
        assert_eq!(c.check().unwrap_err().field, "code");
        let mut c = drain();
        c.attributes[1].values.clear();
        assert_eq!(c.check().unwrap_err().field, "attributes[1].values");
        let mut c = drain();
        c.limit = Limit::working_days(0);
        assert_eq!(c.check().unwrap_err().field, "limit");
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let c = drain().check().unwrap();
        let ok = check_answers(
            &c.attributes,
            &answers(&[("depth", "15"), ("smell", "yes")]),
        )
        .unwrap();
        assert_eq!(ok["smell"], "yes");
        let e = |a: &[(&str, &str)]| check_answers(&c.attributes, &answers(a)).unwrap_err().field;
        assert_eq!(e(&[]), "attribute[depth]");
        assert_eq!(e(&[("depth", "深")]), "attribute[depth]");
        assert_eq!(e(&[("depth", "3"), ("smell", "maybe")]), "attribute[smell]");
        assert_eq!(e(&[("depth", "3"), ("colour", "x")]), "attribute[colour]");
    }
}
