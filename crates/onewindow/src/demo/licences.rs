//! The demo district's licence types (证照类型), each the result of some of its matters: the
//! construction permit (建筑工程施工许可证, three years), the food business licence
//! (食品经营许可证, five years), the business licence (营业执照), the real
//! estate certificate (不动产权证书) and the suspension of schooling's 休学证明; and the licences
//! its generated history issued. A second run keeps what is there.

use super::Report;
use chrono::Utc;
use onewindow_core::audit::Context;
use onewindow_core::case::{CaseState, Decision};
use onewindow_core::licence::kind::{FieldSource, FieldSpec, NewLicenceKind, Validity};
use onewindow_core::licence::seal::hex;
use onewindow_core::licence::{Licence, LicenceKind};
use onewindow_store::{CaseFilter, LicenceFilter, ScopeFilter, Store, StoreError};
use onewindow_web::service::licences::{DEMO_KEY, SealStore, keyring_key, new_licence};
use std::collections::BTreeMap;

fn field(key: &str, label: &str, source: FieldSource) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        source,
        required: true,
        max_len: 200,
    }
}

/// A demo licence type and the matters whose result it is.
struct Type {
    matters: &'static [&'static str],
    code: &'static str,
    name: &'static str,
    prefix: &'static str,
    validity: Validity,
    fields: Vec<FieldSpec>,
    /// What the approver writes on concluding (key, label, and what the history's approvers
    /// wrote, one taken by the case's id). Optional in the demo, so that a walk through a case
    /// need not write them; a real type makes them required where the licence needs them.
    entered: &'static [Entered],
}

type Entered = (&'static str, &'static str, &'static [&'static str]);

impl Type {
    fn spec(&self) -> Vec<FieldSpec> {
        let mut out = self.fields.clone();
        out.extend(
            self.entered
                .iter()
                .map(|(key, label, _)| optional(field(key, label, FieldSource::Entered))),
        );
        out
    }
}

/// What the history's approver wrote for a case's licence of the type `code`.
fn written(code: &str, case_id: i64) -> BTreeMap<String, String> {
    let Some(t) = types().into_iter().find(|t| t.code == code) else {
        return BTreeMap::new();
    };
    t.entered
        .iter()
        .filter_map(|(key, _, values)| {
            let n = values.len();
            let v = values.get(usize::try_from(case_id).unwrap_or(0) % n.max(1))?;
            Some((key.to_string(), v.to_string()))
        })
        .collect()
}

fn optional(f: FieldSpec) -> FieldSpec {
    FieldSpec {
        required: false,
        ..f
    }
}

fn types() -> Vec<Type> {
    use FieldSource::*;
    // The holder (建设单位, 申请人) and its ID are printed on every licence; a type lists the rest.
    // An address is printed when the application gives one (not every demo case does).
    vec![
        Type {
            matters: &["建筑工程施工许可证核发"],
            code: "jzgcsgxkz",
            name: "建筑工程施工许可证",
            prefix: "JZSG211403",
            validity: Validity::Years(3),
            fields: vec![
                optional(field("address", "建设地址", Address)),
                field("case", "办件编号", CaseNumber),
            ],
            entered: &[(
                "scale",
                "建设规模",
                &[
                    "框架结构，地上6层，建筑面积12,600平方米",
                    "钢结构厂房，单层，建筑面积8,400平方米",
                    "剪力墙结构，地上18层、地下1层，建筑面积21,300平方米",
                ],
            )],
        },
        Type {
            matters: &["义务教育阶段学生休学"],
            code: "xxzm",
            name: "休学证明",
            prefix: "XX211403",
            validity: Validity::Indefinite,
            fields: vec![
                field("matter", "办理事项", Matter),
                field("case", "办件编号", CaseNumber),
            ],
            entered: &[(
                "term",
                "休学期限",
                &["一学年", "一学期", "2026年秋季学期至2027年春季学期"],
            )],
        },
        Type {
            matters: &[
                "食品经营许可",
                "食品经营许可（变更）",
                "食品经营许可（延续）",
            ],
            code: "spjyxkz",
            name: "食品经营许可证",
            prefix: "JY1211403",
            validity: Validity::Years(5),
            fields: vec![
                optional(field("address", "经营场所", Address)),
                field("case", "办件编号", CaseNumber),
            ],
            entered: &[(
                "items",
                "经营项目",
                &[
                    "预包装食品（含冷藏冷冻食品）销售，散装食品销售",
                    "热食类食品制售，冷食类食品制售",
                    "预包装食品销售，自制饮品制售",
                ],
            )],
        },
        Type {
            matters: &["企业设立登记"],
            code: "yyzz",
            name: "营业执照",
            prefix: "YYZZ211403",
            validity: Validity::Indefinite,
            fields: vec![
                optional(field("address", "住所", Address)),
                field("matter", "登记事项", Matter),
            ],
            entered: &[(
                "scope",
                "经营范围",
                &[
                    "餐饮服务；食品销售；日用百货销售",
                    "软件开发；信息技术咨询服务",
                    "建筑材料销售；五金产品零售",
                ],
            )],
        },
        Type {
            matters: &["国有建设用地使用权首次登记"],
            code: "bdcqzs",
            name: "不动产权证书",
            prefix: "BDC211403",
            validity: Validity::Indefinite,
            fields: vec![
                optional(field("address", "坐落", Address)),
                field("matter", "登记类型", Matter),
                field("case", "业务号", CaseNumber),
            ],
            entered: &[(
                "area",
                "面积",
                &[
                    "宗地面积3,200平方米",
                    "宗地面积15,860平方米",
                    "宗地面积6,045平方米",
                ],
            )],
        },
    ]
}

/// The types a demo district issues, each named by the matters whose result it is; a type
/// already there (by its code) is kept as it is.
pub async fn seed(store: &dyn Store, ctx: &Context, report: &mut Report) -> Result<(), StoreError> {
    let have = store.licence_kinds().await?;
    let matters = store.matters(&ScopeFilter::all()).await?;
    let now = Utc::now();
    for t in types() {
        if have.iter().any(|k| k.code == t.code) {
            report.kept += 1;
            continue;
        }
        let mine: Vec<_> = matters
            .iter()
            .filter(|m| t.matters.contains(&m.name.as_str()))
            .collect();
        let Some(first) = mine.first() else {
            continue;
        };
        let kind = store
            .create_licence_kind(
                ctx,
                NewLicenceKind {
                    code: t.code.into(),
                    name: t.name.into(),
                    department_id: first.department_id,
                    fields: t.spec(),
                    validity: t.validity,
                    prefix: t.prefix.into(),
                },
                now,
            )
            .await?;
        report.created += 1;
        for m in mine {
            store
                .set_matter_licence_kind(ctx, m.id, Some(kind.id), now)
                .await?;
            report.created += 1;
        }
    }
    Ok(())
}

/// The matters whose approving decision issues a licence, with the type.
pub async fn licensed_matters(store: &dyn Store) -> Result<Vec<(i64, LicenceKind)>, StoreError> {
    let kinds = store.licence_kinds().await?;
    Ok(store
        .matter_licence_kinds()
        .await?
        .into_iter()
        .filter_map(|(matter, kind)| {
            let k = kinds.iter().find(|k| k.id == kind && k.active)?;
            Some((matter, k.clone()))
        })
        .collect())
}

/// The licences the generated history's approving conclusions issued, on the day each case
/// concluded, sealed with the demo's keys; a case that already has its licence is skipped, so
/// a second run issues only for the new cases. Returns how many were issued.
pub async fn issue_history(store: &dyn Store) -> Result<usize, String> {
    let seal = SealStore::new(DEMO_KEY).map_err(|e| e.to_string())?;
    let ctx = Context::system("demo-licences");
    let mut issued = 0;
    // The cases that have their licence already (a second run issues only for new ones).
    let have: std::collections::HashSet<i64> = store
        .licences(&LicenceFilter {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|l| l.case_id)
        .collect();
    for (matter_id, kind) in licensed_matters(store).await.map_err(|e| e.to_string())? {
        let mut cases = store
            .cases(&CaseFilter {
                matter_id: Some(matter_id),
                states: vec![CaseState::Concluded, CaseState::Delivered],
                limit: 100_000,
                ..Default::default()
            })
            .await
            .map_err(|e| e.to_string())?;
        // Numbered in the order they were issued.
        cases.sort_by_key(|c| (c.concluded_on, c.id));
        let key = keyring_key(store, &seal, kind.department_id)
            .await
            .map_err(|e| format!("{:?}", e.message))?;
        let sign = |l: &Licence| hex(&key.sign(&l.canonical()));
        for c in cases {
            if c.decision == Some(Decision::Deny) || have.contains(&c.id) {
                continue;
            }
            let on = c
                .concluded_on
                .unwrap_or_else(|| c.submitted_at.date_naive());
            // A case the type's rules cannot fill (a field its application lacks) issues none.
            let Ok(l) = new_licence(&kind, &c, written(&kind.code, c.id), &key.id, on) else {
                continue;
            };
            let at = on
                .and_hms_opt(8, 0, 0)
                .map_or_else(Utc::now, |t| t.and_utc());
            store
                .issue_licence(&ctx, l, &sign, at)
                .await
                .map_err(|e| e.to_string())?;
            issued += 1;
        }
    }
    Ok(issued)
}
