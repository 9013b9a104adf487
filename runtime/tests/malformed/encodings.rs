//! Encodings.

use super::*;

#[test]
fn invalid_utf8_is_an_invalid_character_in_xml() {
    let cases: &[&[u8]] = &[
        b"<methodCall><methodName>x\xff</methodName></methodCall>",
        b"<methodCall><methodName>x</methodName><params><param><value><string>\x80</string></value></param></params></methodCall>",
        // Overlong `/`, a UTF-16 surrogate, and a sequence cut at the end.
        b"<methodCall><methodName>x</methodName><params><param><value><string>\xc0\xaf</string></value></param></params></methodCall>",
        b"<methodCall><methodName>x</methodName><params><param><value><string>\xed\xa0\x80</string></value></param></params></methodCall>",
        b"<methodCall><methodName>x</methodName></methodCall>\xe4\xb8",
        // Latin-1 text in a document that declares UTF-8.
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>caf\xe9</methodName></methodCall>",
    ];
    for body in cases {
        let fault = call_fault(body);
        assert_eq!(
            fault.code,
            CHARACTER,
            "{}: {fault}",
            String::from_utf8_lossy(body)
        );
        let response = [
            b"<methodResponse><params><param><value>".as_slice(),
            body,
            b"</value></param></params></methodResponse>",
        ]
        .concat();
        let fault = xml::decode_response::<Value>(&response, &Limits::default()).unwrap_err();
        assert_eq!(fault.code, CHARACTER, "{fault}");
        let fragment = [b"<value>".as_slice(), body, b"</value>"].concat();
        let fault = xml::decode_value::<Value>(&fragment, &Limits::default()).unwrap_err();
        assert_eq!(fault.code, CHARACTER, "{fault}");
    }
}

#[test]
fn invalid_utf8_is_a_parse_error_in_json() {
    let cases: &[&[u8]] = &[
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\",\"id\":1}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[\"\xc0\xaf\"],\"id\":1}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[\"\xed\xa0\x80\"],\"id\":1}",
        b"[{\"jsonrpc\":\"2.0\",\"method\":\"caf\xe9\",\"id\":1}]",
        b"\xff\xfe{\x00}\x00",
    ];
    for body in cases {
        let (id, fault) = json_fault(body);
        assert_eq!(
            fault.code,
            PARSE,
            "{}: {fault}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(id, Id::Null);
    }
    let fault = json::decode_response::<Value>(
        b"{\"jsonrpc\":\"2.0\",\"result\":\"\xff\",\"id\":1}",
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(fault.code, PARSE, "{fault}");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { b"\xfe\xff" } else { b"\xff\xfe" });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn declared_encodings_are_read_and_unknown_ones_refused_in_xml() {
    let call = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><methodCall><methodName>x</methodName></methodCall>";
    let undeclared = "<methodCall><methodName>x</methodName></methodCall>";
    for big_endian in [false, true] {
        for text in [call, undeclared] {
            // UTF-16 with its byte-order mark is read; without one it is refused.
            let body = utf16(text, big_endian, true);
            assert_eq!(
                read_call(&body).unwrap().0,
                "x",
                "UTF-16 (big endian {big_endian})"
            );
            let fault = call_fault(&utf16(text, big_endian, false));
            assert_eq!(fault.code, ENCODING, "UTF-16 without a BOM: {fault}");
        }
    }
    for (encoding, name) in [
        ("ISO-8859-1", b"caf\xe9".as_slice()),
        ("iso-8859-1", b"caf\xe9"),
        ("latin1", b"caf\xe9"),
        ("windows-1252", b"caf\xe9"),
        ("ISO-8859-15", b"caf\xe9"),
        ("Shift_JIS", b"caf\x82\xa0"),
    ] {
        let mut body =
            format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodCall><methodName>")
                .into_bytes();
        body.extend_from_slice(name);
        body.extend_from_slice(b"</methodName></methodCall>");
        let expected = if encoding == "Shift_JIS" {
            "caf\u{3042}"
        } else {
            "caf\u{e9}"
        };
        assert_eq!(read_call(&body).unwrap().0, expected, "{encoding}");
    }
    for encoding in ["UTF-16", "EBCDIC-US", "x-unknown"] {
        // Plain ASCII content: only the declaration is wrong.
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodCall><methodName>x</methodName></methodCall>"
        );
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, ENCODING, "{encoding}: {fault}");
        let response = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodResponse><params><param><value>1</value></param></params></methodResponse>"
        );
        let fault =
            xml::decode_response::<Value>(response.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, ENCODING, "{encoding}: {fault}");
        if encoding != "UTF-16" {
            assert!(
                fault.message.contains(encoding),
                "names the encoding: {fault}"
            );
        }
    }
    // UTF-8 (any spelling), ASCII (some clients declare it and send UTF-8),
    // a UTF-8 BOM.
    for declaration in [
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        "<?xml version='1.0' encoding='US-ASCII'?>",
        "\u{feff}<?xml version=\"1.0\"?>",
    ] {
        let body =
            format!("{declaration}<methodCall><methodName>x\u{e9}</methodName></methodCall>");
        assert_eq!(
            read_call(body.as_bytes()).unwrap().0,
            "x\u{e9}",
            "{declaration}"
        );
    }
    // Bytes that are not text in the declared encoding.
    let body = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><methodCall><methodName>\x81</methodName></methodCall>";
    assert_eq!(call_fault(body).code, CHARACTER);
}

#[test]
fn a_declaration_beyond_ascii_is_a_parse_error_in_xml() {
    // Found by the `xml_dispatch` fuzz target: stray bytes inside a Latin-1
    // declaration grow when converted, and the reader once sliced the
    // converted text where the declaration ended in the raw body.
    let found =
        include_bytes!("../../../tests/fuzz/seeds/xml_dispatch/crash-nonascii-declaration.xml");
    assert_eq!(call_fault(found).code, PARSE);
    let body = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\" \xE9?><methodCall><methodName>x</methodName></methodCall>";
    let fault = call_fault(body);
    assert_eq!(fault.code, PARSE, "{fault}");
    assert!(fault.message.contains("declaration"), "{fault}");
}

#[test]
fn utf16_is_a_parse_error_in_json() {
    let text = r#"{"jsonrpc":"2.0","method":"x","id":1}"#;
    for big_endian in [false, true] {
        for bom in [true, false] {
            let (_, fault) = json_fault(&utf16(text, big_endian, bom));
            assert_eq!(fault.code, PARSE, "{fault}");
        }
    }
}
