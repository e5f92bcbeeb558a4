//! Compiles `proto/orders.proto` and `proto/control.proto` (inside this package, so that a
//! packaged harness builds) in pure Rust with protox: no `protoc` is needed anywhere. Also writes the order service's file descriptor set (with its imports) to
//! `$OUT_DIR/orders_descriptor.bin`, which every backend serves over server reflection.

use protox::prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    let descriptors = protox::compile(["orders.proto", "control.proto"], ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    let orders = protox::compile(["orders.proto"], ["proto"])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("orders_descriptor.bin"), orders.encode_to_vec())?;
    Ok(())
}
