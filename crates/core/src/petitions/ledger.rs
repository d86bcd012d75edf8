//! The petition ledgers (台账): the backlog (存量积案) and the new cases, each with how many were
//! resolved and the rate, by period and region — the seeds' "58 of 62" and "41 of 47".

use super::case::Ledger;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What the ledger needs of a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    /// The region (or other unit) it is counted under.
    pub unit: i64,
    pub ledger: Ledger,
    pub taken_on: NaiveDate,
    pub resolved_on: Option<NaiveDate>,
}

/// One ledger's line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Line {
    pub cases: i64,
    pub resolved: i64,
}

impl Line {
    /// Resolved per case, in per cent with two decimals (the seeds' 93.55 %), if there are cases.
    pub fn rate(&self) -> Option<f64> {
        (self.cases > 0)
            .then(|| (self.resolved as f64 * 10000.0 / self.cases as f64).round() / 100.0)
    }
}

/// A unit's two ledgers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Ledgers {
    pub backlog: Line,
    pub new: Line,
}

impl Ledgers {
    /// Adds another unit's lines: the ledgers of an area and its total.
    pub fn add(&mut self, other: &Ledgers) {
        self.backlog.cases += other.backlog.cases;
        self.backlog.resolved += other.backlog.resolved;
        self.new.cases += other.new.cases;
        self.new.resolved += other.new.resolved;
    }
}

/// The ledgers of each unit over the days `from` to `to`: the backlog is the stock on the books by
/// `to` and how much of it is resolved by then; the new cases are those taken in during the
/// period and how many of them are resolved by `to`.
pub fn tally(cases: &[CaseFacts], from: NaiveDate, to: NaiveDate) -> BTreeMap<i64, Ledgers> {
    let mut out: BTreeMap<i64, Ledgers> = BTreeMap::new();
    for c in cases {
        let line = match c.ledger {
            Ledger::Backlog if c.taken_on <= to => &mut out.entry(c.unit).or_default().backlog,
            Ledger::New if c.taken_on >= from && c.taken_on <= to => {
                &mut out.entry(c.unit).or_default().new
            }
            _ => continue,
        };
        line.cases += 1;
        if c.resolved_on.is_some_and(|r| r <= to) {
            line.resolved += 1;
        }
    }
    out
}

/// One aid decision, under its case's unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AidFacts {
    pub unit: i64,
    pub petition_id: i64,
    pub kind: super::support::AidKind,
    pub amount_fen: i64,
}

/// Hardship aid and legal-aid referrals in a period: the seeds' "救助困难信访人37人，发放信访救助资金
/// 100多万元" counts people (cases) once however often they were helped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct AidTotals {
    pub hardship_cases: i64,
    pub hardship_fen: i64,
    pub legal_referrals: i64,
}

pub fn aid_totals<'a>(facts: impl IntoIterator<Item = &'a AidFacts>) -> AidTotals {
    use super::support::AidKind;
    let mut helped = std::collections::BTreeSet::new();
    let mut t = AidTotals::default();
    for f in facts {
        match f.kind {
            AidKind::Hardship => {
                helped.insert(f.petition_id);
                t.hardship_fen += f.amount_fen;
            }
            AidKind::Legal => t.legal_referrals += 1,
        }
    }
    t.hardship_cases = helped.len() as i64;
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn the_seeds_ledgers_count_by_hand() {
        let mut cases = Vec::new();
        // 62 backlog cases, 58 resolved (one only after the period); 47 new in June, 41 resolved;
        // a new case of May is outside June's new ledger.
        for i in 0..62 {
            cases.push(CaseFacts {
                unit: 1,
                ledger: Ledger::Backlog,
                taken_on: d(1, 5),
                resolved_on: match i {
                    0..57 => Some(d(5, 1)),
                    57 => Some(d(6, 30)),
                    58 => Some(d(7, 2)),
                    _ => None,
                },
            });
        }
        for i in 0..47 {
            cases.push(CaseFacts {
                unit: 2,
                ledger: Ledger::New,
                taken_on: d(6, 3),
                resolved_on: (i < 41).then(|| d(6, 20)),
            });
        }
        cases.push(CaseFacts {
            unit: 2,
            ledger: Ledger::New,
            taken_on: d(5, 20),
            resolved_on: None,
        });
        let june = tally(&cases, d(6, 1), d(6, 30));
        assert_eq!(
            june[&1].backlog,
            Line {
                cases: 62,
                resolved: 58
            }
        );
        assert_eq!(
            june[&2].new,
            Line {
                cases: 47,
                resolved: 41
            }
        );
        assert_eq!(june[&1].backlog.rate(), Some(93.55));
        assert_eq!(june[&2].new.rate(), Some(87.23));
        assert_eq!(Line::default().rate(), None);
        let may = tally(&cases, d(5, 1), d(5, 31));
        assert_eq!(may[&1].backlog.resolved, 57);
        use super::super::support::AidKind;
        let aid = |petition_id, kind, amount_fen| AidFacts {
            unit: 1,
            petition_id,
            kind,
            amount_fen,
        };
        let t = aid_totals(&[
            aid(1, AidKind::Hardship, 1_500_000),
            aid(1, AidKind::Hardship, 500_000),
            aid(2, AidKind::Hardship, 1_000_000),
            aid(3, AidKind::Legal, 0),
        ]);
        assert_eq!(
            t,
            AidTotals {
                hardship_cases: 2,
                hardship_fen: 3_000_000,
                legal_referrals: 1
            }
        );
        assert_eq!(
            may[&2].new,
            Line {
                cases: 1,
                resolved: 0
            }
        );
    }
}
