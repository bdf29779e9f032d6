//! Postal addresses: street lines, city, state or province, postal code and
//! an ISO 3166-1 alpha-2 country, checked once at the boundary.

use serde_json::{json, Value as JsonValue};

use super::values;
use crate::error::{Error, Result};

/// Most street lines, and the longest line or other part.
pub const MAX_STREET_LINES: usize = 4;
pub const MAX_PART_CHARS: usize = 100;

/// ISO 3166-1 alpha-2 country codes, sorted for binary search.
const COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// A validated postal address; every part may be missing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostalAddress {
    pub street_lines: Vec<String>,
    pub city: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
}

/// An address as a client sent it.
#[derive(Clone, Debug, Default)]
pub struct RawAddress {
    pub street_lines: Vec<String>,
    pub city: Option<String>,
    pub state_province: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// An ISO 3166-1 alpha-2 country code (any case), upper case.
pub fn country(field: &str, raw: &str) -> Result<String> {
    let code = raw.trim().to_ascii_uppercase();
    if COUNTRIES.binary_search(&code.as_str()).is_ok() {
        Ok(code)
    } else {
        Err(Error::validation(
            field,
            "is not an ISO 3166-1 alpha-2 country code such as `CN` or `DE`",
        ))
    }
}

impl PostalAddress {
    /// Validates every part; `field` is where the address sits (`address`).
    /// Blank parts and blank street lines are dropped.
    pub fn parse(field: &str, raw: RawAddress) -> Result<PostalAddress> {
        let part = |name: &str, value: Option<String>| -> Result<Option<String>> {
            value
                .map(|v| values::optional_text(&format!("{field}.{name}"), &v, MAX_PART_CHARS))
                .transpose()
                .map(Option::flatten)
        };
        let mut street_lines = Vec::new();
        for (i, line) in raw.street_lines.iter().enumerate() {
            if let Some(line) =
                values::one_line_text(&format!("{field}.streetLines[{i}]"), line, MAX_PART_CHARS)?
            {
                street_lines.push(line);
            }
        }
        if street_lines.len() > MAX_STREET_LINES {
            return Err(Error::validation(
                format!("{field}.streetLines"),
                format!("at most {MAX_STREET_LINES} lines"),
            ));
        }
        let country = match raw.country.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(country(&format!("{field}.country"), code)?),
        };
        Ok(PostalAddress {
            street_lines,
            city: part("city", raw.city)?,
            state_province: part("stateProvince", raw.state_province)?,
            postal_code: part("postalCode", raw.postal_code)?,
            country,
        })
    }

    /// Whether no part has a value.
    pub fn is_empty(&self) -> bool {
        self == &PostalAddress::default()
    }

    /// The address as history and the API show it (null when empty).
    pub fn to_json(&self) -> JsonValue {
        if self.is_empty() {
            return JsonValue::Null;
        }
        json!({
            "streetLines": self.street_lines,
            "city": self.city,
            "stateProvince": self.state_province,
            "postalCode": self.postal_code,
            "country": self.country,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_sorted_and_checked() {
        assert!(COUNTRIES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(country("c", " cn ").unwrap(), "CN");
        assert!(country("c", "XX").is_err());
        assert!(country("c", "CHN").is_err());
    }

    #[test]
    fn blank_parts_are_dropped() {
        let address = PostalAddress::parse(
            "address",
            RawAddress {
                street_lines: vec!["1 Main St".into(), " ".into()],
                city: Some(" ".into()),
                country: Some("de".into()),
                ..RawAddress::default()
            },
        )
        .unwrap();
        assert_eq!(address.street_lines, vec!["1 Main St".to_owned()]);
        assert_eq!(address.city, None);
        assert_eq!(address.country.as_deref(), Some("DE"));
        assert!(PostalAddress::parse("address", RawAddress::default())
            .unwrap()
            .is_empty());
    }
}
