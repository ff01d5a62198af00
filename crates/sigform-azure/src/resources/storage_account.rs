//! `Microsoft.Storage/storageAccounts`: where a VHD blob an image version is built from lives
//! (`blob_uri` with `storage_account_id`). Not managed by sigform (`azurerm_storage_account` stays
//! refused); here so that ids parse and the emulator can hold the accounts and blobs that
//! `emulator add-blob` makes, and check a version's blob source as Azure does.

use crate::schema::{IdShape, ResourceKind, ResourceType};

pub static TYPE: ResourceType = ResourceType {
    kind: ResourceKind::StorageAccount,
    name: "StorageAccount",
    noun: "storage account",
    resource: None,
    data_source: None,
    arm_type: "Microsoft.Storage/storageAccounts",
    api_version: "2023-05-01",
    wire: &[],
    wire_list: None,
    tracked: true,
    id: IdShape::InResourceGroup { provider: "Microsoft.Storage", segments: &[("storageAccounts", "name")] },
};

/// The storage account a blob URI names (`https://ACCOUNT.blob.core.windows.net/...`), lower-cased.
pub fn account_of_blob(uri: &str) -> Option<String> {
    let host = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://"))?.split('/').next()?;
    let (account, rest) = host.split_once('.')?;
    rest.to_ascii_lowercase().starts_with("blob.").then(|| account.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    #[test]
    fn blob_uris_name_their_account() {
        let cases = [
            ("https://imagesa.blob.core.windows.net/vhds/base.vhd", Some("imagesa")),
            ("https://ImagesA.blob.core.chinacloudapi.cn/vhds/base.vhd", Some("imagesa")),
            ("https://imagesa.file.core.windows.net/x", None),
            ("not a uri", None),
        ];
        for (uri, want) in cases {
            assert_eq!(super::account_of_blob(uri).as_deref(), want, "{uri}");
        }
    }
}
