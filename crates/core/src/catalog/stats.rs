//! Catalog statistics, computed from the guides themselves (never typed in): how many matters,
//! and what share can be done online, without a visit, in at most one visit, on the spot, in the
//! hall; and how far the promised limits compress the statutory ones.

use super::guide::Guide;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Share {
    pub count: usize,
    /// Percent of all matters, two decimals.
    pub percent: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct CatalogStats {
    pub matters: usize,
    /// 网办率: online or without a visit.
    pub online: Share,
    /// 不见面审批.
    pub no_visit: Share,
    /// 一次办 (最多跑一次): at most one visit.
    pub at_most_one_visit: Share,
    /// 即办 / 马上办.
    pub immediate: Share,
    /// 进驻率.
    pub stationed: Share,
    pub statutory_days: i64,
    pub promised_days: i64,
    /// 时限压缩率: 1 − promised ÷ statutory, in percent.
    pub time_compression_percent: f64,
    /// Matters per department id (JSON object keys are strings: `{"3": 70}`).
    #[schema(value_type = BTreeMap<String, usize>)]
    pub by_department: BTreeMap<i64, usize>,
}

fn percent(n: usize, of: usize) -> f64 {
    if of == 0 {
        return 0.0;
    }
    (n as f64 * 10_000.0 / of as f64).round() / 100.0
}

pub fn compute<'a>(guides: impl IntoIterator<Item = (i64, &'a Guide)>) -> CatalogStats {
    let mut s = CatalogStats::default();
    let (mut online, mut no_visit, mut once, mut immediate, mut stationed) = (0, 0, 0, 0, 0);
    for (dept, g) in guides {
        s.matters += 1;
        *s.by_department.entry(dept).or_default() += 1;
        online += usize::from(g.online());
        no_visit += usize::from(g.no_visit());
        once += usize::from(g.at_most_one_visit());
        immediate += usize::from(g.immediate());
        stationed += usize::from(g.stationed);
        s.statutory_days += g.statutory_days;
        s.promised_days += g.promised_days;
    }
    let share = |n| Share {
        count: n,
        percent: percent(n, s.matters),
    };
    s.online = share(online);
    s.no_visit = share(no_visit);
    s.at_most_one_visit = share(once);
    s.immediate = share(immediate);
    s.stationed = share(stationed);
    s.time_compression_percent = if s.statutory_days > 0 {
        ((1.0 - s.promised_days as f64 / s.statutory_days as f64) * 10_000.0).round() / 100.0
    } else {
        0.0
    };
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::guide::ServiceMode;
    use crate::catalog::guide::tests::sample;

    #[test]
    fn shares_are_counted_from_the_guides() {
        let a = sample(); // online, one visit, stationed, 3 of 10 days
        let mut b = sample();
        b.modes = vec![ServiceMode::Window, ServiceMode::Immediate];
        b.visits = 2;
        b.stationed = false;
        b.promised_days = 0;
        let mut c = sample();
        c.modes = vec![ServiceMode::NoVisit];
        c.visits = 0;
        let s = compute([(1, &a), (1, &b), (2, &c)]);
        assert_eq!(s.matters, 3);
        assert_eq!((s.online.count, s.online.percent), (2, 66.67));
        assert_eq!(s.no_visit.count, 1);
        assert_eq!(s.at_most_one_visit.count, 2);
        assert_eq!(s.immediate.count, 1);
        assert_eq!(s.stationed.count, 2);
        assert_eq!((s.statutory_days, s.promised_days), (30, 6));
        assert_eq!(s.time_compression_percent, 80.0);
        assert_eq!(s.by_department.get(&1), Some(&2));
    }

    #[test]
    fn the_seeds_figures_come_out_of_counts() {
        // 龙港区: 663 of 759 stationed, 554 one-visit, 199 no-visit, 694 online.
        assert_eq!(percent(663, 759), 87.35);
        assert_eq!(percent(554, 759), 72.99);
        assert_eq!(percent(199, 759), 26.22);
        assert_eq!(percent(694, 759), 91.44);
        assert_eq!(compute(std::iter::empty()).online.percent, 0.0);
    }
}
