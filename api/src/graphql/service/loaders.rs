//! DataLoaders of the service area: the history of whole pages of cases and
//! the first cases of whole pages of customers, each in one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::domain::cases;
use crate::tenancy::RequestTx;

/// Adds the service loaders to a request, all reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request
        .data(DataLoader::new(
            CaseHistoryLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CustomerCasesLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            OpenCaseCountLoader { tx: tx.clone() },
            tokio::spawn,
        ))
}

/// How many open cases visible customers have.
pub struct OpenCaseCountLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for OpenCaseCountLoader {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(cases::open_counts(&tx, ids).await?)
    }
}

/// The history of visible cases, oldest first per case.
pub struct CaseHistoryLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CaseHistoryLoader {
    type Value = Vec<entity::case_event::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(cases::history_of(&tx, ids).await?)
    }
}

/// The newest `limit + 1` cases of customers, keyed by customer, page size
/// and whether only open cases count.
pub struct CustomerCasesLoader {
    tx: Arc<RequestTx>,
}

impl Loader<(Uuid, u64, bool)> for CustomerCasesLoader {
    type Value = Vec<entity::case::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, u64, bool)],
    ) -> Result<HashMap<(Uuid, u64, bool), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let tx = &*tx;
        crate::graphql::loaders::load_customer_pages(
            keys,
            |customers, limit, open_only| async move {
                cases::latest_of_customers(tx, &customers, limit, open_only).await
            },
        )
        .await
    }
}
