package datasets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// maxDeflateRatio bounds how much a deflate stream can expand (about 1032:1);
// it caps buffer pre-allocation for compressed inputs, whose trailer sizes
// cannot be trusted.
const maxDeflateRatio = 1032

// source is one input file, gzip-compressed or raw, read sequentially.
type source struct {
	name string    // path shown in errors
	fix  string    // advice attached to read errors
	r    io.Reader // decompressed content
	// hint is a plausible upper estimate of the decompressed size, used only
	// to size the first allocation; it never exceeds what the input could
	// really expand to.
	hint int64
	// size is the byte size of the (possibly compressed) input.
	size int64
	gz   bool
}

// newSource wraps ra (size bytes) and transparently decompresses gzip,
// recognised by its magic bytes rather than the file name.
func newSource(name, fix string, ra io.ReaderAt, size int64) (*source, error) {
	br := bufio.NewReaderSize(io.NewSectionReader(ra, 0, size), 1<<16)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return &source{name: name, fix: fix, r: br, hint: size, size: size}, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, formatError(name, "corrupt gzip header", fix, err)
	}
	hint := int64(0)
	if size >= 18 { // the ISIZE trailer: uncompressed size mod 2³²
		var t [4]byte
		if _, err := ra.ReadAt(t[:], size-4); err == nil {
			hint = int64(binary.LittleEndian.Uint32(t[:]))
		}
	}
	hint = min(hint, size*maxDeflateRatio)
	return &source{name: name, fix: fix, r: zr, hint: hint, size: size, gz: true}, nil
}

// openSource opens the file at path. The caller must close the returned
// file. fix is the advice given when the file does not exist.
func openSource(path, fix string) (*source, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, notFoundError(path, "file not found", fix, nil)
		}
		return nil, nil, notFoundError(path, "cannot open", fix, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, notFoundError(path, "cannot stat", fix, err)
	}
	if st.IsDir() {
		f.Close()
		return nil, nil, notFoundError(path, "is a directory, want a file", fix, nil)
	}
	s, err := newSource(path, fix, f, st.Size())
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return s, f, nil
}

// readFull reads exactly len(p) bytes. It returns the count read and, when
// short, whether the input simply ended (io.EOF / io.ErrUnexpectedEOF, i.e.
// truncation) or failed (a decompression error, returned as err).
func (s *source) readFull(p []byte) (n int, err error) {
	n, err = io.ReadFull(s.r, p)
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		err = nil
	}
	return n, err
}

// readPayload reads want bytes, allocating no more than the input can
// actually deliver: the buffer starts at min(want, hint) and doubles only
// while data keeps coming. It returns the bytes read (fewer than want when
// the input is truncated) and whether more bytes follow the payload.
func (s *source) readPayload(want int64) (data []byte, extra bool, err error) {
	// A gzip trailer may lie, so trust its size hint only up to a typical
	// compression ratio of the bytes actually present; doubling covers the rest.
	first := min(want, max(s.hint, 0), 64<<10+8*s.size)
	buf := make([]byte, first)
	n, err := s.readFull(buf)
	if err != nil {
		return nil, false, s.corrupt(err)
	}
	if n < len(buf) {
		return buf[:n], false, nil
	}
	for int64(len(buf)) < want {
		// Double (from at least 64 KiB) with one allocation per growth, so
		// the bytes allocated stay within a small multiple of the bytes the
		// input actually delivered, whatever its header claims.
		old := len(buf)
		grow := min(want-int64(old), max(int64(old), 64<<10))
		next := make([]byte, int64(old)+grow)
		copy(next, buf)
		buf = next
		n, err := s.readFull(buf[old:])
		if err != nil {
			return nil, false, s.corrupt(err)
		}
		if n < int(grow) {
			return buf[:old+n], false, nil
		}
	}
	var one [1]byte
	n, err = s.readFull(one[:])
	if err != nil {
		return nil, false, s.corrupt(err)
	}
	return buf, n == 1, nil
}

// corrupt wraps a read error.
func (s *source) corrupt(err error) error {
	if s.gz {
		return formatError(s.name, "corrupt gzip stream", s.fix, err)
	}
	return formatError(s.name, "read failed", s.fix, err)
}

// plural formats "1 image" / "3 images".
func plural(n int64, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
