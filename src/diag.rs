//! Input errors a user can act on: `file:line:column: what is wrong`, plus a hint.
//!
//! Every file the user hands us (checklists, target, answers, saved assessments) is reported
//! through [`InputError`], so the CLI can print one line and a hint and exit with code 2.

use std::fmt;
use std::ops::Range;

/// Something wrong with a file the user gave us, with where and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    /// 1-based line and column (in characters), when the problem has a place in the file.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: String,
}

impl InputError {
    /// An error about the whole file (unreadable, empty, wrong kind).
    pub fn file(file: impl Into<String>, message: impl Into<String>, hint: impl Into<String>) -> Self {
        InputError {
            file: file.into(),
            position: None,
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// An error at a byte span of `text`.
    pub fn at(
        file: impl Into<String>,
        text: &str,
        span: Range<usize>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        InputError {
            file: file.into(),
            position: Some(line_column(text, span.start)),
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// Turns a TOML syntax or shape error into an [`InputError`] with a hint for the usual causes.
    pub fn from_toml(file: &str, text: &str, err: &toml::de::Error, doc_hint: &str) -> Self {
        let message = err.message().trim().replace('\n', " ");
        let hint = if message.starts_with("unknown field") {
            format!("remove or rename the key; {doc_hint}")
        } else if message.starts_with("missing field") {
            format!("add the key to this table; {doc_hint}")
        } else if message.starts_with("unknown variant") {
            "use one of the values listed in the message".to_string()
        } else if message.contains("invalid type") {
            format!("check the value's type (a string needs quotes, a list needs [ ]); {doc_hint}")
        } else {
            format!("fix the TOML syntax here; {doc_hint}")
        };
        match err.span() {
            Some(span) => InputError::at(file, text, span, message, hint),
            None => InputError::file(file, message, hint),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputError {}

/// 1-based line and column (counted in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// The closest candidate by edit distance, when it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A hint that suggests the closest known word, or lists what is allowed.
pub fn unknown_hint<'a>(word: &str, known: impl IntoIterator<Item = &'a str> + Clone, what: &str) -> String {
    if let Some(close) = suggest(word, known.clone()) {
        format!("did you mean `{close}`?")
    } else {
        {
            let list: Vec<&str> = known.into_iter().collect();
            if list.len() <= 12 {
                format!("known {what}: {}", list.join(", "))
            } else {
                format!("see `launchready checklists show` or checklists/SCHEMA.md for the known {what}")
            }
        }
    }
}

/// One step of a path into a TOML document: a key or an array index.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    Name(&'a str),
    Index(usize),
}

/// The spans of every value of a TOML document, for locating errors found after parsing.
pub struct Spans<'i> {
    root: toml::Spanned<toml::de::DeTable<'i>>,
}

impl<'i> Spans<'i> {
    /// Parses `text`; `None` when it is not valid TOML (the typed parse reports that).
    pub fn parse(text: &'i str) -> Option<Spans<'i>> {
        toml::de::DeTable::parse(text).ok().map(|root| Spans { root })
    }

    /// The span of the value at `path`, or of the deepest part of the path that exists.
    pub fn span(&self, path: &[Key<'_>]) -> Range<usize> {
        let mut span = self.root.span();
        let mut table = Some(self.root.get_ref());
        let mut array: Option<&toml::de::DeArray<'i>> = None;
        for key in path {
            let next = match (key, table, array) {
                (Key::Name(name), Some(t), _) => t.get(*name),
                (Key::Index(i), _, Some(a)) => a.get(*i),
                _ => None,
            };
            let Some(value) = next else { break };
            span = value.span();
            table = None;
            array = None;
            match value.get_ref() {
                toml::de::DeValue::Table(t) => table = Some(t),
                toml::de::DeValue::Array(a) => array = Some(a),
                _ => {}
            }
        }
        span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_column(text, 9), (2, 3));
        assert_eq!(line_column(text, 1000), (3, 1));
    }

    #[test]
    fn spans_locate_nested_values() {
        let text = "[a]\nb = 1\n[[r]]\nm = \"GET\"\n[[r]]\nm = \"PUT\"\n";
        let spans = Spans::parse(text).unwrap();
        let at = |path: &[Key<'_>]| line_column(text, spans.span(path).start);
        assert_eq!(at(&[Key::Name("a"), Key::Name("b")]), (2, 5));
        assert_eq!(at(&[Key::Name("r"), Key::Index(1), Key::Name("m")]), (6, 5));
        // A missing key falls back to the deepest part that exists.
        assert_eq!(at(&[Key::Name("r"), Key::Index(1), Key::Name("zz")]).0, 5);
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(suggest("api.cosr", ["api.cors", "api.health"]), Some("api.cors"));
        assert_eq!(suggest("zzzzzz", ["api.cors", "api.health"]), None);
    }
}
