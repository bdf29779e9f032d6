//! The one typed configuration of the server, read from the environment.
//!
//! This is the only module that reads environment variables. Every setting has
//! a documented default (see README.md) except the secrets and the database
//! URL, which have to be given.

use std::time::Duration;

/// How log lines are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Signing and validation settings of access tokens.
#[derive(Clone)]
pub struct JwtConfig {
    /// HMAC-SHA256 key that signs new tokens; at least 32 bytes.
    pub secret: Vec<u8>,
    /// Key id written to the token header, so keys can be rotated.
    pub key_id: String,
    /// Earlier keys (id, secret) still accepted for verification, so tokens
    /// signed before a rotation stay valid until they expire.
    pub previous_keys: Vec<(String, Vec<u8>)>,
    pub issuer: String,
    pub audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
}

impl std::fmt::Debug for JwtConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwtConfig")
            .field("secret", &"<redacted>")
            .field("key_id", &self.key_id)
            .field(
                "previous_key_ids",
                &self
                    .previous_keys
                    .iter()
                    .map(|(id, _)| id)
                    .collect::<Vec<_>>(),
            )
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .finish()
    }
}

/// Limits applied to every GraphQL request before any resolver runs.
#[derive(Clone, Debug)]
pub struct GraphqlLimits {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_aliases: usize,
    pub max_document_chars: usize,
    pub max_body_bytes: usize,
    pub default_page_size: u64,
    pub max_page_size: u64,
}

impl Default for GraphqlLimits {
    /// The limits in force when no setting overrides them.
    fn default() -> Self {
        GraphqlLimits {
            max_depth: 10,
            max_complexity: 5000,
            max_aliases: 15,
            max_document_chars: 15_000,
            max_body_bytes: 1024 * 1024,
            default_page_size: 20,
            max_page_size: 100,
        }
    }
}

/// Requests per minute allowed for one caller (user or API key) and for a
/// whole tenant, by plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanLimits {
    pub caller_per_minute: u32,
    pub tenant_per_minute: u32,
}

/// Rate limits by plan, and for callers without credentials (per IP).
#[derive(Clone, Debug)]
pub struct RateLimits {
    pub free: PlanLimits,
    pub pro: PlanLimits,
    pub enterprise: PlanLimits,
    pub anonymous_per_minute: u32,
}

/// How the connection to the mail relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain SMTP; only for a relay on the same host or a private network.
    None,
    /// Plain connection upgraded with STARTTLS before anything is sent; a
    /// relay that does not offer it is refused (the message stays queued).
    StartTls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Implicit,
}

/// Outgoing mail. Without a host, messages stay queued (and `/readyz` says
/// so) unless `print` is on, which writes them to standard output for local
/// development: they carry secrets such as invitation links.
#[derive(Clone)]
pub struct MailConfig {
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_tls: SmtpTls,
    /// PEM certificates to trust instead of the built-in web roots (a
    /// private relay's own authority).
    pub smtp_ca_file: Option<std::path::PathBuf>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub from: String,
    /// Development only: print messages when no relay is configured.
    pub print: bool,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_ca_file", &self.smtp_ca_file)
            .field("smtp_username", &self.smtp_username)
            .field(
                "smtp_password",
                &self.smtp_password.as_ref().map(|_| "<redacted>"),
            )
            .field("from", &self.from)
            .field("print", &self.print)
            .finish()
    }
}

/// Limits on bulk reads and writes of customers.
#[derive(Clone, Debug)]
pub struct BulkLimits {
    /// Most data rows in one `importCustomers` file.
    pub customer_import_max_rows: usize,
    /// Customer exports one caller (user or API key) may run at once on
    /// this server node.
    pub exports_per_caller: usize,
    /// Customer exports one workspace may run at once on this server node.
    pub exports_per_tenant: usize,
}

/// Delivery of events to webhook endpoints.
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Whether endpoints may use plain `http://` (development only).
    pub allow_http: bool,
    /// Networks endpoints may resolve to although they are private,
    /// loopback, link-local and the like (development and tests only).
    pub allowed_networks: Vec<crate::auth::address::Network>,
    /// How long one attempt may take, connection to last byte.
    pub timeout: Duration,
    /// Waits before each retry, in order; after the last, a delivery is a
    /// dead letter. Each wait is jittered by up to a fifth either way.
    pub retry_schedule: Vec<Duration>,
    /// How often each node looks for due deliveries when it found none.
    pub poll_interval: Duration,
    /// Attempts one node sends at once.
    pub concurrency: usize,
}

/// The whole server configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address the HTTP server binds, `host:port`.
    pub listen: String,
    /// Connection URL as the server's non-owner role.
    pub database_url: String,
    /// Connection URL as the owner role, used by `crm migrate`.
    pub database_owner_url: Option<String>,
    pub database_max_connections: u32,
    pub redis_url: String,
    /// Start of every Redis key this deployment writes.
    pub redis_key_prefix: String,
    pub jwt: JwtConfig,
    pub graphql: GraphqlLimits,
    /// Largest `multipart/form-data` GraphQL request (file uploads such as
    /// customer imports), in bytes; JSON requests keep `max_body_bytes`.
    pub max_upload_bytes: usize,
    /// How long the process keeps serving, unready and closing connections,
    /// after SIGTERM before it stops (`CRM_SHUTDOWN_DRAIN_SECS`, default 5).
    pub shutdown_drain: std::time::Duration,
    /// Proxies whose `X-Forwarded-For` names the client (`CRM_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<crate::auth::address::Network>,
    /// Bearer token `/metrics` asks for; without one, only callers on this
    /// machine (loopback) read it.
    pub metrics_token: Option<String>,
    pub rate_limits: RateLimits,
    pub mail: MailConfig,
    pub bulk: BulkLimits,
    /// Address people use to reach the product; links in messages start with it.
    pub public_url: String,
    /// How long an invitation can be accepted.
    pub invitation_ttl: Duration,
    /// How often API-key last-used times are written.
    pub key_usage_flush_interval: Duration,
    /// How often the analytics worker looks for queued runs and due
    /// scheduled recomputes.
    pub analytics_poll_interval: Duration,
    /// How long events are kept for `domainEvents` and replays
    /// (`CRM_EVENT_RETENTION_DAYS`, default 30).
    pub event_retention: Duration,
    pub webhooks: WebhookConfig,
    /// How often the campaign step worker looks for due steps.
    pub campaign_step_poll_interval: Duration,
    pub log_format: LogFormat,
    /// Directory of the built web console (`index.html`, `assets/`).
    pub console_dir: std::path::PathBuf,
}

/// A setting that is missing or cannot be parsed.
#[derive(Debug, thiserror::Error)]
#[error("configuration {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads the configuration through `lookup`, so tests can supply values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let limits = GraphqlLimits::default();
        let get =
            |name: &'static str, default: &str| lookup(name).unwrap_or_else(|| default.into());
        let required = |name: &'static str, hint: &str| {
            lookup(name).ok_or_else(|| ConfigError {
                name,
                reason: format!("is not set; {hint}"),
            })
        };
        let secret = required(
            "CRM_JWT_SECRET",
            "set it to a random string of at least 32 characters (scripts/services.sh generates one)",
        )?;
        if secret.len() < 32 {
            return Err(ConfigError {
                name: "CRM_JWT_SECRET",
                reason: "must be at least 32 characters long".into(),
            });
        }
        let log_format = match get("CRM_LOG_FORMAT", "pretty").as_str() {
            "pretty" => LogFormat::Pretty,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError {
                    name: "CRM_LOG_FORMAT",
                    reason: format!("must be `pretty` or `json`, not `{other}`"),
                })
            }
        };
        Ok(Config {
            listen: get("CRM_LISTEN", "127.0.0.1:8080"),
            database_url: required(
                "DATABASE_URL",
                "run scripts/run.sh, or point it at PostgreSQL as the server role",
            )?,
            database_owner_url: lookup("DATABASE_OWNER_URL"),
            database_max_connections: number(&lookup, "CRM_DB_MAX_CONNECTIONS", 20)?,
            redis_url: get("REDIS_URL", "redis://127.0.0.1:56379/"),
            redis_key_prefix: get("CRM_REDIS_KEY_PREFIX", "crm"),
            jwt: JwtConfig {
                secret: secret.into_bytes(),
                key_id: get("CRM_JWT_KEY_ID", "k1"),
                previous_keys: previous_keys(lookup("CRM_JWT_PREVIOUS_KEYS"))?,
                issuer: get("CRM_JWT_ISSUER", "crm"),
                audience: get("CRM_JWT_AUDIENCE", "crm-api"),
                access_token_ttl: Duration::from_secs(number(
                    &lookup,
                    "CRM_ACCESS_TOKEN_TTL_SECS",
                    900,
                )?),
                refresh_token_ttl: Duration::from_secs(number(
                    &lookup,
                    "CRM_REFRESH_TOKEN_TTL_SECS",
                    30 * 24 * 3600,
                )?),
            },
            graphql: GraphqlLimits {
                max_depth: number(&lookup, "CRM_GRAPHQL_MAX_DEPTH", limits.max_depth)?,
                max_complexity: number(
                    &lookup,
                    "CRM_GRAPHQL_MAX_COMPLEXITY",
                    limits.max_complexity,
                )?,
                max_aliases: number(&lookup, "CRM_GRAPHQL_MAX_ALIASES", limits.max_aliases)?,
                max_document_chars: number(
                    &lookup,
                    "CRM_GRAPHQL_MAX_DOCUMENT_CHARS",
                    limits.max_document_chars,
                )?,
                max_body_bytes: number(&lookup, "CRM_MAX_BODY_BYTES", limits.max_body_bytes)?,
                default_page_size: number(
                    &lookup,
                    "CRM_DEFAULT_PAGE_SIZE",
                    limits.default_page_size,
                )?,
                max_page_size: number(&lookup, "CRM_MAX_PAGE_SIZE", limits.max_page_size)?,
            },
            max_upload_bytes: number(&lookup, "CRM_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)?,
            shutdown_drain: std::time::Duration::from_secs(number(
                &lookup,
                "CRM_SHUTDOWN_DRAIN_SECS",
                5,
            )?),
            trusted_proxies: crate::auth::address::parse_networks(
                &lookup("CRM_TRUSTED_PROXIES").unwrap_or_default(),
            )
            .map_err(|reason| ConfigError {
                name: "CRM_TRUSTED_PROXIES",
                reason,
            })?,
            metrics_token: lookup("CRM_METRICS_TOKEN"),
            rate_limits: RateLimits {
                free: PlanLimits {
                    caller_per_minute: number(&lookup, "CRM_RATE_FREE_CALLER_PER_MIN", 120)?,
                    tenant_per_minute: number(&lookup, "CRM_RATE_FREE_TENANT_PER_MIN", 600)?,
                },
                pro: PlanLimits {
                    caller_per_minute: number(&lookup, "CRM_RATE_PRO_CALLER_PER_MIN", 600)?,
                    tenant_per_minute: number(&lookup, "CRM_RATE_PRO_TENANT_PER_MIN", 3000)?,
                },
                enterprise: PlanLimits {
                    caller_per_minute: number(&lookup, "CRM_RATE_ENTERPRISE_CALLER_PER_MIN", 3000)?,
                    tenant_per_minute: number(
                        &lookup,
                        "CRM_RATE_ENTERPRISE_TENANT_PER_MIN",
                        20000,
                    )?,
                },
                anonymous_per_minute: number(&lookup, "CRM_RATE_ANONYMOUS_PER_MIN", 60)?,
            },
            mail: mail(&lookup)?,
            bulk: BulkLimits {
                customer_import_max_rows: number(
                    &lookup,
                    "CRM_CUSTOMER_IMPORT_MAX_ROWS",
                    crate::domain::customer_import::MAX_ROWS,
                )?,
                exports_per_caller: number(&lookup, "CRM_EXPORTS_PER_CALLER", 2)?.max(1),
                exports_per_tenant: number(&lookup, "CRM_EXPORTS_PER_TENANT", 4)?.max(1),
            },
            public_url: get("CRM_PUBLIC_URL", "http://127.0.0.1:8080")
                .trim_end_matches('/')
                .to_owned(),
            invitation_ttl: Duration::from_secs(number(
                &lookup,
                "CRM_INVITATION_TTL_SECS",
                7 * 24 * 3600,
            )?),
            key_usage_flush_interval: Duration::from_secs(
                number(&lookup, "CRM_KEY_USAGE_FLUSH_SECS", 30)?.max(1),
            ),
            analytics_poll_interval: Duration::from_secs(
                number(&lookup, "CRM_ANALYTICS_POLL_SECS", 30)?.max(1),
            ),
            event_retention: Duration::from_secs(
                number::<u64>(&lookup, "CRM_EVENT_RETENTION_DAYS", 30)?.max(1) * 24 * 3600,
            ),
            webhooks: webhooks(&lookup)?,
            campaign_step_poll_interval: Duration::from_secs(
                number(&lookup, "CRM_CAMPAIGN_STEP_POLL_SECS", 30)?.max(1),
            ),
            log_format,
            console_dir: get("CRM_CONSOLE_DIR", "web/dist").into(),
        })
    }
}

/// The mail settings. Credentials are refused over a plain connection.
fn mail(lookup: &impl Fn(&str) -> Option<String>) -> Result<MailConfig, ConfigError> {
    let smtp_tls = match lookup("CRM_SMTP_TLS").as_deref() {
        None | Some("starttls") => SmtpTls::StartTls,
        Some("implicit") => SmtpTls::Implicit,
        Some("none") => SmtpTls::None,
        Some(other) => {
            return Err(ConfigError {
                name: "CRM_SMTP_TLS",
                reason: format!("must be `starttls`, `implicit` or `none`, not `{other}`"),
            })
        }
    };
    let smtp_username = lookup("CRM_SMTP_USERNAME");
    if smtp_username.is_some() && smtp_tls == SmtpTls::None {
        return Err(ConfigError {
            name: "CRM_SMTP_USERNAME",
            reason: "credentials would cross the network in clear; set CRM_SMTP_TLS to `starttls` or `implicit`".into(),
        });
    }
    let print = match lookup("CRM_MAIL_PRINT").as_deref() {
        None | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(other) => {
            return Err(ConfigError {
                name: "CRM_MAIL_PRINT",
                reason: format!("must be `1` or `0`, not `{other}`"),
            })
        }
    };
    Ok(MailConfig {
        smtp_host: lookup("CRM_SMTP_HOST"),
        smtp_port: number(lookup, "CRM_SMTP_PORT", default_smtp_port(smtp_tls))?,
        smtp_tls,
        smtp_ca_file: lookup("CRM_SMTP_CA_FILE").map(Into::into),
        smtp_username,
        smtp_password: lookup("CRM_SMTP_PASSWORD"),
        from: lookup("CRM_MAIL_FROM").unwrap_or_else(|| "CRM <no-reply@localhost>".into()),
        print,
    })
}

/// The retry waits of webhook deliveries when none are configured: 12
/// retries over about three days (68.6 hours in all).
pub const DEFAULT_WEBHOOK_RETRIES: &str = "5s,30s,2m,10m,30m,1h,2h,4h,8h,12h,16h,24h";

/// The webhook delivery settings.
fn webhooks(lookup: &impl Fn(&str) -> Option<String>) -> Result<WebhookConfig, ConfigError> {
    let flag = |name: &'static str| match lookup(name).as_deref() {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(other) => Err(ConfigError {
            name,
            reason: format!("must be `1` or `0`, not `{other}`"),
        }),
    };
    let schedule =
        lookup("CRM_WEBHOOK_RETRY_SCHEDULE").unwrap_or_else(|| DEFAULT_WEBHOOK_RETRIES.to_owned());
    let retry_schedule = schedule
        .split(',')
        .map(|part| parse_duration(part.trim()))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ConfigError {
            name: "CRM_WEBHOOK_RETRY_SCHEDULE",
            reason: format!(
                "`{schedule}` is not a comma-separated list of waits such as `5s,2m,1h`"
            ),
        })?;
    Ok(WebhookConfig {
        allow_http: flag("CRM_WEBHOOK_ALLOW_HTTP")?,
        allowed_networks: crate::auth::address::parse_networks(
            &lookup("CRM_WEBHOOK_ALLOWED_NETWORKS").unwrap_or_default(),
        )
        .map_err(|reason| ConfigError {
            name: "CRM_WEBHOOK_ALLOWED_NETWORKS",
            reason,
        })?,
        timeout: Duration::from_secs(number(lookup, "CRM_WEBHOOK_TIMEOUT_SECS", 10)?.max(1)),
        retry_schedule,
        poll_interval: Duration::from_millis(number(lookup, "CRM_WEBHOOK_POLL_MS", 250)?.max(10)),
        concurrency: number(lookup, "CRM_WEBHOOK_CONCURRENCY", 32)?.max(1),
    })
}

/// Reads a wait such as `250ms`, `5s`, `2m`, `1h` or `1d`.
fn parse_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().ok()?;
    Some(match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n * 60),
        "h" => Duration::from_secs(n * 3600),
        "d" => Duration::from_secs(n * 86_400),
        _ => return None,
    })
}

/// The submission port for the TLS mode: 465 for implicit TLS, else 587.
fn default_smtp_port(tls: SmtpTls) -> u16 {
    match tls {
        SmtpTls::Implicit => 465,
        SmtpTls::StartTls => 587,
        SmtpTls::None => 25,
    }
}

/// Parses `id=secret,id=secret` into verification keys.
fn previous_keys(raw: Option<String>) -> Result<Vec<(String, Vec<u8>)>, ConfigError> {
    let Some(raw) = raw else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .filter(|entry| !entry.trim().is_empty())
        .map(|entry| match entry.trim().split_once('=') {
            Some((id, secret)) if !id.is_empty() && secret.len() >= 32 => {
                Ok((id.to_owned(), secret.as_bytes().to_vec()))
            }
            _ => Err(ConfigError {
                name: "CRM_JWT_PREVIOUS_KEYS",
                reason: "must be `key-id=secret` pairs separated by commas, secrets of at least 32 characters".into(),
            }),
        })
        .collect()
}

/// What `crm migrate` needs: the owner role's URL it migrates as, and the
/// server role's URL, to tell the two apart.
#[derive(Clone, Debug, Default)]
pub struct MigrationConfig {
    /// `DATABASE_OWNER_URL`.
    pub owner_url: Option<String>,
    /// `DATABASE_URL`.
    pub server_url: Option<String>,
}

impl MigrationConfig {
    /// Reads the two URLs from the process environment.
    pub fn from_env() -> Self {
        let get = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        MigrationConfig {
            owner_url: get("DATABASE_OWNER_URL"),
            server_url: get("DATABASE_URL"),
        }
    }
}

/// The log format alone, for commands that need no other setting.
pub fn log_format_from_env() -> LogFormat {
    match std::env::var("CRM_LOG_FORMAT").as_deref() {
        Ok("json") => LogFormat::Json,
        _ => LogFormat::Pretty,
    }
}

fn number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match lookup(name) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| ConfigError {
            name,
            reason: format!("`{raw}` is not a valid non-negative number"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_apply_when_only_required_values_are_given() {
        let config = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "postgres://x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ]))
        .unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080");
        assert_eq!(config.graphql.max_depth, 10);
        assert_eq!(config.graphql.max_complexity, 5000);
        assert_eq!(config.jwt.access_token_ttl, Duration::from_secs(900));
        assert_eq!(config.mail.smtp_tls, SmtpTls::StartTls);
        assert_eq!(config.mail.smtp_port, 587);
        assert!(!config.mail.print);
        assert_eq!(config.event_retention, Duration::from_secs(30 * 86_400));
        let retries: Duration = config.webhooks.retry_schedule.iter().sum();
        assert!(
            retries > Duration::from_secs(60 * 3600) && retries < Duration::from_secs(80 * 3600)
        );
        assert_eq!(config.webhooks.timeout, Duration::from_secs(10));
        assert!(!config.webhooks.allow_http && config.webhooks.allowed_networks.is_empty());
    }

    #[test]
    fn webhook_retry_waits_parse_or_name_the_variable() {
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("2 weeks"), None);
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CRM_WEBHOOK_RETRY_SCHEDULE", "5s,soon"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_WEBHOOK_RETRY_SCHEDULE");
    }

    #[test]
    fn mail_credentials_need_tls() {
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CRM_SMTP_TLS", "none"),
            ("CRM_SMTP_USERNAME", "crm"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_SMTP_USERNAME");
        let config = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CRM_SMTP_TLS", "implicit"),
            ("CRM_MAIL_PRINT", "1"),
        ]))
        .unwrap();
        assert_eq!(config.mail.smtp_port, 465);
        assert!(config.mail.print);
    }

    #[test]
    fn a_short_secret_or_bad_number_names_the_variable() {
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "short"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_JWT_SECRET");
        let err = Config::from_lookup(lookup(&[
            ("DATABASE_URL", "x"),
            ("CRM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
            ("CRM_GRAPHQL_MAX_DEPTH", "ten"),
        ]))
        .unwrap_err();
        assert_eq!(err.name, "CRM_GRAPHQL_MAX_DEPTH");
    }
}
