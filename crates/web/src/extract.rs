//! Request bodies. JSON and form bodies are read here, so that every malformed body gets the same
//! answer: 400 naming the field and the reason, or 413 when it is too large.

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use onewindow_core::Text;
use serde::de::DeserializeOwned;

/// A JSON body whose errors name the field.
pub struct ApiJson<T>(pub T);

pub(crate) async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::too_large()
        } else {
            AppError::bad_request(
                "body",
                Text::fixed("无法读取请求内容", "the request body could not be read"),
            )
        }
    })
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| {
                let ct = ct.trim().to_ascii_lowercase();
                ct.starts_with("application/json")
                    || (ct.starts_with("application/") && ct.contains("+json"))
            });
        if !is_json {
            return Err(AppError::bad_request(
                "content-type",
                Text::fixed(
                    "请求内容须为 JSON（Content-Type: application/json）",
                    "the body must be JSON (Content-Type: application/json)",
                ),
            ));
        }
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, turning serde's message into a field and a reason in both languages.
/// A day given as text (YYYY-MM-DD) in a query or a form; a wrong one names its field.
pub fn parse_day(field: &str, s: &str) -> Result<chrono::NaiveDate, AppError> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        AppError::bad_request(
            field,
            Text::new(
                format!("“{s}”不是 YYYY-MM-DD 格式的日期"),
                format!("'{s}' is not a YYYY-MM-DD date"),
            ),
        )
    })
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(de);
    result.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return AppError::bad_request(
                "body",
                Text::new(
                    format!(
                        "不是有效的 JSON（第{}行第{}列）",
                        inner.line(),
                        inner.column()
                    ),
                    format!(
                        "not valid JSON (line {}, column {})",
                        inner.line(),
                        inner.column()
                    ),
                ),
            );
        }
        let (field, reason) = describe(&path, &inner.to_string());
        AppError::bad_request(field, reason)
    })
}

/// Turns serde's description of a data error into the field it concerns and a reason.
pub(crate) fn describe(path: &str, msg: &str) -> (String, Text) {
    let join = |name: &str| {
        if path.is_empty() || path == "." {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    let ticked = |m: &str| m.split('`').nth(1).unwrap_or("").to_string();
    let here = if path.is_empty() || path == "." {
        "body".to_string()
    } else {
        path.to_string()
    };
    if msg.starts_with("missing field") {
        let f = join(&ticked(msg));
        return (f, Text::fixed("缺少必填字段", "this field is required"));
    }
    if msg.starts_with("unknown field") {
        // The path already ends at the unknown field.
        let name = ticked(msg);
        let f = if path.ends_with(&name) {
            path.to_string()
        } else {
            join(&name)
        };
        return (f, Text::fixed("不允许的字段", "this field is not allowed"));
    }
    let detail = msg.split(" at line ").next().unwrap_or(msg).to_string();
    if let Some(rest) = detail.strip_prefix("invalid type: ") {
        let expected = rest.split("expected ").nth(1).unwrap_or("").to_string();
        return (
            here,
            Text::new(
                format!("类型错误，应为{}", expected_zh(&expected)),
                format!("wrong type, expected {expected}"),
            ),
        );
    }
    (
        here,
        Text::new(
            format!("取值无效（{detail}）"),
            format!("invalid value ({detail})"),
        ),
    )
}

fn expected_zh(expected: &str) -> String {
    let e = expected.trim();
    if e.starts_with("i64")
        || e.starts_with("u") && e[1..].parse::<u32>().is_ok()
        || e.starts_with("i32")
    {
        "整数".into()
    } else if e.contains("string") {
        "字符串".into()
    } else if e.contains("bool") {
        "布尔值（true/false）".into()
    } else if e.contains("sequence") {
        "数组".into()
    } else if e.contains("struct") || e.contains("map") {
        "对象".into()
    } else {
        e.to_string()
    }
}

/// Parses an URL-encoded form body into `T` with the same field-naming errors.
pub fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let (field, reason) = describe(&path, &e.into_inner().to_string());
        AppError::bad_request(field, reason)
    })
}

/// A query string whose errors name the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, AppError> {
        let q = parts.uri.query().unwrap_or("");
        parse_form(q.as_bytes()).map(ApiQuery)
    }
}

/// A numeric path parameter whose error names it (`/api/v1/departments/abc` → 400, field `id`).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(_) => {
                // Our routes have one parameter each; name it from the route pattern.
                let name = parts
                    .extensions
                    .get::<axum::extract::MatchedPath>()
                    .and_then(|p| {
                        let s = p.as_str();
                        let open = s.find('{')?;
                        let len = s[open..].find('}')?;
                        Some(s[open + 1..open + len].to_string())
                    })
                    .unwrap_or_else(|| "id".to_string());
                Err(AppError::bad_request(
                    name,
                    Text::fixed(
                        "路径中的编号须为整数",
                        "the id in the path must be a whole number",
                    ),
                ))
            }
        }
    }
}

/// A multipart form: its text fields, and its files. A file's material is the part of its field
/// name after `file:` (the application forms name one input per material), or the `material`
/// field sent before it (the API: `material` then `file`).
pub struct MultipartForm {
    pub fields: Vec<(String, String)>,
    pub files: Vec<crate::service::uploads::Upload>,
}

impl MultipartForm {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub async fn read_multipart(mut mp: axum::extract::Multipart) -> Result<MultipartForm, AppError> {
    let unreadable = || {
        AppError::bad_request(
            "body",
            Text::fixed("上传内容无法读取", "the upload could not be read"),
        )
    };
    let mut form = MultipartForm {
        fields: Vec::new(),
        files: Vec::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::too_large()
        } else {
            unreadable()
        }
    })? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        match file_name {
            Some(file_name) => {
                let bytes = field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        AppError::too_large()
                    } else {
                        unreadable()
                    }
                })?;
                // An empty file input is posted with an empty name and no content.
                if file_name.is_empty() && bytes.is_empty() {
                    continue;
                }
                let material = match name.strip_prefix("file:") {
                    Some(m) => m.to_string(),
                    None => form
                        .text("material")
                        .filter(|m| !m.trim().is_empty())
                        .unwrap_or("其他材料")
                        .trim()
                        .to_string(),
                };
                form.files.push(crate::service::uploads::Upload {
                    material,
                    file_name,
                    bytes: bytes.to_vec(),
                });
            }
            None => {
                let text = field.text().await.map_err(|_| unreadable())?;
                // A later `material` applies to the files after it.
                if name == "material" {
                    form.fields.retain(|(k, _)| k != "material");
                }
                form.fields.push((name, text));
            }
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
        n: i64,
        tags: Option<Vec<String>>,
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<T>(br#"{"n":1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        assert!(e.message.zh.contains("缺少"));
        let e = parse_json::<T>(br#"{"name":"a","n":"x"}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("n"));
        assert!(e.message.zh.contains("整数"), "{}", e.message.zh);
        let e = parse_json::<T>(br#"{"name":"a","n":1,"colour":1}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        let e = parse_json::<T>(br#"{"name":"a","n":1,"tags":[1]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("tags[0]"));
        let e = parse_json::<T>(br#"{"name":"a""#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("body"));
        assert!(e.message.en.contains("not valid JSON"));
    }
}
