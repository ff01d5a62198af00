//! What Azure's built-in roles permit, as their role definitions list it (`Actions` and
//! `NotActions`; data actions play no part in the control plane), and how ARM decides a request:
//! a role assignment at a scope reaches that scope and everything below it, and a role permits
//! an action when one of its `Actions` patterns matches it and none of its `NotActions` does.
//! Patterns are case-insensitive with `*` standing for any run of characters.
//!
//! The tables carry the control-plane actions of the gallery roles; the broad roles are exact.

use crate::resources::role_assignment::BUILT_IN_ROLES;

/// (role guid, actions, not actions).
static PERMISSIONS: &[(&str, &[&str], &[&str])] = &[
    // Owner
    ("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", &["*"], &[]),
    // Contributor
    (
        "b24988ac-6180-42a0-ab88-20f7382dd24c",
        &["*"],
        &[
            "Microsoft.Authorization/*/Delete",
            "Microsoft.Authorization/*/Write",
            "Microsoft.Authorization/elevateAccess/Action",
            "Microsoft.Blueprint/blueprintAssignments/write",
            "Microsoft.Blueprint/blueprintAssignments/delete",
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Purview/consents/write",
            "Microsoft.Purview/consents/delete",
            "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
            "Microsoft.Subscription/cancel/action",
            "Microsoft.Subscription/enable/action",
        ],
    ),
    // Reader
    ("acdd72a7-3385-48ef-bd42-f606fba81ae7", &["*/read"], &[]),
    // User Access Administrator
    ("18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", &["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"], &[]),
    // Virtual Machine Contributor (its control-plane actions on compute; no gallery writes)
    (
        "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        &[
            "Microsoft.Authorization/*/read",
            "Microsoft.Compute/availabilitySets/*",
            "Microsoft.Compute/locations/*",
            "Microsoft.Compute/virtualMachines/*",
            "Microsoft.Compute/virtualMachineScaleSets/*",
            "Microsoft.Compute/disks/write",
            "Microsoft.Compute/disks/read",
            "Microsoft.Compute/disks/delete",
            "Microsoft.Network/*/read",
            "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
        ],
        &[],
    ),
    // Compute Gallery Sharing Admin
    (
        "1ef6a3be-d0ac-425d-8c01-acb62866290b",
        &[
            "Microsoft.Compute/galleries/share/action",
            "Microsoft.Compute/galleries/read",
            "Microsoft.Compute/galleries/images/read",
            "Microsoft.Compute/galleries/images/versions/read",
        ],
        &[],
    ),
    // Compute Gallery Artifacts Publisher
    (
        "85a2d0d9-2eba-4c9c-b355-11c2cc0788ab",
        &[
            "Microsoft.Compute/galleries/read",
            "Microsoft.Compute/galleries/images/*",
            "Microsoft.Compute/galleries/applications/*",
            "Microsoft.Compute/images/read",
            "Microsoft.Compute/locations/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read",
        ],
        &[],
    ),
    // Compute Gallery Image Reader
    (
        "cf7c76d2-98a3-4358-a134-615aa78bf44d",
        &[
            "Microsoft.Compute/galleries/read",
            "Microsoft.Compute/galleries/images/read",
            "Microsoft.Compute/galleries/images/versions/read",
        ],
        &[],
    ),
];

/// Whether `pattern` (with `*` wildcards, case-insensitive) matches `action`.
pub fn action_matches(pattern: &str, action: &str) -> bool {
    fn go(p: &[u8], a: &[u8]) -> bool {
        match p.split_first() {
            None => a.is_empty(),
            Some((b'*', rest)) => (0..=a.len()).any(|i| go(rest, &a[i..])),
            Some((c, rest)) => a.first().is_some_and(|x| x.eq_ignore_ascii_case(c)) && go(rest, &a[1..]),
        }
    }
    go(pattern.as_bytes(), action.as_bytes())
}

/// Whether the built-in role with this guid permits `action`; `None` for a role it does not know.
pub fn role_permits(role_guid: &str, action: &str) -> Option<bool> {
    let (_, actions, not_actions) = PERMISSIONS.iter().find(|(g, _, _)| g.eq_ignore_ascii_case(role_guid))?;
    Some(actions.iter().any(|p| action_matches(p, action)) && !not_actions.iter().any(|p| action_matches(p, action)))
}

/// A built-in role's `Actions` and `NotActions`; `None` for a role it does not know.
pub fn built_in_permissions(role_guid: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    PERMISSIONS.iter().find(|(g, _, _)| g.eq_ignore_ascii_case(role_guid)).map(|(_, a, n)| (*a, *n))
}

/// Whether `actions` less `not_actions` (a role's permissions, any role's) permit `action`.
pub fn permits(actions: &[String], not_actions: &[String], action: &str) -> bool {
    actions.iter().any(|p| action_matches(p, action)) && !not_actions.iter().any(|p| action_matches(p, action))
}

/// What a role lets its holders do with galleries, in words, from its permissions: the
/// access matrix's view of any role, built-in or custom.
pub fn gallery_abilities(actions: &[String], not_actions: &[String]) -> Vec<&'static str> {
    [
        ("deploy", "Microsoft.Compute/galleries/images/versions/read"),
        ("publish", "Microsoft.Compute/galleries/images/versions/write"),
        ("delete", "Microsoft.Compute/galleries/images/versions/delete"),
        ("share", "Microsoft.Compute/galleries/share/action"),
        ("assign roles", "Microsoft.Authorization/roleAssignments/write"),
    ]
    .into_iter()
    .filter(|(_, action)| permits(actions, not_actions, action))
    .map(|(word, _)| word)
    .collect()
}

/// Whether an assignment at `assigned` reaches `scope` (the same, or below it).
pub fn scope_covers(assigned: &str, scope: &str) -> bool {
    let a = assigned.trim_end_matches('/');
    let s = scope.trim_end_matches('/');
    a.is_empty()
        || s.eq_ignore_ascii_case(a)
        || (s.len() > a.len() && s.as_bytes()[a.len()] == b'/' && s[..a.len()].eq_ignore_ascii_case(a))
}

/// Every built-in role has its permissions here.
pub fn knows_every_built_in_role() -> bool {
    BUILT_IN_ROLES.iter().all(|(_, guid)| PERMISSIONS.iter().any(|(g, _, _)| g == guid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abilities_follow_the_permissions() {
        let of = |guid: &str| {
            let (a, n) = built_in_permissions(guid).unwrap();
            let owned = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
            gallery_abilities(&owned(a), &owned(n))
        };
        assert_eq!(of("acdd72a7-3385-48ef-bd42-f606fba81ae7"), ["deploy"]); // Reader
        assert_eq!(of("b24988ac-6180-42a0-ab88-20f7382dd24c"), ["deploy", "publish", "delete"]); // Contributor
        assert_eq!(
            of("8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
            ["deploy", "publish", "delete", "share", "assign roles"]
        );
        let custom = gallery_abilities(
            &["Microsoft.Compute/galleries/images/versions/*".to_string()],
            &["Microsoft.Compute/galleries/images/versions/delete".to_string()],
        );
        assert_eq!(custom, ["deploy", "publish"]);
    }

    const OWNER: &str = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const CONTRIBUTOR: &str = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    const READER: &str = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    const PUBLISHER: &str = "85a2d0d9-2eba-4c9c-b355-11c2cc0788ab";

    #[test]
    fn roles_permit_what_their_definitions_list() {
        let cases = [
            (OWNER, "Microsoft.Authorization/roleAssignments/write", true),
            (CONTRIBUTOR, "Microsoft.Compute/galleries/images/versions/write", true),
            (CONTRIBUTOR, "Microsoft.Authorization/roleAssignments/write", false),
            (CONTRIBUTOR, "Microsoft.Compute/galleries/share/action", false),
            (READER, "Microsoft.Compute/galleries/read", true),
            (READER, "Microsoft.Compute/galleries/write", false),
            (PUBLISHER, "Microsoft.Compute/galleries/images/versions/write", true),
            (PUBLISHER, "Microsoft.Compute/galleries/write", false),
        ];
        for (role, action, want) in cases {
            assert_eq!(role_permits(role, action), Some(want), "{role} {action}");
        }
        assert_eq!(role_permits("00000000-0000-0000-0000-000000000000", "x/read"), None);
        assert!(knows_every_built_in_role());
    }

    #[test]
    fn wildcards_and_scopes() {
        assert!(action_matches("*/read", "Microsoft.Compute/galleries/read"));
        assert!(action_matches("microsoft.authorization/*/write", "Microsoft.Authorization/roleAssignments/write"));
        assert!(!action_matches("*/read", "Microsoft.Compute/galleries/write"));
        assert!(scope_covers("/subscriptions/S", "/subscriptions/s/resourceGroups/rg"));
        assert!(scope_covers("/subscriptions/S/resourceGroups/rg", "/subscriptions/S/resourceGroups/RG"));
        assert!(!scope_covers("/subscriptions/S/resourceGroups/rg", "/subscriptions/S/resourceGroups/rg2"));
        assert!(scope_covers("/", "/subscriptions/S"));
    }
}
