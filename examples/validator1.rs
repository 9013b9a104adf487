//! The classic XML-RPC validator suite (validator1, from UserLand's
//! validator), served with `rename_all` and no client: its result types
//! serialize only.
//!
//! `cargo run --example validator1 [ADDR]` (default 127.0.0.1:8081), then:
//! python3 -c "import xmlrpc.client as x; print(x.ServerProxy('http://127.0.0.1:8081/RPC2').validator1.simpleStructReturnTest(5))"

use std::collections::BTreeMap;

use diglot::{Bytes, DateTime, Value};
use serde::{Deserialize, Serialize};

/// Three stooges, as the suite names its struct members.
#[derive(Deserialize)]
struct Stooges {
    moe: i32,
    larry: i32,
    curly: i32,
}

/// What `countTheEntities` found.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entities {
    ct_left_angle_brackets: i32,
    ct_right_angle_brackets: i32,
    ct_ampersands: i32,
    ct_apostrophes: i32,
    ct_quotes: i32,
}

/// What `simpleStructReturnTest` answers.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Multiples {
    times10: i32,
    times100: i32,
    times1000: i32,
}

/// A calendar: years, then months, then days, each keyed by its number
/// as text ("2000", "04", "01").
type Calendar = BTreeMap<String, BTreeMap<String, BTreeMap<String, Stooges>>>;

// ANCHOR: validator
/// The eight methods of validator1; their wire names are camelCase.
#[diglot::rpc(namespace = "validator1", rename_all = "camelCase", server)]
trait Validator1 {
    /// Adds up the `curly` member of every struct.
    fn array_of_structs_test(&self, stooges: Vec<Stooges>) -> i32;
    /// Counts `<`, `>`, `&`, `'` and `"` in a string.
    fn count_the_entities(&self, text: String) -> Entities;
    /// Adds up `moe`, `larry` and `curly`.
    fn easy_struct_test(&self, stooges: Stooges) -> i32;
    /// Answers the struct it is given.
    fn echo_struct_test(&self, value: Value) -> Value;
    /// Answers its six parameters as an array.
    fn many_types_test(
        &self,
        number: i32,
        boolean: bool,
        string: String,
        double: f64,
        date_time: DateTime,
        base64: Bytes,
    ) -> (i32, bool, String, f64, DateTime, Bytes);
    /// Joins the first and the last string of the array.
    fn moderate_size_array_check(&self, strings: Vec<String>) -> String;
    /// Adds up the stooges of April 1st, 2000.
    fn nested_struct_test(&self, calendar: Calendar) -> i32;
    /// Multiplies by 10, 100 and 1000.
    fn simple_struct_return_test(&self, number: i32) -> Multiples;
}
// ANCHOR_END: validator

struct Suite;

impl Validator1 for Suite {
    fn array_of_structs_test(&self, stooges: Vec<Stooges>) -> i32 {
        stooges.iter().map(|s| s.curly).sum()
    }

    fn count_the_entities(&self, text: String) -> Entities {
        let count = |c: char| text.chars().filter(|&t| t == c).count() as i32;
        Entities {
            ct_left_angle_brackets: count('<'),
            ct_right_angle_brackets: count('>'),
            ct_ampersands: count('&'),
            ct_apostrophes: count('\''),
            ct_quotes: count('"'),
        }
    }

    fn easy_struct_test(&self, s: Stooges) -> i32 {
        s.moe + s.larry + s.curly
    }

    fn echo_struct_test(&self, value: Value) -> Value {
        value
    }

    fn many_types_test(
        &self,
        number: i32,
        boolean: bool,
        string: String,
        double: f64,
        date_time: DateTime,
        base64: Bytes,
    ) -> (i32, bool, String, f64, DateTime, Bytes) {
        (number, boolean, string, double, date_time, base64)
    }

    fn moderate_size_array_check(&self, strings: Vec<String>) -> String {
        let first = strings.first().map_or("", String::as_str);
        let last = strings.last().map_or("", String::as_str);
        format!("{first}{last}")
    }

    fn nested_struct_test(&self, calendar: Calendar) -> i32 {
        calendar
            .get("2000")
            .and_then(|months| months.get("04"))
            .and_then(|days| days.get("01"))
            .map_or(0, |s| s.moe + s.larry + s.curly)
    }

    fn simple_struct_return_test(&self, number: i32) -> Multiples {
        Multiples {
            times10: number * 10,
            times100: number * 100,
            times1000: number * 1000,
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or("127.0.0.1:8081".into());
    let dispatcher = diglot::Dispatcher::new(Validator1Service::new(Suite))?;
    let server = diglot::Server::new(dispatcher)
        .http(addr.parse()?)
        .bind()
        .await?;
    println!("validator1 on http://{}/RPC2", server.http_addrs()[0]);
    server.serve().await?; // until Ctrl-C or SIGTERM
    Ok(())
}
