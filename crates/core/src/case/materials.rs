//! Whether a case's materials are present: a required material is present when it was
//! uploaded, handed in on paper at the window (the clerk ticks it on the receipt list, 收件清单,
//! which records who received it and when), is one the platform holds (共享获取·免提交), or is
//! satisfied by a licence from the applicant's library (电子证照·免提交).
//! Acceptance needs every required one present: what is missing is named, and 补正 is the way.

use super::{MaterialReceipt, PaperReceipt};
use crate::catalog::Guide;
use crate::error::FieldError;
use crate::i18n::Text;
use crate::vocabulary::vocabulary;

vocabulary!(
    /// How a material reached the case.
    Presence {
        Uploaded = ("uploaded", "已上传", "uploaded"),
        Paper = ("paper", "窗口收件", "received on paper"),
        Shared = ("shared", "共享获取·免提交", "held by the platform"),
        Licence = ("licence", "电子证照·免提交", "from the licence library"),
    }
);

/// How `m` is present, given the material names of the files uploaded to the case.
pub fn presence(m: &MaterialReceipt, uploaded: &[String]) -> Option<Presence> {
    if m.licence.is_some() {
        Some(Presence::Licence)
    } else if m.shared {
        Some(Presence::Shared)
    } else if m.received.is_some() {
        Some(Presence::Paper)
    } else if uploaded.iter().any(|u| u == &m.name) {
        Some(Presence::Uploaded)
    } else {
        None
    }
}

/// The required materials not present, in the guide's order.
pub fn missing<'a>(materials: &'a [MaterialReceipt], uploaded: &[String]) -> Vec<&'a str> {
    materials
        .iter()
        .filter(|m| m.required && presence(m, uploaded).is_none())
        .map(|m| m.name.as_str())
        .collect()
}

/// Refuses acceptance while a required material is missing, naming each (补正 is the way).
pub fn check_complete(
    materials: &[MaterialReceipt],
    uploaded: &[String],
) -> Result<(), FieldError> {
    let gone = missing(materials, uploaded);
    if gone.is_empty() {
        return Ok(());
    }
    Err(FieldError::new(
        "materials",
        Text::new(
            format!(
                "以下必需材料尚未收到：{}。请上传或在收件清单中登记收到的纸质材料后再受理；材料不齐全的，请一次性告知申请人补正",
                gone.join("、")
            ),
            format!(
                "these required materials have not been received: {}. Upload them or tick the paper copies received on the receipt list before accepting; if they are missing, ask for all of them at once (request_supplement)",
                gone.join(", ")
            ),
        ),
    ))
}

/// What the guide says of each material: required (no condition) and held by the platform.
/// Materials the guide does not name are neither.
pub fn apply_guide(materials: &mut [MaterialReceipt], guide: &Guide) {
    for m in materials {
        if let Some(g) = guide.materials.iter().find(|g| g.name == m.name) {
            m.required = g.condition.is_none();
            m.shared = g.shared;
        }
    }
}

/// The guide's materials, none yet received.
pub fn of_guide(guide: &Guide) -> Vec<MaterialReceipt> {
    guide
        .materials
        .iter()
        .map(|g| MaterialReceipt {
            name: g.name.clone(),
            provided: false,
            note: None,
            required: g.condition.is_none(),
            shared: g.shared,
            received: None,
            licence: None,
        })
        .collect()
}

/// Records the paper copies received at the window (收件清单): each named material not yet
/// received. An unknown name is refused, naming it.
pub fn receive(
    materials: &mut [MaterialReceipt],
    names: &[String],
    by: PaperReceipt,
) -> Result<usize, FieldError> {
    if names.is_empty() {
        return Err(FieldError::new(
            "names",
            Text::fixed("请勾选收到的材料", "tick the materials received"),
        ));
    }
    for (i, n) in names.iter().enumerate() {
        if !materials.iter().any(|m| &m.name == n) {
            return Err(FieldError::new(
                format!("names[{i}]"),
                Text::new(
                    format!("本办件没有“{n}”这项材料"),
                    format!("the case has no material '{n}'"),
                ),
            ));
        }
    }
    let mut n = 0;
    for m in materials.iter_mut().filter(|m| names.contains(&m.name)) {
        if m.received.is_none() {
            m.received = Some(by.clone());
            m.provided = true;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, required: bool, shared: bool) -> MaterialReceipt {
        MaterialReceipt {
            name: name.into(),
            provided: true,
            note: None,
            required,
            shared,
            received: None,
            licence: None,
        }
    }

    #[test]
    fn a_licence_from_the_library_makes_a_material_present() {
        let mut licensed = m("营业执照", true, false);
        assert_eq!(
            missing(std::slice::from_ref(&licensed), &[]),
            vec!["营业执照"]
        );
        licensed.licence = Some(super::super::LicenceUse {
            licence_id: 7,
            number: "YYZZ2114032026000001".into(),
            kind: "营业执照".into(),
            consent_by: None,
        });
        assert_eq!(presence(&licensed, &[]), Some(Presence::Licence));
        assert!(missing(&[licensed], &[]).is_empty());
    }

    fn clerk() -> PaperReceipt {
        PaperReceipt {
            by_id: Some(2),
            by_name: "李志抗".into(),
            at: chrono::DateTime::from_timestamp(1_772_400_000, 0).unwrap_or_default(),
        }
    }

    // Declared is not present: a required material is present by upload, paper or sharing.
    #[test]
    fn a_required_material_is_present_only_when_it_reached_the_case() {
        let mut ms = vec![
            m("申请表", true, false),
            m("营业执照", true, true),
            m("身份证", true, false),
            m("委托书", false, false),
        ];
        assert_eq!(missing(&ms, &[]), vec!["申请表", "身份证"]);
        let e = check_complete(&ms, &[]).unwrap_err();
        assert_eq!(e.field, "materials");
        assert!(e.message(crate::Lang::Zh).contains("申请表、身份证"));
        assert_eq!(presence(&ms[1], &[]), Some(Presence::Shared));
        let uploaded = vec!["申请表".to_string()];
        assert_eq!(missing(&ms, &uploaded), vec!["身份证"]);
        assert_eq!(receive(&mut ms, &["身份证".into()], clerk()), Ok(1));
        assert_eq!(receive(&mut ms, &["身份证".into()], clerk()), Ok(0), "once");
        assert_eq!(presence(&ms[2], &[]), Some(Presence::Paper));
        assert!(check_complete(&ms, &uploaded).is_ok());
        assert_eq!(
            receive(&mut ms, &["户口本".into()], clerk())
                .unwrap_err()
                .field,
            "names[0]"
        );
        assert_eq!(receive(&mut ms, &[], clerk()).unwrap_err().field, "names");
    }
}
