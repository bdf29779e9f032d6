//! A workspace's webhook endpoints: their address (checked when given, and
//! again by the address guard at every attempt), the event kinds they
//! subscribe to, their signing secrets (shown once; a rotation keeps the
//! old secret signing for an overlap), and whether they are enabled.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

use entity::webhook_endpoint::{self, Column, Entity as Endpoints};

use super::address_guard;
use super::signing;
use crate::config::WebhookConfig;
use crate::domain::domain_events::EventKind;
use crate::domain::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::domain::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Endpoints one workspace may have.
pub const MAX_ENDPOINTS: u64 = 50;
/// The longest overlap a rotation may give the old secret.
pub const MAX_OVERLAP: Duration = Duration::days(7);

/// Why an endpoint is disabled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisabledReason {
    /// A member disabled it.
    Manual,
    /// Every attempt of a delivery's whole retry series failed.
    Failing,
}

impl DisabledReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DisabledReason::Manual => "MANUAL",
            DisabledReason::Failing => "FAILING",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "MANUAL" => Ok(DisabledReason::Manual),
            "FAILING" => Ok(DisabledReason::Failing),
            other => Err(Error::unknown_stored("webhook disabled reason", other)),
        }
    }
}

/// A checked endpoint address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    /// Parses `raw`: an absolute `https://` URL (`http://` only where the
    /// operator allows it), with a host, without credentials, and not an
    /// address literal the guard refuses. `VALIDATION` on `field` otherwise.
    pub fn parse(field: &str, raw: &str, config: &WebhookConfig) -> Result<Self> {
        let raw = values::required_text(field, raw, 2000)?;
        let url = reqwest::Url::parse(&raw)
            .map_err(|_| Error::validation(field, "is not an absolute URL"))?;
        match url.scheme() {
            "https" => {}
            "http" if config.allow_http => {}
            _ => return Err(Error::validation(field, "must be an https:// URL")),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(Error::validation(field, "must name a host"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::validation(
                field,
                "must not carry credentials; verify the signature instead",
            ));
        }
        if address_guard::check_literal(&url, &config.allowed_networks).is_err() {
            return Err(Error::validation(
                field,
                "points to a private, loopback, link-local or reserved address",
            ));
        }
        Ok(EndpointUrl(url.to_string()))
    }
}

/// Checks a subscription: at least one kind, each once.
pub fn event_kinds(field: &str, kinds: Vec<EventKind>) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for kind in kinds {
        if !names.iter().any(|n| n == kind.as_str()) {
            names.push(kind.as_str().to_owned());
        }
    }
    if names.is_empty() {
        return Err(Error::validation(
            field,
            "subscribe to at least one event type",
        ));
    }
    Ok(names)
}

/// A checked new endpoint.
#[derive(Clone, Debug)]
pub struct NewEndpoint {
    pub url: EndpointUrl,
    pub description: Option<String>,
    pub event_kinds: Vec<String>,
}

/// Checked changes of an endpoint (`None`: unchanged).
#[derive(Clone, Debug, Default)]
pub struct EndpointChanges {
    pub url: Option<EndpointUrl>,
    pub description: Option<Option<String>>,
    pub event_kinds: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A checked description.
pub fn description(field: &str, raw: &str) -> Result<Option<String>> {
    values::optional_text(field, raw, 500)
}

/// Creates an endpoint, enabled, with a new secret; returns it with the
/// secret as shown once (`whsec_…`).
pub async fn create(tx: &TenantTx, new: NewEndpoint) -> Result<(webhook_endpoint::Model, String)> {
    let existing = Endpoints::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .count(&**tx)
        .await?;
    if existing >= MAX_ENDPOINTS {
        return Err(Error::conflict(
            format!("a workspace has at most {MAX_ENDPOINTS} webhook endpoints"),
            Some("url"),
        ));
    }
    let (stored, shown) = signing::new_secret();
    let now = Utc::now();
    let endpoint = Endpoints::insert(webhook_endpoint::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        url: Set(new.url.0),
        description: Set(new.description),
        event_kinds: Set(new.event_kinds),
        secret: Set(stored),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        enabled: Set(true),
        disabled_reason: Set(None),
        disabled_at: Set(None),
        failing_since: Set(None),
        last_success_at: Set(None),
        created_by: Set(tx.scope().user_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await?;
    Ok((endpoint, shown))
}

/// The endpoint with `id`; `NOT_FOUND` when absent (or another workspace's).
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<webhook_endpoint::Model> {
    Endpoints::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("webhook endpoint"))
}

fn sort_keys() -> [SortKey; 2] {
    [
        SortKey {
            name: "createdAt",
            expr: Expr::col((Endpoints, Column::CreatedAt)).into(),
            kind: SortKind::Time,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
        SortKey {
            name: "id",
            expr: Expr::col((Endpoints, Column::Id)).into(),
            kind: SortKind::Uuid,
            descending: true,
            case_insensitive: false,
            value_cast: None,
        },
    ]
}

/// One page of the workspace's endpoints, newest first.
pub async fn list(tx: &TenantTx, page: &PageRequest) -> Result<Page<webhook_endpoint::Model>> {
    let select = Endpoints::find().filter(Column::TenantId.eq(tx.tenant_id()));
    fetch_page(tx, select, &sort_keys(), page, |row| {
        vec![SortValue::Time(row.created_at), SortValue::Uuid(row.id)]
    })
    .await
}

/// How many endpoints the workspace has.
pub async fn count(tx: &TenantTx) -> Result<u64> {
    Ok(Endpoints::find()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .count(&**tx)
        .await?)
}

/// Applies `changes` if the endpoint is still at `version` (a stale one is
/// a `CONFLICT`). Enabling clears the disabled reason; disabling records
/// it as the member's.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: EndpointChanges,
) -> Result<webhook_endpoint::Model> {
    let current = find(tx, id).await?;
    if current.version != version {
        return Err(stale(version, current.version));
    }
    let mut update = Endpoints::update_many()
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(version));
    if let Some(url) = changes.url {
        update = update.col_expr(Column::Url, Expr::value(url.0));
    }
    if let Some(description) = changes.description {
        update = update.col_expr(Column::Description, Expr::value(description));
    }
    if let Some(kinds) = changes.event_kinds {
        update = update.col_expr(Column::EventKinds, Expr::value(kinds));
    }
    match changes.enabled {
        Some(true) if !current.enabled => {
            update = update
                .col_expr(Column::Enabled, Expr::value(true))
                .col_expr(Column::DisabledReason, Expr::value(Option::<String>::None))
                .col_expr(
                    Column::DisabledAt,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    Column::FailingSince,
                    Expr::value(Option::<DateTime<Utc>>::None),
                );
        }
        Some(false) if current.enabled => {
            update = update
                .col_expr(Column::Enabled, Expr::value(false))
                .col_expr(
                    Column::DisabledReason,
                    Expr::value(DisabledReason::Manual.as_str()),
                )
                .col_expr(Column::DisabledAt, Expr::current_timestamp().into());
        }
        _ => {}
    }
    update
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| stale(version, version + 1))
}

fn stale(sent: i32, now: i32) -> Error {
    Error::conflict(
        format!(
            "the webhook endpoint changed (version {now}, not {sent}); reload it and try again"
        ),
        Some("version"),
    )
}

/// Gives the endpoint a new secret; the old one keeps signing (both
/// signatures are sent) for `overlap`, at most [`MAX_OVERLAP`]. Returns
/// the endpoint and the new secret as shown once.
pub async fn rotate_secret(
    tx: &TenantTx,
    id: Uuid,
    overlap: Duration,
) -> Result<(webhook_endpoint::Model, String)> {
    if overlap < Duration::zero() || overlap > MAX_OVERLAP {
        return Err(Error::validation(
            "overlapSeconds",
            format!("must be between 0 and {}", MAX_OVERLAP.num_seconds()),
        ));
    }
    let current = find(tx, id).await?;
    let (stored, shown) = signing::new_secret();
    let (previous, until) = if overlap.is_zero() {
        (None, None)
    } else {
        (Some(current.secret), Some(Utc::now() + overlap))
    };
    let endpoint = Endpoints::update_many()
        .col_expr(Column::Secret, Expr::value(stored))
        .col_expr(Column::PreviousSecret, Expr::value(previous))
        .col_expr(Column::PreviousSecretUntil, Expr::value(until))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("webhook endpoint"))?;
    Ok((endpoint, shown))
}

/// Deletes the endpoint with its deliveries and their log.
pub async fn delete(tx: &TenantTx, id: Uuid) -> Result<webhook_endpoint::Model> {
    Endpoints::delete_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("webhook endpoint"))
}

/// Disables an endpoint that failed throughout a delivery's retries (no
/// success since `series_started_at`); returns it when it was disabled now.
pub async fn disable_failing(
    tx: &TenantTx,
    id: Uuid,
    series_started_at: DateTime<Utc>,
) -> Result<Option<webhook_endpoint::Model>> {
    Ok(Endpoints::update_many()
        .col_expr(Column::Enabled, Expr::value(false))
        .col_expr(
            Column::DisabledReason,
            Expr::value(DisabledReason::Failing.as_str()),
        )
        .col_expr(Column::DisabledAt, Expr::current_timestamp().into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .filter(Column::Enabled.eq(true))
        .filter(
            Column::LastSuccessAt
                .is_null()
                .or(Column::LastSuccessAt.lt(series_started_at)),
        )
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next())
}
