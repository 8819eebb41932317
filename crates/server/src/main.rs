//! The `wani-bares` binary: a thin shell around [`wani_bares::cli`].

fn main() -> std::process::ExitCode {
    wani_bares::cli::main()
}
