//! `restart_tracker`: see `vmm_ref_fuzz::tracker`.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: vmm_ref_fuzz::TrackerInput| vmm_ref_fuzz::tracker(&input));
