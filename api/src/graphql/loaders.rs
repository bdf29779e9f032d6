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
