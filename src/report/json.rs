//! The JSON report: the whole report model (docs/report-json.md), for other tools.

use crate::report::model::Report;

/// The report model as pretty JSON, ending in a newline.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report model always serialises");
    text.push('\n');
    text
}
