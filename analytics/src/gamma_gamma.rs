//! The Gamma-Gamma model of spend per transaction (Fader & Hardie 2013,
//! "The Gamma-Gamma Model of Monetary Value", brucehardie.com note 025;
//! Fader, Hardie & Lee 2005, "RFM and CLV: Using Iso-Value Curves for
//! Customer Base Analysis", *JMR* 42), and customer lifetime value combining
//! it with the BG/NBD purchase model.
//!
//! # Model
//!
//! A customer's transaction values are i.i.d. Gamma(shape p, rate ν); the
//! rate ν varies across customers as Gamma(shape q, rate v). Spend is
//! assumed independent of the purchase process. A customer is summarised by
//! ([`SpendSummary`]) x = `frequency`, the number of transactions averaged
//! (in `lifetimes`' convention: the repeat purchases, the same x as in
//! BG/NBD), and m = `monetary_value`, their average value.
//!
//! * Log-likelihood of one customer (note 025, eq. 1a, as in `lifetimes`):
//!   ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln v + (px−1) ln m + px ln x
//!   − (px+q) ln(xm + v).
//! * Conditional expected average profit (note 025, eq. 5):
//!   E[M | x, m] = (1−w)·vp/(q−1) + w·m with w = px/(px+q−1) — a weighted
//!   average of the population mean vp/(q−1) and the customer's own mean.
//!   For x = 0 it is the population mean. It needs q > 1.
//!
//! # Fitting
//!
//! [`fit`] uses the customers with x > 0 only (m is undefined otherwise),
//! and minimises the mean negative log-likelihood over those customers plus
//! `penalizer_coef`·(p² + q² + v²) over log-parameters from ln-parameters
//! 0.1 — the objective and start of `lifetimes`' `GammaGammaFitter`
//! (monetary values are not rescaled, so v is in currency units).
//!
//! # Customer lifetime value
//!
//! [`customer_lifetime_value`] replicates `lifetimes`'
//! `GammaGammaFitter.customer_lifetime_value` (`utils._customer_lifetime_value`):
//! with f = [`TimeUnit::periods_per_month`] time units per month (hours 720,
//! days 30, weeks 4.345, months 1),
//!
//! CLV = Σ_{i=1..months} E[M | x, m] · (E[Y(i·f)] − E[Y((i−1)·f)]) / (1 + d)^i
//!
//! where E[Y(t)] is the BG/NBD conditional expected number of purchases in
//! the next t time units and d the monthly discount rate; i.e. purchases
//! expected in month i are discounted by i full months. "Month" means
//! exactly f time units (30 days, 4.345 weeks), as in `lifetimes`.

use crate::bgnbd::{BgNbdParams, CustomerSummary};
use crate::error::AnalyticsError;
use crate::optim::{minimize_with_restarts, FitDiagnostics, FitOptions, MAX_LOG_PARAM};
use crate::special::{digamma, ln_gamma};

/// One customer's spend history in the form the Gamma-Gamma model needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendSummary {
    /// x: number of transactions behind `monetary_value` (the repeat
    /// purchases, as in BG/NBD). Customers with x = 0 are ignored by [`fit`].
    pub frequency: u32,
    /// m: average value of those transactions (must be > 0 when x > 0).
    pub monetary_value: f64,
}

/// Gamma-Gamma parameters: transaction values ~ Gamma(p, ν) per customer,
/// ν ~ Gamma(q, v) across customers (v in currency units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGammaParams {
    /// Shape of a customer's transaction-value distribution.
    pub p: f64,
    /// Shape of the across-customer distribution of the rate ν.
    pub q: f64,
    /// Rate of the across-customer distribution of ν (scale of spend).
    pub v: f64,
}

/// A fitted Gamma-Gamma model and how the fit went.
#[derive(Debug, Clone, PartialEq)]
pub struct GammaGammaFit {
    /// Maximum-(penalised-)likelihood parameters.
    pub params: GammaGammaParams,
    /// Number of customers used (those with frequency > 0).
    pub customers_used: usize,
    /// Log-likelihood at the optimum, iterations, convergence flag.
    pub diagnostics: FitDiagnostics,
}

impl GammaGammaParams {
    /// Log-likelihood of one customer's average spend (x > 0, m > 0).
    pub fn log_likelihood_of(&self, spend: &SpendSummary) -> f64 {
        let GammaGammaParams { p, q, v } = *self;
        let x = spend.frequency as f64;
        let m = spend.monetary_value;
        ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)
            + q * v.ln()
            + (p * x - 1.0) * m.ln()
            + p * x * x.ln()
            - (p * x + q) * (x * m + v).ln()
    }

    /// Population mean spend per transaction, v·p/(q−1) (infinite or
    /// meaningless for q ≤ 1).
    pub fn population_mean(&self) -> f64 {
        self.v * self.p / (self.q - 1.0)
    }

    /// E[M | x, m]: expected average value of this customer's future
    /// transactions — their observed mean shrunk towards the population
    /// mean, more so the fewer transactions they have (x = 0 gives the
    /// population mean; `monetary_value` is then ignored).
    pub fn conditional_expected_average_profit(&self, frequency: u32, monetary_value: f64) -> f64 {
        let GammaGammaParams { p, q, .. } = *self;
        let px = p * frequency as f64;
        let w = px / (px + q - 1.0);
        (1.0 - w) * self.population_mean() + w * monetary_value
    }
}

fn validate(data: &[SpendSummary]) -> Result<usize, AnalyticsError> {
    let mut used = 0;
    for (index, s) in data.iter().enumerate() {
        if s.frequency == 0 {
            continue;
        }
        if !s.monetary_value.is_finite() || s.monetary_value <= 0.0 {
            return Err(AnalyticsError::InvalidValue {
                index,
                field: "monetary_value",
                reason: "must be finite and > 0 when frequency > 0",
            });
        }
        used += 1;
    }
    if used == 0 {
        return Err(AnalyticsError::EmptyInput);
    }
    Ok(used)
}

/// Total log-likelihood of the customers with x > 0 under `params`.
pub fn log_likelihood(
    params: &GammaGammaParams,
    data: &[SpendSummary],
) -> Result<f64, AnalyticsError> {
    validate(data)?;
    for (name, v) in [("p", params.p), ("q", params.q), ("v", params.v)] {
        if !v.is_finite() || v <= 0.0 {
            return Err(AnalyticsError::InvalidParameter {
                name,
                reason: "must be finite and > 0",
            });
        }
    }
    Ok(data
        .iter()
        .filter(|s| s.frequency > 0)
        .map(|s| params.log_likelihood_of(s))
        .sum())
}

/// Customers with x > 0 grouped by x: Gamma-function terms are per group.
struct Prepared {
    /// (x, count, Σ ln m, first index, end index) into `xm`.
    groups: Vec<(f64, f64, f64, usize, usize)>,
    /// x·m per customer.
    xm: Vec<f64>,
    n: f64,
}

impl Prepared {
    fn new(data: &[SpendSummary]) -> Prepared {
        let mut used: Vec<&SpendSummary> = data.iter().filter(|s| s.frequency > 0).collect();
        used.sort_by_key(|s| s.frequency);
        let mut groups: Vec<(f64, f64, f64, usize, usize)> = Vec::new();
        let mut xm = Vec::with_capacity(used.len());
        for (pos, s) in used.iter().enumerate() {
            let x = s.frequency as f64;
            match groups.last_mut() {
                Some(g) if g.0 == x => {
                    g.1 += 1.0;
                    g.2 += s.monetary_value.ln();
                    g.4 = pos + 1;
                }
                _ => groups.push((x, 1.0, s.monetary_value.ln(), pos, pos + 1)),
            }
            xm.push(x * s.monetary_value);
        }
        Prepared {
            groups,
            n: used.len() as f64,
            xm,
        }
    }

    /// Mean negative log-likelihood plus penalty at log-parameters `theta`,
    /// gradient with respect to `theta` written into `grad`.
    fn objective(&self, theta: &[f64], penalizer: f64, grad: &mut [f64]) -> f64 {
        if theta.iter().any(|t| t.abs() > MAX_LOG_PARAM) {
            return f64::INFINITY;
        }
        let (p, q, v) = (theta[0].exp(), theta[1].exp(), theta[2].exp());
        if [p, q, v].iter().any(|u| !u.is_finite() || *u <= 0.0) {
            return f64::INFINITY;
        }
        let ln_v = v.ln();
        let (lg_q, dg_q) = (ln_gamma(q), digamma(q));
        let (mut ll, mut d_p, mut d_q, mut d_v) = (0.0, 0.0, 0.0, 0.0);
        for &(x, count, sum_ln_m, start, end) in &self.groups {
            let px = p * x;
            let (mut s_ln, mut s_inv) = (0.0, 0.0);
            for &xm in &self.xm[start..end] {
                let u = xm + v;
                s_ln += u.ln();
                s_inv += 1.0 / u;
            }
            let ln_x = x.ln();
            let dg_pxq = digamma(px + q);
            ll += count * (ln_gamma(px + q) - ln_gamma(px) - lg_q + q * ln_v + px * ln_x)
                + (px - 1.0) * sum_ln_m
                - (px + q) * s_ln;
            d_p += x * (count * (dg_pxq - digamma(px) + ln_x) + sum_ln_m - s_ln);
            d_q += count * (dg_pxq - dg_q + ln_v) - s_ln;
            d_v += count * q / v - (px + q) * s_inv;
        }
        let n = self.n;
        let params = [p, q, v];
        let derivs = [d_p, d_q, d_v];
        let mut penalty = 0.0;
        for i in 0..3 {
            penalty += params[i] * params[i];
            grad[i] = -params[i] * derivs[i] / n + 2.0 * penalizer * params[i] * params[i];
        }
        let value = -ll / n + penalizer * penalty;
        if value.is_finite() {
            value
        } else {
            f64::INFINITY
        }
    }
}

/// Fits the Gamma-Gamma model by maximum (optionally L2-penalised)
/// likelihood on the customers with frequency > 0 (others are skipped, so
/// the full customer list can be passed). Same objective, penalty and start
/// as `lifetimes`' `GammaGammaFitter`; BFGS with analytic gradients, extra
/// starts and a Nelder–Mead fallback if needed. A fit that hits the
/// iteration budget is still returned, with `converged = false`.
pub fn fit(data: &[SpendSummary], options: &FitOptions) -> Result<GammaGammaFit, AnalyticsError> {
    let used = validate(data)?;
    if !options.penalizer_coef.is_finite() || options.penalizer_coef < 0.0 {
        return Err(AnalyticsError::InvalidParameter {
            name: "penalizer_coef",
            reason: "must be finite and >= 0",
        });
    }
    let prepared = Prepared::new(data);
    let mean_m = data
        .iter()
        .filter(|s| s.frequency > 0)
        .map(|s| s.monetary_value)
        .sum::<f64>()
        / used as f64;
    let starts = [
        vec![0.1; 3],
        vec![0.0, 0.0, mean_m.ln()],
        vec![2.0_f64.ln(), 3.0_f64.ln(), (2.0 * mean_m).ln()],
    ];
    let penalizer = options.penalizer_coef;
    let best = minimize_with_restarts(
        |theta, grad| prepared.objective(theta, penalizer, grad),
        &starts,
        options.gradient_tolerance,
        options.max_iterations,
    );
    if !best.value.is_finite() {
        return Err(AnalyticsError::FitFailed {
            reason: "the likelihood is not finite at any starting point",
        });
    }
    let params = GammaGammaParams {
        p: best.x[0].exp(),
        q: best.x[1].exp(),
        v: best.x[2].exp(),
    };
    let log_likelihood = data
        .iter()
        .filter(|s| s.frequency > 0)
        .map(|s| params.log_likelihood_of(s))
        .sum();
    Ok(GammaGammaFit {
        params,
        customers_used: used,
        diagnostics: FitDiagnostics {
            log_likelihood,
            objective: best.value,
            gradient_norm: best.gradient_norm,
            iterations: best.iterations,
            evaluations: best.evaluations,
            converged: best.converged,
        },
    })
}

/// The time unit of a model's recency/age data, which fixes how many time
/// units make the "month" of the CLV horizon (the `freq` argument of
/// `lifetimes`' `customer_lifetime_value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Hours: 720 per month (`freq="H"`).
    Hours,
    /// Days: 30 per month (`freq="D"`).
    Days,
    /// Weeks: 4.345 per month (`freq="W"`).
    Weeks,
    /// Months: 1 per month (`freq="M"`).
    Months,
}

impl TimeUnit {
    /// Number of time units in one CLV month, as hard-coded in `lifetimes`.
    pub fn periods_per_month(self) -> f64 {
        match self {
            TimeUnit::Hours => 720.0,
            TimeUnit::Days => 30.0,
            TimeUnit::Weeks => 4.345,
            TimeUnit::Months => 1.0,
        }
    }
}

/// Horizon and discounting for [`customer_lifetime_value`]. The default is
/// `lifetimes`' default: 12 months, 1 % per month, data in days.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvOptions {
    /// Number of months to sum over.
    pub months: u32,
    /// Discount rate per month (0.01 = 1 %).
    pub monthly_discount_rate: f64,
    /// Time unit of the BG/NBD data and parameters.
    pub time_unit: TimeUnit,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            months: 12,
            monthly_discount_rate: 0.01,
            time_unit: TimeUnit::Days,
        }
    }
}

/// Discounted expected value of a customer's purchases over the next
/// `options.months` months: BG/NBD expected purchases per month times the
/// Gamma-Gamma expected spend per purchase, discounted monthly — the same
/// sum as `lifetimes`' `customer_lifetime_value` (see the module docs).
///
/// `monetary_value` is the customer's observed average spend (ignored when
/// frequency = 0, where the population mean is used, as in `lifetimes`).
pub fn customer_lifetime_value(
    bgnbd: &BgNbdParams,
    gamma_gamma: &GammaGammaParams,
    customer: &CustomerSummary,
    monetary_value: f64,
    options: &ClvOptions,
) -> f64 {
    let spend = gamma_gamma.conditional_expected_average_profit(customer.frequency, monetary_value);
    let f = options.time_unit.periods_per_month();
    let mut clv = 0.0;
    let mut previous = 0.0;
    for i in 1..=options.months {
        let t = i as f64 * f;
        let cumulative = bgnbd.expected_purchases(customer, t);
        clv += spend * (cumulative - previous) / (1.0 + options.monthly_discount_rate).powf(t / f);
        previous = cumulative;
    }
    clv
}

#[cfg(test)]
mod tests {
    use super::*;

    // Published CDNOW estimates (Fader & Hardie, note 025).
    const GG: GammaGammaParams = GammaGammaParams {
        p: 6.25,
        q: 3.74,
        v: 15.44,
    };

    #[test]
    fn conditional_expected_average_profit_example() {
        // x = 2, m = 22.35: w = 12.5/(12.5 + 2.74) = 0.820210; population
        // mean = 15.44·6.25/2.74 = 35.218978; E = 0.179790·35.218978 +
        // 0.820210·22.35 = 6.332021 + 18.331693 = 24.663714.
        let e = GG.conditional_expected_average_profit(2, 22.35);
        let w = 12.5 / (12.5 + 2.74);
        let expected = (1.0 - w) * (15.44 * 6.25 / 2.74) + w * 22.35;
        assert!((e - expected).abs() < 1e-12);
        assert!((e - 24.663_714).abs() < 1e-6);
        // x = 0 gives the population mean whatever m says.
        assert!(
            (GG.conditional_expected_average_profit(0, 0.0) - GG.population_mean()).abs() < 1e-12
        );
    }

    #[test]
    fn log_likelihood_matches_density_formula() {
        // Density of the mean of x Gamma(p, ν) values, integrated over
        // ν ~ Gamma(q, v): Γ(px+q)/(Γ(px)Γ(q)) · v^q m^(px−1) x^(px) / (v + xm)^(px+q).
        let s = SpendSummary {
            frequency: 3,
            monetary_value: 20.0,
        };
        let (p, q, v, x, m) = (GG.p, GG.q, GG.v, 3.0_f64, 20.0_f64);
        let dens = (ln_gamma(p * x + q) - ln_gamma(p * x) - ln_gamma(q)).exp()
            * v.powf(q)
            * m.powf(p * x - 1.0)
            * x.powf(p * x)
            / (v + x * m).powf(p * x + q);
        assert!((GG.log_likelihood_of(&s) - dens.ln()).abs() < 1e-10);
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data: Vec<SpendSummary> = [(1, 10.0), (1, 30.0), (2, 12.5), (5, 40.0), (0, 0.0)]
            .iter()
            .map(|&(frequency, monetary_value)| SpendSummary {
                frequency,
                monetary_value,
            })
            .collect();
        let prep = Prepared::new(&data);
        assert_eq!(prep.n, 4.0);
        let theta = [0.8, 0.5, 2.0];
        for penalizer in [0.0, 0.05] {
            let mut g = [0.0; 3];
            prep.objective(&theta, penalizer, &mut g);
            for i in 0..3 {
                let h = 1e-6;
                let (mut tp, mut tm) = (theta, theta);
                tp[i] += h;
                tm[i] -= h;
                let mut s = [0.0; 3];
                let num = (prep.objective(&tp, penalizer, &mut s)
                    - prep.objective(&tm, penalizer, &mut s))
                    / (2.0 * h);
                assert!(
                    (g[i] - num).abs() < 1e-7,
                    "component {i}: {} vs {num}",
                    g[i]
                );
            }
        }
    }

    #[test]
    fn clv_sums_discounted_monthly_purchases() {
        let bg = BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        };
        let c = CustomerSummary {
            frequency: 2,
            recency: 30.43,
            age: 38.86,
        };
        let opts = ClvOptions {
            months: 3,
            monthly_discount_rate: 0.01,
            time_unit: TimeUnit::Weeks,
        };
        let spend = GG.conditional_expected_average_profit(2, 22.35);
        let e = |t: f64| bg.expected_purchases(&c, t);
        // Month i covers weeks (i−1)·4.345 .. i·4.345 and is discounted by 1.01^i.
        let expected = spend
            * ((e(4.345) - e(0.0)) / 1.01
                + (e(8.69) - e(4.345)) / 1.01_f64.powi(2)
                + (e(13.035) - e(8.69)) / 1.01_f64.powi(3));
        let got = customer_lifetime_value(&bg, &GG, &c, 22.35, &opts);
        assert!((got - expected).abs() < 1e-12 * expected);
        // Undiscounted CLV over one month is spend × E[Y(one month)].
        let flat = ClvOptions {
            months: 1,
            monthly_discount_rate: 0.0,
            time_unit: TimeUnit::Days,
        };
        let got = customer_lifetime_value(&bg, &GG, &c, 22.35, &flat);
        assert!((got - spend * e(30.0)).abs() < 1e-12);
    }

    #[test]
    fn fit_rejects_bad_input() {
        let none = [SpendSummary {
            frequency: 0,
            monetary_value: 0.0,
        }];
        assert_eq!(
            fit(&none, &FitOptions::default()),
            Err(AnalyticsError::EmptyInput)
        );
        let negative = [SpendSummary {
            frequency: 2,
            monetary_value: -5.0,
        }];
        assert!(matches!(
            fit(&negative, &FitOptions::default()),
            Err(AnalyticsError::InvalidValue { index: 0, .. })
        ));
    }
}
