//! Marketing: saved segments of customers, the audiences of campaigns.

pub mod segments;
