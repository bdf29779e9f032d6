//! `importCustomers`: a CSV file sent as a GraphQL multipart request
//! (`Upload`), validated and applied by `domain::customer_import`.

use std::io::Read;

use async_graphql::{Context, Enum, InputObject, Object, Result, SimpleObject, Upload};

use crate::auth::Permission;
use crate::domain::customer_import::{self as domain, ImportField, ImportOptions};
use crate::error::Error;
use crate::graphql::context::{authorize, locale, services, write_tx};
use crate::i18n::{self, Locale};

/// A customer field a CSV column can fill.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customer_import::ImportField")]
pub enum CustomerImportField {
    Name,
    /// `COMPANY` or `PERSON`; blank means `COMPANY` for a new customer.
    Kind,
    /// The primary email. Without `OTHER_EMAILS`, one the customer already
    /// has among its other emails leaves the primary as it is.
    Email,
    /// The primary phone, like `EMAIL`.
    Phone,
    Website,
    Industry,
    Region,
    ExternalId,
    /// A stage name such as `LEAD`; blank means `LEAD` for a new customer.
    LifecycleStage,
    /// Tags separated by `;`, or one per line (a cell with line breaks
    /// holds one value per line, so values may contain `;`; so do the other
    /// list columns).
    Tags,
    /// The owner, by a member's email address.
    OwnerEmail,
    /// The emails besides `email`, separated by `;`; they replace the
    /// customer's other emails (labels kept for known ones, else `WORK`).
    OtherEmails,
    /// The phones besides `phone`, like `OTHER_EMAILS`.
    OtherPhones,
    /// The address's street lines (at most 4), separated by `;`, or one per line.
    Street,
    City,
    StateProvince,
    PostalCode,
    /// An ISO 3166-1 alpha-2 code such as `CN` or `DE`, any case.
    Country,
    AcquisitionSource,
    /// An `AcquisitionChannel` value such as `PAID_SEARCH`, any case.
    AcquisitionChannel,
    /// A team of the workspace, by name (any case), or by its path, such as
    /// `Sales / North`, where several teams have the name.
    Team,
}

/// Which column of the file fills which customer field.
#[derive(InputObject, Clone, Debug)]
pub struct ColumnMapping {
    /// The column's header, as in the file's first line.
    pub column: String,
    pub field: CustomerImportField,
}

/// How a row finds the customer it updates.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customer_import::MatchBy")]
pub enum ImportMatchBy {
    /// The customer with the row's external id.
    ExternalId,
    /// The customer with the row's email among its emails, ignoring case.
    Email,
    /// The customer with the row's phone among its phones, compared by
    /// digits however the numbers are written.
    Phone,
    /// By email when a customer has the row's email, else by phone; an
    /// email and a phone of two different customers make the row a bad one.
    EmailOrPhone,
    /// Every row creates a customer.
    None,
}

/// What happens to the good rows when some are bad.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customer_import::ImportMode")]
pub enum ImportMode {
    /// Any bad row means nothing is written.
    AllOrNothing,
    /// Good rows are written; bad rows are reported.
    SkipInvalid,
}

/// A CSV file of customers to create or update.
#[derive(InputObject)]
pub struct ImportCustomersInput {
    /// UTF-8 CSV (RFC 4180) whose first line names the columns.
    pub file: Upload,
    /// Column → field. Without it, columns named after fields
    /// (`externalId`, `External ID`, `owner_email`, …) are used.
    pub mapping: Option<Vec<ColumnMapping>>,
    /// Default: `EXTERNAL_ID` when a column fills it, else `NONE`.
    pub match_by: Option<ImportMatchBy>,
    /// Validate and report what would happen; write nothing.
    #[graphql(default)]
    pub dry_run: bool,
    #[graphql(default_with = "ImportMode::AllOrNothing")]
    pub mode: ImportMode,
}

/// Why one row was not imported.
#[derive(SimpleObject)]
pub struct ImportRowError {
    /// 1 = the first row after the header.
    pub row: i64,
    /// The customer field at fault, as the API spells it.
    pub field: Option<String>,
    pub message: String,
}

/// What an import did or, in a dry run, would do. Blank cells leave an
/// existing customer's fields as they are.
#[derive(SimpleObject)]
pub struct CustomerImportReport {
    /// Data rows in the file (the header not counted).
    pub rows_read: i64,
    pub created: i64,
    pub updated: i64,
    /// Matched rows that already held the customer's values.
    pub unchanged: i64,
    /// Rows not written: the bad ones, or every row when an
    /// `ALL_OR_NOTHING` import wrote nothing.
    pub skipped: i64,
    /// Whether the changes were saved: false for a dry run and for an
    /// `ALL_OR_NOTHING` import with bad rows.
    pub committed: bool,
    /// The first 1,000 bad rows, in file order.
    pub errors: Vec<ImportRowError>,
    /// Every bad row, including those `errors` does not list.
    pub error_count: i64,
}

impl CustomerImportReport {
    /// The report, its row messages in `locale`.
    fn new(r: domain::ImportReport, locale: Locale) -> Self {
        let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        CustomerImportReport {
            rows_read: count(r.rows_read),
            created: count(r.created),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            skipped: count(r.skipped),
            committed: r.committed,
            error_count: count(r.error_count),
            errors: r
                .errors
                .into_iter()
                .map(|e| ImportRowError {
                    row: count(e.row),
                    field: e.field,
                    message: i18n::translate(&e.message, locale),
                })
                .collect(),
        }
    }
}

/// `importCustomers`.
#[derive(Default)]
pub struct CustomerImportMutation;

#[Object]
impl CustomerImportMutation {
    /// Creates and updates customers from a CSV file sent as a GraphQL
    /// multipart request (with `x-csrf-protection: 1` or
    /// `apollo-require-preflight: true`). Every bad row is reported with its
    /// number and reason.
    async fn import_customers(
        &self,
        ctx: &Context<'_>,
        input: ImportCustomersInput,
    ) -> Result<CustomerImportReport> {
        let principal = authorize(ctx, Permission::CustomersWrite)?;
        let mut data = Vec::new();
        input
            .file
            .value(ctx)
            .and_then(|upload| upload.into_read().read_to_end(&mut data))
            .map_err(|_| Error::validation("file", "the uploaded file cannot be read"))?;
        let options = ImportOptions {
            mapping: input.mapping.map(|m| {
                m.into_iter()
                    .map(|c| (c.column, ImportField::from(c.field)))
                    .collect()
            }),
            match_by: input.match_by.map(Into::into),
            dry_run: input.dry_run,
            mode: input.mode.into(),
            max_rows: services(ctx).config.bulk.customer_import_max_rows,
        };
        let tx = write_tx(ctx, principal).await?;
        let report = domain::import(tx, &data, &options).await?;
        Ok(CustomerImportReport::new(report, locale(ctx).await))
    }
}
