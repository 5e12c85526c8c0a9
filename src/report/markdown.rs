//! The Markdown report, rendered from `templates/report.md` (minijinja) over the report model.
//!
//! Every value the template prints goes through [`escape`]: pipes, newlines, HTML and Markdown
//! markup in user text, DNS records or server replies render literally and cannot break a table.
//! The template's own text is trusted.

use std::sync::OnceLock;

use minijinja::value::Value;
use minijinja::{Environment, syntax::SyntaxConfig};

use crate::report::model::Report;

const TEMPLATE: &str = include_str!("../../templates/report.md");

/// Escapes text for Markdown (`CommonMark` and GFM tables): one line, no markup taking effect.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!' | '$' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .expect("the syntax settings are valid"),
        );
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_formatter(|out, _state, value| {
            if value.is_none() || value.is_undefined() {
                return Ok(());
            }
            if value.is_safe() {
                return out.write_str(&value.to_string()).map_err(Into::into);
            }
            match value.as_str() {
                Some(s) => out.write_str(&escape(s)),
                None => out.write_str(&escape(&value.to_string())),
            }
            .map_err(Into::into)
        });
        env.add_template("report.md", TEMPLATE)
            .expect("templates/report.md is a valid template (tests render it)");
        env
    })
}

/// Renders the report to Markdown.
pub fn render(report: &Report) -> anyhow::Result<String> {
    let template = environment()
        .get_template("report.md")
        .map_err(|e| anyhow::anyhow!("the Markdown template is missing: {e}"))?;
    let mut text = template
        .render(Value::from(minijinja::value::Serde(report)))
        .map_err(|e| anyhow::anyhow!("the Markdown template failed: {e}"))?;
    // Blank-line runs left by skipped blocks: at most one blank line in a row.
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escape_neutralises_markup_and_tables() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<b>x</b>"), "\\<b\\>x\\</b\\>");
        assert_eq!(escape("line\nnext"), "line next");
        assert_eq!(escape("AT&T"), "AT&amp;T");
        assert_eq!(escape("[x](javascript:y)"), "\\[x\\](javascript:y)");
    }
}
