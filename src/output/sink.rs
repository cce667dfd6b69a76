//! The one choke point every generated file goes through: a [`Sink`] decides
//! where the bytes go (a staging folder on disk, memory for `serve`, or a link
//! checker that keeps only ids and links).

use super::cache::Reuse;
use super::staging::ReadFault;
use super::staging::Staging;
use crate::input::source::Location;
use anyhow::Result;

/// Where generated files go.
pub trait Sink: Sync {
    /// Stores a generated file at `path` (relative to the site root).
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()>;
    /// Stores a generated file made of `parts`, one after another, without
    /// joining them first where the sink can.
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        self.write(path, &parts.concat())
    }
    /// Publishes the input file `from` at `path`.
    fn raw(&self, path: &str, from: &Location) -> Result<()>;
}

/// A staging folder as a sink: pages written, raw files hard-linked (when
/// `link`) or copied; with `reuse`, files the previous output holds already
/// are linked from it instead.
pub(crate) struct Disk<'a> {
    /// The folder that becomes the site when the build succeeds.
    pub staging: &'a Staging,
    /// Hard-link raw files instead of copying them.
    pub link: bool,
    /// The previous output and the build cache's record of it.
    pub reuse: Option<&'a Reuse>,
}

impl Sink for Disk<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> Result<()> {
        match self.reuse {
            Some(reuse) => reuse.write(self.staging, path, bytes),
            None => self.staging.write(path, bytes),
        }
    }
    fn write_parts(&self, path: &str, parts: &[&[u8]]) -> Result<()> {
        match self.reuse {
            Some(reuse) => reuse.write_parts(self.staging, path, parts),
            None => self.staging.write_parts(path, parts),
        }
    }
    fn raw(&self, path: &str, from: &Location) -> Result<()> {
        let publish = || match from {
            Location::Disk(p) => self.staging.copy(path, p, self.link),
            Location::Object(_) => {
                let mut reader = from.open().map_err(|e| anyhow::Error::new(ReadFault(e)))?;
                self.staging.stream(path, &mut reader)
            }
        };
        match self.reuse {
            Some(reuse) => reuse.raw(self.staging, path, from, publish),
            None => publish(),
        }
    }
}
