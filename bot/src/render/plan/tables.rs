//! The results' and actions' tables as plain cells, for the renderers that draw tables from
//! cells (Markdown, ODT): one place says which columns they have and what each holds.

use super::{PlanAction, PlanLabels, PlanResult};

/// A table's column names and rows.
pub(super) type Cells<'a> = (Vec<&'a String>, Vec<Vec<String>>);

/// Year and target, `2026: 50; 2027: tutti i comuni`.
pub(super) fn targets(targets: &[(i32, String)]) -> String {
    targets
        .iter()
        .map(|(year, target)| format!("{year}: {target}"))
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn results<'a>(labels: &'a PlanLabels, results: &[PlanResult]) -> Cells<'a> {
    let header = vec![
        &labels.code,
        &labels.title,
        &labels.indicator,
        &labels.unit,
        &labels.baseline,
        &labels.targets,
    ];
    let rows = results
        .iter()
        .map(|r| {
            vec![
                r.code.clone(),
                r.title.clone(),
                r.indicator.clone(),
                r.unit.clone(),
                r.baseline.clone(),
                targets(&r.targets),
            ]
        })
        .collect();
    (header, rows)
}

pub(super) fn actions<'a>(labels: &'a PlanLabels, actions: &[PlanAction]) -> Cells<'a> {
    let header = vec![
        &labels.code,
        &labels.title,
        &labels.objective,
        &labels.owner,
        &labels.start,
        &labels.due,
        &labels.weight,
    ];
    let rows = actions
        .iter()
        .map(|a| {
            let title = match a.proposal {
                Some(n) => format!("{} ({} #{n})", a.title, labels.proposal),
                None => a.title.clone(),
            };
            vec![
                a.code.clone(),
                title,
                a.objective.clone(),
                a.owner.clone(),
                a.start.clone(),
                a.due.clone(),
                a.weight.clone(),
            ]
        })
        .collect();
    (header, rows)
}
