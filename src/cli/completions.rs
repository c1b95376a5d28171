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
///
/// clap_complete's bash script (4.6.11) names a subcommand's `case` arm differently from
/// the state its dispatch loop builds when the binary name has a hyphen
/// (`rotate__subcmd__cert__subcmd__status` vs `rotate__cert__subcmd__status`), so no
/// subcommand option would ever complete (clap-rs/clap#6421, not fixed in a release
/// yet). The arms are renamed to what the loop builds.
pub fn write_completions(shell: Shell, out: &mut dyn std::io::Write) {
    let mut cmd = super::command();
    if shell != Shell::Bash {
        clap_complete::generate(shell, &mut cmd, "rotate-cert", out);
        return;
    }
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "rotate-cert", &mut script);
    let script = String::from_utf8_lossy(&script).replace("rotate__subcmd__cert", "rotate__cert");
    let _ = out.write_all(script.as_bytes());
}
