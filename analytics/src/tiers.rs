//! ABC value tiers by cumulative revenue share, and the Pareto (revenue
//! concentration) curve with its headline figures.
//!
//! # Ordering
//!
//! Customers are ranked by revenue, highest first; equal revenues keep
//! their input order (stable sort), so results are deterministic.
//! Revenues must be finite and ≥ 0 with a positive total.
//!
//! # Tier rule
//!
//! With cut-offs `a` and `b` (revenue shares, default 0.80 and 0.15, leaving
//! 0.05 for C), walk the ranking keeping the cumulative revenue share
//! *before* the current customer, S:
//!
//! * tier **A** while S < a,
//! * tier **B** while a ≤ S < a + b,
//! * tier **C** once S ≥ a + b.
//!
//! So the customer who crosses a boundary belongs to the tier *below* the
//! boundary (the top customer is always A, and A holds at least `a` of
//! revenue unless everyone is A). Comparisons allow a relative slack of
//! 1e-12 so that a share that is exactly on a cut-off in decimal (e.g.
//! 800 of 1000) counts as having reached it despite floating-point sums.
//!
//! # Pareto figures
//!
//! The Pareto curve is the piecewise-linear curve through (k/n, Sₖ) for
//! k = 0..=n, where Sₖ is the revenue share of the top k customers.
//! [`revenue_share_of_top`] reads it at any customer share by linear
//! interpolation (e.g. "top 20 % of customers bring 62 % of revenue");
//! [`customers_for_revenue_share`] gives the smallest whole number of top
//! customers whose cumulative share reaches a target (e.g. "29 % of
//! customers bring 80 % of revenue").

use crate::error::AnalyticsError;

/// Slack for share comparisons, relative to total revenue.
const SHARE_SLACK: f64 = 1e-12;

/// Value tier of a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Top customers bringing the first `a` share of revenue.
    A,
    /// The next `b` share.
    B,
    /// The remainder.
    C,
}

/// Revenue-share cut-offs for [`assign_tiers`]; C gets 1 − a − b.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TierCutoffs {
    /// Share of revenue covered by tier A (default 0.80).
    pub a: f64,
    /// Share of revenue covered by tier B (default 0.15).
    pub b: f64,
}

impl Default for TierCutoffs {
    fn default() -> Self {
        TierCutoffs { a: 0.80, b: 0.15 }
    }
}

/// One point of the Pareto curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoPoint {
    /// Share of customers (top k of n, as k/n).
    pub customer_share: f64,
    /// Share of total revenue those customers bring.
    pub revenue_share: f64,
}

/// How many top customers reach a revenue share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerCount {
    /// Smallest number of top customers reaching the share.
    pub count: usize,
    /// `count` as a share of all customers.
    pub share: f64,
}

/// Headline concentration figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoSummary {
    /// Share of revenue from the top 20 % of customers (interpolated).
    pub top_20_revenue_share: f64,
    /// Smallest set of top customers bringing 80 % of revenue.
    pub customers_for_80: CustomerCount,
}

/// Validates and returns (indices ranked by revenue desc, total).
fn ranked(revenues: &[f64]) -> Result<(Vec<usize>, f64), AnalyticsError> {
    if revenues.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    for (index, r) in revenues.iter().enumerate() {
        if !r.is_finite() || *r < 0.0 {
            return Err(AnalyticsError::InvalidValue {
                index,
                field: "revenue",
                reason: "must be finite and >= 0",
            });
        }
    }
    let mut order: Vec<usize> = (0..revenues.len()).collect();
    order.sort_by(|&i, &j| revenues[j].total_cmp(&revenues[i]));
    let total: f64 = order.iter().map(|&i| revenues[i]).sum();
    if total <= 0.0 {
        return Err(AnalyticsError::ZeroTotal);
    }
    Ok((order, total))
}

fn check_share(name: &'static str, v: f64) -> Result<(), AnalyticsError> {
    if !v.is_finite() || !(0.0..=1.0).contains(&v) {
        return Err(AnalyticsError::InvalidParameter {
            name,
            reason: "must be within [0, 1]",
        });
    }
    Ok(())
}

/// Assigns tier A, B or C to each customer (output in input order) by the
/// rule in the module docs. Errors on empty input, negative or non-finite
/// revenue, zero total, or cut-offs outside [0, 1] or summing above 1.
pub fn assign_tiers(revenues: &[f64], cutoffs: &TierCutoffs) -> Result<Vec<Tier>, AnalyticsError> {
    check_share("a", cutoffs.a)?;
    check_share("b", cutoffs.b)?;
    if cutoffs.a + cutoffs.b > 1.0 + SHARE_SLACK {
        return Err(AnalyticsError::InvalidParameter {
            name: "a + b",
            reason: "must not exceed 1",
        });
    }
    let (order, total) = ranked(revenues)?;
    let slack = SHARE_SLACK * total;
    let a_limit = cutoffs.a * total - slack;
    let b_limit = (cutoffs.a + cutoffs.b) * total - slack;
    let mut tiers = vec![Tier::C; revenues.len()];
    let mut before = 0.0;
    for i in order {
        tiers[i] = if before < a_limit {
            Tier::A
        } else if before < b_limit {
            Tier::B
        } else {
            Tier::C
        };
        before += revenues[i];
    }
    Ok(tiers)
}

/// The Pareto curve: n + 1 points from (0, 0) to (1, 1), the k-th being the
/// top k customers' share of customers and of revenue.
pub fn pareto_curve(revenues: &[f64]) -> Result<Vec<ParetoPoint>, AnalyticsError> {
    let (order, total) = ranked(revenues)?;
    let n = order.len() as f64;
    let mut points = Vec::with_capacity(order.len() + 1);
    points.push(ParetoPoint {
        customer_share: 0.0,
        revenue_share: 0.0,
    });
    let mut cumulative = 0.0;
    for (k, &i) in order.iter().enumerate() {
        cumulative += revenues[i];
        points.push(ParetoPoint {
            customer_share: (k + 1) as f64 / n,
            revenue_share: (cumulative / total).min(1.0),
        });
    }
    Ok(points)
}

/// Share of revenue brought by the top `customer_share` (0..=1) of
/// customers, read off the Pareto curve with linear interpolation between
/// whole customers.
pub fn revenue_share_of_top(revenues: &[f64], customer_share: f64) -> Result<f64, AnalyticsError> {
    check_share("customer_share", customer_share)?;
    let curve = pareto_curve(revenues)?;
    let n = (curve.len() - 1) as f64;
    let pos = customer_share * n;
    let k = (pos.floor() as usize).min(curve.len() - 2);
    let frac = pos - k as f64;
    let (lo, hi) = (curve[k].revenue_share, curve[k + 1].revenue_share);
    Ok(lo + frac * (hi - lo))
}

/// Smallest number of top customers whose cumulative revenue share reaches
/// `revenue_share` (0..=1), and that number as a share of customers.
pub fn customers_for_revenue_share(
    revenues: &[f64],
    revenue_share: f64,
) -> Result<CustomerCount, AnalyticsError> {
    check_share("revenue_share", revenue_share)?;
    let (order, total) = ranked(revenues)?;
    let target = revenue_share * total - SHARE_SLACK * total;
    let n = order.len();
    let mut cumulative = 0.0;
    let mut count = 0;
    while count < n && cumulative < target {
        cumulative += revenues[order[count]];
        count += 1;
    }
    Ok(CustomerCount {
        count,
        share: count as f64 / n as f64,
    })
}

/// Headline figures: revenue share of the top 20 % of customers and the
/// smallest share of customers bringing 80 % of revenue.
pub fn pareto_summary(revenues: &[f64]) -> Result<ParetoSummary, AnalyticsError> {
    Ok(ParetoSummary {
        top_20_revenue_share: revenue_share_of_top(revenues, 0.2)?,
        customers_for_80: customers_for_revenue_share(revenues, 0.8)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Total 1000. Ranked: 500 (#6), 300 (#2), 100 (#4), 50 (#0), 40 (#5),
    // 10 (#1), 0 (#3). Cumulative share before each: 0, .50, .80, .90,
    // .95, .99, 1.00.
    const REVENUES: [f64; 7] = [50.0, 10.0, 300.0, 0.0, 100.0, 40.0, 500.0];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn default_tiers_by_hand() {
        // A while before < .80: #6 (0), #2 (.50). #4 starts at exactly .80
        // → B; B while before < .95: #4 (.80), #0 (.90). #5 starts at .95
        // → C, then #1, #3.
        let tiers = assign_tiers(&REVENUES, &TierCutoffs::default()).unwrap();
        use Tier::*;
        assert_eq!(tiers, vec![B, C, A, C, B, C, A]);
    }

    #[test]
    fn custom_cutoffs_and_ties() {
        // Cut-offs 50/30/20 on four equal revenues of 25: before = 0, .25,
        // .50, .75 → A, A, B (.50 is not < .50), B (.75 < .80).
        let tiers = assign_tiers(&[25.0; 4], &TierCutoffs { a: 0.5, b: 0.3 }).unwrap();
        assert_eq!(tiers, vec![Tier::A, Tier::A, Tier::B, Tier::B]);
        // A share that is on the boundary only up to rounding still counts
        // as reached: in f64, 0.5 + 0.2 + 0.1 = 0.7999999999999999.
        let tiers = assign_tiers(&[0.5, 0.2, 0.1, 0.1, 0.1], &TierCutoffs::default()).unwrap();
        // before: 0, .5, .7, .8 (→ B), .9 (→ B, < .95).
        assert_eq!(tiers, vec![Tier::A, Tier::A, Tier::A, Tier::B, Tier::B]);
    }

    #[test]
    fn pareto_curve_by_hand() {
        let curve = pareto_curve(&REVENUES).unwrap();
        let expected = [
            (0.0, 0.0),
            (1.0 / 7.0, 0.50),
            (2.0 / 7.0, 0.80),
            (3.0 / 7.0, 0.90),
            (4.0 / 7.0, 0.95),
            (5.0 / 7.0, 0.99),
            (6.0 / 7.0, 1.00),
            (1.0, 1.00),
        ];
        assert_eq!(curve.len(), expected.len());
        for (p, (c, r)) in curve.iter().zip(expected) {
            assert!(
                close(p.customer_share, c) && close(p.revenue_share, r),
                "{p:?}"
            );
        }
    }

    #[test]
    fn headline_figures_by_hand() {
        // Top 20 % = 1.4 customers: 0.50 + 0.4 × (0.80 − 0.50) = 0.62.
        // 80 % of revenue needs the top 2 customers (500 + 300 = 800):
        // 2/7 = 0.285714….
        let s = pareto_summary(&REVENUES).unwrap();
        assert!(close(s.top_20_revenue_share, 0.62));
        assert_eq!(s.customers_for_80.count, 2);
        assert!(close(s.customers_for_80.share, 2.0 / 7.0));
        assert!(close(revenue_share_of_top(&REVENUES, 1.0).unwrap(), 1.0));
        assert!(close(revenue_share_of_top(&REVENUES, 0.0).unwrap(), 0.0));
        // 81 % needs a third customer: 900 ≥ 810.
        assert_eq!(
            customers_for_revenue_share(&REVENUES, 0.81).unwrap().count,
            3
        );
        assert_eq!(
            customers_for_revenue_share(&REVENUES, 0.0).unwrap().count,
            0
        );
    }

    #[test]
    fn rejects_bad_input() {
        let d = TierCutoffs::default();
        assert_eq!(assign_tiers(&[], &d), Err(AnalyticsError::EmptyInput));
        assert_eq!(
            assign_tiers(&[0.0, 0.0], &d),
            Err(AnalyticsError::ZeroTotal)
        );
        assert!(assign_tiers(&[1.0, -1.0], &d).is_err());
        assert!(assign_tiers(&[1.0], &TierCutoffs { a: 0.9, b: 0.2 }).is_err());
        assert!(revenue_share_of_top(&[1.0], 1.5).is_err());
    }
}
