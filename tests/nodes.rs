//! Engine nodes on one store: two engines on the same database each register, heartbeat with
//! the configuration version they run, show the deliveries they lease, and say when they stop;
//! a node that stops heartbeating without stopping is gone. On SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::Engine;
use switchboard::store::Store;
use switchboard::store::nodes::{Node, NodeRegistration, NodeState};

/// An engine on the database at `url`, with one channel (the same files for every engine).
async fn engine_on(url: &str) -> Engine {
    let http = common::free_port();
    Engine::start(&[
        (
            "config/switchboard.toml",
            format!(
                "[store]\nurl = \"{url}\"\n[http]\nlisten = \"127.0.0.1:{http}\"\n[log]\nlevel = \"warn\"\n\
                 [paths]\nallow = [\"{}\"]\n",
                std::env::temp_dir().display()
            ),
        ),
        (
            "channels/adt.toml",
            "name = \"adt\"\n[source]\ntype = \"file\"\nfolder = \"in\"\n\
             [[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n"
                .to_string(),
        ),
    ])
    .await
}

/// The node listed with HTTP address `http` (the engine's URL without its scheme).
async fn node_at(store: &Store, engine: &Engine) -> Option<Node> {
    let http = engine.url.trim_start_matches("http://");
    store
        .nodes()
        .await
        .unwrap()
        .into_iter()
        .find(|node| node.http_address == http)
}

#[tokio::test]
async fn every_engine_on_a_store_is_listed_with_its_state_configuration_and_leases() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let first = engine_on(&test.url).await;
        let second = engine_on(&test.url).await;
        common::eventually(
            "both engines are listed as live nodes",
            Duration::from_secs(20),
            || async {
                let nodes = store.nodes().await.unwrap();
                nodes.len() == 2 && nodes.iter().all(|node| node.state == NodeState::Live)
            },
        )
        .await;
        let a = node_at(store, &first).await.expect("the first engine");
        let b = node_at(store, &second).await.expect("the second engine");
        assert_ne!(a.id, b.id, "{backend}: each engine is a node of its own");
        assert_eq!(
            a.config_version, b.config_version,
            "{backend}: the same files are the same configuration version"
        );
        assert_eq!(a.sources, ["adt: file"], "{backend}");
        assert_eq!(a.version, env!("CARGO_PKG_VERSION"), "{backend}");
        assert_eq!(a.leased_deliveries, 0, "{backend}");

        // A delivery leased by the first node is counted as its own.
        let (_, delivery) = common::queued_delivery(store, "elsewhere", "nowhere", "N1").await;
        store
            .claim_deliveries(&[delivery], &a.id, 60_000)
            .await
            .unwrap();
        let a = node_at(store, &first).await.unwrap();
        assert_eq!(a.leased_deliveries, 1, "{backend}");

        // A node that stops heartbeating without a clean stop is gone.
        store
            .register_node(&NodeRegistration {
                id: "ghost".into(),
                host: "elsewhere".into(),
                version: "0.0.1".into(),
                http_address: "127.0.0.1:1".into(),
                sources: Vec::new(),
                config_version: "0".into(),
            })
            .await
            .unwrap();
        sqlx::query("UPDATE nodes SET heartbeat_at = heartbeat_at - 60000 WHERE id = 'ghost'")
            .execute(store.pool())
            .await
            .unwrap();
        let ghost = store
            .nodes()
            .await
            .unwrap()
            .into_iter()
            .find(|node| node.id == "ghost")
            .unwrap();
        assert_eq!(ghost.state, NodeState::Gone, "{backend}");

        // A clean stop is recorded as such.
        second.stop().await;
        let b = store
            .nodes()
            .await
            .unwrap()
            .into_iter()
            .find(|node| node.id == b.id)
            .unwrap();
        assert_eq!(b.state, NodeState::Stopped, "{backend}");
        assert!(b.stopped_at.is_some(), "{backend}");
        assert_eq!(
            node_at(store, &first).await.unwrap().state,
            NodeState::Live,
            "{backend}"
        );
        first.stop().await;
    }
}
