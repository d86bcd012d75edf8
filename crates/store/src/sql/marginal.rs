//! Marginal rollups: beside a rollup keyed by every slice column (`sv_running`, `kpi_daily`,
//! `kpi_monthly`), the same counters per single column, keyed (`dim`, `key`)
//! (`onewindow_core::supervision::figures::Dims::marginals`). The combinations of all columns
//! run to hundreds of thousands of rows a month; a slice that names one column (a department, a
//! window, the whole district) sums a handful of marginal rows instead.

use crate::backend::{Arg, Sql};
use crate::model::Slice;

#[derive(Clone)]
enum Cond {
    Is(Arg),
    In(Vec<i64>),
    Under(String),
}

/// A slice as conditions on one column's marginal rows.
#[derive(Clone)]
pub(super) struct Marginal {
    /// "all" when the slice names no column.
    pub dim: &'static str,
    conds: Vec<Cond>,
}

impl Marginal {
    /// `None` when the slice names several columns (the scope counting as one): then only the
    /// rollup by every column answers. A scope's region admits a record by its region or by its
    /// department's; that is one column only where a record's region is always its
    /// department's (`region_is_departments`, true of cases), else the scope's region needs the
    /// rollup by every column too.
    pub fn of(s: &Slice, region_is_departments: bool) -> Option<Marginal> {
        let mut conds: Vec<(&'static str, Cond)> = Vec::new();
        if let Some(d) = s.scope.department_id {
            conds.push(("department", Cond::Is(d.to_string().into())));
        }
        if let Some(p) = &s.scope.region_path {
            if !region_is_departments {
                return None;
            }
            conds.push(("region", Cond::Under(p.clone())));
        }
        if let Some(p) = &s.region_path {
            conds.push(("region", Cond::Under(p.clone())));
        }
        for (dim, v) in [
            ("department", s.department_id),
            ("window", s.window_id),
            ("clerk", s.clerk_id),
            ("matter", s.matter_id),
        ] {
            if let Some(v) = v {
                conds.push((dim, Cond::Is(v.to_string().into())));
            }
        }
        if let Some(c) = s.channel {
            conds.push(("channel", Cond::Is(c.code().into())));
        }
        if !s.window_in.is_empty() {
            conds.push(("window", Cond::In(s.window_in.clone())));
        }
        let dim = conds.first().map_or("all", |c| c.0);
        if conds.iter().any(|c| c.0 != dim) {
            return None;
        }
        Some(Marginal {
            dim,
            conds: conds.into_iter().map(|c| c.1).collect(),
        })
    }

    /// The rows to group by `dim`'s keys: this slice's own when it is of that column, all of
    /// that column's when the slice names none, `None` when it names another.
    pub fn grouped_by(self, dim: &'static str) -> Option<Marginal> {
        if self.dim == dim {
            Some(self)
        } else if self.dim == "all" {
            Some(Marginal {
                dim,
                conds: Vec::new(),
            })
        } else {
            None
        }
    }

    /// Appends ` AND dim = … AND <conditions on key>` to a query ending in a WHERE clause.
    pub fn and_where(self, q: Sql) -> Sql {
        let p = q.next_placeholder();
        let mut q = q.bind(self.dim);
        q.text = format!("{} AND dim = {p}", q.text).into();
        for c in self.conds {
            let cond = match c {
                Cond::Is(v) => {
                    let p = q.next_placeholder();
                    q = q.bind(v);
                    format!("key = {p}")
                }
                Cond::In(ids) => {
                    let mut list = Vec::new();
                    for id in ids {
                        list.push(q.next_placeholder());
                        q = q.bind(id.to_string());
                    }
                    format!("key IN ({})", list.join(", "))
                }
                Cond::Under(path) => {
                    let p = q.next_placeholder();
                    q = q.bind(path);
                    format!(
                        "key IN (SELECT CAST(id AS TEXT) FROM regions WHERE path LIKE {p} || '%')"
                    )
                }
            };
            q.text = format!("{} AND {cond}", q.text).into();
        }
        q
    }
}
