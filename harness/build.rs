//! Compiles `proto/orders.proto` and `proto/control.proto` in pure Rust with protox: no `protoc`
//! is needed anywhere.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=../proto");
    let descriptors = protox::compile(["orders.proto", "control.proto"], ["../proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_fds(descriptors)?;
    Ok(())
}
