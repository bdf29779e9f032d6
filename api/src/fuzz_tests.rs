//! Property tests over what strangers control before they are known:
//! GraphQL documents, request bodies and CSV files (`crate::hostile`).
//! Each target runs 100,000 generated cases and must never panic;
//! documents must also be measured quickly however their fragments are
//! arranged.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::config::GraphqlLimits;
use crate::hostile;

const CASES: usize = 100_000;
/// How long measuring one document may take at most (a debug build).
const BOUND: Duration = Duration::from_millis(200);

#[test]
fn documents_never_panic_and_are_measured_quickly() {
    let limits = GraphqlLimits::default();
    let documents = crate::graphql::documents::Documents::default();
    let mut rng = StdRng::seed_from_u64(7);
    let mut slowest = Duration::ZERO;
    for case in 0..CASES {
        let text = if case % 2 == 0 {
            hostile::document(&mut rng)
        } else {
            hostile::fragment_web(&mut rng)
        };
        // Parsing and the limits either accept or refuse with a message.
        let measure = |documents: &crate::graphql::documents::Documents| {
            let started = Instant::now();
            let _ = documents.parse(&text, &limits);
            started.elapsed()
        };
        let mut took = measure(&documents);
        // A slow case is timed again (by a fresh store, which has not seen
        // it): a document that really costs that much does so every time,
        // a busy machine's pause does not.
        if took >= BOUND {
            took = (0..3)
                .map(|_| measure(&Default::default()))
                .fold(took, Duration::min);
        }
        slowest = slowest.max(took);
    }
    assert!(slowest < BOUND, "slowest case took {slowest:?}");
}

#[test]
fn request_bodies_never_panic() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..CASES {
        let body = hostile::body(&mut rng);
        let _ = crate::routes::graphql::parse_body(body.as_bytes());
        let bytes: Vec<u8> = (0..rng.gen_range(0..32)).map(|_| rng.gen()).collect();
        let _ = crate::routes::graphql::parse_body(&bytes);
    }
}

#[test]
fn csv_files_never_panic_and_written_records_read_back() {
    let mut rng = StdRng::seed_from_u64(13);
    for _ in 0..CASES {
        // Whatever arrives is read to its end or to a reported error.
        let file = hostile::csv_text(&mut rng, 40);
        for record in crate::csv::Reader::new(&file) {
            if record.is_err() {
                break;
            }
        }
        // What the export writes, the import reads back unchanged (a lone
        // empty field is an empty line, which readers skip; a byte-order
        // mark only ever starts a file).
        let fields: Vec<String> = (0..rng.gen_range(1..5))
            .map(|_| hostile::csv_text(&mut rng, 8).replace('\u{feff}', ""))
            .collect();
        if fields.len() == 1 && fields[0].is_empty() {
            continue;
        }
        let mut written = String::new();
        crate::csv::write_record(&mut written, &fields);
        let read: Vec<Vec<String>> = crate::csv::Reader::new(&written)
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{written:?}: {e:?}"));
        assert_eq!(read.first(), Some(&fields), "{written:?}");
    }
}
