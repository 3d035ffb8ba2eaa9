//! [`WasiCtxBuilder`]: everything a guest is given, checked once, in `build`.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::clocks::{OsClocks, VirtualClocks, WasiClocks};
use crate::ctx::WasiCtx;
use crate::entry::{Entry, Node};
use crate::fdpool::{DEFAULT_MAX_OPEN, FdPool};
use crate::preview1::types::Rights;
use crate::random::{OsRandom, SeededRandom, WasiRandom};
use crate::rights;
use crate::stdio::{ReadStream, Stdio, WriteStream};
use crate::sys::{OsDir, OsFile};
use crate::vfs::{PathResolver, WasiDir, WasiFile};
use wasihost_guest::TraceEvent;

/// What a preopened directory lets the guest do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mount {
    /// Everything (the default).
    #[default]
    ReadWrite,
    /// Read only: every change beneath it (writing or truncating files, creating, removing,
    /// renaming or linking entries, setting sizes or times) fails with `EROFS`, and nothing
    /// can be moved or linked into or out of it.
    ReadOnly,
    /// The rights of the directory itself, and those it hands down to what is opened beneath
    /// it (both are limited to what makes sense for a directory and its contents).
    Rights {
        /// Rights of the preopened descriptor.
        base: Rights,
        /// Rights descriptors opened beneath it may have.
        inheriting: Rights,
    },
}

impl Mount {
    /// (ceiling, inheriting ceiling, read-only).
    fn ceilings(self) -> (Rights, Rights, bool) {
        match self {
            Mount::ReadWrite => (rights::DIRECTORY, rights::DIRECTORY_INHERITING, false),
            Mount::ReadOnly => (
                rights::DIRECTORY_READ_ONLY,
                rights::DIRECTORY_INHERITING_READ_ONLY,
                true,
            ),
            Mount::Rights { base, inheriting } => (
                base & rights::DIRECTORY,
                inheriting & rights::DIRECTORY_INHERITING,
                false,
            ),
        }
    }
}

/// A directory to preopen.
enum Preopen {
    Host(PathBuf),
    Dir(Arc<dyn WasiDir>),
}

/// Builds a [`WasiCtx`].
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    inherited_env: bool,
    stdio: [Stdio; 3],
    preopens: Vec<(Preopen, String, Mount)>,
    sockets: Vec<OwnedFd>,
    max_open: u32,
    resolver: PathResolver,
    clocks: Option<Arc<dyn WasiClocks>>,
    random: Option<Box<dyn WasiRandom>>,
    deterministic: Option<u64>,
    tracer: Option<Tracer>,
    virtual_clocks: Option<Arc<VirtualClocks>>,
    max_threads: u32,
}

/// Where traced hostcalls go (see [`WasiCtxBuilder::trace`]).
pub type Tracer = Box<dyn FnMut(&TraceEvent<'_>) + Send>;

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            inherited_env: false,
            stdio: [Stdio::Null, Stdio::Null, Stdio::Null],
            preopens: Vec::new(),
            sockets: Vec::new(),
            max_open: DEFAULT_MAX_OPEN,
            resolver: PathResolver::default(),
            clocks: None,
            random: None,
            deterministic: None,
            tracer: None,
            virtual_clocks: None,
            max_threads: crate::threads::DEFAULT_MAX_THREADS,
        }
    }
}

impl WasiCtxBuilder {
    /// Append one argument (the first is conventionally the program name).
    pub fn arg(&mut self, arg: impl AsRef<[u8]>) -> &mut Self {
        self.args.push(arg.as_ref().to_vec());
        self
    }

    /// Append several arguments.
    pub fn args<I: IntoIterator<Item = A>, A: AsRef<[u8]>>(&mut self, args: I) -> &mut Self {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Set environment variable `name` to `value` (replacing an earlier setting).
    pub fn env(&mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> &mut Self {
        let name = name.as_ref().to_vec();
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, value.as_ref().to_vec()));
        self
    }

    /// Set several environment variables.
    pub fn envs<I, K, V>(&mut self, vars: I) -> &mut Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        for (k, v) in vars {
            self.env(k, v);
        }
        self
    }

    /// Copy every environment variable of the host process.
    pub fn inherit_env(&mut self) -> &mut Self {
        use std::os::unix::ffi::OsStrExt;
        for (k, v) in std::env::vars_os() {
            self.env(k.as_bytes(), v.as_bytes());
        }
        self.inherited_env = true;
        self
    }

    /// Where fd 0 reads from (not a [`Stdio::Writer`]).
    pub fn stdin(&mut self, s: Stdio) -> &mut Self {
        self.stdio[0] = s;
        self
    }

    /// Where fd 1 writes to (not a [`Stdio::Reader`]).
    pub fn stdout(&mut self, s: Stdio) -> &mut Self {
        self.stdio[1] = s;
        self
    }

    /// Where fd 2 writes to (not a [`Stdio::Reader`]).
    pub fn stderr(&mut self, s: Stdio) -> &mut Self {
        self.stdio[2] = s;
        self
    }

    /// Inherit all three standard streams from the host process.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdio = [Stdio::Inherit, Stdio::Inherit, Stdio::Inherit];
        self
    }

    /// Inherit the host's standard input.
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin(Stdio::Inherit)
    }

    /// Inherit the host's standard output.
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout(Stdio::Inherit)
    }

    /// Inherit the host's standard error.
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr(Stdio::Inherit)
    }

    /// Give the guest host directory `host` under the name `guest`, with every right.
    /// Preopened directories become fds 3, 4, … in the order they are added; preopened
    /// sockets come after all of them.
    pub fn preopen_dir(&mut self, host: impl AsRef<Path>, guest: impl Into<String>) -> &mut Self {
        self.preopen_dir_with(host, guest, Mount::ReadWrite)
    }

    /// Give the guest host directory `host` under the name `guest`, read only (see
    /// [`Mount::ReadOnly`]).
    pub fn preopen_dir_read_only(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
    ) -> &mut Self {
        self.preopen_dir_with(host, guest, Mount::ReadOnly)
    }

    /// Give the guest host directory `host` under the name `guest`, with the rights of `mount`.
    pub fn preopen_dir_with(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl Into<String>,
        mount: Mount,
    ) -> &mut Self {
        let host = Preopen::Host(host.as_ref().to_path_buf());
        self.preopens.push((host, guest.into(), mount));
        self
    }

    /// Give the guest a directory of any kind — an in-memory
    /// [`MemFs`](crate::memfs::MemFs), or an implementation of [`WasiDir`] of the embedder's —
    /// under the name `guest`, with the rights of `mount`. It takes its place among the
    /// preopened directories in the order added.
    pub fn preopen(
        &mut self,
        dir: Arc<dyn WasiDir>,
        guest: impl Into<String>,
        mount: Mount,
    ) -> &mut Self {
        self.preopens.push((Preopen::Dir(dir), guest.into(), mount));
        self
    }

    /// Give the guest a socket as the next descriptor after the preopened directories: a
    /// listening socket (e.g. a [`std::net::TcpListener`] or
    /// [`std::os::unix::net::UnixListener`]) for `sock_accept`, or a connected stream or
    /// datagram socket (e.g. a [`std::os::unix::net::UnixStream`]) for `sock_recv`/`sock_send`.
    /// [`WasiCtxBuilder::build`] fails if the descriptor is not a socket.
    pub fn preopen_socket(&mut self, socket: impl Into<OwnedFd>) -> &mut Self {
        self.sockets.push(socket.into());
        self
    }

    /// The most descriptors the guest may have open at once (and the bound on fd numbers).
    pub fn max_open_fds(&mut self, n: u32) -> &mut Self {
        self.max_open = n;
        self
    }

    /// How guest paths are resolved beneath OS directories (default
    /// [`PathResolver::Auto`]).
    pub fn path_resolver(&mut self, resolver: PathResolver) -> &mut Self {
        self.resolver = resolver;
        self
    }

    /// The clocks and scheduler the guest sees (default [`OsClocks`]).
    pub fn clocks(&mut self, clocks: Arc<dyn WasiClocks>) -> &mut Self {
        self.clocks = Some(clocks);
        self
    }

    /// The source of `random_get` (default [`OsRandom`], seeded from the OS at `build`).
    pub fn random(&mut self, random: Box<dyn WasiRandom>) -> &mut Self {
        self.random = Some(random);
        self
    }

    /// Make the run deterministic: the same guest with the same inputs gives the same output
    /// on every run. This sets [`VirtualClocks`] (unless other clocks are given) and a
    /// [`SeededRandom`] from `seed` (unless another source is given), reports the times of host
    /// files as the virtual epoch, and makes `build` refuse what would let the host's state in:
    /// an inherited environment, a writable host directory (preopen it read-only, or as a
    /// [`MemFs`](crate::memfs::MemFs)) and sockets.
    ///
    /// Virtualized (the same on every run and on every engine):
    /// - `clock_time_get` and `clock_res_get`, all four clocks ([`VirtualClocks`]: realtime
    ///   starts at 2000-01-01, monotonic at 0, each read advances them by 1 µs, resolution 1 ns);
    /// - `random_get` ([`SeededRandom`]);
    /// - the clock subscriptions of `poll_oneoff` (and so `nanosleep`): a sleep moves the
    ///   virtual clocks to the deadline and returns at once; `sched_yield` returns at once;
    /// - filestat timestamps (`fd_filestat_get`, `path_filestat_get`) of host files and
    ///   directories read as the virtual epoch; "set to now" in `fd_filestat_set_times` uses
    ///   the virtual clock;
    /// - a [`MemFs`](crate::memfs::MemFs): its timestamps, when it is given these clocks
    ///   (see [`WasiCtxBuilder::deterministic_clocks`] and
    ///   [`MemFs::set_all_times`](crate::memfs::MemFs::set_all_times)), and its `fd_readdir`
    ///   order, which is creation order ([`MemFs::from_host_dir`](crate::memfs::MemFs::from_host_dir)
    ///   creates in name order).
    ///
    /// Not virtualized — they depend on the host:
    /// - sockets: refused;
    /// - the contents of read-only host directories, and the sizes, inode and device numbers
    ///   and link counts their filestats report; the `fd_readdir` order (and `d_ino`) of a
    ///   host directory follows the host's file system;
    /// - what arrives on stdin (and whether a `poll_oneoff` descriptor subscription is ready:
    ///   with virtual clocks descriptors are only polled, never waited on);
    /// - explicitly given environment variables and arguments (they are inputs);
    /// - scheduling between threads, if the embedder runs several.
    pub fn deterministic(&mut self, seed: u64) -> &mut Self {
        self.deterministic = Some(seed);
        self
    }

    /// The most threads a wasi-threads guest may have running at once besides its main thread
    /// (default [`DEFAULT_MAX_THREADS`](crate::threads::DEFAULT_MAX_THREADS)): past it,
    /// `thread-spawn` fails with a negative result. Only guests importing `wasi.thread-spawn`
    /// are affected (see [`threads`](crate::threads)).
    pub fn max_threads(&mut self, n: u32) -> &mut Self {
        self.max_threads = n;
        self
    }

    /// Trace every hostcall of both snapshots: `f` gets each call's name, decoded arguments,
    /// outcome and duration after it finishes (the `TraceEvent`'s `Display` is one
    /// strace-like line). Without a tracer the generated shims skip all of it.
    pub fn trace(&mut self, f: impl FnMut(&TraceEvent<'_>) + Send + 'static) -> &mut Self {
        self.tracer = Some(Box::new(f));
        self
    }

    /// Trace every hostcall as one line each to `out` (e.g. `std::io::stderr()` or a file);
    /// a failed write is ignored, so tracing never changes what the guest sees.
    pub fn trace_to(&mut self, mut out: impl std::io::Write + Send + 'static) -> &mut Self {
        self.trace(move |e| {
            let _ = writeln!(out, "{e}");
        })
    }

    /// In deterministic mode, the virtual clocks the guest will see, made now (unless other
    /// clocks were given, or the builder is not deterministic: then `None`). Give them to a
    /// [`MemFs`](crate::memfs::MemFs) with
    /// [`with_clocks`](crate::memfs::MemFs::with_clocks) so its timestamps are reproducible.
    pub fn deterministic_clocks(&mut self) -> Option<Arc<VirtualClocks>> {
        self.deterministic?;
        if let Some(v) = &self.virtual_clocks {
            return Some(v.clone());
        }
        if self.clocks.is_some() {
            return None;
        }
        let v = Arc::new(VirtualClocks::default());
        self.clocks = Some(v.clone());
        self.virtual_clocks = Some(v.clone());
        Some(v)
    }

    /// Open the preopens and stdio and build the context. Errors name the offending input.
    pub fn build(&mut self) -> Result<WasiCtx, BuildError> {
        if self.deterministic.is_some() {
            self.check_deterministic()?;
        }
        let args = self.checked_args()?;
        let env = self.checked_env()?;
        let mut table = FdPool::with_max(self.max_open.max(3));
        let stdio = std::mem::replace(&mut self.stdio, [Stdio::Null, Stdio::Null, Stdio::Null]);
        for (i, s) in stdio.into_iter().enumerate() {
            let file = stdio_file(i, s)?;
            table
                .insert_at(i as u32, Entry::for_file(file))
                .map_err(|e| BuildError(e.to_string()))?;
        }
        for (preopen, guest, mount) in self.preopens.drain(..) {
            let dir: Arc<dyn WasiDir> = match preopen {
                Preopen::Dir(d) => d,
                Preopen::Host(host) => Arc::new(OsDir::open_ambient(&host).map_err(|e| {
                    BuildError(format!("cannot open directory {}: {e}", host.display()))
                })?),
            };
            let (ceiling, inheriting, read_only) = mount.ceilings();
            let mut entry = Entry::new(Node::Dir(dir), ceiling, inheriting);
            entry.read_only = read_only;
            entry.preopen = Some(guest);
            table.insert(entry).map_err(|e| BuildError(e.to_string()))?;
        }
        for fd in self.sockets.drain(..) {
            if !crate::sys::net::is_socket(fd.as_fd()) {
                return Err(BuildError("preopened socket: not a socket".to_string()));
            }
            let file = OsFile::new(fd).map_err(|e| BuildError(format!("preopened socket: {e}")))?;
            table
                .insert(Entry::for_file(Arc::new(file)))
                .map_err(|e| BuildError(e.to_string()))?;
        }
        let virtual_clocks = self.deterministic.map(|_| VirtualClocks::default());
        let fixed_host_times = virtual_clocks.as_ref().map(VirtualClocks::epoch);
        let clocks = match (self.clocks.take(), virtual_clocks) {
            (Some(c), _) => c,
            (None, Some(v)) => Arc::new(v),
            (None, None) => Arc::new(OsClocks),
        };
        let random: Box<dyn WasiRandom> = match (self.random.take(), self.deterministic) {
            (Some(r), _) => r,
            (None, Some(seed)) => Box::new(SeededRandom::new(seed)),
            (None, None) => Box::new(
                OsRandom::new().map_err(|e| BuildError(format!("cannot seed random: {e}")))?,
            ),
        };
        Ok(WasiCtx {
            args,
            env,
            table,
            exit_code: None,
            resolver: self.resolver,
            clocks,
            random,
            fixed_host_times,
            tracer: self.tracer.take(),
            max_threads: self.max_threads,
        })
    }

    fn checked_args(&self) -> Result<Vec<Vec<u8>>, BuildError> {
        for a in &self.args {
            if a.contains(&0) {
                return Err(BuildError(format!(
                    "argument {:?} contains a NUL byte",
                    String::from_utf8_lossy(a)
                )));
            }
        }
        Ok(self.args.clone())
    }

    fn checked_env(&self) -> Result<Vec<Vec<u8>>, BuildError> {
        let mut env = Vec::with_capacity(self.env.len());
        for (k, v) in &self.env {
            if k.is_empty() || k.contains(&b'=') || k.contains(&0) || v.contains(&0) {
                return Err(BuildError(format!(
                    "invalid environment variable {:?}",
                    String::from_utf8_lossy(k)
                )));
            }
            let mut kv = k.clone();
            kv.push(b'=');
            kv.extend_from_slice(v);
            env.push(kv);
        }
        Ok(env)
    }

    fn check_deterministic(&self) -> Result<(), BuildError> {
        let refuse = |what: &str| Err(BuildError(format!("deterministic mode refuses {what}")));
        if self.inherited_env {
            return refuse("the inherited host environment");
        }
        if !self.sockets.is_empty() {
            return refuse("sockets");
        }
        for (preopen, guest, mount) in &self.preopens {
            let host = match preopen {
                Preopen::Host(_) => true,
                Preopen::Dir(d) => OsDir::downcast(&**d).is_some(),
            };
            if host && *mount != Mount::ReadOnly {
                return refuse(&format!(
                    "the writable host directory {guest:?} (mount it read-only or in memory)"
                ));
            }
        }
        Ok(())
    }
}

/// A problem found while building a [`WasiCtx`], described in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(pub String);

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

/// The resource for standard stream `i` (0, 1 or 2).
fn stdio_file(i: usize, s: Stdio) -> Result<Arc<dyn WasiFile>, BuildError> {
    let err = |e: std::io::Error| BuildError(format!("stdio fd {i}: {e}"));
    let writes = i > 0;
    if let Some(dir) = s.direction()
        && dir != writes
    {
        let (name, what) = if writes {
            (["stdout", "stderr"][i - 1], "a reader")
        } else {
            ("stdin", "a writer")
        };
        return Err(BuildError(format!("{name} cannot be {what}")));
    }
    let fd: OwnedFd = match s {
        Stdio::Inherit => {
            let host = match i {
                0 => rustix::stdio::stdin(),
                1 => rustix::stdio::stdout(),
                _ => rustix::stdio::stderr(),
            };
            crate::sys::inherit_stdio(host).map_err(err)?
        }
        Stdio::Null => {
            let mut o = std::fs::OpenOptions::new();
            if writes {
                o.write(true)
            } else {
                o.read(true)
            };
            o.open("/dev/null").map_err(err)?.into()
        }
        Stdio::Fd(fd) => fd,
        Stdio::Reader(r) => return Ok(Arc::new(ReadStream(Mutex::new(r)))),
        Stdio::Writer(w) => return Ok(Arc::new(WriteStream(Mutex::new(w)))),
        Stdio::File(f) => return Ok(f),
    };
    Ok(Arc::new(OsFile::new(fd).map_err(err)?))
}
