//! The catalog is complete: every message the sources pass to an error
//! constructor, and every value of every enum in the schema, has Chinese.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use super::*;

/// Error constructors whose message argument (by position) is checked.
/// `Forbidden` takes a permission name, shown as is inside a translated
/// sentence, so it is not a message.
const CONSTRUCTORS: &[(&str, usize)] = &[
    ("Error::validation(", 1),
    ("Error::conflict(", 0),
    ("Error::NotFound(", 0),
    ("Error::Unauthenticated(", 0),
    // Row problems of the customer and order imports.
    ("run.fail(", 2),
    ("self.fail(", 2),
    ("problems.add(", 2),
];

/// Reads a string literal starting at `at` (a `"`); returns its text and
/// the index after it.
fn string_literal(src: &[char], mut at: usize) -> (String, usize) {
    let mut text = String::new();
    at += 1;
    while at < src.len() {
        match src[at] {
            '\\' => {
                let next = src.get(at + 1).copied().unwrap_or('\\');
                at += 2;
                match next {
                    '\n' => {
                        while at < src.len() && src[at].is_whitespace() {
                            at += 1;
                        }
                    }
                    'n' => text.push('\n'),
                    't' => text.push('\t'),
                    other => text.push(other),
                }
            }
            '"' => return (text, at + 1),
            c => {
                text.push(c);
                at += 1;
            }
        }
    }
    (text, at)
}

/// The top-level arguments of a call whose `(` precedes `at`.
fn arguments(src: &[char], mut at: usize) -> Vec<String> {
    let mut args = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    while at < src.len() {
        match src[at] {
            '"' => {
                let (_, end) = string_literal(src, at);
                current.extend(&src[at..end]);
                at = end;
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(current.trim().to_owned());
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(current.trim().to_owned());
                current.clear();
                at += 1;
                continue;
            }
            _ => {}
        }
        current.push(src[at]);
        at += 1;
    }
    args
}

/// The template of a message argument: a literal as is, a `format!`
/// literal with each `{…}` as `{}`; `None` for anything else (a variable).
fn template_of(argument: &str) -> Option<String> {
    let chars: Vec<char> = argument.chars().collect();
    if argument.starts_with('"') {
        return Some(string_literal(&chars, 0).0);
    }
    let rest = argument.strip_prefix("format!(")?.trim_start();
    let offset = argument.len() - rest.len();
    if !rest.starts_with('"') {
        return None;
    }
    let start = argument[..offset].chars().count();
    let (format, _) = string_literal(&chars, start);
    let mut template = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                template.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                template.push('}');
            }
            '{' => {
                for inner in chars.by_ref() {
                    if inner == '}' {
                        break;
                    }
                }
                template.push_str("{}");
            }
            c => template.push(c),
        }
    }
    Some(template)
}

fn rust_files(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read the sources") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

/// Every message template passed to an error constructor in `api/src`.
fn message_templates() -> BTreeSet<String> {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut templates = BTreeSet::new();
    // This file names the constructors itself.
    files.retain(|f| !f.ends_with("i18n/tests.rs"));
    for file in files {
        let source = std::fs::read_to_string(&file).expect("read a source file");
        let chars: Vec<char> = source.chars().collect();
        for (call, position) in CONSTRUCTORS {
            for (byte, _) in source.match_indices(call) {
                let at = source[..byte].chars().count() + call.chars().count();
                let args = arguments(&chars, at);
                if let Some(template) = args.get(*position).and_then(|a| template_of(a)) {
                    templates.insert(template);
                }
            }
        }
    }
    templates
}

#[test]
fn every_error_message_in_the_sources_has_a_chinese_translation() {
    let templates = message_templates();
    // The scan itself works: known messages of several kinds are found.
    for known in [
        "must not be empty",
        "the customer was changed by someone else (you sent version {}, it is now at version {}); reload it and apply your change again",
        "customer",
        "sign in first",
        "`{}` is not a valid email address",
    ] {
        assert!(templates.contains(known), "the scan missed {known:?}");
    }
    let catalog: HashSet<&str> = messages::MESSAGES.iter().map(|(en, _)| *en).collect();
    let missing: Vec<&String> = templates
        .iter()
        .filter(|t| !catalog.contains(t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "add these messages to api/src/i18n/messages.rs: {missing:#?}"
    );
}

#[test]
fn the_catalog_has_one_entry_per_message_and_keeps_every_inserted_value() {
    let mut seen = HashSet::new();
    for (english, chinese) in messages::MESSAGES {
        assert!(seen.insert(*english), "{english:?} is in the catalog twice");
        assert!(!chinese.trim().is_empty(), "{english:?} has no translation");
        let wanted = english.matches("{}").count();
        let values: Vec<String> = (0..wanted).map(|i| format!("<{i}>")).collect();
        let filled = fill(chinese, &values);
        for value in &values {
            assert!(
                filled.contains(value.as_str()),
                "{chinese:?} drops a value of {english:?}"
            );
        }
    }
}

#[test]
fn messages_render_in_chinese_with_their_values_and_fields() {
    let conflict = crate::error::Error::conflict(
        "the customer was changed by someone else (you sent version 1, it is now at version 3); reload it and apply your change again",
        Some("version"),
    );
    let localized: async_graphql::Error = conflict.into();
    let parts = localized
        .source
        .as_ref()
        .and_then(|source| source.downcast_ref::<LocalizedError>())
        .expect("the parts travel with the error");
    assert_eq!(
        parts.message(Locale::ZhCn),
        "该客户已被他人修改（您发送的版本为 1，当前版本为 3）；请重新加载后再次修改"
    );
    assert_eq!(parts.message(Locale::En), localized.message);
    let not_found = LocalizedError::NotFound("customer".into());
    assert_eq!(not_found.message(Locale::ZhCn), "未找到客户");
    let invalid = LocalizedError::Validation {
        field: "customFields.tier".into(),
        message: "must be one of: gold, silver".into(),
    };
    assert_eq!(
        invalid.message(Locale::ZhCn),
        "customFields.tier：必须是以下之一：gold, silver"
    );
    // The most specific template wins; quoted values stay as given.
    assert_eq!(
        translate("must be at most 200 characters", Locale::ZhCn),
        "不能超过 200 个字符"
    );
    assert_eq!(
        translate("`text` is given twice", Locale::ZhCn),
        "`text` 重复给出"
    );
    assert_eq!(
        translate(
            "no exchange rate from USD to EUR is in force on 2026-01-05; set one with setExchangeRate (validFrom on or before 2026-01-05)",
            Locale::ZhCn
        ),
        "2026-01-05 没有从 USD 到 EUR 的有效汇率；请用 setExchangeRate 设置一个（validFrom 不晚于 2026-01-05）"
    );
    assert_eq!(
        translate("an unknown message", Locale::ZhCn),
        "an unknown message"
    );
}

#[test]
fn accept_language_picks_the_best_supported_language() {
    assert_eq!(
        Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
        Some(Locale::ZhCn)
    );
    assert_eq!(
        Locale::from_accept_language("fr-FR, en;q=0.5, zh;q=0.7"),
        Some(Locale::ZhCn)
    );
    assert_eq!(
        Locale::from_accept_language("en-US,en;q=0.9"),
        Some(Locale::En)
    );
    assert_eq!(Locale::from_accept_language("zh-TW, fr"), None);
    assert_eq!(Locale::from_accept_language("zh;q=0, en"), Some(Locale::En));
    assert_eq!(Locale::from_tag("zh-Hans"), Some(Locale::ZhCn));
}

#[test]
fn every_value_of_every_public_enum_has_both_labels() {
    let sdl = crate::graphql::build_schema(&crate::config::GraphqlLimits::default()).sdl();
    let mut enums = 0;
    let mut missing = Vec::new();
    let mut lines = sdl.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line
            .strip_prefix("enum ")
            .and_then(|rest| rest.strip_suffix(" {"))
        else {
            continue;
        };
        enums += 1;
        let mut in_description = false;
        for value in lines.by_ref() {
            let value = value.trim();
            if in_description {
                in_description = !value.ends_with("\"\"\"");
                continue;
            }
            if value == "}" {
                break;
            }
            if let Some(rest) = value.strip_prefix("\"\"\"") {
                in_description = !rest.contains("\"\"\"");
                continue;
            }
            if value.is_empty() || value.starts_with('"') || value.starts_with('#') {
                continue;
            }
            let value = value.split_whitespace().next().unwrap_or(value);
            let en = enum_label(name, value, Locale::En).filter(|l| !l.trim().is_empty());
            let zh = enum_label(name, value, Locale::ZhCn).filter(|l| !l.trim().is_empty());
            if en.is_none() || zh.is_none() {
                missing.push(format!("{name}.{value}"));
            }
        }
    }
    assert!(enums >= 20, "the schema's enums were not found ({enums})");
    assert!(
        missing.is_empty(),
        "add labels to api/src/i18n/enum_labels.rs for: {missing:#?}"
    );
}

#[test]
fn every_catalog_message_renders_with_its_own_translation() {
    // No other (less specific) template takes a message over.
    for (english, chinese) in messages::MESSAGES {
        let values = vec!["7".to_owned(); english.matches("{}").count()];
        let text = english.replace("{}", "7");
        assert_eq!(
            translate(&text, Locale::ZhCn),
            fill(chinese, &values),
            "{text:?}"
        );
    }
    // Record kinds and stage kinds inside other messages.
    assert_eq!(
        LocalizedError::NotFound("default pipeline".into()).message(Locale::ZhCn),
        "未找到默认销售管道"
    );
    assert_eq!(
        translate(
            "deals in a WON stage move to another WON stage",
            Locale::ZhCn
        ),
        "类型为 WON 的阶段中的商机只能移至另一个类型为 WON 的阶段"
    );
    assert_eq!(
        translate("line 3: a quoted field is not closed", Locale::ZhCn),
        "第 3 行：带引号的字段未闭合"
    );
}
