//! The command line: the flags a user types to `scons`, parsed with clap, plus `$SCONSFLAGS`.
//! Words of the form KEY=VALUE are build variables (ARGUMENTS); other words are targets.

use clap::{ArgAction, Parser};

#[derive(Parser, Debug, Clone, Default)]
#[command(
    name = "docons",
    disable_help_flag = true,
    disable_version_flag = true,
    override_usage = "docons [OPTIONS] [VARIABLES] [TARGETS]"
)]
pub struct Options {
    /// Remove specified targets and dependencies
    #[arg(short = 'c', long = "clean", visible_alias = "remove")]
    pub clean: bool,
    /// Change to DIR before doing anything
    #[arg(short = 'C', long = "directory", value_name = "DIR")]
    pub directory: Vec<String>,
    /// Search up directory tree for SConstruct, build all Default() targets
    #[arg(short = 'D')]
    pub climb_default: bool,
    /// Read FILE as the top-level SConstruct file
    #[arg(short = 'f', long = "file", visible_aliases = ["makefile", "sconstruct"], value_name = "FILE")]
    pub file: Vec<String>,
    /// Print defined help message, or this one
    #[arg(short = 'h', long = "help")]
    pub help: bool,
    /// Print SCons option help message
    #[arg(short = 'H', long = "help-options")]
    pub help_options: bool,
    /// Ignore errors from build actions
    #[arg(short = 'i', long = "ignore-errors")]
    pub ignore_errors: bool,
    /// Cache implicit dependencies
    #[arg(long = "implicit-cache")]
    pub implicit_cache: bool,
    /// Rescan all implicit dependencies
    #[arg(long = "implicit-deps-changed")]
    pub implicit_deps_changed: bool,
    /// Don't rescan changed implicit dependencies
    #[arg(long = "implicit-deps-unchanged")]
    pub implicit_deps_unchanged: bool,
    /// Allow N jobs at once
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,
    /// Keep going when a target can't be made
    #[arg(short = 'k', long = "keep-going")]
    pub keep_going: bool,
    /// Don't build; just print commands
    #[arg(short = 'n', long = "no-exec", visible_aliases = ["just-print", "dry-run", "recon"])]
    pub no_exec: bool,
    /// Don't print SCons progress messages
    #[arg(short = 'Q')]
    pub no_progress: bool,
    /// Don't build; exit status says if up to date
    #[arg(short = 'q', long = "question")]
    pub question: bool,
    /// Don't print commands
    #[arg(short = 's', long = "silent", visible_alias = "quiet")]
    pub silent: bool,
    /// Search up directory tree for SConstruct, build targets at or below current directory
    #[arg(short = 'u', long = "up", visible_alias = "search-up")]
    pub climb_up: bool,
    /// Search up directory tree for SConstruct, build Default() targets from local SConscript
    #[arg(short = 'U')]
    pub climb_local_default: bool,
    /// Print the SCons version number and exit
    #[arg(short = 'v', long = "version")]
    pub version: bool,
    /// Print various types of debugging information (explain, ...)
    #[arg(long = "debug", value_name = "TYPE", value_delimiter = ',')]
    pub debug: Vec<String>,
    /// Enable or disable warnings
    #[arg(long = "warn", visible_alias = "warning", value_name = "WARNING-SPEC")]
    pub warn: Vec<String>,
    /// Print a dependency tree in various formats: all, derived, prune, status
    #[arg(long = "tree", value_name = "OPTIONS")]
    pub tree: Vec<String>,
    /// Use DIR instead of the usual site_scons dir
    #[arg(long = "site-dir", value_name = "DIR")]
    pub site_dir: Option<String>,
    /// Don't search or use the usual site_scons dir
    #[arg(long = "no-site-dir")]
    pub no_site_dir: bool,
    /// Build targets (and KEY=VALUE build variables)
    #[arg(value_name = "TARGETS", action = ArgAction::Append)]
    pub words: Vec<String>,
}

impl Options {
    /// Parse `$SCONSFLAGS` (if set) followed by the real arguments, as scons does.
    pub fn from_env_and_args() -> Result<Options, clap::Error> {
        let mut argv: Vec<String> = vec!["docons".to_owned()];
        if let Ok(flags) = std::env::var("SCONSFLAGS") {
            argv.extend(flags.split_whitespace().map(str::to_owned));
        }
        argv.extend(std::env::args().skip(1));
        Options::try_parse_from(argv)
    }

    /// The `KEY=VALUE` words, in order.
    pub fn arguments(&self) -> Vec<(String, String)> {
        self.words
            .iter()
            .filter_map(|w| w.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect()
    }

    /// The target words (those without `=`).
    pub fn targets(&self) -> Vec<String> {
        self.words
            .iter()
            .filter(|w| !w.contains('='))
            .cloned()
            .collect()
    }

    pub fn jobs(&self) -> usize {
        self.jobs.unwrap_or(1).max(1)
    }

    pub fn explain(&self) -> bool {
        self.debug.iter().any(|d| d == "explain")
    }

    /// The option values scripts see through `GetOption`, by SCons's dest names.
    pub fn as_script_options(&self) -> serde_json::Map<String, serde_json::Value> {
        use serde_json::json;
        let mut m = serde_json::Map::new();
        m.insert("clean".into(), json!(self.clean));
        m.insert("directory".into(), json!(self.directory.last()));
        m.insert("file".into(), json!(self.file));
        m.insert("help".into(), json!(self.help));
        m.insert("ignore_errors".into(), json!(self.ignore_errors));
        m.insert("implicit_cache".into(), json!(self.implicit_cache));
        m.insert(
            "implicit_deps_changed".into(),
            json!(self.implicit_deps_changed),
        );
        m.insert(
            "implicit_deps_unchanged".into(),
            json!(self.implicit_deps_unchanged),
        );
        m.insert("num_jobs".into(), json!(self.jobs()));
        m.insert("keep_going".into(), json!(self.keep_going));
        m.insert("no_exec".into(), json!(self.no_exec));
        m.insert("no_progress".into(), json!(self.no_progress));
        m.insert("question".into(), json!(self.question));
        m.insert("silent".into(), json!(self.silent));
        m.insert("climb_up".into(), json!(self.climb_mode()));
        m.insert("debug".into(), json!(self.debug));
        m.insert("warn".into(), json!(self.warn));
        m.insert("tree".into(), json!(self.tree));
        // SCons's `site_dir` dest: null by default, the folder for --site-dir, false for
        // --no-site-dir.
        let site_dir = if self.no_site_dir {
            json!(false)
        } else {
            json!(self.site_dir)
        };
        m.insert("site_dir".into(), site_dir);
        m
    }

    /// SCons's `climb_up` option value: 0 none, 1 `-u`, 2 `-U`, 3 `-D`.
    pub fn climb_mode(&self) -> u8 {
        if self.climb_default {
            3
        } else if self.climb_local_default {
            2
        } else if self.climb_up {
            1
        } else {
            0
        }
    }
}
