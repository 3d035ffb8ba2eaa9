//! The `wasi_unstable` (preview0) host, implemented by translating each call to preview1.
//!
//! Arguments are converted to their preview1 meaning (see [`convert`]), the preview1 function
//! runs, and its result is converted back into preview0's layout. `poll_oneoff` reads the
//! preview0 subscriptions itself and runs the shared polling core.

// The WASI signatures are fixed by the ABI, however many parameters they take.
#![allow(clippy::too_many_arguments)]

mod convert;

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr, Trap};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview0::types;
use crate::preview0::wasi_unstable::WasiUnstable;
use crate::preview1::types as p1;
use crate::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1 as P1;
use convert::ToP1;

type Mem<'a, 'b> = &'a mut GuestMemory<'b>;

impl WasiUnstable for WasiCtx {
    #[inline]
    fn trace_enabled(&self) -> bool {
        self.tracer.is_some()
    }

    fn trace_call(&mut self, event: &wasihost_guest::TraceEvent<'_>) {
        self.trace(event);
    }

    fn args_get(
        &mut self,
        mem: Mem,
        argv: GuestPtr<GuestPtr<u8>>,
        buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        P1::args_get(self, mem, argv, buf)
    }

    fn args_sizes_get(&mut self, mem: Mem) -> Result<(types::Size, types::Size), Error> {
        P1::args_sizes_get(self, mem)
    }

    fn environ_get(
        &mut self,
        mem: Mem,
        environ: GuestPtr<GuestPtr<u8>>,
        buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        P1::environ_get(self, mem, environ, buf)
    }

    fn environ_sizes_get(&mut self, mem: Mem) -> Result<(types::Size, types::Size), Error> {
        P1::environ_sizes_get(self, mem)
    }

    fn clock_res_get(&mut self, mem: Mem, id: types::Clockid) -> Result<types::Timestamp, Error> {
        P1::clock_res_get(self, mem, id.p1()?)
    }

    fn clock_time_get(
        &mut self,
        mem: Mem,
        id: types::Clockid,
        precision: types::Timestamp,
    ) -> Result<types::Timestamp, Error> {
        P1::clock_time_get(self, mem, id.p1()?, precision)
    }

    fn fd_advise(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        offset: types::Filesize,
        len: types::Filesize,
        advice: types::Advice,
    ) -> Result<(), Error> {
        P1::fd_advise(self, mem, fd.p1()?, offset, len, advice.p1()?)
    }

    fn fd_allocate(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        offset: types::Filesize,
        len: types::Filesize,
    ) -> Result<(), Error> {
        P1::fd_allocate(self, mem, fd.p1()?, offset, len)
    }

    fn fd_close(&mut self, mem: Mem, fd: types::Fd) -> Result<(), Error> {
        P1::fd_close(self, mem, fd.p1()?)
    }

    fn fd_datasync(&mut self, mem: Mem, fd: types::Fd) -> Result<(), Error> {
        P1::fd_datasync(self, mem, fd.p1()?)
    }

    fn fd_fdstat_get(&mut self, mem: Mem, fd: types::Fd) -> Result<types::Fdstat, Error> {
        convert::fdstat(P1::fd_fdstat_get(self, mem, fd.p1()?)?)
    }

    fn fd_fdstat_set_flags(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        flags: types::Fdflags,
    ) -> Result<(), Error> {
        P1::fd_fdstat_set_flags(self, mem, fd.p1()?, flags.p1()?)
    }

    /// Preview0 cannot name `SOCK_ACCEPT`, so a descriptor that holds it keeps it.
    fn fd_fdstat_set_rights(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        base: types::Rights,
        inheriting: types::Rights,
    ) -> Result<(), Error> {
        let fd = fd.p1()?;
        let entry = self.entry(fd)?;
        let keep_base = entry.rights & p1::Rights::SOCK_ACCEPT;
        let keep_inheriting = entry.inheriting & p1::Rights::SOCK_ACCEPT;
        P1::fd_fdstat_set_rights(
            self,
            mem,
            fd,
            base.p1()? | keep_base,
            inheriting.p1()? | keep_inheriting,
        )
    }

    fn fd_filestat_get(&mut self, mem: Mem, fd: types::Fd) -> Result<types::Filestat, Error> {
        convert::filestat(P1::fd_filestat_get(self, mem, fd.p1()?)?)
    }

    fn fd_filestat_set_size(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        size: types::Filesize,
    ) -> Result<(), Error> {
        P1::fd_filestat_set_size(self, mem, fd.p1()?, size)
    }

    fn fd_filestat_set_times(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        fst_flags: types::Fstflags,
    ) -> Result<(), Error> {
        P1::fd_filestat_set_times(self, mem, fd.p1()?, atim, mtim, fst_flags.p1()?)
    }

    fn fd_pread(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        iovs: types::IovecArray,
        offset: types::Filesize,
    ) -> Result<types::Size, Error> {
        P1::fd_pread(self, mem, fd.p1()?, iovs.p1()?, offset)
    }

    fn fd_prestat_get(&mut self, mem: Mem, fd: types::Fd) -> Result<types::Prestat, Error> {
        Ok(convert::prestat(P1::fd_prestat_get(self, mem, fd.p1()?)?))
    }

    fn fd_prestat_dir_name(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        path: GuestPtr<u8>,
        path_len: types::Size,
    ) -> Result<(), Error> {
        P1::fd_prestat_dir_name(self, mem, fd.p1()?, path, path_len)
    }

    fn fd_pwrite(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        iovs: types::CiovecArray,
        offset: types::Filesize,
    ) -> Result<types::Size, Error> {
        P1::fd_pwrite(self, mem, fd.p1()?, iovs.p1()?, offset)
    }

    fn fd_read(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        iovs: types::IovecArray,
    ) -> Result<types::Size, Error> {
        P1::fd_read(self, mem, fd.p1()?, iovs.p1()?)
    }

    /// Directory entries have the same layout in both snapshots.
    fn fd_readdir(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
        cookie: types::Dircookie,
    ) -> Result<types::Size, Error> {
        P1::fd_readdir(self, mem, fd.p1()?, buf, buf_len, cookie)
    }

    fn fd_renumber(&mut self, mem: Mem, fd: types::Fd, to: types::Fd) -> Result<(), Error> {
        P1::fd_renumber(self, mem, fd.p1()?, to.p1()?)
    }

    fn fd_seek(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        offset: types::Filedelta,
        whence: types::Whence,
    ) -> Result<types::Filesize, Error> {
        P1::fd_seek(self, mem, fd.p1()?, offset, whence.p1()?)
    }

    fn fd_sync(&mut self, mem: Mem, fd: types::Fd) -> Result<(), Error> {
        P1::fd_sync(self, mem, fd.p1()?)
    }

    fn fd_tell(&mut self, mem: Mem, fd: types::Fd) -> Result<types::Filesize, Error> {
        P1::fd_tell(self, mem, fd.p1()?)
    }

    fn fd_write(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        iovs: types::CiovecArray,
    ) -> Result<types::Size, Error> {
        P1::fd_write(self, mem, fd.p1()?, iovs.p1()?)
    }

    fn path_create_directory(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        path: GuestStr,
    ) -> Result<(), Error> {
        P1::path_create_directory(self, mem, fd.p1()?, path)
    }

    fn path_filestat_get(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestStr,
    ) -> Result<types::Filestat, Error> {
        convert::filestat(P1::path_filestat_get(
            self,
            mem,
            fd.p1()?,
            flags.p1()?,
            path,
        )?)
    }

    fn path_filestat_set_times(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestStr,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        fst_flags: types::Fstflags,
    ) -> Result<(), Error> {
        P1::path_filestat_set_times(
            self,
            mem,
            fd.p1()?,
            flags.p1()?,
            path,
            atim,
            mtim,
            fst_flags.p1()?,
        )
    }

    fn path_link(
        &mut self,
        mem: Mem,
        old_fd: types::Fd,
        old_flags: types::Lookupflags,
        old_path: GuestStr,
        new_fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        P1::path_link(
            self,
            mem,
            old_fd.p1()?,
            old_flags.p1()?,
            old_path,
            new_fd.p1()?,
            new_path,
        )
    }

    fn path_open(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        dirflags: types::Lookupflags,
        path: GuestStr,
        oflags: types::Oflags,
        base: types::Rights,
        inheriting: types::Rights,
        fdflags: types::Fdflags,
    ) -> Result<types::Fd, Error> {
        let opened = P1::path_open(
            self,
            mem,
            fd.p1()?,
            dirflags.p1()?,
            path,
            oflags.p1()?,
            base.p1()?,
            inheriting.p1()?,
            fdflags.p1()?,
        )?;
        Ok(convert::fd(opened))
    }

    fn path_readlink(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        path: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
    ) -> Result<types::Size, Error> {
        P1::path_readlink(self, mem, fd.p1()?, path, buf, buf_len)
    }

    fn path_remove_directory(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        path: GuestStr,
    ) -> Result<(), Error> {
        P1::path_remove_directory(self, mem, fd.p1()?, path)
    }

    fn path_rename(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        old_path: GuestStr,
        new_fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        P1::path_rename(self, mem, fd.p1()?, old_path, new_fd.p1()?, new_path)
    }

    fn path_symlink(
        &mut self,
        mem: Mem,
        old_path: GuestStr,
        fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        P1::path_symlink(self, mem, old_path, fd.p1()?, new_path)
    }

    fn path_unlink_file(&mut self, mem: Mem, fd: types::Fd, path: GuestStr) -> Result<(), Error> {
        P1::path_unlink_file(self, mem, fd.p1()?, path)
    }

    /// Preview0 subscriptions are read in their own layout; events are laid out as in
    /// preview1, so the shared core writes them directly.
    fn poll_oneoff(
        &mut self,
        mem: Mem,
        r#in: GuestPtr<types::Subscription>,
        out: GuestPtr<types::Event>,
        nsubscriptions: types::Size,
    ) -> Result<types::Size, Error> {
        if nsubscriptions == 0 {
            return Err(p1::Errno::Inval.into());
        }
        r#in.as_array(nsubscriptions).validate(mem)?;
        out.as_array(nsubscriptions).validate(mem)?;
        crate::p1::poll::poll(
            self,
            mem,
            nsubscriptions,
            out.cast::<p1::Event>(),
            |mem, i| r#in.add_elements(i)?.read(mem)?.p1(),
        )
    }

    fn proc_exit(&mut self, mem: Mem, rval: types::Exitcode) -> Trap {
        P1::proc_exit(self, mem, rval)
    }

    fn proc_raise(&mut self, mem: Mem, sig: types::Signal) -> Result<(), Error> {
        P1::proc_raise(self, mem, sig.p1()?)
    }

    fn sched_yield(&mut self, mem: Mem) -> Result<(), Error> {
        P1::sched_yield(self, mem)
    }

    fn random_get(
        &mut self,
        mem: Mem,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
    ) -> Result<(), Error> {
        P1::random_get(self, mem, buf, buf_len)
    }

    fn sock_recv(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        ri_data: types::IovecArray,
        ri_flags: types::Riflags,
    ) -> Result<(types::Size, types::Roflags), Error> {
        let (n, flags) = P1::sock_recv(self, mem, fd.p1()?, ri_data.p1()?, ri_flags.p1()?)?;
        Ok((n, convert::roflags(flags)?))
    }

    fn sock_send(
        &mut self,
        mem: Mem,
        fd: types::Fd,
        si_data: types::CiovecArray,
        si_flags: types::Siflags,
    ) -> Result<types::Size, Error> {
        P1::sock_send(self, mem, fd.p1()?, si_data.p1()?, si_flags)
    }

    fn sock_shutdown(&mut self, mem: Mem, fd: types::Fd, how: types::Sdflags) -> Result<(), Error> {
        P1::sock_shutdown(self, mem, fd.p1()?, how.p1()?)
    }
}
