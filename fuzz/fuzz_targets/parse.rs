//! `parse`: see `vmm_ref_fuzz::parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vmm_ref_fuzz::parse(data));
