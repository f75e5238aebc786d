//! The C/C++ include scanner, as SCons's default `CScanner`: every `#include "…"` / `#include <…>`
//! line (and `#import`), found by a regex without evaluating the preprocessor, then resolved
//! through the including file's folder and CPPPATH. Scanning a file's text is cached by its content
//! hash (see `state`); resolving is cheap and done per run.

use crate::state::Include;
use regex::bytes::Regex;
use std::sync::OnceLock;

fn include_line() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*#[ \t]*(?:include|import)[ \t]*(<|")([^>"\r\n]+)(?:>|")"#)
            .expect("include regex")
    })
}

/// The includes written in a file's text, in order.
pub fn extract_includes(text: &[u8]) -> Vec<Include> {
    include_line()
        .captures_iter(text)
        .map(|c| Include {
            angle: &c[1] == b"<",
            name: String::from_utf8_lossy(&c[2]).into_owned(),
        })
        .collect()
}

/// Suffixes whose files the C scanner reads (SCons's CScanner list).
pub fn is_scannable(path: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        ".c", ".C", ".cxx", ".cpp", ".c++", ".cc", ".h", ".H", ".hxx", ".hpp", ".hh", ".F", ".fpp",
        ".FPP", ".m", ".mm", ".S", ".spp", ".SPP", ".sx", ".inl", ".ipp", ".tcc",
    ];
    match path.rfind('.') {
        Some(dot) if !path[dot..].contains('/') => SUFFIXES.contains(&&path[dot..]),
        _ => true, // headers without a suffix (<vector>-style) are scanned too
    }
}

/// The folders to search for an include, in SCons's order: for `"x"` the including file's folder
/// first, then CPPPATH; for `<x>` CPPPATH first, then the including file's folder.
pub fn search_order<'a>(inc: &Include, own_dir: &'a str, cpppath: &'a [String]) -> Vec<&'a str> {
    let mut dirs: Vec<&str> = Vec::with_capacity(cpppath.len() + 1);
    if !inc.angle {
        dirs.push(own_dir);
    }
    dirs.extend(cpppath.iter().map(String::as_str));
    if inc.angle {
        dirs.push(own_dir);
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_both_kinds_and_skips_comments_in_other_lines() {
        let text = b"#include \"a.h\"\n  #  include <sys/b.h>\n// #include \"c.h\"\nint x; #include \"d.h\"\n#import \"e.h\"\n";
        let got = extract_includes(text);
        let names: Vec<_> = got.iter().map(|i| (i.angle, i.name.as_str())).collect();
        assert_eq!(
            names,
            vec![(false, "a.h"), (true, "sys/b.h"), (false, "e.h")]
        );
    }

    #[test]
    fn quote_includes_search_own_folder_first() {
        let cpppath = vec!["inc".to_owned()];
        let q = Include {
            angle: false,
            name: "x.h".into(),
        };
        let a = Include {
            angle: true,
            name: "x.h".into(),
        };
        assert_eq!(search_order(&q, "src", &cpppath), vec!["src", "inc"]);
        assert_eq!(search_order(&a, "src", &cpppath), vec!["inc", "src"]);
    }
}
