//! Licence types (证照类型): what a matter's result is as a thing to hold — its name, the
//! department that issues it, the fields printed on it and where each comes from, how long it is
//! valid, and the series its numbers are drawn from.

use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

vocabulary!(
    /// Where a field's value comes from when the licence is issued.
    FieldSource {
        /// The holder's name (the applicant's, or the enterprise's).
        Holder = ("holder", "持证人", "holder"),
        /// The holder's ID number or unified social credit code.
        HolderId = ("holder_id", "证件号码", "holder's ID"),
        /// The applicant's address.
        Address = ("address", "地址", "address"),
        /// The matter's name.
        Matter = ("matter", "事项名称", "matter"),
        /// The case's number.
        CaseNumber = ("case_number", "办件编号", "case number"),
        /// Written by the approver when concluding (e.g. the licensed scope).
        Entered = ("entered", "办结时填写", "entered on concluding"),
    }
);

/// One field printed on a licence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    /// A key of lower-case letters, digits and `_`, unique in the type.
    pub key: String,
    /// The label printed beside the value (项目名称, 经营范围 …).
    pub label: String,
    pub source: FieldSource,
    #[serde(default = "yes")]
    pub required: bool,
    /// The longest value accepted, in characters.
    #[serde(default = "default_max")]
    pub max_len: usize,
}

fn yes() -> bool {
    true
}

fn default_max() -> usize {
    200
}

/// How long a licence of the type is valid from its issue date.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "kind", content = "count")]
pub enum Validity {
    /// Valid until revoked or cancelled (不动产权证书, 休学证明).
    #[default]
    Indefinite,
    Years(u32),
    Months(u32),
}

impl Validity {
    /// The last day a licence issued on `issued` is valid, if it ends.
    pub fn expires_on(self, issued: NaiveDate) -> Option<NaiveDate> {
        let months = match self {
            Validity::Indefinite => return None,
            Validity::Years(y) => y * 12,
            Validity::Months(m) => m,
        };
        // The day before the issue day, that many months on: 2 March → 1 March; a day the
        // month does not have is its last day (29 February → 28 February the next year).
        issued
            .pred_opt()
            .and_then(|d| d.checked_add_months(Months::new(months)))
    }

    pub fn describe(self) -> Text {
        match self {
            Validity::Indefinite => Text::fixed("长期有效", "valid until revoked"),
            Validity::Years(y) => Text::new(format!("{y}年"), format!("{y} years")),
            Validity::Months(m) => Text::new(format!("{m}个月"), format!("{m} months")),
        }
    }
}

/// A licence type as written by an administrator: checked by [`NewLicenceKind::check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLicenceKind {
    /// A code of lower-case letters, digits, `-` and `_` (e.g. `jzsgxk`).
    pub code: String,
    /// 建筑工程施工许可证, 食品经营许可证 …
    pub name: String,
    pub department_id: i64,
    pub fields: Vec<FieldSpec>,
    #[serde(default)]
    pub validity: Validity,
    /// The number's prefix (letters and digits, e.g. `JZSG211403`); the year and a six-digit
    /// sequence follow.
    pub prefix: String,
}

/// A licence type as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LicenceKind {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub fields: Vec<FieldSpec>,
    pub validity: Validity,
    pub prefix: String,
    pub active: bool,
    pub version: i64,
}

/// A kept type as it would be written again (to change only whether it is in use).
impl From<LicenceKind> for NewLicenceKind {
    fn from(k: LicenceKind) -> NewLicenceKind {
        NewLicenceKind {
            code: k.code,
            name: k.name,
            department_id: k.department_id,
            fields: k.fields,
            validity: k.validity,
            prefix: k.prefix,
        }
    }
}

fn problem(field: impl Into<String>, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, Text::new(zh.to_string(), en.to_string()))
}

fn is_key(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || extra.contains(&c))
}

impl NewLicenceKind {
    /// The type cleaned, or its first problem by field (`fields[2].label`).
    pub fn check(self) -> Result<NewLicenceKind, FieldError> {
        let code = text::required("code", &self.code, 40)?;
        if !is_key(&code, &['-']) {
            return Err(problem(
                "code",
                "编码只能包含小写字母、数字、-和_",
                "a code has lower-case letters, digits, - and _ only",
            ));
        }
        let name = text::required("name", &self.name, 60)?;
        let prefix = text::required("prefix", &self.prefix, 20)?;
        if !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(problem(
                "prefix",
                "编号前缀只能包含字母和数字",
                "a number prefix has letters and digits only",
            ));
        }
        if self.fields.is_empty() || self.fields.len() > 30 {
            return Err(problem(
                "fields",
                "证照应有1至30个字段",
                "a licence has 1 to 30 fields",
            ));
        }
        match self.validity {
            Validity::Years(0) | Validity::Months(0) => {
                return Err(problem(
                    "validity",
                    "有效期应大于零",
                    "the validity must be more than zero",
                ));
            }
            Validity::Years(y) if y > 50 => {
                return Err(problem("validity", "有效期最长50年", "at most 50 years"));
            }
            Validity::Months(m) if m > 600 => {
                return Err(problem(
                    "validity",
                    "有效期最长600个月",
                    "at most 600 months",
                ));
            }
            _ => {}
        }
        let mut fields = Vec::with_capacity(self.fields.len());
        for (i, f) in self.fields.into_iter().enumerate() {
            let at = |k: &str| format!("fields[{i}].{k}");
            let key = text::required(&at("key"), &f.key, 40)?;
            if !is_key(&key, &[]) {
                return Err(problem(
                    at("key"),
                    "字段键只能包含小写字母、数字和_",
                    "a field key has lower-case letters, digits and _ only",
                ));
            }
            if fields.iter().any(|g: &FieldSpec| g.key == key) {
                return Err(problem(at("key"), "字段键重复", "the key is used twice"));
            }
            let label = text::required(&at("label"), &f.label, 20)?;
            if f.max_len == 0 || f.max_len > 2000 {
                return Err(problem(
                    at("max_len"),
                    "长度上限应为1至2000",
                    "the length limit is 1 to 2000",
                ));
            }
            fields.push(FieldSpec {
                key,
                label,
                source: f.source,
                required: f.required,
                max_len: f.max_len,
            });
        }
        Ok(NewLicenceKind {
            code,
            name,
            department_id: self.department_id,
            fields,
            validity: self.validity,
            prefix,
        })
    }
}

/// A licence's number: the type's prefix, the year of issue and the year's sequence
/// (`JZSG2114032026000123`).
pub fn number(prefix: &str, issued: NaiveDate, seq: i64) -> String {
    format!("{prefix}{}{seq:06}", issued.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn permit() -> NewLicenceKind {
        NewLicenceKind {
            code: "jzsgxk".into(),
            name: "建筑工程施工许可证".into(),
            department_id: 3,
            fields: vec![
                FieldSpec {
                    key: "holder".into(),
                    label: "建设单位".into(),
                    source: FieldSource::Holder,
                    required: true,
                    max_len: 100,
                },
                FieldSpec {
                    key: "project".into(),
                    label: "工程名称".into(),
                    source: FieldSource::Entered,
                    required: true,
                    max_len: 100,
                },
                FieldSpec {
                    key: "scope".into(),
                    label: "建设规模".into(),
                    source: FieldSource::Entered,
                    required: false,
                    max_len: 200,
                },
            ],
            validity: Validity::Years(3),
            prefix: "JZSG211403".into(),
        }
    }

    #[test]
    fn a_type_is_checked_field_by_field() {
        assert!(permit().check().is_ok());
        let mut k = permit();
        k.fields[1].max_len = 0;
        assert_eq!(k.check().unwrap_err().field, "fields[1].max_len");
        let mut k = permit();
        k.fields[2].key = "holder".into();
        assert_eq!(k.check().unwrap_err().field, "fields[2].key");
        let mut k = permit();
        k.prefix = "建施".into();
        assert_eq!(k.check().unwrap_err().field, "prefix");
        let mut k = permit();
        k.validity = Validity::Years(0);
        assert_eq!(k.check().unwrap_err().field, "validity");
        let mut k = permit();
        k.code = "JZ SG".into();
        assert_eq!(k.check().unwrap_err().field, "code");
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(
            Validity::Years(3).expires_on(d),
            NaiveDate::from_ymd_opt(2029, 3, 1)
        );
        assert_eq!(
            Validity::Months(6).expires_on(d),
            NaiveDate::from_ymd_opt(2026, 9, 1)
        );
        assert_eq!(Validity::Indefinite.expires_on(d), None);
        // Issued on 29 February: a common year's February ends on the 28th.
        let leap = NaiveDate::from_ymd_opt(2028, 2, 29).unwrap();
        assert_eq!(
            Validity::Years(1).expires_on(leap),
            NaiveDate::from_ymd_opt(2029, 2, 28)
        );
        let end = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            Validity::Months(1).expires_on(end),
            NaiveDate::from_ymd_opt(2026, 4, 30)
        );
        assert_eq!(number("JZSG211403", d, 123), "JZSG2114032026000123");
    }
}
