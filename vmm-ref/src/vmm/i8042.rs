//! An i8042 keyboard controller that answers Linux's probe at once.
//!
//! vm-superio's `I8042Device` only implements the reset line: every read returns 0, so Linux
//! polls for answers that never come ("i8042: Can't read CTR while initializing i8042") and
//! spends seconds in timeouts at boot (measured: about 6.7 s of a nested guest's boot). This
//! one implements what the probe and the AT keyboard driver ask for, answering immediately:
//!
//! - status (`0x64` read): output-buffer-full, system flag, command/data, not inhibited;
//! - controller commands (`0x64` write): read/write the control register (`0x20`/`0x60`),
//!   self test (`0xaa` -> `0x55`), keyboard interface test (`0xab` -> `0x00`), disable/enable
//!   the keyboard (`0xad`/`0xae`), read/write the output port (`0xd0`/`0xd1`), write the
//!   keyboard or auxiliary output buffer (`0xd2`/`0xd3`), write to the auxiliary device
//!   (`0xd4`, dropped), and pulse reset (`0xfe`, which ends the VM);
//! - there is no mouse: the auxiliary port stays disabled whatever the guest asks, its loopback
//!   returns data not flagged as auxiliary, and its interface test reports a fault, so Linux
//!   decides at once that it is absent;
//! - a keyboard that acknowledges every command (`0xfa`), answers reset with `0xaa`, "get ID"
//!   with `0xab 0x83`, echo with `0xee` and "get scancode set" with set 2. Its bytes raise
//!   IRQ 1 when the control register enables the keyboard interrupt, one byte per interrupt.

use std::collections::VecDeque;

use vm_superio::Trigger;

/// Status: output buffer full.
const STATUS_OBF: u8 = 0x01;
/// Status: system flag (self test passed).
const STATUS_SYS: u8 = 0x04;
/// Status: the last write was to the command port.
const STATUS_CMD: u8 = 0x08;
/// Status: keyboard not inhibited.
const STATUS_UNLOCKED: u8 = 0x10;
/// Control register: keyboard interrupt enabled.
const CTR_KBD_INT: u8 = 0x01;
/// Control register: system flag.
const CTR_SYS: u8 = 0x04;
/// Control register: keyboard disabled.
const CTR_KBD_DIS: u8 = 0x10;
/// Control register: auxiliary port disabled.
const CTR_AUX_DIS: u8 = 0x20;
/// Control register: translate scancodes.
const CTR_XLATE: u8 = 0x40;
/// Keyboard acknowledge.
const ACK: u8 = 0xfa;
/// Output buffer size, as Firecracker's.
const BUFFER_MAX: usize = 16;

/// Which port an access is for.
///
/// # Examples
///
/// ```
/// use vmm_ref::vmm::i8042::I8042Port;
/// assert_eq!(I8042Port::from_offset(4), Some(I8042Port::Command));
/// assert_eq!(I8042Port::from_offset(1), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum I8042Port {
    /// `0x60`.
    Data,
    /// `0x64`.
    Command,
}

impl I8042Port {
    /// The port at `offset` from `0x60`.
    ///
    /// # Examples
    ///
    /// ```
    /// use vmm_ref::vmm::i8042::I8042Port;
    /// assert_eq!(I8042Port::from_offset(0), Some(I8042Port::Data));
    /// ```
    #[must_use]
    pub fn from_offset(offset: u8) -> Option<Self> {
        match offset {
            0 => Some(Self::Data),
            4 => Some(Self::Command),
            _ => None,
        }
    }
}

/// What the next byte written to the data port is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pending {
    None,
    WriteCtr,
    WriteOutputPort,
    KbdOutput,
    AuxOutput,
    AuxDevice,
    /// A keyboard command waiting for its parameter byte.
    KbdParam(u8),
}

/// The controller. `R` is the reset line, `I` the keyboard interrupt (IRQ 1).
///
/// # Examples
///
/// ```
/// use std::cell::Cell;
/// use vmm_ref::vmm::i8042::{I8042, I8042Port};
/// struct Count<'a>(&'a Cell<u32>);
/// impl vm_superio::Trigger for Count<'_> {
///     type E = ();
///     fn trigger(&self) -> Result<(), ()> { self.0.set(self.0.get() + 1); Ok(()) }
/// }
/// let (resets, irqs) = (Cell::new(0), Cell::new(0));
/// let mut kbc = I8042::new(Count(&resets), Count(&irqs));
/// kbc.write(I8042Port::Command, 0x20); // read the control register
/// assert_eq!(kbc.read(I8042Port::Command) & 1, 1); // output buffer full
/// let _ctr = kbc.read(I8042Port::Data);
/// kbc.write(I8042Port::Command, 0xfe);
/// assert_eq!(resets.get(), 1);
/// ```
#[derive(Debug)]
pub struct I8042<R: Trigger, I: Trigger> {
    reset: R,
    irq: I,
    ctr: u8,
    status: u8,
    output_port: u8,
    pending: Pending,
    buffer: VecDeque<u8>,
}

impl<R: Trigger, I: Trigger> I8042<R, I> {
    /// A controller after power-on: keyboard interrupt on, translation on, auxiliary port
    /// disabled, empty buffer.
    ///
    /// # Examples
    ///
    /// See [`I8042`].
    pub fn new(reset: R, irq: I) -> Self {
        Self {
            reset,
            irq,
            ctr: CTR_KBD_INT | CTR_SYS | CTR_AUX_DIS | CTR_XLATE,
            status: STATUS_UNLOCKED,
            output_port: 0x01,
            pending: Pending::None,
            buffer: VecDeque::new(),
        }
    }

    /// A guest read.
    ///
    /// # Examples
    ///
    /// See [`I8042`].
    pub fn read(&mut self, port: I8042Port) -> u8 {
        match port {
            I8042Port::Command => {
                let obf = if self.buffer.is_empty() {
                    0
                } else {
                    STATUS_OBF
                };
                self.status | obf
            }
            I8042Port::Data => {
                let b = self.buffer.pop_front().unwrap_or(0);
                // One byte per interrupt: announce the next one.
                if !self.buffer.is_empty() {
                    self.interrupt();
                }
                b
            }
        }
    }

    /// A guest write.
    ///
    /// # Errors
    ///
    /// The reset trigger's error, when pulling the reset line failed.
    ///
    /// # Examples
    ///
    /// See [`I8042`].
    pub fn write(&mut self, port: I8042Port, value: u8) -> Result<(), R::E> {
        match port {
            I8042Port::Command => {
                self.status |= STATUS_CMD;
                self.command(value)
            }
            I8042Port::Data => {
                self.status &= !STATUS_CMD;
                self.data(value);
                Ok(())
            }
        }
    }

    fn command(&mut self, cmd: u8) -> Result<(), R::E> {
        self.pending = Pending::None;
        match cmd {
            0x20 => self.answer(self.ctr),
            0x60 => self.pending = Pending::WriteCtr,
            0xa7 | 0xa8 => self.ctr |= CTR_AUX_DIS,
            // Auxiliary interface test: "clock line stuck low", i.e. no mouse.
            0xa9 => self.answer(0x01),
            0xaa => {
                self.status |= STATUS_SYS;
                self.answer(0x55);
            }
            0xab => self.answer(0x00),
            0xad => self.ctr |= CTR_KBD_DIS,
            0xae => self.ctr &= !CTR_KBD_DIS,
            0xd0 => self.answer(self.output_port),
            0xd1 => self.pending = Pending::WriteOutputPort,
            0xd2 => self.pending = Pending::KbdOutput,
            0xd3 => self.pending = Pending::AuxOutput,
            0xd4 => self.pending = Pending::AuxDevice,
            0xfe => return self.reset.trigger(),
            _ => {}
        }
        Ok(())
    }

    fn data(&mut self, value: u8) {
        match std::mem::replace(&mut self.pending, Pending::None) {
            Pending::WriteCtr => {
                // There is no auxiliary port to enable.
                self.ctr = value | CTR_AUX_DIS;
            }
            Pending::WriteOutputPort => self.output_port = value,
            Pending::KbdOutput => self.keyboard_bytes(&[value]),
            // Looped back, but not flagged as auxiliary data: Linux sees no working port.
            Pending::AuxOutput => self.answer(value),
            Pending::AuxDevice => {}
            Pending::KbdParam(0xf0) if value == 0 => self.keyboard_bytes(&[ACK, 0x02]),
            Pending::KbdParam(_) => self.keyboard_bytes(&[ACK]),
            Pending::None => self.keyboard_command(value),
        }
    }

    fn keyboard_command(&mut self, cmd: u8) {
        match cmd {
            0xff => self.keyboard_bytes(&[ACK, 0xaa]),
            0xf2 => self.keyboard_bytes(&[ACK, 0xab, 0x83]),
            0xee => self.keyboard_bytes(&[0xee]),
            0xed | 0xf0 | 0xf3 => {
                self.pending = Pending::KbdParam(cmd);
                self.keyboard_bytes(&[ACK]);
            }
            _ => self.keyboard_bytes(&[ACK]),
        }
    }

    /// A controller answer: replaces whatever was unread (the guest asked a new question).
    fn answer(&mut self, b: u8) {
        self.buffer.clear();
        self.buffer.push_back(b);
    }

    fn keyboard_bytes(&mut self, bytes: &[u8]) {
        let was_empty = self.buffer.is_empty();
        for &b in bytes {
            if self.buffer.len() < BUFFER_MAX {
                self.buffer.push_back(b);
            }
        }
        if was_empty && !self.buffer.is_empty() {
            self.interrupt();
        }
    }

    fn interrupt(&self) {
        if self.ctr & CTR_KBD_INT != 0 {
            // A lost keyboard interrupt only delays the guest's driver until its timeout.
            let _ = self.irq.trigger();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    #[derive(Clone, Default)]
    struct Count(Rc<Cell<u32>>);

    impl Trigger for Count {
        type E = ();
        fn trigger(&self) -> Result<(), ()> {
            self.0.set(self.0.get() + 1);
            Ok(())
        }
    }

    fn kbc() -> (I8042<Count, Count>, Count, Count) {
        let (r, i) = (Count::default(), Count::default());
        (I8042::new(r.clone(), i.clone()), r, i)
    }

    /// Linux's `i8042_command`: write the command, parameters, then read the answers.
    fn command(
        k: &mut I8042<Count, Count>,
        cmd: u8,
        params: &[u8],
        answers: usize,
    ) -> Option<Vec<u8>> {
        k.write(I8042Port::Command, cmd).unwrap();
        for &p in params {
            k.write(I8042Port::Data, p).unwrap();
        }
        let mut out = Vec::new();
        for _ in 0..answers {
            if k.read(I8042Port::Command) & STATUS_OBF == 0 {
                return None; // Linux would time out here.
            }
            out.push(k.read(I8042Port::Data));
        }
        Some(out)
    }

    #[test]
    fn control_register_reads_are_answered_and_stable() {
        let (mut k, _, _) = kbc();
        let a = command(&mut k, 0x20, &[], 1).unwrap();
        let b = command(&mut k, 0x20, &[], 1).unwrap();
        assert_eq!(a, b);
        assert_eq!(a[0] & CTR_KBD_INT, CTR_KBD_INT);
    }

    #[test]
    fn control_register_writes_are_kept_except_the_aux_enable() {
        let (mut k, _, _) = kbc();
        command(&mut k, 0x60, &[0x47 & !CTR_AUX_DIS], 0);
        assert_eq!(
            command(&mut k, 0x20, &[], 1),
            Some(vec![0x47 | CTR_AUX_DIS])
        );
    }

    #[test]
    fn self_test_answers_0x55_and_sets_the_system_flag() {
        let (mut k, _, _) = kbc();
        assert_eq!(command(&mut k, 0xaa, &[], 1), Some(vec![0x55]));
        assert_ne!(k.read(I8042Port::Command) & STATUS_SYS, 0);
    }

    #[test]
    fn the_aux_port_is_detected_absent_the_way_linux_checks() {
        let (mut k, _, _) = kbc();
        // AUX_LOOP: answered, but the status never flags auxiliary data.
        k.write(I8042Port::Command, 0xd3).unwrap();
        k.write(I8042Port::Data, 0x5a).unwrap();
        let status = k.read(I8042Port::Command);
        assert_eq!(status & STATUS_OBF, STATUS_OBF);
        assert_eq!(status & 0x20, 0);
        // AUX_TEST: a fault code, neither 0, 0xfa nor 0xff.
        assert_eq!(command(&mut k, 0xa9, &[], 1), Some(vec![0x01]));
        // AUX_ENABLE does not clear the disable bit.
        command(&mut k, 0xa8, &[], 0);
        let ctr = command(&mut k, 0x20, &[], 1).unwrap()[0];
        assert_ne!(ctr & CTR_AUX_DIS, 0);
    }

    #[test]
    fn keyboard_get_id_answers_an_mf2_keyboard_one_interrupt_per_byte() {
        let (mut k, _, irq) = kbc();
        k.write(I8042Port::Data, 0xf2).unwrap();
        assert_eq!(irq.0.get(), 1);
        assert_eq!(k.read(I8042Port::Data), ACK);
        assert_eq!(irq.0.get(), 2);
        assert_eq!(k.read(I8042Port::Data), 0xab);
        assert_eq!(k.read(I8042Port::Data), 0x83);
        assert_eq!(irq.0.get(), 3);
        assert_eq!(k.read(I8042Port::Command) & STATUS_OBF, 0);
    }

    #[test]
    fn keyboard_commands_with_a_parameter_ack_both_bytes() {
        let (mut k, _, _) = kbc();
        k.write(I8042Port::Data, 0xed).unwrap(); // set LEDs
        assert_eq!(k.read(I8042Port::Data), ACK);
        k.write(I8042Port::Data, 0x00).unwrap();
        assert_eq!(k.read(I8042Port::Data), ACK);
        k.write(I8042Port::Data, 0xf0).unwrap(); // get scancode set
        assert_eq!(k.read(I8042Port::Data), ACK);
        k.write(I8042Port::Data, 0x00).unwrap();
        assert_eq!(
            (k.read(I8042Port::Data), k.read(I8042Port::Data)),
            (ACK, 0x02)
        );
    }

    #[test]
    fn keyboard_reset_passes_its_self_test() {
        let (mut k, _, _) = kbc();
        k.write(I8042Port::Data, 0xff).unwrap();
        assert_eq!(
            (k.read(I8042Port::Data), k.read(I8042Port::Data)),
            (ACK, 0xaa)
        );
    }

    #[test]
    fn no_interrupt_when_the_control_register_masks_it() {
        let (mut k, _, irq) = kbc();
        command(&mut k, 0x60, &[0x00], 0);
        k.write(I8042Port::Data, 0xf4).unwrap();
        assert_eq!(irq.0.get(), 0);
        assert_eq!(k.read(I8042Port::Data), ACK);
    }

    #[test]
    fn pulse_reset_pulls_the_reset_line_only_for_0xfe() {
        let (mut k, reset, _) = kbc();
        k.write(I8042Port::Command, 0xf0).unwrap();
        k.write(I8042Port::Data, 0xfe).unwrap();
        assert_eq!(reset.0.get(), 0);
        k.write(I8042Port::Command, 0xfe).unwrap();
        assert_eq!(reset.0.get(), 1);
    }

    #[test]
    fn reads_of_an_empty_buffer_return_zero() {
        let (mut k, _, _) = kbc();
        assert_eq!(k.read(I8042Port::Data), 0);
        assert_eq!(k.read(I8042Port::Command) & STATUS_OBF, 0);
    }
}
