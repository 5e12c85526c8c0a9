//! Reports of an assessment. [`model`] builds one report model from an assessment and its
//! checklist; each format renders that model: [`markdown`] (from `templates/report.md`),
//! [`pdf`] (typst, from `templates/report.typ`), [`json`] (the model itself) and [`sarif`] (the
//! automated findings). [`diff`] compares two assessments; [`view`] holds the status view both
//! share, so the model imports the comparison and never the other way round.

pub mod diff;
pub mod json;
pub mod markdown;
pub mod model;
pub mod pdf;
pub mod sarif;
pub mod view;

use std::path::{Path, PathBuf};

use crate::assessment::Assessment;
use crate::checklist::{Catalog, Checklist};
use crate::diag::InputError;

/// The largest logo accepted.
const LOGO_MAX: u64 = 2 * 1024 * 1024;

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

/// Who a report is from: the name and contact line in the model, the logo beside it.
#[derive(Default)]
pub struct Branding {
    pub brand: model::Brand,
    pub logo: Option<pdf::Logo>,
}

impl Branding {
    /// Checks the options: empty texts are no branding; a logo must be a readable PNG, JPEG or
    /// SVG file of at most 2 MB.
    pub fn new(name: Option<&str>, contact: Option<&str>, logo: Option<&Path>) -> Result<Branding, InputError> {
        let logo = logo.map(read_logo).transpose()?;
        let text = |t: Option<&str>| t.map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
        Ok(Branding {
            brand: model::Brand {
                name: text(name),
                contact: text(contact),
                logo: logo.is_some(),
            },
            logo,
        })
    }

    /// The branding set in the environment (`LAUNCHREADY_BRAND`, `LAUNCHREADY_BRAND_CONTACT`,
    /// `LAUNCHREADY_BRAND_LOGO`), as the wizard uses it.
    pub fn from_env() -> Result<Branding, InputError> {
        let var = |name: &str| std::env::var(name).ok();
        let logo = std::env::var_os("LAUNCHREADY_BRAND_LOGO")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from);
        Branding::new(
            var("LAUNCHREADY_BRAND").as_deref(),
            var("LAUNCHREADY_BRAND_CONTACT").as_deref(),
            logo.as_deref(),
        )
    }
}

/// Reads and checks a logo: a PNG, JPEG or SVG file of at most 2 MB (and, for PNG and JPEG, at
/// most 10 000 pixels a side), told apart by its bytes, that typst can draw.
pub fn read_logo(path: &Path) -> Result<pdf::Logo, InputError> {
    let name = path.display().to_string();
    let hint = "give a PNG, JPEG or SVG file of at most 2 MB with --brand-logo";
    let fail = |message: String| InputError::file(&name, message, hint);
    let file = std::fs::File::open(path).map_err(|e| fail(format!("cannot read the logo: {e}")))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return Err(fail("the logo is not a regular file".into()));
    }
    let bytes = crate::fsio::read_at_most(file, LOGO_MAX).map_err(|e| fail(format!("cannot read the logo: {e}")))?;
    if bytes.len() as u64 > LOGO_MAX {
        return Err(fail("the logo is larger than 2 MB".into()));
    }
    let ext = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else if std::str::from_utf8(&bytes).is_ok_and(|t| t.contains("<svg")) {
        "svg"
    } else {
        return Err(fail("the logo is not a PNG, JPEG or SVG image".into()));
    };
    if let Some((w, h)) = image_size(&bytes)
        && (w > 10_000 || h > 10_000)
    {
        return Err(fail(format!("the logo is {w}×{h} pixels; at most 10 000 a side")));
    }
    let logo = pdf::Logo {
        bytes,
        ext: ext.to_string(),
    };
    pdf::check_logo(&logo).map_err(|reason| fail(format!("the logo cannot be drawn: {reason}")))?;
    Ok(logo)
}

/// The pixel size a PNG or JPEG header declares.
fn image_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| bytes.get(i..i + 2).map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])));
    let be32 = |i: usize| {
        bytes
            .get(i..i + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    if bytes.starts_with(b"\x89PNG") {
        return Some((be32(16)?, be32(20)?));
    }
    // JPEG: walk the segments to the first start-of-frame marker.
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let len = usize::try_from(be16(i + 2)?).ok()?;
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return Some((be16(i + 7)?, be16(i + 5)?));
        }
        i += 2 + len;
    }
    None
}

/// The newest assessment in `folder` of the same product, client and checklist as `than`, and
/// started before it; `exclude` (the assessment's own file) is skipped. Unreadable files are skipped.
pub fn previous(folder: &Path, than: &Assessment, exclude: &Path) -> Option<(PathBuf, Assessment)> {
    let entries = std::fs::read_dir(folder).ok()?;
    let exclude = std::fs::canonicalize(exclude).ok();
    let mut best: Option<(PathBuf, Assessment)> = None;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if !crate::assessment::is_assessment_file(&path) {
            continue;
        }
        if exclude.is_some() && std::fs::canonicalize(&path).ok() == exclude {
            continue;
        }
        let Ok(a) = Assessment::load(&path) else { continue };
        let same = a.target.product.name == than.target.product.name
            && a.target.product.client == than.target.product.client
            && a.checklist.id == than.checklist.id;
        // By when each was started: editing an old assessment later does not make it newer.
        if same && a.created < than.created && best.as_ref().is_none_or(|(_, b)| a.created > b.created) {
            best = Some((path, a));
        }
    }
    best
}

/// What changed from `old` to `new`, when `old`'s checklist is known.
pub fn changes_since(catalog: &Catalog, old: &Assessment, new: (&Checklist, &Assessment)) -> Option<diff::Changes> {
    let old_checklist = catalog.get(&old.checklist.id)?;
    Some(diff::diff((old_checklist, old), new))
}

/// The full report of a saved assessment at `path`, compared with the newest earlier assessment
/// of the same product beside it (or with `since` when given); `options` give the branding and
/// the target file. Returns the report and the file it was compared with.
pub fn build_saved(
    catalog: &Catalog,
    checklist: &Checklist,
    assessment: &Assessment,
    path: &Path,
    since: Option<(PathBuf, Assessment)>,
    mut options: model::Options,
) -> (model::Report, Option<PathBuf>) {
    let old = since.or_else(|| path.parent().and_then(|dir| previous(dir, assessment, path)));
    options.changes = old
        .as_ref()
        .and_then(|(_, o)| changes_since(catalog, o, (checklist, assessment)));
    (model::build(checklist, assessment, &options), old.map(|(p, _)| p))
}

/// Renders every format first, then writes each file atomically into `folder` (created when
/// missing): a failure in any renderer writes nothing. Refuses to replace `protect` (the
/// assessment itself).
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
    std::fs::create_dir_all(folder)
        .map_err(|e| anyhow::anyhow!("cannot create the folder {}: {e}", folder.display()))?;
    let mut written = Vec::new();
    for (path, bytes) in rendered {
        crate::fsio::write_atomic(&path, &bytes, |_| Ok(()))?;
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
