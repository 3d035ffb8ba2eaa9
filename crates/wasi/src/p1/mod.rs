//! The `wasi_snapshot_preview1` host: the generated trait, implemented by delegating each call
//! to the module for its family of functions.

// The WASI signatures are fixed by the ABI, however many parameters they take.
#![allow(clippy::too_many_arguments)]

mod dir;
mod fd;
mod misc;
mod path;
pub(crate) mod poll;
mod sock;

use wasihost_guest::{GuestMemory, GuestPtr, GuestStr, Trap};

use crate::ctx::WasiCtx;
use crate::error::Error;
use crate::preview1::types;
use crate::preview1::wasi_snapshot_preview1::WasiSnapshotPreview1;

impl WasiSnapshotPreview1 for WasiCtx {
    #[inline]
    fn trace_enabled(&self) -> bool {
        self.tracer.is_some()
    }

    fn trace_call(&mut self, event: &wasihost_guest::TraceEvent<'_>) {
        self.trace(event);
    }

    fn args_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        argv: GuestPtr<GuestPtr<u8>>,
        argv_buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        misc::args_get(self, mem, argv, argv_buf)
    }

    fn args_sizes_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
    ) -> Result<(types::Size, types::Size), Error> {
        misc::args_sizes_get(self, mem)
    }

    fn environ_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        environ: GuestPtr<GuestPtr<u8>>,
        environ_buf: GuestPtr<u8>,
    ) -> Result<(), Error> {
        misc::environ_get(self, mem, environ, environ_buf)
    }

    fn environ_sizes_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
    ) -> Result<(types::Size, types::Size), Error> {
        misc::environ_sizes_get(self, mem)
    }

    fn clock_res_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        id: types::Clockid,
    ) -> Result<types::Timestamp, Error> {
        misc::clock_res_get(self, mem, id)
    }

    fn clock_time_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        id: types::Clockid,
        precision: types::Timestamp,
    ) -> Result<types::Timestamp, Error> {
        misc::clock_time_get(self, mem, id, precision)
    }

    fn fd_advise(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        offset: types::Filesize,
        len: types::Filesize,
        advice: types::Advice,
    ) -> Result<(), Error> {
        fd::fd_advise(self, mem, fd, offset, len, advice)
    }

    fn fd_allocate(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        offset: types::Filesize,
        len: types::Filesize,
    ) -> Result<(), Error> {
        fd::fd_allocate(self, mem, fd, offset, len)
    }

    fn fd_close(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<(), Error> {
        fd::fd_close(self, mem, fd)
    }

    fn fd_datasync(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<(), Error> {
        fd::fd_datasync(self, mem, fd)
    }

    fn fd_fdstat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
    ) -> Result<types::Fdstat, Error> {
        fd::fd_fdstat_get(self, mem, fd)
    }

    fn fd_fdstat_set_flags(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Fdflags,
    ) -> Result<(), Error> {
        fd::fd_fdstat_set_flags(self, mem, fd, flags)
    }

    fn fd_fdstat_set_rights(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        fs_rights_base: types::Rights,
        fs_rights_inheriting: types::Rights,
    ) -> Result<(), Error> {
        fd::fd_fdstat_set_rights(self, mem, fd, fs_rights_base, fs_rights_inheriting)
    }

    fn fd_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
    ) -> Result<types::Filestat, Error> {
        fd::fd_filestat_get(self, mem, fd)
    }

    fn fd_filestat_set_size(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        size: types::Filesize,
    ) -> Result<(), Error> {
        fd::fd_filestat_set_size(self, mem, fd, size)
    }

    fn fd_filestat_set_times(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        fst_flags: types::Fstflags,
    ) -> Result<(), Error> {
        fd::fd_filestat_set_times(self, mem, fd, atim, mtim, fst_flags)
    }

    fn fd_pread(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        iovs: types::IovecArray,
        offset: types::Filesize,
    ) -> Result<types::Size, Error> {
        fd::fd_pread(self, mem, fd, iovs, offset)
    }

    fn fd_prestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
    ) -> Result<types::Prestat, Error> {
        fd::fd_prestat_get(self, mem, fd)
    }

    fn fd_prestat_dir_name(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestPtr<u8>,
        path_len: types::Size,
    ) -> Result<(), Error> {
        fd::fd_prestat_dir_name(self, mem, fd, path, path_len)
    }

    fn fd_pwrite(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        iovs: types::CiovecArray,
        offset: types::Filesize,
    ) -> Result<types::Size, Error> {
        fd::fd_pwrite(self, mem, fd, iovs, offset)
    }

    fn fd_read(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        iovs: types::IovecArray,
    ) -> Result<types::Size, Error> {
        fd::fd_read(self, mem, fd, iovs)
    }

    fn fd_readdir(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
        cookie: types::Dircookie,
    ) -> Result<types::Size, Error> {
        dir::fd_readdir(self, mem, fd, buf, buf_len, cookie)
    }

    fn fd_renumber(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        to: types::Fd,
    ) -> Result<(), Error> {
        fd::fd_renumber(self, mem, fd, to)
    }

    fn fd_seek(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        offset: types::Filedelta,
        whence: types::Whence,
    ) -> Result<types::Filesize, Error> {
        fd::fd_seek(self, mem, fd, offset, whence)
    }

    fn fd_sync(&mut self, mem: &mut GuestMemory<'_>, fd: types::Fd) -> Result<(), Error> {
        fd::fd_sync(self, mem, fd)
    }

    fn fd_tell(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
    ) -> Result<types::Filesize, Error> {
        fd::fd_tell(self, mem, fd)
    }

    fn fd_write(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        iovs: types::CiovecArray,
    ) -> Result<types::Size, Error> {
        fd::fd_write(self, mem, fd, iovs)
    }

    fn path_create_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestStr,
    ) -> Result<(), Error> {
        path::path_create_directory(self, mem, fd, path)
    }

    fn path_filestat_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestStr,
    ) -> Result<types::Filestat, Error> {
        path::path_filestat_get(self, mem, fd, flags, path)
    }

    fn path_filestat_set_times(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Lookupflags,
        path: GuestStr,
        atim: types::Timestamp,
        mtim: types::Timestamp,
        fst_flags: types::Fstflags,
    ) -> Result<(), Error> {
        path::path_filestat_set_times(self, mem, fd, flags, path, atim, mtim, fst_flags)
    }

    fn path_link(
        &mut self,
        mem: &mut GuestMemory<'_>,
        old_fd: types::Fd,
        old_flags: types::Lookupflags,
        old_path: GuestStr,
        new_fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        path::path_link(self, mem, old_fd, old_flags, old_path, new_fd, new_path)
    }

    fn path_open(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        dirflags: types::Lookupflags,
        path: GuestStr,
        oflags: types::Oflags,
        fs_rights_base: types::Rights,
        fs_rights_inheriting: types::Rights,
        fdflags: types::Fdflags,
    ) -> Result<types::Fd, Error> {
        path::path_open(
            self,
            mem,
            fd,
            dirflags,
            path,
            oflags,
            fs_rights_base,
            fs_rights_inheriting,
            fdflags,
        )
    }

    fn path_readlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestStr,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
    ) -> Result<types::Size, Error> {
        path::path_readlink(self, mem, fd, path, buf, buf_len)
    }

    fn path_remove_directory(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestStr,
    ) -> Result<(), Error> {
        path::path_remove_directory(self, mem, fd, path)
    }

    fn path_rename(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        old_path: GuestStr,
        new_fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        path::path_rename(self, mem, fd, old_path, new_fd, new_path)
    }

    fn path_symlink(
        &mut self,
        mem: &mut GuestMemory<'_>,
        old_path: GuestStr,
        fd: types::Fd,
        new_path: GuestStr,
    ) -> Result<(), Error> {
        path::path_symlink(self, mem, old_path, fd, new_path)
    }

    fn path_unlink_file(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        path: GuestStr,
    ) -> Result<(), Error> {
        path::path_unlink_file(self, mem, fd, path)
    }

    fn poll_oneoff(
        &mut self,
        mem: &mut GuestMemory<'_>,
        r#in: GuestPtr<types::Subscription>,
        out: GuestPtr<types::Event>,
        nsubscriptions: types::Size,
    ) -> Result<types::Size, Error> {
        poll::poll_oneoff(self, mem, r#in, out, nsubscriptions)
    }

    fn proc_exit(&mut self, mem: &mut GuestMemory<'_>, rval: types::Exitcode) -> Trap {
        misc::proc_exit(self, mem, rval)
    }

    fn proc_raise(&mut self, mem: &mut GuestMemory<'_>, sig: types::Signal) -> Result<(), Error> {
        misc::proc_raise(self, mem, sig)
    }

    fn sched_yield(&mut self, mem: &mut GuestMemory<'_>) -> Result<(), Error> {
        misc::sched_yield(self, mem)
    }

    fn random_get(
        &mut self,
        mem: &mut GuestMemory<'_>,
        buf: GuestPtr<u8>,
        buf_len: types::Size,
    ) -> Result<(), Error> {
        misc::random_get(self, mem, buf, buf_len)
    }

    fn sock_accept(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        flags: types::Fdflags,
    ) -> Result<types::Fd, Error> {
        sock::sock_accept(self, mem, fd, flags)
    }

    fn sock_recv(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        ri_data: types::IovecArray,
        ri_flags: types::Riflags,
    ) -> Result<(types::Size, types::Roflags), Error> {
        sock::sock_recv(self, mem, fd, ri_data, ri_flags)
    }

    fn sock_send(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        si_data: types::CiovecArray,
        si_flags: types::Siflags,
    ) -> Result<types::Size, Error> {
        sock::sock_send(self, mem, fd, si_data, si_flags)
    }

    fn sock_shutdown(
        &mut self,
        mem: &mut GuestMemory<'_>,
        fd: types::Fd,
        how: types::Sdflags,
    ) -> Result<(), Error> {
        sock::sock_shutdown(self, mem, fd, how)
    }
}
