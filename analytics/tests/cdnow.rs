//! Validation against the Python `lifetimes` library (0.11.3) on its CDNOW
//! sample (2357 customers, time in weeks). The reference values come from
//! `bench/clv-validation/reference.py`; see that folder's README.
//!
//! Run with `-- --nocapture` to see the achieved maxima.

mod common;

use std::time::Instant;

use analytics::bgnbd::{self, BgNbdParams, CustomerSummary};
use analytics::gamma_gamma::{
    self, customer_lifetime_value, ClvOptions, GammaGammaParams, SpendSummary, TimeUnit,
};
use analytics::optim::FitOptions;
use common::{read_cdnow, validation_file, CdnowRow, Json};

/// Asserted relative tolerances: 100x tighter than the 1e-3 (parameters,
/// P(alive), expected purchases) and 1e-2 (CLV) first asked for, and still
/// about 10x above what is achieved (printed with `--nocapture`, recorded in
/// the README). The remaining gap is lifetimes stopping its BFGS at a
/// gradient norm of 1e-7.
const PARAM_TOL: f64 = 1e-5;
const PREDICTION_TOL: f64 = 1e-5;
const CLV_TOL: f64 = 1e-5;

fn reference() -> Json {
    let text = std::fs::read_to_string(validation_file("reference.json"))
        .expect("bench/clv-validation/reference.json missing: run reference.py");
    Json::parse(&text)
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs()
    }
}

fn sci(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format!("{v:.2e}")).collect();
    parts.join(", ")
}

fn bg_params(j: &Json) -> BgNbdParams {
    BgNbdParams {
        r: j.get("r").f64(),
        alpha: j.get("alpha").f64(),
        a: j.get("a").f64(),
        b: j.get("b").f64(),
    }
}

fn gg_params(j: &Json) -> GammaGammaParams {
    GammaGammaParams {
        p: j.get("p").f64(),
        q: j.get("q").f64(),
        v: j.get("v").f64(),
    }
}

fn customers(rows: &[CdnowRow]) -> Vec<CustomerSummary> {
    rows.iter().map(|r| r.customer).collect()
}

fn spends(rows: &[CdnowRow]) -> Vec<SpendSummary> {
    rows.iter()
        .map(|r| SpendSummary {
            frequency: r.customer.frequency,
            monetary_value: r.monetary_value,
        })
        .collect()
}

const CLV_OPTIONS: ClvOptions = ClvOptions {
    months: 12,
    monthly_discount_rate: 0.01,
    time_unit: TimeUnit::Weeks,
};

/// Largest relative error of our per-customer predictions (with the given
/// parameters) against lifetimes': (p_alive, E[Y(52)], E[M], CLV).
fn prediction_errors(
    rows: &[CdnowRow],
    reference: &Json,
    bg: &BgNbdParams,
    gg: &GammaGammaParams,
) -> [f64; 4] {
    let c = reference.get("customers");
    let ids = c.get("customer_id").f64s();
    let columns = [
        c.get("p_alive").f64s(),
        c.get("expected_purchases_52w").f64s(),
        c.get("expected_average_profit").f64s(),
        c.get("clv_12m").f64s(),
    ];
    assert_eq!(ids.len(), rows.len());
    let mut worst = [0.0_f64; 4];
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(ids[i] as u64, row.id);
        let ours = [
            bg.probability_alive(&row.customer),
            bg.expected_purchases(&row.customer, 52.0),
            gg.conditional_expected_average_profit(row.customer.frequency, row.monetary_value),
            customer_lifetime_value(bg, gg, &row.customer, row.monetary_value, &CLV_OPTIONS),
        ];
        for k in 0..4 {
            assert!(ours[k].is_finite(), "customer {}: non-finite", row.id);
            worst[k] = worst[k].max(rel(ours[k], columns[k][i]));
        }
    }
    worst
}

#[test]
fn formulas_match_lifetimes_at_lifetimes_parameters() {
    // With lifetimes' own fitted parameters, our formulas must reproduce its
    // per-customer outputs to rounding error: this isolates P(alive), the
    // hypergeometric E[Y(t)], E[M] and the CLV sum from the fit.
    let rows = read_cdnow();
    let reference = reference();
    let bg = bg_params(reference.get("bgnbd"));
    let gg = gg_params(reference.get("gamma_gamma"));
    let worst = prediction_errors(&rows, &reference, &bg, &gg);
    println!(
        "at lifetimes' parameters: max rel err p_alive {:.2e}, E[Y(52)] {:.2e}, E[M] {:.2e}, CLV {:.2e}",
        worst[0], worst[1], worst[2], worst[3]
    );
    for w in worst {
        assert!(w < 1e-10, "{worst:?}");
    }
    let unconditional = reference.get("unconditional");
    for (t, want) in unconditional
        .get("t")
        .f64s()
        .into_iter()
        .zip(unconditional.get("expected_purchases").f64s())
    {
        let got = bg.expected_purchases_unconditional(t);
        assert!(rel(got, want) < 1e-10, "E[X({t})] {got} vs {want}");
    }
}

#[test]
fn fits_and_predictions_match_lifetimes() {
    let rows = read_cdnow();
    let reference = reference();
    let data = customers(&rows);

    let started = Instant::now();
    let bg_fit = bgnbd::fit(&data, &FitOptions::default()).unwrap();
    let bg_time = started.elapsed();
    let started = Instant::now();
    let gg_fit = gamma_gamma::fit(&spends(&rows), &FitOptions::default()).unwrap();
    let gg_time = started.elapsed();
    println!("BG/NBD fit {bg_time:?}: {:?}", bg_fit);
    println!("Gamma-Gamma fit {gg_time:?}: {:?}", gg_fit);
    assert!(bg_fit.diagnostics.converged);
    assert!(gg_fit.diagnostics.converged);
    assert_eq!(gg_fit.customers_used, 946); // CDNOW customers with repeat purchases

    let bg_ref = bg_params(reference.get("bgnbd"));
    let gg_ref = gg_params(reference.get("gamma_gamma"));
    let bg = bg_fit.params;
    let gg = gg_fit.params;
    let bg_errs = [
        rel(bg.r, bg_ref.r),
        rel(bg.alpha, bg_ref.alpha),
        rel(bg.a, bg_ref.a),
        rel(bg.b, bg_ref.b),
    ];
    let gg_errs = [
        rel(gg.p, gg_ref.p),
        rel(gg.q, gg_ref.q),
        rel(gg.v, gg_ref.v),
    ];
    println!("BG/NBD params rel err (r, alpha, a, b): {}", sci(&bg_errs));
    println!("Gamma-Gamma params rel err (p, q, v): {}", sci(&gg_errs));
    for e in bg_errs.iter().chain(&gg_errs) {
        assert!(*e < PARAM_TOL);
    }
    // lifetimes run with tol=1e-8 lands closer to our optimum.
    let bg_tight = bg_params(reference.get("bgnbd_tol_1e-8"));
    let tight_errs = [
        rel(bg.r, bg_tight.r),
        rel(bg.alpha, bg_tight.alpha),
        rel(bg.a, bg_tight.a),
        rel(bg.b, bg_tight.b),
    ];
    println!(
        "BG/NBD params rel err vs lifetimes tol=1e-8 (r, alpha, a, b): {}",
        sci(&tight_errs)
    );
    for e in tight_errs {
        assert!(e < PARAM_TOL);
    }
    // Our optimum is at least as good as lifetimes' (same objective).
    let bg_obj_ref = reference.get("bgnbd").get("objective").f64();
    let gg_obj_ref = reference.get("gamma_gamma").get("objective").f64();
    println!(
        "objective: BG/NBD ours {:.15} lifetimes {bg_obj_ref:.15}; GG ours {:.15} lifetimes {gg_obj_ref:.15}",
        bg_fit.diagnostics.objective, gg_fit.diagnostics.objective
    );
    assert!(bg_fit.diagnostics.objective <= bg_obj_ref + 1e-12);
    assert!(gg_fit.diagnostics.objective <= gg_obj_ref + 1e-12);
    // Log-likelihood in weeks: published value −9582.4 (Fader, Hardie & Lee 2005).
    assert!((bg_fit.diagnostics.log_likelihood + 9582.4).abs() < 0.05);

    let worst = prediction_errors(&rows, &reference, &bg, &gg);
    println!(
        "with our fitted parameters: max rel err p_alive {:.2e}, E[Y(52)] {:.2e}, E[M] {:.2e}, CLV {:.2e}",
        worst[0], worst[1], worst[2], worst[3]
    );
    assert!(worst[0] < PREDICTION_TOL);
    assert!(worst[1] < PREDICTION_TOL);
    assert!(worst[2] < PREDICTION_TOL);
    assert!(worst[3] < CLV_TOL);
}

#[test]
fn penalized_fits_match_lifetimes() {
    let rows = read_cdnow();
    let reference = reference();
    let options = FitOptions {
        penalizer_coef: 0.01,
        ..FitOptions::default()
    };
    let bg = bgnbd::fit(&customers(&rows), &options).unwrap();
    let gg = gamma_gamma::fit(&spends(&rows), &options).unwrap();
    let bg_ref = bg_params(reference.get("bgnbd_penalized_0_01"));
    let gg_ref = gg_params(reference.get("gamma_gamma_penalized_0_01"));
    let bg_errs = [
        rel(bg.params.r, bg_ref.r),
        rel(bg.params.alpha, bg_ref.alpha),
        rel(bg.params.a, bg_ref.a),
        rel(bg.params.b, bg_ref.b),
    ];
    let gg_errs = [
        rel(gg.params.p, gg_ref.p),
        rel(gg.params.q, gg_ref.q),
        rel(gg.params.v, gg_ref.v),
    ];
    println!(
        "penalizer 0.01: BG/NBD rel err {}, Gamma-Gamma rel err {}",
        sci(&bg_errs),
        sci(&gg_errs)
    );
    for e in bg_errs.iter().chain(&gg_errs) {
        assert!(*e < PARAM_TOL);
    }
}

/// Release-mode timing on CDNOW (run with `cargo test --release -p analytics
/// --test cdnow -- --ignored --nocapture`).
#[test]
#[ignore]
fn cdnow_fit_timing() {
    let rows = read_cdnow();
    let data = customers(&rows);
    let spend = spends(&rows);
    let runs = 20;
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(bgnbd::fit(&data, &FitOptions::default()).unwrap());
    }
    let bg = started.elapsed() / runs;
    let started = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(gamma_gamma::fit(&spend, &FitOptions::default()).unwrap());
    }
    let gg = started.elapsed() / runs;
    println!(
        "CDNOW ({} customers): BG/NBD fit {bg:?}, Gamma-Gamma fit {gg:?} (mean of {runs})",
        rows.len()
    );
}
