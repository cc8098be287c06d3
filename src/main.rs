//! `customer-validation`: validate requests from a file or stdin (and, with the `server`
//! feature, serve the API).

use std::process::ExitCode;

mod cli;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
