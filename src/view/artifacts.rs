//! A run's artifact index: every artifact, grouped by type.

use super::common::{ArtifactRow, Heading, Link, PageContext, Scope, artifact_row};
use super::nav::crumbs;
use crate::config::limits::MAX_ROWS;
use crate::plan;
use serde::Serialize;

#[derive(Serialize)]
struct Group {
    name: String,
    /// The first [`MAX_ROWS`] of the group.
    rows: Vec<ArtifactRow>,
    total: usize,
    more: usize,
}

/// The artifact index of version `vi`: groups by type, each bounded.
pub(crate) fn page(s: &Scope, vi: usize, ctx: &mut PageContext) -> Heading {
    let v = &s.site.versions[vi];
    let mut groups: Vec<Group> = Vec::new();
    let mut order: Vec<usize> = (0..v.artifacts.len()).collect();
    order.sort_by(|&a, &b| v.artifacts[a].artifact_type.cmp(&v.artifacts[b].artifact_type).then(a.cmp(&b)));
    for ai in order {
        let kind = &v.artifacts[ai].artifact_type;
        let group = match groups.last_mut() {
            Some(g) if g.name == *kind => g,
            _ => {
                groups.push(Group { name: kind.clone(), rows: Vec::new(), total: 0, more: 0 });
                groups.last_mut().expect("just pushed")
            }
        };
        group.total += 1;
        if group.rows.len() < MAX_ROWS {
            group.rows.push(artifact_row(v, ai));
        } else {
            group.more += 1;
        }
    }
    ctx.insert("groups", &groups);
    let trail = vec![Link { label: "Artifacts".into(), href: plan::artifacts(v) }];
    Heading { title: format!("Artifacts of {}", v.id), crumbs: crumbs(s.site, Some(vi), trail) }
}
