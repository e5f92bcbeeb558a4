//! `--json`, `--html` and `--out` paths: checked before any work (a regular file, a new path or
//! a symlink to one, in a folder this user may write; never the scenario being run), written
//! after it whole or not at all, their parent folders created.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The one output path that is not a file: the process's standard output, as it is (a
/// container's log, a pipe), written in one piece at the end.
const STDOUT: &str = "/dev/stdout";

/// The most symlinks followed from an output path (Linux's own limit).
const MAX_LINKS: usize = 40;

/// An output file that may be written: the path as given, and the file it reaches.
#[derive(Debug)]
pub(crate) struct Output {
    flag: &'static str,
    given: PathBuf,
    target: PathBuf,
}

impl Output {
    /// Checks the path of `flag`: through its symlinks, a regular file or nothing yet in a
    /// folder this user may write, and not one of `inputs`; or `/dev/stdout`, standard output
    /// as it is. The error is the line to print.
    pub(crate) fn check(
        flag: &'static str,
        given: &Path,
        inputs: &[&Path],
    ) -> Result<Self, String> {
        let refuse = |why: String| format!("{flag} {}: {why}", given.display());
        if given == Path::new(STDOUT) {
            return Ok(Self { flag, given: given.to_owned(), target: PathBuf::new() });
        }
        let target = resolve(given).map_err(|error| refuse(format!("cannot follow: {error}")))?;
        match fs::metadata(&target) {
            Ok(metadata) if metadata.is_file() => {
                if inputs.iter().any(|input| same_file(input, &target, &metadata)) {
                    return Err(refuse(
                        "is the scenario being run; expected another file for the report".into(),
                    ));
                }
            }
            Ok(metadata) => {
                return Err(refuse(format!(
                    "is {}, not a regular file; expected a regular file or a new path",
                    jostle_harness::scenario::file_kind(&metadata)
                )));
            }
            // Not there yet, or under something that is not a folder (said just below).
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) => {}
            Err(error) => return Err(refuse(format!("cannot look at it: {error}"))),
        }
        writable_folder(target.parent()).map_err(refuse)?;
        Ok(Self { flag, given: given.to_owned(), target })
    }

    /// Checks the folder of `flag` that files will be written into: a folder, or a new path
    /// whose nearest existing ancestor is a folder, where this process may create a file.
    pub(crate) fn check_folder(flag: &'static str, given: &Path) -> Result<PathBuf, String> {
        let refuse = |why: String| format!("{flag} {}: {why}", given.display());
        let target = resolve(given).map_err(|error| refuse(format!("cannot follow: {error}")))?;
        writable_folder(Some(&target)).map_err(refuse)?;
        Ok(target)
    }

    /// Checks an optional `--json` summary file that must lie outside `folder` (where
    /// `--out`'s findings are written), `out` naming that folder as given.
    pub(crate) fn check_json_beside(
        given: Option<&Path>,
        folder: &Path,
        out: &Path,
    ) -> Result<Option<Self>, String> {
        let Some(path) = given else { return Ok(None) };
        let json = Self::check("--json", path, &[])?;
        if json.is_in(folder) {
            return Err(format!(
                "{}: is inside --out {}, where the findings' files are written; expected a file \
                 elsewhere",
                json.name(),
                out.display()
            ));
        }
        Ok(Some(json))
    }

    /// Whether this file lies directly in `folder` (both as resolved).
    pub(crate) fn is_in(&self, folder: &Path) -> bool {
        if self.target.as_os_str().is_empty() {
            return false;
        }
        let parent = match self.target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        let settled =
            |path: &Path| fs::canonicalize(path).or_else(|_| std::path::absolute(path)).ok();
        matches!((settled(&parent), settled(folder)), (Some(parent), Some(folder)) if parent == folder)
    }

    /// The flag and path as given, for messages.
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.flag, self.given.display())
    }

    /// Whether `other` writes to the same file (or both to standard output).
    pub(crate) fn same_as(&self, other: &Output) -> bool {
        self.target == other.target
    }

    /// Writes `contents` whole or not at all: a new file beside the target, synced, then
    /// renamed over it (a symlink stays a symlink: its target is replaced). The parent
    /// folders are created.
    pub(crate) fn write(&self, contents: &str) -> io::Result<()> {
        if self.target.as_os_str().is_empty() {
            let mut stdout = io::stdout().lock();
            stdout.write_all(contents.as_bytes())?;
            return stdout.flush();
        }
        let parent = match self.target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent)?;
        let existing = match fs::metadata(&self.target) {
            Ok(metadata) if !metadata.is_file() => {
                return Err(io::Error::other(format!(
                    "{} is now {}, not a regular file",
                    self.target.display(),
                    jostle_harness::scenario::file_kind(&metadata)
                )));
            }
            Ok(metadata) => Some(metadata.permissions()),
            Err(_) => None,
        };
        let name = self.target.file_name().map_or_else(|| "report".into(), |n| n.to_os_string());
        let mut partial_name = std::ffi::OsString::from(".");
        partial_name.push(&name);
        partial_name.push(format!(".{}.partial", std::process::id()));
        let partial = parent.join(partial_name);
        let written = (|| {
            let mut file = OpenOptions::new().write(true).create_new(true).open(&partial)?;
            file.write_all(contents.as_bytes())?;
            file.sync_all()?;
            if let Some(permissions) = existing {
                fs::set_permissions(&partial, permissions)?;
            }
            fs::rename(&partial, &self.target)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&partial);
        }
        written
    }
}

/// Checks that files can be created in `folder` (or in the folders [`Output::write`] would
/// create there): its nearest existing ancestor is a folder in which a probe file can be made.
fn writable_folder(folder: Option<&Path>) -> Result<(), String> {
    let mut dir = match folder {
        Some(folder) if !folder.as_os_str().is_empty() => folder.to_owned(),
        _ => PathBuf::from("."),
    };
    loop {
        match fs::metadata(&dir) {
            Ok(metadata) if metadata.is_dir() => break,
            Ok(metadata) => {
                return Err(format!(
                    "{} is {}, not a folder; expected a path inside a folder",
                    dir.display(),
                    jostle_harness::scenario::file_kind(&metadata)
                ));
            }
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                dir = match dir.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_owned(),
                    _ => PathBuf::from("."),
                };
            }
            Err(error) => return Err(format!("cannot look at {}: {error}", dir.display())),
        }
    }
    let probe = dir.join(format!(".jostle-probe.{}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(error) => Err(format!(
            "cannot create a file in {}: {error}; expected a folder this user may write",
            dir.display()
        )),
    }
}

/// `path` with its symlinks followed to what they point at (which may not exist yet).
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_owned();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.file_type().is_symlink() => {
                let link = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other(format!("more than {MAX_LINKS} symlinks")))
}

/// Whether `input` is `target`, the file of `metadata` (the same inode: hard links too).
fn same_file(input: &Path, target: &Path, metadata: &fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = target;
        fs::metadata(input)
            .is_ok_and(|input| input.dev() == metadata.dev() && input.ino() == metadata.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = metadata;
        matches!((fs::canonicalize(input), fs::canonicalize(target)), (Ok(a), Ok(b)) if a == b)
    }
}
