//! Marketing: saved segments of customers, and campaigns aimed at them,
//! run in scheduled steps, costed and evaluated.

pub mod campaign_results;
pub mod campaigns;
pub mod segments;
pub mod step_runs;
pub mod step_texts;
pub mod steps;

use uuid::Uuid;

use crate::domain::customers;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most customers one call puts in, takes out of or moves within a static
/// list or a campaign.
pub const MAX_MEMBERS_PER_CALL: usize = 1_000;

/// Checks the size of a list of customers given to a membership change.
fn check_member_ids(customer_ids: &[Uuid]) -> Result<()> {
    if customer_ids.is_empty() || customer_ids.len() > MAX_MEMBERS_PER_CALL {
        return Err(Error::validation(
            "customerIds",
            format!("give between 1 and {MAX_MEMBERS_PER_CALL} customers"),
        ));
    }
    Ok(())
}

/// Customers to add: every one must be a live customer the member may see
/// (else a `VALIDATION` error on its index).
async fn customers_to_add(tx: &TenantTx, customer_ids: &[Uuid]) -> Result<()> {
    check_member_ids(customer_ids)?;
    let found = customers::find_many(tx, customer_ids).await?;
    match customer_ids.iter().position(|id| !found.contains_key(id)) {
        Some(i) => Err(Error::validation(
            format!("customerIds[{i}]"),
            "no such customer (or not one you may see)",
        )),
        None => Ok(()),
    }
}

/// Customers to take out or move: those among `customer_ids` that are
/// live customers the member may see (the others are left alone).
async fn customers_to_change(tx: &TenantTx, customer_ids: &[Uuid]) -> Result<Vec<Uuid>> {
    check_member_ids(customer_ids)?;
    Ok(customers::find_many(tx, customer_ids)
        .await?
        .into_keys()
        .collect())
}
