//! Customer mutations: each runs in its own tenant transaction, all or nothing.

use async_graphql::{Context, Object, Result, ID};

use super::relations::{
    Contact, ContactPayload, CreateContactInput, Interaction, InteractionPayload,
    LogInteractionInput, UpdateContactInput,
};
use super::types::{CreateCustomerInput, Customer, CustomerPayload, UpdateCustomerInput};
use crate::auth::Permission;
use crate::domain::{contacts, customers, interactions, search};
use crate::graphql::common::parse_id;
use crate::graphql::context::{authorize, write_tx};

/// Customers to give a new owner.
#[derive(async_graphql::InputObject)]
pub struct ReassignCustomersInput {
    pub customer_ids: Vec<ID>,
    /// The new owner, a member of the workspace; null for none.
    pub owner_id: Option<ID>,
}

/// Customer, contact and interaction mutations.
#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    /// Creates a customer, and reports existing customers that look like it.
    async fn create_customer(
        &self,
        ctx: &Context<'_>,
        input: CreateCustomerInput,
    ) -> Result<CustomerPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let (new, details) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let customer = customers::create_with(&tx, new, details).await?;
        let duplicates = search::duplicates(&tx, &customer).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(customer),
            duplicates: duplicates.into_iter().map(Into::into).collect(),
        })
    }

    /// Changes the given fields of a customer, if `version` is still current.
    async fn update_customer(
        &self,
        ctx: &Context<'_>,
        input: UpdateCustomerInput,
    ) -> Result<CustomerPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let (id, version, changes, details) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let customer = customers::update_with(&tx, id, version, changes, details).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(customer),
            duplicates: Vec::new(),
        })
    }

    /// Gives many customers a new owner (or none) at once; customers the
    /// caller cannot see are left alone. Returns how many changed.
    async fn reassign_customers(
        &self,
        ctx: &Context<'_>,
        input: ReassignCustomersInput,
    ) -> Result<i32> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        if input.customer_ids.len() > 1000 {
            return Err(
                crate::error::Error::validation("customerIds", "at most 1000 at a time").into(),
            );
        }
        let ids = input
            .customer_ids
            .iter()
            .map(|id| parse_id("customerIds", id))
            .collect::<Result<Vec<_>, _>>()?;
        let owner = input
            .owner_id
            .map(|id| parse_id("ownerId", &id))
            .transpose()?;
        let tx = write_tx(ctx, principal).await?;
        let changed = customers::reassign(&tx, &ids, owner).await?;
        tx.commit().await?;
        Ok(changed as i32)
    }

    /// Adds a contact to a customer.
    async fn create_contact(
        &self,
        ctx: &Context<'_>,
        input: CreateContactInput,
    ) -> Result<ContactPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let contact = contacts::create(&tx, new).await?;
        tx.commit().await?;
        Ok(ContactPayload {
            contact: Contact(contact),
        })
    }

    /// Changes the given fields of a contact, if `version` is still current.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> Result<ContactPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let (id, version, changes) = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let contact = contacts::update(&tx, id, version, changes).await?;
        tx.commit().await?;
        Ok(ContactPayload {
            contact: Contact(contact),
        })
    }

    /// Deletes a contact (the record is kept; its interactions stay).
    async fn delete_contact(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        contacts::soft_delete(&tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a call, email, meeting, note, task, chat, fax, visit or message.
    async fn log_interaction(
        &self,
        ctx: &Context<'_>,
        input: LogInteractionInput,
    ) -> Result<InteractionPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let new = input.into_domain()?;
        let tx = write_tx(ctx, principal).await?;
        let interaction = interactions::log(&tx, new).await?;
        tx.commit().await?;
        Ok(InteractionPayload {
            interaction: Interaction(interaction),
        })
    }

    /// Marks a task as done.
    async fn complete_task(&self, ctx: &Context<'_>, id: ID) -> Result<InteractionPayload> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        let interaction = interactions::complete_task(&tx, id).await?;
        tx.commit().await?;
        Ok(InteractionPayload {
            interaction: Interaction(interaction),
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

    /// Brings back a deleted customer as it was; its version goes up by one.
    /// A customer that is not deleted is a `CONFLICT`.
    async fn restore_customer(&self, ctx: &Context<'_>, id: ID) -> Result<CustomerPayload> {
        let principal = authorize(ctx, Permission::CustomersDelete)?;
        let id = parse_id("id", &id)?;
        let tx = write_tx(ctx, principal).await?;
        let customer = customers::restore(&tx, id).await?;
        tx.commit().await?;
        Ok(CustomerPayload {
            customer: Customer(customer),
            duplicates: Vec::new(),
        })
    }
}
