//! The hyper server (feature `server`): the store API, Square's API, the validation
//! endpoints the browser can use, and the static site, on SQLite (one node) or PostgreSQL
//! (several).
//!
//! `mod.rs` listens, bounds what each connection may cost and shuts down; [`routes`] holds
//! the axum router and its tower-http layers, [`auth`] the token routes' gate, [`handlers`]
//! the routes, [`static_files`] the site and the package, [`metrics`] `/metrics`,
//! [`rate_limit`] the public sign-up's counters and [`client`] whose address they count,
//! [`connection`] the idle watch, [`store`] the storage trait, [`sqlite`] and [`postgres`]
//! its two implementations, [`records`] what both write and answer alike, [`migrations`]
//! both schemas, and [`delivery`] the worker that sends queued card links to a webhook.

pub mod auth;
pub mod client;
pub mod connection;
pub mod delivery;
pub mod handlers;
pub mod language;
pub mod metrics;
pub mod migrations;
pub mod postgres;
pub mod rate_limit;
pub mod records;
pub mod routes;
pub mod sqlite;
pub mod static_files;
pub mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::util::ServiceExt as _;

use connection::{Activity, Watched};
use rate_limit::{Quota, RateLimiter};
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
    /// The public sign-up's counters (per client address and per store).
    pub join_limiter: RateLimiter,
    /// The token routes' counters (per API token).
    pub api_limiter: rate_limit::TokenLimiter,
    /// Base of the links the server gives out (wallet passes, the status route's URLs).
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<client::Cidr>,
    /// Origins whose pages may call the token routes (CORS); none by default.
    pub cors_origins: Vec<hyper::header::HeaderValue>,
}

/// What one connection may cost; every field has a flag of `serve`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A request's headers must be complete this long after the connection is ready for
    /// it (opened, or done with the previous answer).
    pub header_read_timeout: Duration,
    /// A connection with no request in flight that moves no byte for this long is closed.
    pub idle_timeout: Duration,
    /// Reading the body and answering one request; past it, 408 and the connection closes.
    pub request_timeout: Duration,
    /// The most bytes of request line and headers (431 past it); also the connection's
    /// read buffer, so at least 8 KiB.
    pub max_header_bytes: usize,
    /// Connections open at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Public sign-ups a client address may make per window.
    pub join_per_client: u32,
    /// Public sign-ups a store takes per window, from all clients together.
    pub join_per_store: u32,
    /// The sign-up counters' window.
    pub join_window: Duration,
    /// Card links go to one address or number at most once per this long.
    pub card_link_window: Duration,
    /// Requests one API token may make per window, on the store API and Square's alike.
    pub api_per_token: u32,
    /// The API token counters' window.
    pub api_window: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_header_bytes: 16 * 1024,
            max_connections: 4096,
            join_per_client: 20,
            join_per_store: 600,
            join_window: Duration::from_secs(60),
            card_link_window: Duration::from_secs(3600),
            api_per_token: 600,
            api_window: Duration::from_secs(60),
        }
    }
}

/// Where the customers are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    /// An embedded SQLite file (created when missing): one node.
    Sqlite(PathBuf),
    /// A PostgreSQL database, which several nodes may share.
    Postgres(String),
}

impl Database {
    /// The file or URL `--db` names: `postgres://…` or `postgresql://…` is PostgreSQL,
    /// anything else a SQLite file.
    pub fn parse(db: &str) -> Database {
        if postgres::is_url(db) {
            Database::Postgres(db.to_owned())
        } else {
            Database::Sqlite(PathBuf::from(db))
        }
    }
}

impl std::fmt::Display for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => f.write_str(&postgres::redacted(url)),
        }
    }
}

/// `serve`'s settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The database.
    pub db: Database,
    /// The static site.
    pub www_dir: PathBuf,
    /// The WASM package.
    pub pkg_dir: PathBuf,
    /// Base of wallet links; defaults to `http://<bound address>`.
    pub public_url: Option<String>,
    /// Timeouts, sizes and rates.
    pub limits: Limits,
    /// Proxies whose `X-Forwarded-For` names the client (rate limits count that address).
    pub trusted_proxies: Vec<client::Cidr>,
    /// Origins whose pages may call the token routes (`https://shop.example`).
    pub cors_origins: Vec<hyper::header::HeaderValue>,
    /// Where card links go.
    pub delivery: delivery::Settings,
}

/// An origin as CORS compares it: `scheme://host[:port]`, nothing after.
pub fn parse_origin(text: &str) -> Result<hyper::header::HeaderValue, String> {
    let bad = || format!("{text:?} is not an origin such as https://shop.example or http://localhost:3000");
    let (scheme, rest) = text.split_once("://").ok_or_else(bad)?;
    let host_ok = !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !matches!(scheme, "http" | "https") || !host_ok {
        return Err(bad());
    }
    hyper::header::HeaderValue::from_str(text).map_err(|_| bad())
}

/// Opens the database (seeding the demo store when empty), binds, prints the address and
/// serves until SIGINT or SIGTERM.
pub async fn serve(config: Config) -> Result<(), String> {
    let listener =
        TcpListener::bind(&config.listen).await.map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;

    let public_url = config.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let window = config.limits.card_link_window;
    match &config.db {
        Database::Sqlite(path) => {
            let mut conn = sqlite::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            sqlite::migrate(&mut conn).map_err(|e| format!("{}: migration failed: {e}", path.display()))?;
            print_demo(addr, sqlite::seed_demo(&conn)?);
            drop(conn);
            let db = sqlite::Sqlite::open(path, &public_url, window)?;
            start(listener, db, public_url, config).await
        }
        Database::Postgres(url) => {
            let (db, demo) = postgres::Postgres::open(url, &public_url, window).await?;
            print_demo(addr, demo);
            start(listener, db, public_url, config).await
        }
    }
}

/// What `serve` prints on an empty database.
fn print_demo(addr: std::net::SocketAddr, demo: Option<sqlite::Demo>) {
    if let Some(demo) = demo {
        println!("demo store: {}", demo.store_id);
        println!("demo card: {}", demo.card_id);
        println!("demo token: {}", demo.token);
        println!(
            "try: curl -s -X POST http://{addr}/api/v1/accounts/{}/customers -H 'Authorization: Bearer {}' \
             -H 'Content-Type: application/json' -d '{{\"customer\":{{\"first_name\":\"Amelia\",\"email\":\"amelia@example.com\"}},\"card_id\":{}}}'",
            demo.store_id, demo.token, demo.card_id
        );
    }
}

/// Serves `db` on the bound listener until SIGINT or SIGTERM.
async fn start<S: Storage>(listener: TcpListener, db: S, public_url: String, config: Config) -> Result<(), String> {
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let limits = config.limits;
    let join_limiter = RateLimiter::new(
        Quota { limit: limits.join_per_client, window: limits.join_window },
        Quota { limit: limits.join_per_store, window: limits.join_window },
    );
    let state = Arc::new(AppState {
        db,
        www_dir: config.www_dir.clone(),
        pkg_dir: config.pkg_dir.clone(),
        join_limiter,
        api_limiter: rate_limit::TokenLimiter::new(Quota { limit: limits.api_per_token, window: limits.api_window }),
        public_url: public_url.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        cors_origins: config.cors_origins.clone(),
    });

    // Tests and scripts read this line to learn the port.
    println!("listening on http://{addr}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    tracing::info!(%addr, db = %config.db, "listening");
    tokio::spawn(delivery::run(state.clone(), config.delivery.clone()));
    run(listener, state, limits).await;
    Ok(())
}

async fn run<S: Storage>(listener: TcpListener, state: Arc<AppState<S>>, limits: Limits) {
    let mut server = hyper::server::conn::http1::Builder::new();
    server
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_header_bytes.max(8192))
        .max_header_size(limits.max_header_bytes);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let router = routes::router(state);
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        // A slot first: at the cap the server stops accepting, and the kernel's backlog
        // holds the next clients until a connection closes.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
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
        let activity = Activity::new();
        let router = router.clone();
        let watch = activity.clone();
        let service = service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
            let in_flight = watch.request();
            let router = router.clone();
            async move {
                if routes::host_is_missing(&req) {
                    let resp = handlers::error(
                        hyper::StatusCode::BAD_REQUEST,
                        "an HTTP/1.1 request needs exactly one Host header",
                    );
                    return Ok::<_, std::convert::Infallible>(resp);
                }
                req.extensions_mut().insert(ConnectInfo(peer));
                let answer = tokio::time::timeout(limits.request_timeout, router.oneshot(req)).await;
                drop(in_flight);
                Ok(match answer {
                    Ok(Ok(resp)) => resp,
                    Ok(Err(never)) => match never {},
                    Err(_) => routes::timed_out(),
                })
            }
        });
        let conn = server.serve_connection(TokioIo::new(Watched::new(stream, activity.clone())), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            let _slot = slot;
            let mut conn = std::pin::pin!(conn);
            let mut tick = tokio::time::interval((limits.idle_timeout / 4).max(Duration::from_millis(50)));
            loop {
                tokio::select! {
                    ended = &mut conn => {
                        if let Err(e) = ended {
                            tracing::debug!(%peer, error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = tick.tick() => {
                        if activity.idle_for(limits.idle_timeout) {
                            tracing::debug!(%peer, "closing an idle connection");
                            break;
                        }
                    }
                }
            }
        });
    }
    tracing::info!("shutting down: finishing in-flight requests");
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
pub async fn serve_on<S: Storage>(listener: TcpListener, state: Arc<AppState<S>>, limits: Limits) {
    run(listener, state, limits).await;
}
