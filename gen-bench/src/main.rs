use gen_bench::{generate, Params, SconsProfile};
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: gen-bench OUTDIR LIBS CLASSES INTERNAL EXTERNAL [--scons-profile default|tuned]
    OUTDIR   - root directory of the tree (created if missing)
    LIBS     - number of libraries lib_0.. (each only includes those with smaller numbers)
    CLASSES  - number of classes per library
    INTERNAL - includes per .cpp of headers of the same library
    EXTERNAL - includes per .cpp of headers of other libraries
    --scons-profile default  plain SCons defaults (the default)
    --scons-profile tuned    add Decider('timestamp-newer') and implicit_cache, as the original

Writes wonderbuild's gen-bench tree (the canonical call is `gen-bench DIR 50 100 15 5`),
an SConstruct with one SConscript per library, and a build.ninja with the same commands.";

fn run() -> Result<(), String> {
    let mut positional = Vec::new();
    let mut profile = SconsProfile::Default;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-h" || a == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        } else if let Some(v) = a.strip_prefix("--scons-profile=") {
            profile = SconsProfile::parse(v).ok_or(format!("unknown --scons-profile {v:?}"))?;
        } else if a == "--scons-profile" {
            let v = args.next().ok_or("--scons-profile needs a value")?;
            profile = SconsProfile::parse(&v).ok_or(format!("unknown --scons-profile {v:?}"))?;
        } else if a.starts_with("--") {
            return Err(format!("unknown option {a}"));
        } else {
            positional.push(a);
        }
    }
    if positional.len() != 5 {
        return Err("expected 5 positional arguments".into());
    }
    let num = |i: usize, what: &str| -> Result<usize, String> {
        positional[i].parse().map_err(|_| {
            format!(
                "{what} must be a non-negative integer, got {:?}",
                positional[i]
            )
        })
    };
    let p = Params {
        libs: num(1, "LIBS")?,
        classes: num(2, "CLASSES")?,
        internal: num(3, "INTERNAL")?,
        external: num(4, "EXTERNAL")?,
        scons_profile: profile,
    };
    let root = PathBuf::from(&positional[0]);
    generate(&root, &p).map_err(|e| format!("writing {}: {e}", root.display()))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-bench: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
