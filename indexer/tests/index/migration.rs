//! An index built by the previous version (layout 1, `tests/data/index-layout-1`, made by
//! PSPM before issue 15 with two published practices, one of them rated twice, and a
//! pending chat share) is moved to the current layout when opened: nothing is lost, and an
//! interrupted or concurrent migration ends the same way.

use super::*;

fn layout_1_copy() -> tempfile::TempDir {
    let fixture = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/index-layout-1"
    ));
    let copy = tempfile::tempdir().expect("tempdir");
    for entry in fs::read_dir(fixture).expect("fixture") {
        let entry = entry.expect("entry");
        fs::copy(entry.path(), copy.path().join(entry.file_name())).expect("copy");
    }
    copy
}

fn check_migrated(index: &Index) {
    let practices = index.list(true).expect("list");
    let ids: Vec<&str> = practices
        .iter()
        .map(|practice| practice.id.as_str())
        .collect();
    assert_eq!(ids, vec!["riuso-software", "tco", "0123456789abcdef"]);
    let riuso = index.get("riuso-software").expect("get").expect("kept");
    assert_eq!(riuso.title, "Riuso del software");
    assert_eq!(
        riuso.summary,
        "Come le amministrazioni riusano il software."
    );
    assert_eq!(riuso.organisation.as_deref(), Some("AgID"));
    assert_eq!(riuso.year, Some(2019));
    assert_eq!(riuso.tags, vec!["riuso", "open source"]);
    assert_eq!(riuso.licence.as_deref(), Some("CC0 1.0 Universal"));
    assert_eq!(riuso.added_by, "@operatore:ministero.example");
    assert_eq!(
        riuso.path,
        Some(PathBuf::from("/srv/pspm/pratiche/riuso.md"))
    );
    assert_eq!((riuso.rating.average, riuso.rating.count), (4.5, 2));
    // The whole text is indexed again, though only its opening is stored now.
    let late = index
        .search("zuccherificio", SearchOptions::default())
        .expect("search");
    assert_eq!(ids_of(&late.hits), vec!["riuso-software"]);
    assert!(late.near.is_none());
    let tco = index.get("tco").expect("get").expect("kept");
    assert_eq!(tco.language, PracticeLanguage::En);
    assert_eq!(
        index
            .search("ownership", SearchOptions::default())
            .expect("search")
            .hits[0]
            .id,
        "tco"
    );
    // The chat share is still pending, and approving it indexes its whole text.
    let share = index.get("0123456789abcdef").expect("get").expect("kept");
    assert_eq!(share.status, Status::Pending);
    assert!(share.body.contains("licenza EUPL"));
    index.approve("0123456789abcdef").expect("approve");
    assert_eq!(
        ids_of(
            &index
                .search("eupl", SearchOptions::default())
                .expect("search")
                .hits
        ),
        vec!["0123456789abcdef"]
    );
}

fn ids_of(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.id.as_str()).collect()
}

#[test]
fn a_layout_1_index_is_migrated_on_open_and_keeps_everything() {
    let directory = layout_1_copy();
    let index = Index::open(directory.path()).expect("open migrates");
    check_migrated(&index);
    // The old layout's files are gone; the new one lives in its folder with the ratings.
    assert!(!directory.path().join("meta.json").exists());
    assert!(directory.path().join("v2/meta.json").is_file());
    assert!(directory.path().join("v2/ratings.json").is_file());
    drop(index);
    // Opened again, nothing is migrated twice.
    let again = Index::open(directory.path()).expect("open again");
    assert_eq!(again.list(true).expect("list").len(), 3);
    assert_eq!(
        again
            .get("riuso-software")
            .expect("get")
            .expect("kept")
            .rating
            .count,
        2
    );
}

#[test]
fn an_interrupted_migration_starts_over() {
    let directory = layout_1_copy();
    // What a crash halfway leaves: a half-built new layout beside the old one.
    let building = directory.path().join("v2.building");
    fs::create_dir_all(&building).expect("mkdir");
    fs::write(building.join("meta.json"), b"{ not json").expect("write");
    let index = Index::open(directory.path()).expect("open migrates");
    check_migrated(&index);
    assert!(!building.exists());
}

#[test]
fn two_processes_opening_an_old_index_migrate_it_once() {
    let directory = layout_1_copy();
    let path = directory.path().to_path_buf();
    let openers: Vec<_> = (0..2)
        .map(|_| {
            let path = path.clone();
            thread::spawn(move || {
                Index::open(&path).map(|index| index.list(true).map(|all| all.len()))
            })
        })
        .collect();
    for opener in openers {
        let count = opener
            .join()
            .expect("no panic")
            .expect("open")
            .expect("list");
        assert_eq!(count, 3);
    }
    let index = Index::open(&path).expect("open");
    check_migrated(&index);
}

#[test]
fn an_index_of_an_unknown_layout_is_refused_with_a_clear_error() {
    let directory = tempfile::tempdir().expect("tempdir");
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("body", tantivy::schema::TEXT);
    schema.add_u64_field("schema_v9", tantivy::schema::NumericOptions::default());
    tantivy::Index::create_in_dir(directory.path(), schema.build()).expect("create");
    match Index::open(directory.path()) {
        Err(IndexError::SchemaMismatch(path)) => assert_eq!(path, directory.path()),
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("an unknown layout was opened"),
    }
    // Nothing was touched.
    assert!(directory.path().join("meta.json").is_file());
    assert!(!directory.path().join("v2").exists());
}
