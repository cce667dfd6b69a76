//! A run's headline numbers, each with its change on the previous run: the
//! cards of the run's page and of the home page.

use super::common::{NumView, num_plain, sourced};
use super::delta::{self, Better, Change};
use crate::model::{Site, Sourced};
use serde::Serialize;

/// Headline numbers of a version, each with its change on the previous run.
#[derive(Serialize)]
pub(crate) struct SummaryView {
    records_in: Option<NumView>,
    records_out: Option<NumView>,
    quality: Option<NumView>,
    issues: Option<NumView>,
    /// Changes on the previous run, by the same names.
    changes: SummaryChanges,
}

/// The changes of a version's headline numbers on the previous run.
#[derive(Serialize, Default)]
pub(crate) struct SummaryChanges {
    records_in: Option<Change>,
    records_out: Option<Change>,
    quality: Option<Change>,
    issues: Option<Change>,
}

pub(crate) fn summary_view(site: &Site, vi: usize) -> SummaryView {
    let v = &site.versions[vi];
    let s = &v.summary;
    let value = |x: &Option<Sourced>| x.as_ref().map(|x| x.value);
    let changes = match vi.checked_sub(1).map(|p| &site.versions[p].summary) {
        Some(p) => SummaryChanges {
            records_in: delta::between(value(&p.records_in), value(&s.records_in), Better::Neither),
            records_out: delta::between(value(&p.records_out), value(&s.records_out), Better::Up),
            quality: delta::between(value(&p.quality_score), value(&s.quality_score), Better::Up),
            issues: delta::between(p.issues, s.issues, Better::Down),
        },
        None => SummaryChanges::default(),
    };
    SummaryView {
        records_in: s.records_in.as_ref().map(|x| sourced(v, x)),
        records_out: s.records_out.as_ref().map(|x| sourced(v, x)),
        quality: s.quality_score.as_ref().map(|x| sourced(v, x)),
        issues: s.issues.map(num_plain),
        changes,
    }
}
