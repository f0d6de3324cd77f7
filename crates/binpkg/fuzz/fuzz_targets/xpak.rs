//! XPAK segment decoding and tail reading: no panics, and whatever decodes re-encodes
//! to a segment that decodes to the same metadata.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_binpkg::xpak;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = xpak::decode(data) {
        let again = xpak::encode(&meta);
        let back = xpak::decode(&again).expect("re-encoded segment decodes");
        assert_eq!(back, meta);
        let _ = meta.validate_text();
    }
    let _ = xpak::read_tail(&mut std::io::Cursor::new(data), 1 << 20);
});
