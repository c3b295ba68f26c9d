//! API tokens: random bearer secrets, stored only as SHA-256 hashes, each with one role.

use std::fmt;
use std::str::FromStr;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::upsert::Value;
use super::{Store, StoreError, now_millis};

/// What a token may do. Each role includes the ones below it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read channels, messages and records.
    Viewer,
    /// Also operate: start/stop channels, reprocess and replay messages.
    Operator,
    /// Also administer: tokens, configuration, the audit log.
    Admin,
}

impl Role {
    /// The stored text form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role '{other}': expected admin, operator or viewer"
            )),
        }
    }
}

/// Who is calling: the token that authenticated a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Principal {
    /// Token id.
    pub token_id: i64,
    /// Token name (the person or system it was issued to).
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// What a bearer token stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bearer {
    /// A token that may be used, and who holds it.
    Valid(Principal),
    /// A token that was revoked or has expired, by its name: refused, and audited by name.
    Refused(String),
    /// No token, or none we issued.
    Unknown,
}

impl Bearer {
    /// Who may act, when the token is valid.
    pub fn principal(&self) -> Option<&Principal> {
        match self {
            Bearer::Valid(principal) => Some(principal),
            _ => None,
        }
    }

    /// The token's name for the audit log, valid or not.
    pub fn actor(&self) -> Option<&str> {
        match self {
            Bearer::Valid(principal) => Some(&principal.name),
            Bearer::Refused(name) => Some(name),
            Bearer::Unknown => None,
        }
    }
}

/// The token of an `Authorization: Bearer TOKEN` header value.
pub fn bearer_token(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A token as listed (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TokenInfo {
    /// Token id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms, when it expires.
    pub expires_at: Option<i64>,
    /// Unix ms of the last authenticated request.
    pub last_used_at: Option<i64>,
    /// Unix ms, when revoked.
    pub revoked_at: Option<i64>,
}

/// Prefix of every token, so a leaked one is recognisable in logs and scanners.
const TOKEN_PREFIX: &str = "sbt_";

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn row_role(row: &sqlx::any::AnyRow) -> Result<Role, StoreError> {
    let role: String = row.try_get("role")?;
    role.parse().map_err(StoreError::Invalid)
}

impl Store {
    /// Creates a token and returns its id and the secret, which is shown once and never stored.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        ttl_days: Option<u32>,
    ) -> Result<(i64, String), StoreError> {
        if name.trim().is_empty() || name.len() > 100 {
            return Err(StoreError::Invalid(
                "token name must be 1-100 characters".into(),
            ));
        }
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        let token = format!("{TOKEN_PREFIX}{}", hex::encode(secret));
        let now = now_millis();
        let expires = ttl_days.map(|days| now + i64::from(days) * 86_400_000);
        let row = self
            .write_returning(
                sqlx::query(
                    "INSERT INTO api_tokens (name, role, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind(name)
                .bind(role.as_str())
                .bind(hash_token(&token))
                .bind(now)
                .bind(expires),
            )
            .await?
        .ok_or_else(|| StoreError::Invalid(format!("a token named '{name}' already exists")))?;
        Ok((row.try_get("id")?, token))
    }

    /// Lists every token, oldest first.
    pub async fn list_tokens(&self) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, role, created_at, expires_at, last_used_at, revoked_at FROM api_tokens ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    role: row_role(row)?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes the token with this name; false when there is no such active token.
    pub async fn revoke_token(&self, name: &str) -> Result<bool, StoreError> {
        let done = self
            .write_execute(
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
                )
                .bind(now_millis())
                .bind(name),
            )
            .await?;
        Ok(done > 0)
    }

    /// What `token` (when one was given) stands for: a principal when it is known, unrevoked
    /// and unexpired; the name of a revoked or expired one, for the audit log.
    pub async fn bearer(&self, token: Option<&str>) -> Result<Bearer, StoreError> {
        let Some(token) = token.filter(|t| t.starts_with(TOKEN_PREFIX)) else {
            return Ok(Bearer::Unknown);
        };
        if let Some(principal) = self.authenticate(token).await? {
            return Ok(Bearer::Valid(principal));
        }
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM api_tokens WHERE token_hash = $1")
                .bind(hash_token(token))
                .fetch_optional(self.pool())
                .await?;
        Ok(name.map_or(Bearer::Unknown, Bearer::Refused))
    }

    /// The principal a bearer token stands for, when it is known, unrevoked and unexpired.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Principal>, StoreError> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let now = now_millis();
        let row = sqlx::query(
            "SELECT id, name, role, last_used_at FROM api_tokens WHERE token_hash = $1 \
             AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(hash_token(token))
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let principal = Principal {
            token_id: row.try_get("id")?,
            name: row.try_get("name")?,
            role: row_role(&row)?,
        };
        // Record use at most once a minute per token to keep reads cheap.
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|at| now - at > 60_000) {
            let id = principal.token_id;
            self.write_transaction(move |conn| {
                Box::pin(async move {
                    conn.execute(
                        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
                        &[Value::from(now), Value::from(id)],
                    )
                    .await
                })
            })
            .await?;
        }
        Ok(Some(principal))
    }
}
