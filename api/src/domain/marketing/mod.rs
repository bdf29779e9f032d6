//! Marketing: saved segments of customers, and campaigns aimed at them,
//! costed and evaluated.

pub mod campaign_results;
pub mod campaigns;
pub mod segments;
