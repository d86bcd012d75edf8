//! The command line. Every command that touches the database takes `--database-url` (or
//! `ONEWINDOW_DATABASE_URL`).

use crate::config::{DEFAULT_ADDR, DEFAULT_DATABASE_URL, DEFAULT_DEMO_PASSWORD, FileConfig};
use clap::{Args, Parser, Subcommand};
use onewindow_core::Text;
use onewindow_core::validate::{IdCard, mobile, uscc};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "onewindow",
    version,
    about = "一窗通 OneWindow — one platform for government services"
)]
pub struct Cli {
    /// A TOML file with settings; flags and environment variables override it.
    #[arg(long, global = true, env = "ONEWINDOW_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Db {
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "ONEWINDOW_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the platform.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ONEWINDOW_ADDR")]
        addr: Option<String>,
        #[command(flatten)]
        db: Db,
        /// Load the demo district (idempotent: a second start neither duplicates nor resets).
        #[arg(long, env = "ONEWINDOW_DEMO")]
        demo: bool,
        /// Password of every demo account.
        #[arg(long, env = "ONEWINDOW_DEMO_PASSWORD")]
        demo_password: Option<String>,
        /// Start the hall's clock at this instant (RFC 3339, e.g. 2026-03-02T09:00:00+08:00)
        /// and let it run from there: to demonstrate the hall outside its opening hours.
        #[arg(long, env = "ONEWINDOW_CLOCK_START")]
        clock_start: Option<String>,
    },
    /// Prepare a new installation: its top region and the first administrator, scoped to it.
    /// The password is read from ONEWINDOW_ADMIN_PASSWORD, never from the command line.
    Init {
        #[command(flatten)]
        db: Db,
        /// GB/T 2260 code of the top region, e.g. 211403.
        #[arg(long)]
        region_code: String,
        /// Its name, e.g. 龙港区.
        #[arg(long)]
        region_name: String,
        #[arg(long, default_value = "admin")]
        admin_username: String,
        #[arg(long, default_value = "系统管理员")]
        admin_name: String,
    },
    /// Load the demo district (idempotent) and, with --cases N, N realistic cases spread over the
    /// last twelve months and every state.
    Demo {
        #[command(flatten)]
        db: Db,
        /// How many cases to generate.
        #[arg(long, default_value_t = 0)]
        cases: usize,
        /// Only cases still open (in review, waiting, paused, extended, decided), submitted in
        /// the last weeks: for the supervision benchmarks.
        #[arg(long)]
        open: bool,
        /// Password of every demo account.
        #[arg(long, env = "ONEWINDOW_DEMO_PASSWORD")]
        demo_password: Option<String>,
    },
    /// Write a consistent copy of the database to PATH while the platform serves (SQLite:
    /// an online backup, checked and never overwriting); prints each table's rows and checksum.
    /// On PostgreSQL, use pg_dump (docs/OPERATIONS.md).
    Backup {
        path: std::path::PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Put a backup in place of the installation's SQLite database (stop the platform first);
    /// the backup is checked before it replaces anything; prints each table's rows and checksum.
    Restore {
        path: std::path::PathBuf,
        #[command(flatten)]
        db: Db,
    },
    /// Move a whole installation to a new database of the other kind (SQLite to PostgreSQL as
    /// the city grows, or back), in one transaction, then compare every table's rows and
    /// checksum on both sides; exits 1 if any differ. Stop the platform first.
    Copy {
        /// The installation: sqlite://PATH or postgres://USER@HOST/DB.
        #[arg(long)]
        from: String,
        /// The new database, of the other kind.
        #[arg(long)]
        to: String,
        /// Copy nothing: only compare the two, table by table.
        #[arg(long)]
        check: bool,
    },
    /// Apply pending database migrations.
    Migrate {
        #[command(flatten)]
        db: Db,
    },
    /// Check an identifier: prints `valid` (exit 0) or the reason (exit 1).
    Check {
        #[command(subcommand)]
        what: CheckWhat,
    },
    /// The working-day calendar (built in 2004–2026; with --database-url, the installation's own).
    Calendar {
        #[command(subcommand)]
        what: CalendarWhat,
        /// Use the installation's calendar (years added by administrators included).
        #[arg(long, env = "ONEWINDOW_DATABASE_URL", global = true)]
        database_url: Option<String>,
    },
    /// The service catalog.
    Catalog {
        #[command(subcommand)]
        what: CatalogWhat,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        what: AuditWhat,
    },
    /// Electronic supervision (电子监察) upkeep.
    Supervision {
        #[command(subcommand)]
        what: SupervisionWhat,
    },
    /// Electronic licences (电子证照).
    Licence {
        #[command(subcommand)]
        what: LicenceWhat,
    },
}

#[derive(Subcommand, Debug)]
pub enum LicenceWhat {
    /// Check a downloaded licence file offline: its embedded data and the file itself against
    /// the departments' published keys, its status against their status list, its expiry
    /// against today. Exit 0 when genuine and valid, 1 with the reason on one line.
    Verify {
        file: PathBuf,
        /// The published keys and status list: the platform's address
        /// (http://…/api/v1/licence-keys) or a file saved from it.
        #[arg(long, env = "ONEWINDOW_LICENCE_KEYS")]
        keys: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum SupervisionWhat {
    /// Recompute the days each open case's light changes (after the calendar or the light rule
    /// was changed outside the platform); prints how many cases changed.
    Relight {
        #[command(flatten)]
        db: Db,
    },
    /// Recount the rollups from the cases and rewrite them; prints how many rows were wrong.
    Rebuild {
        #[command(flatten)]
        db: Db,
    },
    /// Run the warning job once now: reminders at yellow, escalation at red and past an urge's
    /// time limit (each warning happens once, whoever runs it).
    Warn {
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand, Debug)]
pub enum CheckWhat {
    /// 居民身份证号码 (GB 11643).
    Id { number: String },
    /// 统一社会信用代码 (GB 32100, with the GB 11714 organisation code check).
    Uscc { code: String },
    /// Mainland mobile number.
    Mobile { number: String },
}

#[derive(Subcommand, Debug)]
pub enum CalendarWhat {
    /// Prints `true` or `false`.
    IsWorkday { date: String },
    /// Prints the date N working days after DATE (the start day not counted).
    AddWorkdays {
        date: String,
        #[arg(allow_hyphen_values = true)]
        n: String,
    },
    /// Prints the number of working days after FROM up to and including TO.
    Between { from: String, to: String },
    /// Lists a year's days off and make-up working days.
    Show { year: i32 },
}

#[derive(Subcommand, Debug)]
pub enum CatalogWhat {
    /// Import matters from an XLSX or CSV file (docs/CATALOG_IMPORT.md). Every row is checked
    /// first; with any bad row nothing is imported, unless --partial.
    Import {
        file: PathBuf,
        /// Import the good rows even when some rows are bad.
        #[arg(long)]
        partial: bool,
        #[command(flatten)]
        db: Db,
    },
    /// Export the published catalog; the format follows the file name (.xlsx or .csv).
    Export {
        file: PathBuf,
        #[command(flatten)]
        db: Db,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditWhat {
    /// Check every hash chain and every checkpoint kept (and, with --against, a published
    /// checkpoint): prints the count (exit 0) or the first thing broken (exit 1).
    Verify {
        /// A checkpoint published earlier (the JSON `audit checkpoint --json` printed).
        #[arg(long, value_name = "FILE")]
        against: Option<PathBuf>,
        #[command(flatten)]
        db: Db,
    },
    /// Print the latest checkpoint: its time, its root and every chain's head, to publish.
    Checkpoint {
        /// Take a new checkpoint now first (serving instances take one every hour).
        #[arg(long)]
        new: bool,
        /// Print it as JSON, the form `verify --against` reads.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: Db,
    },
}

fn reason(t: &Text) -> String {
    format!("{} ({})", t.zh, t.en)
}

fn check(what: &CheckWhat) -> ExitCode {
    let today = onewindow_core::time::local_date(chrono::Utc::now());
    let result = match what {
        CheckWhat::Id { number } => IdCard::parse(number, today).map(|_| ()),
        CheckWhat::Uscc { code } => uscc::parse(code).map(|_| ()),
        CheckWhat::Mobile { number } => mobile::parse(number).map(|_| ()),
    };
    match result {
        Ok(()) => {
            println!("valid");
            ExitCode::SUCCESS
        }
        Err(t) => {
            println!("invalid: {}", reason(&t));
            ExitCode::from(1)
        }
    }
}

fn database_url(db: &Db, file: &FileConfig) -> String {
    db.database_url
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string())
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Check { what } = &cli.command {
        return check(what);
    }
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    crate::server::init_logging(file.log_format.as_deref());
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let outcome = rt.block_on(async {
        match &cli.command {
            Command::Serve {
                addr,
                db,
                demo,
                demo_password,
                clock_start,
            } => {
                let mut web = file.web();
                if let Some(start) = clock_start {
                    match chrono::DateTime::parse_from_rfc3339(start) {
                        Ok(t) => {
                            web.clock = onewindow_web::clock::Clock::starting_at(t.to_utc());
                        }
                        Err(e) => {
                            return Err(format!(
                                "--clock-start {start}: not an RFC 3339 instant ({e})"
                            ));
                        }
                    }
                }
                let settings = crate::server::Settings {
                    addr: addr
                        .clone()
                        .or_else(|| file.addr.clone())
                        .unwrap_or_else(|| DEFAULT_ADDR.into()),
                    database_url: database_url(db, &file),
                    demo: *demo || file.demo.unwrap_or(false),
                    demo_password: demo_password
                        .clone()
                        .or_else(|| file.demo_password.clone())
                        .unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.into()),
                    web,
                    notify: file.notify.clone().unwrap_or_default(),
                };
                crate::server::serve(settings)
                    .await
                    .map(|_| ExitCode::SUCCESS)
            }
            Command::Demo {
                db,
                cases,
                open,
                demo_password,
            } => {
                let url = database_url(db, &file);
                let password = demo_password
                    .clone()
                    .or_else(|| file.demo_password.clone())
                    .unwrap_or_else(|| DEFAULT_DEMO_PASSWORD.into());
                crate::demo::run(&url, &password, *cases, *open).await
            }
            Command::Init {
                db,
                region_code,
                region_name,
                admin_username,
                admin_name,
            } => {
                let password = std::env::var("ONEWINDOW_ADMIN_PASSWORD").map_err(|_| {
                    "set ONEWINDOW_ADMIN_PASSWORD to the first administrator's password".to_string()
                })?;
                let url = database_url(db, &file);
                let store = onewindow_store::open(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                store.migrate().await.map_err(|e| e.to_string())?;
                let done = crate::init::run(
                    store.as_ref(),
                    crate::init::Init {
                        region_code: region_code.clone(),
                        region_name: region_name.clone(),
                        username: admin_username.clone(),
                        display_name: admin_name.clone(),
                        password,
                    },
                )
                .await;
                store.close().await;
                let (region, user) = done?;
                println!(
                    "region {} {} (id {}) is ready; administrator '{}' can sign in",
                    region.code, region.name, region.id, user.username
                );
                Ok(ExitCode::SUCCESS)
            }
            Command::Backup { path, db } => {
                crate::backup_cmd::backup(&database_url(db, &file), path).await
            }
            Command::Restore { path, db } => {
                crate::backup_cmd::restore(&database_url(db, &file), path).await
            }
            Command::Copy { from, to, check } => crate::backup_cmd::copy(from, to, *check).await,
            Command::Migrate { db } => {
                let url = database_url(db, &file);
                let store = onewindow_store::open(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                let applied = store.migrate().await.map_err(|e| e.to_string())?;
                println!(
                    "{}: {} migration(s) applied{}",
                    onewindow_store::redact_url(&url),
                    applied.len(),
                    if applied.is_empty() {
                        " (up to date)".to_string()
                    } else {
                        format!(": {applied:?}")
                    }
                );
                store.close().await;
                Ok(ExitCode::SUCCESS)
            }
            Command::Audit { what } => {
                crate::audit_cmd::run(what, |db| database_url(db, &file)).await
            }
            Command::Calendar { what, database_url } => {
                crate::calendar_cmd::run(what, database_url.as_deref()).await
            }
            Command::Catalog { what } => {
                crate::catalog_cmd::run(what, |db| database_url(db, &file)).await
            }
            Command::Supervision { what } => {
                crate::supervision_cmd::run(what, |db| database_url(db, &file)).await
            }
            Command::Licence { what } => crate::licence_cmd::run(what).await,
            Command::Check { .. } => Ok(ExitCode::SUCCESS),
        }
    });
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
