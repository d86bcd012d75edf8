//! GeoReport v2's two formats. JSON is the value as it is; XML names the root and each list
//! item after its list (`services` → `service`, `service_requests` → `request`, `errors` →
//! `error`, and within objects the singular of the key: `attributes` → `attribute`).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

pub fn respond(fmt: Format, status: StatusCode, root: &str, v: &Value) -> Response {
    match fmt {
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            v.to_string(),
        )
            .into_response(),
        Format::Xml => (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            xml(root, v),
        )
            .into_response(),
    }
}

/// The element name of an item of a list called `list`.
fn item_of(list: &str) -> &str {
    match list {
        "service_requests" => "request",
        "values" => "value",
        l => l.strip_suffix('s').unwrap_or(l),
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry are left out.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

fn element(name: &str, v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            for i in items {
                element(item_of(name), i, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                element(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => {
            out.push_str(&format!("<{name}>"));
            escape(s, out);
            out.push_str(&format!("</{name}>"));
        }
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// The document: `<?xml …?>` and the root element holding the value.
pub fn xml(root: &str, v: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    element(root, v, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_are_named_after_their_items_and_text_is_escaped() {
        let v = json!([{"service_request_id": "SJ1", "description": "a<b & \"c\"", "lat": 40.6, "media_url": null}]);
        assert_eq!(
            xml("service_requests", &v),
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>\
             <description>a&lt;b &amp; &quot;c&quot;</description><lat>40.6</lat>\
             <media_url/><service_request_id>SJ1</service_request_id></request></service_requests>"
        );
        let d = json!({"service_code": "drain", "attributes": [{"code": "depth", "values": [{"key": "a", "name": "A"}]}]});
        assert!(xml("service_definition", &d).contains(
            "<attributes><attribute><code>depth</code><values><value><key>a</key><name>A</name></value></values></attribute></attributes>"
        ));
        assert!(
            xml("errors", &json!([{"code": 400, "description": "x"}])).contains(
                "<errors><error><code>400</code><description>x</description></error></errors>"
            )
        );
    }
}
