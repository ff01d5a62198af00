//! Local modules: `module "name" { source = "./modules/gallery" ... }`.
//!
//! A module call is one node of its caller's evaluation order. Evaluating it runs a child
//! `Evaluator` per instance (`count`, `for_each`) over the module directory's files, with the
//! call's arguments as the module's variables and the caller's provider configurations; its
//! resources join the one `Desired` under the instance's module path
//! (`module.images["linux"].azurerm_shared_image.this`), and its outputs become the call's value
//! (`module.images["linux"].gallery_id`).
//!
//! Dependencies cross the call at module granularity: every resource inside depends on what the
//! call's arguments and `depends_on` reach, and a reference to `module.NAME` depends on every
//! resource inside it. Terraform tracks them per output and per variable; the coarser rule orders
//! apply correctly and only refuses (as a cycle) a module whose output feeds its own arguments.

use super::expr::{Scope, eval};
use super::{Evaluator, ExpansionKind, body::header_span};
use crate::config::vars::{Origin, RawValue, VarAssignment};
use crate::config::{FileId, ParsedFile, Sources};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::value::{Map as ValueMap, Value};
use crate::model::{Address, ConfigAddress, InstanceKey, Provider};
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Block, Structure};
use std::collections::{BTreeMap, HashMap};

/// Arguments of a module block that are not variables of the module.
const MODULE_META: &[&str] = &["source", "version", "count", "for_each", "providers", "depends_on"];

/// Where `terraform init` records the modules it installed: which call (`gallery`,
/// `gallery.image`) uses which directory.
pub const MODULE_MANIFEST: &str = ".terraform/modules/modules.json";

#[derive(serde::Deserialize)]
struct Manifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<ManifestEntry>,
}

#[derive(serde::Deserialize)]
struct ManifestEntry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

/// The manifest's calls and their directories, relative to the working directory; nothing when
/// it does not parse (a call then finds no directory and says so where it is written).
fn manifest(text: &str) -> BTreeMap<String, String> {
    let Ok(manifest) = serde_json::from_str::<Manifest>(text) else {
        return BTreeMap::new();
    };
    manifest
        .modules
        .into_iter()
        .filter(|m| !m.key.is_empty())
        .map(|m| (m.key, resolve("", &format!("./{}", m.dir.trim_start_matches("./")))))
        .collect()
}

/// The directories the manifest names.
pub fn manifest_dirs(text: &str) -> Vec<String> {
    manifest(text).into_values().collect()
}

/// The files of every local or installed module, by directory relative to the working directory.
#[derive(Default)]
pub(super) struct Library {
    dirs: BTreeMap<String, Vec<ParsedFile>>,
    /// Installed modules: call key (names joined by dots, no instance keys) → directory.
    installed: BTreeMap<String, String>,
}

impl Library {
    /// The root module's files (names without a directory) and the library of the rest.
    pub fn split(sources: &Sources, files: Vec<ParsedFile>) -> (Vec<ParsedFile>, Library) {
        let mut root = Vec::new();
        let mut library = Library::default();
        if let Some((id, _)) = sources.iter().find(|(_, f)| f.name == MODULE_MANIFEST) {
            library.installed = manifest(sources.text(id));
        }
        for file in files {
            match directory_of(sources.name(file.file)) {
                "" => root.push(file),
                dir => library.dirs.entry(dir.to_string()).or_default().push(file),
            }
        }
        (root, library)
    }

    fn files(&self, dir: &str) -> Option<&[ParsedFile]> {
        self.dirs.get(dir).map(Vec::as_slice)
    }
}

/// The directory part of a source name (`modules/gallery/main.tf` → `modules/gallery`).
pub fn directory_of(name: &str) -> &str {
    name.rfind('/').map_or("", |i| &name[..i])
}

/// `dir` joined with a module source (`./x`, `../x`), without `.` and `..` steps where they can
/// be resolved: the name the module's files are loaded under.
pub fn resolve(dir: &str, source: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// Whether a module source names a local directory (Terraform's rule: it starts `./` or `../`).
pub fn is_local(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// A module path below `parent` (`""` for the root).
pub fn join(parent: &str, path: &str) -> String {
    match (parent.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (_, true) => parent.to_string(),
        _ => format!("{parent}.{path}"),
    }
}

/// What resources inside a module instance depend on because of the call.
#[derive(Debug, Clone, Default)]
pub(super) struct Inherited {
    pub blocks: Vec<ConfigAddress>,
    pub references: Vec<Address>,
}

/// The module instance an `Evaluator` evaluates.
pub(super) struct Call {
    /// The module path (`module.a["k"].module.b`); empty in the root.
    pub path: String,
    /// The module's directory relative to the working directory; empty in the root.
    pub dir: String,
    /// The directories of the calls above, for modules that call themselves.
    pub ancestry: Vec<String>,
    /// The call names from the root, joined by dots (`gallery.image`): how `terraform init`'s
    /// manifest names an installed module.
    pub key: String,
    /// The call's arguments, taken when the variables are evaluated; `None` in the root, whose
    /// variables come from the run.
    pub arguments: Option<Vec<VarAssignment>>,
    /// The arguments whose values are sensitive in the caller: the module's variables of those
    /// names are sensitive too.
    pub sensitive_arguments: std::collections::HashSet<String>,
    /// The arguments made of ephemeral values: the module's variables of those names are ephemeral.
    pub ephemeral_arguments: std::collections::HashSet<String>,
    /// The module block's header, where a missing argument is reported.
    pub header: Option<Span>,
    /// What the module's outputs evaluated to.
    pub outputs: ValueMap,
    pub depends_on: Inherited,
}

impl Call {
    pub fn root() -> Call {
        Call {
            path: String::new(),
            dir: String::new(),
            ancestry: Vec::new(),
            key: String::new(),
            arguments: None,
            sensitive_arguments: Default::default(),
            ephemeral_arguments: Default::default(),
            header: None,
            outputs: ValueMap::default(),
            depends_on: Inherited::default(),
        }
    }

    pub fn is_root(&self) -> bool {
        self.header.is_none()
    }
}

impl<'a> Evaluator<'a> {
    /// Evaluates `module "name"`: every instance of the module, returning the call's value.
    pub(super) fn module_call(&mut self, name: &str, block: &Block, file: FileId) -> Value {
        let scope = Scope::new(file, &self.roots);
        let header = header_span(&scope, block);
        for s in block.body.iter() {
            if let Structure::Block(b) = s {
                self.diags.push(
                    Diagnostic::error("SIG002", format!("unexpected block `{}` in a module block", b.ident.value()))
                        .at(scope.span_of(&b.ident))
                        .help("a module block takes arguments only: source, the module's variables, count, for_each, providers, depends_on"),
                );
            }
        }
        let Some(source) = block.body.get_attribute("source") else {
            self.diags.push(Diagnostic::error("SIG003", "a module block needs `source`").at(header));
            return Value::Unknown;
        };
        let source_span = scope.span_of(&source.value);
        let Some(source) = source.value.as_str().map(str::to_string) else {
            self.diags
                .push(Diagnostic::error("SIG004", "a module's `source` must be a literal string").at(source_span));
            return Value::Unknown;
        };
        let call_key = if self.call.key.is_empty() { name.to_string() } else { format!("{}.{name}", self.call.key) };
        let installed = (!is_local(&source)).then(|| self.library.installed.get(&call_key)).flatten();
        if !is_local(&source) && installed.is_none() {
            self.diags.push(
                Diagnostic::error(
                    "SIG002",
                    format!("module source \"{source}\" is not a local directory: sigform runs local modules only"),
                )
                .at(source_span)
                .help(format!("run `terraform init` so that .terraform/modules holds it (sigform reads the modules it installed), or copy the module into the configuration and set source to its path, starting with ./ or ../; no module \"{call_key}\" is in {MODULE_MANIFEST}")),
            );
            return Value::Unknown;
        }
        if let Some(version) = block.body.get_attribute("version")
            && installed.is_none()
        {
            self.diags.push(
                Diagnostic::error("SIG002", "`version` applies to registry modules; a local module has none")
                    .at(scope.span_of(&version.key)),
            );
        }
        // An installed module's version is the one `terraform init` chose.
        let dir = installed.cloned().unwrap_or_else(|| resolve(&self.call.dir, &source));
        if dir == self.call.dir || self.call.ancestry.contains(&dir) {
            let shown = if dir.is_empty() { "." } else { dir.as_str() };
            self.diags.push(
                Diagnostic::error(
                    "SIG007",
                    format!("module \"{name}\" calls {shown}, which is calling it: a module cannot call itself"),
                )
                .at(source_span),
            );
            return Value::Unknown;
        }
        let library = self.library;
        let Some(files) = library.files(&dir) else {
            self.diags.push(
                Diagnostic::error("SIG005", format!("module \"{name}\": no configuration files (*.tf) in {dir}"))
                    .at(source_span),
            );
            return Value::Unknown;
        };
        let Some(providers) = self.module_providers(block, file) else {
            return Value::Unknown;
        };
        let Some(expansion) = self.expansion(block, file.into()) else {
            return Value::Unknown;
        };
        let mut inherited = self.call.depends_on.clone();
        inherited.blocks.extend(self.depends_on(block, file.into()));
        self.dependencies(expansion.touched.iter().cloned(), &mut inherited.blocks, &mut inherited.references);

        let (resources_before, data_before) = (self.desired.resources.len(), self.desired.data.len());
        let mut list = Vec::new();
        let mut by_key = ValueMap::default();
        for (key, binding) in &expansion.instances {
            let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
            if let Some((name, value)) = binding {
                scope.push(*name, value.clone());
            }
            let mut arguments = Vec::new();
            let mut sensitive_arguments = std::collections::HashSet::new();
            let mut ephemeral_arguments = std::collections::HashSet::new();
            for s in block.body.iter() {
                let Structure::Attribute(a) = s else { continue };
                let argument = a.key.value().as_str();
                if MODULE_META.contains(&argument) {
                    continue;
                }
                if self.is_sensitive(&a.value) {
                    sensitive_arguments.insert(argument.to_string());
                }
                if self.is_ephemeral(&a.value) {
                    ephemeral_arguments.insert(argument.to_string());
                }
                let value = eval(&a.value, &mut scope).unwrap_or_else(|e| {
                    self.diags.push(e.into_diagnostic());
                    Value::Unknown
                });
                arguments.push(VarAssignment {
                    name: argument.to_string(),
                    value: RawValue::Json(value),
                    span: scope.span_of(&a.value),
                    origin: Origin::ModuleArgument,
                });
            }
            let mut depends_on = inherited.clone();
            let touched = std::mem::take(&mut scope.touched);
            drop(scope);
            self.dependencies(touched.into_iter(), &mut depends_on.blocks, &mut depends_on.references);
            depends_on.blocks.sort();
            depends_on.blocks.dedup();
            depends_on.references.sort();
            depends_on.references.dedup();

            let mut path = join(&self.call.path, &format!("module.{name}"));
            crate::model::address::push_key(&mut path, key);
            let mut ancestry = self.call.ancestry.clone();
            ancestry.push(self.call.dir.clone());
            let mut child = Evaluator {
                diags: Vec::new(),
                roots: ValueMap::default(),
                desired: std::mem::take(&mut self.desired),
                input: self.input,
                providers: providers.clone(),
                referenced: Default::default(),
                deferred: std::mem::take(&mut self.deferred),
                call: Call {
                    path,
                    dir: dir.clone(),
                    ancestry,
                    key: call_key.clone(),
                    arguments: Some(arguments),
                    sensitive_arguments,
                    ephemeral_arguments,
                    header: Some(header.clone()),
                    outputs: ValueMap::default(),
                    depends_on,
                },
                library: self.library,
                module_blocks: HashMap::new(),
                sensitive: Default::default(),
                sensitive_attrs: HashMap::new(),
                ephemeral: Default::default(),
                shared: Default::default(),
            };
            child.run(files.to_vec());
            self.desired = std::mem::take(&mut child.desired);
            self.deferred = std::mem::take(&mut child.deferred);
            self.diags.append(&mut child.diags);
            let value = Value::Map(std::mem::take(&mut child.call.outputs));
            match key {
                InstanceKey::Key(k) => {
                    by_key.insert(k.clone(), value);
                }
                _ => list.push(value),
            }
        }
        let mut inside: Vec<ConfigAddress> = self.desired.resources[resources_before..]
            .iter()
            .chain(&self.desired.data[data_before..])
            .map(|i| i.address.resource.clone())
            .collect();
        inside.sort();
        inside.dedup();
        self.module_blocks.insert(name.to_string(), inside);
        match expansion.kind {
            ExpansionKind::Single => list.pop().unwrap_or(Value::Unknown),
            ExpansionKind::Count => Value::List(list),
            ExpansionKind::ForEach => Value::Map(by_key),
        }
    }

    /// The provider configurations a module instance uses: the caller's default one, or exactly
    /// those `providers = { azurerm = azurerm.west }` passes (as in Terraform).
    fn module_providers(&mut self, block: &Block, file: FileId) -> Option<HashMap<String, Provider>> {
        let scope = Scope::new(file, &self.roots);
        let Some(attr) = block.body.get_attribute("providers") else {
            return Some(
                self.providers.get("azurerm").map(|p| ("azurerm".to_string(), p.clone())).into_iter().collect(),
            );
        };
        let Expression::Object(object) = &attr.value else {
            self.diags.push(
                Diagnostic::error("SIG004", "`providers` must be a map, like { azurerm = azurerm.west }")
                    .at(scope.span_of(&attr.value)),
            );
            return None;
        };
        let text = |span: &Span| self.input.sources.text(file).get(span.range()).unwrap_or("").trim().to_string();
        let mut out = HashMap::new();
        let mut ok = true;
        for (key, value) in object.iter() {
            let key_span = scope.span_of(key);
            let inner = text(&key_span);
            let value_span = scope.span_of(value.expr());
            let given = text(&value_span);
            if inner != "azurerm" && !inner.starts_with("azurerm.") {
                self.diags.push(
                    Diagnostic::error(
                        "SIG002",
                        format!("provider `{inner}` is not supported: sigform manages azurerm resources"),
                    )
                    .at(key_span),
                );
                ok = false;
                continue;
            }
            match self.providers.get(&given) {
                Some(p) => {
                    out.insert(inner, p.clone());
                }
                None => {
                    let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
                    let d = Diagnostic::error("SIG005", format!("provider `{given}` is not configured")).at(value_span);
                    self.diags.push(match crate::model::suggest(&given, known) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d,
                    });
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_resolve_against_the_calling_directory() {
        for (dir, source, resolved) in [
            ("", "./modules/gallery", "modules/gallery"),
            ("", "./modules/gallery/", "modules/gallery"),
            ("modules/gallery", "../image", "modules/image"),
            ("modules/gallery", "./sub/./x", "modules/gallery/sub/x"),
            ("", "../shared", "../shared"),
            ("../shared", "../../other", "../../other"),
        ] {
            assert_eq!(resolve(dir, source), resolved, "{dir} + {source}");
        }
        assert!(is_local("./x") && is_local("../x"));
        assert!(!is_local("Azure/avm-res-compute-gallery/azurerm") && !is_local("git::https://example/x.git"));
        assert_eq!(directory_of("modules/gallery/main.tf"), "modules/gallery");
        assert_eq!(directory_of("main.tf"), "");
        assert_eq!(join("", "module.a"), "module.a");
        assert_eq!(join("module.a[0]", "module.b"), "module.a[0].module.b");
    }
}
