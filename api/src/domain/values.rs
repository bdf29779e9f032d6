//! Validated values shared by every area: parsed once at the boundary, so the
//! inside never sees an invalid one. Each parser names the field it checks.

use crate::error::{Error, Result};

/// ISO 4217 currency codes in use.
const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

/// Languages the product speaks.
pub const LOCALES: &[&str] = &["en", "zh-CN"];

/// Trimmed, non-empty text of at most `max` characters without control characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String> {
    optional_text(field, raw, max)?.ok_or_else(|| Error::validation(field, "must not be empty"))
}

/// Like [`optional_text`], but on one line: for the values of lists that a
/// CSV cell may hold one per line (tags, street lines).
pub fn one_line_text(field: &str, raw: &str, max: usize) -> Result<Option<String>> {
    let text = optional_text(field, raw, max)?;
    if text.as_deref().is_some_and(|t| t.contains('\n')) {
        return Err(Error::validation(field, "must be a single line"));
    }
    Ok(text)
}

/// Like [`required_text`], but blank input means "no value".
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<Option<String>> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(Error::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// An email address in its usual `local@domain.tld` form (trimmed).
pub fn email(field: &str, raw: &str) -> Result<String> {
    let text = raw.trim();
    let invalid = || {
        Error::validation(
            field,
            format!("`{}` is not a valid email address", truncate(text)),
        )
    };
    if text.len() > 254 || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let (local, domain) = text.split_once('@').ok_or_else(invalid)?;
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return Err(invalid());
    }
    let labels: Vec<&str> = domain.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic));
    if labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(invalid());
    }
    Ok(text.to_owned())
}

/// A phone number as people write it: digits with `+ - ( ) . /` spaces and an
/// optional extension; 3 to 20 digits.
pub fn phone(field: &str, raw: &str) -> Result<String> {
    let text = raw.trim();
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let allowed = text.chars().all(|c| {
        c.is_ascii_digit() || matches!(c, '+' | '-' | '(' | ')' | '.' | '/' | ' ' | 'x' | 'X' | '#')
    });
    if !allowed || !(3..=20).contains(&digits) || text.len() > 40 {
        return Err(Error::validation(
            field,
            format!("`{}` is not a valid phone number", truncate(text)),
        ));
    }
    Ok(text.to_owned())
}

/// An `http` or `https` web address.
pub fn url(field: &str, raw: &str) -> Result<String> {
    let text = raw.trim();
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if text.len() > 2048
        || host.is_empty()
        || !host.contains('.')
        || text.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::validation(
            field,
            format!("`{}` is not a valid web address", truncate(text)),
        ));
    }
    Ok(if rest.len() == text.len() {
        format!("https://{text}")
    } else {
        text.to_owned()
    })
}

/// An ISO 4217 currency code, upper case.
pub fn currency(field: &str, raw: &str) -> Result<String> {
    let code = raw.trim().to_ascii_uppercase();
    if CURRENCIES.binary_search(&code.as_str()).is_ok() {
        Ok(code)
    } else {
        Err(Error::validation(
            field,
            format!("`{}` is not an ISO 4217 currency code", truncate(raw)),
        ))
    }
}

/// One of the product's languages (`en`, `zh-CN`); `zh`, `zh-Hans` mean `zh-CN`.
pub fn locale(field: &str, raw: &str) -> Result<String> {
    let normalized = match raw.trim().to_ascii_lowercase().as_str() {
        "en" | "en-us" | "en-gb" => "en",
        "zh" | "zh-cn" | "zh-hans" | "zh-hans-cn" => "zh-CN",
        _ => {
            return Err(Error::validation(
                field,
                format!("must be one of {}", LOCALES.join(", ")),
            ))
        }
    };
    Ok(normalized.to_owned())
}

/// Caps echoed input so error messages stay short.
fn truncate(text: &str) -> String {
    if text.chars().count() > 64 {
        format!("{}…", text.chars().take(64).collect::<String>())
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_sorted_for_binary_search() {
        assert!(CURRENCIES.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(currency("c", "cny").unwrap(), "CNY");
        assert!(currency("c", "XYZ").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email("e", "  ann@example.com ").unwrap(), "ann@example.com");
        assert!(email("e", "王@例子.中国").is_ok());
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@@example.com",
            "ann@-x.com",
        ] {
            assert!(email("e", bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn phones() {
        assert!(phone("p", "+86 (10) 6552-9988 x12").is_ok());
        assert!(phone("p", "12").is_err());
        assert!(phone("p", "call me").is_err());
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("n", "  Acme ", 10).unwrap(), "Acme");
        assert!(required_text("n", "   ", 10).is_err());
        assert!(required_text("n", "abcdefghijk", 10).is_err());
        assert_eq!(optional_text("n", " ", 10).unwrap(), None);
        assert!(required_text("n", "a\u{0}b", 10).is_err());
    }

    #[test]
    fn urls_get_a_scheme() {
        assert_eq!(url("w", "acme.com").unwrap(), "https://acme.com");
        assert_eq!(url("w", "http://acme.com/x").unwrap(), "http://acme.com/x");
        assert!(url("w", "not a url").is_err());
    }
}
