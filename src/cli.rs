//! The command line: the flags a user types to `scons`, parsed with clap, plus `$SCONSFLAGS`.
//! Words of the form KEY=VALUE are build variables (ARGUMENTS); other words are targets.
//! Options clap does not know (`--foo`, `-X`) are kept, in order with the plain words, for the
//! scripts' `AddOption` definitions: the front end parses them (see `split_known_options`).

use clap::Parser;

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

    /// Configure checks: `auto` (rerun when changed), `force` (always rerun), `cache` (never rerun).
    #[arg(long = "config", value_name = "MODE", default_value = "auto",
          value_parser = ["auto", "force", "cache"])]
    pub config: String,
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
    /// Do not retrieve built targets from CacheDir
    #[arg(long = "cache-disable", visible_alias = "no-cache")]
    pub cache_disable: bool,
    /// Copy already-built targets into CacheDir
    #[arg(long = "cache-force", visible_alias = "cache-populate")]
    pub cache_force: bool,
    /// Do not update CacheDir with built targets
    #[arg(long = "cache-readonly")]
    pub cache_readonly: bool,
    /// Print build actions for files from CacheDir
    #[arg(long = "cache-show")]
    pub cache_show: bool,
    /// Print CacheDir debug info to FILE
    #[arg(long = "cache-debug", value_name = "FILE")]
    pub cache_debug: Option<String>,
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
    /// Build dependencies in random order
    #[arg(long = "random")]
    pub random: bool,
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
    /// Read-only environment variables override construction variables
    #[arg(short = 'e', long = "environment-overrides")]
    pub environment_overrides: bool,
    /// Use DIR instead of the usual site_scons dir
    #[arg(long = "site-dir", value_name = "DIR")]
    pub site_dir: Option<String>,
    /// Don't search or use the usual site_scons dir
    #[arg(long = "no-site-dir")]
    pub no_site_dir: bool,
    /// Build, then build again each time a file the build depends on is saved (docons only)
    #[arg(long = "watch")]
    pub watch: bool,
    /// With --watch: start CMD after the first good build, restart it after each good build
    /// that changed something (docons only)
    #[arg(long = "run", value_name = "CMD", requires = "watch")]
    pub run: Option<String>,
    /// With --run: seconds between SIGTERM and SIGKILL when stopping CMD (docons only)
    #[arg(long = "run-grace", value_name = "SECONDS", default_value_t = 5.0)]
    pub run_grace: f64,
    /// Plain words and options clap does not know, in command-line order (optparse's "largs").
    #[arg(skip)]
    pub leftover: Vec<String>,
    /// Words after a `--`: always targets.
    #[arg(skip)]
    pub after_dashdash: Vec<String>,
}

/// Split the raw arguments into those clap parses (known options with their values) and the
/// rest, in order: plain words and unknown options (`leftover`), and words after `--`.
/// Like SCons's parser, an unknown long option never takes the next word as its value here;
/// the front end re-reads `leftover` once the scripts have added their options.
fn split_known_options(
    cmd: &clap::Command,
    args: Vec<String>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut longs: Vec<(String, bool)> = Vec::new();
    let mut shorts: Vec<(char, bool)> = Vec::new();
    for a in cmd.get_arguments() {
        let takes_value = a.get_action().takes_values();
        if let Some(l) = a.get_long() {
            longs.push((l.to_owned(), takes_value));
        }
        for l in a.get_all_aliases().unwrap_or_default() {
            longs.push((l.to_owned(), takes_value));
        }
        if let Some(c) = a.get_short() {
            shorts.push((c, takes_value));
        }
    }
    let (mut known, mut leftover, mut rest) = (Vec::new(), Vec::new(), Vec::new());
    let mut it = args.into_iter();
    known.extend(it.next()); // the program name
    while let Some(arg) = it.next() {
        if arg == "--" {
            rest.extend(it.by_ref());
            break;
        }
        let takes_next = if let Some(long) = arg.strip_prefix("--") {
            let (name, has_value) = match long.split_once('=') {
                Some((n, _)) => (n, true),
                None => (long, false),
            };
            match longs.iter().find(|(l, _)| l == name) {
                Some(&(_, takes_value)) => takes_value && !has_value,
                None => {
                    leftover.push(arg);
                    continue;
                }
            }
        } else if let Some(cluster) = arg.strip_prefix('-').filter(|c| !c.is_empty()) {
            let first = cluster.chars().next().unwrap_or('-');
            match shorts.iter().find(|(c, _)| *c == first) {
                Some(&(_, takes_value)) => takes_value && cluster.len() == 1,
                None => {
                    leftover.push(arg);
                    continue;
                }
            }
        } else {
            leftover.push(arg);
            continue;
        };
        known.push(arg);
        if takes_next {
            if let Some(v) = it.next() {
                known.push(v);
            }
        }
    }
    (known, leftover, rest)
}

impl Options {
    /// Parse `$SCONSFLAGS` (if set) followed by the real arguments, as scons does.
    pub fn from_env_and_args() -> Result<Options, clap::Error> {
        let mut argv: Vec<String> = vec!["docons".to_owned()];
        if let Ok(flags) = std::env::var("SCONSFLAGS") {
            argv.extend(flags.split_whitespace().map(str::to_owned));
        }
        argv.extend(std::env::args().skip(1));
        // (one command for both: building it is most of the parse's time)
        use clap::{CommandFactory, FromArgMatches};
        let mut cmd = Options::command();
        let (known, leftover, after_dashdash) = split_known_options(&cmd, argv);
        let mut matches = cmd.try_get_matches_from_mut(known)?;
        let mut opts =
            Options::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut cmd))?;
        opts.leftover = leftover;
        opts.after_dashdash = after_dashdash;
        Ok(opts)
    }

    /// The plain words before any `--` (unknown options and empty words left out).
    fn plain_words(&self) -> impl Iterator<Item = &String> {
        self.leftover
            .iter()
            .filter(|w| !w.starts_with('-') && !matches!(w.as_str(), "" | "\"\"" | "''"))
    }

    /// The `KEY=VALUE` words, in order.
    pub fn arguments(&self) -> Vec<(String, String)> {
        self.plain_words()
            .filter_map(|w| w.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
            .collect()
    }

    /// The target words (those without `=`, then every word after `--`).
    pub fn targets(&self) -> Vec<String> {
        self.plain_words()
            .filter(|w| !w.contains('='))
            .chain(self.after_dashdash.iter())
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
        m.insert("config".into(), json!(self.config));
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
        m.insert("random".into(), json!(self.random));
        m.insert("question".into(), json!(self.question));
        m.insert("silent".into(), json!(self.silent));
        m.insert("climb_up".into(), json!(self.climb_mode()));
        m.insert("debug".into(), json!(self.debug));
        m.insert("warn".into(), json!(self.warn));
        m.insert("tree".into(), json!(self.tree));
        m.insert(
            "environment_overrides".into(),
            json!(self.environment_overrides),
        );
        m.insert("cache_disable".into(), json!(self.cache_disable));
        m.insert("cache_force".into(), json!(self.cache_force));
        m.insert("cache_readonly".into(), json!(self.cache_readonly));
        m.insert("cache_show".into(), json!(self.cache_show));
        m.insert("cache_debug".into(), json!(self.cache_debug));
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

    /// The option names (as in `as_script_options`) that the command line set.
    pub fn given_options(&self) -> Vec<String> {
        let flags = [
            ("clean", self.clean),
            ("help", self.help),
            ("ignore_errors", self.ignore_errors),
            ("implicit_cache", self.implicit_cache),
            ("implicit_deps_changed", self.implicit_deps_changed),
            ("implicit_deps_unchanged", self.implicit_deps_unchanged),
            ("num_jobs", self.jobs.is_some()),
            ("keep_going", self.keep_going),
            ("no_exec", self.no_exec),
            ("no_progress", self.no_progress),
            ("random", self.random),
            ("question", self.question),
            ("silent", self.silent),
            ("cache_disable", self.cache_disable),
            ("cache_force", self.cache_force),
            ("cache_readonly", self.cache_readonly),
            ("cache_show", self.cache_show),
        ];
        flags
            .iter()
            .filter(|(_, given)| *given)
            .map(|(name, _)| (*name).to_owned())
            .collect()
    }

    /// SCons's `climb_up` option value: 0 none, 1 `-u`, 2 `-D`, 3 `-U`.
    pub fn climb_mode(&self) -> u8 {
        if self.climb_default {
            2
        } else if self.climb_local_default {
            3
        } else if self.climb_up {
            1
        } else {
            0
        }
    }
}
