//! Generators of hostile input: GraphQL documents (token soup and webs of
//! fragments spreading each other), request bodies and CSV text, for the
//! property tests and the fuzzing run against a live server (`bench/`).
//! Seeded, so any failure repeats.

use rand::rngs::StdRng;
use rand::Rng;

/// Pieces of GraphQL text, valid and not, that documents are made of.
pub const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "...",
    "...F0",
    "...F1",
    "...F2",
    "fragment F0 on Query",
    "fragment F1 on Query",
    "fragment F2 on Query",
    "on",
    "query",
    "mutation",
    "subscription",
    "Q",
    "a",
    "b",
    "customer",
    "__schema",
    "__type",
    "__typename",
    "@include(if: true)",
    "@skip(if: $v)",
    ":",
    "x:",
    "y:",
    "$v",
    "$v: Int",
    "\"s\"",
    "\"\"\"block\"\"\"",
    "1",
    "-2.5e3",
    "true",
    "null",
    "ENUM",
    ",",
    "=",
    "!",
    "&",
    "|",
    "#c\n",
    "\u{feff}",
    "\u{0}",
    "é",
];

/// Up to 80 of [`TOKENS`] in a row: mostly not GraphQL, sometimes nearly.
pub fn document(rng: &mut StdRng) -> String {
    let n = rng.gen_range(0..80);
    (0..n)
        .map(|_| TOKENS[rng.gen_range(0..TOKENS.len())])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A well-formed document whose fragments spread each other at random
/// (cycles, fan-out, unknown names), the shape that once cost seconds.
pub fn fragment_web(rng: &mut StdRng) -> String {
    let count = rng.gen_range(1..16);
    let mut doc = format!("query Q {{ ...F{} }}", rng.gen_range(0..count + 1));
    for i in 0..count {
        let spreads: String = (0..rng.gen_range(0..6))
            .map(|_| format!(" ...F{}", rng.gen_range(0..count + 2)))
            .collect();
        doc.push_str(&format!(
            " fragment F{i} on Query {{ a{spreads} b {{ c }} }}"
        ));
    }
    doc
}

/// A JSON-ish request body built from pieces of the GraphQL-over-HTTP shape.
pub fn body(rng: &mut StdRng) -> String {
    let pieces: &[&str] = &[
        "{",
        "}",
        "[",
        "]",
        "\"query\"",
        "\"variables\"",
        "\"operationName\"",
        "\"extensions\"",
        ":",
        ",",
        "null",
        "1",
        "\"{ a }\"",
        "{}",
        "[]",
        "\"\\u0000\"",
        "true",
        "\"x\"",
        "1e999",
    ];
    (0..rng.gen_range(0..24))
        .map(|_| pieces[rng.gen_range(0..pieces.len())])
        .collect()
}

/// Characters that make CSV hard: separators, quotes, line breaks, formula
/// starters, a byte-order mark.
pub const CSV_CHARS: &[char] = &[
    'a', 'Z', '0', ',', '"', '\r', '\n', ' ', ';', '=', '\'', 'é', '\u{feff}',
];

/// Up to `max` characters of [`CSV_CHARS`].
pub fn csv_text(rng: &mut StdRng, max: usize) -> String {
    (0..rng.gen_range(0..max))
        .map(|_| CSV_CHARS[rng.gen_range(0..CSV_CHARS.len())])
        .collect()
}
