//! `sigform emulator ...` and `sigform status`.

use super::{CliResult, Global};
use crate::exit::ExitStatus;
use crate::ops::emulator as ops;
use crate::render::emulator as render;
use clap::Subcommand;
use sigform_emulator::Emulator;

#[derive(Subcommand, Debug)]
pub enum EmulatorCommand {
    /// Every resource: one ARM id per line.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One resource as the service returns it, with replication status.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change attributes in place: KEY=VALUE with an azurerm attribute path and an HCL value.
    Set {
        id: String,
        #[arg(required = true, value_name = "KEY=VALUE")]
        assignments: Vec<String>,
    },
    /// Delete a resource (its children must be gone, as in Azure).
    Delete { id: String },
    /// Add a managed image, as Packer or `az image create` leave one.
    AddImage {
        id: String,
        #[arg(long, default_value = "Linux")]
        os: String,
        /// Generalized or Specialized. (Not `--state`: that is the global state location.)
        #[arg(long, default_value = "Generalized")]
        os_state: String,
        #[arg(long, default_value_t = 30.0)]
        size_gb: f64,
        #[arg(long, default_value = "V1")]
        hyper_v: String,
        #[arg(long, default_value = "eastus")]
        location: String,
    },
    /// Add an OS disk snapshot, as `az snapshot create` leaves one (a version's os_disk_snapshot_id).
    AddSnapshot {
        id: String,
        #[arg(long, default_value = "Linux")]
        os: String,
        #[arg(long, default_value_t = 30.0)]
        size_gb: f64,
        #[arg(long, default_value = "V1")]
        hyper_v: String,
        #[arg(long, default_value = "eastus")]
        location: String,
    },
    /// Add a VHD blob to a storage account (made when missing), as an upload leaves one (a
    /// version's blob_uri with storage_account_id).
    AddBlob {
        /// The storage account's id.
        storage_account_id: String,
        /// The blob's URI: https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd
        uri: String,
        #[arg(long, default_value_t = 30.0)]
        size_gb: f64,
        #[arg(long, default_value = "eastus")]
        location: String,
    },
    /// Add a principal to the directory.
    AddPrincipal {
        id: String,
        #[arg(long)]
        tenant: String,
        #[arg(long = "type", default_value = "User")]
        principal_type: String,
        #[arg(long)]
        name: Option<String>,
        /// Give it the Owner role on this subscription (repeatable).
        #[arg(long = "owner", value_name = "SUBSCRIPTION")]
        owner_of: Vec<String>,
        /// Give it a built-in role at a scope: ROLE=SCOPE, e.g.
        /// Reader=/subscriptions/ID/resourceGroups/NAME (repeatable).
        #[arg(long = "grant", value_name = "ROLE=SCOPE")]
        grants: Vec<String>,
        /// A client secret it signs in with (kept as a digest).
        #[arg(long, hide_env_values = true)]
        secret: Option<String>,
        /// A PEM file with a certificate it signs client assertions with.
        #[arg(long)]
        certificate: Option<std::path::PathBuf>,
    },
    /// Let a principal exchange another issuer's tokens for its own (workload identity federation).
    AddFederatedCredential {
        /// The principal (its client id).
        client: String,
        /// The issuer of the tokens, e.g. https://token.actions.githubusercontent.com.
        #[arg(long)]
        issuer: String,
        /// The tokens' subject, e.g. repo:ORG/REPO:ref:refs/heads/main.
        #[arg(long)]
        subject: String,
        #[arg(long, default_value = sigform_emulator::TOKEN_EXCHANGE_AUDIENCE)]
        audience: String,
    },
    /// Publish an image version, as another tool would.
    PublishVersion {
        id: String,
        #[arg(long)]
        image: String,
        /// NAME or NAME=REPLICAS (repeatable); default: the image's region.
        #[arg(long = "region")]
        regions: Vec<String>,
        /// Let its replicated regions be removed later (its safety profile).
        #[arg(long)]
        allow_region_removal: bool,
        /// A tag, KEY=VALUE (repeatable).
        #[arg(long = "tag", value_name = "KEY=VALUE")]
        tags: Vec<String>,
        /// When it was published (RFC 3339), instead of now.
        #[arg(long, value_name = "TIME")]
        published: Option<String>,
    },
    /// Allow-list a subscription for a region (Australia Central and Central 2).
    Allowlist { subscription: String, region: String },
    /// Empty the embedded cloud; with --profile, emulate that service profile from now on.
    Reset {
        /// `current` (Azure today) or `2018-06-01` (the service as first documented).
        #[arg(long)]
        profile: Option<String>,
    },
    /// Register the preview feature the service profile requires (`2018-06-01`:
    /// Microsoft.Compute/GalleryPreview) for a subscription, as `az feature register` does.
    RegisterFeature {
        subscription: String,
        /// The feature (default: GalleryPreview, the one profile 2018-06-01 requires).
        #[arg(long)]
        feature: Option<String>,
    },
    /// API calls made so far, per method, as JSON (for checking that refresh uses list calls).
    Calls,
    /// Serve the emulator as an ARM endpoint (for `--cloud arm --arm-endpoint http://ADDR`).
    Serve {
        /// Address to listen on; port 0 picks a free one. Loopback unless you say otherwise.
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: String,
        /// Accept only this bearer token (default: any non-empty one).
        #[arg(long, env = "SIGFORM_EMULATOR_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Entries per page of a list answer (ARM pages with nextLink) and at most per page of a
        /// Resource Graph answer (which pages at the query's `$top`, at most 1,000).
        #[arg(long, default_value_t = 100)]
        page_size: usize,
        /// Stop when standard input closes (for a supervising process: the server ends with it).
        #[arg(long, hide = true)]
        stop_on_eof: bool,
        /// Print one line per request to standard error.
        #[arg(long)]
        log: bool,
        /// Answer Azure Resource Graph queries with 404, as an endpoint without Resource Graph
        /// would (refresh then walks the list calls instead).
        #[arg(long)]
        no_resource_graph: bool,
        /// Emulate this service profile (and remember it in the database).
        #[arg(long)]
        profile: Option<String>,
        /// Serve https, with a certificate made at start; its CA is written beside the emulator's
        /// database (`emulator-ca.pem`) for SSL_CERT_FILE / REQUESTS_CA_BUNDLE.
        #[arg(long)]
        tls: bool,
        /// The managed-identity endpoint's X-IDENTITY-HEADER (App Service's IDENTITY_HEADER);
        /// any non-empty one when not given.
        #[arg(long, env = "SIGFORM_EMULATOR_IDENTITY_HEADER", hide_env_values = true)]
        identity_header: Option<String>,
    },
}

fn open(global: &Global) -> Result<Emulator, Box<dyn std::error::Error>> {
    let path = match &global.emulator_db {
        Some(p) => global.resolve(p),
        None => global.dir.join("state").join("emulator.db"),
    };
    Ok(Emulator::open(&path, Emulator::time_scale_from_env())?)
}

pub fn run(global: &Global, command: &EmulatorCommand) -> CliResult {
    let e = open(global)?;
    match command {
        EmulatorCommand::List { json } => {
            let all = e.all()?;
            if *json {
                println!("{}", serde_json::Value::Array(all.iter().map(render::json_view).collect()));
            } else {
                for r in all {
                    println!("{}", r.id);
                }
            }
        }
        EmulatorCommand::Show { id, json } => {
            let r = ops::show(&e, id)?;
            if *json {
                println!("{}", render::json_view(&r));
            } else {
                println!("{}", serde_json::to_string_pretty(&render::json_view(&r)).expect("json"));
            }
        }
        EmulatorCommand::Set { id, assignments } => {
            let r = ops::set(&e, id, assignments)?;
            println!("{}", render::updated(&r));
        }
        EmulatorCommand::Delete { id } => {
            ops::delete(&e, id)?;
            println!("{}", render::deleting(id));
        }
        EmulatorCommand::AddImage { id, os, os_state, size_gb, hyper_v, location } => {
            let r = ops::add_image(&e, id, os, os_state, *size_gb, hyper_v, location)?;
            println!("{}", render::added_image(&r));
        }
        EmulatorCommand::AddSnapshot { id, os, size_gb, hyper_v, location } => {
            let r = ops::add_snapshot(&e, id, os, *size_gb, hyper_v, location)?;
            println!("{}", render::added_snapshot(&r));
        }
        EmulatorCommand::AddBlob { storage_account_id, uri, size_gb, location } => {
            let r = ops::add_blob(&e, storage_account_id, uri, *size_gb, location)?;
            println!("{}", render::added_blob(uri, &r));
        }
        EmulatorCommand::AddPrincipal { id, tenant, principal_type, name, owner_of, grants, secret, certificate } => {
            ops::add_principal(
                &e,
                &ops::NewPrincipal {
                    id,
                    tenant,
                    principal_type,
                    name: name.as_deref(),
                    owner_of,
                    grants,
                    secret: secret.as_deref(),
                    certificate: certificate.as_deref().map(|p| global.resolve(p)).as_deref(),
                },
            )?;
            println!("{}", render::added_principal(principal_type, id, tenant));
        }
        EmulatorCommand::AddFederatedCredential { client, issuer, subject, audience } => {
            let credential = sigform_emulator::FederatedCredential {
                issuer: issuer.clone(),
                subject: subject.clone(),
                audience: audience.clone(),
            };
            ops::add_federated_credential(&e, client, &credential)?;
            println!("{}", render::added_federated_credential(client, issuer, subject, audience));
        }
        EmulatorCommand::PublishVersion { id, image, regions, allow_region_removal, tags, published } => {
            let mut extras = ops::PublishExtras {
                allow_region_removal: *allow_region_removal,
                published: published.clone(),
                ..ops::PublishExtras::default()
            };
            for tag in tags {
                let (k, v) = tag.split_once('=').ok_or_else(|| format!("--tag {tag}: write KEY=VALUE"))?;
                extras.tags.insert(k.to_string(), v.to_string());
            }
            let r = ops::publish_version(&e, id, image, regions, &extras)?;
            println!("{}", render::publishing(&r));
        }
        EmulatorCommand::Allowlist { subscription, region } => {
            ops::allowlist(&e, subscription, region)?;
            println!("{}", render::allowlisted(subscription, region));
        }
        EmulatorCommand::Calls => println!("{}", serde_json::json!(e.calls()?)),
        EmulatorCommand::Reset { profile } => {
            let profile = ops::reset(&e, profile.as_deref())?;
            println!("{}", render::reset(profile));
        }
        EmulatorCommand::RegisterFeature { subscription, feature } => {
            let feature = ops::register_feature(&e, subscription, feature.as_deref())?;
            println!("{}", render::feature_registered(subscription, &feature));
        }
        EmulatorCommand::Serve {
            listen,
            token,
            page_size,
            stop_on_eof,
            log,
            no_resource_graph,
            profile,
            tls,
            identity_header,
        } => {
            if let Some(name) = profile {
                ops::set_profile(&e, name)?;
            }
            if *stop_on_eof {
                std::thread::spawn(|| {
                    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
                    std::process::exit(0);
                });
            }
            let tls = if *tls {
                let made = sigform_emulator::serve::tls::make()?;
                let ca = e.path().with_file_name("emulator-ca.pem");
                std::fs::write(&ca, &made.ca_pem).map_err(|err| format!("cannot write {}: {err}", ca.display()))?;
                Some((made.config, ca))
            } else {
                None
            };
            let emulator = Emulator::from_env(e.path())?;
            drop(e);
            let options = sigform_emulator::serve::Options {
                token: token.clone(),
                page_size: *page_size,
                log: *log,
                resource_graph: !*no_resource_graph,
                tls: tls.as_ref().map(|(config, _)| config.clone()),
                identity_header: identity_header.clone(),
            };
            let ca = tls.map(|(_, ca)| ca);
            super::on_interrupt(crate::render::messages::SERVER_STOPPING);
            sigform_emulator::serve::serve(emulator, listen, options, &crate::apply::INTERRUPTED, |address| {
                if !address.starts_with("127.") && !address.starts_with("[::1]") {
                    eprintln!("{}", crate::render::messages::not_loopback(address));
                }
                // Written, not println!'d: a server must not die because nobody reads its output.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{}", crate::render::messages::serving(address, ca.as_deref()));
                let _ = out.flush();
            })
            .map_err(|err| format!("cannot listen on {listen}: {err}"))?;
            eprintln!("{}", crate::render::messages::SERVER_STOPPED);
        }
    }
    Ok(ExitStatus::Success)
}

/// `sigform status [ADDR]`: replication per version and region, read from the cloud.
pub fn status(global: &Global, address: Option<&str>) -> CliResult {
    let cloud = global.open_cloud()?;
    crate::ops::data::sign_in_from(&super::validate::options(global, Vec::new()), cloud.as_ref());
    let versions = crate::ops::status::status(&global.state_location()?, cloud.as_ref(), address)?;
    print!("{}", render::status(&versions));
    Ok(ExitStatus::Success)
}
