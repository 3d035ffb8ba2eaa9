//! The WASI context: arguments, environment and the descriptor table of one guest.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::entry::{Dir, Entry, Kind, Socket, Stream};
use crate::error::{Error, Result};
use crate::fdpool::{DEFAULT_MAX_OPEN, FdPool};
use crate::preview1::types::{Errno, Fd};
use crate::rights;

/// The state of one WASI guest. Build it with [`WasiCtx::builder`].
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) table: FdPool<Entry>,
    pub(crate) exit_code: Option<u32>,
    pub(crate) resolver: crate::sys::resolve::PathResolver,
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
}

/// Where a standard stream comes from or goes to.
pub enum Stdio {
    /// The host process's own stream.
    Inherit,
    /// `/dev/null`.
    Null,
    /// A host descriptor (file, pipe, socket...), owned by the guest from now on.
    Fd(OwnedFd),
    /// Reads come from this reader (stdin only).
    Reader(Box<dyn Read + Send>),
    /// Writes go to this writer (stdout and stderr only).
    Writer(Box<dyn Write + Send>),
}

/// A shareable in-memory sink for a guest's output: clone it, hand one clone to
/// [`Stdio::Writer`], and read the bytes back from the other.
#[derive(Clone, Default, Debug)]
pub struct OutputBuffer(Arc<Mutex<Vec<u8>>>);

impl OutputBuffer {
    /// A new, empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// The buffer as a [`Stdio::Writer`].
    pub fn stdio(&self) -> Stdio {
        Stdio::Writer(Box::new(self.clone()))
    }
}

impl Write for OutputBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => {
                v.extend_from_slice(buf);
                Ok(buf.len())
            }
            Err(_) => Err(std::io::Error::other("output buffer poisoned")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Builds a [`WasiCtx`].
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    stdio: [Stdio; 3],
    preopen_dirs: Vec<(PathBuf, String)>,
    preopen_sockets: Vec<OwnedFd>,
    max_open: u32,
    resolver: crate::sys::resolve::PathResolver,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdio: [Stdio::Null, Stdio::Null, Stdio::Null],
            preopen_dirs: Vec::new(),
            preopen_sockets: Vec::new(),
            max_open: DEFAULT_MAX_OPEN,
            resolver: Default::default(),
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

    /// Copy every environment variable of the host process.
    pub fn inherit_env(&mut self) -> &mut Self {
        use std::os::unix::ffi::OsStrExt;
        for (k, v) in std::env::vars_os() {
            self.env(k.as_bytes(), v.as_bytes());
        }
        self
    }

    /// Where fd 0 reads from.
    pub fn stdin(&mut self, s: Stdio) -> &mut Self {
        self.stdio[0] = s;
        self
    }

    /// Where fd 1 writes to.
    pub fn stdout(&mut self, s: Stdio) -> &mut Self {
        self.stdio[1] = s;
        self
    }

    /// Where fd 2 writes to.
    pub fn stderr(&mut self, s: Stdio) -> &mut Self {
        self.stdio[2] = s;
        self
    }

    /// Inherit all three standard streams from the host process.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdio = [Stdio::Inherit, Stdio::Inherit, Stdio::Inherit];
        self
    }

    /// Give the guest host directory `host` under the name `guest`. Preopens become fds 3, 4, …
    /// in the order they are added (after any preopened sockets added before them).
    pub fn preopen_dir(&mut self, host: impl AsRef<Path>, guest: impl Into<String>) -> &mut Self {
        self.preopen_dirs
            .push((host.as_ref().to_path_buf(), guest.into()));
        self
    }

    /// Give the guest a socket as the next descriptor after the preopened directories: a
    /// listening socket (e.g. a [`std::net::TcpListener`] or
    /// [`std::os::unix::net::UnixListener`]) for `sock_accept`, or a connected stream or
    /// datagram socket (e.g. a [`std::os::unix::net::UnixStream`]) for `sock_recv`/`sock_send`.
    /// [`WasiCtxBuilder::build`] fails if the descriptor is not a socket.
    pub fn preopen_socket(&mut self, socket: impl Into<OwnedFd>) -> &mut Self {
        self.preopen_sockets.push(socket.into());
        self
    }

    /// The most descriptors the guest may have open at once (and the bound on fd numbers).
    pub fn max_open_fds(&mut self, n: u32) -> &mut Self {
        self.max_open = n;
        self
    }

    /// How guest paths are resolved beneath directory descriptors (default
    /// [`PathResolver::Auto`](crate::PathResolver::Auto)).
    pub fn path_resolver(&mut self, resolver: crate::sys::resolve::PathResolver) -> &mut Self {
        self.resolver = resolver;
        self
    }

    /// Open the preopens and stdio and build the context. Errors name the offending input.
    pub fn build(&mut self) -> std::result::Result<WasiCtx, BuildError> {
        let mut args = Vec::with_capacity(self.args.len());
        for a in &self.args {
            if a.contains(&0) {
                return Err(BuildError(format!(
                    "argument {:?} contains a NUL byte",
                    String::from_utf8_lossy(a)
                )));
            }
            args.push(a.clone());
        }
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
        let mut table = FdPool::with_max(self.max_open.max(3));
        let stdio = std::mem::replace(&mut self.stdio, [Stdio::Null, Stdio::Null, Stdio::Null]);
        for (i, s) in stdio.into_iter().enumerate() {
            let entry = stdio_entry(i, s).map_err(|e| BuildError(format!("stdio fd {i}: {e}")))?;
            table
                .insert_at(i as u32, entry)
                .map_err(|e| BuildError(e.to_string()))?;
        }
        for (host, guest) in &self.preopen_dirs {
            let fd = open_dir(host).map_err(|e| {
                BuildError(format!("cannot open directory {}: {e}", host.display()))
            })?;
            let dir = Dir {
                fd,
                preopen: Some(guest.clone()),
                readdir: None,
            };
            let entry = Entry::new(
                Kind::Dir(dir),
                rights::DIRECTORY,
                rights::DIRECTORY_INHERITING,
            );
            table.insert(entry).map_err(|e| BuildError(e.to_string()))?;
        }
        for fd in self.preopen_sockets.drain(..) {
            if !crate::sys::net::is_socket(fd.as_fd()) {
                return Err(BuildError("preopened socket: not a socket".to_string()));
            }
            let listener = crate::sys::net::is_listener(fd.as_fd());
            let entry = Entry::new(
                Kind::Socket(Socket { fd, listener }),
                rights::SOCKET,
                rights::SOCKET,
            );
            table.insert(entry).map_err(|e| BuildError(e.to_string()))?;
        }
        Ok(WasiCtx {
            args,
            env,
            table,
            exit_code: None,
            resolver: self.resolver,
        })
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

fn open_dir(path: &Path) -> std::io::Result<OwnedFd> {
    use rustix::fs::{Mode, OFlags};
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    Ok(fd)
}

fn stdio_entry(i: usize, s: Stdio) -> std::io::Result<Entry> {
    let file = match s {
        Stdio::Inherit => {
            let host = match i {
                0 => rustix::stdio::stdin(),
                1 => rustix::stdio::stdout(),
                _ => rustix::stdio::stderr(),
            };
            File::from(crate::sys::inherit_stdio(host)?)
        }
        Stdio::Null => {
            let mut o = std::fs::OpenOptions::new();
            if i == 0 {
                o.read(true)
            } else {
                o.write(true)
            };
            o.open("/dev/null")?
        }
        Stdio::Fd(fd) => File::from(fd),
        Stdio::Reader(r) => {
            let stream = Stream {
                reader: Some(r),
                writer: None,
            };
            return Ok(Entry::new(
                Kind::Stream(stream),
                rights::STREAM,
                crate::preview1::types::Rights::empty(),
            ));
        }
        Stdio::Writer(w) => {
            let stream = Stream {
                reader: None,
                writer: Some(w),
            };
            return Ok(Entry::new(
                Kind::Stream(stream),
                rights::STREAM,
                crate::preview1::types::Rights::empty(),
            ));
        }
    };
    let ft = crate::sys::filetype_of(file.as_fd());
    let base = match ft {
        crate::preview1::types::Filetype::RegularFile => rights::FILE,
        _ => rights::STREAM,
    };
    Ok(Entry::new(
        Kind::File(file),
        base,
        crate::preview1::types::Rights::empty(),
    ))
}
