//! The run's last test: the harness starts tests in the order of their names, so by the time
//! this one starts every other has started. It waits for them to finish, prints the ten slowest
//! (past the harness's capture of test output), and removes the demo templates.

use std::io::Write;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slowest_tests_of_the_run() {
    // A test that started just before this one may not have opened its database yet.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let since = Instant::now();
    while onewindow_store::testing::tests_running() > 0 && since.elapsed().as_secs() < 30 * 60 {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    onewindow_store::testing::remove_templates().await;
    let slowest = onewindow_store::testing::slowest(10);
    let mut out = String::from("\nthe slowest tests of this run:\n");
    for (name, took) in &slowest {
        out.push_str(&format!("  {:>7.1} s  {name}\n", took.as_secs_f64()));
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}
