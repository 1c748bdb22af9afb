//! `convert`: see `vmm_ref_fuzz::convert`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vmm_ref_fuzz::convert(data));
