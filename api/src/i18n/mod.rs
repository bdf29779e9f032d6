//! Languages: error messages and enum labels in English and Simplified
//! Chinese.
//!
//! Messages are written in English in the code. [`crate::error::Error`]
//! keeps the parts of its message ([`LocalizedError`]) on the GraphQL error
//! it becomes, and the GraphQL endpoint, the one place responses are made,
//! renders them in the caller's language ([`RequestLocale`]); codes and
//! `field` never change, only `message`. The rendering looks the English
//! message up in the catalog ([`messages::MESSAGES`]) by template, where
//! `{}` stands for an inserted value, and inserts the values into the
//! Chinese template; inserted values that are catalog messages themselves
//! (such as the record kind of `customer not found`) are translated too,
//! unless the template quotes them in backticks (names, input).
//!
//! The caller's language: a signed-in user's own setting (`users.locale`,
//! set at sign-up or with `updateMyProfile`) wins, because browsers send
//! `Accept-Language` whether or not the person chose it; API keys and
//! anonymous callers get the best supported language of `Accept-Language`;
//! otherwise English.

pub mod enum_labels;
pub mod messages;

use tokio::sync::OnceCell;
use uuid::Uuid;

/// A language the product speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    En,
    ZhCn,
}

impl Locale {
    /// A stored or requested tag (`en`, `zh-CN`, `zh`, `zh-Hans`, …), if supported.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        match parts.next()? {
            "en" => Some(Locale::En),
            // Simplified Chinese only: Traditional scripts and regions are not spoken.
            "zh" => match parts.next() {
                None | Some("cn" | "hans" | "sg" | "my") => Some(Locale::ZhCn),
                Some(_) => None,
            },
            _ => None,
        }
    }

    /// The best supported language of an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut ranges: Vec<(f32, usize, Locale)> = header
            .split(',')
            .enumerate()
            .filter_map(|(i, range)| {
                let mut parts = range.split(';');
                let locale = Locale::from_tag(parts.next()?)?;
                let quality = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
                (quality > 0.0).then_some((quality, i, locale))
            })
            .collect();
        ranges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        ranges.first().map(|r| r.2)
    }
}

/// The parts of an error message, kept on the GraphQL error so that the
/// endpoint can render it in the caller's language.
#[derive(Clone, Debug)]
pub enum LocalizedError {
    Unauthenticated(String),
    Forbidden(String),
    NotFound(String),
    Validation { field: String, message: String },
    Conflict(String),
    RateLimited(u64),
    Unavailable,
    Internal,
}

impl LocalizedError {
    /// The message in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        let t = |text: &str| translate(text, locale);
        match self {
            LocalizedError::Unauthenticated(message) | LocalizedError::Conflict(message) => {
                t(message)
            }
            LocalizedError::Forbidden(permission) => {
                t(&format!("this action needs the `{permission}` permission"))
            }
            LocalizedError::NotFound(what) => t(&format!("{what} not found")),
            LocalizedError::Validation { field, message } => match locale {
                Locale::En => format!("{field}: {message}"),
                Locale::ZhCn => format!("{field}：{}", t(message)),
            },
            LocalizedError::RateLimited(secs) => {
                t(&format!("rate limit exceeded; retry in {secs} s"))
            }
            LocalizedError::Unavailable => {
                t("the database is unavailable for a moment; try again shortly")
            }
            LocalizedError::Internal => t("internal error"),
        }
    }
}

/// `text` (an English message) in `locale`; unchanged when English or when
/// no catalog template matches.
pub fn translate(text: &str, locale: Locale) -> String {
    if locale == Locale::En {
        return text.to_owned();
    }
    // (literal characters matched, Chinese template, inserted values)
    let mut best: Option<(usize, &str, Values)> = None;
    for (english, chinese) in messages::MESSAGES {
        if let Some(values) = match_template(english, text) {
            let literal = english.len() - 2 * values.len();
            if best.as_ref().is_none_or(|(len, _, _)| literal > *len) {
                best = Some((literal, chinese, values));
            }
        }
    }
    match best {
        Some((_, chinese, values)) => {
            // Values quoted in backticks are names or input: kept as they are.
            let values: Vec<String> = values
                .into_iter()
                .map(|(v, quoted)| {
                    if quoted {
                        v.to_owned()
                    } else {
                        translate(v, locale)
                    }
                })
                .collect();
            fill(chinese, &values)
        }
        None => text.to_owned(),
    }
}

/// The values `{}` stands for in a message, each with whether the template
/// quotes it in backticks.
type Values<'a> = Vec<(&'a str, bool)>;

/// The values `{}` stands for when `text` matches `template`, else `None`.
fn match_template<'a>(template: &str, text: &'a str) -> Option<Values<'a>> {
    let segments: Vec<&str> = template.split("{}").collect();
    if segments.len() == 1 {
        return (template == text).then(Vec::new);
    }
    let first = segments[0];
    let last = segments[segments.len() - 1];
    if text.len() < first.len() + last.len() || !text.starts_with(first) || !text.ends_with(last) {
        return None;
    }
    let inner = &text[first.len()..text.len() - last.len()];
    let mut values = Vec::with_capacity(segments.len() - 1);
    let mut rest = inner;
    for (i, segment) in segments[1..segments.len() - 1].iter().enumerate() {
        let at = rest.find(segment)?;
        values.push((&rest[..at], segments[i].ends_with('`')));
        rest = &rest[at + segment.len()..];
    }
    values.push((rest, segments[segments.len() - 2].ends_with('`')));
    Some(values)
}

/// Inserts `values` into a template: `{}` takes the next one, `{N}` the N-th.
fn fill(template: &str, values: &[String]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut next = 0;
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if after[..close].chars().all(|c| c.is_ascii_digit()) => {
                let index = if close == 0 {
                    next += 1;
                    next - 1
                } else {
                    after[..close].parse().unwrap_or(usize::MAX)
                };
                out.push_str(values.get(index).map_or("", String::as_str));
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// An enum value's label in `locale`, if the enum and value are known.
pub fn enum_label(enum_name: &str, value: &str, locale: Locale) -> Option<&'static str> {
    enum_labels::ENUM_LABELS
        .iter()
        .find(|(e, v, _, _)| *e == enum_name && *v == value)
        .map(|(_, _, en, zh)| match locale {
            Locale::En => *en,
            Locale::ZhCn => *zh,
        })
}

/// Every value of `enum_name` with its label in `locale`, in catalog order.
pub fn enum_labels(enum_name: &str, locale: Locale) -> Vec<(&'static str, &'static str)> {
    enum_labels::ENUM_LABELS
        .iter()
        .filter(|(e, _, _, _)| *e == enum_name)
        .map(|(_, v, en, zh)| {
            (
                *v,
                match locale {
                    Locale::En => *en,
                    Locale::ZhCn => *zh,
                },
            )
        })
        .collect()
}

/// How the language of one request is decided; the user's setting is read
/// at most once, and only when something needs it (an error or a label).
pub struct RequestLocale {
    /// From `Accept-Language`.
    header: Option<Locale>,
    /// The signed-in user (not an API key), whose setting wins.
    user_id: Option<Uuid>,
    db: sea_orm::DatabaseConnection,
    resolved: OnceCell<Locale>,
}

impl RequestLocale {
    /// The deciding inputs of a request.
    pub fn new(
        header: Option<Locale>,
        user_id: Option<Uuid>,
        db: sea_orm::DatabaseConnection,
    ) -> Self {
        RequestLocale {
            header,
            user_id,
            db,
            resolved: OnceCell::new(),
        }
    }

    /// The request's language (see the module documentation). A failure to
    /// read the user's setting falls back to the header: a message is
    /// still better in some language than none.
    pub async fn get(&self) -> Locale {
        *self
            .resolved
            .get_or_init(|| async {
                if let Some(user_id) = self.user_id {
                    if let Ok(Some(tag)) =
                        crate::domain::identity::user_locale(&self.db, user_id).await
                    {
                        if let Some(locale) = Locale::from_tag(&tag) {
                            return locale;
                        }
                    }
                }
                self.header.unwrap_or_default()
            })
            .await
    }
}

#[cfg(test)]
mod tests;
