//! Domain errors. Every error a person can cause names what was wrong in both languages, so the
//! HTTP layer can answer in the reader's language without knowing the rule.

use crate::i18n::{Lang, Text};

/// A value that broke a rule: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub reason: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, reason: Text) -> FieldError {
        FieldError {
            field: field.into(),
            reason,
        }
    }

    /// A field and why, in both languages: the usual way to build one.
    pub fn text(
        field: impl Into<String>,
        zh: impl Into<std::borrow::Cow<'static, str>>,
        en: impl Into<std::borrow::Cow<'static, str>>,
    ) -> FieldError {
        FieldError::new(field, Text::new(zh, en))
    }

    /// "字段 uscc：校验位错误" / "field uscc: wrong check character".
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("字段 {}：{}", self.field, self.reason.zh),
            Lang::En => format!("field {}: {}", self.field, self.reason.en),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The input is well-formed but breaks a rule (422).
    #[error("invalid {}: {}", .0.field, .0.reason.en)]
    Invalid(FieldError),
    /// Someone else holds this value, or the record changed since it was read (409).
    #[error("conflict on {}: {}", .0.field, .0.reason.en)]
    Conflict(FieldError),
    /// The record does not exist, or its existence is private to the asker (404).
    #[error("not found: {}", .0.en)]
    NotFound(Text),
    /// The asker may not do this (403).
    #[error("forbidden: {}", .0.en)]
    Forbidden(Text),
    /// The action is not open in the record's current state (409); `allowed` lists the actions
    /// that are, as (code, name) pairs.
    #[error("cannot {} while {}", .action.en, .state.en)]
    WrongState {
        action: Text,
        state: Text,
        allowed: Vec<(String, Text)>,
    },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Self {
        DomainError::Invalid(FieldError::new(field, Text::new(zh.into(), en.into())))
    }

    pub fn conflict(
        field: impl Into<String>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        DomainError::Conflict(FieldError::new(field, Text::new(zh.into(), en.into())))
    }

    pub fn stale(field: impl Into<String>) -> Self {
        DomainError::Conflict(FieldError::new(
            field,
            Text::fixed(
                "记录已被他人修改，请刷新后重试",
                "the record was changed by someone else; reload and try again",
            ),
        ))
    }

    pub fn not_found(what: Text) -> Self {
        DomainError::NotFound(what)
    }

    pub fn forbidden() -> Self {
        DomainError::Forbidden(Text::fixed(
            "无权执行此操作或访问此记录",
            "you may not do this or see this record",
        ))
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            DomainError::Invalid(f) | DomainError::Conflict(f) => f.message(lang),
            DomainError::NotFound(what) => match lang {
                Lang::Zh => format!("{}不存在", what.zh),
                Lang::En => format!("{} not found", what.en),
            },
            DomainError::Forbidden(t) => t.get(lang).to_string(),
            DomainError::WrongState {
                action,
                state,
                allowed,
            } => {
                let names: Vec<&str> = allowed.iter().map(|(_, n)| n.get(lang)).collect();
                match lang {
                    Lang::Zh if names.is_empty() => {
                        format!(
                            "当前状态（{}）不能{}，已无可执行的操作",
                            state.zh, action.zh
                        )
                    }
                    Lang::Zh => format!(
                        "当前状态（{}）不能{}；现在可以：{}",
                        state.zh,
                        action.zh,
                        names.join("、")
                    ),
                    Lang::En if names.is_empty() => {
                        format!(
                            "cannot {} while {}; nothing more can be done",
                            action.en, state.en
                        )
                    }
                    Lang::En => format!(
                        "cannot {} while {}; allowed now: {}",
                        action.en,
                        state.en,
                        names.join(", ")
                    ),
                }
            }
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid(f) | DomainError::Conflict(f) => Some(&f.field),
            DomainError::WrongState { .. } => Some("state"),
            _ => None,
        }
    }
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        DomainError::Invalid(e)
    }
}
