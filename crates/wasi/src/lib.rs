//! placeholder

pub mod fdpool;
