//! The fits recover the parameters of populations simulated from the models
//! themselves (deterministic SplitMix64 PRNG, fixed seeds), plus the
//! release-mode timing of fits on 100,000 customers (ignored by default).

mod common;

use std::time::Instant;

use analytics::bgnbd::{self, BgNbdParams};
use analytics::gamma_gamma;
use analytics::optim::FitOptions;
use common::{simulate_bgnbd, simulate_gamma_gamma};

fn rel(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

/// True BG/NBD parameters of the simulated population (time in weeks),
/// with ages spread over 26–104 weeks.
const BG_TRUE: (f64, f64, f64, f64) = (0.5, 4.0, 0.8, 3.0);
const AGES: (f64, f64) = (26.0, 104.0);
/// True Gamma-Gamma parameters; each customer has 1 + Poisson(3) purchases.
const GG_TRUE: (f64, f64, f64) = (6.0, 4.0, 15.0);

#[test]
fn bgnbd_fit_recovers_simulated_parameters() {
    let (r, alpha, a, b) = BG_TRUE;
    let data = simulate_bgnbd(42, 5_000, BG_TRUE, AGES);
    let fit = bgnbd::fit(&data, &FitOptions::default()).unwrap();
    let p = fit.params;
    println!("BG/NBD on 5,000 simulated customers: {fit:?}");
    assert!(fit.diagnostics.converged);
    // Over seeds 0..20 the estimates for 5,000 customers spread with
    // standard deviations of about 3 % (r, α), 8 % (a) and 10 % (b);
    // tolerances are three to four of them.
    assert!(rel(p.r, r) < 0.10, "r = {}", p.r);
    assert!(rel(p.alpha, alpha) < 0.10, "alpha = {}", p.alpha);
    assert!(rel(p.a, a) < 0.30, "a = {}", p.a);
    assert!(rel(p.b, b) < 0.30, "b = {}", p.b);
    // The optimum beats the true parameters on the data's own likelihood.
    let truth = BgNbdParams { r, alpha, a, b };
    let ll_true = bgnbd::log_likelihood(&truth, &data).unwrap();
    assert!(fit.diagnostics.log_likelihood >= ll_true);
    // And predicts the population's purchase volume: simulated mean
    // frequency vs the model's E[X(T)] averaged over customers.
    let observed: f64 = data.iter().map(|c| c.frequency as f64).sum::<f64>() / data.len() as f64;
    let predicted: f64 = data
        .iter()
        .map(|c| p.expected_purchases_unconditional(c.age))
        .sum::<f64>()
        / data.len() as f64;
    assert!(rel(predicted, observed) < 0.02, "{predicted} vs {observed}");
}

#[test]
fn gamma_gamma_fit_recovers_simulated_parameters() {
    // 20,000 customers: only each customer's *average* spend enters the
    // likelihood, so p (and v, strongly correlated with it) are weakly
    // identified; over seeds 0..20 the estimates spread with standard
    // deviations of about 6 % (p), 1.5 % (q), 7 % (v) and 0.6 % for the
    // population mean spend v·p/(q−1). Tolerances are about three of them.
    let (p, q, v) = GG_TRUE;
    let data = simulate_gamma_gamma(7, 20_000, GG_TRUE, 3.0);
    let fit = gamma_gamma::fit(&data, &FitOptions::default()).unwrap();
    println!("Gamma-Gamma on 20,000 simulated customers: {fit:?}");
    assert!(fit.diagnostics.converged);
    assert_eq!(fit.customers_used, 20_000);
    assert!(rel(fit.params.p, p) < 0.20, "p = {}", fit.params.p);
    assert!(rel(fit.params.q, q) < 0.05, "q = {}", fit.params.q);
    assert!(rel(fit.params.v, v) < 0.25, "v = {}", fit.params.v);
    let mean_true = v * p / (q - 1.0);
    assert!(rel(fit.params.population_mean(), mean_true) < 0.02);
    let truth = gamma_gamma::GammaGammaParams { p, q, v };
    let ll_true = gamma_gamma::log_likelihood(&truth, &data).unwrap();
    assert!(fit.diagnostics.log_likelihood >= ll_true);
}

#[test]
fn penalizer_shrinks_parameters() {
    // An L2 penalty pulls the parameters towards 0 (the objective trades
    // likelihood for Σθ²), as in lifetimes.
    let data = simulate_bgnbd(11, 2_000, BG_TRUE, AGES);
    let plain = bgnbd::fit(&data, &FitOptions::default()).unwrap();
    let penalized = bgnbd::fit(
        &data,
        &FitOptions {
            penalizer_coef: 0.1,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert!(penalized.diagnostics.converged);
    let norm = |p: &BgNbdParams| p.r * p.r + p.a * p.a + p.b * p.b;
    assert!(norm(&penalized.params) < norm(&plain.params));
    assert!(penalized.diagnostics.log_likelihood < plain.diagnostics.log_likelihood);
}

/// Release-mode timing of the fits on 100,000 simulated customers:
/// `cargo test --release -p analytics --test simulated -- --ignored --nocapture`.
#[test]
#[ignore]
fn fit_timing_100k() {
    let n = 100_000;
    let data = simulate_bgnbd(2026, n, BG_TRUE, AGES);
    let spend: Vec<_> = simulate_gamma_gamma(2027, n, GG_TRUE, 3.0);
    let runs = 5;
    let mut last = None;
    let started = Instant::now();
    for _ in 0..runs {
        last = Some(bgnbd::fit(&data, &FitOptions::default()).unwrap());
    }
    let bg_time = started.elapsed() / runs;
    let bg = last.unwrap();
    let mut last = None;
    let started = Instant::now();
    for _ in 0..runs {
        last = Some(gamma_gamma::fit(&spend, &FitOptions::default()).unwrap());
    }
    let gg_time = started.elapsed() / runs;
    let gg = last.unwrap();
    println!("BG/NBD, {n} customers: {bg_time:?} per fit; {bg:?}");
    println!("Gamma-Gamma, {n} customers: {gg_time:?} per fit; {gg:?}");
    assert!(bg.diagnostics.converged && gg.diagnostics.converged);
    // Scoring every customer: P(alive), E[Y(52)] and a 12-month CLV.
    let options = gamma_gamma::ClvOptions {
        time_unit: gamma_gamma::TimeUnit::Weeks,
        ..gamma_gamma::ClvOptions::default()
    };
    let started = Instant::now();
    let mut total = 0.0;
    for (c, s) in data.iter().zip(&spend) {
        total += bg.params.probability_alive(c) + bg.params.expected_purchases(c, 52.0);
        total += gamma_gamma::customer_lifetime_value(
            &bg.params,
            &gg.params,
            c,
            s.monetary_value,
            &options,
        );
    }
    println!(
        "scoring {n} customers (P(alive), E[Y(52)], 12-month CLV): {:?}",
        started.elapsed()
    );
    assert!(total.is_finite());
}

#[test]
fn unidentified_data_ends_quickly_with_sensible_predictions() {
    use analytics::bgnbd::CustomerSummary;
    use analytics::gamma_gamma::SpendSummary;
    // Everybody bought at the very end of observation: nobody can have
    // dropped out, so the likelihood keeps improving as a/b → 0 and the
    // rates become deterministic (r, α → ∞). There is no finite optimum;
    // the fit must still end quickly (the objective flattens out, or the
    // log-parameter box stops it) and predict "everybody alive".
    let alive: Vec<CustomerSummary> = (0..500)
        .map(|i| CustomerSummary {
            frequency: 1 + (i % 7) as u32,
            recency: 40.0,
            age: 40.0,
        })
        .collect();
    let fit = bgnbd::fit(&alive, &FitOptions::default()).unwrap();
    assert!(fit.params.a / fit.params.b < 1e-6, "{fit:?}");
    for c in &alive {
        assert!(fit.params.probability_alive(c) > 0.999_999);
    }
    // Identical spends: the likelihood is unbounded as the spread → 0;
    // expected spend stays at the common value.
    let same = vec![
        SpendSummary {
            frequency: 2,
            monetary_value: 10.0,
        };
        500
    ];
    let fit = gamma_gamma::fit(&same, &FitOptions::default()).unwrap();
    assert!(!fit.diagnostics.converged, "{fit:?}");
    let e = fit.params.conditional_expected_average_profit(2, 10.0);
    assert!((e - 10.0).abs() < 1e-3, "{e}");
}
