package datasets

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// member is one entry of an image folder: a file or a folder, named by its
// slash-separated path relative to the folder or archive root.
type member struct {
	name string
	dir  bool
	link bool   // a symbolic or hard link (rejected inside a split)
	file string // for folders on disk: the file to read; else ""
	size int64  // file size in bytes
	seq  int    // for archives: position in the archive's stream
	// info is the image's header (archives: read while listing, for every
	// image-named file), or infoErr why it is not a usable image; the
	// error counts only for members the layout uses.
	info    imageInfo
	infoErr error
	hasInfo bool
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

// openTar opens a fresh stream over the .tar or .tar.gz held in ra.
func openTar(archive string, ra io.ReaderAt, size int64) (*tar.Reader, func(), error) {
	br := bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), 1<<16)
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, formatError(archive, "corrupt gzip header", "re-download or re-create the archive", err)
		}
		return tar.NewReader(zr), func() { zr.Close() }, nil
	}
	return tar.NewReader(br), func() {}, nil
}

// readTar lists a .tar or .tar.gz held in ra (size bytes, named archive in
// errors), streaming: no member's content is kept. The header of every
// image-named file is read as it passes (image.DecodeConfig, which reads a
// few bytes) and checked against maxPixels; the rest of each member is
// skipped. Memory is bounded by the number of members, never by their size.
func readTar(archive string, ra io.ReaderAt, size, maxPixels int64) ([]member, error) {
	tr, done, err := openTar(archive, ra, size)
	if err != nil {
		return nil, err
	}
	defer done()
	var members []member
	for seq := 0; ; seq++ {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, formatError(archive, "corrupt archive (not a valid .tar or .tar.gz)", "re-download or re-create the archive", err)
		}
		if escapesRoot(hdr.Name) {
			return nil, formatError(archive+"!"+hdr.Name, "member path climbs out of the archive with \"..\"",
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
			m := member{name: name, size: hdr.Size, seq: seq}
			if isImageName(name) {
				m.info, m.infoErr = decodeConfigReader(archive+"!"+name, tr, hdr.Size, maxPixels)
				m.hasInfo = true
			}
			members = append(members, m)
		case tar.TypeSymlink, tar.TypeLink:
			members = append(members, member{name: name, link: true})
		}
	}
	return members, nil
}

// decodeTar streams the archive again and decodes the members want (by
// stream position) into their pixel slots: a few members at a time are
// read (each at most its header's size) and decoded in parallel, so memory
// holds only those files and their decoded images.
func decodeTar(archive string, ra io.ReaderAt, size int64, want []*member, dst func(i int) []uint8, c, h, w, workers int) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	bySeq := make(map[int]int, len(want))
	for i, m := range want {
		bySeq[m.seq] = i
	}
	tr, done, err := openTar(archive, ra, size)
	if err != nil {
		return err
	}
	defer done()
	type job struct {
		i    int
		data []byte
	}
	var jobs []job
	flush := func() error {
		err := parallelFor(len(jobs), workers, func(k int) error {
			j := jobs[k]
			return decodeInto(archive+"!"+want[j.i].name, j.data, dst(j.i), c, h, w)
		})
		jobs = jobs[:0]
		return err
	}
	left := len(want)
	for seq := 0; left > 0; seq++ {
		_, err := tr.Next()
		if err != nil {
			return formatError(archive, "archive changed or corrupt while decoding", "re-download or re-create the archive", err)
		}
		i, ok := bySeq[seq]
		if !ok {
			continue
		}
		m := want[i]
		// Grown as the archive yields bytes, never sized by the header alone.
		buf := bytes.NewBuffer(make([]byte, 0, min(m.size, 1<<20)))
		if _, err := buf.ReadFrom(io.LimitReader(tr, m.size)); err != nil || int64(buf.Len()) != m.size {
			return formatError(archive+"!"+m.name, "truncated or corrupt archive member", "re-download or re-create the archive", err)
		}
		jobs = append(jobs, job{i, buf.Bytes()})
		left--
		if len(jobs) == workers {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
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
				m.file, m.size = p, st.Size()
			default:
				return nil
			}
		} else if d.Type().IsRegular() {
			m.file = p
			if info, err := d.Info(); err == nil {
				m.size = info.Size()
			}
		} else if !d.IsDir() {
			return nil
		}
		members = append(members, m)
		return nil
	})
	return members, err
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
