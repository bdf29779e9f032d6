//! Builds the application from a configuration; used by `main` and by tests.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, DefaultHeaders};
use actix_web::{web, App, HttpResponse, HttpServer};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

use crate::auth::gate::Gate;
use crate::auth::throttle::SignInThrottle;
use crate::auth::tokens::TokenKeys;
use crate::cache::Cache;
use crate::config::Config;
use crate::graphql::{build_schema, CrmSchema};
use crate::routes;
use crate::services::Services;

/// What every request handler shares.
pub struct AppState {
    pub db: DatabaseConnection,
    pub metrics: crate::metrics::SharedMetrics,
    pub cache: Cache,
    pub schema: CrmSchema,
    /// Documents parsed before, by their text.
    pub documents: crate::graphql::documents::Documents,
    /// Responses to customer 360 queries kept for repeated requests.
    pub responses: crate::graphql::responses::Responses,
    pub services: Services,
    /// Customer exports running on this node, per caller and workspace.
    pub exports: Arc<routes::export_slots::ExportSlots>,
    pub config: Arc<Config>,
    /// The last look at PostgreSQL and Redis, for `/readyz` and `/metrics`.
    pub probes: routes::health::Probes,
    /// Whether the process is draining before it stops (`shutdown.rs`).
    pub draining: crate::shutdown::Draining,
}

/// A server bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    workers: crate::workers::Workers,
    stopper: crate::shutdown::Stopper,
}

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot bind {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
    #[error("invalid database configuration: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("invalid REDIS_URL: {0}")]
    Redis(#[from] redis::RedisError),
    #[error(transparent)]
    Mail(#[from] crate::mail::tls::TlsSetupError),
    #[error(transparent)]
    Webhooks(#[from] crate::workers::webhooks::SenderSetupError),
}

/// Opens the connection pool. Connections are made on demand, so the server
/// starts (and reports unreadiness) while PostgreSQL is still down, and
/// reconnects by itself after PostgreSQL restarts.
pub async fn connect_database(
    url: &str,
    max_connections: u32,
) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .idle_timeout(Duration::from_secs(300))
        .sqlx_logging(false)
        .connect_lazy(true);
    Database::connect(options).await
}

impl Application {
    /// Connects to the services and binds the listener (port 0 picks a free one).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let metrics = crate::metrics::SharedMetrics::default();
        let mut db =
            connect_database(&config.database_url, config.database_max_connections).await?;
        let counted = metrics.clone();
        db.set_metric_callback(move |info| counted.statement(info.elapsed));
        let cache = Cache::new(&config.redis_url, &config.redis_key_prefix)?;
        let config = Arc::new(config);
        let keys = Arc::new(TokenKeys::new(&config.jwt));
        let gate = Arc::new(Gate::new(
            db.clone(),
            cache.clone(),
            keys.clone(),
            &config.rate_limits,
        ));
        let services = Services {
            db: db.clone(),
            cache: cache.clone(),
            keys,
            gate: gate.clone(),
            throttle: SignInThrottle::new(cache.clone()),
            config: config.clone(),
            analytics_wakeup: Default::default(),
        };
        let sink = crate::workers::outbox::Sink::from_config(&config)?;
        let sender = crate::workers::webhooks::Sender::new(&config.webhooks)?;
        let workers = crate::workers::spawn(
            db.clone(),
            cache.clone(),
            gate,
            config.clone(),
            sink,
            sender,
            services.analytics_wakeup.clone(),
        );
        let draining = crate::shutdown::Draining::default();
        let state = web::Data::new(AppState {
            db,
            metrics,
            cache,
            schema: build_schema(&config.graphql),
            documents: Default::default(),
            responses: Default::default(),
            services,
            exports: routes::export_slots::ExportSlots::new(&config.bulk),
            config: config.clone(),
            probes: Default::default(),
            draining: draining.clone(),
        });
        let listener = TcpListener::bind(&config.listen).map_err(|source| StartupError::Bind {
            address: config.listen.clone(),
            source,
        })?;
        let port = listener.local_addr().map_err(|source| StartupError::Bind {
            address: config.listen.clone(),
            source,
        })?;
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(
                    DefaultHeaders::new()
                        .add(("Access-Control-Allow-Origin", "*"))
                        .add((
                            "Access-Control-Expose-Headers",
                            "x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset, retry-after",
                        ))
                        .add(("X-Content-Type-Options", "nosniff")),
                )
                .wrap(from_fn(crate::shutdown::middleware))
                .wrap(from_fn(routes::request_id::middleware))
                .route("/healthz", web::get().to(routes::health::healthz))
                .route("/readyz", web::get().to(routes::health::readyz))
                .route("/metrics", web::get().to(routes::health::metrics))
                .service(
                    web::resource("/graphql")
                        .route(web::get().to(routes::graphql::get))
                        .route(web::post().to(routes::graphql::post))
                        .route(
                            web::method(actix_web::http::Method::OPTIONS)
                                .to(routes::graphql::preflight),
                        )
                        .default_service(web::to(|| async {
                            HttpResponse::MethodNotAllowed()
                                .insert_header(("Allow", "GET, POST, OPTIONS"))
                                .finish()
                        })),
                )
                .route("/graphql/assets/{file}", web::get().to(routes::pages::asset))
                .route("/export/customers.csv", web::get().to(routes::export::customers_csv))
                .route("/invitations/accept", web::get().to(routes::pages::accept_invitation))
                .route(
                    "/invitations/accept-invitation.js",
                    web::get().to(routes::pages::accept_invitation_script),
                )
                .route("/assets/{file:.*}", web::route().to(routes::console::asset))
                .default_service(web::to(routes::console::fallback))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            address: config.listen.clone(),
            source,
        })?
        .shutdown_timeout(5)
        // Signals are the process's (`main.rs`, `shutdown.rs`), not each server's.
        .disable_signals()
        .run();
        let stopper = crate::shutdown::Stopper {
            server: server.handle(),
            draining,
            drain: config.shutdown_drain,
        };
        Ok(Application {
            port: port.port(),
            server,
            workers,
            stopper,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// What stops it as SIGTERM and SIGINT do.
    pub fn stopper(&self) -> crate::shutdown::Stopper {
        self.stopper.clone()
    }

    /// Serves until it is stopped (see [`Application::stopper`]).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.workers.stop().await;
        served
    }
}
