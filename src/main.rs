//! The `rotate-cert` binary: installs the crypto provider, builds the runtime and hands
//! over to [`rotate_cert::cli`]. Nothing else lives here.

use clap::Parser;

fn main() -> std::process::ExitCode {
    rotate_cert::install_crypto_provider();
    let cli = rotate_cert::cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::from(rotate_cert::exit::ExitCode::Failed.code());
        }
    };
    let code = runtime.block_on(rotate_cert::cli::run(cli));
    // Do not wait for stray blocking tasks (stdin readers, DNS lookups) at exit.
    runtime.shutdown_background();
    std::process::ExitCode::from(code.code())
}
