//! The BG/NBD ("beta-geometric / negative binomial distribution") model of
//! repeat purchasing, Fader, Hardie & Lee (2005), "Counting Your Customers
//! the Easy Way: An Alternative to the Pareto/NBD Model", *Marketing
//! Science* 24(2).
//!
//! # Model
//!
//! While active, a customer buys at the times of a Poisson process with rate
//! λ; after each *repeat* purchase they become inactive for good with
//! probability p. Across customers λ ~ Gamma(shape r, rate α) and
//! p ~ Beta(a, b). A customer is summarised by ([`CustomerSummary`]):
//!
//! * x — `frequency`: number of repeat purchases (orders after the first),
//! * tₓ — `recency`: time from the first purchase to the last one
//!   (0 when x = 0),
//! * T — `age`: time from the first purchase to the end of observation.
//!
//! Time is in any unit (days, weeks…) as long as all three fields, α and
//! every horizon t use the same one.
//!
//! # Formulas (as in the paper and in `lifetimes`' `BetaGeoFitter`)
//!
//! * Log-likelihood of one customer (paper, eq. 6):
//!   ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
//!   \+ ln[(α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+tₓ)^−(r+x)].
//! * P(alive | x, tₓ, T) = 1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x)).
//! * E[Y(t) | x, tₓ, T] (eq. 10) =
//!   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z)]
//!   · P(alive), with z = t/(α+T+t).
//! * E[X(t)] (eq. 9) = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
//!
//! Both expectations are evaluated through Euler's transformation
//! ₂F₁(A,B;C;z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z) — the alternative form
//! `lifetimes` switches to when the direct one overflows. Here C−A = a+b−1−r
//! and C−B = a−1 do not grow with x, so the series converges quickly for
//! heavy buyers too, and the bracket simplifies to
//! 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; C; z), which is computed with
//! `exp_m1`/`ln_1p` to stay accurate for small t. The expectations are
//! undefined at a = 1 exactly and lose precision close to it.
//!
//! # Fitting
//!
//! [`fit`] maximises the likelihood over log-parameters exactly like
//! `lifetimes`: it rescales recency and age by 1/max(T), minimises the mean
//! negative log-likelihood plus `penalizer_coef`·(r² + α² + a² + b²) (α in
//! the rescaled unit, as in `lifetimes`), starting from ln-parameters 0.1,
//! and reports α back in the caller's unit. With `penalizer_coef = 0` the
//! rescaling does not change the optimum.

use crate::error::AnalyticsError;
use crate::optim::{minimize_with_restarts, FitDiagnostics, FitOptions, MAX_LOG_PARAM};
use crate::special::{digamma, hyp2f1_series_minus_one, ln_gamma, log_add_exp, logistic};

/// One customer's purchase history in the form the BG/NBD model needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CustomerSummary {
    /// x: number of repeat purchases (total orders − 1).
    pub frequency: u32,
    /// tₓ: time between the first and the last purchase (0 if x = 0).
    pub recency: f64,
    /// T: time between the first purchase and the end of the observation
    /// period (the analysis date).
    pub age: f64,
}

/// BG/NBD parameters: purchase rates λ ~ Gamma(r, α) (shape, rate; α is in
/// the data's time unit) and drop-out probabilities p ~ Beta(a, b).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbdParams {
    /// Shape of the purchase-rate Gamma distribution.
    pub r: f64,
    /// Rate (inverse scale) of the purchase-rate Gamma distribution, in the
    /// data's time unit.
    pub alpha: f64,
    /// First shape of the drop-out Beta distribution.
    pub a: f64,
    /// Second shape of the drop-out Beta distribution.
    pub b: f64,
}

/// A fitted BG/NBD model and how the fit went.
#[derive(Debug, Clone, PartialEq)]
pub struct BgNbdFit {
    /// Maximum-(penalised-)likelihood parameters, α in the data's time unit.
    pub params: BgNbdParams,
    /// Log-likelihood at the optimum, iterations, convergence flag.
    pub diagnostics: FitDiagnostics,
}

impl BgNbdParams {
    /// Log-likelihood of one customer's history (paper, eq. 6).
    pub fn log_likelihood_of(&self, customer: &CustomerSummary) -> f64 {
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = customer.frequency as f64;
        let a1 = ln_gamma(r + x) - ln_gamma(r) + r * alpha.ln();
        let a2 = ln_gamma(a + b) + ln_gamma(b + x) - ln_gamma(b) - ln_gamma(a + b + x);
        let a3 = -(r + x) * (alpha + customer.age).ln();
        if customer.frequency == 0 {
            return a1 + a2 + a3;
        }
        let a4 = a.ln() - (b + x - 1.0).ln() - (r + x) * (alpha + customer.recency).ln();
        a1 + a2 + log_add_exp(a3, a4)
    }

    /// P(alive | x, tₓ, T): probability that the customer has not dropped out
    /// by the end of observation. Always 1 for customers without repeat
    /// purchases (the model only lets customers drop out after a repeat
    /// purchase).
    pub fn probability_alive(&self, customer: &CustomerSummary) -> f64 {
        if customer.frequency == 0 {
            return 1.0;
        }
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = customer.frequency as f64;
        let log_odds_dead = (r + x) * ((alpha + customer.age) / (alpha + customer.recency)).ln()
            + (a / (b + x - 1.0)).ln();
        logistic(-log_odds_dead)
    }

    /// E[Y(t) | x, tₓ, T]: expected number of purchases in the next `t` time
    /// units for this customer (paper, eq. 10). Returns 0 for t = 0 and NaN
    /// for negative t.
    pub fn expected_purchases(&self, customer: &CustomerSummary, t: f64) -> f64 {
        if t.is_nan() || t < 0.0 {
            return f64::NAN;
        }
        if t == 0.0 {
            return 0.0;
        }
        let BgNbdParams { r, alpha, a, b } = *self;
        let x = customer.frequency as f64;
        let c = a + b + x - 1.0;
        let z = t / (alpha + customer.age + t);
        let bracket = one_minus_scaled_hyp2f1(r, a, b, c, z);
        c / (a - 1.0) * bracket * self.probability_alive(customer)
    }

    /// E[X(t)]: expected number of repeat purchases in the first `t` time
    /// units for a randomly chosen new customer (paper, eq. 9). Returns 0 for
    /// t = 0 and NaN for negative t.
    pub fn expected_purchases_unconditional(&self, t: f64) -> f64 {
        if t.is_nan() || t < 0.0 {
            return f64::NAN;
        }
        if t == 0.0 {
            return 0.0;
        }
        let BgNbdParams { r, alpha, a, b } = *self;
        let c = a + b - 1.0;
        let z = t / (alpha + t);
        c / (a - 1.0) * one_minus_scaled_hyp2f1(r, a, b, c, z)
    }
}

/// 1 − (1−z)^(a−1) ₂F₁(a+b−1−r, a−1; c; z), i.e. the bracket of eqs. 9/10
/// after Euler's transformation, without cancellation for small z.
fn one_minus_scaled_hyp2f1(r: f64, a: f64, b: f64, c: f64, z: f64) -> f64 {
    let tail = hyp2f1_series_minus_one(a + b - 1.0 - r, a - 1.0, c, z);
    -(tail.ln_1p() + (a - 1.0) * (-z).ln_1p()).exp_m1()
}

/// Checks that every history is usable: finite values, T > 0,
/// 0 ≤ tₓ ≤ T, and tₓ = 0 when x = 0 (the checks `lifetimes` makes).
pub fn validate(data: &[CustomerSummary]) -> Result<(), AnalyticsError> {
    if data.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    for (index, c) in data.iter().enumerate() {
        let bad = |field, reason| AnalyticsError::InvalidValue {
            index,
            field,
            reason,
        };
        if !c.age.is_finite() || c.age <= 0.0 {
            return Err(bad("age", "must be finite and > 0"));
        }
        if !c.recency.is_finite() || c.recency < 0.0 {
            return Err(bad("recency", "must be finite and >= 0"));
        }
        if c.recency > c.age {
            return Err(bad("recency", "must not exceed age"));
        }
        if c.frequency == 0 && c.recency != 0.0 {
            return Err(bad("recency", "must be 0 when frequency is 0"));
        }
    }
    Ok(())
}

/// Total log-likelihood Σᵢ ln Lᵢ of the histories under `params`, in the
/// data's own time unit.
pub fn log_likelihood(
    params: &BgNbdParams,
    data: &[CustomerSummary],
) -> Result<f64, AnalyticsError> {
    validate(data)?;
    check_params(params)?;
    Ok(data.iter().map(|c| params.log_likelihood_of(c)).sum())
}

fn check_params(p: &BgNbdParams) -> Result<(), AnalyticsError> {
    for (name, v) in [("r", p.r), ("alpha", p.alpha), ("a", p.a), ("b", p.b)] {
        if !v.is_finite() || v <= 0.0 {
            return Err(AnalyticsError::InvalidParameter {
                name,
                reason: "must be finite and > 0",
            });
        }
    }
    Ok(())
}

/// Customers grouped by frequency so that the Gamma-function terms, which
/// depend on x only, are evaluated once per distinct x.
struct Prepared {
    /// (x, first index, end index) into `recency` / `age`.
    groups: Vec<(f64, usize, usize)>,
    recency: Vec<f64>,
    age: Vec<f64>,
    n: f64,
}

impl Prepared {
    fn new(data: &[CustomerSummary], scale: f64) -> Prepared {
        let mut order: Vec<usize> = (0..data.len()).collect();
        order.sort_by_key(|&i| data[i].frequency);
        let mut groups = Vec::new();
        let mut recency = Vec::with_capacity(data.len());
        let mut age = Vec::with_capacity(data.len());
        for (pos, &i) in order.iter().enumerate() {
            let x = data[i].frequency;
            if pos == 0 || data[order[pos - 1]].frequency != x {
                groups.push((x as f64, pos, pos));
            }
            if let Some(last) = groups.last_mut() {
                last.2 = pos + 1;
            }
            recency.push(data[i].recency * scale);
            age.push(data[i].age * scale);
        }
        Prepared {
            groups,
            recency,
            age,
            n: data.len() as f64,
        }
    }

    /// Mean negative log-likelihood plus penalty at log-parameters `theta`,
    /// with its gradient with respect to `theta` written into `grad`.
    fn objective(&self, theta: &[f64], penalizer: f64, grad: &mut [f64]) -> f64 {
        if theta.iter().any(|t| t.abs() > MAX_LOG_PARAM) {
            return f64::INFINITY;
        }
        let (r, alpha, a, b) = (
            theta[0].exp(),
            theta[1].exp(),
            theta[2].exp(),
            theta[3].exp(),
        );
        if [r, alpha, a, b].iter().any(|v| !v.is_finite() || *v <= 0.0) {
            return f64::INFINITY;
        }
        let ln_alpha = alpha.ln();
        let (lg_r, dg_r) = (ln_gamma(r), digamma(r));
        let (lg_b, dg_b) = (ln_gamma(b), digamma(b));
        let (lg_ab, dg_ab) = (ln_gamma(a + b), digamma(a + b));
        let ln_a = a.ln();
        let (mut ll, mut d_r, mut d_alpha, mut d_a, mut d_b) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(x, start, end) in &self.groups {
            let count = (end - start) as f64;
            let rx = r + x;
            let abx = a + b + x;
            ll += count
                * (ln_gamma(rx) - lg_r + r * ln_alpha + lg_ab + ln_gamma(b + x)
                    - lg_b
                    - ln_gamma(abx));
            d_r += count * (digamma(rx) - dg_r + ln_alpha);
            d_alpha += count * r / alpha;
            let dg_abx = digamma(abx);
            d_a += count * (dg_ab - dg_abx);
            d_b += count * (dg_ab + digamma(b + x) - dg_b - dg_abx);
            let ages = &self.age[start..end];
            if x == 0.0 {
                let (mut s_l3, mut s_inv) = (0.0, 0.0);
                for &t in ages {
                    let at = alpha + t;
                    s_l3 += at.ln();
                    s_inv += 1.0 / at;
                }
                ll -= rx * s_l3;
                d_r -= s_l3;
                d_alpha -= rx * s_inv;
                continue;
            }
            let bx1 = b + x - 1.0;
            let ln_odds = ln_a - bx1.ln();
            let (mut s_mix, mut s_dr, mut s_inv, mut s_w4) = (0.0, 0.0, 0.0, 0.0);
            for (&t, &tx) in ages.iter().zip(&self.recency[start..end]) {
                let (at, atx) = (alpha + t, alpha + tx);
                let (l3, l4) = (at.ln(), atx.ln());
                let a3 = -rx * l3;
                let a4 = ln_odds - rx * l4;
                let d = a4 - a3;
                // mix = ln(e^a3 + e^a4); w4 = e^a4 / (e^a3 + e^a4).
                let (mix, w4) = if d > 0.0 {
                    let e = (-d).exp();
                    (a4 + e.ln_1p(), 1.0 / (1.0 + e))
                } else {
                    let e = d.exp();
                    (a3 + e.ln_1p(), e / (1.0 + e))
                };
                let w3 = 1.0 - w4;
                s_mix += mix;
                s_dr += w3 * l3 + w4 * l4;
                s_inv += w3 / at + w4 / atx;
                s_w4 += w4;
            }
            ll += s_mix;
            d_r -= s_dr;
            d_alpha -= rx * s_inv;
            d_a += s_w4 / a;
            d_b -= s_w4 / bx1;
        }
        let n = self.n;
        let params = [r, alpha, a, b];
        let derivs = [d_r, d_alpha, d_a, d_b];
        let mut penalty = 0.0;
        for i in 0..4 {
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

/// Fits the BG/NBD model by maximum (optionally L2-penalised) likelihood.
///
/// Follows `lifetimes`' `BetaGeoFitter.fit` conventions (see the module
/// docs): same rescaling, objective, penalty and starting point, so results
/// agree with it; the optimiser is BFGS with analytic gradients, with
/// further starting points and a Nelder–Mead fallback if the first run does
/// not converge. The returned α is in the data's time unit. A fit that hits
/// the iteration budget is still returned, with `converged = false`.
pub fn fit(data: &[CustomerSummary], options: &FitOptions) -> Result<BgNbdFit, AnalyticsError> {
    validate(data)?;
    if !options.penalizer_coef.is_finite() || options.penalizer_coef < 0.0 {
        return Err(AnalyticsError::InvalidParameter {
            name: "penalizer_coef",
            reason: "must be finite and >= 0",
        });
    }
    let max_age = data.iter().map(|c| c.age).fold(0.0_f64, f64::max);
    let scale = 1.0 / max_age;
    let prepared = Prepared::new(data, scale);
    let starts = [
        vec![0.1; 4],
        vec![0.0; 4],
        vec![0.5_f64.ln(), 0.5_f64.ln(), 2.0_f64.ln(), 4.0_f64.ln()],
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
    let params = BgNbdParams {
        r: best.x[0].exp(),
        alpha: best.x[1].exp() / scale,
        a: best.x[2].exp(),
        b: best.x[3].exp(),
    };
    let log_likelihood = data.iter().map(|c| params.log_likelihood_of(c)).sum();
    Ok(BgNbdFit {
        params,
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

#[cfg(test)]
mod tests {
    use super::*;

    // Published CDNOW estimates (Fader, Hardie & Lee 2005), time in weeks.
    const CDNOW: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    fn cust(frequency: u32, recency: f64, age: f64) -> CustomerSummary {
        CustomerSummary {
            frequency,
            recency,
            age,
        }
    }

    #[test]
    fn log_likelihood_matches_direct_formula() {
        // x = 2, tx = 30.43, T = 38.86: evaluate eq. 6 literally.
        let p = CDNOW;
        let c = cust(2, 30.43, 38.86);
        let (r, al, a, b, x) = (p.r, p.alpha, p.a, p.b, 2.0);
        let beta = |u: f64, v: f64| (ln_gamma(u) + ln_gamma(v) - ln_gamma(u + v)).exp();
        let l = (ln_gamma(r + x) - ln_gamma(r)).exp() * al.powf(r) * beta(a, b + x) / beta(a, b)
            * ((al + 38.86).powf(-(r + x)) + a / (b + x - 1.0) * (al + 30.43).powf(-(r + x)));
        assert!((p.log_likelihood_of(&c) - l.ln()).abs() < 1e-12);
        // x = 0 has only the first term.
        let c0 = cust(0, 0.0, 38.86);
        let l0 = al.powf(r) * (al + 38.86).powf(-r);
        assert!((p.log_likelihood_of(&c0) - l0.ln()).abs() < 1e-12);
    }

    #[test]
    fn probability_alive_examples() {
        let p = CDNOW;
        assert_eq!(p.probability_alive(&cust(0, 0.0, 38.86)), 1.0);
        // 1 / (1 + a/(b+x−1) · ((α+T)/(α+tx))^(r+x)) with x = 2, tx = 30.43, T = 38.86
        let expected = 1.0
            / (1.0 + 0.793 / (2.426 + 1.0) * ((4.414 + 38.86) / (4.414 + 30.43_f64)).powf(2.243));
        assert!((p.probability_alive(&cust(2, 30.43, 38.86)) - expected).abs() < 1e-14);
        // Buying right at the end of observation: alive with the odds a/(b+x−1) only.
        let at_end = p.probability_alive(&cust(5, 38.0, 38.0));
        assert!((at_end - 1.0 / (1.0 + 0.793 / (2.426 + 4.0))).abs() < 1e-14);
    }

    #[test]
    fn expected_purchases_matches_direct_hypergeometric() {
        // Compare the Euler-transformed evaluation with eq. 10 summed directly.
        let p = CDNOW;
        for &(x, tx, big_t, t) in &[
            (0u32, 0.0, 38.86, 52.0),
            (2, 30.43, 38.86, 39.0),
            (7, 35.0, 38.0, 10.0),
            (40, 37.5, 38.0, 52.0),
        ] {
            let c = cust(x, tx, big_t);
            let xf = x as f64;
            let (aa, bb, cc) = (p.r + xf, p.b + xf, p.a + p.b + xf - 1.0);
            let z = t / (p.alpha + big_t + t);
            let f = 1.0 + hyp2f1_series_minus_one(aa, bb, cc, z);
            let num =
                cc / (p.a - 1.0) * (1.0 - f * ((p.alpha + big_t) / (p.alpha + big_t + t)).powf(aa));
            let den = if x > 0 {
                1.0 + p.a / (p.b + xf - 1.0) * ((p.alpha + big_t) / (p.alpha + tx)).powf(aa)
            } else {
                1.0
            };
            let got = p.expected_purchases(&c, t);
            let want = num / den;
            assert!(((got - want) / want).abs() < 1e-10, "{x}: {got} vs {want}");
        }
        assert_eq!(p.expected_purchases(&cust(3, 10.0, 20.0), 0.0), 0.0);
    }

    #[test]
    fn expected_purchases_is_small_t_accurate() {
        // For t → 0, E[Y(t)] ≈ t · E[λ | history] · P(alive); the
        // cancellation-free form must not lose digits: check linearity.
        let p = CDNOW;
        let c = cust(3, 20.0, 30.0);
        let e1 = p.expected_purchases(&c, 1e-6);
        let e2 = p.expected_purchases(&c, 2e-6);
        assert!(e1 > 0.0);
        assert!((e2 / e1 - 2.0).abs() < 1e-5);
        // Posterior mean rate of an alive customer is (r+x)/(α+T).
        let rate = (p.r + 3.0) / (p.alpha + 30.0) * p.probability_alive(&c);
        assert!((e1 / 1e-6 - rate).abs() / rate < 1e-5);
    }

    #[test]
    fn unconditional_expectation_matches_series() {
        let p = CDNOW;
        let t = 39.0;
        let z = t / (p.alpha + t);
        let f = 1.0 + hyp2f1_series_minus_one(p.r, p.b, p.a + p.b - 1.0, z);
        let want =
            (p.a + p.b - 1.0) / (p.a - 1.0) * (1.0 - (p.alpha / (p.alpha + t)).powf(p.r) * f);
        let got = p.expected_purchases_unconditional(t);
        assert!(((got - want) / want).abs() < 1e-12);
        // Small t: E[X(t)] ≈ t · r/α.
        let small = p.expected_purchases_unconditional(1e-7);
        assert!((small / 1e-7 - p.r / p.alpha).abs() / (p.r / p.alpha) < 1e-6);
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let data = vec![
            cust(0, 0.0, 30.0),
            cust(0, 0.0, 12.0),
            cust(1, 5.0, 30.0),
            cust(3, 25.0, 28.0),
            cust(3, 2.0, 28.0),
            cust(12, 11.5, 12.0),
        ];
        let prep = Prepared::new(&data, 1.0 / 30.0);
        let theta = [(-0.7_f64), 0.3, (-0.2), 0.9];
        for penalizer in [0.0, 0.1] {
            let mut g = [0.0; 4];
            prep.objective(&theta, penalizer, &mut g);
            for i in 0..4 {
                let h = 1e-6;
                let mut tp = theta;
                let mut tm = theta;
                tp[i] += h;
                tm[i] -= h;
                let mut scratch = [0.0; 4];
                let num = (prep.objective(&tp, penalizer, &mut scratch)
                    - prep.objective(&tm, penalizer, &mut scratch))
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
    fn objective_matches_per_customer_likelihood() {
        // The grouped objective equals −mean(ln L) on the rescaled data.
        let data = vec![
            cust(0, 0.0, 30.0),
            cust(2, 10.0, 20.0),
            cust(2, 19.0, 25.0),
            cust(5, 3.0, 30.0),
        ];
        let scale = 1.0 / 30.0;
        let prep = Prepared::new(&data, scale);
        let theta: [f64; 4] = [0.1, 0.2, 0.3, 0.4];
        let p = BgNbdParams {
            r: theta[0].exp(),
            alpha: theta[1].exp(),
            a: theta[2].exp(),
            b: theta[3].exp(),
        };
        let scaled: Vec<_> = data
            .iter()
            .map(|c| cust(c.frequency, c.recency * scale, c.age * scale))
            .collect();
        let want = -scaled.iter().map(|c| p.log_likelihood_of(c)).sum::<f64>() / 4.0;
        let mut g = [0.0; 4];
        assert!((prep.objective(&theta, 0.0, &mut g) - want).abs() < 1e-12);
    }

    #[test]
    fn validation_rejects_bad_histories() {
        assert_eq!(
            fit(&[], &FitOptions::default()),
            Err(AnalyticsError::EmptyInput)
        );
        let bad = [cust(1, 5.0, 4.0)];
        assert!(matches!(
            validate(&bad),
            Err(AnalyticsError::InvalidValue {
                index: 0,
                field: "recency",
                ..
            })
        ));
        assert!(validate(&[cust(0, 1.0, 4.0)]).is_err());
        assert!(validate(&[cust(0, 0.0, 0.0)]).is_err());
        assert!(validate(&[cust(1, f64::NAN, 4.0)]).is_err());
        let opts = FitOptions {
            penalizer_coef: -1.0,
            ..FitOptions::default()
        };
        assert!(fit(&[cust(1, 1.0, 4.0)], &opts).is_err());
    }
}
