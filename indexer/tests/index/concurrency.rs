//! Several handles on one index: reloads, contending writers, busy and stuck writers.

use super::*;

#[test]
fn a_second_handle_sees_writes_after_reload() {
    let folder = tempfile::tempdir().expect("tempdir");
    let bot = Index::open(folder.path()).expect("open");
    let cli = Index::open(folder.path()).expect("open again");
    assert!(search(&bot, "bilancio").is_empty());
    cli.import(vec![practice(
        "b1",
        "Bilancio",
        "Il bilancio partecipativo.",
    )])
    .expect("import");
    bot.reload().expect("reload");
    assert_eq!(search(&bot, "bilancio"), vec!["b1"]);
    // Without an explicit reload the reader catches up by itself.
    cli.import(vec![practice(
        "b2",
        "Bilancio sociale",
        "Il bilancio sociale.",
    )])
    .expect("import");
    let mut found = Vec::new();
    for _ in 0..100 {
        found = search(&bot, "bilancio");
        if found.len() == 2 {
            break;
        }
        thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(found.len(), 2, "automatic reload never happened");
    // Writes from the bot's handle are visible to the CLI's too, and on reopening.
    bot.rate("b1", "@u:x", 5).expect("rate");
    cli.reload().expect("reload");
    assert_eq!(
        cli.get("b1").expect("get").expect("present").rating.count,
        1
    );
    drop((bot, cli));
    assert_eq!(
        Index::open(folder.path())
            .expect("reopen")
            .stats()
            .expect("stats")
            .documents,
        2
    );
}

#[test]
fn contending_writers_both_succeed() {
    let folder = tempfile::tempdir().expect("tempdir");
    let first = Arc::new(Index::open(folder.path()).expect("open"));
    let second = Arc::new(Index::open(folder.path()).expect("open"));
    let threads: Vec<_> = [first.clone(), second.clone()]
        .into_iter()
        .enumerate()
        .map(|(writer, index)| {
            thread::spawn(move || {
                for n in 0..10 {
                    let id = format!("w{writer}-{n}");
                    index
                        .import(vec![practice(&id, "Contesa", "scrittura concorrente")])
                        .expect("write despite the other writer");
                    index.rate(&id, "@u:x", 3).expect("rate");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("writer thread");
    }
    first.reload().expect("reload");
    let stats = first.stats().expect("stats");
    assert_eq!(stats.documents, 20);
    assert!(first
        .list(false)
        .expect("list")
        .iter()
        .all(|p| p.rating.count == 1));
}

#[test]
fn a_busy_writer_is_waited_for_and_a_stuck_one_times_out() {
    let folder = tempfile::tempdir().expect("tempdir");
    let holder = Index::open(folder.path()).expect("open");
    let impatient = Index::open(folder.path())
        .expect("open")
        .with_lock_timeout(Duration::from_millis(300));
    let patient = Index::open(folder.path()).expect("open");
    let (holding, is_holding) = std::sync::mpsc::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    // The holder's import pauses between two documents, keeping the writer lock meanwhile.
    let worker = thread::spawn(move || {
        let slow = (0..2).map(move |n| {
            if n == 1 {
                holding.send(()).expect("signal");
                released.recv().expect("release");
            }
            practice(&format!("h{n}"), "Lento", "testo")
        });
        holder.import(slow).expect("holder import")
    });
    is_holding.recv().expect("holder has the lock");
    assert!(matches!(
        impatient.import(vec![practice("late", "Tardi", "testo")]),
        Err(IndexError::Locked(timeout)) if timeout == Duration::from_millis(300)
    ));
    let waiter = thread::spawn(move || patient.import(vec![practice("waited", "Atteso", "testo")]));
    thread::sleep(Duration::from_millis(500));
    release.send(()).expect("release");
    assert_eq!(worker.join().expect("holder"), 2);
    assert_eq!(
        waiter.join().expect("waiter").expect("waited for the lock"),
        1
    );
    impatient.reload().expect("reload");
    let mut stored: Vec<String> = impatient
        .list(false)
        .expect("list")
        .into_iter()
        .map(|p| p.id)
        .collect();
    stored.sort();
    assert_eq!(stored, vec!["h0", "h1", "waited"]);
}

/// The reader reads the index's files rather than mapping them, so what searches touch does
/// not stay in the process's memory (see `index/files.rs`): once writes are over, no file of
/// the index is mapped, however much was searched.
#[cfg(target_os = "linux")]
#[test]
fn searching_maps_no_index_file() {
    let directory = tempfile::tempdir().expect("tempdir");
    let index = Index::open(directory.path()).expect("open");
    let practices = (0..300)
        .map(|n| {
            practice(
                &format!("p{n:03}"),
                &format!("Pratica {n}"),
                &format!("Il riuso del software numero {n} nella pubblica amministrazione."),
            )
        })
        .collect::<Vec<_>>();
    index.import(practices).expect("import");
    for query in [
        "riuso",
        "software amministrazione",
        "\"pubblica amministrazione\"",
        "numero 7",
        "riuzo",
    ] {
        assert!(!index
            .search(query, SearchOptions::default())
            .expect("search")
            .hits
            .is_empty());
    }
    let folder = fs::canonicalize(directory.path()).expect("canonical");
    let maps = fs::read_to_string("/proc/self/maps").expect("maps");
    let mapped: Vec<&str> = maps
        .lines()
        .filter(|line| line.contains(folder.to_string_lossy().as_ref()))
        .collect();
    assert!(mapped.is_empty(), "index files mapped: {mapped:#?}");
}
