//! What the kernel reads at entry: the command line, the zero page (`boot_params`, Linux boot
//! protocol) or the PVH start info, all written into guest memory by pure functions
//! (spec/vmm.md 1.3-1.5).

use std::fmt;

use linux_loader::bootparam::{
    E820_MAX_ENTRIES_ZEROPAGE, boot_e820_entry, boot_params, setup_header,
};
use linux_loader::loader::elf::start_info::{
    hvm_memmap_table_entry, hvm_modlist_entry, hvm_start_info,
};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use super::Error;
use super::layout::{
    CMDLINE_MAX_SIZE, CMDLINE_START, E820Entry, MODLIST_START, PVH_INFO_START, ZERO_PAGE_START,
};

/// A kernel command line: printable ASCII, at most [`CMDLINE_MAX_SIZE`] bytes including the
/// terminating NUL (x86 kernels silently truncate longer ones, so we refuse them).
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::bootparams::Cmdline;
/// let mut c = Cmdline::new("console=ttyS0").unwrap();
/// c.push("panic=1").unwrap();
/// assert_eq!(c.as_str(), "console=ttyS0 panic=1");
/// assert!(Cmdline::new("bad\0nul").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Cmdline(String);

impl Cmdline {
    /// Validates `s` as a whole command line.
    ///
    /// # Errors
    ///
    /// [`Error::Cmdline`] naming the problem (too long, or a byte that is not printable ASCII).
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::bootparams::Cmdline;
    /// assert!(Cmdline::new(&"x".repeat(2047)).is_ok());
    /// assert!(Cmdline::new(&"x".repeat(2048)).is_err());
    /// ```
    pub fn new(s: &str) -> Result<Self, Error> {
        check_cmdline(s)?;
        Ok(Self(s.trim().to_owned()))
    }

    /// Appends `arg` (one or more space-separated parameters).
    ///
    /// # Errors
    ///
    /// [`Error::Cmdline`] when the result would be invalid; the command line is unchanged then.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::bootparams::Cmdline;
    /// let mut c = Cmdline::default();
    /// c.push("quiet").unwrap();
    /// assert_eq!(c.as_str(), "quiet");
    /// ```
    pub fn push(&mut self, arg: &str) -> Result<(), Error> {
        let arg = arg.trim();
        if arg.is_empty() {
            return Ok(());
        }
        let joined = if self.0.is_empty() {
            arg.to_owned()
        } else {
            format!("{} {arg}", self.0)
        };
        check_cmdline(&joined)?;
        self.0 = joined;
        Ok(())
    }

    /// Whether a parameter `key` (as `key` or `key=...`) is present.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::bootparams::Cmdline;
    /// let c = Cmdline::new("console=ttyS0 quiet").unwrap();
    /// assert!(c.has_key("console") && c.has_key("quiet") && !c.has_key("cons"));
    /// ```
    #[must_use]
    pub fn has_key(&self, key: &str) -> bool {
        self.0
            .split_ascii_whitespace()
            .any(|p| p == key || p.strip_prefix(key).is_some_and(|r| r.starts_with('=')))
    }

    /// The text.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::bootparams::Cmdline;
    /// assert_eq!(Cmdline::new(" a ").unwrap().as_str(), "a");
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length in guest memory, NUL included.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::bootparams::Cmdline;
    /// assert_eq!(Cmdline::new("ab").unwrap().size_with_nul(), 3);
    /// ```
    #[must_use]
    pub fn size_with_nul(&self) -> usize {
        self.0.len() + 1
    }
}

impl fmt::Display for Cmdline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn check_cmdline(s: &str) -> Result<(), Error> {
    if let Some((i, b)) = s
        .bytes()
        .enumerate()
        .find(|(_, b)| !(b.is_ascii_graphic() || *b == b' '))
    {
        return Err(Error::Cmdline(format!(
            "byte {b:#04x} at offset {i} is not printable ASCII"
        )));
    }
    if s.trim().len() + 1 > CMDLINE_MAX_SIZE {
        return Err(Error::Cmdline(format!(
            "{} bytes is longer than the kernel's limit of {} (NUL included)",
            s.trim().len(),
            CMDLINE_MAX_SIZE - 1
        )));
    }
    Ok(())
}

/// Writes the command line, NUL-terminated, at [`CMDLINE_START`].
///
/// # Errors
///
/// [`Error::GuestMemory`] when that page is not backed.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::bootparams::{Cmdline, write_cmdline};
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 1 << 20)]).unwrap();
/// write_cmdline(&mem, &Cmdline::new("quiet").unwrap()).unwrap();
/// let mut buf = [0u8; 6];
/// mem.read_slice(&mut buf, GuestAddress(0x20000)).unwrap();
/// assert_eq!(&buf, b"quiet\0");
/// ```
pub fn write_cmdline(mem: &GuestMemoryMmap, cmdline: &Cmdline) -> Result<(), Error> {
    let mut bytes = Vec::with_capacity(cmdline.size_with_nul());
    bytes.extend_from_slice(cmdline.as_str().as_bytes());
    bytes.push(0);
    mem.write_slice(&bytes, CMDLINE_START)
        .map_err(|e| Error::GuestMemory(format!("command line: {e}")))
}

/// Where the initramfs was placed.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::bootparams::InitrdPlacement;
/// let i = InitrdPlacement { addr: GuestAddress(0x100_0000), size: 4096 };
/// assert_eq!(i.size, 4096);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitrdPlacement {
    /// First byte.
    pub addr: GuestAddress,
    /// Length in bytes.
    pub size: u64,
}

/// `type_of_loader` for "undefined loader"; it must be non-zero or Linux ignores the initrd.
const LOADER_TYPE_UNDEFINED: u8 = 0xff;
/// `boot_flag` magic.
const BOOT_FLAG_MAGIC: u16 = 0xaa55;
/// `header` magic, "HdrS".
const HDRS_MAGIC: u32 = 0x5372_6448;
/// Kernel alignment given to an ELF kernel booted through the Linux protocol.
const ELF_KERNEL_ALIGNMENT: u32 = 0x0100_0000;

/// Builds the zero page: the bzImage's setup header when there is one (an ELF kernel gets a
/// zeroed one), the loader fields, the command line pointer, the initramfs and the E820 map.
///
/// # Errors
///
/// [`Error::Layout`] when the map has more entries than the zero page holds or the initramfs
/// is not below 4 GiB.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::{bootparams::{Cmdline, build_zero_page}, layout::e820_map};
/// let map = e820_map(&[(GuestAddress(0), 64 << 20)]);
/// let bp = build_zero_page(None, &Cmdline::new("quiet").unwrap(), None, &map).unwrap();
/// assert_eq!({ bp.hdr.type_of_loader }, 0xff);
/// assert_eq!({ bp.e820_entries }, 3);
/// ```
pub fn build_zero_page(
    header: Option<setup_header>,
    cmdline: &Cmdline,
    initrd: Option<InitrdPlacement>,
    e820: &[E820Entry],
) -> Result<boot_params, Error> {
    let mut params = boot_params {
        hdr: header.unwrap_or(setup_header {
            kernel_alignment: ELF_KERNEL_ALIGNMENT,
            ..Default::default()
        }),
        ..Default::default()
    };
    params.hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
    params.hdr.boot_flag = BOOT_FLAG_MAGIC;
    params.hdr.header = HDRS_MAGIC;
    params.hdr.cmd_line_ptr = CMDLINE_START.0 as u32;
    params.hdr.cmdline_size = cmdline.size_with_nul() as u32;
    if let Some(initrd) = initrd {
        let end_ok = initrd
            .addr
            .0
            .checked_add(initrd.size)
            .is_some_and(|end| end <= 1 << 32);
        if !end_ok {
            return Err(Error::Layout("the initramfs must lie below 4 GiB"));
        }
        params.hdr.ramdisk_image = initrd.addr.0 as u32;
        params.hdr.ramdisk_size = initrd.size as u32;
    }
    if e820.len() > E820_MAX_ENTRIES_ZEROPAGE {
        return Err(Error::Layout("too many E820 entries for the zero page"));
    }
    for (slot, e) in params.e820_table.iter_mut().zip(e820) {
        *slot = boot_e820_entry {
            addr: e.addr,
            size: e.size,
            r#type: e.kind.code(),
        };
    }
    params.e820_entries = e820.len() as u8;
    Ok(params)
}

/// Writes the zero page at [`ZERO_PAGE_START`].
///
/// # Errors
///
/// As [`build_zero_page`], and [`Error::GuestMemory`].
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::{bootparams::{Cmdline, write_zero_page}, layout::e820_map};
/// let regions = [(GuestAddress(0), 32 << 20)];
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
/// write_zero_page(&mem, None, &Cmdline::default(), None, &e820_map(&regions)).unwrap();
/// let magic: u16 = mem.read_obj(GuestAddress(0x7000 + 0x1fe)).unwrap();
/// assert_eq!(magic, 0xaa55);
/// ```
pub fn write_zero_page(
    mem: &GuestMemoryMmap,
    header: Option<setup_header>,
    cmdline: &Cmdline,
    initrd: Option<InitrdPlacement>,
    e820: &[E820Entry],
) -> Result<(), Error> {
    let params = build_zero_page(header, cmdline, initrd, e820)?;
    mem.write_obj(params, ZERO_PAGE_START)
        .map_err(|e| Error::GuestMemory(format!("zero page: {e}")))
}

/// `hvm_start_info` magic ("xEn3" with the high bit of the last byte cleared).
pub const XEN_HVM_START_MAGIC: u32 = 0x336e_c578;

/// Writes the PVH start info at [`PVH_INFO_START`], the initramfs as module 0 at
/// [`MODLIST_START`], and the memory map at [`ZERO_PAGE_START`].
///
/// # Errors
///
/// [`Error::GuestMemory`] when those pages are not backed.
///
/// # Examples
///
/// ```
/// use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::{bootparams::write_pvh_info, layout::e820_map};
/// let regions = [(GuestAddress(0), 32 << 20)];
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
/// write_pvh_info(&mem, None, &e820_map(&regions)).unwrap();
/// let magic: u32 = mem.read_obj(GuestAddress(0x6000)).unwrap();
/// assert_eq!(magic, 0x336e_c578);
/// ```
pub fn write_pvh_info(
    mem: &GuestMemoryMmap,
    initrd: Option<InitrdPlacement>,
    e820: &[E820Entry],
) -> Result<(), Error> {
    let err = |what: &'static str| {
        move |e: vm_memory::GuestMemoryError| Error::GuestMemory(format!("PVH {what}: {e}"))
    };
    let mut info = hvm_start_info {
        magic: XEN_HVM_START_MAGIC,
        version: 1,
        cmdline_paddr: CMDLINE_START.0,
        memmap_paddr: ZERO_PAGE_START.0,
        memmap_entries: e820.len() as u32,
        ..Default::default()
    };
    if let Some(initrd) = initrd {
        info.nr_modules = 1;
        info.modlist_paddr = MODLIST_START.0;
        let module = hvm_modlist_entry {
            paddr: initrd.addr.0,
            size: initrd.size,
            ..Default::default()
        };
        mem.write_obj(module, MODLIST_START)
            .map_err(err("module list"))?;
    }
    let entry_size = size_of::<hvm_memmap_table_entry>() as u64;
    for (i, e) in e820.iter().enumerate() {
        let entry = hvm_memmap_table_entry {
            addr: e.addr,
            size: e.size,
            type_: e.kind.code(),
            reserved: 0,
        };
        let addr = GuestAddress(ZERO_PAGE_START.0 + entry_size * i as u64);
        mem.write_obj(entry, addr).map_err(err("memory map"))?;
    }
    mem.write_obj(info, PVH_INFO_START)
        .map_err(err("start info"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vmm::layout::{E820Kind, e820_map};

    fn mem() -> GuestMemoryMmap {
        GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap()
    }

    #[test]
    fn type_of_loader_is_never_zero_even_with_a_bzimage_header() {
        let hdr = setup_header {
            version: 0x20f,
            type_of_loader: 0,
            ..Default::default()
        };
        let bp = build_zero_page(Some(hdr), &Cmdline::default(), None, &[]).unwrap();
        assert_eq!({ bp.hdr.type_of_loader }, 0xff);
        assert_eq!({ bp.hdr.version }, 0x20f);
    }

    #[test]
    fn elf_kernel_gets_a_16_mib_alignment() {
        let bp = build_zero_page(None, &Cmdline::default(), None, &[]).unwrap();
        assert_eq!({ bp.hdr.kernel_alignment }, 0x0100_0000);
    }

    #[test]
    fn zero_page_points_at_the_cmdline_and_initrd() {
        let c = Cmdline::new("console=ttyS0").unwrap();
        let i = InitrdPlacement {
            addr: GuestAddress(0x1f0_0000),
            size: 1234,
        };
        let bp = build_zero_page(None, &c, Some(i), &[]).unwrap();
        assert_eq!({ bp.hdr.cmd_line_ptr }, 0x20000);
        assert_eq!({ bp.hdr.cmdline_size }, 14);
        assert_eq!(
            ({ bp.hdr.ramdisk_image }, { bp.hdr.ramdisk_size }),
            (0x1f0_0000, 1234)
        );
    }

    #[test]
    fn zero_page_carries_the_e820_map() {
        let map = e820_map(&[(GuestAddress(0), 32 << 20)]);
        let bp = build_zero_page(None, &Cmdline::default(), None, &map).unwrap();
        let second = bp.e820_table[1];
        assert_eq!(
            ({ second.addr }, { second.size }, { second.r#type }),
            (0x9fc00, 0x40400, 2)
        );
    }

    #[test]
    fn initrd_above_4_gib_is_refused() {
        let i = InitrdPlacement {
            addr: GuestAddress(1 << 32),
            size: 1,
        };
        assert!(matches!(
            build_zero_page(None, &Cmdline::default(), Some(i), &[]),
            Err(Error::Layout(_))
        ));
    }

    #[test]
    fn too_many_e820_entries_are_refused() {
        let e = E820Entry {
            addr: 0,
            size: 1,
            kind: E820Kind::Ram,
        };
        let many = vec![e; 129];
        assert!(build_zero_page(None, &Cmdline::default(), None, &many).is_err());
    }

    #[test]
    fn pvh_info_lists_the_initrd_and_memory_map() {
        let m = mem();
        let map = e820_map(&[(GuestAddress(0), 32 << 20)]);
        let i = InitrdPlacement {
            addr: GuestAddress(0x1ff_0000),
            size: 0x1000,
        };
        write_pvh_info(&m, Some(i), &map).unwrap();
        let info: hvm_start_info = m.read_obj(PVH_INFO_START).unwrap();
        assert_eq!(
            (info.version, info.nr_modules, info.memmap_entries),
            (1, 1, 3)
        );
        assert_eq!(
            (info.cmdline_paddr, info.modlist_paddr, info.memmap_paddr),
            (0x20000, 0x6040, 0x7000)
        );
        let module: hvm_modlist_entry = m.read_obj(MODLIST_START).unwrap();
        assert_eq!((module.paddr, module.size), (0x1ff_0000, 0x1000));
        let third: hvm_memmap_table_entry = m.read_obj(GuestAddress(0x7000 + 48)).unwrap();
        assert_eq!((third.addr, third.type_), (0x10_0000, 1));
    }

    #[test]
    fn pvh_without_initrd_has_no_modules() {
        let m = mem();
        write_pvh_info(&m, None, &[]).unwrap();
        let info: hvm_start_info = m.read_obj(PVH_INFO_START).unwrap();
        assert_eq!((info.nr_modules, info.modlist_paddr), (0, 0));
    }

    #[test]
    fn cmdline_push_refuses_overflow_and_keeps_the_old_value() {
        let mut c = Cmdline::new(&"a".repeat(2040)).unwrap();
        assert!(matches!(c.push("abcdefgh"), Err(Error::Cmdline(_))));
        assert_eq!(c.as_str().len(), 2040);
        c.push("abc").unwrap();
        assert_eq!(c.as_str().len(), 2044);
    }

    #[test]
    fn cmdline_refuses_control_bytes() {
        assert!(Cmdline::new("a\nb").is_err());
        assert!(Cmdline::new("é").is_err());
    }
}
