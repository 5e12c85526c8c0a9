//! The checklists: the built-in verticals against their seeds (one module per vertical), and
//! every validation error reported at the right `file:line:column`.

#[path = "seeds/b2b_service.rs"]
mod b2b_service;
#[path = "seeds/coaching.rs"]
mod coaching;
#[path = "seeds/ecommerce.rs"]
mod ecommerce;
#[path = "seeds/internal_ops.rs"]
mod internal_ops;
#[path = "seeds/marketplace.rs"]
mod marketplace;
#[path = "seeds/support.rs"]
mod support;

use std::path::{Path, PathBuf};

use launchready::checklist::{self, Catalog, VERTICALS};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/checklists")
}

/// Validates `case` beside the fixture common file, as `checklists validate DIR` does.
fn validate_case(case: &Path) -> Result<Vec<checklist::Checklist>, launchready::diag::InputError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("common.toml"), dir.path().join("common.toml")).unwrap();
    std::fs::copy(case, dir.path().join("vertical.toml")).unwrap();
    checklist::validate_path(dir.path())
}

#[test]
fn builtin_checklists_load_and_cover_the_five_verticals() {
    let catalog = Catalog::builtin().unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = catalog.all().iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, VERTICALS);
    for c in catalog.all() {
        assert!(c.items.len() >= 20, "{} has only {} items", c.id, c.items.len());
        assert!(c.hash.starts_with("sha256:") && c.hash.len() == 71, "{}", c.hash);
        for item in &c.items {
            assert!(
                !item.checks.is_empty() || item.question.is_some(),
                "{}: {} has no way to be decided",
                c.id,
                item.id
            );
            assert!(c.phase(&item.phase).is_some(), "{}: {} is in no phase", c.id, item.id);
        }
        // Every vertical pauses the launch on an auth bypass and a tenant leak.
        for id in ["auth.required", "isolation.objects"] {
            let item = c.item(id).unwrap_or_else(|| panic!("{}: missing {id}", c.id));
            assert_eq!(item.severity, checklist::Severity::Blocker, "{}: {id}", c.id);
        }
    }
}

#[test]
fn hashes_differ_between_verticals_and_are_stable() {
    let a = Catalog::builtin().unwrap();
    let b = Catalog::builtin().unwrap();
    for (x, y) in a.all().iter().zip(b.all()) {
        assert_eq!(x.hash, y.hash);
    }
    let mut hashes: Vec<&str> = a.all().iter().map(|c| c.hash.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    assert_eq!(hashes.len(), 5);
}

#[test]
fn the_fixture_vertical_is_valid() {
    let checked = validate_case(&fixtures().join("good.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(checked[0].id, "tiny");
    assert_eq!(checked[0].items.len(), 2);
    // The common item was taken whole, with the vertical's source added.
    let auth = checked[0].item("auth.required").unwrap();
    assert_eq!(auth.source, ["S1"]);
    assert_eq!(auth.checks, ["api.auth_required"]);
}

/// Each file in fixtures/checklists/bad starts with `# expect: LINE:COL: message fragment`.
#[test]
fn every_validation_error_is_reported_at_its_place() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures().join("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 15,
        "expected the validation fixtures, found {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("first line: # expect: LINE:COL: fragment");
        let (place, fragment) = expect.split_once(": ").unwrap_or((expect.trim_end_matches(':'), ""));
        match validate_case(case) {
            Ok(_) => failures.push(format!("{}: accepted, expected an error", case.display())),
            Err(err) => {
                let got = err.to_string();
                let want_place = format!("vertical.toml:{place}: ");
                if !got.contains(&want_place) || !got.contains(fragment) || err.hint.is_empty() {
                    failures.push(format!(
                        "{}:\n  want {want_place}…{fragment}\n  got  {got}",
                        case.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_duplicate_in_common_is_reported_in_common() {
    let dir = tempfile::tempdir().unwrap();
    let common = std::fs::read_to_string(fixtures().join("common.toml")).unwrap();
    let doubled = common.replace("id = \"deploy.rollback\"", "id = \"auth.required\"");
    std::fs::write(dir.path().join("common.toml"), doubled).unwrap();
    std::fs::copy(fixtures().join("good.toml"), dir.path().join("vertical.toml")).unwrap();
    let err = checklist::validate_path(dir.path()).unwrap_err();
    assert!(err.file.ends_with("common.toml"), "{err}");
    assert_eq!(err.position, Some((16, 6)), "{err}");
    assert!(err.message.contains("duplicate item id `auth.required`"), "{err}");
}
