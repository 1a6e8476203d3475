use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = odrdesk::cli::Cli::parse();
    match odrdesk::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("odrdesk: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
