// Package quote quotes user input for error messages without echoing all
// of it: a misplaced 20 MB file must not come back on stderr whole.
package quote

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Max is the most bytes of quoted input an error message echoes.
const Max = 200

// Q is strconv.Quote(s) when that fits in Max bytes; otherwise the quoted
// longest prefix of s (cut at a rune boundary) that fits, followed by a
// marker giving s's full length, e.g. "abc…"… (20971520 bytes, cut).
func Q(s string) string {
	q := strconv.Quote(s)
	if len(q) <= Max {
		return q
	}
	n := min(len(s), Max)
	for {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		if q = strconv.Quote(s[:n]); len(q) <= Max || n == 0 {
			break
		}
		n -= (len(q) - Max + 3) / 4 // an escape is at most 4 bytes per input byte… or 10 per rune
		if n < 0 {
			n = 0
		}
	}
	return fmt.Sprintf("%s… (%d bytes, cut)", q, len(s))
}

// S is s itself when it has at most Max bytes, otherwise its first bytes
// (cut at a rune boundary) and the same marker as Q, unquoted.
func S(s string) string {
	if len(s) <= Max {
		return s
	}
	n := Max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%s… (%d bytes, cut)", s[:n], len(s))
}
