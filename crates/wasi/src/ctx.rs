//! The WASI context: arguments, environment, descriptors, clocks and randomness of one guest.

use std::sync::Arc;

use crate::clocks::WasiClocks;
use crate::entry::Entry;
use crate::error::{Error, Result};
use crate::fdpool::FdPool;
use crate::preview1::types::{Errno, Fd, Rights};
use crate::random::WasiRandom;
use crate::vfs::{PathResolver, WasiDir, WasiFile};

pub use crate::builder::{BuildError, Mount, WasiCtxBuilder};

/// The state of one WASI guest. Build it with [`WasiCtx::builder`].
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) table: FdPool<Entry>,
    pub(crate) exit_code: Option<u32>,
    pub(crate) resolver: PathResolver,
    pub(crate) clocks: Arc<dyn WasiClocks>,
    pub(crate) random: Box<dyn WasiRandom>,
    /// Deterministic mode: the times of host files read as the virtual clock's epoch.
    pub(crate) fixed_host_times: Option<u64>,
    /// Where traced hostcalls go; `None`: no tracing.
    pub(crate) tracer: Option<crate::builder::Tracer>,
    /// wasi-threads: the most spawned threads alive at once.
    pub(crate) max_threads: u32,
}

impl std::fmt::Debug for WasiCtx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasiCtx")
            .field("args", &self.args.len())
            .field("env", &self.env.len())
            .field("open_fds", &self.table.len())
            .field("exit_code", &self.exit_code)
            .field("deterministic_host_times", &self.fixed_host_times.is_some())
            .field("traced", &self.tracer.is_some())
            .finish_non_exhaustive()
    }
}

impl WasiCtx {
    /// A builder with no arguments, no environment, null stdio and no preopens.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::default()
    }

    /// The status the guest passed to `proc_exit`, once it has called it.
    pub fn exit_code(&self) -> Option<u32> {
        self.exit_code
    }

    /// The most threads a wasi-threads guest may have running besides its main thread (see
    /// [`WasiCtxBuilder::max_threads`]).
    pub fn max_threads(&self) -> u32 {
        self.max_threads
    }

    /// Number of open descriptors.
    pub fn open_fds(&self) -> usize {
        self.table.len()
    }

    /// The entry for `fd`, or `EBADF`.
    pub(crate) fn entry(&self, fd: Fd) -> Result<&Entry> {
        self.table.get(fd.raw()).ok_or(Error::Errno(Errno::Badf))
    }

    /// The entry for `fd`, mutably, or `EBADF`.
    pub(crate) fn entry_mut(&mut self, fd: Fd) -> Result<&mut Entry> {
        self.table
            .get_mut(fd.raw())
            .ok_or(Error::Errno(Errno::Badf))
    }

    /// The file-like resource behind `fd`, for a call needing `needed`: `EBADF` if it is not
    /// open or is a directory, then `ENOTCAPABLE`/`EROFS`.
    pub(crate) fn file(&self, fd: Fd, needed: Rights) -> Result<&dyn WasiFile> {
        let entry = self.entry(fd)?;
        let file = entry.file()?;
        entry.require(needed)?;
        Ok(&**file)
    }

    /// The directory behind `fd` and its entry, for a call needing `needed`: `EBADF`,
    /// `ENOTDIR`, then `ENOTCAPABLE`/`EROFS`.
    pub(crate) fn dir(&self, fd: Fd, needed: Rights) -> Result<(&Entry, &dyn WasiDir)> {
        let entry = self.entry(fd)?;
        let dir = entry.dir()?;
        entry.require(needed)?;
        Ok((entry, &**dir))
    }

    /// `st` as the guest sees it: in deterministic mode, the times of host files read as the
    /// virtual clock's epoch (`host` says whether `st` describes one; it is only asked in
    /// deterministic mode, so ordinary stats pay nothing for it).
    pub(crate) fn host_times(
        &self,
        mut st: crate::preview1::types::Filestat,
        host: impl FnOnce() -> bool,
    ) -> crate::preview1::types::Filestat {
        if let Some(t) = self.fixed_host_times
            && host()
        {
            (st.atim, st.mtim, st.ctim) = (t, t, t);
        }
        st
    }

    /// Hand a traced call to the tracer, if there is one.
    pub(crate) fn trace(&mut self, event: &wasihost_guest::TraceEvent<'_>) {
        if let Some(t) = &mut self.tracer {
            t(event);
        }
    }

    /// The wall clock's time now, for "set to now" requests.
    pub(crate) fn wall_now(&self) -> Result<u64> {
        self.clocks.now(crate::preview1::types::Clockid::Realtime)
    }
}
