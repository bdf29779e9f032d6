//! Customer import from CSV: every row is validated with the same field
//! rules as `createCustomer`/`updateCustomer` ([`customers::rules`], the
//! email and phone lists of [`PointList::parse`], the address rules of
//! [`postal_address`]), matched to an existing customer (by external id,
//! email, phone, or email else phone) or created, and written in bulk
//! through [`customer_bulk`], which applies the rules, field history and
//! cache invalidation of the single writes.
//!
//! The whole file is one transaction, read in batches of [`BATCH_ROWS`]
//! (one lookup query per batch and kind of key). Taken external ids are
//! found before writing, so bad rows never abort the transaction. Each batch
//! is written with one insert and one update statement (plus their history)
//! under one savepoint; should the database still refuse a statement (a
//! concurrent write), the batch is rolled back to it and written row by
//! row, so only the refused rows are reported. A dry run, and an
//! all-or-nothing import with a bad row, roll the transaction back.

use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use entity::customer;

use super::contact_points::{Point, PointKind, PointLabel, PointList, RawPoint, MAX_POINTS};
use super::customer_bulk::{self, Outcome};
use super::customers::{
    self, rules, AcquisitionChannel, CustomerChanges, CustomerDetailChanges, CustomerDetails,
    CustomerKind, LifecycleStage, NewCustomer,
};
use super::postal_address::{self, PostalAddress};
use super::values;
use crate::csv::{unguard_formula, Reader};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Rows read, looked up and written per batch.
pub const BATCH_ROWS: usize = 5000;
/// Most data rows in one file by default (`CRM_CUSTOMER_IMPORT_MAX_ROWS`),
/// as for order imports.
pub const MAX_ROWS: usize = 100_000;
/// Most row problems a report lists (the first ones, by row); the report
/// counts them all. Shared with order imports.
pub const MAX_REPORTED_ERRORS: usize = 1_000;
/// Separates the values of a list cell (tags, other emails and phones,
/// street lines) that has no line break; a cell with line breaks holds one
/// value per line, so values may contain the separator ([`list_cell`]).
pub const LIST_SEPARATOR: char = ';';

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
    /// Tags separated by [`LIST_SEPARATOR`].
    Tags,
    /// The owner, given by a member's email address.
    OwnerEmail,
    /// The emails besides `email`, separated by [`LIST_SEPARATOR`].
    OtherEmails,
    /// The phones besides `phone`, separated by [`LIST_SEPARATOR`].
    OtherPhones,
    /// The address's street lines, separated by [`LIST_SEPARATOR`] or line breaks.
    Street,
    City,
    StateProvince,
    PostalCode,
    /// An ISO 3166-1 alpha-2 code.
    Country,
    AcquisitionSource,
    /// An [`AcquisitionChannel`] by name.
    AcquisitionChannel,
    /// A team of the workspace, by name, or by path where names repeat
    /// ([`super::org_units::team_paths`]).
    Team,
}

impl ImportField {
    /// Every field, in the column order of an export (fields added later
    /// come last, so older exports keep their column positions).
    pub const ALL: [ImportField; 21] = [
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
        ImportField::OtherEmails,
        ImportField::OtherPhones,
        ImportField::Street,
        ImportField::City,
        ImportField::StateProvince,
        ImportField::PostalCode,
        ImportField::Country,
        ImportField::AcquisitionSource,
        ImportField::AcquisitionChannel,
        ImportField::Team,
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
            ImportField::OtherEmails => "otherEmails",
            ImportField::OtherPhones => "otherPhones",
            ImportField::Street => "street",
            ImportField::City => "city",
            ImportField::StateProvince => "stateProvince",
            ImportField::PostalCode => "postalCode",
            ImportField::Country => "country",
            ImportField::AcquisitionSource => "acquisitionSource",
            ImportField::AcquisitionChannel => "acquisitionChannel",
            ImportField::Team => "team",
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
    /// The customer with the row's email among its emails (ignoring case);
    /// several such customers make the row ambiguous.
    Email,
    /// The customer with the row's phone among its phones (compared by
    /// digits, however written); several make the row ambiguous.
    Phone,
    /// By email when a customer has the row's email, else by phone; an
    /// email and a phone of two different customers make the row a bad one.
    EmailOrPhone,
    /// Every row creates a customer.
    None,
}

/// A value customers are matched on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Key {
    ExternalId(String),
    /// In lower case.
    Email(String),
    /// Its digits.
    Phone(String),
}

impl Key {
    fn email(value: &str) -> Key {
        Key::Email(PointKind::Email.key(value))
    }

    fn phone(value: &str) -> Key {
        Key::Phone(PointKind::Phone.key(value))
    }
}

impl MatchBy {
    fn by_email(self) -> bool {
        matches!(self, MatchBy::Email | MatchBy::EmailOrPhone)
    }

    fn by_phone(self) -> bool {
        matches!(self, MatchBy::Phone | MatchBy::EmailOrPhone)
    }

    /// The keys a row is matched by, the preferred first.
    fn row_keys(self, values: &RowValues) -> Vec<Key> {
        let mut keys = Vec::new();
        if self == MatchBy::ExternalId {
            keys.extend(values.external_id.iter().cloned().map(Key::ExternalId));
        }
        if self.by_email() {
            keys.extend(values.email.as_deref().map(Key::email));
        }
        if self.by_phone() {
            keys.extend(values.phone.as_deref().map(Key::phone));
        }
        keys
    }

    /// The keys a row gives the customer it writes: its own, and its
    /// other emails or phones when those are matched on.
    fn given_keys(self, values: &RowValues) -> Vec<Key> {
        let mut keys = self.row_keys(values);
        if self.by_email() {
            keys.extend(values.other_emails.iter().flatten().map(|e| Key::email(e)));
        }
        if self.by_phone() {
            keys.extend(values.other_phones.iter().flatten().map(|p| Key::phone(p)));
        }
        keys
    }

    /// The keys a customer is found by.
    fn customer_keys(self, customer: &customer::Model) -> Vec<Key> {
        let mut keys = Vec::new();
        if self == MatchBy::ExternalId {
            keys.extend(customer.external_id.iter().cloned().map(Key::ExternalId));
        }
        if self.by_email() {
            let emails = customers::emails_of(customer);
            keys.extend(emails.0.iter().map(|p| Key::email(&p.value)));
        }
        if self.by_phone() {
            let phones = customers::phones_of(customer);
            keys.extend(phones.0.iter().map(|p| Key::phone(&p.value)));
        }
        keys
    }

    /// Refuses a rule the file has no column for.
    fn check_columns(self, has: impl Fn(ImportField) -> bool) -> Result<()> {
        let key = match self {
            MatchBy::ExternalId => ImportField::ExternalId,
            MatchBy::Email => ImportField::Email,
            MatchBy::Phone => ImportField::Phone,
            MatchBy::EmailOrPhone if has(ImportField::Email) || has(ImportField::Phone) => {
                return Ok(())
            }
            MatchBy::EmailOrPhone => {
                return Err(Error::validation(
                    "matchBy",
                    "no column is mapped to `email` or `phone`",
                ))
            }
            MatchBy::None => return Ok(()),
        };
        if has(key) {
            Ok(())
        } else {
            Err(Error::validation(
                "matchBy",
                format!("no column is mapped to `{}`", key.api_name()),
            ))
        }
    }
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
    /// Most data rows the file may hold ([`MAX_ROWS`] unless configured).
    pub max_rows: usize,
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
    /// The first [`MAX_REPORTED_ERRORS`] bad rows, by row.
    pub errors: Vec<RowError>,
    /// Every bad row, listed or not.
    pub error_count: u64,
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
    /// The emails besides the primary one, in order.
    other_emails: Option<Vec<String>>,
    /// The phones besides the primary one, in order.
    other_phones: Option<Vec<String>>,
    address: AddressParts,
    acquisition_source: Option<String>,
    acquisition_channel: Option<AcquisitionChannel>,
    team_id: Option<Uuid>,
}

/// The address parts a row gives; each replaces only its own part.
#[derive(Clone, Debug, Default)]
struct AddressParts {
    street_lines: Option<Vec<String>>,
    city: Option<String>,
    state_province: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
}

impl AddressParts {
    /// `address` with the given parts replaced.
    fn over(self, mut address: PostalAddress) -> PostalAddress {
        if let Some(lines) = self.street_lines {
            address.street_lines = lines;
        }
        let parts = [
            (self.city, &mut address.city),
            (self.state_province, &mut address.state_province),
            (self.postal_code, &mut address.postal_code),
            (self.country, &mut address.country),
        ];
        for (given, part) in parts {
            if given.is_some() {
                *part = given;
            }
        }
        address
    }
}

/// What cells name by text and the import resolves to ids: members by
/// email (lower case), teams by name (lower case; names are unique only
/// under one parent team).
#[derive(Default)]
struct Names {
    owners: HashMap<String, Uuid>,
    teams: HashMap<String, Vec<Uuid>>,
}

/// Imports the CSV `data` in `tx`, then commits or rolls back as the
/// options say. File-level problems (not UTF-8, no header, a bad mapping)
/// are `VALIDATION` errors; row problems are in the report.
pub async fn import(tx: TenantTx, data: &[u8], options: &ImportOptions) -> Result<ImportReport> {
    let mut reader =
        Reader::from_bytes(data).map_err(|e| Error::validation("file", e.to_string()))?;
    check_row_count(reader.clone(), options.max_rows)?;
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
    match_by.check_columns(has)?;
    let names = Names {
        owners: if has(ImportField::OwnerEmail) {
            super::members::user_ids_by_email(&*tx, tx.tenant_id()).await?
        } else {
            HashMap::new()
        },
        teams: if has(ImportField::Team) {
            teams_by_name(&tx).await?
        } else {
            HashMap::new()
        },
    };

    let mut run = Run {
        tx: &tx,
        match_by,
        known: HashMap::new(),
        customers: HashMap::new(),
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
            let mut record = match record {
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
            // The export quotes cells that spreadsheets would run as formulas.
            for cell in &mut record {
                if unguard_formula(cell).len() < cell.len() {
                    cell.remove(0);
                }
            }
            match parse_row(&record, &columns, &names) {
                Ok(values) => batch.push((row_number, values)),
                Err(err) => run.fail_with(row_number, err),
            }
        }
        run.apply(batch).await?;
    }

    let mut report = run.report;
    report.errors.sort_by_key(|e| e.row);
    report.error_count = report.errors.len() as u64;
    report.errors.truncate(MAX_REPORTED_ERRORS);
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

/// Refuses a file with more than `max_rows` data rows before anything is
/// written (records are counted, so quoted line breaks do not count).
fn check_row_count(reader: Reader<'_>, max_rows: usize) -> Result<()> {
    // The header is one record more; a malformed record ends the count and
    // is reported by the import itself.
    let records = reader.take_while(Result::is_ok).take(max_rows + 2).count();
    if records > max_rows + 1 {
        return Err(Error::validation(
            "file",
            format!("at most {max_rows} rows per file; split the file and import the parts one after another"),
        ));
    }
    Ok(())
}

/// Team ids by lower-case name and by lower-case path
/// ([`super::org_units::team_paths`]).
async fn teams_by_name(tx: &TenantTx) -> Result<HashMap<String, Vec<Uuid>>> {
    let all = super::org_units::teams(tx).await?;
    let paths = super::org_units::team_paths(&all);
    let mut teams: HashMap<String, Vec<Uuid>> = HashMap::new();
    for team in &all {
        let path = paths[&team.id].to_lowercase();
        let name = team.name.to_lowercase();
        if path != name {
            teams.entry(path).or_default().push(team.id);
        }
        teams.entry(name).or_default().push(team.id);
    }
    Ok(teams)
}

/// The state of one import.
struct Run<'a> {
    tx: &'a TenantTx,
    match_by: MatchBy,
    /// The customers holding each lookup key looked up so far, kept as if
    /// looked up again after every write of earlier rows.
    known: HashMap<Key, Vec<Uuid>>,
    /// The customers in `known`, as last read or written.
    customers: HashMap<Uuid, customer::Model>,
    /// External ids looked up so far, and the customer holding each (any,
    /// deleted or hidden too), so a taken id is a row error, not a failed
    /// statement.
    holders: HashMap<String, Option<Uuid>>,
    report: ImportReport,
}

/// The write a row asks for, once checked against what is known.
enum Planned {
    Create(NewCustomer, CustomerDetails),
    Update {
        current: Box<customer::Model>,
        changes: CustomerChanges,
        details: CustomerDetailChanges,
    },
}

/// What a row may read or change, which no other row of its chunk may.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Claim {
    /// A lookup key the row matches on or gives a customer.
    Key(Key),
    /// A customer the row may change.
    Customer(Uuid),
    /// An external id the row holds, takes or may free.
    ExternalId(String),
}

/// Rows whose writes go to the database together ([`Run::write`]). Its rows
/// touch distinct customers, lookup keys and external ids, so they are
/// planned against the same known state and their order within the chunk
/// does not matter.
#[derive(Default)]
struct Chunk {
    rows: Vec<(u64, Planned)>,
    /// What its rows claim.
    claimed: HashSet<Claim>,
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

    /// Looks up the batch's keys and external ids (one query each), plans
    /// each row against what is known and writes the plans in chunks. A
    /// row that claims what an earlier row of the chunk claims closes the
    /// chunk first, so it is planned against that row's outcome, as if the
    /// rows were written one by one.
    async fn apply(&mut self, batch: Vec<(u64, RowValues)>) -> Result<()> {
        self.look_up(&batch).await?;
        let mut chunk = Chunk::default();
        for (row, values) in batch {
            let mut claims = self.claims(&values);
            if claims.iter().any(|c| chunk.claimed.contains(c)) {
                self.write(std::mem::take(&mut chunk)).await?;
                // The customer matched may be one the chunk just wrote.
                claims = self.claims(&values);
            }
            if let Some(planned) = self.plan(row, values) {
                chunk.claimed.extend(claims);
                chunk.rows.push((row, planned));
            }
        }
        self.write(chunk).await
    }

    /// What a row may touch: the keys it matches on or gives, the customers
    /// its keys match with their external ids, and its own external id.
    fn claims(&self, values: &RowValues) -> HashSet<Claim> {
        let mut claims = HashSet::new();
        for key in self.match_by.row_keys(values) {
            for id in self.known.get(&key).into_iter().flatten() {
                claims.insert(Claim::Customer(*id));
                let external_id = self.customers.get(id).and_then(|c| c.external_id.clone());
                claims.extend(external_id.map(Claim::ExternalId));
            }
        }
        claims.extend(self.match_by.given_keys(values).into_iter().map(Claim::Key));
        claims.extend(values.external_id.iter().cloned().map(Claim::ExternalId));
        claims
    }

    async fn look_up(&mut self, batch: &[(u64, RowValues)]) -> Result<()> {
        let missing: BTreeSet<Key> = batch
            .iter()
            .flat_map(|(_, v)| self.match_by.row_keys(v))
            .filter(|k| !self.known.contains_key(k))
            .collect();
        if !missing.is_empty() {
            let found = self.find(&missing).await?;
            for key in &missing {
                self.known.insert(key.clone(), Vec::new());
            }
            for model in found {
                self.index_found(&missing, model);
            }
        }
        let unchecked: Vec<String> = batch
            .iter()
            .filter_map(|(_, v)| v.external_id.clone())
            .filter(|id| !self.holders.contains_key(id))
            .collect::<BTreeSet<_>>()
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

    /// The customers holding any of `keys` (one query per kind of key).
    async fn find(&self, keys: &BTreeSet<Key>) -> Result<Vec<customer::Model>> {
        let (mut external_ids, mut emails, mut phones) = (Vec::new(), Vec::new(), Vec::new());
        for key in keys {
            match key {
                Key::ExternalId(x) => external_ids.push(x.clone()),
                Key::Email(e) => emails.push(e.clone()),
                Key::Phone(p) => phones.push(p.clone()),
            }
        }
        let mut found = Vec::new();
        if !external_ids.is_empty() {
            found.extend(customers::find_by_external_ids(self.tx, &external_ids).await?);
        }
        if !emails.is_empty() {
            found.extend(customers::find_by_emails(self.tx, &emails).await?);
        }
        if !phones.is_empty() {
            found.extend(customers::find_by_phones(self.tx, &phones).await?);
        }
        Ok(found)
    }

    /// Records which of the looked-up `keys` a customer found holds.
    fn index_found(&mut self, keys: &BTreeSet<Key>, model: customer::Model) {
        for key in self.match_by.customer_keys(&model) {
            if keys.contains(&key) {
                let ids = self.known.entry(key).or_default();
                if !ids.contains(&model.id) {
                    ids.push(model.id);
                }
            }
        }
        self.customers.insert(model.id, model);
    }

    /// Keeps `known` as if looked up again after a write: the customer
    /// leaves the keys it no longer holds and joins the looked-up keys it
    /// now holds (keys not looked up yet will be, from the database).
    fn remember(&mut self, before: Option<&customer::Model>, after: customer::Model) {
        let now = self.match_by.customer_keys(&after);
        for key in before
            .map(|b| self.match_by.customer_keys(b))
            .unwrap_or_default()
        {
            if !now.contains(&key) {
                if let Some(ids) = self.known.get_mut(&key) {
                    ids.retain(|id| *id != after.id);
                }
            }
        }
        for key in now {
            if let Some(ids) = self.known.get_mut(&key) {
                if !ids.contains(&after.id) {
                    ids.push(after.id);
                }
            }
        }
        self.customers.insert(after.id, after);
    }

    /// The customer a row with `keys` updates (`None`: it creates one), or
    /// why it cannot tell: its field and message.
    fn matched(&self, keys: &[Key]) -> std::result::Result<Option<Uuid>, (&'static str, String)> {
        let mut chosen: Option<Uuid> = None;
        for key in keys {
            let ids = self.known.get(key).map_or(&[][..], Vec::as_slice);
            match (chosen, ids) {
                (None, []) => {}
                (None, [id]) => chosen = Some(*id),
                (None, _) => return Err(ambiguous(key, ids.len())),
                (Some(id), _) if ids.is_empty() || ids.contains(&id) => {}
                (Some(_), _) => {
                    return Err((
                        "email",
                        "the email and the phone belong to two different customers; match by externalId instead"
                            .into(),
                    ))
                }
            }
        }
        Ok(chosen)
    }

    /// Checks one row against what is known: its problems are reported and
    /// an unchanged row counted here; otherwise the write it asks for.
    fn plan(&mut self, row: u64, values: RowValues) -> Option<Planned> {
        let existing = match self.matched(&self.match_by.row_keys(&values)) {
            Ok(id) => id.and_then(|id| self.customers.get(&id).cloned()),
            Err((field, message)) => {
                self.fail(row, Some(field), message);
                return None;
            }
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
                let (changes, details) = changes_from(&current, values);
                if changes.is_empty() && details.is_empty() {
                    self.report.unchanged += 1;
                    return None;
                }
                Some(Planned::Update {
                    current: Box::new(current),
                    changes,
                    details,
                })
            }
            None => match new_from(values) {
                Ok((new, details)) => Some(Planned::Create(new, details)),
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
        for (i, (_, planned)) in chunk.rows.iter().enumerate() {
            match planned {
                Planned::Create(new, details) => creates.push((i, (new.clone(), details.clone()))),
                Planned::Update {
                    current,
                    changes,
                    details,
                } => updates.push((
                    i,
                    (
                        current.id,
                        current.version,
                        changes.clone(),
                        details.clone(),
                    ),
                )),
            }
        }
        self.tx.execute_unprepared("SAVEPOINT import_chunk").await?;
        let bulk = async {
            let created = customer_bulk::create(
                self.tx,
                creates.iter().map(|(_, item)| item.clone()).collect(),
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
            Err(err) if err.is_failure() => return Err(err),
            Err(_) => {
                self.tx
                    .execute_unprepared("ROLLBACK TO SAVEPOINT import_chunk")
                    .await?;
                for (i, (_, planned)) in chunk.rows.iter().enumerate() {
                    outcomes[i] = Some(self.write_one(planned).await?);
                }
            }
        }
        for ((row, planned), outcome) in chunk.rows.into_iter().zip(outcomes) {
            let Some(outcome) = outcome else { continue };
            match outcome {
                Ok(model) => self.written(planned, model),
                Err(err) => self.fail_with(row, err),
            }
        }
        Ok(())
    }

    /// Counts a written row and remembers what it wrote.
    fn written(&mut self, planned: Planned, model: customer::Model) {
        let before = match planned {
            Planned::Create(..) => {
                self.report.created += 1;
                None
            }
            Planned::Update { current, .. } => {
                self.report.updated += 1;
                if let Some(previous) = current
                    .external_id
                    .clone()
                    .filter(|p| model.external_id.as_ref() != Some(p))
                {
                    self.holders.insert(previous, None);
                }
                Some(current)
            }
        };
        if let Some(x) = &model.external_id {
            self.holders.insert(x.clone(), Some(model.id));
        }
        self.remember(before.as_deref(), model);
    }

    /// One plan through the single write, under its own savepoint; a row
    /// the database refuses is its outcome, the transaction stays usable.
    async fn write_one(&self, planned: &Planned) -> Result<Outcome> {
        self.tx.execute_unprepared("SAVEPOINT import_row").await?;
        let written = match planned {
            Planned::Create(new, details) => {
                customers::create_with(self.tx, new.clone(), details.clone()).await
            }
            Planned::Update {
                current,
                changes,
                details,
            } => {
                customers::update_with(
                    self.tx,
                    current.id,
                    current.version,
                    changes.clone(),
                    details.clone(),
                )
                .await
            }
        };
        match written {
            Ok(model) => {
                self.tx
                    .execute_unprepared("RELEASE SAVEPOINT import_row")
                    .await?;
                Ok(Ok(model))
            }
            Err(err) if err.is_failure() => Err(err),
            Err(err) => {
                self.tx
                    .execute_unprepared("ROLLBACK TO SAVEPOINT import_row")
                    .await?;
                Ok(Err(err))
            }
        }
    }
}

/// The report's field and message for a row whose `key` several customers hold.
fn ambiguous(key: &Key, count: usize) -> (&'static str, String) {
    match key {
        Key::Email(_) => (
            "email",
            format!("{count} customers have this email; match by externalId instead"),
        ),
        Key::Phone(_) => (
            "phone",
            format!("{count} customers have this phone; match by externalId instead"),
        ),
        Key::ExternalId(_) => (
            "externalId",
            format!("{count} customers have this externalId"),
        ),
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
    names: &Names,
) -> Result<RowValues> {
    let mut values = RowValues::default();
    for &(index, field) in columns {
        // List cells are read untrimmed: a line break at the end marks one
        // value per line (`list_cell`).
        let list = record[index].as_str();
        let cell = list.trim();
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
                let raw: Vec<String> = list_items(list).collect();
                values.tags = Some(rules::tags(&raw)?);
            }
            ImportField::OwnerEmail => {
                let id = names.owners.get(&cell.to_lowercase()).ok_or_else(|| {
                    Error::validation(
                        "ownerEmail",
                        format!("`{cell}` is not a member of this workspace"),
                    )
                })?;
                values.owner_id = Some(*id);
            }
            ImportField::OtherEmails => {
                values.other_emails = other_points(PointKind::Email, "otherEmails", list)?
            }
            ImportField::OtherPhones => {
                values.other_phones = other_points(PointKind::Phone, "otherPhones", list)?
            }
            ImportField::Street => values.address.street_lines = street_lines(list)?,
            ImportField::City => values.address.city = address_part("city", cell)?,
            ImportField::StateProvince => {
                values.address.state_province = address_part("stateProvince", cell)?
            }
            ImportField::PostalCode => {
                values.address.postal_code = address_part("postalCode", cell)?
            }
            ImportField::Country => {
                values.address.country = Some(postal_address::country("country", cell)?)
            }
            ImportField::AcquisitionSource => {
                values.acquisition_source = rules::short_text("acquisitionSource", cell)?
            }
            ImportField::AcquisitionChannel => {
                values.acquisition_channel = Some(parse_channel(cell)?)
            }
            ImportField::Team => values.team_id = Some(team_named(&names.teams, cell)?),
        }
    }
    Ok(values)
}

/// The trimmed, non-blank items of a list cell: one per line when it has
/// line breaks, else separated by [`LIST_SEPARATOR`].
fn list_items(cell: &str) -> impl Iterator<Item = String> + '_ {
    let separators: &[char] = if cell.contains(['\n', '\r']) {
        &['\n', '\r']
    } else {
        &[LIST_SEPARATOR]
    };
    cell.split(separators)
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
}

/// A list as a cell that [`list_items`] reads back as the same list:
/// separated by [`LIST_SEPARATOR`], or, when a value contains it, one value
/// per line (with a line break after a single value).
pub fn list_cell(items: &[String]) -> String {
    if !items.iter().any(|item| item.contains(LIST_SEPARATOR)) {
        return items.join(&format!("{LIST_SEPARATOR} "));
    }
    let mut cell = items.join("\n");
    if items.len() == 1 {
        cell.push('\n');
    }
    cell
}

/// The emails (or phones) of an `otherEmails` (`otherPhones`) cell, checked
/// as the values of a GraphQL list are ([`PointList::parse`]; none twice,
/// and with the primary one at most [`MAX_POINTS`]); `None` when it holds
/// no value.
fn other_points(kind: PointKind, field: &str, cell: &str) -> Result<Option<Vec<String>>> {
    let raw: Vec<RawPoint> = list_items(cell)
        .map(|value| RawPoint {
            value,
            label: PointLabel::Work,
            primary: false,
        })
        .collect();
    if raw.len() >= MAX_POINTS {
        return Err(Error::validation(
            field,
            format!("at most {} values", MAX_POINTS - 1),
        ));
    }
    let list = PointList::parse(kind, field, &raw).map_err(|err| in_column(err, field))?;
    Ok(Some(list.0.into_iter().map(|p| p.value).collect()).filter(|v: &Vec<String>| !v.is_empty()))
}

/// `err` on the column `field` rather than on the item of it the rule names
/// (`otherEmails[2].value`).
fn in_column(err: Error, field: &str) -> Error {
    match err {
        Error::Validation { message, .. } => Error::validation(field, message),
        other => other,
    }
}

/// Street lines (a list cell: one per line, else separated by
/// [`LIST_SEPARATOR`]), each checked as an address part; `None` when there
/// is none.
fn street_lines(cell: &str) -> Result<Option<Vec<String>>> {
    let mut lines = Vec::new();
    for line in list_items(cell) {
        lines.extend(address_part("street", &line)?);
    }
    if lines.len() > postal_address::MAX_STREET_LINES {
        return Err(Error::validation(
            "street",
            format!("at most {} lines", postal_address::MAX_STREET_LINES),
        ));
    }
    Ok(Some(lines).filter(|l| !l.is_empty()))
}

/// One part of an address, by the rule of [`PostalAddress::parse`].
fn address_part(field: &str, cell: &str) -> Result<Option<String>> {
    values::optional_text(field, cell, postal_address::MAX_PART_CHARS)
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

/// A channel by name in any case, with spaces or `-` for `_` (`Paid search`).
fn parse_channel(cell: &str) -> Result<AcquisitionChannel> {
    let name = cell.to_ascii_uppercase().replace([' ', '-'], "_");
    AcquisitionChannel::parse(&name).map_err(|_| {
        Error::validation(
            "acquisitionChannel",
            format!(
                "`{cell}` is not one of ORGANIC_SEARCH, PAID_SEARCH, SOCIAL, EMAIL, REFERRAL, PARTNER, EVENT, DIRECT, ADVERTISING, OTHER"
            ),
        )
    })
}

/// The team named `cell`, ignoring case.
fn team_named(teams: &HashMap<String, Vec<Uuid>>, cell: &str) -> Result<Uuid> {
    match teams.get(&cell.to_lowercase()).map(Vec::as_slice) {
        Some([id]) => Ok(*id),
        Some([_, _, ..]) => Err(Error::validation(
            "team",
            format!("`{cell}` names several teams; give its path, such as `Sales / North`"),
        )),
        _ => Err(Error::validation(
            "team",
            format!("`{cell}` is not a team of this workspace"),
        )),
    }
}

/// The email (or phone) list a row with other emails (phones) asks for:
/// the primary one (the row's, else the one `stored`) first, then `others`
/// in order. A value already stored keeps its label; a new one is `WORK`,
/// as in a GraphQL input without a label. Without any primary one, the
/// first of `others` is primary.
fn points_with(
    kind: PointKind,
    stored: &PointList,
    primary: Option<&str>,
    others: &[String],
) -> PointList {
    let label_of = |value: &str, otherwise: PointLabel| {
        stored
            .0
            .iter()
            .find(|p| kind.key(&p.value) == kind.key(value))
            .map_or(otherwise, |p| p.label)
    };
    let stored_primary = stored.primary();
    let mut points: Vec<Point> = primary
        .or(stored_primary.map(|p| p.value.as_str()))
        .map(|value| Point {
            value: value.to_owned(),
            label: label_of(value, stored_primary.map_or(PointLabel::Work, |p| p.label)),
        })
        .into_iter()
        .collect();
    for value in others {
        if !points.iter().any(|p| kind.key(&p.value) == kind.key(value)) {
            points.push(Point {
                value: value.clone(),
                label: label_of(value, PointLabel::Work),
            });
        }
    }
    PointList(points)
}

/// A new customer from a row; blank kind is a company, blank stage a lead.
fn new_from(values: RowValues) -> Result<(NewCustomer, CustomerDetails)> {
    let none = PointList::default();
    let details =
        CustomerDetails {
            emails: values.other_emails.as_deref().map(|others| {
                points_with(PointKind::Email, &none, values.email.as_deref(), others)
            }),
            phones: values.other_phones.as_deref().map(|others| {
                points_with(PointKind::Phone, &none, values.phone.as_deref(), others)
            }),
            address: values.address.over(PostalAddress::default()),
            acquisition_source: values.acquisition_source,
            acquisition_channel: values.acquisition_channel,
            team_id: values.team_id,
        };
    let new = NewCustomer {
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
    };
    Ok((new, details))
}

/// `new` when given and other than `old`.
fn differs(new: Option<String>, old: &Option<String>) -> Option<Option<String>> {
    new.filter(|n| old.as_ref() != Some(n)).map(Some)
}

/// How a row changes a customer's emails (or phones): with other values
/// given, the whole list when it differs from `stored` (its primary
/// included); else a primary other than the stored one. Without other
/// values, a primary the customer already has among its other ones
/// changes nothing: it names the customer (matching by email or phone
/// finds customers by any of their values) rather than promoting a value.
fn point_changes(
    kind: PointKind,
    stored: PointList,
    primary: Option<String>,
    others: Option<Vec<String>>,
) -> (Option<Option<String>>, Option<PointList>) {
    match others {
        None => {
            let current = stored.primary().map(|p| p.value.clone());
            let primary = primary.filter(|value| {
                let key = kind.key(value);
                !stored.0.iter().skip(1).any(|p| kind.key(&p.value) == key)
            });
            (differs(primary, &current), None)
        }
        Some(others) => {
            let list = points_with(kind, &stored, primary.as_deref(), &others);
            (None, Some(list).filter(|l| *l != stored))
        }
    }
}

/// The changes a row makes to `current`: only given values that differ.
fn changes_from(
    current: &customer::Model,
    values: RowValues,
) -> (CustomerChanges, CustomerDetailChanges) {
    let (email, emails) = point_changes(
        PointKind::Email,
        customers::emails_of(current),
        values.email,
        values.other_emails,
    );
    let (phone, phones) = point_changes(
        PointKind::Phone,
        customers::phones_of(current),
        values.phone,
        values.other_phones,
    );
    let stored_address = customers::address_of(current);
    let address = values.address.over(stored_address.clone());
    let changes = CustomerChanges {
        kind: values.kind.filter(|k| k.as_str() != current.kind),
        name: values.name.filter(|n| *n != current.name),
        email,
        phone,
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
    };
    let details = CustomerDetailChanges {
        emails,
        phones,
        address: Some(address).filter(|a| *a != stored_address),
        acquisition_source: differs(values.acquisition_source, &current.acquisition_source),
        acquisition_channel: values
            .acquisition_channel
            .filter(|c| current.acquisition_channel.as_deref() != Some(c.as_str()))
            .map(Some),
        team_id: values
            .team_id
            .filter(|t| current.team_id != Some(*t))
            .map(Some),
    };
    (changes, details)
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
        let names = Names::default();
        let row = |cells: &[&str]| parse_row(&header(cells), &columns, &names);
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
        let (new, details) = new_from(RowValues {
            name: Some("Acme".into()),
            ..RowValues::default()
        })
        .unwrap();
        assert_eq!(new.kind, CustomerKind::Company);
        assert_eq!(new.lifecycle_stage, LifecycleStage::Lead);
        assert!(details.emails.is_none() && details.address.is_empty());
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::Validation { field, .. } => field,
            other => panic!("not a validation error: {other:?}"),
        }
    }

    #[test]
    fn detail_headers_match_fields_by_name() {
        for (header, field) in [
            ("Other emails", ImportField::OtherEmails),
            ("other_phones", ImportField::OtherPhones),
            ("Street", ImportField::Street),
            ("state-province", ImportField::StateProvince),
            ("Postal Code", ImportField::PostalCode),
            ("COUNTRY", ImportField::Country),
            ("Acquisition source", ImportField::AcquisitionSource),
            ("acquisition_channel", ImportField::AcquisitionChannel),
            ("team", ImportField::Team),
        ] {
            assert_eq!(ImportField::from_header(header), Some(field), "{header}");
        }
    }

    #[test]
    fn detail_cells_use_the_record_rules() {
        let fields = [
            ImportField::OtherEmails,
            ImportField::OtherPhones,
            ImportField::Street,
            ImportField::City,
            ImportField::Country,
            ImportField::AcquisitionSource,
            ImportField::AcquisitionChannel,
            ImportField::Team,
        ];
        let columns: Vec<(usize, ImportField)> = fields.into_iter().enumerate().collect();
        let sales = Uuid::now_v7();
        let names = Names {
            owners: HashMap::new(),
            teams: HashMap::from([
                ("sales".to_owned(), vec![sales]),
                ("ops".to_owned(), vec![Uuid::now_v7(), Uuid::now_v7()]),
            ]),
        };
        let row = |cells: [&str; 8]| parse_row(&header(&cells), &columns, &names);
        let ok = row([
            "b@x.example; c@x.example;",
            "+1 555 0101",
            "1 Main St\nFloor 2; Suite 3",
            " Berlin ",
            "de",
            "Trade fair",
            "paid search",
            "SALES",
        ])
        .unwrap();
        assert_eq!(
            ok.other_emails,
            Some(vec!["b@x.example".to_owned(), "c@x.example".to_owned()])
        );
        assert_eq!(ok.other_phones, Some(vec!["+1 555 0101".to_owned()]));
        // With line breaks, one line per line, `;` included; else `;` separates.
        assert_eq!(
            ok.address.street_lines,
            Some(vec!["1 Main St".into(), "Floor 2; Suite 3".into()])
        );
        let one_line = row(["", "", "Floor 2; Suite 3", "", "", "", "", ""]).unwrap();
        assert_eq!(
            one_line.address.street_lines,
            Some(vec!["Floor 2".into(), "Suite 3".into()])
        );
        assert_eq!(ok.address.city.as_deref(), Some("Berlin"));
        assert_eq!(ok.address.country.as_deref(), Some("DE"));
        assert_eq!(ok.acquisition_source.as_deref(), Some("Trade fair"));
        assert_eq!(ok.acquisition_channel, Some(AcquisitionChannel::PaidSearch));
        assert_eq!(ok.team_id, Some(sales));
        // Separators alone are a blank cell.
        let blank = row(["; ;", "", ";", "", "", "", "", ""]).unwrap();
        assert!(blank.other_emails.is_none() && blank.address.street_lines.is_none());

        let bad = |cells: [&str; 8]| field_of(row(cells).unwrap_err());
        let e = ["", "", "", "", "", "", "", ""];
        let with = |i: usize, cell: &'static str| {
            let mut cells = e;
            cells[i] = cell;
            cells
        };
        assert_eq!(bad(with(0, "b@x.example; nope")), "otherEmails");
        assert_eq!(bad(with(0, "b@x.example; B@X.example")), "otherEmails");
        assert_eq!(bad(with(1, "call me")), "otherPhones");
        assert_eq!(bad(with(2, "1;2;3;4;5")), "street");
        assert_eq!(bad(with(4, "Germany")), "country");
        assert_eq!(bad(with(6, "carrier pigeon")), "acquisitionChannel");
        assert_eq!(bad(with(7, "Nobody")), "team");
        assert_eq!(bad(with(7, "Ops")), "team");
        let many = vec!["x@y.example"; MAX_POINTS].join(";");
        let err = other_points(PointKind::Email, "otherEmails", &many).unwrap_err();
        assert_eq!(field_of(err), "otherEmails");
    }

    #[test]
    fn an_unknown_channel_lists_every_channel() {
        let Err(Error::Validation { message, .. }) = parse_channel("fax") else {
            panic!("fax is not a channel");
        };
        for channel in AcquisitionChannel::ALL {
            assert!(message.contains(channel.as_str()), "{message}");
            assert_eq!(
                parse_channel(&channel.as_str().to_lowercase()).unwrap(),
                channel
            );
        }
    }

    fn point(value: &str, label: PointLabel) -> Point {
        Point {
            value: value.into(),
            label,
        }
    }

    #[test]
    fn other_values_keep_stored_labels_after_the_primary() {
        let stored = PointList(vec![
            point("a@x.example", PointLabel::Home),
            point("b@x.example", PointLabel::Mobile),
        ]);
        let others = ["B@x.example".to_owned(), "c@x.example".to_owned()];
        let list = points_with(PointKind::Email, &stored, None, &others);
        assert_eq!(
            list,
            PointList(vec![
                point("a@x.example", PointLabel::Home),
                point("B@x.example", PointLabel::Mobile),
                point("c@x.example", PointLabel::Work),
            ])
        );
        // A new primary takes the stored primary's label; repeating it among the others adds nothing.
        let others = ["n@x.example".to_owned()];
        let list = points_with(PointKind::Email, &stored, Some("n@x.example"), &others);
        assert_eq!(
            list,
            PointList(vec![point("n@x.example", PointLabel::Home)])
        );
        // Without a primary, the first other one is.
        let list = points_with(PointKind::Phone, &PointList::default(), None, &others);
        assert_eq!(
            list.primary().map(|p| p.value.as_str()),
            Some("n@x.example")
        );
    }

    fn customer_row() -> customer::Model {
        let now = chrono::Utc::now();
        customer::Model {
            tenant_id: Uuid::nil(),
            id: Uuid::nil(),
            version: 1,
            kind: "COMPANY".into(),
            name: "Acme".into(),
            email: Some("a@acme.example".into()),
            phone: Some("+1 555 0100".into()),
            website: None,
            industry: None,
            region: None,
            external_id: Some("A-1".into()),
            lifecycle_stage: "LEAD".into(),
            owner_id: None,
            tags: vec![],
            custom_fields: serde_json::json!({}),
            created_by: None,
            created_at: now,
            updated_at: now,
            deleted_at: None,
            contact_count: 0,
            interaction_count: 0,
            open_task_count: 0,
            last_interaction_at: None,
            order_count: 0,
            order_total: rust_decimal::Decimal::ZERO,
            last_order_at: None,
            open_deal_count: 0,
            open_deal_amount: rust_decimal::Decimal::ZERO,
            email_label: "WORK".into(),
            other_emails: serde_json::json!([]),
            phone_label: "HOME".into(),
            other_phones: serde_json::json!([{ "value": "+1 555 0101", "label": "MOBILE" }]),
            address_lines: vec!["1 Main St".into()],
            city: Some("Springfield".into()),
            state_province: None,
            postal_code: Some("12345".into()),
            country: Some("US".into()),
            acquisition_source: Some("Fair".into()),
            acquisition_channel: Some("EVENT".into()),
            team_id: None,
        }
    }

    #[test]
    fn a_row_changes_only_the_details_it_gives() {
        let current = customer_row();
        let row = RowValues {
            phone: Some("+1 555 0100".into()),
            other_phones: Some(vec!["+1 555 0101".into()]),
            address: AddressParts {
                country: Some("US".into()),
                ..AddressParts::default()
            },
            acquisition_channel: Some(AcquisitionChannel::Event),
            ..RowValues::default()
        };
        let (changes, details) = changes_from(&current, row);
        assert!(changes.is_empty() && details.is_empty(), "{details:?}");
        // A phone the customer has among its others does not become primary.
        let row = RowValues {
            phone: Some("1-555-0101".into()),
            ..RowValues::default()
        };
        assert!(changes_from(&current, row).0.is_empty());

        let row = RowValues {
            other_phones: Some(vec!["+1 555 0199".into()]),
            address: AddressParts {
                city: Some("Shelbyville".into()),
                ..AddressParts::default()
            },
            ..RowValues::default()
        };
        let (changes, details) = changes_from(&current, row);
        assert!(changes.is_empty());
        let address = details.address.expect("the city changes");
        assert_eq!(address.city.as_deref(), Some("Shelbyville"));
        assert_eq!(address.street_lines, current.address_lines);
        assert_eq!(address.postal_code, current.postal_code);
        assert_eq!(
            details.phones,
            Some(PointList(vec![
                point("+1 555 0100", PointLabel::Home),
                point("+1 555 0199", PointLabel::Work),
            ]))
        );
        assert!(details.emails.is_none() && details.acquisition_source.is_none());
    }
}
