//! `azurerm_management_lock` / `Microsoft.Authorization/locks`: a lock on a resource group, a
//! gallery, an image definition or an image version (any scope, as ARM allows). `CanNotDelete`
//! refuses deletes at the scope and below; `ReadOnly` refuses every write there too. ARM answers a
//! refused request with 409 `ScopeLocked`; `plan` says so first (SIG507). The level and the notes
//! are updatable in place — ARM's PUT changes them — where azurerm replaces the lock for either:
//! sigform follows Azure (a replacement would drop the protection for a moment).

use crate::schema::AttrType::String as Str;
use crate::schema::Mutability::Updatable;
use crate::schema::{ID, IdShape, ResourceKind, ResourceSchema, ResourceType, attr, f, req, upd};

/// The lock levels ARM knows.
pub const LEVELS: [&str; 2] = ["CanNotDelete", "ReadOnly"];

pub static RESOURCE: ResourceSchema = ResourceSchema {
    type_name: "azurerm_management_lock",
    kind: ResourceKind::ManagementLock,
    attrs: &[req("name"), req("scope"), attr("lock_level", Str, true, Updatable), upd("notes", Str), ID],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ManagementLock,
    name: "ManagementLock",
    noun: "management lock",
    resource: Some(&RESOURCE),
    data_source: None,
    arm_type: "Microsoft.Authorization/locks",
    api_version: "2020-05-01",
    wire: &[f("lock_level", "/properties/level"), f("notes", "/properties/notes")],
    wire_list: None,
    tracked: false,
    id: IdShape::Extension { provider: "Microsoft.Authorization", type_segment: "locks", name_attr: "name" },
};

/// Whether a lock of `level` at `scope` refuses a write (`delete` false) or a delete of `id`:
/// the lock covers its scope and everything below it.
pub fn refuses(scope: &str, level: &str, id: &str, delete: bool) -> bool {
    let (scope, id) = (scope.trim_end_matches('/').to_ascii_lowercase(), id.to_ascii_lowercase());
    let covered = id == scope || id.starts_with(&format!("{scope}/"));
    covered && (delete || level.eq_ignore_ascii_case("ReadOnly"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_lock_covers_its_scope_and_below() {
        let g = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g";
        let cases = [
            (g, "CanNotDelete", format!("{g}/images/i"), true, true),
            (g, "CanNotDelete", format!("{g}/images/i"), false, false),
            (g, "ReadOnly", format!("{g}/images/i"), false, true),
            (g, "ReadOnly", g.to_string(), true, true),
            (g, "ReadOnly", format!("{g}2"), true, false),
            (g, "ReadOnly", "/subscriptions/s/resourceGroups/rg".to_string(), true, false),
        ];
        for (scope, level, id, delete, want) in cases {
            assert_eq!(super::refuses(scope, level, &id, delete), want, "{level} {id} {delete}");
        }
    }
}
