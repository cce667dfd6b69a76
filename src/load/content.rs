//! Attaching the config's content types to the loaded site: which JSON files
//! of each version are of which type.

use crate::input::content::ContentType;
use crate::model::Site;

/// Registers `types` on `site` and finds their files in every version. The
/// first type whose pattern matches a JSON file takes it.
pub(crate) fn attach(site: &mut Site, types: Vec<ContentType>) {
    for v in &mut site.versions {
        v.content = v
            .json
            .iter()
            .enumerate()
            .filter_map(|(di, d)| types.iter().position(|t| t.matches(&d.rel)).map(|ti| (di, ti)))
            .collect();
    }
    site.content_types = types;
}
