//! The documented GitHub Actions workflow (docs/github-actions.yml) does what it says: its shell
//! steps, run here as the runner would run them, list the target files for the matrix, scan one
//! target per job into SARIF, and fail the job only after the upload when a blocker failed.

use std::path::Path;
use std::process::{Command, Output};

use launchready::demo::{self, Flavour};

const WORKFLOW: &str = include_str!("../docs/github-actions.yml");

/// One step of the workflow: its name, `env:` and `run:` script (steps that only `uses:` an
/// action have no script).
#[derive(Debug, Default)]
struct Step {
    name: String,
    env: Vec<(String, String)>,
    run: String,
    condition: String,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The steps of every job, read from the workflow by indentation (the file keeps to plain
/// block YAML, which is all this reads).
fn steps() -> Vec<Step> {
    let lines: Vec<&str> = WORKFLOW.lines().collect();
    let mut steps = vec![];
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        if !(trimmed.starts_with("- name:") || trimmed.starts_with("- uses:"))
            || !lines[..i].iter().any(|l| l.trim() == "steps:")
        {
            i += 1;
            continue;
        }
        let dash = indent(line);
        let mut step = Step::default();
        let mut body = vec![format!("{}{}", " ".repeat(dash + 2), &trimmed[2..])];
        i += 1;
        while i < lines.len() && (lines[i].trim().is_empty() || indent(lines[i]) > dash) {
            body.push(lines[i].to_string());
            i += 1;
        }
        let key_indent = dash + 2;
        let mut j = 0;
        while j < body.len() {
            let l = &body[j];
            if indent(l) == key_indent {
                let t = l.trim();
                if let Some(name) = t.strip_prefix("name: ") {
                    step.name = name.to_string();
                } else if let Some(c) = t.strip_prefix("if: ") {
                    step.condition = c.to_string();
                } else if t == "env:" {
                    j += 1;
                    while j < body.len() && (body[j].trim().is_empty() || indent(&body[j]) > key_indent) {
                        if let Some((k, v)) = body[j].trim().split_once(": ")
                            && !k.starts_with('#')
                        {
                            step.env.push((k.to_string(), v.to_string()));
                        }
                        j += 1;
                    }
                    continue;
                } else if t == "run: |" {
                    j += 1;
                    let mut script = String::new();
                    while j < body.len() && (body[j].trim().is_empty() || indent(&body[j]) > key_indent) {
                        script.push_str(body[j].get(key_indent + 2..).unwrap_or(""));
                        script.push('\n');
                        j += 1;
                    }
                    step.run = script;
                    continue;
                }
            }
            j += 1;
        }
        steps.push(step);
    }
    steps
}

fn step(name: &str) -> Step {
    steps()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("the workflow has a step `{name}`: {:#?}", steps()))
}

/// Runs a step's script with bash in `workspace`, as the runner does (`bash -e`), with the
/// built launchready first on the PATH and `vars` as the step's environment; returns the
/// outcome and what it wrote to `$GITHUB_OUTPUT`.
fn run(step: &Step, workspace: &Path, vars: &[(&str, &str)]) -> (Output, String) {
    // Each step (and each job) gets a fresh output file, as on the runner.
    let output_file = workspace.join(format!("github-output-{}", step.name.replace(' ', "-")));
    let _ = std::fs::remove_file(&output_file);
    let bin = Path::new(env!("CARGO_BIN_EXE_launchready")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", &step.run])
        .current_dir(workspace)
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output_file)
        .env("NO_COLOR", "1");
    for (k, v) in vars {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    let written = std::fs::read_to_string(&output_file).unwrap_or_default();
    (out, written)
}

fn output_value(written: &str, key: &str) -> Option<String> {
    written
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .map(str::to_string)
}

#[test]
fn the_workflow_is_a_matrix_with_sarif_upload_and_a_blocker_gate() {
    for needed in [
        "security-events: write",
        "fail-fast: false",
        "target: ${{ fromJSON(needs.targets.outputs.targets) }}",
        "uses: github/codeql-action/upload-sarif@v3",
        "uses: actions/upload-artifact@v4",
    ] {
        assert!(WORKFLOW.contains(needed), "the workflow lacks `{needed}`");
    }
    let names: Vec<String> = steps().into_iter().map(|s| s.name).collect();
    let at = |n: &str| {
        names
            .iter()
            .position(|x| x == n)
            .unwrap_or_else(|| panic!("{n}: {names:?}"))
    };
    // The upload comes before the gate, so a failed blocker still reaches code scanning.
    assert!(at("Scan") < at("Upload SARIF to code scanning"));
    assert!(at("Upload SARIF to code scanning") < at("Fail on a failed blocker"));
    assert!(step("Upload SARIF to code scanning").condition.starts_with("always()"));
    assert_eq!(
        step("Fail on a failed blocker").condition,
        "steps.scan.outputs.code == '1'"
    );
    assert!(step("Install launchready").run.contains("cargo install --locked"));
    let scan = step("Scan");
    assert!(
        scan.env
            .iter()
            .any(|(k, v)| k == "TARGET" && v == "${{ matrix.target }}")
    );
    assert!(
        scan.env
            .iter()
            .all(|(k, v)| k == "TARGET" || v.starts_with("${{ secrets.")),
        "tokens come from secrets"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_workflow_steps_scan_each_target_and_gate_on_blockers() {
    let flawed = demo::start(Flavour::Flawed).await.unwrap();
    let good = demo::start(Flavour::Good).await.unwrap();
    let workspace = tempfile::tempdir().unwrap();
    let targets = workspace.path().join("targets");
    std::fs::create_dir(&targets).unwrap();
    // Passive checks only, to keep the test short; the answers file is picked up beside it.
    let passive = |server: &demo::DemoServer| {
        let mut t = demo::target_file(server);
        t.active.allowed = false;
        t.to_toml().unwrap()
    };
    std::fs::write(targets.join("flawed.toml"), passive(&flawed)).unwrap();
    std::fs::write(targets.join("good.toml"), passive(&good)).unwrap();
    std::fs::write(
        targets.join("good.answers.toml"),
        "[[answer]]\nitem = \"deploy.rollback\"\nanswer = \"yes\"\nnote = \"Tested last week.\"\n",
    )
    .unwrap();

    let (out, written) = run(&step("List the target files"), workspace.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        output_value(&written, "targets").as_deref(),
        Some(r#"["targets/flawed.toml","targets/good.toml"]"#),
        "the answers file is not a target"
    );
    let list: Vec<String> = serde_json::from_str(&output_value(&written, "targets").unwrap()).unwrap();

    let tokens = [
        (demo::TOKEN_A_ENV, demo::TOKEN_A),
        (demo::TOKEN_B_ENV, demo::TOKEN_B),
        (demo::TOKEN_LOW_ENV, demo::TOKEN_LOW),
    ];
    let mut codes = vec![];
    for target in &list {
        let mut vars = vec![("TARGET", target.as_str())];
        vars.extend(tokens);
        let (out, written) = run(&step("Scan"), workspace.path(), &vars);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            out.status.success(),
            "{target}: the scan step itself fails only on bad input: {stderr}"
        );
        let name = output_value(&written, "name").unwrap();
        let code = output_value(&written, "code").unwrap();
        let reports = workspace.path().join("reports").join(&name);
        let sarif: Vec<_> = std::fs::read_dir(&reports)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "sarif"))
            .collect();
        assert_eq!(sarif.len(), 1, "{target}: one SARIF file in {}", reports.display());
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif[0]).unwrap()).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        let text = String::from_utf8_lossy(&std::fs::read(&sarif[0]).unwrap()).into_owned();
        for (_, token) in tokens {
            assert!(!text.contains(token), "a token is in the SARIF of {target}");
        }
        codes.push((name, code));
    }
    assert_eq!(
        codes,
        vec![
            ("flawed".to_string(), "1".to_string()),
            ("good".to_string(), "0".to_string())
        ],
        "the flawed build fails a blocker, the good one does not"
    );

    // The gate: the flawed target's job goes red with its name; a broken file fails at the scan.
    let (out, _) = run(
        &step("Fail on a failed blocker"),
        workspace.path(),
        &[("NAME", "flawed")],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("::error::flawed: a blocker failed"));
    std::fs::write(targets.join("broken.toml"), "[product]\nname = 1\n").unwrap();
    let (out, written) = run(&step("Scan"), workspace.path(), &[("TARGET", "targets/broken.toml")]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(output_value(&written, "code").as_deref(), Some("2"));
}
