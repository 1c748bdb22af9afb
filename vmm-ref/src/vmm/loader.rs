//! Loading the kernel with linux-loader: an ELF `vmlinux` (PVH entry when its Xen note is
//! present, else the Linux 64-bit entry), or a bzImage (64-bit entry at load address + 0x200)
//! (spec/vmm.md 1.2).

use std::fs::File;

use linux_loader::bootparam::{XLF_KERNEL_64, setup_header};
use linux_loader::loader::{
    BzImage, Elf, Error as LoaderError, KernelLoader, PvhBootCapability, elf::Error as ElfError,
};
use vm_memory::{GuestAddress, GuestMemoryMmap};

use super::layout::HIMEM_START;
use super::{BootProtocol, Error};

/// The kind of kernel image that was loaded.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::loader::KernelFormat;
/// assert_ne!(KernelFormat::Elf, KernelFormat::BzImage);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelFormat {
    /// ELF `vmlinux`.
    Elf,
    /// bzImage.
    BzImage,
}

/// A kernel in guest memory, and how to enter it.
///
/// # Examples
///
/// ```
/// use vm_memory::GuestAddress;
/// use vmm_ref::vmm::{BootProtocol, loader::{KernelFormat, LoadedKernel}};
/// let k = LoadedKernel {
///     format: KernelFormat::Elf,
///     protocol: BootProtocol::Pvh,
///     entry: GuestAddress(0x100_0000),
///     end: 0x200_0000,
///     setup_header: None,
/// };
/// assert_eq!(k.entry.0, 0x100_0000);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LoadedKernel {
    /// ELF or bzImage.
    pub format: KernelFormat,
    /// PVH or Linux 64-bit.
    pub protocol: BootProtocol,
    /// The entry point.
    pub entry: GuestAddress,
    /// One past the last byte loaded.
    pub end: u64,
    /// The bzImage setup header (seeds the zero page).
    pub setup_header: Option<setup_header>,
}

impl LoadedKernel {
    /// One past the last byte the kernel needs while it starts: the loaded image for an ELF
    /// kernel; for a bzImage, its `init_size` bytes from where it decompresses to (the larger
    /// of `pref_address` and the load address), which is far more than the compressed image.
    /// Nothing else (the initramfs) may be placed below this.
    ///
    /// # Examples
    ///
    /// ```
    /// use linux_loader::bootparam::setup_header;
    /// use vm_memory::GuestAddress;
    /// use vmm_ref::vmm::{BootProtocol, loader::{KernelFormat, LoadedKernel}};
    /// let hdr = setup_header { pref_address: 0x100_0000, init_size: 0x337_8000, ..Default::default() };
    /// let k = LoadedKernel {
    ///     format: KernelFormat::BzImage,
    ///     protocol: BootProtocol::Linux64,
    ///     entry: GuestAddress(0x10_0200),
    ///     end: 0x80_0000,
    ///     setup_header: Some(hdr),
    /// };
    /// assert_eq!(k.needed_end(), Some(0x100_0000 + 0x337_8000));
    /// ```
    #[must_use]
    pub fn needed_end(&self) -> Option<u64> {
        match self.setup_header {
            Some(hdr) => {
                let load = self.entry.0.checked_sub(BZIMAGE_64BIT_ENTRY_OFFSET)?;
                let base = { hdr.pref_address }.max(load);
                base.checked_add(u64::from(hdr.init_size))
                    .map(|e| e.max(self.end))
            }
            None => Some(self.end),
        }
    }
}

/// Lowest boot protocol version we accept for a bzImage (2.12: `xloadflags`).
const MIN_BZIMAGE_PROTOCOL: u16 = 0x20c;
/// Offset of the 64-bit entry from the protected-mode load address.
const BZIMAGE_64BIT_ENTRY_OFFSET: u64 = 0x200;

/// Loads `image` into `mem`: ELF first, bzImage on a bad ELF magic.
///
/// # Errors
///
/// [`Error::Kernel`] with the loader's reason: not an ELF nor a bzImage, a bzImage without a
/// 64-bit entry or older than boot protocol 2.12, or one that does not fit in memory.
///
/// # Examples
///
/// ```
/// use vm_memory::{GuestAddress, GuestMemoryMmap};
/// use vmm_ref::vmm::loader::load_kernel;
/// let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
/// let mut f = tempfile_with(b"not a kernel at all, too short");
/// assert!(load_kernel(&mem, &mut f).is_err());
/// # fn tempfile_with(b: &[u8]) -> std::fs::File {
/// #     use std::io::{Seek, Write};
/// #     let path = std::env::temp_dir().join(format!("vmm-ref-doctest-{}", std::process::id()));
/// #     let mut f = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(&path).unwrap();
/// #     f.write_all(b).unwrap();
/// #     f.rewind().unwrap();
/// #     let _ = std::fs::remove_file(&path);
/// #     f
/// # }
/// ```
pub fn load_kernel(mem: &GuestMemoryMmap, image: &mut File) -> Result<LoadedKernel, Error> {
    match Elf::load(mem, None, image, Some(HIMEM_START)) {
        Ok(r) => {
            let (protocol, entry) = match r.pvh_boot_cap {
                PvhBootCapability::PvhEntryPresent(addr) => (BootProtocol::Pvh, addr),
                _ => (BootProtocol::Linux64, r.kernel_load),
            };
            Ok(LoadedKernel {
                format: KernelFormat::Elf,
                protocol,
                entry,
                end: r.kernel_end,
                setup_header: None,
            })
        }
        Err(LoaderError::Elf(ElfError::InvalidElfMagicNumber)) => load_bzimage(mem, image),
        Err(e) => Err(Error::Kernel(format!("ELF kernel: {e}"))),
    }
}

fn load_bzimage(mem: &GuestMemoryMmap, image: &mut File) -> Result<LoadedKernel, Error> {
    let r = BzImage::load(mem, None, image, Some(HIMEM_START))
        .map_err(|e| Error::Kernel(format!("neither an ELF vmlinux nor a bzImage: {e}")))?;
    let hdr = r
        .setup_header
        .ok_or_else(|| Error::Kernel("bzImage without a setup header".to_owned()))?;
    let version = hdr.version;
    let xloadflags = hdr.xloadflags;
    check_bzimage_header(version, xloadflags)?;
    let entry = r
        .kernel_load
        .0
        .checked_add(BZIMAGE_64BIT_ENTRY_OFFSET)
        .ok_or(Error::Layout("bzImage entry overflows"))?;
    Ok(LoadedKernel {
        format: KernelFormat::BzImage,
        protocol: BootProtocol::Linux64,
        entry: GuestAddress(entry),
        end: r.kernel_end,
        setup_header: Some(hdr),
    })
}

/// Checks that a bzImage can be entered at its 64-bit entry: boot protocol 2.12 or later with
/// `XLF_KERNEL_64`.
///
/// # Errors
///
/// [`Error::Kernel`] saying which requirement fails.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::loader::check_bzimage_header;
/// assert!(check_bzimage_header(0x20f, 0x7f).is_ok());
/// assert!(check_bzimage_header(0x20b, 0x7f).is_err());
/// assert!(check_bzimage_header(0x20f, 0x00).is_err());
/// ```
pub fn check_bzimage_header(version: u16, xloadflags: u16) -> Result<(), Error> {
    if version < MIN_BZIMAGE_PROTOCOL {
        return Err(Error::Kernel(format!(
            "bzImage boot protocol {}.{} is older than 2.12",
            version >> 8,
            version & 0xff
        )));
    }
    if xloadflags & XLF_KERNEL_64 == 0 {
        return Err(Error::Kernel(
            "bzImage has no 64-bit entry point (XLF_KERNEL_64 not set)".to_owned(),
        ));
    }
    Ok(())
}
