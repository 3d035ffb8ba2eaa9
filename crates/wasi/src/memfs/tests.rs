//! Unit tests of the in-memory file system.
