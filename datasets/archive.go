package datasets

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// member is one entry of an image folder: a file or a folder, named by its
// slash-separated path relative to the folder or archive root.
type member struct {
	name  string
	dir   bool
	link  bool   // a symbolic or hard link (rejected inside a split)
	file  string // for folders on disk: the file to read; else ""
	start int    // for archives: data is arena[start:end]
	end   int
	data  []byte // filled before decoding
}

// folderFix is the advice attached to errors about an image folder's layout.
const folderFix = "lay the images out as ROOT/train/<class>/*.jpg|*.png and ROOT/test/<class>/*.jpg|*.png (or val/ instead of test/), as a folder or a .tar.gz of one"

// isArchive reports whether the first bytes of a file are gzip or tar.
func isArchive(head []byte) bool {
	if bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		return true
	}
	return len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar"))
}

// readTar lists a .tar or .tar.gz held in ra (size bytes, named archive in
// errors). File contents go into one arena; every allocation is bounded by
// the bytes the archive actually yields, never by header-claimed sizes.
func readTar(archive string, ra io.ReaderAt, size int64) ([]member, []byte, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), 1<<16)
	var r io.Reader = br
	hint := size
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, formatError(archive, "corrupt gzip header", "re-download or re-create the archive", err)
		}
		defer zr.Close()
		r = zr
		hint = 0
		if size >= 18 {
			var t [4]byte
			if _, err := ra.ReadAt(t[:], size-4); err == nil {
				hint = min(int64(binary.LittleEndian.Uint32(t[:])), size*16) // a sizing hint only
			}
		}
	}
	var arena bytes.Buffer
	arena.Grow(int(min(hint, 1<<31)))
	var members []member
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, formatError(archive, "corrupt archive (not a valid .tar or .tar.gz)", "re-download or re-create the archive", err)
		}
		if escapesRoot(hdr.Name) {
			return nil, nil, formatError(archive+"!"+hdr.Name, "member path climbs out of the archive with \"..\"",
				"re-create the archive with paths relative to its root (tar -C ROOT -czf data.tar.gz train test)", nil)
		}
		name := cleanMemberName(hdr.Name)
		if name == "" {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			members = append(members, member{name: name, dir: true})
		case tar.TypeReg:
			start := arena.Len()
			if _, err := arena.ReadFrom(tr); err != nil {
				return nil, nil, formatError(archive+"!"+name, "truncated or corrupt archive member", "re-download or re-create the archive", err)
			}
			members = append(members, member{name: name, start: start, end: arena.Len()})
		case tar.TypeSymlink, tar.TypeLink:
			members = append(members, member{name: name, link: true})
		}
	}
	return members, arena.Bytes(), nil
}

// escapesRoot reports whether an archive path has a ".." element (which
// cleanMemberName would otherwise fold into the root, placing the file
// somewhere its author did not put it).
func escapesRoot(name string) bool {
	for _, el := range strings.Split(strings.ReplaceAll(name, "\\", "/"), "/") {
		if el == ".." {
			return true
		}
	}
	return false
}

// cleanMemberName normalises an archive path: slashes, no leading "./" or
// "/", no trailing slash.
func cleanMemberName(name string) string {
	name = path.Clean("/" + strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimPrefix(name, "/")
}

// readDirTree lists the folder root like readTar lists an archive; file
// contents are read later, in parallel.
func readDirTree(root string) ([]member, error) {
	var members []member
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return notFoundError(p, "cannot read", folderFix, err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil || rel == "." {
			return nil
		}
		m := member{name: filepath.ToSlash(rel), dir: d.IsDir()}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := os.Stat(p)
			switch {
			case err != nil:
				return notFoundError(p, "broken symbolic link", folderFix, err)
			case st.IsDir():
				m.link = true
			case st.Mode().IsRegular():
				m.file = p
			default:
				return nil
			}
		} else if d.Type().IsRegular() {
			m.file = p
		} else if !d.IsDir() {
			return nil
		}
		members = append(members, m)
		return nil
	})
	return members, err
}

// loadMemberData fills m.data for every member: from the arena for
// archives, by reading the files (in parallel) for folders.
func loadMemberData(members []*member, arena []byte, workers int) error {
	return parallelFor(len(members), workers, func(i int) error {
		m := members[i]
		if m.file == "" {
			m.data = arena[m.start:m.end:m.end]
			return nil
		}
		data, err := os.ReadFile(m.file)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return notFoundError(m.file, "file vanished while loading", folderFix, err)
			}
			return notFoundError(m.file, "cannot read", folderFix, err)
		}
		m.data = data
		return nil
	})
}

// source names where members come from, for error messages.
type memberSource struct {
	root    string // the folder or archive path
	archive bool
}

// path names member name in errors: ROOT/name on disk, ARCHIVE!name in an
// archive.
func (s memberSource) path(name string) string {
	if s.archive {
		return s.root + "!" + name
	}
	return filepath.Join(s.root, filepath.FromSlash(name))
}
