//! DataLoaders of the marketing area: whole pages of customers' segments
//! and segments' member counts, each in one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::domain::marketing::segments;
use crate::tenancy::RequestTx;

/// Adds the marketing loaders to a request, all reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request
        .data(DataLoader::new(
            CustomerSegmentsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            SegmentMemberCountLoader { tx: tx.clone() },
            tokio::spawn,
        ))
}

/// The segments customers are in, by name.
pub struct CustomerSegmentsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CustomerSegmentsLoader {
    type Value = Vec<entity::segment::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(segments::of_customers(&tx, ids).await?)
    }
}

/// How many members of segments the caller may see.
pub struct SegmentMemberCountLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for SegmentMemberCountLoader {
    type Value = u64;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(segments::member_counts(&tx, ids).await?)
    }
}
