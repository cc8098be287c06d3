//! The hyper + SQLite server. Filled in by the server issue.
