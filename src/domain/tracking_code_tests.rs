use super::*;

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_790_000_000 + secs, 0).unwrap()
}

#[test]
fn a_new_code_is_twenty_crockford_characters_in_groups_of_four() {
    let code = TrackingCode::from_random([0xff; CODE_RANDOM_BYTES]);
    assert_eq!(code.as_str(), "Z".repeat(20));
    let code = TrackingCode::from_random([
        0x39, 0xa4, 0x4d, 0x2b, 0xbe, 0x81, 0x07, 0x5c, 0x9e, 0x10, 0x33, 0x77, 0xa0,
    ]);
    assert_eq!(code.as_str().len(), CODE_CHARS);
    assert!(!code.is_legacy());
    let grouped = code.grouped();
    assert_eq!(grouped.len(), 24);
    assert_eq!(grouped.split('-').count(), 5);
    assert!(grouped.split('-').all(|g| g.len() == 4));
    assert_eq!(
        TrackingCode::parse(&grouped),
        Some(code.clone()),
        "round trip"
    );
    assert_eq!(TrackingCode::parse(code.as_str()), Some(code));
}

#[test]
fn typing_is_read_leniently() {
    let code = TrackingCode::parse("7K2M-9QXD-1A0B-CDEF-GH10").unwrap();
    for typed in [
        "7k2m9qxd1a0bcdefgh10",
        "7K2M 9QXD 1A0B CDEF GH10",
        " 7k2m-9qxd-ia0b-cdef-ghlo ",
        "7K2M-9QXD-LAOB-CDEF-GHIO",
        "7K2M　9QXD　1A0B　CDEF　GH10",
    ] {
        assert_eq!(TrackingCode::parse(typed), Some(code.clone()), "{typed}");
    }
}

#[test]
fn a_code_issued_before_keeps_working_as_issued() {
    let old = "3f9a0c1d2e4b5a69788796a5b4c3d2e1f0a9b8c7";
    let code = TrackingCode::parse(&old.to_uppercase()).unwrap();
    assert!(code.is_legacy());
    assert_eq!(code.as_str(), old, "hashed exactly as before");
    assert_eq!(code.grouped().replace('-', ""), old);
}

#[test]
fn wrong_shapes_are_refused() {
    for typed in [
        "",
        "7K2M-9QXD-1A0B-CDEF-GH1",
        "7K2M-9QXD-1A0B-CDEF-GH100",
        "7K2M-9QXD-1A0B-CDEF-GH1U",
        "7K2M-9QXD-1A0B-CDEF-GH1é",
        &"g".repeat(40),
        &"a".repeat(39),
    ] {
        assert_eq!(TrackingCode::parse(typed), None, "{typed}");
    }
}

#[test]
fn a_case_takes_ten_wrong_codes_an_hour_then_refuses_until_the_window_ends() {
    let mut w = None;
    for n in 0..FAILURES_PER_WINDOW {
        assert_eq!(w.and_then(|w: WrongCodes| w.wait(at(n.into()))), None);
        w = Some(WrongCodes::after_failure(w, at(n.into())));
    }
    let w = w.unwrap();
    assert_eq!(w.failures, FAILURES_PER_WINDOW);
    assert_eq!(w.wait(at(10)), Some(3590));
    assert_eq!(w.wait(at(3599)), Some(1));
    assert_eq!(w.wait(at(3600)), None);
    assert!(w.is_stale(at(3600)));
    let next = WrongCodes::after_failure(Some(w), at(3600));
    assert_eq!((next.failures, next.since), (1, at(3600)), "a new window");
}
