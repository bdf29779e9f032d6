//! DataLoaders of the sales area: the customers, lines, products, prices and
//! exchange rates of whole pages of orders, each in one query per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::domain::{currencies, customers, orders, products};
use crate::tenancy::RequestTx;

/// Adds the sales loaders to a request, all reading the request's transaction.
pub fn register(request: async_graphql::Request, tx: &Arc<RequestTx>) -> async_graphql::Request {
    request
        .data(DataLoader::new(
            CustomerLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ProductLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ProductPricesLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            OrderLinesLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            CustomerOrdersLoader { tx: tx.clone() },
            tokio::spawn,
        ))
        .data(DataLoader::new(
            ExchangeRateLoader {
                tx: tx.clone(),
                base: OnceCell::new(),
            },
            tokio::spawn,
        ))
}

/// Live customers by id (the customers of orders).
pub struct CustomerLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for CustomerLoader {
    type Value = entity::customer::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(customers::find_many(&tx, ids).await?)
    }
}

/// Products by id.
pub struct ProductLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for ProductLoader {
    type Value = entity::product::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(products::find_many(&tx, ids).await?)
    }
}

/// Every price of each product, by product.
pub struct ProductPricesLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for ProductPricesLoader {
    type Value = Vec<products::ProductPrice>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(products::prices_of_products(&tx, ids).await?)
    }
}

/// The lines of each order, in line order.
pub struct OrderLinesLoader {
    tx: Arc<RequestTx>,
}

impl Loader<Uuid> for OrderLinesLoader {
    type Value = Vec<entity::order_line::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(orders::lines_of(&tx, ids).await?)
    }
}

/// The newest orders of many customers at once: keyed by customer and page
/// size, one query per distinct page size.
pub struct CustomerOrdersLoader {
    tx: Arc<RequestTx>,
}

impl Loader<(Uuid, u64)> for CustomerOrdersLoader {
    type Value = Vec<entity::order::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let mut by_limit: HashMap<u64, Vec<Uuid>> = HashMap::new();
        for (customer, limit) in keys {
            by_limit.entry(*limit).or_default().push(*customer);
        }
        let mut found = HashMap::new();
        for (limit, customers) in by_limit {
            let mut rows = orders::latest_of_customers(&tx, &customers, limit).await?;
            for customer in customers {
                found.insert(
                    (customer, limit),
                    rows.remove(&customer).unwrap_or_default(),
                );
            }
        }
        Ok(found)
    }
}

/// Exchange rates in force by (currency, date); pairs without a rate are
/// absent. Also knows the tenant's base currency (read once per request).
pub struct ExchangeRateLoader {
    tx: Arc<RequestTx>,
    base: OnceCell<String>,
}

impl ExchangeRateLoader {
    /// The tenant's base currency.
    pub async fn base_currency(&self) -> crate::error::Result<String> {
        self.base
            .get_or_try_init(|| async {
                let tx = self.tx.lock().await?;
                currencies::base_currency(&tx).await
            })
            .await
            .cloned()
    }
}

impl Loader<(String, NaiveDate)> for ExchangeRateLoader {
    type Value = Decimal;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(String, NaiveDate)],
    ) -> Result<HashMap<(String, NaiveDate), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        Ok(currencies::rates_on(&tx, keys).await?)
    }
}
