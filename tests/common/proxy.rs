//! A TCP proxy that tests cut and restore, to put a database out of reach of an engine.

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// A TCP proxy to `target` on a port of its own that can be stopped (every connection cut,
/// the port closed) and started again on the same port.
pub struct Proxy {
    /// The proxy's own address.
    pub addr: SocketAddr,
    target: SocketAddr,
    tasks: JoinSet<()>,
}

impl Proxy {
    /// A proxy to `target`, accepting on a free port.
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut proxy = Proxy {
            addr: listener.local_addr().unwrap(),
            target,
            tasks: JoinSet::new(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let target = self.target;
        self.tasks.spawn(async move {
            let mut pipes = JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                pipes.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
    }

    /// Cuts every connection and closes the port.
    pub async fn stop(&mut self) {
        self.tasks.shutdown().await;
    }

    /// Accepts again on the same port.
    pub async fn restart(&mut self) {
        let listener = TcpListener::bind(self.addr).await.unwrap();
        self.serve(listener);
    }
}

/// The `host:port` of a postgres:// URL, as written and as an address.
pub fn pg_addr(url: &str) -> (String, SocketAddr) {
    let authority = url.split("://").nth(1).unwrap().split('/').next().unwrap();
    let written = authority.rsplit('@').next().unwrap().to_string();
    let addr = written
        .replace("localhost", "127.0.0.1")
        .parse()
        .expect("the test PostgreSQL URL has an IP address (or localhost) and a port");
    (written, addr)
}
