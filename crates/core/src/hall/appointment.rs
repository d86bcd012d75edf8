//! Appointments (预约): each category offers the same slots every working day (its slot plan),
//! each slot with a capacity. A person books with her ID number, may cancel or move the booking,
//! and checks in on arrival, which gives her a ticket with the appointment's priority. A booking
//! not checked in by the end of its slot is a no-show.

use crate::calendar::{Calendar, parse_time};
use crate::error::{DomainError, FieldError};
use crate::i18n::Text;
use crate::validate::{id_card, mobile, text};
use crate::vocabulary::vocabulary;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

/// How many working days ahead a slot can be booked (today included).
pub const BOOK_AHEAD_WORKDAYS: i64 = 7;
/// Bookings one person may hold at once.
pub const PER_PERSON_ACTIVE: i64 = 3;
/// No-shows within `NO_SHOW_DAYS` days after which a person may not book.
pub const NO_SHOW_LIMIT: i64 = 3;
pub const NO_SHOW_DAYS: i64 = 30;
/// Check-in opens this many minutes before the slot and closes at its end.
pub const CHECK_IN_EARLY_MINUTES: i64 = 30;

/// One slot of a category's day.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotPlan {
    /// "HH:MM"
    pub starts: String,
    /// "HH:MM"
    pub ends: String,
    pub capacity: i64,
}

/// Whether every slot of a (clean) plan lies within the hall's hours and outside its lunch
/// break: booking offers only times the hall serves. The first that does not is named.
pub fn plan_within_hours(plan: &[SlotPlan], hall: &crate::org::Hall) -> Result<(), FieldError> {
    let (Some(o), Some(c)) = (
        crate::calendar::parse_time(&hall.opens),
        crate::calendar::parse_time(&hall.closes),
    ) else {
        return Ok(());
    };
    let lunch = hall.lunch();
    for (i, s) in plan.iter().enumerate() {
        let (Some(a), Some(b)) = (
            crate::calendar::parse_time(&s.starts),
            crate::calendar::parse_time(&s.ends),
        ) else {
            continue;
        };
        let outside = a < o || b > c;
        let at_lunch = lunch.is_some_and(|(la, lb)| a < lb && b > la);
        if outside || at_lunch {
            return Err(FieldError::new(
                format!("slots[{i}]"),
                Text::new(
                    format!(
                        "时段{}-{}不在大厅办公时间（{}）内",
                        s.starts,
                        s.ends,
                        hall.hours_text()
                    ),
                    format!(
                        "the slot {}-{} lies outside the hall's hours ({})",
                        s.starts,
                        s.ends,
                        hall.hours_text()
                    ),
                ),
            ));
        }
    }
    Ok(())
}

/// A plan as given: times well-formed, in order, not overlapping, capacities 1–500; at most 48
/// slots.
pub fn clean_plan(mut plan: Vec<SlotPlan>) -> Result<Vec<SlotPlan>, FieldError> {
    let bad = |zh: String, en: String| FieldError::new("slots", Text::new(zh, en));
    if plan.len() > 48 {
        return Err(bad(
            "一天最多48个时段".into(),
            "at most 48 slots a day".into(),
        ));
    }
    for s in &mut plan {
        let (Some(a), Some(b)) = (parse_time(&s.starts), parse_time(&s.ends)) else {
            return Err(bad(
                format!("时段“{}–{}”的时间应为时:分", s.starts, s.ends),
                format!("slot '{}–{}' needs HH:MM times", s.starts, s.ends),
            ));
        };
        if a >= b {
            return Err(bad(
                format!("时段“{}–{}”的结束时间应晚于开始时间", s.starts, s.ends),
                format!("slot '{}–{}' ends before it starts", s.starts, s.ends),
            ));
        }
        if !(1..=500).contains(&s.capacity) {
            return Err(bad(
                format!("时段“{}–{}”的可预约人数应为1至500", s.starts, s.ends),
                format!("slot '{}–{}' takes 1 to 500 people", s.starts, s.ends),
            ));
        }
        s.starts = a.format("%H:%M").to_string();
        s.ends = b.format("%H:%M").to_string();
    }
    plan.sort_by(|a, b| a.starts.cmp(&b.starts));
    for w in plan.windows(2) {
        if w[1].starts < w[0].ends {
            return Err(bad(
                format!(
                    "时段“{}–{}”与“{}–{}”重叠",
                    w[0].starts, w[0].ends, w[1].starts, w[1].ends
                ),
                format!(
                    "slots {}–{} and {}–{} overlap",
                    w[0].starts, w[0].ends, w[1].starts, w[1].ends
                ),
            ));
        }
    }
    Ok(plan)
}

vocabulary!(
    /// Where a booking stands.
    AppointmentState {
        Booked = ("booked", "已预约", "booked"),
        CheckedIn = ("checked_in", "已签到", "checked in"),
        Cancelled = ("cancelled", "已取消", "cancelled"),
        NoShow = ("no_show", "爽约", "no-show"),
    }
);

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Appointment {
    pub id: i64,
    pub hall_id: i64,
    pub category_id: i64,
    pub day: NaiveDate,
    pub starts: String,
    pub ends: String,
    pub name: String,
    #[serde(serialize_with = "masked_id")]
    pub id_number: String,
    #[serde(serialize_with = "masked_phone")]
    pub phone: Option<String>,
    pub state: AppointmentState,
    /// The ticket given at check-in.
    pub ticket_id: Option<i64>,
    /// The booking's secret: to see, cancel or move it; given to the person only.
    #[serde(skip)]
    pub code: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

fn masked_id<S: Serializer>(v: &str, s: S) -> Result<S::Ok, S::Error> {
    id_card::mask(v).serialize(s)
}

fn masked_phone<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    v.as_deref().map(mobile::mask).serialize(s)
}

/// A booking as a person asks for it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointment {
    pub category_id: i64,
    pub day: NaiveDate,
    /// The slot's start, "HH:MM".
    pub starts: String,
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub phone: Option<String>,
}

/// Whether `day` can be booked on `today`: a working day of the calendar, from today up to
/// `BOOK_AHEAD_WORKDAYS` working days on.
pub fn check_day(cal: &Calendar, today: NaiveDate, day: NaiveDate) -> Result<(), FieldError> {
    let bad = |zh: String, en: String| FieldError::new("day", Text::new(zh, en));
    if day < today {
        return Err(bad(format!("{day}已过"), format!("{day} has passed")));
    }
    let workday = cal
        .is_workday(day)
        .map_err(|e| FieldError::new("day", e.text()))?;
    if !workday {
        return Err(bad(
            format!("{day}不是工作日，大厅不办理业务"),
            format!("{day} is not a working day"),
        ));
    }
    let last = cal
        .add_workdays(today, BOOK_AHEAD_WORKDAYS - 1)
        .map_err(|e| FieldError::new("day", e.text()))?;
    if day > last {
        return Err(bad(
            format!("只能预约{BOOK_AHEAD_WORKDAYS}个工作日内（至{last}）"),
            format!("bookings reach {BOOK_AHEAD_WORKDAYS} working days ahead (to {last})"),
        ));
    }
    Ok(())
}

/// The bookable days from `today`: the next `BOOK_AHEAD_WORKDAYS` working days.
pub fn bookable_days(cal: &Calendar, today: NaiveDate) -> Vec<NaiveDate> {
    let mut days = Vec::new();
    let mut d = today;
    for _ in 0..40 {
        if days.len() as i64 >= BOOK_AHEAD_WORKDAYS {
            break;
        }
        if cal.is_workday(d).unwrap_or(false) {
            days.push(d);
        }
        d = d.succ_opt().unwrap_or(d);
    }
    days
}

impl NewAppointment {
    /// The booking with its checked fields, or the first wrong one. The day is checked against
    /// the calendar separately ([`check_day`]), the slot against the plan by the store.
    pub fn clean(self, today: NaiveDate) -> Result<NewAppointment, FieldError> {
        let card = id_card::IdCard::parse(self.id_number.trim(), today)
            .map_err(|t| FieldError::new("id_number", t))?;
        let phone = match self.phone.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => {
                Some(mobile::parse(p).map_err(|t| FieldError::new("phone", t))?)
            }
            _ => None,
        };
        let starts = parse_time(&self.starts)
            .ok_or_else(|| {
                FieldError::new(
                    "starts",
                    Text::new(
                        format!("时段“{}”应为时:分", self.starts),
                        format!("slot '{}' must be HH:MM", self.starts),
                    ),
                )
            })?
            .format("%H:%M")
            .to_string();
        Ok(NewAppointment {
            name: text::required("name", &self.name, 50)?,
            id_number: card.number,
            phone,
            starts,
            ..self
        })
    }
}

/// Whether a booking may be checked in at `now` (China time): on its day, from
/// `CHECK_IN_EARLY_MINUTES` before the slot to its end.
pub fn check_in_window(a: &Appointment, now: NaiveDateTime) -> Result<(), DomainError> {
    if a.state != AppointmentState::Booked {
        return Err(DomainError::conflict(
            "appointment",
            format!("该预约{}，不能签到", a.state.name().zh),
            format!(
                "this booking is {}; it cannot be checked in",
                a.state.name().en
            ),
        ));
    }
    let (Some(s), Some(e)) = (parse_time(&a.starts), parse_time(&a.ends)) else {
        return Err(DomainError::conflict(
            "appointment",
            "预约时段有误",
            "the booking's slot is wrong",
        ));
    };
    let opens = a.day.and_time(s) - chrono::Duration::minutes(CHECK_IN_EARLY_MINUTES);
    let closes = a.day.and_time(e);
    if now < opens {
        return Err(DomainError::conflict(
            "appointment",
            format!(
                "请于{}{}前{CHECK_IN_EARLY_MINUTES}分钟内签到",
                a.day, a.starts
            ),
            format!(
                "check in from {CHECK_IN_EARLY_MINUTES} minutes before {} {}",
                a.day, a.starts
            ),
        ));
    }
    if now >= closes {
        return Err(DomainError::conflict(
            "appointment",
            "预约时段已过，请重新取号或预约",
            "the booked slot has passed; take a ticket or book again",
        ));
    }
    Ok(())
}

/// Whether a booking may still be cancelled or moved: booked, and its slot not begun.
pub fn check_changeable(a: &Appointment, now: NaiveDateTime) -> Result<(), DomainError> {
    if a.state != AppointmentState::Booked {
        return Err(DomainError::conflict(
            "appointment",
            format!("该预约{}，不能更改", a.state.name().zh),
            format!(
                "this booking is {}; it cannot be changed",
                a.state.name().en
            ),
        ));
    }
    let starts = parse_time(&a.starts).map(|t| a.day.and_time(t));
    if starts.is_some_and(|s| now >= s) {
        return Err(DomainError::conflict(
            "appointment",
            "预约时段已开始，不能取消或改约",
            "the slot has begun; the booking can no longer be changed",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn slot(a: &str, b: &str, c: i64) -> SlotPlan {
        SlotPlan {
            starts: a.into(),
            ends: b.into(),
            capacity: c,
        }
    }

    #[test]
    fn plans_are_ordered_well_formed_and_without_overlap() {
        let p = clean_plan(vec![slot("10:00", "11:00", 5), slot("9:00", "10:00", 5)]).unwrap();
        assert_eq!(p[0].starts, "09:00");
        assert!(clean_plan(vec![slot("09:00", "10:30", 5), slot("10:00", "11:00", 5)]).is_err());
        assert!(clean_plan(vec![slot("10:00", "09:00", 5)]).is_err());
        assert!(clean_plan(vec![slot("09:00", "10:00", 0)]).is_err());
        assert!(clean_plan(vec![slot("9点", "10:00", 3)]).is_err());
        assert_eq!(clean_plan(vec![]).unwrap(), vec![]);
    }

    #[test]
    fn days_are_working_days_within_reach() {
        let cal = Calendar::builtin();
        // Friday 2026-02-13; the Spring Festival holiday runs 15–23 February, with Saturday
        // 14 February and Saturday 28 February worked.
        let today = d(2026, 2, 13);
        let days = bookable_days(&cal, today);
        assert_eq!(days.len() as i64, BOOK_AHEAD_WORKDAYS);
        assert_eq!(days[0], today);
        assert!(days.iter().all(|x| cal.is_workday(*x).unwrap()));
        assert!(check_day(&cal, today, d(2026, 2, 12)).is_err(), "past");
        assert!(check_day(&cal, today, d(2026, 2, 17)).is_err(), "holiday");
        assert!(check_day(&cal, today, *days.last().unwrap()).is_ok());
        let beyond = cal.add_workdays(*days.last().unwrap(), 1).unwrap();
        assert_eq!(check_day(&cal, today, beyond).unwrap_err().field, "day");
    }

    #[test]
    fn a_booking_checks_its_fields_and_its_times() {
        let today = d(2026, 3, 2);
        let new = |id: &str, starts: &str| NewAppointment {
            category_id: 1,
            day: today,
            starts: starts.into(),
            name: "张三".into(),
            id_number: id.into(),
            phone: Some(" 13912345678 ".into()),
        };
        let ok = new("11010519491231002X", "9:00").clean(today).unwrap();
        assert_eq!(
            (ok.starts.as_str(), ok.phone.as_deref()),
            ("09:00", Some("13912345678"))
        );
        assert_eq!(
            new("110105194912310021", "09:00")
                .clean(today)
                .unwrap_err()
                .field,
            "id_number"
        );
        assert_eq!(
            new("11010519491231002X", "九点")
                .clean(today)
                .unwrap_err()
                .field,
            "starts"
        );
        let a = Appointment {
            id: 1,
            hall_id: 1,
            category_id: 1,
            day: today,
            starts: "10:00".into(),
            ends: "11:00".into(),
            name: "张三".into(),
            id_number: "11010519491231002X".into(),
            phone: None,
            state: AppointmentState::Booked,
            ticket_id: None,
            code: "c".into(),
            created_at: Utc::now(),
            version: 1,
        };
        let at = |h: u32, m: u32| today.and_hms_opt(h, m, 0).unwrap();
        assert!(check_in_window(&a, at(9, 29)).is_err(), "too early");
        assert!(check_in_window(&a, at(9, 30)).is_ok());
        assert!(check_in_window(&a, at(10, 59)).is_ok());
        assert!(check_in_window(&a, at(11, 0)).is_err(), "too late");
        assert!(check_changeable(&a, at(9, 59)).is_ok());
        assert!(check_changeable(&a, at(10, 0)).is_err());
        let done = Appointment {
            state: AppointmentState::CheckedIn,
            ..a
        };
        assert!(check_in_window(&done, at(10, 0)).is_err());
        let v = serde_json::to_value(&done).unwrap();
        assert_eq!(v["id_number"], "110***********002X");
        assert!(v.get("code").is_none());
    }
}
