//! The one integration test binary. A module per area, mirroring `src/rules/`.

/// The shared case table (`tests/cases/*.json`), which also drives the WASM and server tests.
mod case_table;
/// The CLI: exit codes, JSON Lines, unreadable lines.
mod cli;
/// Dates corpus (`tests/data/dates-*.json`) against the birthday rule.
mod corpus_dates;
/// Email corpus (`tests/data/email-*.json`): the browser's verdict and the `validator` crate's.
mod corpus_email;
/// Phone corpus (`tests/data/phone-*.tsv`): Google's libphonenumber verdicts.
mod corpus_phone;
/// proptest: no panic on any input; a valid normalized value stays valid and unchanged.
mod properties;
/// Paths, codes, messages and the two server renderings.
mod report;
/// The update rows of the case table (`tests/cases/update/*.json`): patches, with and
/// without the current customer.
mod update_cases;
