//! Values that do not fit: -32602.

use super::*;

#[test]
fn xml_scalars_that_do_not_hold_their_type_are_invalid_params() {
    for value in [
        "<i4>2147483648</i4>",
        "<int>-2147483649</int>",
        "<i4>99999999999999999999</i4>",
        "<i8>9223372036854775808</i8>",
        "<i8>-9223372036854775809</i8>",
        "<i4>1.5</i4>",
        "<i4>0x10</i4>",
        "<i4>abc</i4>",
        "<i4></i4>",
        "<i4/>",
        "<boolean>2</boolean>",
        "<boolean>yes</boolean>",
        "<boolean/>",
        "<double>abc</double>",
        "<double>1.2.3</double>",
        "<double>1,5</double>",
        "<base64>!!!!</base64>",
        "<base64>ZGln*bG90</base64>",
        "<base64>A</base64>",
        "<base64>ZGlnbG90=====</base64>",
        "<dateTime.iso8601>garbage</dateTime.iso8601>",
        "<dateTime.iso8601>20280230T00:00:00</dateTime.iso8601>",
        "<dateTime.iso8601>19980717T25:00:00</dateTime.iso8601>",
        "<dateTime.iso8601>19980717T14:08:55+25:00</dateTime.iso8601>",
        "<dateTime.iso8601>1998</dateTime.iso8601>",
        "<dateTime.iso8601/>",
    ] {
        let body = call_with_value(value);
        let fault = call_fault(&body);
        assert_eq!(fault.code, PARAMS, "{value}: {fault}");
        let fragment = format!("<value>{value}</value>");
        let fault =
            xml::decode_value::<Value>(fragment.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARAMS, "{value}: {fault}");
        // Whatever Rust type the value is read into (a String may take a
        // dateTime's text as it is).
        if value.starts_with("<dateTime") {
            continue;
        }
        let fault =
            xml::decode_value::<String>(fragment.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARAMS, "{value} as a string: {fault}");
    }
    // Typed targets narrower than the wire type.
    assert_eq!(
        typed_fault::<(i32,)>(&call_with_value("<i8>4294967296</i8>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(u8,)>(&call_with_value("<i4>300</i4>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(u32,)>(&call_with_value("<i4>-1</i4>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(DateTime,)>(&call_with_value("<string>not a date</string>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(Bytes,)>(&call_with_value("<string>!!!</string>")).code,
        PARAMS
    );
}

#[test]
fn xml_type_mismatches_are_invalid_params() {
    let cases: Vec<(Vec<u8>, Fault)> = vec![
        (
            call_with_value("<string>12</string>"),
            typed_fault::<(i32,)>(&call_with_value("<string>12</string>")),
        ),
        (
            call_with_value("12"),
            typed_fault::<(i32,)>(&call_with_value("12")),
        ),
        (
            call_with_value("<i4>1</i4>"),
            typed_fault::<(String,)>(&call_with_value("<i4>1</i4>")),
        ),
        (
            call_with_value("<i4>1</i4>"),
            typed_fault::<(bool,)>(&call_with_value("<i4>1</i4>")),
        ),
        (
            call_with_value("<double>1.0</double>"),
            typed_fault::<(i64,)>(&call_with_value("<double>1.0</double>")),
        ),
        (
            call_with_value("<array><data/></array>"),
            typed_fault::<(String,)>(&call_with_value("<array><data/></array>")),
        ),
        (
            call_with_value("<struct/>"),
            typed_fault::<(Vec<i32>,)>(&call_with_value("<struct/>")),
        ),
        (
            call_with_value("<nil/>"),
            typed_fault::<(i32,)>(&call_with_value("<nil/>")),
        ),
        (
            call_with_value("<base64>ZGln</base64>"),
            typed_fault::<(DateTime,)>(&call_with_value("<base64>ZGln</base64>")),
        ),
        (
            call_with_value(
                "<array><data><value><i4>1</i4></value><value>x</value></data></array>",
            ),
            typed_fault::<(Vec<i32>,)>(&call_with_value(
                "<array><data><value><i4>1</i4></value><value>x</value></data></array>",
            )),
        ),
    ];
    for (body, fault) in cases {
        assert_eq!(
            fault.code,
            PARAMS,
            "{}: {fault}",
            String::from_utf8_lossy(&body)
        );
    }
    // A parameter read on its own.
    let body = call_with_value("<string>twelve</string>");
    let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
    assert_eq!(call.next_param::<i32>().unwrap_err().code, PARAMS);
}

#[test]
fn wrong_parameter_counts_are_invalid_params() {
    let three = call_with(
        "<param><value><i4>1</i4></value></param>\
         <param><value><i4>2</i4></value></param>\
         <param><value><i4>3</i4></value></param>",
    );
    // Extra parameters: found by finish().
    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    assert_eq!(call.next_param::<i32>().unwrap(), Some(1));
    assert_eq!(call.next_param::<i32>().unwrap(), Some(2));
    let fault = call.finish().unwrap_err();
    assert_eq!(fault.code, PARAMS, "{fault}");

    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    let pair: (i32, i32) = call.params().unwrap();
    assert_eq!(pair, (1, 2));
    let fault = call.finish().unwrap_err();
    assert_eq!(fault.code, PARAMS, "{fault}");

    // Too few.
    let fault = typed_fault::<(i32, i32, i32, i32)>(&three);
    assert_eq!(fault.code, PARAMS, "{fault}");

    // All read: finish() succeeds (the checks above could fail).
    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    let all: (i32, i32, i32) = call.params().unwrap();
    assert_eq!(all, (1, 2, 3));
    call.finish().unwrap();

    // An array with more elements than a fixed-size target.
    let body = call_with_value(
        "<array><data><value><i4>1</i4></value><value><i4>2</i4></value><value><i4>3</i4></value></data></array>",
    );
    assert_eq!(typed_fault::<((i32, i32),)>(&body).code, PARAMS);
    // JSON: the same mistakes.
    for (params, what) in [
        ("[1,2,3]", "extra"),
        ("[1]", "missing"),
        ("{\"a\":1}", "by name"),
    ] {
        let body = json_call(params);
        let fault = json_request(&body)
            .params
            .decode::<(i32, i32)>()
            .unwrap_err();
        assert_eq!(fault.code, PARAMS, "{what}: {fault}");
    }
}

#[test]
fn json_values_that_do_not_fit_are_invalid_params() {
    fn fault_of<T: for<'a> Deserialize<'a> + std::fmt::Debug>(params: &str) -> Fault {
        let body = json_call(params);
        let request = json_request(&body);
        match request.params.decode::<T>() {
            Ok(value) => panic!("decoded {value:?} from {params}"),
            Err(fault) => fault,
        }
    }
    let faults = [
        fault_of::<(i32,)>("[2147483648]"),
        fault_of::<(i32,)>("[-2147483649]"),
        fault_of::<(i64,)>("[9223372036854775808]"),
        fault_of::<(u8,)>("[256]"),
        fault_of::<(i32,)>("[1.5]"),
        fault_of::<(i32,)>("[\"1\"]"),
        fault_of::<(String,)>("[1]"),
        fault_of::<(bool,)>("[0]"),
        fault_of::<(Bytes,)>("[\"!!!!\"]"),
        fault_of::<(Bytes,)>("[\"A\"]"),
        fault_of::<(DateTime,)>("[\"garbage\"]"),
        fault_of::<(DateTime,)>("[\"2028-02-30T00:00:00\"]"),
        fault_of::<(DateTime,)>("[\"19980717T14:08:55+25:00\"]"),
        fault_of::<(Vec<i32>,)>("[{}]"),
    ];
    for fault in faults {
        assert_eq!(fault.code, PARAMS, "{fault}");
    }
}
