//! Organisation units: teams (departments, nested) and regions. Members are
//! placed in them, and analytics group by them.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};
use uuid::Uuid;

use entity::{region, team};

use super::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest team or region name.
pub const MAX_NAME_CHARS: usize = 100;

/// A valid unit name.
pub fn name(field: &str, raw: &str) -> Result<String> {
    values::required_text(field, raw, MAX_NAME_CHARS)
}

fn write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            Error::conflict("a unit with this name already exists here", Some("name"))
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail))
            if detail.contains("parent") =>
        {
            Error::validation(
                "parentId",
                "is not a team of this workspace, or still has sub-teams",
            )
        }
        _ => err.into(),
    }
}

/// Every team of the tenant, by name.
pub async fn teams(tx: &TenantTx) -> Result<Vec<team::Model>> {
    Ok(team::Entity::find()
        .filter(team::Column::TenantId.eq(tx.tenant_id()))
        .order_by_asc(team::Column::Name)
        .order_by_asc(team::Column::Id)
        .all(&**tx)
        .await?)
}

/// Separates the names of a team's path in CSV files: `Sales / North`.
pub const TEAM_PATH_SEPARATOR: &str = " / ";

/// Each team's path from the top (its parents' names, then its own, joined
/// by [`TEAM_PATH_SEPARATOR`]): names are unique only among one parent's
/// teams, paths within the workspace.
pub fn team_paths(teams: &[team::Model]) -> HashMap<Uuid, String> {
    let by_id: HashMap<Uuid, &team::Model> = teams.iter().map(|t| (t.id, t)).collect();
    teams
        .iter()
        .map(|t| {
            let mut names = vec![t.name.as_str()];
            let mut parent = t.parent_id;
            // A parent chain is never longer than the number of teams.
            while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
                if names.len() > teams.len() {
                    break;
                }
                names.push(p.name.as_str());
                parent = p.parent_id;
            }
            names.reverse();
            (t.id, names.join(TEAM_PATH_SEPARATOR))
        })
        .collect()
}

/// How a CSV file names each team: by name when no other team has that
/// name (ignoring case), else by its path ([`team_paths`]).
pub fn team_cells(teams: &[team::Model]) -> HashMap<Uuid, String> {
    let mut named: HashMap<String, usize> = HashMap::new();
    for t in teams {
        *named.entry(t.name.to_lowercase()).or_default() += 1;
    }
    let paths = team_paths(teams);
    teams
        .iter()
        .map(|t| {
            let cell = if named[&t.name.to_lowercase()] == 1 {
                t.name.clone()
            } else {
                paths[&t.id].clone()
            };
            (t.id, cell)
        })
        .collect()
}

/// Creates a team, optionally inside another.
pub async fn create_team(
    tx: &TenantTx,
    name: String,
    parent_id: Option<Uuid>,
) -> Result<team::Model> {
    let now = chrono::Utc::now();
    team::Entity::insert(team::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        name: Set(name),
        parent_id: Set(parent_id),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(write_error)
}

/// Renames a team or moves it under another (`Some(None)`: to the top).
pub async fn update_team(
    tx: &TenantTx,
    id: Uuid,
    name: Option<String>,
    parent_id: Option<Option<Uuid>>,
) -> Result<team::Model> {
    if let Some(Some(parent)) = parent_id {
        // The new parent must not be the team itself or one of its descendants.
        let cycle = tx
            .query_one(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "WITH RECURSIVE up(id, parent_id) AS (
                     SELECT id, parent_id FROM teams WHERE tenant_id = $1 AND id = $2
                     UNION
                     SELECT t.id, t.parent_id FROM teams t JOIN up ON t.id = up.parent_id AND t.tenant_id = $1)
                 SELECT count(*) AS n FROM up WHERE id = $3",
                [tx.tenant_id().into(), parent.into(), id.into()],
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if cycle > 0 {
            return Err(Error::validation(
                "parentId",
                "a team cannot be placed inside itself or its sub-teams",
            ));
        }
    }
    let mut update = team::Entity::update_many()
        .col_expr(team::Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(team::Column::TenantId.eq(tx.tenant_id()))
        .filter(team::Column::Id.eq(id));
    if let Some(name) = name {
        update = update.col_expr(team::Column::Name, Expr::value(name));
    }
    if let Some(parent) = parent_id {
        update = update.col_expr(team::Column::ParentId, Expr::value(parent));
    }
    let updated = update
        .exec_with_returning(&**tx)
        .await
        .map_err(write_error)?;
    updated.into_iter().next().ok_or(Error::NotFound("team"))
}

/// Deletes a team without sub-teams; its members keep their other units.
pub async fn delete_team(tx: &TenantTx, id: Uuid) -> Result<()> {
    let children = team::Entity::find()
        .filter(team::Column::TenantId.eq(tx.tenant_id()))
        .filter(team::Column::ParentId.eq(id))
        .count(&**tx)
        .await?;
    if children > 0 {
        return Err(Error::conflict(
            "the team still has sub-teams; move or delete them first",
            Some("id"),
        ));
    }
    // Deleting the team clears the customers' team (ON DELETE SET NULL):
    // their cached views must be renewed when this commits.
    // Every view that shows the team, hidden from the member or not.
    let in_team: Vec<Uuid> = super::finder::including_hidden::<entity::customer::Entity>(tx)
        .select_only()
        .column(entity::customer::Column::Id)
        .filter(entity::customer::Column::TeamId.eq(id))
        .into_tuple()
        .all(&**tx)
        .await?;
    tx.touch_customers(&in_team);
    let result = team::Entity::delete_many()
        .filter(team::Column::TenantId.eq(tx.tenant_id()))
        .filter(team::Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("team"));
    }
    Ok(())
}

/// Every region of the tenant, by name.
pub async fn regions(tx: &TenantTx) -> Result<Vec<region::Model>> {
    Ok(region::Entity::find()
        .filter(region::Column::TenantId.eq(tx.tenant_id()))
        .order_by_asc(region::Column::Name)
        .all(&**tx)
        .await?)
}

/// Creates a region.
pub async fn create_region(tx: &TenantTx, name: String) -> Result<region::Model> {
    region::Entity::insert(region::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        name: Set(name),
        created_at: Set(chrono::Utc::now()),
    })
    .exec_with_returning(&**tx)
    .await
    .map_err(write_error)
}

/// Deletes a region; its members keep their other units.
pub async fn delete_region(tx: &TenantTx, id: Uuid) -> Result<()> {
    let result = region::Entity::delete_many()
        .filter(region::Column::TenantId.eq(tx.tenant_id()))
        .filter(region::Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("region"));
    }
    Ok(())
}
