//! Management locks: a level ARM knows, on a scope that exists. What a lock refuses is enforced
//! for every write and delete in the emulator's core (`locked_by`), as ARM enforces it before
//! any resource provider sees the request. Updatable: the level and the notes.

use super::{Context, TypeService, one_of, str_of};
use serde_json::Value as Json;
use sigform_azure::cloud::CloudError;
use sigform_azure::resources::management_lock::LEVELS;

pub(super) struct ManagementLock;

impl TypeService for ManagementLock {
    fn updatable(&self) -> &'static [&'static str] {
        &["/properties/level", "/properties/notes"]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        one_of(attrs, "lock_level", "properties.level", &LEVELS)?;
        if str_of(attrs, "lock_level").is_none() {
            return Err(super::invalid("a lock needs properties.level: CanNotDelete or ReadOnly"));
        }
        let scope = str_of(attrs, "scope").unwrap_or("");
        if (ctx.lookup)(scope).is_none() {
            return Err(CloudError::new(404, "ResourceNotFound", format!("the scope {scope} was not found")));
        }
        Ok(())
    }
}
