//! Files that only Usher's own user may read: the data directory holds the database, the
//! secret key and, with the dev outbox, every link Usher mailed.
use std::path::Path;

/// Creates `dir` (and its parents) readable by the owner only; an existing directory is left
/// as it is, with a warning when others can read it.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        warn_if_shared(dir);
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates a new file readable by the owner only, with `contents`.
pub fn create_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = private_options().create_new(true).open(path)?;
    file.write_all(contents)
}

/// Creates an empty file readable by the owner only, or makes an existing one so (SQLite
/// gives its WAL and shared-memory files the permissions of the database file).
pub fn touch(path: &Path) -> std::io::Result<()> {
    match private_options().create_new(true).open(path) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => restrict(path),
        Err(err) => Err(err),
    }
}

/// Makes a file Usher owns readable by the owner only.
pub fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Open options for writing a new file with mode 0600.
pub fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

fn warn_if_shared(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(dir)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                dir = %dir.display(),
                "the data directory can be read by other users; `chmod 700` it"
            );
        }
    }
}
