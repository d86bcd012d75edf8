//! The `onewindow` command: configuration, the commands, and the demo district.

/// The server allocates and frees many small buffers a request (JSON, SQL arguments, rows);
/// glibc's allocator spent a sixth of the processor on them under load (docs/BENCHMARKS.md).
/// Declared here so that the binary, the benchmarks and the tests all run on it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
