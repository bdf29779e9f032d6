//! Segments: saved groups of customers, the audiences of marketing.
//!
//! A dynamic segment is a customer filter (the language of `customers`)
//! whose members are materialised in `segment_members`: filled when it is
//! created or redefined ([`refresh`]), kept current in the transaction of
//! every customer change ([`keep_current`], run as `TenantTx` commits) and
//! refilled by each customer value run. A static list holds the customers
//! put in it. Membership is the workspace's; every read of members obeys
//! the reader's customer visibility.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, QueryTrait, Select, Set, Statement,
};
use serde_json::Value as JsonValue;
use uuid::Uuid;

use entity::customer::{self, Column as CustomerColumn, Entity as Customers};
use entity::segment::{self, Column, Entity as Segments};

use crate::domain::customers::{self, CustomerFilter};
use crate::domain::filter::{EnumFilter, TextFilter};
use crate::domain::finder;
use crate::domain::pagination::{fetch_page, Page, PageRequest, SortKey, SortKind, SortValue};
use crate::domain::values;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most rows of one CSV file filling a static list.
pub const MAX_CSV_ROWS: usize = 100_000;
/// Customers evaluated per statement when keeping segments current.
const UPKEEP_CHUNK: usize = 10_000;

crate::domain::stored::stored_enum! {
    /// How a segment's members are chosen.
    pub enum SegmentKind ("segment kind") {
        /// Every customer matching a filter, kept current.
        Dynamic = "DYNAMIC",
        /// The customers put in it by hand or from a file.
        Static = "STATIC",
    }
}

/// A dynamic segment's definition: the filter as the server evaluates it,
/// and as the client sent it (shown back for editing).
#[derive(Clone, Debug)]
pub struct Definition {
    pub filter: CustomerFilter,
    pub as_sent: JsonValue,
}

/// A new segment.
#[derive(Clone, Debug)]
pub struct NewSegment {
    pub name: String,
    pub description: Option<String>,
    pub kind: SegmentKind,
    /// Required for dynamic segments, refused for static lists.
    pub definition: Option<Definition>,
    pub owner_id: Option<Uuid>,
}

/// Changes to a segment; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct SegmentChanges {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub owner_id: Option<Option<Uuid>>,
    /// A new definition (dynamic segments only); its members are refilled.
    pub definition: Option<Definition>,
}

/// Conditions on segments in lists.
#[derive(Clone, Debug, Default)]
pub struct SegmentFilter {
    pub name: Option<TextFilter>,
    pub kind: Option<EnumFilter>,
    pub owner_id: Option<Vec<Uuid>>,
}

/// What segments can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentSortField {
    Name,
    CreatedAt,
    UpdatedAt,
}

/// One key of a segment order.
#[derive(Clone, Copy, Debug)]
pub struct SegmentSort {
    pub field: SegmentSortField,
    pub descending: bool,
}

/// What filling a static list from a file did.
#[derive(Clone, Debug, Default)]
pub struct FillReport {
    /// Customers put in the list.
    pub added: u64,
    /// Rows naming a customer already in it.
    pub already_members: u64,
    pub errors: Vec<FillError>,
}

/// A row of the file that named no customer.
#[derive(Clone, Debug)]
pub struct FillError {
    /// 1 = the first row after the header.
    pub row: u64,
    pub message: String,
}

/// The condition "the customer is in one of `segment_ids`", on `customers`
/// rows (the `segmentId` customer filter).
pub fn member_of(segment_ids: &[Uuid]) -> SimpleExpr {
    Expr::exists(
        Query::select()
            .expr(Expr::value(1))
            .from(Alias::new("segment_members"))
            .and_where(
                Expr::col((Alias::new("segment_members"), Alias::new("tenant_id")))
                    .equals((Customers, CustomerColumn::TenantId)),
            )
            .and_where(
                Expr::col((Alias::new("segment_members"), Alias::new("customer_id")))
                    .equals((Customers, CustomerColumn::Id)),
            )
            .and_where(
                Expr::col((Alias::new("segment_members"), Alias::new("segment_id")))
                    .is_in(segment_ids.iter().copied()),
            )
            .to_owned(),
    )
}

/// A valid segment name.
pub fn name(raw: &str) -> Result<String> {
    values::required_text("name", raw, 200)
}

/// A valid description (blank is none).
pub fn description(raw: &str) -> Result<Option<String>> {
    values::optional_text("description", raw, 2_000)
}

/// Checks a definition: the filter's own limits, the custom fields it
/// names, and no segment membership inside it (segments are not defined
/// by segments).
async fn check_definition(tx: &TenantTx, filter: &CustomerFilter) -> Result<()> {
    customers::filter_condition(tx, filter).await?;
    let (owners, teams) = filter.named_owners_and_teams();
    for (ids, table, column, field) in [
        (owners, "memberships", "user_id", "filter.ownerId"),
        (teams, "teams", "id", "filter.teamId"),
    ] {
        if ids.is_empty() {
            continue;
        }
        let found: HashSet<Uuid> = tx
            .query_all(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!("SELECT {column} FROM {table} WHERE tenant_id = $1 AND {column} = ANY($2)"),
                [tx.tenant_id().into(), ids.clone().into()],
            ))
            .await?
            .iter()
            .map(|r| r.try_get_by_index::<Uuid>(0))
            .collect::<std::result::Result<_, _>>()?;
        if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
            return Err(Error::validation(
                field,
                if table == "teams" {
                    format!("`{missing}` is not a team of this workspace")
                } else {
                    format!("`{missing}` is not a member of this workspace")
                },
            ));
        }
    }
    if filter.uses_segments() {
        return Err(Error::validation(
            "filter.segmentId",
            "a segment cannot be defined by membership of segments",
        ));
    }
    Ok(())
}

fn stored_filter(row: &segment::Model) -> Result<Option<CustomerFilter>> {
    row.condition
        .clone()
        .map(serde_json::from_value)
        .transpose()
        .map_err(Error::internal)
}

fn write_error(err: sea_orm::DbErr) -> Error {
    match err.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::conflict(
            "a segment with this name already exists in this workspace",
            Some("name"),
        ),
        Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(detail))
            if detail.contains("owner") =>
        {
            Error::validation("ownerId", "is not a member of this workspace")
        }
        _ => err.into(),
    }
}

/// Creates a segment; a dynamic one is filled at once.
pub async fn create(tx: &TenantTx, new: NewSegment) -> Result<segment::Model> {
    if let Some(d) = &new.definition {
        check_definition(tx, &d.filter).await?;
    }
    let (definition, condition) = match (new.kind, new.definition) {
        (SegmentKind::Dynamic, Some(d)) => {
            let stored = serde_json::to_value(&d.filter).map_err(Error::internal)?;
            (Some(d.as_sent), Some(stored))
        }
        (SegmentKind::Dynamic, None) => {
            return Err(Error::validation(
                "filter",
                "a dynamic segment needs a filter",
            ))
        }
        (SegmentKind::Static, Some(_)) => {
            return Err(Error::validation(
                "filter",
                "a static list has no filter; add its customers instead",
            ))
        }
        (SegmentKind::Static, None) => (None, None),
    };
    let now = Utc::now();
    let row = segment::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(Uuid::now_v7()),
        version: Set(1),
        name: Set(new.name),
        description: Set(new.description),
        kind: Set(new.kind.as_str().to_owned()),
        definition: Set(definition),
        condition: Set(condition),
        owner_id: Set(new.owner_id),
        created_by: Set(tx.scope().user_id),
        refreshed_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&**tx)
    .await
    .map_err(write_error)?;
    if new.kind == SegmentKind::Dynamic {
        return refresh(tx, row).await;
    }
    record_size(tx, row.id).await?;
    Ok(row)
}

/// Changes a segment at `version`; a new definition refills its members.
pub async fn update(
    tx: &TenantTx,
    id: Uuid,
    version: i32,
    changes: SegmentChanges,
) -> Result<segment::Model> {
    let current = lock(tx, id).await?;
    if current.version != version {
        return Err(Error::conflict(
            format!(
                "the segment was changed by someone else (you sent version {version}, it is now at version {}); reload it and try again",
                current.version
            ),
            Some("version"),
        ));
    }
    let kind = SegmentKind::parse(&current.kind)?;
    let redefined = changes.definition.is_some();
    let mut row: segment::ActiveModel = current.into();
    if let Some(name) = changes.name {
        row.name = Set(name);
    }
    if let Some(description) = changes.description {
        row.description = Set(description);
    }
    if let Some(owner) = changes.owner_id {
        row.owner_id = Set(owner);
    }
    if let Some(d) = changes.definition {
        check_definition(tx, &d.filter).await?;
        if kind == SegmentKind::Static {
            return Err(Error::validation(
                "filter",
                "a static list has no filter; add its customers instead",
            ));
        }
        row.condition = Set(Some(
            serde_json::to_value(&d.filter).map_err(Error::internal)?,
        ));
        row.definition = Set(Some(d.as_sent));
    }
    row.version = Set(version + 1);
    row.updated_at = Set(Utc::now());
    let row = row.update(&**tx).await.map_err(write_error)?;
    if redefined {
        return refresh(tx, row).await;
    }
    Ok(row)
}

/// Deletes a segment and its membership.
pub async fn delete(tx: &TenantTx, id: Uuid) -> Result<()> {
    let deleted = Segments::delete_many()
        .filter(Column::TenantId.eq(tx.tenant_id()))
        .filter(Column::Id.eq(id))
        .exec(&**tx)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(Error::NotFound("segment"));
    }
    Ok(())
}

async fn lock(tx: &TenantTx, id: Uuid) -> Result<segment::Model> {
    of_tenant(tx)
        .filter(Column::Id.eq(id))
        .lock_exclusive()
        .one(&**tx)
        .await?
        .ok_or(Error::NotFound("segment"))
}

fn of_tenant(tx: &TenantTx) -> Select<Segments> {
    Segments::find().filter(Column::TenantId.eq(tx.tenant_id()))
}

/// The segment with `id`.
pub async fn find(tx: &TenantTx, id: Uuid) -> Result<Option<segment::Model>> {
    Ok(of_tenant(tx).filter(Column::Id.eq(id)).one(&**tx).await?)
}

/// The segments among `ids`, by id.
pub async fn find_many(tx: &TenantTx, ids: &[Uuid]) -> Result<HashMap<Uuid, segment::Model>> {
    let rows = of_tenant(tx)
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(&**tx)
        .await?;
    Ok(rows.into_iter().map(|s| (s.id, s)).collect())
}

/// A static list, for changing its members; dynamic segments are refused.
async fn static_list(tx: &TenantTx, id: Uuid) -> Result<segment::Model> {
    let row = find(tx, id).await?.ok_or(Error::NotFound("segment"))?;
    if SegmentKind::parse(&row.kind)? == SegmentKind::Dynamic {
        return Err(Error::validation(
            "segmentId",
            "the members of a dynamic segment follow its filter; change the filter instead",
        ));
    }
    Ok(row)
}

impl SegmentFilter {
    /// Checks list sizes.
    pub fn validate(&self) -> Result<()> {
        if let Some(f) = &self.name {
            f.validate("filter.name")?;
        }
        if let Some(f) = &self.kind {
            f.validate("filter.kind")?;
        }
        crate::domain::filter::FilterBudget::default().spend_ids(
            0,
            &self.owner_id,
            "filter.ownerId",
        )
    }

    fn condition(&self) -> sea_orm::Condition {
        let col = |c: Column| -> SimpleExpr { Expr::col((Segments, c)).into() };
        let mut all = sea_orm::Condition::all();
        if let Some(f) = &self.name {
            all = all.add(f.condition(col(Column::Name)));
        }
        if let Some(f) = &self.kind {
            all = all.add(f.condition(col(Column::Kind)));
        }
        if let Some(ids) = &self.owner_id {
            all = all.add(Column::OwnerId.is_in(ids.iter().copied()));
        }
        all
    }
}

fn sort_keys(order: &[SegmentSort]) -> Result<Vec<SortKey>> {
    if order.len() > 3 {
        return Err(Error::validation("orderBy", "at most 3 sort keys"));
    }
    let default = [SegmentSort {
        field: SegmentSortField::Name,
        descending: false,
    }];
    let order = if order.is_empty() {
        &default[..]
    } else {
        order
    };
    let mut keys = Vec::new();
    for o in order {
        let (name, column, kind, case_insensitive) = match o.field {
            SegmentSortField::Name => ("name", Column::Name, SortKind::Text, true),
            SegmentSortField::CreatedAt => ("createdAt", Column::CreatedAt, SortKind::Time, false),
            SegmentSortField::UpdatedAt => ("updatedAt", Column::UpdatedAt, SortKind::Time, false),
        };
        if keys.iter().any(|k: &SortKey| k.name == name) {
            return Err(Error::validation(
                "orderBy",
                format!("`{name}` is given twice"),
            ));
        }
        keys.push(SortKey {
            name,
            expr: Expr::col((Segments, column)).into(),
            kind,
            descending: o.descending,
            case_insensitive,
            value_cast: None,
        });
    }
    keys.push(SortKey {
        name: "id",
        expr: Expr::col((Segments, Column::Id)).into(),
        kind: SortKind::Uuid,
        descending: false,
        case_insensitive: false,
        value_cast: None,
    });
    Ok(keys)
}

fn sort_values(keys: &[SortKey], row: &segment::Model) -> Vec<SortValue> {
    keys.iter()
        .map(|k| match k.name {
            "name" => SortValue::Text(row.name.clone()),
            "createdAt" => SortValue::Time(row.created_at),
            "updatedAt" => SortValue::Time(row.updated_at),
            _ => SortValue::Uuid(row.id),
        })
        .collect()
}

/// One page of the workspace's segments.
pub async fn list(
    tx: &TenantTx,
    filter: &SegmentFilter,
    order: &[SegmentSort],
    page: &PageRequest,
) -> Result<Page<segment::Model>> {
    filter.validate()?;
    let keys = sort_keys(order)?;
    let select = of_tenant(tx).filter(filter.condition());
    fetch_page(tx, select, &keys, page, |row| sort_values(&keys, row)).await
}

/// How many segments match `filter`.
pub async fn count(tx: &TenantTx, filter: &SegmentFilter) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    filter.validate()?;
    Ok(of_tenant(tx)
        .filter(filter.condition())
        .count(&**tx)
        .await?)
}

/// How many live members of each of `segment_ids` the member may see.
pub async fn member_counts(tx: &TenantTx, segment_ids: &[Uuid]) -> Result<HashMap<Uuid, u64>> {
    #[derive(FromQueryResult)]
    struct Count {
        segment_id: Uuid,
        members: i64,
    }
    let visible = customers::visible_ids(tx);
    let query = Query::select()
        .column(Alias::new("segment_id"))
        .expr_as(Expr::cust("count(*)"), Alias::new("members"))
        .from(Alias::new("segment_members"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tx.tenant_id()))
        .and_where(Expr::col(Alias::new("segment_id")).is_in(segment_ids.iter().copied()))
        .and_where(Expr::col(Alias::new("customer_id")).in_subquery(visible))
        .group_by_col(Alias::new("segment_id"))
        .to_owned();
    let rows = Count::find_by_statement(DbBackend::Postgres.build(&query))
        .all(&**tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.segment_id, r.members as u64))
        .collect())
}

/// The segments each of `customer_ids` is in, by name.
pub async fn of_customers(
    tx: &TenantTx,
    customer_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<segment::Model>>> {
    #[derive(FromQueryResult)]
    struct Membership {
        segment_id: Uuid,
        customer_id: Uuid,
    }
    let query = Query::select()
        .columns([Alias::new("segment_id"), Alias::new("customer_id")])
        .from(Alias::new("segment_members"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tx.tenant_id()))
        .and_where(Expr::col(Alias::new("customer_id")).is_in(customer_ids.iter().copied()))
        .to_owned();
    let rows = Membership::find_by_statement(DbBackend::Postgres.build(&query))
        .all(&**tx)
        .await?;
    let segment_ids: Vec<Uuid> = rows
        .iter()
        .map(|r| r.segment_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let segments = find_many(tx, &segment_ids).await?;
    let mut by_customer: HashMap<Uuid, Vec<segment::Model>> = HashMap::new();
    for r in rows {
        if let Some(s) = segments.get(&r.segment_id) {
            by_customer
                .entry(r.customer_id)
                .or_default()
                .push(s.clone());
        }
    }
    for list in by_customer.values_mut() {
        list.sort_by_key(|s| s.name.to_lowercase());
    }
    Ok(by_customer)
}

/// The segment's recorded size per day, from `since` on, oldest first.
pub async fn sizes(tx: &TenantTx, id: Uuid, since: NaiveDate) -> Result<Vec<(NaiveDate, i64)>> {
    #[derive(FromQueryResult)]
    struct Size {
        day: NaiveDate,
        size: i64,
    }
    let rows = Size::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT day, size FROM segment_sizes
          WHERE tenant_id = $1 AND segment_id = $2 AND day >= $3
          ORDER BY day",
        [tx.tenant_id().into(), id.into(), since.into()],
    ))
    .all(&**tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.day, r.size)).collect())
}

/// Records today's size of every segment of every tenant; returns how
/// many were counted. For the hourly worker.
pub async fn record_all_sizes(db: &sea_orm::DatabaseConnection) -> Result<i64> {
    let row = db
        .query_one(Statement::from_string(
            DbBackend::Postgres,
            "SELECT record_segment_sizes() AS counted",
        ))
        .await?
        .ok_or_else(|| Error::internal(sea_orm::DbErr::RecordNotFound("segment sizes".into())))?;
    Ok(row.try_get("", "counted")?)
}

/// Records today's size of the segment (all its members).
async fn record_size(tx: &TenantTx, id: Uuid) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO segment_sizes (tenant_id, segment_id, day, size)
         SELECT $1, $2, current_date,
                (SELECT count(*) FROM segment_members WHERE tenant_id = $1 AND segment_id = $2)
         ON CONFLICT (tenant_id, segment_id, day) DO UPDATE SET size = EXCLUDED.size",
        [tx.tenant_id().into(), id.into()],
    ))
    .await?;
    Ok(())
}

/// Live customers of the tenant (visible to the member or not: membership
/// is the workspace's) matching `condition`, as a select of their ids.
fn matching_ids(tx: &TenantTx, condition: sea_orm::Condition) -> Select<Customers> {
    finder::including_hidden::<Customers>(tx)
        .filter(CustomerColumn::DeletedAt.is_null())
        .filter(condition)
        .select_only()
        .column(CustomerColumn::Id)
}

/// A dynamic segment's filter as a condition on customers; `None` for a
/// static list, and for a filter that no longer applies (it names a custom
/// field since deleted or changed in type): its members then stay as they
/// were, and a customer write elsewhere does not fail because of it.
async fn condition_of(tx: &TenantTx, row: &segment::Model) -> Result<Option<sea_orm::Condition>> {
    let Some(filter) = stored_filter(row)? else {
        return Ok(None);
    };
    match customers::filter_condition(tx, &filter).await {
        Ok(condition) => Ok(Some(condition)),
        Err(Error::Validation { field, message }) => {
            tracing::warn!(segment_id = %row.id, %field, %message, "a segment's filter no longer applies; its members are left as they were");
            Ok(None)
        }
        Err(err) => Err(err),
    }
}

/// Refills a dynamic segment from its filter: adds the customers that
/// match and removes those that no longer do. Returns the segment with its
/// refresh time.
pub async fn refresh(tx: &TenantTx, row: segment::Model) -> Result<segment::Model> {
    let Some(condition) = condition_of(tx, &row).await? else {
        return Ok(row);
    };
    let members = Alias::new("segment_members");
    let source = matching_ids(tx, condition.clone())
        .select_only()
        .expr(Expr::val(tx.tenant_id()))
        .expr(Expr::val(row.id))
        .column(CustomerColumn::Id)
        .into_query();
    let insert = Query::insert()
        .into_table(members.clone())
        .columns([
            Alias::new("tenant_id"),
            Alias::new("segment_id"),
            Alias::new("customer_id"),
        ])
        .select_from(source)
        .map_err(Error::internal)?
        .on_conflict(
            OnConflict::columns([
                Alias::new("tenant_id"),
                Alias::new("segment_id"),
                Alias::new("customer_id"),
            ])
            .do_nothing()
            .to_owned(),
        )
        .to_owned();
    tx.execute(DbBackend::Postgres.build(&insert)).await?;
    let stale = Query::delete()
        .from_table(members)
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tx.tenant_id()))
        .and_where(Expr::col(Alias::new("segment_id")).eq(row.id))
        .and_where(
            Expr::col(Alias::new("customer_id"))
                .not_in_subquery(matching_ids(tx, condition).into_query()),
        )
        .to_owned();
    tx.execute(DbBackend::Postgres.build(&stale)).await?;
    record_size(tx, row.id).await?;
    let mut refreshed: segment::ActiveModel = row.into();
    refreshed.refreshed_at = Set(Some(Utc::now()));
    Ok(refreshed.update(&**tx).await?)
}

/// Refills every dynamic segment of the tenant (after a customer value
/// run changed the figures of all customers at once).
pub async fn refresh_all(tx: &TenantTx) -> Result<()> {
    let dynamic = of_tenant(tx)
        .filter(Column::Kind.eq(SegmentKind::Dynamic.as_str()))
        .all(&**tx)
        .await?;
    for row in dynamic {
        refresh(tx, row).await?;
    }
    Ok(())
}

/// Brings the tenant's dynamic segments up to date for `customer_ids`,
/// which the transaction changed: each joins the segments whose filter it
/// now matches and leaves the others. A few statements however many
/// segments there are.
pub async fn keep_current(tx: &TenantTx, customer_ids: &[Uuid]) -> Result<()> {
    if customer_ids.is_empty() {
        return Ok(());
    }
    let dynamic = of_tenant(tx)
        .filter(Column::Kind.eq(SegmentKind::Dynamic.as_str()))
        .all(&**tx)
        .await?;
    if dynamic.is_empty() {
        return Ok(());
    }
    let mut conditions = Vec::with_capacity(dynamic.len());
    for row in &dynamic {
        if let Some(condition) = condition_of(tx, row).await? {
            conditions.push((row.id, condition));
        }
    }
    if conditions.is_empty() {
        return Ok(());
    }
    let segment_ids: Vec<Uuid> = conditions.iter().map(|(id, _)| *id).collect();
    for chunk in customer_ids.chunks(UPKEEP_CHUNK) {
        let ids = chunk.to_vec();
        // Which of these customers match which segment now.
        let mut select = finder::including_hidden::<Customers>(tx)
            .filter(CustomerColumn::DeletedAt.is_null())
            .filter(Expr::cust_with_values(
                "customers.id = ANY($1)",
                [ids.clone()],
            ))
            .select_only()
            .column(CustomerColumn::Id);
        for (i, (_, condition)) in conditions.iter().enumerate() {
            let alias = format!("s{i}");
            select = select.expr_as(
                Expr::case(condition.clone(), true).finally(false),
                alias.as_str(),
            );
        }
        let rows = tx
            .query_all(DbBackend::Postgres.build(&select.into_query()))
            .await?;
        let mut matching: HashSet<(Uuid, Uuid)> = HashSet::new();
        for r in rows {
            let customer_id: Uuid = r.try_get_by_index(0)?;
            for (i, segment_id) in segment_ids.iter().enumerate() {
                if r.try_get_by_index::<bool>(i + 1)? {
                    matching.insert((*segment_id, customer_id));
                }
            }
        }
        // Who is in them now.
        #[derive(FromQueryResult)]
        struct Membership {
            segment_id: Uuid,
            customer_id: Uuid,
        }
        let current: HashSet<(Uuid, Uuid)> =
            Membership::find_by_statement(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT segment_id, customer_id FROM segment_members
                  WHERE tenant_id = $1 AND customer_id = ANY($2) AND segment_id = ANY($3)",
                [
                    tx.tenant_id().into(),
                    ids.into(),
                    segment_ids.clone().into(),
                ],
            ))
            .all(&**tx)
            .await?
            .into_iter()
            .map(|m| (m.segment_id, m.customer_id))
            .collect();
        let (join_segments, join_customers): (Vec<Uuid>, Vec<Uuid>) =
            matching.difference(&current).copied().unzip();
        let (leave_segments, leave_customers): (Vec<Uuid>, Vec<Uuid>) =
            current.difference(&matching).copied().unzip();
        if !join_segments.is_empty() {
            tx.execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO segment_members (tenant_id, segment_id, customer_id)
                 SELECT $1, s, c FROM unnest($2::uuid[], $3::uuid[]) AS j (s, c)
                 ON CONFLICT DO NOTHING",
                [
                    tx.tenant_id().into(),
                    join_segments.into(),
                    join_customers.into(),
                ],
            ))
            .await?;
        }
        if !leave_segments.is_empty() {
            tx.execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "DELETE FROM segment_members
                  WHERE tenant_id = $1
                    AND (segment_id, customer_id) IN
                        (SELECT s, c FROM unnest($2::uuid[], $3::uuid[]) AS l (s, c))",
                [
                    tx.tenant_id().into(),
                    leave_segments.into(),
                    leave_customers.into(),
                ],
            ))
            .await?;
        }
    }
    Ok(())
}

/// Moves a merged customer's memberships to the survivor of the merge.
/// The survivor's dynamic segments are settled by [`keep_current`] as
/// the merge commits.
pub async fn move_members(tx: &TenantTx, merged_id: Uuid, survivor_id: Uuid) -> Result<()> {
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO segment_members (tenant_id, segment_id, customer_id)
         SELECT tenant_id, segment_id, $3 FROM segment_members
          WHERE tenant_id = $1 AND customer_id = $2
         ON CONFLICT DO NOTHING",
        [tx.tenant_id().into(), merged_id.into(), survivor_id.into()],
    ))
    .await?;
    tx.execute(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "DELETE FROM segment_members WHERE tenant_id = $1 AND customer_id = $2",
        [tx.tenant_id().into(), merged_id.into()],
    ))
    .await?;
    Ok(())
}

/// Puts customers (live ones the member may see) in a static list.
/// Returns how many were not in it yet.
pub async fn add_members(tx: &TenantTx, segment_id: Uuid, customer_ids: &[Uuid]) -> Result<u64> {
    let list = static_list(tx, segment_id).await?;
    super::customers_to_add(tx, customer_ids).await?;
    let added = insert_members(tx, list.id, customer_ids).await?;
    record_size(tx, list.id).await?;
    Ok(added)
}

/// Takes customers the member may see out of a static list. Returns how
/// many were in it.
pub async fn remove_members(tx: &TenantTx, segment_id: Uuid, customer_ids: &[Uuid]) -> Result<u64> {
    let list = static_list(tx, segment_id).await?;
    let visible = super::customers_to_change(tx, customer_ids).await?;
    let removed = tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM segment_members
              WHERE tenant_id = $1 AND segment_id = $2 AND customer_id = ANY($3)",
            [tx.tenant_id().into(), list.id.into(), visible.into()],
        ))
        .await?
        .rows_affected();
    record_size(tx, list.id).await?;
    Ok(removed)
}

async fn insert_members(tx: &TenantTx, segment_id: Uuid, customer_ids: &[Uuid]) -> Result<u64> {
    Ok(tx
        .execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO segment_members (tenant_id, segment_id, customer_id)
             SELECT $1, $2, c FROM unnest($3::uuid[]) AS a (c)
             ON CONFLICT DO NOTHING",
            [
                tx.tenant_id().into(),
                segment_id.into(),
                customer_ids.to_vec().into(),
            ],
        ))
        .await?
        .rows_affected())
}

/// How a row of a list file names its customer.
#[derive(Clone, Copy)]
enum FileKey {
    Id,
    ExternalId,
    Email,
}

/// Fills a static list from a CSV file whose header names one column
/// `id`, `externalId` or `email` (the first of these found is used; other
/// columns are ignored, so a customer export can be sent back). Every row
/// must name a live customer the member may see; those that do not are
/// reported, the others are added.
pub async fn fill_from_csv(tx: &TenantTx, segment_id: Uuid, text: &str) -> Result<FillReport> {
    let list = static_list(tx, segment_id).await?;
    let mut reader = crate::csv::Reader::new(text);
    let header = match reader.next() {
        Some(Ok(header)) => header,
        Some(Err(err)) => return Err(Error::validation("csv", err.to_string())),
        None => return Err(Error::validation("csv", "the file is empty")),
    };
    let (column, key) = [
        ("id", FileKey::Id),
        ("externalId", FileKey::ExternalId),
        ("email", FileKey::Email),
    ]
    .into_iter()
    .find_map(|(name, key)| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .map(|i| (i, key))
    })
    .ok_or_else(|| {
        Error::validation(
            "csv",
            "the header needs a column `id`, `externalId` or `email`",
        )
    })?;
    let mut report = FillReport::default();
    let mut wanted: Vec<(u64, String)> = Vec::new();
    for (n, record) in reader.enumerate() {
        let row = n as u64 + 1;
        let record = record.map_err(|err| Error::validation("csv", err.to_string()))?;
        if wanted.len() >= MAX_CSV_ROWS {
            return Err(Error::validation(
                "csv",
                format!("a file may hold at most {MAX_CSV_ROWS} rows"),
            ));
        }
        let value = record
            .get(column)
            .map(|v| crate::csv::unguard_formula(v.trim()).to_owned())
            .unwrap_or_default();
        if value.is_empty() {
            report.errors.push(FillError {
                row,
                message: format!("`{}` is empty", header[column].trim()),
            });
            continue;
        }
        wanted.push((row, value));
    }
    let mut resolved: HashMap<String, Uuid> = HashMap::new();
    for chunk in wanted.chunks(super::MAX_MEMBERS_PER_CALL) {
        let keys: Vec<String> = chunk.iter().map(|(_, v)| v.clone()).collect();
        match key {
            FileKey::Id => {
                let ids: Vec<Uuid> = keys
                    .iter()
                    .filter_map(|k| Uuid::parse_str(k).ok())
                    .collect();
                for id in customers::find_many(tx, &ids).await?.into_keys() {
                    resolved.insert(id.to_string(), id);
                }
            }
            FileKey::ExternalId => {
                for c in customers::find_by_external_ids(tx, &keys).await? {
                    if let Some(e) = c.external_id.clone() {
                        resolved.insert(e, c.id);
                    }
                }
            }
            FileKey::Email => {
                let lower: Vec<String> = keys.iter().map(|k| k.to_lowercase()).collect();
                for c in customers::find_by_emails(tx, &lower).await? {
                    for email in emails_of(&c) {
                        resolved.entry(email).or_insert(c.id);
                    }
                }
            }
        }
    }
    report.errors.sort_by_key(|e| e.row);
    let mut ids = Vec::new();
    for (row, value) in wanted {
        let lookup = match key {
            FileKey::Email => value.to_lowercase(),
            FileKey::Id => Uuid::parse_str(&value)
                .map(|u| u.to_string())
                .unwrap_or(value.clone()),
            FileKey::ExternalId => value.clone(),
        };
        match resolved.get(&lookup) {
            Some(id) => ids.push(*id),
            None => report.errors.push(FillError {
                row,
                message: format!("no customer (that you may see) has `{value}`"),
            }),
        }
    }
    report.errors.sort_by_key(|e| e.row);
    ids.sort_unstable();
    let named = ids.len() as u64;
    ids.dedup();
    let mut added = 0;
    for chunk in ids.chunks(UPKEEP_CHUNK) {
        added += insert_members(tx, list.id, chunk).await?;
    }
    report.added = added;
    report.already_members = named - added;
    record_size(tx, list.id).await?;
    Ok(report)
}

/// Every email of a customer, in lower case.
fn emails_of(c: &customer::Model) -> Vec<String> {
    customers::emails_of(c)
        .0
        .iter()
        .map(|p| p.value.to_lowercase())
        .collect()
}
