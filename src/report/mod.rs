//! Reports of an assessment. [`model`] builds one report model from an assessment and its
//! checklist; each format renders that model: [`markdown`] (from `templates/report.md`),
//! [`pdf`] (typst, from `templates/report.typ`), [`json`] (the model itself) and [`sarif`] (the
//! automated findings). [`diff`] compares two assessments.

pub mod diff;
pub mod json;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod sarif;

use std::path::{Path, PathBuf};

use crate::assessment::Assessment;
use crate::checklist::Checklist;
use crate::diag::InputError;

/// A report format a user can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Markdown,
    Pdf,
    Json,
    Sarif,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Markdown, Format::Pdf, Format::Json, Format::Sarif];

    pub fn word(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Pdf => "pdf",
            Format::Json => "json",
            Format::Sarif => "sarif",
        }
    }

    /// The file name for a report of this format: `{stem}.md`, `.pdf`, `.report.json`
    /// (never `{stem}.json`, which is the assessment itself) or `.sarif`.
    pub fn file_name(self, stem: &str) -> String {
        match self {
            Format::Markdown => format!("{stem}.md"),
            Format::Pdf => format!("{stem}.pdf"),
            Format::Json => format!("{stem}.report.json"),
            Format::Sarif => format!("{stem}.sarif"),
        }
    }

    /// Parses `--format` words (`md,pdf,json,sarif`; `markdown` also accepted), in order and
    /// without repeats.
    pub fn parse_list(words: &[String], option: &str) -> Result<Vec<Format>, InputError> {
        let mut formats = Vec::new();
        for word in words
            .iter()
            .flat_map(|w| w.split(','))
            .map(str::trim)
            .filter(|w| !w.is_empty())
        {
            let format = match word.to_ascii_lowercase().as_str() {
                "md" | "markdown" => Format::Markdown,
                "pdf" => Format::Pdf,
                "json" => Format::Json,
                "sarif" => Format::Sarif,
                _ => {
                    return Err(InputError::file(
                        option,
                        format!("`{word}` is not a report format"),
                        "use md, pdf, json or sarif, comma-separated, e.g. --format md,pdf",
                    ));
                }
            };
            if !formats.contains(&format) {
                formats.push(format);
            }
        }
        if formats.is_empty() {
            return Err(InputError::file(
                option,
                "no report format given",
                "use md, pdf, json or sarif, comma-separated, e.g. --format md,pdf",
            ));
        }
        Ok(formats)
    }
}

/// Renders one format of a report.
pub fn render(format: Format, report: &model::Report, logo: Option<&pdf::Logo>) -> anyhow::Result<Vec<u8>> {
    Ok(match format {
        Format::Markdown => markdown::render(report)?.into_bytes(),
        Format::Pdf => pdf::render(report, logo)?,
        Format::Json => json::render(report).into_bytes(),
        Format::Sarif => sarif::render(report).into_bytes(),
    })
}

/// Builds the report of an assessment with no branding and no comparison.
pub fn build(checklist: &Checklist, assessment: &Assessment) -> model::Report {
    model::build(checklist, assessment, &model::Options::default())
}

/// Renders every format first, then writes each file atomically into `folder`: a failure in
/// any renderer writes nothing. Refuses to replace `protect` (the assessment itself).
pub fn write_all(
    report: &model::Report,
    formats: &[Format],
    folder: &Path,
    stem: &str,
    protect: Option<&Path>,
    logo: Option<&pdf::Logo>,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut rendered = Vec::new();
    for &format in formats {
        let path = folder.join(format.file_name(stem));
        if let Some(p) = protect
            && same_file(p, &path)
        {
            anyhow::bail!("{} is the assessment itself; choose another folder", path.display());
        }
        rendered.push((path, render(format, report, logo)?));
    }
    let mut written = Vec::new();
    for (path, bytes) in rendered {
        crate::assessment::write_atomic(&path, &bytes, |_| Ok(()))?;
        written.push(path);
    }
    Ok(written)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
