//! The JSON API under `/api/v1`. Every handler is registered through `OpenApiRouter`, so the
//! OpenAPI document at `/api/openapi.json` lists exactly the endpoints that exist.

mod appointments;
mod audit;
mod auth;
pub mod cases;
pub mod catalog;
mod complaints;
mod enterprise;
mod evaluation;
mod grid;
mod hall;
mod licences;
mod ops;
mod org;
pub mod petitions;
mod supervision;
mod supervisors;
mod users;

use crate::error::ErrorBody;
use crate::state::AppState;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "OneWindow (一窗通) API",
        description = "The platform's JSON API. Sign in with POST /api/v1/auth/token and send the token as `Authorization: Bearer TOKEN`. Errors are `{code, message, field}`; messages are in Chinese, or English with `Accept-Language: en`."
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    security(("bearer" = []))
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(c) = openapi.components.as_mut() {
            c.add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
            c.add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("ow_session"))),
            );
        }
    }
}

/// The API routes and their OpenAPI document.
pub fn router() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(ops::router())
        .merge(auth::router())
        .merge(org::router())
        .merge(users::router())
        .merge(audit::router())
        .merge(audit::security_router())
        .merge(catalog::router())
        .merge(cases::router())
        .merge(hall::router())
        .merge(appointments::router())
        .merge(supervision::router())
        .merge(evaluation::router())
        .merge(complaints::router())
        .merge(supervisors::router())
        .merge(grid::router())
        .merge(enterprise::router())
        .merge(petitions::router())
        .merge(licences::router())
        .split_for_parts()
}

/// Standard error responses, referenced by every path. Only the OpenAPI document uses this type;
/// the errors themselves are `AppError`s.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Malformed body or parameter; `field` names it.
    #[response(status = 400)]
    BadRequest(#[to_schema] ErrorBody),
    /// Not signed in.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Out of role or scope.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such record.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// Duplicate value or stale version.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// Body too large.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A value breaks a rule; `field` names it.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many attempts from one address or for one account (signing in, progress look-ups,
    /// rating links): wait and try again.
    #[response(status = 429)]
    Throttled(ErrorBody),
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn document() -> Value {
        serde_json::to_value(super::router().1).expect("the document serializes")
    }

    /// utoipa puts an `IntoParams` struct's fields in the path (each one required) unless the
    /// struct says `#[into_params(parameter_in = Query)]`; a query parameter documented in the
    /// path is one no client made from the document can send.
    #[test]
    fn parameters_are_where_the_paths_have_them() {
        let doc = document();
        let mut wrong = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("a path item") {
                let params = op["parameters"].as_array().cloned().unwrap_or_default();
                for p in &params {
                    let name = p["name"].as_str().unwrap_or_default();
                    let in_template = path.contains(&format!("{{{name}}}"));
                    if (p["in"] == "path") != in_template {
                        wrong.push(format!("{method} {path}: {name} is in {}", p["in"]));
                    }
                }
                for seg in path.split('/').filter(|s| s.starts_with('{')) {
                    let name = seg.trim_matches(['{', '}']);
                    if !params
                        .iter()
                        .any(|p| p["name"] == name && p["in"] == "path")
                    {
                        wrong.push(format!("{method} {path}: {name} is not documented"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The schema names of the types declared in one source file: every `ToSchema` derive (and
    /// every `vocabulary!`, which derives it) with the name `#[schema(as = …)]` gives it, or
    /// its own.
    fn schema_names(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut pending: Option<Option<String>> = None;
        // a derive over several lines read as one
        let mut lines = Vec::new();
        let mut open: Option<String> = None;
        for line in text.lines() {
            let l = line.trim();
            match open.as_mut() {
                Some(acc) => {
                    acc.push_str(l);
                    if l.ends_with(")]") {
                        lines.push(open.take().unwrap_or_default());
                    }
                }
                None if l.starts_with("#[derive(") && !l.ends_with(")]") => {
                    open = Some(l.to_string())
                }
                None => lines.push(l.to_string()),
            }
        }
        for l in &lines {
            let l = l.as_str();
            if l.starts_with("//") {
                continue;
            }
            if (l.starts_with("#[derive(") && l.contains("ToSchema"))
                || l.starts_with("vocabulary!(")
            {
                pending = Some(None);
                continue;
            }
            let Some(named) = pending.as_mut() else {
                continue;
            };
            if let Some(rest) = l.strip_prefix("#[schema(as = ") {
                *named = rest.split([')', ',']).next().map(|s| s.trim().to_string());
                continue;
            }
            let decl = l
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ")
                .trim_start_matches("struct ")
                .trim_start_matches("enum ");
            let is_decl = l.contains("struct ") || l.contains("enum ") || !l.starts_with('#');
            if is_decl && !l.starts_with('#') {
                let own: String = decl
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if let Some(name) = named.take().or(Some(own)).filter(|n| !n.is_empty()) {
                    names.push(name);
                }
                pending = None;
            }
        }
        names
    }

    /// utoipa keys components by name alone, so two types of one name overwrite each other
    /// and the document describes one of them wrongly, silently. Every schema's name is its own.
    #[test]
    fn no_two_schemas_share_a_name() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        sources(&root, &mut files);
        files.sort();
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for name in schema_names(&text) {
                let shown = f.strip_prefix(&root).unwrap_or(f).display().to_string();
                seen.entry(name).or_default().push(shown);
            }
        }
        assert!(
            seen.len() > 100,
            "the scan finds the schemas: {}",
            seen.len()
        );
        let shared: Vec<String> = seen
            .iter()
            .filter(|(_, at)| at.len() > 1)
            .map(|(n, at)| format!("{n}: {}", at.join(", ")))
            .collect();
        assert!(
            shared.is_empty(),
            "schemas sharing a name (give one `#[schema(as = …)]`):\n{}",
            shared.join("\n")
        );
        // and the document holds every name the scan found that a path uses
        let doc = document();
        let components = doc["components"]["schemas"].as_object().expect("schemas");
        assert!(
            components
                .keys()
                .all(|k| seen.contains_key(k) || k == "ErrorBody"),
            "a component the scan did not find: {:?}",
            components
                .keys()
                .filter(|k| !seen.contains_key(*k))
                .collect::<Vec<_>>()
        );
    }
}
