//! `crm migrate`: applies pending migrations as the owner role, and refuses
//! to run as the server role (which must own nothing and could not create
//! the tables anyway, failing half-way with a permission error).

use std::str::FromStr;

use migration::{Migrator, MigratorTrait, APP_ROLE};
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

use crate::config::MigrationConfig;
use crate::startup::connect_database;

/// Why migrating did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// No owner URL: `DATABASE_URL` is the server role's and is never used.
    #[error("DATABASE_OWNER_URL is not set: migrations run as the owner role, never as the server role of DATABASE_URL")]
    NoOwnerUrl,
    /// The owner URL logs in as the server role.
    #[error("DATABASE_OWNER_URL logs in as `{role}`, the server role ({APP_ROLE} or the user of DATABASE_URL); point it at the owner role, which owns the tables and grants the server role its privileges")]
    ServerRole { role: String },
    #[error("migrating failed: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Applies every pending migration as the owner role of `config`.
pub async fn run(config: &MigrationConfig) -> Result<(), MigrateError> {
    let url = config
        .owner_url
        .as_deref()
        .ok_or(MigrateError::NoOwnerUrl)?;
    let db = connect_database(url, 2).await?;
    let result = async {
        refuse_server_role(&db, config.server_url.as_deref()).await?;
        Migrator::up(&db, None).await?;
        Ok(())
    }
    .await;
    db.close().await.ok();
    result
}

/// Fails when `db` is logged in as the server role: `crm_app`, or the user
/// `server_url` logs in as.
async fn refuse_server_role(
    db: &DatabaseConnection,
    server_url: Option<&str>,
) -> Result<(), MigrateError> {
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_user::text AS role",
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("current_user".into()))?;
    let role: String = row.try_get("", "role")?;
    let server_user = server_url
        .and_then(|url| PgConnectOptions::from_str(url).ok())
        .map(|options| options.get_username().to_owned());
    if role == APP_ROLE || server_user.as_deref() == Some(role.as_str()) {
        return Err(MigrateError::ServerRole { role });
    }
    Ok(())
}
