//! Socket calls (Linux): accept, vectored receive and send, shutdown.

use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::fs::FileType;
use rustix::net::{RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags};
use rustix::net::{Shutdown, SocketFlags};

use crate::error::Error;

/// True if `fd` is a socket of any kind.
pub fn is_socket(fd: BorrowedFd<'_>) -> bool {
    rustix::fs::fstat(fd).is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Socket)
}

/// Accept one connection on listening socket `fd`; the new socket is close-on-exec and, if
/// `nonblock`, non-blocking.
pub fn accept(fd: BorrowedFd<'_>, nonblock: bool) -> Result<OwnedFd, Error> {
    let mut flags = SocketFlags::CLOEXEC;
    if nonblock {
        flags |= SocketFlags::NONBLOCK;
    }
    loop {
        match rustix::net::accept_with(fd, flags) {
            Err(rustix::io::Errno::INTR) => continue,
            r => return Ok(r?),
        }
    }
}

/// What one receive returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// Bytes stored in the buffers.
    pub len: usize,
    /// The datagram was longer than the buffers and its tail was dropped.
    pub truncated: bool,
}

/// Receive into `bufs` with one `recvmsg`. `peek` leaves the data queued; `waitall` waits
/// until the buffers are full (stream sockets) unless the peer closes or an error occurs.
pub fn recv(
    fd: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    peek: bool,
    waitall: bool,
) -> Result<Received, Error> {
    let mut flags = RecvFlags::empty();
    if peek {
        flags |= RecvFlags::PEEK;
    }
    if waitall {
        flags |= RecvFlags::WAITALL;
    }
    let mut control = RecvAncillaryBuffer::new(&mut []);
    let msg = loop {
        match rustix::net::recvmsg(fd, bufs, &mut control, flags) {
            Err(rustix::io::Errno::INTR) => continue,
            r => break r?,
        }
    };
    let capacity: usize = bufs.iter().map(|b| b.len()).sum();
    Ok(Received {
        len: msg.bytes.min(capacity),
        truncated: msg.flags.contains(ReturnFlags::TRUNC),
    })
}

/// Send `bufs` with one `sendmsg`. A peer that has gone away gives `EPIPE`, never `SIGPIPE`.
pub fn send(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> Result<usize, Error> {
    let mut control = SendAncillaryBuffer::default();
    loop {
        match rustix::net::sendmsg(fd, bufs, &mut control, SendFlags::NOSIGNAL) {
            Err(rustix::io::Errno::INTR) => continue,
            r => return Ok(r?),
        }
    }
}

/// Shut down the receiving side (`rd`), the sending side (`wr`) or both.
pub fn shutdown(fd: BorrowedFd<'_>, rd: bool, wr: bool) -> Result<(), Error> {
    let how = match (rd, wr) {
        (true, true) => Shutdown::Both,
        (true, false) => Shutdown::Read,
        (false, true) => Shutdown::Write,
        (false, false) => return Err(crate::preview1::types::Errno::Inval.into()),
    };
    Ok(rustix::net::shutdown(fd, how)?)
}
