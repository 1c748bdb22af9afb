//! CrashLoopBackOff: how long a container waits before it is restarted.
//!
//! The kubelet keeps one backoff entry per container (spec/kubernetes.md section 2.4, from
//! `kubelet.go: newCrashLoopBackOff`, `kuberuntime_manager.go: doBackOff` and client-go's
//! `flowcontrol/backoff.go`). This module is that entry, with the clock taken out: every call
//! gets the time it needs as a [`Millis`] argument.
//!
//! The rules, with the default [`BackoffConfig`] (10 s initial, 300 s cap, 600 s reset):
//!
//! - A container that has never been restarted has no entry, so its **first restart is
//!   immediate**.
//! - When a restart happens, [`Backoff::next`] sets the entry to the initial backoff if it was
//!   missing or expired, and otherwise doubles it up to the cap. `lastUpdate` becomes the restart
//!   time.
//! - A container that exited at `t_exit` is *in backoff* while `now - t_exit < backoff`, so it
//!   restarts at `t_exit + backoff` ([`Backoff::delay`]).
//! - The entry *expires* (the sequence resets) when `t_exit - lastUpdate > reset_after`: the
//!   container ran for more than 10 minutes after its last restart. client-go's own rule is
//!   `2 * max`; newer kubelets fix it at 600 s. The two agree for the default cap, and
//!   [`BackoffConfig::reset_after`] lets the caller choose either.
//!
//! So the waits after successive quick crashes are 0, 10, 20, 40, 80, 160, 300, 300, ... s.
//! Decisions come out as a [`Duration`] to wait; nothing here sleeps.

use core::time::Duration;

use crate::time::Millis;

/// The CrashLoopBackOff parameters: the first delay, the cap, and how long a run must last for
/// the sequence to start over.
///
/// `Default` is the kubelet's: 10 s, 300 s, 600 s. If `max` is below `initial`, the kubelet uses
/// `max` for both (`KubeletCrashLoopBackOffMax`); [`Backoff`] applies that rule through
/// [`BackoffConfig::initial_delay`].
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::BackoffConfig;
/// let cfg = BackoffConfig::default();
/// assert_eq!(cfg.initial, Duration::from_secs(10));
/// assert_eq!(cfg.max, Duration::from_secs(300));
/// assert_eq!(cfg.reset_after, Duration::from_secs(600));
/// let fast = BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(60));
/// assert_eq!(fast.reset_after, Duration::from_secs(600));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BackoffConfig {
    /// The delay before the second restart (the first is immediate).
    pub initial: Duration,
    /// The cap: no delay is ever longer.
    pub max: Duration,
    /// A run longer than this (from the last restart to the exit) resets the sequence.
    pub reset_after: Duration,
}

impl BackoffConfig {
    /// The kubelet's defaults: 10 s, 300 s, reset after 600 s.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::BackoffConfig;
    /// assert_eq!(BackoffConfig::KUBELET, BackoffConfig::default());
    /// ```
    pub const KUBELET: Self = Self {
        initial: Duration::from_secs(10),
        max: Duration::from_secs(300),
        reset_after: Duration::from_secs(600),
    };

    /// A configuration with the kubelet's fixed 600 s reset window.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::BackoffConfig;
    /// let cfg = BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(60));
    /// assert_eq!(cfg.max, Duration::from_secs(60));
    /// ```
    #[must_use]
    pub const fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max,
            reset_after: Duration::from_secs(600),
        }
    }

    /// Replaces the reset window (client-go's own rule is `2 * max`).
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::BackoffConfig;
    /// let cfg = BackoffConfig::new(Duration::from_secs(1), Duration::from_secs(60))
    ///     .with_reset_after(Duration::from_secs(120));
    /// assert_eq!(cfg.reset_after, Duration::from_secs(120));
    /// ```
    #[must_use]
    pub const fn with_reset_after(mut self, reset_after: Duration) -> Self {
        self.reset_after = reset_after;
        self
    }

    /// The delay a fresh entry starts at: `initial`, or `max` if that is smaller.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::BackoffConfig;
    /// let cfg = BackoffConfig::new(Duration::from_secs(10), Duration::from_secs(5));
    /// assert_eq!(cfg.initial_delay(), Duration::from_secs(5));
    /// ```
    #[must_use]
    pub fn initial_delay(&self) -> Duration {
        self.initial.min(self.max)
    }
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self::KUBELET
    }
}

/// The stored part of a backoff: the current delay and when it was last bumped.
///
/// # Examples
///
/// ```
/// # use core::time::Duration;
/// # use restart::{BackoffEntry, Millis};
/// let e = BackoffEntry { backoff: Duration::from_secs(10), last_update: Millis::from_secs(3) };
/// assert_eq!(e.backoff, Duration::from_secs(10));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BackoffEntry {
    /// The delay that applies to the next restart.
    pub backoff: Duration,
    /// When the container was last restarted (flowcontrol's `lastUpdate`).
    pub last_update: Millis,
}

/// One container's CrashLoopBackOff: its configuration and its entry, if any.
///
/// # Examples
///
/// The kubelet's sequence for a container that crashes right after every start:
///
/// ```
/// # use core::time::Duration;
/// # use restart::{Backoff, BackoffConfig, Millis};
/// let mut b = Backoff::new(BackoffConfig::default());
/// let mut now = Millis::ZERO;
/// let mut waits = Vec::new();
/// for _ in 0..8 {
///     let exited_at = now; // it crashes at once
///     let wait = b.delay(exited_at, now);
///     waits.push(wait.as_secs());
///     now = now.saturating_add(wait);
///     b.next(now); // the restart happens
/// }
/// assert_eq!(waits, [0, 10, 20, 40, 80, 160, 300, 300]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Backoff {
    config: BackoffConfig,
    entry: Option<BackoffEntry>,
}

impl Backoff {
    /// A backoff with no entry yet (the next restart is immediate).
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig};
    /// assert!(Backoff::new(BackoffConfig::default()).entry().is_none());
    /// ```
    #[must_use]
    pub const fn new(config: BackoffConfig) -> Self {
        Self {
            config,
            entry: None,
        }
    }

    /// A backoff restored from a snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Backoff, BackoffConfig, BackoffEntry, Millis};
    /// let e = BackoffEntry { backoff: Duration::from_secs(20), last_update: Millis(0) };
    /// let b = Backoff::with_entry(BackoffConfig::default(), Some(e));
    /// assert_eq!(b.get(), Duration::from_secs(20));
    /// ```
    #[must_use]
    pub const fn with_entry(config: BackoffConfig, entry: Option<BackoffEntry>) -> Self {
        Self { config, entry }
    }

    /// The configuration.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig};
    /// assert_eq!(Backoff::new(BackoffConfig::KUBELET).config(), &BackoffConfig::KUBELET);
    /// ```
    #[must_use]
    pub const fn config(&self) -> &BackoffConfig {
        &self.config
    }

    /// The entry, if the container has been restarted before.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis(5));
    /// assert_eq!(b.entry().map(|e| e.last_update), Some(Millis(5)));
    /// ```
    #[must_use]
    pub const fn entry(&self) -> Option<&BackoffEntry> {
        self.entry.as_ref()
    }

    /// The current delay (flowcontrol `Get`): zero without an entry.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Backoff, BackoffConfig};
    /// assert_eq!(Backoff::new(BackoffConfig::default()).get(), Duration::ZERO);
    /// ```
    #[must_use]
    pub fn get(&self) -> Duration {
        self.entry.map_or(Duration::ZERO, |e| e.backoff)
    }

    /// Whether the entry has expired as seen from `event_time`: there is no entry, or
    /// `event_time - last_update > reset_after`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis::ZERO);
    /// assert!(!b.is_expired(Millis::from_secs(600)));
    /// assert!(b.is_expired(Millis::from_secs(601)));
    /// ```
    #[must_use]
    pub fn is_expired(&self, event_time: Millis) -> bool {
        match self.entry {
            None => true,
            Some(e) => {
                event_time.saturating_duration_since(e.last_update) > self.config.reset_after
            }
        }
    }

    /// flowcontrol `IsInBackOffSince(eventTime)`: an unexpired entry exists and
    /// `now - event_time < backoff`. The kubelet passes the container's `finishedAt`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis::ZERO); // backoff = 10 s
    /// let exited = Millis::from_secs(1);
    /// assert!(b.is_in_backoff_since(exited, Millis::from_secs(10)));
    /// assert!(!b.is_in_backoff_since(exited, Millis::from_secs(11)));
    /// ```
    #[must_use]
    pub fn is_in_backoff_since(&self, event_time: Millis, now: Millis) -> bool {
        match self.entry {
            Some(e) if !self.is_expired(event_time) => {
                now.saturating_duration_since(event_time) < e.backoff
            }
            _ => false,
        }
    }

    /// flowcontrol `IsInBackOffSinceUpdate(eventTime)`: an unexpired entry exists and
    /// `event_time - last_update < backoff`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis::ZERO);
    /// assert!(b.is_in_backoff_since_update(Millis::from_secs(9)));
    /// assert!(!b.is_in_backoff_since_update(Millis::from_secs(10)));
    /// ```
    #[must_use]
    pub fn is_in_backoff_since_update(&self, event_time: Millis) -> bool {
        match self.entry {
            Some(e) if !self.is_expired(event_time) => {
                event_time.saturating_duration_since(e.last_update) < e.backoff
            }
            _ => false,
        }
    }

    /// How long after `now` a container that exited at `exited_at` may be restarted: zero if it
    /// is not in backoff, else `exited_at + backoff - now`. Never longer than the cap.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// assert_eq!(b.delay(Millis::ZERO, Millis::ZERO), Duration::ZERO); // first restart: at once
    /// b.next(Millis::ZERO);
    /// assert_eq!(b.delay(Millis::from_secs(2), Millis::from_secs(4)), Duration::from_secs(8));
    /// ```
    #[must_use]
    pub fn delay(&self, exited_at: Millis, now: Millis) -> Duration {
        match self.entry {
            Some(e) if self.is_in_backoff_since(exited_at, now) => exited_at
                .saturating_add(e.backoff)
                .saturating_duration_since(now),
            _ => Duration::ZERO,
        }
    }

    /// flowcontrol `Next(now)`: records a restart at `now`. A missing or expired entry (seen
    /// from `now`) starts at the initial delay; otherwise the delay doubles, capped at `max`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis::from_secs(1));
    /// b.next(Millis::from_secs(2));
    /// assert_eq!(b.get(), Duration::from_secs(20));
    /// ```
    pub fn next(&mut self, now: Millis) {
        let backoff = match self.entry {
            Some(e) if !self.is_expired(now) => e.backoff.saturating_mul(2).min(self.config.max),
            _ => self.config.initial_delay(),
        };
        self.entry = Some(BackoffEntry {
            backoff,
            last_update: now,
        });
    }

    /// flowcontrol `Reset`: forgets the entry, so the next restart is immediate again.
    ///
    /// # Examples
    ///
    /// ```
    /// # use core::time::Duration;
    /// # use restart::{Backoff, BackoffConfig, Millis};
    /// let mut b = Backoff::new(BackoffConfig::default());
    /// b.next(Millis::ZERO);
    /// b.reset();
    /// assert_eq!(b.get(), Duration::ZERO);
    /// ```
    pub fn reset(&mut self) {
        self.entry = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Millis {
        Millis::from_secs(s)
    }

    #[test]
    fn first_restart_is_immediate() {
        let b = Backoff::new(BackoffConfig::default());
        assert_eq!(b.delay(secs(0), secs(0)), Duration::ZERO);
    }

    #[test]
    fn max_below_initial_uses_max_for_both() {
        let mut b = Backoff::new(BackoffConfig::new(
            Duration::from_secs(10),
            Duration::from_secs(3),
        ));
        b.next(secs(0));
        assert_eq!(b.get(), Duration::from_secs(3));
        b.next(secs(1));
        assert_eq!(b.get(), Duration::from_secs(3));
    }

    #[test]
    fn a_long_run_resets_the_sequence() {
        let mut b = Backoff::new(BackoffConfig::default());
        for t in 0..6 {
            b.next(secs(t));
        }
        assert_eq!(b.get(), Duration::from_secs(300));
        // Ran 601 s after the last restart at t = 5: expired, so the restart is immediate.
        assert_eq!(b.delay(secs(606), secs(606)), Duration::ZERO);
        b.next(secs(606));
        assert_eq!(b.get(), Duration::from_secs(10));
    }

    #[test]
    fn exactly_reset_after_is_not_expired() {
        let mut b = Backoff::new(BackoffConfig::default());
        b.next(secs(0));
        b.next(secs(1)); // 20 s
        assert_eq!(b.delay(secs(601), secs(601)), Duration::from_secs(20));
    }

    #[test]
    fn delay_counts_from_the_exit_not_from_now() {
        let mut b = Backoff::new(BackoffConfig::default());
        b.next(secs(0));
        assert_eq!(b.delay(secs(1), secs(1)), Duration::from_secs(10));
        assert_eq!(b.delay(secs(1), secs(6)), Duration::from_secs(5));
        assert_eq!(b.delay(secs(1), secs(11)), Duration::ZERO);
    }

    #[test]
    fn doubling_saturates_on_huge_durations() {
        let cfg = BackoffConfig::new(Duration::MAX, Duration::MAX);
        let mut b = Backoff::new(cfg);
        b.next(secs(0));
        b.next(secs(0));
        assert_eq!(b.get(), Duration::MAX);
    }
}
