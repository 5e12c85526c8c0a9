//! The `launchready` binary: parse the command line, run it, and turn failures into one clear
//! message and an exit code (2: bad input or usage, 3: the tool itself could not run).

use std::process::ExitCode;

use clap::Parser;
use launchready::cli::{Cli, Unavailable};
use launchready::diag::InputError;

/// The command named after a top-level `--target`, when the command line has one.
fn target_before_command() -> Option<String> {
    use clap::CommandFactory;
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = args
        .iter()
        .position(|a| a == "--target" || a.starts_with("--target="))?;
    let command = args.iter().position(|a| commands.contains(a))?;
    (target < command).then(|| args[command].clone())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if let Some(command) = target_before_command() {
                // `launchready --target T.toml scan`: clap would say scan lacks --target.
                eprintln!("error: --target before a command opens the wizard, so it cannot go with `{command}`");
                eprintln!(
                    "  hint: put it after the command (launchready {command} --target T.toml), or leave the command out"
                );
                return ExitCode::from(2);
            }
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match launchready::run(cli) {
        Ok(code) => code,
        Err(err) => {
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                // The reader went away (e.g. `| head`): nothing more to say.
                ExitCode::SUCCESS
            } else if let Some(input) = err.downcast_ref::<InputError>() {
                eprintln!("error: {input}");
                ExitCode::from(2)
            } else if let Some(unavailable) = err.downcast_ref::<Unavailable>() {
                eprintln!("error: {unavailable}");
                eprintln!(
                    "  hint: see `launchready --help`: the wizard, `demo`, `checklists`, `assessments` and `probe email|api|message` work today"
                );
                ExitCode::from(2)
            } else {
                eprintln!("error: {err:#}");
                ExitCode::from(3)
            }
        }
    }
}
