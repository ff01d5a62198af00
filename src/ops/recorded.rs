//! The state as evaluation and planning read it: empty when there is none yet, read once, and
//! asked by evaluation only when the configuration could need it (values Azure computed, data
//! sources that wait for what they read).

use crate::config::Sources;
use crate::state::{Location, Snapshot, StateError};

/// The state as the planner sees it: empty (serial 0, no lineage) when there is none yet.
/// Planning never creates a state.
pub fn read_state(location: &Location) -> Result<Snapshot, StateError> {
    match location.open(false) {
        Err(StateError::Missing(_)) => {
            Ok(Snapshot { lineage: String::new(), serial: 0, resources: Vec::new(), outputs: Vec::new() })
        }
        opened => opened?.snapshot(),
    }
}

/// The state as evaluation sees it: read the first time evaluation asks (a value Azure computed,
/// such as a gallery's `unique_name`, or whether what a data source reads exists yet), then
/// handed to the planner, so it is read once either way.
pub struct RecordedState<'a> {
    location: &'a Location,
    snapshot: std::sync::OnceLock<Result<Snapshot, StateError>>,
    /// Managed records by address, and the blocks (`TYPE.NAME`) they belong to.
    index: std::sync::OnceLock<(std::collections::HashMap<String, usize>, std::collections::HashSet<String>)>,
}

impl<'a> RecordedState<'a> {
    pub fn new(location: &'a Location) -> RecordedState<'a> {
        RecordedState { location, snapshot: std::sync::OnceLock::new(), index: std::sync::OnceLock::new() }
    }

    /// The state: as evaluation read it, or read now.
    pub fn into_snapshot(self) -> Result<Snapshot, StateError> {
        self.snapshot.into_inner().unwrap_or_else(|| read_state(self.location))
    }

    fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.get_or_init(|| read_state(self.location)).as_ref().ok()
    }

    #[allow(clippy::type_complexity)]
    fn index(&self) -> Option<&(std::collections::HashMap<String, usize>, std::collections::HashSet<String>)> {
        let snapshot = self.snapshot()?;
        Some(self.index.get_or_init(|| {
            let managed = snapshot.resources.iter().enumerate().filter(|(_, r)| r.mode == "managed");
            let by_address = managed.clone().map(|(i, r)| (r.address.clone(), i)).collect();
            let blocks = managed.map(|(_, r)| r.block().to_string()).collect();
            (by_address, blocks)
        }))
    }
}

/// Whether evaluation may need the state: the configuration reads a value Azure computes, has
/// data sources (which wait for what they read) or state-only resources (random values kept). Large configurations usually do neither, and
/// then the state is read after evaluation has freed the syntax trees, as memory wants.
pub fn evaluation_needs_state(sources: &Sources) -> bool {
    let computed: Vec<String> = sigform_azure::resources::RESOURCES
        .iter()
        .flat_map(|s| s.attrs.iter())
        .filter(|a| a.mutability == sigform_azure::schema::Mutability::Computed && a.name != "id")
        .map(|a| format!(".{}", a.name))
        .chain(
            // Computed inside a block (a community gallery's `name`): the block's name says it.
            sigform_azure::resources::RESOURCES
                .iter()
                .flat_map(|s| s.nested_computed())
                .filter_map(|(path, _)| path.last().map(|b| format!(".{b}"))),
        )
        .collect();
    // State-only resources keep the values they were given once (a random suffix).
    let local = |text: &str| text.contains("\"random_") || text.contains("\"terraform_data\"");
    sources.iter().any(|(_, f)| {
        f.text.contains("data \"") || local(&f.text) || computed.iter().any(|c| f.text.contains(c.as_str()))
    })
}

impl crate::eval::RecordedResolver for RecordedState<'_> {
    fn has_block(&self, block: &str) -> bool {
        self.index().is_some_and(|(_, blocks)| blocks.contains(block))
    }

    fn recorded(&self, address: &str) -> Option<(String, crate::model::value::Map)> {
        let record = &self.snapshot()?.resources[*self.index()?.0.get(address)?];
        match record.attributes.to_model() {
            crate::model::value::Value::Map(attrs) => Some((record.id.clone(), attrs)),
            _ => None,
        }
    }
}
