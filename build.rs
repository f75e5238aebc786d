//! Link the `docons` binary as a position-dependent executable: a no-op build is a few
//! milliseconds of work, and a position-independent one would first spend about a
//! millisecond applying some 60 000 relocations (most of them in the embedded interpreter's
//! tables) each time it starts.
//!
//! The unwinder is linked in statically (libgcc_eh) rather than loaded from libgcc_s: loading
//! libgcc_s runs its CPU-model constructor, whose `cpuid` instructions cost a virtual machine
//! about 0.15 ms at every start. The standard library asks for `-lgcc_s` by name; a linker
//! script of that name, found first on the search path, answers it with the static unwinder.

fn main() {
    println!("cargo:rustc-link-arg-bin=docons=-no-pie");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let script = out.join("static-unwinder");
    std::fs::create_dir_all(&script).expect("OUT_DIR is writable");
    std::fs::write(script.join("libgcc_s.so"), "INPUT(-lgcc_eh)\n").expect("OUT_DIR is writable");
    println!("cargo:rustc-link-search=native={}", script.display());
    println!("cargo:rerun-if-changed=build.rs");
}
