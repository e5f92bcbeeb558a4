//! [`Auth`]: the client side of the token, sending `authorization: Bearer TOKEN` with every
//! control call; and [`Client`], the control client that carries it.

use super::Token;
use super::proto::control_client::ControlClient;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// Sends the token, when there is one, with every call (`jostle ctl`, `jostle drive`).
#[derive(Debug, Clone)]
pub struct Auth(pub Option<Token>);

impl Interceptor for Auth {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        if let Some(token) = &self.0 {
            request.metadata_mut().insert("authorization", token.header());
        }
        Ok(request)
    }
}

/// A control client over `channel` that sends `token` with every call.
pub fn client(channel: Channel, token: Option<Token>) -> Client {
    ControlClient::with_interceptor(channel, Auth(token))
}

/// The control client, with the token.
pub type Client = ControlClient<InterceptedService<Channel, Auth>>;
