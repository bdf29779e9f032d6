//! Sign-up and sign-in: tenants, users and memberships.
//!
//! These tables are global, so this module reads them only through narrow
//! functions (by email, by slug, by id within one tenant) and never lists
//! them across tenants.

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, RelationDef, Set, TransactionTrait,
};
use uuid::Uuid;

use entity::{membership, tenant, user};

use crate::auth::{password, Role};
use crate::error::{Error, Result};

/// Slugs that would be confusing as workspace addresses.
const RESERVED_SLUGS: &[&str] = &[
    "admin", "api", "app", "graphql", "login", "signup", "support", "www",
];
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (hashing cost grows with length).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Said for every failed sign-in, whatever the reason, so that the answer
/// does not reveal which accounts or workspaces exist.
pub const SIGN_IN_FAILED: &str = "the email, password or workspace is not correct";

/// A validated sign-up request.
#[derive(Clone, Debug)]
pub struct SignUp {
    pub tenant_name: String,
    pub tenant_slug: String,
    pub email: String,
    pub password: String,
    pub display_name: Option<String>,
    pub locale: String,
    pub base_currency: String,
}

/// A user signed into one tenant.
#[derive(Debug)]
pub struct Membership {
    pub user: user::Model,
    pub tenant: tenant::Model,
    pub role: Role,
}

/// A workspace address: 3–63 lower-case letters, digits and inner hyphens.
pub fn tenant_slug(field: &str, raw: &str) -> Result<String> {
    let slug = raw.trim();
    let valid_chars = slug
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !(3..=63).contains(&slug.len())
        || !valid_chars
        || slug.starts_with('-')
        || slug.ends_with('-')
    {
        return Err(Error::validation(
            field,
            "must be 3 to 63 lower-case letters, digits or hyphens, not starting or ending with a hyphen",
        ));
    }
    if RESERVED_SLUGS.contains(&slug) {
        return Err(Error::validation(field, format!("`{slug}` is reserved")));
    }
    Ok(slug.to_owned())
}

/// A new password: long enough to resist guessing, short enough to hash.
pub fn new_password(field: &str, raw: &str) -> Result<String> {
    if raw.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::validation(
            field,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if password::is_common(raw) {
        return Err(Error::validation(
            field,
            "is one of the most common passwords; choose one that is harder to guess",
        ));
    }
    if raw.len() > MAX_PASSWORD_BYTES {
        return Err(Error::validation(
            field,
            format!("must be at most {MAX_PASSWORD_BYTES} bytes"),
        ));
    }
    Ok(raw.to_owned())
}

/// What a sign-up did.
#[derive(Debug)]
pub enum SignUpOutcome {
    /// A new workspace, owned by a new user or by the account whose
    /// password was given.
    Created(Membership),
    /// The email has an account and the password is not its password:
    /// nothing was created. The caller is not told (the answer must not
    /// reveal which emails have accounts); the account's owner is.
    EmailTaken(user::Model),
}

/// Creates a tenant with the caller as its owner. A new email creates the
/// user; an existing one must come with that user's password, and the user
/// then owns one more tenant.
pub async fn sign_up(db: &DatabaseConnection, input: SignUp) -> Result<SignUpOutcome> {
    let email = input.email.to_lowercase();
    let existing = user::Entity::find()
        .filter(user::Column::Email.eq(&email))
        .one(db)
        .await?;
    let password_hash = match &existing {
        Some(known) => {
            if !password::verify(input.password.clone(), Some(known.password_hash.clone())).await? {
                return Ok(SignUpOutcome::EmailTaken(known.clone()));
            }
            None
        }
        None => Some(password::hash(input.password.clone()).await?),
    };

    let tx = db.begin().await?;
    let now = chrono::Utc::now();
    let inserted = tenant::Entity::insert(tenant::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(input.tenant_slug.clone()),
        name: Set(input.tenant_name),
        base_currency: Set(input.base_currency),
        default_locale: Set(input.locale.clone()),
        plan: Set("free".into()),
        customer_visibility: Set("ALL".into()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(tenant::Column::Slug)
            .do_nothing()
            .to_owned(),
    )
    .exec_with_returning(&tx)
    .await;
    let tenant = match inserted {
        Ok(tenant) => tenant,
        Err(sea_orm::DbErr::RecordNotInserted | sea_orm::DbErr::RecordNotFound(_)) => {
            return Err(Error::conflict(
                format!("the workspace address `{}` is taken", input.tenant_slug),
                Some("tenantSlug"),
            ))
        }
        Err(err) => return Err(err.into()),
    };
    let user = match (existing, password_hash) {
        (Some(known), _) => known,
        (None, hash) => {
            let inserted = user::Entity::insert(user::ActiveModel {
                id: Set(Uuid::now_v7()),
                email: Set(email.clone()),
                password_hash: Set(hash.unwrap_or_default()),
                display_name: Set(input.display_name),
                locale: Set(input.locale),
                last_tenant_id: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(user::Column::Email)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_with_returning(&tx)
            .await;
            match inserted {
                Ok(user) => user,
                // Someone signed up with this email at the same moment:
                // the same answer as for any email that has an account
                // (dropping the transaction removes the workspace).
                Err(sea_orm::DbErr::RecordNotInserted | sea_orm::DbErr::RecordNotFound(_)) => {
                    let known = user::Entity::find()
                        .filter(user::Column::Email.eq(&email))
                        .one(db)
                        .await?
                        .ok_or_else(|| {
                            Error::internal(sea_orm::DbErr::RecordNotFound(
                                "the user of a taken email".into(),
                            ))
                        })?;
                    return Ok(SignUpOutcome::EmailTaken(known));
                }
                Err(err) => return Err(err.into()),
            }
        }
    };
    membership::ActiveModel {
        tenant_id: Set(tenant.id),
        user_id: Set(user.id),
        role: Set(Role::Owner.as_str().into()),
        team_id: Set(None),
        region_id: Set(None),
        created_at: Set(now),
    }
    .insert(&tx)
    .await?;
    remember_tenant(&tx, user.id, tenant.id).await?;
    // The new workspace's own rows are written under its tenant setting (RLS).
    tx.execute(sea_orm::Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Postgres,
        "SELECT set_config('app.tenant_id', $1, true)",
        [tenant.id.to_string().into()],
    ))
    .await?;
    super::pipelines::create_default(&tx, tenant.id).await?;
    tx.commit().await?;
    Ok(SignUpOutcome::Created(Membership {
        user,
        tenant,
        role: Role::Owner,
    }))
}

/// Checks email and password and picks the tenant: the one named by
/// `tenant_slug`, else the last one used, else the first joined.
pub async fn sign_in(
    db: &DatabaseConnection,
    email: &str,
    password: String,
    tenant_slug: Option<&str>,
) -> Result<Membership> {
    let failed = Error::Unauthenticated(SIGN_IN_FAILED);
    let user = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?;
    // Verify even when the user is unknown, so timing does not tell.
    if !password::verify(password, user.as_ref().map(|u| u.password_hash.clone())).await? {
        return Err(failed);
    }
    let user = user.ok_or(failed)?;
    let mut query = membership::Entity::find()
        .select_also(tenant::Entity)
        .join(JoinType::InnerJoin, membership_tenant())
        .filter(membership::Column::UserId.eq(user.id));
    if let Some(slug) = tenant_slug {
        query = query.filter(tenant::Column::Slug.eq(slug.trim()));
    }
    let memberships = query
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    let chosen = memberships
        .iter()
        .find(|(m, _)| Some(m.tenant_id) == user.last_tenant_id)
        .or(memberships.first())
        .cloned();
    let Some((membership, Some(tenant))) = chosen else {
        return Err(Error::Unauthenticated(SIGN_IN_FAILED));
    };
    let role = Role::parse(&membership.role)
        .ok_or_else(|| Error::internal(UnknownRole(membership.role.clone())))?;
    remember_tenant(db, user.id, tenant.id).await?;
    Ok(Membership { user, tenant, role })
}

/// Where a failed sign-in for `email` is recorded: the named workspace, or
/// the user's last-used one. `None` for unknown emails.
pub async fn failure_target(
    db: &DatabaseConnection,
    email: &str,
    tenant_slug: Option<&str>,
) -> Result<Option<(Uuid, Uuid)>> {
    let Some(user) = user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let mut query = membership::Entity::find()
        .join(JoinType::InnerJoin, membership_tenant())
        .filter(membership::Column::UserId.eq(user.id));
    if let Some(slug) = tenant_slug {
        query = query.filter(tenant::Column::Slug.eq(slug.trim()));
    } else if let Some(last) = user.last_tenant_id {
        query = query.filter(membership::Column::TenantId.eq(last));
    }
    let membership = query
        .order_by_asc(membership::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(membership.map(|m| (m.tenant_id, user.id)))
}

/// The user's membership of the tenant with `slug`, for switching tenants.
pub async fn membership_by_slug(
    db: &DatabaseConnection,
    user_id: Uuid,
    slug: &str,
) -> Result<Membership> {
    let found = membership::Entity::find()
        .select_also(tenant::Entity)
        .join(JoinType::InnerJoin, membership_tenant())
        .filter(membership::Column::UserId.eq(user_id))
        .filter(tenant::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?;
    let Some((membership, Some(tenant))) = found else {
        return Err(Error::NotFound("workspace"));
    };
    let user = user::Entity::find_by_id(user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("user"))?;
    let role = Role::parse(&membership.role)
        .ok_or_else(|| Error::internal(UnknownRole(membership.role.clone())))?;
    remember_tenant(db, user_id, tenant.id).await?;
    Ok(Membership { user, tenant, role })
}

/// The tenants the user belongs to, with the role in each, by name.
pub async fn tenants_of(
    db: &DatabaseConnection,
    user_id: Uuid,
) -> Result<Vec<(tenant::Model, Role)>> {
    let rows = membership::Entity::find()
        .select_also(tenant::Entity)
        .join(JoinType::InnerJoin, membership_tenant())
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(tenant::Column::Name)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, t)| Some((t?, Role::parse(&m.role)?)))
        .collect())
}

/// The tenant with `id`.
pub async fn tenant(db: &DatabaseConnection, id: Uuid) -> Result<tenant::Model> {
    tenant::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound("tenant"))
}

/// The language a user chose (`users.locale`), if the user exists.
pub async fn user_locale(db: &DatabaseConnection, user_id: Uuid) -> Result<Option<String>> {
    Ok(user::Entity::find_by_id(user_id)
        .select_only()
        .column(user::Column::Locale)
        .into_tuple::<String>()
        .one(db)
        .await?)
}

/// Sets the language a user reads the product in; returns the user.
pub async fn set_user_locale(
    db: &DatabaseConnection,
    user_id: Uuid,
    locale: String,
) -> Result<user::Model> {
    user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(locale))
        .col_expr(user::Column::UpdatedAt, Expr::current_timestamp().into())
        .filter(user::Column::Id.eq(user_id))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or(Error::NotFound("user"))
}

/// The users among `ids` who are members of `tenant_id`; others are left out.
pub async fn members(
    db: &DatabaseConnection,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<user::Model>> {
    Ok(user::Entity::find()
        .join(JoinType::InnerJoin, user_membership())
        .filter(membership::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

fn membership_tenant() -> RelationDef {
    membership::Entity::belongs_to(tenant::Entity)
        .from(membership::Column::TenantId)
        .to(tenant::Column::Id)
        .into()
}

fn user_membership() -> RelationDef {
    let membership_user: RelationDef = membership::Entity::belongs_to(user::Entity)
        .from(membership::Column::UserId)
        .to(user::Column::Id)
        .into();
    membership_user.rev()
}

async fn remember_tenant(db: &impl ConnectionTrait, user_id: Uuid, tenant_id: Uuid) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::LastTenantId, Expr::value(tenant_id))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A stored role this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown role `{0}` in memberships")]
struct UnknownRole(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(tenant_slug("s", " acme-china ").unwrap(), "acme-china");
        for bad in ["ab", "-acme", "acme-", "Acme", "ac me", "www", "a_b"] {
            assert!(tenant_slug("s", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords() {
        assert!(new_password("p", "short").is_err());
        assert!(new_password("p", "long enough pass").is_ok());
        assert!(new_password("p", "1234567890").is_err());
        assert!(new_password("p", &"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }
}
