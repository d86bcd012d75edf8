//! The application tests: the HTTP API and pages running in-process on port 0, the command line
//! as a separate process, and the browser tests. Everything runs on SQLite, and on PostgreSQL
//! too when ONEWINDOW_TEST_DATABASE_URL is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod api;
mod browser;
mod case_pages;
mod cases;
mod catalog;
mod cli;
mod complaints;
mod enterprise;
mod evaluation;
mod grid;
mod hall;
mod instances;
mod licences;
mod matrix;
mod open311;
mod pages;
mod permissions;
mod petitions;
mod races;
mod supervision;
mod walk;
mod zz_report;
