//! Customer import from CSV: every row is validated with the same field
//! rules as `createCustomer`/`updateCustomer` ([`customers::rules`]),
//! matched to an existing customer (by external id or email) or created,
//! and written in bulk through [`customer_bulk`], which applies the rules,
//! field history and cache invalidation of the single writes.
//!
//! The whole file is one transaction, read in batches of [`BATCH_ROWS`]
//! (one lookup query per batch). Taken external ids are found before
//! writing, so bad rows never abort the transaction. Each batch is written
//! with one insert and one update statement (plus their history) under one
//! savepoint; should the database still refuse a statement (a concurrent
//! write), the batch is rolled back to it and written row by row, so only
//! the refused rows are reported. A dry run, and an all-or-nothing import
//! with a bad row, roll the transaction back.

use std::collections::{HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use entity::customer;

use super::customer_bulk::{self, Outcome};
use super::customers::{self, rules, CustomerChanges, CustomerKind, LifecycleStage, NewCustomer};
use crate::csv::Reader;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Rows read, looked up and written per batch.
pub const BATCH_ROWS: usize = 5000;
/// Separates tags within one cell.
pub const TAG_SEPARATOR: char = ';';

/// A customer field a CSV column can fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportField {
    Name,
    Kind,
    Email,
    Phone,
    Website,
    Industry,
    Region,
    ExternalId,
    LifecycleStage,
    /// Tags separated by [`TAG_SEPARATOR`].
    Tags,
    /// The owner, given by a member's email address.
    OwnerEmail,
}

impl ImportField {
    /// Every field, in the column order of an export.
    pub const ALL: [ImportField; 11] = [
        ImportField::ExternalId,
        ImportField::Name,
        ImportField::Kind,
        ImportField::Email,
        ImportField::Phone,
        ImportField::Website,
        ImportField::Industry,
        ImportField::Region,
        ImportField::LifecycleStage,
        ImportField::Tags,
        ImportField::OwnerEmail,
    ];

    /// The field's name as the API spells it; also the export's header.
    pub fn api_name(self) -> &'static str {
        match self {
            ImportField::Name => "name",
            ImportField::Kind => "kind",
            ImportField::Email => "email",
            ImportField::Phone => "phone",
            ImportField::Website => "website",
            ImportField::Industry => "industry",
            ImportField::Region => "region",
            ImportField::ExternalId => "externalId",
            ImportField::LifecycleStage => "lifecycleStage",
            ImportField::Tags => "tags",
            ImportField::OwnerEmail => "ownerEmail",
        }
    }

    /// The field a header names when no mapping is given: its API name in
    /// any case, with or without `_`, `-` or spaces (`External ID`).
    pub fn from_header(header: &str) -> Option<ImportField> {
        let squeeze = |s: &str| -> String {
            s.chars()
                .filter(|c| !matches!(c, '_' | '-' | ' '))
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = squeeze(header);
        Self::ALL
            .into_iter()
            .find(|f| squeeze(f.api_name()) == wanted)
    }
}

/// How a row finds the customer it updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchBy {
    /// The customer with the row's external id.
    ExternalId,
    /// The customer with the row's email (ignoring case); several such
    /// customers make the row ambiguous.
    Email,
    /// Every row creates a customer.
    None,
}

/// What happens to the good rows when some are bad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Any bad row means nothing is written.
    AllOrNothing,
    /// Good rows are written; bad rows are reported and skipped.
    SkipInvalid,
}

/// How to read and apply a file.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// CSV header → field. `None`: headers are matched to fields by name.
    pub mapping: Option<Vec<(String, ImportField)>>,
    /// `None`: by external id when a column is mapped to it, else no matching.
    pub match_by: Option<MatchBy>,
    /// Validate and report, write nothing.
    pub dry_run: bool,
    pub mode: ImportMode,
}

/// Why one row was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1 = the first row after the header.
    pub row: u64,
    /// The field as the API spells it, when one is at fault.
    pub field: Option<String>,
    pub message: String,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub rows_read: u64,
    pub created: u64,
    pub updated: u64,
    /// Matched rows whose values were already those of the customer.
    pub unchanged: u64,
    /// Rows not written: the bad ones, or all when nothing was written
    /// because of them.
    pub skipped: u64,
    /// Whether the writes were saved (false for a dry run and for an
    /// all-or-nothing import with bad rows).
    pub committed: bool,
    pub errors: Vec<RowError>,
}

/// One row's validated values; `None` is a blank cell (or no such column),
/// which leaves an existing customer's field as it is.
#[derive(Clone, Debug, Default)]
struct RowValues {
    name: Option<String>,
    kind: Option<CustomerKind>,
    email: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    industry: Option<String>,
    region: Option<String>,
    external_id: Option<String>,
    lifecycle_stage: Option<LifecycleStage>,
    tags: Option<Vec<String>>,
    owner_id: Option<Uuid>,
}

/// Imports the CSV `data` in `tx`, then commits or rolls back as the
/// options say. File-level problems (not UTF-8, no header, a bad mapping)
/// are `VALIDATION` errors; row problems are in the report.
pub async fn import(tx: TenantTx, data: &[u8], options: &ImportOptions) -> Result<ImportReport> {
    let mut reader =
        Reader::from_bytes(data).map_err(|e| Error::validation("file", e.to_string()))?;
    let header = match reader.next() {
        Some(Ok(header)) => header,
        Some(Err(e)) => return Err(Error::validation("file", e.to_string())),
        None => {
            return Err(Error::validation(
                "file",
                "the file is empty; its first line must name the columns",
            ))
        }
    };
    let columns = resolve_columns(&header, options.mapping.as_deref())?;
    let has = |field: ImportField| columns.iter().any(|(_, f)| *f == field);
    let match_by = options.match_by.unwrap_or(if has(ImportField::ExternalId) {
        MatchBy::ExternalId
    } else {
        MatchBy::None
    });
    let key_field = match match_by {
        MatchBy::ExternalId => Some(ImportField::ExternalId),
        MatchBy::Email => Some(ImportField::Email),
        MatchBy::None => None,
    };
    if let Some(key) = key_field {
        if !has(key) {
            return Err(Error::validation(
                "matchBy",
                format!("no column is mapped to `{}`", key.api_name()),
            ));
        }
    }
    let owners = if has(ImportField::OwnerEmail) {
        super::members::user_ids_by_email(&*tx, tx.tenant_id()).await?
    } else {
        HashMap::new()
    };

    let mut run = Run {
        tx: &tx,
        match_by,
        known: HashMap::new(),
        holders: HashMap::new(),
        report: ImportReport::default(),
    };
    let mut row_number = 0u64;
    let mut finished = false;
    while !finished {
        let mut batch: Vec<(u64, RowValues)> = Vec::with_capacity(BATCH_ROWS);
        while batch.len() < BATCH_ROWS {
            let record = match reader.next() {
                None => {
                    finished = true;
                    break;
                }
                Some(record) => record,
            };
            row_number += 1;
            run.report.rows_read += 1;
            let record = match record {
                Ok(record) => record,
                Err(e) => {
                    // The rest of the file cannot be read reliably.
                    run.fail(
                        row_number,
                        None,
                        format!("{e}; the rest of the file was not read"),
                    );
                    finished = true;
                    break;
                }
            };
            if record.len() != header.len() {
                run.fail(
                    row_number,
                    None,
                    format!(
                        "has {} values but the header has {} columns",
                        record.len(),
                        header.len()
                    ),
                );
                continue;
            }
            match parse_row(&record, &columns, &owners) {
                Ok(values) => batch.push((row_number, values)),
                Err(err) => run.fail_with(row_number, err),
            }
        }
        run.apply(batch).await?;
    }

    let mut report = run.report;
    report.errors.sort_by_key(|e| e.row);
    let keep =
        !options.dry_run && (options.mode == ImportMode::SkipInvalid || report.errors.is_empty());
    if options.mode == ImportMode::AllOrNothing && !report.errors.is_empty() {
        report.created = 0;
        report.updated = 0;
        report.unchanged = 0;
        report.skipped = report.rows_read;
    }
    if keep {
        tx.commit().await?;
        report.committed = true;
    }
    // Otherwise dropping the transaction rolls every write back.
    Ok(report)
}

/// The state of one import.
struct Run<'a> {
    tx: &'a TenantTx,
    match_by: MatchBy,
    /// Customers by lookup key, including those written by earlier rows.
    known: HashMap<String, Vec<customer::Model>>,
    /// External ids looked up so far, and the customer holding each (any,
    /// deleted or hidden too), so a taken id is a row error, not a failed
    /// statement.
    holders: HashMap<String, Option<Uuid>>,
    report: ImportReport,
}

/// The write a row asks for, once checked against what is known.
enum Planned {
    Create(NewCustomer),
    Update {
        current: Box<customer::Model>,
        changes: CustomerChanges,
    },
}

/// Rows whose writes go to the database together ([`Run::write`]). Its rows
/// touch distinct customers and external ids, so they are planned against
/// the same known state and their order within the chunk does not matter.
#[derive(Default)]
struct Chunk {
    rows: Vec<(u64, Option<String>, Planned)>,
    /// The lookup keys and external ids (old and new) its rows touch.
    claimed: HashSet<String>,
}

impl Run<'_> {
    fn fail(&mut self, row: u64, field: Option<&str>, message: String) {
        self.report.skipped += 1;
        self.report.errors.push(RowError {
            row,
            field: field.map(str::to_owned),
            message,
        });
    }

    fn fail_with(&mut self, row: u64, err: Error) {
        let (field, message) = row_error(err);
        self.fail(row, field.as_deref(), message);
    }

    fn key_of(&self, values: &RowValues) -> Option<String> {
        match self.match_by {
            MatchBy::ExternalId => values.external_id.clone(),
            MatchBy::Email => values.email.as_ref().map(|e| e.to_lowercase()),
            MatchBy::None => None,
        }
    }

    /// Looks up the batch's keys and external ids (one query each), plans
    /// each row against what is known and writes the plans in chunks. A
    /// row that touches a customer or external id an earlier row of the
    /// chunk touches closes the chunk first, so it is planned against that
    /// row's outcome, as if the rows were written one by one.
    async fn apply(&mut self, batch: Vec<(u64, RowValues)>) -> Result<()> {
        self.look_up(&batch).await?;
        let mut chunk = Chunk::default();
        for (row, values) in batch {
            let key = self.key_of(&values);
            let mut claims = self.claims(key.as_deref(), &values);
            if claims.iter().any(|c| chunk.claimed.contains(c)) {
                self.write(std::mem::take(&mut chunk)).await?;
                // The customer matched may be one the chunk just wrote.
                claims = self.claims(key.as_deref(), &values);
            }
            if let Some(planned) = self.plan(row, key.as_deref(), values) {
                chunk.claimed.extend(claims);
                chunk.rows.push((row, key, planned));
            }
        }
        self.write(chunk).await
    }

    /// What a row may touch: its lookup key, and the external ids of the
    /// customers it matches and of its own.
    fn claims(&self, key: Option<&str>, values: &RowValues) -> Vec<String> {
        let mut claims: Vec<String> = Vec::new();
        if let Some(key) = key {
            claims.push(format!("key:{key}"));
            for current in self.known.get(key).into_iter().flatten() {
                claims.extend(
                    current
                        .external_id
                        .iter()
                        .map(|x| format!("externalId:{x}")),
                );
            }
        }
        claims.extend(values.external_id.iter().map(|x| format!("externalId:{x}")));
        claims
    }

    async fn look_up(&mut self, batch: &[(u64, RowValues)]) -> Result<()> {
        let missing: Vec<String> = batch
            .iter()
            .filter_map(|(_, v)| self.key_of(v))
            .filter(|k| !self.known.contains_key(k))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            let found = match self.match_by {
                MatchBy::ExternalId => customers::find_by_external_ids(self.tx, &missing).await?,
                MatchBy::Email => customers::find_by_emails(self.tx, &missing).await?,
                MatchBy::None => Vec::new(),
            };
            for key in missing {
                self.known.entry(key).or_default();
            }
            for model in found {
                let key = match self.match_by {
                    MatchBy::ExternalId => model.external_id.clone(),
                    _ => model.email.as_ref().map(|e| e.to_lowercase()),
                };
                if let Some(key) = key {
                    self.known.entry(key).or_default().push(model);
                }
            }
        }
        let unchecked: Vec<String> = batch
            .iter()
            .filter_map(|(_, v)| v.external_id.clone())
            .filter(|id| !self.holders.contains_key(id))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if !unchecked.is_empty() {
            let held = customers::external_id_holders(self.tx, &unchecked).await?;
            for id in unchecked {
                self.holders.entry(id).or_insert(None);
            }
            for (external_id, customer_id) in held {
                self.holders.insert(external_id, Some(customer_id));
            }
        }
        Ok(())
    }

    /// Checks one row against what is known: its problems are reported and
    /// an unchanged row counted here; otherwise the write it asks for.
    fn plan(&mut self, row: u64, key: Option<&str>, values: RowValues) -> Option<Planned> {
        let existing = match key.and_then(|k| self.known.get(k)) {
            Some(matches) if matches.len() > 1 => {
                self.fail(
                    row,
                    Some("email"),
                    format!(
                        "{} customers have this email; match by externalId instead",
                        matches.len()
                    ),
                );
                return None;
            }
            Some(matches) => matches.first().cloned(),
            None => None,
        };
        let target = existing.as_ref().map(|c| c.id);
        let wanted_external_id = match &existing {
            Some(current) => values
                .external_id
                .clone()
                .filter(|x| current.external_id.as_ref() != Some(x)),
            None => values.external_id.clone(),
        };
        if let Some(x) = &wanted_external_id {
            if let Some(Some(holder)) = self.holders.get(x) {
                if Some(*holder) != target {
                    self.fail(
                        row,
                        Some("externalId"),
                        "another customer already has this externalId".into(),
                    );
                    return None;
                }
            }
        }
        match existing {
            Some(current) => {
                let changes = changes_from(&current, values);
                if changes.is_empty() {
                    self.report.unchanged += 1;
                    return None;
                }
                Some(Planned::Update {
                    current: Box::new(current),
                    changes,
                })
            }
            None => match new_from(values) {
                Ok(new) => Some(Planned::Create(new)),
                Err(err) => {
                    self.fail_with(row, err);
                    None
                }
            },
        }
    }

    /// Writes a chunk's plans in bulk (one insert and one update, with their
    /// history) under a savepoint. Should the database refuse a statement
    /// (a concurrent write, such as an owner removed meanwhile), the chunk
    /// is rolled back to the savepoint and written row by row through the
    /// single writes, each under its own savepoint, so only the refused rows
    /// are reported.
    async fn write(&mut self, chunk: Chunk) -> Result<()> {
        if chunk.rows.is_empty() {
            return Ok(());
        }
        let mut creates = Vec::new();
        let mut updates = Vec::new();
        for (i, (_, _, planned)) in chunk.rows.iter().enumerate() {
            match planned {
                Planned::Create(new) => creates.push((i, new.clone())),
                Planned::Update { current, changes } => {
                    updates.push((i, (current.id, current.version, changes.clone())))
                }
            }
        }
        self.tx.execute_unprepared("SAVEPOINT import_chunk").await?;
        let bulk = async {
            let created = customer_bulk::create(
                self.tx,
                creates.iter().map(|(_, new)| new.clone()).collect(),
            )
            .await?;
            let updated = customer_bulk::update(
                self.tx,
                updates.iter().map(|(_, item)| item.clone()).collect(),
            )
            .await?;
            Ok::<_, Error>((created, updated))
        }
        .await;
        let mut outcomes: Vec<Option<Outcome>> = chunk.rows.iter().map(|_| None).collect();
        match bulk {
            Ok((created, updated)) => {
                self.tx
                    .execute_unprepared("RELEASE SAVEPOINT import_chunk")
                    .await?;
                let written = creates
                    .iter()
                    .map(|(i, _)| *i)
                    .zip(created)
                    .chain(updates.iter().map(|(i, _)| *i).zip(updated));
                for (i, outcome) in written {
                    outcomes[i] = Some(outcome);
                }
            }
            Err(Error::Internal(err)) => return Err(Error::Internal(err)),
            Err(_) => {
                self.tx
                    .execute_unprepared("ROLLBACK TO SAVEPOINT import_chunk")
                    .await?;
                for (i, (_, _, planned)) in chunk.rows.iter().enumerate() {
                    outcomes[i] = Some(self.write_one(planned).await?);
                }
            }
        }
        for ((row, key, planned), outcome) in chunk.rows.into_iter().zip(outcomes) {
            let Some(outcome) = outcome else { continue };
            let model = match outcome {
                Ok(model) => model,
                Err(err) => {
                    self.fail_with(row, err);
                    continue;
                }
            };
            match planned {
                Planned::Create(_) => self.report.created += 1,
                Planned::Update { current, .. } => {
                    self.report.updated += 1;
                    if let Some(previous) = current
                        .external_id
                        .filter(|p| model.external_id.as_ref() != Some(p))
                    {
                        self.holders.insert(previous, None);
                    }
                }
            }
            if let Some(x) = &model.external_id {
                self.holders.insert(x.clone(), Some(model.id));
            }
            if let Some(key) = key {
                self.known.insert(key, vec![model]);
            }
        }
        Ok(())
    }

    /// One plan through the single write, under its own savepoint; a row
    /// the database refuses is its outcome, the transaction stays usable.
    async fn write_one(&self, planned: &Planned) -> Result<Outcome> {
        self.tx.execute_unprepared("SAVEPOINT import_row").await?;
        let written = match planned {
            Planned::Create(new) => customers::create(self.tx, new.clone()).await,
            Planned::Update { current, changes } => {
                customers::update(self.tx, current.id, current.version, changes.clone()).await
            }
        };
        match written {
            Ok(model) => {
                self.tx
                    .execute_unprepared("RELEASE SAVEPOINT import_row")
                    .await?;
                Ok(Ok(model))
            }
            Err(Error::Internal(err)) => Err(Error::Internal(err)),
            Err(err) => {
                self.tx
                    .execute_unprepared("ROLLBACK TO SAVEPOINT import_row")
                    .await?;
                Ok(Err(err))
            }
        }
    }
}

/// The report's field and message for a row's error.
fn row_error(err: Error) -> (Option<String>, String) {
    match err {
        Error::Validation { field, message } => (Some(field), message),
        Error::Conflict { message, field } => (field, message),
        Error::NotFound(what) => (
            None,
            format!("the matching {what} was deleted or changed hands meanwhile"),
        ),
        other => (None, other.message()),
    }
}

/// Which column fills which field, validated against the header.
fn resolve_columns(
    header: &[String],
    mapping: Option<&[(String, ImportField)]>,
) -> Result<Vec<(usize, ImportField)>> {
    let mut columns: Vec<(usize, ImportField)> = Vec::new();
    match mapping {
        Some(mapping) => {
            for (column, field) in mapping {
                let wanted = column.trim();
                let index = header
                    .iter()
                    .position(|h| h.trim() == wanted)
                    .or_else(|| {
                        header
                            .iter()
                            .position(|h| h.trim().to_lowercase() == wanted.to_lowercase())
                    })
                    .ok_or_else(|| {
                        Error::validation("mapping", format!("the file has no column `{wanted}`"))
                    })?;
                if columns.iter().any(|(_, f)| f == field) {
                    return Err(Error::validation(
                        "mapping",
                        format!("`{}` is mapped from two columns", field.api_name()),
                    ));
                }
                columns.push((index, *field));
            }
        }
        None => {
            for (index, name) in header.iter().enumerate() {
                if let Some(field) = ImportField::from_header(name) {
                    if !columns.iter().any(|(_, f)| *f == field) {
                        columns.push((index, field));
                    }
                }
            }
        }
    }
    if columns.is_empty() {
        return Err(Error::validation(
            "mapping",
            "no column maps to a customer field; name the columns after the fields or give a mapping",
        ));
    }
    Ok(columns)
}

/// Validates one record's mapped cells.
fn parse_row(
    record: &[String],
    columns: &[(usize, ImportField)],
    owners: &HashMap<String, Uuid>,
) -> Result<RowValues> {
    let mut values = RowValues::default();
    for &(index, field) in columns {
        let cell = record[index].trim();
        if cell.is_empty() {
            continue;
        }
        match field {
            ImportField::Name => values.name = Some(rules::name(cell)?),
            ImportField::Kind => values.kind = Some(parse_kind(cell)?),
            ImportField::Email => values.email = rules::email(cell)?,
            ImportField::Phone => values.phone = rules::phone(cell)?,
            ImportField::Website => values.website = rules::website(cell)?,
            ImportField::Industry => values.industry = rules::short_text("industry", cell)?,
            ImportField::Region => values.region = rules::short_text("region", cell)?,
            ImportField::ExternalId => values.external_id = rules::short_text("externalId", cell)?,
            ImportField::LifecycleStage => values.lifecycle_stage = Some(parse_stage(cell)?),
            ImportField::Tags => {
                let raw: Vec<String> = cell
                    .split(TAG_SEPARATOR)
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                values.tags = Some(rules::tags(&raw)?);
            }
            ImportField::OwnerEmail => {
                let id = owners.get(&cell.to_lowercase()).ok_or_else(|| {
                    Error::validation(
                        "ownerEmail",
                        format!("`{cell}` is not a member of this workspace"),
                    )
                })?;
                values.owner_id = Some(*id);
            }
        }
    }
    Ok(values)
}

fn parse_kind(cell: &str) -> Result<CustomerKind> {
    match cell.to_ascii_uppercase().as_str() {
        "COMPANY" => Ok(CustomerKind::Company),
        "PERSON" => Ok(CustomerKind::Person),
        _ => Err(Error::validation(
            "kind",
            format!("`{cell}` is not COMPANY or PERSON"),
        )),
    }
}

fn parse_stage(cell: &str) -> Result<LifecycleStage> {
    LifecycleStage::parse(&cell.to_ascii_uppercase()).map_err(|_| {
        Error::validation(
            "lifecycleStage",
            format!(
                "`{cell}` is not one of SUBSCRIBER, LEAD, PROSPECT, OPPORTUNITY, CUSTOMER, EVANGELIST, CHURNED, OTHER"
            ),
        )
    })
}

/// A new customer from a row; blank kind is a company, blank stage a lead.
fn new_from(values: RowValues) -> Result<NewCustomer> {
    Ok(NewCustomer {
        kind: values.kind.unwrap_or(CustomerKind::Company),
        name: values
            .name
            .ok_or_else(|| Error::validation("name", "is required for a new customer"))?,
        email: values.email,
        phone: values.phone,
        website: values.website,
        industry: values.industry,
        region: values.region,
        external_id: values.external_id,
        lifecycle_stage: values.lifecycle_stage.unwrap_or(LifecycleStage::Lead),
        owner_id: values.owner_id,
        tags: values.tags.unwrap_or_default(),
        custom_fields: serde_json::json!({}),
    })
}

/// The changes a row makes to `current`: only given values that differ.
fn changes_from(current: &customer::Model, values: RowValues) -> CustomerChanges {
    fn differs(new: Option<String>, old: &Option<String>) -> Option<Option<String>> {
        new.filter(|n| old.as_ref() != Some(n)).map(Some)
    }
    CustomerChanges {
        kind: values.kind.filter(|k| k.as_str() != current.kind),
        name: values.name.filter(|n| *n != current.name),
        email: differs(values.email, &current.email),
        phone: differs(values.phone, &current.phone),
        website: differs(values.website, &current.website),
        industry: differs(values.industry, &current.industry),
        region: differs(values.region, &current.region),
        external_id: differs(values.external_id, &current.external_id),
        lifecycle_stage: values
            .lifecycle_stage
            .filter(|s| s.as_str() != current.lifecycle_stage),
        owner_id: values
            .owner_id
            .filter(|o| current.owner_id != Some(*o))
            .map(Some),
        tags: values.tags.filter(|t| *t != current.tags),
        custom_fields: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn headers_match_fields_by_name_without_a_mapping() {
        let columns = resolve_columns(
            &header(&["External ID", "NAME", "notes", "owner_email", "Tags"]),
            None,
        )
        .unwrap();
        assert_eq!(
            columns,
            vec![
                (0, ImportField::ExternalId),
                (1, ImportField::Name),
                (3, ImportField::OwnerEmail),
                (4, ImportField::Tags)
            ]
        );
    }

    #[test]
    fn a_mapping_names_existing_columns_once() {
        let h = header(&["Company", "Mail"]);
        let ok = resolve_columns(
            &h,
            Some(&[
                ("company".into(), ImportField::Name),
                ("Mail".into(), ImportField::Email),
            ]),
        )
        .unwrap();
        assert_eq!(ok, vec![(0, ImportField::Name), (1, ImportField::Email)]);
        let missing = resolve_columns(&h, Some(&[("Phone".into(), ImportField::Phone)]));
        assert!(matches!(missing, Err(Error::Validation { field, .. }) if field == "mapping"));
        let twice = resolve_columns(
            &h,
            Some(&[
                ("Company".into(), ImportField::Name),
                ("Mail".into(), ImportField::Name),
            ]),
        );
        assert!(twice.is_err());
    }

    #[test]
    fn rows_use_the_customer_rules() {
        let columns = vec![
            (0, ImportField::Name),
            (1, ImportField::Email),
            (2, ImportField::Tags),
            (3, ImportField::LifecycleStage),
        ];
        let owners = HashMap::new();
        let row = |cells: &[&str]| parse_row(&header(cells), &columns, &owners);
        let ok = row(&["Acme", "", " vip ; b2b;vip; ", "customer"]).unwrap();
        assert_eq!(ok.name.as_deref(), Some("Acme"));
        assert_eq!(ok.email, None);
        assert_eq!(ok.tags, Some(vec!["vip".to_owned(), "b2b".to_owned()]));
        assert_eq!(ok.lifecycle_stage, Some(LifecycleStage::Customer));
        let bad = row(&["Acme", "not-an-email", "", ""]).unwrap_err();
        assert!(matches!(bad, Error::Validation { field, .. } if field == "email"));
        let bad = row(&["Acme", "", "", "someday"]).unwrap_err();
        assert!(matches!(bad, Error::Validation { field, .. } if field == "lifecycleStage"));
    }

    #[test]
    fn a_new_customer_needs_a_name_and_defaults_kind_and_stage() {
        let err = new_from(RowValues::default()).unwrap_err();
        assert!(matches!(err, Error::Validation { field, .. } if field == "name"));
        let new = new_from(RowValues {
            name: Some("Acme".into()),
            ..RowValues::default()
        })
        .unwrap();
        assert_eq!(new.kind, CustomerKind::Company);
        assert_eq!(new.lifecycle_stage, LifecycleStage::Lead);
    }
}
