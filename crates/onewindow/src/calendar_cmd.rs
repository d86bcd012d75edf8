//! `onewindow calendar …`: working-day questions from the command line.

use crate::cli::CalendarWhat;
use chrono::{Datelike, NaiveDate};
use onewindow_core::calendar::Calendar;
use std::process::ExitCode;

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("“{s}”不是 YYYY-MM-DD 格式的日期 ('{s}' is not a YYYY-MM-DD date)"))
}

fn fail(e: onewindow_core::calendar::CalendarError) -> String {
    let t = e.text();
    format!("{} ({})", t.zh, t.en)
}

/// The built-in calendar, or the installation's when a database is named.
async fn calendar(database_url: Option<&str>) -> Result<Calendar, String> {
    match database_url {
        None => Ok(Calendar::builtin()),
        Some(url) => {
            let store = onewindow_store::open(url)
                .await
                .map_err(|e| e.to_string())?;
            store.migrate().await.map_err(|e| e.to_string())?;
            let years = store.calendar_years().await.map_err(|e| e.to_string());
            store.close().await;
            Ok(Calendar::new(&years?))
        }
    }
}

/// Answers on standard output; a question without an answer (bad input, unknown year) is
/// explained on standard error with exit code 1.
pub async fn run(what: &CalendarWhat, database_url: Option<&str>) -> Result<ExitCode, String> {
    let cal = calendar(database_url).await?;
    match answer(&cal, what) {
        Ok(s) => {
            println!("{s}");
            // The answer stays what scripts read; that it is provisional goes beside it.
            if let Some(y) = provisional(&cal, what) {
                eprintln!(
                    "暂定：{y}年的节假日安排通知尚未录入，按法定节假日计算，调休上班日未计                      (provisional: {y}'s holiday notice has not been entered; computed from the                      statutory holidays, without make-up working days)"
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(ExitCode::from(1))
        }
    }
}

/// The first provisional year an answer reads, if any.
fn provisional(cal: &Calendar, what: &CalendarWhat) -> Option<i32> {
    let day = |s: &str| date(s).ok();
    match what {
        CalendarWhat::IsWorkday { date: d } => day(d).and_then(|d| cal.provisional_between(d, d)),
        CalendarWhat::AddWorkdays { date: d, n } => {
            let d = day(d)?;
            let end = cal.add_workdays(d, n.trim().parse().ok()?).ok()?;
            cal.provisional_between(d, end)
        }
        CalendarWhat::Between { from, to } => cal.provisional_between(day(from)?, day(to)?),
        CalendarWhat::Show { year } => cal.is_provisional(*year).then_some(*year),
    }
}

fn answer(cal: &Calendar, what: &CalendarWhat) -> Result<String, String> {
    match what {
        CalendarWhat::IsWorkday { date: d } => cal
            .is_workday(date(d)?)
            .map(|w| w.to_string())
            .map_err(fail),
        CalendarWhat::AddWorkdays { date: d, n } => {
            let n: i64 = n
                .trim()
                .parse()
                .map_err(|_| format!("“{n}”不是整数 ('{n}' is not a whole number)"))?;
            cal.add_workdays(date(d)?, n)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .map_err(fail)
        }
        CalendarWhat::Between { from, to } => cal
            .workdays_between(date(from)?, date(to)?)
            .map(|n| n.to_string())
            .map_err(fail),
        CalendarWhat::Show { year } => {
            let mut lines = Vec::new();
            let mut d = NaiveDate::from_ymd_opt(*year, 1, 1).ok_or("bad year")?;
            while d.year() == *year {
                let worked = cal.is_workday(d).map_err(fail)?;
                let weekend = matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun);
                if worked && weekend {
                    lines.push(format!("{d} 调休上班 (make-up working day)"));
                } else if !worked && !weekend {
                    lines.push(format!(
                        "{d} {} 放假 (holiday)",
                        cal.holiday(d).unwrap_or("")
                    ));
                }
                d = d.succ_opt().ok_or("bad date")?;
            }
            Ok(lines.join("\n"))
        }
    }
}
