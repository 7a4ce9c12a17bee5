//! The PostgreSQL server the tests create their databases on: the one `PLATEAU_TEST_DATABASE_URL`
//! names, else the one answering at 127.0.0.1:5432, else a throwaway cluster started from the
//! local PostgreSQL binaries, shared by the whole test binary and removed when it exits. Without
//! binaries the PostgreSQL half of the tests is skipped, which is a failure under `CI=true`.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::Duration;

use tokio::sync::OnceCell;

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The system user a cluster runs as when the tests run as root (PostgreSQL refuses root).
const UNPRIVILEGED_USER: &str = "postgres";

/// Enough for the tests running in parallel, each with its pools (16 connections at most
/// per store) and the change-log listeners.
const MAX_CONNECTIONS: u32 = 500;

/// Where the tests' databases are created, or why nowhere.
enum Server {
    /// An admin URL: test databases are created through it and named in its place.
    At(String),
    Unavailable(String),
}

static SERVER: OnceCell<Server> = OnceCell::const_new();

/// The watchdog's stdin: it stops the throwaway cluster when this end closes, as the
/// process exits however it ends.
static WATCHDOG: Mutex<Option<ChildStdin>> = Mutex::new(None);

async fn server() -> &'static Server {
    SERVER
        .get_or_init(|| async {
            if let Ok(url) = std::env::var("PLATEAU_TEST_DATABASE_URL") {
                return Server::At(url);
            }
            if answers(DEFAULT_URL).await {
                return Server::At(DEFAULT_URL.to_owned());
            }
            match tokio::task::spawn_blocking(start_throwaway_cluster).await {
                Ok(Ok(url)) => Server::At(url),
                Ok(Err(why)) => Server::Unavailable(why),
                Err(e) => Server::Unavailable(format!("starting PostgreSQL failed: {e}")),
            }
        })
        .await
}

async fn answers(url: &str) -> bool {
    let connect = tokio_postgres::connect(url, tokio_postgres::NoTls);
    matches!(
        tokio::time::timeout(Duration::from_secs(5), connect).await,
        Ok(Ok(_))
    )
}

/// The admin URL of the server the tests' databases are created on. Panics without one:
/// tests that need PostgreSQL check [`available`] first.
pub async fn admin_url() -> &'static str {
    match server().await {
        Server::At(url) => url,
        Server::Unavailable(why) => panic!("no PostgreSQL for the tests: {}", enable(why)),
    }
}

/// Whether the PostgreSQL tests can run. When they cannot, the first call says so on stderr
/// and how to enable them; under `CI=true` it panics instead, as a skip is a failure there.
pub async fn available() -> bool {
    static SAID: Once = Once::new();
    match server().await {
        Server::At(_) => true,
        Server::Unavailable(why) => {
            if std::env::var("CI").is_ok_and(|ci| ci == "true" || ci == "1") {
                panic!("PostgreSQL tests cannot run under CI=true: {}", enable(why));
            }
            // Straight to stderr: the test harness captures what `eprintln!` writes.
            SAID.call_once(|| {
                let _ = writeln!(
                    std::io::stderr(),
                    "\nPostgreSQL tests SKIPPED: {}\n",
                    enable(why)
                );
            });
            false
        }
    }
}

/// Why the PostgreSQL tests cannot run, and how to make them.
fn enable(why: &str) -> String {
    format!(
        "{why}. To run them, install PostgreSQL's server package \
         (e.g. `apt install postgresql`; the tests start a throwaway cluster with its initdb \
         and pg_ctl) or set PLATEAU_TEST_DATABASE_URL=postgres://USER@HOST:PORT/DATABASE."
    )
}

/// The first directory, on PATH then under /usr/lib/postgresql (newest version first), that
/// holds `initdb`, `pg_ctl` and `postgres`.
fn binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let version = entry
                .file_name()
                .to_str()
                .and_then(|name| name.split('.').next()?.parse().ok())
                .unwrap_or(0);
            (version, entry.path().join("bin"))
        })
        .collect();
    installed.sort_by(|a, b| b.cmp(a));
    on_path
        .into_iter()
        .chain(installed.into_iter().map(|(_, dir)| dir))
        .find(|dir| {
            ["initdb", "pg_ctl", "postgres"]
                .iter()
                .all(|program| dir.join(program).is_file())
        })
}

/// A command running `program` of `bin`, as `user` when set.
fn command(bin: &Path, program: &str, user: Option<&str>, dir: &Path) -> Command {
    let program = bin.join(program);
    let mut command = match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    };
    // The unprivileged user may not be allowed into the tests' working directory.
    command.current_dir(dir);
    command
}

fn run(mut command: Command, what: &str) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what} could not run: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{what} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// A single-quoted shell word.
fn shell_quote(s: &Path) -> String {
    format!("'{}'", s.display().to_string().replace('\'', r"'\''"))
}

/// Starts a cluster in a temporary directory, listening on a free port of 127.0.0.1 and on
/// a socket in that directory, and returns its admin URL.
fn start_throwaway_cluster() -> Result<String, String> {
    let bin = binaries().ok_or(
        "no PostgreSQL server at 127.0.0.1:5432 and no initdb/pg_ctl/postgres on PATH or \
         under /usr/lib/postgresql/*/bin",
    )?;
    let dir = tempfile::Builder::new()
        .prefix("plateau-test-pg-")
        .tempdir()
        .map_err(|e| format!("no temporary directory for PostgreSQL: {e}"))?
        .keep();
    let as_root = std::fs::metadata(&dir).is_ok_and(|m| m.uid() == 0);
    let user = as_root.then_some(UNPRIVILEGED_USER);
    let data = dir.join("data");
    let pg_ctl = bin.join("pg_ctl");
    // Spawned first, so that the directory goes whatever happens next.
    let stop = format!(
        "cat >/dev/null; {runas}{pg_ctl} -D {data} -m immediate stop >/dev/null 2>&1; rm -rf {dir}",
        runas = user.map_or(String::new(), |u| format!("runuser -u {u} -- ")),
        pg_ctl = shell_quote(&pg_ctl),
        data = shell_quote(&data),
        dir = shell_quote(&dir),
    );
    let watchdog = Command::new("sh")
        .args(["-c", &stop])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Not in the terminal's process group: a Ctrl-C must not stop it before it cleans up.
        .process_group(0)
        .spawn()
        .map_err(|e| format!("the PostgreSQL watchdog could not start: {e}"))?;
    *WATCHDOG.lock().expect("the watchdog lock") = watchdog.stdin;
    if let Some(user) = user {
        run(
            {
                let mut chown = Command::new("chown");
                chown.arg(format!("{user}:")).arg(&dir);
                chown
            },
            &format!("chown {} to {user}", dir.display()),
        )?;
    }
    let mut initdb = command(&bin, "initdb", user, &dir);
    initdb.arg("-D").arg(&data).args([
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
    ]);
    run(initdb, "initdb")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let settings = format!(
        "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{socket}'\n\
         max_connections = {MAX_CONNECTIONS}\nfsync = off\nsynchronous_commit = off\n\
         full_page_writes = off\n",
        socket = dir.display().to_string().replace('\'', "''"),
    );
    std::fs::OpenOptions::new()
        .append(true)
        .open(data.join("postgresql.conf"))
        .and_then(|mut conf| conf.write_all(settings.as_bytes()))
        .map_err(|e| format!("postgresql.conf could not be written: {e}"))?;
    let log = dir.join("server.log");
    let mut start = command(&bin, "pg_ctl", user, &dir);
    start
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(&log)
        .args(["-w", "-t", "60", "start"]);
    run(start, "pg_ctl start")
        .map_err(|e| format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()))?;
    let _ = writeln!(
        std::io::stderr(),
        "\nPostgreSQL tests: a throwaway cluster from {} at 127.0.0.1:{port} in {}\n",
        bin.display(),
        dir.display()
    );
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}
