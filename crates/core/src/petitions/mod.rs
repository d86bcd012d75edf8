//! Petition agency (信访代理, issue 10): a resident signs an authorization and an agent of the
//! village's or community's station runs to the departments for him; backlog cases are guaranteed
//! by named leaders; leaders take turns receiving visitors on working days; the ledgers count
//! stock and new cases resolved. Pure types and rules; the store and the pages build on them.

pub mod case;
pub mod ledger;
pub mod rota;
pub mod station;
pub mod support;
