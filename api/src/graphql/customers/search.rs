//! Finding and merging customers: `searchCustomers`, the duplicates that
//! `createCustomer` reports, and `mergeCustomers`.

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, ID};

use super::types::{Customer, CustomerPayload};
use crate::auth::Permission;
use crate::config::GraphqlLimits;
use crate::domain::merge::{self, MergeRequest};
use crate::domain::search::{self, SearchQuery};
use crate::error::Error;
use crate::graphql::common::{page_cost, parse_id};
use crate::graphql::context::{authorize, read_tx, write_tx};

/// Why a customer looks like a duplicate.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::search::DuplicateReason")]
pub enum DuplicateReason {
    /// The same email address, ignoring case.
    SameEmail,
    /// The same phone number, comparing digits only.
    SamePhone,
    /// A similar name, by trigram similarity.
    SimilarName,
}

/// An existing customer that looks like the one just written.
#[derive(SimpleObject)]
pub struct DuplicateCandidate {
    pub customer: Customer,
    pub reasons: Vec<DuplicateReason>,
    /// 0 to 1: how likely the two are one customer.
    pub score: f64,
}

impl From<search::Duplicate> for DuplicateCandidate {
    fn from(d: search::Duplicate) -> Self {
        DuplicateCandidate {
            customer: Customer(d.customer),
            reasons: d.reasons.into_iter().map(Into::into).collect(),
            score: d.score,
        }
    }
}

/// `searchCustomers`.
#[derive(Default)]
pub struct CustomerSearchQuery;

#[Object]
impl CustomerSearchQuery {
    /// Customers whose name, email or phone number matches `query`, even
    /// with typos and however the phone is formatted, or whose contacts or
    /// notes do; best matches first (exact, then prefix, then by relevance).
    /// At most `first` (default 20, at most 100).
    #[graphql(complexity = "page_cost(first, None, child_complexity)")]
    async fn search_customers(
        &self,
        ctx: &Context<'_>,
        query: String,
        first: Option<i32>,
    ) -> Result<Vec<Customer>> {
        authorize(ctx, Permission::CustomersRead)?;
        let limits = ctx.data_unchecked::<GraphqlLimits>();
        let limit = match first {
            None => limits.default_page_size,
            Some(n) if n >= 1 && n as u64 <= limits.max_page_size => n as u64,
            Some(_) => {
                return Err(Error::validation(
                    "first",
                    format!("must be between 1 and {}", limits.max_page_size),
                )
                .into())
            }
        };
        let query = SearchQuery::parse(&query)?;
        let tx = read_tx(ctx).await?;
        Ok(search::search(&tx, &query, limit)
            .await?
            .into_iter()
            .map(Customer)
            .collect())
    }
}

/// Two customers to merge into one.
#[derive(InputObject)]
pub struct MergeCustomersInput {
    /// The customer that stays.
    pub survivor_id: ID,
    /// The customer merged into the survivor; it is deleted afterwards.
    pub merged_id: ID,
    /// The survivor's version you read; a stale one is a `CONFLICT`.
    pub survivor_version: Option<i32>,
}

/// `mergeCustomers`.
#[derive(Default)]
pub struct CustomerMergeMutation;

#[Object]
impl CustomerMergeMutation {
    /// Merges `mergedId` into `survivorId`, all or nothing: contacts and
    /// interactions move to the survivor, which takes the merged customer's
    /// email, phone, website, industry, region and external id where it has
    /// none and the tags of both; the merged customer is deleted and the
    /// merge recorded. Needs `customers:write` and `customers:delete`.
    async fn merge_customers(
        &self,
        ctx: &Context<'_>,
        input: MergeCustomersInput,
    ) -> Result<CustomerPayload> {
        authorize(ctx, Permission::CustomersWrite)?;
        let principal = authorize(ctx, Permission::CustomersDelete)?;
        let request = MergeRequest::new(
            parse_id("survivorId", &input.survivor_id)?,
            parse_id("mergedId", &input.merged_id)?,
            input.survivor_version,
        )?;
        let tx = write_tx(ctx, principal).await?;
        let survivor = merge::merge(&tx, request).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(survivor),
            duplicates: Vec::new(),
        })
    }
}
