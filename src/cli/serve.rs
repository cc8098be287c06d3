//! `serve`: the server's settings, from flags or the environment, and its start.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::time::Duration;

use customer_validation::server;

#[derive(clap::Args)]
pub struct ServeArgs {
    /// How the log lines are written: `text` for people, `json` (one object a line) for
    /// log collectors.
    #[arg(long, env = "CV_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Address to listen on (`127.0.0.1:0` picks a free port and prints it).
    #[arg(long, env = "CV_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// The database: a SQLite file (created when missing), or a PostgreSQL URL
    /// (`postgres://user:password@host/db`) that several nodes share. Without it,
    /// `DATABASE_URL` if set, else `./data/customers.db`.
    #[arg(long, env = "CV_DB")]
    db: Option<String>,
    /// Static site served at `/`.
    #[arg(long, env = "CV_WWW", default_value = "www")]
    www: PathBuf,
    /// WASM package served at `/pkg/`.
    #[arg(long, env = "CV_PKG", default_value = "pkg")]
    pkg: PathBuf,
    /// Base URL of wallet links (default: `http://<listen address>`).
    #[arg(long, env = "CV_PUBLIC_URL")]
    public_url: Option<String>,
    /// Seconds a request's headers may take, counted from when the connection is ready for
    /// the request (each timeout: 1 s to a day).
    #[arg(long, env = "CV_HEADER_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    header_read_timeout: u64,
    /// Seconds a connection with no request in flight may stay silent before it is closed.
    #[arg(long, env = "CV_IDLE_TIMEOUT", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    idle_timeout: u64,
    /// Seconds to read a request's body and answer it (408 past it).
    #[arg(long, env = "CV_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    request_timeout: u64,
    /// Most bytes of a request line and its headers (431 past it; at least 8192).
    #[arg(long, env = "CV_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u64).range(8192..=1 << 20))]
    max_header_bytes: u64,
    /// Connections open at once; more clients wait until one closes.
    #[arg(long, env = "CV_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    max_connections: u64,
    /// Public sign-ups (`/join`) one client address may make per window.
    #[arg(long, env = "CV_JOIN_LIMIT_PER_CLIENT", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    join_limit_per_client: u32,
    /// Public sign-ups one store takes per window, from all clients together.
    #[arg(long, env = "CV_JOIN_LIMIT_PER_STORE", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    join_limit_per_store: u32,
    /// The sign-up counters' window, in seconds.
    #[arg(long, env = "CV_JOIN_WINDOW", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    join_window: u64,
    /// Card links go to one email address or phone number of a store at most once per this
    /// many seconds, whatever the number of sign-ups naming it.
    #[arg(long, env = "CV_CARD_LINK_WINDOW", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(0..=31_536_000))]
    card_link_window: u64,
    /// Requests one API token may make per window (store API and Square's together);
    /// past it, 429 with `Retry-After`.
    #[arg(long, env = "CV_API_RATE_LIMIT", default_value_t = 600, value_parser = clap::value_parser!(u32).range(1..))]
    api_rate_limit: u32,
    /// The API token counters' window, in seconds.
    #[arg(long, env = "CV_API_RATE_WINDOW", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    api_rate_window: u64,
    /// A proxy (address or range, e.g. `10.0.0.0/8`) whose `X-Forwarded-For` names the
    /// client; repeat it, or comma-separate them in the variable. Without one, the
    /// connection's address is the client's and the header is ignored.
    #[arg(long = "trusted-proxy", env = "CV_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<server::client::Cidr>,
    /// An origin (`https://shop.example`) whose pages may call the token routes from the
    /// browser (CORS); repeat it, or comma-separate them in the variable. The validate
    /// routes answer every origin; without this flag the token routes answer none.
    #[arg(long = "cors-origin", env = "CV_CORS_ORIGINS", value_delimiter = ',', value_parser = server::parse_origin)]
    cors_origins: Vec<hyper::header::HeaderValue>,
    /// Where queued card links are POSTed, signed (see --delivery-secret). Without it,
    /// each link is written to the log and marked sent.
    #[arg(long, env = "DELIVERY_WEBHOOK_URL", requires = "delivery_secret")]
    delivery_webhook: Option<reqwest::Url>,
    /// The webhook's signing secret: `Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
    /// "<t>.<body>">`.
    #[arg(long, env = "DELIVERY_WEBHOOK_SECRET", hide_env_values = true)]
    delivery_secret: Option<String>,
    /// Attempts per card link before it is marked failed.
    #[arg(long, env = "CV_DELIVERY_MAX_ATTEMPTS", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    delivery_max_attempts: u32,
    /// Milliseconds to wait after a link's first failed attempt; doubled after each further
    /// one, up to an hour.
    #[arg(long, env = "CV_DELIVERY_RETRY_MS", default_value_t = 2000, value_parser = clap::value_parser!(u64).range(1..=3_600_000))]
    delivery_retry_ms: u64,
    /// Seconds one webhook POST may take.
    #[arg(long, env = "CV_DELIVERY_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
    delivery_timeout: u64,
}

/// The log's format.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

/// Starts the runtime and serves until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(io::stderr);
    match args.log_format {
        LogFormat::Text => log.with_ansi(io::stderr().is_terminal()).init(),
        LogFormat::Json => log.json().init(),
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(server::serve(server::Config {
        listen: args.listen,
        db: super::database(args.db),
        www_dir: args.www,
        pkg_dir: args.pkg,
        public_url: args.public_url,
        limits: server::Limits {
            header_read_timeout: Duration::from_secs(args.header_read_timeout),
            idle_timeout: Duration::from_secs(args.idle_timeout),
            request_timeout: Duration::from_secs(args.request_timeout),
            max_header_bytes: usize::try_from(args.max_header_bytes).unwrap_or(usize::MAX),
            max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
            join_per_client: args.join_limit_per_client,
            join_per_store: args.join_limit_per_store,
            join_window: Duration::from_secs(args.join_window),
            card_link_window: Duration::from_secs(args.card_link_window),
            api_per_token: args.api_rate_limit,
            api_window: Duration::from_secs(args.api_rate_window),
        },
        trusted_proxies: args.trusted_proxies,
        cors_origins: args.cors_origins,
        delivery: server::delivery::Settings {
            webhook: args.delivery_webhook,
            secret: args.delivery_secret.unwrap_or_default(),
            max_attempts: args.delivery_max_attempts,
            retry_base: Duration::from_millis(args.delivery_retry_ms),
            timeout: Duration::from_secs(args.delivery_timeout),
            ..server::delivery::Settings::default()
        },
    }))
}
