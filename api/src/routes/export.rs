//! `GET /export/customers.csv`: the customers matching a filter, as CSV.
//!
//! GraphQL answers are JSON, so the export is a plain HTTP endpoint behind
//! the same gate as `/graphql` (`Authorization: Bearer`, rate limits, the
//! caller's customer visibility) and needs `customers:read`. `filter` and
//! `orderBy` are the JSON forms of the GraphQL `CustomerFilter` and
//! `[CustomerOrderBy!]` inputs. Rows are streamed in keyset-paged batches of
//! [`EXPORT_BATCH_ROWS`], each read in its own short read-only transaction,
//! so a slow download holds no transaction open; the header row names the
//! fields as `importCustomers` reads them, so an export imports back as is
//! (cells that a spreadsheet would run as formulas get a leading `'`, which
//! the import takes off: `csv::guard_formula`).

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::InputType;
use serde_json::Value;
use uuid::Uuid;

use entity::customer;

use crate::auth::gate::Admission;
use crate::auth::Permission;
use crate::csv;
use crate::domain::contact_points::PointList;
use crate::domain::customer_import::{list_cell, ImportField};
use crate::domain::customers::{self, CustomerFilter, CustomerOrder};
use crate::domain::pagination::PageRequest;
use crate::graphql::customers::types::{CustomerFilter as FilterInput, CustomerOrderBy};
use crate::startup::AppState;
use crate::tenancy::{TenantScope, TenantTx};

use super::export_slots::{Busy, ExportSlot};

/// Seconds a refused export is told to wait before trying again.
const BUSY_RETRY_AFTER_SECS: u64 = 10;

/// Customers read per query while streaming.
pub const EXPORT_BATCH_ROWS: u64 = 1000;

/// `GET /export/customers.csv?filter=<JSON>&orderBy=<JSON>`.
pub async fn customers_csv(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let params = match web::Query::<HashMap<String, String>>::from_query(req.query_string()) {
        Ok(params) => params.into_inner(),
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                "the query string cannot be parsed",
                "VALIDATION",
            )
        }
    };
    let filter = match params
        .get("filter")
        .map(|raw| parse_filter(raw))
        .transpose()
    {
        Ok(filter) => filter.unwrap_or_default(),
        Err(message) => return error(StatusCode::BAD_REQUEST, &message, "VALIDATION"),
    };
    let order = match params
        .get("orderBy")
        .map(|raw| parse_order(raw))
        .transpose()
    {
        Ok(order) => order.unwrap_or_default(),
        Err(message) => return error(StatusCode::BAD_REQUEST, &message, "VALIDATION"),
    };
    if let Err(err) = filter.validate() {
        return error(StatusCode::BAD_REQUEST, &err.message(), err.code());
    }
    let Admission {
        principal, quota, ..
    } = match super::graphql::admit(&req, &state).await {
        Ok(admission) => admission,
        Err(response) => return response,
    };
    let Some(mut principal) = principal else {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .json(super::graphql::errors_body(
                "sign in first: send `Authorization: Bearer <access token>`",
                "UNAUTHENTICATED",
            ));
    };
    if let Err(err) = principal.require(Permission::CustomersRead) {
        return error(StatusCode::FORBIDDEN, &err.message(), err.code());
    }
    // Held by the response body until it is finished or dropped.
    let caller = principal
        .api_key_id()
        .unwrap_or_else(|| principal.user_id());
    let slot = match state.exports.acquire(caller, principal.tenant_id) {
        Ok(slot) => slot,
        Err(busy) => return busy_response(busy),
    };
    match crate::domain::visibility::restriction_for(&state.db, &principal).await {
        Ok(restriction) => principal.customers = restriction,
        Err(err) if err.is_failure() => {
            return error(err.http_status(), &err.message(), err.code())
        }
        Err(err) => return error(StatusCode::UNAUTHORIZED, &err.message(), "UNAUTHENTICATED"),
    }
    let owners =
        match crate::domain::members::user_ids_by_email(&state.db, principal.tenant_id).await {
            Ok(by_email) => by_email
                .into_iter()
                .map(|(email, id)| (id, email))
                .collect(),
            Err(err) => return error(err.http_status(), &err.message(), err.code()),
        };
    let teams = match team_names(&state.db, principal.scope()).await {
        Ok(teams) => teams,
        Err(err) => {
            if let crate::error::Error::Internal(source) = &err {
                tracing::error!(error = %source, "customer export failed");
            }
            return error(err.http_status(), &err.message(), err.code());
        }
    };
    // Probe the first page before answering, so that a bad order or a
    // database failure is a proper error status rather than a cut stream.
    let export = Export {
        _slot: slot,
        db: state.db.clone(),
        scope: principal.scope(),
        filter: Arc::new(filter),
        order: Arc::new(order),
        owners: Arc::new(owners),
        teams: Arc::new(teams),
    };
    let first = match export.page(None).await {
        Ok(first) => first,
        Err(err) => {
            let status = err.http_status();
            let message = err.message();
            if let crate::error::Error::Internal(source) = &err {
                tracing::error!(error = %source, "customer export failed");
            }
            return error(status, &message, err.code());
        }
    };
    let mut head = String::from('\u{feff}');
    let header_row: Vec<&str> = std::iter::once("id")
        .chain(ImportField::ALL.iter().map(|f| f.api_name()))
        .chain(["createdAt", "updatedAt"])
        .collect();
    csv::write_record(&mut head, &header_row);
    head.push_str(&first.0);
    let state0 = (export, Some(head), first.1);
    let body = futures_util::stream::unfold(state0, |(export, pending, next)| async move {
        if let Some(chunk) = pending {
            return Some((Ok(web::Bytes::from(chunk)), (export, None, next)));
        }
        let cursor = next?;
        match export.page(Some(cursor)).await {
            Ok((chunk, next)) => Some((Ok(web::Bytes::from(chunk)), (export, None, next))),
            Err(err) => {
                if let crate::error::Error::Internal(source) = &err {
                    tracing::error!(error = %source, "customer export failed while streaming");
                }
                // Ending with an error aborts the response, so the client
                // sees a cut download rather than a silently short file.
                Some((
                    Err(actix_web::error::ErrorInternalServerError("export failed")),
                    (export, None, None),
                ))
            }
        }
    });
    let mut response = HttpResponse::Ok();
    if let Some(quota) = &quota {
        super::graphql::quota_headers(&mut response, quota);
    }
    response
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"customers.csv\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

/// What the stream needs to read the next batch.
struct Export {
    /// This export's place among those running, given back with the stream.
    _slot: ExportSlot,
    db: sea_orm::DatabaseConnection,
    scope: TenantScope,
    filter: Arc<CustomerFilter>,
    order: Arc<Vec<CustomerOrder>>,
    owners: Arc<HashMap<Uuid, String>>,
    /// How the file names each team (`org_units::team_cells`), by id.
    teams: Arc<HashMap<Uuid, String>>,
}

/// How the file names each of the workspace's teams, by id, read in a
/// short read-only transaction.
async fn team_names(
    db: &sea_orm::DatabaseConnection,
    scope: TenantScope,
) -> crate::error::Result<HashMap<Uuid, String>> {
    let tx = TenantTx::begin_read_only(db, scope).await?;
    let teams = crate::domain::org_units::teams(&tx).await?;
    tx.commit().await?;
    Ok(crate::domain::org_units::team_cells(&teams))
}

impl Export {
    /// The CSV of one batch after `cursor`, and the cursor of the next
    /// batch if there is one.
    async fn page(&self, cursor: Option<String>) -> crate::error::Result<(String, Option<String>)> {
        let tx = TenantTx::begin_read_only(&self.db, self.scope).await?;
        let page = customers::list(
            &tx,
            &self.filter,
            &self.order,
            &PageRequest {
                limit: EXPORT_BATCH_ROWS,
                backward: false,
                cursor,
                cursor_field: "after",
            },
        )
        .await?;
        tx.commit().await?;
        let mut out = String::new();
        let next = if page.has_next_page {
            page.rows.last().map(|(cursor, _)| cursor.clone())
        } else {
            None
        };
        for (_, c) in &page.rows {
            let row: Vec<String> = std::iter::once(c.id.to_string())
                .chain(ImportField::ALL.iter().map(|f| self.cell(*f, c)))
                .chain([c.created_at.to_rfc3339(), c.updated_at.to_rfc3339()])
                .collect();
            // No cell may run as a formula in a spreadsheet; import undoes this.
            let guarded: Vec<_> = row.iter().map(|cell| csv::guard_formula(cell)).collect();
            csv::write_record(&mut out, &guarded);
        }
        Ok((out, next))
    }

    /// A customer's cell in the column of `field`, as the import reads it.
    fn cell(&self, field: ImportField, c: &customer::Model) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let others = |points: PointList| {
            list_cell(
                &points
                    .0
                    .into_iter()
                    .skip(1)
                    .map(|p| p.value)
                    .collect::<Vec<_>>(),
            )
        };
        match field {
            ImportField::ExternalId => text(&c.external_id),
            ImportField::Name => c.name.clone(),
            ImportField::Kind => c.kind.clone(),
            ImportField::Email => text(&c.email),
            ImportField::Phone => text(&c.phone),
            ImportField::Website => text(&c.website),
            ImportField::Industry => text(&c.industry),
            ImportField::Region => text(&c.region),
            ImportField::LifecycleStage => c.lifecycle_stage.clone(),
            ImportField::Tags => list_cell(&c.tags),
            ImportField::OwnerEmail => c
                .owner_id
                .and_then(|id| self.owners.get(&id).cloned())
                .unwrap_or_default(),
            ImportField::OtherEmails => others(customers::emails_of(c)),
            ImportField::OtherPhones => others(customers::phones_of(c)),
            ImportField::Street => list_cell(&c.address_lines),
            ImportField::City => text(&c.city),
            ImportField::StateProvince => text(&c.state_province),
            ImportField::PostalCode => text(&c.postal_code),
            ImportField::Country => text(&c.country),
            ImportField::AcquisitionSource => text(&c.acquisition_source),
            ImportField::AcquisitionChannel => text(&c.acquisition_channel),
            ImportField::Team => c
                .team_id
                .and_then(|id| self.teams.get(&id).cloned())
                .unwrap_or_default(),
        }
    }
}

fn parse_filter(raw: &str) -> Result<CustomerFilter, String> {
    let json: Value =
        serde_json::from_str(raw).map_err(|e| format!("filter: not valid JSON: {e}"))?;
    let value = async_graphql::Value::from_json(json.clone())
        .map_err(|e| format!("filter: not a valid input: {e}"))?;
    let input = FilterInput::parse(Some(value)).map_err(|e| {
        format!(
            "filter: {}",
            e.into_server_error(async_graphql::Pos::default()).message
        )
    })?;
    if let Some(path) = unknown_field(&json, &input.to_value(), "filter") {
        return Err(format!("`{path}` is not a field of CustomerFilter"));
    }
    input.into_domain().map_err(|e| e.message())
}

fn parse_order(raw: &str) -> Result<Vec<CustomerOrder>, String> {
    let json: Value =
        serde_json::from_str(raw).map_err(|e| format!("orderBy: not valid JSON: {e}"))?;
    let value = async_graphql::Value::from_json(json)
        .map_err(|e| format!("orderBy: not a valid input: {e}"))?;
    let input = <Vec<CustomerOrderBy>>::parse(Some(value)).map_err(|e| {
        format!(
            "orderBy: {}",
            e.into_server_error(async_graphql::Pos::default()).message
        )
    })?;
    Ok(input.into_iter().map(Into::into).collect())
}

/// The first key of `sent` that the parsed input does not have: GraphQL
/// input parsing ignores unknown fields, and a misspelt condition must not
/// silently export everything.
fn unknown_field(sent: &Value, parsed: &async_graphql::Value, path: &str) -> Option<String> {
    match (sent, parsed) {
        (Value::Object(fields), async_graphql::Value::Object(known)) => {
            fields.iter().find_map(|(name, value)| {
                let here = format!("{path}.{name}");
                match known.get(name.as_str()) {
                    None => Some(here),
                    Some(inner) => unknown_field(value, inner, &here),
                }
            })
        }
        (Value::Array(items), async_graphql::Value::List(known)) => items
            .iter()
            .zip(known)
            .enumerate()
            .find_map(|(i, (item, inner))| unknown_field(item, inner, &format!("{path}[{i}]"))),
        _ => None,
    }
}

/// 429 `RATE_LIMITED`, naming the limit that binds.
fn busy_response(busy: Busy) -> HttpResponse {
    let message = match busy {
        Busy::Caller(limit) => format!(
            "too many exports at once: at most {limit} per caller may run at the same time; retry when one has finished"
        ),
        Busy::Tenant(limit) => format!(
            "too many exports at once: at most {limit} per workspace may run at the same time; retry when one has finished"
        ),
    };
    let mut body = super::graphql::errors_body(&message, "RATE_LIMITED");
    body["errors"][0]["extensions"]["retryAfter"] = BUSY_RETRY_AFTER_SECS.into();
    HttpResponse::TooManyRequests()
        .insert_header((header::RETRY_AFTER, BUSY_RETRY_AFTER_SECS.to_string()))
        .json(body)
}

fn error(status: StatusCode, message: &str, code: &str) -> HttpResponse {
    HttpResponse::build(status).json(super::graphql::errors_body(message, code))
}
