//! A Redis server of one test's own (Debian's `redis-server`, which
//! `scripts/services.sh` installs), for tests that stop, fill, restart or
//! restore Redis without disturbing the shared one.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running private Redis, stopped (and its files removed) when dropped.
pub struct RedisServer {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts one on a free loopback port. Snapshots go to a directory of
    /// its own, written only when the test calls [`RedisServer::save`].
    pub fn start() -> RedisServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(format!("crm-test-redis-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("a directory for the private redis");
        let mut server = RedisServer {
            port,
            dir,
            child: None,
        };
        server.launch();
        server
    }

    /// Its URL, for `REDIS_URL`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn launch(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (scripts/services.sh installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.cli(&["PING"]).as_deref() != Some("PONG") {
            assert!(Instant::now() < deadline, "the private redis did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Runs one command with `redis-cli`; its trimmed output when it ran.
    pub fn cli(&self, args: &[&str]) -> Option<String> {
        let output = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Writes a snapshot (`dump.rdb`) that [`RedisServer::restart`] loads.
    pub fn save(&self) {
        assert_eq!(self.cli(&["SAVE"]).as_deref(), Some("OK"));
    }

    /// Stops it without saving, and starts it again on the same port from
    /// the last snapshot (empty when none was saved).
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Stops it without saving.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = self.cli(&["SHUTDOWN", "NOSAVE"]);
            if !exits_soon(&mut child) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Makes it refuse every write (out of memory, with no eviction) while
    /// reads still work, as a full Redis does.
    pub fn refuse_writes(&self) {
        assert_eq!(
            self.cli(&["CONFIG", "SET", "maxmemory-policy", "noeviction"])
                .as_deref(),
            Some("OK")
        );
        assert_eq!(
            self.cli(&["CONFIG", "SET", "maxmemory", "1"]).as_deref(),
            Some("OK")
        );
    }

    /// Lets it take writes again.
    pub fn accept_writes(&self) {
        assert_eq!(
            self.cli(&["CONFIG", "SET", "maxmemory", "0"]).as_deref(),
            Some("OK")
        );
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Whether `child` exits within five seconds.
fn exits_soon(child: &mut Child) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}
