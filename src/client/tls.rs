//! TLS for `zookeeper_init_ssl`, with rustls (ring provider; no OpenSSL).
//!
//! The certificate string is read once, in `zookeeper_init_ssl`: every
//! configuration error (missing or unreadable file, no certificate in it,
//! wrong key password, key not matching the certificate) is found there.
//! Each connection attempt then runs a non-blocking handshake over the
//! driver's socket (see `socket::Transport`), bounded by the session core's
//! connect deadline; after it, reads and writes go through the rustls
//! connection.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, ClientConnection, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::net::SocketAddr;
use std::sync::Arc;

use crate::session::hosts::HostPort;
use crate::session::transport_error::TransportError;

/// The environment variable that turns the host name check off (values
/// `0`, `false`, `no`, `off`): for clients that connect by names or
/// addresses the server certificates do not list. The chain is verified
/// against the CA all the same.
pub const HOSTNAME_ENV: &str = "ZOO_SSL_HOSTNAME_VERIFICATION";

/// What `zookeeper_init_ssl` built from its certificate string.
pub struct TlsSettings {
    pub config: Arc<ClientConfig>,
    pub verify_hostname: bool,
    pub client_cert: bool,
}

/// A configuration error: the errno for `zookeeper_init_ssl` and the line to log.
#[derive(Debug)]
pub struct ConfigError {
    pub errno: i32,
    pub msg: String,
}

fn cfg_err(errno: i32, msg: String) -> ConfigError {
    ConfigError { errno, msg }
}

/// The fields of upstream's certificate string: `CA,cert,key[,password]`,
/// comma-separated, empty fields skipped (upstream uses strtok).
pub struct CertSpec {
    pub ca: String,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub passwd: Option<String>,
}

pub fn parse_cert_string(s: &str) -> Result<CertSpec, ConfigError> {
    let mut f = s.split(',').filter(|x| !x.is_empty()).map(|x| x.to_string());
    let Some(ca) = f.next() else {
        return Err(cfg_err(
            libc::EINVAL,
            "empty certificate string (expected \"CA file,certificate file,key file[,key password]\")".into(),
        ));
    };
    let (cert, key, passwd) = (f.next(), f.next(), f.next());
    if f.next().is_some() {
        return Err(cfg_err(
            libc::EINVAL,
            "certificate string has more than 4 fields (CA file,certificate file,key file,key password)".into(),
        ));
    }
    if cert.is_some() && key.is_none() {
        return Err(cfg_err(libc::EINVAL, format!("client certificate {} given without a key file", cert.unwrap_or_default())));
    }
    Ok(CertSpec { ca, cert, key, passwd })
}

fn read_file(path: &str, what: &str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| {
        let errno = if e.kind() == std::io::ErrorKind::NotFound { libc::ENOENT } else { libc::EINVAL };
        cfg_err(errno, format!("cannot read {what} file {path}: {e}"))
    })
}

fn read_certs(path: &str, what: &str) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let pem = read_file(path, what)?;
    let mut v = Vec::new();
    for c in CertificateDer::pem_slice_iter(&pem) {
        match c {
            Ok(c) => v.push(c),
            Err(e) => return Err(cfg_err(libc::EINVAL, format!("{what} file {path}: malformed PEM: {e}"))),
        }
    }
    if v.is_empty() {
        return Err(cfg_err(libc::EINVAL, format!("{what} file {path}: no certificate (PEM \"CERTIFICATE\") in it")));
    }
    Ok(v)
}

/// The PEM section with this label (BEGIN line to END line), if any.
fn pem_section<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let a = text.find(&begin)?;
    let b = text[a..].find(&end)? + a + end.len();
    Some(&text[a..b])
}

fn read_key(path: &str, passwd: Option<&str>) -> Result<PrivateKeyDer<'static>, ConfigError> {
    let pem = read_file(path, "client key")?;
    let text = String::from_utf8_lossy(&pem);
    if let Some(sec) = pem_section(&text, "ENCRYPTED PRIVATE KEY") {
        let Some(pw) = passwd else {
            return Err(cfg_err(libc::EINVAL, format!("client key file {path}: the key is encrypted and no key password was given")));
        };
        let (_, der) = pkcs8::der::pem::decode_vec(sec.as_bytes())
            .map_err(|e| cfg_err(libc::EINVAL, format!("client key file {path}: malformed PEM: {e}")))?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice())
            .map_err(|e| cfg_err(libc::EINVAL, format!("client key file {path}: malformed encrypted PKCS#8 key: {e}")))?;
        let doc = info
            .decrypt(pw.as_bytes())
            .map_err(|_| cfg_err(libc::EINVAL, format!("client key file {path}: wrong key password (cannot decrypt the key)")))?;
        return Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(doc.as_bytes().to_vec())));
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(cfg_err(
            libc::EINVAL,
            format!("client key file {path}: legacy PEM encryption (Proc-Type) is not supported; convert it with `openssl pkcs8 -topk8`"),
        ));
    }
    PrivateKeyDer::from_pem_slice(&pem).map_err(|_| {
        cfg_err(
            libc::EINVAL,
            format!("client key file {path}: no private key (PEM \"PRIVATE KEY\", \"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\") in it"),
        )
    })
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Whether the host name check is on (the environment may turn it off).
pub fn hostname_check_from_env() -> bool {
    match std::env::var(HOSTNAME_ENV) {
        Ok(v) => !matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "false" | "no" | "off"),
        Err(_) => true,
    }
}

/// Reads and checks everything the certificate string names.
pub fn load(certstr: &str, verify_hostname: bool) -> Result<TlsSettings, ConfigError> {
    let spec = parse_cert_string(certstr)?;
    let prov = provider();
    let mut roots = RootCertStore::empty();
    for c in read_certs(&spec.ca, "CA")? {
        roots.add(c).map_err(|e| cfg_err(libc::EINVAL, format!("CA file {}: not a usable CA certificate: {e}", spec.ca)))?;
    }
    let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), prov.clone())
        .build()
        .map_err(|e| cfg_err(libc::EINVAL, format!("CA file {}: {e}", spec.ca)))?;
    let verifier: Arc<dyn ServerCertVerifier> = if verify_hostname { webpki } else { Arc::new(NoHostname(webpki)) };
    let builder = ClientConfig::builder_with_provider(prov)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| cfg_err(libc::EINVAL, format!("TLS configuration: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let (config, client_cert) = match (&spec.cert, &spec.key) {
        (Some(cert), Some(key)) => {
            let chain = read_certs(cert, "client certificate")?;
            let k = read_key(key, spec.passwd.as_deref())?;
            let c = builder.with_client_auth_cert(chain, k).map_err(|e| {
                let why = match e {
                    rustls::Error::InconsistentKeys(_) => format!("the key in {key} does not match the certificate in {cert}"),
                    e => format!("client key file {key}: unusable key ({e}); a wrong key password gives this too"),
                };
                cfg_err(libc::EINVAL, why)
            })?;
            (c, true)
        }
        _ => (builder.with_no_client_auth(), false),
    };
    Ok(TlsSettings { config: Arc::new(config), verify_hostname, client_cert })
}

/// The chain is verified against the CA; the name is not.
#[derive(Debug)]
struct NoHostname(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for NoHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use rustls::CertificateError::*;
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            // webpki checks the chain first, the name last: a name error means the chain is good.
            Err(rustls::Error::InvalidCertificate(NotValidForName | NotValidForNameContext { .. })) => Ok(ServerCertVerified::assertion()),
            r => r,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The name the server's certificate is checked against: the host as the
/// connect string names it (an IP address there is checked as an address),
/// or the address itself when no entry of the list can be told to be it.
/// `origin`: the name the address was last resolved from (the driver's
/// resolver records it; nothing is resolved here, on the session's path).
pub fn server_name_for(addr: &SocketAddr, hosts: &[HostPort], origin: Option<&str>) -> ServerName<'static> {
    let by_ip = ServerName::IpAddress(addr.ip().into());
    let same_port: Vec<&HostPort> = hosts.iter().filter(|h| h.port == addr.port()).collect();
    if same_port.iter().any(|h| h.literal().is_some_and(|a| a.ip() == addr.ip())) {
        return by_ip;
    }
    let names: Vec<&HostPort> = same_port.into_iter().filter(|h| h.literal().is_none()).collect();
    let pick = match origin {
        Some(o) => names.into_iter().find(|h| h.host == o),
        None if names.len() == 1 => Some(names[0]),
        None => None,
    };
    pick.and_then(|h| ServerName::try_from(h.host.clone()).ok()).unwrap_or(by_ip)
}

/// A new client connection for one attempt.
/// Boxed, and never inlined: a `ClientConnection` is large, and the IO
/// thread's stack frame must not grow for plain sessions (every page a
/// thread's stack touches stays in its memory).
#[inline(never)]
pub fn connection(settings: &TlsSettings, name: ServerName<'static>) -> Result<Box<ClientConnection>, TransportError> {
    ClientConnection::new(settings.config.clone(), name).map(Box::new).map_err(|e| TransportError::Tls(format!("TLS setup failed: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_strings_as_upstream_splits_them() {
        let s = parse_cert_string("ca.pem,c.pem,c.key,pw").unwrap();
        assert_eq!(
            (s.ca.as_str(), s.cert.as_deref(), s.key.as_deref(), s.passwd.as_deref()),
            ("ca.pem", Some("c.pem"), Some("c.key"), Some("pw"))
        );
        // strtok: empty fields are skipped
        let s = parse_cert_string(",ca.pem,,c.pem,c.key").unwrap();
        assert_eq!((s.ca.as_str(), s.key.as_deref(), s.passwd.as_deref()), ("ca.pem", Some("c.key"), None));
        let s = parse_cert_string("ca.pem").unwrap();
        assert!(s.cert.is_none() && s.key.is_none());
        assert_eq!(parse_cert_string("").err().unwrap().errno, libc::EINVAL);
        assert_eq!(parse_cert_string("ca,cert").err().unwrap().errno, libc::EINVAL);
        assert_eq!(parse_cert_string("a,b,c,d,e").err().unwrap().errno, libc::EINVAL);
    }

    #[test]
    fn missing_file_is_enoent_and_named() {
        let e = load("/nonexistent/ca.pem", true).err().unwrap();
        assert_eq!(e.errno, libc::ENOENT);
        assert!(e.msg.contains("/nonexistent/ca.pem"), "{}", e.msg);
    }

    #[test]
    fn server_name_is_the_host_of_the_connect_string() {
        let hp = |h: &str, p| HostPort { host: h.into(), port: p };
        let a: SocketAddr = "127.0.0.1:2281".parse().unwrap();
        let n = server_name_for(&a, &[hp("localhost", 2281)], None);
        assert_eq!(n, ServerName::try_from("localhost").unwrap());
        let n = server_name_for(&a, &[hp("127.0.0.1", 2281), hp("localhost", 2281)], None);
        assert_eq!(n, ServerName::IpAddress(a.ip().into()));
        // no entry with that port: the address itself
        let n = server_name_for(&a, &[hp("localhost", 9999)], None);
        assert_eq!(n, ServerName::IpAddress(a.ip().into()));
    }
}
