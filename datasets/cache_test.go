package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cachedLoad loads path with the cache in dir and returns the log lines.
func cachedLoad(t *testing.T, path, dir string) (*Set, *Set, string) {
	t.Helper()
	var log strings.Builder
	train, test, err := LoadImageFolderWith(path, ImageFolderOptions{CacheDir: dir, Logf: func(f string, a ...any) {
		fmt.Fprintf(&log, f+"\n", a...)
	}})
	if err != nil {
		t.Fatal(err)
	}
	return train, test, log.String()
}

func TestImageFolderCache(t *testing.T) {
	tmp := t.TempDir()
	cacheDir := filepath.Join(tmp, "cache")
	entries, wantTrain, wantTest := folderFixture(t, "data/")
	path := writeFile(t, tmp, "set.tar.gz", tarGz(t, entries))

	train, test, log := cachedLoad(t, path, cacheDir)
	checkFolder(t, train, test, wantTrain, wantTest)
	if strings.Contains(log, "from cache") {
		t.Fatalf("first load claims a cache hit: %s", log)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "*.ghlset"))
	if len(files) != 1 {
		t.Fatalf("want one cache file, have %v", files)
	}
	if tmps, _ := filepath.Glob(filepath.Join(cacheDir, ".tmp-*")); len(tmps) != 0 {
		t.Fatalf("temporary files left behind: %v", tmps)
	}

	hit := func(what string) {
		t.Helper()
		tr, te, log := cachedLoad(t, path, cacheDir)
		if !strings.Contains(log, "from cache") {
			t.Fatalf("%s: no cache hit: %s", what, log)
		}
		if !sameSet(tr, train) || !sameSet(te, test) {
			t.Fatalf("%s: cached sets differ from decoded ones", what)
		}
	}
	rebuild := func(what string) {
		t.Helper()
		tr, te, log := cachedLoad(t, path, cacheDir)
		if strings.Contains(log, "from cache") {
			t.Fatalf("%s: used a bad cache: %s", what, log)
		}
		if !sameSet(tr, train) || !sameSet(te, test) {
			t.Fatalf("%s: rebuilt sets differ", what)
		}
		hit(what + ", then")
	}
	hit("second load")

	// A flipped pixel byte fails the checksum.
	data, _ := os.ReadFile(files[0])
	data[len(data)-40] ^= 1
	os.WriteFile(files[0], data, 0o644)
	rebuild("corrupt cache")

	// A truncated cache file.
	data, _ = os.ReadFile(files[0])
	os.WriteFile(files[0], data[:len(data)/2], 0o644)
	rebuild("truncated cache")

	// Garbage instead of a cache file.
	os.WriteFile(files[0], []byte("garbage"), 0o644)
	rebuild("garbage cache")

	// The archive changes (new content and modification time).
	entries2, _, _ := folderFixture(t, "data/")
	entries2 = append(entries2, entry{name: "data/test/cat/z.png", data: pngBytes(t, 6, 5, false, 9)})
	writeFile(t, tmp, "set.tar.gz", tarGz(t, entries2))
	os.Chtimes(path, time.Now(), time.Now().Add(time.Hour))
	tr, te, log := cachedLoad(t, path, cacheDir)
	if strings.Contains(log, "from cache") || te.Len() != test.Len()+1 || tr.Len() != train.Len() {
		t.Fatalf("stale cache used after the archive changed: %s", log)
	}
	if files2, _ := filepath.Glob(filepath.Join(cacheDir, "*.ghlset")); len(files2) != 1 {
		t.Fatalf("a changed archive should replace its cache file, have %v", files2)
	}
}

func TestCacheDirEnv(t *testing.T) {
	t.Setenv(cacheEnv, "/some/where")
	if d, err := CacheDir(); err != nil || d != "/some/where" {
		t.Fatalf("CacheDir() = %q, %v", d, err)
	}
	t.Setenv(cacheEnv, "")
	if d, err := CacheDir(); err == nil && filepath.Base(d) != "ghlsim" {
		t.Fatalf("CacheDir() = %q", d)
	}
}

func TestImageFolderCacheUnwritable(t *testing.T) {
	tmp := t.TempDir()
	entries, wantTrain, wantTest := folderFixture(t, "data/")
	path := writeFile(t, tmp, "set.tar.gz", tarGz(t, entries))
	blocker := writeFile(t, tmp, "file", []byte("x")) // a file where the cache folder should be
	train, test, log := cachedLoad(t, path, filepath.Join(blocker, "cache"))
	checkFolder(t, train, test, wantTrain, wantTest)
	if !strings.Contains(log, "cache not written") {
		t.Fatalf("no note about the unwritable cache: %s", log)
	}
}
