//! The chat workflow: share, approve, decline and rate.

use super::*;

pub(super) fn share(id: &str, title: &str, url_or_text: &str) -> Share {
    Share {
        id: id.to_string(),
        title: title.to_string(),
        url_or_text: url_or_text.to_string(),
        practice_type: None,
        tags: vec!["partecipazione".to_string()],
        added_by: "@alice:example.org".to_string(),
        added_at: at(2),
    }
}

#[test]
fn share_approve_decline_and_rate() {
    let index = Index::in_ram().expect("index");
    let shared = index
        .share(share(
            "s1",
            "Bilancio partecipativo",
            "Il bilancio partecipativo del quartiere.",
        ))
        .expect("share");
    assert_eq!(shared.status, Status::Pending);
    assert_eq!(shared.added_by, "@alice:example.org");
    assert_eq!(shared.added_at, at(2));
    assert_eq!(shared.source, "chat");
    // Sharing again is idempotent.
    assert_eq!(
        index
            .share(share("s1", "Altro titolo", "altro"))
            .expect("share"),
        shared
    );
    assert_eq!(index.pending().expect("pending").len(), 1);

    // Pending practices are for moderators only.
    assert!(search(&index, "bilancio").is_empty());
    let moderator = index
        .search(
            "bilancio",
            SearchOptions {
                include_pending: true,
                ..SearchOptions::default()
            },
        )
        .expect("search");
    assert_eq!(ids(&moderator.hits), vec!["s1"]);
    assert_eq!(moderator.hits[0].status, Status::Pending);
    assert_eq!(index.list(false).expect("list").len(), 0);
    assert_eq!(index.list(true).expect("list").len(), 1);

    let approved = index.approve("s1").expect("approve");
    assert_eq!(approved.status, Status::Published);
    assert_eq!(index.approve("s1").expect("approve again"), approved);
    assert_eq!(search(&index, "bilancio"), vec!["s1"]);
    assert!(index.pending().expect("pending").is_empty());
    assert!(matches!(
        index.approve("nope"),
        Err(IndexError::NotFound(_))
    ));

    assert_eq!(
        index.rate("s1", "@a:x", 5).expect("rate"),
        Rating {
            average: 5.0,
            count: 1
        }
    );
    assert_eq!(
        index.rate("s1", "@b:x", 2).expect("rate"),
        Rating {
            average: 3.5,
            count: 2
        }
    );
    // The latest rating of a user wins, and repeating it changes nothing.
    assert_eq!(
        index.rate("s1", "@a:x", 3).expect("rate"),
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert_eq!(
        index.rate("s1", "@a:x", 3).expect("rate"),
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert!(matches!(
        index.rate("s1", "@a:x", 6),
        Err(IndexError::InvalidRating(6))
    ));
    let stored = index.get("s1").expect("get").expect("present");
    assert_eq!(
        stored.rating,
        Rating {
            average: 2.5,
            count: 2
        }
    );
    assert_eq!(stored.status, Status::Published);

    // Decline removes pending shares only, and says whether there was one.
    index
        .share(share("s2", "Link", "https://example.org/pratica"))
        .expect("share");
    assert_eq!(
        index.get("s2").expect("get").expect("present").source,
        "https://example.org/pratica"
    );
    assert!(index.decline("s2").expect("decline"));
    assert!(!index.decline("s2").expect("decline again"));
    assert!(index.get("s2").expect("get").is_none());
    assert!(matches!(
        index.decline("s1"),
        Err(IndexError::NotPending(_))
    ));
    assert!(matches!(
        index.share(share(" ", "x", "y")),
        Err(IndexError::Invalid(_))
    ));
}

/// Ratings live beside the documents (rating rewrites none): on disk they are seen by
/// another handle, they survive a new version of the file, and go with the practice.
#[test]
fn ratings_are_kept_beside_the_documents_and_go_with_the_practice() {
    let directory = tempfile::tempdir().expect("tempdir");
    let folder = tempfile::tempdir().expect("tempdir");
    let file = folder.path().join("riuso.md");
    fs::write(&file, "# Riuso\n\nIl riuso del software.").expect("write");
    let index = Index::open(directory.path()).expect("open");
    index
        .add_paths(
            std::slice::from_ref(&file),
            "@admin:x",
            at(1),
            &mut no_progress(),
        )
        .expect("add");
    let id = index.list(false).expect("list")[0].id.clone();
    index.rate(&id, "@anna:x", 4).expect("rate");
    let rating = index.rate(&id, "@bruno:x", 2).expect("rate");
    assert_eq!((rating.average, rating.count), (3.0, 2));
    assert!(matches!(
        index.rate("missing", "@anna:x", 3),
        Err(IndexError::NotFound(_))
    ));

    let other = Index::open(directory.path()).expect("second handle");
    assert_eq!(
        other.get(&id).expect("get").expect("present").rating.count,
        2
    );

    // A new version of the file keeps the practice's ratings.
    fs::write(&file, "# Riuso\n\nIl riuso del software, seconda versione.").expect("write");
    let report = index
        .add_paths(
            std::slice::from_ref(&file),
            "@admin:x",
            at(2),
            &mut no_progress(),
        )
        .expect("add");
    assert_eq!(report.replaced, 1);
    assert_eq!(
        index.get(&id).expect("get").expect("present").rating.count,
        2
    );

    // Removed, the practice takes its ratings along: added again, it starts unrated.
    assert_eq!(index.remove(&id).expect("remove"), 1);
    index
        .add_paths(&[file], "@admin:x", at(3), &mut no_progress())
        .expect("add");
    assert_eq!(
        index.get(&id).expect("get").expect("present").rating.count,
        0
    );
}
