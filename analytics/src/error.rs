//! The crate's error type.

use std::fmt;

/// Why an analytics function refused its input.
///
/// Every function validates its input up front and returns one of these
/// instead of producing NaN or panicking, so callers can report bad data to
/// the tenant rather than silently storing garbage scores.
#[derive(Debug, Clone, PartialEq)]
pub enum AnalyticsError {
    /// The input slice was empty, but the computation needs at least one
    /// customer (quantiles, shares and likelihoods are undefined otherwise).
    EmptyInput,
    /// One customer's field is unusable (not finite, negative, inconsistent
    /// with another field...). `index` is the position in the input slice.
    InvalidValue {
        /// Position of the offending customer in the input slice.
        index: usize,
        /// Name of the offending field.
        field: &'static str,
        /// Human-readable reason.
        reason: &'static str,
    },
    /// A configuration value or model parameter is out of its domain.
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// Human-readable reason.
        reason: &'static str,
    },
    /// Total revenue is zero, so revenue shares are undefined.
    ZeroTotal,
    /// The optimiser could not find any point where the objective is finite.
    FitFailed {
        /// Human-readable reason.
        reason: &'static str,
    },
}

impl fmt::Display for AnalyticsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnalyticsError::EmptyInput => write!(f, "input contains no customers"),
            AnalyticsError::InvalidValue {
                index,
                field,
                reason,
            } => write!(f, "customer #{index}: field `{field}` {reason}"),
            AnalyticsError::InvalidParameter { name, reason } => {
                write!(f, "parameter `{name}` {reason}")
            }
            AnalyticsError::ZeroTotal => write!(f, "total revenue is zero"),
            AnalyticsError::FitFailed { reason } => write!(f, "model fit failed: {reason}"),
        }
    }
}

impl std::error::Error for AnalyticsError {}
