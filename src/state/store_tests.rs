//! Unit tests for [`FileStore`] that need the crash hook: a panic at each phase of a save
//! stands in for the process dying there (nothing is cleaned up, as after a real crash).
//! The black-box tests (round trips, corruption, concurrency) live in
//! `tests/state_store.rs`.

use std::os::unix::fs::PermissionsExt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Value, json};

use super::*;
use crate::state::Target;

fn new_doc() -> Document<Value> {
    let target = Target {
        namespace: "shop".into(),
        ingress: "web".into(),
        project: None,
        context: None,
    };
    Document::new(target, json!({"step": 0}))
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Saves with a simulated crash at `phase`; returns the document as the crashed process
/// had it in memory.
fn crash_during_save(store: &FileStore, doc: &Document<Value>, phase: Phase) {
    let mut doc = doc.clone();
    doc.rotation["step"] = json!(99);
    CRASH_AT.with(|c| c.set(Some(phase)));
    let result = catch_unwind(AssertUnwindSafe(|| store.save(&mut doc)));
    CRASH_AT.with(|c| c.set(None));
    assert!(result.is_err(), "expected a simulated crash at {phase:?}");
}

fn setup() -> (tempfile::TempDir, FileStore, Document<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("web.state.json");
    let mut doc = new_doc();
    let store = FileStore::create(&path, &doc).unwrap();
    doc.rotation["step"] = json!(1);
    store.save(&mut doc).unwrap();
    (dir, store, doc)
}

#[test]
fn crash_after_writing_the_temp_file_keeps_the_last_good_state() {
    let (_dir, store, doc) = setup();
    let before = fs::read(store.path()).unwrap();

    crash_during_save(&store, &doc, Phase::TempWritten);

    let temp = store.temp_path("tmp");
    assert!(temp.is_file(), "the crash leaves the temp file behind");
    assert_eq!(mode(&temp), 0o600, "temp files are private");
    assert_eq!(fs::read(store.path()).unwrap(), before);
    let loaded: Document<Value> = store.load().unwrap();
    assert_eq!(loaded, doc, "load ignores the temp file");

    let mut next = loaded;
    next.rotation["step"] = json!(2);
    store.save(&mut next).unwrap();
    assert!(!temp.exists(), "the next save cleans up");
    assert_eq!(store.load::<Value>().unwrap().rotation["step"], 2);
}

#[test]
fn crash_after_the_backup_keeps_the_last_good_state() {
    let (_dir, store, doc) = setup();
    let before = fs::read(store.path()).unwrap();

    crash_during_save(&store, &doc, Phase::BackupWritten);

    assert_eq!(fs::read(store.path()).unwrap(), before);
    assert_eq!(fs::read(store.backup_path()).unwrap(), before);
    assert_eq!(mode(&store.backup_path()), 0o600);
    assert_eq!(store.load::<Value>().unwrap(), doc);

    let mut next = doc.clone();
    store.save(&mut next).unwrap();
    assert_eq!(next.serial, doc.serial + 1);
    assert!(store.leftover_temps().is_empty());
}

#[test]
fn crash_after_the_rename_has_the_new_state() {
    let (_dir, store, doc) = setup();
    let before = fs::read(store.path()).unwrap();

    crash_during_save(&store, &doc, Phase::Renamed);

    let loaded: Document<Value> = store.load().unwrap();
    assert_eq!(loaded.serial, doc.serial + 1);
    assert_eq!(loaded.rotation["step"], 99);
    assert_eq!(fs::read(store.backup_path()).unwrap(), before);
    assert_eq!(mode(store.path()), 0o600);
    // The crashed process's copy is stale now: saving it is a conflict, not an overwrite.
    let mut stale = doc.clone();
    assert!(matches!(
        store.save(&mut stale),
        Err(StoreError::Conflict { .. })
    ));
}

#[test]
fn leftover_temps_match_only_this_state_files_pattern() {
    let (dir, store, _doc) = setup();
    for name in [
        ".web.state.json.tmp-123",
        ".web.state.json.bak.tmp-9",
        ".web.state.json.tmp-",
        ".web.state.json.tmp-12.tmp-3",
        ".other.json.tmp-5",
        "web.state.json.tmp-7",
    ] {
        fs::write(dir.path().join(name), b"x").unwrap();
    }
    let mut found: Vec<String> = store
        .leftover_temps()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    found.sort();
    assert_eq!(
        found,
        [".web.state.json.bak.tmp-9", ".web.state.json.tmp-123"]
    );
}

#[test]
fn a_failed_save_leaves_the_document_retryable() {
    let (_dir, store, mut doc) = setup();
    let serial = doc.serial;
    doc.rotation["pem"] = json!("-----BEGIN RSA PRIVATE KEY-----");
    assert!(matches!(
        store.save(&mut doc),
        Err(StoreError::KeyMaterial { .. })
    ));
    assert_eq!(doc.serial, serial, "serial restored");
    doc.rotation["pem"] = json!(null);
    store.save(&mut doc).unwrap();
    assert_eq!(doc.serial, serial + 1);
}

#[test]
fn bare_file_names_live_in_the_current_directory() {
    let store = FileStore::new("s.json");
    assert_eq!(store.dir(), Path::new("."));
    assert_eq!(
        store.temp_path("tmp"),
        Path::new(".").join(format!(".s.json.tmp-{}", std::process::id()))
    );
    assert_eq!(store.describe(), "s.json");
}
