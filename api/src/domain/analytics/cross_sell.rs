//! Cross-sell recommendations from association rules over the tenant's
//! purchase baskets (the set of products each customer has bought).
//!
//! For a rule A → B (A a product the customer has, B one they do not):
//! support = share of buying customers who bought both, confidence = share
//! of A's buyers who also bought B, lift = confidence / share of customers
//! who bought B (above 1: A's buyers take B more often than customers at
//! large). Each candidate B is recommended by its strongest rule (highest
//! confidence, then lift); only active products are recommended.

use sea_orm::FromQueryResult;
use uuid::Uuid;

use super::SqlBuilder;
use crate::error::{Error, Result};
use crate::tenancy::TenantTx;

/// Most recommendations per request.
pub const MAX_RECOMMENDATIONS: u64 = 50;

/// One recommended product and the rule behind it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Recommendation {
    pub product_id: Uuid,
    /// The product the customer has that the rule starts from.
    pub because_of_product_id: Uuid,
    pub support: f64,
    pub confidence: f64,
    pub lift: f64,
    /// Customers who bought both.
    pub customers_with_both: i64,
}

/// Up to `first` products for the customer, strongest rule first. The
/// customer must be one the member may see (else `NOT_FOUND`).
pub async fn recommendations(
    tx: &TenantTx,
    customer_id: Uuid,
    first: u64,
    min_customers: i64,
) -> Result<Vec<Recommendation>> {
    if first > MAX_RECOMMENDATIONS {
        return Err(Error::validation(
            "first",
            format!("must be at most {MAX_RECOMMENDATIONS}"),
        ));
    }
    if min_customers < 1 {
        return Err(Error::validation("minCustomers", "must be at least 1"));
    }
    if crate::domain::customers::find(tx, customer_id)
        .await?
        .is_none()
    {
        return Err(Error::NotFound("customer"));
    }
    let mut sql = SqlBuilder::default();
    let tenant = sql.bind(tx.tenant_id());
    let customer = sql.bind(customer_id);
    let minimum = sql.bind(min_customers);
    let limit = sql.bind(first as i64);
    sql.push(&format!(
        "WITH baskets AS (
             SELECT DISTINCT o.customer_id, l.product_id
               FROM orders o
               JOIN order_lines l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
              WHERE o.tenant_id = {tenant} AND o.status NOT IN {statuses}
         ), mine AS (
             SELECT product_id FROM baskets WHERE customer_id = {customer}
         ), buyers AS (
             SELECT count(DISTINCT customer_id)::float8 AS n FROM baskets
         ), item AS (
             SELECT product_id, count(*)::float8 AS buyers FROM baskets GROUP BY product_id
         ), pairs AS (
             SELECT a.product_id AS antecedent, b.product_id AS consequent, count(*) AS together
               FROM baskets a
               JOIN baskets b ON b.customer_id = a.customer_id
              WHERE a.product_id IN (SELECT product_id FROM mine)
                AND b.product_id NOT IN (SELECT product_id FROM mine)
              GROUP BY a.product_id, b.product_id
             HAVING count(*) >= {minimum}
         ), rules AS (
             SELECT DISTINCT ON (p.consequent)
                    p.consequent AS product_id, p.antecedent AS because_of_product_id,
                    p.together / buyers.n AS support,
                    p.together / ia.buyers AS confidence,
                    (p.together / ia.buyers) / (ib.buyers / buyers.n) AS lift,
                    p.together AS customers_with_both
               FROM pairs p
               CROSS JOIN buyers
               JOIN item ia ON ia.product_id = p.antecedent
               JOIN item ib ON ib.product_id = p.consequent
               JOIN products pr ON pr.tenant_id = {tenant} AND pr.id = p.consequent AND pr.active
              ORDER BY p.consequent, p.together / ia.buyers DESC,
                       (p.together / ia.buyers) / (ib.buyers / buyers.n) DESC, p.antecedent
         )
         SELECT * FROM rules ORDER BY confidence DESC, lift DESC, product_id LIMIT {limit}",
        statuses = super::NOT_PURCHASES,
    ));
    Ok(Recommendation::find_by_statement(sql.statement())
        .all(&**tx)
        .await?)
}
