//! Trying a channel's transform on one message without deploying anything: the transform as
//! deployed, or with an edited edit list or script, on a stored message or a pasted one.
//! Nothing is stored and nothing is sent; a script runs within its usual limits.

use serde::Serialize;

use super::config::TransformConfig;
use super::pipeline::{Transform, TransformTrial};
use super::runtime::{Runtime, RuntimeError};
use crate::config::ConfigErrors;
use crate::message::Format;
use crate::store::StoreError;

/// A channel's transform as the console shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransformView {
    /// The channel.
    pub channel: String,
    /// `edit`, `script`, `convert` or `mapping`; absent when the channel has no transform.
    pub kind: Option<String>,
    /// The channel's `[transform]` settings.
    #[schema(value_type = Option<Object>)]
    pub config: Option<TransformConfig>,
    /// The file the transform names, relative to the deployment root.
    pub file: Option<String>,
    /// That file's text (absent for a conversion, or when it cannot be read).
    pub text: Option<String>,
}

/// The message a transform is tried on.
#[derive(Debug, Clone)]
pub enum TrialMessage {
    /// A stored message, by id, read as its content type says.
    Stored(i64),
    /// Content given as it is.
    Raw(Vec<u8>),
}

/// What a `[transform]` is: the setting it names.
fn kind(config: &TransformConfig) -> &'static str {
    match config {
        TransformConfig { edit: Some(_), .. } => "edit",
        TransformConfig {
            script: Some(_), ..
        } => "script",
        TransformConfig {
            convert: Some(_), ..
        } => "convert",
        _ => "mapping",
    }
}

impl Runtime {
    /// The transform of deployed channel `channel`, with the text of the file it names.
    pub async fn transform_view(&self, channel: &str) -> Result<TransformView, RuntimeError> {
        let pipeline = self
            .pipeline(channel)
            .await
            .ok_or_else(|| RuntimeError::NoSuchChannel(channel.to_string()))?;
        let config = pipeline.config.transform.clone();
        let file = config.as_ref().and_then(TransformConfig::file);
        let text = file
            .as_ref()
            .and_then(|file| std::fs::read_to_string(self.root().join(file)).ok());
        Ok(TransformView {
            channel: channel.to_string(),
            kind: config.as_ref().map(|config| kind(config).to_string()),
            config,
            file,
            text,
        })
    }

    /// Tries deployed channel `channel`'s transform on `message`, or the transform with `text`
    /// in place of its edit list or script. A stored message that is not there is
    /// [`StoreError::NotFound`]; an edited text with a problem is refused with its line.
    pub async fn try_transform(
        &self,
        channel: &str,
        message: TrialMessage,
        text: Option<&str>,
    ) -> Result<TransformTrial, RuntimeError> {
        let pipeline = self
            .pipeline(channel)
            .await
            .ok_or_else(|| RuntimeError::NoSuchChannel(channel.to_string()))?;
        let (raw, format) = match message {
            TrialMessage::Raw(raw) => (raw, None),
            TrialMessage::Stored(id) => {
                let store = self.store();
                let summary = store
                    .message(id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("message {id}")))?;
                let raw = store.message_raw(id).await?.unwrap_or_default();
                (raw, Format::from_content_type(&summary.content_type))
            }
        };
        let edited = match (text, &pipeline.config.transform) {
            (None, _) => None,
            (Some(text), Some(config)) => Some(
                Transform::with_text(config, text)
                    .map_err(|problem| ConfigErrors(vec![problem]))?,
            ),
            (Some(_), None) => {
                return Err(RuntimeError::NoTransform(channel.to_string()));
            }
        };
        match edited.as_ref().or(pipeline.transform.as_ref()) {
            Some(transform) => Ok(transform.trial(&raw, format)),
            None => Err(RuntimeError::NoTransform(channel.to_string())),
        }
    }
}
