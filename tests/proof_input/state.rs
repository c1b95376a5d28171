//! Bad state files given to `resume`, `rollback`, `status` and `rotate`: truncated,
//! corrupt, an older or newer schema, a field edited to the wrong type, another
//! Ingress's, a directory, none at all. A file that cannot be used is refused with exit 4
//! and never overwritten; a missing one, or one that belongs to another Ingress, is bad
//! input (exit 2). Each case starts from a real state file: `create` killed at its first
//! step, before it changed anything.

use serde_json::Value;

use crate::harness::*;
use crate::support::sandbox::TestSandbox;

/// A sandbox with a recorded rotation; returns it and the state document.
async fn recorded() -> (TestSandbox, Value) {
    let sb = TestSandbox::new().await;
    let path = recorded_rotation(&sb).await;
    let doc = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    (sb, doc)
}

/// Writes `doc` edited by `edit` to `name` in the working directory.
fn write_edited(sb: &TestSandbox, name: &str, doc: &Value, edit: impl FnOnce(&mut Value)) {
    let mut doc = doc.clone();
    edit(&mut doc);
    std::fs::write(sb.path(name), serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

/// `<command> --yes --state <file>`.
fn on(command: &str, file: &str) -> Vec<String> {
    vec![
        command.into(),
        "--yes".into(),
        "--state".into(),
        file.into(),
    ]
}

/// One case: `$setup(&sb, &doc)` writes the state file(s) and returns the arguments.
macro_rules! case {
    ($name:ident, $setup:expr, $want:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let (sb, doc) = recorded().await;
            let setup: fn(&TestSandbox, &Value) -> Vec<String> = $setup;
            let args = setup(&sb, &doc);
            refused(&sb, &args, $want, &[]).await;
        }
    };
}

case!(
    truncated_state_file,
    |sb, _| {
        let text = std::fs::read(sb.state_path()).unwrap();
        std::fs::write(sb.path("cut.json"), &text[..text.len() / 2]).unwrap();
        on("resume", "cut.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &[
            "state file `cut.json` is corrupt",
            "the file is truncated at line"
        ],
        hint: Some("rotate-cert will not overwrite `cut.json` while it is corrupt"),
    }
);

case!(
    state_file_that_is_not_json,
    |sb, _| {
        std::fs::write(sb.path("junk.json"), "{\"schema\": 1, serial: two}").unwrap();
        on("rollback", "junk.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["state file `junk.json` is corrupt", "not valid JSON"],
        hint: Some("there is no backup (`junk.json.bak`) to restore"),
    }
);

case!(
    corrupt_state_file_with_a_backup,
    |sb, _| {
        std::fs::write(sb.state_path(), "{\"schema\": 1,").unwrap();
        vec!["resume".into(), "--yes".into()]
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["is corrupt", "the file is truncated"],
        hint: Some("the previous version is in `rotate-cert.default.web.state.json.bak`"),
    }
);

case!(
    state_file_of_an_older_schema,
    |sb, doc| {
        write_edited(sb, "old.json", doc, |d| d["schema"] = 0.into());
        on("resume", "old.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["uses schema 0", "cannot migrate"],
        hint: Some("finish or roll back this rotation with the rotate-cert that started it"),
    }
);

case!(
    state_file_of_a_newer_rotate_cert,
    |sb, doc| {
        write_edited(sb, "new.json", doc, |d| {
            d["schema"] = 7.into();
            d["tool_version"] = "9.1.0".into();
        });
        on("rollback", "new.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &[
            "written by a newer rotate-cert (schema 7, tool version 9.1.0)",
            "upgrade"
        ],
        hint: Some("the file needs 9.1.0 or later"),
    }
);

case!(
    state_file_with_an_unknown_schema,
    |sb, doc| {
        write_edited(sb, "odd.json", doc, |d| d["schema"] = "v2".into());
        on("resume", "odd.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["is corrupt", "missing or invalid `schema`"],
        hint: Some("will not overwrite"),
    }
);

case!(
    state_file_edited_to_a_wrong_type,
    |sb, doc| {
        write_edited(sb, "edited.json", doc, |d| {
            d["rotation"]["settings"]["drain_threshold"] = "lots".into()
        });
        on("resume", "edited.json")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &[
            "the JSON is not a rotate-cert state document",
            "invalid type: string \"lots\", expected f64",
        ],
        hint: Some("will not overwrite"),
    }
);

case!(
    state_file_of_another_ingress,
    |sb, doc| {
        write_edited(sb, "other.json", doc, |d| {
            d["target"]["ingress"] = "shop".into()
        });
        let mut args = on("resume", "other.json");
        args.extend(["--ingress".into(), "default/web".into()]);
        args
    },
    Want {
        code: BAD_INPUT,
        says: &["`other.json` belongs to ingress `default/shop`, not `default/web`"],
        hint: Some("`--ingress default/shop`"),
    }
);

case!(
    state_file_that_is_a_directory,
    |sb, _| {
        std::fs::create_dir(sb.path("states")).unwrap();
        on("resume", "states")
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["`states` is not a regular file"],
        hint: Some("check the path given to `--state`"),
    }
);

case!(
    status_of_a_corrupt_state_file,
    |sb, _| {
        std::fs::write(sb.path("empty.json"), "").unwrap();
        vec!["status".into(), "--state".into(), "empty.json".into()]
    },
    Want {
        code: STATE_UNAVAILABLE,
        says: &["state file `empty.json` is corrupt", "the file is empty"],
        hint: Some("will not overwrite"),
    }
);

case!(
    a_new_rotation_over_an_unfinished_one,
    |sb, _| with_renewed(sb, "rotate", &[]),
    Want {
        code: STATE_UNAVAILABLE,
        says: &["records an unfinished rotation", "finish or undo it first"],
        hint: Some("rotate-cert resume --state rotate-cert.default.web.state.json"),
    }
);

case!(
    several_state_files_and_no_flag_to_choose,
    |sb, doc| {
        write_edited(sb, "rotate-cert.default.shop.state.json", doc, |d| {
            d["target"]["ingress"] = "shop".into()
        });
        vec!["resume".into(), "--yes".into()]
    },
    Want {
        code: BAD_INPUT,
        says: &[
            "several state files here",
            "pass `--state FILE` or `--ingress NAMESPACE/NAME`"
        ],
        hint: None,
    }
);

/// No state at all: `resume`, `rollback` and `status` are bad input with a hint.
macro_rules! missing {
    ($name:ident, $command:literal) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sb = TestSandbox::new().await;
            let mut args = vec![
                $command.to_string(),
                "--ingress".into(),
                "default/web".into(),
            ];
            if $command != "status" {
                args.push("--yes".into());
            }
            let want = Want {
                code: BAD_INPUT,
                says: &["no rotation recorded at `rotate-cert.default.web.state.json`"],
                hint: Some("rotate-cert rotate"),
            };
            refused(&sb, &args, want, &[]).await;
        }
    };
}

missing!(resume_without_a_state_file, "resume");
missing!(rollback_without_a_state_file, "rollback");
missing!(status_without_a_state_file, "status");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_with_nothing_to_find_the_state_by() {
    let sb = TestSandbox::new().await;
    let want = Want {
        code: BAD_INPUT,
        says: &[
            "no state file here",
            "pass `--state FILE` or `--ingress NAMESPACE/NAME`",
        ],
        hint: None,
    };
    refused(&sb, &["resume", "--yes"], want, &[]).await;
}
