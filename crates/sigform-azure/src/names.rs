//! Azure's naming rules for gallery resources, as the service enforces them: galleries (letters,
//! digits, periods, underscores; no dashes), image definitions (hyphens too), versions
//! (`Major.Minor.Patch` of 32-bit integers). Rules SIG101–SIG103 and the emulator both ask here.

/// What is wrong with a gallery name, if anything (SIG101; the emulator enforces it too).
pub fn gallery_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.chars().count() > 80 {
        Some(format!("is {} characters long; 1 to 80 are allowed", name.chars().count()))
    } else if name.contains('-') {
        Some("contains a dash, which gallery names may not".to_string())
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
            .map(|c| format!("contains {c:?}; only letters, digits, periods and underscores are allowed"))
    }
}

/// What is wrong with an image definition name, if anything (SIG102).
pub fn definition_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.chars().count() > 80 {
        Some(format!("is {} characters long; 1 to 80 are allowed", name.chars().count()))
    } else {
        name.chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .map(|c| format!("contains {c:?}; only letters, digits, hyphens, periods and underscores are allowed"))
    }
}

/// `Major.Minor.Patch`, each a non-negative 32-bit (signed) integer, as Azure documents it.
pub fn parse_version(name: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<&str> = name.split('.').collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let part = |p: &str| -> Option<u32> {
        if p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        p.parse::<u32>().ok().filter(|n| *n <= i32::MAX as u32)
    };
    Some((part(a)?, part(b)?, part(c)?))
}
