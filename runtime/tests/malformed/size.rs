//! Size.

use super::*;

#[test]
fn an_enormous_declared_size_is_an_invalid_request() {
    for limits in [Limits::default(), Limits::default().max_body_bytes(0)] {
        let fault = limits.check_body_size(u64::MAX).unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");
        assert!(fault.message.contains(&u64::MAX.to_string()), "{fault}");
    }
    let limits = Limits::default();
    assert!(limits.check_body_size(16 * 1024 * 1024).is_ok());
    assert_eq!(
        limits
            .check_body_size(16 * 1024 * 1024 + 1)
            .unwrap_err()
            .code,
        REQUEST
    );
}

#[test]
fn a_body_just_over_the_limit_is_an_invalid_request_in_every_reader() {
    let call = b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4></value></param></params></methodCall>";
    let response = b"<methodResponse><params><param><value><i4>1</i4></value></param></params></methodResponse>";
    let value = b"<value><i4>1</i4></value>";
    let request = br#"{"jsonrpc":"2.0","method":"x","params":[1],"id":1}"#;
    let json_response = br#"{"jsonrpc":"2.0","result":1,"id":1}"#;

    type Reader = fn(&[u8], &Limits) -> Result<(), Fault>;
    let readers: [(&str, &[u8], Reader); 5] = [
        ("methodCall", call, |b, l| read_call_with(b, l).map(drop)),
        ("methodResponse", response, |b, l| {
            xml::decode_response::<Value>(b, l).map(drop)
        }),
        ("value", value, |b, l| {
            xml::decode_value::<Value>(b, l).map(drop)
        }),
        ("JSON request", request, |b, l| json::parse(b, l).map(drop)),
        ("JSON response", json_response, |b, l| {
            json::decode_response::<Value>(b, l).map(drop)
        }),
    ];
    for (what, body, read) in readers {
        let limits = Limits::default().max_body_bytes(body.len());
        read(body, &limits).unwrap_or_else(|f| panic!("{what} at the limit: {f}"));
        // One trailing space, which would otherwise be harmless.
        let over = [body, b" "].concat();
        let fault = read(&over, &limits).expect_err(what);
        assert_eq!(fault.code, REQUEST, "{what}: {fault}");
        assert!(fault.message.contains(&over.len().to_string()), "{fault}");
    }
}
