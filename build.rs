//! Link the `docons` binary as a position-dependent executable: a no-op build is a few
//! milliseconds of work, and a position-independent one would first spend about a
//! millisecond applying some 60 000 relocations (most of them in the embedded interpreter's
//! tables) each time it starts.

fn main() {
    println!("cargo:rustc-link-arg-bin=docons=-no-pie");
    println!("cargo:rerun-if-changed=build.rs");
}
