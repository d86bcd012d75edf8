//! The `onewindow` command: configuration, the commands, and the demo district.

pub mod cli;
pub mod config;
pub mod demo;
pub mod init;
pub mod server;
