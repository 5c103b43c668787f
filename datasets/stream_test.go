package datasets

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bigMember is the size of the large member of the RSS test's archive.
const bigMember = 512 << 20

// writeBigTar writes a .tar.gz holding a large non-image member first, then
// the small image folder of folderFixture under data/, streaming the large
// member so that the test itself never holds it.
func writeBigTar(t *testing.T, path string) {
	t.Helper()
	entries, _, _ := folderFixture(t, "data/")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "data/big.bin", Mode: 0o644, Size: bigMember, Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeros{}, bigMember); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.data)), Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0)}
		if strings.HasSuffix(e.name, "/") {
			hdr.Typeflag, hdr.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestRSSChild is the child of TestTarLargeMemberPeakRSS: it loads the
// archive in $GHLSIM_RSS_TAR and prints its peak RSS (VmHWM) in KiB.
func TestRSSChild(t *testing.T) {
	path := os.Getenv("GHLSIM_RSS_TAR")
	if path == "" {
		t.Skip("child of TestTarLargeMemberPeakRSS")
	}
	train, test, err := LoadImageFolderWith(path, ImageFolderOptions{NoCache: true})
	if err != nil {
		t.Fatal(err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Printf("images %d+%d peak %s\n", train.Len(), test.Len(), strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "VmHWM:"), "kB")))
		}
	}
}

// TestTarLargeMemberPeakRSS: image folders and .tar.gz datasets were read
// whole into memory (a 1 GiB member took 2.34 GB RSS). Archives are now
// streamed: a subprocess loading an archive with a 512 MiB member must peak
// below 160 MiB of resident memory.
func TestTarLargeMemberPeakRSS(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads VmHWM from /proc")
	}
	if testing.Short() {
		t.Skip("writes and reads a 512 MiB archive member")
	}
	path := filepath.Join(t.TempDir(), "big.tar.gz")
	writeBigTar(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRSSChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "GHLSIM_RSS_TAR="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var n1, n2 int
	var kb string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "images ") {
			fmt.Sscanf(line, "images %d+%d peak %s", &n1, &n2, &kb)
		}
	}
	peak, err := strconv.Atoi(kb)
	if err != nil || n1 != 4 || n2 != 2 {
		t.Fatalf("child output %q", out)
	}
	t.Logf("peak RSS %.1f MiB loading an archive with a %d MiB member", float64(peak)/1024, bigMember>>20)
	if peak > 160<<10 {
		t.Fatalf("peak RSS %d KiB loading an archive with a %d MiB member, want ≤ 160 MiB", peak, bigMember>>20)
	}
}

// TestImagePixelLimit: images above the stated size are refused from their
// header, before decoding, naming the limit and the flag that raises it.
func TestImagePixelLimit(t *testing.T) {
	entries, _, _ := folderFixture(t, "")
	dir := t.TempDir()
	writeTree(t, dir, entries)
	_, _, err := LoadImageFolderWith(dir, ImageFolderOptions{NoCache: true, MaxImagePixels: 29})
	wantErr(t, err, ErrFormat, "6×5 = 30 pixels, over the limit of 29 pixels per image", "--max-image-pixels")
	if _, _, err := LoadImageFolderWith(dir, ImageFolderOptions{NoCache: true, MaxImagePixels: 30}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	// The default: a 5000×5000 header in a file large enough to be
	// plausible (30 KB) is over 4096×4096.
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:20], 5000)
	binary.BigEndian.PutUint32(b[20:24], 5000)
	binary.BigEndian.PutUint32(b[29:33], crc32.ChecksumIEEE(b[12:29]))
	b = append(b, make([]byte, 30000)...)
	_, err = decodeConfigReader("big.png", bytes.NewReader(b), int64(len(b)), 0)
	wantErr(t, err, ErrFormat, "big.png", "5000×5000 = 25000000 pixels, over the limit of 16777216")
}
