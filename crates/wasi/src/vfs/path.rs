//! Guest paths as the resolver takes them.

use crate::error::Result;
use crate::preview1::types::Errno;

/// Longest path accepted, in bytes (Linux's `PATH_MAX`, including room for the NUL).
pub const PATH_MAX: usize = 4096;
/// Longest single path component, in bytes (Linux's `NAME_MAX`).
pub const NAME_MAX: usize = 255;
/// Most symbolic links expanded while resolving one path (Linux's own limit).
pub const MAX_SYMLINK_EXPANSIONS: u32 = 40;

/// A guest path checked to be relative, non-empty, free of NUL bytes and with no component over
/// [`NAME_MAX`] bytes. Trailing slashes are split off into a flag: they mean "must be a
/// directory" and never make a final symbolic link be followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelPath<'a> {
    path: &'a [u8],
    trailing_slash: bool,
}

impl<'a> RelPath<'a> {
    /// Check `bytes`: `ENOENT` if empty, `EPERM` if absolute, `EINVAL` for a NUL byte,
    /// `ENAMETOOLONG` for a path over [`PATH_MAX`] or a component over [`NAME_MAX`].
    pub fn new(bytes: &'a [u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Err(Errno::Noent.into());
        }
        if bytes.len() >= PATH_MAX {
            return Err(Errno::Nametoolong.into());
        }
        if bytes.contains(&0) {
            return Err(Errno::Inval.into());
        }
        if bytes[0] == b'/' {
            return Err(Errno::Perm.into());
        }
        // A path no longer than NAME_MAX cannot hold a longer component.
        if bytes.len() > NAME_MAX && bytes.split(|&b| b == b'/').any(|c| c.len() > NAME_MAX) {
            return Err(Errno::Nametoolong.into());
        }
        let end = bytes.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        Ok(RelPath {
            path: &bytes[..end],
            trailing_slash: end < bytes.len(),
        })
    }

    /// A path already known to satisfy [`RelPath::new`]'s rules (without trailing slashes).
    pub(crate) fn from_checked(path: &'a [u8], trailing_slash: bool) -> Self {
        RelPath {
            path,
            trailing_slash,
        }
    }

    /// The path without its trailing slashes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.path
    }

    /// True if the guest wrote one or more slashes at the end.
    pub fn trailing_slash(&self) -> bool {
        self.trailing_slash
    }

    /// (everything before the last component, the last component).
    pub fn split_last(&self) -> (&'a [u8], &'a [u8]) {
        match self.path.iter().rposition(|&b| b == b'/') {
            Some(i) => (&self.path[..i], &self.path[i + 1..]),
            None => (&[], self.path),
        }
    }
}

/// Check the target of a symbolic link being expanded: absolute targets leave the sandbox
/// (`EPERM`), empty ones name nothing (`ENOENT`).
pub(crate) fn check_link_target(target: &[u8]) -> Result<()> {
    match target.first() {
        None => Err(Errno::Noent.into()),
        Some(b'/') => Err(Errno::Perm.into()),
        Some(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rel_path_rules() {
        let e = |p: &[u8]| RelPath::new(p).unwrap_err().errno();
        assert_eq!(e(b""), Some(Errno::Noent));
        assert_eq!(e(b"/etc"), Some(Errno::Perm));
        assert_eq!(e(b"//"), Some(Errno::Perm));
        assert_eq!(e(b"a\0b"), Some(Errno::Inval));
        assert_eq!(e(&[b'x'; 256]), Some(Errno::Nametoolong));
        assert_eq!(e(&[b'a'; PATH_MAX]), Some(Errno::Nametoolong));
        assert!(RelPath::new(&[b'x'; 255]).is_ok());
        // Precedence: NUL, then absolute, then a long component.
        let mut long_abs = vec![b'/'];
        long_abs.extend([b'x'; 300]);
        assert_eq!(e(&long_abs), Some(Errno::Perm));
        long_abs.push(0);
        assert_eq!(e(&long_abs), Some(Errno::Inval));
        let mut ok = b"a/".to_vec();
        ok.extend([b'x'; 255]);
        ok.extend(b"//b");
        assert!(RelPath::new(&ok).is_ok());
        ok.insert(3, b'x');
        assert_eq!(e(&ok), Some(Errno::Nametoolong));
        let p = RelPath::new(b"a//b///").unwrap();
        assert_eq!((p.as_bytes(), p.trailing_slash()), (&b"a//b"[..], true));
        assert_eq!(p.split_last(), (&b"a/"[..], &b"b"[..]));
        let p = RelPath::new(b"file").unwrap();
        assert_eq!(p.split_last(), (&b""[..], &b"file"[..]));
        assert!(!p.trailing_slash());
    }
}
