//! Deciding how a command goes on from a recorded rotation: whether `rotate`/`create` may
//! start at a state file, whether a continuing command's flags agree with what the file
//! records (target, certificate source, project), what `--force` skips, and which steps
//! `switch-dns`, `drain`, `cleanup`, `resume` and `rollback` run — after the world has been
//! checked for drift, and with the question to confirm before anything changes. Nothing
//! here prints or parses flags; the `cli` layer asks the questions and renders.

use std::path::Path;

use super::observe::Target;
use super::rotation::{
    begin_rollback, is_complete, read, refuse_on_drift, remaining, require_done, rollback_plan,
};
use super::session::Session;
use crate::exit::{ExitCode, Stop};
use crate::state::{Document, LockError, LockState, StateLock};
use crate::steps::{self, Kind, describe_source};
use crate::workflow::record::{CertSource, Rotation};

/// Which command continues a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continue {
    /// `switch-dns`.
    SwitchDns,
    /// `drain`.
    Drain,
    /// `cleanup`.
    Cleanup,
    /// `resume`.
    Resume,
    /// `rollback`.
    Rollback,
}

impl Continue {
    /// The subcommand's name (also the lock holder's command).
    pub fn name(self) -> &'static str {
        match self {
            Continue::SwitchDns => "switch-dns",
            Continue::Drain => "drain",
            Continue::Cleanup => "cleanup",
            Continue::Resume => "resume",
            Continue::Rollback => "rollback",
        }
    }
}

/// How `rotate`/`create` may begin at a state file.
#[derive(Debug, PartialEq, Eq)]
pub enum Start {
    /// No unfinished rotation there: plan a new one.
    New,
    /// `create` again on the target of the unfinished rotation recorded there: continue
    /// its create steps.
    ContinueCreate,
}

/// Decides, before anything is read from the cloud, whether `rotate` (`only_create` false)
/// or `create` may begin at `path` for `target`. An unfinished rotation recorded there is
/// refused — as held by a running command when its lock is held — except that `create`
/// of the same target continues it. An unreadable file is left to the locked check that
/// starting makes.
pub fn before_start(path: &Path, target: &Target, only_create: bool) -> Result<Start, Stop> {
    if !path.exists() {
        return Ok(Start::New);
    }
    let Ok(doc) = read(path) else {
        return Ok(Start::New);
    };
    if is_complete(&doc) {
        return Ok(Start::New);
    }
    if only_create && doc.target.namespace == target.namespace && doc.target.ingress == target.name
    {
        if doc.rotation.rolling_back {
            return Err(Stop::bad_input(format!(
                "`{}` records a rotation that is being rolled back: `create` would build green again behind it",
                path.display()
            ))
            .hint(format!(
                "finish the rollback: `rotate-cert rollback --state {}`",
                path.display()
            ))
            .hint("then run `create` again for a new rotation"));
        }
        return Ok(Start::ContinueCreate);
    }
    // A rotation in progress right now is another run's, not one to resume.
    let lock = StateLock::peek(path).ok();
    if let Some(LockState::Held(holder)) = lock {
        return Err(LockError::Held {
            state: path.to_path_buf(),
            holder: holder.map(Box::new),
        }
        .into_stop());
    }
    let stale = match lock {
        Some(LockState::Stale(dead)) => Some(format!(
            "its last run ({dead}) ended without releasing the lock (killed or crashed)"
        )),
        _ => None,
    };
    Err(unfinished(path, &doc, target, stale))
}

/// The refusal to start a rotation of `target` over the unfinished one in `doc`, with
/// `note` (if any) first among the ways on. Another `--state FILE` is offered only when
/// the recorded rotation is of another Ingress: a second rotation of the same one would
/// meet the first one's green objects.
pub fn unfinished(
    path: &Path,
    doc: &Document<Rotation>,
    target: &Target,
    note: Option<String>,
) -> Stop {
    let mut stop = Stop::new(
        ExitCode::StateUnavailable,
        format!(
            "`{}` records an unfinished rotation ({}) of ingress `{}/{}`; finish or undo it first",
            path.display(),
            doc.rotation_id,
            doc.target.namespace,
            doc.target.ingress
        ),
    );
    if let Some(note) = note {
        stop = stop.hint(note);
    }
    stop = stop
        .hint(format!(
            "finish it: `rotate-cert resume --state {}`",
            path.display()
        ))
        .hint(format!(
            "or undo it: `rotate-cert rollback --state {}`",
            path.display()
        ));
    if doc.target.namespace != target.namespace || doc.target.ingress != target.name {
        stop = stop.hint(format!(
            "or rotate `{target}` with a state file of its own: `--state FILE`"
        ));
    }
    stop
}

/// Refuses a `create` that names another certificate than the unfinished rotation it
/// would continue.
pub fn require_same_source(
    doc: &Document<Rotation>,
    asked: &CertSource,
    path: &Path,
) -> Result<(), Stop> {
    if *asked == doc.rotation.cert.source {
        return Ok(());
    }
    Err(Stop::bad_input(format!(
        "`{}` records an unfinished rotation to the certificate from {}; this `create` names {}",
        path.display(),
        describe_source(&doc.rotation.cert.source),
        describe_source(asked)
    ))
    .hint(format!(
        "finish the recorded one: `rotate-cert resume --state {}`",
        path.display()
    ))
    .hint(format!(
        "or undo it first: `rotate-cert rollback --state {}`",
        path.display()
    )))
}

/// Refuses a continuing command whose `--ingress` is not the recorded target.
pub fn require_target(
    doc: &Document<Rotation>,
    target: Option<&Target>,
    path: &Path,
) -> Result<(), Stop> {
    let Some(t) = target else { return Ok(()) };
    if doc.target.namespace == t.namespace && doc.target.ingress == t.name {
        return Ok(());
    }
    Err(Stop::bad_input(format!(
        "`{}` belongs to ingress `{}/{}`, not `{t}`",
        path.display(),
        doc.target.namespace,
        doc.target.ingress
    ))
    .hint(format!(
        "continue that rotation with `--ingress {}/{}` (or without `--ingress`), or pass the state file of `{t}`",
        doc.target.namespace, doc.target.ingress
    )))
}

/// Adopts a continuing command's session into the document: the project must be the
/// recorded one; the settings in force (recorded ones overridden by flags) and any
/// `--nameserver` override are recorded.
pub fn adopt_session(
    doc: &mut Document<Rotation>,
    session: &Session,
    nameservers: &[String],
) -> Result<(), Stop> {
    if session.settings.project != doc.rotation.settings.project {
        return Err(Stop::bad_input(format!(
            "the rotation is in project `{}`, not `{}`",
            doc.rotation.settings.project, session.settings.project
        )));
    }
    doc.rotation.settings = session.settings.clone();
    super::rotation::apply_nameserver_override(doc, nameservers);
    Ok(())
}

/// `--force`: skips the drain of the side the command drains — blue's on the way forward,
/// green's on the way back (`rollback`, or any command on a rotation being rolled back),
/// never both — and journals it.
pub fn force(doc: &mut Document<Rotation>, which: Option<Continue>) {
    let rolling_back = which == Some(Continue::Rollback) || doc.rotation.rolling_back;
    let step = if rolling_back {
        doc.rotation.force_green_drain = true;
        Kind::DrainGreen
    } else {
        doc.rotation.force_drain = true;
        Kind::Drain
    };
    doc.record(
        Some(step.name()),
        "forced",
        "the drain wait is skipped (--force)",
    );
}

/// What a continuing command runs.
#[derive(Debug)]
pub struct Continuation {
    /// The steps, in order.
    pub list: Vec<Kind>,
    /// A question the user must confirm before any step runs.
    pub confirm: Option<String>,
    /// Whether confirming begins (or continues) the rollback: [`begin`] records it.
    pub rollback: bool,
}

impl Continuation {
    /// Call once the user confirmed: marks the document as rolling back when this is a
    /// rollback, and returns the steps to run.
    pub fn begin(self, doc: &mut Document<Rotation>) -> Vec<Kind> {
        if self.rollback {
            begin_rollback(doc, &self.list);
        }
        self.list
    }
}

/// Decides what `which` runs on the rotation in `doc`: refuses a step command whose
/// earlier steps are not done, a forward command on a rotation being rolled back, a
/// rollback after cleanup started, and any of them when the world drifted in a way no
/// recorded step explains. Changes nothing.
pub async fn prepare(
    session: &Session,
    doc: &Document<Rotation>,
    path: &Path,
    which: Continue,
) -> anyhow::Result<Continuation> {
    let ingress = format!("`{}/{}`", doc.target.namespace, doc.target.ingress);
    let (list, confirm) = match which {
        Continue::Rollback => {
            let list = rollback_plan(doc, path)?;
            refuse_on_drift(session, doc, path, true).await?;
            return Ok(Continuation {
                list,
                confirm: Some(format!("roll back the rotation of {ingress}")),
                rollback: true,
            });
        }
        _ if doc.rotation.rolling_back => {
            if which != Continue::Resume {
                return Err(Stop::bad_input(
                    "this rotation is being rolled back: use `rollback` (or `resume`) to finish it",
                )
                .into());
            }
            let list = remaining(doc, &steps::ROLLBACK);
            let question = format!("resume the rollback of {ingress}: {}", names(&list));
            (list, Some(question))
        }
        Continue::Resume => {
            // `resume` may switch DNS and delete blue: it asks like the step commands do.
            let list = remaining(doc, &steps::forward());
            let question = format!("resume the rotation of {ingress}: {}", names(&list));
            (list, Some(question))
        }
        Continue::SwitchDns => {
            require_done(doc, &steps::CREATE, "switch-dns", path)?;
            (
                steps::SWITCH_DNS.to_vec(),
                Some("switch DNS to the green load balancer".to_string()),
            )
        }
        Continue::Drain => {
            require_done(doc, &steps::SWITCH_DNS, "drain", path)?;
            (steps::DRAIN.to_vec(), None)
        }
        Continue::Cleanup => {
            require_done(doc, &steps::DRAIN, "cleanup", path)?;
            (
                steps::CLEANUP.to_vec(),
                Some(format!("delete the blue ingress {ingress}")),
            )
        }
    };
    refuse_on_drift(session, doc, path, doc.rotation.rolling_back).await?;
    Ok(Continuation {
        list,
        confirm,
        rollback: false,
    })
}

fn names(list: &[Kind]) -> String {
    list.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}

/// The step command that runs the first forward step still to do, for the "next:" hint
/// after a partial run: `None` when nothing is left, or when what is left is the create
/// steps (`resume` finishes those).
pub fn next_command(doc: &Document<Rotation>) -> Option<Continue> {
    let first = *remaining(doc, &steps::forward()).first()?;
    [
        (&steps::SWITCH_DNS[..], Continue::SwitchDns),
        (&steps::DRAIN[..], Continue::Drain),
        (&steps::CLEANUP[..], Continue::Cleanup),
    ]
    .into_iter()
    .find(|(kinds, _)| kinds.contains(&first))
    .map(|(_, command)| command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StepStatus;

    fn doc() -> Document<Rotation> {
        let plan = crate::plan::plan(
            &crate::plan::tests::observed(),
            &crate::plan::tests::settings(),
            "r1",
        )
        .expect("the sample world plans");
        let target = crate::state::Target {
            namespace: "shop".into(),
            ingress: "web".into(),
            project: None,
            context: None,
        };
        let mut doc = Document::new(target, plan.rotation);
        for k in steps::forward() {
            doc.ensure_step(k.name());
        }
        doc
    }

    fn finish(doc: &mut Document<Rotation>, kinds: &[Kind]) {
        for k in kinds {
            doc.step_mut(k.name()).unwrap().status = StepStatus::Done;
        }
    }

    #[test]
    fn force_skips_the_drain_of_the_side_being_drained_and_journals_it() {
        let mut forward = doc();
        force(&mut forward, Some(Continue::Drain));
        assert!(forward.rotation.force_drain);
        assert!(!forward.rotation.force_green_drain);
        let last = forward.journal.last().unwrap();
        assert_eq!(
            (last.step.as_deref(), last.event.as_str()),
            (Some("drain"), "forced")
        );

        let mut back = doc();
        force(&mut back, Some(Continue::Rollback));
        assert!(back.rotation.force_green_drain);
        assert!(!back.rotation.force_drain);

        // `resume --force` on a rotation being rolled back forces green's drain, not blue's.
        let mut resumed = doc();
        resumed.rotation.rolling_back = true;
        force(&mut resumed, Some(Continue::Resume));
        assert!(resumed.rotation.force_green_drain);
        assert!(!resumed.rotation.force_drain);
        assert_eq!(
            resumed.journal.last().unwrap().step.as_deref(),
            Some("drain-green")
        );
    }

    #[test]
    fn the_next_command_follows_the_first_step_left() {
        let mut d = doc();
        assert_eq!(next_command(&d), None, "create steps are left to `resume`");
        finish(&mut d, &steps::CREATE);
        assert_eq!(next_command(&d), Some(Continue::SwitchDns));
        finish(&mut d, &[Kind::SwitchDns]);
        assert_eq!(next_command(&d), Some(Continue::SwitchDns));
        finish(&mut d, &[Kind::VerifyDns]);
        assert_eq!(next_command(&d), Some(Continue::Drain));
        finish(&mut d, &steps::DRAIN);
        assert_eq!(next_command(&d), Some(Continue::Cleanup));
        finish(&mut d, &steps::CLEANUP);
        assert_eq!(next_command(&d), None);
    }

    #[test]
    fn a_continuing_command_must_name_the_recorded_target_and_source() {
        let d = doc();
        let path = Path::new("r.json");
        let same = Target {
            namespace: "shop".into(),
            name: "web".into(),
        };
        assert!(require_target(&d, None, path).is_ok());
        assert!(require_target(&d, Some(&same), path).is_ok());
        let other = Target {
            namespace: "shop".into(),
            name: "api".into(),
        };
        let stop = require_target(&d, Some(&other), path).unwrap_err();
        assert!(
            stop.to_string()
                .contains("`r.json` belongs to ingress `shop/web`, not `shop/api`"),
            "{stop}"
        );

        assert!(require_same_source(&d, &d.rotation.cert.source.clone(), path).is_ok());
        let asked = CertSource::Secret {
            namespace: "shop".into(),
            name: "renewed".into(),
        };
        let stop = require_same_source(&d, &asked, path).unwrap_err();
        assert!(
            stop.to_string()
                .contains("this `create` names secret `shop/renewed`"),
            "{stop}"
        );
    }

    #[test]
    fn starting_over_an_unfinished_rotation_is_refused_and_create_continues_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        let web = Target {
            namespace: "shop".into(),
            name: "web".into(),
        };
        assert_eq!(before_start(&path, &web, false).unwrap(), Start::New);
        crate::state::FileStore::create(&path, &doc()).unwrap();
        assert_eq!(
            before_start(&path, &web, true).unwrap(),
            Start::ContinueCreate
        );
        let stop = before_start(&path, &web, false).unwrap_err();
        let text = format!("{stop:?}");
        assert!(text.contains("finish or undo it first"), "{text}");
        assert!(text.contains("rotate-cert rollback --state"), "{text}");
        assert!(!text.contains("state file of its own"), "{text}");
        let api = Target {
            namespace: "shop".into(),
            name: "api".into(),
        };
        let store = crate::state::FileStore::new(&path);
        let mut back = crate::state::StateStore::load::<Rotation>(&store).unwrap();
        back.rotation.rolling_back = true;
        crate::state::StateStore::save(&store, &mut back).unwrap();
        let text = format!("{:?}", before_start(&path, &web, true).unwrap_err());
        assert!(text.contains("is being rolled back"), "{text}");
        let text = format!("{:?}", before_start(&path, &api, true).unwrap_err());
        assert!(
            text.contains("rotate `shop/api` with a state file of its own"),
            "{text}"
        );
    }
}
