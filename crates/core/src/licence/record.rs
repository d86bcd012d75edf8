//! A licence as issued: its number, holder, fields and dates, filled from the case by its type's
//! rules; its status through suspension, revocation and cancellation; and its canonical data, the
//! bytes the department's seal signs.

use super::kind::{FieldSource, LicenceKind};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

vocabulary!(
    /// Who holds a licence.
    HolderKind {
        Person = ("person", "自然人", "person"),
        Enterprise = ("enterprise", "法人", "legal person"),
    }
);

vocabulary!(
    /// A licence's standing as its department set it. Expiry is not a state: it follows from the
    /// date (see [`Licence::standing`]).
    #[schema(as = LicenceStatus)]
    Status {
        Valid = ("valid", "有效", "valid"),
        /// 暂扣: set aside for a while, restorable.
        Suspended = ("suspended", "暂扣", "suspended"),
        /// 吊销/撤销: withdrawn for a cause.
        Revoked = ("revoked", "吊销", "revoked"),
        /// 注销: ended at the holder's request or because the activity ended.
        Cancelled = ("cancelled", "注销", "cancelled"),
    }
);

vocabulary!(
    /// What a reader is told about a licence today.
    #[schema(as = LicenceStanding)]
    Standing {
        Valid = ("valid", "有效", "valid"),
        Expired = ("expired", "已过期", "expired"),
        Suspended = ("suspended", "暂扣", "suspended"),
        Revoked = ("revoked", "已吊销", "revoked"),
        Cancelled = ("cancelled", "已注销", "cancelled"),
    }
);

vocabulary!(
    /// What a department may do to a licence it issued.
    StatusAction {
        Suspend = ("suspend", "暂扣", "suspend"),
        Restore = ("restore", "恢复", "restore"),
        Revoke = ("revoke", "吊销", "revoke"),
        Cancel = ("cancel", "注销", "cancel"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Holder {
    pub kind: HolderKind,
    /// The ID number (GB 11643) or unified social credit code (GB 32100).
    pub id_number: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LicenceField {
    pub key: String,
    pub label: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Licence {
    pub id: i64,
    pub number: String,
    pub kind_id: i64,
    pub kind_name: String,
    pub department_id: i64,
    pub department_name: String,
    pub holder: Holder,
    pub fields: Vec<LicenceField>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    /// The case whose decision issued it (none for an imported paper licence).
    pub case_id: Option<i64>,
    pub status: Status,
    /// Why it was last suspended, revoked or cancelled.
    pub status_reason: Option<String>,
    /// The seal's key that signed it.
    pub key_id: String,
    /// The code of the verify page (`/verify/{code}`), unguessable.
    pub verify_code: String,
    pub version: i64,
}

impl Licence {
    pub fn standing(&self, today: NaiveDate) -> Standing {
        match self.status {
            Status::Suspended => Standing::Suspended,
            Status::Revoked => Standing::Revoked,
            Status::Cancelled => Standing::Cancelled,
            Status::Valid if self.expires_on.is_some_and(|e| today > e) => Standing::Expired,
            Status::Valid => Standing::Valid,
        }
    }

    /// The data the seal signs: every printed fact in a fixed order.
    pub fn signed_data(&self) -> SignedData {
        SignedData {
            v: 1,
            number: self.number.clone(),
            kind: self.kind_name.clone(),
            issuer: self.department_name.clone(),
            holder_kind: self.holder.kind.code().to_string(),
            holder_id: self.holder.id_number.clone(),
            holder_name: self.holder.name.clone(),
            fields: self
                .fields
                .iter()
                .map(|f| [f.key.clone(), f.label.clone(), f.value.clone()])
                .collect(),
            issued_on: self.issued_on,
            expires_on: self.expires_on,
            verify_code: self.verify_code.clone(),
            key_id: self.key_id.clone(),
        }
    }

    /// The bytes the seal signs: [`SignedData`] as compact JSON. They are embedded in the
    /// document, so a licence is checked whatever the file around it.
    pub fn canonical(&self) -> Vec<u8> {
        self.signed_data().to_bytes()
    }
}

/// A licence's signed facts, as embedded in its document and read back by an offline verifier.
/// The field order is the signed form's: never reorder, only add under a new `v`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedData {
    pub v: u8,
    pub number: String,
    pub kind: String,
    pub issuer: String,
    pub holder_kind: String,
    pub holder_id: String,
    pub holder_name: String,
    /// key, label, value.
    pub fields: Vec<[String; 3]>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub verify_code: String,
    pub key_id: String,
}

impl SignedData {
    pub fn to_bytes(&self) -> Vec<u8> {
        // A struct of strings and dates always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<SignedData> {
        serde_json::from_slice(bytes).ok()
    }
}

/// What a case knows when its decision issues a licence.
#[derive(Clone, Debug, Default)]
pub struct CaseFacts {
    pub holder_name: String,
    pub holder_id: String,
    pub address: String,
    pub matter: String,
    pub case_number: String,
    /// What the approver wrote on concluding, by field key (经营项目, 建设规模 …).
    pub entered: BTreeMap<String, String>,
}

/// The licence's fields from the case, by the type's rules: each required one present, none
/// longer than its limit, nothing entered that the type does not print. Every problem is named
/// by the field's label.
pub fn fill(kind: &LicenceKind, facts: &CaseFacts) -> Result<Vec<LicenceField>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for key in facts.entered.keys() {
        let written_here = kind
            .fields
            .iter()
            .any(|f| &f.key == key && f.source == FieldSource::Entered);
        if !written_here {
            errors.push(FieldError::new(
                format!("licence.{key}"),
                Text::new(
                    format!("{}没有办结时填写的“{key}”一项", kind.name),
                    format!("{} has no field {key} entered on concluding", kind.name),
                ),
            ));
        }
    }
    for f in &kind.fields {
        let value = match f.source {
            FieldSource::Holder => facts.holder_name.clone(),
            FieldSource::HolderId => facts.holder_id.clone(),
            FieldSource::Address => facts.address.clone(),
            FieldSource::Matter => facts.matter.clone(),
            FieldSource::CaseNumber => facts.case_number.clone(),
            FieldSource::Entered => facts.entered.get(&f.key).cloned().unwrap_or_default(),
        };
        let value = value.trim().to_string();
        let at = format!("licence.{}", f.key);
        if value.is_empty() && f.required {
            errors.push(FieldError::new(
                at,
                Text::new(
                    format!("证照的“{}”不能为空", f.label),
                    format!("the licence's {} is required", f.label),
                ),
            ));
        } else if value.chars().count() > f.max_len {
            errors.push(FieldError::new(
                at,
                Text::new(
                    format!("证照的“{}”最多{}个字", f.label, f.max_len),
                    format!(
                        "the licence's {} is at most {} characters",
                        f.label, f.max_len
                    ),
                ),
            ));
        } else {
            out.push(LicenceField {
                key: f.key.clone(),
                label: f.label.clone(),
                value,
            });
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Where an action takes a licence in this status, if it may: a revoked or cancelled licence
/// stays so.
pub fn next(current: Status, action: StatusAction) -> Option<Status> {
    match (current, action) {
        (Status::Valid, StatusAction::Suspend) => Some(Status::Suspended),
        (Status::Suspended, StatusAction::Restore) => Some(Status::Valid),
        (Status::Valid | Status::Suspended, StatusAction::Revoke) => Some(Status::Revoked),
        (Status::Valid | Status::Suspended, StatusAction::Cancel) => Some(Status::Cancelled),
        _ => None,
    }
}

/// A status change by the issuing department: the new status, or why not. A reason is always
/// required.
pub fn act(current: Status, action: StatusAction, reason: &str) -> Result<Status, FieldError> {
    if reason.trim().is_empty() {
        return Err(FieldError::new(
            "reason",
            Text::fixed("请写明原因", "a reason is required"),
        ));
    }
    next(current, action).ok_or_else(|| {
        FieldError::new(
            "action",
            Text::new(
                format!("证照{}，不能{}", current.name().zh, action.name().zh),
                format!(
                    "the licence is {}; it cannot be {}d",
                    current.name().en,
                    action.name().en
                ),
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::kind::{FieldSpec, Validity};
    use super::*;

    fn kind() -> LicenceKind {
        LicenceKind {
            id: 1,
            code: "spjy".into(),
            name: "食品经营许可证".into(),
            department_id: 2,
            fields: vec![
                FieldSpec {
                    key: "operator".into(),
                    label: "经营者名称".into(),
                    source: FieldSource::Holder,
                    required: true,
                    max_len: 10,
                },
                FieldSpec {
                    key: "premises".into(),
                    label: "经营场所".into(),
                    source: FieldSource::Address,
                    required: true,
                    max_len: 100,
                },
                FieldSpec {
                    key: "scope".into(),
                    label: "经营项目".into(),
                    source: FieldSource::Entered,
                    required: false,
                    max_len: 100,
                },
            ],
            validity: Validity::Years(5),
            prefix: "JY221140".into(),
            active: true,
            version: 1,
        }
    }

    pub fn licence() -> Licence {
        Licence {
            id: 7,
            number: "JY2211402026000001".into(),
            kind_id: 1,
            kind_name: "食品经营许可证".into(),
            department_id: 2,
            department_name: "龙港区市场监督管理局".into(),
            holder: Holder {
                kind: HolderKind::Enterprise,
                id_number: "91211403MA0000001X".into(),
                name: "龙港鲜味餐饮有限公司".into(),
            },
            fields: vec![LicenceField {
                key: "premises".into(),
                label: "经营场所".into(),
                value: "龙港区滨海路1号".into(),
            }],
            issued_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
            expires_on: NaiveDate::from_ymd_opt(2031, 3, 1),
            case_id: Some(9),
            status: Status::Valid,
            status_reason: None,
            key_id: "k1".into(),
            verify_code: "abc".into(),
            version: 1,
        }
    }

    #[test]
    fn fields_come_from_the_case_and_each_problem_names_its_label() {
        let mut facts = CaseFacts {
            holder_name: "龙港鲜味餐饮有限责任公司".into(),
            ..CaseFacts::default()
        };
        facts.entered.insert("operator".into(), "x".into());
        let errs = fill(&kind(), &facts).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["licence.operator", "licence.operator", "licence.premises"],
            "the holder's name is not written by hand, and two fields are wrong"
        );
        assert!(
            errs[0].reason.zh.contains("没有办结时填写"),
            "{:?}",
            errs[0]
        );
        assert!(errs[1].reason.zh.contains("最多10个字"), "{:?}", errs[1]);
        assert!(errs[2].reason.zh.contains("经营场所"));
        facts.entered.clear();
        facts.holder_name = "鲜味餐饮".into();
        facts.address = " 龙港区滨海路1号 ".into();
        let got = fill(&kind(), &facts).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].value, "龙港区滨海路1号");
        assert_eq!(got[2].value, "", "an optional field left empty");
        facts
            .entered
            .insert("scope".into(), " 热食类食品制售 ".into());
        assert_eq!(fill(&kind(), &facts).unwrap()[2].value, "热食类食品制售");
    }

    #[test]
    fn the_standing_follows_the_status_and_the_date() {
        let mut l = licence();
        let last = NaiveDate::from_ymd_opt(2031, 3, 1).unwrap();
        assert_eq!(l.standing(last), Standing::Valid);
        assert_eq!(l.standing(last.succ_opt().unwrap()), Standing::Expired);
        l.status = Status::Revoked;
        assert_eq!(l.standing(last), Standing::Revoked);
    }

    #[test]
    fn a_status_changes_only_forward_and_with_a_reason() {
        use StatusAction::*;
        assert_eq!(
            act(Status::Valid, Suspend, "整改期间").unwrap(),
            Status::Suspended
        );
        assert_eq!(
            act(Status::Suspended, Restore, "整改完成").unwrap(),
            Status::Valid
        );
        assert_eq!(
            act(Status::Suspended, Revoke, "拒不整改").unwrap(),
            Status::Revoked
        );
        assert_eq!(
            act(Status::Valid, Cancel, "申请注销").unwrap(),
            Status::Cancelled
        );
        assert_eq!(act(Status::Valid, Revoke, " ").unwrap_err().field, "reason");
        let e = act(Status::Revoked, Restore, "误操作").unwrap_err();
        assert_eq!(e.field, "action");
        assert_eq!(e.reason.zh, "证照吊销，不能恢复");
    }

    #[test]
    fn the_canonical_data_changes_with_any_printed_fact() {
        let l = licence();
        let base = l.canonical();
        assert_eq!(
            base,
            licence().canonical(),
            "the same licence, the same bytes"
        );
        let mut m = licence();
        m.fields[0].value = "龙港区滨海路2号".into();
        assert_ne!(m.canonical(), base);
        let mut m = licence();
        m.expires_on = None;
        assert_ne!(m.canonical(), base);
        let mut m = licence();
        m.status = Status::Revoked;
        assert_eq!(
            m.canonical(),
            base,
            "the status is not printed: it is asked online"
        );
    }
}
