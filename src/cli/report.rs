//! `scan`, `report` and `diff`: the commands that run without the wizard and write reports.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use anyhow::Context;
use futures_util::StreamExt;

use super::progress::Progress;
use super::{BrandArgs, Format as TextFormat, Global, probe_ctx, runtime, store};
use crate::assessment::{Assessment, Store};
use crate::checklist::{Catalog, Checklist};
use crate::diag::InputError;
use crate::probe::engine::{self, Env};
use crate::probe::registry::Check;
use crate::report::diff;
use crate::report::model;
use crate::report::{self, Branding, Format};
use crate::score;
use crate::target::TargetFile;

/// How many targets of a `--targets` folder are probed at once.
const TARGETS_AT_ONCE: usize = 4;

/// What to write: formats, folder and branding, checked before anything runs.
pub struct Job {
    formats: Vec<Format>,
    folder: PathBuf,
    branding: Branding,
}

impl Job {
    pub fn new(formats: &[String], folder: PathBuf, brand: &BrandArgs) -> Result<Job, InputError> {
        if folder.exists() && !folder.is_dir() {
            return Err(InputError::file(
                folder.display().to_string(),
                "--out names a file, not a folder",
                "give a folder for the reports (it is created when missing)",
            ));
        }
        Ok(Job {
            formats: Format::parse_list(formats, "--format")?,
            folder,
            branding: Branding::new(brand.name.as_deref(), brand.contact.as_deref(), brand.logo.as_deref())?,
        })
    }

    fn write(&self, report: &model::Report, stem: &str, protect: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
        report::write_all(
            report,
            &self.formats,
            &self.folder,
            stem,
            protect,
            self.branding.logo.as_ref(),
        )
    }
}

/// A target file read and checked, with its checklist and answers, ready to probe.
struct Prepared<'c> {
    /// The target file as the user named it.
    file: String,
    target: TargetFile,
    checklist: &'c Checklist,
    answers: Vec<crate::assessment::FileAnswer>,
}

fn prepare<'c>(
    catalog: &'c Catalog,
    target_path: &Path,
    answers: Option<&Path>,
    vertical: Option<&str>,
) -> Result<Prepared<'c>, InputError> {
    let ids: Vec<&str> = catalog.all().iter().map(|c| c.id.as_str()).collect();
    let mut target = TargetFile::load(target_path, &ids)?;
    if let Some(v) = vertical {
        target.product.vertical.clone_from(&catalog.require(v)?.id);
    }
    let checklist = catalog.require(&target.product.vertical)?;
    let answers = match answers {
        Some(path) => {
            let text = crate::fsio::read_text(path)?;
            crate::assessment::parse_answers(&path.display().to_string(), &text, checklist)?
        }
        None => Vec::new(),
    };
    Ok(Prepared {
        file: target_path.display().to_string(),
        target,
        checklist,
        answers,
    })
}

fn runnable_checks(p: &Prepared<'_>) -> Vec<&'static Check> {
    engine::plan(p.checklist, &p.target)
}

/// Runs a prepared target's checks through the probe engine and returns its new assessment.
async fn probe(
    global: &Global,
    p: &Prepared<'_>,
    checks: &[&'static Check],
    progress: &Progress,
) -> anyhow::Result<Assessment> {
    let ctx = probe_ctx(global)?;
    let now = SystemTime::now();
    let mut assessment = Assessment::new(p.target.clone(), p.checklist, now);
    for a in &p.answers {
        assessment.answer(&a.item, a.value, a.note.clone(), now);
    }
    let env = Env::new(&ctx, &p.target, p.checklist, None);
    let results = progress.run(&p.target.product.name, &p.target, &env, checks).await;
    for result in results {
        assessment.record(result);
    }
    Ok(assessment)
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map_or_else(|| "assessment".to_string(), |s| s.to_string_lossy().into_owned())
}

/// One target's outcome, for the summary lines: words from the report model, so they are
/// cleaned and redacted like the reports.
struct Outcome {
    name: String,
    verdict: String,
    ready: bool,
    blockers: Vec<String>,
    checks: usize,
    answers: usize,
    path: PathBuf,
    written: Vec<PathBuf>,
    compared: Option<PathBuf>,
}

/// Saves a fresh assessment, compares it with the last one and writes the reports.
fn finish(
    catalog: &Catalog,
    store: &Store,
    p: &Prepared<'_>,
    assessment: &Assessment,
    job: &Job,
) -> anyhow::Result<Outcome> {
    let path = store.path_for(assessment);
    Store::save(assessment, &path).map_err(|e| anyhow::anyhow!("{e:#}"))?;
    let options = model::Options {
        brand: job.branding.brand.clone(),
        target_file: Some(p.file.clone()),
        ..model::Options::default()
    };
    let (report, compared) = report::build_saved(catalog, p.checklist, assessment, &path, None, options);
    let written = job.write(&report, &stem_of(&path), Some(&path)).with_context(|| {
        format!(
            "the assessment is saved at {}; once the report folder can be written, run `launchready report {}` to write the reports",
            path.display(),
            path.display()
        )
    })?;
    Ok(Outcome {
        name: report.cover.product.clone(),
        verdict: report.summary.verdict.label.clone(),
        ready: report.summary.verdict.id == score::Verdict::Ready,
        blockers: report.summary.blockers.iter().map(|b| b.title.clone()).collect(),
        checks: report.summary.checks_run,
        answers: report.summary.answers,
        path,
        written,
        compared,
    })
}

fn print_outcome(out: &mut impl Write, o: &Outcome) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} ({} checks run, {} answers)",
        o.name, o.verdict, o.checks, o.answers
    )?;
    for title in &o.blockers {
        writeln!(out, "  ✘ blocker: {title}")?;
    }
    writeln!(out, "assessment: {}", o.path.display())?;
    if let Some(c) = &o.compared {
        writeln!(out, "compared with: {}", c.display())?;
    }
    for file in &o.written {
        writeln!(out, "report: {}", file.display())?;
    }
    Ok(())
}

fn exit_for(blocker_failed: bool) -> ExitCode {
    if blocker_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `launchready scan --target T.toml`: every configured check without the wizard, answers from
/// a file, the assessment saved, reports written; exit 1 when a blocker failed.
pub fn scan(
    global: &Global,
    catalog: &Catalog,
    target_path: &Path,
    answers: Option<&Path>,
    vertical: Option<&str>,
    job: &Job,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let prepared = prepare(catalog, target_path, answers, vertical)?;
    let store = store(global)?;
    probe_ctx(global)?;
    let checks = runnable_checks(&prepared);
    let progress = Progress::new(checks.len());
    let assessment = runtime()?.block_on(probe(global, &prepared, &checks, &progress));
    progress.finish();
    let outcome = finish(catalog, &store, &prepared, &assessment?, job)?;
    print_outcome(out, &outcome)?;
    Ok(exit_for(!outcome.blockers.is_empty()))
}

/// The target files of a folder, sorted, with their answers files when present.
fn target_files(dir: &Path) -> Result<Vec<(PathBuf, Option<PathBuf>)>, InputError> {
    let hint = "give a folder of target files (NAME.toml, answers in NAME.answers.toml)";
    let entries = std::fs::read_dir(dir)
        .map_err(|e| InputError::file(dir.display().to_string(), format!("cannot read the folder: {e}"), hint))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let lower = name.to_ascii_lowercase();
            let is_toml = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            p.is_file() && is_toml && !lower.ends_with(".answers.toml") && !name.starts_with('.')
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(InputError::file(
            dir.display().to_string(),
            "no target files (*.toml) in this folder",
            hint,
        ));
    }
    Ok(files
        .into_iter()
        .map(|t| {
            let answers = t.with_extension("answers.toml");
            let answers = answers.is_file().then_some(answers);
            (t, answers)
        })
        .collect())
}

/// `launchready scan --targets DIR`: every target of a consultant's book, checked first (one bad
/// file stops the run before anything is probed), then probed a few at a time.
pub fn scan_folder(
    global: &Global,
    catalog: &Catalog,
    dir: &Path,
    vertical: Option<&str>,
    job: &Job,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let files = target_files(dir)?;
    let prepared = files
        .iter()
        .map(|(t, a)| prepare(catalog, t, a.as_deref(), vertical))
        .collect::<Result<Vec<_>, _>>()?;
    let store = store(global)?;
    probe_ctx(global)?;
    let checks: Vec<Vec<&'static Check>> = prepared.iter().map(runnable_checks).collect();
    let progress = Progress::new(checks.iter().map(Vec::len).sum());
    let assessments: Vec<anyhow::Result<Assessment>> = runtime()?.block_on(
        futures_util::stream::iter(
            prepared
                .iter()
                .zip(&checks)
                .map(|(p, c)| probe(global, p, c, &progress)),
        )
        .buffered(TARGETS_AT_ONCE)
        .collect(),
    );
    progress.finish();
    let mut any_blocker = false;
    let mut ready = 0;
    for (p, assessment) in prepared.iter().zip(assessments) {
        let outcome = finish(catalog, &store, p, &assessment?, job)?;
        any_blocker |= !outcome.blockers.is_empty();
        ready += usize::from(outcome.ready);
        print_outcome(out, &outcome)?;
        writeln!(out)?;
    }
    writeln!(out, "{} targets scanned: {ready} ready.", prepared.len())?;
    Ok(exit_for(any_blocker))
}

fn load_with_checklist<'c>(catalog: &'c Catalog, path: &Path) -> Result<(&'c Checklist, Assessment), InputError> {
    if path.to_string_lossy().to_ascii_lowercase().ends_with(".report.json") {
        return Err(InputError::file(
            path.display().to_string(),
            "this is a report, not an assessment",
            "give the assessment it was made from (`launchready assessments list` shows where they are)",
        ));
    }
    let assessment = Assessment::load(path)?;
    let checklist = catalog.get(&assessment.checklist.id).ok_or_else(|| {
        InputError::file(
            path.display().to_string(),
            format!(
                "the assessment uses the checklist `{}`, which this version does not have",
                assessment.checklist.id
            ),
            "pass the checklist file with --checklist PATH",
        )
    })?;
    Ok((checklist, assessment))
}

/// `launchready report ASSESSMENT`: renders a saved assessment again.
pub fn report(
    catalog: &Catalog,
    path: &Path,
    since: Option<&Path>,
    job: &Job,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let (checklist, assessment) = load_with_checklist(catalog, path)?;
    let since = match since {
        Some(p) => Some((p.to_path_buf(), load_with_checklist(catalog, p)?.1)),
        None => None,
    };
    let options = model::Options {
        brand: job.branding.brand.clone(),
        ..model::Options::default()
    };
    let (report, compared) = report::build_saved(catalog, checklist, &assessment, path, since, options);
    let written = job.write(&report, &stem_of(path), Some(path))?;
    writeln!(out, "{}: {}", report.cover.product, report.cover.verdict.label)?;
    if let Some(p) = &compared {
        writeln!(out, "compared with: {}", p.display())?;
    }
    for file in &written {
        writeln!(out, "report: {}", file.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `launchready diff OLD NEW`.
pub fn diff(
    catalog: &Catalog,
    old: &Path,
    new: &Path,
    format: TextFormat,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let (old_checklist, old_a) = load_with_checklist(catalog, old)?;
    let (new_checklist, new_a) = load_with_checklist(catalog, new)?;
    // Said on stderr, so `--format json` stays clean: comparisons that are probably a mistake.
    let (po, pn) = (&old_a.target.product, &new_a.target.product);
    if po.name != pn.name || po.client != pn.client {
        eprintln!(
            "note: these are assessments of different products ({} and {}); the comparison may mean little",
            crate::redact::clean(&po.name),
            crate::redact::clean(&pn.name)
        );
    }
    if old_a.created > new_a.created {
        eprintln!("note: OLD was started after NEW; the changes read from OLD to NEW as given");
    }
    let changes = diff::diff((old_checklist, &old_a), (new_checklist, &new_a));
    match format {
        TextFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &changes)?;
            writeln!(out)?;
        }
        TextFormat::Text => out.write_all(diff::render_text(&changes).as_bytes())?,
    }
    Ok(ExitCode::SUCCESS)
}
