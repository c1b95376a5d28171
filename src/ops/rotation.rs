//! The rotation actions: `plan`, starting a rotation (`rotate`, `create`), running its
//! steps, `resume`, the step commands (`switch-dns`, `drain`, `cleanup`) and `rollback`.
//! Each returns data or a [`Stop`] with the exact command to resume or roll back; none
//! prints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tokio::sync::watch;

use super::observe::{CertInput, Target, observe};
use super::session::Session;
use crate::exit::{ExitCode, Stop};
use crate::plan::{Plan, plan};
use crate::state::{Document, FileStore, Holder, StateLock, StateStore, StepStatus};
use crate::steps::{self, Kind};
use crate::workflow::record::Rotation;
use crate::workflow::report::{Event, Reporter};
use crate::workflow::{Engine, RunError};

/// The default state file for a target, in the current directory.
pub fn default_state_path(target: &Target) -> PathBuf {
    PathBuf::from(format!(
        "rotate-cert.{}.{}.state.json",
        target.namespace, target.name
    ))
}

/// The state file to use: `--state`, else the target's default, else the only
/// `rotate-cert.*.state.json` in the current directory.
pub fn state_path(explicit: Option<&Path>, target: Option<&Target>) -> Result<PathBuf, Stop> {
    if let Some(p) = explicit {
        return Ok(p.to_path_buf());
    }
    if let Some(t) = target {
        return Ok(default_state_path(t));
    }
    let found: Vec<PathBuf> = std::fs::read_dir(".")
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.starts_with("rotate-cert.") && n.ends_with(".state.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    match found.as_slice() {
        [one] => Ok(one.strip_prefix("./").unwrap_or(one).to_path_buf()),
        [] => Err(Stop::bad_input(
            "no state file here: pass `--state FILE` or `--ingress NAMESPACE/NAME`",
        )),
        many => Err(Stop::bad_input(format!(
            "several state files here ({}): pass `--state FILE` or `--ingress NAMESPACE/NAME`",
            many.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// An Ingress that a finished rotation replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    /// The Ingress that replaced it (the rotation's green one).
    pub by: Target,
    /// The rotation that replaced it.
    pub rotation_id: String,
}

/// When `target` no longer exists because the finished rotation recorded at `path`
/// replaced it, what replaced it: running the same `rotate` again must find the work
/// done, not a missing Ingress.
pub async fn replaced_by(
    session: &Session,
    path: &Path,
    target: &Target,
) -> anyhow::Result<Option<Replaced>> {
    if !path.exists() {
        return Ok(None);
    }
    let Ok(doc) = read(path) else {
        return Ok(None);
    };
    if !is_complete(&doc)
        || doc.rotation.rolling_back
        || doc.target.namespace != target.namespace
        || doc.target.ingress != target.name
        || retry_reads(|| async {
            Ok(session
                .env
                .k8s
                .ingress(&target.namespace, &target.name)
                .await?)
        })
        .await?
        .is_some()
    {
        return Ok(None);
    }
    Ok(Some(Replaced {
        by: Target {
            namespace: target.namespace.clone(),
            name: doc.rotation.green.ingress.clone(),
        },
        rotation_id: doc.rotation_id.clone(),
    }))
}

/// Plans a rotation of `target`, or — when a finished rotation recorded at `path`
/// replaced it — checks that its replacement already serves `cert` ("nothing to do") and
/// otherwise refuses with the name to rotate instead.
pub async fn make_plan_following(
    session: &Session,
    path: &Path,
    target: &Target,
    cert: &CertInput,
    rotation_id: &str,
) -> anyhow::Result<Plan> {
    let Some(replaced) = replaced_by(session, path, target).await? else {
        return make_plan(session, target, cert, rotation_id).await;
    };
    let by = &replaced.by;
    let mut plan = make_plan(session, by, cert, rotation_id).await?;
    match &plan.nothing_to_do {
        Some(why) => {
            plan.nothing_to_do = Some(format!(
                "ingress `{target}` was replaced by `{by}` in rotation `{}` (recorded in `{}`), and {why}",
                replaced.rotation_id,
                path.display()
            ));
            Ok(plan)
        }
        None => Err(Stop::bad_input(format!(
            "ingress `{target}` was replaced by `{by}` in rotation `{}` (recorded in `{}`): rotate `{by}` instead",
            replaced.rotation_id,
            path.display()
        ))
        .hint(format!("`--ingress {by}`"))
        .into()),
    }
}

/// How many times a read-only observation is tried when the APIs fail transiently.
const READ_ATTEMPTS: u32 = 4;

/// Runs a read-only observation again when it failed in a way a retry can help (a lost
/// answer, 429, 5xx): reads are safe to repeat, and one lost answer must not fail a
/// command before it has changed anything. Steps get the same from the engine.
pub async fn retry_reads<T, F, Fut>(mut read: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut delay = Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match read().await {
            Err(e) if attempt < READ_ATTEMPTS && steps::retryable(&e) => {
                tracing::info!("reading again in {delay:?} after: {e:#}");
                tokio::time::sleep(delay).await;
                delay *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Plans a rotation (reads only).
pub async fn make_plan(
    session: &Session,
    target: &Target,
    cert: &CertInput,
    rotation_id: &str,
) -> anyhow::Result<Plan> {
    let obs = retry_reads(|| observe(session, target, cert)).await?;
    plan(&obs, &session.settings, rotation_id).map_err(|r| r.into_stop().into())
}

/// Whether every step of the rotation in `doc` is finished (forward or rolled back).
pub fn is_complete(doc: &Document<Rotation>) -> bool {
    let list: Vec<Kind> = if doc.rotation.rolling_back {
        steps::ROLLBACK.to_vec()
    } else {
        steps::forward()
    };
    list.iter().all(|k| {
        doc.step(k.name())
            .is_some_and(|s| matches!(s.status, StepStatus::Done | StepStatus::Skipped))
    })
}

/// A rotation opened for running: its lock, store and document.
pub struct Opened {
    /// Held for the whole run.
    pub lock: StateLock,
    /// The store.
    pub store: FileStore,
    /// The document.
    pub doc: Document<Rotation>,
    /// A note about a stale lock that was taken over, for the user.
    pub stale: Option<String>,
}

/// Takes the lock for `path`.
fn lock(
    path: &Path,
    command: &str,
    break_lock: bool,
) -> anyhow::Result<(StateLock, Option<String>)> {
    let (lock, stale) = StateLock::acquire(path, &Holder::current(command), break_lock)
        .map_err(|e| e.into_stop())?;
    Ok((lock, stale.map(|s| s.explain())))
}

/// Starts a rotation from a plan: refuses when an unfinished rotation is already
/// recorded at `path`; a finished one is moved aside (`<path>.<rotation id>.done`).
pub fn start(
    path: &Path,
    plan: &Plan,
    target: &Target,
    command: &str,
    break_lock: bool,
) -> anyhow::Result<Opened> {
    let (lock, stale) = lock(path, command, break_lock)?;
    if path.exists() {
        let existing = FileStore::new(path)
            .load::<Rotation>()
            .map_err(|e| e.into_stop())?;
        if !is_complete(&existing) {
            return Err(super::continuation::unfinished(path, &existing, target, None).into());
        }
        let archived = PathBuf::from(format!("{}.{}.done", path.display(), existing.rotation_id));
        std::fs::rename(path, &archived).with_context(|| {
            format!(
                "cannot move the finished rotation's state file aside to `{}`",
                archived.display()
            )
        })?;
    }
    let target_rec = crate::state::Target {
        namespace: target.namespace.clone(),
        ingress: target.name.clone(),
        project: Some(plan.rotation.settings.project.clone()),
        context: plan.rotation.settings.context.clone(),
    };
    let mut doc = Document::new(target_rec, plan.rotation.clone());
    // `Document::new` drew its own id and journalled it; the rotation keeps the plan's
    // (it is already in the green objects' labels), and so must the journal.
    let drawn = std::mem::replace(&mut doc.rotation_id, plan.rotation.rotation_id.clone());
    for entry in &mut doc.journal {
        entry.message = entry.message.replace(&drawn, &doc.rotation_id);
    }
    for k in steps::forward() {
        doc.ensure_step(k.name());
    }
    doc.record(
        None,
        "planned",
        format!(
            "plan {} for certificate {}",
            plan.rotation.plan_fingerprint, plan.rotation.cert.sha256
        ),
    );
    let store = FileStore::create(path, &doc).map_err(|e| e.into_stop())?;
    let doc = store.load::<Rotation>().map_err(|e| e.into_stop())?;
    Ok(Opened {
        lock,
        store,
        doc,
        stale,
    })
}

/// Opens an existing rotation for `command`.
pub fn open(path: &Path, command: &str, break_lock: bool) -> anyhow::Result<Opened> {
    let (lock, stale) = lock(path, command, break_lock)?;
    let store = FileStore::new(path);
    let doc = store.load::<Rotation>().map_err(|e| e.into_stop())?;
    Ok(Opened {
        lock,
        store,
        doc,
        stale,
    })
}

/// Reads a rotation without locking (for `status`).
pub fn read(path: &Path) -> anyhow::Result<Document<Rotation>> {
    FileStore::new(path)
        .load::<Rotation>()
        .map_err(|e| e.into_stop().into())
}

/// Runs `list` on an opened rotation, turning a stop into a [`Stop`] that names the
/// state file and the commands that finish or undo the rotation.
pub async fn run(
    session: &Session,
    opened: &mut Opened,
    list: &[Kind],
    reporter: &dyn Reporter,
    interrupt: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let path = opened.store.path().to_path_buf();
    let mut engine = Engine {
        env: &session.env,
        reporter,
        store: &opened.store,
        doc: &mut opened.doc,
        interrupt,
    };
    let result = engine.run(list).await;
    let state = path.display();
    // The ways on that exist from here: a rollback goes on only as a rollback, and a
    // rotation whose cleanup started can only go forward.
    let (resume, rollback) = if opened.doc.rotation.rolling_back {
        (
            None,
            Some(format!(
                "finish the rollback: `rotate-cert rollback --state {state}`"
            )),
        )
    } else {
        (
            Some(format!("continue: `rotate-cert resume --state {state}`")),
            rollback_plan(&opened.doc, &path)
                .is_ok()
                .then(|| format!("undo: `rotate-cert rollback --state {state}`")),
        )
    };
    let with = |mut stop: Stop, hints: &[&Option<String>]| {
        for h in hints.iter().copied().flatten() {
            stop = stop.hint(h.clone());
        }
        stop
    };
    match result {
        Ok(()) => Ok(()),
        Err(RunError::Interrupted { step }) => Err(with(
            Stop::new(
                ExitCode::Interrupted,
                format!("interrupted during `{step}`; the rotation is saved in `{state}`"),
            ),
            &[&resume, &rollback],
        )
        .into()),
        Err(RunError::Failed { step, error }) => Err(with(
            Stop::new(ExitCode::Failed, format!("step `{step}` failed: {error:#}"))
                .hint(format!("the rotation is saved in `{state}`")),
            &[&resume, &rollback],
        )
        .into()),
        Err(RunError::Refused { step, reason }) => Err(with(
            Stop::refused(format!("step `{step}` refused: {reason}"))
                .hint(format!(
                    "nothing unsafe was done; the rotation is saved in `{state}`"
                ))
                .hint(format!("inspect: `rotate-cert status --state {state}`")),
            &[&rollback],
        )
        .into()),
        Err(RunError::Store(e)) => Err(e.into_stop().into()),
    }
}

/// Refuses to resume or roll back when the world drifted from the state file.
pub async fn refuse_on_drift(
    session: &Session,
    doc: &Document<Rotation>,
    path: &Path,
    rolling_back: bool,
) -> anyhow::Result<()> {
    let problems =
        retry_reads(|| crate::workflow::drift::check(doc, &session.env, rolling_back)).await?;
    if problems.is_empty() {
        return Ok(());
    }
    let msg = if problems.len() == 1 {
        format!(
            "the world changed in a way the rotation does not explain: {}",
            problems[0]
        )
    } else {
        format!(
            "the world changed in ways the rotation does not explain:\n  - {}",
            problems.join("\n  - ")
        )
    };
    Err(Stop::refused(msg)
        .hint("nothing was changed; find out who changed it before going on")
        .hint(format!(
            "inspect: `rotate-cert status --state {}`",
            path.display()
        ))
        .into())
}

/// The forward steps still to run, in order.
pub fn remaining(doc: &Document<Rotation>, list: &[Kind]) -> Vec<Kind> {
    list.iter()
        .copied()
        .filter(|k| {
            !doc.step(k.name())
                .is_some_and(|s| matches!(s.status, StepStatus::Done | StepStatus::Skipped))
        })
        .collect()
}

/// Checks that every step in `before` is finished, for the step commands.
pub fn require_done(
    doc: &Document<Rotation>,
    before: &[Kind],
    command: &str,
    path: &Path,
) -> Result<(), Stop> {
    let missing = remaining(doc, before);
    if missing.is_empty() {
        return Ok(());
    }
    Err(Stop::bad_input(format!(
        "`{command}` needs {} done first (not done: {})",
        before
            .iter()
            .map(|k| format!("`{}`", k.name()))
            .collect::<Vec<_>>()
            .join(", "),
        missing
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .hint(format!(
        "run the earlier steps, or everything left: `rotate-cert resume --state {}`",
        path.display()
    )))
}

/// What `rollback` will do, decided from the recorded steps.
pub fn rollback_plan(doc: &Document<Rotation>, path: &Path) -> Result<Vec<Kind>, Stop> {
    let started = |k: Kind| doc.step(k.name()).is_some_and(|s| s.acted());
    if started(Kind::DeleteBlueIngress) {
        return Err(Stop::refused(
            "cannot roll back: cleanup has started and the blue ingress is being (or was) deleted, so there is nothing to go back to",
        )
        .hint(format!("finish the rotation: `rotate-cert resume --state {}`", path.display()))
        .hint("to change the certificate again, run a new rotation"));
    }
    let mut list = Vec::new();
    if started(Kind::SwitchDns) {
        list.extend([Kind::RollbackDns, Kind::RollbackVerifyDns, Kind::DrainGreen]);
    }
    list.extend([
        Kind::DeleteGreenIngress,
        Kind::AwaitGreenGone,
        Kind::DeleteGreenSecret,
        Kind::ReleaseGreenAddress,
    ]);
    Ok(list)
}

/// Marks the document as rolling back and lists the rollback steps in it.
pub fn begin_rollback(doc: &mut Document<Rotation>, list: &[Kind]) {
    if !doc.rotation.rolling_back {
        doc.rotation.rolling_back = true;
        doc.record(None, "rollback-started", "rollback requested");
    }
    for (i, k) in steps::ROLLBACK.iter().enumerate() {
        doc.ensure_step(k.name());
        if !list.contains(k)
            && doc
                .step(k.name())
                .is_some_and(|s| s.status == StepStatus::Pending)
        {
            doc.mark_skipped(
                k.name(),
                if i < 3 {
                    "DNS was never switched"
                } else {
                    "not needed"
                },
            );
        }
    }
}

/// Reports a warning line (for stale locks and forced drains).
pub fn warn(reporter: &dyn Reporter, message: impl Into<String>) {
    reporter.report(Event::Warning {
        message: message.into(),
    });
}

/// `--nameserver` given again on a continuing command replaces the nameservers recorded
/// for every zone (already validated by the settings).
pub fn apply_nameserver_override(doc: &mut Document<Rotation>, nameservers: &[String]) {
    if nameservers.is_empty() {
        return;
    }
    let list: Vec<crate::dns::Nameserver> = nameservers
        .iter()
        .filter_map(|s| crate::dns::parse_nameserver(s).ok())
        .collect();
    for z in &mut doc.rotation.zones {
        z.nameservers = list.clone();
    }
    doc.record(
        None,
        "nameservers",
        format!("nameservers to verify set to {}", nameservers.join(", ")),
    );
}
