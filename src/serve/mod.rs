//! `artsite serve`: the site in memory, rebuilt as its inputs change, with
//! live reload in the browser.

pub mod incremental;
pub mod store;
