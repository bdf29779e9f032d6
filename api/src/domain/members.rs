//! Members of a tenant: their roles, organisation units and removal.
//!
//! Memberships are a global table; every function here is scoped to one
//! tenant by its arguments and locks the rows it checks, so that two
//! concurrent changes cannot leave a tenant without an owner.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, EntityTrait,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef, Set, Statement,
    TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use super::domain_events::{self as events, EventKind};

use entity::{api_key, membership, user};

use crate::auth::{sessions, Principal, Role};
use crate::error::{Error, Result};

/// A member with their user record.
#[derive(Clone, Debug)]
pub struct Member {
    pub membership: membership::Model,
    pub user: user::Model,
}

impl Member {
    /// The member's role.
    pub fn role(&self) -> Result<Role> {
        Role::parse(&self.membership.role)
            .ok_or_else(|| Error::internal(UnknownRole(self.membership.role.clone())))
    }
}

/// What removing a member revoked, so that caches can be told at once.
#[derive(Debug, Default)]
pub struct Revoked {
    pub sessions: Vec<Uuid>,
    pub api_key_prefixes: Vec<String>,
    /// Customers whose cached views showed the member (as the customer's,
    /// an open deal's or an open case's owner): the removal clears those
    /// owners, so the views must be renewed once it commits.
    pub customers_shown: Vec<Uuid>,
}

fn user_relation() -> RelationDef {
    membership::Entity::belongs_to(user::Entity)
        .from(membership::Column::UserId)
        .to(user::Column::Id)
        .into()
}

/// Every member of the tenant, in the order they joined.
pub async fn list(db: &DatabaseConnection, tenant_id: Uuid) -> Result<Vec<Member>> {
    let rows = membership::Entity::find()
        .select_also(user::Entity)
        .join(JoinType::InnerJoin, user_relation())
        .filter(membership::Column::TenantId.eq(tenant_id))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::UserId)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(membership, user)| user.map(|user| Member { membership, user }))
        .collect())
}

/// One member of the tenant.
pub async fn find(db: &impl ConnectionTrait, tenant_id: Uuid, user_id: Uuid) -> Result<Member> {
    let row = membership::Entity::find_by_id((tenant_id, user_id))
        .select_also(user::Entity)
        .join(JoinType::InnerJoin, user_relation())
        .one(db)
        .await?;
    match row {
        Some((membership, Some(user))) => Ok(Member { membership, user }),
        _ => Err(Error::NotFound("member")),
    }
}

async fn lock_owners(db: &impl ConnectionTrait, tenant_id: Uuid) -> Result<u64> {
    // Locking every owner row serialises changes that could remove the last one.
    let owners = membership::Entity::find()
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(membership::Column::Role.eq(Role::Owner.as_str()))
        .lock_exclusive()
        .all(db)
        .await?;
    Ok(owners.len() as u64)
}

/// Gives a member another role. Only owners manage owners; the last owner
/// keeps the role.
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Principal,
    user_id: Uuid,
    role: Role,
) -> Result<Member> {
    let tx = db.begin().await?;
    let owners = lock_owners(&tx, actor.tenant_id).await?;
    let member = find(&tx, actor.tenant_id, user_id).await?;
    let current = member.role()?;
    if !actor.role.can_manage(current) || !actor.role.can_manage(role) {
        return Err(Error::Forbidden("admin:members"));
    }
    if current == Role::Owner && role != Role::Owner && owners <= 1 {
        return Err(Error::conflict(
            "the workspace's last owner cannot be demoted; make someone else owner first",
            Some("role"),
        ));
    }
    membership::Entity::update_many()
        .col_expr(membership::Column::Role, Expr::value(role.as_str()))
        .filter(membership::Column::TenantId.eq(actor.tenant_id))
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    let updated = find(&tx, actor.tenant_id, user_id).await?;
    tx.commit().await?;
    Ok(updated)
}

/// Removes a member: their sessions end and their API keys are revoked, at
/// once. The last owner cannot be removed.
pub async fn remove(db: &DatabaseConnection, actor: &Principal, user_id: Uuid) -> Result<Revoked> {
    let tx = db.begin().await?;
    let owners = lock_owners(&tx, actor.tenant_id).await?;
    let member = find(&tx, actor.tenant_id, user_id).await?;
    let current = member.role()?;
    if !actor.role.can_manage(current) {
        return Err(Error::Forbidden("admin:members"));
    }
    if current == Role::Owner && owners <= 1 {
        return Err(Error::conflict(
            "the workspace's last owner cannot be removed",
            Some("userId"),
        ));
    }
    let sessions = sessions::revoke_member(&tx, actor.tenant_id, user_id).await?;
    let customers_shown = customers_owned_through(&tx, actor.tenant_id, user_id).await?;
    let keys = api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::current_timestamp().into())
        .filter(api_key::Column::TenantId.eq(actor.tenant_id))
        .filter(api_key::Column::CreatedBy.eq(user_id))
        .filter(api_key::Column::RevokedAt.is_null())
        .exec_with_returning(&tx)
        .await?;
    membership::Entity::delete_many()
        .filter(membership::Column::TenantId.eq(actor.tenant_id))
        .filter(membership::Column::UserId.eq(user_id))
        .exec(&tx)
        .await?;
    // `customers_owned_through` bound the transaction to the tenant.
    events::record_many_on(
        &tx,
        actor.tenant_id,
        Some(actor.user_id()),
        EventKind::MemberRemoved,
        &[(
            user_id,
            json!({ "userId": user_id, "role": current.as_str() }),
        )],
    )
    .await?;
    let revoked_events: Vec<_> = keys
        .iter()
        .map(|k| (k.id, super::api_keys::revoked_payload(k)))
        .collect();
    events::record_many_on(
        &tx,
        actor.tenant_id,
        Some(actor.user_id()),
        EventKind::ApiKeyRevoked,
        &revoked_events,
    )
    .await?;
    tx.commit().await?;
    Ok(Revoked {
        sessions,
        api_key_prefixes: keys.into_iter().map(|k| k.prefix).collect(),
        customers_shown,
    })
}

/// Customers the member owns, or whose deals or cases the member owns,
/// read in `tx` (which is then bound to the tenant for row-level security).
async fn customers_owned_through(
    tx: &DatabaseTransaction,
    tenant_id: Uuid,
    user_id: Uuid,
) -> Result<Vec<Uuid>> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant_id.to_string().into()],
    ))
    .await?;
    let rows = tx
        .query_all(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id FROM customers WHERE tenant_id = $1 AND owner_id = $2
             UNION SELECT customer_id FROM deals WHERE tenant_id = $1 AND owner_id = $2
             UNION SELECT customer_id FROM cases WHERE tenant_id = $1 AND owner_id = $2",
            [tenant_id.into(), user_id.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<Uuid>("", "id")?))
        .collect()
}

/// Places a member in a team and a region (`None` leaves a unit as it is;
/// `Some(None)` clears it).
pub async fn assign(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    user_id: Uuid,
    team_id: Option<Option<Uuid>>,
    region_id: Option<Option<Uuid>>,
) -> Result<Member> {
    let mut update = membership::Entity::update_many()
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(membership::Column::UserId.eq(user_id));
    if let Some(team) = team_id {
        update = update.col_expr(membership::Column::TeamId, Expr::value(team));
    }
    if let Some(region) = region_id {
        update = update.col_expr(membership::Column::RegionId, Expr::value(region));
    }
    if team_id.is_none() && region_id.is_none() {
        return Err(Error::validation("input", "give teamId or regionId"));
    }
    let result = update.exec(db).await.map_err(|err| match err.sql_err() {
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail)) if detail.contains("team") => {
            Error::validation("teamId", "is not a team of this workspace")
        }
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail))
            if detail.contains("region") =>
        {
            Error::validation("regionId", "is not a region of this workspace")
        }
        _ => err.into(),
    })?;
    if result.rows_affected == 0 {
        return Err(Error::NotFound("member"));
    }
    find(db, tenant_id, user_id).await
}

/// Adds a user to a tenant with a role (used when an invitation is
/// accepted), recording `MEMBER_ADDED`: `db` must be bound to the tenant
/// (a [`crate::tenancy::TenantTx`]).
pub async fn add(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    user_id: Uuid,
    role: Role,
    team_id: Option<Uuid>,
) -> Result<()> {
    let exists = membership::Entity::find_by_id((tenant_id, user_id))
        .count(db)
        .await?
        > 0;
    if exists {
        return Err(Error::conflict(
            "you are already a member of this workspace",
            Some("token"),
        ));
    }
    membership::Entity::insert(membership::ActiveModel {
        tenant_id: Set(tenant_id),
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        team_id: Set(team_id),
        region_id: Set(None),
        created_at: Set(chrono::Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    events::record_many_on(
        db,
        tenant_id,
        Some(user_id),
        EventKind::MemberAdded,
        &[(user_id, json!({ "userId": user_id, "role": role.as_str() }))],
    )
    .await
}

/// Whether `email` belongs to a member of the tenant.
pub async fn has_email(db: &impl ConnectionTrait, tenant_id: Uuid, email: &str) -> Result<bool> {
    Ok(membership::Entity::find()
        .join(JoinType::InnerJoin, user_relation())
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Email.eq(email.to_lowercase()))
        .count(db)
        .await?
        > 0)
}

/// Every member of the tenant by lower-cased email, for naming owners by
/// email (imports).
pub async fn user_ids_by_email(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
) -> Result<std::collections::HashMap<String, Uuid>> {
    let rows = membership::Entity::find()
        .select_also(user::Entity)
        .join(JoinType::InnerJoin, user_relation())
        .filter(membership::Column::TenantId.eq(tenant_id))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, user)| user.map(|u| (u.email.to_lowercase(), m.user_id)))
        .collect())
}

/// A stored role this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}` in memberships")]
struct UnknownRole(String);
