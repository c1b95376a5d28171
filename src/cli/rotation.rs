//! The rotation subcommands: `plan`, `rotate`, `create`, `switch-dns`, `drain`,
//! `cleanup`, `resume`, `status`, `rollback`. Each handler resolves flags, calls `ops`,
//! and renders; none decides.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use tokio::sync::watch;

use super::args::{
    CertArgs, ConnectArgs, RunArgs, TargetArgs, TimingArgs, auth_input, settings_input,
};
use super::progress::{Human, Json};
use super::{GlobalArgs, Printer, show};
use crate::exit::{ExitCode, Stop};
pub use crate::ops::continuation::Continue;
use crate::ops::continuation::{self as cont, Start};
use crate::ops::rotation::{self as rot, Opened};
use crate::ops::session::{Session, open as open_session};
use crate::ops::status;
use crate::state::new_rotation_id;
use crate::steps::{self, Kind};
use crate::workflow::report::Reporter;

/// Arguments of commands that start from the live Ingress (`plan`, `rotate`, `create`).
#[derive(Debug, Args)]
pub struct StartArgs {
    /// The Ingress.
    #[command(flatten)]
    pub target: TargetArgs,
    /// The new certificate.
    #[command(flatten)]
    pub cert: CertArgs,
    /// Endpoints and verification.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Timing.
    #[command(flatten)]
    pub timing: TimingArgs,
    /// Run options.
    #[command(flatten)]
    pub run: RunArgs,
    /// Skip the drain wait (recorded as a warning in the state file)
    #[arg(long)]
    pub force: bool,
}

/// Arguments of commands that continue a recorded rotation.
#[derive(Debug, Args)]
pub struct ContinueArgs {
    /// The Ingress (finds its state file), unless `--state` is given.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Overrides of the recorded endpoints and verification.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Overrides of the recorded timing.
    #[command(flatten)]
    pub timing: TimingArgs,
    /// Run options.
    #[command(flatten)]
    pub run: RunArgs,
    /// Skip the drain wait: blue's, or green's for `rollback` (recorded as a warning in the
    /// state file)
    #[arg(long)]
    pub force: bool,
}

fn reporter(printer: &Printer) -> Box<dyn Reporter> {
    if printer.human() {
        Box::new(Human::new(printer))
    } else {
        Box::new(Json)
    }
}

/// Ctrl-C / SIGTERM → `true`.
fn interrupt_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        let _ = tx.send(true);
    });
    rx
}

/// Asks before a change, unless `--yes`; refuses without a terminal.
fn confirm(global: &GlobalArgs, printer: &Printer, question: &str) -> anyhow::Result<()> {
    if global.yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(Stop::bad_input(format!(
            "{question}: this changes things and there is no terminal to ask on; pass `--yes` (or set ROTATE_CERT_YES=1)"
        ))
        .into());
    }
    eprint!("{question}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        printer.note("nothing changed");
        Err(Stop::new(ExitCode::Success, "cancelled: nothing changed").into())
    }
}

/// `plan`.
pub async fn plan(
    printer: &Printer,
    global: &GlobalArgs,
    args: StartArgs,
) -> anyhow::Result<ExitCode> {
    let target = args.target.required()?;
    let cert = args.cert.input()?;
    let session = open_session(
        &settings_input(global, &args.connect, &args.timing),
        None,
        &auth_input(&args.connect),
    )
    .await?;
    let path = rot::state_path(global.state.as_deref(), Some(&target))?;
    let plan =
        rot::make_plan_following(&session, &path, &target, &cert, &new_rotation_id()).await?;
    if printer.human() {
        match &plan.nothing_to_do {
            Some(why) => printer.data(format!("nothing to do: {why}\n")),
            None => printer.data(show::plan_text(&plan)),
        }
    } else {
        printer.json(&show::plan_json(&plan));
    }
    Ok(ExitCode::Success)
}

/// `rotate` (all steps) and `create` (the create steps).
pub async fn start(
    printer: &Printer,
    global: &GlobalArgs,
    args: StartArgs,
    only_create: bool,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let command = if only_create { "create" } else { "rotate" };
    let target = args.target.required()?;
    let cert = args.cert.input()?;
    let path = rot::state_path(global.state.as_deref(), Some(&target))?;
    if cont::before_start(&path, &target, only_create)? == Start::ContinueCreate {
        return continue_create(printer, global, args, path, started).await;
    }
    let session = open_session(
        &settings_input(global, &args.connect, &args.timing),
        None,
        &auth_input(&args.connect),
    )
    .await?;
    let rotation_id = new_rotation_id();
    let plan = rot::make_plan_following(&session, &path, &target, &cert, &rotation_id)
        .await
        .map_err(nothing_started)?;
    if let Some(why) = &plan.nothing_to_do {
        if printer.human() {
            printer.note(format!("nothing to do: {why}"));
        } else {
            printer.json(&show::plan_json(&plan));
        }
        return Ok(ExitCode::Success);
    }
    if printer.human() {
        printer.note(show::plan_text(&plan).trim_end());
    } else {
        printer.json(&show::plan_json(&plan));
    }
    confirm(
        global,
        printer,
        &if only_create {
            format!("create the green copy of ingress `{target}` as planned")
        } else {
            format!("rotate ingress `{target}` as planned")
        },
    )?;
    let mut opened = rot::start(&path, &plan, &target, command, args.run.break_lock)?;
    let reporter = reporter(printer);
    if let Some(s) = &opened.stale {
        rot::warn(reporter.as_ref(), s.clone());
    }
    if args.force {
        cont::force(&mut opened.doc, None);
    }
    let list: Vec<Kind> = if only_create {
        steps::CREATE.to_vec()
    } else {
        steps::forward()
    };
    finish(
        printer,
        &session,
        &mut opened,
        &list,
        reporter.as_ref(),
        started,
    )
    .await
}

async fn continue_create(
    printer: &Printer,
    global: &GlobalArgs,
    args: StartArgs,
    path: PathBuf,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let mut opened = rot::open(&path, "create", args.run.break_lock)?;
    cont::require_same_source(&opened.doc, &args.cert.input()?.source(), &path)?;
    if args.force {
        cont::force(&mut opened.doc, None);
    }
    let session = continue_session(global, &args.connect, &args.timing, &mut opened)
        .await
        .map_err(|e| kept(e, &path))?;
    rot::refuse_on_drift(&session, &opened.doc, &path, false)
        .await
        .map_err(|e| kept(e, &path))?;
    let reporter = reporter(printer);
    finish(
        printer,
        &session,
        &mut opened,
        &steps::CREATE,
        reporter.as_ref(),
        started,
    )
    .await
}

async fn continue_session(
    global: &GlobalArgs,
    connect: &ConnectArgs,
    timing: &TimingArgs,
    opened: &mut Opened,
) -> anyhow::Result<Session> {
    let mut input = settings_input(global, connect, timing);
    if input.context.is_none() {
        input.context = opened.doc.rotation.settings.context.clone();
    }
    let session = open_session(
        &input,
        Some(&opened.doc.rotation.settings),
        &auth_input(connect),
    )
    .await?;
    cont::adopt_session(&mut opened.doc, &session, &input.nameservers)?;
    Ok(session)
}

/// Runs `list`, then prints the summary (or the stop).
async fn finish(
    printer: &Printer,
    session: &Session,
    opened: &mut Opened,
    list: &[Kind],
    reporter: &dyn Reporter,
    started: Instant,
) -> anyhow::Result<ExitCode> {
    let path = opened.store.path().to_path_buf();
    let result = rot::run(session, opened, list, reporter, interrupt_signal()).await;
    let complete = rot::is_complete(&opened.doc);
    if !printer.human() {
        printer.json(&show::summary_json(
            &opened.doc,
            &path,
            result.is_ok(),
            started.elapsed(),
        ));
    }
    result?;
    if printer.human() {
        if complete {
            printer.note(show::summary_text(&opened.doc, started.elapsed()).trim_end());
        } else {
            if let Some(cmd) = cont::next_command(&opened.doc) {
                printer.note(format!(
                    "next: `rotate-cert {} --state {}` (or `resume` for everything left)",
                    cmd.name(),
                    path.display()
                ));
            }
        }
    }
    Ok(ExitCode::Success)
}

/// An error before a saved rotation's steps ran (connecting, checking for drift) says
/// that nothing was changed and how to continue or undo, like a failed step does; an
/// error that already carries its own [`Stop`] is left as it is.
fn kept(err: anyhow::Error, path: &std::path::Path) -> anyhow::Error {
    if crate::exit::stop_of(&err).is_some() {
        return err;
    }
    let state = path.display();
    err.context(
        Stop::new(
            ExitCode::Failed,
            "cannot continue the rotation yet: nothing was changed",
        )
        .hint(format!("the rotation is saved in `{state}`"))
        .hint(format!("continue: `rotate-cert resume --state {state}`"))
        .hint(format!("undo: `rotate-cert rollback --state {state}`")),
    )
}

/// An error while planning (before any rotation was recorded) says that nothing was
/// started; an error with its own [`Stop`] is left as it is.
fn nothing_started(err: anyhow::Error) -> anyhow::Error {
    if crate::exit::stop_of(&err).is_some() {
        return err;
    }
    err.context(
        Stop::new(
            ExitCode::Failed,
            "cannot plan the rotation: nothing was changed",
        )
        .hint("no rotation was started: run the same command again once the error is gone"),
    )
}

/// `switch-dns`, `drain`, `cleanup`, `resume`, `rollback`.
pub async fn continue_rotation(
    printer: &Printer,
    global: &GlobalArgs,
    args: ContinueArgs,
    which: Continue,
) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let target = args.target.target()?;
    let path = rot::state_path(global.state.as_deref(), target.as_ref())?;
    if !path.exists() {
        return Err(
            Stop::bad_input(format!("no rotation recorded at `{}`", path.display()))
                .hint("start one with `rotate-cert rotate` or `rotate-cert create`")
                .into(),
        );
    }
    let mut opened = rot::open(&path, which.name(), args.run.break_lock)?;
    cont::require_target(&opened.doc, target.as_ref(), &path)?;
    let reporter = reporter(printer);
    if let Some(s) = &opened.stale {
        rot::warn(reporter.as_ref(), s.clone());
    }
    if rot::is_complete(&opened.doc) {
        printer.note(format!(
            "the rotation in `{}` is already complete ({}): nothing to do",
            path.display(),
            if opened.doc.rotation.rolling_back {
                "rolled back to blue"
            } else {
                "rotated to green"
            }
        ));
        return Ok(ExitCode::Success);
    }
    let session = continue_session(global, &args.connect, &args.timing, &mut opened)
        .await
        .map_err(|e| kept(e, &path))?;
    if args.force {
        cont::force(&mut opened.doc, Some(which));
    }
    let continuation = cont::prepare(&session, &opened.doc, &path, which)
        .await
        .map_err(|e| kept(e, &path))?;
    if let Some(question) = &continuation.confirm {
        confirm(global, printer, question)?;
    }
    let list = continuation.begin(&mut opened.doc);
    finish(
        printer,
        &session,
        &mut opened,
        &list,
        reporter.as_ref(),
        started,
    )
    .await
}

/// Arguments of `status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The Ingress (finds its state file), unless `--state` is given.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Overrides of the recorded endpoints and verification.
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Show only what the state file records (no live checks)
    #[arg(long)]
    pub offline: bool,
}

/// `status`.
pub async fn status(
    printer: &Printer,
    global: &GlobalArgs,
    args: StatusArgs,
) -> anyhow::Result<ExitCode> {
    let target = args.target.target()?;
    let path = rot::state_path(global.state.as_deref(), target.as_ref())?;
    if !path.exists() {
        return Err(
            Stop::bad_input(format!("no rotation recorded at `{}`", path.display()))
                .hint("check `--state` / `--ingress`; a rotation is recorded by `rotate-cert rotate` or `rotate-cert create`")
                .into(),
        );
    }
    let doc = rot::read(&path)?;
    let live = if args.offline {
        None
    } else {
        let mut input = settings_input(global, &args.connect, &TimingArgs::default());
        if input.context.is_none() {
            input.context = doc.rotation.settings.context.clone();
        }
        match open_session(
            &input,
            Some(&doc.rotation.settings),
            &auth_input(&args.connect),
        )
        .await
        {
            Ok(session) => Some(status::live(&session, &doc).await),
            Err(e) => {
                printer.warn(format!("live checks skipped: {e:#}"));
                None
            }
        }
    };
    if printer.human() {
        printer.data(show::status_text(&doc, &path, live.as_ref()));
    } else {
        printer.json(&serde_json::json!({
            "event": "status",
            "rotation_id": doc.rotation_id,
            "state_file": path.display().to_string(),
            "serial": doc.serial,
            "complete": rot::is_complete(&doc),
            "rolling_back": doc.rotation.rolling_back,
            "target": doc.target,
            "certificate": doc.rotation.cert,
            "blue": {"ingress": doc.rotation.blue.name, "ip": doc.rotation.blue.ip},
            "green": {"ingress": doc.rotation.green.ingress, "ip": doc.rotation.green.ip},
            "steps": show::steps_json(&doc),
            "warnings": doc.rotation.warnings,
            "live": live,
        }));
    }
    Ok(ExitCode::Success)
}
