//! Role assignments: the scope must be an existing gallery, definition or version, and the
//! principal must be in the subscription's tenant (no sharing across tenants by RBAC).
//! Updatable after creation: the description only.

use super::{Context, TypeService, invalid, str_of};
use serde_json::Value as Json;
use sigform_azure::arm_id::ArmId;
use sigform_azure::cloud::CloudError;
use sigform_azure::schema::ResourceKind;

pub(super) struct RoleAssignment;

impl TypeService for RoleAssignment {
    fn updatable(&self) -> &'static [&'static str] {
        &["/properties/description"]
    }

    fn check(&self, attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
        check_write(attrs, ctx)
    }
}

fn check_write(attrs: &Json, ctx: &Context) -> Result<(), CloudError> {
    let scope = str_of(attrs, "scope").unwrap_or("");
    let kind = ArmId::parse(scope).map(|p| p.kind);
    if !matches!(kind, Some(ResourceKind::Gallery | ResourceKind::ImageDefinition | ResourceKind::ImageVersion)) {
        return Err(invalid(format!("the scope {scope} is not a gallery, image definition or image version")));
    }
    if (ctx.lookup)(scope).is_none() {
        return Err(CloudError::new(404, "ResourceNotFound", format!("the scope {scope} was not found")));
    }
    let principal = str_of(attrs, "principal_id").unwrap_or("");
    if let Some(tenant) = (ctx.principal_tenant)(principal)
        && !tenant.eq_ignore_ascii_case(ctx.subscription_tenant)
    {
        return Err(CloudError::new(
            400,
            "CrossTenantPrincipalNotSupported",
            format!(
                "principal {principal} belongs to tenant {tenant}; galleries are shared only within the subscription's tenant {} (SIG602)",
                ctx.subscription_tenant
            ),
        ));
    }
    Ok(())
}
