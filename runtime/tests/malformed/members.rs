//! Many members: no quadratic behaviour, and the right result.

use super::*;

#[test]
fn a_hundred_thousand_repeated_member_openings_are_refused() {
    for hostile in [
        "<value><struct><member><name>".repeat(100_000),
        "<value><struct>".to_owned() + &"<member><name>".repeat(100_000),
    ] {
        let fault = xml::decode_value::<Value>(hostile.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARSE, "{fault}");
        let fault =
            xml::decode_value::<BTreeMap<String, String>>(hostile.as_bytes(), &Limits::default())
                .unwrap_err();
        assert_eq!(fault.code, PARSE, "{fault}");
    }
}

#[test]
fn a_hundred_thousand_members_decode_correctly() {
    const N: usize = 100_000;
    let mut distinct = String::from("<value><struct>");
    let mut same = String::from("<value><struct>");
    for i in 0..N {
        distinct.push_str(&format!(
            "<member><name>m{i}</name><value><i4>{i}</i4></value></member>"
        ));
        same.push_str(&format!(
            "<member><name>m</name><value><i4>{i}</i4></value></member>"
        ));
    }
    distinct.push_str("</struct></value>");
    same.push_str("</struct></value>");

    let value: Value = xml::decode_value(distinct.as_bytes(), &Limits::default()).unwrap();
    let members = value.as_struct().unwrap();
    assert_eq!(members.len(), N);
    for (i, (name, value)) in members.iter().enumerate() {
        assert_eq!(name, format!("m{i}"));
        assert_eq!(value, &Value::from(i as i64));
    }
    let map: BTreeMap<String, i32> =
        xml::decode_value(distinct.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(map.len(), N);
    assert_eq!(map["m99999"], 99_999);

    // One name sent N times: one member, keeping the last value.
    let value: Value = xml::decode_value(same.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(value.as_struct().unwrap().len(), 1);
    assert_eq!(value.get("m"), Some(&Value::from((N - 1) as i64)));

    // The same in JSON.
    let object = (0..N)
        .map(|i| format!("\"m{i}\":{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let body = json_call(&format!("[{{{object}}}]"));
    let request = json_request(&body);
    let (value,): (Value,) = request.params.decode().unwrap();
    let members = value.as_struct().unwrap();
    assert_eq!(members.len(), N);
    assert_eq!(
        members.iter().nth(N - 1),
        Some(("m99999", &Value::from(99_999)))
    );
}
