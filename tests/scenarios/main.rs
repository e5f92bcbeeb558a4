//! Scenario files: every fixture parses, and every kind of malformed file is rejected with its
//! place (FILE:LINE:COLUMN) and what was expected.

mod fixtures;
mod malformed;
mod run;
