//! Customer value mathematics for the CRM: pure functions over plain data,
//! no I/O and no dependencies.
//!
//! * [`rfm`] — recency/frequency/monetary quintile scores and named segments.
//! * [`tiers`] — ABC value tiers by cumulative revenue share, Pareto curve.
//! * [`bgnbd`] — BG/NBD purchase model: fit, P(alive), expected purchases.
//! * [`gamma_gamma`] — Gamma-Gamma spend model and customer lifetime value.
//! * [`special`] — ln Γ, ψ, ₂F₁ and log-sum-exp used by the models.
//! * [`optim`] — the BFGS / Nelder–Mead minimisers behind the model fits.
//!
//! The model fits reproduce the conventions of the Python `lifetimes`
//! library (objective, penalizer, rescaling, starting point, CLV sum); the
//! agreement is checked on the CDNOW data set in `tests/cdnow.rs`.

#![warn(missing_docs)]

pub mod bgnbd;
pub mod error;
pub mod gamma_gamma;
pub mod optim;
pub mod rfm;
pub mod special;
pub mod tiers;

pub use error::AnalyticsError;
