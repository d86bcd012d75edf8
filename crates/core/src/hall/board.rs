//! What the hall's screens show (叫号大屏 / 窗口屏): the current call of every window, who waits
//! in each category and for about how long, and the latest calls with the line the voice reads.

use super::queue::estimated_wait;
use super::ticket::announcement;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// How many recent service times of a category the estimate looks at.
pub const RECENT_SERVICES: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Board {
    pub hall_id: i64,
    pub day: NaiveDate,
    pub windows: Vec<WindowScreen>,
    pub queues: Vec<CategoryQueue>,
    /// The latest calls, newest first.
    pub recent: Vec<CallLine>,
}

/// One window's top screen (窗口屏).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct WindowScreen {
    pub window_id: i64,
    pub number: i64,
    pub label: Option<String>,
    pub paused: bool,
    /// The clerk who last worked the window today.
    pub clerk_id: Option<i64>,
    pub clerk_name: Option<String>,
    pub current: Option<CallLine>,
    pub served_today: i64,
}

/// Waiting in one category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CategoryQueue {
    pub category_id: i64,
    pub name: String,
    pub prefix: String,
    pub waiting: i64,
    /// Windows open for the category now.
    pub windows: i64,
    /// About how long a ticket taken now waits, in whole minutes (rounded up); `None` before the
    /// day's first service or with no window open.
    pub wait_minutes: Option<i64>,
}

/// A call as the board lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct CallLine {
    pub ticket_id: i64,
    pub number: String,
    pub window_id: i64,
    pub window_number: i64,
    pub called_at: DateTime<Utc>,
    pub recalls: i64,
    /// "请A001号到5号窗口办理", ready for the voice.
    pub announcement: String,
}

impl CallLine {
    pub fn new(
        ticket_id: i64,
        number: String,
        window_id: i64,
        window_number: i64,
        called_at: DateTime<Utc>,
        recalls: i64,
    ) -> CallLine {
        let announcement = announcement(&number, window_number).zh.into_owned();
        CallLine {
            ticket_id,
            number,
            window_id,
            window_number,
            called_at,
            recalls,
            announcement,
        }
    }
}

/// The expected wait, in minutes rounded up, for someone with `ahead` people before them, from
/// the category's recent service times (newest first; the first `RECENT_SERVICES` count).
pub fn wait_minutes(ahead: usize, recent: &[Duration], windows: usize) -> Option<i64> {
    let recent = &recent[..recent.len().min(RECENT_SERVICES)];
    estimated_wait(ahead, recent, windows).map(|d| d.as_secs().div_ceil(60) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_comes_from_recent_services_and_open_windows() {
        let mins = |m: u64| Duration::from_secs(m * 60);
        // Median of 4, 6, 8 minutes is 6; 5 ahead at 2 windows is 3 rounds.
        assert_eq!(wait_minutes(5, &[mins(4), mins(8), mins(6)], 2), Some(18));
        assert_eq!(wait_minutes(0, &[mins(4)], 1), Some(0));
        assert_eq!(wait_minutes(3, &[], 2), None, "no history yet");
        assert_eq!(wait_minutes(3, &[mins(4)], 0), None, "no window open");
        // Only the newest RECENT_SERVICES count: an old slow morning is forgotten.
        let mut recent = vec![mins(2); RECENT_SERVICES];
        recent.extend(vec![mins(30); 50]);
        assert_eq!(wait_minutes(1, &recent, 1), Some(2));
        // Seconds round up to a whole minute.
        assert_eq!(wait_minutes(1, &[Duration::from_secs(61)], 1), Some(2));
    }

    #[test]
    fn a_call_line_carries_its_announcement() {
        let l = CallLine::new(1, "A001".into(), 7, 5, Utc::now(), 0);
        assert_eq!(l.announcement, "请A001号到5号窗口办理");
    }
}
