//! Test helpers: a tiny JSON reader, a CSV reader for the CDNOW summary, and
//! a deterministic PRNG with the samplers needed to simulate BG/NBD and
//! Gamma-Gamma populations (no dependencies).

#![allow(dead_code)]

use std::path::PathBuf;

use analytics::bgnbd::CustomerSummary;

/// Path of a file in `bench/clv-validation/`.
pub fn validation_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bench/clv-validation")
        .join(name)
}

/// One CDNOW row: id, x, t_x, T (weeks), average spend.
pub struct CdnowRow {
    pub id: u64,
    pub customer: CustomerSummary,
    pub monetary_value: f64,
}

/// Reads `cdnow_summary.csv` (customer_id,frequency,recency,T,monetary_value).
pub fn read_cdnow() -> Vec<CdnowRow> {
    let text = std::fs::read_to_string(validation_file("cdnow_summary.csv"))
        .expect("bench/clv-validation/cdnow_summary.csv missing: run reference.py");
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(str::trim),
        Some("customer_id,frequency,recency,T,monetary_value")
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.trim().split(',').collect();
            assert_eq!(f.len(), 5, "bad row {l}");
            CdnowRow {
                id: f[0].parse().unwrap(),
                customer: CustomerSummary {
                    frequency: f[1].parse().unwrap(),
                    recency: f[2].parse().unwrap(),
                    age: f[3].parse().unwrap(),
                },
                monetary_value: f[4].parse().unwrap(),
            }
        })
        .collect()
}

/// A parsed JSON value (enough of JSON for `reference.json`).
#[derive(Debug, Clone)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub fn parse(text: &str) -> Json {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let v = p.value();
        p.ws();
        assert_eq!(p.i, p.s.len(), "trailing characters in JSON");
        v
    }

    /// Member `key` of an object (panics if absent).
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Obj(members) => members
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("missing key {key}")),
            _ => panic!("not an object when looking up {key}"),
        }
    }

    pub fn f64(&self) -> f64 {
        match self {
            Json::Num(v) => *v,
            other => panic!("not a number: {other:?}"),
        }
    }

    pub fn f64s(&self) -> Vec<f64> {
        match self {
            Json::Arr(items) => items.iter().map(Json::f64).collect(),
            other => panic!("not an array: {other:?}"),
        }
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) {
        self.ws();
        assert_eq!(
            self.s[self.i], c,
            "expected '{}' at byte {}",
            c as char, self.i
        );
        self.i += 1;
    }

    fn value(&mut self) -> Json {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.s[self.i] == b'}' {
                    self.i += 1;
                    return Json::Obj(members);
                }
                loop {
                    self.ws();
                    let key = self.string();
                    self.eat(b':');
                    members.push((key, self.value()));
                    self.ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b'}' => return Json::Obj(members),
                        c => panic!("unexpected '{}' in object", c as char),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s[self.i] == b']' {
                    self.i += 1;
                    return Json::Arr(items);
                }
                loop {
                    items.push(self.value());
                    self.ws();
                    self.i += 1;
                    match self.s[self.i - 1] {
                        b',' => continue,
                        b']' => return Json::Arr(items),
                        c => panic!("unexpected '{}' in array", c as char),
                    }
                }
            }
            b'"' => Json::Str(self.string()),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'n' => self.word("null", Json::Null),
            b'N' => self.word("NaN", Json::Num(f64::NAN)),
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'
                    )
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                Json::Num(text.parse().unwrap_or_else(|_| panic!("bad number {text}")))
            }
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Json {
        assert!(self.s[self.i..].starts_with(w.as_bytes()));
        self.i += w.len();
        v
    }

    fn string(&mut self) -> String {
        assert_eq!(self.s[self.i], b'"');
        self.i += 1;
        let mut out = String::new();
        while self.s[self.i] != b'"' {
            if self.s[self.i] == b'\\' {
                self.i += 1;
                out.push(match self.s[self.i] {
                    b'n' => '\n',
                    b't' => '\t',
                    c => c as char,
                });
            } else {
                out.push(self.s[self.i] as char);
            }
            self.i += 1;
        }
        self.i += 1;
        out
    }
}

/// SplitMix64: a small, fast, deterministic PRNG (Steele, Lea & Flood 2014).
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Exponential with the given rate.
    pub fn exponential(&mut self, rate: f64) -> f64 {
        -self.uniform().ln() / rate
    }

    /// Gamma(shape, rate) by Marsaglia & Tsang (2000), with the
    /// U^(1/shape) boost for shape < 1.
    pub fn gamma(&mut self, shape: f64, rate: f64) -> f64 {
        if shape < 1.0 {
            let u = self.uniform();
            return self.gamma(shape + 1.0, rate) * u.powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v / rate;
            }
        }
    }

    /// Beta(a, b) from two Gamma draws.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a, 1.0);
        let y = self.gamma(b, 1.0);
        x / (x + y)
    }

    /// Poisson(mean) by Knuth's multiplication method (small means).
    pub fn poisson(&mut self, mean: f64) -> u32 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = self.uniform();
        while p > limit {
            k += 1;
            p *= self.uniform();
        }
        k
    }
}

/// Simulates one BG/NBD customer observed for `age` time units: Poisson
/// purchases at rate `lambda` after the first purchase at time 0; after each
/// repeat purchase the customer drops out with probability `p`.
pub fn simulate_bgnbd_customer(
    rng: &mut SplitMix64,
    lambda: f64,
    p: f64,
    age: f64,
) -> CustomerSummary {
    let mut t = 0.0;
    let mut frequency = 0;
    let mut recency = 0.0;
    loop {
        t += rng.exponential(lambda);
        if t > age {
            break;
        }
        frequency += 1;
        recency = t;
        if rng.uniform() < p {
            break;
        }
    }
    CustomerSummary {
        frequency,
        recency,
        age,
    }
}

/// Simulates `n` customers from BG/NBD(r, alpha, a, b) with ages spread
/// uniformly over (min_age, max_age) (staggered cohorts).
pub fn simulate_bgnbd(
    seed: u64,
    n: usize,
    (r, alpha, a, b): (f64, f64, f64, f64),
    (min_age, max_age): (f64, f64),
) -> Vec<CustomerSummary> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let lambda = rng.gamma(r, alpha);
            let p = rng.beta(a, b);
            let age = min_age + (max_age - min_age) * rng.uniform();
            simulate_bgnbd_customer(&mut rng, lambda, p, age)
        })
        .collect()
}

/// Simulates `n` Gamma-Gamma customers: x = 1 + Poisson(mean_extra)
/// transactions, values ~ Gamma(p, ν), ν ~ Gamma(q, v); returns (x, mean value).
pub fn simulate_gamma_gamma(
    seed: u64,
    n: usize,
    (p, q, v): (f64, f64, f64),
    mean_extra: f64,
) -> Vec<analytics::gamma_gamma::SpendSummary> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let nu = rng.gamma(q, v);
            let x = 1 + rng.poisson(mean_extra);
            let total: f64 = (0..x).map(|_| rng.gamma(p, nu)).sum();
            analytics::gamma_gamma::SpendSummary {
                frequency: x,
                monetary_value: total / x as f64,
            }
        })
        .collect()
}
