//! The commands.

pub mod build;
pub mod check;
pub mod gate;
pub mod init;
pub mod pipeline;
