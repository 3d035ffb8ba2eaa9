//! Host directory streams kept per descriptor for `fd_readdir`.

/// The state of a directory listing between `fd_readdir` calls.
pub struct ReaddirState {}
