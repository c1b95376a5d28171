//! A hidden, test-only crash hook: `ROTATE_CERT_TEST_ABORT_AT=<point>` makes the process
//! abort (no cleanup, no state save, no lock release — like SIGKILL) when execution
//! reaches the named point. Points are `<step>:before-act` (after `started` is saved),
//! `<step>:after-act` (the change was sent but the state not yet saved),
//! `<step>:waiting` (inside a wait) and `<step>:after-done`. Tests use it to prove that
//! `resume` settles every such crash. It has no other effect and is not documented in
//! `--help`.

use std::sync::OnceLock;

fn target() -> Option<&'static str> {
    static TARGET: OnceLock<Option<String>> = OnceLock::new();
    TARGET
        .get_or_init(|| {
            std::env::var("ROTATE_CERT_TEST_ABORT_AT")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .as_deref()
}

/// Aborts the process if the test hook names `point`.
pub fn point(step: &str, at: &str) {
    if let Some(t) = target()
        && t.split_once(':') == Some((step, at))
    {
        eprintln!("rotate-cert: test hook: aborting at {step}:{at}");
        std::process::abort();
    }
}
