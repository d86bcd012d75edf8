//! The leaders' reception rota (领导接访): one leader a working day, by the installation's
//! calendar (a holiday or a weekend without make-up work has no reception), taken in turns.

use crate::calendar::Calendar;
use crate::error::FieldError;
use crate::i18n::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A day of reception.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotaDay {
    pub day: NaiveDate,
    pub leader_id: i64,
}

/// The days checked: each a working day, none twice. The first problem is named by its entry.
pub fn check(days: Vec<RotaDay>, cal: &Calendar) -> Result<Vec<RotaDay>, FieldError> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, d) in days.iter().enumerate() {
        let name = format!("days[{i}].day");
        match cal.is_workday(d.day) {
            Ok(true) => {}
            Ok(false) => {
                return Err(FieldError::new(
                    name,
                    Text::new(
                        format!("{}不是工作日，不安排接访", d.day),
                        format!("{} is not a working day: no reception", d.day),
                    ),
                ));
            }
            Err(e) => return Err(FieldError::new(name, e.text())),
        }
        if !seen.insert(d.day) {
            return Err(FieldError::new(
                name,
                Text::new(
                    format!("{}已安排接访领导", d.day),
                    format!("{} already has its leader", d.day),
                ),
            ));
        }
    }
    Ok(days)
}

/// The leaders in turn over the working days from `from` to `to`, starting with the first.
pub fn in_turn(
    leaders: &[i64],
    from: NaiveDate,
    to: NaiveDate,
    cal: &Calendar,
) -> Result<Vec<RotaDay>, FieldError> {
    if leaders.is_empty() {
        return Err(FieldError::new(
            "leaders",
            Text::fixed("请指定轮值领导", "name the leaders who take turns"),
        ));
    }
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if cal
            .is_workday(d)
            .map_err(|e| FieldError::new("to", e.text()))?
        {
            out.push(RotaDay {
                day: d,
                leader_id: leaders[out.len() % leaders.len()],
            });
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn receptions_are_on_working_days_in_turn() {
        let cal = Calendar::builtin();
        // 2026-10-01 is National Day.
        let e = check(
            vec![
                RotaDay {
                    day: d(9, 30),
                    leader_id: 1,
                },
                RotaDay {
                    day: d(10, 1),
                    leader_id: 2,
                },
            ],
            &cal,
        )
        .unwrap_err();
        assert_eq!(e.field, "days[1].day");
        let twice = vec![
            RotaDay {
                day: d(9, 30),
                leader_id: 1,
            },
            RotaDay {
                day: d(9, 30),
                leader_id: 2,
            },
        ];
        assert_eq!(check(twice, &cal).unwrap_err().field, "days[1].day");
        // Thirteen leaders over the week of National Day: only working days, in turn.
        let leaders: Vec<i64> = (1..=13).collect();
        let rota = in_turn(&leaders, d(9, 28), d(10, 11), &cal).unwrap();
        assert!(rota.iter().all(|r| cal.is_workday(r.day) == Ok(true)));
        assert!(!rota.iter().any(|r| r.day == d(10, 1)));
        assert_eq!(rota[0].leader_id, 1);
        assert_eq!(rota[1].leader_id, 2);
        assert_eq!(
            in_turn(&[], d(9, 28), d(9, 30), &cal).unwrap_err().field,
            "leaders"
        );
    }
}
