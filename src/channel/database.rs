//! `database` source and destination: PostgreSQL, MySQL/MariaDB and SQLite files.
//!
//! The source runs a `SELECT` every `poll_seconds` (at most `batch_size` rows) and hands each
//! row to the pipeline as one JSON object (`application/json`); once the row's message is
//! stored, its `after` statement (with the row's values bound to `:name` placeholders) marks it.
//! A row read again because the engine stopped between the two is recognised by its `key`
//! column and content, and not stored twice. The destination runs one statement per message,
//! with `:name` placeholders bound to values read from the message. Values are always bound,
//! never written into the SQL; a password comes only from `${ENV}`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::{Column, Database, Encode, Row, Type, TypeInfo, ValueRef};
use tokio::sync::OnceCell;

use super::config::{ChannelConfig, Checks};
use super::polling::SourceLease;
use super::{
    DeliveryError, Destination, DestinationContext, DestinationSettings, Outbound, Receipt, Source,
    SourceContext, SourceError, SourceSettings, expand_env,
};
use crate::config::checks::stays_inside;
use crate::message::{FACT_NAMES, Message, json_field};

/// The content type of the messages the source makes.
const ROW_CONTENT_TYPE: &str = "application/json";

/// The largest `batch_size`.
const MAX_BATCH_SIZE: u32 = 10_000;

/// The most pooled connections one connector may open.
const MAX_CONNECTIONS: u32 = 32;

/// `type = "database"` source: rows of a query, one JSON message each.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSource {
    /// Connection URL (`postgres://`, `mysql://`, `mariadb://`, `sqlite:FILE`); a password only
    /// as `${ENV_VAR}`.
    pub url: String,
    /// The `SELECT` run every poll; the source appends `LIMIT batch_size`.
    pub query: String,
    /// A statement run for each stored row, its `:column` placeholders bound to the row's values.
    #[serde(default)]
    pub after: Option<String>,
    /// The column that identifies a row: its value is the message's control id, and a row read
    /// again with the same content is recognised as a resend.
    #[serde(default)]
    pub key: Option<String>,
    /// Seconds between polls.
    #[serde(default = "default_poll_seconds")]
    pub poll_seconds: u64,
    /// Rows read per poll at most.
    #[serde(default = "default_batch_size")]
    pub batch_size: u32,
    /// Connections kept open at most.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Seconds to wait for a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: u64,
}

/// `type = "database"` destination: one statement per message.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatabaseDestinationConfig {
    /// Connection URL, as for the source.
    pub url: String,
    /// The statement, with `:name` placeholders.
    pub statement: String,
    /// What each placeholder is bound to: a fact name (`control_id`), a JSON pointer (`/a/0/b`),
    /// or a path in the message (`PID-5.1`, `CLP01`, `name.family`).
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Connections kept open at most.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Seconds to wait for a connection.
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_seconds: u64,
}

fn default_poll_seconds() -> u64 {
    5
}
fn default_batch_size() -> u32 {
    100
}
fn default_max_connections() -> u32 {
    2
}
fn default_connect_timeout() -> u64 {
    10
}

/// The database kinds, each with its placeholder form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL: `$1`, `$2`, ...
    Postgres,
    /// MySQL and MariaDB: `?`.
    MySql,
    /// SQLite: `?`.
    Sqlite,
}

/// Where a URL points, read from its text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// A server URL of this dialect.
    Server(Dialect),
    /// A SQLite file, relative to the data directory.
    File(PathBuf),
}

/// What the connection settings of both sides share.
struct Connection<'a> {
    url: &'a str,
    max_connections: u32,
    connect_timeout_seconds: u64,
}

impl Connection<'_> {
    /// Records what is wrong with the URL and the pool limits.
    fn check(&self, checks: &mut Checks<'_>) {
        if !self.url.starts_with("${") {
            match target(self.url).and_then(|_| literal_password(self.url)) {
                Ok(()) => {}
                Err(reason) => checks.problem("url", reason),
            }
        }
        if self.max_connections == 0 || self.max_connections > MAX_CONNECTIONS {
            checks.problem(
                "max_connections",
                format!("must be between 1 and {MAX_CONNECTIONS}"),
            );
        }
        if self.connect_timeout_seconds == 0 || self.connect_timeout_seconds > 600 {
            checks.problem("connect_timeout_seconds", "must be between 1 and 600");
        }
    }

    /// The dialect the statements are checked in: the URL's, or PostgreSQL's when the URL is
    /// all `${ENV}`.
    fn dialect(&self) -> Dialect {
        match target(self.url) {
            Ok(Target::Server(dialect)) => dialect,
            Ok(Target::File(_)) => Dialect::Sqlite,
            Err(_) => Dialect::Postgres,
        }
    }

    /// The database, connected on first use (the URL's `${ENV}` expanded then).
    fn open(&self, data_dir: &Path) -> Db {
        Db {
            url: self.url.to_string(),
            data_dir: data_dir.to_path_buf(),
            max_connections: self.max_connections,
            connect_timeout: Duration::from_secs(self.connect_timeout_seconds),
            pool: OnceCell::new(),
        }
    }
}

/// What a URL's scheme names, or why it names nothing we connect to.
fn target(url: &str) -> Result<Target, String> {
    let url = url.trim();
    for (scheme, dialect) in [
        ("postgres://", Dialect::Postgres),
        ("postgresql://", Dialect::Postgres),
        ("mysql://", Dialect::MySql),
        ("mariadb://", Dialect::MySql),
    ] {
        if url.starts_with(scheme) {
            return Ok(Target::Server(dialect));
        }
    }
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Err(
            "must start with postgres://, mysql://, mariadb:// or sqlite: (or be ${ENV_VAR})"
                .into(),
        );
    };
    let path = rest.strip_prefix("//").unwrap_or(rest);
    if path.is_empty() || path.starts_with(':') || path.contains('?') {
        return Err("a SQLite database is a file named by its path, without options".into());
    }
    let path = PathBuf::from(path);
    if path.is_absolute() || !stays_inside(&path) {
        return Err("the SQLite file must be a relative path inside the data directory".into());
    }
    Ok(Target::File(path))
}

/// Refuses a password written in the URL (in its user part or a `password=` option): it must
/// come from the environment, as `${ENV_VAR}`.
fn literal_password(url: &str) -> Result<(), String> {
    let is_env = |value: &str| value.starts_with("${") && value.ends_with('}') && value.len() > 3;
    let refused = "a password must not be written in the URL: use ${ENV_VAR}";
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?']).next().unwrap_or_default();
    if let Some((user_info, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = user_info.split_once(':')
        && !password.is_empty()
        && !is_env(password)
    {
        return Err(refused.into());
    }
    let query = url.split_once('?').map_or("", |(_, query)| query);
    for pair in query.split('&') {
        if let Some((name, value)) = pair.split_once('=')
            && name.to_ascii_lowercase().ends_with("password")
            && !is_env(value)
        {
            return Err(refused.into());
        }
    }
    Ok(())
}

/// One piece of SQL text, as far as placeholders care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token<'a> {
    /// A word: keyword, identifier or number.
    Word(&'a str),
    /// A quoted identifier, with its quotes.
    QuotedName(&'a str),
    /// A `:name` placeholder (the name only).
    Placeholder(&'a str),
    /// A string literal, comment, space or punctuation: copied as is.
    Other(&'a str),
}

/// Splits SQL into tokens: string literals (`'...'`, with backslash escapes in MySQL), quoted
/// identifiers (`"..."`, `` `...` ``), comments (`--`, `/* */`) and `::` casts are never
/// placeholders. Fails on an unclosed quote or comment.
fn tokens(sql: &str, dialect: Dialect) -> Result<Vec<Token<'_>>, String> {
    let bytes = sql.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let b = bytes[i];
        let closing = |quote: u8, from: usize, escapes: bool| -> Result<usize, String> {
            let mut j = from;
            while j < bytes.len() {
                if escapes && bytes[j] == b'\\' {
                    j += 2;
                } else if bytes[j] == quote {
                    if bytes.get(j + 1) == Some(&quote) {
                        j += 2;
                    } else {
                        return Ok(j + 1);
                    }
                } else {
                    j += 1;
                }
            }
            Err(format!(
                "has a {} opened at byte {start} and never closed",
                quote as char
            ))
        };
        if b == b'\'' {
            i = closing(b'\'', i + 1, dialect == Dialect::MySql)?;
            out.push(Token::Other(&sql[start..i]));
        } else if b == b'"' || b == b'`' {
            i = closing(b, i + 1, false)?;
            out.push(Token::QuotedName(&sql[start..i]));
        } else if sql[i..].starts_with("--") {
            i = sql[i..].find('\n').map_or(bytes.len(), |end| i + end);
            out.push(Token::Other(&sql[start..i]));
        } else if sql[i..].starts_with("/*") {
            let end = sql[i + 2..]
                .find("*/")
                .ok_or_else(|| format!("has a comment opened at byte {start} and never closed"))?;
            i += end + 4;
            out.push(Token::Other(&sql[start..i]));
        } else if b == b':' && sql[i + 1..].starts_with(':') {
            i += 2;
            out.push(Token::Other(&sql[start..i]));
        } else if b == b':'
            && bytes
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphabetic() || n == b'_')
        {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            out.push(Token::Placeholder(&sql[start + 1..i]));
        } else if word(b) {
            while i < bytes.len() && word(bytes[i]) {
                i += 1;
            }
            out.push(Token::Word(&sql[start..i]));
        } else {
            i += sql[i..].chars().next().map_or(1, char::len_utf8);
            out.push(Token::Other(&sql[start..i]));
        }
    }
    Ok(out)
}

/// A statement with `:name` placeholders, in the driver's positional form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSql {
    /// The SQL the driver runs.
    pub sql: String,
    /// The name bound to each position, in order.
    pub order: Vec<String>,
}

impl NamedSql {
    /// Translates `:name` placeholders to `$1`, `$2` (PostgreSQL, one number per name) or `?`
    /// (one per occurrence).
    pub fn new(sql: &str, dialect: Dialect) -> Result<NamedSql, String> {
        let mut out = String::with_capacity(sql.len());
        let mut order: Vec<String> = Vec::new();
        for token in tokens(sql, dialect)? {
            match token {
                Token::Placeholder(name) => match dialect {
                    Dialect::Postgres => {
                        let position = match order.iter().position(|n| n == name) {
                            Some(at) => at + 1,
                            None => {
                                order.push(name.to_string());
                                order.len()
                            }
                        };
                        out.push_str(&format!("${position}"));
                    }
                    Dialect::MySql | Dialect::Sqlite => {
                        order.push(name.to_string());
                        out.push('?');
                    }
                },
                Token::Word(text) | Token::QuotedName(text) | Token::Other(text) => {
                    out.push_str(text);
                }
            }
        }
        Ok(NamedSql { sql: out, order })
    }

    /// The distinct placeholder names.
    pub fn names(&self) -> BTreeSet<&str> {
        self.order.iter().map(String::as_str).collect()
    }
}

/// The column names a `SELECT` returns, when every item of its list is a plain column or has
/// an alias (`id`, `t.body`, `count(*) AS n`); `None` when one is `*` or an unnamed
/// expression, which only the database can name.
fn selected_columns(tokens: &[Token<'_>]) -> Option<Vec<String>> {
    let significant: Vec<&Token<'_>> = tokens
        .iter()
        .filter(|t| !matches!(t, Token::Other(text) if text.trim().is_empty() || text.starts_with("--") || text.starts_with("/*")))
        .collect();
    let select = significant
        .iter()
        .position(|t| matches!(t, Token::Word(w) if w.eq_ignore_ascii_case("select")))?;
    let mut columns = Vec::new();
    let mut depth = 0i32;
    let mut last: Option<&Token<'_>> = None;
    for token in &significant[select + 1..] {
        match token {
            Token::Other("(") => depth += 1,
            Token::Other(")") => depth -= 1,
            _ => {}
        }
        let at_top = depth == 0;
        let ends_item = at_top
            && (matches!(token, Token::Other(","))
                || matches!(token, Token::Word(w) if w.eq_ignore_ascii_case("from")));
        if ends_item {
            columns.push(column_name(last?)?);
            if matches!(token, Token::Word(_)) {
                return Some(columns);
            }
            last = None;
        } else {
            last = Some(token);
        }
    }
    columns.push(column_name(last?)?);
    Some(columns)
}

/// The name a select item ending in `token` gets.
fn column_name(token: &Token<'_>) -> Option<String> {
    match token {
        Token::Word(word) if !word.as_bytes()[0].is_ascii_digit() => Some(word.to_string()),
        Token::QuotedName(quoted) => Some(quoted[1..quoted.len() - 1].to_string()),
        _ => None,
    }
}

/// Whether the statement has its own `LIMIT` outside parentheses.
fn has_top_level_limit(tokens: &[Token<'_>]) -> bool {
    let mut depth = 0i32;
    tokens.iter().any(|token| {
        match token {
            Token::Other("(") => depth += 1,
            Token::Other(")") => depth -= 1,
            _ => {}
        }
        depth == 0 && matches!(token, Token::Word(w) if w.eq_ignore_ascii_case("limit"))
    })
}

impl SourceSettings for DatabaseSource {
    fn check(&self, checks: &mut Checks<'_>) {
        let connection = self.connection();
        connection.check(checks);
        let dialect = connection.dialect();
        if self.poll_seconds == 0 {
            checks.problem("poll_seconds", "must be at least 1");
        }
        if self.batch_size == 0 || self.batch_size > MAX_BATCH_SIZE {
            checks.problem(
                "batch_size",
                format!("must be between 1 and {MAX_BATCH_SIZE}"),
            );
        }
        let query_tokens = match tokens(&self.query, dialect) {
            Ok(tokens) => tokens,
            Err(reason) => {
                checks.problem("query", reason);
                return;
            }
        };
        let first_word = query_tokens.iter().find_map(|t| match t {
            Token::Word(w) => Some(*w),
            _ => None,
        });
        if !first_word.is_some_and(|w| w.eq_ignore_ascii_case("select")) {
            checks.problem("query", "must be a SELECT");
        }
        if query_tokens
            .iter()
            .any(|t| matches!(t, Token::Placeholder(_)))
        {
            checks.problem("query", "takes no :name placeholders");
        }
        if has_top_level_limit(&query_tokens) {
            checks.problem(
                "query",
                "must not have its own LIMIT: batch_size limits the rows of a poll",
            );
        }
        if self.query.trim_end().ends_with(';') {
            checks.problem("query", "must be one statement, without a trailing ';'");
        }
        let columns = selected_columns(&query_tokens);
        let known = |name: &str| {
            columns
                .as_ref()
                .is_none_or(|columns| columns.iter().any(|c| c.eq_ignore_ascii_case(name)))
        };
        if let Some(key) = &self.key
            && !known(key)
        {
            checks.problem("key", format!("'{key}' is not a column the query selects"));
        }
        if let Some(after) = &self.after {
            match NamedSql::new(after, dialect) {
                Err(reason) => checks.problem("after", reason),
                Ok(named) => {
                    for name in named.names() {
                        if !known(name) {
                            checks.problem(
                                "after",
                                format!(
                                    "unknown placeholder :{name}: the query selects no such column"
                                ),
                            );
                        }
                    }
                }
            }
        }
    }

    fn build(&self) -> Box<dyn Source> {
        Box::new(self.clone())
    }
}

impl DatabaseSource {
    fn connection(&self) -> Connection<'_> {
        Connection {
            url: &self.url,
            max_connections: self.max_connections,
            connect_timeout_seconds: self.connect_timeout_seconds,
        }
    }

    /// The message of `row` named by its key column, when the source has one and the row a
    /// value there: the value is its control id, and with the content its resend key.
    fn keyed(
        &self,
        mut message: Message,
        row: &Map<String, Value>,
    ) -> Result<Result<Message, crate::message::Rejection>, String> {
        let Some(column) = &self.key else {
            return Ok(Ok(message));
        };
        let value = row_value(row, column)
            .ok_or_else(|| format!("the query returns no column '{column}' (key)"))?;
        let Some(id) = scalar_text(value) else {
            return Ok(Ok(message));
        };
        let sender = serde_json::to_string(&["database", column.as_str(), &id])
            .map_err(|err| err.to_string())?;
        message.facts.control_id = Some(id);
        Ok(Ok(message.sent_as(sender)))
    }

    /// The query with its `LIMIT`, and the `after` statement, in the database's form.
    fn statements(&self, dialect: Dialect) -> Result<(String, Option<NamedSql>), String> {
        let query = format!("{} LIMIT {}", self.query.trim(), self.batch_size);
        let after = self
            .after
            .as_deref()
            .map(|after| NamedSql::new(after, dialect))
            .transpose()
            .map_err(|reason| format!("after {reason}"))?;
        Ok((query, after))
    }

    /// One poll: reads a batch and hands each row to the pipeline, then runs its `after`
    /// statement. Stops at the first row that cannot be stored or marked: it and the rows after
    /// it are read again next poll.
    async fn poll(
        &self,
        pool: &Pool,
        query: &str,
        after: Option<&NamedSql>,
        context: &SourceContext,
    ) -> Result<(), String> {
        let rows = pool.rows(query).await.map_err(|err| err.to_string())?;
        for row in rows {
            if context.shutdown.is_cancelled() {
                break;
            }
            let raw = serde_json::to_vec(&row).map_err(|err| err.to_string())?;
            let message = Message::read(&raw)
                .map(|message| self.keyed(message, &row))
                .unwrap_or_else(|rejection| Ok(Err(rejection)))?;
            let receipt = context
                .pipeline
                .receive_read(&raw, &message, Some(ROW_CONTENT_TYPE))
                .await
                .map_err(|err| format!("cannot store a row: {err}"))?;
            if let Receipt::Rejected { rejection, .. } = &receipt {
                tracing::warn!(channel = %context.pipeline.channel(), message_id = receipt.message_id(), %rejection, "row rejected");
            }
            if let Some(after) = after {
                let values = after
                    .order
                    .iter()
                    .map(|name| {
                        row_value(&row, name).map(SqlValue::of_json).ok_or_else(|| {
                            format!("after names :{name}, which the query does not return")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                pool.execute(&after.sql, &values, false)
                    .await
                    .map_err(|err| {
                        format!(
                            "after statement for message {}: {err}",
                            receipt.message_id()
                        )
                    })?;
            }
        }
        Ok(())
    }
}

/// The row's value of a column, its name matched case-insensitively when not exactly.
fn row_value<'r>(row: &'r Map<String, Value>, column: &str) -> Option<&'r Value> {
    row.get(column).or_else(|| {
        row.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map(|(_, value)| value)
    })
}

/// A string or number as text; `None` for null, booleans and structures.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

impl Source for DatabaseSource {
    fn run(self: Box<Self>, context: SourceContext) -> BoxFuture<'static, Result<(), SourceError>> {
        Box::pin(async move {
            let db = self.connection().open(&context.data_dir);
            let pool = db.pool().await.map_err(SourceError::Setup)?;
            let (query, after) = self
                .statements(pool.dialect())
                .map_err(SourceError::Setup)?;
            let every = Duration::from_secs(self.poll_seconds.max(1));
            let lease = SourceLease::new(&context);
            loop {
                if lease.take().await {
                    let poll = self.poll(pool, &query, after.as_ref(), &context);
                    if let Err(reason) = lease.keep_while(poll).await {
                        tracing::error!(channel = %context.pipeline.channel(), %reason, "database poll failed; the rows are read again next poll");
                    }
                }
                if !lease.wait(every).await {
                    pool.close().await;
                    return Ok(());
                }
            }
        })
    }
}

impl DestinationSettings for DatabaseDestinationConfig {
    fn check(&self, checks: &mut Checks<'_>, _channel: &ChannelConfig) {
        let connection = self.connection();
        connection.check(checks);
        let named = match NamedSql::new(&self.statement, connection.dialect()) {
            Ok(named) => named,
            Err(reason) => {
                checks.problem("statement", reason);
                return;
            }
        };
        let names = named.names();
        if names.is_empty() {
            checks.problem(
                "statement",
                "binds nothing from the message: name values as :placeholders",
            );
        }
        for name in &names {
            if !self.params.contains_key(*name) {
                checks.problem(
                    "params",
                    format!("no value for :{name}: add {name} = \"PATH\""),
                );
            }
        }
        for (name, path) in &self.params {
            if !names.contains(name.as_str()) {
                checks.problem(
                    &format!("params.{name}"),
                    format!("unknown placeholder: the statement has no :{name}"),
                );
            }
            if path.trim().is_empty() {
                checks.problem(&format!("params.{name}"), "must name a value");
            }
        }
    }

    fn build(&self, context: &DestinationContext<'_>) -> Arc<dyn Destination> {
        Arc::new(DatabaseDestination {
            db: self.connection().open(context.data_dir),
            statement: self.statement.clone(),
            params: self.params.clone(),
        })
    }
}

impl DatabaseDestinationConfig {
    fn connection(&self) -> Connection<'_> {
        Connection {
            url: &self.url,
            max_connections: self.max_connections,
            connect_timeout_seconds: self.connect_timeout_seconds,
        }
    }
}

/// Runs one statement per message.
pub struct DatabaseDestination {
    db: Db,
    statement: String,
    params: BTreeMap<String, String>,
}

/// The value `path` names in a message: a fact (one of [`FACT_NAMES`]), a JSON pointer
/// (`/patient/id`), or a path as [`Message::field`] reads it (a dotted field in any JSON).
pub fn message_value(message: &Message, path: &str) -> SqlValue {
    if FACT_NAMES.contains(&path) {
        return SqlValue::text(message.facts.get(path));
    }
    if path.starts_with('/') {
        return message
            .json()
            .and_then(|json| json.pointer(path))
            .map_or(SqlValue::Null, SqlValue::of_json);
    }
    match message.json() {
        Some(json) => SqlValue::text(json_field(json, path).as_deref()),
        None => SqlValue::text(message.field(path).as_deref()),
    }
}

impl Destination for DatabaseDestination {
    fn deliver<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), DeliveryError>> {
        Box::pin(async move {
            let pool = self.db.pool().await.map_err(DeliveryError::permanent)?;
            let named = NamedSql::new(&self.statement, pool.dialect())
                .map_err(|reason| DeliveryError::permanent(format!("statement {reason}")))?;
            let read = Message::read(&message.payload).map_err(|rejection| {
                DeliveryError::permanent(format!("cannot read the message: {rejection}"))
            })?;
            let values: Vec<SqlValue> = named
                .order
                .iter()
                .map(|name| {
                    self.params
                        .get(name)
                        .map_or(SqlValue::Null, |path| message_value(&read, path))
                })
                .collect();
            pool.execute(&named.sql, &values, true)
                .await
                .map(|_| ())
                .map_err(|failure| failure.classed())
        })
    }
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// NULL (bound as text).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Text(String),
}

impl SqlValue {
    fn text(value: Option<&str>) -> SqlValue {
        value.map_or(SqlValue::Null, |text| SqlValue::Text(text.to_string()))
    }

    /// A JSON value: numbers as integers or floats, strings and structures (as JSON) as text.
    pub fn of_json(value: &Value) -> SqlValue {
        match value {
            Value::Null => SqlValue::Null,
            Value::Bool(b) => SqlValue::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => SqlValue::Int(i),
                (None, Some(f)) => SqlValue::Float(f),
                (None, None) => SqlValue::Text(n.to_string()),
            },
            Value::String(s) => SqlValue::Text(s.clone()),
            other => SqlValue::Text(other.to_string()),
        }
    }
}

/// Binds `values` to `query` in order.
fn bind_all<'q, DB: Database>(
    mut query: sqlx::query::Query<'q, DB, <DB as Database>::Arguments>,
    values: &[SqlValue],
) -> sqlx::query::Query<'q, DB, <DB as Database>::Arguments>
where
    for<'t> bool: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> f64: Encode<'t, DB> + Type<DB>,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
{
    for value in values {
        query = match value {
            SqlValue::Null => query.bind(None::<String>),
            SqlValue::Bool(b) => query.bind(*b),
            SqlValue::Int(i) => query.bind(*i),
            SqlValue::Float(f) => query.bind(*f),
            SqlValue::Text(t) => query.bind(t.clone()),
        };
    }
    query
}

/// A connection pool of one of the three drivers.
enum Pool {
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
    Sqlite(sqlx::SqlitePool),
}

/// Runs `$body` with `$pool` bound to the driver's own pool.
macro_rules! with_pool {
    ($value:expr, $pool:ident => $body:expr) => {
        match $value {
            Pool::Postgres($pool) => $body,
            Pool::MySql($pool) => $body,
            Pool::Sqlite($pool) => $body,
        }
    };
}

/// A failed statement, and whether it may have been committed.
struct Failure {
    error: sqlx::Error,
    /// Failed while committing: the database may or may not have kept it.
    at_commit: bool,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.error)
    }
}

impl Failure {
    fn new(error: sqlx::Error) -> Self {
        Failure {
            error,
            at_commit: false,
        }
    }

    /// How the queue treats it: see [`classify`]; a lost connection while committing is
    /// ambiguous.
    fn classed(self) -> DeliveryError {
        let class = classify(&self.error);
        if self.at_commit && class == super::ErrorClass::Transient {
            return DeliveryError::ambiguous(format!(
                "the connection failed while committing, so the row may or may not be written: {}",
                self.error
            ));
        }
        DeliveryError {
            class,
            reason: self.error.to_string(),
        }
    }
}

impl Pool {
    fn dialect(&self) -> Dialect {
        match self {
            Pool::Postgres(_) => Dialect::Postgres,
            Pool::MySql(_) => Dialect::MySql,
            Pool::Sqlite(_) => Dialect::Sqlite,
        }
    }

    async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }

    /// The rows of a query, each as a JSON object.
    async fn rows(&self, sql: &str) -> Result<Vec<Map<String, Value>>, String> {
        let query = sqlx::AssertSqlSafe(sql.to_string());
        with_pool!(self, pool => {
            let rows = sqlx::query(query)
                .fetch_all(pool)
                .await
                .map_err(|err| err.to_string())?;
            rows.iter().map(|row| row_json(row, decode_value)).collect()
        })
    }

    /// Runs one statement with its values bound, in a transaction of its own when `transaction`
    /// is set (so a failure before the commit leaves nothing written).
    async fn execute(
        &self,
        sql: &str,
        values: &[SqlValue],
        transaction: bool,
    ) -> Result<u64, Failure> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        with_pool!(self, pool => {
            let query = bind_all(sqlx::query(sql), values);
            if transaction {
                let mut tx = pool.begin().await.map_err(Failure::new)?;
                let done = query.execute(&mut *tx).await.map_err(Failure::new)?;
                tx.commit().await.map_err(|error| Failure { error, at_commit: true })?;
                Ok(done.rows_affected())
            } else {
                let done = query.execute(pool).await.map_err(Failure::new)?;
                Ok(done.rows_affected())
            }
        })
    }
}

/// A database connected on first use.
struct Db {
    url: String,
    data_dir: PathBuf,
    max_connections: u32,
    connect_timeout: Duration,
    pool: OnceCell<Result<Pool, String>>,
}

impl Db {
    /// The pool (connections are opened as needed), or why the URL cannot be used.
    async fn pool(&self) -> Result<&Pool, String> {
        let opened = self
            .pool
            .get_or_init(|| async { self.open() })
            .await
            .as_ref();
        opened.map_err(Clone::clone)
    }

    fn open(&self) -> Result<Pool, String> {
        let url = expand_env(&self.url);
        let refused = |err: sqlx::Error| format!("database URL: {err}");
        match target(&url)? {
            Target::Server(Dialect::Postgres) => {
                let options: sqlx::postgres::PgConnectOptions = url.parse().map_err(refused)?;
                Ok(Pool::Postgres(
                    self.options::<sqlx::Postgres>().connect_lazy_with(options),
                ))
            }
            Target::Server(_) => {
                let url = url.replacen("mariadb://", "mysql://", 1);
                let options: sqlx::mysql::MySqlConnectOptions = url.parse().map_err(refused)?;
                Ok(Pool::MySql(
                    self.options::<sqlx::MySql>().connect_lazy_with(options),
                ))
            }
            Target::File(path) => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(self.data_dir.join(path))
                    .busy_timeout(self.connect_timeout);
                Ok(Pool::Sqlite(
                    self.options::<sqlx::Sqlite>().connect_lazy_with(options),
                ))
            }
        }
    }

    fn options<DB: Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        sqlx::pool::PoolOptions::new()
            .max_connections(self.max_connections)
            .acquire_timeout(self.connect_timeout)
    }
}

/// A row as a JSON object of column name to value, each decoded by `value`.
fn row_json<R: Row>(
    row: &R,
    value: impl Fn(&R, usize) -> Result<Value, String>,
) -> Result<Map<String, Value>, String> {
    let mut object = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let decoded = value(row, i).map_err(|reason| {
            format!(
                "column '{}' ({}): {reason}",
                column.name(),
                column.type_info().name()
            )
        })?;
        object.insert(column.name().to_string(), decoded);
    }
    Ok(object)
}

/// What every driver decodes alike: a column's value as JSON, by its type's name.
trait DecodeJson: Row + Sized {
    /// The type name that decides how column `i` is read: the column's (the value's own for
    /// SQLite).
    fn type_name(&self, i: usize) -> Result<String, String> {
        Ok(self.columns()[i].type_info().name().to_string())
    }

    /// Column `i` as JSON, the value being of the type named `name` (upper case).
    fn json(&self, i: usize, name: &str) -> Result<Option<Value>, sqlx::Error>;
}

/// Column `i` of `row` as JSON: null, or what the driver's [`DecodeJson::json`] makes of it;
/// a type it does not read is refused, naming a cast that works.
fn decode_value<R: DecodeJson>(row: &R, i: usize) -> Result<Value, String>
where
    usize: sqlx::ColumnIndex<R>,
{
    let raw = row.try_get_raw(i).map_err(|err| err.to_string())?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let name = row.type_name(i)?;
    match row.json(i, &name.to_ascii_uppercase()) {
        Ok(Some(value)) => Ok(value),
        Ok(None) => Err(format!(
            "values of type {name} are not converted: cast the column to text in the query"
        )),
        Err(err) => Err(err.to_string()),
    }
}

/// A decoded value as a JSON number; non-finite floats (NaN, infinity) become null.
fn float(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// Bytes as base64 text.
fn base64(bytes: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// ISO 8601 text of dates and times.
mod iso {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

    /// `2024-05-01`.
    pub fn date(date: Date) -> String {
        date.format(format_description!("[year]-[month]-[day]"))
            .unwrap_or_default()
    }

    /// `13:45:00`, with the fraction of a second when there is one.
    pub fn time(time: Time) -> String {
        let formatted = if time.nanosecond() == 0 {
            time.format(format_description!("[hour]:[minute]:[second]"))
        } else {
            time.format(format_description!(
                "[hour]:[minute]:[second].[subsecond digits:6]"
            ))
        };
        formatted.unwrap_or_default()
    }

    /// `2024-05-01T13:45:00`, without an offset.
    pub fn local(at: PrimitiveDateTime) -> String {
        format!("{}T{}", date(at.date()), time(at.time()))
    }

    /// `2024-05-01T13:45:00Z` or with its offset.
    pub fn instant(at: OffsetDateTime) -> String {
        at.format(&Rfc3339).unwrap_or_default()
    }
}

impl DecodeJson for sqlx::postgres::PgRow {
    fn json(&self, i: usize, name: &str) -> Result<Option<Value>, sqlx::Error> {
        Ok(Some(match name {
            "BOOL" => Value::Bool(self.try_get(i)?),
            "INT2" => Value::from(self.try_get::<i16, _>(i)?),
            "INT4" => Value::from(self.try_get::<i32, _>(i)?),
            "INT8" => Value::from(self.try_get::<i64, _>(i)?),
            "OID" => Value::from(self.try_get::<sqlx::postgres::types::Oid, _>(i)?.0),
            "FLOAT4" => float(f64::from(self.try_get::<f32, _>(i)?)),
            "FLOAT8" => float(self.try_get(i)?),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "UNKNOWN" => Value::String(self.try_get(i)?),
            "DATE" => Value::String(iso::date(self.try_get(i)?)),
            "TIME" => Value::String(iso::time(self.try_get(i)?)),
            "TIMESTAMP" => Value::String(iso::local(self.try_get(i)?)),
            "TIMESTAMPTZ" => Value::String(iso::instant(self.try_get(i)?)),
            "BYTEA" => base64(&self.try_get::<Vec<u8>, _>(i)?),
            _ => return Ok(None),
        }))
    }
}

impl DecodeJson for sqlx::mysql::MySqlRow {
    fn json(&self, i: usize, name: &str) -> Result<Option<Value>, sqlx::Error> {
        Ok(Some(match name {
            "BOOLEAN" => Value::Bool(self.try_get(i)?),
            "TINYINT" | "SMALLINT" | "INT" | "MEDIUMINT" | "BIGINT" | "YEAR" => {
                Value::from(self.try_get_unchecked::<i64, _>(i)?)
            }
            "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "INT UNSIGNED" | "MEDIUMINT UNSIGNED"
            | "BIGINT UNSIGNED" => Value::from(self.try_get_unchecked::<u64, _>(i)?),
            "FLOAT" => float(f64::from(self.try_get::<f32, _>(i)?)),
            "DOUBLE" => float(self.try_get(i)?),
            // Exact digits, as text: a float would round them.
            "DECIMAL" => Value::String(self.try_get_unchecked(i)?),
            "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM"
            | "SET" | "JSON" => Value::String(self.try_get_unchecked(i)?),
            "DATE" => Value::String(iso::date(self.try_get(i)?)),
            "TIME" => Value::String(iso::time(self.try_get(i)?)),
            "DATETIME" => Value::String(iso::local(self.try_get(i)?)),
            "TIMESTAMP" => Value::String(iso::instant(self.try_get(i)?)),
            "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
                base64(&self.try_get::<Vec<u8>, _>(i)?)
            }
            _ => return Ok(None),
        }))
    }
}

impl DecodeJson for sqlx::sqlite::SqliteRow {
    /// SQLite types values, not columns: the value's storage class, or BOOLEAN for an integer
    /// in a column declared so.
    fn type_name(&self, i: usize) -> Result<String, String> {
        let raw = self.try_get_raw(i).map_err(|err| err.to_string())?;
        let stored = raw.type_info().name().to_string();
        let declared = self.columns()[i].type_info().name();
        Ok(if stored == "INTEGER" && declared == "BOOLEAN" {
            declared.to_string()
        } else {
            stored
        })
    }

    fn json(&self, i: usize, name: &str) -> Result<Option<Value>, sqlx::Error> {
        Ok(Some(match name {
            "BOOLEAN" => Value::Bool(self.try_get(i)?),
            "INTEGER" => Value::from(self.try_get_unchecked::<i64, _>(i)?),
            "REAL" => float(self.try_get_unchecked(i)?),
            "TEXT" => Value::String(self.try_get_unchecked(i)?),
            "BLOB" => base64(&self.try_get_unchecked::<Vec<u8>, _>(i)?),
            _ => return Ok(None),
        }))
    }
}

/// SQLSTATE classes of failures that pass: connection exceptions (08), transaction rollbacks
/// such as deadlocks (40), insufficient resources (53), operator intervention such as a
/// server shutting down (57) and system errors (58).
const PASSING_SQLSTATE_CLASSES: [&str; 5] = ["08", "40", "53", "57", "58"];

/// MySQL's lock wait timeout (error 1205), reported under the general SQLSTATE HY000.
const MYSQL_LOCK_WAIT_TIMEOUT: u16 = 1205;

/// SQLite result codes (primary, the low byte) of failures that pass: BUSY (5), LOCKED (6),
/// IOERR (10), FULL (13), CANTOPEN (14), PROTOCOL (15).
const PASSING_SQLITE_CODES: [i64; 6] = [5, 6, 10, 13, 14, 15];

/// How a failed statement is treated: what the database refused (a constraint, a syntax
/// error, a missing table, a wrong password, a bad value) is permanent, since the same
/// statement fails the same way; a connection that cannot be had or was lost, a deadlock, a
/// busy database or a server shutting down is transient.
pub fn classify(error: &sqlx::Error) -> super::ErrorClass {
    use super::ErrorClass::{Permanent, Transient};
    match error {
        sqlx::Error::Database(db) => {
            let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
            let passing = match code.parse::<i64>() {
                // SQLite reports its numeric result codes; SQLSTATEs are five characters.
                Ok(sqlite) if code.len() < 5 => PASSING_SQLITE_CODES.contains(&(sqlite & 0xff)),
                _ => PASSING_SQLSTATE_CLASSES
                    .iter()
                    .any(|class| code.starts_with(class)),
            };
            let lock_wait = db
                .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                .is_some_and(|mysql| mysql.number() == MYSQL_LOCK_WAIT_TIMEOUT);
            if (passing || lock_wait) && db.kind() == sqlx::error::ErrorKind::Other {
                Transient
            } else {
                Permanent
            }
        }
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Transient,
        _ => Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_positions_outside_quotes_comments_and_casts() {
        let sql = "UPDATE t SET note = ':not' , \"a:b\" = :id::text -- :gone\n WHERE id = :id AND k = :key /* :x */";
        let pg = NamedSql::new(sql, Dialect::Postgres).unwrap();
        assert_eq!(
            pg.sql,
            "UPDATE t SET note = ':not' , \"a:b\" = $1::text -- :gone\n WHERE id = $1 AND k = $2 /* :x */"
        );
        assert_eq!(pg.order, ["id", "key"]);
        let my = NamedSql::new(sql, Dialect::MySql).unwrap();
        assert!(my.sql.contains("\"a:b\" = ?::text"), "{}", my.sql);
        assert_eq!(my.order, ["id", "id", "key"]);
        // MySQL strings take backslash escapes; PostgreSQL's do not.
        let escaped = "SELECT 'it\\'s :no' , :yes";
        assert_eq!(
            NamedSql::new(escaped, Dialect::MySql).unwrap().order,
            ["yes"]
        );
        assert!(NamedSql::new("SELECT 'open", Dialect::Sqlite).is_err());
        assert!(NamedSql::new("SELECT 1 /* open", Dialect::Sqlite).is_err());
    }

    #[test]
    fn select_lists_name_their_columns_when_they_can() {
        let columns = |sql: &str| selected_columns(&tokens(sql, Dialect::Postgres).unwrap());
        assert_eq!(
            columns("SELECT id, o.body, count(x) AS n, \"Quoted\" FROM o").unwrap(),
            ["id", "body", "n", "Quoted"]
        );
        assert_eq!(columns("select a from (select 1 as a) s").unwrap(), ["a"]);
        assert_eq!(columns("SELECT *, id FROM t"), None);
        assert_eq!(columns("SELECT id, 1 FROM t"), None);
        assert!(has_top_level_limit(
            &tokens("SELECT a FROM t LIMIT 5", Dialect::Postgres).unwrap()
        ));
        assert!(!has_top_level_limit(
            &tokens(
                "SELECT a FROM (SELECT a FROM t LIMIT 5) s",
                Dialect::Postgres
            )
            .unwrap()
        ));
    }

    #[test]
    fn passwords_come_only_from_the_environment() {
        assert!(literal_password("postgres://u:secret@h/db").is_err());
        assert!(literal_password("postgres://u:${DB_PASSWORD}@h/db").is_ok());
        assert!(literal_password("mysql://root@127.0.0.1:3306/test").is_ok());
        assert!(literal_password("postgres://u@h/db?password=x").is_err());
        assert!(literal_password("postgres://u@h/db?password=${P}").is_ok());
        assert!(literal_password("postgres://u@h/db?sslmode=require").is_ok());
    }

    #[test]
    fn urls_name_a_server_or_a_file_inside_the_data_directory() {
        assert_eq!(
            target("mariadb://h/db").unwrap(),
            Target::Server(Dialect::MySql)
        );
        assert_eq!(
            target("sqlite:in/outbox.db").unwrap(),
            Target::File(PathBuf::from("in/outbox.db"))
        );
        assert!(target("sqlite:../outbox.db").is_err());
        assert!(target("sqlite:///etc/outbox.db").is_err());
        assert!(target("sqlite::memory:").is_err());
        assert!(target("oracle://h").is_err());
    }

    #[test]
    fn values_come_from_facts_pointers_and_paths() {
        let hl7 = Message::read(
            b"MSH|^~\\&|ADT|HOSP|||20240101||ADT^A01|MSG1|P|2.5\rPID|1||123^^^H||Doe^Jane\r",
        )
        .unwrap();
        assert_eq!(message_value(&hl7, "PID-5.1"), SqlValue::Text("Doe".into()));
        assert_eq!(
            message_value(&hl7, "control_id"),
            SqlValue::Text("MSG1".into())
        );
        assert_eq!(message_value(&hl7, "PID-19"), SqlValue::Null);
        let json = Message::read(br#"{"id": 7, "p": {"name": "x", "ok": true}}"#).unwrap();
        assert_eq!(message_value(&json, "/id"), SqlValue::Int(7));
        assert_eq!(message_value(&json, "/p/ok"), SqlValue::Bool(true));
        assert_eq!(message_value(&json, "p.name"), SqlValue::Text("x".into()));
    }
}
