//! The validated value types taken from user input, and free-text masking, on arbitrary
//! strings: each either parses or returns a field error, never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use odrdesk::domain::{
    CosmeticsId, Email, Fen, Phone, Uscc, mask_email, mask_free_text, mask_id_number, mask_name,
    mask_phone,
};

fuzz_target!(|s: &str| {
    if let Ok(uscc) = s.parse::<Uscc>() {
        let _ = uscc.division_code();
        // What was stored parses again to the same value.
        assert_eq!(uscc.as_str().parse::<Uscc>().ok(), Some(uscc.clone()));
    }
    let _ = Uscc::check_char(s);
    if let Ok(phone) = s.parse::<Phone>() {
        let _ = phone.masked();
        assert_eq!(phone.as_str().parse::<Phone>().ok(), Some(phone.clone()));
    }
    if let Ok(email) = s.parse::<Email>() {
        let _ = mask_email(email.as_str());
    }
    if let Ok(fen) = s.parse::<Fen>() {
        let _ = fen.to_yuan_string();
        let _ = fen.checked_add(fen);
    }
    if let Ok(id) = s.parse::<CosmeticsId>() {
        let _ = (id.kind(), id.is_recognised());
        let again = id.as_str().parse::<CosmeticsId>().ok();
        assert_eq!(again.map(|a| a.kind()), Some(id.kind()));
    }
    let _ = mask_free_text(s, &[]);
    // The text as its own party name: names overlap every other pattern.
    let _ = mask_free_text(s, &[s.to_owned(), s.chars().take(3).collect()]);
    let _ = mask_phone(s);
    let _ = mask_name(s);
    let _ = mask_id_number(s);
    let _ = mask_email(s);
});
