//! `proto_decoder`: see `vmm_ref_fuzz::decoder`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vmm_ref_fuzz::decoder(data));
