//! CSV as RFC 4180 describes it, for customer import and export.
//!
//! Reading accepts what spreadsheets write: fields separated by commas,
//! records by CRLF or LF, quoted fields with embedded commas, line breaks and
//! doubled quotes, and a leading UTF-8 byte-order mark. Entirely empty lines
//! are skipped. Writing quotes a field only when it must, doubles its quotes
//! and ends every record with CRLF.
//!
//! Cells a spreadsheet would run as a formula (starting with `=`, `+`, `-`,
//! `@`, tab or carriage return: CSV injection, as OWASP describes it) are
//! exported with a leading `'` ([`guard_formula`]), which spreadsheets show
//! as text; import takes exactly that quote off again ([`unguard_formula`]),
//! so an exported file imports back unchanged.

use std::borrow::Cow;

/// A malformed CSV document, with the physical line where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct CsvError {
    /// 1-based line of the input (counting line breaks inside quoted fields).
    pub line: u64,
    pub message: &'static str,
}

/// Reads records one by one from a whole document.
#[derive(Clone)]
pub struct Reader<'a> {
    rest: &'a str,
    line: u64,
    failed: bool,
}

impl<'a> Reader<'a> {
    /// A reader over `text`; a leading byte-order mark is dropped.
    pub fn new(text: &'a str) -> Self {
        Reader {
            rest: text.strip_prefix('\u{feff}').unwrap_or(text),
            line: 1,
            failed: false,
        }
    }

    /// A reader over bytes that must be UTF-8 (with or without a BOM).
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, CsvError> {
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(text)),
            Err(err) => {
                let line = 1 + bytes[..err.valid_up_to()]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                Err(CsvError {
                    line,
                    message: "the file is not UTF-8 text (save it as CSV UTF-8)",
                })
            }
        }
    }

    /// The line the next record starts on.
    pub fn line(&self) -> u64 {
        self.line
    }

    fn error(&mut self, message: &'static str) -> Option<Result<Vec<String>, CsvError>> {
        self.failed = true;
        Some(Err(CsvError {
            line: self.line,
            message,
        }))
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Vec<String>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        // Skip empty lines between records.
        loop {
            if let Some(rest) = self.rest.strip_prefix("\r\n") {
                self.rest = rest;
            } else if let Some(rest) = self.rest.strip_prefix('\n') {
                self.rest = rest;
            } else {
                break;
            }
            self.line += 1;
        }
        if self.rest.is_empty() {
            return None;
        }
        let mut record = Vec::new();
        let mut field = String::new();
        let mut chars = self.rest.char_indices().peekable();
        let mut quoted = false;
        let mut after_quote = false;
        let mut at_field_start = true;
        let mut lines_in_record = 0u64;
        let mut end = self.rest.len();
        let mut ended_by_newline = false;
        while let Some((i, c)) = chars.next() {
            if quoted {
                match c {
                    '"' => {
                        if chars.peek().is_some_and(|(_, n)| *n == '"') {
                            chars.next();
                            field.push('"');
                        } else {
                            quoted = false;
                            after_quote = true;
                        }
                    }
                    '\n' => {
                        lines_in_record += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                ',' => {
                    record.push(std::mem::take(&mut field));
                    after_quote = false;
                    at_field_start = true;
                    continue;
                }
                '\n' => {
                    end = i + 1;
                    ended_by_newline = true;
                    break;
                }
                '\r' if chars.peek().is_some_and(|(_, n)| *n == '\n') => {
                    chars.next();
                    end = i + 2;
                    ended_by_newline = true;
                    break;
                }
                _ if after_quote => {
                    self.line += lines_in_record;
                    return self.error("a quoted field must end at a comma or a line break");
                }
                '"' if at_field_start => quoted = true,
                _ => field.push(c),
            }
            at_field_start = false;
        }
        if quoted {
            return self.error("a quoted field is not closed");
        }
        record.push(field);
        self.rest = &self.rest[end..];
        self.line += lines_in_record + u64::from(ended_by_newline);
        Some(Ok(record))
    }
}

/// Appends one record to `out`, quoting fields that need it, ending with CRLF.
pub fn write_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// Appends one field: quoted when it holds a comma, quote, line break or
/// leading or trailing space, with its quotes doubled.
pub fn write_field(out: &mut String, value: &str) {
    let needs_quotes =
        value.contains([',', '"', '\r', '\n']) || value.starts_with(' ') || value.ends_with(' ');
    if needs_quotes {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// First characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether [`guard_formula`] quotes `value`: it starts with a formula
/// character, or with quotes followed by one (so that a value that really
/// starts with `'=` keeps its quote through export and import).
fn needs_guard(value: &str) -> bool {
    value.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// The cell to export for `value`: `'` in front when a spreadsheet would
/// otherwise run it as a formula.
pub fn guard_formula(value: &str) -> Cow<'_, str> {
    if needs_guard(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value an imported `cell` stands for: without the `'` that
/// [`guard_formula`] adds (a cell of `'` followed by a formula character),
/// else the cell as it is (`'quoted` stays `'quoted`).
pub fn unguard_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<Vec<String>> {
        Reader::new(text)
            .collect::<Result<Vec<_>, _>>()
            .expect("valid CSV")
    }

    fn rec(fields: &[&str]) -> Vec<String> {
        fields.iter().map(|f| (*f).to_owned()).collect()
    }

    #[test]
    fn plain_records_with_lf_or_crlf_and_no_final_break() {
        assert_eq!(
            read("a,b,c\r\n1,2,3\n4,5,6"),
            vec![
                rec(&["a", "b", "c"]),
                rec(&["1", "2", "3"]),
                rec(&["4", "5", "6"])
            ]
        );
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        assert_eq!(
            read("name,note\r\n\"Acme, Inc.\",\"say \"\"hi\"\"\r\nthen go\"\r\n"),
            vec![
                rec(&["name", "note"]),
                rec(&["Acme, Inc.", "say \"hi\"\r\nthen go"])
            ]
        );
    }

    #[test]
    fn empty_fields_and_empty_quoted_fields() {
        assert_eq!(read(",\"\",x,\n"), vec![rec(&["", "", "x", ""])]);
    }

    #[test]
    fn byte_order_mark_is_dropped_and_utf8_kept() {
        assert_eq!(
            read("\u{feff}名称,城市\n北京科技有限公司,上海"),
            vec![rec(&["名称", "城市"]), rec(&["北京科技有限公司", "上海"])]
        );
    }

    #[test]
    fn empty_lines_are_skipped_and_lines_counted() {
        let mut reader = Reader::new("a\n\n\"x\ny\"\r\n\r\nb\n");
        assert_eq!(reader.next(), Some(Ok(rec(&["a"]))));
        assert_eq!(reader.line(), 2);
        assert_eq!(reader.next(), Some(Ok(rec(&["x\ny"]))));
        assert_eq!(reader.next(), Some(Ok(rec(&["b"]))));
        assert_eq!(reader.line(), 7);
        assert_eq!(reader.next(), None);
    }

    #[test]
    fn a_quote_inside_an_unquoted_field_is_text() {
        assert_eq!(read("5\" screen,x"), vec![rec(&["5\" screen", "x"])]);
    }

    #[test]
    fn malformed_quotes_are_errors_with_their_line() {
        let err = Reader::new("a\n\"open,b\nc")
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err();
        assert_eq!(err.message, "a quoted field is not closed");
        let err = Reader::new("a\n\"x\"y,b\n")
            .collect::<Result<Vec<_>, _>>()
            .unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let err = Reader::from_bytes(b"a\n\xff\xfe").err().expect("an error");
        assert_eq!(err.line, 2);
    }

    #[test]
    fn formula_cells_are_guarded_and_unguarded() {
        for (value, cell) in [
            (
                "=HYPERLINK(\"https://evil.example\")",
                "'=HYPERLINK(\"https://evil.example\")",
            ),
            ("+1 555 0100", "'+1 555 0100"),
            ("-5", "'-5"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=already quoted", "''=already quoted"),
            ("''+twice", "'''+twice"),
            ("'quoted", "'quoted"),
            ("'", "'"),
            ("plain = text", "plain = text"),
            ("", ""),
        ] {
            assert_eq!(guard_formula(value), cell, "{value}");
            assert_eq!(unguard_formula(cell), value, "{cell}");
        }
        // A quote before a formula character, as spreadsheets write text.
        assert_eq!(unguard_formula("'=1+1"), "=1+1");
        assert_eq!(unguard_formula("'-"), "-");
    }

    #[test]
    fn writing_quotes_only_what_needs_it_and_reads_back() {
        let fields = [
            "plain",
            "a,b",
            "say \"hi\"",
            "two\nlines",
            " padded ",
            "",
            "深圳市腾讯",
        ];
        let mut out = String::new();
        write_record(&mut out, &fields);
        assert_eq!(
            out,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded \",,深圳市腾讯\r\n"
        );
        assert_eq!(read(&out), vec![rec(&fields)]);
    }
}
