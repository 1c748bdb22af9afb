//! Shared by the KVM tests: tiny hand-assembled guests packed as minimal ELF "kernels", temp
//! files, and the check for whether this host's KVM can run them at all.

#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::PathBuf;

/// Load address and entry of the tiny kernels (where vmlinux loads).
pub const LOAD: u64 = 0x100_0000;

/// `mov dx, port`.
pub fn mov_dx(port: u16) -> Vec<u8> {
    let [lo, hi] = port.to_le_bytes();
    vec![0x66, 0xba, lo, hi]
}

/// Writes `text` to COM1 (works in 32-bit and 64-bit mode alike).
pub fn print(text: &[u8]) -> Vec<u8> {
    let mut c = mov_dx(0x3f8);
    for &b in text {
        c.extend_from_slice(&[0xb0, b, 0xee]); // mov al, b; out dx, al
    }
    c
}

/// `out 0x80, code`.
pub fn debug_port(code: u8) -> Vec<u8> {
    vec![0xb0, code, 0xe6, 0x80]
}

/// The i8042 reset, then a halt loop in case it returns.
pub fn reset() -> Vec<u8> {
    vec![0xb0, 0xfe, 0xe6, 0x64, 0xf4, 0xeb, 0xfd]
}

/// `cli; hlt; jmp back`.
pub fn halt_forever() -> Vec<u8> {
    vec![0xfa, 0xf4, 0xeb, 0xfd]
}

/// A minimal ELF64 executable with one PT_LOAD segment holding `code` at [`LOAD`], entry at
/// its start; with `pvh`, also a PT_NOTE carrying the Xen PVH entry (the same address).
pub fn tiny_elf(code: &[u8], pvh: bool) -> Vec<u8> {
    let phnum: u16 = if pvh { 2 } else { 1 };
    let code_off: u64 = 0x1000;
    let mut f = vec![0u8; code_off as usize];
    // ELF header.
    f[0..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // 64-bit
    f[5] = 1; // little endian
    f[6] = 1; // version
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&62u16.to_le_bytes()); // x86-64
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..32].copy_from_slice(&LOAD.to_le_bytes()); // e_entry
    f[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    f[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
    f[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
    f[56..58].copy_from_slice(&phnum.to_le_bytes());
    // PT_LOAD.
    let ph = &mut f[64..120];
    ph[0..4].copy_from_slice(&1u32.to_le_bytes());
    ph[4..8].copy_from_slice(&7u32.to_le_bytes());
    ph[8..16].copy_from_slice(&code_off.to_le_bytes());
    ph[16..24].copy_from_slice(&LOAD.to_le_bytes());
    ph[24..32].copy_from_slice(&LOAD.to_le_bytes());
    ph[32..40].copy_from_slice(&(code.len() as u64).to_le_bytes());
    ph[40..48].copy_from_slice(&(code.len() as u64).to_le_bytes());
    if pvh {
        // Note: namesz 4 ("Xen\0"), descsz 4, type 18 (XEN_ELFNOTE_PHYS32_ENTRY), 32-bit entry.
        let note_off = 0x200u64;
        let mut note = Vec::new();
        note.extend_from_slice(&4u32.to_le_bytes());
        note.extend_from_slice(&4u32.to_le_bytes());
        note.extend_from_slice(&18u32.to_le_bytes());
        note.extend_from_slice(b"Xen\0");
        note.extend_from_slice(&(LOAD as u32).to_le_bytes());
        f[note_off as usize..note_off as usize + note.len()].copy_from_slice(&note);
        let ph = &mut f[120..176];
        ph[0..4].copy_from_slice(&4u32.to_le_bytes()); // PT_NOTE
        ph[8..16].copy_from_slice(&note_off.to_le_bytes());
        ph[32..40].copy_from_slice(&(note.len() as u64).to_le_bytes());
        ph[40..48].copy_from_slice(&(note.len() as u64).to_le_bytes());
    }
    f.extend_from_slice(code);
    f
}

/// A temporary file removed on drop.
pub struct TempFile(pub PathBuf);

impl TempFile {
    pub fn with(name: &str, bytes: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("vmm-ref-test-{}-{name}", std::process::id()));
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(bytes).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Why KVM tests cannot run here, if they cannot.
pub fn kvm_unusable() -> Option<String> {
    match std::fs::File::options()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        Err(e) => Some(format!("/dev/kvm cannot be opened: {e}")),
        Ok(_) => match kvm_ioctls::Kvm::new().and_then(|k| k.create_vm()) {
            Err(e) => Some(format!("cannot create a KVM VM: {e}")),
            Ok(_) => None,
        },
    }
}

/// Returns from the test, saying why, when KVM cannot run the tiny guests here.
#[macro_export]
macro_rules! require_kvm {
    () => {
        if let Some(why) = $crate::kvm_support::kvm_unusable() {
            eprintln!("SKIPPED: {why}");
            return;
        }
    };
}

/// A minimal bzImage: a setup header (boot protocol 2.15, 64-bit entry, 16 MiB `init_size`)
/// and a protected-mode payload whose 64-bit entry (load address + 0x200) runs `code`.
pub fn tiny_bzimage(code: &[u8]) -> Vec<u8> {
    let setup_sects = 1u8;
    let mut f = vec![0u8; (usize::from(setup_sects) + 1) * 512];
    f[0x1f1] = setup_sects;
    f[0x1fe..0x200].copy_from_slice(&0xaa55u16.to_le_bytes());
    f[0x202..0x206].copy_from_slice(b"HdrS");
    f[0x206..0x208].copy_from_slice(&0x020fu16.to_le_bytes()); // version 2.15
    f[0x211] = 0x01; // LOADED_HIGH
    f[0x214..0x218].copy_from_slice(&0x10_0000u32.to_le_bytes()); // code32_start
    f[0x236..0x238].copy_from_slice(&0x0001u16.to_le_bytes()); // XLF_KERNEL_64
    f[0x258..0x260].copy_from_slice(&0x10_0000u64.to_le_bytes()); // pref_address
    f[0x260..0x264].copy_from_slice(&(1u32 << 20).to_le_bytes()); // init_size
    // Payload: the 32-bit entry (unused) at 0, the 64-bit entry at 0x200.
    let mut payload = vec![0xf4u8; 0x200];
    payload.extend_from_slice(code);
    f.extend_from_slice(&payload);
    f
}

/// 64-bit code checking the zero page that RSI points to (boot flag, loader type, command
/// line pointer, E820 count of 3), then printing `ok` (or `bad`) and resetting.
pub fn check_zero_page() -> Vec<u8> {
    let mut ok = print(b"ok");
    ok.extend(reset());
    let mut bad = print(b"bad");
    bad.extend(reset());
    let checks: Vec<Vec<u8>> = vec![
        vec![0x66, 0x81, 0xbe, 0xfe, 0x01, 0, 0, 0x55, 0xaa], // cmp word [rsi+0x1fe], 0xaa55
        vec![0x80, 0xbe, 0x10, 0x02, 0, 0, 0xff],             // cmp byte [rsi+0x210], 0xff
        vec![0x81, 0xbe, 0x28, 0x02, 0, 0, 0, 0, 0x02, 0],    // cmp dword [rsi+0x228], 0x20000
        vec![0x80, 0xbe, 0xe8, 0x01, 0, 0, 0x03],             // cmp byte [rsi+0x1e8], 3
    ];
    // Each check is followed by `jne bad` (rel32), bad sits after `ok`.
    let mut code = Vec::new();
    let total_checks: usize = checks.iter().map(|c| c.len() + 6).sum();
    for c in &checks {
        code.extend_from_slice(c);
        let here = code.len() + 6;
        let target = total_checks + ok.len();
        let rel = (target as i32) - (here as i32);
        code.extend_from_slice(&[0x0f, 0x85]);
        code.extend_from_slice(&rel.to_le_bytes());
    }
    code.extend(ok);
    code.extend(bad);
    code
}

/// 32-bit code checking that RBX points to the PVH start info (magic, version 1, command line
/// at 0x20000), then printing `ok` (or `bad`) and resetting.
pub fn check_pvh_start_info() -> Vec<u8> {
    let mut ok = print(b"ok");
    ok.extend(reset());
    let mut bad = print(b"bad");
    bad.extend(reset());
    let checks: Vec<Vec<u8>> = vec![
        vec![0x81, 0x3b, 0x78, 0xc5, 0x6e, 0x33], // cmp dword [ebx], 0x336ec578
        vec![0x83, 0x7b, 0x04, 0x01],             // cmp dword [ebx+4], 1
        vec![0x81, 0x7b, 0x18, 0x00, 0x00, 0x02, 0x00], // cmp dword [ebx+0x18], 0x20000
    ];
    let mut code = Vec::new();
    let total_checks: usize = checks.iter().map(|c| c.len() + 6).sum();
    for c in &checks {
        code.extend_from_slice(c);
        let here = code.len() + 6;
        let target = total_checks + ok.len();
        let rel = (target as i32) - (here as i32);
        code.extend_from_slice(&[0x0f, 0x85]);
        code.extend_from_slice(&rel.to_le_bytes());
    }
    code.extend(ok);
    code.extend(bad);
    code
}
