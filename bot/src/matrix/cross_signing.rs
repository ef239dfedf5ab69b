//! The bot cross-signs its own device, once: its master, self-signing and user-signing keys
//! are made in its crypto store and uploaded (with its password when the homeserver asks for
//! user-interactive auth), and its device is signed, so clients show the bot's device as
//! verified by its owner rather than as an unknown session.

use anyhow::Context as _;
use matrix_sdk::ruma::api::client::keys::upload_signing_keys;
use matrix_sdk::ruma::api::client::uiaa::{
    AuthData, MatrixUserIdentifier, Password, UserIdentifier,
};
use matrix_sdk_crypto::types::requests::AnyOutgoingRequest;
use matrix_sdk_crypto::CrossSigningBootstrapRequests;
use tracing::info;

use super::crypto::Crypto;
use super::{Matrix, RequestError};

impl Crypto {
    /// Makes and uploads the cross-signing keys unless this store has them already.
    pub async fn cross_sign(&self, matrix: &Matrix, password: &str) -> anyhow::Result<()> {
        let machine = self.machine();
        if machine.cross_signing_status().await.is_complete() {
            return Ok(());
        }
        let CrossSigningBootstrapRequests {
            upload_keys_req,
            upload_signing_keys_req,
            upload_signatures_req,
        } = machine.bootstrap_cross_signing(false).await?;
        if let Some(outgoing) = upload_keys_req {
            if let AnyOutgoingRequest::KeysUpload(request) = outgoing.request() {
                let response = matrix
                    .send("keys upload", |client| client.send(request.clone()))
                    .await?;
                machine
                    .mark_request_as_sent(outgoing.request_id(), &response)
                    .await?;
            }
        }
        let mut request = upload_signing_keys::v3::Request::new();
        request.master_key = upload_signing_keys_req.master_key.map(|k| k.to_raw());
        request.self_signing_key = upload_signing_keys_req.self_signing_key.map(|k| k.to_raw());
        request.user_signing_key = upload_signing_keys_req.user_signing_key.map(|k| k.to_raw());
        let first = matrix
            .send("cross-signing keys", |client| client.send(request.clone()))
            .await;
        match first {
            Ok(_) => {}
            // The homeserver asks who is replacing the keys: the bot's password says it.
            Err(RequestError::Http(error)) if error.as_uiaa_response().is_some() => {
                let session = error
                    .as_uiaa_response()
                    .and_then(|info| info.session.clone());
                let mut password = Password::new(
                    UserIdentifier::Matrix(MatrixUserIdentifier::new(matrix.user_id().to_owned())),
                    password.to_owned(),
                );
                password.session = session;
                request.auth = Some(AuthData::Password(password));
                matrix
                    .send("cross-signing keys", |client| client.send(request.clone()))
                    .await
                    .context("the homeserver refuses the cross-signing keys")?;
            }
            Err(error) => return Err(error).context("cannot upload the cross-signing keys"),
        }
        matrix
            .send("signatures", |client| {
                client.send(upload_signatures_req.clone())
            })
            .await
            .context("cannot upload the device's signature")?;
        info!("the bot's device is cross-signed");
        Ok(())
    }
}
