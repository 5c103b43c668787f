package datasets

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ImageFolderOptions tunes LoadImageFolderWith. The zero value is the
// default LoadImageFolder uses.
type ImageFolderOptions struct {
	// Workers is the number of decoding goroutines; 0 means GOMAXPROCS.
	Workers int
	// NoCache disables reading and writing the decoded-set cache.
	NoCache bool
	// CacheDir is the cache folder; "" means CacheDir().
	CacheDir string
	// Logf, if set, receives progress and cache notes (one line each).
	Logf func(format string, args ...any)
	// MaxImagePixels is the largest width × height accepted, checked from
	// each image's header before it is decoded; 0 means
	// DefaultMaxImagePixels (4096 × 4096).
	MaxImagePixels int64
}

// logf calls o.Logf when set.
func (o ImageFolderOptions) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// LoadImageFolder loads an image-classification folder laid out as
// root/<split>/<class>/*.jpg|*.jpeg|*.png with split train and test (val is
// accepted when there is no test), from a directory or a .tar / .tar.gz
// archive. path may be the root itself or its parent. Class indices follow
// the sorted class-folder names of train/; within a class, images are in
// sorted file-name order. All images must share one size; the set has 1
// channel when every image is grayscale, else 3 (RGB, alpha dropped).
// Hidden files (".name") are skipped; any other file that is not a valid
// JPEG or PNG, an empty class folder or an odd-sized image is an error naming
// that file (inside an archive: "archive.tar.gz!root/train/cat/0001.jpg").
//
// Images are decoded in parallel. An archive's decoded sets are cached (see
// CacheDir), keyed by its absolute path, size, modification time and the
// SHA-256 of its first MiB, so later loads skip decoding; a missing, stale
// or corrupt cache file is rebuilt.
func LoadImageFolder(path string) (train, test *Set, err error) {
	return LoadImageFolderWith(path, ImageFolderOptions{})
}

// LoadImageFolderWith is LoadImageFolder with options.
func LoadImageFolderWith(path string, opt ImageFolderOptions) (train, test *Set, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, notFoundError(path, "image folder or archive not found", folderFix, err)
	}
	if st.IsDir() {
		members, err := readDirTree(path)
		if err != nil {
			return nil, nil, err
		}
		abs, _ := filepath.Abs(path)
		return buildImageFolder(memberSource{root: path}, filepath.Base(abs), members, dirReader{opt.MaxImagePixels}, opt)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, notFoundError(path, "cannot open", folderFix, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if !isArchive(head[:n]) {
		return nil, nil, formatError(path, "neither a folder nor a .tar / .tar.gz archive", folderFix, nil)
	}
	var cache *cacheEntry
	if !opt.NoCache {
		cache, err = newCacheEntry(path, f, st, opt.CacheDir)
		if err != nil {
			opt.logf("datasets: not caching %s: %v", path, err)
		} else if train, test, err := cache.read(); err == nil {
			opt.logf("datasets: %s: loaded decoded sets from cache %s", path, cache.file)
			return train, test, nil
		} else if !os.IsNotExist(err) {
			opt.logf("datasets: %s: rebuilding cache: %v", path, err)
		}
	}
	t0 := time.Now()
	members, err := readTar(path, f, st.Size(), opt.MaxImagePixels)
	if err != nil {
		return nil, nil, err
	}
	train, test, err = buildImageFolder(memberSource{root: path, archive: true}, archiveBase(path), members, tarReader{path, f, st.Size(), opt.MaxImagePixels}, opt)
	if err != nil {
		return nil, nil, err
	}
	opt.logf("datasets: %s: decoded %d+%d images in %v", path, train.Len(), test.Len(), time.Since(t0).Round(time.Millisecond))
	if cache != nil {
		if err := cache.write(train, test); err != nil {
			opt.logf("datasets: %s: cache not written: %v", path, err)
		}
	}
	return train, test, nil
}

// archiveBase is an archive's file name without .tar, .tar.gz or .tgz.
func archiveBase(p string) string {
	b := filepath.Base(p)
	for _, ext := range []string{".tar.gz", ".tgz", ".tar"} {
		if strings.HasSuffix(strings.ToLower(b), ext) {
			return b[:len(b)-len(ext)]
		}
	}
	return b
}

// memberReader reads the images of an image folder: their headers, then
// their pixels, a few at a time.
type memberReader interface {
	// configs fills m.info of every member (or returns the first error).
	configs(src memberSource, all []*member, workers int) error
	// decode decodes all[i] into dst(i) as c planes of h×w.
	decode(src memberSource, all []*member, dst func(i int) []uint8, c, h, w, workers int) error
}

// tarReader reads members of an archive: headers were read while listing
// it; pixels come from a second pass over the stream.
type tarReader struct {
	path      string
	ra        io.ReaderAt
	size      int64
	maxPixels int64
}

func (r tarReader) configs(src memberSource, all []*member, _ int) error {
	limit := maxFileBytes(r.maxPixels)
	for _, m := range all {
		if m.size > limit {
			return formatError(src.path(m.name), fmt.Sprintf("%d-byte file, larger than any image within the limit of %d pixels needs", m.size, pixelLimit(r.maxPixels)),
				"remove the file or replace it with a valid image", nil)
		}
		if !m.hasInfo {
			return formatError(src.path(m.name), "not an image file (want "+imageExtensions+")", "remove it from the class folder", nil)
		}
		if m.infoErr != nil {
			return m.infoErr
		}
	}
	return nil
}

func (r tarReader) decode(_ memberSource, all []*member, dst func(i int) []uint8, c, h, w, workers int) error {
	return decodeTar(r.path, r.ra, r.size, all, dst, c, h, w, workers)
}

// dirReader reads members of a folder on disk, one file per worker at a
// time, refusing files larger than any image within the pixel limit.
type dirReader struct{ maxPixels int64 }

func (r dirReader) configs(src memberSource, all []*member, workers int) error {
	return parallelFor(len(all), workers, func(i int) error {
		m := all[i]
		f, err := os.Open(m.file)
		if err != nil {
			return notFoundError(m.file, "cannot read", folderFix, err)
		}
		defer f.Close()
		m.info, err = decodeConfigReader(src.path(m.name), f, m.size, r.maxPixels)
		return err
	})
}

func (r dirReader) decode(src memberSource, all []*member, dst func(i int) []uint8, c, h, w, workers int) error {
	limit := maxFileBytes(r.maxPixels)
	return parallelFor(len(all), workers, func(i int) error {
		m := all[i]
		if m.size > limit {
			return formatError(src.path(m.name), fmt.Sprintf("%d-byte file, larger than any %d×%d image needs", m.size, w, h),
				"remove the file or replace it with a valid image", nil)
		}
		data, err := os.ReadFile(m.file)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return notFoundError(m.file, "file vanished while loading", folderFix, err)
			}
			return notFoundError(m.file, "cannot read", folderFix, err)
		}
		return decodeInto(src.path(m.name), data, dst(i), c, h, w)
	})
}

// buildImageFolder lays out the members, reads every image's header (size
// and colour) and decodes the images straight into the train and test sets'
// uint8 pixels, holding only a few files at a time.
func buildImageFolder(src memberSource, defaultName string, members []member, rd memberReader, opt ImageFolderOptions) (train, test *Set, err error) {
	l := &folderLayout{src: src, classes: map[string]map[string][]*member{}}
	for i := range members {
		if err := l.add(&members[i]); err != nil {
			return nil, nil, err
		}
	}
	names, trainM, testM, err := l.order()
	if err != nil {
		return nil, nil, err
	}
	all := append(append([]*member(nil), trainM...), testM...)
	if err := rd.configs(src, all, opt.Workers); err != nil {
		return nil, nil, err
	}
	h, w, c := all[0].info.h, all[0].info.w, 1
	for _, m := range all {
		if in := m.info; in.h != h || in.w != w {
			return nil, nil, formatError(src.path(m.name),
				fmt.Sprintf("image is %d×%d but %s is %d×%d; all images must share one size", in.w, in.h, all[0].name, w, h),
				"resize the images to one size", nil)
		}
		if !m.info.gray {
			c = 3
		}
	}
	name := defaultName
	if l.prefix != "" {
		name = l.prefix[strings.LastIndex(l.prefix, "/")+1:]
	}
	classNames := append([]string(nil), names...)
	mk := func(ms []*member) *Set {
		s := &Set{Name: name, C: c, H: h, W: w, Classes: len(names), ClassNames: append([]string(nil), classNames...),
			Pixels: make([]uint8, len(ms)*c*h*w), Labels: make([]int32, len(ms))}
		return s
	}
	train, test = mk(trainM), mk(testM)
	classOf := map[string]int32{}
	for i, n := range names {
		classOf[n] = int32(i)
	}
	size := c * h * w
	slot := func(i int) (*Set, int) {
		if i >= len(trainM) {
			return test, i - len(trainM)
		}
		return train, i
	}
	for i, m := range all {
		s, j := slot(i)
		parts := strings.Split(m.name, "/")
		s.Labels[j] = classOf[parts[len(parts)-2]]
	}
	err = rd.decode(src, all, func(i int) []uint8 {
		s, j := slot(i)
		return s.Pixels[j*size : (j+1)*size]
	}, c, h, w, opt.Workers)
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}
