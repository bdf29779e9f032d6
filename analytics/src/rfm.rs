//! RFM (recency, frequency, monetary) scoring and segmentation.
//!
//! # Inputs
//!
//! Per customer ([`RfmInput`]), all measured at one analysis date:
//!
//! * `recency_days` — days since the customer's last purchase (≥ 0);
//! * `frequency` — **order count**: the total number of orders in the
//!   analysis window, first order included (so every buyer has ≥ 1; this is
//!   *not* the BG/NBD "repeat purchases" count, which is order count − 1);
//! * `monetary` — **total** spend over the same window (any finite value;
//!   refunds may make it negative).
//!
//! # Scores
//!
//! Each metric gets a quintile score 1..=5 within the scored population,
//! where 5 is best: most recent (smallest `recency_days`), most orders,
//! highest spend. The method is rank-based with ties sharing the lower
//! rank ("min" ranking), so equal values always get equal scores and the
//! result does not depend on input order:
//!
//! score = 1 + ⌊5 · w / n⌋
//!
//! where n is the number of customers and w the number of customers with a
//! strictly *worse* value. This is `1 + floor(5 * (rank(method="min") - 1) / n)`
//! in pandas terms, on ranks ordered from worst to best. With all values
//! distinct each score holds n/5 customers (± 1); a large tie (e.g. the
//! many one-order customers) lands wholly in the quintile where the tie
//! starts. A single customer scores 1 on every metric.
//!
//! The score code is the three digits R, F, M, e.g. `"545"`.
//!
//! # Segments
//!
//! Segments use R and the combined FM score, FM = ⌈(F + M) / 2⌉
//! (the mean of F and M rounded half up, so it is again 1..=5):
//!
//! | R \ FM | 1              | 2                  | 3                  | 4                | 5                |
//! |--------|----------------|--------------------|--------------------|------------------|------------------|
//! | 5      | New            | Potential loyalist | Potential loyalist | Champions        | Champions        |
//! | 4      | Promising      | Potential loyalist | Potential loyalist | Loyal            | Champions        |
//! | 3      | About to sleep | About to sleep     | Need attention     | Loyal            | Loyal            |
//! | 2      | Hibernating    | Hibernating        | At risk            | At risk          | Cannot lose them |
//! | 1      | Lost           | Lost               | At risk            | At risk          | Cannot lose them |
//!
//! Reading: recent buyers are split by how much they buy (New → Potential
//! loyalist → Champions); valuable customers who stopped buying move from
//! Loyal to At risk and, for the very best, Cannot lose them; low-value
//! customers fade through About to sleep and Hibernating to Lost.

use std::fmt;

use crate::error::AnalyticsError;

/// One customer's RFM inputs at the analysis date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RfmInput {
    /// Days since the last purchase (≥ 0); smaller is better.
    pub recency_days: f64,
    /// Number of orders in the window, first order included.
    pub frequency: u32,
    /// Total spend in the window.
    pub monetary: f64,
}

/// A customer's R, F and M quintile scores, each 1..=5 (5 is best).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RfmScore {
    /// Recency score (5 = bought most recently).
    pub r: u8,
    /// Frequency score (5 = most orders).
    pub f: u8,
    /// Monetary score (5 = highest spend).
    pub m: u8,
}

impl RfmScore {
    /// The three-digit code, R then F then M, e.g. `"545"`.
    pub fn code(&self) -> String {
        format!("{}{}{}", self.r, self.f, self.m)
    }

    /// Combined frequency-monetary score ⌈(F + M) / 2⌉ (mean rounded half up), 1..=5.
    pub fn fm(&self) -> u8 {
        (self.f + self.m).div_ceil(2)
    }

    /// The named segment for this score (see the module table).
    pub fn segment(&self) -> Segment {
        segment_for(self.r, self.fm())
    }
}

/// Named customer segments derived from R and FM (see the module table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// Bought recently, buy often, spend the most.
    Champions,
    /// Buy often and spend well, fairly recently.
    Loyal,
    /// Recent customers with average frequency and spend.
    PotentialLoyalist,
    /// Bought very recently, low frequency and spend so far.
    New,
    /// Recent, low frequency and spend.
    Promising,
    /// Middling on every dimension.
    NeedAttention,
    /// Below-average recency, low frequency and spend.
    AboutToSleep,
    /// Used to buy often or spend well, but not recently.
    AtRisk,
    /// Were among the best customers, have not come back for long.
    CannotLoseThem,
    /// Low value and not seen for a while.
    Hibernating,
    /// Lowest recency, frequency and spend.
    Lost,
}

impl Segment {
    /// Every segment, in the order of the module table's reading.
    pub const ALL: [Segment; 11] = [
        Segment::Champions,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::New,
        Segment::Promising,
        Segment::NeedAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLoseThem,
        Segment::Hibernating,
        Segment::Lost,
    ];

    /// Display name, e.g. `"Cannot lose them"`.
    pub fn name(self) -> &'static str {
        match self {
            Segment::Champions => "Champions",
            Segment::Loyal => "Loyal",
            Segment::PotentialLoyalist => "Potential loyalist",
            Segment::New => "New",
            Segment::Promising => "Promising",
            Segment::NeedAttention => "Need attention",
            Segment::AboutToSleep => "About to sleep",
            Segment::AtRisk => "At risk",
            Segment::CannotLoseThem => "Cannot lose them",
            Segment::Hibernating => "Hibernating",
            Segment::Lost => "Lost",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The segment for a recency score `r` and combined score `fm` (both
/// 1..=5; values outside are clamped into range).
pub fn segment_for(r: u8, fm: u8) -> Segment {
    use Segment::*;
    const TABLE: [[Segment; 5]; 5] = [
        // r = 1
        [Lost, Lost, AtRisk, AtRisk, CannotLoseThem],
        // r = 2
        [Hibernating, Hibernating, AtRisk, AtRisk, CannotLoseThem],
        // r = 3
        [AboutToSleep, AboutToSleep, NeedAttention, Loyal, Loyal],
        // r = 4
        [
            Promising,
            PotentialLoyalist,
            PotentialLoyalist,
            Loyal,
            Champions,
        ],
        // r = 5
        [
            New,
            PotentialLoyalist,
            PotentialLoyalist,
            Champions,
            Champions,
        ],
    ];
    let r = r.clamp(1, 5) as usize - 1;
    let fm = fm.clamp(1, 5) as usize - 1;
    TABLE[r][fm]
}

/// Rank-based quintile scores 1..=5 of `values` (see the module docs):
/// 1 + ⌊5·w/n⌋ with w the number of strictly worse values. Higher values are
/// better when `higher_is_better`, lower values otherwise. Errors on an
/// empty slice or a non-finite value.
pub fn quintile_scores(values: &[f64], higher_is_better: bool) -> Result<Vec<u8>, AnalyticsError> {
    if values.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    if let Some(index) = values.iter().position(|v| !v.is_finite()) {
        return Err(AnalyticsError::InvalidValue {
            index,
            field: "value",
            reason: "must be finite",
        });
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = values.len();
    Ok(values
        .iter()
        .map(|&v| {
            let worse = if higher_is_better {
                sorted.partition_point(|&s| s < v)
            } else {
                n - sorted.partition_point(|&s| s <= v)
            };
            // worse ≤ n − 1, so the score is at most 5.
            (1 + 5 * worse / n) as u8
        })
        .collect())
}

/// Scores every customer (R, F and M quintiles within `customers`).
///
/// Errors on an empty slice, a negative or non-finite recency, or a
/// non-finite monetary value.
pub fn score(customers: &[RfmInput]) -> Result<Vec<RfmScore>, AnalyticsError> {
    if customers.is_empty() {
        return Err(AnalyticsError::EmptyInput);
    }
    for (index, c) in customers.iter().enumerate() {
        if !c.recency_days.is_finite() || c.recency_days < 0.0 {
            return Err(AnalyticsError::InvalidValue {
                index,
                field: "recency_days",
                reason: "must be finite and >= 0",
            });
        }
        if !c.monetary.is_finite() {
            return Err(AnalyticsError::InvalidValue {
                index,
                field: "monetary",
                reason: "must be finite",
            });
        }
    }
    let recency: Vec<f64> = customers.iter().map(|c| c.recency_days).collect();
    let frequency: Vec<f64> = customers.iter().map(|c| c.frequency as f64).collect();
    let monetary: Vec<f64> = customers.iter().map(|c| c.monetary).collect();
    let r = quintile_scores(&recency, false)?;
    let f = quintile_scores(&frequency, true)?;
    let m = quintile_scores(&monetary, true)?;
    Ok((0..customers.len())
        .map(|i| RfmScore {
            r: r[i],
            f: f[i],
            m: m[i],
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Vec<RfmInput> {
        let rows = [
            (2.0, 10, 500.0),
            (5.0, 8, 300.0),
            (5.0, 1, 20.0),
            (10.0, 3, 150.0),
            (20.0, 3, 90.0),
            (30.0, 2, 60.0),
            (45.0, 1, 15.0),
            (60.0, 1, 30.0),
            (90.0, 5, 400.0),
            (200.0, 1, 10.0),
        ];
        rows.iter()
            .map(|&(recency_days, frequency, monetary)| RfmInput {
                recency_days,
                frequency,
                monetary,
            })
            .collect()
    }

    #[test]
    fn recency_scores_by_hand() {
        // n = 10, score = 1 + ⌊5·w/10⌋ = 1 + ⌊w/2⌋, w = customers with a
        // strictly larger recency:
        // 2→w9→5, 5→w7→4 (twice, tie), 10→w6→4, 20→w5→3, 30→w4→3,
        // 45→w3→2, 60→w2→2, 90→w1→1, 200→w0→1.
        let rec: Vec<f64> = fixture().iter().map(|c| c.recency_days).collect();
        assert_eq!(
            quintile_scores(&rec, false).unwrap(),
            vec![5, 4, 4, 4, 3, 3, 2, 2, 1, 1]
        );
    }

    #[test]
    fn scores_codes_and_segments_by_hand() {
        // F: sorted orders 1,1,1,1,2,3,3,5,8,10; w = strictly fewer orders:
        // 10→9→5, 8→8→5, 1→0→1, 3→5→3, 2→4→3, 5→7→4.
        // M: sorted 10,15,20,30,60,90,150,300,400,500:
        // 500→9→5, 300→7→4, 20→2→2, 150→6→4, 90→5→3, 60→4→3, 15→1→1,
        // 30→3→2, 400→8→5, 10→0→1.
        // FM = ⌈(F+M)/2⌉: 5,5,2,4,3,3,1,2,5,1.
        let scores = score(&fixture()).unwrap();
        let codes: Vec<String> = scores.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            vec!["555", "454", "412", "434", "333", "333", "211", "212", "145", "111"]
        );
        let fm: Vec<u8> = scores.iter().map(|s| s.fm()).collect();
        assert_eq!(fm, vec![5, 5, 2, 4, 3, 3, 1, 2, 5, 1]);
        let segments: Vec<Segment> = scores.iter().map(|s| s.segment()).collect();
        use Segment::*;
        assert_eq!(
            segments,
            vec![
                Champions,
                Champions,
                PotentialLoyalist,
                Loyal,
                NeedAttention,
                NeedAttention,
                Hibernating,
                Hibernating,
                CannotLoseThem,
                Lost
            ]
        );
    }

    #[test]
    fn ties_get_equal_scores_regardless_of_order() {
        // Six one-order customers out of ten: w = 0 for all → score 1;
        // 2 orders: w = 6 → 1 + 3 = 4; 3 orders: w = 7 → 4; 4: w = 8 → 5;
        // 9: w = 9 → 5.
        let freq = [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 4.0, 1.0, 9.0, 1.0];
        let s = quintile_scores(&freq, true).unwrap();
        assert_eq!(s, vec![1, 4, 1, 1, 4, 1, 5, 1, 5, 1]);
        let mut reversed = freq;
        reversed.reverse();
        let mut s2 = quintile_scores(&reversed, true).unwrap();
        s2.reverse();
        assert_eq!(s, s2);
    }

    #[test]
    fn all_equal_and_single_customer() {
        assert_eq!(quintile_scores(&[7.0; 4], true).unwrap(), vec![1; 4]);
        assert_eq!(quintile_scores(&[7.0], false).unwrap(), vec![1]);
        // Five distinct values fill the five quintiles exactly.
        assert_eq!(
            quintile_scores(&[5.0, 1.0, 4.0, 2.0, 3.0], true).unwrap(),
            vec![5, 1, 4, 2, 3]
        );
    }

    #[test]
    fn segment_table_covers_every_segment() {
        use Segment::*;
        // Rows r = 5..1, columns fm = 1..5, as in the module docs.
        let table = [
            [
                New,
                PotentialLoyalist,
                PotentialLoyalist,
                Champions,
                Champions,
            ],
            [
                Promising,
                PotentialLoyalist,
                PotentialLoyalist,
                Loyal,
                Champions,
            ],
            [AboutToSleep, AboutToSleep, NeedAttention, Loyal, Loyal],
            [Hibernating, Hibernating, AtRisk, AtRisk, CannotLoseThem],
            [Lost, Lost, AtRisk, AtRisk, CannotLoseThem],
        ];
        let mut seen = std::collections::BTreeSet::new();
        for (row, r) in (1..=5u8).rev().enumerate() {
            for fm in 1..=5u8 {
                let s = segment_for(r, fm);
                assert_eq!(s, table[row][fm as usize - 1], "r={r} fm={fm}");
                seen.insert(s);
            }
        }
        assert_eq!(seen.len(), Segment::ALL.len());
        assert_eq!(CannotLoseThem.to_string(), "Cannot lose them");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(score(&[]), Err(AnalyticsError::EmptyInput));
        let bad = [RfmInput {
            recency_days: -1.0,
            frequency: 1,
            monetary: 1.0,
        }];
        assert!(matches!(
            score(&bad),
            Err(AnalyticsError::InvalidValue {
                field: "recency_days",
                ..
            })
        ));
        assert!(quintile_scores(&[1.0, f64::NAN], true).is_err());
    }
}
