//! Evaluation: turns the parsed files and variable values into `model::Desired`.
//!
//! Declarations (locals, providers, resources, data sources, outputs) are ordered by what they
//! refer to and evaluated once each, in that order, into a table of root values (`var`, `local`,
//! `data`, one entry per resource type) that later expressions read. A declaration that fails
//! becomes `Unknown`, so one mistake is reported once, not once per reader. No I/O happens
//! here: data sources are answered by an optional `DataResolver` (the cloud, in later stages).

pub mod body;
mod error;
pub mod expr;
pub mod functions;
mod local;
mod module;
mod order;

mod retention;
pub mod types;
pub use module::{
    MODULE_MANIFEST, directory_of as module_dir, is_local as is_local_module, manifest_dirs, resolve as resolve_module,
};
mod variables;
mod yaml;

use crate::config::refs::{self, Reference};
use crate::config::vars::VarAssignment;
use crate::config::{BlockText, DeferredBlock, FileId, Origin, ParsedFile, Sources};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::ProfileChoice;
use crate::model::value::{Map as ValueMap, Value};
use crate::model::{
    Address, Attr, ConfigAddress, Desired, Import, Instance, InstanceKey, Lifecycle, Mode, Output, Provider, Settings,
};
use body::{BodySchema, eval_body, header_span};
use expr::{Scope, eval};
use hcl::edit::Span as _;
use hcl::edit::expr::{Expression, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, Structure};
use sigform_azure::schema::{Mutability, ResourceKind, ResourceSchema};
use sigform_azure::{arm_id, profiles, regions};
use std::collections::{BTreeMap, HashMap};

/// Facts from outside the configuration: the `ARM_*` environment a Terraform user already sets.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// When the plan is made (seconds since the Unix epoch): `plantimestamp()`.
    pub plan_time: i64,
    /// `SIGFORM_SERVICE_PROFILE`: the service profile, over the configuration's.
    pub service_profile: Option<String>,
    pub subscription_id: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    /// Randomness for state-only resources (`random_*`, `terraform_data` ids), drawn by the
    /// caller: evaluation itself stays a function of its input.
    pub entropy: [u8; 32],
}

/// The subscription and tenant used when neither the provider block nor the environment names
/// one: the emulator's default subscription.
pub const DEFAULT_SUBSCRIPTION: &str = sigform_azure::resources::client_config::DEFAULT_SUBSCRIPTION;
pub const DEFAULT_TENANT: &str = "00000000-0000-0000-0000-000000000000";

/// The files `file()`, `filebase64()`, `fileexists()`, `templatefile()` and `abspath()` see,
/// relative to the working directory (`path.module`): the caller reads them, evaluation only asks.
/// Shared by the threads that evaluate a block's instances.
pub trait FileSource: Sync {
    fn read(&self, path: &str) -> Result<Vec<u8>, String>;
    fn exists(&self, path: &str) -> bool;
    fn absolute(&self, path: &str) -> String;
}

/// Answers data sources. Without one, their computed attributes are unknown.
pub trait DataResolver {
    /// The attributes of the object a data source instance names (by its ARM id); `Ok(None)`
    /// when it does not exist; `Err` with the cause when the cloud could not say.
    fn read(&self, instance: &Instance) -> Result<Option<ValueMap>, String>;

    /// A provider block was evaluated: its credentials sign in the reads that follow. `Err`
    /// says why they cannot.
    fn provider_configured(&self, provider: &Provider) -> Result<(), String> {
        let _ = provider;
        Ok(())
    }
}

pub struct EvalInput<'a> {
    pub sources: &'a Sources,
    /// Lowest precedence first.
    pub vars: &'a [VarAssignment],
    pub environment: &'a Environment,
    pub data: Option<&'a dyn DataResolver>,
    /// What the state recorded, for the values Azure computed (a gallery's `unique_name`).
    pub recorded: Option<&'a dyn RecordedResolver>,
    /// Files the file functions read.
    pub files: Option<&'a dyn FileSource>,
    /// Whether the sources call `sensitive()`, found once.
    pub marks: std::sync::OnceLock<bool>,
}

impl EvalInput<'_> {
    /// Whether any source calls `sensitive()` (the only mark not made by a variable).
    fn marks_in_sources(&self) -> bool {
        *self.marks.get_or_init(|| self.sources.iter().any(|(_, f)| f.text.contains("sensitive(")))
    }
}

/// Answers what the state recorded of a managed resource instance, so that a value Azure
/// computed once (a gallery's `unique_name`) is known on later plans, as Terraform knows it from
/// its prior state, instead of "known after apply" forever.
pub trait RecordedResolver {
    /// The recorded ARM id and attributes of the instance at `address`, if the state has it.
    fn recorded(&self, address: &str) -> Option<(String, ValueMap)>;
    /// Whether the state records any instance of the block `TYPE.NAME`.
    fn has_block(&self, block: &str) -> bool;
}

/// The top-level block types the evaluator knows (the README's configuration reference lists
/// each; a test holds them to it).
pub const BLOCK_TYPES: &[&str] = &[
    "variable",
    "output",
    "provider",
    "resource",
    "data",
    "locals",
    "terraform",
    "import",
    "sigform",
    "check",
    "moved",
    "module",
    "removed",
];

/// Meta-arguments every resource block may carry, handled here rather than by the schema.
const RESOURCE_META: &[&str] = &["count", "for_each", "depends_on", "provider", "lifecycle", "timeouts"];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum NodeKey {
    Local(String),
    Resource(ConfigAddress),
    Output(String),
    Provider(String),
    Check(String),
    Module(String),
}

impl std::fmt::Display for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeKey::Local(n) => write!(f, "local.{n}"),
            NodeKey::Resource(a) => write!(f, "{a}"),
            NodeKey::Output(n) => write!(f, "output.{n}"),
            NodeKey::Provider(n) => write!(f, "provider.{n}"),
            NodeKey::Check(n) => write!(f, "check.{n}"),
            NodeKey::Module(n) => write!(f, "module.{n}"),
        }
    }
}

/// How many deferred blocks are parsed ahead of their evaluation, at most: enough to keep the
/// other core busy, few enough that their trees stay small.
const PARSED_AHEAD: usize = 256;

/// A node owns its syntax: evaluation drops each block once it is evaluated, so that the syntax
/// trees give their memory to the values. Resource and data blocks hold no tree until then: the
/// parse read them and let their trees go (`config::DeferredBlock`); each is parsed again when it
/// is evaluated.
enum NodeBody {
    Local(Attribute),
    Resource(DeferredBlock, &'static ResourceSchema),
    /// A resource type sigform does not manage: fine while it has no instance (`count = 0`,
    /// an empty `for_each`), as in Terraform; refused once it would have one.
    Unsupported(DeferredBlock, Mode),
    /// `check "name" { assert { condition, error_message } }`: a failing assertion warns.
    Check(Block),
    Output(Block),
    Provider(Option<Block>),
    /// `module "name" { source = "./dir" ... }`: a call of a local module.
    Module(Block),
}

struct Node {
    key: NodeKey,
    file: FileId,
    body: NodeBody,
    span: Span,
}

/// The blocks that are not nodes of the evaluation order, with their files.
#[derive(Default)]
struct Declarations {
    variables: Vec<(Block, FileId)>,
    nodes: Vec<Node>,
    settings: Vec<(Block, FileId)>,
    imports: Vec<(Block, FileId)>,
    moves: Vec<(Block, FileId)>,
    removals: Vec<(Block, FileId)>,
}

/// Evaluates `files`, consuming them: the root module's (names without a directory) and those of
/// the local modules it calls (named by their directory relative to the root, as
/// `ops::workdir` loads them).
pub fn evaluate(input: &EvalInput, files: Vec<ParsedFile>) -> (Desired, Vec<Diagnostic>) {
    let (root, library) = module::Library::split(input.sources, files);
    let mut ev = Evaluator {
        diags: Vec::new(),
        roots: ValueMap::default(),
        desired: Desired::default(),
        input,
        providers: HashMap::new(),
        referenced: Default::default(),
        deferred: Default::default(),
        call: module::Call::root(),
        library: &library,
        module_blocks: HashMap::new(),
        sensitive: Default::default(),
        sensitive_attrs: HashMap::new(),
        ephemeral: Default::default(),
        shared: Default::default(),
    };
    ev.run(root);
    (ev.desired, ev.diags)
}

/// The addresses instances depend on, one copy each: a thousand versions that name the same
/// definition share it (at the quota ceiling each instance's own copies were 25 MB).
#[derive(Default)]
struct Shared {
    blocks: crate::fast_hash::FastMap<ConfigAddress, std::sync::Arc<ConfigAddress>>,
    instances: crate::fast_hash::FastMap<Address, std::sync::Arc<Address>>,
}

impl Shared {
    fn block(&mut self, address: &ConfigAddress) -> std::sync::Arc<ConfigAddress> {
        Shared::one_of(&mut self.blocks, address)
    }

    fn instance(&mut self, address: &Address) -> std::sync::Arc<Address> {
        Shared::one_of(&mut self.instances, address)
    }

    /// The shared copy of `address`, made the first time it is asked for.
    fn one_of<A: Clone + Eq + std::hash::Hash>(
        copies: &mut crate::fast_hash::FastMap<A, std::sync::Arc<A>>,
        address: &A,
    ) -> std::sync::Arc<A> {
        if let Some(shared) = copies.get(address) {
            return shared.clone();
        }
        let shared = std::sync::Arc::new(address.clone());
        copies.insert(address.clone(), shared.clone());
        shared
    }
}

struct Evaluator<'a> {
    diags: Vec<Diagnostic>,
    roots: ValueMap,
    desired: Desired,
    input: &'a EvalInput<'a>,
    providers: HashMap<String, Provider>,
    /// Managed resource blocks that some expression refers to. Only those get a value in the
    /// scope: at the quota ceiling most blocks (versions) are referenced by nobody, and a copy of
    /// every instance's attributes for references would be a third of the evaluation's memory.
    referenced: crate::fast_hash::FastSet<ConfigAddress>,
    /// One copy of each address instances depend on.
    shared: Shared,
    /// Data sources read during apply: they need managed resources that do not exist yet.
    deferred: std::collections::HashSet<ConfigAddress>,
    /// Which module instance this evaluates (the root, or a call with its arguments).
    call: module::Call,
    /// The files of every local module, by directory.
    library: &'a module::Library,
    /// The resource blocks inside each module this one calls (every instance, every level):
    /// what a reference to `module.NAME` depends on.
    module_blocks: HashMap<String, Vec<ConfigAddress>>,
    /// Sensitive variables and the locals made of them (`var.x`, `local.y`).
    sensitive: std::collections::HashSet<String>,
    /// The sensitive arguments of each resource block evaluated so far.
    sensitive_attrs: HashMap<ConfigAddress, Vec<String>>,
    /// Ephemeral variables and the locals made of them (`var.x`, `local.y`): never in a plan or
    /// the state, so only provider blocks (and other locals) may read them.
    ephemeral: std::collections::HashSet<String>,
}

impl<'a> Evaluator<'a> {
    fn run(&mut self, files: Vec<ParsedFile>) {
        let mut declared = Declarations::default();
        for file in files {
            self.declarations(file, &mut declared);
        }
        let Declarations { variables, mut nodes, settings, imports, moves, removals } = declared;
        // The root configures the default provider when no block does; a module uses the
        // configurations its call passes (`module::Call::providers`).
        if self.call.is_root() && !nodes.iter().any(|n| n.key == NodeKey::Provider("azurerm".into())) {
            nodes.push(Node {
                key: NodeKey::Provider("azurerm".into()),
                file: FileId(0),
                body: NodeBody::Provider(None),
                span: Span::new(FileId(0), 0..0),
            });
        }
        for (block, _) in settings.iter().chain(imports.iter()) {
            for r in refs::in_block(block) {
                if let Reference::Resource(type_name, name) = r {
                    self.referenced.insert(self.block_address(Mode::Managed, type_name, name));
                }
            }
        }

        let variables: Vec<(&Block, FileId)> = variables.iter().map(|(b, f)| (b, *f)).collect();
        // `sensitive = true`, or a module argument made of a sensitive value.
        for (block, _) in &variables {
            let name = block.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
            let marked = block.body.get_attribute("sensitive").is_some_and(|a| a.value.as_bool() == Some(true));
            if marked || self.call.sensitive_arguments.contains(&name) {
                self.sensitive.insert(format!("var.{name}"));
            }
            let ephemeral = block.body.get_attribute("ephemeral").is_some_and(|a| a.value.as_bool() == Some(true));
            if ephemeral || self.call.ephemeral_arguments.contains(&name) {
                self.ephemeral.insert(format!("var.{name}"));
            }
        }
        let given = self.call.arguments.take();
        let vars = variables::evaluate(
            &variables,
            given.as_deref().unwrap_or(self.input.vars),
            self.input.sources,
            self.call.header.as_ref(),
            &mut self.diags,
        );
        self.roots.insert("var".into(), Value::Map(vars));
        self.roots.insert(
            expr::PLAN_TIMESTAMP.into(),
            Value::String(sigform_azure::timestamp::format_unix(self.input.environment.plan_time)),
        );
        for root in ["local", "data", "module"] {
            self.roots.insert(root.into(), Value::Map(ValueMap::default()));
        }
        let module_dir = if self.call.dir.is_empty() { ".".to_string() } else { self.call.dir.clone() };
        self.roots.insert(
            "path".into(),
            Value::Map(ValueMap::from([
                ("module".to_string(), Value::String(module_dir)),
                ("root".to_string(), Value::string(".")),
                ("cwd".to_string(), Value::string(".")),
            ])),
        );
        self.roots.insert(
            "terraform".into(),
            Value::Map(ValueMap::from([("workspace".to_string(), Value::string("default"))])),
        );

        let order = self.order(&nodes);
        // The deferred blocks are parsed again in the order they are evaluated in, ahead of
        // it, on another core: evaluation goes block by block on this one.
        let texts: Vec<BlockText> = order
            .iter()
            .filter_map(|&i| match &nodes[i].body {
                NodeBody::Resource(d, _) | NodeBody::Unsupported(d, _) => Some(d.text()),
                _ => None,
            })
            .collect();
        let sources = self.input.sources;
        let mut nodes: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
        std::thread::scope(|scope| {
            let parsed = (texts.len() > 1 && crate::parallel::cores() > 1).then(|| {
                let (send, parsed) = std::sync::mpsc::sync_channel(PARSED_AHEAD);
                scope.spawn(move || {
                    for text in texts {
                        // Evaluation stopped early (it never does): so does this.
                        if send.send(text.parse(sources)).is_err() {
                            break;
                        }
                    }
                });
                parsed
            });
            for index in order {
                if let Some(node) = nodes[index].take() {
                    self.eval_node(&node, parsed.as_ref());
                }
            }
        });
        for (block, file) in &moves {
            self.moved(block, *file);
        }
        for (block, file) in &removals {
            self.removed(block, *file);
        }
        if !self.call.is_root() {
            return;
        }
        for (block, file) in &settings {
            self.desired.settings = self.settings(block, *file);
        }
        // The environment wins over the configuration, so CI can check one configuration against
        // every profile.
        if let Some(name) = &self.input.environment.service_profile {
            match profiles::find(name) {
                Some(profile) => {
                    self.desired.settings.profile = profile;
                    self.desired.settings.profile_choice = ProfileChoice::Environment;
                }
                None => self.diags.push(Diagnostic::error(
                    "SIG004",
                    format!(
                        "SIGFORM_SERVICE_PROFILE names an unknown service profile \"{name}\"; the known ones are {}",
                        profiles::names().join(", ")
                    ),
                )),
            }
        }
        for (block, file) in &imports {
            self.import(block, *file);
        }
        self.desired.providers = {
            let mut p: Vec<Provider> = self.providers.values().cloned().collect();
            p.sort_by(|a, b| a.name.cmp(&b.name));
            p
        };
        // Cycles among instances (through ids and references) are reported by the rules, which
        // run alongside other work: building the graph of 11,000 instances takes a while.
    }

    /// Whether an expression's value carries a sensitive variable's mark (see `refs::is_sensitive`).
    fn is_sensitive(&self, expr: &Expression) -> bool {
        // At the quota ceiling nothing is sensitive: no walk at all then.
        if self.sensitive.is_empty() && self.sensitive_attrs.is_empty() && !self.input.marks_in_sources() {
            return false;
        }
        refs::is_sensitive(expr, &|r, attribute| match r {
            Reference::Variable(n) => self.sensitive.contains(&format!("var.{n}")),
            Reference::Local(n) => self.sensitive.contains(&format!("local.{n}")),
            // An attribute made of a sensitive value is sensitive where it is read.
            Reference::Resource(t, n) => attribute.is_some_and(|a| {
                self.sensitive_attrs
                    .get(&self.block_address(Mode::Managed, t.clone(), n.clone()))
                    .is_some_and(|names| names.iter().any(|x| x == a))
            }),
            _ => false,
        })
    }

    /// Whether an expression reads an ephemeral value (see `refs::is_ephemeral`).
    fn is_ephemeral(&self, expr: &Expression) -> bool {
        if self.ephemeral.is_empty() {
            return false;
        }
        refs::is_ephemeral(expr, &|r, _| match r {
            Reference::Variable(n) => self.ephemeral.contains(&format!("var.{n}")),
            Reference::Local(n) => self.ephemeral.contains(&format!("local.{n}")),
            _ => false,
        })
    }

    /// SIG014: every argument of `body` (at any depth) that reads an ephemeral value, where the
    /// value would be written into a plan and the state.
    fn refuse_ephemeral(&mut self, body: &hcl::edit::structure::Body, file: Origin, what: &str) {
        if self.ephemeral.is_empty() {
            return;
        }
        for s in body.iter() {
            match s {
                Structure::Attribute(a) if self.is_ephemeral(&a.value) => {
                    let scope = Scope::new(file, &self.roots);
                    self.diags.push(
                        Diagnostic::error(
                            "SIG014",
                            format!("`{}` reads an ephemeral value, which {what} would record", a.key.value()),
                        )
                        .at(scope.span_of(&a.value))
                        .help("ephemeral values never go into a plan or the state: use them in the provider block (credentials), or drop `ephemeral = true`"),
                    );
                }
                Structure::Block(b) => self.refuse_ephemeral(&b.body, file, what),
                _ => {}
            }
        }
    }

    /// The top-level arguments and blocks of a body whose values are sensitive.
    fn sensitive_names(&self, body: &hcl::edit::structure::Body) -> Vec<String> {
        let mut out = Vec::new();
        for s in body.iter() {
            match s {
                Structure::Attribute(a) if self.is_sensitive(&a.value) => out.push(a.key.value().to_string()),
                Structure::Block(b) => {
                    let name = if b.ident.value().as_str() == "dynamic" {
                        b.labels.first().map(|l| l.as_str().to_string())
                    } else {
                        Some(b.ident.value().to_string())
                    };
                    if !self.sensitive_names(&b.body).is_empty()
                        && let Some(name) = name
                    {
                        out.push(name);
                    }
                }
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The address of a block of this module instance.
    fn block_address(&self, mode: Mode, type_name: String, name: String) -> ConfigAddress {
        ConfigAddress { module: self.call.path.clone(), mode, type_name, name }
    }

    fn declarations(&mut self, file: ParsedFile, declared: &mut Declarations) {
        let roots = ValueMap::default();
        let scope = Scope::new(file.file, &roots);
        let Declarations { variables, nodes, settings, imports, moves, removals } = declared;
        // The deferred blocks take their places among the others: nodes stay in file order.
        let mut deferred = file.deferred.into_iter().peekable();
        for structure in file.body.into_iter() {
            let start = match &structure {
                Structure::Block(b) => b.ident.span(),
                Structure::Attribute(a) => a.key.span(),
            }
            .map_or(0, |r| r.start);
            while let Some(d) = deferred.next_if(|d| d.range.start < start) {
                self.declare_resource(d, nodes);
            }
            let block = match structure {
                Structure::Block(b) => b,
                Structure::Attribute(a) => {
                    self.diags.push(
                        Diagnostic::error(
                            "SIG002",
                            format!("unexpected argument `{}` at the top level", a.key.value().as_str()),
                        )
                        .at(scope.span_of(&a.key))
                        .help("top-level arguments belong in a block: locals { ... }, variable \"x\" { ... }"),
                    );
                    continue;
                }
            };
            let ident = block.ident.value().to_string();
            let ident = ident.as_str();
            let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_string()).collect();
            let header = header_span(&scope, &block);
            let want_labels = match ident {
                // Terraform takes provider configurations and import blocks only in the root;
                // the `sigform` block is the root's too.
                "provider" | "import" | "sigform" if !self.call.is_root() => {
                    let help = match ident {
                        "provider" => {
                            "configure providers in the root module and pass them with `providers = { azurerm = azurerm.NAME }` in the module block"
                        }
                        _ => "move it to the root module",
                    };
                    self.diags.push(
                        Diagnostic::error(
                            "SIG002",
                            format!("`{ident}` blocks belong in the root module, not in a module"),
                        )
                        .at(header)
                        .help(help),
                    );
                    continue;
                }
                "variable" | "output" | "provider" | "check" | "module" => 1,
                "resource" | "data" => 2,
                "locals" | "terraform" | "import" | "sigform" | "moved" | "removed" => 0,
                other => {
                    let d = Diagnostic::error("SIG002", format!("unknown block type `{other}`")).at(header);
                    self.diags.push(match crate::model::suggest(other, BLOCK_TYPES.iter().copied()) {
                        Some(s) => d.help(format!("did you mean `{s}`?")),
                        None => d,
                    });
                    continue;
                }
            };
            if labels.len() != want_labels {
                self.diags.push(
                    Diagnostic::error(
                        "SIG002",
                        format!("a `{ident}` block takes {want_labels} label(s), found {}", labels.len()),
                    )
                    .at(header),
                );
                continue;
            }
            let node = |key, body| Node { key, file: file.file, body, span: header.clone() };
            match ident {
                "variable" => variables.push((block, file.file)),
                "locals" => {
                    for s in block.body.into_iter() {
                        match s {
                            Structure::Attribute(a) => nodes.push(Node {
                                key: NodeKey::Local(a.key.value().as_str().to_string()),
                                file: file.file,
                                span: scope.span_of(&a.key),
                                body: NodeBody::Local(a),
                            }),
                            Structure::Block(b) => self.diags.push(
                                Diagnostic::error("SIG002", "blocks are not allowed inside `locals`")
                                    .at(scope.span_of(&b.ident)),
                            ),
                        }
                    }
                }
                // Deferred by the parse whenever they have their two labels, as here.
                "resource" | "data" => match DeferredBlock::from_tree(&block, file.file) {
                    Some(d) => self.declare_resource(d, nodes),
                    // Only a tree without its places (never one the parser made): said, not lost.
                    None => self
                        .diags
                        .push(Diagnostic::error("SIG001", format!("this `{ident}` block cannot be read")).at(header)),
                },
                "output" => nodes.push(node(NodeKey::Output(labels[0].to_string()), NodeBody::Output(block))),
                "check" => nodes.push(node(NodeKey::Check(labels[0].to_string()), NodeBody::Check(block))),
                "module" => nodes.push(node(NodeKey::Module(labels[0].to_string()), NodeBody::Module(block))),
                "provider" => {
                    // The random provider takes no configuration sigform would need; an empty
                    // block is accepted, anything in it is refused rather than ignored.
                    if labels[0] == "random" {
                        if let Some(s) = block.body.iter().next() {
                            let span = match s {
                                Structure::Attribute(a) => scope.span_of(&a.key),
                                Structure::Block(b) => scope.span_of(&b.ident),
                            };
                            self.diags.push(
                                Diagnostic::error("SIG002", "the random provider takes no arguments in sigform")
                                    .at(span),
                            );
                        }
                        continue;
                    }
                    if labels[0] != "azurerm" {
                        self.diags.push(
                            Diagnostic::error(
                                "SIG002",
                                format!("provider `{}` is not supported: sigform manages azurerm resources", labels[0]),
                            )
                            .at(header),
                        );
                        continue;
                    }
                    let alias = block.body.get_attribute("alias").and_then(|a| a.value.as_str().map(str::to_string));
                    let name = match alias {
                        Some(alias) => format!("azurerm.{alias}"),
                        None => "azurerm".to_string(),
                    };
                    nodes.push(node(NodeKey::Provider(name), NodeBody::Provider(Some(block))));
                }
                "import" => imports.push((block, file.file)),
                "moved" => moves.push((block, file.file)),
                "removed" => removals.push((block, file.file)),
                "sigform" => settings.push((block, file.file)),
                _ => {} // terraform: required_providers and the like mean nothing to sigform
            }
        }
        for d in deferred {
            self.declare_resource(d, nodes);
        }
    }

    /// A `resource` or `data` block's node: its type's schema, or the type sigform lacks.
    fn declare_resource(&mut self, block: DeferredBlock, nodes: &mut Vec<Node>) {
        let mode = if block.data { Mode::Data } else { Mode::Managed };
        let schema = if mode == Mode::Managed {
            sigform_azure::resources::resource(&block.type_name)
        } else {
            sigform_azure::resources::data_source(&block.type_name)
        };
        let key = NodeKey::Resource(self.block_address(mode, block.type_name.clone(), block.name.clone()));
        let (file, span) = (block.file, Span::new(block.file, block.header.clone()));
        let body = match schema {
            Some(schema) => NodeBody::Resource(block, schema),
            // A type sigform lacks is fine while it has no instance: decided once `count` or
            // `for_each` is known.
            None if block.expands => NodeBody::Unsupported(block, mode),
            None => {
                let at = Span::new(block.file, block.type_label.clone());
                self.diags.push(unsupported_type(mode, &block.type_name, at));
                return;
            }
        };
        nodes.push(Node { key, file, body, span });
    }

    fn set_root(&mut self, key: &NodeKey, value: Value) {
        let insert = |map: &mut Value, name: &str, value: Value| {
            if let Value::Map(m) = map {
                m.insert(name.to_string(), value);
            }
        };
        match key {
            NodeKey::Local(name) => insert(self.roots.get_mut("local").expect("local root"), name, value),
            NodeKey::Resource(addr) if addr.mode == Mode::Data => {
                let data = self.roots.get_mut("data").expect("data root");
                if let Value::Map(types) = data {
                    let entry = types.entry_or_insert_with(&addr.type_name, || Value::Map(ValueMap::default()));
                    insert(entry, &addr.name, value);
                }
            }
            NodeKey::Resource(addr) => {
                let entry = self.roots.entry_or_insert_with(&addr.type_name, || Value::Map(ValueMap::default()));
                insert(entry, &addr.name, value);
            }
            NodeKey::Module(name) => insert(self.roots.get_mut("module").expect("module root"), name, value),
            NodeKey::Output(_) | NodeKey::Provider(_) | NodeKey::Check(_) => {}
        }
    }

    /// Evaluates one node; a deferred block's tree comes from `parsed` when blocks are parsed
    /// ahead (in evaluation order), else it is parsed here.
    fn eval_node(&mut self, node: &Node, parsed: Option<&std::sync::mpsc::Receiver<Result<Block, Diagnostic>>>) {
        let sources = self.input.sources;
        let tree = |d: &DeferredBlock| match parsed.map(|p| p.recv()) {
            Some(Ok(tree)) => tree,
            _ => d.parse(sources),
        };
        match &node.body {
            NodeBody::Local(attr) => {
                if self.is_sensitive(&attr.value) {
                    let NodeKey::Local(name) = &node.key else { unreachable!() };
                    self.sensitive.insert(format!("local.{name}"));
                }
                if self.is_ephemeral(&attr.value) {
                    let NodeKey::Local(name) = &node.key else { unreachable!() };
                    self.ephemeral.insert(format!("local.{name}"));
                }
                let mut scope = Scope::new(node.file, &self.roots).with_files(self.input.files);
                let value = eval(&attr.value, &mut scope).unwrap_or_else(|e| {
                    self.diags.push(e.into_diagnostic());
                    Value::Unknown
                });
                self.set_root(&node.key, value);
            }
            NodeBody::Provider(block) => {
                let NodeKey::Provider(name) = &node.key else { unreachable!() };
                let provider = self.provider(name, block.as_ref(), node.file);
                if let (Some(data), Some(span)) = (self.input.data, &provider.span)
                    && let Err(why) = data.provider_configured(&provider)
                {
                    self.diags.push(Diagnostic::error("SIG005", why).at(span.clone()));
                }
                self.providers.insert(name.clone(), provider);
            }
            NodeBody::Resource(deferred, schema) => {
                let NodeKey::Resource(addr) = &node.key else { unreachable!() };
                let value = match tree(deferred) {
                    Ok(block) => self.resource(addr, &block, schema, deferred.origin()),
                    Err(d) => {
                        self.diags.push(d);
                        Value::Unknown
                    }
                };
                self.set_root(&node.key, value);
            }
            NodeBody::Output(block) => self.output(block, node.file),
            NodeBody::Check(block) => self.check(block, node.file),
            NodeBody::Module(block) => {
                let NodeKey::Module(name) = &node.key else { unreachable!() };
                let value = self.module_call(name, block, node.file);
                self.set_root(&node.key, value);
            }
            NodeBody::Unsupported(deferred, mode) => {
                let expansion = match tree(deferred) {
                    Ok(block) => self.expansion(&block, deferred.origin()),
                    Err(d) => {
                        self.diags.push(d);
                        None
                    }
                };
                let value = match expansion {
                    Some(e) if e.instances.is_empty() => match e.kind {
                        ExpansionKind::ForEach => Value::Map(ValueMap::default()),
                        _ => Value::List(Vec::new()),
                    },
                    Some(_) => {
                        let at = Span::new(deferred.file, deferred.type_label.clone());
                        self.diags.push(unsupported_type(*mode, &deferred.type_name, at));
                        Value::Unknown
                    }
                    None => Value::Unknown,
                };
                self.set_root(&node.key, value);
            }
        }
    }

    fn provider(&mut self, name: &str, block: Option<&Block>, file: FileId) -> Provider {
        let env = self.input.environment;
        let mut subscription = env.subscription_id.clone();
        let mut tenant = env.tenant_id.clone();
        // azurerm 4.x's default.
        let mut prevent_group_deletion = true;
        let mut credentials = BTreeMap::new();
        let mut span = None;
        if let Some(block) = block {
            let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
            span = Some(header_span(&scope, block));
            for s in block.body.iter() {
                match s {
                    Structure::Attribute(a) => {
                        let key = a.key.value().as_str();
                        if !PROVIDER_ARGUMENTS.contains(&key) {
                            let d = Diagnostic::error(
                                "SIG002",
                                format!("unknown argument `{key}` in provider \"azurerm\""),
                            )
                            .at(scope.span_of(&a.key));
                            self.diags.push(match crate::model::suggest(key, PROVIDER_ARGUMENTS.iter().copied()) {
                                Some(s) => d.help(format!("did you mean `{s}`?")),
                                None => d,
                            });
                            continue;
                        }
                        let value = match eval(&a.value, &mut scope) {
                            Ok(v) => v,
                            Err(e) => {
                                self.diags.push(e.into_diagnostic());
                                continue;
                            }
                        };
                        match (key, &value) {
                            ("subscription_id", Value::String(s)) => subscription = Some(s.clone()),
                            ("tenant_id", Value::String(s)) => {
                                // The tenant signs in too (a service principal's home tenant).
                                credentials.insert("tenant_id".to_string(), s.clone());
                                tenant = Some(s.clone());
                            }
                            ("environment", v) if v.as_str().is_some_and(|e| e != "public") => self.diags.push(
                                Diagnostic::error(
                                    "SIG002",
                                    format!(
                                        "environment {v} is not supported yet: sigform manages the Azure public cloud"
                                    ),
                                )
                                .at(scope.span_of(&a.value)),
                            ),
                            ("subscription_id" | "tenant_id", Value::Unknown) => self.diags.push(
                                Diagnostic::error("SIG004", format!("`{key}` must be known before apply"))
                                    .at(scope.span_of(&a.value)),
                            ),
                            ("metadata_host" | "auxiliary_tenant_ids", v) if !matches!(v, Value::Null) => {
                                self.diags.push(
                                    Diagnostic::error(
                                        "SIG002",
                                        format!("`{key}` in the provider block is not supported yet"),
                                    )
                                    .at(scope.span_of(&a.key))
                                    .help(if key == "metadata_host" {
                                        "set ARM_METADATA_HOSTNAME in the environment instead: sigform reads it before the configuration"
                                    } else {
                                        "sigform signs in to one tenant per run"
                                    }),
                                )
                            }
                            (k, _) if CREDENTIAL_ARGUMENTS.contains(&k) => match &value {
                                Value::Null => {}
                                Value::String(s) => {
                                    credentials.insert(k.to_string(), s.clone());
                                }
                                Value::Bool(b) => {
                                    credentials.insert(k.to_string(), b.to_string());
                                }
                                Value::Unknown => self.diags.push(
                                    Diagnostic::error("SIG004", format!("`{key}` must be known before apply"))
                                        .at(scope.span_of(&a.value)),
                                ),
                                other => self.diags.push(
                                    Diagnostic::error("SIG003", format!("`{key}` must be a string or a bool, not {other}"))
                                        .at(scope.span_of(&a.value)),
                                ),
                            },
                            _ => {}
                        }
                    }
                    Structure::Block(b) => {
                        let ident = b.ident.value().as_str();
                        if ident != "features" {
                            self.diags.push(
                                Diagnostic::error("SIG002", format!("unknown block `{ident}` in provider \"azurerm\""))
                                    .at(scope.span_of(&b.ident)),
                            );
                            continue;
                        }
                        // `features`: sigform honours what concerns the resources it manages
                        // (resource groups); the other blocks configure resource types it does
                        // not manage, so they change nothing here.
                        for group in b.body.blocks().filter(|g| g.ident.value().as_str() == "resource_group") {
                            for a in group.body.attributes() {
                                let key = a.key.value().as_str();
                                if key != "prevent_deletion_if_contains_resources" {
                                    self.diags.push(
                                        Diagnostic::error(
                                            "SIG002",
                                            format!("unknown argument `{key}` in features {{ resource_group }}"),
                                        )
                                        .at(scope.span_of(&a.key)),
                                    );
                                    continue;
                                }
                                match eval(&a.value, &mut scope) {
                                    Ok(Value::Bool(b)) => prevent_group_deletion = b,
                                    Ok(other) => self.diags.push(
                                        Diagnostic::error("SIG003", format!("`{key}` must be a bool, not {other}"))
                                            .at(scope.span_of(&a.value)),
                                    ),
                                    Err(e) => self.diags.push(e.into_diagnostic()),
                                }
                            }
                        }
                    }
                }
            }
        }
        Provider {
            name: name.to_string(),
            subscription_id: subscription.unwrap_or_else(|| DEFAULT_SUBSCRIPTION.to_string()),
            tenant_id: tenant.unwrap_or_else(|| DEFAULT_TENANT.to_string()),
            credentials,
            prevent_group_deletion_with_resources: prevent_group_deletion,
            span,
        }
    }

    /// Evaluates every instance of a resource or data block; returns the value references see.
    fn resource(
        &mut self,
        addr: &ConfigAddress,
        block: &Block,
        schema: &'static ResourceSchema,
        file: Origin,
    ) -> Value {
        let header = {
            let scope = Scope::new(file, &self.roots).with_files(self.input.files);
            header_span(&scope, block)
        };
        let provider_key = refs::provider_name(block);
        let Some(provider) = self.providers.get(&provider_key).cloned() else {
            let span = block
                .body
                .get_attribute("provider")
                .and_then(|a| a.value.span())
                .map_or(header.clone(), |r| Span::new(file.file, r.start + file.offset..r.end + file.offset));
            let known: Vec<&str> = self.providers.keys().map(String::as_str).collect();
            let d = Diagnostic::error("SIG005", format!("provider `{provider_key}` is not configured")).at(span).help(
                format!(
                    "add provider \"azurerm\" {{ alias = \"{}\" ... }}",
                    provider_key.trim_start_matches("azurerm.")
                ),
            );
            let d = match crate::model::suggest(&provider_key, known) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d,
            };
            self.diags.push(d);
            return Value::Unknown;
        };
        let Some(expansion) = self.expansion(block, file) else {
            return Value::Unknown;
        };
        let expansion_touched = expansion.touched.clone();
        let depends_on = self.depends_on(block, file);
        let sensitive_names = self.sensitive_names(&block.body);
        if !sensitive_names.is_empty() {
            self.sensitive_attrs.insert(addr.clone(), sensitive_names.clone());
        }
        self.refuse_ephemeral(&block.body, file, "a resource or data source");
        let lifecycle = self.lifecycle(block, file, schema);

        let mut by_key = ValueMap::default();
        let mut list = Vec::new();
        let owner = format!("{} \"{}\"", addr.type_name, addr.name);
        let owner = if addr.mode == Mode::Data { format!("data {owner}") } else { format!("resource {owner}") };
        let Expansion { kind: expansion_kind, instances, .. } = expansion;
        let body_schema = BodySchema {
            attrs: schema.attrs,
            blocks: schema.blocks,
            unsupported: schema.unsupported,
            meta: RESOURCE_META,
            owner: &owner,
        };
        // The instances' bodies depend only on the roots and their own binding (which moves
        // into the instance's scope, not copied): a `for_each` over many keys is evaluated on
        // every core, with the addresses each depends on (sorted and without repeats there: at
        // the quota ceiling that was a fifth of evaluating a `for_each` on one core). What
        // follows each, in instance order, is as if evaluated one by one.
        let (roots, files) = (&self.roots, self.input.files);
        let (module_blocks, module_path, call_depends_on) =
            (&self.module_blocks, self.call.path.as_str(), &self.call.depends_on);
        let made = crate::parallel::map(instances, 64, |(key, binding)| {
            let mut scope = Scope::new(file, roots).with_files(files);
            if let Some((name, value)) = binding {
                scope.push(name, value);
            }
            let mut diags = Vec::new();
            let mut attrs = eval_body(&block.body, &body_schema, &header, &mut scope, &mut diags);
            let timeouts = timeouts(attrs.blocks.remove("timeouts").unwrap_or_default(), &mut diags);
            for lifecycle in block.body.get_blocks("lifecycle") {
                for check in lifecycle.body.get_blocks("precondition") {
                    precondition(check, &mut scope, &mut diags);
                }
            }
            // Indexed references name one instance; the others depend on the whole block.
            let mut blocks: Vec<ConfigAddress> = depends_on.iter().chain(&call_depends_on.blocks).cloned().collect();
            let mut instances: Vec<Address> = call_depends_on.references.clone();
            dependencies(
                module_blocks,
                module_path,
                scope.touched.into_iter().chain(expansion_touched.iter().cloned()),
                &mut blocks,
                &mut instances,
            );
            if blocks.len() > 1 {
                blocks.sort();
                blocks.dedup();
            }
            if instances.len() > 1 {
                instances.sort();
                instances.dedup();
            }
            (key, attrs, timeouts, blocks, instances, diags)
        });
        self.desired.resources.reserve(made.len());
        for (key, attrs, timeouts, blocks, instances, diags) in made {
            let mut lifecycle = lifecycle.clone();
            lifecycle.timeouts = timeouts;
            self.diags.extend(diags);
            let mut instance = Instance {
                address: Address { resource: addr.clone(), key },
                schema,
                provider: provider.name.clone(),
                subscription_id: provider.subscription_id.clone(),
                tenant_id: provider.tenant_id.clone(),
                id: None,
                attrs,
                span: header.clone(),
                lifecycle,
                // One copy of each address depended on, shared (`Shared`): kept exact.
                depends_on: blocks.iter().map(|a| self.shared.block(a)).collect(),
                references: instances.iter().map(|a| self.shared.instance(a)).collect(),
                deferred_read: None,
                sensitive: sensitive_names.clone(),
            };
            complete(&mut instance, self.input.environment);
            if schema.kind == ResourceKind::Local {
                let recorded = self.input.recorded.and_then(|r| r.recorded(&instance.address.to_string()));
                local::settle(
                    &mut instance,
                    recorded.map(|(_, attrs)| attrs).as_ref(),
                    &self.input.environment.entropy,
                );
            }
            // A managed resource cannot be planned on a value read during apply (sigform does not
            // plan again during apply yet): it says so, instead of sending an unknown to Azure.
            if addr.mode == Mode::Managed
                && let Some(data) = instance
                    .depends_on
                    .iter()
                    .map(|d| &**d)
                    .chain(instance.references.iter().map(|a| &a.resource))
                    .find(|d| self.deferred.contains(*d))
                && !Value::Map(instance.attrs.to_value()).is_wholly_known()
            {
                self.diags.push(
                    Diagnostic::error(
                        "SIG011",
                        format!(
                            "{} uses {data}, which can only be read during apply (what it reads does not exist yet); sigform cannot plan on a value read during apply",
                            instance.address
                        ),
                    )
                    .at(header.clone())
                    .help(format!("refer to the managed resource instead of {data}, or apply what it reads first (sigform apply --target ...)")),
                );
            }
            if addr.mode == Mode::Managed && !self.referenced.contains(addr) {
                self.desired.resources.push(instance);
                continue;
            }
            let mut value = instance.attrs.to_value();
            // Values Azure computed for this very resource (same id) are known from the state.
            let computes = schema.attrs.iter().any(|a| a.mutability == Mutability::Computed && a.name != "id");
            let recorded = match (addr.mode, self.input.recorded, instance.id.as_deref()) {
                (Mode::Managed, Some(resolver), Some(id)) if computes => resolver
                    .recorded(&instance.address.to_string())
                    .filter(|(recorded_id, _)| recorded_id.eq_ignore_ascii_case(id))
                    .map(|(_, attrs)| attrs),
                _ => None,
            };
            for a in schema.attrs {
                let fallback = if a.mutability == Mutability::Computed {
                    recorded
                        .as_ref()
                        .and_then(|r| r.get(a.name))
                        .filter(|v| !v.is_null())
                        .cloned()
                        .unwrap_or(Value::Unknown)
                } else {
                    Value::Null
                };
                value.entry_or_insert_with(a.name, || fallback);
            }
            for (path, attr) in schema.nested_computed() {
                fill_nested_computed(&mut value, &path, attr, recorded.as_ref());
            }
            value.insert("id".into(), instance.id.clone().map_or(Value::Unknown, Value::String));
            // A data source that needs a managed resource the state does not have yet is read
            // during apply, as Terraform defers it: reading it now could only say "not found".
            let waits_for = (addr.mode == Mode::Data).then(|| self.missing_dependency(&instance)).flatten();
            if let Some(missing) = &waits_for {
                self.deferred.insert(addr.clone());
                instance.deferred_read = Some(missing.clone());
            }
            if addr.mode == Mode::Data
                && waits_for.is_none()
                && let Some(resolver) = self.input.data
            {
                match resolver.read(&instance) {
                    Ok(Some(read)) => {
                        // What the cloud says becomes part of the instance, so the rules see it
                        // (an image's location and OS disk for SIG206, SIG301, SIG303).
                        absorb(&mut instance.attrs, &read, &header);
                        if let Some(Value::String(id)) = read.get("id") {
                            instance.id = Some(id.clone());
                        }
                        value.extend(read);
                    }
                    Ok(None) => self.diags.push(
                        Diagnostic::error(
                            "SIG005",
                            format!(
                                "{}: no such resource in the cloud ({})",
                                instance.address,
                                instance.id.as_deref().unwrap_or("unknown id")
                            ),
                        )
                        .at(header.clone()),
                    ),
                    Err(cause) => self.diags.push(
                        Diagnostic::error(
                            "SIG011",
                            format!("{}: cannot be read from the cloud: {cause}", instance.address),
                        )
                        .at(header.clone()),
                    ),
                }
            }
            let value = Value::Map(value);
            match &instance.address.key {
                InstanceKey::Key(k) => {
                    by_key.insert(k.clone(), value);
                }
                _ => list.push(value),
            }
            if addr.mode == Mode::Data {
                self.desired.data.push(instance);
            } else {
                self.desired.resources.push(instance);
            }
        }
        match expansion_kind {
            ExpansionKind::Single => list.pop().unwrap_or(Value::Unknown),
            ExpansionKind::Count => Value::List(list),
            ExpansionKind::ForEach => Value::Map(by_key),
        }
    }

    /// `dependencies` in this evaluation's module.
    fn dependencies(
        &self,
        touched: impl Iterator<Item = expr::Touched>,
        blocks: &mut Vec<ConfigAddress>,
        instances: &mut Vec<Address>,
    ) {
        dependencies(&self.module_blocks, &self.call.path, touched, blocks, instances);
    }

    /// The first managed resource a data source instance needs that the state does not have.
    fn missing_dependency(&self, instance: &Instance) -> Option<String> {
        let recorded = self.input.recorded?;
        instance
            .depends_on
            .iter()
            .map(|d| &**d)
            .chain(instance.references.iter().map(|a| &a.resource))
            .filter(|d| d.mode == Mode::Managed)
            .map(|d| d.to_string())
            .find(|block| !recorded.has_block(block))
    }

    fn expansion(&mut self, block: &Block, file: Origin) -> Option<Expansion> {
        let count = block.body.get_attribute("count");
        let for_each = block.body.get_attribute("for_each");
        let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
        match (count, for_each) {
            (Some(c), Some(_)) => {
                self.diags.push(
                    Diagnostic::error("SIG010", "`count` and `for_each` cannot both be set").at(scope.span_of(&c.key)),
                );
                None
            }
            (Some(c), None) => {
                let span = scope.span_of(&c.value);
                let value = eval(&c.value, &mut scope).map_err(|e| self.diags.push(e.into_diagnostic())).ok()?;
                let n = match value {
                    Value::Unknown => {
                        self.diags.push(unknown_expansion("count", span));
                        return None;
                    }
                    v => v.to_number().filter(|n| *n >= 0.0 && n.fract() == 0.0),
                };
                let Some(n) = n else {
                    self.diags
                        .push(Diagnostic::error("SIG010", "`count` must be a whole number, zero or more").at(span));
                    return None;
                };
                Some(Expansion {
                    touched: std::mem::take(&mut scope.touched),
                    kind: ExpansionKind::Count,
                    instances: (0..n as u64)
                        .map(|i| {
                            let binding = Value::Map(ValueMap::from([("index".to_string(), Value::Number(i as f64))]));
                            (InstanceKey::Index(i), Some(("count", binding)))
                        })
                        .collect(),
                })
            }
            (None, Some(f)) => {
                let span = scope.span_of(&f.value);
                let value = eval(&f.value, &mut scope).map_err(|e| self.diags.push(e.into_diagnostic())).ok()?;
                let pairs: Vec<(String, Value)> = match value {
                    Value::Unknown => {
                        self.diags.push(unknown_expansion("for_each", span));
                        return None;
                    }
                    Value::Map(map) => map.into_iter().collect(),
                    Value::List(items) => {
                        let mut keys = Vec::new();
                        for item in items {
                            match item {
                                Value::String(s) => keys.push((s.clone(), Value::String(s))),
                                other => {
                                    self.diags.push(
                                        Diagnostic::error(
                                            "SIG010",
                                            format!(
                                                "`for_each` over a set needs strings, found a {}",
                                                other.type_name()
                                            ),
                                        )
                                        .at(span)
                                        .help("use a map, or toset([...]) of strings"),
                                    );
                                    return None;
                                }
                            }
                        }
                        keys.sort_by(|a, b| a.0.cmp(&b.0));
                        keys.dedup_by(|a, b| a.0 == b.0);
                        keys
                    }
                    other => {
                        self.diags.push(
                            Diagnostic::error(
                                "SIG010",
                                format!("`for_each` must be a map or a set of strings, not {}", other.type_name()),
                            )
                            .at(span),
                        );
                        return None;
                    }
                };
                Some(Expansion {
                    touched: std::mem::take(&mut scope.touched),
                    kind: ExpansionKind::ForEach,
                    instances: pairs
                        .into_iter()
                        .map(|(k, v)| {
                            let binding = Value::Map(ValueMap::from([
                                ("key".to_string(), Value::String(k.clone())),
                                ("value".to_string(), v),
                            ]));
                            (InstanceKey::Key(k), Some(("each", binding)))
                        })
                        .collect(),
                })
            }
            (None, None) => Some(Expansion {
                touched: Vec::new(),
                kind: ExpansionKind::Single,
                instances: vec![(InstanceKey::None, None)],
            }),
        }
    }

    /// Resource blocks this one names in `depends_on` or refers to anywhere in its body.
    fn depends_on(&mut self, block: &Block, file: Origin) -> Vec<ConfigAddress> {
        // References are recorded precisely while the body is evaluated (`Scope::touched`); here
        // only what `depends_on` names.
        let mut out: Vec<ConfigAddress> = Vec::new();
        if let Some(attr) = block.body.get_attribute("depends_on") {
            let scope = Scope::new(file, &self.roots).with_files(self.input.files);
            match &attr.value {
                Expression::Array(items) => {
                    for item in items.iter() {
                        let named = match refs::traversal_path(item).as_slice() {
                            [d, t, n] if d == "data" => {
                                Some(vec![self.block_address(Mode::Data, t.clone(), n.clone())])
                            }
                            [m, n] if m == "module" => self.module_blocks.get(n).cloned(),
                            [t, n] if t != "var" && t != "local" => {
                                Some(vec![self.block_address(Mode::Managed, t.clone(), n.clone())])
                            }
                            _ => None,
                        };
                        if let Some(a) = named {
                            out.extend(a);
                        } else {
                            self.diags.push(
                                Diagnostic::error(
                                    "SIG005",
                                    "`depends_on` lists resources and modules: TYPE.NAME, data.TYPE.NAME or module.NAME",
                                )
                                .at(scope.span_of(item)),
                            );
                        }
                    }
                }
                other => self.diags.push(
                    Diagnostic::error("SIG004", "`depends_on` must be a list of resources").at(scope.span_of(other)),
                ),
            }
        }
        out.sort();
        out.dedup();
        out
    }

    fn lifecycle(&mut self, block: &Block, file: Origin, schema: &ResourceSchema) -> Lifecycle {
        let mut lifecycle = Lifecycle::default();
        let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
        for lc in block.body.get_blocks("lifecycle") {
            for s in lc.body.iter() {
                let Structure::Attribute(a) = s else {
                    let Structure::Block(b) = s else { continue };
                    let ident = b.ident.value().as_str();
                    match ident {
                        // Checked per instance, where `each` and `count` are known.
                        "precondition" => {}
                        "postcondition" => self.diags.push(
                            Diagnostic::error("SIG002", "`postcondition` is not supported yet")
                                .at(scope.span_of(&b.ident))
                                .help(
                                    "a precondition is checked when planning; sigform never skips a condition silently",
                                ),
                        ),
                        _ => self.diags.push(
                            Diagnostic::error("SIG002", format!("unknown block `{ident}` in lifecycle"))
                                .at(scope.span_of(&b.ident)),
                        ),
                    }
                    continue;
                };
                let key = a.key.value().as_str();
                match key {
                    "prevent_destroy" | "create_before_destroy" => match eval(&a.value, &mut scope) {
                        Ok(Value::Bool(b)) => {
                            if key == "prevent_destroy" {
                                lifecycle.prevent_destroy = b;
                            } else {
                                lifecycle.create_before_destroy = b;
                            }
                        }
                        Ok(other) => self.diags.push(
                            Diagnostic::error(
                                "SIG004",
                                format!("`{key}` must be true or false, not {}", other.type_name()),
                            )
                            .at(scope.span_of(&a.value)),
                        ),
                        Err(e) => self.diags.push(e.into_diagnostic()),
                    },
                    "ignore_changes" => match &a.value {
                        Expression::Variable(v) if v.value().as_str() == "all" => {
                            lifecycle.ignore_changes = vec!["*".into()];
                        }
                        Expression::Array(items) => {
                            for item in items.iter() {
                                let path = refs::traversal_path(item);
                                let name = path.first().cloned().or_else(|| item.as_str().map(str::to_string));
                                match name {
                                    Some(n) if schema.attr(&n).is_some() || schema.block(&n).is_some() => {
                                        lifecycle.ignore_changes.push(path.join("."));
                                    }
                                    Some(n) => self.diags.push(
                                        Diagnostic::error(
                                            "SIG002",
                                            format!(
                                                "`ignore_changes` names `{n}`, which {} does not have",
                                                schema.type_name
                                            ),
                                        )
                                        .at(scope.span_of(item)),
                                    ),
                                    None => self.diags.push(
                                        Diagnostic::error("SIG004", "`ignore_changes` lists attribute names")
                                            .at(scope.span_of(item)),
                                    ),
                                }
                            }
                        }
                        other => self.diags.push(
                            Diagnostic::error("SIG004", "`ignore_changes` must be a list of attribute names or `all`")
                                .at(scope.span_of(other)),
                        ),
                    },
                    "replace_triggered_by" => self.diags.push(
                        Diagnostic::error("SIG002", "`replace_triggered_by` is not supported yet")
                            .at(scope.span_of(&a.key))
                            .help("replace explicitly with `sigform apply --replace ADDRESS`; sigform never ignores a setting silently"),
                    ),
                    other => self.diags.push(
                        Diagnostic::error("SIG002", format!("unknown argument `{other}` in lifecycle"))
                            .at(scope.span_of(&a.key)),
                    ),
                }
            }
        }
        lifecycle
    }

    /// `check "name" { assert { condition, error_message } ... }`: each assertion that does not
    /// hold is a warning with its own message, as Terraform reports checks; one known only after
    /// apply holds until then. A scoped `data` block inside is not supported yet.
    fn check(&mut self, block: &Block, file: FileId) {
        let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
        let name = block.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
        for s in block.body.iter() {
            match s {
                Structure::Block(b) if b.ident.value().as_str() == "assert" => {
                    let mut found = Vec::new();
                    precondition(b, &mut scope, &mut found);
                    for d in found {
                        self.diags.push(if d.rule == "SIG012" {
                            let message = d.message.replacen("precondition failed: ", "", 1);
                            let span = d.span.clone();
                            let w = Diagnostic::warning("SIG013", format!("check \"{name}\" failed: {message}"));
                            match span {
                                Some(span) => w.at(span),
                                None => w,
                            }
                        } else {
                            d
                        });
                    }
                }
                Structure::Block(b) => self.diags.push(
                    Diagnostic::error(
                        "SIG002",
                        format!("`{}` blocks in a check are not supported yet", b.ident.value().as_str()),
                    )
                    .at(scope.span_of(&b.ident)),
                ),
                Structure::Attribute(a) => self.diags.push(
                    Diagnostic::error("SIG002", format!("unknown argument `{}` in check", a.key.value().as_str()))
                        .at(scope.span_of(&a.key)),
                ),
            }
        }
    }

    fn output(&mut self, block: &Block, file: FileId) {
        self.refuse_ephemeral(&block.body, file.into(), "an output");
        let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
        let header = header_span(&scope, block);
        let name = block.labels[0].as_str().to_string();
        let mut output = Output { name, value: Value::Null, sensitive: false, description: None, span: header.clone() };
        let mut has_value = false;
        for s in block.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.value().as_str();
                    if key == "depends_on" {
                        continue;
                    }
                    let value = match eval(&a.value, &mut scope) {
                        Ok(v) => v,
                        Err(e) => {
                            self.diags.push(e.into_diagnostic());
                            Value::Unknown
                        }
                    };
                    match key {
                        "value" => {
                            has_value = true;
                            output.value = value;
                        }
                        "sensitive" => output.sensitive = value.as_bool().unwrap_or(false),
                        "description" => output.description = value.as_str().map(str::to_string),
                        other => self.diags.push(
                            Diagnostic::error("SIG002", format!("unknown argument `{other}` in output"))
                                .at(scope.span_of(&a.key)),
                        ),
                    }
                }
                Structure::Block(b) if b.ident.value().as_str() == "precondition" => {
                    precondition(b, &mut scope, &mut self.diags);
                }
                Structure::Block(b) => self.diags.push(
                    Diagnostic::error("SIG002", format!("unknown block `{}` in output", b.ident.value().as_str()))
                        .at(scope.span_of(&b.ident)),
                ),
            }
        }
        if !has_value {
            self.diags.push(Diagnostic::error("SIG003", "an output needs a `value`").at(header));
        }
        // As Terraform: a root output made of sensitive values must say so.
        if self.call.is_root()
            && !output.sensitive
            && let Some(value) = block.body.get_attribute("value")
            && self.is_sensitive(&value.value)
        {
            self.diags.push(
                Diagnostic::error("SIG004", format!("output \"{}\" refers to sensitive values", output.name))
                    .at(header_span(&scope, block))
                    .help("set sensitive = true on the output, or wrap what may be shown in nonsensitive()"),
            );
        }
        // A module's outputs are its value in the calling module; the root's are the run's.
        if self.call.is_root() {
            self.desired.outputs.push(output);
        } else {
            self.call.outputs.insert(output.name, output.value);
        }
    }

    /// `moved { from = ADDRESS, to = ADDRESS }`: both are addresses, written as references
    /// (`azurerm_x.old`, `azurerm_x.new["key"]`); a whole block moves with its instances.
    fn moved(&mut self, block: &Block, file: FileId) {
        let scope = Scope::new(file, &self.roots);
        let header = header_span(&scope, block);
        let address = |key: &str| -> Result<Address, Diagnostic> {
            let Some(attr) = block.body.get_attribute(key) else {
                return Err(Diagnostic::error("SIG003", "a moved block needs `from` and `to`").at(header.clone()));
            };
            let span = scope.span_of(&attr.value);
            let text = self.input.sources.text(file).get(span.range()).unwrap_or("").trim();
            crate::model::address::parse(text).map_err(|_| {
                Diagnostic::error(
                    "SIG004",
                    format!("`{key}` must be a resource address, like azurerm_shared_image.old"),
                )
                .at(span)
            })
        };
        // Between modules: both ends are module paths.
        let text_of = |key: &str| {
            block.body.get_attribute(key).map(|attr| {
                let span = scope.span_of(&attr.value);
                self.input.sources.text(file).get(span.range()).unwrap_or("").trim().to_string()
            })
        };
        if let (Some(from), Some(to)) = (text_of("from"), text_of("to"))
            && from.starts_with("module.")
            && to.starts_with("module.")
        {
            match (crate::model::address::parse_module(&from), crate::model::address::parse_module(&to)) {
                (Ok(from), Ok(to)) if from != to => self.desired.moved_modules.push(crate::model::ModuleMove {
                    from: module::join(&self.call.path, &from),
                    to: module::join(&self.call.path, &to),
                    span: header,
                }),
                (Ok(_), Ok(_)) => self
                    .diags
                    .push(Diagnostic::error("SIG004", "a moved block moves a module to another address").at(header)),
                _ => self.diags.push(
                    Diagnostic::error("SIG004", "`from` and `to` must both be modules (module.NAME) or both resources")
                        .at(header),
                ),
            }
            return;
        }
        // A module's moved blocks name addresses inside it.
        let within = |mut a: Address| {
            a.resource.module = module::join(&self.call.path, &a.resource.module);
            a
        };
        match (address("from").map(within), address("to").map(within)) {
            (Ok(from), Ok(to)) => {
                if from == to || from.resource.type_name != to.resource.type_name || from.resource.mode != Mode::Managed
                {
                    self.diags.push(
                        Diagnostic::error(
                            "SIG004",
                            "a moved block moves a managed resource to another address of the same type",
                        )
                        .at(header),
                    );
                    return;
                }
                self.desired.moved.push(crate::model::Moved { from, to, span: header });
            }
            (Err(d), _) | (_, Err(d)) => self.diags.push(d),
        }
    }

    /// `removed { from = ADDRESS  lifecycle { destroy = BOOL } }`: `from` is a resource block or a
    /// module (no instance key) the configuration no longer declares.
    fn removed(&mut self, block: &Block, file: FileId) {
        let scope = Scope::new(file, &self.roots);
        let header = header_span(&scope, block);
        let mut destroy = true;
        for s in block.body.iter() {
            match s {
                Structure::Attribute(a) if a.key.value().as_str() == "from" => {}
                Structure::Block(b) if b.ident.value().as_str() == "lifecycle" => {
                    for inner in b.body.iter() {
                        match inner {
                            Structure::Attribute(a) if a.key.value().as_str() == "destroy" => match a.value.as_bool() {
                                Some(b) => destroy = b,
                                None => self.diags.push(
                                    Diagnostic::error("SIG004", "`destroy` must be true or false")
                                        .at(scope.span_of(&a.value)),
                                ),
                            },
                            Structure::Attribute(a) => self.diags.push(
                                Diagnostic::error(
                                    "SIG002",
                                    format!("unknown argument `{}` in a removed block's lifecycle", a.key.value()),
                                )
                                .at(scope.span_of(&a.key)),
                            ),
                            Structure::Block(b) => self.diags.push(
                                Diagnostic::error(
                                    "SIG002",
                                    format!("unexpected block `{}` in a removed block's lifecycle", b.ident.value()),
                                )
                                .at(scope.span_of(&b.ident)),
                            ),
                        }
                    }
                }
                Structure::Attribute(a) => self.diags.push(
                    Diagnostic::error("SIG002", format!("unknown argument `{}` in a removed block", a.key.value()))
                        .at(scope.span_of(&a.key)),
                ),
                Structure::Block(b) => self.diags.push(
                    Diagnostic::error("SIG002", format!("`{}` in a removed block is not supported", b.ident.value()))
                        .at(scope.span_of(&b.ident)),
                ),
            }
        }
        let Some(from) = block.body.get_attribute("from") else {
            self.diags.push(Diagnostic::error("SIG003", "a removed block needs `from`").at(header));
            return;
        };
        let span = scope.span_of(&from.value);
        let text = self.input.sources.text(file).get(span.range()).unwrap_or("").trim().to_string();
        // A module (no instance key, as Terraform requires), else a resource block.
        let module_path = crate::model::address::parse_module(&text).ok().filter(|p| !p.contains('['));
        let (from, module) = if let Some(path) = module_path {
            (module::join(&self.call.path, &path), true)
        } else {
            match crate::model::address::parse(&text) {
                Ok(a) if a.key == InstanceKey::None => {
                    let mut resource = a.resource;
                    resource.module = module::join(&self.call.path, &resource.module);
                    (resource.to_string(), false)
                }
                _ => {
                    self.diags.push(
                        Diagnostic::error(
                            "SIG004",
                            "`from` must name a resource block or a module, without an instance key (azurerm_shared_image.old, module.images)",
                        )
                        .at(span),
                    );
                    return;
                }
            }
        };
        let still = self.desired.all_instances().find(|i| {
            if module { i.address.resource.is_within(&from) } else { i.address.resource.to_string() == from }
        });
        if let Some(still) = still {
            self.diags.push(
                Diagnostic::error(
                    "SIG004",
                    format!(
                        "the removed block names {from}, which the configuration still declares ({})",
                        still.address
                    ),
                )
                .at(span)
                .help("remove the resource (or module) block, or this removed block"),
            );
            return;
        }
        self.desired.removed.push(crate::model::Removed { from, module, destroy, span: header });
    }

    /// `import { to, id }`, or with `for_each` one import per element (`each.key`, `each.value`
    /// in `to`'s keys and in `id`), as Terraform 1.7 has it.
    fn import(&mut self, block: &Block, file: FileId) {
        let scope = Scope::new(file, &self.roots).with_files(self.input.files);
        let header = header_span(&scope, block);
        // Only `to`, `id` and `for_each` are honoured: anything else is refused where it is written.
        for s in block.body.iter() {
            let (name, span) = match s {
                Structure::Attribute(a) if matches!(a.key.value().as_str(), "to" | "id" | "for_each") => continue,
                Structure::Attribute(a) => (a.key.value().to_string(), scope.span_of(&a.key)),
                Structure::Block(b) => (b.ident.value().to_string(), scope.span_of(&b.ident)),
            };
            self.diags.push(
                Diagnostic::error("SIG002", format!("`{name}` in an import block is not supported"))
                    .at(span)
                    .help("an import block takes `to`, `id` and `for_each`"),
            );
        }
        drop(scope);
        let to = block.body.get_attribute("to");
        let id = block.body.get_attribute("id");
        let (Some(to), Some(id)) = (to, id) else {
            self.diags.push(Diagnostic::error("SIG003", "an import block needs `to` and `id`").at(header));
            return;
        };
        let instances = if block.body.get_attribute("for_each").is_some() {
            match self.expansion(block, file.into()) {
                Some(e) => e.instances,
                None => return,
            }
        } else {
            vec![(InstanceKey::None, None)]
        };
        for (_, binding) in instances {
            let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
            if let Some((name, value)) = binding {
                scope.push(name, value);
            }
            let Some(address) = self.import_address(&to.value, &mut scope) else {
                self.diags.push(
                    Diagnostic::error(
                        "SIG005",
                        "`to` must name a resource declared in this configuration, e.g. azurerm_shared_image_gallery.main",
                    )
                    .at(scope.span_of(&to.value)),
                );
                return;
            };
            let id_value = eval(&id.value, &mut scope).unwrap_or_else(|e| {
                self.diags.push(e.into_diagnostic());
                Value::Unknown
            });
            if self.desired.imports.iter().any(|i| i.to == address) {
                self.diags.push(Diagnostic::error("SIG009", format!("{address} is imported twice")).at(header.clone()));
                continue;
            }
            self.desired.imports.push(Import { to: address, id: id_value, span: header.clone() });
        }
    }

    /// `to` of an import block: `TYPE.NAME`, `TYPE.NAME[KEY]`, behind `module.NAME[KEY].` steps
    /// for a module's resource; keys may be expressions.
    fn import_address(&self, expr: &Expression, scope: &mut Scope) -> Option<Address> {
        let Expression::Traversal(t) = expr else {
            return None;
        };
        let Expression::Variable(root) = &t.expr else {
            return None;
        };
        let key_of = |op: Option<&TraversalOperator>, scope: &mut Scope| -> Option<Option<InstanceKey>> {
            match op {
                Some(TraversalOperator::Index(e)) => match eval(e, scope).ok()? {
                    Value::Number(n) if n >= 0.0 && n.fract() == 0.0 => Some(Some(InstanceKey::Index(n as u64))),
                    Value::String(s) => Some(Some(InstanceKey::Key(s))),
                    _ => None,
                },
                Some(TraversalOperator::LegacyIndex(n)) => Some(Some(InstanceKey::Index(*n.value()))),
                _ => Some(None),
            }
        };
        let name_at = |i: usize| match t.operators.get(i).map(|o| o.value()) {
            Some(TraversalOperator::GetAttr(n)) => Some(n.value().as_str().to_string()),
            _ => None,
        };
        // Steps as names: the root, then each operator.
        let mut type_name = root.value().as_str().to_string();
        let mut i = 0;
        let mut module = String::new();
        while type_name == "module" {
            let call = name_at(i)?;
            i += 1;
            if !module.is_empty() {
                module.push('.');
            }
            module.push_str(&format!("module.{call}"));
            if let Some(key) = key_of(t.operators.get(i).map(|o| o.value()), scope)? {
                crate::model::address::push_key(&mut module, &key);
                i += 1;
            }
            type_name = name_at(i)?;
            i += 1;
        }
        let name = name_at(i)?;
        let key = key_of(t.operators.get(i + 1).map(|o| o.value()), scope)?.unwrap_or(InstanceKey::None);
        if t.operators.len() > i + 1 + usize::from(key != InstanceKey::None) {
            return None;
        }
        let resource = ConfigAddress { module, mode: Mode::Managed, type_name, name };
        let declared = self.desired.resources.iter().any(|r| r.address.resource == resource);
        declared.then_some(Address { resource, key })
    }

    fn settings(&mut self, block: &Block, file: FileId) -> Settings {
        let mut settings = Settings::default();
        let mut scope = Scope::new(file, &self.roots).with_files(self.input.files);
        for s in block.body.iter() {
            match s {
                Structure::Attribute(a) => {
                    let key = a.key.value().as_str();
                    let span = scope.span_of(&a.value);
                    let value = match eval(&a.value, &mut scope) {
                        Ok(v) => v,
                        Err(e) => {
                            self.diags.push(e.into_diagnostic());
                            continue;
                        }
                    };
                    let mut bad = |want: &str| {
                        self.diags
                            .push(Diagnostic::error("SIG004", format!("`{key}` must be {want}")).at(span.clone()));
                    };
                    match key {
                        "gallery_regions" | "allowlisted_regions" => match region_list(&value) {
                            Some(list) => {
                                for r in &list {
                                    if regions::find(r).is_none() {
                                        self.diags.push(
                                            Diagnostic::error("SIG201", format!("unknown region \"{r}\" in `{key}`"))
                                                .at(span.clone()),
                                        );
                                    }
                                }
                                let list = list.iter().map(|r| regions::normalize(r)).collect();
                                if key == "gallery_regions" {
                                    settings.gallery_regions = Some(list);
                                } else {
                                    settings.allowlisted_regions = list;
                                }
                            }
                            None => bad("a list of region names"),
                        },
                        "service_profile" => match value.as_str().map(|name| (name, profiles::find(name))) {
                            Some((_, Some(profile))) => {
                                settings.profile = profile;
                                settings.profile_choice = ProfileChoice::Configuration(span.clone());
                            }
                            Some((name, None)) => self.diags.push(
                                Diagnostic::error(
                                    "SIG004",
                                    format!(
                                        "unknown service profile \"{name}\"; the known ones are {}",
                                        profiles::names().join(", ")
                                    ),
                                )
                                .at(span.clone()),
                            ),
                            None => bad("the name of a service profile"),
                        },
                        "parallelism" => match value.as_f64().filter(|n| *n >= 1.0 && n.fract() == 0.0) {
                            Some(n) => settings.parallelism = n as u32,
                            None => bad("a whole number of at least 1"),
                        },
                        "keep_latest_in_all_regions" => {
                            match value.as_f64().filter(|n| *n >= 1.0 && n.fract() == 0.0) {
                                Some(n) => settings.keep_latest_in_all_regions = Some(n as u32),
                                None => bad("a whole number of at least 1"),
                            }
                        }
                        "wait_for_replication" => match value.as_bool() {
                            Some(b) => settings.wait_for_replication = b,
                            None => bad("true or false"),
                        },
                        other => {
                            let known = [
                                "service_profile",
                                "gallery_regions",
                                "allowlisted_regions",
                                "parallelism",
                                "keep_latest_in_all_regions",
                                "wait_for_replication",
                                "quotas",
                                "prices",
                            ];
                            let d =
                                Diagnostic::error("SIG002", format!("unknown setting `{other}` in the sigform block"))
                                    .at(scope.span_of(&a.key));
                            self.diags.push(match crate::model::suggest(other, known) {
                                Some(s) => d.help(format!("did you mean `{s}`?")),
                                None => d,
                            });
                        }
                    }
                }
                Structure::Block(b) if b.ident.value().as_str() == "retention" => {
                    if let Some(policy) = retention::retention(b, &mut scope, &mut self.diags) {
                        settings.retention.push(policy);
                    }
                }
                Structure::Block(b) => {
                    let ident = b.ident.value().as_str();
                    let fields: &[&str] = match ident {
                        "quotas" => &["galleries", "image_definitions", "image_versions"],
                        "prices" => &[
                            "standard_lrs_gb_month",
                            "standard_zrs_gb_month",
                            "premium_lrs_gb_month",
                            "egress_gb",
                            "file",
                        ],
                        other => {
                            self.diags.push(
                                Diagnostic::error("SIG002", format!("unknown block `{other}` in the sigform block"))
                                    .at(scope.span_of(&b.ident)),
                            );
                            continue;
                        }
                    };
                    for inner in b.body.iter() {
                        let Structure::Attribute(a) = inner else {
                            continue;
                        };
                        let key = a.key.value().as_str();
                        let span = scope.span_of(&a.value);
                        if !fields.contains(&key) {
                            let d = Diagnostic::error("SIG002", format!("unknown setting `{key}` in `{ident}`"))
                                .at(scope.span_of(&a.key));
                            self.diags.push(match crate::model::suggest(key, fields.iter().copied()) {
                                Some(s) => d.help(format!("did you mean `{s}`?")),
                                None => d,
                            });
                            continue;
                        }
                        if key == "file" {
                            match eval(&a.value, &mut scope) {
                                Ok(Value::String(f)) => settings.prices.file = Some(f),
                                Ok(_) => self.diags.push(Diagnostic::error("SIG004", "`file` must be a path").at(span)),
                                Err(e) => self.diags.push(e.into_diagnostic()),
                            }
                            continue;
                        }
                        let n = match eval(&a.value, &mut scope) {
                            Ok(v) => v.to_number().filter(|n| *n >= 0.0),
                            Err(e) => {
                                self.diags.push(e.into_diagnostic());
                                continue;
                            }
                        };
                        let Some(n) = n else {
                            self.diags.push(
                                Diagnostic::error("SIG004", format!("`{key}` must be a non-negative number")).at(span),
                            );
                            continue;
                        };
                        let q = &mut settings.quota_overrides;
                        let p = &mut settings.prices;
                        match key {
                            "galleries" => q.galleries = Some(n as u64),
                            "image_definitions" => q.image_definitions = Some(n as u64),
                            "image_versions" => q.image_versions = Some(n as u64),
                            "standard_lrs_gb_month" => p.standard_lrs_gb_month = Some(n),
                            "standard_zrs_gb_month" => p.standard_zrs_gb_month = Some(n),
                            "premium_lrs_gb_month" => p.premium_lrs_gb_month = Some(n),
                            _ => p.egress_gb = Some(n),
                        }
                    }
                }
            }
        }
        settings
    }
}

/// azurerm provider arguments accepted (credentials and behaviour flags are the provider's
/// business; sigform reads subscription_id, tenant_id and environment).
const PROVIDER_ARGUMENTS: &[&str] = &[
    "alias",
    "subscription_id",
    "tenant_id",
    "environment",
    "client_id",
    "client_secret",
    "client_certificate_path",
    "client_certificate_password",
    "use_cli",
    "use_msi",
    "use_oidc",
    "oidc_token",
    "oidc_request_url",
    "oidc_request_token",
    "msi_endpoint",
    "metadata_host",
    "skip_provider_registration",
    "resource_provider_registrations",
    "storage_use_azuread",
    "partner_id",
    "disable_terraform_partner_id",
    "auxiliary_tenant_ids",
    "use_aks_workload_identity",
    "client_id_file_path",
    "client_secret_file_path",
    "oidc_token_file_path",
    "ado_pipeline_service_connection_id",
];

/// The provider arguments that say how to sign in: passed to the cloud (`Cloud::sign_in_with`).
/// The rest of `PROVIDER_ARGUMENTS` (`skip_provider_registration`, `storage_use_azuread`,
/// `partner_id`, …) concern what sigform never does (register providers, storage data planes,
/// partner attribution), so they change nothing.
const CREDENTIAL_ARGUMENTS: &[&str] = &[
    "client_id",
    "client_id_file_path",
    "client_secret",
    "client_secret_file_path",
    "client_certificate_path",
    "client_certificate_password",
    "use_cli",
    "use_msi",
    "use_oidc",
    "use_aks_workload_identity",
    "oidc_token",
    "oidc_token_file_path",
    "oidc_request_url",
    "oidc_request_token",
    "ado_pipeline_service_connection_id",
    "msi_endpoint",
];

struct Expansion {
    kind: ExpansionKind,
    /// What `count` or `for_each` referred to: every instance depends on it.
    touched: Vec<expr::Touched>,
    instances: Vec<(InstanceKey, Option<(&'static str, Value)>)>,
}

enum ExpansionKind {
    Single,
    Count,
    ForEach,
}

fn unknown_expansion(what: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        "SIG010",
        format!("`{what}` depends on values known only after apply, so the instances cannot be determined"),
    )
    .at(span)
    .help(format!("derive `{what}` from variables, locals or names, not from attributes Azure computes"))
}

fn unsupported_type(mode: Mode, type_name: &str, span: Span) -> Diagnostic {
    let (what, known): (&str, Vec<&str>) = match mode {
        Mode::Managed => ("resource type", sigform_azure::resources::RESOURCES.iter().map(|s| s.type_name).collect()),
        Mode::Data => ("data source", sigform_azure::resources::DATA_SOURCES.iter().map(|s| s.type_name).collect()),
    };
    let listed = sigform_azure::resources::UNSUPPORTED_RESOURCES.contains(&type_name);
    if listed
        || (type_name.starts_with("azurerm_") && crate::model::suggest(type_name, known.iter().copied()).is_none())
    {
        return Diagnostic::error("SIG002", format!("{what} `{type_name}` is not supported yet"))
            .at(span)
            .help(format!("sigform manages: {}", known.join(", ")));
    }
    let d = Diagnostic::error("SIG002", format!("unknown {what} `{type_name}`")).at(span);
    match crate::model::suggest(type_name, known.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("sigform manages: {}", known.join(", "))),
    }
}

/// A resource's `timeouts` blocks (written, or generated by `dynamic`): each a duration.
fn timeouts(blocks: Vec<crate::model::BlockInstance>, diags: &mut Vec<Diagnostic>) -> crate::model::Timeouts {
    let mut out = crate::model::Timeouts::default();
    for block in blocks {
        for (name, attr) in &block.attrs.values {
            let Some(text) = attr.value.as_str() else { continue };
            let Some(seconds) = crate::model::parse_duration(text).filter(|s| *s >= 0.0).map(|s| s.ceil() as u64)
            else {
                diags.push(
                    Diagnostic::error("SIG004", format!("`{name}` = \"{text}\" is not a duration"))
                        .at(attr.span.clone())
                        .help("write it as Terraform does: \"60m\", \"1h30m\", \"90s\""),
                );
                continue;
            };
            match name.as_str() {
                "create" => out.create = Some(seconds),
                "update" => out.update = Some(seconds),
                "delete" => out.delete = Some(seconds),
                // Said, not ignored: sigform's reads are list calls shared by every resource.
                _ => diags.push(
                    Diagnostic::warning(
                        "SIG002",
                        "`read` has no effect: sigform reads the cloud in bulk, for every resource at once",
                    )
                    .at(attr.span.clone()),
                ),
            }
        }
    }
    out
}

/// A `precondition { condition, error_message }`: checked when planning; a false condition is an
/// error with its own message (SIG012); one known only after apply cannot be checked yet and
/// holds until then.
fn precondition(block: &Block, scope: &mut Scope, diags: &mut Vec<Diagnostic>) {
    let header = header_span(scope, block);
    let (Some(condition), Some(message)) =
        (block.body.get_attribute("condition"), block.body.get_attribute("error_message"))
    else {
        diags.push(Diagnostic::error("SIG003", "a precondition needs `condition` and `error_message`").at(header));
        return;
    };
    let span = scope.span_of(&condition.value);
    match eval(&condition.value, scope) {
        Ok(Value::Bool(true)) | Ok(Value::Unknown) => {}
        Ok(Value::Bool(false)) => {
            let text = match eval(&message.value, scope) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(e) => e.message,
            };
            diags.push(Diagnostic::error("SIG012", format!("precondition failed: {text}")).at(span));
        }
        Ok(other) => diags.push(
            Diagnostic::error(
                "SIG004",
                format!("a precondition's condition must be true or false, not {}", other.type_name()),
            )
            .at(span),
        ),
        Err(e) => diags.push(e.into_diagnostic()),
    }
}

fn region_list(value: &Value) -> Option<Vec<String>> {
    value.as_list()?.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

/// Adds what a data source read to its attributes: lists of objects become blocks.
fn absorb(attrs: &mut crate::model::Attrs, read: &ValueMap, span: &Span) {
    for (k, v) in read {
        if attrs.values.contains_key(k) {
            continue;
        }
        match v {
            Value::List(items) if !items.is_empty() && items.iter().all(|i| i.as_map().is_some()) => {
                let blocks = items
                    .iter()
                    .filter_map(Value::as_map)
                    .map(|m| {
                        let mut inner = crate::model::Attrs::default();
                        for (ik, iv) in m {
                            inner
                                .values
                                .insert(ik.clone(), Attr { value: iv.clone(), span: span.clone(), defaulted: true });
                        }
                        crate::model::BlockInstance { span: span.clone(), attrs: inner }
                    })
                    .collect();
                attrs.blocks.insert(k.clone(), blocks);
            }
            other => {
                attrs.values.insert(k.clone(), Attr { value: other.clone(), span: span.clone(), defaulted: true });
            }
        }
    }
}

/// What references reached, as dependencies: an indexed reference names one instance, others
/// the whole block; a module's outputs stand for every block inside the module (whose blocks
/// are `module_blocks`). Addresses are in the module at `module_path`.
fn dependencies(
    module_blocks: &HashMap<String, Vec<ConfigAddress>>,
    module_path: &str,
    touched: impl Iterator<Item = expr::Touched>,
    blocks: &mut Vec<ConfigAddress>,
    instances: &mut Vec<Address>,
) {
    for t in touched {
        if !t.data && t.type_name == "module" {
            blocks.extend(module_blocks.get(&t.name).into_iter().flatten().cloned());
            continue;
        }
        let mode = if t.data { Mode::Data } else { Mode::Managed };
        let resource = ConfigAddress { module: module_path.to_string(), mode, type_name: t.type_name, name: t.name };
        match t.key {
            Some(key) => instances.push(Address { resource, key }),
            None => blocks.push(resource),
        }
    }
}

/// Fills in what Azure derives from the written attributes: the ARM id, a role assignment's
/// deterministic name, a client config's identities.
fn complete(instance: &mut Instance, env: &Environment) {
    let a = &instance.attrs;
    let s = instance.subscription_id.as_str();
    let get = |name: &str| a.str(name);
    let id = match instance.schema.kind {
        ResourceKind::RoleAssignment => {
            let name = match get("name") {
                Some(n) => Some(n.to_string()),
                None => {
                    let parts = (|| {
                        Some(format!(
                            "{}|{}|{}",
                            get("scope")?.to_ascii_lowercase(),
                            get("role_definition_name").or_else(|| get("role_definition_id"))?,
                            get("principal_id")?
                        ))
                    })();
                    parts.map(|p| uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, p.as_bytes()).to_string())
                }
            };
            if let Some(name) = &name
                && a.get("name").is_none()
            {
                let span = instance.span.clone();
                instance
                    .attrs
                    .values
                    .insert("name".into(), Attr { value: Value::string(name.clone()), span, defaulted: true });
            }
            let a = &instance.attrs;
            arm_id::build(ResourceKind::RoleAssignment, s, &|k| a.str(k).map(str::to_string))
        }
        // A custom role's GUID, when not written, is derived from its scope and its address
        // (azurerm makes a random one): the id, and what role assignments refer to, are known
        // when planning.
        ResourceKind::RoleDefinition if instance.address.resource.mode == Mode::Managed => {
            if get("role_definition_id").is_none()
                && let Some(scope) = get("scope")
            {
                let seed = format!("{}|{}", scope.to_ascii_lowercase(), instance.address);
                let guid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes()).to_string();
                let span = instance.span.clone();
                instance
                    .attrs
                    .values
                    .insert("role_definition_id".into(), Attr { value: Value::string(guid), span, defaulted: true });
            }
            let a = &instance.attrs;
            let id = arm_id::build(ResourceKind::RoleDefinition, s, &|k| a.str(k).map(str::to_string));
            if let Some(id) = &id {
                let span = instance.span.clone();
                instance.attrs.values.insert(
                    "role_definition_resource_id".into(),
                    Attr { value: Value::string(id.clone()), span, defaulted: true },
                );
            }
            id
        }
        // A subscription is read at its id: the one named, else the provider's.
        ResourceKind::ClientConfig if instance.schema.type_name == "azurerm_subscription" => {
            let subscription = get("subscription_id").map_or_else(|| instance.subscription_id.clone(), str::to_string);
            if get("subscription_id").is_none() {
                let span = instance.span.clone();
                instance.attrs.values.insert(
                    "subscription_id".into(),
                    Attr { value: Value::String(subscription.clone()), span, defaulted: true },
                );
            }
            Some(format!("/subscriptions/{subscription}"))
        }
        ResourceKind::ClientConfig => {
            let span = instance.span.clone();
            let computed = [
                ("subscription_id", Some(instance.subscription_id.clone())),
                ("tenant_id", Some(instance.tenant_id.clone())),
                ("client_id", env.client_id.clone()),
            ];
            for (k, v) in computed {
                instance.attrs.values.insert(
                    k.into(),
                    Attr { value: v.map_or(Value::Unknown, Value::String), span: span.clone(), defaulted: true },
                );
            }
            Some(format!(
                "clientConfigs/clientId={};objectId=;subscriptionId={};tenantId={}",
                env.client_id.as_deref().unwrap_or(""),
                instance.subscription_id,
                instance.tenant_id
            ))
        }
        // An image found by `name_regex` is looked for in its resource group.
        ResourceKind::ManagedImage
            if instance.address.resource.mode == Mode::Data && get("name").is_none() && get("name_regex").is_some() =>
        {
            get("resource_group_name").map(|group| arm_id::resource_group(s, group))
        }
        // The images of a resource group are read at the group.
        ResourceKind::ManagedImage if instance.schema.type_name == "azurerm_images" => {
            get("resource_group_name").map(|group| arm_id::resource_group(s, group))
        }
        // The list of a definition's versions is read at the definition.
        ResourceKind::ImageVersion if instance.schema.type_name == "azurerm_shared_image_versions" => {
            match (get("resource_group_name"), get("gallery_name"), get("image_name")) {
                (Some(group), Some(gallery), Some(image)) => Some(arm_id::image_definition(s, group, gallery, image)),
                _ => None,
            }
        }
        // Every other type's id comes from its attributes, as its facts say.
        kind => arm_id::build(kind, s, &|k| get(k).map(str::to_string)),
    };
    instance.id = id;
}

/// An attribute Azure computes inside a block written once (`sharing { community_gallery { name
/// } }`), as references see it: the recorded value when the state has one, else unknown until
/// applied. Nothing when the configuration does not write the block.
fn fill_nested_computed(value: &mut ValueMap, path: &[&str], attr: &str, recorded: Option<&ValueMap>) {
    let Some((first, rest)) = path.split_first() else {
        let known = recorded.and_then(|r| r.get(attr)).filter(|v| !v.is_null()).cloned();
        value.entry_or_insert_with(attr, || known.unwrap_or(Value::Unknown));
        return;
    };
    let Some(Value::List(list)) = value.get_mut(first) else { return };
    let Some(Value::Map(inner)) = list.first_mut() else { return };
    let inner_recorded = recorded.and_then(|r| r.get(*first)?.as_list()?.first()?.as_map());
    fill_nested_computed(inner, rest, attr, inner_recorded);
}

#[cfg(test)]
mod tests;
