//! Engine nodes on one store: two engines on the same database each register, heartbeat with
//! the configuration version they run, show the deliveries they lease, and say when they stop;
//! a node that stops heartbeating without stopping is gone. On SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::Engine;
use common::process::EngineProcess;
use switchboard::store::Store;
use switchboard::store::nodes::{Node, NodeRegistration, NodeState};

/// An engine on the database at `url`, with one channel (the same files for every engine).
async fn engine_on(url: &str) -> Engine {
    engine_sharing(url, None).await
}

/// An engine on the database at `url` whose file channel `adt` polls `inbox/` under
/// `data_dir` (its own data folder when `None`).
async fn engine_sharing(url: &str, data_dir: Option<&std::path::Path>) -> Engine {
    let data_dir = data_dir
        .map(|dir| format!("data_dir = \"{}\"\n", dir.display()))
        .unwrap_or_default();
    let http = common::free_port();
    Engine::start(&[
        (
            "config/switchboard.toml",
            format!(
                "{data_dir}[store]\nurl = \"{url}\"\n[http]\nlisten = \"127.0.0.1:{http}\"\n[log]\nlevel = \"warn\"\n\
                 [paths]\nallow = [\"{}\"]\n",
                std::env::temp_dir().display()
            ),
        ),
        (
            "channels/adt.toml",
            "name = \"adt\"\n[source]\ntype = \"file\"\nfolder = \"inbox\"\npoll_seconds = 1\nsettle_ms = 0\n\
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

        // Every node sees both, over the API too.
        let listed = second.get_json("/api/nodes").await;
        let listed = listed["nodes"].as_array().expect("a list of nodes");
        assert_eq!(listed.len(), 2, "{backend}: {listed:?}");
        let first_listed = listed
            .iter()
            .find(|node| node["id"] == a.id.as_str())
            .expect("the first engine is listed");
        assert_eq!(first_listed["state"], "live", "{backend}");
        assert_eq!(first_listed["leased_deliveries"], 1, "{backend}");
        assert_eq!(
            first_listed["config_version"],
            a.config_version.as_str(),
            "{backend}"
        );

        // A node that stops heartbeating without a clean stop is gone.
        store
            .register_node(&NodeRegistration {
                id: "ghost".into(),
                host: "elsewhere".into(),
                version: "0.0.1".into(),
                http_address: "127.0.0.1:1".into(),
                sources: Vec::new(),
                config_version: "0".into(),
                config_applied: 0,
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

        // A change in the store's log: the live nodes apply it (on SQLite, which has no
        // notifications, at their periodic look at the log); the gone one stays behind.
        store
            .record_config_change("ghost", "test", r#"{"action":"stop","channel":"nowhere"}"#)
            .await
            .unwrap();
        common::eventually(
            "the live nodes apply the change",
            Duration::from_secs(20),
            || async {
                store
                    .nodes()
                    .await
                    .unwrap()
                    .iter()
                    .all(|node| (node.config_behind == 0) == (node.state == NodeState::Live))
            },
        )
        .await;
        let ghost = store.nodes().await.unwrap();
        let ghost = ghost.iter().find(|node| node.id == "ghost").unwrap();
        assert_eq!(
            (ghost.config_applied, ghost.config_behind),
            (0, 1),
            "{backend}"
        );

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

#[tokio::test]
async fn a_source_lease_is_held_by_one_node_until_it_runs_out_or_is_given_up() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        assert!(
            store.hold_source_lease("inbox", "a", 400).await.unwrap(),
            "{backend}"
        );
        assert!(
            !store.hold_source_lease("inbox", "b", 400).await.unwrap(),
            "{backend}: a's lease runs"
        );
        assert!(
            store.hold_source_lease("inbox", "a", 400).await.unwrap(),
            "{backend}: a extends"
        );
        assert!(
            store.hold_source_lease("other", "b", 400).await.unwrap(),
            "{backend}: one lease a source"
        );
        assert_eq!(
            store.source_lease_holder("inbox").await.unwrap().as_deref(),
            Some("a")
        );
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert!(
            store.hold_source_lease("inbox", "b", 60_000).await.unwrap(),
            "{backend}: a's lease ran out"
        );
        assert!(
            !store.hold_source_lease("inbox", "a", 400).await.unwrap(),
            "{backend}: a lost it"
        );
        store.release_source_lease("inbox", "a").await.unwrap();
        assert_eq!(
            store.source_lease_holder("inbox").await.unwrap().as_deref(),
            Some("b"),
            "{backend}: only the holder gives it up"
        );
        store.release_source_lease("inbox", "b").await.unwrap();
        assert!(
            store.hold_source_lease("inbox", "a", 400).await.unwrap(),
            "{backend}: given up, taken at once"
        );
    }
}

/// Two engines on one store poll the same inbox folder: one node at a time polls it, every
/// file is taken once, and when that node stops the other polls at once.
#[tokio::test]
async fn two_engines_sharing_an_inbox_take_each_file_once_and_hand_over_at_a_stop() {
    for test in common::all_stores().await {
        let store = &test.store;
        let backend = test.backend;
        let shared = tempfile::tempdir().unwrap();
        let inbox = shared.path().join("inbox");
        let first = engine_sharing(&test.url, Some(shared.path())).await;
        let second = engine_sharing(&test.url, Some(shared.path())).await;
        common::eventually(
            "one node holds the inbox's lease",
            Duration::from_secs(20),
            || async { store.source_lease_holder("adt").await.unwrap().is_some() },
        )
        .await;
        let holder = store.source_lease_holder("adt").await.unwrap().unwrap();
        let nodes = store.nodes().await.unwrap();
        let holding = nodes
            .iter()
            .find(|node| node.id == holder)
            .expect("the holder is a node");
        let (holder_engine, other_engine) =
            if holding.http_address == first.url.trim_start_matches("http://") {
                (first, second)
            } else {
                (second, first)
            };

        let stored = || async {
            store
                .search_messages(&switchboard::store::messages::MessageQuery {
                    channel: Some("adt".into()),
                    limit: 1000,
                    ..Default::default()
                })
                .await
                .unwrap()
                .len()
        };
        for n in 0..20 {
            std::fs::write(inbox.join(format!("m{n}.txt")), format!("message {n}")).unwrap();
        }
        common::eventually(
            "the 20 files are taken",
            Duration::from_secs(30),
            || async { stored().await >= 20 },
        )
        .await;
        assert_eq!(stored().await, 20, "{backend}: each file is taken once");
        assert_eq!(
            store.source_lease_holder("adt").await.unwrap().as_deref(),
            Some(holder.as_str()),
            "{backend}: the same node held the lease throughout"
        );

        // The holder stops: it gives the lease up and the other node polls at once.
        holder_engine.stop().await;
        std::fs::write(inbox.join("after.txt"), "after the stop").unwrap();
        common::eventually(
            "the other node takes the new file",
            Duration::from_secs(20),
            || async { stored().await == 21 },
        )
        .await;
        let now_holding = store.source_lease_holder("adt").await.unwrap().unwrap();
        assert_ne!(now_holding, holder, "{backend}: the lease moved");
        other_engine.stop().await;
    }
}

/// A deployment root for a node on the database at `url`, with no channel: each node has
/// files of its own, as on machines of their own.
fn node_root(url: &str) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(root.path().join("config")).unwrap();
    std::fs::write(
        root.path().join("config/switchboard.toml"),
        format!("[store]\nurl = \"{url}\"\n[log]\nlevel = \"warn\"\n"),
    )
    .unwrap();
    root
}

/// The configuration each live node runs, as a node's API lists them by HTTP address: the
/// last change applied, how many it is behind, the hash of what it runs.
async fn listed_versions(node: &EngineProcess) -> Vec<(String, i64, i64, String)> {
    let listed = node.get_json("/api/nodes").await;
    let mut nodes: Vec<(String, i64, i64, String)> = listed["nodes"]
        .as_array()
        .expect("a list of nodes")
        .iter()
        .filter(|node| node["state"] == "live")
        .map(|node| {
            (
                node["http_address"].as_str().unwrap().to_string(),
                node["config_applied"].as_i64().unwrap(),
                node["config_behind"].as_i64().unwrap(),
                node["config_version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    nodes.sort();
    nodes
}

/// Waits until both nodes are listed live, each having applied change `version`, the latest,
/// with the same configuration hash, and both nodes' APIs say so.
async fn both_at(a: &EngineProcess, b: &EngineProcess, version: i64) {
    common::eventually(
        &format!("both nodes run configuration version {version}"),
        Duration::from_secs(20),
        || async {
            let nodes = listed_versions(a).await;
            nodes.len() == 2
                && nodes.iter().all(|(_, applied, behind, hash)| {
                    *applied == version && *behind == 0 && *hash == nodes[0].3
                })
                && listed_versions(b).await == nodes
        },
    )
    .await;
}

/// The `.tar.gz` archive `archive` with the file `path` added, holding `text`.
fn with_file(archive: &[u8], path: &str, text: &str) -> Vec<u8> {
    let mut entries = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for entry in entries.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut header = entry.header().clone();
        let name = entry.path().unwrap().into_owned();
        builder.append_data(&mut header, name, &mut entry).unwrap();
    }
    let mut header = tar::Header::new_gnu();
    header.set_size(text.len() as u64);
    header.set_mode(0o644);
    builder
        .append_data(&mut header, path, text.as_bytes())
        .unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

/// A channel deployed, stopped and started, or an archive imported, through the API of either
/// node runs so on both (the change goes through the store and PostgreSQL's notifications),
/// both list the same configuration version, and a node that was down while a change was
/// made applies it when it starts again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_made_on_one_node_is_applied_by_every_node() {
    let Some(pg) = common::postgres_store().await else {
        return;
    };
    let (_, token) = pg
        .store
        .create_token("nodes", switchboard::store::tokens::Role::Admin, None)
        .await
        .unwrap();
    let (root_a, root_b) = (node_root(&pg.url), node_root(&pg.url));
    let mut a = EngineProcess::start(root_a.path(), &token).await;
    let mut b = EngineProcess::start(root_b.path(), &token).await;
    both_at(&a, &b, 0).await;

    // Deployed through node a: node b writes the file and runs the channel within seconds.
    let lab = "name = \"lab\"\n[source]\ntype = \"file\"\nfolder = \"inbox\"\npoll_seconds = 1\n\
               settle_ms = 0\n[[destinations]]\ntype = \"file\"\nname = \"out\"\nfolder = \"out\"\n";
    let put = a
        .api(reqwest::Method::PUT, "/api/channels/lab/config")
        .header("content-type", "application/toml")
        .body(lab)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200, "{}", put.text().await.unwrap());
    assert_eq!(a.channel_state("lab").await.as_deref(), Some("started"));
    let deployed = std::time::Instant::now();
    common::eventually(
        "node b runs the channel deployed on node a",
        Duration::from_secs(10),
        || async { b.channel_state("lab").await.as_deref() == Some("started") },
    )
    .await;
    eprintln!(
        "node b ran the channel {:?} after node a deployed it",
        deployed.elapsed()
    );
    assert_eq!(
        std::fs::read_to_string(root_b.path().join("channels/lab.toml")).unwrap(),
        lab
    );
    both_at(&a, &b, 1).await;

    // A refused change is neither recorded nor applied anywhere.
    let refused = b
        .api(reqwest::Method::PUT, "/api/channels/lab/config")
        .header("content-type", "application/toml")
        .body("name = \"lab\"\n[source]\ntype = \"nope\"\n")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    assert_eq!(b.post_status("/api/channels/ghost/stop").await, 404);
    assert_eq!(pg.store.latest_config_version().await.unwrap(), 1);

    // Stopped through node b: stopped on node a too.
    assert_eq!(b.post_status("/api/channels/lab/stop").await, 200);
    common::eventually(
        "node a stops the channel stopped on node b",
        Duration::from_secs(10),
        || async { a.channel_state("lab").await.as_deref() == Some("stopped") },
    )
    .await;
    both_at(&a, &b, 2).await;

    // Node a stops; a change made meanwhile is applied when it starts again.
    a.signal("-TERM");
    assert_eq!(b.post_status("/api/channels/lab/undeploy").await, 200);
    assert_eq!(b.channel_state("lab").await, None);
    let a = EngineProcess::start(root_a.path(), &token).await;
    common::eventually(
        "node a, started again, applies the change it missed",
        Duration::from_secs(10),
        || async { a.channel_state("lab").await.is_none() },
    )
    .await;
    both_at(&a, &b, 3).await;

    // An archive imported on node a (its own export plus a channel) is imported on node b.
    let exported = a
        .api(reqwest::Method::GET, "/api/config/export")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let archive = with_file(
        &exported,
        "channels/imported.toml",
        &lab.replace("lab", "imported"),
    );
    let imported = a
        .api(reqwest::Method::POST, "/api/config/import")
        .header("content-type", "application/gzip")
        .body(archive)
        .send()
        .await
        .unwrap();
    assert_eq!(imported.status(), 200, "{}", imported.text().await.unwrap());
    common::eventually(
        "node b runs the channel imported on node a",
        Duration::from_secs(10),
        || async { b.channel_state("imported").await.as_deref() == Some("started") },
    )
    .await;
    assert!(root_b.path().join("channels/imported.toml").exists());
    both_at(&a, &b, 4).await;

    // The change log says who made each change on which node.
    let log = pg.store.config_changes_after(0, 10).await.unwrap();
    assert_eq!(log.len(), 4);
    assert!(log.iter().all(|change| change.actor == "nodes"), "{log:?}");
    assert_ne!(log[0].node, log[1].node, "{log:?}");
    b.signal("-TERM");
    drop(a);
}
