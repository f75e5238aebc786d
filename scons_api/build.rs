// Cargo does not track the Python files that py_freeze! compiles into the binary: tell it to.
fn main() {
    println!("cargo:rerun-if-changed=python");
    println!("cargo:rerun-if-changed=src/report.py");
}
