//! `Microsoft.Compute/snapshots`: a managed disk snapshot, one of the three things an image
//! version can be built from (`os_disk_snapshot_id`). sigform does not manage snapshots (azurerm's
//! `azurerm_snapshot` stays refused: a disk pipeline owns them); the type is here so that ids
//! parse, the emulator can hold the snapshots a test or `emulator add-snapshot` makes, and a
//! version's source is checked as Azure checks it (same location, OS type, Hyper-V generation).

use crate::schema::{Field, IdShape, ResourceKind, ResourceType, f};

static WIRE: &[Field] = &[
    f("os_type", "/properties/osType"),
    f("hyper_v_generation", "/properties/hyperVGeneration"),
    f("disk_size_gb", "/properties/diskSizeGB"),
];

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::Snapshot,
    name: "Snapshot",
    noun: "snapshot",
    resource: None,
    data_source: None,
    arm_type: "Microsoft.Compute/snapshots",
    api_version: "2023-10-02",
    wire: WIRE,
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup { provider: "Microsoft.Compute", segments: &[("snapshots", "name")] },
};
