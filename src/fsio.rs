//! Files on disk, the ground floor every layer may use: capped reading (a file the user named
//! can never make launchready run out of memory, a binary one is refused with a clear message)
//! and atomic writing (a reader sees the old file or the new one, never half of one).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::diag::InputError;

/// Reads a text file the user named, refusing binary and huge files with a clear message.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    const MAX: u64 = 4 * 1024 * 1024;
    let name = path.display().to_string();
    let meta = fs::metadata(path)
        .map_err(|e| InputError::file(&name, format!("cannot read the file: {e}"), "check the path"))?;
    if meta.is_dir() {
        return Err(InputError::file(
            &name,
            "this is a folder, not a file",
            "give the path of a .toml file",
        ));
    }
    if meta.len() > MAX {
        return Err(InputError::file(
            &name,
            format!("the file is {} bytes; files over {MAX} bytes are refused", meta.len()),
            "check that this is the right file",
        ));
    }
    let bytes = read_capped(path, MAX).map_err(|e| {
        InputError::file(
            &name,
            format!("cannot read the file: {e}"),
            "check the path and permissions",
        )
    })?;
    if bytes.len() as u64 > MAX {
        return Err(InputError::file(
            &name,
            format!("the file is over {MAX} bytes and is refused"),
            "check that this is the right file",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.into_bytes()[..offset]).into_owned();
        InputError::at(
            &name,
            &text,
            offset..offset,
            "the file is not UTF-8 text",
            "save it as UTF-8 text",
        )
    })
}

/// Reads at most `max + 1` bytes: a file whose size the system does not know in advance (a
/// device, a pipe) cannot make the reader run out of memory. More than `max` bytes back means
/// the file is too large.
pub(crate) fn read_capped(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    read_at_most(File::open(path)?, max)
}

/// Reads at most `max + 1` bytes of `reader` (an open file, standard input): more than `max`
/// bytes back means the input is too large.
pub(crate) fn read_at_most(reader: impl Read, max: u64) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(max + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Writes `bytes` to `path` through a temporary file in the same folder: fsync, then rename, so a
/// reader sees the old file or the new one, never half of one. `before_sync` lets tests simulate
/// a crash part-way (the temporary file is removed and the old file stays).
pub fn write_atomic(
    path: &Path,
    bytes: &[u8],
    before_sync: impl FnOnce(&mut File) -> io::Result<()>,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("cannot create the folder {}", dir.display()))?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("assessment");
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        before_sync(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        // Make the rename itself durable.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&temp);
        return Err(anyhow::Error::new(e).context(format!("cannot save {}", path.display())));
    }
    Ok(())
}
