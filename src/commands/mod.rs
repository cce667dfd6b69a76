//! The command-line commands, as library calls.
//!
//! [`pipeline`] is the one way a site is read: inputs, load, judge, and
//! produce pages through a sink. [`build`] writes that to disk, [`check`]
//! reports on it without writing, [`gate`] formats a check for CI (Markdown,
//! JUnit), [`init`] writes a starter site. Uses every layer below; used by
//! `main.rs` and [`crate::serve`].

pub mod build;
pub mod check;
pub mod gate;
pub mod init;
pub mod pipeline;
