//! Customer mutations: each runs in its own tenant transaction, all or nothing.

use async_graphql::{Context, Object, Result, ID};

use super::types::{CreateCustomerInput, Customer, CustomerPayload, UpdateCustomerInput};
use crate::auth::Permission;
use crate::domain::customers;
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};

/// `createCustomer`, `updateCustomer`, `deleteCustomer`.
#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Creates a customer.
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        input: CreateCustomerInput,
    ) -> Result<CustomerPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let customer = customers::create(&tx, new).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(customer),
        })
    }

    /// Changes the given fields of a customer, if `version` is still current.
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        input: UpdateCustomerInput,
    ) -> Result<CustomerPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let customer = customers::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(customer),
        })
    }

    /// Deletes a customer: it disappears from every query, and the record is kept (soft delete).
    async fn delete_customer(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::CustomersDelete)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        customers::soft_delete(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }
}
