//! The tenant transaction: the only way code reaches tenant-owned data.
//!
//! A [`TenantTx`] can only be made by [`TenantTx::begin`], which opens a
//! transaction and sets `app.tenant_id` and `app.user_id` for it with
//! `set_config(..., true)` (transaction-local). Row-level security then limits
//! every statement to that tenant, and domain functions take `&TenantTx`, so
//! a query without tenant context cannot be written by accident.

use std::ops::Deref;

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait,
};
use tokio::sync::{Mutex, MutexGuard};
use uuid::Uuid;

use crate::cache::Cache;
use crate::error::{Error, Result};

/// Which tenant, which user acts in it, and which of its customers that
/// user may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantScope {
    pub tenant_id: Uuid,
    pub user_id: Option<Uuid>,
    /// `None`: every customer of the tenant.
    pub customers: Option<CustomerRestriction>,
}

impl TenantScope {
    /// The tenant with no acting member and no restriction: background work
    /// and the flows that run before anyone is signed in.
    pub fn system(tenant_id: Uuid) -> Self {
        TenantScope {
            tenant_id,
            user_id: None,
            customers: None,
        }
    }
}

/// A limit on the customers a member sees (a tenant setting for sales reps).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CustomerRestriction {
    /// Customers the member owns.
    Own { user_id: Uuid },
    /// Customers owned by the member or by anyone in the member's team.
    Team { user_id: Uuid, team_id: Uuid },
}

/// A database transaction bound to one tenant. Writes note the customers
/// whose cached view they change; committing drops those views, so the cache
/// is invalidated in the same code path as every write.
pub struct TenantTx {
    tx: DatabaseTransaction,
    scope: TenantScope,
    cache: Option<Cache>,
    read_only: bool,
    touched: std::sync::Mutex<std::collections::HashSet<Uuid>>,
}

impl TenantTx {
    /// Begins a read-write transaction and binds it to `scope`. Cached
    /// customer views it changes are dropped when it commits.
    pub async fn begin(db: &DatabaseConnection, cache: &Cache, scope: TenantScope) -> Result<Self> {
        let mut tx = Self::bind(db.begin().await?, scope).await?;
        tx.cache = Some(cache.clone());
        Ok(tx)
    }

    /// Begins a read-write transaction for writes that change no cached
    /// customer view (audit entries, messages, invitations).
    pub async fn begin_untracked(db: &DatabaseConnection, scope: TenantScope) -> Result<Self> {
        Self::bind(db.begin().await?, scope).await
    }

    /// Begins a read-only transaction and binds it to `scope`; the access
    /// mode is set by the statement that binds the scope (one round trip
    /// fewer than `SET TRANSACTION READ ONLY`).
    pub async fn begin_read_only(db: &DatabaseConnection, scope: TenantScope) -> Result<Self> {
        let mut tx = Self::bind_as(db.begin().await?, scope, true).await?;
        tx.read_only = true;
        Ok(tx)
    }

    async fn bind(tx: DatabaseTransaction, scope: TenantScope) -> Result<Self> {
        Self::bind_as(tx, scope, false).await
    }

    async fn bind_as(tx: DatabaseTransaction, scope: TenantScope, read_only: bool) -> Result<Self> {
        tx.execute(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            if read_only {
                "SELECT set_config('transaction_read_only', 'on', true),
                        set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)"
            } else {
                "SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)"
            },
            [
                scope.tenant_id.to_string().into(),
                scope
                    .user_id
                    .map(|u| u.to_string())
                    .unwrap_or_default()
                    .into(),
            ],
        ))
        .await?;
        Ok(TenantTx {
            tx,
            scope,
            cache: None,
            read_only: false,
            touched: std::sync::Mutex::new(std::collections::HashSet::new()),
        })
    }

    /// Notes that this transaction creates the customer or changes what its
    /// cached view shows (its fields, contacts, interactions, orders, deals,
    /// cases): its view is dropped and its dynamic segments settled as the
    /// transaction commits.
    pub fn touch_customer(&self, customer_id: Uuid) {
        self.touch_customers(&[customer_id]);
    }

    /// Notes many customers at once (bulk writes such as imports).
    pub fn touch_customers(&self, customer_ids: &[Uuid]) {
        debug_assert!(
            self.cache.is_some(),
            "customer writes need a transaction from TenantTx::begin"
        );
        if let Ok(mut touched) = self.touched.lock() {
            touched.extend(customer_ids.iter().copied());
        }
    }

    /// The tenant and user this transaction acts for.
    pub fn scope(&self) -> TenantScope {
        self.scope
    }

    /// The tenant this transaction is bound to.
    pub fn tenant_id(&self) -> Uuid {
        self.scope.tenant_id
    }

    /// Brings the dynamic segments up to date for the customers it changed,
    /// makes the transaction's writes durable, then drops the cached views
    /// of those customers.
    ///
    /// Deferred constraints (stage positions) are checked by a statement
    /// first: a violation found by `COMMIT` itself would end the transaction
    /// on the server while the driver still counted it open, and its later
    /// `ROLLBACK` would log "there is no transaction in progress".
    pub async fn commit(self) -> Result<()> {
        let touched: Vec<Uuid> = self
            .touched
            .lock()
            .map(|t| t.iter().copied().collect())
            .unwrap_or_default();
        if !self.read_only {
            // The customers it changed join or leave dynamic segments in
            // the same transaction.
            crate::domain::marketing::segments::keep_current(&self, &touched).await?;
            self.tx
                .execute_unprepared("SET CONSTRAINTS ALL IMMEDIATE")
                .await?;
        }
        self.tx.commit().await.map_err(Error::from)?;
        if let (Some(cache), false) = (&self.cache, touched.is_empty()) {
            crate::domain::customer_view::invalidate(cache, self.scope.tenant_id, &touched).await;
        }
        Ok(())
    }
}

impl Deref for TenantTx {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.tx
    }
}

/// The read-only transaction shared by all resolvers of one request: begun
/// on first use, so requests that never touch tenant data never open one, and
/// finished once the response is ready, so the whole response reads one
/// consistent snapshot.
pub struct RequestTx {
    db: DatabaseConnection,
    scope: TenantScope,
    slot: Mutex<Option<TenantTx>>,
}

/// Exclusive use of the request's transaction until dropped.
pub struct RequestTxGuard<'a>(MutexGuard<'a, Option<TenantTx>>);

impl Deref for RequestTxGuard<'_> {
    type Target = TenantTx;
    fn deref(&self) -> &TenantTx {
        self.0
            .as_ref()
            .expect("the guard is only handed out with a transaction")
    }
}

impl RequestTx {
    /// A request transaction for `scope` that is not begun yet.
    pub fn new(db: DatabaseConnection, scope: TenantScope) -> Self {
        RequestTx {
            db,
            scope,
            slot: Mutex::new(None),
        }
    }

    /// The tenant and user of the request.
    pub fn scope(&self) -> TenantScope {
        self.scope
    }

    /// Locks the transaction, beginning it if this is its first use.
    pub async fn lock(&self) -> Result<RequestTxGuard<'_>> {
        let mut slot = self.slot.lock().await;
        if slot.is_none() {
            *slot = Some(TenantTx::begin_read_only(&self.db, self.scope).await?);
        }
        Ok(RequestTxGuard(slot))
    }

    /// Ends the transaction if one was begun. Reads only, so it commits
    /// (which releases the snapshot exactly like a rollback would).
    pub async fn finish(&self) -> Result<()> {
        if let Some(tx) = self.slot.lock().await.take() {
            tx.commit().await?;
        }
        Ok(())
    }
}
