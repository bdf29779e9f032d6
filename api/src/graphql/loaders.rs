//! DataLoaders: related records fetched in one query per batch, never per row.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::domain::identity;

/// Members of the caller's tenant by user id. Users who are not members of
/// that tenant are never returned.
pub struct MemberLoader {
    pub db: DatabaseConnection,
    pub tenant_id: Uuid,
}

impl Loader<Uuid> for MemberLoader {
    type Value = entity::user::Model;
    type Error = async_graphql::Error;

    async fn load(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let users = identity::members(&self.db, self.tenant_id, ids)
            .await
            .map_err(async_graphql::Error::from)?;
        Ok(users.into_iter().map(|u| (u.id, u)).collect())
    }
}

/// The first page of contacts of many customers at once: keyed by customer
/// and page size, one query per distinct page size.
pub struct ContactsLoader {
    pub tx: std::sync::Arc<crate::tenancy::RequestTx>,
}

impl Loader<(Uuid, u64)> for ContactsLoader {
    type Value = Vec<entity::contact::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let mut found = HashMap::new();
        for (limit, customers) in by_limit(keys) {
            let mut rows =
                crate::domain::contacts::first_of_customers(&tx, &customers, limit).await?;
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

/// The newest interactions of many customers at once, like [`ContactsLoader`].
pub struct InteractionsLoader {
    pub tx: std::sync::Arc<crate::tenancy::RequestTx>,
}

impl Loader<(Uuid, u64)> for InteractionsLoader {
    type Value = Vec<entity::interaction::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let mut found = HashMap::new();
        for (limit, customers) in by_limit(keys) {
            let mut rows =
                crate::domain::interactions::latest_of_customers(&tx, &customers, limit).await?;
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

/// The newest timeline entries of many customers at once, like [`ContactsLoader`].
pub struct TimelineLoader {
    pub tx: std::sync::Arc<crate::tenancy::RequestTx>,
}

impl Loader<(Uuid, u64)> for TimelineLoader {
    type Value = Vec<crate::domain::timeline::TimelineEntry>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let tx = self.tx.lock().await?;
        let mut found = HashMap::new();
        for (limit, customers) in by_limit(keys) {
            let mut entries =
                crate::domain::timeline::first_of_customers(&tx, &customers, limit).await?;
            for customer in customers {
                found.insert(
                    (customer, limit),
                    entries.remove(&customer).unwrap_or_default(),
                );
            }
        }
        Ok(found)
    }
}

/// Loads the first rows of many customers, keyed by customer, page size
/// and whether only open ones count: one `load` per distinct page size and
/// openness, each for all of its customers.
pub async fn load_customer_pages<T, F, Fut>(
    keys: &[(Uuid, u64, bool)],
    load: F,
) -> Result<HashMap<(Uuid, u64, bool), Vec<T>>, async_graphql::Error>
where
    F: Fn(Vec<Uuid>, u64, bool) -> Fut,
    Fut: std::future::Future<Output = crate::error::Result<HashMap<Uuid, Vec<T>>>>,
{
    let mut by_page: HashMap<(u64, bool), Vec<Uuid>> = HashMap::new();
    for (customer, limit, open_only) in keys {
        by_page
            .entry((*limit, *open_only))
            .or_default()
            .push(*customer);
    }
    let mut found = HashMap::new();
    for ((limit, open_only), customers) in by_page {
        let mut rows = load(customers.clone(), limit, open_only).await?;
        for customer in customers {
            found.insert(
                (customer, limit, open_only),
                rows.remove(&customer).unwrap_or_default(),
            );
        }
    }
    Ok(found)
}

fn by_limit(keys: &[(Uuid, u64)]) -> HashMap<u64, Vec<Uuid>> {
    let mut groups: HashMap<u64, Vec<Uuid>> = HashMap::new();
    for (customer, limit) in keys {
        groups.entry(*limit).or_default().push(*customer);
    }
    groups
}
