//! DOCTYPE and entities: refused, never expanded.

use super::*;

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>&lol9;</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>"#;

#[test]
fn billion_laughs_is_refused_without_expansion() {
    let start = Instant::now();
    let fault = call_fault(BILLION_LAUGHS.as_bytes());
    assert_eq!(fault.code, PARSE, "{fault}");
    assert!(fault.message.contains("DOCTYPE"), "{fault}");
    assert!(!fault.message.contains("lol"), "{fault}");
    assert!(fault.message.len() < 200, "{fault}");

    let response = BILLION_LAUGHS
        .replace("methodCall", "methodResponse")
        .replace("<methodName>&lol9;</methodName>", "");
    let fault = xml::decode_response::<String>(response.as_bytes(), &Limits::default())
        .expect_err("a DOCTYPE in a response");
    assert_eq!(fault.code, PARSE, "{fault}");

    let fragment = BILLION_LAUGHS
        .split_once("<methodCall>")
        .unwrap()
        .0
        .to_owned()
        + "<value>&lol9;</value>";
    let fault = xml::decode_value::<String>(fragment.as_bytes(), &Limits::default())
        .expect_err("a DOCTYPE before a value");
    assert_eq!(fault.code, PARSE, "{fault}");
    assert!(start.elapsed() < FAST, "took {:?}", start.elapsed());
}

#[test]
fn external_entities_are_refused() {
    let cases = [
        r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>"#,
        r#"<!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:1/xmlrpc.dtd"><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall PUBLIC "-//X//DTD//EN" "file:///etc/hostname"><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall><methodCall><methodName>x</methodName></methodCall>"#,
    ];
    for body in cases {
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, PARSE, "{body}: {fault}");
        assert!(!fault.message.contains("root:"), "{fault}");
        assert!(!fault.message.contains("etc"), "{fault}");
    }
}

#[test]
fn undefined_entities_are_refused() {
    let bodies = [
        "<methodCall><methodName>&foo;</methodName></methodCall>".to_owned(),
        String::from_utf8(call_with_value("<string>a&foo;b</string>")).unwrap(),
        String::from_utf8(call_with_value("a&nbsp;b")).unwrap(),
        String::from_utf8(call_with_value(
            "<struct><member><name>&foo;</name><value>1</value></member></struct>",
        ))
        .unwrap(),
        String::from_utf8(call_with_value("<i4>&one;</i4>")).unwrap(),
    ];
    for body in &bodies {
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, PARSE, "{body}: {fault}");
        assert!(!fault.message.contains("foo"), "{fault}");
    }
    // The five predefined entities and character references do resolve.
    let (_, params) = read_call(&call_with_value(
        "<string>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</string>",
    ))
    .unwrap();
    assert_eq!(params, vec![Value::from("<>&'\"AB")]);
}
