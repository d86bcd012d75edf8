//! What surrounds a case: the guarantor's meetings on a major backlog case (包保), the leaders'
//! receptions (接访) tied to cases, and hardship aid (救助) or legal-aid referrals (法律援助) with
//! their amounts and outcomes.

use crate::error::FieldError;
use crate::validate::text;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

fn not_future(name: &str, d: NaiveDate, today: NaiveDate) -> Result<(), FieldError> {
    if d > today {
        return Err(FieldError::text(
            name,
            "日期不能晚于今天（事后登记）",
            "recorded after the fact",
        ));
    }
    Ok(())
}

/// A guarantor's meeting on a case (包保调度会).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Meeting {
    pub held_on: NaiveDate,
    pub attendees: String,
    pub notes: String,
}

impl Meeting {
    pub fn check(self, today: NaiveDate) -> Result<Meeting, FieldError> {
        not_future("held_on", self.held_on, today)?;
        Ok(Meeting {
            held_on: self.held_on,
            attendees: text::required("attendees", &self.attendees, 500)?,
            notes: text::required("notes", &self.notes, 4000)?,
        })
    }
}

/// A reception by the day's leader (领导接访), tied to a case when there is one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reception {
    pub day: NaiveDate,
    pub leader_id: i64,
    pub visitor: String,
    pub matter: String,
    #[serde(default)]
    pub petition_id: Option<i64>,
    #[serde(default)]
    pub notes: String,
}

impl Reception {
    pub fn check(self, today: NaiveDate) -> Result<Reception, FieldError> {
        not_future("day", self.day, today)?;
        Ok(Reception {
            visitor: text::required("visitor", &self.visitor, 50)?,
            matter: text::required("matter", &self.matter, 500)?,
            notes: text::optional("notes", &self.notes, 4000)?.unwrap_or_default(),
            ..self
        })
    }
}

vocabulary!(
    /// What help a petitioner got besides the answer to the case.
    AidKind {
        /// 困难救助: money.
        Hardship = ("hardship", "困难救助", "hardship aid"),
        /// 法律援助: a referral to legal aid.
        Legal = ("legal", "法律援助", "legal aid"),
    }
);

/// Aid given or a referral made, with what came of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Aid {
    pub kind: AidKind,
    /// In fen; more than zero for hardship aid, zero for a referral.
    #[serde(default)]
    pub amount_fen: i64,
    pub decided_on: NaiveDate,
    pub outcome: String,
}

impl Aid {
    pub fn check(self, today: NaiveDate) -> Result<Aid, FieldError> {
        not_future("decided_on", self.decided_on, today)?;
        match self.kind {
            AidKind::Hardship if self.amount_fen <= 0 => {
                return Err(FieldError::text(
                    "amount_fen",
                    "困难救助须写明金额",
                    "hardship aid states its amount",
                ));
            }
            AidKind::Legal if self.amount_fen != 0 => {
                return Err(FieldError::text(
                    "amount_fen",
                    "法律援助转介不涉及金额",
                    "a legal-aid referral has no amount",
                ));
            }
            _ => {}
        }
        Ok(Aid {
            outcome: text::required("outcome", &self.outcome, 2000)?,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn meetings_receptions_and_aid_are_checked() {
        let m = Meeting {
            held_on: d(6, 2),
            attendees: "包保领导、信访局、自然资源局".into(),
            notes: "明确三日内出具确权意见".into(),
        };
        assert_eq!(m.clone().check(d(6, 1)).unwrap_err().field, "held_on");
        assert!(m.check(d(6, 2)).is_ok());
        let r = Reception {
            day: d(6, 2),
            leader_id: 1,
            visitor: " 王大爷 ".into(),
            matter: "宅基地确权".into(),
            petition_id: Some(3),
            notes: String::new(),
        };
        assert_eq!(r.clone().check(d(6, 2)).unwrap().visitor, "王大爷");
        let mut blank = r;
        blank.matter = String::new();
        assert_eq!(blank.check(d(6, 2)).unwrap_err().field, "matter");
        let aid = |kind, amount_fen| Aid {
            kind,
            amount_fen,
            decided_on: d(6, 2),
            outcome: "已发放".into(),
        };
        assert_eq!(
            aid(AidKind::Hardship, 0).check(d(6, 2)).unwrap_err().field,
            "amount_fen"
        );
        assert_eq!(
            aid(AidKind::Legal, 100).check(d(6, 2)).unwrap_err().field,
            "amount_fen"
        );
        assert!(aid(AidKind::Hardship, 200_000).check(d(6, 2)).is_ok());
        assert!(aid(AidKind::Legal, 0).check(d(6, 2)).is_ok());
        let mut no = aid(AidKind::Legal, 0);
        no.outcome = " ".into();
        assert_eq!(no.check(d(6, 2)).unwrap_err().field, "outcome");
    }
}
