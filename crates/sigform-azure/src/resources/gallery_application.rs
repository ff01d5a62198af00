//! `azurerm_gallery_application` / `Microsoft.Compute/galleries/applications` and
//! `azurerm_gallery_application_version` / `.../applications/versions`: VM applications, which a
//! gallery holds and replicates as it does images — target regions, replica counts, end of life
//! and exclude-from-latest. Named by their parent's id (`gallery_id`,
//! `gallery_application_id`), as azurerm has them. An application's OS type is fixed; its
//! descriptive fields are updatable (clearing the end of life, privacy statement or release notes
//! is not: azurerm replaces for it). A version's package (`source`), scripts (`manage_action`)
//! and file names are fixed; its regions, health check, end of life and exclude-from-latest
//! change in place.

use crate::schema::AttrType::{Bool, Number, String as Str};
use crate::schema::Mutability::{Fixed, Updatable};
use crate::schema::{
    BlockSchema, Default, Field, ID, IdShape, ResourceKind, ResourceSchema, ResourceType, TAGS, WireList, attr, f,
    fixed, req, upd,
};

/// The OS types an application supports.
pub const OS_TYPES: [&str; 2] = ["Linux", "Windows"];

pub static APPLICATION: ResourceSchema = ResourceSchema {
    type_name: "azurerm_gallery_application",
    kind: ResourceKind::GalleryApplication,
    attrs: &[
        req("name"),
        req("gallery_id"),
        req("location"),
        req("supported_os_type"),
        upd("description", Str),
        upd("end_of_life_date", Str).sticky(),
        upd("eula", Str),
        upd("privacy_statement_uri", Str).sticky(),
        upd("release_note_uri", Str).sticky(),
        TAGS,
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static APPLICATION_TYPE: ResourceType = ResourceType {
    kind: ResourceKind::GalleryApplication,
    name: "GalleryApplication",
    noun: "gallery application",
    resource: Some(&APPLICATION),
    data_source: None,
    arm_type: "Microsoft.Compute/galleries/applications",
    api_version: "2023-07-03",
    wire: &[
        f("supported_os_type", "/properties/supportedOSType"),
        f("description", "/properties/description"),
        f("end_of_life_date", "/properties/endOfLifeDate"),
        f("eula", "/properties/eula"),
        f("privacy_statement_uri", "/properties/privacyStatementUri"),
        f("release_note_uri", "/properties/releaseNoteUri"),
    ],
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup {
        provider: "Microsoft.Compute",
        segments: &[("galleries", "gallery_id"), ("applications", "name")],
    },
};

pub static VERSION: ResourceSchema = ResourceSchema {
    type_name: "azurerm_gallery_application_version",
    kind: ResourceKind::GalleryApplicationVersion,
    attrs: &[
        req("name"),
        req("gallery_application_id"),
        req("location"),
        fixed("config_file", Str),
        fixed("package_file", Str),
        upd("enable_health_check", Bool).default(Default::Bool(false)),
        upd("end_of_life_date", Str).sticky(),
        upd("exclude_from_latest", Bool).default(Default::Bool(false)),
        TAGS,
        ID,
    ],
    blocks: &[
        BlockSchema {
            name: "manage_action",
            min: 1,
            max: 1,
            mutability: Fixed,
            attrs: &[req("install"), req("remove"), fixed("update", Str)],
            key: None,
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        },
        BlockSchema {
            name: "source",
            min: 1,
            max: 1,
            mutability: Fixed,
            attrs: &[req("media_link"), fixed("default_configuration_link", Str)],
            key: None,
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        },
        BlockSchema {
            name: "target_region",
            min: 1,
            max: 0,
            mutability: Updatable,
            attrs: &[
                req("name"),
                attr("regional_replica_count", Number, true, Updatable),
                upd("exclude_from_latest", Bool).default(Default::Bool(false)),
                upd("storage_account_type", Str).default(Default::Str("Standard_LRS")),
            ],
            key: Some("name"),
            unsupported: &[],
            blocks: &[],
            absent_when: None,
        },
    ],
    unsupported: &[],
};

static VERSION_WIRE: &[Field] = &[
    f("config_file", "/properties/publishingProfile/settings/configFileName"),
    f("package_file", "/properties/publishingProfile/settings/packageFileName"),
    f("enable_health_check", "/properties/publishingProfile/enableHealthCheck"),
    f("end_of_life_date", "/properties/publishingProfile/endOfLifeDate"),
    f("exclude_from_latest", "/properties/publishingProfile/excludeFromLatest"),
    f("manage_action/0/install", "/properties/publishingProfile/manageActions/install"),
    f("manage_action/0/remove", "/properties/publishingProfile/manageActions/remove"),
    f("manage_action/0/update", "/properties/publishingProfile/manageActions/update"),
    f("source/0/media_link", "/properties/publishingProfile/source/mediaLink"),
    f("source/0/default_configuration_link", "/properties/publishingProfile/source/defaultConfigurationLink"),
];

static VERSION_TARGET_REGION: &[Field] = &[
    f("name", "/name"),
    f("regional_replica_count", "/regionalReplicaCount"),
    f("exclude_from_latest", "/excludeFromLatest"),
    f("storage_account_type", "/storageAccountType"),
];

pub static VERSION_TYPE: ResourceType = ResourceType {
    kind: ResourceKind::GalleryApplicationVersion,
    name: "GalleryApplicationVersion",
    noun: "gallery application version",
    resource: Some(&VERSION),
    data_source: None,
    arm_type: "Microsoft.Compute/galleries/applications/versions",
    api_version: "2023-07-03",
    wire: VERSION_WIRE,
    wire_list: Some(WireList {
        block: "target_region",
        pointer: "/properties/publishingProfile/targetRegions",
        fields: VERSION_TARGET_REGION,
    }),
    tracked: true,
    id: IdShape::InResourceGroup {
        provider: "Microsoft.Compute",
        segments: &[
            ("galleries", "gallery_application_id"),
            ("applications", "gallery_application_id"),
            ("versions", "name"),
        ],
    },
};
