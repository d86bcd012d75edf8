//! Small building blocks of form and list pages, shared by every page module.

use minijinja::{Value, context};

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
