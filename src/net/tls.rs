//! TLS for listeners and clients, with rustls (the `ring` provider): PEM certificate chains,
//! private keys and CA bundles read from files, server and client configurations built from
//! them, and server certificates that follow their files.
//!
//! A listener's certificate and key are looked at on every handshake: when either file's
//! modification time or size changed, the pair is read again and, if it is good (both parse,
//! the key matches the certificate), it serves from then on. A bad new pair is refused with a
//! `path: reason` error logged once per change, and the pair in force stays in force. No
//! restart is needed. The CA bundle that client certificates are checked against is read when
//! the listener starts.
//!
//! Every certificate a listener serves is listed by [`certificate_expiries`] for `/metrics`.

use std::fmt;
use std::fs::Metadata;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, SystemTime};

use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpStream;
pub use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::Gate;

/// Largest certificate, key or CA file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// A TLS file that cannot be used, and why: shown as `path: reason`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct TlsError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong with it.
    pub reason: String,
}

impl TlsError {
    fn new(path: &Path, reason: impl fmt::Display) -> Self {
        TlsError {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

/// The files of a listener's TLS: its certificate chain and key, and the CA bundle a client
/// certificate must be signed by (then one is required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFiles {
    /// PEM certificate chain, the listener's own certificate first.
    pub cert: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key: PathBuf,
    /// PEM CA bundle for client certificates; `None` asks for no client certificate.
    pub client_ca: Option<PathBuf>,
}

/// The files of a client's TLS: the CA bundle to trust, and a certificate and key to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientFiles {
    /// PEM CA bundle; `None` trusts the public web PKI roots.
    pub ca: Option<PathBuf>,
    /// PEM certificate chain and private key presented to the server (mutual TLS).
    pub identity: Option<(PathBuf, PathBuf)>,
}

/// What `switchboard check` and `/metrics` say of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject, as `CN=...`.
    pub subject: String,
    /// The end of its validity, in Unix seconds.
    pub not_after: i64,
}

/// The crypto provider of every TLS configuration here.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Reads a whole file of at most [`MAX_FILE_BYTES`].
fn read_limited(path: &Path) -> Result<Vec<u8>, TlsError> {
    let file = std::fs::File::open(path).map_err(|err| TlsError::new(path, err))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| TlsError::new(path, err))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(TlsError::new(
            path,
            format!("larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    Ok(bytes)
}

/// The PEM certificates of a file, in order; at least one.
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_limited(path)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| TlsError::new(path, format!("not a PEM certificate file: {err}")))?;
    if certs.is_empty() {
        return Err(TlsError::new(path, "holds no PEM certificate"));
    }
    Ok(certs)
}

/// The PEM private key of a file.
pub fn load_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read_limited(path)?;
    PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|err| TlsError::new(path, format!("no usable PEM private key: {err}")))
}

/// The CA certificates of a PEM bundle, as trust anchors.
pub fn load_roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in load_certs(path)? {
        roots
            .add(cert)
            .map_err(|err| TlsError::new(path, format!("not a usable CA certificate: {err}")))?;
    }
    Ok(roots)
}

/// The certificate chain of `cert` with the key of `key`, once the key is known to match.
fn certified_key(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    let chain = load_certs(cert)?;
    let private = load_key(key)?;
    CertifiedKey::from_der(chain, private, &provider()).map_err(|err| match err {
        rustls::Error::InconsistentKeys(_) => TlsError::new(
            key,
            format!("does not match the certificate {}", cert.display()),
        ),
        other => TlsError::new(key, other),
    })
}

/// The subject and end of validity of a DER certificate.
fn info_of(path: &Path, der: &CertificateDer<'_>) -> Result<CertificateInfo, TlsError> {
    let (_, parsed) = x509_parser::parse_x509_certificate(der.as_ref())
        .map_err(|err| TlsError::new(path, format!("not a readable X.509 certificate: {err}")))?;
    Ok(CertificateInfo {
        subject: parsed.subject().to_string(),
        not_after: parsed.validity().not_after.timestamp(),
    })
}

/// Checks a certificate file and its key: both readable and parsed, the key matching the
/// certificate. Returns what the (first) certificate says of itself.
pub fn check_pair(cert: &Path, key: &Path) -> Result<CertificateInfo, TlsError> {
    let certified = certified_key(cert, key)?;
    let first = certified
        .cert
        .first()
        .ok_or_else(|| TlsError::new(cert, "holds no PEM certificate"))?;
    info_of(cert, first)
}

/// Checks a CA bundle: readable, and every certificate in it a usable trust anchor. Returns
/// what each certificate says of itself.
pub fn check_ca(path: &Path) -> Result<Vec<CertificateInfo>, TlsError> {
    load_roots(path)?;
    load_certs(path)?
        .iter()
        .map(|cert| info_of(path, cert))
        .collect()
}

/// The current Unix time in seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What identifies one version of a file: its modification time and size.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path)
        .ok()
        .and_then(|m: Metadata| Some((m.modified().ok()?, m.len())))
}

/// The pair in force, and the stamps of the files last looked at.
struct Loaded {
    key: Arc<CertifiedKey>,
    not_after: i64,
    /// Stamps of the certificate and key files when last read (good or not).
    seen: (Stamp, Stamp),
}

/// A listener's certificate and key, read again when their files change (see the module
/// documentation).
pub struct ReloadingCert {
    listener: String,
    cert: PathBuf,
    key: PathBuf,
    loaded: RwLock<Loaded>,
}

impl fmt::Debug for ReloadingCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadingCert")
            .field("listener", &self.listener)
            .field("cert", &self.cert)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Every listener certificate alive, for [`certificate_expiries`].
static CERTS: Mutex<Vec<Weak<ReloadingCert>>> = Mutex::new(Vec::new());

impl ReloadingCert {
    /// Reads the pair for the listener named `listener`; fails when it is not usable.
    pub fn load(listener: &str, cert: &Path, key: &Path) -> Result<Arc<Self>, TlsError> {
        let seen = (stamp(cert), stamp(key));
        let (certified, not_after) = Self::read(cert, key)?;
        let reloading = Arc::new(ReloadingCert {
            listener: listener.to_string(),
            cert: cert.to_path_buf(),
            key: key.to_path_buf(),
            loaded: RwLock::new(Loaded {
                key: Arc::new(certified),
                not_after,
                seen,
            }),
        });
        let mut certs = CERTS.lock().unwrap_or_else(PoisonError::into_inner);
        certs.retain(|cert| cert.strong_count() > 0);
        certs.push(Arc::downgrade(&reloading));
        Ok(reloading)
    }

    fn read(cert: &Path, key: &Path) -> Result<(CertifiedKey, i64), TlsError> {
        let certified = certified_key(cert, key)?;
        let first = certified
            .cert
            .first()
            .ok_or_else(|| TlsError::new(cert, "holds no PEM certificate"))?;
        let not_after = info_of(cert, first)?.not_after;
        Ok((certified, not_after))
    }

    /// The pair in force, read again first when a file changed since it was last looked at.
    pub fn current(&self) -> Arc<CertifiedKey> {
        let seen = (stamp(&self.cert), stamp(&self.key));
        {
            let loaded = self.loaded.read().unwrap_or_else(PoisonError::into_inner);
            if loaded.seen == seen {
                return loaded.key.clone();
            }
        }
        let mut loaded = self.loaded.write().unwrap_or_else(PoisonError::into_inner);
        if loaded.seen != seen {
            loaded.seen = seen;
            match Self::read(&self.cert, &self.key) {
                Ok((certified, not_after)) => {
                    loaded.key = Arc::new(certified);
                    loaded.not_after = not_after;
                    tracing::info!(listener = %self.listener, cert = %self.cert.display(), "TLS certificate reloaded");
                }
                Err(err) => {
                    tracing::error!(listener = %self.listener, "new TLS certificate refused; the one in force stays: {err}");
                }
            }
        }
        loaded.key.clone()
    }

    fn not_after(&self) -> i64 {
        self.loaded
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .not_after
    }
}

impl ResolvesServerCert for ReloadingCert {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

/// One served certificate's end of validity, for `/metrics`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateExpiry {
    /// The listener's name (`http` for the API, else the channel's).
    pub listener: String,
    /// The certificate file.
    pub path: String,
    /// The end of its validity, in Unix seconds.
    pub not_after: i64,
}

/// The end of validity of every certificate a listener serves now.
pub fn certificate_expiries() -> Vec<CertificateExpiry> {
    let certs: Vec<Arc<ReloadingCert>> = CERTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect();
    certs
        .iter()
        .map(|cert| CertificateExpiry {
            listener: cert.listener.clone(),
            path: cert.cert.display().to_string(),
            not_after: cert.not_after(),
        })
        .collect()
}

/// The acceptor of a listener named `listener`: its certificate follows its files, and with
/// a client CA every client must show a certificate signed by it.
pub fn acceptor(listener: &str, files: &ServerFiles) -> Result<TlsAcceptor, TlsError> {
    let provider = provider();
    let cert = ReloadingCert::load(listener, &files.cert, &files.key)?;
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| TlsError::new(&files.cert, err))?;
    let builder = match &files.client_ca {
        Some(ca) => {
            let roots = load_roots(ca)?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|err| TlsError::new(ca, err))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    Ok(TlsAcceptor::from(Arc::new(
        builder.with_cert_resolver(cert),
    )))
}

/// A client configuration: trusting the CA bundle (or the web PKI roots), and showing the
/// identity if there is one.
pub fn client_config(files: &ClientFiles) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = match &files.ca {
        Some(ca) => load_roots(ca)?,
        None => RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
    };
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|err| TlsError::new(Path::new("tls"), err))?
        .with_root_certificates(roots);
    let config = match &files.identity {
        Some((cert, key)) => {
            let certified = certified_key(cert, key)?;
            builder
                .with_client_auth_cert(certified.cert, load_key(key)?)
                .map_err(|err| TlsError::new(key, err))?
        }
        None => builder.with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// Runs the server side of a handshake on an admitted connection, for at most `timeout`. A
/// failed handshake (no or a wrong client certificate, plain TCP, a stalled client) closes the
/// connection, is counted on `gate` and logged at most once per [`super::LOG_EVERY`]. A
/// client that closes before its handshake ends (a port probe) is only logged at debug.
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
    gate: &Gate,
    timeout: Duration,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => Some(stream),
        Ok(Err(err)) if err.kind() == std::io::ErrorKind::UnexpectedEof => {
            tracing::debug!(listener = gate.name(), %peer, "closed before its TLS handshake");
            None
        }
        Ok(Err(err)) => {
            gate.handshake_failed(peer, &err);
            None
        }
        Err(_) => {
            gate.handshake_failed(
                peer,
                &format!("no TLS handshake within {} s", timeout.as_secs()),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_files_are_named_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let err = load_certs(&missing).unwrap_err();
        assert!(err.to_string().starts_with(&missing.display().to_string()));
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "no PEM here\n").unwrap();
        assert_eq!(
            load_certs(&empty).unwrap_err().reason,
            "holds no PEM certificate"
        );
        assert!(
            load_key(&empty)
                .unwrap_err()
                .reason
                .starts_with("no usable PEM private key")
        );
        let huge = dir.path().join("huge.pem");
        std::fs::write(&huge, vec![b'a'; (MAX_FILE_BYTES + 1) as usize]).unwrap();
        assert!(
            load_certs(&huge)
                .unwrap_err()
                .reason
                .starts_with("larger than")
        );
    }
}
