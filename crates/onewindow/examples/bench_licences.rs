//! Electronic licence benchmark: how fast licences are issued (each numbered from its type's
//! series, sealed with the department's SM2 key and kept with its audit entry, one transaction
//! each, from concurrent issuers), how fast a licence's sealed PDF is made and downloaded over
//! HTTP, and how fast licences are verified — offline, a downloaded file against the published
//! keys and status list (both seals checked: the embedded data's and the file's), and online, the
//! public verify page its QR code opens. Prints one JSON object with each rate beside the
//! database's raw commit rate measured in the same run.
//!
//!   cargo run --release --example bench_licences -- [--database-url URL] [--seconds 10] [--clients 8]
//!
//! Without --database-url it uses a fresh SQLite file in the temp directory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;
use support::{arg, phase};

use onewindow_core::audit::Context;
use onewindow_core::licence::file::{self, Publication};
use onewindow_core::licence::record::{Holder, HolderKind, LicenceField};
use onewindow_core::licence::seal::hex;
use onewindow_store::NewLicence;
use onewindow_web::service::licences::{DEMO_KEY, SealStore, keyring_key};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::main]
async fn main() {
    let seconds: u64 = arg("--seconds").map_or(10, |v| v.parse().expect("--seconds N"));
    let clients: usize = arg("--clients").map_or(8, |v| v.parse().expect("--clients N"));
    let (store, url, temp) = support::demo_store("bench_licences").await;
    let kind = store
        .licence_kinds()
        .await
        .unwrap()
        .into_iter()
        .find(|k| k.code == "spjyxkz")
        .expect("the demo's 食品经营许可证");
    let key = Arc::new(
        keyring_key(
            store.as_ref(),
            &SealStore::new(DEMO_KEY).unwrap(),
            kind.department_id,
        )
        .await
        .unwrap(),
    );
    let today = onewindow_core::time::local_date(onewindow_store::backend::now());

    // Issue: each a transaction (number, seal, row, audit entry).
    let serial = Arc::new(AtomicUsize::new(0));
    let (s, k, kd) = (store.clone(), key.clone(), kind.clone());
    let issue = phase(
        "issue (number, seal, keep, audit)",
        clients,
        seconds,
        move |_| {
            let (s, k, kd) = (s.clone(), k.clone(), kd.clone());
            let n = serial.fetch_add(1, Ordering::Relaxed);
            async move {
                let l = NewLicence {
                    number: None,
                    kind_id: kd.id,
                    holder: Holder {
                        kind: HolderKind::Enterprise,
                        id_number: "91211403MA00302572".into(),
                        name: format!("葫芦岛市第{n}食品有限公司"),
                    },
                    fields: vec![LicenceField {
                        key: "address".into(),
                        label: "经营场所".into(),
                        value: format!("龙港区龙湾大街{n}号"),
                    }],
                    issued_on: today,
                    expires_on: kd.validity.expires_on(today),
                    case_id: None,
                    key_id: k.id.clone(),
                    verify_code: format!("B{n:0>19}"),
                };
                let sign = |l: &onewindow_core::licence::Licence| hex(&k.sign(&l.canonical()));
                s.issue_licence(
                    &Context::system("bench"),
                    l,
                    &sign,
                    onewindow_store::backend::now(),
                )
                .await
                .is_ok()
            }
        },
    )
    .await;
    let issued = store
        .licences(&onewindow_store::LicenceFilter {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap();

    // Over HTTP: the document downloaded by its department's staff, the verify page opened.
    let base = support::serve(
        store.clone(),
        onewindow_web::WebConfig {
            demo: true,
            demo_password: Some("demo-password".into()),
            ..onewindow_web::WebConfig::default()
        },
    )
    .await;
    let http = reqwest::Client::new();
    let token = support::sign_in(&http, &base, "admin").await;
    let ids: Arc<Vec<(i64, String)>> = Arc::new(
        issued
            .iter()
            .map(|l| (l.id, l.verify_code.clone()))
            .collect(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let (h, b, t, i, nx) = (
        http.clone(),
        base.clone(),
        token.clone(),
        ids.clone(),
        next.clone(),
    );
    let download = phase(
        "GET /api/v1/licences/{id}/file (sealed PDF)",
        clients,
        seconds,
        move |_| {
            let (h, b, t) = (h.clone(), b.clone(), t.clone());
            let (id, _) = i[nx.fetch_add(1, Ordering::Relaxed) % i.len()].clone();
            async move {
                match h
                    .get(format!("{b}/api/v1/licences/{id}/file"))
                    .bearer_auth(&t)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        },
    )
    .await;
    let (h, b, i, nx) = (http.clone(), base.clone(), ids.clone(), next.clone());
    let verify_page = phase("GET /verify/{code}", clients, seconds, move |_| {
        let (h, b) = (h.clone(), b.clone());
        let (_, code) = i[nx.fetch_add(1, Ordering::Relaxed) % i.len()].clone();
        async move {
            matches!(h.get(format!("{b}/verify/{code}")).send().await,
                Ok(r) if r.status().is_success())
        }
    })
    .await;

    // Offline: files as downloaded, checked against the publication as read once.
    let publication: Publication = http
        .get(format!("{base}/api/v1/licence-keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut files = Vec::new();
    for (id, _) in ids.iter().take(200) {
        let bytes = http
            .get(format!("{base}/api/v1/licences/{id}/file"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        files.push(bytes.to_vec());
    }
    let files = Arc::new(files);
    let publication = Arc::new(publication);
    let (f, p, nx) = (files.clone(), publication.clone(), next.clone());
    let offline = phase(
        "verify offline (both seals, status list, expiry)",
        clients,
        seconds,
        move |_| {
            let (f, p) = (f.clone(), p.clone());
            let n = nx.fetch_add(1, Ordering::Relaxed);
            async move {
                // The check is processor work: off the async workers, as the CLI runs it.
                tokio::task::spawn_blocking(move || {
                    file::check(&f[n % f.len()], &p, today).verdict().is_ok()
                })
                .await
                .unwrap_or(false)
            }
        },
    )
    .await;
    let mut out = json!({
        "database": store.backend(),
        "clients": clients,
        "licences_issued": issued.len(),
        "pdf_bytes": files.first().map_or(0, Vec::len),
        "issue": issue,
        "download": download,
        "verify_page": verify_page,
        "verify_offline": offline,
    });
    support::relate_to_raw_commits(&url, clients, &mut out).await;
    println!("{}", serde_json::to_string_pretty(&out).unwrap());
    let _ = std::fs::remove_file(&temp);
}
