//! The view of an item's status that the report model and the comparison of two assessments
//! share: [`StatusView`] (id, label and symbol, as every format shows it) and [`needs_work`].

use serde::Serialize;

use crate::score::ItemStatus;

/// An item's status as every format shows it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// `pass`, `warn`, `fail`, `error`, `unsure`, `not-applicable` or `open`.
    pub id: ItemStatus,
    pub label: String,
    /// A symbol that reads without colour.
    pub symbol: String,
}

impl From<ItemStatus> for StatusView {
    fn from(status: ItemStatus) -> StatusView {
        StatusView {
            id: status,
            label: status.label().to_string(),
            symbol: status.symbol().to_string(),
        }
    }
}

/// Whether an item needs work: it failed, warned, could not be checked or is unsure.
pub fn needs_work(status: ItemStatus) -> bool {
    matches!(
        status,
        ItemStatus::Fail | ItemStatus::Warn | ItemStatus::Error | ItemStatus::Unsure
    )
}
