//! Structure: wrong tags, unknown types, text where an element belongs.

use super::*;

#[test]
fn wrong_tags_are_parse_errors() {
    let cases: &[(&str, &[u8])] = &[
        ("mismatched end tag", b"<methodCall><methodName>x</methodName><params><param><value><int>1</i4></value></param></params></methodCall>"),
        ("crossed end tags", b"<methodCall><methodName>x</methodName><params><param><value><string>a</value></string></param></params></methodCall>"),
        ("missing </param>", b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4></value></params></methodCall>"),
        ("end tag alone", b"</methodCall>"),
        ("wrong case", b"<methodCall><methodname>x</methodname></methodCall>"),
        ("wrong root", b"<methodResponse><params/></methodResponse>"),
        ("unknown root", b"<call><methodName>x</methodName></call>"),
        ("empty methodCall", b"<methodCall/>"),
        ("no methodName", b"<methodCall><params/></methodCall>"),
        ("two methodNames", b"<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>"),
        ("param outside params", b"<methodCall><methodName>x</methodName><param><value>1</value></param></methodCall>"),
        ("param without value", b"<methodCall><methodName>x</methodName><params><param></param></params></methodCall>"),
        ("two values in a param", b"<methodCall><methodName>x</methodName><params><param><value>1</value><value>2</value></param></params></methodCall>"),
        ("two types in a value", b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4><i4>2</i4></value></param></params></methodCall>"),
        ("array without data", b"<methodCall><methodName>x</methodName><params><param><value><array><value>1</value></array></value></param></params></methodCall>"),
        ("member without name", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodCall>"),
        ("member without value", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>"),
        ("member with two values", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name><value>1</value><value>2</value></member></struct></value></param></params></methodCall>"),
        ("value directly in struct", b"<methodCall><methodName>x</methodName><params><param><value><struct><value>1</value></struct></value></param></params></methodCall>"),
        ("nil with content", b"<methodCall><methodName>x</methodName><params><param><value><nil>0</nil></value></param></params></methodCall>"),
        ("second root", b"<methodCall><methodName>x</methodName></methodCall><methodCall/>"),
        ("unclosed comment", b"<methodCall><methodName>x</methodName><!-- "),
        ("unclosed CDATA", b"<methodCall><methodName>x</methodName><params><param><value><string><![CDATA[a</string></value></param></params></methodCall>"),
        ("bare ampersand", b"<methodCall><methodName>x</methodName><params><param><value><string>a & b</string></value></param></params></methodCall>"),
        ("bare less-than", b"<methodCall><methodName>x</methodName><params><param><value><string>a < b</string></value></param></params></methodCall>"),
        ("broken tag", b"<methodCall><methodName>x</methodName><params><param><value <i4>1</i4></value></param></params></methodCall>"),
        ("NUL character reference", b"<methodCall><methodName>x</methodName><params><param><value><string>&#0;</string></value></param></params></methodCall>"),
        ("surrogate character reference", b"<methodCall><methodName>x</methodName><params><param><value><string>&#xD800;</string></value></param></params></methodCall>"),
        ("character reference past Unicode", b"<methodCall><methodName>x</methodName><params><param><value><string>&#x110000;</string></value></param></params></methodCall>"),
        ("empty body", b""),
        ("whitespace only", b" \r\n\t "),
        ("not XML", b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"}"),
    ];
    for (what, body) in cases {
        let fault = call_fault(body);
        assert_eq!(fault.code, PARSE, "{what}: {fault}");
    }
}

#[test]
fn unknown_type_elements_are_parse_errors() {
    for element in [
        "<integer>1</integer>",
        "<int64>1</int64>",
        "<bool>1</bool>",
        "<dateTime>19980717T14:08:55</dateTime>",
        "<binary>ZGln</binary>",
        "<ex:foo xmlns:ex=\"urn:x\">1</ex:foo>",
        "<null/>",
        "<value>1</value>",
        "<param><value>1</value></param>",
        "<methodCall/>",
    ] {
        let fault = call_fault(&call_with_value(element));
        assert_eq!(fault.code, PARSE, "{element}: {fault}");
        // The same refusal from a bare fragment.
        let fragment = format!("<value>{element}</value>");
        let fault =
            xml::decode_value::<Value>(fragment.as_bytes(), &Limits::default()).expect_err(element);
        assert_eq!(fault.code, PARSE, "{element}: {fault}");
    }
}

#[test]
fn text_where_an_element_belongs_is_a_parse_error() {
    let cases: &[(&str, &[u8])] = &[
        ("in methodCall", b"<methodCall>x<methodName>m</methodName></methodCall>"),
        ("after methodName", b"<methodCall><methodName>m</methodName>x<params/></methodCall>"),
        ("in params", b"<methodCall><methodName>m</methodName><params>hello<param><value>1</value></param></params></methodCall>"),
        ("in param", b"<methodCall><methodName>m</methodName><params><param>hello</param></params></methodCall>"),
        ("before a value", b"<methodCall><methodName>m</methodName><params><param>x<value>1</value></param></params></methodCall>"),
        ("beside a type", b"<methodCall><methodName>m</methodName><params><param><value>x<i4>1</i4></value></param></params></methodCall>"),
        ("after a type", b"<methodCall><methodName>m</methodName><params><param><value><i4>1</i4>x</value></param></params></methodCall>"),
        ("in array", b"<methodCall><methodName>m</methodName><params><param><value><array>x<data/></array></value></param></params></methodCall>"),
        ("in data", b"<methodCall><methodName>m</methodName><params><param><value><array><data>x</data></array></value></param></params></methodCall>"),
        ("in struct", b"<methodCall><methodName>m</methodName><params><param><value><struct>x</struct></value></param></params></methodCall>"),
        ("in member", b"<methodCall><methodName>m</methodName><params><param><value><struct><member>x<name>a</name><value>1</value></member></struct></value></param></params></methodCall>"),
        ("after the document", b"<methodCall><methodName>m</methodName></methodCall>trailing"),
        ("an element in methodName", b"<methodCall><methodName>a<b/>c</methodName></methodCall>"),
        ("an element in a member name", b"<methodCall><methodName>m</methodName><params><param><value><struct><member><name><b/></name><value>1</value></member></struct></value></param></params></methodCall>"),
        ("an element in an int", b"<methodCall><methodName>m</methodName><params><param><value><i4><b>1</b></i4></value></param></params></methodCall>"),
        ("an element in a string", b"<methodCall><methodName>m</methodName><params><param><value><string>a<b/></string></value></param></params></methodCall>"),
    ];
    for (what, body) in cases {
        let fault = call_fault(body);
        assert_eq!(fault.code, PARSE, "text {what}: {fault}");
    }
}
