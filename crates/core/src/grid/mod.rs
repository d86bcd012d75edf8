//! Grid governance (网格化管理, issue 8): grids and their shapes. Events, dispatch and Open311
//! build on these.

pub mod event;
pub mod geometry;
pub mod import;
pub mod limit;
