//! `phase`: see `vmm_ref_fuzz::phase`.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: vmm_ref_fuzz::PhaseInput| vmm_ref_fuzz::phase(&input));
