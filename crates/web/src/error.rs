//! One error type for every handler, and one place that turns it into a response: JSON
//! `{code, message, field}` for the API, an HTML page (or a redirect to the login page) for
//! people. The message is chosen in the reader's language after the handler has run, by the
//! `render_errors` middleware, so handlers never thread the language through.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use onewindow_core::{DomainError, Lang, Text};
use onewindow_store::StoreError;
use serde::Serialize;

#[derive(Clone, Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: Text,
    /// With `field` (codes `bad_request`, `invalid_field`, `conflict`), `message` says what is
    /// wrong with the field without naming it: the API's answer names the field's path before
    /// it, a page its label.
    pub field: Option<String>,
    /// For a transition from the wrong state: the actions open now.
    pub allowed: Option<Vec<String>>,
}

/// The JSON error body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code, e.g. `invalid_field`, `conflict`, `forbidden`.
    pub code: String,
    /// A sentence for a person, in Chinese (English with `Accept-Language: en`).
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `field`: what is wrong with it, without naming it (for a form that shows it beside
    /// the field, under the field's own label).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For `wrong_state` (409): the codes of the actions allowed now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: Text) -> AppError {
        AppError {
            status,
            code,
            message,
            field: None,
            allowed: None,
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> AppError {
        self.field = Some(field.into());
        self
    }

    /// A value that breaks a rule (422), naming its field.
    pub fn invalid(field: &str, zh: &'static str, en: &'static str) -> AppError {
        AppError::from(onewindow_core::FieldError::new(field, Text::fixed(zh, en)))
    }

    pub fn bad_request(field: impl Into<String>, message: Text) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", message).field(field)
    }

    /// The sentence for a person reading a page, where a field's path would mean nothing:
    /// the reason alone.
    /// The field by its label when it has one: "统一社会信用代码：应为18位".
    pub fn page_message(&self, lang: Lang) -> String {
        let reason = &self.message;
        if self.reason().is_none() {
            return reason.get(lang).to_string();
        }
        // A line of a list (`holidays[2]`) by the list's label and the line.
        let label = self.field.as_ref().and_then(|f| {
            let (name, line) = match f.strip_suffix(']').and_then(|h| h.split_once('[')) {
                Some((name, n)) => (name, Some(n)),
                None => (f.as_str(), None),
            };
            let label = crate::i18n::tr_opt(&format!("label.{name}"), lang)?;
            Some(match (line, lang) {
                (Some(n), Lang::Zh) if n.parse::<u32>().is_ok() => format!("{label}第{n}行"),
                (Some(n), Lang::En) if n.parse::<u32>().is_ok() => format!("{label}, line {n}"),
                (Some(item), Lang::Zh) => format!("{label}（{item}）"),
                (Some(item), Lang::En) => format!("{label} ({item})"),
                (None, _) => label,
            })
        });
        match (label, lang) {
            (Some(l), Lang::Zh) => format!("{l}：{}", reason.zh),
            (Some(l), Lang::En) => format!("{l}: {}", reason.en),
            (None, _) => reason.get(lang).to_string(),
        }
    }

    pub fn unauthorized() -> AppError {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Text::fixed("请先登录", "please sign in first"),
        )
    }

    pub fn forbidden() -> AppError {
        DomainError::forbidden().into()
    }

    pub fn not_found(what: Text) -> AppError {
        DomainError::not_found(what).into()
    }

    pub fn too_large() -> AppError {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            Text::fixed("请求内容过大", "the request body is too large"),
        )
    }

    pub fn internal() -> AppError {
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            Text::fixed(
                "服务器内部错误，请稍后再试",
                "internal error; please try again later",
            ),
        )
    }

    /// The standard error for a bare status produced outside our handlers (router, layers).
    pub fn for_status(status: StatusCode) -> AppError {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (
                "not_found",
                Text::fixed("页面或接口不存在", "no such page or endpoint"),
            ),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                Text::fixed("不支持该请求方法", "method not allowed"),
            ),
            StatusCode::REQUEST_TIMEOUT => (
                "timeout",
                Text::fixed("请求超时，请稍后再试", "the request timed out"),
            ),
            StatusCode::PAYLOAD_TOO_LARGE => return AppError::too_large(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                Text::fixed("不支持的内容类型", "unsupported content type"),
            ),
            StatusCode::UNAUTHORIZED => return AppError::unauthorized(),
            StatusCode::FORBIDDEN => return AppError::forbidden(),
            s if s.is_client_error() => ("bad_request", Text::fixed("请求有误", "bad request")),
            _ => return AppError::internal(),
        };
        AppError::new(status, code, message)
    }

    /// What is wrong with the named field, when the message says that.
    fn reason(&self) -> Option<&Text> {
        match (&self.field, self.code) {
            (Some(_), "bad_request" | "invalid_field" | "conflict") => Some(&self.message),
            _ => None,
        }
    }

    pub fn body(&self, lang: Lang) -> ErrorBody {
        let reason = self.reason().map(|r| r.get(lang).to_string());
        let message = match (&self.field, &reason) {
            (Some(f), Some(r)) => match lang {
                Lang::Zh => format!("字段 {f}：{r}"),
                Lang::En => format!("field {f}: {r}"),
            },
            _ => self.message.get(lang).to_string(),
        };
        ErrorBody {
            code: self.code.to_string(),
            message,
            field: self.field.clone(),
            reason,
            allowed: self.allowed.clone(),
        }
    }
}

impl From<DomainError> for AppError {
    fn from(e: DomainError) -> AppError {
        // A field's error keeps its reason alone; `body` and `page_message` name the field.
        let message = match &e {
            DomainError::Invalid(f) | DomainError::Conflict(f) => f.reason.clone(),
            _ => Text::new(e.message(Lang::Zh), e.message(Lang::En)),
        };
        let (status, code) = match &e {
            DomainError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field"),
            DomainError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            DomainError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            DomainError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            DomainError::WrongState { .. } => (StatusCode::CONFLICT, "wrong_state"),
        };
        let allowed = match &e {
            DomainError::WrongState { allowed, .. } => {
                Some(allowed.iter().map(|(code, _)| code.clone()).collect())
            }
            _ => None,
        };
        AppError {
            status,
            code,
            message,
            field: e.field().map(str::to_string),
            allowed,
        }
    }
}

impl From<onewindow_core::FieldError> for AppError {
    fn from(e: onewindow_core::FieldError) -> AppError {
        DomainError::Invalid(e).into()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::Domain(d) => d.into(),
            other => {
                // The database's words stay in the log.
                tracing::error!(error = %other, "storage error");
                AppError::internal()
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body(Lang::Zh))).into_response();
        res.extensions_mut().insert(self);
        res
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_the_field_by_its_label_and_the_line() {
        let e = AppError::bad_request("uscc", Text::fixed("应为18位", "must be 18 characters"));
        assert_eq!(e.page_message(Lang::Zh), "统一社会信用代码：应为18位");
        let e = AppError::bad_request("holidays[2]", Text::fixed("日期不对", "bad date"));
        assert_eq!(e.page_message(Lang::Zh), "放假日期第2行：日期不对");
        assert_eq!(e.page_message(Lang::En), "Holidays, line 2: bad date");
        let e = AppError::bad_request("files[营业执照]", Text::fixed("太大", "too big"));
        assert_eq!(e.page_message(Lang::Zh), "上传文件（营业执照）：太大");
        // A field without a label: the reason alone, never the path.
        let e = AppError::bad_request("no_such.field", Text::fixed("不对", "wrong"));
        assert_eq!(e.page_message(Lang::Zh), "不对");
        // The API still names the path, for programs.
        assert_eq!(e.body(Lang::Zh).message, "字段 no_such.field：不对");
        assert_eq!(e.body(Lang::Zh).reason.as_deref(), Some("不对"));
    }
}
