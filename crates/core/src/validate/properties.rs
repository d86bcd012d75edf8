//! Property tests: the validators, the calendar and the GeoJSON reader over many generated
//! inputs. Valid numbers built by the rules are taken; any one wrong character is caught;
//! arbitrary text is refused with a reason, never a panic.

use super::{id_card::IdCard, mobile, uscc};
use crate::calendar::Calendar;
use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// A valid 居民身份证号码: a real region, a birth date, a sequence and its check character.
fn id_number() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["110105", "211403", "440305", "350102", "510104"]),
        0i64..(365 * 100),
        0u32..1000,
    )
        .prop_map(|(region, days, seq)| {
            let born = NaiveDate::from_ymd_opt(1926, 1, 1).unwrap() + Duration::days(days);
            let first17 = format!("{region}{}{seq:03}", born.format("%Y%m%d"));
            let c = super::id_card::check_character(&first17);
            format!("{first17}{c}")
        })
}

/// GeoJSON-shaped documents with every part possibly wrong: types, codes, levels, rings.
fn feature_collection() -> impl Strategy<Value = serde_json::Value> {
    let ring = prop::collection::vec((-200.0f64..200.0, -100.0f64..100.0), 0..6);
    let geometry = (
        prop::sample::select(vec!["Polygon", "MultiPolygon", "Point", "junk"]),
        prop::collection::vec(ring, 0..3),
    )
        .prop_map(|(kind, rings)| {
            let coords: Vec<Vec<[f64; 2]>> = rings
                .into_iter()
                .map(|r| r.into_iter().map(|(x, y)| [x, y]).collect())
                .collect();
            serde_json::json!({"type": kind, "coordinates": coords})
        });
    let feature = (
        "[0-9]{0,14}",
        "\\PC{0,8}",
        prop::option::of(0i64..7),
        prop::option::of("[0-9]{0,14}"),
        geometry,
    )
        .prop_map(|(code, name, level, parent, geometry)| {
            serde_json::json!({"type": "Feature", "geometry": geometry,
                "properties": {"code": code, "name": name, "level": level, "parent": parent}})
        });
    (
        prop::sample::select(vec!["FeatureCollection", "Feature", ""]),
        prop::collection::vec(feature, 0..5),
    )
        .prop_map(|(kind, features)| serde_json::json!({"type": kind, "features": features}))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn built_id_numbers_parse_and_any_wrong_digit_is_caught(n in id_number(), at in 0usize..17, to in 0u8..10) {
        prop_assert!(IdCard::parse(&n, today()).is_ok(), "{n}");
        let mut b = n.clone().into_bytes();
        let digit = b'0' + to;
        prop_assume!(b[at] != digit);
        b[at] = digit;
        let wrong = String::from_utf8(b).unwrap();
        // One changed digit: the check character (ISO 7064 MOD 11-2) always notices, whatever
        // else (region, date) the change also breaks.
        prop_assert!(IdCard::parse(&wrong, today()).is_err(), "{wrong} was taken");
    }

    #[test]
    fn any_text_is_an_id_number_or_a_reason(s in "\\PC{0,24}") {
        let _ = IdCard::parse(&s, today());
        let _ = uscc::parse(&s);
        let _ = mobile::parse(&s);
    }

    #[test]
    fn built_credit_codes_parse_and_any_wrong_character_is_caught(
        body in "[0-9A-HJ-NPQRTUWXY]{8}",
        at in 0usize..17,
        to in prop::sample::select("0123456789ABCDEFGHJKLMNPQRTUWXY".chars().collect::<Vec<_>>()),
    ) {
        let code = uscc::build('9', '1', "211403", &body).unwrap();
        prop_assert!(uscc::parse(&code).is_ok(), "{code}");
        let mut chars: Vec<char> = code.chars().collect();
        prop_assume!(chars[at] != to);
        chars[at] = to;
        let wrong: String = chars.into_iter().collect();
        prop_assert!(uscc::parse(&wrong).is_err(), "{wrong} was taken");
    }

    #[test]
    fn mobile_numbers_of_the_plan_are_taken(rest in "[3-9][0-9]{9}") {
        let n = format!("1{rest}");
        prop_assert_eq!(mobile::parse(&n).unwrap(), n);
    }

    #[test]
    fn adding_working_days_lands_on_one_and_counts_back(days in 0i64..(365 * 22), n in 0i64..300) {
        let cal = Calendar::builtin();
        let d = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap() + Duration::days(days);
        if let Ok(r) = cal.add_workdays(d, n) {
            prop_assert!(r >= d);
            if n > 0 {
                prop_assert!(cal.is_workday(r).unwrap(), "{d} + {n} = {r}, not a working day");
                prop_assert_eq!(cal.workdays_between(d, r).unwrap(), n, "{} + {} = {}", d, n, r);
            }
            // One more working day never lands earlier.
            if let Ok(next) = cal.add_workdays(d, n + 1) {
                prop_assert!(next > r);
            }
        }
    }

    #[test]
    fn any_feature_collection_is_grids_or_named_problems(doc in feature_collection()) {
        let _ = crate::grid::import::read(&doc, &Default::default());
    }
}
