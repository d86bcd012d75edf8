//! The service hall (大厅): tickets and the order in which windows call them. Appointments,
//! displays and evaluation pads build on these (issue 5).

pub mod appointment;
pub mod board;
pub mod category;
pub mod hours;
pub mod queue;
pub mod stats;
pub mod ticket;
pub mod window;
