//! `supervisor`: see `vmm_ref_fuzz::supervisor`.
#![no_main]

libfuzzer_sys::fuzz_target!(
    |input: vmm_ref_fuzz::SupervisorInput| vmm_ref_fuzz::supervisor(&input)
);
