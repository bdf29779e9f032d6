//! The texts of campaign steps: a subject and body per language (`en`,
//! `zh-CN`) with `{{…}}` merge fields, checked when saved and filled per
//! member when the step runs.

use crate::domain::stored::stored_enum;
use crate::domain::values;
use crate::error::{Error, Result};

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 300;
/// Longest body, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

stored_enum! {
    /// A language a step's text is written in.
    pub enum TextLanguage ("campaign step text language") {
        En = "en",
        ZhCn = "zh-CN",
    }
}

impl TextLanguage {
    /// The text language for a contact's `language` (`zh`, `zh-CN`,
    /// `zh_Hans`, … read as Chinese; anything else, or none, as English).
    pub fn for_contact(language: Option<&str>) -> TextLanguage {
        match language {
            Some(l) if l.trim().to_ascii_lowercase().starts_with("zh") => TextLanguage::ZhCn,
            _ => TextLanguage::En,
        }
    }
}

/// The merge fields a text may use.
pub const MERGE_FIELDS: &[&str] = &["contact.name", "customer.name", "campaign.name"];

/// A step's text in one language, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepText {
    pub language: TextLanguage,
    pub subject: String,
    pub body: String,
}

/// The values the merge fields of one member stand for.
#[derive(Clone, Debug)]
pub struct MergeValues<'a> {
    pub contact_name: &'a str,
    pub customer_name: &'a str,
    pub campaign_name: &'a str,
}

impl StepText {
    /// Checks a text: subject and body present and not too long, every
    /// merge field known (else a `VALIDATION` error on `field.subject` or
    /// `field.body` naming it).
    pub fn new(field: &str, language: TextLanguage, subject: &str, body: &str) -> Result<Self> {
        let subject =
            values::required_text(&format!("{field}.subject"), subject, MAX_SUBJECT_CHARS)?;
        let body = values::required_text(&format!("{field}.body"), body, MAX_BODY_CHARS)?;
        check_fields(&format!("{field}.subject"), &subject)?;
        check_fields(&format!("{field}.body"), &body)?;
        Ok(StepText {
            language,
            subject,
            body,
        })
    }

    /// The subject and body with the member's values filled in.
    pub fn fill(&self, values: &MergeValues<'_>) -> (String, String) {
        (fill(&self.subject, values), fill(&self.body, values))
    }
}

/// Checks a list of texts: one per language at most, English among them.
pub fn check_languages(texts: &[StepText]) -> Result<()> {
    for (i, text) in texts.iter().enumerate() {
        if texts[..i].iter().any(|t| t.language == text.language) {
            return Err(Error::validation(
                format!("texts[{i}].language"),
                format!("a text in {} is given already", text.language.as_str()),
            ));
        }
    }
    if !texts.iter().any(|t| t.language == TextLanguage::En) {
        return Err(Error::validation(
            "texts",
            "give an English (en) text; it is sent to contacts of other languages",
        ));
    }
    Ok(())
}

/// The text for `language`, else the English one.
pub fn choose(texts: &[StepText], language: TextLanguage) -> Option<&StepText> {
    texts
        .iter()
        .find(|t| t.language == language)
        .or_else(|| texts.iter().find(|t| t.language == TextLanguage::En))
}

/// The merge fields of `text` in order: `(start, end, name)` of each
/// `{{ name }}`; `Err(start)` for a `{{` never closed.
fn merge_fields(
    text: &str,
) -> impl Iterator<Item = std::result::Result<(usize, usize, &str), usize>> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let start = at + text[at..].find("{{")?;
        let Some(len) = text[start + 2..].find("}}") else {
            at = text.len();
            return Some(Err(start));
        };
        let end = start + 2 + len + 2;
        at = end;
        Some(Ok((start, end, text[start + 2..end - 2].trim())))
    })
}

fn check_fields(field: &str, text: &str) -> Result<()> {
    for found in merge_fields(text) {
        match found {
            Err(_) => {
                return Err(Error::validation(
                    field,
                    "a merge field is opened with two braces and not closed",
                ))
            }
            Ok((_, _, name)) if !MERGE_FIELDS.contains(&name) => {
                return Err(Error::validation(
                    field,
                    format!(
                        "unknown merge field `{name}`; use {}",
                        MERGE_FIELDS.join(", ")
                    ),
                ))
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

fn fill(text: &str, values: &MergeValues<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end, name) in merge_fields(text).flatten() {
        out.push_str(&text[copied..start]);
        out.push_str(match name {
            "contact.name" => values.contact_name,
            "customer.name" => values.customer_name,
            "campaign.name" => values.campaign_name,
            _ => &text[start..end],
        });
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(subject: &str, body: &str) -> Result<StepText> {
        StepText::new("texts[0]", TextLanguage::En, subject, body)
    }

    #[test]
    fn merge_fields_are_filled() {
        let t = text(
            "Hi {{ contact.name }}",
            "{{customer.name}} and {{campaign.name}}!",
        )
        .unwrap();
        let values = MergeValues {
            contact_name: "Ann",
            customer_name: "Acme",
            campaign_name: "Spring",
        };
        assert_eq!(
            t.fill(&values),
            ("Hi Ann".to_owned(), "Acme and Spring!".to_owned())
        );
    }

    #[test]
    fn unknown_or_open_fields_are_refused_by_field() {
        match text("Hi", "Dear {{contact.title}}") {
            Err(Error::Validation { field, message }) => {
                assert_eq!(field, "texts[0].body");
                assert!(message.contains("`contact.title`"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            text("Hi {{contact.name", "x"),
            Err(Error::Validation { field, .. }) if field == "texts[0].subject"
        ));
    }

    #[test]
    fn languages_fall_back_to_english() {
        let en = text("Hello", "x").unwrap();
        let zh = StepText::new("t", TextLanguage::ZhCn, "你好", "x").unwrap();
        let both = [en.clone(), zh.clone()];
        assert_eq!(TextLanguage::for_contact(Some("zh-CN")), TextLanguage::ZhCn);
        assert_eq!(TextLanguage::for_contact(Some("de")), TextLanguage::En);
        assert_eq!(choose(&both, TextLanguage::ZhCn), Some(&zh));
        assert_eq!(
            choose(std::slice::from_ref(&en), TextLanguage::ZhCn),
            Some(&en)
        );
        assert!(check_languages(std::slice::from_ref(&zh)).is_err());
        assert!(check_languages(&[en.clone(), en]).is_err());
    }
}
