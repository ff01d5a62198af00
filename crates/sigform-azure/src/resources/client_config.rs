//! `data "azurerm_client_config"`: who the caller is (tenant, subscription, object id), and
//! `data "azurerm_subscription"`: the subscription it works in. Data sources only; the tenant a subscription joins when nothing else says is [`DEFAULT_TENANT`].

use crate::schema::AttrType::String as Str;
use crate::schema::{ID, IdShape, ResourceKind, ResourceSchema, ResourceType, computed};

/// The tenant of a caller that names none (the embedded cloud's default directory).
pub const DEFAULT_TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// The subscription used when neither the provider block nor the environment names one: the
/// embedded cloud's default subscription.
pub const DEFAULT_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// The object id of the emulator's caller: who `data "azurerm_client_config"` says is running
/// sigform against the embedded cloud, and the `oid` of the tokens `emulator serve` issues.
pub const EMULATOR_CALLER: &str = "5161f0a0-0000-4000-8000-000000000001";

pub static DATA: ResourceSchema = ResourceSchema {
    type_name: "azurerm_client_config",
    kind: ResourceKind::ClientConfig,
    attrs: &[
        computed("client_id", Str),
        computed("tenant_id", Str),
        computed("subscription_id", Str),
        computed("object_id", Str),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

/// `data "azurerm_subscription"`: a subscription as ARM describes it — the provider's when
/// `subscription_id` is not given. Read with the caller's context, so it lives here.
pub static SUBSCRIPTION: ResourceSchema = ResourceSchema {
    type_name: "azurerm_subscription",
    kind: ResourceKind::ClientConfig,
    attrs: &[
        crate::schema::fixed("subscription_id", Str).filled_by_service(),
        computed("display_name", Str),
        computed("tenant_id", Str),
        computed("state", Str),
        computed("location_placement_id", Str),
        computed("quota_id", Str),
        computed("spending_limit", Str),
        computed("tags", crate::schema::AttrType::StringMap),
        ID,
    ],
    blocks: &[],
    unsupported: &[],
};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::ClientConfig,
    name: "ClientConfig",
    noun: "client configuration",
    resource: None,
    data_source: Some(&DATA),
    // Not an ARM resource; the nearest ARM type, for completeness of the record.
    arm_type: "Microsoft.Authorization/roleAssignments",
    api_version: "2022-04-01",
    wire: &[],
    wire_list: None,
    tracked: false,
    id: IdShape::None,
};
