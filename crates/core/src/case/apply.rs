//! A new application, checked: who applies, who files for them, how the result reaches them, and
//! whether the matter takes applications this way.

use super::{Agency, ApplicantInfo, ApplicantKind, Channel, DeliveryMethod, MaterialReceipt};
use crate::catalog::guide::{Applicant, Guide, ServiceMode};
use crate::error::FieldError;
use crate::i18n::Text;
use crate::validate::{id_card::IdCard, mobile, text, uscc};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

/// What an applicant (or the clerk, or the agent) fills in.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationInput {
    pub matter_code: String,
    pub channel: Channel,
    pub applicant: ApplicantInfo,
    #[serde(default)]
    pub agency: Option<Agency>,
    /// Empty: the guide's materials, none yet marked as provided.
    #[serde(default)]
    pub materials: Vec<MaterialReceipt>,
    #[serde(default)]
    pub note: Option<String>,
    pub delivery: DeliveryMethod,
    #[serde(default)]
    pub delivery_address: Option<String>,
    /// Materials to take from the applicant's licence library instead (免提交).
    #[serde(default)]
    pub licences: Vec<LicenceChoice>,
}

/// A licence picked for a material: by the holder applying, or at the window with the
/// holder's consent.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceChoice {
    pub material: String,
    pub licence_id: i64,
    /// At the window: the holder agreed to the licence being looked up (required there).
    #[serde(default)]
    pub consent: bool,
}

/// An application that passed every check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanApplication {
    pub channel: Channel,
    pub applicant: ApplicantInfo,
    pub agency: Option<Agency>,
    pub materials: Vec<MaterialReceipt>,
    pub note: Option<String>,
    pub delivery: DeliveryMethod,
    pub delivery_address: Option<String>,
    /// Checked against the library by the caller, who holds it.
    pub licences: Vec<LicenceChoice>,
}

fn err(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(field, Text::new(zh.into(), en.into()))
}

fn person_id(field: &str, v: &str, today: NaiveDate) -> Result<String, FieldError> {
    IdCard::parse(v, today)
        .map(|c| c.number)
        .map_err(|t| FieldError::new(field, t))
}

fn email(field: &str, v: Option<&str>) -> Result<Option<String>, FieldError> {
    let Some(v) = text::optional(field, v.unwrap_or(""), 100)? else {
        return Ok(None);
    };
    let ok = v.split_once('@').is_some_and(|(user, host)| {
        !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
    }) && !v.contains(char::is_whitespace);
    if ok {
        Ok(Some(v))
    } else {
        Err(err(field, "电子邮箱格式不正确", "not an e-mail address"))
    }
}

/// Checks and normalises the applicant: an ID card number for a person, a credit code for a
/// legal person, a mobile number for the notices.
pub fn clean_applicant(a: ApplicantInfo, today: NaiveDate) -> Result<ApplicantInfo, FieldError> {
    let name = text::required("applicant.name", &a.name, 100)?;
    let id_number = match a.kind {
        ApplicantKind::Person => person_id("applicant.id_number", &a.id_number, today)?,
        ApplicantKind::Legal => uscc::parse(&a.id_number)
            .map(|u| u.code)
            .map_err(|t| FieldError::new("applicant.id_number", t))?,
    };
    let phone = mobile::parse(&a.phone).map_err(|t| FieldError::new("applicant.phone", t))?;
    Ok(ApplicantInfo {
        kind: a.kind,
        name,
        id_number,
        phone,
        email: email("applicant.email", a.email.as_deref())?,
        address: text::optional("applicant.address", a.address.as_deref().unwrap_or(""), 200)?,
        needs_home_service: a.needs_home_service,
    })
}

pub fn clean_agency(a: Agency, today: NaiveDate) -> Result<Agency, FieldError> {
    Ok(Agency {
        name: text::required("agency.name", &a.name, 100)?,
        id_number: person_id("agency.id_number", &a.id_number, today)?,
        phone: mobile::parse(&a.phone).map_err(|t| FieldError::new("agency.phone", t))?,
        authorization: text::required("agency.authorization", &a.authorization, 500)?,
        user_id: a.user_id,
    })
}

/// The delivery method and address: post and home delivery need an address; home delivery is
/// for people who cannot come (老年人、残疾人等行动不便的群众).
pub fn clean_delivery(
    delivery: DeliveryMethod,
    address: Option<&str>,
    applicant: &ApplicantInfo,
) -> Result<Option<String>, FieldError> {
    let address = text::optional("delivery_address", address.unwrap_or(""), 200)?
        .or_else(|| applicant.address.clone());
    match delivery {
        DeliveryMethod::Window => Ok(address),
        DeliveryMethod::Post | DeliveryMethod::Home if address.is_none() => Err(err(
            "delivery_address",
            "邮寄或送证上门须填写送达地址",
            "post and home delivery need an address",
        )),
        DeliveryMethod::Home if !applicant.needs_home_service => Err(err(
            "delivery",
            "送证上门服务面向老年人、残疾人等行动不便的群众，请勾选“需要上门服务”",
            "home delivery is for the elderly and disabled; mark the applicant as needing home service",
        )),
        _ => Ok(address),
    }
}

impl ApplicationInput {
    /// Checks the application against the matter's guide.
    pub fn clean(self, guide: &Guide, today: NaiveDate) -> Result<CleanApplication, FieldError> {
        let applicant = clean_applicant(self.applicant, today)?;
        match (guide.applicant, applicant.kind) {
            (Applicant::Person, ApplicantKind::Legal) => {
                return Err(err(
                    "applicant.kind",
                    "该事项仅面向自然人",
                    "this matter is for persons only",
                ));
            }
            (Applicant::Legal, ApplicantKind::Person) => {
                return Err(err(
                    "applicant.kind",
                    "该事项仅面向法人",
                    "this matter is for legal persons only",
                ));
            }
            _ => {}
        }
        let agency = self.agency.map(|a| clean_agency(a, today)).transpose()?;
        if self.channel == Channel::Agent && agency.is_none() {
            return Err(err(
                "agency",
                "帮办代办须登记代办人和授权委托",
                "an agent filing needs the agent and the authorization",
            ));
        }
        if self.channel == Channel::Online
            && !guide
                .modes
                .iter()
                .any(|m| matches!(m, ServiceMode::Online | ServiceMode::NoVisit))
        {
            return Err(err(
                "channel",
                "该事项不支持网上申请，请到窗口办理",
                "this matter cannot be applied for online; please come to a window",
            ));
        }
        let delivery_address =
            clean_delivery(self.delivery, self.delivery_address.as_deref(), &applicant)?;
        let materials = if self.materials.is_empty() {
            super::materials::of_guide(guide)
        } else {
            let mut out = Vec::new();
            for (i, m) in self.materials.into_iter().enumerate() {
                out.push(MaterialReceipt {
                    name: text::required(&format!("materials[{i}].name"), &m.name, 200)?,
                    provided: m.provided,
                    note: text::optional(
                        &format!("materials[{i}].note"),
                        m.note.as_deref().unwrap_or(""),
                        500,
                    )?,
                    required: false,
                    shared: false,
                    received: None,
                    licence: None,
                });
            }
            // the guide's materials the list left out are still asked for
            for g in super::materials::of_guide(guide) {
                if !out.iter().any(|m| m.name == g.name) {
                    out.push(g);
                }
            }
            super::materials::apply_guide(&mut out, guide);
            out
        };
        Ok(CleanApplication {
            channel: self.channel,
            applicant,
            agency,
            materials,
            note: text::optional("note", self.note.as_deref().unwrap_or(""), 2000)?,
            delivery: self.delivery,
            delivery_address,
            licences: self.licences,
        })
    }
}

/// Where a new case belongs and the limits it runs under, taken from the published guide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    pub matter_id: i64,
    pub matter_code: String,
    pub matter_name: String,
    pub guide_version_id: i64,
    pub department_id: i64,
    pub region_id: i64,
    pub statutory_days: i64,
    pub promised_days: i64,
}

/// When and how the application came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intake {
    pub now: chrono::DateTime<chrono::Utc>,
    /// The working day it counts as received (see `Calendar::received_day`).
    pub received_on: NaiveDate,
    pub completeness_due: Option<NaiveDate>,
    pub applicant_user_id: Option<i64>,
    pub bundle_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub delivery_days: i64,
    /// The window that took the application in and received, on paper, the materials it ticked
    /// as provided (收件清单); `None` when the applicant filed it (online, a kiosk), whose
    /// declaration alone receives nothing.
    pub received_by: Option<(Option<i64>, String)>,
}

/// The new case, not yet numbered (the store numbers it when it writes it).
pub fn new_case(app: CleanApplication, p: &Placement, i: &Intake) -> super::Dossier {
    let case = super::Case {
        id: 0,
        number: String::new(),
        matter_id: p.matter_id,
        matter_code: p.matter_code.clone(),
        matter_name: p.matter_name.clone(),
        guide_version_id: p.guide_version_id,
        department_id: p.department_id,
        region_id: p.region_id,
        state: super::CaseState::Submitted,
        channel: app.channel,
        applicant: app.applicant,
        applicant_user_id: i.applicant_user_id,
        agency: app.agency,
        materials: {
            let mut ms = app.materials;
            if let Some((by_id, by_name)) = &i.received_by {
                for m in ms.iter_mut().filter(|m| m.provided) {
                    m.received = Some(super::PaperReceipt {
                        by_id: *by_id,
                        by_name: by_name.clone(),
                        at: i.now,
                    });
                }
            }
            ms
        },
        note: app.note,
        delivery: app.delivery,
        delivery_address: app.delivery_address,
        bundle_id: i.bundle_id,
        batch_id: i.batch_id,
        submitted_at: i.now,
        received_on: i.received_on,
        completeness_due: i.completeness_due,
        accepted_at: None,
        accepted_on: None,
        deemed_accepted: false,
        statutory_days: p.statutory_days,
        promised_days: p.promised_days,
        delivery_days: i.delivery_days,
        joint: false,
        extension: None,
        paused_days: 0,
        paused_since: None,
        statutory_due: None,
        promised_due: None,
        decision: None,
        decision_reason: None,
        decided_at: None,
        decided_on: None,
        delivery_due: None,
        used_days: None,
        yellow_on: None,
        red_on: None,
        step_red_on: None,
        clerk_id: None,
        window_id: None,
        concluded_at: None,
        concluded_on: None,
        delivered_at: None,
        tracking_number: None,
        delivery_note: None,
        closing_reason: None,
        version: 1,
        created_at: i.now,
        updated_at: i.now,
    };
    super::Dossier {
        case,
        steps: Vec::new(),
        pauses: Vec::new(),
        supplements: Vec::new(),
    }
}
