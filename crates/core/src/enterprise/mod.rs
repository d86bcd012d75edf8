//! Enterprise service (政务服务进企业 / 项目管家, issue 9): enterprises and their investment
//! projects with milestones and their service team, and the problems, needs and suggestions
//! collected from them followed to the enterprise's confirmation. Pure types and rules; the
//! store and the pages build on them.

pub mod consultation;
pub mod figures;
pub mod firm;
pub mod policy;
pub mod project;
pub mod visit;
pub mod work;
