//! Which customers a member sees. A tenant setting decides whether sales
//! reps see all customers, their team's, or only their own; other roles see
//! all. The restriction travels in the tenant scope and every customer query
//! applies it in its SQL.

use sea_orm::sea_query::{Expr, Query, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use entity::{customer, membership};

use super::sql::SqlBuilder;
use crate::auth::{Principal, Role};
use crate::error::{Error, Result};
use crate::tenancy::CustomerRestriction;

/// The tenant setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerVisibility {
    All,
    Team,
    Own,
}

impl CustomerVisibility {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerVisibility::All => "ALL",
            CustomerVisibility::Team => "TEAM",
            CustomerVisibility::Own => "OWN",
        }
    }

    /// Parses a stored name.
    pub fn parse(stored: &str) -> Result<Self> {
        match stored {
            "ALL" => Ok(CustomerVisibility::All),
            "TEAM" => Ok(CustomerVisibility::Team),
            "OWN" => Ok(CustomerVisibility::Own),
            other => Err(Error::internal(UnknownSetting(other.to_owned()))),
        }
    }
}

/// Whether the setting applies to a role: it governs sales reps.
pub fn governs(role: Role) -> bool {
    role == Role::Sales
}

/// The restriction in force for `principal`, read from the tenant setting
/// and the member's team (one query, only for roles the setting governs).
pub async fn restriction_for(
    db: &DatabaseConnection,
    principal: &Principal,
) -> Result<Option<CustomerRestriction>> {
    if !governs(principal.role) {
        return Ok(None);
    }
    let user_id = principal.user_id();
    let tenant = entity::tenant::Entity::find_by_id(principal.tenant_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("tenant"))?;
    let visibility = CustomerVisibility::parse(&tenant.customer_visibility)?;
    if visibility == CustomerVisibility::All {
        return Ok(None);
    }
    let member = membership::Entity::find_by_id((principal.tenant_id, user_id))
        .one(db)
        .await?
        .ok_or(Error::Unauthenticated("the membership no longer exists"))?;
    Ok(match visibility {
        CustomerVisibility::All => None,
        CustomerVisibility::Own => Some(CustomerRestriction::Own { user_id }),
        // A rep without a team sees only their own customers.
        CustomerVisibility::Team => Some(match member.team_id {
            Some(team_id) => CustomerRestriction::Team { user_id, team_id },
            None => CustomerRestriction::Own { user_id },
        }),
    })
}

/// The SQL condition on `customers` rows for a restriction.
pub fn condition(restriction: CustomerRestriction) -> SimpleExpr {
    owner_condition(
        restriction,
        customer::Entity,
        customer::Column::TenantId,
        customer::Column::OwnerId,
    )
}

/// The same restriction on any tenant table with an owner (customers,
/// leads): owned by the member, or by a member of their team.
pub fn owner_condition<E: EntityTrait>(
    restriction: CustomerRestriction,
    table: E,
    tenant: E::Column,
    owner: E::Column,
) -> SimpleExpr {
    let owner_col = Expr::col((table, owner));
    match restriction {
        CustomerRestriction::Own { user_id } => owner_col.eq(user_id),
        CustomerRestriction::Team { user_id, team_id } => {
            let team = Query::select()
                .column(membership::Column::UserId)
                .from(membership::Entity)
                .and_where(
                    Expr::col((membership::Entity, membership::Column::TenantId))
                        .equals((table, tenant)),
                )
                .and_where(membership::Column::TeamId.eq(team_id))
                .to_owned();
            Expr::col((table, owner))
                .eq(user_id)
                .or(Expr::col((table, owner)).in_subquery(team))
        }
    }
}

/// The same restriction as SQL text on the `customers` row aliased `alias`
/// (of the tenant bound as `tenant`), with its values bound in `sql`;
/// `TRUE` when there is none. For statements written as SQL (search,
/// duplicates, analytics); [`owner_condition`] is the query-builder form.
pub fn sql_condition(
    restriction: Option<CustomerRestriction>,
    alias: &str,
    tenant: &str,
    sql: &mut SqlBuilder,
) -> String {
    match restriction {
        None => "TRUE".into(),
        Some(CustomerRestriction::Own { user_id }) => {
            format!("{alias}.owner_id = {}", sql.bind(user_id))
        }
        Some(CustomerRestriction::Team { user_id, team_id }) => {
            let user = sql.bind(user_id);
            let team = sql.bind(team_id);
            format!(
                "({alias}.owner_id = {user} OR {alias}.owner_id IN (SELECT tm.user_id FROM memberships tm
                   WHERE tm.tenant_id = {tenant} AND tm.team_id = {team}))"
            )
        }
    }
}

/// Sets the tenant's visibility setting.
pub async fn set(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    visibility: CustomerVisibility,
) -> Result<()> {
    entity::tenant::Entity::update_many()
        .col_expr(
            entity::tenant::Column::CustomerVisibility,
            Expr::value(visibility.as_str()),
        )
        .col_expr(
            entity::tenant::Column::UpdatedAt,
            Expr::current_timestamp().into(),
        )
        .filter(entity::tenant::Column::Id.eq(tenant_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A stored setting this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown customer visibility `{0}`")]
struct UnknownSetting(String);
