//! The licence types' pages (证照类型), for those who write a department's guides: the list,
//! a new type and a type's edit, its fields one per line as in the catalog sheet
//! (`键|名称|来源|必填|长度`), and the matters whose result it is. The seal keys are the
//! department's (on its page, `admin.rs`).

use super::widgets::{crumb, fact, form, input, row};
use super::{FormData, PageCtx, PageForm, render, saved};
use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::tr;
use crate::service::licences::kinds::{self, KindEdit};
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use minijinja::{Value, context};
use onewindow_core::access::Permission;
use onewindow_core::licence::LicenceKind;
use onewindow_core::licence::kind::{FieldSource, FieldSpec, NewLicenceKind, Validity};
use onewindow_core::{FieldError, Lang, Text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/licence-kinds", get(list).post(create))
        .route("/admin/licence-kinds/{id}", get(edit).post(update))
        .route("/admin/licence-kinds/{id}/active", post(set_active))
}

/// A type's fields one per line, as the form shows them.
fn fields_text(fields: &[FieldSpec]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{}|{}|{}|{}|{}",
                f.key,
                f.label,
                f.source.name().zh,
                if f.required { "必填" } else { "选填" },
                f.max_len
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn line_problem(line: usize, zh: &str, en: &str) -> FieldError {
    FieldError::new(
        "fields",
        Text::new(format!("第{line}行：{zh}"), format!("line {line}: {en}")),
    )
}

/// The fields as typed, one per line: `键|名称|来源|必填或选填|长度`, the last two may be left
/// out (必填, 200). A source is named as the form lists it (持证人, 办结时填写 …) or by its code.
fn parse_fields(text: &str) -> Result<Vec<FieldSpec>, FieldError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        if parts.len() < 3 {
            return Err(line_problem(
                line_no,
                "每行写“键|名称|来源”，可再写“|必填或选填|长度”",
                "write key|label|source, optionally |required|length",
            ));
        }
        let source = FieldSource::ALL
            .iter()
            .copied()
            .find(|s| s.name().zh == parts[2] || s.code() == parts[2])
            .ok_or_else(|| {
                let names: Vec<String> = FieldSource::ALL
                    .iter()
                    .map(|s| s.name().zh.to_string())
                    .collect();
                line_problem(
                    line_no,
                    &format!("来源“{}”应为：{}", parts[2], names.join("、")),
                    &format!("unknown source '{}'", parts[2]),
                )
            })?;
        let required = match parts.get(3).copied().unwrap_or("必填") {
            "" | "必填" | "是" => true,
            "选填" | "否" => false,
            other => {
                return Err(line_problem(
                    line_no,
                    &format!("“{other}”应为“必填”或“选填”"),
                    &format!("'{other}' is neither 必填 nor 选填"),
                ));
            }
        };
        let max_len = match parts.get(4).copied().filter(|s| !s.is_empty()) {
            None => 200,
            Some(n) => n.parse::<usize>().map_err(|_| {
                line_problem(
                    line_no,
                    &format!("长度“{n}”不是整数"),
                    &format!("length '{n}' is not a number"),
                )
            })?,
        };
        out.push(FieldSpec {
            key: parts[0].to_string(),
            label: parts[1].to_string(),
            source,
            required,
            max_len,
        });
    }
    Ok(out)
}

/// A type as the form posts it, checked here so that every problem is named by the form's own
/// field (a field's line, not `fields[2].label`).
fn kind_from(f: &FormData) -> AppResult<NewLicenceKind> {
    let count = f.opt_int("validity_count")?.unwrap_or(0);
    let count = u32::try_from(count).map_err(|_| {
        AppError::from(FieldError::new(
            "validity_count",
            Text::fixed("有效期应大于零", "the validity must be more than zero"),
        ))
    })?;
    let validity = match f.text("validity_kind").as_str() {
        "years" => Validity::Years(count),
        "months" => Validity::Months(count),
        _ => Validity::Indefinite,
    };
    let fields = parse_fields(&f.raw("fields"))?;
    let k = NewLicenceKind {
        code: f.text("code"),
        name: f.text("name"),
        department_id: f.int("department_id")?,
        fields,
        validity,
        prefix: f.text("prefix"),
    };
    k.check().map_err(|e| {
        // `fields[2].label` → the form's line 3.
        let line = e
            .field
            .strip_prefix("fields[")
            .and_then(|r| r.split(']').next())
            .and_then(|n| n.parse::<usize>().ok());
        let err = match (line, e.field.as_str()) {
            (Some(i), _) => FieldError::new(
                "fields",
                Text::new(
                    format!("第{}行：{}", i + 1, e.reason.zh),
                    format!("line {}: {}", i + 1, e.reason.en),
                ),
            ),
            (None, "validity") => FieldError::new("validity_count", e.reason),
            _ => e,
        };
        AppError::from(err)
    })
}

/// The departments whose guides the reader writes, for the form's select: those of the
/// reader's scope, for a writer of guides (the service checks each write again).
async fn writable_departments(state: &AppState, auth: &Auth) -> AppResult<Vec<(i64, String)>> {
    if !auth.actor.has(Permission::CatalogWrite) {
        return Ok(Vec::new());
    }
    super::widgets::scoped_departments(state, auth).await
}

/// The form's fields for a type, filled with `k` when editing.
fn kind_fields(k: Option<&LicenceKind>, departments: Vec<(i64, String)>, lang: Lang) -> Vec<Value> {
    let l = |key: &str| tr(key, lang);
    let (kind, count) = match k.map(|k| k.validity) {
        Some(Validity::Years(y)) => ("years", y.to_string()),
        Some(Validity::Months(m)) => ("months", m.to_string()),
        _ => ("indefinite", String::new()),
    };
    let validity_options: Vec<Value> = [
        ("indefinite", "lic.kind_indefinite"),
        ("years", "lic.kind_years"),
        ("months", "lic.kind_months"),
    ]
    .iter()
    .map(|&(v, label)| context! { value => v, label => l(label), selected => v == kind })
    .collect();
    let sources: Vec<String> = FieldSource::ALL
        .iter()
        .map(|s| s.name().zh.to_string())
        .collect();
    let mut fields = vec![
        input(
            "name",
            l("lic.kind"),
            "text",
            k.map(|k| k.name.clone()).unwrap_or_default(),
            true,
        ),
        input(
            "code",
            l("lic.kind_code"),
            "text",
            k.map(|k| k.code.clone()).unwrap_or_default(),
            true,
        ),
        super::widgets::select(
            "department_id",
            l("lic.department"),
            departments,
            k.map(|k| k.department_id),
            true,
        ),
        input(
            "prefix",
            l("lic.kind_prefix"),
            "text",
            k.map(|k| k.prefix.clone()).unwrap_or_default(),
            true,
        ),
        context! { name => "validity_kind", label => l("lic.kind_validity"), kind => "select", options => validity_options, required => true },
        input(
            "validity_count",
            l("lic.kind_validity_count"),
            "number",
            count,
            false,
        ),
        context! {
            name => "fields", label => l("lic.kind_fields"), kind => "textarea", rows => 6, required => true,
            value => k.map(|k| fields_text(&k.fields)).unwrap_or_default(),
            help => match lang {
                Lang::Zh => format!("每行一项：键|名称|来源|必填或选填|长度，例如 items|经营项目|办结时填写|必填|200。来源：{}。持证人名称和证件号码总会印在证照上，无需列出。", sources.join("、")),
                Lang::En => format!("One per line: key|label|source|必填 or 选填|length, e.g. items|经营项目|办结时填写|必填|200. Sources: {}.", sources.join(", ")),
            },
        },
    ];
    if let Some(k) = k {
        fields.insert(
            0,
            input("version", String::new(), "hidden", k.version, false),
        );
    }
    fields
}

async fn list(State(state): State<AppState>, page: PageCtx, auth: Auth) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let all = kinds::list(&state, &auth).await?;
    let (names, _) = super::widgets::departments(&state).await?;
    let uses = state.store.matter_licence_kinds().await?;
    let rows: Vec<Value> = all
        .iter()
        .map(|k| {
            row(
                Some(format!("/admin/licence-kinds/{}", k.id)),
                vec![
                    k.name.clone(),
                    k.code.clone(),
                    names.get(&k.department_id).cloned().unwrap_or_default(),
                    k.validity.describe().get(lang).to_string(),
                    k.prefix.clone(),
                    uses.iter()
                        .filter(|(_, kind)| *kind == k.id)
                        .count()
                        .to_string(),
                    tr(
                        if k.active {
                            "state.active"
                        } else {
                            "state.inactive"
                        },
                        lang,
                    ),
                ],
                k.active,
            )
        })
        .collect();
    let departments = writable_departments(&state, &auth).await?;
    let create = (!departments.is_empty()).then(|| {
        form(
            "kind-form",
            tr("lic.kind_new", lang),
            "/admin/licence-kinds".into(),
            tr("form.create", lang),
            kind_fields(None, departments, lang),
        )
    });
    let columns = [
        "lic.kind",
        "lic.kind_code",
        "lic.department",
        "lic.kind_validity",
        "lic.kind_prefix",
        "lic.kind_matters",
        "field.state",
    ]
    .map(|k| tr(k, lang));
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "list.html",
        &tr("nav.licence_kinds", lang),
        context! { columns => columns, rows => rows, form => create, intro => tr("lic.kinds_intro", lang) },
    ))
}

async fn create(State(state): State<AppState>, f: PageForm) -> AppResult<Response> {
    let auth = f.signed_in()?;
    let k = kinds::create(&state, auth, kind_from(&f.data)?).await?;
    Ok(saved(&format!("/admin/licence-kinds/{}", k.id)))
}

async fn edit(
    State(state): State<AppState>,
    page: PageCtx,
    auth: Auth,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let lang = page.lang(Some(&auth));
    let k = current(&state, &auth, id).await?;
    let (names, _) = super::widgets::departments(&state).await?;
    let departments = writable_departments(&state, &auth).await?;
    let may_edit = departments.iter().any(|(d, _)| *d == k.department_id);
    // The matters whose result it is, by name: the links as the list counts them (the
    // catalog's `licence_results` holds active types only, and a retired type keeps its
    // matters until they are given another).
    let linked: std::collections::HashSet<i64> = state
        .store
        .matter_licence_kinds()
        .await?
        .into_iter()
        .filter_map(|(matter, kind)| (kind == id).then_some(matter))
        .collect();
    let view = crate::service::catalog::view(&state).await?;
    let matters: Vec<Value> = view
        .guides
        .iter()
        .filter(|g| linked.contains(&g.matter_id))
        .map(|g| {
            row(
                Some(format!("/guide/{}", g.code)),
                vec![g.guide.name.clone(), g.code.clone()],
                true,
            )
        })
        .collect();
    let base = format!("/admin/licence-kinds/{id}");
    let extras = vec![context! {
        title => tr("lic.kind_matters_title", lang),
        columns => vec![tr("field.name", lang), tr("lic.kind_matter_code", lang)],
        rows => matters,
    }];
    Ok(render(
        &state,
        &page,
        Some(&auth),
        "edit.html",
        &k.name,
        context! {
            crumbs => vec![crumb("/admin/licence-kinds", tr("nav.licence_kinds", lang))],
            active => k.active, version => k.version,
            facts => vec![
                fact(tr("lic.kind_code", lang), k.code.clone()),
                fact(tr("lic.department", lang), names.get(&k.department_id).cloned().unwrap_or_default()),
                fact(tr("lic.kind_validity", lang), k.validity.describe().get(lang).to_string()),
                fact(tr("lic.kind_number_example", lang), onewindow_core::licence::kind::number(&k.prefix, onewindow_core::time::local_date(crate::service::cases::now()), 1)),
            ],
            form => may_edit.then(|| form("edit-form", tr("form.edit", lang), base.clone(), tr("form.save", lang), kind_fields(Some(&k), departments.clone(), lang))),
            extras => extras,
            activation => may_edit.then(|| context! {
                action => format!("{base}/active"),
                label => tr(if k.active { "lic.kind_retire" } else { "form.activate" }, lang),
                confirm => if k.active { tr("lic.kind_retire_confirm", lang) } else { String::new() },
            }),
            trail_href => format!("/audit?target_type=licence_kind&target_id={id}"),
        },
    ))
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    save(&state, &f, id, |k| Ok((kind_from(&f.data)?, k.active))).await
}

/// Writes type `id` under the version the form carries, its columns and standing as `change`
/// makes them from the type as it is (which the reader must be able to see).
async fn save(
    state: &AppState,
    f: &PageForm,
    id: i64,
    change: impl FnOnce(LicenceKind) -> AppResult<(NewLicenceKind, bool)>,
) -> AppResult<Response> {
    let auth = f.signed_in()?;
    // The reader's right to the type first, then what the form asks.
    let (kind, active) = change(current(state, auth, id).await?)?;
    kinds::update(
        state,
        auth,
        id,
        KindEdit {
            version: f.data.int("version")?,
            kind,
            active,
        },
    )
    .await?;
    Ok(saved(&format!("/admin/licence-kinds/{id}")))
}

async fn current(state: &AppState, auth: &Auth, id: i64) -> AppResult<LicenceKind> {
    kinds::list(state, auth)
        .await?
        .into_iter()
        .find(|k| k.id == id)
        .ok_or_else(|| AppError::not_found(Text::fixed("证照类型", "licence type")))
}

/// Retires a type (it issues nothing more; its licences stay) or takes it back into use.
async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    f: PageForm,
) -> AppResult<Response> {
    save(&state, &f, id, |k| {
        Ok((NewLicenceKind::from(k), f.data.flag("active")))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_as_written_and_a_bad_line_is_named() {
        let text = "address|经营场所|地址|选填|100\nitems|经营项目|办结时填写";
        let fields = parse_fields(text).unwrap();
        assert_eq!(fields.len(), 2);
        assert!(!fields[0].required);
        assert_eq!(fields[1].source, FieldSource::Entered);
        assert_eq!((fields[1].required, fields[1].max_len), (true, 200));
        assert_eq!(parse_fields(&fields_text(&fields)).unwrap(), fields);
        let e = parse_fields("a|甲|持证人\nb|乙|申请表").unwrap_err();
        assert_eq!(e.field, "fields");
        assert!(e.reason.zh.starts_with("第2行："), "{}", e.reason.zh);
        assert!(
            parse_fields("a|甲")
                .unwrap_err()
                .reason
                .zh
                .contains("第1行")
        );
        assert!(parse_fields("a|甲|地址|可能").is_err());
        assert!(parse_fields("a|甲|地址|必填|长").is_err());
    }
}
