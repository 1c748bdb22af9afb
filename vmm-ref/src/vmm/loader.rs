//! Loading the kernel with linux-loader: an ELF `vmlinux` (PVH entry when its Xen note is
//! present, else the Linux 64-bit entry), or a bzImage (64-bit entry at load address + 0x200)
//! (spec/vmm.md 1.2).
//!
//! # ELF segments: copied into huge pages, or mapped from the file
//!
//! A distribution `vmlinux` is tens of MiB (Debian's cloud kernel: 53 MB), and copying it into
//! guest memory is most of the VMM's own start-up time. But where the host can back guest
//! memory with transparent huge pages ([`map_segments`] decides from the host's setting), the
//! copy is worth it: guest memory is placed for 2 MiB pages ([`super::guestmem`]), so the
//! copied kernel image sits in huge pages and the guest runs its hottest code without a nested
//! page fault per 4 KiB page. Measured in the rig, where each such fault is very expensive:
//! 40 page faults fixed by L1's KVM during a boot against 12,000 with the kernel mapped, and
//! three times fewer exits in all, for 1-2 s more of VMM setup.
//!
//! Where huge pages are off, nothing is gained by copying, and the segments are mapped:
//! linux-loader parses the image and asks for each `PT_LOAD` segment's file bytes to be read
//! into guest memory; the reader given to it here ([`KernelFile`]) then maps the segment's
//! whole pages straight from the file,
//! `MAP_PRIVATE | MAP_FIXED`, over the guest memory at the segment's address, and copies only
//! the partial pages at either end ([`plan_segment`] decides). The guest then reads the
//! kernel from the host's page cache and gets a private copy of a page only when it writes
//! it; pages it never touches cost nothing. Bytes past a segment's file size (its `.bss`) stay
//! the zeroes of fresh guest memory, as with copying.
//!
//! A segment whose file offset and guest address differ modulo the page size, that is
//! shorter than [`MIN_MAPPED`], or whose mapping fails, is copied as before.
//!
//! Like a shared library, a mapped kernel must not be overwritten in place while a guest runs
//! from it (the guest would see the new bytes, or fail its memory accesses if the file
//! shrinks): replace a kernel file by writing a new file and renaming it over the old one.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::AsRawFd;

use linux_loader::bootparam::{XLF_KERNEL_64, setup_header};
use linux_loader::loader::{
    BzImage, Elf, Error as LoaderError, KernelLoader, PvhBootCapability, elf::Error as ElfError,
};
use vm_memory::bitmap::BitmapSlice;
use vm_memory::{
    GuestAddress, GuestMemoryBackend, GuestMemoryMmap, GuestMemoryRegion, ReadVolatile,
    VolatileMemoryError, VolatileSlice,
};

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
///     mapped: 0x80_0000,
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
    /// Bytes of the image mapped from the file instead of copied (see the module docs).
    pub mapped: u64,
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
    ///     mapped: 0,
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

/// Loads `image` into `mem`: ELF first (its segments copied, or mapped from the file when
/// [`map_segments`] says so for this host, see the module docs), bzImage on a bad ELF magic.
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
    // Mapping over guest memory is only right for private anonymous memory (what `Vm` makes);
    // a file-backed region would stop sharing the replaced pages.
    let anonymous = mem.iter().all(|r| r.file_offset().is_none());
    let thp = std::fs::read_to_string(THP_ENABLED).ok();
    let mut reader = KernelFile::new(image, anonymous && map_segments(thp.as_deref()));
    match Elf::load(mem, None, &mut reader, Some(HIMEM_START)) {
        Ok(r) => {
            let mapped = reader.mapped();
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
                mapped,
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
        mapped: 0,
    })
}

/// The host's transparent huge page setting.
pub const THP_ENABLED: &str = "/sys/kernel/mm/transparent_hugepage/enabled";

/// Whether ELF segments are mapped from the file rather than copied, given the content of
/// [`THP_ENABLED`] (`None` when it cannot be read): mapped only when transparent huge pages
/// are off (`[never]`) or unknown, since a copy into huge pages is what makes the guest fast
/// where they are on (`[always]`, or `[madvise]`: guest memory is advised); see the module
/// docs.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::loader::map_segments;
/// assert!(!map_segments(Some("always [madvise] never\n")));
/// assert!(map_segments(Some("always madvise [never]\n")));
/// assert!(map_segments(None));
/// ```
#[must_use]
pub fn map_segments(thp_enabled: Option<&str>) -> bool {
    match thp_enabled {
        Some(s) => !(s.contains("[always]") || s.contains("[madvise]")),
        None => true,
    }
}

/// The smallest run of whole pages worth a mapping of its own (shorter ones are copied).
pub const MIN_MAPPED: usize = 64 << 10;

/// How one segment's `len` file bytes, starting at `file_offset`, reach guest memory at host
/// address `host_addr`: `head` bytes copied up to the first page boundary, then `mapped` bytes
/// (whole pages) mapped from the file, then `tail` bytes copied. `mapped == 0` means the whole
/// segment is copied: when the file offset and the address differ modulo `page`, or fewer than
/// `min_mapped` bytes of whole pages would be mapped. The three always add up to `len`.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::loader::{SegmentPlan, plan_segment};
/// // Congruent offsets: the whole pages in the middle are mapped.
/// let p = plan_segment(0x10_0800, 0x2800, 0x5000, 0x1000, 0x1000);
/// assert_eq!(p, SegmentPlan { head: 0x800, mapped: 0x4000, tail: 0x800 });
/// // Offsets that disagree within a page: copied.
/// let p = plan_segment(0x10_0000, 0x2010, 0x5000, 0x1000, 0x1000);
/// assert_eq!(p, SegmentPlan { head: 0x5000, mapped: 0, tail: 0 });
/// ```
#[must_use]
pub fn plan_segment(
    host_addr: usize,
    file_offset: u64,
    len: usize,
    page: usize,
    min_mapped: usize,
) -> SegmentPlan {
    let copy = SegmentPlan {
        head: len,
        mapped: 0,
        tail: 0,
    };
    if page == 0 || !page.is_power_of_two() {
        return copy;
    }
    let mask = page - 1;
    // Compare the low bits only; a file offset beyond usize cannot be mapped anyway.
    let Ok(off) = usize::try_from(file_offset) else {
        return copy;
    };
    if host_addr & mask != off & mask {
        return copy;
    }
    let head = ((page - (host_addr & mask)) & mask).min(len);
    let mapped = (len - head) & !mask;
    if mapped == 0 || mapped < min_mapped {
        return copy;
    }
    SegmentPlan {
        head,
        mapped,
        tail: len - head - mapped,
    }
}

/// The answer of [`plan_segment`].
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::loader::SegmentPlan;
/// let p = SegmentPlan { head: 1, mapped: 4096, tail: 2 };
/// assert_eq!(p.head + p.mapped + p.tail, 4099);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentPlan {
    /// Bytes copied before the mapped pages.
    pub head: usize,
    /// Bytes mapped from the file (a multiple of the page size; 0 = all copied).
    pub mapped: usize,
    /// Bytes copied after the mapped pages.
    pub tail: usize,
}

/// The kernel file as linux-loader reads it: headers are read as usual, and segment bytes
/// that go into guest memory are mapped from the file where [`plan_segment`] allows (see the
/// module docs).
///
/// # Examples
///
/// ```
/// use std::io::{Read, Seek, SeekFrom, Write};
/// use vmm_ref::vmm::loader::KernelFile;
/// let path = std::env::temp_dir().join(format!("vmm-ref-kfile-doctest-{}", std::process::id()));
/// std::fs::write(&path, b"0123456789").unwrap();
/// let mut f = std::fs::File::open(&path).unwrap();
/// let mut k = KernelFile::new(&mut f, true);
/// k.seek(SeekFrom::Start(4)).unwrap();
/// let mut b = [0u8; 3];
/// k.read_exact(&mut b).unwrap();
/// assert_eq!(&b, b"456");
/// assert_eq!(k.mapped(), 0);
/// # std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug)]
pub struct KernelFile<'a> {
    file: &'a mut File,
    map: bool,
    page: usize,
    mapped: u64,
}

impl<'a> KernelFile<'a> {
    /// Wraps `file`; with `map == false` every byte is copied.
    ///
    /// # Examples
    ///
    /// ```
    /// # let path = std::env::temp_dir().join(format!("vmm-ref-kfile-new-{}", std::process::id()));
    /// # std::fs::write(&path, b"x").unwrap();
    /// let mut f = std::fs::File::open(&path).unwrap();
    /// let k = vmm_ref::vmm::loader::KernelFile::new(&mut f, false);
    /// assert_eq!(k.mapped(), 0);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn new(file: &'a mut File, map: bool) -> Self {
        // Safe because sysconf only reads a configuration value.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        Self {
            file,
            map,
            page: usize::try_from(page).unwrap_or(0),
            mapped: 0,
        }
    }

    /// Bytes mapped so far.
    ///
    /// # Examples
    ///
    /// ```
    /// # let path = std::env::temp_dir().join(format!("vmm-ref-kfile-mapped-{}", std::process::id()));
    /// # std::fs::write(&path, b"x").unwrap();
    /// # let mut f = std::fs::File::open(&path).unwrap();
    /// let k = vmm_ref::vmm::loader::KernelFile::new(&mut f, true);
    /// assert_eq!(k.mapped(), 0);
    /// # std::fs::remove_file(&path).unwrap();
    /// ```
    #[must_use]
    pub fn mapped(&self) -> u64 {
        self.mapped
    }

    /// Maps `len` bytes of the file at `offset` over `addr`. False when the kernel refuses
    /// (the caller copies instead).
    fn map_at(&self, addr: *mut u8, offset: u64, len: usize) -> bool {
        let Ok(off) = libc::off_t::try_from(offset) else {
            return false;
        };
        // Safe because `addr..addr + len` is page-aligned guest memory inside the slice that
        // vm-memory handed us for writing: it lies in the private anonymous mapping of one
        // guest memory region, which stays mapped (and is unmapped as a whole) for as long as
        // the region lives. MAP_FIXED replaces those pages with private, writable pages that
        // hold the file's bytes, which is what copying them would give; vm-memory only
        // accesses guest memory through volatile pointers, so no Rust reference is affected,
        // and KVM follows the change through its MMU notifier.
        let r = unsafe {
            libc::mmap(
                addr.cast(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_FIXED | libc::MAP_NORESERVE,
                self.file.as_raw_fd(),
                off,
            )
        };
        r == addr.cast()
    }
}

impl Read for KernelFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for KernelFile<'_> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.file.seek(pos)
    }
}

impl ReadVolatile for KernelFile<'_> {
    /// Fills all of `buf` (short only at the end of the file), mapping its whole pages from
    /// the file when the offsets allow.
    fn read_volatile<B: BitmapSlice>(
        &mut self,
        buf: &mut VolatileSlice<'_, B>,
    ) -> Result<usize, VolatileMemoryError> {
        let io = VolatileMemoryError::IOError;
        let len = buf.len();
        let pos = self.file.stream_position().map_err(io)?;
        let file_len = self.file.metadata().map_err(io)?.len();
        let addr = buf.ptr_guard_mut().as_ptr();
        let plan = if self.map && pos.checked_add(len as u64).is_some_and(|e| e <= file_len) {
            plan_segment(
                addr as usize,
                pos,
                len,
                self.page,
                MIN_MAPPED.max(self.page),
            )
        } else {
            SegmentPlan {
                head: len,
                mapped: 0,
                tail: 0,
            }
        };
        let mut done = copy_from(self.file, buf, 0, plan.head)?;
        if done < plan.head {
            return Ok(done);
        }
        if plan.mapped > 0 {
            // The pointer stays inside `buf`: head + mapped <= len.
            let at = addr.wrapping_add(plan.head);
            if self.map_at(at, pos + plan.head as u64, plan.mapped) {
                self.file
                    .seek(SeekFrom::Current(plan.mapped as i64))
                    .map_err(io)?;
                self.mapped += plan.mapped as u64;
                done += plan.mapped;
            } else {
                let n = copy_from(self.file, buf, done, plan.mapped)?;
                done += n;
                if n < plan.mapped {
                    return Ok(done);
                }
            }
        }
        done += copy_from(self.file, buf, done, plan.tail)?;
        Ok(done)
    }
}

/// Reads up to `len` bytes from `file` into `buf[at..]`, stopping early only at the end of the
/// file; returns how many were read.
fn copy_from<B: BitmapSlice>(
    file: &mut File,
    buf: &VolatileSlice<'_, B>,
    at: usize,
    len: usize,
) -> Result<usize, VolatileMemoryError> {
    if len == 0 {
        return Ok(0);
    }
    let mut part = buf.subslice(at, len)?;
    let mut done = 0;
    while !part.is_empty() {
        match file.read_volatile(&mut part) {
            Ok(0) => break,
            Ok(n) => {
                done += n;
                part = part.offset(n)?;
            }
            Err(VolatileMemoryError::IOError(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
            }
            Err(e) => return Err(e),
        }
    }
    Ok(done)
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

#[cfg(test)]
mod tests {
    use super::*;
    use vm_memory::Bytes;

    const PAGE: usize = 0x1000;

    fn pattern(i: usize) -> u8 {
        (i * 7 % 251) as u8 | 1
    }

    /// A 64-bit ELF with two `PT_LOAD` segments: `A` at 16 MiB from file offset 0x1000
    /// (page-congruent, 0x12345 bytes, memsz 0x20000) and `B` at 17 MiB from offset 0x13400
    /// (not congruent, 0x100 bytes), followed by non-zero bytes that belong to neither.
    fn elf_image() -> Vec<u8> {
        let mut f: Vec<u8> = (0..0x14000).map(pattern).collect();
        let mut eh = Vec::new();
        eh.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        eh.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        eh.extend_from_slice(&0x3eu16.to_le_bytes()); // x86_64
        eh.extend_from_slice(&1u32.to_le_bytes());
        eh.extend_from_slice(&0x100_0000u64.to_le_bytes()); // entry
        eh.extend_from_slice(&64u64.to_le_bytes()); // phoff
        eh.extend_from_slice(&0u64.to_le_bytes()); // shoff
        eh.extend_from_slice(&0u32.to_le_bytes());
        eh.extend_from_slice(&64u16.to_le_bytes());
        eh.extend_from_slice(&56u16.to_le_bytes());
        eh.extend_from_slice(&2u16.to_le_bytes()); // phnum
        eh.extend_from_slice(&[0; 6]);
        for (offset, paddr, filesz, memsz) in [
            (0x1000u64, 0x100_0000u64, 0x12345u64, 0x20000u64),
            (0x13400, 0x110_0000, 0x100, 0x100),
        ] {
            eh.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
            eh.extend_from_slice(&7u32.to_le_bytes());
            for v in [offset, paddr, paddr, filesz, memsz, 0x1000] {
                eh.extend_from_slice(&v.to_le_bytes());
            }
        }
        f[..eh.len()].copy_from_slice(&eh);
        f
    }

    fn temp_file(name: &str, bytes: &[u8]) -> (std::path::PathBuf, File) {
        let path =
            std::env::temp_dir().join(format!("vmm-ref-loader-{name}-{}", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let f = File::open(&path).unwrap();
        (path, f)
    }

    fn guest(mem: &GuestMemoryMmap, at: u64, len: usize) -> Vec<u8> {
        let mut v = vec![0; len];
        mem.read_slice(&mut v, GuestAddress(at)).unwrap();
        v
    }

    fn check_loaded(mem: &GuestMemoryMmap, image: &[u8]) {
        assert_eq!(guest(mem, 0x100_0000, 0x12345), image[0x1000..0x13345]);
        // The rest of the segment (its .bss) is zero, not the file's next bytes.
        assert!(
            guest(mem, 0x101_2345, 0x20000 - 0x12345)
                .iter()
                .all(|b| *b == 0)
        );
        assert_eq!(guest(mem, 0x110_0000, 0x100), image[0x13400..0x13500]);
        assert_eq!(guest(mem, 0x110_0100, 0x100), vec![0; 0x100]);
    }

    #[test]
    fn load_kernel_loads_the_segments_whichever_way_this_host_wants() {
        let image = elf_image();
        let (path, mut file) = temp_file("load", &image);
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
        let k = load_kernel(&mem, &mut file).unwrap();
        assert_eq!(k.format, KernelFormat::Elf);
        assert_eq!(k.end, 0x110_0100);
        check_loaded(&mem, &image);
        let thp = std::fs::read_to_string(THP_ENABLED).ok();
        let expected = if map_segments(thp.as_deref()) {
            0x12000
        } else {
            0
        };
        assert_eq!(k.mapped, expected);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn congruent_segments_are_mapped_and_read_the_same_as_copied() {
        let image = elf_image();
        let (path, mut file) = temp_file("map", &image);
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
        let mut reader = KernelFile::new(&mut file, true);
        let r = Elf::load(&mem, None, &mut reader, Some(HIMEM_START)).unwrap();
        assert_eq!(r.kernel_end, 0x110_0100);
        check_loaded(&mem, &image);
        // Segment A: 0x12345 bytes from a page boundary -> 0x12000 mapped, 0x345 copied;
        // segment B is not page-congruent -> copied.
        assert_eq!(reader.mapped(), 0x12000);
        // Writes go to the guest's private copy, never to the file.
        mem.write_slice(&[0u8; 64], GuestAddress(0x100_2000))
            .unwrap();
        assert_eq!(guest(&mem, 0x100_2000, 64), vec![0; 64]);
        assert_eq!(std::fs::read(&path).unwrap(), image);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_copying_reader_loads_the_same_bytes() {
        let image = elf_image();
        let (path, mut file) = temp_file("copy", &image);
        let mut reader = KernelFile::new(&mut file, false);
        let mem = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(0), 32 << 20)]).unwrap();
        Elf::load(&mem, None, &mut reader, Some(HIMEM_START)).unwrap();
        assert_eq!(reader.mapped(), 0);
        check_loaded(&mem, &image);
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn plan_maps_only_whole_pages_of_congruent_offsets() {
        // Page-aligned start, exact pages: all mapped.
        assert_eq!(
            plan_segment(0x20_0000, 0x20_0000, 0x40000, PAGE, PAGE),
            SegmentPlan {
                head: 0,
                mapped: 0x40000,
                tail: 0
            }
        );
        // Unaligned but congruent: head to the boundary, tail after the last whole page.
        let p = plan_segment(0x20_0010, 0x1010, 0x3000, PAGE, PAGE);
        assert_eq!((p.head, p.mapped, p.tail), (0xff0, 0x2000, 0x10));
        // Not congruent: copied whole.
        assert_eq!(plan_segment(0x20_0000, 0x1, 0x40000, PAGE, PAGE).mapped, 0);
        // Less than one whole page, or less than the minimum: copied whole.
        assert_eq!(plan_segment(0x20_0010, 0x10, 0x1000, PAGE, PAGE).mapped, 0);
        assert_eq!(plan_segment(0, 0, 0x8000, PAGE, 0x10000).mapped, 0);
        // A page size that is not a power of two is refused.
        assert_eq!(plan_segment(0, 0, 0x8000, 3000, 1).mapped, 0);
    }

    #[test]
    fn plan_parts_always_add_up() {
        for addr in [0usize, 1, 0xfff, 0x1000, 0x1234] {
            for off in [0u64, 1, 0xfff, 0x1000, 0x1234] {
                for len in [0usize, 1, 0xfff, 0x1000, 0x1001, 0x5432] {
                    let p = plan_segment(addr, off, len, PAGE, PAGE);
                    assert_eq!(
                        p.head + p.mapped + p.tail,
                        len,
                        "{addr:#x} {off:#x} {len:#x}"
                    );
                    if p.mapped > 0 {
                        assert_eq!((addr + p.head) % PAGE, 0);
                        assert_eq!(p.mapped % PAGE, 0);
                        assert!(p.tail < PAGE);
                    }
                }
            }
        }
    }
}
