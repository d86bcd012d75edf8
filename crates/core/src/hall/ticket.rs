//! Tickets (取号): their numbers, who goes first, and what a screen may show of a person.

use crate::i18n::Text;
use crate::validate::id_card::{self, IdCard};
use crate::vocabulary::vocabulary;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

/// Age from which a person is called before the ordinary queue (老年人优先).
pub const ELDERLY_AGE: u32 = 65;

vocabulary!(
    /// Why a ticket goes before others; `Ordinary` is arrival order.
    Priority {
        Green = ("green", "绿色通道", "green channel"),
        Appointment = ("appointment", "预约", "appointment"),
        Elderly = ("elderly", "老年人优先", "elderly (65+)"),
        Disabled = ("disabled", "残疾人优先", "disabled"),
        Ordinary = ("ordinary", "普通", "ordinary"),
    }
);

impl Priority {
    /// Lower is called first. The elderly and the disabled share a rank.
    pub fn rank(self) -> u8 {
        match self {
            Priority::Green => 0,
            Priority::Appointment => 1,
            Priority::Elderly | Priority::Disabled => 2,
            Priority::Ordinary => 3,
        }
    }
}

vocabulary!(
    /// Where a ticket stands.
    TicketState {
        Waiting = ("waiting", "等候中", "waiting"),
        Called = ("called", "已叫号", "called"),
        Finished = ("finished", "已办结", "finished"),
        NoShow = ("no_show", "过号", "no-show"),
        Cancelled = ("cancelled", "已取消", "cancelled"),
    }
);

vocabulary!(
    /// Where a ticket was taken.
    TicketSource {
        Kiosk = ("kiosk", "取号机", "kiosk"),
        Phone = ("phone", "手机取号", "phone"),
        Desk = ("desk", "导服台", "reception desk"),
        Appointment = ("appointment", "预约签到", "appointment check-in"),
    }
);

/// A ticket. The ID number and phone are kept for priority and appointments and leave the
/// platform masked only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Ticket {
    pub id: i64,
    pub hall_id: i64,
    pub category_id: i64,
    pub day: NaiveDate,
    pub number: String,
    pub priority: Priority,
    pub source: TicketSource,
    #[serde(serialize_with = "serialize_masked_id")]
    pub id_number: Option<String>,
    #[serde(serialize_with = "serialize_masked_phone")]
    pub phone: Option<String>,
    /// Arrival order in the hall; a transfer keeps it.
    pub arrival: i64,
    pub state: TicketState,
    /// Re-queued once after a no-show.
    pub requeued: bool,
    /// Transferred to this window: only it calls the ticket.
    pub for_window: Option<i64>,
    /// Opens the ticket's own page (people ahead, the wait); given to its holder only.
    #[serde(skip)]
    pub access_key: String,
    pub window_id: Option<i64>,
    pub clerk_id: Option<i64>,
    pub issued_at: DateTime<Utc>,
    pub called_at: Option<DateTime<Utc>>,
    /// The first call (the wait ends there; later calls after a no-show or a transfer do not
    /// count again).
    pub first_called_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub recalls: i64,
    pub version: i64,
}

fn serialize_masked_id<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    v.as_deref().map(id_card::mask).serialize(s)
}

fn serialize_masked_phone<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    v.as_deref().map(crate::validate::mobile::mask).serialize(s)
}

/// What a person says when taking a ticket, beyond the hall and category.
#[derive(Clone, Debug, Default)]
pub struct TicketClaims {
    pub id_number: Option<String>,
    /// Set by reception staff, never by the person: 残疾人 and 绿色通道 are checked at the desk.
    pub disabled: bool,
    pub green: bool,
    /// A checked-in appointment.
    pub appointment: bool,
}

/// The priority a ticket gets, and the ID card it was given with (checked). An ID number is
/// optional, but a wrong one is an error, not silently ignored.
pub fn priority_of(
    claims: &TicketClaims,
    today: NaiveDate,
) -> Result<(Priority, Option<IdCard>), Text> {
    let card = match claims.id_number.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => Some(IdCard::parse(n, today)?),
        _ => None,
    };
    let p = if claims.green {
        Priority::Green
    } else if claims.appointment {
        Priority::Appointment
    } else if card
        .as_ref()
        .is_some_and(|c| c.age_on(today) >= ELDERLY_AGE)
    {
        Priority::Elderly
    } else if claims.disabled {
        Priority::Disabled
    } else {
        Priority::Ordinary
    };
    Ok((p, card))
}

/// A ticket's number: the category's prefix and at least three digits (A001 … A999, A1000).
pub fn number(prefix: &str, seq: i64) -> String {
    format!("{prefix}{seq:03}")
}

/// A category prefix: one to three capital letters, as the hall's screens and printers take.
pub fn check_prefix(prefix: &str) -> Result<String, Text> {
    let p = prefix.trim().to_ascii_uppercase();
    if (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(p)
    } else {
        Err(Text::new(
            format!("号码前缀“{prefix}”应为1至3个英文字母"),
            format!("ticket prefix '{prefix}' must be one to three letters"),
        ))
    }
}

/// The line the hall's voice announces (叫号播报).
pub fn announcement(number: &str, window_number: i64) -> Text {
    Text::new(
        format!("请{number}号到{window_number}号窗口办理"),
        format!("Ticket {number}, please go to window {window_number}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    // Born 1949-12-31 (GB 11643 example with a valid check character).
    const BORN_1949: &str = "11010519491231002X";

    #[test]
    fn the_elderly_are_known_from_the_id_number_on_the_day() {
        let claims = TicketClaims {
            id_number: Some(BORN_1949.into()),
            ..Default::default()
        };
        // 65 on 2014-12-31, not the day before.
        let (p, card) = priority_of(&claims, day(2014, 12, 30)).unwrap();
        assert_eq!(p, Priority::Ordinary);
        assert!(card.is_some());
        let (p, _) = priority_of(&claims, day(2014, 12, 31)).unwrap();
        assert_eq!(p, Priority::Elderly);
    }

    #[test]
    fn staff_flags_outrank_age_and_a_wrong_id_is_refused() {
        let today = day(2026, 3, 2);
        let green = TicketClaims {
            id_number: Some(BORN_1949.into()),
            green: true,
            ..Default::default()
        };
        assert_eq!(priority_of(&green, today).unwrap().0, Priority::Green);
        let appointment = TicketClaims {
            appointment: true,
            disabled: true,
            ..Default::default()
        };
        assert_eq!(
            priority_of(&appointment, today).unwrap().0,
            Priority::Appointment
        );
        let disabled = TicketClaims {
            disabled: true,
            ..Default::default()
        };
        assert_eq!(priority_of(&disabled, today).unwrap().0, Priority::Disabled);
        let wrong = TicketClaims {
            id_number: Some("110105194912310021".into()),
            ..Default::default()
        };
        assert!(priority_of(&wrong, today).is_err());
        let blank = TicketClaims {
            id_number: Some("  ".into()),
            ..Default::default()
        };
        assert_eq!(
            priority_of(&blank, today).unwrap(),
            (Priority::Ordinary, None)
        );
    }

    #[test]
    fn a_ticket_leaves_the_platform_with_its_id_and_phone_masked() {
        let t = Ticket {
            id: 1,
            hall_id: 1,
            category_id: 1,
            day: day(2026, 3, 2),
            number: "A001".into(),
            priority: Priority::Elderly,
            source: TicketSource::Kiosk,
            id_number: Some(BORN_1949.into()),
            phone: Some("13912345678".into()),
            arrival: 1,
            state: TicketState::Waiting,
            requeued: false,
            for_window: None,
            access_key: "k".into(),
            window_id: None,
            clerk_id: None,
            issued_at: chrono::Utc::now(),
            called_at: None,
            first_called_at: None,
            finished_at: None,
            recalls: 0,
            version: 1,
        };
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["id_number"], "110***********002X");
        assert_ne!(v["phone"], "13912345678");
        assert_eq!(v["priority"], "elderly");
        assert!(!v.to_string().contains(BORN_1949));
        assert!(
            v.get("access_key").is_none(),
            "the key goes to the holder only"
        );
    }

    #[test]
    fn numbers_prefixes_masks_and_announcements() {
        assert_eq!(number("A", 1), "A001");
        assert_eq!(number("B", 42), "B042");
        assert_eq!(number("C", 1000), "C1000");
        assert_eq!(check_prefix(" a ").unwrap(), "A");
        assert_eq!(check_prefix("GJJ").unwrap(), "GJJ");
        assert!(check_prefix("").is_err());
        assert!(check_prefix("A1").is_err());
        assert!(check_prefix("ABCD").is_err());
        assert_eq!(id_card::mask(BORN_1949), "110***********002X");
        assert_eq!(announcement("A001", 5).zh, "请A001号到5号窗口办理");
        assert!(Priority::Green.rank() < Priority::Appointment.rank());
        assert_eq!(Priority::Elderly.rank(), Priority::Disabled.rank());
        assert_eq!(TicketState::parse("过号"), Some(TicketState::NoShow));
    }
}
