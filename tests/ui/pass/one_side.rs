//! `server` alone needs no client bounds: results that only serialize
//! (a borrowed `&'static str` in a tuple, a type without `Deserialize`) and
//! parameters that only deserialize. `client` alone needs no server
//! bounds. `rename_all` renames methods and parameters; lint attributes on
//! a method reach the generated client, so `non_snake_case` stays quiet.

#![deny(warnings)]

use diglot::{Client, Dispatcher, InProcess, Protocol};
use serde::{Deserialize, Serialize};

/// Serialized only.
#[derive(Serialize)]
pub struct Counts {
    pub total: i32,
}

/// Deserialized only.
#[derive(Deserialize)]
pub struct Query {
    pub first_name: String,
}

#[diglot::rpc(server, rename_all = "camelCase")]
pub trait Validator {
    fn count_the_entities(&self, text: String) -> Counts;
    fn greeting(&self, query: Query) -> (&'static str, i32);
    fn many_args(&self, first_value: i32, second_value: i32) -> i32;
}

struct Impl;

impl Validator for Impl {
    fn count_the_entities(&self, text: String) -> Counts {
        Counts { total: text.len() as i32 }
    }
    fn greeting(&self, query: Query) -> (&'static str, i32) {
        ("hello", query.first_name.len() as i32)
    }
    fn many_args(&self, first_value: i32, second_value: i32) -> i32 {
        first_value + second_value
    }
}

/// Serialized only, for the client side.
#[derive(Serialize)]
pub struct Outgoing {
    pub first_name: String,
}

#[diglot::rpc(client)]
pub trait Caller {
    #[rpc(name = "greeting")]
    fn greet(&self, query: Outgoing) -> (String, i32);
    #[expect(non_snake_case)]
    fn manyArgs(&self, firstValue: i32, secondValue: i32) -> i32;
}

fn main() {
    let dispatcher = Dispatcher::new(ValidatorService::new(Impl)).unwrap();
    let names: Vec<&str> = dispatcher.methods().map(|m| m.name).collect();
    assert!(names.contains(&"countTheEntities") && names.contains(&"manyArgs"));
    let caller = CallerClient::new(InProcess::new(dispatcher.clone(), Protocol::JsonRpc));
    let greeted = diglot::block_on(caller.greet(Outgoing { first_name: "Ann".into() })).unwrap();
    assert_eq!(greeted, ("hello".to_owned(), 3));
    assert_eq!(diglot::block_on(caller.manyArgs(2, 3)).unwrap(), 5);
    // Parameters by name use the renamed names.
    let client = Client::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    #[derive(Serialize)]
    struct ByName {
        #[serde(rename = "firstValue")]
        a: i32,
        #[serde(rename = "secondValue")]
        b: i32,
    }
    let sum: i32 = diglot::block_on(client.call("manyArgs", &ByName { a: 1, b: 2 })).unwrap();
    assert_eq!(sum, 3);
}
