package plots

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgDocTree is a parsed SVG: every element with its attributes and text.
type svgDocTree struct {
	elems []svgElem
	width string  // the root's width attribute
	perPt float64 // user units per point (viewBox width / width in pt)
}

type svgElem struct {
	name     string
	attrs    map[string]string
	text     string
	fontSize float64 // effective font size in user units (own style or inherited)
}

// styleValue returns the value of key in a style attribute.
func styleValue(style, key string) (string, bool) {
	for _, part := range strings.Split(style, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), key+":"); ok {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// parseSVG checks that b is one well-formed XML document whose root is
// <svg> and returns its elements in document order.
func parseSVG(t *testing.T, b []byte) svgDocTree {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	var tree svgDocTree
	var stack []int
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tk.Name.Local != "svg" {
					t.Fatalf("root element is <%s>, want <svg>", tk.Name.Local)
				}
			}
			depth++
			e := svgElem{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				e.fontSize = tree.elems[stack[len(stack)-1]].fontSize
			}
			if v, ok := styleValue(e.attrs["style"], "font-size"); ok {
				f, err := strconv.ParseFloat(strings.TrimSuffix(v, "px"), 64)
				if err != nil {
					t.Fatalf("bad font-size %q", v)
				}
				e.fontSize = f
			}
			if depth == 1 {
				tree.width = e.attrs["width"]
				w, err1 := strconv.ParseFloat(strings.TrimSuffix(tree.width, "pt"), 64)
				vb := strings.Fields(e.attrs["viewBox"])
				if err1 != nil || len(vb) != 4 || !strings.HasSuffix(tree.width, "pt") {
					t.Fatalf("root <svg> needs a width in pt and a viewBox, got width=%q viewBox=%q", tree.width, e.attrs["viewBox"])
				}
				vw, _ := strconv.ParseFloat(vb[2], 64)
				tree.perPt = vw / w
			}
			stack = append(stack, len(tree.elems))
			tree.elems = append(tree.elems, e)
		case xml.EndElement:
			depth--
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				tree.elems[stack[len(stack)-1]].text += string(tk)
			}
		}
	}
	if roots != 1 {
		t.Fatalf("SVG has %d root elements, want 1", roots)
	}
	return tree
}

// count returns the number of elements named name for which match is true.
func (d svgDocTree) count(name string, match func(svgElem) bool) int {
	n := 0
	for _, e := range d.elems {
		if e.name == name && (match == nil || match(e)) {
			n++
		}
	}
	return n
}

// texts returns the trimmed text of every <text> element.
func (d svgDocTree) texts() []string {
	var out []string
	for _, e := range d.elems {
		if e.name == "text" {
			out = append(out, strings.TrimSpace(e.text))
		}
	}
	return out
}

// hasText reports whether some <text> element reads exactly s.
func (d svgDocTree) hasText(s string) bool {
	for _, x := range d.texts() {
		if x == s {
			return true
		}
	}
	return false
}

// countText returns how many <text> elements read exactly s.
func (d svgDocTree) countText(s string) int {
	n := 0
	for _, x := range d.texts() {
		if x == s {
			n++
		}
	}
	return n
}

// hasClass reports whether the element's class attribute is c.
func hasClass(c string) func(svgElem) bool {
	return func(e svgElem) bool { return e.attrs["class"] == c }
}

// minFontPt returns the smallest font size of any text, in points.
func (d svgDocTree) minFontPt(t *testing.T) float64 {
	t.Helper()
	m := 0.0
	for _, e := range d.elems {
		if e.name != "text" {
			continue
		}
		if e.fontSize == 0 {
			t.Fatalf("text %q has no font size", e.text)
		}
		if pt := e.fontSize / d.perPt; m == 0 || pt < m {
			m = pt
		}
	}
	return m
}

// strokes counts stroked paths of the given colour (#rrggbb) and, when
// width is not empty, stroke width.
func (d svgDocTree) strokes(color, width string) int {
	return d.count("path", func(e svgElem) bool {
		c, _ := styleValue(e.attrs["style"], "stroke")
		w, _ := styleValue(e.attrs["style"], "stroke-width")
		return strings.EqualFold(c, color) && (width == "" || w == width)
	})
}

// fills counts filled paths of the given colour (#rrggbb).
func (d svgDocTree) fills(color string) int {
	return d.count("path", func(e svgElem) bool {
		c, _ := styleValue(e.attrs["style"], "fill")
		return strings.EqualFold(c, color)
	})
}
