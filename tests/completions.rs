//! The committed shell completions in `completions/` must match what the binary
//! generates. Regenerate with `ROTATE_CERT_BLESS=1 cargo test --test completions`.

use std::path::PathBuf;
use std::process::Command;

const SHELLS: [(&str, &str); 5] = [
    ("bash", "rotate-cert.bash"),
    ("zsh", "_rotate-cert"),
    ("fish", "rotate-cert.fish"),
    ("powershell", "_rotate-cert.ps1"),
    ("elvish", "rotate-cert.elv"),
];

#[test]
fn committed_completions_match_the_cli() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    let bless = std::env::var_os("ROTATE_CERT_BLESS").is_some();
    let mut stale = Vec::new();
    for (shell, file) in SHELLS {
        let out = Command::new(env!("CARGO_BIN_EXE_rotate-cert"))
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "completions {shell} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !out.stdout.is_empty(),
            "completions {shell} printed nothing"
        );
        let path = dir.join(file);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &out.stdout).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(committed) if committed == out.stdout => {}
            _ => stale.push(path.display().to_string()),
        }
    }
    assert!(
        stale.is_empty(),
        "completions are out of date: {stale:?}; regenerate with `ROTATE_CERT_BLESS=1 cargo test --test completions` and commit"
    );
}

#[test]
fn unknown_shell_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_rotate-cert"))
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'tcsh'"));
}

/// The bash script completes a subcommand's options, not only the subcommand names (run
/// in a real bash, the way `complete -F` calls it).
#[test]
fn bash_completes_subcommand_options() {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions/rotate-cert.bash");
    let complete = |words: &str| {
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                r#"source "$0"; COMP_WORDS=({words}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _rotate__cert rotate-cert "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"; echo "${{COMPREPLY[*]}}""#
            ))
            .arg(&script)
            .output()
            .expect("bash");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert!(complete("rotate-cert sta").contains("status"));
    let status = complete("rotate-cert status --in");
    assert_eq!(status, "--ingress", "status --in<TAB>");
    let check = complete("rotate-cert check-cert --min");
    assert_eq!(check, "--min-validity", "check-cert --min<TAB>");
}
