//! [`reflection`]: gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) describing what
//! every backend serves.

use crate::proto::FILE_DESCRIPTOR_SET;
use tonic::service::Routes;

/// Server reflection, both versions (`grpc.reflection.v1` and `grpc.reflection.v1alpha`, which
/// older tools ask), describing `orders.v1.OrderService`, `grpc.health.v1.Health` and the
/// reflection service itself, from the file descriptors build.rs compiled with protox.
///
/// ```
/// let routes = jostle_harness::service::reflection();
/// let _server = tonic::transport::Server::builder().add_routes(routes);
/// ```
pub fn reflection() -> Routes {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    // The sets are compiled in, and decoded by a test of every backend: they cannot fail here.
    let v1 = builder().build_v1().expect("the compiled-in descriptor sets decode");
    let v1alpha = builder().build_v1alpha().expect("the compiled-in descriptor sets decode");
    Routes::new(v1).add_service(v1alpha)
}
