//! DataLoaders of the deals area: the stages, contacts, lines, stage history
//! of whole pages of deals, and the first deals of whole pages of customers,
//! each in one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use uuid::Uuid;

use crate::domain::{deals, pipelines};
use crate::tenancy::RequestTx;

/// Adds the deal loaders to a request, all reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request
        .data(DataLoader::new(
            StageLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            PipelineStagesLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            DealContactsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            DealLinesLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            DealHistoryLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CustomerDealsLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(DealLoader { tx: tx.clone() }, tokio::spawn))
        .data(DataLoader::new(
            ContactLoader { tx: tx.clone() },
            tokio::spawn,
        ))
}

/// Visible contacts by id (the contacts named on deals).
pub struct ContactLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for ContactLoader {
    type Value = entity::contact::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(crate::domain::contacts::find_many(&tx, ids).await?)
    }
}

/// Stages by id.
pub struct StageLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for StageLoader {
    type Value = entity::pipeline_stage::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(pipelines::find_stages(&tx, ids).await?)
    }
}

/// Visible deals by id.
pub struct DealLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for DealLoader {
    type Value = entity::deal::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(deals::find_many(&tx, ids).await?)
    }
}

/// The stages of pipelines, in order.
pub struct PipelineStagesLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for PipelineStagesLoader {
    type Value = Vec<entity::pipeline_stage::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(pipelines::stages_of(&tx, ids).await?)
    }
}

/// The contacts of deals.
pub struct DealContactsLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for DealContactsLoader {
    type Value = Vec<entity::deal_contact::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(deals::contacts_of(&tx, ids).await?)
    }
}

/// The product lines of deals.
pub struct DealLinesLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for DealLinesLoader {
    type Value = Vec<entity::deal_line::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(deals::lines_of(&tx, ids).await?)
    }
}

/// The stage history of deals.
pub struct DealHistoryLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for DealHistoryLoader {
    type Value = Vec<entity::deal_stage_history::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(deals::history_of(&tx, ids).await?)
    }
}

/// The newest `limit + 1` deals of customers, keyed by (customer, limit).
pub struct CustomerDealsLoader {
    tx: Arc<RequestTx>,
}

/// Keyed by customer, page size and whether only open deals count.
impl Loader<(Uuid, u64, bool)> for CustomerDealsLoader {
    type Value = Vec<entity::deal::Model>;
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
                deals::latest_of_customers(tx, &customers, limit, open_only).await
            },
        )
        .await
    }
}
