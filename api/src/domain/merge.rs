//! Merging two customers that are one: everything of the merged customer
//! moves to the survivor, which keeps its own values and takes the merged
//! one's where it has none; the merged customer is deleted (soft), and the
//! merge is recorded with the merged record as it was.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Statement,
};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::customer::{self, Column, Entity as Customers};

use super::contact_points::{PointKind, MAX_POINTS};
use super::customers::{self, MAX_TAGS};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// A table whose rows belong to a customer through its `customer_id`.
#[derive(Clone, Copy, Debug)]
pub struct CustomerChildTable {
    pub table: &'static str,
    /// Whether rows carry `version` and `updated_at`, which a move bumps like
    /// any other change.
    pub versioned: bool,
}

/// Every table with a `customer_id`: a merge moves all their rows to the
/// survivor. A new table that belongs to customers is added here (a test
/// compares this list with the database). A table with a uniqueness rule that
/// involves `customer_id` needs its own step instead.
pub const CUSTOMER_CHILD_TABLES: &[CustomerChildTable] = &[
    CustomerChildTable {
        table: "contacts",
        versioned: true,
    },
    CustomerChildTable {
        table: "interactions",
        versioned: false,
    },
    CustomerChildTable {
        table: "orders",
        versioned: true,
    },
    CustomerChildTable {
        table: "deals",
        versioned: true,
    },
    CustomerChildTable {
        table: "leads",
        versioned: true,
    },
    CustomerChildTable {
        table: "cases",
        versioned: true,
    },
];

/// Tables with a `customer_id` that a merge does not move itself: the search
/// tables, which triggers keep in step with the moved rows, the field
/// history, which stays with the record it describes, and the stored value
/// figures, which the next analytics run computes from the moved orders.
pub const DERIVED_TABLES: &[&str] = &[
    "search_people",
    "search_interactions",
    "customer_changes",
    "customer_values",
];

/// Tables with a `customer_id` whose uniqueness rule involves it, so a
/// merge moves their rows in a step of its own: segment memberships (the
/// survivor joins the merged customer's static lists; dynamic segments
/// follow their filters) and campaign memberships (the survivor joins the
/// merged customer's campaigns; where both were members, the survivor's
/// membership stays) and campaign step deliveries (likewise, so a step
/// never reaches the survivor again for what it did for either).
pub const OWN_STEP_TABLES: &[&str] = &[
    "segment_members",
    "campaign_members",
    "campaign_step_deliveries",
];

/// A validated merge: `merged` goes into `survivor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MergeRequest {
    pub survivor_id: Uuid,
    pub merged_id: Uuid,
    /// The survivor's version the caller saw; a stale one is a `CONFLICT`.
    pub survivor_version: Option<i32>,
}

impl MergeRequest {
    /// Checks that two different customers are named.
    pub fn new(survivor_id: Uuid, merged_id: Uuid, survivor_version: Option<i32>) -> Result<Self> {
        if survivor_id == merged_id {
            return Err(Error::validation(
                "mergedId",
                "must be another customer than survivorId",
            ));
        }
        Ok(MergeRequest {
            survivor_id,
            merged_id,
            survivor_version,
        })
    }
}

/// Merges `request.merged_id` into `request.survivor_id`, all in `tx`:
/// moves the rows of [`CUSTOMER_CHILD_TABLES`], unites their emails, phones
/// and tags, fills the survivor's empty website, industry, region, external
/// id, address (as a whole), acquisition source and channel and team from
/// the merged customer, deletes the merged customer, records the
/// merge and bumps the survivor's version. Both must be live customers of
/// the tenant (else `NOT_FOUND`). Returns the survivor as it is now.
pub async fn merge(tx: &TenantTx, request: MergeRequest) -> Result<customer::Model> {
    let MergeRequest {
        survivor_id,
        merged_id,
        survivor_version,
    } = request;

    // Read and lock both, in id order so that two opposite merges wait for
    // each other instead of deadlocking; keep the merged record as it was.
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT c.*, to_jsonb(c) AS snapshot FROM customers c
              WHERE c.tenant_id = $1 AND c.id = ANY($2) AND c.deleted_at IS NULL
              ORDER BY c.id
                FOR UPDATE",
            [tx.tenant_id().into(), vec![survivor_id, merged_id].into()],
        ))
        .await?;
    let mut survivor = None;
    let mut merged = None;
    for row in &rows {
        let record = customer::Model::from_query_result(row, "")?;
        if record.id == survivor_id {
            survivor = Some(record);
        } else if record.id == merged_id {
            merged = Some((record, row.try_get::<JsonValue>("", "snapshot")?));
        }
    }
    let (Some(survivor), Some((merged, snapshot))) = (survivor, merged) else {
        return Err(Error::NotFound("customer"));
    };
    if let Some(version) = survivor_version {
        if version != survivor.version {
            return Err(Error::conflict(
                format!(
                    "the surviving customer was changed by someone else (you sent version {version}, it is now at version {}); reload it and merge again",
                    survivor.version
                ),
                Some("survivorVersion"),
            ));
        }
    }
    let mut tags = survivor.tags.clone();
    for tag in &merged.tags {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::conflict(
            format!(
                "together the two customers have {} tags, and a customer has at most {MAX_TAGS}; remove some first",
                tags.len()
            ),
            Some("mergedId"),
        ));
    }

    for child in CUSTOMER_CHILD_TABLES {
        let touch = if child.versioned {
            ", version = version + 1, updated_at = now()"
        } else {
            ""
        };
        tx.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            format!(
                "UPDATE {table} SET customer_id = $3{touch} WHERE tenant_id = $1 AND customer_id = $2",
                table = child.table
            ),
            [tx.tenant_id().into(), merged_id.into(), survivor_id.into()],
        ))
        .await?;
    }

    super::marketing::segments::move_members(tx, merged_id, survivor_id).await?;
    super::marketing::campaigns::move_members(tx, merged_id, survivor_id).await?;
    super::marketing::step_runs::move_deliveries(tx, merged_id, survivor_id).await?;

    // The external id is unique in the tenant, deleted customers included:
    // when it moves, the merged customer gives it up first.
    let external_id_moves = survivor.external_id.is_none() && merged.external_id.is_some();
    let mut delete = Customers::update_many()
        .col_expr(Column::DeletedAt, Expr::current_timestamp().into())
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .col_expr(Column::Version, Expr::col(Column::Version).add(1));
    if external_id_moves {
        delete = delete.col_expr(Column::ExternalId, Expr::value(None::<String>));
    }
    let merged_after = delete
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(merged_id))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("customer"))?;
    super::customer_history::record(
        tx,
        super::customer_history::ChangeAction::Delete,
        Some(&merged),
        &merged_after,
    )
    .await?;
    tx.touch_customer(merged_id);
    let survivor_before = survivor.clone();

    let fill =
        |own: &Option<String>, theirs: &Option<String>| own.clone().or_else(|| theirs.clone());
    // Emails and phones: the survivor's, then the merged one's it lacks.
    let mut emails = customers::emails_of(&survivor);
    emails.unite(PointKind::Email, &customers::emails_of(&merged));
    let mut phones = customers::phones_of(&survivor);
    phones.unite(PointKind::Phone, &customers::phones_of(&merged));
    for (list, field) in [(&emails, "emails"), (&phones, "phones")] {
        if list.0.len() > MAX_POINTS {
            return Err(Error::conflict(
                format!(
                    "together the two customers have {} {field}, and a customer has at most {MAX_POINTS}; remove some first",
                    list.0.len()
                ),
                Some("mergedId"),
            ));
        }
    }
    let (email, email_label, other_emails) = emails.columns();
    let (phone, phone_label, other_phones) = phones.columns();
    // The address moves whole, and only to a survivor without one.
    let address = if customers::address_of(&survivor).is_empty() {
        customers::address_of(&merged)
    } else {
        customers::address_of(&survivor)
    };
    let survivor = Customers::update_many()
        .col_expr(Column::Email, Expr::value(email))
        .col_expr(Column::EmailLabel, Expr::value(email_label))
        .col_expr(Column::OtherEmails, Expr::value(other_emails))
        .col_expr(Column::Phone, Expr::value(phone))
        .col_expr(Column::PhoneLabel, Expr::value(phone_label))
        .col_expr(Column::OtherPhones, Expr::value(other_phones))
        .col_expr(Column::AddressLines, Expr::value(address.street_lines))
        .col_expr(Column::City, Expr::value(address.city))
        .col_expr(Column::StateProvince, Expr::value(address.state_province))
        .col_expr(Column::PostalCode, Expr::value(address.postal_code))
        .col_expr(Column::Country, Expr::value(address.country))
        .col_expr(
            Column::AcquisitionSource,
            Expr::value(fill(
                &survivor.acquisition_source,
                &merged.acquisition_source,
            )),
        )
        .col_expr(
            Column::AcquisitionChannel,
            Expr::value(fill(
                &survivor.acquisition_channel,
                &merged.acquisition_channel,
            )),
        )
        .col_expr(
            Column::TeamId,
            Expr::value(survivor.team_id.or(merged.team_id)),
        )
        .col_expr(
            Column::Website,
            Expr::value(fill(&survivor.website, &merged.website)),
        )
        .col_expr(
            Column::Industry,
            Expr::value(fill(&survivor.industry, &merged.industry)),
        )
        .col_expr(
            Column::Region,
            Expr::value(fill(&survivor.region, &merged.region)),
        )
        .col_expr(
            Column::ExternalId,
            Expr::value(fill(&survivor.external_id, &merged.external_id)),
        )
        .col_expr(Column::Tags, Expr::value(tags))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(survivor_id))
        .exec_with_returning(&**tx)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("customer"))?;

    super::customer_history::record(
        tx,
        super::customer_history::ChangeAction::Update,
        Some(&survivor_before),
        &survivor,
    )
    .await?;
    // Contacts, interactions and deals moved: the survivor's rollups are recounted
    // (which also drops its cached view).
    super::customers::recompute_rollups(tx, survivor_id).await?;
    super::orders::rollups::recount(tx, &[survivor_id, merged_id]).await?;
    super::deals::recompute_rollups(tx, survivor_id).await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO customer_merges (tenant_id, id, survivor_id, merged_id, merged_by, snapshot)
         VALUES ($1, $2, $3, $4, $5, $6)",
        [
            tx.tenant_id().into(),
            Uuid::now_v7().into(),
            survivor_id.into(),
            merged_id.into(),
            tx.scope().user_id.into(),
            snapshot.into(),
        ],
    ))
    .await?;
    super::domain_events::record(
        tx,
        super::domain_events::EventKind::CustomerMerged,
        survivor_id,
        serde_json::json!({ "customerId": survivor_id, "mergedCustomerIds": [merged_id] }),
    )
    .await?;
    // Read again: the rollups were recounted after `survivor` was written.
    super::customers::find(tx, survivor.id)
        .await?
        .ok_or(Error::NotFound("customer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_cannot_be_merged_into_itself() {
        let id = Uuid::now_v7();
        let err = MergeRequest::new(id, id, None).unwrap_err();
        assert_eq!(err.code(), "VALIDATION");
        assert!(MergeRequest::new(id, Uuid::now_v7(), Some(3)).is_ok());
    }
}
