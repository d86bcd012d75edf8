//! `onewindow serve`: open the database, migrate, load the demo if asked, serve until SIGTERM.

use onewindow_store::redact_url;
use onewindow_web::WebConfig;

pub struct Settings {
    pub addr: String,
    pub database_url: String,
    pub demo: bool,
    pub demo_password: String,
    pub web: WebConfig,
    pub notify: onewindow_web::service::notify::NotifyConfig,
}

pub fn init_logging(format: Option<&str>) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ONEWINDOW_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Colours only for a person at a terminal, never in files or log collectors.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = if format == Some("json") {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Resolves on SIGTERM or Ctrl-C. The handlers are installed when this is called, not when it
/// is first awaited, so a signal that arrives while the server is starting is not lost (and does
/// not kill the process without its graceful shutdown).
fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let (mut term, mut int) = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = int => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down: finishing requests in flight");
    }
}

pub async fn serve(s: Settings) -> Result<(), String> {
    let shown_url = redact_url(&s.database_url);
    let store = onewindow_store::open(&s.database_url)
        .await
        .map_err(|e| format!("cannot open {shown_url}: {e}"))?;
    let applied = store
        .migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    tracing::info!(database = %shown_url, backend = store.backend(), applied = ?applied, "database ready");
    if s.demo {
        let report = crate::demo::seed(store.as_ref(), &s.demo_password)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
        tracing::info!(
            created = report.created,
            kept = report.kept,
            "demo district loaded"
        );
        crate::demo::write_files(&s.web.uploads_dir)
            .await
            .map_err(|e| format!("demo files: {e}"))?;
    }
    let notifier = onewindow_web::service::notify::Notifier::new(&s.notify)
        .map_err(|e| format!("[notify] {e}"))?;
    let shutdown = shutdown_signal();
    let listener = tokio::net::TcpListener::bind(&s.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", s.addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let mut web = s.web;
    web.demo = s.demo;
    if s.demo && !web.site.is_set() {
        web.site = onewindow_web::state::Site::demo();
    }
    web.demo_password = s.demo.then(|| s.demo_password.clone());
    println!("一窗通 OneWindow is serving at http://{local}/  (database: {shown_url})");
    if s.demo {
        println!("Demo district 龙港区 loaded. Sign in at http://{local}/login with any of:");
        println!(
            "  {}",
            crate::demo::ACCOUNTS
                .iter()
                .chain(crate::demo::MORE_ACCOUNTS)
                .map(|a| a.username)
                .collect::<Vec<_>>()
                .join(", ")
        );
        println!("  password: {}", s.demo_password);
    }
    let (app, state) = onewindow_web::build(store.clone(), web);
    // On the signal the live streams end too; the requests in flight are finished.
    let closing = state.clone();
    let shutdown = async move {
        shutdown.await;
        closing.close();
    };
    // The jobs stop with the server: the same signal ends both.
    let (stop_jobs, jobs_stopped) = tokio::sync::oneshot::channel::<()>();
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    // Live updates to and from the other instances on the same PostgreSQL.
    let relay = tokio::spawn(onewindow_web::service::relay::run(state.clone(), async {
        let _ = relay_stopped.await;
    }));
    let jobs = tokio::spawn(onewindow_web::jobs::run(state, notifier, async {
        let _ = jobs_stopped.await;
    }));
    let served = onewindow_web::serve(listener, app, shutdown).await;
    let _ = stop_jobs.send(());
    let _ = stop_relay.send(());
    let _ = jobs.await;
    let _ = relay.await;
    served.map_err(|e| e.to_string())?;
    store.close().await;
    Ok(())
}
