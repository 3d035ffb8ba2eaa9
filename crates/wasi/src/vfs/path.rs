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
    /// No slash but the trailing ones: one component (which may be `.` or `..`).
    one_component: bool,
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
        let (nul, slash) = nul_and_slash(bytes);
        if nul {
            return Err(Errno::Inval.into());
        }
        if bytes[0] == b'/' {
            return Err(Errno::Perm.into());
        }
        // A path no longer than NAME_MAX cannot hold a longer component.
        if bytes.len() > NAME_MAX
            && (!slash || bytes.split(|&b| b == b'/').any(|c| c.len() > NAME_MAX))
        {
            return Err(Errno::Nametoolong.into());
        }
        if !slash {
            return Ok(RelPath {
                path: bytes,
                trailing_slash: false,
                one_component: true,
            });
        }
        let end = bytes.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
        Ok(RelPath::from_checked(&bytes[..end], end < bytes.len()))
    }

    /// A path already known to satisfy [`RelPath::new`]'s rules (without trailing slashes).
    pub(crate) fn from_checked(path: &'a [u8], trailing_slash: bool) -> Self {
        RelPath {
            path,
            trailing_slash,
            one_component: !path.contains(&b'/'),
        }
    }

    /// True if the path is one component (`.` and `..` included), trailing slashes aside.
    pub fn is_one_component(&self) -> bool {
        self.one_component
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

/// Eight `0x01` bytes.
const LOW: u64 = u64::from_ne_bytes([0x01; 8]);
/// Eight `0x80` bytes.
const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);

/// The high bit of each byte of `w` that is zero (and maybe of bytes above one that is): not
/// zero exactly when some byte is.
const fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(LOW) & !w & HIGH
}

/// Run `f` on the words of `bytes`, eight bytes at a time, the last one padded with `pad`.
/// Path checks run on every path call; a word at a time they cost a few instructions for a
/// short path.
#[inline(always)]
fn for_words(bytes: &[u8], pad: u8, mut f: impl FnMut(u64)) {
    let (chunks, rest) = bytes.as_chunks::<8>();
    for c in chunks {
        f(u64::from_ne_bytes(*c));
    }
    if !rest.is_empty() {
        // The rest's bytes shifted in below the padding (their order does not matter here).
        let w = rest
            .iter()
            .rev()
            .fold(LOW * u64::from(pad), |w, &b| (w << 8) | u64::from(b));
        f(w);
    }
}

/// Whether `bytes` holds a NUL byte, and whether it holds a slash.
fn nul_and_slash(bytes: &[u8]) -> (bool, bool) {
    let (mut nul, mut slash) = (0, 0);
    for_words(bytes, b'a', |w| {
        nul |= zero_bytes(w);
        slash |= zero_bytes(w ^ (LOW * u64::from(b'/')));
    });
    (nul != 0, slash != 0)
}

/// True if every byte of `bytes` is ASCII and none is NUL (nearly every guest path).
pub(crate) fn is_plain_ascii(bytes: &[u8]) -> bool {
    let mut bad = 0;
    for_words(bytes, b'a', |w| bad |= (w | zero_bytes(w)) & HIGH);
    bad == 0
}

/// The index of the first NUL byte of `bytes`, a word at a time (directory entry names).
pub(crate) fn first_nul(bytes: &[u8]) -> Option<usize> {
    let (chunks, rest) = bytes.as_chunks::<8>();
    for (i, c) in chunks.iter().enumerate() {
        // Little-endian, so the lowest flagged byte is the first zero: flags can only be
        // wrong above a real zero byte.
        let zeros = zero_bytes(u64::from_le_bytes(*c));
        if zeros != 0 {
            return Some(i * 8 + (zeros.trailing_zeros() / 8) as usize);
        }
    }
    let done = bytes.len() - rest.len();
    rest.iter().position(|&b| b == 0).map(|i| done + i)
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
        assert!(!p.is_one_component());
        let p = RelPath::new(b"file").unwrap();
        assert_eq!(p.split_last(), (&b""[..], &b"file"[..]));
        assert!(!p.trailing_slash());
        assert!(p.is_one_component());
        assert!(RelPath::new(b"dir//").unwrap().is_one_component());
        assert!(!RelPath::new(b"a/b").unwrap().is_one_component());
        assert!(RelPath::from_checked(b"file", false).is_one_component());
        assert!(!RelPath::from_checked(b"a/b", false).is_one_component());
    }

    #[test]
    fn word_scans_agree_with_byte_scans() {
        // Every length up to three words, with a NUL, a slash or a non-ASCII byte (or none) at
        // every position, on a background of each interesting byte.
        for len in 0..24 {
            for fill in [b'a', 0x7f, 0x01, 0x2e] {
                for at in 0..=len {
                    for special in [0u8, b'/', 0x80, 0xff, 0x81, 0x30] {
                        let mut v = vec![fill; len];
                        if at < len {
                            v[at] = special;
                        }
                        let nul = v.contains(&0);
                        let slash = v.contains(&b'/');
                        assert_eq!(nul_and_slash(&v), (nul, slash), "{v:?}");
                        let plain = v.iter().all(|&b| (1..0x80).contains(&b));
                        assert_eq!(is_plain_ascii(&v), plain, "{v:?}");
                        let nul_at = v.iter().position(|&b| b == 0);
                        assert_eq!(first_nul(&v), nul_at, "{v:?}");
                    }
                }
            }
        }
    }
}
