// Helpers shared by the seed-coverage modules. Each vertical's file keeps its own tables of seed
// rows; these look the checklist entries up and check them, with messages that name the seed row
// (`S3 Secret handling: item secrets.repo must cite S3`).

use std::sync::OnceLock;

use launchready::checklist::{Catalog, Checklist, Diy, Item, Ready, RedFlag, Severity, Threshold, Unit};

/// A seed row: its code (`S3`), its label in the seed, and the item ids that must carry it.
pub type Row = (&'static str, &'static str, &'static [&'static str]);

/// The built-in vertical `id`, from a catalog loaded once for all tests.
#[track_caller]
pub fn vertical(id: &str) -> &'static Checklist {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    let catalog = CATALOG.get_or_init(|| Catalog::builtin().expect("built-in checklists load"));
    let Some(v) = catalog.get(id) else {
        panic!("{id} vertical present")
    };
    v
}

pub fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// The header carries the seed's vertical id, business and goal.
#[track_caller]
pub fn assert_header(v: &Checklist, id: &str, business: &str, ready_for: &str) {
    assert_eq!(v.id, id, "I: vertical id");
    assert_eq!(v.business, business, "I: business");
    assert_eq!(v.ready_for, ready_for, "I: goal");
}

/// Item `id`, which the seed row `row` needs.
#[track_caller]
pub fn item<'a>(v: &'a Checklist, id: &str, row: &str) -> &'a Item {
    let Some(it) = v.item(id) else {
        panic!("{row}: item {id} must be part of the {} checklist", v.id)
    };
    it
}

/// Every item in `ids` exists and cites `code` in its `source`.
#[track_caller]
pub fn assert_cites(v: &Checklist, row: &str, code: &str, ids: &[&str]) {
    for id in ids {
        let it = item(v, id, row);
        assert!(
            it.source.iter().any(|s| s == code),
            "{row}: item {id} must cite {code} (cites {:?})",
            it.source
        );
    }
}

/// Every row is carried by its items, each citing the row's code.
#[track_caller]
pub fn assert_rows_cited(v: &Checklist, rows: &[Row]) {
    for (code, title, ids) in rows {
        assert_cites(v, &format!("{code} {title}"), code, ids);
    }
}

/// A `[[ready]]`, `[[red_flag]]` or `[[diy]]` entry: it cites a seed code and lists items.
pub trait Entry {
    const TABLE: &'static str;
    fn id(&self) -> &str;
    fn source(&self) -> Option<&str>;
    fn items(&self) -> &[String];
    fn text(&self) -> &str;
}

/// Implements `Entry` for a table type with `id`, `text`, `items` and `source` fields.
macro_rules! impl_entry {
    ($($ty:ty => $table:literal),* $(,)?) => {$(
        impl Entry for $ty {
            const TABLE: &'static str = $table;
            fn id(&self) -> &str {
                &self.id
            }
            fn source(&self) -> Option<&str> {
                self.source.as_deref()
            }
            fn items(&self) -> &[String] {
                &self.items
            }
            fn text(&self) -> &str {
                &self.text
            }
        }
    )*};
}

impl_entry!(Ready => "ready", RedFlag => "red_flag", Diy => "diy");

/// The entry of `entries` that cites `code`.
#[track_caller]
pub fn entry<'a, E: Entry>(entries: &'a [E], row: &str, code: &str) -> &'a E {
    let Some(e) = entries.iter().find(|e| e.source() == Some(code)) else {
        panic!("{row}: a [[{}]] entry must cite {code}", E::TABLE)
    };
    e
}

/// The text of the entry citing `code` mentions every word in `words`, ignoring case.
#[track_caller]
pub fn assert_entry_mentions<E: Entry>(entries: &[E], row: &str, code: &str, words: &[&str]) {
    let e = entry(entries, row, code);
    assert_mentions(row, &format!("[[{}]] {}", E::TABLE, e.id()), e.text(), words);
}

/// The entry citing `code` lists every item in `ids`, and each is part of the checklist.
#[track_caller]
pub fn assert_entry_lists<'a, E: Entry>(v: &Checklist, entries: &'a [E], row: &str, code: &str, ids: &[&str]) -> &'a E {
    let e = entry(entries, row, code);
    for id in ids {
        assert!(
            e.items().iter().any(|i| i == id),
            "{row}: [[{}]] {} must list item {id} (lists {:?})",
            E::TABLE,
            e.id(),
            e.items()
        );
        item(v, id, row);
    }
    e
}

/// For every row, an entry cites the row's code and lists the row's items.
#[track_caller]
pub fn assert_entry_rows<E: Entry>(v: &Checklist, entries: &[E], rows: &[Row]) {
    for (code, title, ids) in rows {
        assert_entry_lists(v, entries, &format!("{code} {title}"), code, ids);
    }
}

/// There are exactly `n` entries, as many as the seed has rows (`row` names them, `F1-F5`).
#[track_caller]
pub fn assert_entry_count<E: Entry>(entries: &[E], row: &str, n: usize) {
    assert_eq!(
        entries.len(),
        n,
        "{row}: the seed has exactly {n} [[{}]] entries",
        E::TABLE
    );
}

/// `assert_entry_rows`, and the seed's rows are all the entries there are.
#[track_caller]
pub fn assert_entries_exactly<E: Entry>(v: &Checklist, entries: &[E], row: &str, rows: &[Row]) {
    assert_entry_count(entries, row, rows.len());
    assert_entry_rows(v, entries, rows);
}

/// The DIY fix uses every threshold in `ids`, and the checklist defines each.
#[track_caller]
pub fn assert_diy_thresholds(v: &Checklist, fix: &Diy, row: &str, ids: &[&str]) {
    for t in ids {
        assert!(fix.thresholds.iter().any(|x| x == t), "{row}: must use threshold {t}");
        assert!(v.threshold(t).is_some(), "{row}: threshold {t} must be defined");
    }
}

/// Threshold `id`, which the seed row `row` sets.
#[track_caller]
pub fn threshold<'a>(v: &'a Checklist, row: &str, id: &str) -> &'a Threshold {
    let Some(t) = v.threshold(id) else {
        panic!("{row}: threshold {id} must be defined")
    };
    t
}

/// Threshold `id` is in `unit` and worth `number` of it.
#[track_caller]
pub fn assert_threshold<'a>(v: &'a Checklist, row: &str, id: &str, unit: Unit, number: f64) -> &'a Threshold {
    let t = threshold(v, row, id);
    assert_eq!(t.unit, unit, "{row}: {id} must be in {unit:?}");
    assert_eq!(t.number(), Some(number), "{row}: {id} must be {number}");
    t
}

/// Threshold `id` is a duration of `number` `unit`, which is `millis` ms.
#[track_caller]
pub fn assert_duration<'a>(
    v: &'a Checklist,
    row: &str,
    id: &str,
    unit: Unit,
    number: f64,
    millis: f64,
) -> &'a Threshold {
    let t = assert_threshold(v, row, id, unit, number);
    assert_eq!(t.millis(), Some(millis), "{row}: {id} must be {millis} ms");
    t
}

/// The seed gives no value for any threshold in `ids`: none may be invented.
#[track_caller]
pub fn assert_no_thresholds(v: &Checklist, row: &str, ids: &[&str]) {
    for id in ids {
        assert!(v.threshold(id).is_none(), "{row}: the seed gives no value for {id}");
    }
}

/// The `dmarc.min_policy` threshold: a policy word DMARC knows.
#[track_caller]
pub fn dmarc_policy<'a>(v: &'a Checklist, row: &str) -> &'a str {
    let t = threshold(v, row, "dmarc.min_policy");
    assert_eq!(t.unit, Unit::Policy, "{row}: dmarc.min_policy is a policy word");
    let policy = t.policy();
    assert!(
        matches!(policy, Some("none" | "quarantine" | "reject")),
        "{row}: dmarc.min_policy must be none, quarantine or reject (is {policy:?})"
    );
    policy.unwrap_or_default()
}

/// Some `[[note]]` cites `code` and mentions `word`, ignoring case (`""`: any note citing `code`).
pub fn note_cites(v: &Checklist, code: &str, word: &str) -> bool {
    v.notes
        .iter()
        .any(|n| n.source.as_deref() == Some(code) && lower(&n.text).contains(&lower(word)))
}

/// Some `[[note]]` mentions `word`, ignoring case.
pub fn notes_mention(v: &Checklist, word: &str) -> bool {
    v.notes.iter().any(|n| lower(&n.text).contains(&lower(word)))
}

/// `text` contains every word in `words`, as written.
#[track_caller]
pub fn assert_contains_all(row: &str, what: &str, text: &str, words: &[&str]) {
    for word in words {
        assert!(
            text.contains(word),
            "{row}: {what} must mention {word:?} (says {text:?})"
        );
    }
}

/// `text` mentions every word in `words`, ignoring case.
#[track_caller]
pub fn assert_mentions(row: &str, what: &str, text: &str, words: &[&str]) {
    let text = lower(text);
    for word in words {
        assert!(
            text.contains(&lower(word)),
            "{row}: {what} must mention {word:?} (says {text:?})"
        );
    }
}

/// The pass criteria of item `id` mention every word in `words`, ignoring case.
#[track_caller]
pub fn assert_pass_mentions(v: &Checklist, row: &str, id: &str, words: &[&str]) {
    let pass = &item(v, id, row).pass;
    assert_mentions(row, &format!("the pass criteria of {id}"), pass, words);
}

/// What an item tells the reader, lowercased: pass, fix, why, signal, method, emphasis and the
/// question.
pub fn item_text(it: &Item) -> String {
    let mut parts = vec![it.pass.clone(), it.fix.clone(), it.why.clone()];
    parts.extend(it.signal.clone());
    parts.extend(it.method.clone());
    parts.extend(it.emphasis.clone());
    if let Some(q) = &it.question {
        parts.extend([q.text.clone(), q.why.clone(), q.yes.clone()]);
    }
    lower(&parts.join("\n"))
}

/// Item `id` mentions every word in `words` in what it tells the reader (see `item_text`).
#[track_caller]
pub fn assert_item_mentions(v: &Checklist, row: &str, id: &str, words: &[&str]) {
    let text = item_text(item(v, id, row));
    assert_mentions(row, &format!("item {id}"), &text, words);
}

/// Item `id` mentions every word in `words` anywhere: its title, what breaks, or `item_text`, so
/// a seed detail may live in whichever key fits it best.
#[track_caller]
pub fn assert_item_says(v: &Checklist, row: &str, id: &str, words: &[&str]) {
    let it = item(v, id, row);
    let text = [it.title.as_str(), it.breaks.as_str(), &item_text(it)].join("\n");
    assert_mentions(row, &format!("item {id}"), &text, words);
}

/// Item `id` has exactly the severity `want`.
#[track_caller]
pub fn assert_severity(v: &Checklist, row: &str, id: &str, want: Severity) {
    let got = item(v, id, row).severity;
    assert_eq!(got, want, "{row}: item {id} must be {want}");
}

/// Every `(row, item)` pair names a launch blocker.
#[track_caller]
pub fn assert_blockers(v: &Checklist, rows: &[(&str, &str)]) {
    for (row, id) in rows {
        assert_severity(v, row, id, Severity::Blocker);
    }
}

/// Item `id` is high or a blocker.
#[track_caller]
pub fn assert_high_or_blocker(v: &Checklist, row: &str, id: &str) {
    assert!(
        matches!(item(v, id, row).severity, Severity::Blocker | Severity::High),
        "{row}: item {id} must be high or blocker"
    );
}

/// Every `(row, item)` pair names an item that is high or a blocker.
#[track_caller]
pub fn assert_at_least_high(v: &Checklist, rows: &[(&str, &str)]) {
    for (row, id) in rows {
        assert_high_or_blocker(v, row, id);
    }
}
