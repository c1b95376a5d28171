//! `rotate-cert completions <SHELL>`: prints a completion script generated from the clap
//! definition. The committed files in `completions/` are checked against this by a test.

use clap::Args;
use clap_complete::Shell;

use crate::exit::ExitCode;

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Writes the script to stdout.
pub fn run(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    write_completions(args.shell, &mut out);
    Ok(ExitCode::Success)
}

/// Generates the completion script for `shell` into `out`.
pub fn write_completions(shell: Shell, out: &mut dyn std::io::Write) {
    let mut cmd = super::command();
    clap_complete::generate(shell, &mut cmd, "rotate-cert", out);
}
