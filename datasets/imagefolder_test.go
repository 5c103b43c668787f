package datasets

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// folderFixture returns a small image folder under prefix: classes ant and
// cat (written out of order), RGB and gray PNGs of 6×5, plus files that
// must be ignored; and the expected train and test sets.
func folderFixture(t *testing.T, prefix string) ([]entry, *Set, *Set) {
	p := func(s string) string { return prefix + s }
	imgs := []struct {
		name string
		gray bool
		seed int
	}{
		{"train/cat/1.png", false, 1}, {"train/cat/0.png", false, 2},
		{"train/ant/b.png", true, 3}, {"train/ant/a.png", false, 4},
		{"test/cat/y.png", false, 5}, {"test/ant/x.png", true, 6},
	}
	entries := []entry{{name: p("train/")}, {name: p("README.txt"), data: []byte("hello")}, {name: p("train/cat/.DS_Store"), data: []byte("junk")}}
	for _, im := range imgs {
		entries = append(entries, entry{name: p(im.name), data: pngBytes(t, 6, 5, im.gray, im.seed)})
	}
	mk := func(order []int, labels []int32) *Set {
		s := &Set{C: 3, H: 5, W: 6, Classes: 2, ClassNames: []string{"ant", "cat"}, Labels: labels}
		for _, k := range order {
			s.Pixels = append(s.Pixels, planes(testImage(6, 5, imgs[k].gray, imgs[k].seed), 3)...)
		}
		return s
	}
	return entries, mk([]int{3, 2, 1, 0}, []int32{0, 0, 1, 1}), mk([]int{5, 4}, []int32{0, 1})
}

// noCache loads an image folder without touching any cache.
func noCache(path string) (*Set, *Set, error) {
	return LoadImageFolderWith(path, ImageFolderOptions{NoCache: true})
}

func checkFolder(t *testing.T, train, test, wantTrain, wantTest *Set) {
	t.Helper()
	for _, p := range []struct{ got, want *Set }{{train, wantTrain}, {test, wantTest}} {
		w := *p.want
		w.Name = p.got.Name
		if !sameSet(p.got, &w) {
			t.Fatalf("got %d samples %v %v, want %d %v %v", p.got.Len(), p.got.ClassNames, p.got.Labels, w.Len(), w.ClassNames, w.Labels)
		}
	}
}

func TestImageFolderLayouts(t *testing.T) {
	rooted, wantTrain, wantTest := folderFixture(t, "data/")
	bare, _, _ := folderFixture(t, "")
	tmp := t.TempDir()
	writeTree(t, filepath.Join(tmp, "parent"), rooted)
	writeTree(t, filepath.Join(tmp, "bare"), bare)
	var noDirs []entry
	for _, e := range rooted {
		if !strings.HasSuffix(e.name, "/") {
			noDirs = append(noDirs, e)
		}
	}
	for _, tc := range []struct {
		name, path, wantName string
	}{
		{"folder parent", filepath.Join(tmp, "parent"), "data"},
		{"folder root", filepath.Join(tmp, "parent", "data"), "data"},
		{"folder without root", filepath.Join(tmp, "bare"), "bare"},
		{"tar.gz with root", writeFile(t, tmp, "a.tar.gz", tarGz(t, rooted)), "data"},
		{"tar.gz without root", writeFile(t, tmp, "mine.tgz", tarGz(t, bare)), "mine"},
		{"tar.gz without folder entries", writeFile(t, tmp, "b.tar.gz", tarGz(t, noDirs)), "data"},
		{"plain tar", writeFile(t, tmp, "c.tar", gunzip(t, tarGz(t, rooted))), "data"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			train, test, err := noCache(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			checkFolder(t, train, test, wantTrain, wantTest)
			if train.Name != tc.wantName || test.Name != tc.wantName {
				t.Errorf("name %q/%q, want %q", train.Name, test.Name, tc.wantName)
			}
		})
	}
}

func TestImageFolderValSplitAndGray(t *testing.T) {
	tmp := t.TempDir()
	entries := []entry{
		{name: "r/train/b/1.png", data: pngBytes(t, 4, 3, true, 1)},
		{name: "r/train/a/1.jpg", data: jpegBytes(t, 4, 3, true, 2)},
		{name: "r/val/a/2.PNG", data: pngBytes(t, 4, 3, true, 3)},
	}
	train, test, err := noCache(writeFile(t, tmp, "g.tar.gz", tarGz(t, entries)))
	if err != nil {
		t.Fatal(err)
	}
	if train.C != 1 || train.Len() != 2 || test.Len() != 1 || test.Labels[0] != 0 || train.Labels[0] != 0 || train.Labels[1] != 1 {
		t.Fatalf("got C=%d train %v test %v", train.C, train.Labels, test.Labels)
	}
	if !bytes.Equal(train.Image(1), planes(testImage(4, 3, true, 1), 1)) {
		t.Fatal("gray PNG decoded wrongly")
	}
	// A lossy JPEG stays close to its source.
	want := planes(testImage(4, 3, true, 2), 1)
	for i, v := range train.Image(0) {
		if d := int(v) - int(want[i]); d > 12 || d < -12 {
			t.Fatalf("gray JPEG pixel %d = %d, want about %d", i, v, want[i])
		}
	}
}

func TestImageFolderColourJPEGAndWorkers(t *testing.T) {
	tmp := t.TempDir()
	var entries []entry
	for i := range 40 {
		entries = append(entries, entry{name: "x/train/c" + string(rune('0'+i%3)) + "/" + string(rune('a'+i)) + ".jpg", data: jpegBytes(t, 8, 8, i%5 == 0, i)})
	}
	entries = append(entries, entry{name: "x/test/c1/z.jpg", data: jpegBytes(t, 8, 8, false, 99)})
	path := writeFile(t, tmp, "j.tar.gz", tarGz(t, entries))
	a, at, err := LoadImageFolderWith(path, ImageFolderOptions{NoCache: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, bt, err := LoadImageFolderWith(path, ImageFolderOptions{NoCache: true, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(a, b) || !sameSet(at, bt) || a.C != 3 || a.Len() != 40 {
		t.Fatalf("decoding with 1 and 4 workers differs (C=%d, N=%d)", a.C, a.Len())
	}
}

func TestImageFolderErrors(t *testing.T) {
	good := pngBytes(t, 6, 5, false, 1)
	jpg := jpegBytes(t, 6, 5, false, 1)
	base := func() []entry {
		return []entry{
			{name: "d/train/cat/1.png", data: good},
			{name: "d/train/dog/1.png", data: good},
			{name: "d/test/cat/1.png", data: good},
		}
	}
	with := func(extra ...entry) []entry { return append(base(), extra...) }
	for _, tc := range []struct {
		name    string
		entries []entry
		kind    error
		subs    []string // "@" is replaced by the folder or "archive!"
	}{
		{"corrupt jpeg", with(entry{name: "d/train/cat/bad.jpg", data: []byte("\xff\xd8\xff\xe0 this is not really a jpeg")}),
			ErrFormat, []string{"@d/train/cat/bad.jpg", "corrupt image"}},
		{"truncated jpeg", with(entry{name: "d/train/dog/cut.jpg", data: jpg[:len(jpg)/2]}),
			ErrFormat, []string{"@d/train/dog/cut.jpg", "corrupt image"}},
		{"jpeg with cut scan data", with(entry{name: "d/train/dog/scan.jpg", data: jpg[:len(jpg)-12]}),
			ErrFormat, []string{"@d/train/dog/scan.jpg", "corrupt image:"}},
		{"non-image file", with(entry{name: "d/train/cat/notes.txt", data: []byte("hello")}),
			ErrFormat, []string{"@d/train/cat/notes.txt", "not an image file"}},
		{"text named png", with(entry{name: "d/test/cat/fake.png", data: []byte("not a png at all")}),
			ErrFormat, []string{"@d/test/cat/fake.png", "not a JPEG or PNG"}},
		{"mixed sizes", with(entry{name: "d/train/dog/2.png", data: pngBytes(t, 7, 5, false, 2)}),
			ErrFormat, []string{"@d/train/dog/2.png", "7×5", "6×5", "share one size"}},
		{"empty class dir", with(entry{name: "d/train/emu/"}),
			ErrFormat, []string{"@d/train/emu", "empty class folder"}},
		{"empty test class dir", with(entry{name: "d/test/dog/"}),
			ErrFormat, []string{"@d/test/dog", "empty class folder"}},
		{"no train", []entry{{name: "d/test/cat/1.png", data: good}}, ErrFormat, []string{"no train/ folder"}},
		{"no test", []entry{{name: "d/train/cat/1.png", data: good}}, ErrFormat, []string{"no test/ (or val/) folder"}},
		{"test class not in train", with(entry{name: "d/test/emu/1.png", data: good}),
			ErrFormat, []string{"@d/test/emu", `class "emu" has no folder in train/`}},
		{"file in split folder", with(entry{name: "d/train/1.png", data: good}), ErrFormat, []string{"@d/train/1.png", "directly in the split folder"}},
		{"nested too deep", with(entry{name: "d/train/cat/x/1.png", data: good}), ErrFormat, []string{"nested too deep"}},
		{"two roots", with(entry{name: "e/train/cat/1.png", data: good}), ErrFormat, []string{"second dataset root"}},
	} {
		for _, form := range []string{"folder", "tar.gz"} {
			t.Run(tc.name+"/"+form, func(t *testing.T) {
				tmp := t.TempDir()
				var path, at string
				if form == "folder" {
					path = filepath.Join(tmp, "tree")
					writeTree(t, path, tc.entries)
					at = path + string(filepath.Separator)
				} else {
					path = writeFile(t, tmp, "set.tar.gz", tarGz(t, tc.entries))
					at = path + "!"
				}
				_, _, err := noCache(path)
				subs := make([]string, len(tc.subs))
				for i, s := range tc.subs {
					subs[i] = strings.Replace(s, "@", at, 1)
					if form == "folder" {
						subs[i] = filepath.FromSlash(subs[i])
					}
				}
				wantErr(t, err, tc.kind, subs...)
			})
		}
	}
}

func TestImageFolderBadPaths(t *testing.T) {
	tmp := t.TempDir()
	_, _, err := noCache(filepath.Join(tmp, "nope.tar.gz"))
	wantErr(t, err, ErrNotFound, "nope.tar.gz", "not found")

	txt := writeFile(t, tmp, "notes.txt", []byte("just text"))
	_, _, err = noCache(txt)
	wantErr(t, err, ErrFormat, txt, "neither a folder nor a .tar")

	entries, _, _ := folderFixture(t, "data/")
	archive := tarGz(t, entries)
	cut := writeFile(t, tmp, "cut.tar.gz", archive[:len(archive)*2/3])
	_, _, err = noCache(cut)
	wantErr(t, err, ErrFormat, cut)

	_, _, err = Load("imagefolder", "")
	wantErr(t, err, ErrConfig, "--data")
}

// gunzip decompresses b.
func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	s, err := newSource("x", "", bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := s.readPayload(1 << 30)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImageFolderTarRefusesDotDot: a member named "../x" was folded into the
// archive root (path.Clean("/../x") is "/x") and so landed where its author
// did not put it, or was dropped silently by the layout; it is now refused,
// naming the member.
func TestImageFolderTarRefusesDotDot(t *testing.T) {
	entries, _, _ := folderFixture(t, "data/")
	entries = append(entries, entry{name: "data/train/../../evil/train/cat/9.png", data: pngBytes(t, 6, 5, false, 9)})
	path := writeFile(t, t.TempDir(), "dots.tar.gz", tarGz(t, entries))
	_, _, err := noCache(path)
	wantErr(t, err, ErrFormat, path+"!data/train/../../evil/train/cat/9.png", `climbs out of the archive with ".."`)
}
