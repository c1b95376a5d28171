//! The state store from the outside: round trips, serials, backups, modes, crash
//! leftovers, corrupt, truncated, newer and foreign files, concurrent writers and the
//! key-material guard. The run lock has its own file, `tests/state_lock.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use rotate_cert::exit::ExitCode;
use rotate_cert::state::{
    CorruptKind, Document, FileStore, MAX_STATE_BYTES, SCHEMA, StateStore, StepStatus, StoreError,
    Target, backup_path,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A stand-in for the engine's rotation payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Payload {
    blue_ip: String,
    fingerprints: BTreeMap<String, String>,
}

fn target() -> Target {
    Target {
        namespace: "shop".into(),
        ingress: "web".into(),
        project: Some("acme-prod".into()),
        context: Some("gke_acme-prod_europe-west1_main".into()),
    }
}

fn new_doc() -> Document<Payload> {
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("blue".to_string(), "sha256:0a1b".to_string());
    Document::new(
        target(),
        Payload {
            blue_ip: "203.0.113.7".into(),
            fingerprints,
        },
    )
}

/// A temp dir with a created state file saved once (serial 1).
fn saved() -> (tempfile::TempDir, FileStore, Document<Payload>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rotate-cert.shop.web.state.json");
    let mut doc = new_doc();
    let store = FileStore::create(&path, &doc).unwrap();
    doc.mark_started("create-secret");
    store.save(&mut doc).unwrap();
    (dir, store, doc)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip_save_and_load() {
    let (_dir, store, mut doc) = saved();
    let mut evidence = BTreeMap::new();
    evidence.insert("secret".to_string(), json!("web-tls-green"));
    evidence.insert("fingerprint".to_string(), json!("sha256:9f8e"));
    doc.mark_done("create-secret", evidence);
    doc.mark_skipped("reserve-ip", "the green IP already exists");
    doc.record(None, "note", "operator asked for a slow drain");
    store.save(&mut doc).unwrap();

    let loaded: Document<Payload> = store.load().unwrap();
    assert_eq!(loaded, doc);
    assert_eq!(loaded.schema, SCHEMA);
    assert_eq!(loaded.target, target());
    assert_eq!(
        loaded.step("create-secret").unwrap().status,
        StepStatus::Done
    );
    assert_eq!(loaded.journal.last().unwrap().event, "note");
}

#[test]
fn serial_bumps_on_every_save() {
    let (_dir, store, mut doc) = saved();
    assert_eq!(doc.serial, 1);
    assert_eq!(store.load::<Payload>().unwrap().serial, 1);
    store.save(&mut doc).unwrap();
    store.save(&mut doc).unwrap();
    assert_eq!(doc.serial, 3);
    assert_eq!(store.load::<Payload>().unwrap().serial, 3);
}

#[test]
fn file_is_pretty_sorted_json_with_a_trailing_newline() {
    let (_dir, store, mut doc) = saved();
    let mut evidence = BTreeMap::new();
    evidence.insert("zone".to_string(), json!("example-com"));
    evidence.insert("address".to_string(), json!("198.51.100.4"));
    doc.mark_done("create-secret", evidence);
    store.save(&mut doc).unwrap();
    let text = fs::read_to_string(store.path()).unwrap();
    assert!(text.starts_with("{\n  \"schema\": 1,\n"), "{text}");
    assert!(text.ends_with("}\n"));
    assert!(text.find("\"address\"").unwrap() < text.find("\"zone\"").unwrap());
    assert!(text.contains("\"status\": \"done\""));
}

#[test]
fn backup_holds_the_previous_version() {
    let (_dir, store, mut doc) = saved();
    let first = fs::read(store.path()).unwrap();
    doc.mark_done("create-secret", BTreeMap::new());
    store.save(&mut doc).unwrap();
    assert_eq!(fs::read(store.backup_path()).unwrap(), first);
    assert_eq!(store.backup_path(), backup_path(store.path()));

    let second = fs::read(store.path()).unwrap();
    store.save(&mut doc).unwrap();
    assert_eq!(fs::read(store.backup_path()).unwrap(), second);
    let backup: Document<Payload> = FileStore::new(store.backup_path()).load().unwrap();
    assert_eq!(backup.serial, doc.serial - 1);
}

#[test]
fn state_and_backup_are_mode_0600() {
    // (Temp files are checked in the crash tests beside the store, which can stop a save
    // after the temp file is written.)
    let (dir, store, mut doc) = saved();
    assert_eq!(mode(store.path()), 0o600);
    // Even a state file someone loosened comes back private, with a private backup.
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&mut doc).unwrap();
    assert_eq!(mode(store.path()), 0o600);
    assert_eq!(mode(&store.backup_path()), 0o600);
    assert_eq!(
        dir_names(dir.path()),
        [
            "rotate-cert.shop.web.state.json",
            "rotate-cert.shop.web.state.json.bak"
        ]
    );
}

#[test]
fn leftover_garbage_temp_file_is_ignored_then_cleaned_up() {
    let (dir, store, mut doc) = saved();
    let leftover = dir
        .path()
        .join(".rotate-cert.shop.web.state.json.tmp-999999");
    let leftover_bak = dir
        .path()
        .join(".rotate-cert.shop.web.state.json.bak.tmp-4");
    fs::write(&leftover, b"{\"schema\": 1, \"serial\": 77, garbage").unwrap();
    fs::write(&leftover_bak, b"\0\0\0").unwrap();

    let loaded: Document<Payload> = store.load().unwrap();
    assert_eq!(loaded, doc, "the last good state, not the temp file");

    store.save(&mut doc).unwrap();
    assert!(!leftover.exists() && !leftover_bak.exists());
    assert_eq!(store.load::<Payload>().unwrap().serial, 2);
}

#[test]
fn crash_between_writing_the_temp_and_renaming_keeps_the_last_good_state() {
    let (dir, store, doc) = saved();
    let good = fs::read(store.path()).unwrap();
    // What a crashed save leaves: a complete, newer document in the temp file, and the
    // state file untouched.
    let mut newer = doc.clone();
    newer.serial += 1;
    newer.mark_done("create-secret", BTreeMap::new());
    let temp = dir
        .path()
        .join(".rotate-cert.shop.web.state.json.tmp-31337");
    fs::write(&temp, serde_json::to_vec_pretty(&newer).unwrap()).unwrap();

    let loaded: Document<Payload> = store.load().unwrap();
    assert_eq!(loaded, doc);
    assert_eq!(fs::read(store.path()).unwrap(), good);

    // The resumed run re-does the step from the last good state and saves over it.
    let mut resumed = loaded;
    resumed.mark_done("create-secret", BTreeMap::new());
    store.save(&mut resumed).unwrap();
    assert!(!temp.exists());
    assert_eq!(store.load::<Payload>().unwrap(), resumed);
}

#[test]
fn truncated_file_is_refused_and_never_overwritten() {
    let (_dir, store, mut doc) = saved();
    store.save(&mut doc).unwrap(); // so there is a backup
    let full = fs::read(store.path()).unwrap();
    fs::write(store.path(), &full[..full.len() / 2]).unwrap();
    let truncated = fs::read(store.path()).unwrap();

    let err = store.load::<Payload>().unwrap_err();
    let text = err.to_string();
    match &err {
        StoreError::Corrupt {
            kind, line, backup, ..
        } => {
            assert_eq!(*kind, CorruptKind::Truncated);
            assert!(*line > 1);
            assert_eq!(backup.as_deref(), Some(store.backup_path().as_path()));
        }
        other => panic!("{other}"),
    }
    assert!(
        text.contains(&format!("`{}`", store.path().display())),
        "{text}"
    );
    assert!(text.contains("truncated at line"), "{text}");
    let stop = err.to_stop();
    assert_eq!(stop.code, ExitCode::StateUnavailable);
    assert!(
        stop.hints
            .iter()
            .any(|h| h.contains(".bak`") && h.contains("status")),
        "{:?}",
        stop.hints
    );

    // A save through the store, with the document still in memory, must refuse too.
    let err = store.save(&mut doc).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert_eq!(
        fs::read(store.path()).unwrap(),
        truncated,
        "bytes unchanged"
    );
    assert_eq!(doc.serial, 2, "the in-memory serial is not bumped");
}

#[test]
fn corrupt_json_is_refused_with_its_position() {
    let (_dir, store, mut doc) = saved();
    let text = fs::read_to_string(store.path()).unwrap();
    let broken = text.replacen("\"serial\": 1,", "\"serial\": 1,,", 1);
    fs::write(store.path(), &broken).unwrap();
    let err = store.load::<Payload>().unwrap_err();
    match &err {
        StoreError::Corrupt {
            kind, line, column, ..
        } => {
            assert_eq!(*kind, CorruptKind::Syntax);
            assert_eq!((*line, *column), (4, 15), "{err}");
        }
        other => panic!("{other}"),
    }
    assert!(store.save(&mut doc).is_err());
    assert_eq!(fs::read_to_string(store.path()).unwrap(), broken);
}

#[test]
fn json_of_the_wrong_shape_is_refused() {
    let (_dir, store, mut doc) = saved();
    let mut value: serde_json::Value =
        serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
    value["rotation"] = json!({"blue_ip": 7});
    let bytes = serde_json::to_vec_pretty(&value).unwrap();
    fs::write(store.path(), &bytes).unwrap();
    let err = store.load::<Payload>().unwrap_err();
    assert!(
        matches!(&err, StoreError::Corrupt { kind: CorruptKind::Shape, line, .. } if *line > 0),
        "{err}"
    );
    assert!(err.to_string().contains("invalid type"), "{err}");
    assert!(store.save(&mut doc).is_err());
    assert_eq!(fs::read(store.path()).unwrap(), bytes);

    fs::write(store.path(), b"{\"hello\": \"world\"}\n").unwrap();
    let err = store.load::<Payload>().unwrap_err();
    assert!(
        err.to_string().contains("not a rotate-cert state document"),
        "{err}"
    );
}

#[test]
fn newer_schema_is_refused_and_kept() {
    let (_dir, store, mut doc) = saved();
    let mut value: serde_json::Value =
        serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
    value["schema"] = json!(SCHEMA + 1);
    value["tool_version"] = json!("7.3.0");
    value["something_new"] = json!({"x": 1});
    let bytes = serde_json::to_vec_pretty(&value).unwrap();
    fs::write(store.path(), &bytes).unwrap();

    let err = store.load::<Payload>().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "state file `{}` was written by a newer rotate-cert (schema 2, tool version 7.3.0); upgrade rotate-cert to continue",
            store.path().display()
        )
    );
    assert_eq!(err.to_stop().code, ExitCode::StateUnavailable);
    assert!(matches!(
        store.save(&mut doc),
        Err(StoreError::NewerSchema { .. })
    ));
    assert_eq!(fs::read(store.path()).unwrap(), bytes);
}

#[test]
fn older_schema_goes_through_migration_and_unknown_ones_are_refused() {
    let (_dir, store, _doc) = saved();
    let mut value: serde_json::Value =
        serde_json::from_slice(&fs::read(store.path()).unwrap()).unwrap();
    value["schema"] = json!(0);
    value["tool_version"] = json!("0.0.1");
    fs::write(store.path(), serde_json::to_vec(&value).unwrap()).unwrap();
    let err = store.load::<Payload>().unwrap_err();
    assert!(
        matches!(&err, StoreError::UnsupportedSchema { schema: 0, .. }),
        "{err}"
    );
    let stop = err.to_stop();
    assert!(stop.message.contains("schema 0"), "{}", stop.message);
    assert!(
        stop.hints.iter().any(|h| h.contains("0.0.1")),
        "{:?}",
        stop.hints
    );
}

#[test]
fn create_refuses_an_existing_file() {
    let (_dir, store, doc) = saved();
    let before = fs::read(store.path()).unwrap();
    let err = FileStore::create(store.path(), &new_doc()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("(rotation `{}`)", doc.rotation_id)),
        "{text}"
    );
    let hints = err.to_stop().hints.join("\n");
    for word in ["resume", "status", "rollback", "--state"] {
        assert!(hints.contains(word), "{hints}");
    }
    assert_eq!(fs::read(store.path()).unwrap(), before);

    // Whatever the file is.
    let other = store.path().with_file_name("notes.txt");
    fs::write(&other, b"not ours").unwrap();
    assert!(matches!(
        FileStore::create(&other, &new_doc()),
        Err(StoreError::AlreadyExists {
            rotation_id: None,
            ..
        })
    ));
    assert_eq!(fs::read(&other).unwrap(), b"not ours");
}

#[test]
fn concurrent_writer_is_detected_by_serial() {
    let (_dir, store, _doc) = saved();
    let mut ours: Document<Payload> = store.load().unwrap();
    let mut theirs: Document<Payload> = FileStore::new(store.path()).load().unwrap();
    theirs.mark_failed("create-secret", "written by the other run");
    FileStore::new(store.path()).save(&mut theirs).unwrap();
    let written = fs::read(store.path()).unwrap();

    ours.mark_done("create-secret", BTreeMap::new());
    let err = store.save(&mut ours).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                loaded_serial: 1,
                found_serial: Some(2),
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("changed by another writer"),
        "{err}"
    );
    assert_eq!(fs::read(store.path()).unwrap(), written, "theirs is kept");
    assert_eq!(ours.serial, 1);
}

#[test]
fn another_rotation_or_a_removed_file_is_a_conflict() {
    let (_dir, store, mut doc) = saved();
    let mut other = new_doc();
    other.serial = doc.serial;
    fs::remove_file(store.path()).unwrap();
    assert!(matches!(
        store.save(&mut doc),
        Err(StoreError::Conflict {
            found_serial: None,
            ..
        })
    ));
    assert!(!store.path().exists(), "a removed file is not recreated");

    FileStore::create(store.path(), &other).unwrap();
    let err = store.save(&mut doc).unwrap_err();
    assert!(err.to_string().contains(&other.rotation_id), "{err}");
}

#[test]
fn key_material_is_never_written() {
    let (_dir, store, mut doc) = saved();
    let before = fs::read(store.path()).unwrap();
    let mut evidence = BTreeMap::new();
    evidence.insert(
        "key".to_string(),
        json!("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAS\n-----END PRIVATE KEY-----\n"),
    );
    doc.mark_done("create-secret", evidence);
    let err = store.save(&mut doc).unwrap_err();
    let text = format!("{err} {err:?} {:?}", err.to_stop());
    assert!(matches!(err, StoreError::KeyMaterial { .. }), "{text}");
    assert!(!text.contains("MIIEvQ"), "{text}");
    assert_eq!(err.to_stop().code, ExitCode::Refused);
    assert_eq!(fs::read(store.path()).unwrap(), before);

    let fresh = FileStore::create(store.path().with_file_name("fresh.json"), &doc);
    assert!(matches!(fresh, Err(StoreError::KeyMaterial { .. })));
    assert!(!store.path().with_file_name("fresh.json").exists());
}

#[test]
fn missing_directory_and_huge_paths_are_refused_early() {
    let dir = tempfile::tempdir().unwrap();
    let missing = FileStore::new(dir.path().join("nope.json"));
    let err = missing.load::<Payload>().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("no state file at `{}`", missing.path().display())
    );
    assert_eq!(err.to_stop().code, ExitCode::BadInput);

    let err = FileStore::new(dir.path()).load::<Payload>().unwrap_err();
    assert!(matches!(err, StoreError::NotAFile { .. }), "{err}");

    let huge = dir.path().join("huge.json");
    fs::File::create(&huge)
        .unwrap()
        .set_len(MAX_STATE_BYTES + 1)
        .unwrap();
    let err = FileStore::new(&huge).load::<Payload>().unwrap_err();
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
}
