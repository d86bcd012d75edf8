//! The demo district's licence types (证照类型), each the result of one of its matters: the
//! construction permit (建筑工程施工许可证, three years) and the suspension of schooling's
//! 休学证明 (no end date). Written once: a second run finds them and leaves everything as it is.

use super::Report;
use chrono::Utc;
use onewindow_core::audit::Context;
use onewindow_core::licence::kind::{FieldSource, FieldSpec, NewLicenceKind, Validity};
use onewindow_store::{ScopeFilter, Store, StoreError};

fn field(key: &str, label: &str, source: FieldSource) -> FieldSpec {
    FieldSpec {
        key: key.into(),
        label: label.into(),
        source,
        form_key: None,
        required: true,
        max_len: 200,
    }
}

/// A demo licence type and the matter whose result it is.
struct Type {
    matter: &'static str,
    code: &'static str,
    name: &'static str,
    prefix: &'static str,
    validity: Validity,
    fields: Vec<FieldSpec>,
}

fn types() -> Vec<Type> {
    use FieldSource::*;
    // The holder (建设单位, 申请人) and its ID are printed on every licence; a type lists the rest.
    vec![
        Type {
            matter: "建筑工程施工许可证核发",
            code: "jzgcsgxkz",
            name: "建筑工程施工许可证",
            prefix: "JZSG211403",
            validity: Validity::Years(3),
            fields: vec![
                // The application does not always give one: printed when it does.
                FieldSpec {
                    required: false,
                    ..field("address", "建设地址", Address)
                },
                field("case", "办件编号", CaseNumber),
            ],
        },
        Type {
            matter: "义务教育阶段学生休学",
            code: "xxzm",
            name: "休学证明",
            prefix: "XX211403",
            validity: Validity::Indefinite,
            fields: vec![
                field("matter", "办理事项", Matter),
                field("case", "办件编号", CaseNumber),
            ],
        },
    ]
}

pub async fn seed(store: &dyn Store, ctx: &Context, report: &mut Report) -> Result<(), StoreError> {
    if !store.licence_kinds().await?.is_empty() {
        report.kept += 1;
        return Ok(());
    }
    let matters = store.matters(&ScopeFilter::all()).await?;
    let now = Utc::now();
    for t in types() {
        let Some(m) = matters.iter().find(|m| m.name == t.matter) else {
            continue;
        };
        let kind = store
            .create_licence_kind(
                ctx,
                NewLicenceKind {
                    code: t.code.into(),
                    name: t.name.into(),
                    department_id: m.department_id,
                    fields: t.fields,
                    validity: t.validity,
                    prefix: t.prefix.into(),
                },
                now,
            )
            .await?;
        store
            .set_matter_licence_kind(ctx, m.id, Some(kind.id), now)
            .await?;
        report.created += 2;
    }
    Ok(())
}
