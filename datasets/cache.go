package datasets

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
)

// The decoded-set cache: one file per archive under CacheDir(), named after
// the SHA-256 of the archive's absolute path. Layout (little-endian):
//
//	magic "GHLSIMDS", version uint32,
//	key length uint32, key (path, size, mtime, SHA-256 of the first MiB),
//	set count uint32, then per set: name, C, H, W, Classes (uint32 each),
//	N uint64, Classes names, N labels (int32), N·C·H·W pixels,
//	SHA-256 of everything before it.
//
// Strings are a uint32 length and the bytes. A file whose key differs (the
// archive changed) or whose checksum fails is rebuilt.
const (
	cacheMagic   = "GHLSIMDS"
	cacheVersion = 1
	// cacheEnv overrides the cache folder.
	cacheEnv = "GHLSIM_CACHE"
	// headBytes is how much of the archive the key hashes.
	headBytes = 1 << 20
)

// CacheDir returns the folder for decoded-set caches: $GHLSIM_CACHE when
// set, else os.UserCacheDir()/ghlsim.
func CacheDir() (string, error) {
	if d := os.Getenv(cacheEnv); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder (set $%s): %w", cacheEnv, err)
	}
	return filepath.Join(d, "ghlsim"), nil
}

// cacheEntry is the cache file of one archive and the key it must carry.
type cacheEntry struct {
	file string
	key  string
}

// newCacheEntry computes the key of the archive open as f (with info st)
// and its cache file under dir ("" = CacheDir()).
func newCacheEntry(path string, f io.ReaderAt, st os.FileInfo, dir string) (*cacheEntry, error) {
	if dir == "" {
		var err error
		if dir, err = CacheDir(); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	head := make([]byte, min(st.Size(), headBytes))
	if _, err := f.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, err
	}
	sum := sha256.Sum256(head)
	key := fmt.Sprintf("imagefolder\npath=%s\nsize=%d\nmtime=%d\nhead=%x\n", abs, st.Size(), st.ModTime().UnixNano(), sum)
	name := sha256.Sum256([]byte(abs))
	base := strings.Map(func(r rune) rune {
		if r < 0x80 && (r == '-' || r == '_' || r == '.' || 'a' <= r|0x20 && r|0x20 <= 'z' || '0' <= r && r <= '9') {
			return r
		}
		return '_'
	}, archiveBase(abs))
	file := filepath.Join(dir, base+"-"+hex.EncodeToString(name[:8])+".ghlset")
	return &cacheEntry{file: file, key: key}, nil
}

// read loads the sets from the cache file. It returns an error satisfying
// os.IsNotExist when there is no cache file, another error when the file
// is stale or corrupt.
func (c *cacheEntry) read() (train, test *Set, err error) {
	data, err := os.ReadFile(c.file)
	if err != nil {
		return nil, nil, err
	}
	r := &cacheReader{b: data}
	if string(r.bytes(len(cacheMagic))) != cacheMagic || r.u32() != cacheVersion {
		return nil, nil, errors.New("not a cache file of this version")
	}
	if r.str() != c.key || r.err != nil {
		return nil, nil, errors.New("stale: the archive changed since the cache was written")
	}
	if len(data) < sha256.Size {
		return nil, nil, errors.New("truncated")
	}
	body := data[:len(data)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(body):]) {
		return nil, nil, errors.New("checksum mismatch")
	}
	r.b = body
	if r.u32() != 2 {
		return nil, nil, errors.New("want 2 sets")
	}
	train, test = r.set(), r.set()
	if r.err != nil {
		return nil, nil, r.err
	}
	if r.off != len(body) {
		return nil, nil, errors.New("trailing bytes")
	}
	for _, s := range []*Set{train, test} {
		if err := s.Validate(); err != nil {
			return nil, nil, err
		}
	}
	return train, test, nil
}

// write stores the sets atomically: a temporary file in the cache folder,
// renamed over the cache file. It does not fsync: a file torn by a crash
// fails its checksum on the next read and is rebuilt.
func (c *cacheEntry) write(train, test *Set) error {
	dir := filepath.Dir(c.file)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*.ghlset")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(tmp, h), 1<<20)
	w := &cacheWriter{w: bw}
	w.bytes([]byte(cacheMagic))
	w.u32(cacheVersion)
	w.str(c.key)
	w.u32(2)
	w.set(train)
	w.set(test)
	if w.err == nil {
		w.err = bw.Flush()
	}
	if w.err == nil {
		_, w.err = tmp.Write(h.Sum(nil))
	}
	if w.err != nil {
		return fail(w.err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), c.file); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// cacheWriter writes the cache encoding, keeping the first error.
type cacheWriter struct {
	w   io.Writer
	err error
	buf [8]byte
}

func (w *cacheWriter) bytes(b []byte) {
	if w.err == nil {
		_, w.err = w.w.Write(b)
	}
}

func (w *cacheWriter) u32(v uint32) {
	binary.LittleEndian.PutUint32(w.buf[:4], v)
	w.bytes(w.buf[:4])
}

func (w *cacheWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.buf[:], v)
	w.bytes(w.buf[:])
}

func (w *cacheWriter) str(s string) {
	w.u32(uint32(len(s)))
	w.bytes([]byte(s))
}

func (w *cacheWriter) set(s *Set) {
	w.str(s.Name)
	for _, v := range []int{s.C, s.H, s.W, s.Classes} {
		w.u32(uint32(v))
	}
	w.u64(uint64(s.Len()))
	for _, n := range s.ClassNames {
		w.str(n)
	}
	lb := make([]byte, 4*s.Len())
	for i, y := range s.Labels {
		binary.LittleEndian.PutUint32(lb[4*i:], uint32(y))
	}
	w.bytes(lb)
	w.bytes(s.Pixels)
}

// cacheReader decodes the cache encoding with bounds checks, keeping the
// first error; pixel slices alias the file's bytes.
type cacheReader struct {
	b   []byte
	off int
	err error
}

var errCacheTruncated = errors.New("truncated")

func (r *cacheReader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b)-r.off {
		r.err = errCacheTruncated
		return nil
	}
	b := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

func (r *cacheReader) u32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *cacheReader) u64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (r *cacheReader) str() string { return string(r.bytes(int(r.u32()))) }

func (r *cacheReader) set() *Set {
	s := &Set{Name: r.str()}
	s.C, s.H, s.W, s.Classes = int(r.u32()), int(r.u32()), int(r.u32()), int(r.u32())
	n := r.u64()
	left := uint64(len(r.b) - r.off)
	size := uint64(s.C) * uint64(s.H) * uint64(s.W)
	hi, need := bits.Mul64(n, 4+size)
	if r.err != nil || uint64(s.Classes) > left/4 || size > 1<<32 || hi != 0 || need > left {
		r.err = errCacheTruncated
		return nil
	}
	s.ClassNames = make([]string, s.Classes)
	for i := range s.ClassNames {
		s.ClassNames[i] = r.str()
	}
	lb := r.bytes(4 * int(n))
	s.Pixels = r.bytes(int(n * size))
	if r.err != nil {
		return nil
	}
	s.Labels = make([]int32, n)
	for i := range s.Labels {
		s.Labels[i] = int32(binary.LittleEndian.Uint32(lb[4*i:]))
	}
	return s
}
