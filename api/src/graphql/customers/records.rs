//! Parts of customer and contact records shared by both: labelled emails
//! and phones, postal addresses, acquisition channels; and their conversion
//! into domain values.

use async_graphql::{Enum, InputObject, MaybeUndefined, SimpleObject};

use crate::domain::contact_points::{PointKind, PointList, RawPoint};
use crate::domain::postal_address::{PostalAddress as DomainAddress, RawAddress};
use crate::error::Error;

/// What an email or phone is for.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::contact_points::PointLabel")]
pub enum ContactPointLabel {
    Work,
    Home,
    Mobile,
    Other,
}

/// One email address or phone number of a record.
#[derive(SimpleObject, Clone, Debug)]
pub struct ContactPoint {
    pub value: String,
    pub label: ContactPointLabel,
    /// The record's `email` (or `phone`): exactly one per list.
    pub primary: bool,
}

/// One email address or phone number to store.
#[derive(InputObject, Clone, Debug)]
pub struct ContactPointInput {
    pub value: String,
    #[graphql(default_with = "ContactPointLabel::Work")]
    pub label: ContactPointLabel,
    /// At most one per list; without one, the first value is primary.
    #[graphql(default)]
    pub primary: bool,
}

/// A list as the API shows it.
pub fn points(list: PointList) -> Vec<ContactPoint> {
    list.0
        .into_iter()
        .enumerate()
        .map(|(i, p)| ContactPoint {
            value: p.value,
            label: p.label.into(),
            primary: i == 0,
        })
        .collect()
}

/// Validates a list sent as `field` (`emails` or `phones`).
pub fn parse_points(
    kind: PointKind,
    field: &str,
    raw: Vec<ContactPointInput>,
) -> Result<PointList, Error> {
    let raw: Vec<RawPoint> = raw
        .into_iter()
        .map(|p| RawPoint {
            value: p.value,
            label: p.label.into(),
            primary: p.primary,
        })
        .collect();
    PointList::parse(kind, field, &raw)
}

/// An update's list: `null` clears every value, a list replaces them.
pub fn points_change(
    kind: PointKind,
    field: &str,
    raw: MaybeUndefined<Vec<ContactPointInput>>,
) -> Result<Option<PointList>, Error> {
    match raw {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(PointList::default())),
        MaybeUndefined::Value(list) => parse_points(kind, field, list).map(Some),
    }
}

/// A postal address.
#[derive(SimpleObject, Clone, Debug)]
pub struct PostalAddress {
    pub street_lines: Vec<String>,
    pub city: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 code, such as `CN` or `DE`.
    pub country: Option<String>,
}

impl PostalAddress {
    /// The address, or `None` when it has no part.
    pub fn of(address: DomainAddress) -> Option<PostalAddress> {
        (!address.is_empty()).then_some(PostalAddress {
            street_lines: address.street_lines,
            city: address.city,
            state_province: address.state_province,
            postal_code: address.postal_code,
            country: address.country,
        })
    }
}

/// A postal address to store; blank parts are left out.
#[derive(InputObject, Clone, Debug, Default)]
pub struct PostalAddressInput {
    /// At most 4 lines, each one line of text.
    pub street_lines: Option<Vec<String>>,
    pub city: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2 code, such as `CN` or `DE` (any case).
    pub country: Option<String>,
}

impl PostalAddressInput {
    /// Validates every part.
    pub fn into_domain(self, field: &str) -> Result<DomainAddress, Error> {
        DomainAddress::parse(
            field,
            RawAddress {
                street_lines: self.street_lines.unwrap_or_default(),
                city: self.city,
                state_province: self.state_province,
                postal_code: self.postal_code,
                country: self.country,
            },
        )
    }
}

/// How a customer first found the workspace.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "crate::domain::customers::AcquisitionChannel")]
pub enum AcquisitionChannel {
    OrganicSearch,
    PaidSearch,
    Social,
    Email,
    Referral,
    Partner,
    Event,
    Direct,
    Advertising,
    Other,
}
