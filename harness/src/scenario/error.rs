//! [`ScenarioError`]: what is wrong with a scenario file, and where.

use super::suggest::did_you_mean;
use std::io;
use std::ops::Range;

/// Why a scenario file was rejected.
///
/// [`ScenarioError::Invalid`] displays as `FILE:LINE:COLUMN: what was wrong; expected ...`,
/// with `; did you mean `X`?` for a near miss. Lines and columns count from 1; columns count
/// characters, not bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The file could not be read.
    #[error("cannot read {file}: {source}")]
    Read {
        /// The path, as given.
        file: String,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// The path is not a regular file (a directory, a FIFO, a device): it is not read.
    #[error("cannot read {file}: it is {kind}; expected a regular file")]
    NotAFile {
        /// The path, as given.
        file: String,
        /// What it is: `a directory`, `a FIFO`, `a device`, `a socket`.
        kind: &'static str,
    },
    /// The file is larger than a scenario may be.
    #[error(
        "cannot read {file}: larger than {limit} bytes; expected a scenario file of at most {limit} bytes"
    )]
    TooLarge {
        /// The path, as given.
        file: String,
        /// The limit, [`MAX_FILE_BYTES`](super::MAX_FILE_BYTES).
        limit: u64,
    },
    /// The file is not a valid scenario: bad TOML, a field of the wrong type or out of range,
    /// an unknown name, a rule between fields broken.
    #[error(
        "{file}:{line}:{column}: {problem}; expected {expected}{}",
        suggestion_text(.suggestion.as_deref())
    )]
    Invalid {
        /// The path, as given.
        file: String,
        /// The line, from 1.
        line: usize,
        /// The column, from 1, in characters.
        column: usize,
        /// What was wrong.
        problem: String,
        /// What was expected instead.
        expected: String,
        /// The nearest valid name, for a near miss.
        suggestion: Option<String>,
    },
    /// A `jostle run` override does not fit the scenario: an unknown balancer, or a balancer
    /// or fault that cannot run on the transport asked for. Displays as `FLAG: what was wrong;
    /// expected ...`, with `; did you mean `X`?` for a near miss.
    #[error(
        "{flag}: {problem}; expected {expected}{}",
        suggestion_text(.suggestion.as_deref())
    )]
    Override {
        /// The override, named as the `jostle run` flag that makes it (`--balancer`, `--tcp`).
        flag: &'static str,
        /// What was wrong.
        problem: String,
        /// What was expected instead.
        expected: String,
        /// The nearest valid name, for a near miss.
        suggestion: Option<String>,
    },
    /// A check built in Rust holds a value no scenario file can hold (a duration finer than a
    /// millisecond, an empty list of bounds): written, it would read back as another check and
    /// judge a run otherwise, so it is not written. Displays as `cannot write `CHECK` to a
    /// scenario file: what was wrong; expected ...`.
    #[error("cannot write `{check}` to a scenario file: {problem}; expected {expected}")]
    Unwritable {
        /// The check, by the name reports give it.
        check: &'static str,
        /// What a file cannot hold.
        problem: String,
        /// What it can.
        expected: String,
    },
}

impl ScenarioError {
    /// The line and column of an [`Invalid`](ScenarioError::Invalid) file; `None` for a read
    /// error (a file not read), an override or a check no file can hold.
    pub fn location(&self) -> Option<(usize, usize)> {
        match self {
            ScenarioError::Invalid { line, column, .. } => Some((*line, *column)),
            ScenarioError::Read { .. }
            | ScenarioError::NotAFile { .. }
            | ScenarioError::TooLarge { .. }
            | ScenarioError::Override { .. }
            | ScenarioError::Unwritable { .. } => None,
        }
    }

    /// Whether the input is at fault, the file's content, an override or a check built in Rust
    /// that no file can hold (rather than reading the file).
    pub fn is_invalid(&self) -> bool {
        matches!(
            self,
            ScenarioError::Invalid { .. }
                | ScenarioError::Override { .. }
                | ScenarioError::Unwritable { .. }
        )
    }

    /// The same error with a `did you mean` suggestion.
    pub(crate) fn suggesting(mut self, nearest: Option<String>) -> Self {
        if let ScenarioError::Invalid { suggestion, .. }
        | ScenarioError::Override { suggestion, .. } = &mut self
        {
            *suggestion = nearest;
        }
        self
    }
}

fn suggestion_text(suggestion: Option<&str>) -> String {
    suggestion.map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
}

/// A scenario's text and its file name: turns byte spans into located errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl<'a> Source<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        Self { file, text }
    }

    /// The whole text of the file.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// An error at the start of `span`.
    pub(crate) fn error(
        &self,
        span: Range<usize>,
        problem: impl Into<String>,
        expected: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = self.line_column(span.start);
        ScenarioError::Invalid {
            file: self.file.to_owned(),
            line,
            column,
            problem: problem.into(),
            expected: expected.into(),
            suggestion: None,
        }
    }

    /// `FILE:LINE:COLUMN` of byte `offset`.
    pub(crate) fn place(&self, offset: usize) -> String {
        let (line, column) = self.line_column(offset);
        format!("{}:{line}:{column}", self.file)
    }

    /// The 1-based line and character column of byte `offset` (clamped into the text).
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
    }

    /// A TOML syntax or shape error (serde's messages), located, in plain words.
    pub(crate) fn toml_error(&self, error: &toml::de::Error) -> ScenarioError {
        let message = error.message().trim().replace('\n', ", ");
        let (problem, expected) = match message.split_once(", expected ") {
            Some((problem, expected)) => (problem.to_owned(), plain_types(expected)),
            None if message.starts_with("missing field") => {
                let field = message.trim_start_matches("missing field").trim();
                (message.clone(), format!("{field} in this table"))
            }
            None if message == "duplicate key" => (message.clone(), "each key once".to_owned()),
            None => (message.clone(), "a valid scenario (see docs/SCENARIOS.md)".to_owned()),
        };
        let suggestion = problem
            .strip_prefix("unknown field `")
            .and_then(|rest| rest.strip_suffix('`'))
            .and_then(|field| did_you_mean(field, backticked(&expected)));
        self.error(error.span().unwrap_or(0..0), problem, expected).suggesting(suggestion)
    }
}

/// serde names Rust types; a scenario's author thinks in TOML values.
fn plain_types(expected: &str) -> String {
    match expected {
        "f32" | "f64" => "a number".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more".to_owned(),
        "i8" | "i16" | "i32" | "i64" | "isize" => "a whole number".to_owned(),
        other => other.to_owned(),
    }
}

/// The names between backticks in serde's `one of `a`, `b`` lists.
fn backticked(list: &str) -> impl Iterator<Item = &str> {
    list.split('`').skip(1).step_by(2)
}

#[cfg(test)]
mod tests {
    use super::Source;

    #[test]
    fn lines_and_columns_count_from_one_in_characters() {
        let source = Source::new("f.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(source.line_column(0), (1, 1), "offset 0 is 1:1");
        assert_eq!(source.line_column(6), (2, 1), "the byte after a newline starts a line");
        assert_eq!(source.line_column(9), (2, 3), "é is one column, two bytes");
        assert_eq!(source.line_column(8), (2, 2), "inside é rounds down to its start");
        assert_eq!(source.line_column(999), (3, 1), "past the end clamps to the end");
    }
}
