//! The command line: clap definitions and the dispatch of each command to the core.
//!
//! Commands whose capability has not been built yet say so and exit with code 2; nothing here
//! prints made-up results.

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::assessment::{self, Store};
use crate::checklist::{self, Area, Catalog, Checklist};
use crate::diag::InputError;
use crate::probe::api::{ApiOptions, Tokens};
use crate::probe::engine::Env;
use crate::probe::registry::{self, Check, Family};
use crate::probe::{ProbeCtx, email, message};
use crate::result::{ProbeResult, Status};
use crate::score;

mod progress;
mod report;

/// Tells the founder of an AI chatbot product, with evidence, whether it is ready for launch
/// traffic, a security review or customer onboarding.
///
/// Run it with no command to open the wizard. Every automated check and every question comes
/// from one of five vertical checklists (see `launchready checklists list`).
#[derive(Debug, Parser)]
#[command(name = "launchready", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Open the wizard filled in from this target file (with no command; for a scan, write
    /// `launchready scan --target T.toml`).
    #[arg(long, value_name = "T.toml")]
    pub target: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct Global {
    /// Use this vertical checklist file instead of (or in addition to) the built-in ones.
    #[arg(long, global = true, value_name = "PATH")]
    pub checklist: Option<PathBuf>,
    /// Where assessments are saved (default: the platform's data folder).
    #[arg(long, global = true, value_name = "DIR", env = "LAUNCHREADY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// DNS server for every name lookup, e.g. 127.0.0.1:5353 (default: the system's).
    #[arg(long, global = true, value_name = "IP[:PORT]")]
    pub resolver: Option<String>,
    /// Pin a host name to an address, as curl does (repeatable).
    #[arg(long, global = true, value_name = "HOST:IP")]
    pub resolve: Vec<String>,
    /// Send connections for HOST:PORT to IP:PORT instead, as curl does (repeatable); the name
    /// still goes into TLS and the Host header.
    #[arg(long, global = true, value_name = "HOST:PORT:IP:PORT")]
    pub connect_to: Vec<String>,
    /// Extra trusted root certificates (PEM), e.g. a company or test CA.
    #[arg(long, global = true, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Per-request timeout in seconds.
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Plain output without colours (also when `NO_COLOR` is set).
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the wizard against the built-in practice target (runs offline, on this machine only).
    Demo {
        /// Only serve the practice target and print its target file (for scripts and tests);
        /// stop with Ctrl-C.
        #[arg(long)]
        serve: bool,
    },
    /// Run every applicable probe without the wizard, save the assessment and write reports.
    ///
    /// Exits 1 when a blocker failed, so it can gate a deploy.
    Scan {
        /// The target file: what to probe (see README).
        #[arg(
            long,
            value_name = "T.toml",
            required_unless_present = "targets",
            conflicts_with = "targets"
        )]
        target: Option<PathBuf>,
        /// Scan every target file (`*.toml`) in this folder concurrently; answers for `NAME.toml`
        /// are read from `NAME.answers.toml` beside it when present.
        #[arg(long, value_name = "DIR")]
        targets: Option<PathBuf>,
        /// Answers to the manual questions (with --target).
        #[arg(long, value_name = "A.toml", conflicts_with = "targets")]
        answers: Option<PathBuf>,
        /// Use this vertical's checklist instead of the target file's.
        #[arg(long, value_name = "V")]
        vertical: Option<String>,
        /// Report formats to write, comma-separated: md, pdf, json, sarif.
        #[arg(long, value_delimiter = ',', default_value = "md,pdf,json")]
        format: Vec<String>,
        /// Folder for the reports (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        #[command(flatten)]
        brand: BrandArgs,
    },
    /// Render a saved assessment again (e.g. after editing the branding or to get a PDF).
    Report {
        /// The saved assessment (a .json file; `launchready assessments list` shows where).
        assessment: PathBuf,
        /// Report formats to write, comma-separated: md, pdf, json, sarif.
        #[arg(long, value_delimiter = ',', default_value = "md,pdf,json")]
        format: Vec<String>,
        /// Folder for the reports (default: the current folder).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Compare with this earlier assessment ("since the last assessment"); by default the
        /// newest earlier assessment of the same product in the same folder is used.
        #[arg(long, value_name = "OLD.json")]
        since: Option<PathBuf>,
        #[command(flatten)]
        brand: BrandArgs,
    },
    /// Say what was fixed, what regressed and what is new between two assessments.
    Diff {
        /// The earlier assessment (.json).
        old: PathBuf,
        /// The later assessment (.json).
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List, show and validate the vertical checklists.
    #[command(subcommand)]
    Checklists(ChecklistsCommand),
    /// List saved assessments, grouped by client.
    #[command(subcommand)]
    Assessments(AssessmentsCommand),
    /// Run one family of automated checks.
    #[command(subcommand)]
    Probe(ProbeCommand),
    /// Print a completion script for your shell, e.g.
    /// `launchready completions bash > ~/.local/share/bash-completion/completions/launchready`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// The shells `completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl Shell {
    fn generator(self) -> clap_complete::Shell {
        match self {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// Who the report is from: a consultant's name, contact line and logo on the cover.
#[derive(Debug, Clone, Default, Args)]
pub struct BrandArgs {
    /// Your name or company, shown as "Prepared by" on the report.
    #[arg(long = "brand", value_name = "NAME", env = "LAUNCHREADY_BRAND")]
    pub name: Option<String>,
    /// A contact line under the name (email or website).
    #[arg(long = "brand-contact", value_name = "TEXT", env = "LAUNCHREADY_BRAND_CONTACT")]
    pub contact: Option<String>,
    /// A logo for the PDF's cover (PNG, JPEG or SVG, at most 2 MB).
    #[arg(long = "brand-logo", value_name = "FILE", env = "LAUNCHREADY_BRAND_LOGO")]
    pub logo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistsCommand {
    /// The verticals: id, business, what "ready" is for, item counts.
    List,
    /// One vertical in full: ready conditions, thresholds, items, fixes, timeline.
    Show {
        /// A vertical id, e.g. b2b-service.
        vertical: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Check checklist files: the built-ins, or a file or a folder (common.toml + verticals).
    Validate { path: Option<PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum AssessmentsCommand {
    /// Saved assessments with product, client, vertical, date and progress.
    List {
        /// Only this client's assessments.
        #[arg(long)]
        client: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProbeCommand {
    /// SPF, DKIM, DMARC, MX and CAA of a domain.
    Email {
        /// The domain you send email from, e.g. acme.example.
        domain: String,
        /// A DKIM selector to try besides the well-known ones (repeatable); it is the `s=` of a
        /// received message's DKIM-Signature header.
        #[arg(long = "dkim-selector", value_name = "S")]
        dkim_selectors: Vec<String>,
        /// Apply this vertical's rules (e.g. which DMARC policy passes).
        #[arg(long, value_name = "V")]
        vertical: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// The certificates and TLS versions of a site (its apex and www names too).
    Tls {
        /// The site's address, e.g. `https://acme.example` (a bare name means `https://NAME/`).
        url: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// HTTPS redirects, HSTS, security headers, cookies, mixed content, the CDN edge and forgotten
    /// subdomains of a site.
    Http {
        /// The site's address, e.g. `https://acme.example` (a bare name means `https://NAME/`).
        url: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Auth, object access, CORS, errors, rate limits and latency of an API.
    Api {
        /// The target file: addresses, routes, and the names of the variables holding test tokens.
        #[arg(long, value_name = "T.toml")]
        target: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Leaked credentials in a repository checkout and its history.
    Secrets { path: PathBuf },
    /// Leaked credentials in what a web app serves to browsers.
    Bundle { url: String },
    /// SPF/DKIM/DMARC results in a received email's headers (.eml, or headers pasted into a
    /// file; `-` reads standard input).
    Message {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

impl Global {
    /// Whether colour may be used: not with --no-color, not when `NO_COLOR` is set.
    pub fn color(&self) -> bool {
        !self.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    }
}

/// A command whose capability belongs to later work: a clear refusal, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{what} is not available yet in this version of launchready")]
pub struct Unavailable {
    pub what: &'static str,
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Needs no checklist: a broken --checklist file must not stop a shell from completing.
    if let Some(Command::Completions { shell }) = &cli.command {
        return completions(*shell, &mut std::io::stdout().lock());
    }
    let catalog = match &cli.global.checklist {
        Some(path) => Catalog::with_file(path)?,
        None => Catalog::builtin()?,
    };
    let Some(command) = cli.command else {
        return wizard(&cli.global, catalog, cli.target.as_deref());
    };
    if let Some(target) = &cli.target {
        return Err(InputError::file(
            target.display().to_string(),
            "--target before a command opens the wizard, so it cannot go with a command",
            "put it after the command (launchready scan --target T.toml), or leave the command out",
        )
        .into());
    }
    let mut out = std::io::stdout().lock();
    match command {
        Command::Demo { serve } => demo(&cli.global, catalog, serve, &mut out),
        Command::Scan {
            target,
            targets,
            answers,
            vertical,
            format,
            out: folder,
            brand,
        } => {
            let job = report::Job::new(&format, folder, &brand)?;
            match (target, targets) {
                (Some(target), _) => report::scan(
                    &cli.global,
                    &catalog,
                    &target,
                    answers.as_deref(),
                    vertical.as_deref(),
                    &job,
                    &mut out,
                ),
                (None, Some(dir)) => {
                    report::scan_folder(&cli.global, &catalog, &dir, vertical.as_deref(), &job, &mut out)
                }
                (None, None) => unreachable!("clap requires --target or --targets"),
            }
        }
        Command::Report {
            assessment,
            format,
            out: folder,
            since,
            brand,
        } => {
            let job = report::Job::new(&format, folder, &brand)?;
            report::report(&catalog, &assessment, since.as_deref(), &job, &mut out)
        }
        Command::Diff { old, new, format } => report::diff(&catalog, &old, &new, format, &mut out),
        Command::Probe(ProbeCommand::Email {
            domain,
            dkim_selectors,
            vertical,
            format,
        }) => probe_email(
            &cli.global,
            &catalog,
            &domain,
            dkim_selectors,
            vertical.as_deref(),
            format,
            &mut out,
        ),
        Command::Probe(ProbeCommand::Api { target, format }) => {
            probe_api(&cli.global, &catalog, &target, format, &mut out)
        }
        Command::Probe(ProbeCommand::Message { file, format }) => probe_message(&cli.global, &file, format, &mut out),
        Command::Probe(ProbeCommand::Tls { url, format }) => {
            probe_web(&cli.global, &url, &[Family::Tls], format, &mut out)
        }
        Command::Probe(ProbeCommand::Http { url, format }) => probe_web(
            &cli.global,
            &url,
            &[Family::Http, Family::Edge, Family::Dns],
            format,
            &mut out,
        ),
        Command::Completions { shell } => completions(shell, &mut out),
        Command::Probe(_) => Err(Unavailable {
            what: "`launchready probe`",
        }
        .into()),
        Command::Checklists(ChecklistsCommand::List) => {
            write_list(&mut out, &catalog)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Checklists(ChecklistsCommand::Show { vertical, format }) => {
            let checklist = catalog.require(&vertical)?;
            match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, checklist)?;
                    writeln!(out)?;
                }
                Format::Text => write_show(&mut out, checklist)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Checklists(ChecklistsCommand::Validate { path }) => {
            let checked = match &path {
                Some(p) => checklist::validate_path(p)?,
                None => catalog.all().to_vec(),
            };
            for c in &checked {
                writeln!(out, "ok  {:<14} {:>3} items  {}", c.id, c.items.len(), c.origin)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Assessments(AssessmentsCommand::List { client }) => {
            let store = store(&cli.global)?;
            let listed = store.list()?;
            write_assessments(&mut out, &listed, &catalog, client.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn store(global: &Global) -> anyhow::Result<Store> {
    match &global.data_dir {
        Some(dir) => Ok(Store::new(dir.clone())),
        None => Store::platform().context("cannot find a data folder for this user; pass --data-dir DIR"),
    }
}

fn write_list(out: &mut impl Write, catalog: &Catalog) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<14} {:<34} {:<22} {:>5} {:>8} {:>9} {:>9}",
        "ID", "BUSINESS", "READY FOR", "ITEMS", "BLOCKERS", "AUTOMATED", "QUESTIONS"
    )?;
    for c in catalog.all() {
        let blockers = c
            .items
            .iter()
            .filter(|i| i.severity == checklist::Severity::Blocker)
            .count();
        let automated = c.items.iter().filter(|i| !i.checks.is_empty()).count();
        let questions = c.items.iter().filter(|i| i.question.is_some()).count();
        writeln!(
            out,
            "{:<14} {:<34} {:<22} {:>5} {:>8} {:>9} {:>9}",
            c.id,
            c.business,
            c.ready_for,
            c.items.len(),
            blockers,
            automated,
            questions
        )?;
    }
    Ok(())
}

fn write_show(out: &mut impl Write, c: &Checklist) -> std::io::Result<()> {
    const WIDTH: usize = 92;
    writeln!(out, "{} — {}, ready for {}", c.id, c.business, c.ready_for)?;
    writeln!(out)?;
    wrap(out, &c.summary, "", WIDTH)?;
    writeln!(out)?;
    writeln!(out, "WHAT READY MEANS")?;
    for r in &c.ready {
        wrap(out, &r.text, "  - ", WIDTH)?;
    }
    if let Some(rule) = &c.pause_rule {
        writeln!(out)?;
        wrap(out, rule, "Pause rule: ", WIDTH)?;
    }
    if !c.thresholds.is_empty() {
        writeln!(out)?;
        writeln!(out, "THRESHOLDS")?;
        for t in &c.thresholds {
            let value = match &t.value {
                checklist::ThresholdValue::Number(n) => format!("{n} {}", unit_label(t.unit)).trim_end().to_string(),
                checklist::ThresholdValue::Text(s) => s.clone(),
            };
            let scope = match (&t.per, t.window_minutes) {
                (Some(per), Some(w)) => format!(" per {per} per {w} min"),
                (Some(per), None) => format!(" per {per}"),
                (None, Some(w)) => format!(" per {w} min"),
                (None, None) => String::new(),
            };
            writeln!(out, "  {}: {value}{scope}", t.id)?;
            wrap(out, &t.text, "      ", WIDTH)?;
        }
    }
    for area in Area::ALL {
        let items: Vec<_> = c.items.iter().filter(|i| i.area == area).collect();
        if items.is_empty() {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", area.label().to_uppercase())?;
        for i in items {
            writeln!(out, "  [{}] {}  ({})", i.severity, i.title, i.id)?;
            wrap(out, &i.pass, "      pass: ", WIDTH)?;
            if !i.checks.is_empty() {
                wrap(out, &i.checks.join(", "), "      automated: ", WIDTH)?;
            }
            if let Some(q) = &i.question {
                wrap(out, &q.text, "      question: ", WIDTH)?;
            }
            if let Some(e) = &i.emphasis {
                wrap(out, e, "      here: ", WIDTH)?;
            }
        }
    }
    if !c.red_flags.is_empty() {
        writeln!(out)?;
        writeln!(out, "RED FLAGS (call in a senior engineer)")?;
        for f in &c.red_flags {
            wrap(out, &format!("{}: {}", f.title, f.text), "  - ", WIDTH)?;
        }
    }
    if !c.diy.is_empty() {
        writeln!(out)?;
        writeln!(out, "FIXES YOU CAN DO TODAY")?;
        for d in &c.diy {
            wrap(out, &format!("{}: {}", d.title, d.text), "  - ", WIDTH)?;
            for e in &d.examples {
                writeln!(out, "        {e}")?;
            }
        }
    }
    writeln!(out)?;
    writeln!(out, "TIMELINE")?;
    for p in &c.phases {
        let hours = p.hours.map(|[a, b]| format!("hours {a}-{b}: ")).unwrap_or_default();
        wrap(out, &format!("{hours}{} — {}", p.title, p.text), "  - ", WIDTH)?;
    }
    if !c.deliverables.is_empty() {
        writeln!(out)?;
        writeln!(out, "DELIVERABLES")?;
        for d in &c.deliverables {
            let hours = d.hours.map(|[a, b]| format!(" (hours {a}-{b})")).unwrap_or_default();
            writeln!(out, "  - {}{hours}", d.title)?;
        }
    }
    Ok(())
}

fn unit_label(unit: checklist::Unit) -> &'static str {
    use checklist::Unit;
    match unit {
        Unit::Ms => "ms",
        Unit::S => "s",
        Unit::Minutes => "minutes",
        Unit::Hours => "hours",
        Unit::Days => "days",
        Unit::Count | Unit::Policy => "",
        Unit::Ratio => "(ratio)",
        Unit::Percent => "%",
    }
}

/// Writes `text` word-wrapped to `width`, the first line after `lead`, the rest indented to match.
fn wrap(out: &mut impl Write, text: &str, lead: &str, width: usize) -> std::io::Result<()> {
    let indent = " ".repeat(lead.chars().count());
    let mut line = lead.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            writeln!(out, "{line}")?;
            line.clone_from(&indent);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    writeln!(out, "{line}")
}

fn write_assessments(
    out: &mut impl Write,
    listed: &[assessment::Listed],
    catalog: &Catalog,
    client: Option<&str>,
) -> std::io::Result<()> {
    let shown: Vec<_> = listed
        .iter()
        .filter(|l| {
            client.is_none()
                || l.assessment
                    .as_ref()
                    .is_ok_and(|a| a.target.product.client.as_deref() == client)
        })
        .collect();
    if shown.is_empty() {
        writeln!(out, "No saved assessments yet.")?;
        return Ok(());
    }
    let mut current: Option<Option<&str>> = None;
    for l in shown {
        let a = match &l.assessment {
            Ok(a) => a,
            Err(problem) => {
                writeln!(
                    out,
                    "  (unreadable) {}",
                    problem.to_string().lines().next().unwrap_or_default()
                )?;
                continue;
            }
        };
        let group = a.target.product.client.as_deref();
        if current != Some(group) {
            writeln!(out, "{}", group.unwrap_or("(no client)"))?;
            current = Some(group);
        }
        let (progress, verdict) = match catalog.get(&a.checklist.id) {
            Some(c) => {
                let card = score::score(c, a);
                let total = card.items.len();
                let decided = total - card.counts.open;
                (format!("{decided}/{total} decided"), card.verdict.label())
            }
            None => ("?".to_string(), "unknown checklist"),
        };
        writeln!(
            out,
            "  {:<24} {:<13} {:<21} {:<16} {:<16} {}",
            a.target.product.name,
            a.checklist.id,
            a.updated,
            progress,
            verdict,
            l.path.display()
        )?;
    }
    Ok(())
}

/// Writes the completion script of `shell` for every command and option.
fn completions(shell: Shell, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell.generator(), &mut command, "launchready", out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The probe context from the global options, validated.
fn probe_ctx(global: &Global) -> Result<ProbeCtx, InputError> {
    let mut ctx = ProbeCtx::default();
    for pin in &global.resolve {
        ctx.pins.push(crate::probe::net::parse_pin(pin).ok_or_else(|| {
            InputError::file(
                "--resolve",
                format!("`{pin}` is not HOST:IP"),
                "pin a name to an address, e.g. --resolve acme.example:203.0.113.7",
            )
        })?);
    }
    for rule in &global.connect_to {
        ctx.connect_to
            .push(crate::probe::net::ConnectTo::parse(rule).ok_or_else(|| {
                InputError::file(
                    "--connect-to",
                    format!("`{rule}` is not HOST:PORT:IP:PORT"),
                    "e.g. --connect-to acme.example:443:127.0.0.1:8443",
                )
            })?);
    }
    if let Some(path) = &global.ca_file {
        ctx.extra_roots = read_ca_file(path)?;
    }
    if let Some(resolver) = &global.resolver {
        ctx.resolver = Some(parse_resolver(resolver).ok_or_else(|| {
            InputError::file(
                "--resolver",
                format!("`{resolver}` is not a DNS server address"),
                "give an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53",
            )
        })?);
    }
    if let Some(secs) = global.timeout {
        if !(secs.is_finite() && secs > 0.0 && secs <= 300.0) {
            return Err(InputError::file(
                "--timeout",
                format!("`{secs}` is not a usable timeout"),
                "give seconds between 0.1 and 300, e.g. --timeout 5",
            ));
        }
        ctx.timeout = Duration::from_secs_f64(secs);
    }
    Ok(ctx)
}

/// The certificates of a PEM file of trusted roots (`--ca-file`), at least one.
fn read_ca_file(path: &Path) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, InputError> {
    use rustls::pki_types::pem::PemObject;
    const MAX: u64 = 4 * 1024 * 1024;
    let name = path.display().to_string();
    let bytes = crate::fsio::read_capped(path, MAX).map_err(|e| {
        InputError::file(
            &name,
            format!("cannot read the CA file: {e}"),
            "check the path given to --ca-file",
        )
    })?;
    if bytes.len() as u64 > MAX {
        return Err(InputError::file(
            &name,
            "the CA file is over 4 MiB",
            "give a PEM file of root certificates",
        ));
    }
    let mut certs = Vec::new();
    for (i, cert) in rustls::pki_types::CertificateDer::pem_slice_iter(&bytes).enumerate() {
        match cert {
            Ok(cert) => {
                if let Err(e) = rustls::RootCertStore::empty().add(cert.clone()) {
                    return Err(InputError::file(
                        &name,
                        format!("certificate {} is not a usable root certificate: {e}", i + 1),
                        "give the CA's own certificate in PEM form",
                    ));
                }
                certs.push(cert);
            }
            Err(e) => {
                return Err(InputError::file(
                    &name,
                    format!("certificate {} cannot be read: {e}", i + 1),
                    "give PEM certificates (-----BEGIN CERTIFICATE-----)",
                ));
            }
        }
    }
    if certs.is_empty() {
        return Err(InputError::file(
            &name,
            "no certificate in the file",
            "give PEM certificates (-----BEGIN CERTIFICATE-----), e.g. your company's root CA",
        ));
    }
    Ok(certs)
}

/// `IP`, `IP:PORT` or `[IPv6]:PORT`; port 53 when none is given.
pub fn parse_resolver(text: &str) -> Option<SocketAddr> {
    text.parse::<SocketAddr>()
        .ok()
        .or_else(|| text.parse::<IpAddr>().ok().map(|ip| SocketAddr::new(ip, 53)))
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn probe_email(
    global: &Global,
    catalog: &Catalog,
    domain: &str,
    selectors: Vec<String>,
    vertical: Option<&str>,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    if let Err(why) = crate::target::check_domain(&domain) {
        return Err(InputError::file(
            "launchready probe email",
            format!("`{domain}` is not a domain name: {why}"),
            "give just the domain, e.g. launchready probe email acme.example",
        )
        .into());
    }
    let min_dmarc_policy = match vertical {
        Some(v) => email::EmailOptions::for_checklist(catalog.require(v)?).min_dmarc_policy,
        None => None,
    };
    let ctx = probe_ctx(global)?;
    let options = email::EmailOptions {
        selectors,
        min_dmarc_policy,
    };
    let target = crate::target::TargetFile {
        product: crate::target::Product {
            name: domain.clone(),
            vertical: vertical.unwrap_or_default().to_string(),
            client: None,
        },
        target: crate::target::Target {
            domain: Some(domain.clone()),
            ..crate::target::Target::default()
        },
        auth: crate::target::Auth::default(),
        active: crate::target::Active::default(),
    };
    let env = Env::with(&ctx, &target, Tokens::default(), options, ApiOptions::default());
    let results = run_family(&target, &env, |c| c.family == Family::Email || c.id == "dns.caa")?;
    let shown = serde_json::json!({ "domain": domain });
    write_results(out, &shown, &results, format, global)?;
    Ok(ExitCode::SUCCESS)
}

/// Every check of the two families through the probe engine, in report order.
fn run_family(
    target: &crate::target::TargetFile,
    env: &Env,
    keep: impl Fn(&Check) -> bool,
) -> anyhow::Result<Vec<ProbeResult>> {
    let checks: Vec<&'static Check> = registry::CHECKS.iter().filter(|c| keep(c)).collect();
    let progress = progress::Progress::new(checks.len());
    let results = runtime()?.block_on(progress.run(&target.product.name, target, env, &checks));
    progress.finish();
    Ok(results)
}

/// `probe tls URL` and `probe http URL`: the web checks of `families` against one site.
fn probe_web(
    global: &Global,
    url: &str,
    families: &[Family],
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let address = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}/")
    };
    let parsed = url::Url::parse(&address)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()));
    let Some(parsed) = parsed else {
        return Err(InputError::file(
            "launchready probe",
            format!("`{url}` is not a web address"),
            "give the site's address, e.g. https://acme.example",
        )
        .into());
    };
    let ctx = probe_ctx(global)?;
    let host = parsed.host_str().unwrap_or_default().to_string();
    let target = crate::target::TargetFile {
        product: crate::target::Product {
            name: host,
            vertical: String::new(),
            client: None,
        },
        target: crate::target::Target {
            app_url: Some(parsed.to_string()),
            ..crate::target::Target::default()
        },
        auth: crate::target::Auth::default(),
        active: crate::target::Active::default(),
    };
    let env = Env::with(
        &ctx,
        &target,
        Tokens::default(),
        email::EmailOptions::default(),
        ApiOptions::default(),
    );
    let results = run_family(&target, &env, |c| {
        families.contains(&c.family) && matches!(c.run, crate::probe::registry::Runner::Web(_))
    })?;
    let shown = serde_json::json!({ "url": parsed.to_string() });
    write_results(out, &shown, &results, format, global)?;
    Ok(ExitCode::SUCCESS)
}

fn probe_api(
    global: &Global,
    catalog: &Catalog,
    path: &Path,
    format: Format,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let ids: Vec<&str> = catalog.all().iter().map(|c| c.id.as_str()).collect();
    let target = crate::target::TargetFile::load(path, &ids)?;
    let checklist = catalog.require(&target.product.vertical)?;
    let ctx = probe_ctx(global)?;
    // Tokens are read from the environment here and live only in memory.
    let env = Env::new(&ctx, &target, checklist, None);
    if let Err(why) = &env.http {
        anyhow::bail!("{why}");
    }
    let results = run_family(&target, &env, |c| c.family == Family::Api)?;
    let shown = serde_json::json!({ "api_base": target.target.api_base, "app_url": target.target.app_url });
    write_results(out, &shown, &results, format, global)?;
    Ok(ExitCode::SUCCESS)
}

fn probe_message(global: &Global, file: &Path, format: Format, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    const MAX: u64 = 1024 * 1024;
    let name = file.display().to_string();
    let bytes = if name == "-" {
        crate::fsio::read_at_most(std::io::stdin().lock(), MAX).context("cannot read standard input")?
    } else {
        let len = std::fs::metadata(file)
            .map_err(|e| InputError::file(&name, format!("cannot read the file: {e}"), "check the path"))?
            .len();
        if len > MAX {
            return Err(InputError::file(
                &name,
                format!("the file is {len} bytes; email headers over 1 MiB are refused"),
                "save only the message's headers, or the .eml file itself",
            )
            .into());
        }
        crate::fsio::read_capped(file, MAX).map_err(|e| {
            InputError::file(
                &name,
                format!("cannot read the file: {e}"),
                "check the path and permissions",
            )
        })?
    };
    if bytes.len() as u64 > MAX {
        return Err(InputError::file(&name, "more than 1 MiB of input", "paste only the message's headers").into());
    }
    let text = String::from_utf8_lossy(&bytes);
    let result = message::check(&text);
    let target = serde_json::json!({ "message": name });
    write_results(out, &target, std::slice::from_ref(&result), format, global)?;
    Ok(ExitCode::SUCCESS)
}

/// Prints probe results: DESIGN.md's JSON shape, or text for a person.
fn write_results(
    out: &mut impl Write,
    target: &serde_json::Value,
    results: &[ProbeResult],
    format: Format,
    global: &Global,
) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let checks: Vec<serde_json::Value> = results
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id, "status": r.status, "title": r.title, "summary": r.summary,
                        "evidence": r.evidence, "fix": r.fix,
                    })
                })
                .collect();
            let tool = crate::assessment::Tool::current();
            let doc = serde_json::json!({ "tool": { "name": tool.name, "version": tool.version }, "target": target, "checks": checks });
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Text => {
            let color = global.color() && std::io::stdout().is_terminal();
            for r in &results.iter().map(printable_result).collect::<Vec<_>>() {
                let symbol = r.status.symbol();
                let paint = match r.status {
                    Status::Pass => "32",
                    Status::Warn => "33",
                    Status::Fail => "31",
                    Status::Error => "35",
                    Status::Skipped => "2",
                };
                let label = format!("{symbol} {:<5}", r.status.label().to_uppercase());
                let label = if color {
                    format!("\x1b[1;{paint}m{label}\x1b[0m")
                } else {
                    label
                };
                writeln!(out, "{label} {}  ({})", r.title, r.id)?;
                wrap(out, &r.summary, "        ", 100)?;
                for e in &r.evidence {
                    if e.value.contains('\n') {
                        writeln!(out, "        {}:", e.label)?;
                        for line in e.value.lines() {
                            writeln!(out, "          {line}")?;
                        }
                    } else {
                        writeln!(out, "        {}: {}", e.label, e.value)?;
                    }
                }
                if let Some(fix) = &r.fix
                    && r.status != Status::Pass
                {
                    wrap(out, fix, "        fix: ", 100)?;
                }
                writeln!(out)?;
            }
        }
    }
    Ok(())
}

/// `launchready demo`: the practice target on loopback, flawed and good side by side, and the
/// wizard pointed at the flawed one with its fake tokens in memory.
fn demo(global: &Global, catalog: Catalog, serve: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    use crate::demo::{self, Flavour};
    let rt = runtime()?;
    let (flawed, good) =
        rt.block_on(async { anyhow::Ok((demo::start(Flavour::Flawed).await?, demo::start(Flavour::Good).await?)) })?;
    if serve {
        write!(out, "{}", demo::target_toml(&flawed, &good))?;
        out.flush()?;
        rt.block_on(tokio::signal::ctrl_c())?;
        return Ok(ExitCode::SUCCESS);
    }
    require_terminal()?;
    let target = demo::target_file(&flawed);
    let mut app = crate::tui::App::new(catalog, store(global)?);
    app.prefill(&target);
    let tokens = crate::probe::api::Tokens {
        a: Some(demo::TOKEN_A.to_string()),
        b: Some(demo::TOKEN_B.to_string()),
        low: Some(demo::TOKEN_LOW.to_string()),
        ..Default::default()
    };
    // The flawed target's CA and "port 80"; the good one's CA too, for a user who points the
    // wizard at it instead.
    let mut ctx = demo::probe_ctx(&flawed, probe_ctx(global)?);
    ctx.extra_roots.push(good.ca.clone());
    let options = crate::tui::Options {
        ctx,
        color: global.color(),
        tokens: Some(tokens),
    };
    rt.block_on(crate::tui::run(app, options))?;
    drop((flawed, good));
    Ok(ExitCode::SUCCESS)
}

fn require_terminal() -> Result<(), InputError> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(InputError::file(
        "launchready",
        "the wizard needs a terminal, and this is not one",
        "run it in a terminal window; `launchready demo --serve` serves the practice target for scripts",
    ))
}

/// `launchready` with no command: the wizard, in a real terminal only; with `--target`, its
/// form filled in from the file (read first, so a broken file says so even without a terminal).
fn wizard(global: &Global, catalog: Catalog, target: Option<&Path>) -> anyhow::Result<ExitCode> {
    let target = match target {
        Some(path) => {
            let ids: Vec<&str> = catalog.all().iter().map(|c| c.id.as_str()).collect();
            Some(crate::target::TargetFile::load(path, &ids)?)
        }
        None => None,
    };
    require_terminal()?;
    let ctx = probe_ctx(global)?;
    let store = store(global)?;
    let mut app = crate::tui::App::new(catalog, store);
    if let Some(target) = &target {
        app.prefill(target);
    }
    let options = crate::tui::Options {
        ctx,
        color: global.color(),
        tokens: None,
    };
    runtime()?.block_on(crate::tui::run(app, options))?;
    Ok(ExitCode::SUCCESS)
}

/// A result whose text is safe to print: control characters (which a hostile DNS record or
/// server could use to drive the terminal) are shown as `\u{…}`, newlines kept.
fn printable_result(r: &ProbeResult) -> ProbeResult {
    let clean = |t: &str| -> String {
        t.chars()
            .map(|c| {
                if c.is_control() && c != '\n' {
                    format!("\\u{{{:x}}}", u32::from(c))
                } else {
                    c.to_string()
                }
            })
            .collect()
    };
    let mut r = r.clone();
    r.title = clean(&r.title);
    r.summary = clean(&r.summary);
    r.fix = r.fix.as_deref().map(clean);
    for e in &mut r.evidence {
        e.label = clean(&e.label);
        e.value = clean(&e.value);
    }
    r
}
