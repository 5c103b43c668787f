package datasets

import (
	"fmt"
	"sort"
	"strings"
)

// Split folder names of an image folder. The test split is test/, or val/
// when there is no test/.
const (
	splitTrain = "train"
	splitTest  = "test"
	splitVal   = "val"
)

// folderLayout is the parsed structure root/<split>/<class>/<image>.
type folderLayout struct {
	src     memberSource
	prefix  string                          // the root inside the folder or archive; "" = top level
	rooted  bool                            // prefix has been fixed by a first member
	classes map[string]map[string][]*member // split → class → images
}

// isSplitName reports whether a path component names a split folder.
func isSplitName(s string) bool { return s == splitTrain || s == splitTest || s == splitVal }

// hidden reports whether a path has a hidden or macOS-metadata component.
func hidden(parts []string) bool {
	for _, p := range parts {
		if strings.HasPrefix(p, ".") || p == "__MACOSX" {
			return true
		}
	}
	return false
}

// add places one member in the layout.
func (l *folderLayout) add(m *member) error {
	parts := strings.Split(m.name, "/")
	if hidden(parts) {
		return nil
	}
	i := 0
	for i < len(parts) && !isSplitName(parts[i]) {
		i++
	}
	if i == len(parts) {
		return nil // above or beside the splits (the root folder, a README …)
	}
	prefix := strings.Join(parts[:i], "/")
	if !l.rooted {
		l.prefix, l.rooted = prefix, true
	} else if prefix != l.prefix {
		return formatError(l.src.path(m.name),
			fmt.Sprintf("a second dataset root %q beside %q", prefix, l.prefix), folderFix, nil)
	}
	split, rest := parts[i], parts[i+1:]
	if l.classes[split] == nil {
		l.classes[split] = map[string][]*member{}
	}
	if m.link && len(rest) > 0 {
		return formatError(l.src.path(m.name), "links are not supported inside a split", "replace the link by the file or folder it points to", nil)
	}
	switch {
	case len(rest) == 0:
		return nil
	case len(rest) == 1 && m.dir:
		class := rest[0]
		if _, ok := l.classes[split][class]; !ok {
			l.classes[split][class] = nil
		}
		return nil
	case len(rest) == 1:
		return formatError(l.src.path(m.name), "file directly in the split folder; images belong in <split>/<class>/", folderFix, nil)
	case len(rest) == 2 && !m.dir:
		if !isImageName(rest[1]) {
			return formatError(l.src.path(m.name), "not an image file (want "+imageExtensions+")", "remove it from the class folder", nil)
		}
		l.classes[split][rest[0]] = append(l.classes[split][rest[0]], m)
		return nil
	default:
		return formatError(l.src.path(m.name), "nested too deep; expected <split>/<class>/<image>", folderFix, nil)
	}
}

// order checks the layout and returns the class names (sorted train class
// folders) and the images of train and test in sample order.
func (l *folderLayout) order() (names []string, train, test []*member, err error) {
	rootPath := l.src.path(l.prefix)
	if l.prefix == "" {
		rootPath = l.src.root
	}
	tr := l.classes[splitTrain]
	if tr == nil {
		return nil, nil, nil, formatError(rootPath, "no train/ folder", folderFix, nil)
	}
	testName := splitTest
	te := l.classes[splitTest]
	if te == nil {
		testName, te = splitVal, l.classes[splitVal]
	}
	if te == nil {
		return nil, nil, nil, formatError(rootPath, "no test/ (or val/) folder beside train/", folderFix, nil)
	}
	if len(te) == 0 {
		return nil, nil, nil, formatError(l.src.path(join(l.prefix, testName)), "no class folders", folderFix, nil)
	}
	for c := range tr {
		names = append(names, c)
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, nil, nil, formatError(l.src.path(join(l.prefix, splitTrain)), "no class folders", folderFix, nil)
	}
	index := map[string]bool{}
	for _, c := range names {
		index[c] = true
	}
	for c := range te {
		if !index[c] {
			return nil, nil, nil, formatError(l.src.path(join(l.prefix, testName, c)),
				fmt.Sprintf("class %q has no folder in train/", c), "add train/"+c+"/ or remove this folder", nil)
		}
	}
	collect := func(split string, m map[string][]*member) ([]*member, error) {
		var out []*member
		for _, c := range names {
			imgs, ok := m[c]
			if !ok {
				continue
			}
			if len(imgs) == 0 {
				return nil, formatError(l.src.path(join(l.prefix, split, c)), "empty class folder", "add images or remove the folder", nil)
			}
			sort.Slice(imgs, func(a, b int) bool { return imgs[a].name < imgs[b].name })
			for k := 1; k < len(imgs); k++ {
				if imgs[k].name == imgs[k-1].name {
					return nil, formatError(l.src.path(imgs[k].name), "appears twice in the archive", "re-create the archive", nil)
				}
			}
			out = append(out, imgs...)
		}
		return out, nil
	}
	if train, err = collect(splitTrain, tr); err != nil {
		return nil, nil, nil, err
	}
	if test, err = collect(testName, te); err != nil {
		return nil, nil, nil, err
	}
	return names, train, test, nil
}

// join joins non-empty slash path parts.
func join(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "/")
}
