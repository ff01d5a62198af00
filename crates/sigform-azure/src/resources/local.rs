//! Resources that live only in the state: the `random` provider's `random_string`, `random_id`,
//! `random_integer`, `random_pet`, `random_uuid`, and Terraform's built-in `terraform_data`.
//! Gallery configurations use them for name suffixes and to pick a region; nothing of them is in
//! Azure. Their arguments force a replacement when they change (`keepers`, `triggers_replace`),
//! except `terraform_data`'s `input`, which updates its `output` in place.

use crate::schema::AttrType::{Any, Bool, Number, String as Str, StringMap};
use crate::schema::Mutability::{Fixed, Updatable};
use crate::schema::{Default, IdShape, ResourceKind, ResourceSchema, ResourceType, attr, computed};

const fn arg(name: &'static str, ty: crate::schema::AttrType) -> crate::schema::AttrSchema {
    attr(name, ty, false, Fixed)
}
const fn required(name: &'static str, ty: crate::schema::AttrType) -> crate::schema::AttrSchema {
    attr(name, ty, true, Fixed)
}

pub static RANDOM_STRING: ResourceSchema = ResourceSchema {
    type_name: "random_string",
    kind: ResourceKind::Local,
    attrs: &[
        required("length", Number),
        arg("upper", Bool).default(Default::Bool(true)),
        arg("lower", Bool).default(Default::Bool(true)),
        arg("numeric", Bool).default(Default::Bool(true)),
        arg("special", Bool).default(Default::Bool(true)),
        arg("min_upper", Number).default(Default::Num(0.0)),
        arg("min_lower", Number).default(Default::Num(0.0)),
        arg("min_numeric", Number).default(Default::Num(0.0)),
        arg("min_special", Number).default(Default::Num(0.0)),
        arg("override_special", Str),
        arg("keepers", StringMap),
        computed("result", Str),
        computed("id", Str),
    ],
    blocks: &[],
    unsupported: &["number"],
};

pub static RANDOM_ID: ResourceSchema = ResourceSchema {
    type_name: "random_id",
    kind: ResourceKind::Local,
    attrs: &[
        required("byte_length", Number),
        arg("prefix", Str),
        arg("keepers", StringMap),
        computed("b64_url", Str),
        computed("b64_std", Str),
        computed("hex", Str),
        computed("dec", Str),
        computed("id", Str),
    ],
    blocks: &[],
    unsupported: &[],
};

pub static RANDOM_INTEGER: ResourceSchema = ResourceSchema {
    type_name: "random_integer",
    kind: ResourceKind::Local,
    attrs: &[
        required("min", Number),
        required("max", Number),
        arg("seed", Str),
        arg("keepers", StringMap),
        computed("result", Number),
        computed("id", Str),
    ],
    blocks: &[],
    unsupported: &[],
};

pub static RANDOM_PET: ResourceSchema = ResourceSchema {
    type_name: "random_pet",
    kind: ResourceKind::Local,
    attrs: &[
        arg("length", Number).default(Default::Num(2.0)),
        arg("prefix", Str),
        arg("separator", Str).default(Default::Str("-")),
        arg("keepers", StringMap),
        computed("id", Str),
    ],
    blocks: &[],
    unsupported: &[],
};

pub static RANDOM_UUID: ResourceSchema = ResourceSchema {
    type_name: "random_uuid",
    kind: ResourceKind::Local,
    attrs: &[arg("keepers", StringMap), computed("result", Str), computed("id", Str)],
    blocks: &[],
    unsupported: &[],
};

pub static TERRAFORM_DATA: ResourceSchema = ResourceSchema {
    type_name: "terraform_data",
    kind: ResourceKind::Local,
    attrs: &[
        attr("input", Any, false, Updatable),
        arg("triggers_replace", Any),
        computed("output", Any),
        computed("id", Str),
    ],
    blocks: &[],
    unsupported: &[],
};

/// Every local resource type.
pub static LOCAL: &[&ResourceSchema] =
    &[&RANDOM_STRING, &RANDOM_ID, &RANDOM_INTEGER, &RANDOM_PET, &RANDOM_UUID, &TERRAFORM_DATA];

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::Local,
    name: "Local",
    noun: "state-only resource",
    resource: None,
    data_source: None,
    arm_type: "",
    api_version: "",
    wire: &[],
    wire_list: None,
    tracked: false,
    id: IdShape::None,
};

/// Whether a resource type lives only in the state.
pub fn is_local(type_name: &str) -> bool {
    LOCAL.iter().any(|s| s.type_name == type_name)
}
