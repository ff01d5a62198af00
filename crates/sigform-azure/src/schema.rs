//! The vocabulary every resource type is described in: attribute and block schemas (type,
//! required, default, fixed or updatable after creation), the ARM wire mapping of a type, and
//! `ResourceType`, the one record of everything Azure Compute Gallery says about a type.
//!
//! The types themselves live one per module in [`crate::resources`]; this file only says what a
//! description is made of. The planner's forbidden-change rule (SIG501) and the emulator's own
//! `PropertyChangeNotAllowed` both read `Mutability` from those descriptions.

/// Whether an attribute can change after creation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// F: fixed; a different value is a forbidden change.
    Fixed,
    /// U: updatable in place.
    Updatable,
    /// Set by the service (`id`, `unique_name`); never written by the user.
    Computed,
    /// Read by sigform itself, never sent to Azure (e.g. `skip_service_principal_aad_check`).
    ClientOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    String,
    Number,
    Bool,
    /// map(string), e.g. `tags`.
    StringMap,
    /// set(string), e.g. `disk_types_not_allowed`: order does not matter.
    StringSet,
    /// Any value (`terraform_data`'s `input`).
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    None,
    Str(&'static str),
    Num(f64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy)]
pub struct AttrSchema {
    pub name: &'static str,
    pub ty: AttrType,
    pub required: bool,
    pub default: Default,
    pub mutability: Mutability,
    /// Left unset, the service fills it in (azurerm's Optional + Computed): an unset value in the
    /// configuration then means "whatever Azure chose", never a change.
    pub filled_by_service: bool,
    /// Updatable, but once set it cannot be removed: Azure keeps a value a write leaves out, so
    /// clearing it is a fixed change (azurerm replaces the resource for it).
    pub sticky: bool,
}

impl AttrSchema {
    pub const fn default(mut self, default: Default) -> AttrSchema {
        self.default = default;
        self
    }

    pub const fn filled_by_service(mut self) -> AttrSchema {
        self.filled_by_service = true;
        self
    }

    pub const fn sticky(mut self) -> AttrSchema {
        self.sticky = true;
        self
    }
}

pub(crate) const fn attr(name: &'static str, ty: AttrType, required: bool, mutability: Mutability) -> AttrSchema {
    AttrSchema { name, ty, required, default: Default::None, mutability, filled_by_service: false, sticky: false }
}

use AttrType::String as Str;
use Mutability::{Computed, Fixed, Updatable};

/// Required and fixed.
pub(crate) const fn req(name: &'static str) -> AttrSchema {
    attr(name, Str, true, Fixed)
}
/// Optional and fixed.
pub(crate) const fn fixed(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Fixed)
}
/// Optional and updatable.
pub(crate) const fn upd(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Updatable)
}
pub(crate) const fn computed(name: &'static str, ty: AttrType) -> AttrSchema {
    attr(name, ty, false, Computed)
}

#[derive(Debug, Clone, Copy)]
pub struct BlockSchema {
    pub name: &'static str,
    pub min: usize,
    /// 0 means unbounded.
    pub max: usize,
    /// Whether blocks may be added and removed after creation.
    pub mutability: Mutability,
    pub attrs: &'static [AttrSchema],
    /// The attribute that identifies a block among its siblings (target regions by `name`).
    pub key: Option<&'static str>,
    /// azurerm attributes of this block that sigform does not support yet.
    pub unsupported: &'static [&'static str],
    /// Blocks nested in this one (a gallery's `sharing { community_gallery { ... } }`).
    pub blocks: &'static [BlockSchema],
    /// An attribute value that makes the block the same as no block (`sharing { permission =
    /// "Private" }` is a gallery shared with nobody, which Azure may or may not report).
    pub absent_when: Option<(&'static str, &'static str)>,
}

/// What a resource is, independent of its azurerm type name. Everything known about a kind is
/// in its [`ResourceType`] (`kind.facts()`), one module per kind under [`crate::resources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ResourceKind {
    ResourceGroup,
    ManagedImage,
    /// A managed disk snapshot (a version's source; not managed by sigform).
    Snapshot,
    /// A storage account holding VHD blobs (a version's source; not managed by sigform).
    StorageAccount,
    Gallery,
    ImageDefinition,
    ImageVersion,
    /// A VM application of a gallery.
    GalleryApplication,
    /// A version of a VM application.
    GalleryApplicationVersion,
    RoleAssignment,
    /// A management lock (`CanNotDelete`, `ReadOnly`) on any scope.
    ManagementLock,
    /// A custom role definition.
    RoleDefinition,
    ClientConfig,
    /// State-only resources (`random_*`, `terraform_data`): nothing of them is in Azure.
    Local,
}

impl ResourceKind {
    /// Every kind, parents before children.
    pub const ALL: [ResourceKind; 14] = [
        ResourceKind::ResourceGroup,
        ResourceKind::ManagedImage,
        ResourceKind::Snapshot,
        ResourceKind::StorageAccount,
        ResourceKind::Gallery,
        ResourceKind::ImageDefinition,
        ResourceKind::ImageVersion,
        ResourceKind::GalleryApplication,
        ResourceKind::GalleryApplicationVersion,
        ResourceKind::RoleAssignment,
        ResourceKind::ManagementLock,
        ResourceKind::RoleDefinition,
        ResourceKind::ClientConfig,
        ResourceKind::Local,
    ];

    /// The kind's name as stored (`"ImageVersion"`); `from_name` is its inverse.
    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The kind a stored name names; `None` for anything else (never a guess).
    pub fn from_name(name: &str) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind whose managed azurerm resource type is `type_name`; `None` for any other type.
    pub fn of_resource_type(type_name: &str) -> Option<ResourceKind> {
        crate::resources::resource(type_name).map(|s| s.kind)
    }
}

/// How a value is carried between azurerm's attribute and ARM's JSON.
#[derive(Debug, Clone, Copy)]
pub enum Conv {
    Same,
    /// `specialized = true` ↔ `osState: "Specialized"`.
    OsState,
    /// A bool carried as an entry of ARM's name/value list at the pointer (an image definition's
    /// `features`): true writes `{name, value}`; read back, it is true when an entry of that name
    /// lists `marker` among its comma-separated values, case-insensitively
    /// (`disk_controller_type_nvme_enabled` ↔ `{"name": "DiskControllerTypes", "value": "SCSI, NVMe"}`).
    Feature {
        name: &'static str,
        value: &'static str,
        marker: &'static str,
    },
}

/// An attribute path (`/`-separated, numbers index lists) and the JSON pointer where ARM keeps it.
#[derive(Debug)]
pub struct Field(pub &'static str, pub &'static str, pub Conv);

/// A field carried as is.
pub(crate) const fn f(attr: &'static str, arm: &'static str) -> Field {
    Field(attr, arm, Conv::Same)
}

/// A repeated block carried as an ARM list (target regions ↔ `publishingProfile.targetRegions`).
#[derive(Debug)]
pub struct WireList {
    /// The azurerm block name.
    pub block: &'static str,
    /// Where ARM keeps the list.
    pub pointer: &'static str,
    /// Each entry's fields, relative to the entry.
    pub fields: &'static [Field],
}

/// How a type's ARM id is made.
#[derive(Debug)]
pub enum IdShape {
    /// `/subscriptions/S/resourceGroups/{name}`.
    ResourceGroup,
    /// `/subscriptions/S/resourceGroups/{resource_group_name}/providers/{provider}/` then, per
    /// segment, `{type}/{value of the attribute}`: a gallery is `[("galleries", "name")]`, a
    /// version `[("galleries", "gallery_name"), ("images", "image_name"), ("versions", "name")]`.
    InResourceGroup { provider: &'static str, segments: &'static [(&'static str, &'static str)] },
    /// `{scope}/providers/{provider}/{type}/{value of name_attr}`: an extension resource on any
    /// scope (a role definition's last segment is its `role_definition_id`, not its `name`).
    Extension { provider: &'static str, type_segment: &'static str, name_attr: &'static str },
    /// Not an ARM resource.
    None,
}

/// Everything Azure Compute Gallery says about one resource type: its azurerm resource and data
/// source schemas, its ARM type and api-version, how its attributes travel on the wire, and how
/// its id is made. (Quotas depend on the service profile: see `profiles`.) Each kind has exactly one, in its module under [`crate::resources`].
#[derive(Debug)]
pub struct ResourceType {
    pub kind: ResourceKind,
    /// The kind's stored name (the variant's name).
    pub name: &'static str,
    /// How people name it in messages ("image definition").
    pub noun: &'static str,
    /// The managed azurerm resource (`None` for data-only kinds such as the client config).
    pub resource: Option<&'static ResourceSchema>,
    /// The azurerm data source of the same name, if azurerm has one that sigform reads.
    pub data_source: Option<&'static ResourceSchema>,
    /// ARM's resource type, as in a response's `type`.
    pub arm_type: &'static str,
    /// The api-version the client sends: the newest stable one of its provider that sigform has
    /// been checked against.
    pub api_version: &'static str,
    /// Attribute ↔ ARM pointer pairs (besides `location` and `tags`, which every tracked resource has).
    pub wire: &'static [Field],
    /// A repeated block carried as an ARM list.
    pub wire_list: Option<WireList>,
    /// Whether ARM tracks it (has `location` and `tags`): everything but role assignments.
    pub tracked: bool,
    /// How its ARM id is made from its attributes (and parsed back).
    pub id: IdShape,
}

#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub kind: ResourceKind,
    pub attrs: &'static [AttrSchema],
    pub blocks: &'static [BlockSchema],
    /// azurerm arguments sigform does not support yet: rejected with "not supported yet".
    pub unsupported: &'static [&'static str],
}

impl ResourceSchema {
    /// The type's facts.
    pub fn facts(&self) -> &'static ResourceType {
        self.kind.facts()
    }

    pub fn attr(&self, name: &str) -> Option<&AttrSchema> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&BlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// The attributes Azure computes inside blocks that appear at most once (a community
    /// gallery's public `name`): each as the path of blocks that leads to it and its name.
    pub fn nested_computed(&self) -> Vec<(Vec<&'static str>, &'static str)> {
        fn walk(
            blocks: &'static [BlockSchema],
            path: &mut Vec<&'static str>,
            out: &mut Vec<(Vec<&'static str>, &'static str)>,
        ) {
            for b in blocks.iter().filter(|b| b.max == 1) {
                path.push(b.name);
                for a in b.attrs.iter().filter(|a| a.mutability == Mutability::Computed) {
                    out.push((path.clone(), a.name));
                }
                walk(b.blocks, path, out);
                path.pop();
            }
        }
        let mut out = Vec::new();
        walk(self.blocks, &mut Vec::new(), &mut out);
        out
    }
}

/// The JSON pointer of a nested attribute in azurerm's shape (`/sharing/0/community_gallery/0/name`).
pub fn nested_pointer(path: &[&str], attr: &str) -> String {
    let mut pointer = String::new();
    for block in path {
        pointer.push_str(&format!("/{block}/0"));
    }
    format!("{pointer}/{attr}")
}

pub(crate) const TAGS: AttrSchema = upd("tags", AttrType::StringMap);
pub(crate) const ID: AttrSchema = computed("id", Str);

/// The `timeouts` block azurerm accepts on every resource: accepted, its values are strings.
pub static TIMEOUTS: BlockSchema = BlockSchema {
    name: "timeouts",
    min: 0,
    max: 1,
    mutability: Mutability::ClientOnly,
    attrs: &[
        attr("create", Str, false, Mutability::ClientOnly),
        attr("read", Str, false, Mutability::ClientOnly),
        attr("update", Str, false, Mutability::ClientOnly),
        attr("delete", Str, false, Mutability::ClientOnly),
    ],
    key: None,
    unsupported: &[],
    blocks: &[],
    absent_when: None,
};
