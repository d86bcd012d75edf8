//! Small building blocks of form and list pages, shared by every page module.

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use minijinja::{Value, context};
use onewindow_core::{Lang, Text};
use onewindow_store::ScopeFilter;
use std::collections::HashMap;

/// An import form's upload (multipart, the CSRF token a field of its own): the file, within the
/// import limit, and whether only the good rows are to be loaded (`partial`).
pub(super) async fn import_upload(
    state: &AppState,
    auth: &crate::auth::Auth,
    headers: &axum::http::HeaderMap,
    mut mp: axum::extract::Multipart,
) -> AppResult<(Vec<u8>, bool)> {
    crate::auth::check_origin(headers)?;
    let (mut token, mut file, mut partial) = (String::new(), Vec::new(), false);
    while let Some(field) = mp.next_field().await.map_err(|_| {
        AppError::bad_request(
            "file",
            Text::fixed("上传内容无法读取", "the upload could not be read"),
        )
    })? {
        match field.name() {
            Some(crate::auth::CSRF_FIELD) => token = field.text().await.unwrap_or_default(),
            Some("partial") => {
                partial = matches!(
                    field.text().await.unwrap_or_default().as_str(),
                    "1" | "on" | "true"
                )
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(|_| AppError::too_large())?;
                if bytes.len() > state.config.import_limit {
                    return Err(AppError::too_large());
                }
                file = bytes.to_vec();
            }
            _ => {}
        }
    }
    if !crate::auth::same(&token, &auth.session.csrf_token) {
        return Err(crate::auth::csrf_refused());
    }
    Ok((file, partial))
}

/// A posted `action` the page does not know.
pub(super) fn unknown_action() -> AppError {
    AppError::bad_request("action", Text::fixed("未知的操作", "unknown action"))
}

/// A vocabulary's codes and names, for a select.
pub(super) fn vocab<T: Copy>(
    all: &[T],
    lang: Lang,
    code: fn(T) -> &'static str,
    name: fn(T) -> Text,
) -> Vec<Value> {
    all.iter()
        .map(|&x| context! { code => code(x), name => name(x).get(lang).to_string() })
        .collect()
}

/// Department names by id, and the active ones for the forms.
pub(super) async fn departments(state: &AppState) -> AppResult<(HashMap<i64, String>, Vec<Value>)> {
    let all = state.store.departments(&ScopeFilter::all()).await?;
    let names = all.iter().map(|d| (d.id, d.name.clone())).collect();
    let list = all
        .iter()
        .filter(|d| d.active)
        .map(|d| context! { id => d.id, name => d.name.clone() })
        .collect();
    Ok((names, list))
}

/// The active departments of the reader's scope, for a form's select.
pub(super) async fn scoped_departments(
    state: &AppState,
    auth: &crate::auth::Auth,
) -> AppResult<Vec<(i64, String)>> {
    Ok(state
        .store
        .departments(&crate::service::scope_filter(&auth.actor))
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id, d.name))
        .collect())
}

pub(super) fn input(
    name: &str,
    label: String,
    kind: &str,
    value: impl Into<Value>,
    required: bool,
) -> Value {
    context! { name => name, label => label, kind => kind, value => value.into(), required => required }
}

pub(super) fn select(
    name: &str,
    label: String,
    options: Vec<(i64, String)>,
    selected: Option<i64>,
    required: bool,
) -> Value {
    let options: Vec<Value> = options
        .into_iter()
        .map(|(v, l)| context! { value => v, label => l, selected => Some(v) == selected })
        .collect();
    context! { name => name, label => label, kind => "select", options => options, required => required }
}

pub(super) fn checkboxes(
    name: &str,
    label: String,
    options: Vec<(String, String)>,
    selected: &[String],
    required: bool,
) -> Value {
    let options: Vec<Value> = options
        .into_iter()
        .map(|(v, l)| context! { selected => selected.contains(&v), value => v, label => l })
        .collect();
    context! { name => name, label => label, kind => "checkboxes", options => options, required => required }
}

pub(super) fn form(
    id: &str,
    title: String,
    action: String,
    submit: String,
    fields: Vec<Value>,
) -> Value {
    context! { id => id, title => title, action => action, submit => submit, fields => fields }
}

pub(super) fn row(href: Option<String>, cells: Vec<String>, active: bool) -> Value {
    context! { href => href, cells => cells, active => active }
}

pub(super) fn fact(label: String, value: impl Into<String>) -> Value {
    context! { label => label, value => value.into() }
}

pub(super) fn crumb(href: &str, label: String) -> Value {
    context! { href => href, label => label }
}

/// Any serialisable value as a template value.
pub(super) fn ser<T: serde::Serialize>(v: T) -> Value {
    Value::from(minijinja::value::Serde(v))
}
