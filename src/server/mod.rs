//! The hyper + SQLite server (feature `server`): the store API, Square's create call, the
//! validation endpoints the browser can use, and the static site.
//!
//! `mod.rs` listens and shuts down; [`routes`] holds the match, [`handlers`] the routes,
//! [`store`] the storage trait and [`sqlite`] its SQLite implementation.

pub mod handlers;
pub mod routes;
pub mod sqlite;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

use store::Storage;

/// How long in-flight requests get to finish after SIGINT/SIGTERM.
const DRAIN: Duration = Duration::from_secs(10);

/// Shared by every request.
pub struct AppState<S> {
    /// The database.
    pub db: S,
    /// Served at `/`.
    pub www_dir: PathBuf,
    /// Served at `/pkg/`.
    pub pkg_dir: PathBuf,
}

/// `serve`'s settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The SQLite file.
    pub db: PathBuf,
    /// The static site.
    pub www_dir: PathBuf,
    /// The WASM package.
    pub pkg_dir: PathBuf,
    /// Base of wallet links; defaults to `http://<bound address>`.
    pub public_url: Option<String>,
}

/// Opens the database (seeding the demo store when empty), binds, prints the address and
/// serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> Result<(), String> {
    let listener =
        TcpListener::bind(&config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;

    let mut conn = sqlite::open(&config.db).map_err(|e| format!("{}: {e}", config.db.display()))?;
    sqlite::migrate(&mut conn).map_err(|e| format!("{}: migration failed: {e}", config.db.display()))?;
    if let Some(demo) = sqlite::seed_demo(&conn)? {
        println!("demo store: {}", demo.store_id);
        println!("demo card: {}", demo.card_id);
        println!("demo token: {}", demo.token);
        println!(
            "try: curl -s -X POST http://{addr}/api/v1/accounts/{}/customers -H 'Authorization: Bearer {}' \
             -H 'Content-Type: application/json' -d '{{\"customer\":{{\"first_name\":\"Amelia\",\"email\":\"amelia@example.com\"}},\"card_id\":{}}}'",
            demo.store_id, demo.token, demo.card_id
        );
    }
    drop(conn);
    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let db = sqlite::Sqlite::open(&config.db, &public_url)?;
    let state = Arc::new(AppState { db, www_dir: config.www_dir.clone(), pkg_dir: config.pkg_dir.clone() });

    // Tests and scripts read this line to learn the port.
    println!("listening on http://{addr}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, db = %config.db.display(), "listening");
    run(listener, state).await;
    Ok(())
}

async fn run<S: Storage>(listener: TcpListener, state: Arc<AppState<S>>) {
    let server = hyper::server::conn::http1::Builder::new();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        // Out of file descriptors and the like: pause, don't die.
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let state = state.clone();
                let service = service_fn(move |req| routes::route(req, state.clone()));
                let conn = server.serve_connection(TokioIo::new(stream), service);
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!(%peer, error = %e, "connection ended with an error");
                    }
                });
            }
            () = &mut shutdown => {
                tracing::info!("shutting down: finishing in-flight requests");
                break;
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("all connections closed"),
        () = tokio::time::sleep(DRAIN) => tracing::warn!("drain timed out after {:?}", DRAIN),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

/// Serves on an already-bound listener (tests and embedding).
pub async fn serve_on<S: Storage>(listener: TcpListener, state: Arc<AppState<S>>) {
    run(listener, state).await;
}
