//! The texts of a configuration — files and the pseudo-files of command-line values — kept
//! whole so that any diagnostic can quote any line of any of them. Below both `config` (which
//! parses them) and `diagnostic` (which points into them).

/// Index of a file in `Sources`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// Where a syntax tree's byte offsets start: its file, and the byte of the file its text began
/// at. A tree parsed from a whole file starts at 0; a resource block parsed on its own, when it
/// is evaluated, starts where the block does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub offset: usize,
}

impl From<FileId> for Origin {
    fn from(file: FileId) -> Origin {
        Origin { file, offset: 0 }
    }
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name diagnostics show: a path relative to the working directory, or a pseudo-name
    /// such as `<--var>` for values given on the command line.
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// Every text a diagnostic may point into.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        self.files.push(SourceFile { name: name.into(), text, line_starts });
        FileId(self.files.len() as u32 - 1)
    }

    /// How many texts there are: `FileId`s run from 0 to this.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn name(&self, id: FileId) -> &str {
        &self.get(id).name
    }

    pub fn text(&self, id: FileId) -> &str {
        &self.get(id).text
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, id: FileId, offset: usize) -> (usize, usize) {
        let file = self.get(id);
        let offset = offset.min(file.text.len());
        let line = file.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = file.line_starts[line];
        let column = file.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }
}
