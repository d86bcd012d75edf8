//! The `onewindow` command: configuration, the commands, and the demo district.

pub mod audit_cmd;
pub mod backup_cmd;
pub mod calendar_cmd;
pub mod catalog_cmd;
pub mod cli;
pub mod config;
pub mod demo;
pub mod init;
pub mod licence_cmd;
pub mod server;
pub mod supervision_cmd;
