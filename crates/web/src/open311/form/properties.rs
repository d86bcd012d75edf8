//! Property tests: Open311 forms of every shape. A well-formed form reads back exactly what was
//! sent; a lone coordinate or a coordinate that is not a finite number is refused naming the
//! field; any bytes at all are read or refused with a reason, never a panic.

use super::read;
use onewindow_core::grid::category::Answers;
use proptest::prelude::*;

fn decode(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn encode(pairs: &[(String, String)]) -> Vec<u8> {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
        .into_bytes()
}

/// Text a citizen might type: CJK, punctuation, `&`, `=`, `%`, `+`, spaces, newlines.
fn text() -> impl Strategy<Value = String> {
    "[a-z0-9 &=%+\u{4e00}-\u{4e80}，。\n]{0,24}"
}

/// (code, values, sent as `attribute[code][]`)
fn attribute() -> impl Strategy<Value = (String, Vec<String>, bool)> {
    (
        "[a-z_]{1,8}",
        prop::collection::vec(text(), 1..4),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_are_read_or_refused_with_a_reason(body in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(f) = read(&decode(&body)) {
            prop_assert_eq!(f.status.as_u16(), 400);
            prop_assert!(!f.description.zh.is_empty() && !f.description.en.is_empty());
        }
    }

    #[test]
    fn a_well_formed_form_reads_back_what_was_sent(
        code in "[a-z]{1,10}",
        point in prop::option::of((-90.0f64..90.0, -180.0f64..180.0)),
        description in text(),
        first in text(),
        last in text(),
        attributes in prop::collection::vec(attribute(), 0..5),
    ) {
        let mut pairs = vec![("service_code".to_string(), code.clone())];
        if let Some((lat, lon)) = point {
            pairs.push(("lat".into(), lat.to_string()));
            pairs.push(("long".into(), lon.to_string()));
        }
        pairs.push(("description".into(), description.clone()));
        pairs.push(("first_name".into(), first.clone()));
        pairs.push(("last_name".into(), last.clone()));
        let mut expected = Answers::new();
        for (c, values, multi) in &attributes {
            let key = if *multi { format!("attribute[{c}][]") } else { format!("attribute[{c}]") };
            for v in values {
                pairs.push((key.clone(), v.clone()));
                expected.entry(c.clone()).or_default().push(v.clone());
            }
        }
        let s = read(&decode(&encode(&pairs))).map_err(|f| TestCaseError::fail(f.description.en.to_string()))?;
        prop_assert_eq!(s.service_code, code);
        prop_assert_eq!(s.event.point.map(|p| (p.lat, p.lon)), point);
        prop_assert_eq!(s.event.description, description.trim());
        let name: String = [last.trim(), first.trim()].concat();
        prop_assert_eq!(s.event.reporter_name, name);
        prop_assert_eq!(s.answers, expected);
        prop_assert_eq!(s.event.category_id, None);
    }

    #[test]
    fn a_lone_coordinate_is_refused(which in prop::bool::ANY, v in -90.0f64..90.0) {
        let field = if which { "lat" } else { "long" };
        let pairs = vec![
            ("service_code".to_string(), "drain".to_string()),
            (field.to_string(), v.to_string()),
        ];
        let f = read(&pairs).err().ok_or_else(|| TestCaseError::fail("a lone coordinate was taken"))?;
        prop_assert!(f.description.zh.contains("lat与long"), "{}", f.description.zh);
    }

    #[test]
    fn a_coordinate_that_is_no_finite_number_is_refused_naming_it(
        which in prop::bool::ANY,
        v in prop_oneof![Just("NaN".to_string()), Just("inf".to_string()), Just("-infinity".to_string()), "[^ 0-9]{1,8}"],
    ) {
        prop_assume!(v.trim().parse::<f64>().map_or(true, |n| !n.is_finite()) && !v.trim().is_empty());
        let field = if which { "lat" } else { "long" };
        let pairs = vec![
            ("service_code".to_string(), "drain".to_string()),
            ("lat".to_string(), "40.65".to_string()),
            ("long".to_string(), "120.8".to_string()),
            (field.to_string(), v.clone()),
        ];
        // The first non-blank value counts: put the bad one first.
        let mut pairs = pairs;
        let bad = pairs.pop().unwrap_or_default();
        pairs.insert(1, bad);
        let f = read(&pairs).err().ok_or_else(|| TestCaseError::fail(format!("{field}={v:?} was taken")))?;
        prop_assert_eq!(f.description.zh.to_string(), format!("{field}应为数字"));
        prop_assert_eq!(f.description.en.to_string(), format!("{field} must be a number"));
    }
}
