//! The PDF report: `templates/report.typ` compiled in-process by typst. This is the only file
//! that knows typst.
//!
//! The template reads the report model from a virtual `/data.json` and shows its strings as
//! content, never as markup, so user text such as `#panic()` or `$x$` prints literally. The
//! [`ReportWorld`] serves exactly three files — the template, `/data.json` and, when given, the
//! logo at `/logo.<ext>` — and refuses everything else, `@preview` packages included, so a
//! render never touches the disk or the network. The logo's path reaches the template as
//! `sys.inputs.logo`; fonts (Inter from `assets/fonts` plus typst's bundled fonts) and the five
//! possible standard libraries (no logo, or one per image extension) are built once per process.

use std::sync::OnceLock;

use anyhow::{Context, bail};
use typst::diag::{FileError, FileResult, PackageError, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;

use crate::report::model::Report;

const TEMPLATE: &str = include_str!("../../templates/report.typ");
const MAIN_PATH: &str = "/report.typ";
const DATA_PATH: &str = "/data.json";

/// The image extensions a logo may have; the index (plus one) picks its cached library.
const LOGO_EXTS: [&str; 4] = ["png", "jpg", "jpeg", "svg"];

const INTER: [&[u8]; 4] = [
    include_bytes!("../../assets/fonts/Inter-Regular.otf"),
    include_bytes!("../../assets/fonts/Inter-Bold.otf"),
    include_bytes!("../../assets/fonts/Inter-Italic.otf"),
    include_bytes!("../../assets/fonts/Inter-SemiBold.otf"),
];

/// A consultant's logo for the cover page.
pub struct Logo {
    pub bytes: Vec<u8>,
    /// `png`, `jpg`, `jpeg` or `svg` (any case).
    pub ext: String,
}

/// Renders the report to PDF bytes.
pub fn render(report: &Report, logo: Option<&Logo>) -> anyhow::Result<Vec<u8>> {
    let data = serde_json::to_vec(report).context("could not serialise the report for the PDF")?;
    let today = date_of(&report.cover.date);
    compile(TEMPLATE, data, logo, today).map(|(pdf, _warnings)| pdf)
}

/// Checks that typst can draw the logo (a truncated image, or an SVG that points at files or
/// URLs, fails here), before anything else runs. Returns typst's reason.
pub fn check_logo(logo: &Logo) -> Result<(), String> {
    const PROBE: &str = "#set page(width: 4cm, height: 4cm)\n#image(sys.inputs.logo, width: 2cm)\n";
    compile(PROBE, b"{}".to_vec(), Some(logo), None)
        .map(|_| ())
        .map_err(|e| {
            e.to_string()
                .trim_start_matches("the PDF template failed: ")
                .to_string()
        })
}

/// Compiles `template` against the report JSON; returns the PDF and the warnings as one line
/// each.
fn compile(
    template: &str,
    data: Vec<u8>,
    logo: Option<&Logo>,
    today: Option<Datetime>,
) -> anyhow::Result<(Vec<u8>, Vec<String>)> {
    let world = ReportWorld::new(template, data, logo, today)?;
    let warned = typst::compile::<PagedDocument>(&world);
    let warnings = warned.warnings.iter().map(|d| world.describe(d)).collect();
    let doc = warned.output.map_err(|errors| {
        let first = errors
            .first()
            .map_or_else(|| "unknown error".to_string(), |d| world.describe(d));
        anyhow::anyhow!("the PDF template failed: {first}")
    })?;
    // The PDF's creation date is the assessment's, like `datetime.today()` in the template.
    let options = typst_pdf::PdfOptions {
        timestamp: today.map(typst_pdf::Timestamp::new_utc),
        ..typst_pdf::PdfOptions::default()
    };
    let pdf = typst_pdf::pdf(&doc, &options).map_err(|errors| {
        let first = errors
            .first()
            .map_or_else(|| "unknown error".to_string(), |d| world.describe(d));
        anyhow::anyhow!("could not write the PDF: {first}")
    })?;
    // Memoised layouts of earlier renders are of no use to later ones with other data; keep
    // the cache from growing in a long-running process (the TUI).
    typst::comemo::evict(10);
    Ok((pdf, warnings))
}

/// `YYYY-MM-DD` as a typst date, for `datetime.today()`: a report is dated by its assessment,
/// never by the clock.
fn date_of(date: &str) -> Option<Datetime> {
    let mut parts = date.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let fonts: Vec<Font> = INTER
            .into_iter()
            .chain(typst_assets::fonts())
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        Fonts {
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
        }
    })
}

/// The standard library with `sys.inputs.logo` set to the logo's path (or absent): one per
/// extension, each built on first use.
fn library(logo_ext: Option<usize>) -> &'static LazyHash<Library> {
    static LIBRARIES: [OnceLock<LazyHash<Library>>; 5] = [const { OnceLock::new() }; 5];
    let slot = logo_ext.map_or(0, |i| i + 1);
    LIBRARIES[slot].get_or_init(|| {
        let mut inputs = Dict::new();
        if let Some(i) = logo_ext {
            inputs.insert("logo".into(), format!("/logo.{}", LOGO_EXTS[i]).into_value());
        }
        LazyHash::new(Library::builder().with_inputs(inputs).build())
    })
}

fn file_id(path: &str) -> anyhow::Result<FileId> {
    let vpath = VirtualPath::new(path).map_err(|e| anyhow::anyhow!("bad virtual path {path}: {e}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Everything one compilation can see.
struct ReportWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    logo: Option<(FileId, Bytes)>,
    library: &'static LazyHash<Library>,
    fonts: &'static Fonts,
    today: Option<Datetime>,
}

impl ReportWorld {
    fn new(template: &str, data: Vec<u8>, logo: Option<&Logo>, today: Option<Datetime>) -> anyhow::Result<Self> {
        let (ext, logo) = match logo {
            Some(logo) => {
                let ext = logo.ext.trim_start_matches('.').to_ascii_lowercase();
                let Some(i) = LOGO_EXTS.iter().position(|e| *e == ext) else {
                    bail!("a logo must be a PNG, JPEG or SVG image, not .{ext}");
                };
                let id = file_id(&format!("/logo.{ext}"))?;
                (Some(i), Some((id, Bytes::new(logo.bytes.clone()))))
            }
            None => (None, None),
        };
        Ok(ReportWorld {
            main: Source::new(file_id(MAIN_PATH)?, template.to_string()),
            data_id: file_id(DATA_PATH)?,
            data: Bytes::new(data),
            logo,
            library: library(ext),
            fonts: fonts(),
            today,
        })
    }

    /// A diagnostic as one line: the message and, when it points into the template, where.
    fn describe(&self, diag: &SourceDiagnostic) -> String {
        let place = diag
            .span
            .id()
            .filter(|id| *id == self.main.id())
            .and_then(|_| self.range(diag.span))
            .and_then(|range| self.main.lines().byte_to_line(range.start))
            .map(|line| format!(" (templates/report.typ line {})", line + 1))
            .unwrap_or_default();
        let message = diag.message.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{message}{place}")
    }

    fn refuse(id: FileId) -> FileError {
        match id.root() {
            VirtualRoot::Package(spec) => FileError::Package(PackageError::Other(Some(
                format!("packages such as {spec} are not available in reports").into(),
            ))),
            VirtualRoot::Project => FileError::AccessDenied,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(Self::refuse(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        match &self.logo {
            Some((logo_id, bytes)) if *logo_id == id => Ok(bytes.clone()),
            _ => Err(Self::refuse(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn try_compile(template: &str) -> anyhow::Result<(Vec<u8>, Vec<String>)> {
        compile(template, b"{\"x\": \"#panic()\"}".to_vec(), None, date_of("2026-11-02"))
    }

    #[test]
    fn the_world_serves_only_its_own_files() {
        let world = ReportWorld::new("", b"{}".to_vec(), None, None).unwrap();
        assert!(world.file(file_id(DATA_PATH).unwrap()).is_ok());
        assert!(world.source(world.main()).is_ok());
        for path in ["/etc/passwd", "/logo.png", "/templates/report.typ", "/../data.json"] {
            if let Ok(id) = file_id(path)
                && id != world.data_id
            {
                assert!(world.file(id).is_err(), "{path} must be refused");
            }
        }
    }

    #[test]
    fn package_imports_are_refused_with_a_readable_reason() {
        let err = try_compile("#import \"@preview/cetz:0.3.0\": canvas\nHello").unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("not available"), "{text}");
        assert!(!text.contains('\n'), "one line: {text}");
    }

    #[test]
    fn the_disk_is_out_of_reach() {
        let err = try_compile("#read(\"/etc/hostname\")").unwrap_err();
        assert!(format!("{err}").contains("line 1"), "{err}");
    }

    #[test]
    fn data_is_shown_as_text_and_the_date_is_the_reports() {
        let (pdf, warnings) = try_compile("#let d = json(\"/data.json\")\n#d.x #datetime.today().display()").unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn a_logo_of_an_unknown_kind_is_refused() {
        let logo = Logo {
            bytes: vec![1, 2, 3],
            ext: "gif".into(),
        };
        let err = compile("x", b"{}".to_vec(), Some(&logo), None).unwrap_err();
        assert!(err.to_string().contains("PNG, JPEG or SVG"), "{err}");
    }

    #[test]
    fn dates_parse_only_when_well_formed() {
        assert!(date_of("2026-11-02").is_some());
        assert!(date_of("2026-13-02").is_none());
        assert!(date_of("soon").is_none());
    }
}
