//! What a guest file descriptor refers to, and the rights it carries.
//!
//! The rights model is described in [`crate::rights`].

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::fdpool::Fd;
use crate::preview1::types::{Errno, Filetype, Rights};
use crate::rights;
use crate::vfs::{WasiDir, WasiFile};

/// One entry of the descriptor table.
pub struct Entry {
    /// The resource.
    pub(crate) node: Node,
    /// The rights the guest asked for (within the ceiling).
    pub(crate) rights: Rights,
    /// The inheriting rights the guest asked for (within the inheriting ceiling).
    pub(crate) inheriting: Rights,
    /// What the descriptor may ever do.
    pub(crate) ceiling: Rights,
    /// What descriptors opened through it may ever do.
    pub(crate) ceiling_inheriting: Rights,
    /// Beneath a read-only mount: refused changes are `EROFS`.
    pub(crate) read_only: bool,
    /// The guest path of a preopened directory.
    pub(crate) preopen: Option<String>,
}

impl Fd for Entry {}

/// The resource behind a descriptor.
#[derive(Clone)]
pub(crate) enum Node {
    /// Anything file-like.
    File(Arc<dyn WasiFile>),
    /// A directory.
    Dir(Arc<dyn WasiDir>),
}

/// The rights a file-like resource of type `ft` can use at all.
pub(crate) fn file_rights(ft: Filetype) -> Rights {
    match ft {
        Filetype::RegularFile => rights::FILE,
        Filetype::SocketStream | Filetype::SocketDgram => rights::SOCKET,
        _ => rights::STREAM,
    }
}

impl Entry {
    /// An entry whose requested rights are its whole ceiling.
    pub(crate) fn new(node: Node, ceiling: Rights, ceiling_inheriting: Rights) -> Self {
        Entry {
            node,
            rights: ceiling,
            inheriting: ceiling_inheriting,
            ceiling,
            ceiling_inheriting,
            read_only: false,
            preopen: None,
        }
    }

    /// An entry for a file-like resource with the rights its kind can use.
    pub(crate) fn for_file(file: Arc<dyn WasiFile>) -> Self {
        let ceiling = file_rights(file.filetype());
        Entry::new(Node::File(file), ceiling, Rights::empty())
    }

    /// The rights a call may use: the ceiling, less the enforced rights the guest did not ask
    /// for.
    fn usable(&self) -> Rights {
        Rights::from_bits_truncate(
            self.ceiling.bits() & !(rights::ENFORCED.bits() & !self.rights.bits()),
        )
    }

    /// Fail unless every right in `needed` may be used: `EROFS` for a change beneath a
    /// read-only mount, `ENOTCAPABLE` otherwise.
    pub(crate) fn require(&self, needed: Rights) -> Result<()> {
        let missing = needed - self.usable();
        if missing.is_empty() {
            Ok(())
        } else if self.read_only && missing.intersects(rights::MUTATING) {
            Err(Errno::Rofs.into())
        } else {
            Err(Errno::Notcapable.into())
        }
    }

    /// True if a call needing `needed` may proceed.
    pub(crate) fn has(&self, needed: Rights) -> bool {
        self.usable().contains(needed)
    }

    /// What descriptors opened through this one may use: the inheriting ceiling, less the
    /// enforced rights the guest did not ask to hand down.
    pub(crate) fn hands_down(&self) -> Rights {
        Rights::from_bits_truncate(
            self.ceiling_inheriting.bits() & !(rights::ENFORCED.bits() & !self.inheriting.bits()),
        )
    }

    /// Fail unless descriptors opened through this one may be given `needed`.
    pub(crate) fn require_inheritable(&self, needed: Rights) -> Result<()> {
        let missing = needed - self.hands_down();
        if missing.is_empty() {
            Ok(())
        } else if self.read_only && missing.intersects(rights::MUTATING) {
            Err(Errno::Rofs.into())
        } else {
            Err(Errno::Notcapable.into())
        }
    }

    /// The file-like resource, or `EBADF` for a directory (calls on file data).
    pub(crate) fn file(&self) -> Result<&Arc<dyn WasiFile>> {
        match &self.node {
            Node::File(f) => Ok(f),
            Node::Dir(_) => Err(Errno::Badf.into()),
        }
    }

    /// The directory, or `ENOTDIR`.
    pub(crate) fn dir(&self) -> Result<&Arc<dyn WasiDir>> {
        match &self.node {
            Node::Dir(d) => Ok(d),
            Node::File(_) => Err(Error::Errno(Errno::Notdir)),
        }
    }

    /// The WASI file type of this entry.
    pub(crate) fn filetype(&self) -> Filetype {
        match &self.node {
            Node::Dir(_) => Filetype::Directory,
            Node::File(f) => f.filetype(),
        }
    }

    /// An entry for `node`, opened through this directory, asking for `base` and `inheriting`:
    /// its ceiling is what this one hands down (for the resource's kind), its requested rights
    /// are what it asked for within that.
    pub(crate) fn child(&self, node: Node, base: Rights, inheriting: Rights) -> Entry {
        let down = self.hands_down();
        let (kind, kind_inheriting) = match &node {
            Node::Dir(_) => (rights::DIRECTORY, down),
            Node::File(f) => (file_rights(f.filetype()), Rights::empty()),
        };
        let ceiling = down & kind;
        Entry {
            node,
            rights: base & ceiling,
            inheriting: inheriting & kind_inheriting,
            ceiling,
            ceiling_inheriting: kind_inheriting,
            read_only: self.read_only,
            preopen: None,
        }
    }
}
