//! Finding customers: ranked search over names, emails, phones and notes,
//! and the likely duplicates of a customer.
//!
//! Both run in the database, in the functions `app_search_customers` and
//! `app_customer_duplicates` (migration 0004), over search tables that
//! triggers keep in step with customers, contacts and interactions. Those
//! tables exist because row-level security stops PostgreSQL from using
//! trigram and full-text indexes on the protected tables themselves; the
//! migration explains why and how isolation still holds. The functions
//! search only the transaction's own tenant, and the rows they name are then
//! read here, like every other read, filtered by tenant and live.
//!
//! # Ranking
//!
//! A query matches a customer through the customer's own name, email or
//! phone, through one of its contacts, or through the words of its
//! interactions (notes, calls, emails, ...). Results are ordered by
//! *tier*, then by *score* (highest first), then by id (oldest first):
//!
//! * tier 0: the query is exactly the customer's name or email (any case) or
//!   its phone number (digits only);
//! * tier 1: the customer's name, email or phone number starts with the
//!   query, or the query is exactly a contact's name, email or phone;
//! * tier 2: everything else that matches.
//!
//! The score adds, per kind of match, the best of:
//!
//! * customer (weight 1) and contact (weight 0.5): the text score, the
//!   largest of the query's trigram word similarity to the name (0..1), 0.9
//!   when the query appears literally in the name, email or phone, 0.8 × its
//!   word similarity to the name, email and phone together, 1 when the
//!   query's digits appear in the phone number, 0.8 × the digits' similarity
//!   to it; plus `ts_rank` of the query's words in the name (weight A), email
//!   and phone (B), and industry, region or title (C);
//! * interactions (weight 0.3): `ts_rank` of the query's words in subject (A)
//!   and body (B), normalised by length.
//!
//! Matching: names, emails and phone digits that start with the query; the
//! query anywhere in them (from 3 characters); every word of the query in the
//! words of a record (the 'simple' configuration: no stemming, so Chinese and
//! mixed text match as written); and, only when those do not fill the page,
//! fuzzy matches: trigram word similarity of at least [`WORD_SIMILARITY`]
//! (stricter for long queries, so about two typos are allowed), except for
//! an email address or phone number that was found exactly. Each way of
//! matching contributes at most [`CANDIDATES`] records, so a very common word
//! costs no more than a rare one; among more loose matches than that, the
//! best of those found are ranked.
//!
//! The search tables are partitioned by workspace (migration 0022); the
//! functions read the caller's partitions only.

use sea_orm::{ConnectionTrait, FromQueryResult, IdenStatic, Iterable, QueryResult};

use entity::customer;

use super::sql::SqlBuilder;
use super::{values, visibility};
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Least trigram word similarity (0..1) of a fuzzy match. At 0.5 a word of
/// six letters still matches with one letter wrong ("Globx" finds "Globex").
pub const WORD_SIMILARITY: f32 = 0.5;
/// Most records each way of matching contributes to the ranking.
pub const CANDIDATES: i32 = 100;
/// Least trigram similarity of two names for them to count as similar.
pub const DUPLICATE_NAME_SIMILARITY: f32 = 0.6;
/// Most duplicates reported for one customer.
pub const MAX_DUPLICATES: i32 = 10;
/// Fewest digits for a query to be searched as a phone number.
const MIN_PHONE_DIGITS: usize = 3;

/// A validated search query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    text: String,
    phone_digits: Option<String>,
}

impl SearchQuery {
    /// Trimmed, 1 to [`MAX_QUERY_CHARS`] characters, no control characters.
    /// A query written only with digits and the signs phone numbers use
    /// (`+ - ( ) . /`, spaces, an extension `x` or `#`) is also searched by
    /// its digits, whatever the formatting on either side.
    pub fn parse(raw: &str) -> Result<SearchQuery> {
        let text = values::required_text("query", raw, MAX_QUERY_CHARS)?;
        let phone_like = text.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '+' | '-' | '(' | ')' | '.' | '/' | ' ' | 'x' | 'X' | '#')
        });
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let phone_digits = (phone_like && digits.len() >= MIN_PHONE_DIGITS).then_some(digits);
        Ok(SearchQuery { text, phone_digits })
    }

    /// The query as given (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The query's digits, when it reads as a phone number.
    pub fn phone_digits(&self) -> Option<&str> {
        self.phone_digits.as_deref()
    }
}

/// The customer columns, qualified with `alias`, for statements that return
/// whole customers.
fn customer_columns(alias: &str) -> String {
    customer::Column::iter()
        .map(|c| format!("{alias}.{}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Up to `limit` live customers of the tenant matching `query`, best first
/// (see the module documentation for the ranking), among those the member
/// may see.
pub async fn search(
    tx: &TenantTx,
    query: &SearchQuery,
    limit: u64,
) -> Result<Vec<customer::Model>> {
    let limit = i32::try_from(limit).map_err(|_| Error::validation("first", "is too large"))?;
    let restriction = tx.scope().customers;
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let text = sql.bind(query.text());
    let digits = sql.bind(query.phone_digits().map(str::to_owned));
    let similarity = sql.bind(WORD_SIMILARITY);
    // A member who sees only some customers gets the best of every
    // candidate, not the visible few among the tenant's best `limit`.
    let ranked = sql.bind(if restriction.is_some() {
        limit.max(CANDIDATES)
    } else {
        limit
    });
    let candidates = sql.bind(CANDIDATES);
    let visible = visibility::sql_condition(restriction, "c", &tenant, &mut sql);
    let limit = sql.bind(i64::from(limit));
    sql.push(&format!(
        "SELECT {columns}
           FROM app_search_customers({tenant}, {text}, {digits}, {similarity}, {ranked}, {candidates}) s
           JOIN customers c ON c.tenant_id = {tenant} AND c.id = s.customer_id AND c.deleted_at IS NULL
          WHERE {visible}
          ORDER BY s.ordinal
          LIMIT {limit}",
        columns = customer_columns("c"),
    ));
    Ok(customer::Model::find_by_statement(sql.statement())
        .all(&**tx)
        .await?)
}

/// Why a customer looks like a duplicate of another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DuplicateReason {
    /// The same email address, ignoring case.
    SameEmail,
    /// The same phone number, comparing digits only.
    SamePhone,
    /// Names with trigram similarity of at least [`DUPLICATE_NAME_SIMILARITY`].
    SimilarName,
}

/// A live customer that looks like another one.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub customer: customer::Model,
    pub reasons: Vec<DuplicateReason>,
    /// 0..1: the chance that at least one piece of evidence is right, taking
    /// a shared email as 0.9, a shared phone as 0.8 and a similar name as its
    /// similarity: `1 - (1 - e)(1 - p)(1 - n)`.
    pub score: f64,
}

/// The live customers of the tenant (other than `of` itself) that share its
/// email or phone number or have a similar name: at most
/// [`MAX_DUPLICATES`], most likely first. Reads the transaction's own
/// writes, so it can run right after creating `of`.
pub async fn duplicates(tx: &TenantTx, of: &customer::Model) -> Result<Vec<Duplicate>> {
    let phone_digits = of
        .phone
        .as_deref()
        .map(|p| p.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| !d.is_empty());
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let args = [
        sql.bind(of.id),
        sql.bind(of.name.clone()),
        sql.bind(of.email.clone()),
        sql.bind(phone_digits),
        sql.bind(DUPLICATE_NAME_SIMILARITY),
        sql.bind(MAX_DUPLICATES),
    ]
    .join(", ");
    // Only customers the member may see are reported: a duplicate the
    // member cannot open would show a hidden customer's details.
    let visible = visibility::sql_condition(tx.scope().customers, "c", &tenant, &mut sql);
    sql.push(&format!(
        "SELECT {columns}, d.same_email, d.same_phone, d.name_similarity, d.score
           FROM app_customer_duplicates({tenant}, {args}) d
           JOIN customers c ON c.tenant_id = {tenant} AND c.id = d.customer_id AND c.deleted_at IS NULL
          WHERE {visible}
          ORDER BY d.score DESC, c.name, c.id",
        columns = customer_columns("c"),
    ));
    let rows = tx.query_all(sql.statement()).await?;
    rows.iter().map(duplicate_of_row).collect()
}

fn duplicate_of_row(row: &QueryResult) -> Result<Duplicate> {
    let customer = customer::Model::from_query_result(row, "")?;
    let same_email: bool = row.try_get("", "same_email")?;
    let same_phone: bool = row.try_get("", "same_phone")?;
    let name_similarity: f32 = row.try_get("", "name_similarity")?;
    let score: f32 = row.try_get("", "score")?;
    let reasons = [
        (same_email, DuplicateReason::SameEmail),
        (same_phone, DuplicateReason::SamePhone),
        (
            name_similarity >= DUPLICATE_NAME_SIMILARITY,
            DuplicateReason::SimilarName,
        ),
    ]
    .into_iter()
    .filter_map(|(applies, reason)| applies.then_some(reason))
    .collect();
    Ok(Duplicate {
        customer,
        reasons,
        score: f64::from(score),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_searched_by_their_digits() {
        let q = SearchQuery::parse(" +1 (555) 013-4567 ").unwrap();
        assert_eq!(q.text(), "+1 (555) 013-4567");
        assert_eq!(q.phone_digits(), Some("15550134567"));
        assert_eq!(
            SearchQuery::parse("555.0134").unwrap().phone_digits(),
            Some("5550134")
        );
    }

    #[test]
    fn words_and_short_numbers_are_not_phone_numbers() {
        assert_eq!(
            SearchQuery::parse("Globex 2000").unwrap().phone_digits(),
            None
        );
        assert_eq!(SearchQuery::parse("42").unwrap().phone_digits(), None);
        assert_eq!(SearchQuery::parse("王芳").unwrap().phone_digits(), None);
    }

    #[test]
    fn queries_are_validated() {
        for bad in ["", "   ", "a\u{0}b"] {
            let err = SearchQuery::parse(bad).unwrap_err();
            assert_eq!(err.code(), "VALIDATION", "{bad:?}");
        }
        assert!(SearchQuery::parse(&"x".repeat(MAX_QUERY_CHARS)).is_ok());
        assert!(SearchQuery::parse(&"x".repeat(MAX_QUERY_CHARS + 1)).is_err());
    }
}
