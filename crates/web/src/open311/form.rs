//! A GeoReport v2 `POST requests` form read into what the grid takes: the service asked for, the
//! event and the answers to the service's questions. Only the shape is checked here (numbers are
//! numbers, lat and long come together); the service, the place and the answers are checked
//! where every report is, in `service::events`.

use super::Failure;
use onewindow_core::grid::category::Answers;
use onewindow_core::grid::report::{NewEvent, Point};

/// What a client submitted, before its service is looked up.
#[derive(Debug)]
pub struct Submission {
    pub service_code: String,
    /// Its `category_id` is left for the caller, who knows the services.
    pub event: NewEvent,
    pub answers: Answers,
}

/// The first non-blank value of a parameter, trimmed.
pub fn param<'a>(ps: &'a [(String, String)], name: &str) -> Option<&'a str> {
    ps.iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim())
}

/// A finite number, if given: `NaN` and `inf` parse as floats but are no place on earth.
fn number(ps: &[(String, String)], name: &str) -> Result<Option<f64>, Failure> {
    param(ps, name)
        .map(|v| match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            _ => Err(Failure::bad(
                format!("{name}应为数字"),
                format!("{name} must be a number"),
            )),
        })
        .transpose()
}

pub fn read(ps: &[(String, String)]) -> Result<Submission, Failure> {
    let service_code = param(ps, "service_code")
        .ok_or_else(|| Failure::bad("service_code：必填", "service_code: required"))?
        .to_string();
    let (lat, lon) = (number(ps, "lat")?, number(ps, "long")?);
    let point = match (lon, lat) {
        (Some(lon), Some(lat)) => Some(Point { lon, lat }),
        (None, None) => None,
        _ => {
            return Err(Failure::bad(
                "lat与long须同时提供",
                "lat and long go together",
            ));
        }
    };
    let address = param(ps, "address_string")
        .or(param(ps, "address_id"))
        .unwrap_or("")
        .to_string();
    let reporter_name = [param(ps, "last_name"), param(ps, "first_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("");
    // `attribute[code]`, or `attribute[code][]` repeated for a multi-valued list.
    let mut answers = Answers::new();
    for (k, v) in ps {
        let Some(rest) = k.strip_prefix("attribute[") else {
            continue;
        };
        if let Some(code) = rest.strip_suffix("][]").or_else(|| rest.strip_suffix(']')) {
            answers.entry(code.to_string()).or_default().push(v.clone());
        }
    }
    let text = |name| param(ps, name).unwrap_or("").to_string();
    Ok(Submission {
        service_code,
        event: NewEvent {
            category_id: None,
            description: text("description"),
            address,
            point,
            reporter_name,
            reporter_phone: text("phone"),
            reporter_email: text("email"),
        },
        answers,
    })
}

#[cfg(test)]
mod properties;
