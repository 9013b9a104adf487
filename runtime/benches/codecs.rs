//! Codec benchmarks: one realistic request, `bench.ingest` with an array of
//! 1 000 records, read and written by diglot's XML-RPC and JSON-RPC codecs,
//! next to the `dxr` crate (XML-RPC) and plain `serde_json` (JSON) reading
//! the very same bytes.
//!
//! Run with `cargo bench -p diglot --bench codecs`; `book/src/performance.md`
//! explains each case and records a run.
//!
//! What each case does, per iteration:
//!
//! - `xml_decode/diglot`: [`MethodCall::parse`] on the bytes diglot wrote,
//!   then `next_param::<Vec<Record>>()` and `finish()` — straight from XML
//!   events into the typed records, no intermediate tree.
//! - `xml_decode/dxr`: `std::str::from_utf8` on the same bytes (dxr reads
//!   `&str`, diglot checks UTF-8 itself), `dxr::MethodCall::from_xml` (which
//!   builds dxr's `Value` tree: `BTreeMap` structs, owned strings), then
//!   `<(Vec<Record>,)>::try_from_params`, through a hand-written
//!   `TryFromValue for Record` that does what `dxr`'s derive would: look up
//!   each member by name and convert it with dxr's own `TryFromValue`
//!   impls. The dateTime goes through `dxr::DateTime` and is then rebuilt as
//!   a `diglot::DateTime` (six field copies), so both sides end with the same
//!   `Vec<Record>`.
//! - `xml_encode/diglot`: `xml::write_call` into a reused, cleared `Vec`.
//! - `json_decode/diglot`: `json::parse` (envelope checks, depth check of
//!   `params`) then `params.decode::<(Vec<Record>,)>()`.
//! - `json_decode/serde_json`: one `serde_json::from_slice` into a mirror
//!   envelope struct with the same `(Vec<Record>,)` params — the ceiling,
//!   since diglot's JSON decode is serde_json plus the JSON-RPC rules.
//! - `json_encode/diglot`: `json::write_request` into a reused, cleared `Vec`.
//!
//! The record has no `i64` past 2^31 and no `<nil/>`: the workspace's `dxr`
//! dev-dependency is built without its `i8` and `nil` features, so it
//! refuses `<i8>` and `<nil/>`. The optional `note` is therefore left out of
//! the document when it is `None` (`skip_serializing_if`), which both
//! readers take as absent.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use diglot::json::{self, Id, Incoming};
use diglot::xml::{self, Dialect, MethodCall};
use diglot::{DateTime, Limits};
use dxr::{TryFromParams, TryFromValue};
use serde::{Deserialize, Serialize};

/// How many records the request carries.
const RECORDS: usize = 1_000;
const METHOD: &str = "bench.ingest";

/// One element of the request's single parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    id: i32,
    name: String,
    score: f64,
    active: bool,
    created: DateTime,
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): the
/// data is the same on every run and every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }

    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

const NAMES: &[&str] = &[
    "Zoë & Søren",
    "Łukasz Dąbrowski",
    "Ana & João Conceição",
    "Müller GmbH",
    "Ørsted Ærø",
    "Ada Lovelace",
    "Grace Hopper",
    "Σωκράτης",
    "東京 & 大阪",
    "Renée Français",
];

const TAGS: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "épsilon", "zeta", "straße", "kappa",
];

fn records() -> Vec<Record> {
    let mut rng = Lcg(0x5eed_d161_0007);
    (0..RECORDS)
        .map(|i| {
            let name = format!("{} #{}", NAMES[rng.below(NAMES.len() as u32) as usize], i);
            // Three decimals, positive and negative, so the doubles have
            // ordinary-looking shortest representations.
            let score = (f64::from(rng.below(2_000_000)) - 1_000_000.0) / 1000.0;
            let created = DateTime::new(
                2000 + rng.below(26) as u16,
                1 + rng.below(12) as u8,
                1 + rng.below(28) as u8,
                rng.below(24) as u8,
                rng.below(60) as u8,
                rng.below(60) as u8,
            )
            .expect("a valid date");
            let tags = (0..2)
                .map(|_| TAGS[rng.below(TAGS.len() as u32) as usize].to_owned())
                .collect();
            let note = (rng.below(2) == 0).then(|| format!("imported from batch {} <ok>", i / 10));
            Record {
                id: rng.next() as i32,
                name,
                score,
                active: rng.below(2) == 1,
                created,
                tags,
                note,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- dxr side

/// A dxr-side failure as a `dxr::Error` (its variants are public).
fn missing(field: &'static str) -> dxr::Error {
    dxr::Error::MissingField {
        name: "Record".into(),
        field: field.into(),
    }
}

fn member<T: TryFromValue>(
    members: &std::collections::BTreeMap<String, dxr::Value>,
    name: &'static str,
) -> Result<T, dxr::Error> {
    T::try_from_value(members.get(name).ok_or_else(|| missing(name))?)
}

/// What `#[derive(dxr::TryFromValue)]` would generate, plus the dateTime
/// conversion into diglot's type so both decoders produce the same value.
impl TryFromValue for Record {
    fn try_from_value(value: &dxr::Value) -> Result<Self, dxr::Error> {
        let dxr::Value::Struct(members) = value else {
            return Err(dxr::Error::WrongType {
                argument: "not a struct".into(),
                expected: "struct".into(),
            });
        };
        let created: dxr::DateTime = member(members, "created")?;
        let created = DateTime::new(
            created.year(),
            created.month(),
            created.day(),
            created.hour(),
            created.minute(),
            created.second(),
        )
        .map_err(|e| dxr::Error::InvalidDateTime {
            error: e.to_string(),
        })?;
        Ok(Record {
            id: member(members, "id")?,
            name: member(members, "name")?,
            score: member(members, "score")?,
            active: member(members, "active")?,
            created,
            tags: member(members, "tags")?,
            note: match members.get("note") {
                None => None,
                Some(v) => Some(String::try_from_value(v)?),
            },
        })
    }
}

fn dxr_decode(body: &[u8]) -> Vec<Record> {
    let text = std::str::from_utf8(body).expect("UTF-8");
    let call = dxr::MethodCall::from_xml(text).expect("dxr reads the document");
    assert_eq!(call.name, METHOD);
    let (records,) = <(Vec<Record>,)>::try_from_params(&call.params).expect("dxr converts");
    records
}

// ------------------------------------------------------------- diglot side

fn diglot_xml_decode(body: &[u8], limits: &Limits) -> Vec<Record> {
    let mut call = MethodCall::parse(body, limits).expect("diglot reads the document");
    assert_eq!(call.method_name(), METHOD);
    let records = call
        .next_param::<Vec<Record>>()
        .expect("diglot decodes")
        .expect("one parameter");
    call.finish().expect("nothing left over");
    records
}

#[inline(never)]
fn diglot_json_decode(body: &[u8], limits: &Limits) -> Vec<Record> {
    let Incoming::Single(Ok(request)) = json::parse(body, limits).expect("JSON") else {
        panic!("a single valid request")
    };
    assert_eq!(request.method, METHOD);
    let (records,): (Vec<Record>,) = request.params.decode().expect("diglot decodes");
    records
}

/// The JSON-RPC request as plain serde sees it: no rules checked, params
/// decoded in the same pass as the envelope.
#[derive(Deserialize)]
struct MirrorEnvelope<'a> {
    #[serde(borrow)]
    jsonrpc: &'a str,
    #[serde(borrow)]
    method: &'a str,
    params: (Vec<Record>,),
    id: u64,
}

// Not inlined, so that a profiler can count it as it counts diglot's.
#[inline(never)]
fn serde_json_decode(body: &[u8]) -> Vec<Record> {
    let envelope: MirrorEnvelope<'_> = serde_json::from_slice(body).expect("serde_json decodes");
    assert_eq!(envelope.jsonrpc, "2.0");
    assert_eq!(envelope.method, METHOD);
    assert_eq!(envelope.id, 1);
    envelope.params.0
}

// ------------------------------------------------------------------ groups

/// Panics, naming the first record that differs, unless `got` is `want`.
fn same(case: &str, got: &[Record], want: &[Record]) {
    assert_eq!(got.len(), want.len(), "{case}: record count");
    if let Some(i) = (0..want.len()).find(|&i| got[i] != want[i]) {
        panic!(
            "{case}: record {i} differs\n got: {:?}\nwant: {:?}",
            got[i], want[i]
        );
    }
}

fn codecs(c: &mut Criterion) {
    let data = records();
    let params = (&data,);
    let limits = Limits::default();

    let mut xml_doc = Vec::new();
    xml::write_call(&mut xml_doc, METHOD, &params, Dialect::Standard).expect("XML encodes");
    let mut json_doc = Vec::new();
    json::write_request(&mut json_doc, METHOD, &params, Some(&Id::from(1))).expect("JSON encodes");

    // Every reader must get the data back exactly before anything is timed.
    same(
        "xml_decode/diglot",
        &diglot_xml_decode(&xml_doc, &limits),
        &data,
    );
    same("xml_decode/dxr", &dxr_decode(&xml_doc), &data);
    same(
        "json_decode/diglot",
        &diglot_json_decode(&json_doc, &limits),
        &data,
    );
    same(
        "json_decode/serde_json",
        &serde_json_decode(&json_doc),
        &data,
    );

    let mut group = c.benchmark_group("xml_decode");
    group.throughput(Throughput::Bytes(xml_doc.len() as u64));
    group.bench_function("diglot", |b| {
        b.iter(|| diglot_xml_decode(black_box(&xml_doc), &limits));
    });
    group.bench_function("dxr", |b| b.iter(|| dxr_decode(black_box(&xml_doc))));
    group.finish();

    let mut group = c.benchmark_group("xml_encode");
    group.throughput(Throughput::Bytes(xml_doc.len() as u64));
    let mut out = Vec::with_capacity(xml_doc.len());
    group.bench_function("diglot", |b| {
        b.iter(|| {
            out.clear();
            xml::write_call(&mut out, METHOD, black_box(&params), Dialect::Standard)
                .expect("XML encodes");
            black_box(out.len())
        });
    });
    group.finish();

    let mut group = c.benchmark_group("json_decode");
    group.throughput(Throughput::Bytes(json_doc.len() as u64));
    group.bench_function("diglot", |b| {
        b.iter(|| diglot_json_decode(black_box(&json_doc), &limits));
    });
    group.bench_function("serde_json", |b| {
        b.iter(|| serde_json_decode(black_box(&json_doc)));
    });
    group.finish();

    let mut group = c.benchmark_group("json_encode");
    group.throughput(Throughput::Bytes(json_doc.len() as u64));
    let mut out = Vec::with_capacity(json_doc.len());
    let id = Id::from(1);
    group.bench_function("diglot", |b| {
        b.iter(|| {
            out.clear();
            json::write_request(&mut out, METHOD, black_box(&params), Some(&id))
                .expect("JSON encodes");
            black_box(out.len())
        });
    });
    group.finish();
}

criterion_group!(benches, codecs);
criterion_main!(benches);
