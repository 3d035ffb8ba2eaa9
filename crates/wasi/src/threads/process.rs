//! The state all threads of one guest share: the context, how the guest ended, and the
//! registry of host threads.

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::{Engine, InstancePre, SharedMemory};

use crate::WasiCtx;
use crate::clocks::WasiClocks;

/// The largest thread id wasi-threads allows (ids are 29-bit, above 0).
const MAX_TID: i32 = 0x1FFF_FFFF;

/// How the guest ended, first reason only.
pub(crate) enum Outcome {
    /// `_start` returned.
    Returned,
    /// A thread called `proc_exit`.
    Exit(u32),
    /// A thread trapped (or the embedder stopped the guest): the run's error.
    Failed(wasmtime::Error),
}

/// What the lock in [`Process::state`] guards.
#[derive(Default)]
pub(crate) struct State {
    /// Set once: the guest has ended.
    pub outcome: Option<Outcome>,
    /// Spawned threads not yet finished.
    pub live: u32,
    /// The main thread is still in `_start`.
    pub main_running: bool,
    /// Their host threads (finished ones are joined on the next spawn).
    pub handles: Vec<JoinHandle<()>>,
}

/// One guest's shared state. Each thread's store holds an `Arc` of it.
pub(crate) struct Process {
    /// The one WASI context, lent to one hostcall at a time.
    pub ctx: Mutex<WasiCtx>,
    /// The context's clocks, for sleeping without the context's lock.
    pub clocks: Arc<dyn WasiClocks>,
    /// Whether the context traces calls (fixed for the run).
    pub traced: bool,
    pub engine: Engine,
    pub memory: SharedMemory,
    /// Instantiates the module in a new thread's store (set before the first call).
    pub pre: OnceLock<InstancePre<super::run::ThreadData>>,
    pub max_threads: u32,
    next_tid: AtomicI32,
    pub state: Mutex<State>,
    /// Signalled when the guest ends and when a spawned thread finishes.
    pub changed: Condvar,
}

impl Process {
    pub fn new(ctx: WasiCtx, engine: Engine, memory: SharedMemory) -> Self {
        Process {
            clocks: ctx.clocks.clone(),
            traced: ctx.tracer.is_some(),
            max_threads: ctx.max_threads,
            ctx: Mutex::new(ctx),
            engine,
            memory,
            pre: OnceLock::new(),
            next_tid: AtomicI32::new(1),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        }
    }

    /// The context, even if a thread panicked while holding it (no call leaves it half
    /// changed in a way a later call could not cope with).
    pub fn ctx(&self) -> MutexGuard<'_, WasiCtx> {
        self.ctx.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the guest has ended.
    pub fn ended(&self) -> bool {
        self.state().outcome.is_some()
    }

    /// End the guest for `why`, unless it has already ended: wake sleepers and make every
    /// store running wasm reach its epoch deadline.
    pub fn end(&self, why: Outcome) {
        let mut state = self.state();
        if state.outcome.is_none() {
            state.outcome = Some(why);
        }
        drop(state);
        self.changed.notify_all();
        self.engine.increment_epoch();
    }

    /// A fresh thread id, or `None` once they run out.
    pub fn next_tid(&self) -> Option<i32> {
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        (1..=MAX_TID).contains(&tid).then_some(tid)
    }

    /// Sleep until `deadline` unless the guest ends first; `false` if it did.
    pub fn sleep_until(&self, deadline: Instant) -> bool {
        let mut state = self.state();
        loop {
            if state.outcome.is_some() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            state = self
                .changed
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The reaper's work: once the guest has ended, until the main thread and every spawned
    /// thread have left wasm, wake those blocked in `memory.atomic.wait` (which neither an
    /// epoch nor a condvar reaches) by notifying every address of the memory, as often as
    /// some remain after a short grace.
    pub fn wake_until_done(&self) {
        const GRACE: Duration = Duration::from_millis(10);
        let mut state = self.state();
        while state.outcome.is_none() {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        loop {
            if state.live > 0 || state.main_running {
                state = self
                    .changed
                    .wait_timeout(state, GRACE)
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            if state.live == 0 && !state.main_running {
                return;
            }
            drop(state);
            self.wake_waiters();
            state = self.state();
        }
    }

    /// Join every spawned thread's host thread (all have left wasm).
    pub fn join_all(&self) {
        let handles = std::mem::take(&mut self.state().handles);
        for h in handles {
            let _ = h.join();
        }
    }

    /// `memory.atomic.notify` every 4-byte address of the memory.
    fn wake_waiters(&self) {
        let size = self.memory.data_size() as u64;
        let mut addr = 0;
        while addr + 4 <= size {
            let _ = self.memory.atomic_notify(addr, u32::MAX);
            addr += 4;
        }
    }

    /// Join the host threads of spawned threads that have finished.
    pub fn reap(state: &mut State) {
        let mut i = 0;
        while i < state.handles.len() {
            if state.handles[i].is_finished() {
                let _ = state.handles.swap_remove(i).join();
            } else {
                i += 1;
            }
        }
    }
}
