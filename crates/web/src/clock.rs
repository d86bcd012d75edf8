//! The platform's "now". Real time, optionally moved to start at a chosen instant: tests and
//! demonstrations of the hall need a working morning whatever the hour they run at, and the
//! clock keeps running from there so that service times stay real.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, Default)]
pub struct Clock {
    offset: Duration,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that reads `start` now and runs on at the normal pace.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock {
            offset: start - Utc::now(),
        }
    }

    /// Now, at the precision both databases keep (microseconds).
    pub fn now(&self) -> DateTime<Utc> {
        let t = Utc::now() + self.offset;
        DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
    }

    pub fn is_moved(&self) -> bool {
        !self.offset.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_clock_starts_where_asked_and_keeps_running() {
        let start = DateTime::parse_from_rfc3339("2026-03-02T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let c = Clock::starting_at(start);
        let a = c.now();
        assert!((a - start).num_seconds().abs() < 5, "{a} vs {start}");
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert!(c.now() > a);
        assert_eq!(
            a.timestamp_subsec_nanos() % 1000,
            0,
            "microseconds, as stored"
        );
        assert!(c.is_moved());
        assert!(!Clock::system().is_moved());
        assert!((Clock::system().now() - Utc::now()).num_seconds().abs() < 5);
    }
}
