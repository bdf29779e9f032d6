//! The stored value figures of whole pages of customers, in one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::domain::analytics::values::{self, CustomerValue};
use crate::tenancy::RequestTx;

/// Adds the analytics loaders to a request, reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request.data(DataLoader::new(
        CustomerValueLoader { tx: tx.clone() },
        tokio::spawn,
    ))
}

/// Customer value figures by customer id.
pub struct CustomerValueLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CustomerValueLoader {
    type Value = CustomerValue;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(values::of_customers(&tx, ids).await?)
    }
}
