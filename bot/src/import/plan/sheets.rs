//! The sheets of a plan spreadsheet and their columns, in English and Italian: the one list
//! the import reads by and the README's table shows.

use crate::import::columns::{Column, TableSpec};

const fn column(key: &'static str, names: &'static [&'static str], required: bool) -> Column {
    Column {
        key,
        names,
        required,
    }
}

const ID: Column = column("id", &["id", "identificativo"], true);
const CODE: Column = column("code", &["code", "codice", "id"], true);
const TITLE: Column = column("title", &["title", "titolo"], true);
const DESCRIPTION: Column = column("description", &["description", "descrizione"], false);

/// `[plan]`: one row.
pub const PLAN: TableSpec = TableSpec {
    key: "plan",
    names: &["plan", "piano"],
    required: true,
    columns: &[ID, TITLE, DESCRIPTION],
    yearly: None,
};

/// `[[sections]]`.
pub const SECTIONS: TableSpec = TableSpec {
    key: "sections",
    names: &["sections", "sezioni"],
    required: true,
    columns: &[
        ID,
        TITLE,
        DESCRIPTION,
        column("phase", &["phase", "fase"], false),
        column("max_supports", &["max_supports", "max_sostegni"], false),
    ],
    yearly: None,
};

/// `[[objectives]]`.
pub const OBJECTIVES: TableSpec = TableSpec {
    key: "objectives",
    names: &["objectives", "obiettivi"],
    required: false,
    columns: &[
        CODE,
        column("section", &["section", "sezione"], true),
        TITLE,
    ],
    yearly: None,
};

/// `[[results]]`, with a `target_YEAR` column per year.
pub const RESULTS: TableSpec = TableSpec {
    key: "results",
    names: &["results", "risultati"],
    required: false,
    columns: &[
        CODE,
        column("objective", &["objective", "obiettivo"], true),
        TITLE,
        column("indicator", &["indicator", "indicatore"], false),
        column("unit", &["unit", "unità"], false),
        column("baseline", &["baseline"], false),
    ],
    yearly: Some("target"),
};

/// `[[actions]]`.
pub const ACTIONS: TableSpec = TableSpec {
    key: "actions",
    names: &["actions", "azioni"],
    required: false,
    columns: &[
        CODE,
        column("section", &["section", "sezione"], true),
        column("objective", &["objective", "obiettivo"], false),
        TITLE,
        column("owner", &["owner", "responsabile"], false),
        column("owners", &["owners", "referenti"], false),
        column("start", &["start", "inizio"], false),
        column("due", &["due", "scadenza"], true),
        column("weight", &["weight", "peso"], false),
    ],
    yearly: None,
};

/// Every table, in the order the plan file has them.
pub const ALL: [&TableSpec; 5] = [&PLAN, &SECTIONS, &OBJECTIVES, &RESULTS, &ACTIONS];
