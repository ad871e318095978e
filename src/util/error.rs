//! One error type for the crate: every message names the file (or setting) and the problem.

use std::path::{Path, PathBuf};

/// Everything that can go wrong in `cnn_lab`, with enough context to fix it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file was read but its content is not what it should be.
    #[error("{path}: {msg}")]
    Format { path: PathBuf, msg: String },
    /// A CSV cell is wrong: file, 1-based line and column.
    #[error("{path}: line {line}, column {column}: {msg}")]
    Csv {
        path: PathBuf,
        line: usize,
        column: usize,
        msg: String,
    },
    /// A dataset could not be found anywhere; says where we looked and how to get it.
    #[error("{name} not found. Tried:\n{tried}\n{hint}")]
    NotFound {
        name: String,
        tried: String,
        hint: String,
    },
    /// A bad argument or configuration.
    #[error("{0}")]
    Invalid(String),
}

/// A failed batch from one of burn's data loaders (a notebook's own training loop), so that `?`
/// works on what `DataLoader::iter` yields.
impl From<burn::data::dataset::DatasetError> for Error {
    fn from(e: burn::data::dataset::DatasetError) -> Self {
        Error::invalid(format!("data loader: {e}"))
    }
}

/// Short alias used across the crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            source,
        }
    }
    /// A malformed file: `path` and what is wrong.
    pub fn format(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Format {
            path: path.as_ref().to_path_buf(),
            msg: msg.into(),
        }
    }
    /// Bad arguments or data.
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::Invalid(msg.into())
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, then a rename,
/// so a crash never leaves a half-written file behind.
pub fn write_atomic(path: impl AsRef<Path>, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let path = path.as_ref();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(|e| Error::io(&dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(path, e))?;
    // Temporary files are private (0600); the file we publish is an ordinary one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
